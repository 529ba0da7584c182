#!/usr/bin/env bash
# rootfs.t: husk run --rootfs IMAGE:ro: programs found and run from inside
# an ext4 image mounted read-only, the image left unchanged, /tmp /dev
# /proc mounted where the image has the directories, bad images refused.
# (Writing images: ext4.t.)
. "$(dirname "$0")/lib.sh"
B=${B:-build}
HUSK=${HUSK:-$B/husk}
[ -x "$HUSK" ] || skip_all "no $HUSK (run make)"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (apt-get install busybox-static)"
command -v e2fsck >/dev/null || PATH=$PATH:/sbin:/usr/sbin
plan 21
[ -n "$TAP_TMP" ] || tap_tmpdir
root=$TAP_TMP/root img=$TAP_TMP/root.img
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/dev" "$root/proc" "$root/tests"
cp /bin/busybox "$root/bin/"
for a in sh ls cat echo uname sha256sum wc mkdir touch; do ln -s busybox "$root/bin/$a"; done
printf 'hello from the image\n' >"$root/etc/motd"
head -c 2000000 /dev/urandom >"$root/etc/blob"
for t in core/misc core/auxv fs/files fs/dirs fs/procfs; do
  cp "$B/tests/guest/glibc/$t" "$root/tests/${t/\//-}"
done
run_husk image build "$root" -o "$img"
is "$RC" 0 "an image of the test tree"
before=$(sha256sum <"$img")

run_husk run --rootfs "$img:ro" cat /etc/motd
is "$RC:$OUT" $'0:hello from the image\n' "cat, found by PATH inside the image, reads a file of the image"
run_husk run --rootfs "$img:ro" sha256sum /etc/blob
is "${OUT%% *}" "$(sha256sum <"$root/etc/blob" | cut -d' ' -f1)" "a 2 MB file reads back byte for byte"
run_husk run --rootfs "$img:ro" ls /
is "$OUT" $'bin\ndev\netc\nlost+found\nproc\ntests\ntmp\n' "ls / lists the image's root"
run_husk run --rootfs "$img:ro" --env PATH=/bin wc -l /etc/motd
is "$OUT" $'1 /etc/motd\n' "PATH from --env is searched"
run_husk run --rootfs "$img:ro" /bin/ls -l /bin/cat
like "$OUT" "cat -> busybox" "symlinks read back"
run_husk run --rootfs "$img:ro" /bin/ls /proc/self/fd /dev/null /tmp
is "$RC" 0 "/proc, /dev and /tmp are mounted on the image's directories"
run_husk run --rootfs "$img:ro" /bin/mkdir /newdir
ok $([ "$RC" != 0 ] && grep -q "Read-only" <<<"$ERR" && echo 0 || echo 1) "IMAGE:ro is read-only: mkdir fails with EROFS"
run_husk run --rootfs "$img:ro" /bin/touch /tmp/x
is "$RC" 0 "the tmpfs on /tmp is writable"
for t in core-misc core-auxv fs-files fs-dirs fs-procfs; do
  run_husk run --rootfs "$img:ro" "/tests/$t"
  ok $([ "$RC" = 0 ] && echo 0 || echo 1) "guest test $t passes from the image"
done
is "$(sha256sum <"$img")" "$before" "the image is unchanged after all the runs"
e2fsck -fn "$img" >/dev/null 2>&1
is "$?" 0 "e2fsck -fn finds it clean"

run_husk run --rootfs "$img:ro" nosuchprogram
is "$RC" 127 "a program not in the image: 127"
run_husk run --rootfs "$TAP_TMP/missing.img" /bin/ls
is "$RC" 125 "a missing image: 125"
head -c 1048576 /dev/zero >"$TAP_TMP/zero.img"
run_husk run --rootfs "$TAP_TMP/zero.img" /bin/ls
is "$RC" 125 "a file that is not ext4: 125"
one_husk_line "$ERR" "a file that is not ext4: one husk: line"
head -c 65536 "$img" >"$TAP_TMP/trunc.img"
run_husk run --rootfs "$TAP_TMP/trunc.img" /bin/ls
ok $([ "$RC" -ge 1 ] && [ "$RC" -lt 128 ] && echo 0 || echo 1) "a truncated image: an error, not a crash (status $RC)"
