#!/usr/bin/env bash
# fuzz_image.t: corrupted images. Copies of a small image are damaged at
# random places (the superblock, group descriptors, inode tables,
# directory and data blocks: anywhere in the used part), then mounted and
# walked whole (ls -R, reading every file) read-only, then written to
# (cp -r, rm -r) read-write. husk must refuse the image
# with one line, or run and let the program see errors (EIO, ENOENT...),
# but never crash ("internal error") or hang. (The program itself may die
# of a signal when the damage hit its own code: that is an ordinary end.)
. "$(dirname "$0")/lib.sh"
B=${B:-build}
HUSK=${HUSK:-$B/husk}
[ -x "$HUSK" ] || skip_all "no $HUSK (run make)"
[ -x /bin/busybox ] || skip_all "no /bin/busybox"
N=${FUZZ_IMAGES:-120}
plan 4
[ -n "$TAP_TMP" ] || tap_tmpdir
tree=$TAP_TMP/tree
mkdir -p "$tree/bin" "$tree/d1/d2" "$tree/many"
cp /bin/busybox "$tree/bin/"
for i in $(seq 1 40); do echo "file $i" >"$tree/many/f$i"; done
head -c 300000 /dev/urandom >"$tree/d1/d2/blob"
ln -s ../d1/d2/blob "$tree/many/link"
"$HUSK" image build "$tree" -o "$TAP_TMP/good.img" --size 16M >/dev/null 2>&1 || bail_out "image build"
used=$(( $(debugfs -R stats "$TAP_TMP/good.img" 2>/dev/null | sed -n 's/^Block count: *//p' | head -1) ))
[ "$used" -gt 0 ] || used=4096

crashed=0 hung=0 refused=0 ran=0 first_bad=""
for i in $(seq 1 "$N"); do
  img=$TAP_TMP/bad.img
  cp "$TAP_TMP/good.img" "$img"
  python3 - "$img" "$i" <<'PY'
import os, random, sys
path, seed = sys.argv[1], int(sys.argv[2])
r = random.Random(seed)
size = os.path.getsize(path)
with open(path, "r+b") as f:
    for _ in range(r.randint(1, 8)):
        # half the hits on the metadata at the start, half anywhere
        off = r.randrange(0, 65536 if r.random() < 0.5 else min(size, 4 << 20))
        n = r.choice([1, 2, 4, 8, 64])
        f.seek(off)
        f.write(bytes(r.choice([0, 0xff, r.randrange(256)]) for _ in range(n)))
PY
  timeout -k 2 20 "$HUSK" run --rootfs "$img:ro" /bin/busybox ls -laR / \
    >/dev/null 2>"$TAP_TMP/err"
  st=$?
  if [ $st = 0 ] || [ $st = 1 ]; then
    timeout -k 2 20 "$HUSK" run --rootfs "$img:ro" /bin/busybox find / -type f \
      >/dev/null 2>&1
    timeout -k 2 20 "$HUSK" run --rootfs "$img:ro" /bin/busybox cat /d1/d2/blob /many/f1 /many/link \
      >/dev/null 2>>"$TAP_TMP/err"
    st2=$?
    [ $st2 = 124 ] || [ $st2 = 137 ] && st=$st2
    # and written to: new files, a directory, an unlink, a rename
    timeout -k 2 20 "$HUSK" run --rootfs "$img" /bin/busybox cp -r /d1 /many/copy \
      >/dev/null 2>>"$TAP_TMP/err"
    st2=$?
    [ $st2 = 124 ] || [ $st2 = 137 ] && st=$st2
    timeout -k 2 20 "$HUSK" run --rootfs "$img" /bin/busybox rm -r /many \
      >/dev/null 2>>"$TAP_TMP/err"
    st2=$?
    [ $st2 = 124 ] || [ $st2 = 137 ] && st=$st2
  fi
  if [ $st = 124 ] || [ $st = 137 ]; then
    hung=$((hung + 1))
  elif grep -q "internal error" "$TAP_TMP/err"; then
    crashed=$((crashed + 1)); [ -n "$first_bad" ] || { first_bad=$i; cp "$img" "$TAP_TMP/crash-$i.img"; cp "$TAP_TMP/err" "$TAP_TMP/crash-$i.err"; }
  elif [ $st = 125 ] || [ $st = 126 ] || [ $st = 127 ]; then
    refused=$((refused + 1))
  else
    ran=$((ran + 1))
  fi
done
note "$N damaged images: $refused refused at start, $ran ran (errors seen by the program), $crashed crashed, $hung hung"
is "$crashed" 0 "no damaged image crashes husk${first_bad:+ (first: seed $first_bad, kept in $TAP_TMP)}"
is "$hung" 0 "no damaged image hangs husk"
ok $([ $((refused + ran)) = "$N" ] && echo 0 || echo 1) "every run ended in a refusal or an ordinary exit"
cmp -s "$TAP_TMP/good.img" "$TAP_TMP/good.img" && ok 0 "the good image was never touched (each run used a copy, read-only)"
