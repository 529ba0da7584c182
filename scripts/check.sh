#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check.sh: every test, under prove. Guest programs run natively first
# (they must pass on Linux itself), then inside husk; then the host-side
# tests drive husk as a user does. Every run has a timeout.
set -uo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
export HUSK=${HUSK:-$B/husk}
status=0

# Areas whose syscalls husk implements; any others are
# built and checked natively until their issue lands.
husk_areas=(core fs task net)

all_guests=$(ls -d "$B"/tests/guest/*/*/* 2>/dev/null)
husk_guests=$(for a in "${husk_areas[@]}"; do ls -d "$B"/tests/guest/{glibc,musl,glibc-pie}/"$a"/*; done)
# Dynamic ones run from an image of themselves (under /guest, since the
# tree may live below /tmp, which husk mounts a tmpfs over) and of the
# libraries they load (scripts/rootfs-from-host.sh).
dyn_guests=$(for a in "${husk_areas[@]}"; do ls -d "$PWD/$B"/tests/guest/glibc-dyn/"$a"/*; done)

echo "== unit tests (kernel pieces against a fake host, ASan and UBSan)"
prove --exec 'timeout 120' "$B"/tests/unit/* || status=1

echo "== guest tests, natively (static glibc, static musl, static-pie glibc)"
prove --exec 'timeout 120' $all_guests || status=1

echo "== guest tests inside husk"
prove --exec "timeout 120 $HUSK run --" $husk_guests || status=1

echo "== dynamic guest tests inside husk, from an ext4 image"
rm -rf "$B/dyn-root" "$B/dyn-root.img"
dyn_dir=$PWD/$B/tests/guest/glibc-dyn
cat >"$B/in-dyn-image" <<WRAP
#!/bin/sh
exec timeout 120 "$HUSK" run --rootfs "$PWD/$B/dyn-root.img" -- "/guest/\${1#$dyn_dir/}"
WRAP
chmod +x "$B/in-dyn-image"
if scripts/rootfs-from-host.sh "$B/dyn-root" $dyn_guests &&
  mkdir -p "$B/dyn-root/guest" && cp -r "$dyn_dir"/. "$B/dyn-root/guest/" &&
  "$HUSK" image build "$B/dyn-root" -o "$B/dyn-root.img" >/dev/null; then
  prove --exec "$B/in-dyn-image" $dyn_guests || status=1
else
  echo "check: cannot build the image of dynamic guest tests" >&2
  status=1
fi

if [ -x "$B/asan/husk" ]; then
  echo "== guest tests inside husk built with AddressSanitizer and UBSan"
  prove --exec "timeout 120 $B/asan/husk run --" $husk_guests || status=1
fi

echo "== host-side tests"
prove -j2 tests/host/*.t || status=1

exit $status
