#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# rootfs-from-host.sh DIR ITEM...: a root filesystem directory made of the
# host's own files, for `husk image build DIR -o IMAGE` or `--rootfs DIR`.
#
# Each ITEM is a program (a path, or a name looked up in /usr/bin, /bin,
# /usr/sbin, /sbin), a shared library, or a directory (copied whole, as
# python3's standard library). Every ELF file copied brings the libraries
# it loads (ldd) and its dynamic loader, at the paths the host has them.
# The merged-/usr links (bin -> usr/bin, lib -> usr/lib, ...) are made as
# on Debian 12, so that library paths and #! lines resolve the same way.
# The tree gets /etc/passwd, /etc/group, /tmp and the mount points husk uses.
set -euo pipefail

die() { echo "rootfs-from-host: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: rootfs-from-host.sh DIR PROGRAM|LIBRARY|DIRECTORY..."
out=$1
shift
mkdir -p "$out"
out=$(cd "$out" && pwd)

for d in bin sbin lib lib64; do
  mkdir -p "$out/usr/$d"
  [ -e "$out/$d" ] || [ -L "$out/$d" ] || ln -s "usr/$d" "$out/$d"
done
mkdir -p "$out/etc" "$out/tmp" "$out/proc" "$out/dev" "$out/sys" "$out/run" \
  "$out/root"
chmod 1777 "$out/tmp"
[ -e "$out/etc/passwd" ] || printf 'root:x:0:0:root:/root:/bin/sh\n' >"$out/etc/passwd"
[ -e "$out/etc/group" ] || printf 'root:x:0:\n' >"$out/etc/group"

declare -A seen=()

# The path with its directory's symlinks resolved but the name kept (so a
# library keeps its soname link, and /bin/x lands in usr/bin/x).
canon() { echo "$(cd "$(dirname "$1")" && pwd -P)/$(basename "$1")"; }

copy_one() { # copy_one PATH: the file (or link chain) and, for ELF, its deps
  local p
  p=$(canon "$1")
  [ -n "${seen[$p]:-}" ] && return 0
  seen[$p]=1
  mkdir -p "$out$(dirname "$p")"
  if [ -L "$p" ]; then
    local t
    t=$(readlink "$p")
    ln -sfn "$t" "$out$p"
    case $t in
      /*) copy_one "$t" ;;
      *) copy_one "$(dirname "$p")/$t" ;;
    esac
    return 0
  fi
  cp -p "$p" "$out$p"
  if [ "$(head -c 4 "$p" | od -An -c | tr -d ' ')" = '177ELF' ]; then
    local lib
    # "name => /path (addr)" and "/lib64/ld-linux-x86-64.so.2 (addr)"
    while read -r lib; do
      [ -n "$lib" ] && [ -e "$lib" ] && copy_one "$lib"
    done < <(ldd "$p" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p')
  fi
}

for item in "$@"; do
  path=$item
  if [[ $item != */* ]]; then
    path=
    for d in /usr/bin /bin /usr/sbin /sbin; do
      [ -e "$d/$item" ] && { path=$d/$item; break; }
    done
    [ -n "$path" ] || die "$item: not found in /usr/bin, /bin, /usr/sbin, /sbin"
  fi
  [ -e "$path" ] || die "$path: no such file"
  if [ -d "$path" ] && [ ! -L "$path" ]; then
    src=$(cd "$path" && pwd -P)
    mkdir -p "$out$src"
    cp -a "$src/." "$out$src/"
    while IFS= read -r -d '' f; do
      copy_one "$f"
    done < <(find "$src" -type f -name '*.so*' -print0)
  else
    copy_one "$path"
  fi
done
