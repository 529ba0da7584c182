#!/usr/bin/env bash
# disks.t: --disk IMAGE:/mnt[:ro], several images at once: each mounted
# where asked, written (also the second and third writable images, whose
# seccomp pins are later alternatives of one rule) and left e2fsck-clean,
# :ro ones refusing writes and unchanged, bad specs refused; an image
# truncated on the host while mounted stops husk with one clear line.
. "$(dirname "$0")/lib.sh"
B=${B:-build}
HUSK=${HUSK:-$B/husk}
[ -x "$HUSK" ] || skip_all "no $HUSK (run make)"
command -v e2fsck >/dev/null || PATH=$PATH:/sbin:/usr/sbin
plan 15
[ -n "$TAP_TMP" ] || tap_tmpdir
mkdir -p "$TAP_TMP/src"
echo "from the source" >"$TAP_TMP/src/in"
for n in 1 2 3; do
  "$HUSK" image build "$TAP_TMP/src" -o "$TAP_TMP/d$n.img" >/dev/null 2>&1 || bail_out "image build"
done
sha3=$(sha256sum <"$TAP_TMP/d3.img")
run_husk run --disk "$TAP_TMP/d1.img:/mnt/one" --disk "$TAP_TMP/d2.img:/mnt/two" \
  --disk "$TAP_TMP/d3.img:/srv/three:ro" /bin/busybox cat /mnt/one/in /mnt/two/in /srv/three/in
is "$RC" 0 "three disks at once"
is "$OUT" $'from the source\nfrom the source\nfrom the source\n' "each mounted where asked"
for n in one two; do
  run_husk run --disk "$TAP_TMP/d1.img:/mnt/one" --disk "$TAP_TMP/d2.img:/mnt/two" \
    /bin/busybox cp /mnt/one/in "/mnt/$n/written-$n"
  is "$RC" 0 "writing to disk $n (seccomp's alternative $([ $n = one ] && echo 1 || echo 2) for pwrite64)"
done
run_husk run --disk "$TAP_TMP/d3.img:/srv/three:ro" /bin/busybox touch /srv/three/x
ok $([ "$RC" != 0 ] && grep -q "Read-only" <<<"$ERR" && echo 0 || echo 1) ":ro refuses writes"
is "$(sha256sum <"$TAP_TMP/d3.img")" "$sha3" "and leaves its image unchanged"
is "$(debugfs -R 'cat /written-two' "$TAP_TMP/d2.img" 2>/dev/null)" "from the source" "the second disk holds what was written"
for n in 1 2; do
  e2fsck -fn "$TAP_TMP/d$n.img" >/dev/null 2>&1
  is "$?" 0 "e2fsck -fn: disk $n clean"
done
run_husk run --disk "$TAP_TMP/d1.img" /bin/busybox true
is "$RC" 125 "a --disk without a mount point: 125"
run_husk run --disk "$TAP_TMP/d1.img:relative" /bin/busybox true
is "$RC" 125 "a relative mount point: 125"
run_husk run --disk "$TAP_TMP/none.img:/mnt" /bin/busybox true
is "$RC" 125 "a missing image: 125"
run_husk run --disk "$TAP_TMP/d1.img:/a" --disk "$TAP_TMP/d1.img:/b" /bin/busybox true
is "$RC" 125 "the same image twice read-write: refused"

# Reads come from a mapping of the image: if another program truncates it
# underneath, husk must say so and stop, not crash or read garbage.
mkdir -p "$TAP_TMP/bigsrc"
head -c 4194304 /dev/urandom >"$TAP_TMP/bigsrc/big"
"$HUSK" image build "$TAP_TMP/bigsrc" -o "$TAP_TMP/big.img" >/dev/null 2>&1 || bail_out "image build"
# (one process reading the file many times over: md5sum of it 2000 times)
timeout -k 5 60 "$HUSK" run --disk "$TAP_TMP/big.img:/mnt:ro" /bin/busybox md5sum \
  $(for i in $(seq 2000); do echo /mnt/big; done) >"$TAP_TMP/trunc.out" 2>"$TAP_TMP/trunc.err" &
pid=$!
for i in $(seq 200); do # until it has read the file a few times over
  [ -s "$TAP_TMP/trunc.out" ] && break
  sleep 0.1
done
truncate -s 1M "$TAP_TMP/big.img"
wait $pid
is "$?" 125 "an image truncated on the host while mounted: 125"
err=$(cat "$TAP_TMP/trunc.err")
ok $([[ $err == "husk: "*shrank* && $err != *$'\n'?* ]] && echo 0 || echo 1) "and one husk: line saying the image shrank"
