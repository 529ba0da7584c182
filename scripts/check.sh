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
failed=()
execs=()
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# stage NAME EXEC FILE...: one prove run (EXEC runs each file; empty: the
# files run themselves, two at a time). Its output is kept so that the end
# of the run, which is all a CI log may show, names what failed and why.
stage() {
  local name=$1 exec=$2
  shift 2
  local args=(--failures)
  if [ -n "$exec" ]; then args+=(--exec "$exec"); else args+=(-j2); fi
  if ! prove "${args[@]}" "$@" 2>&1 | tee "$logs/$name"; then
    failed+=("$name")
    execs+=("$exec")
    status=1
  fi
}

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
stage unit 'timeout 120' "$B"/tests/unit/*

echo "== guest tests, natively (static glibc, static musl, static-pie glibc)"
stage native 'timeout 120' $all_guests

echo "== guest tests inside husk"
stage husk "timeout 120 $HUSK run --" $husk_guests

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
  stage dynamic "$B/in-dyn-image" $dyn_guests
else
  echo "check: cannot build the image of dynamic guest tests" >&2
  failed+=("dynamic-image")
  execs+=("")
  status=1
fi

if [ -x "$B/asan/husk" ]; then
  echo "== guest tests inside husk built with AddressSanitizer and UBSan"
  stage asan "timeout 120 $B/asan/husk run --" $husk_guests
fi

echo "== host-side tests"
stage host "" tests/host/*.t

if [ $status -ne 0 ]; then
  echo "== check FAILED in: ${failed[*]}"
  # What prove said of each failing test, again, at the end.
  for i in "${!failed[@]}"; do
    name=${failed[$i]}
    [ -f "$logs/$name" ] || continue
    sed -n '/^Test Summary Report/,$p' "$logs/$name" | sed "s|^|[$name] |"
    # Each failing file once more, verbose: its failed checks and what they
    # printed (a flaky test shows here whether it failed twice).
    for f in $(sed -n 's/^\([^ ].*\) (Wstat:.*/\1/p' "$logs/$name"); do
      echo "[$name] again: $f"
      if [ -n "${execs[$i]}" ]; then
        timeout 300 ${execs[$i]} "$f" 2>&1
      else
        timeout 300 "$f" 2>&1
      fi | grep -E '^not ok|^# ' | grep -v '# SKIP' | head -30 | sed "s|^|[$name]   |"
    done
  done
fi
exit $status
