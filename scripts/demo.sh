#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# demo.sh: unmodified programs inside husk: from the host, then from an
# ext4 root filesystem image made from a directory.
set -euo pipefail
cd "$(dirname "$0")/.."
HUSK=${HUSK:-build/husk}

show() {
  printf '\n$ husk %s\n' "$*"
  "$HUSK" "$@"
}

show run /bin/busybox echo "hello from inside husk"
show run --hostname demo /bin/busybox uname -a
show run --env GREETING=hi --env WHO=husk /bin/busybox env
show run --trace /bin/busybox true

# A tiny root filesystem: busybox and its applet links, a file to read.
root=$(mktemp -d) img=$(mktemp -u /tmp/husk-demo-XXXXXX.img)
trap 'rm -rf "$root" "$img"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/dev" "$root/proc"
cp /bin/busybox "$root/bin/"
for a in sh ls cat uname df; do ln -s busybox "$root/bin/$a"; done
echo "this file lives in an ext4 image" >"$root/etc/motd"
show image build "$root" -o "$img"
show run --rootfs "$img" cat /etc/motd
show run --rootfs "$img" ls -l / /bin /proc/self/
set +e
"$HUSK" run /bin/busybox false
printf '\n$ husk run /bin/busybox false; echo $?\n%s\n' "$?"
