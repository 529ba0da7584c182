#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lwip-source.sh DIR: fetch Debian's lwip source package (2.1.3) with
# `apt-get source` and unpack its upstream tree into DIR. The deb-src entry
# lives in a private sources list under DIR's parent, so the system's apt
# configuration is never changed. husk builds lwIP's core from this tree
# with its own lwipopts.h (kernel/net/lwip/); see FACTS.md for why Debian's
# prebuilt liblwip is not used.
set -euo pipefail

dir=${1:?usage: lwip-source.sh DIR}
version=2.1.3
[ -f "$dir/src/core/init.c" ] && exit 0

mkdir -p "$(dirname "$dir")"
work=$(cd "$(dirname "$dir")" && pwd)/lwip-apt
rm -rf "$work"
mkdir -p "$work/lists/partial" "$work/get"
. /etc/os-release
echo "deb-src http://deb.debian.org/debian ${VERSION_CODENAME:-bookworm} main" \
  >"$work/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list"
  -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$work/lists"
  -o APT::Sandbox::User=root)
echo "lwip: fetching Debian's lwip $version source (apt-get source)"
if ! apt-get "${apt_opts[@]}" update -qq >"$work/log" 2>&1 ||
  ! (cd "$work/get" && apt-get "${apt_opts[@]}" source --download-only \
    lwip >>"$work/log" 2>&1); then
  echo "lwip-source: apt-get source lwip failed:" >&2
  tail -5 "$work/log" >&2
  exit 1
fi
tarball=$(ls "$work"/get/lwip_"$version"*.orig.tar.* | head -1)
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
tar -xf "$tarball" -C "$dir.tmp" --strip-components=1
[ -f "$dir.tmp/src/core/init.c" ] || {
  echo "lwip-source: $tarball has no src/core/init.c" >&2
  exit 1
}
rm -rf "$dir"
mv "$dir.tmp" "$dir"
rm -rf "$work"
echo "lwip: source in $dir"
