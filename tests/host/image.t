#!/usr/bin/env bash
# image.t: husk image build makes an ext4 image of a directory that
# e2fsck finds clean and that holds the tree: contents, modes, owners,
# symlinks, hard links, a sparse file; bad input gives one line and 125.
. "$(dirname "$0")/lib.sh"
B=${B:-build}
HUSK=${HUSK:-$B/husk}
[ -x "$HUSK" ] || skip_all "no $HUSK (run make)"
command -v debugfs >/dev/null || PATH=$PATH:/sbin:/usr/sbin
command -v debugfs >/dev/null || skip_all "no debugfs (apt-get install e2fsprogs)"
plan 17
[ -n "$TAP_TMP" ] || tap_tmpdir
src=$TAP_TMP/src img=$TAP_TMP/img
mkdir -p "$src/etc" "$src/usr/bin" "$src/empty"
printf 'hello\n' >"$src/etc/greeting"
chmod 640 "$src/etc/greeting"
ln -s ../etc/greeting "$src/usr/bin/link"
ln "$src/etc/greeting" "$src/etc/hardlink"
truncate -s 100M "$src/sparse" && printf 'end' >>"$src/sparse"
head -c 300000 /dev/urandom >"$src/usr/bin/blob"
chown 1234:5678 "$src/usr/bin/blob" 2>/dev/null || true

run_husk image build "$src" -o "$img"
is "$RC" 0 "image build exits 0"
fsck=$(e2fsck -fn "$img" 2>&1); st=$?
is "$st" 0 "e2fsck -fn finds the image clean"
dbg() { debugfs -R "$1" "$img" 2>/dev/null; }
is "$(dbg 'cat /etc/greeting')" "hello" "file contents are in the image"
like "$(dbg 'stat /etc/greeting')" "Mode:  0640" "modes are kept"
is "$(dbg 'cat /usr/bin/blob' | sha256sum)" "$(sha256sum <"$src/usr/bin/blob")" "a 300 KB file is byte for byte the same"
like "$(dbg 'stat /usr/bin/link')" "Type: symlink" "symlinks are kept"
like "$(dbg 'stat /usr/bin/link')" 'Fast link dest: "../etc/greeting"' "with their targets"
like "$(dbg 'stat /etc/hardlink')" "Links: 2" "hard links are kept"
if [ "$(id -u)" = 0 ]; then
  like "$(dbg 'stat /usr/bin/blob')" "User:  1234   Group:  5678" "owners are kept"
else
  skip "owners are kept" "not root: chown not possible"
fi
is "$(dbg 'stat /sparse' | sed -n 's/.*Size: \([0-9]*\).*/\1/p' | head -1)" "104857603" "a sparse file keeps its size"
size=$(stat -c %s "$img")
ok $([ "$size" -lt $((150 << 20)) ] && echo 0 || echo 1) "the sparse hole is not stored: image $((size >> 20)) MiB"

run_husk image build "$src/nonexistent" -o "$TAP_TMP/x.img"
is "$RC" 125 "a missing DIR exits 125"
one_husk_line "$ERR" "a missing DIR: one husk: line"
run_husk image build "$src/etc/greeting" -o "$TAP_TMP/x.img"
is "$RC" 125 "a DIR that is a file exits 125"
mkdir -p "$TAP_TMP/dense" && head -c 10000000 /dev/urandom >"$TAP_TMP/dense/big"
run_husk image build "$TAP_TMP/dense" -o "$TAP_TMP/small.img" --size 4M
is "$RC" 125 "a --size too small for the tree exits 125"
like "$ERR" "does not fit" "and says the tree does not fit"
ok $([ ! -e "$TAP_TMP/small.img" ] && echo 0 || echo 1) "no half-made image is left behind"
