#!/usr/bin/env bash
# ext4.t: writing ext4 images. The filesystem guest tests run with /tmp on
# the image itself (a symlink to /var/tmp), a writer's results are read
# back with debugfs, e2fsck -fn finds every image clean after a clean exit
# and after the program died of a signal, a second husk cannot open an
# image in use, and a SIGKILL from outside loses nothing that was fsynced.
. "$(dirname "$0")/lib.sh"
B=${B:-build}
HUSK=${HUSK:-$B/husk}
[ -x "$HUSK" ] || skip_all "no $HUSK (run make)"
command -v e2fsck >/dev/null || PATH=$PATH:/sbin:/usr/sbin
command -v debugfs >/dev/null || skip_all "no debugfs (apt-get install e2fsprogs)"
guests="boot files dirs fds pipes devfs procfs errno mmap"
plan $(( 2 * 9 + 2 + 15 ))
[ -n "$TAP_TMP" ] || tap_tmpdir
fsck_clean() { e2fsck -fn "$1" >"$TAP_TMP/fsck.log" 2>&1; }

# --- the fs guest tests, their files on the image ---
for libc in glibc musl; do
  root=$TAP_TMP/root-$libc img=$TAP_TMP/$libc.img
  mkdir -p "$root/var/tmp" "$root/dev" "$root/proc" "$root/tests"
  chmod 1777 "$root/var/tmp"
  ln -s var/tmp "$root/tmp"
  for t in $guests; do cp "$B/tests/guest/$libc/fs/$t" "$root/tests/"; done
  "$HUSK" image build "$root" -o "$img" --size 256M >/dev/null 2>&1 || bail_out "image build failed"
  for t in $guests; do
    TAP_TIMEOUT=120 run_husk run --rootfs "$img" "/tests/$t"
    ok $([ "$RC" = 0 ] && echo 0 || echo 1) "$libc $t passes with its files on the ext4 image"
  done
  fsck_clean "$img"
  ok $? "$libc: e2fsck -fn finds the image clean after all of them"
done

# --- a writer, checked from outside ---
build_static writer <<'C' || bail_out "cannot build the writer"
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    mkdir("/data", 0755);
    mkdir("/data/sub", 0700);
    int fd = open("/data/sub/f.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, "written inside husk\n", 20);
    close(fd);
    fd = open("/data/big", O_CREAT | O_WRONLY, 0600);
    static char b[65536];
    for (unsigned i = 0; i < sizeof b; i++) b[i] = (char)(i * 7);
    for (int k = 0; k < 40; k++) write(fd, b, sizeof b);
    close(fd);
    symlink("sub/f.txt", "/data/link");
    link("/data/sub/f.txt", "/data/hard");
    fd = open("/data/gone", O_CREAT | O_WRONLY, 0600);
    write(fd, "x", 1);
    unlink("/data/gone");             /* open while unlinked */
    rename("/data/hard", "/data/renamed");
    chmod("/data/renamed", 0600);
    chown("/data/renamed", 1234, 5678);
    if (argc > 1) raise(SIGSEGV);      /* die with the file still open */
    return 0;
}
C
w=$TAP_TMP/w
mkdir -p "$w/bin" && cp "$TAP_TMP/writer" "$w/bin/"
"$HUSK" image build "$w" -o "$TAP_TMP/w.img" >/dev/null 2>&1
run_husk run --rootfs "$TAP_TMP/w.img" /bin/writer
is "$RC" 0 "the writer runs"
fsck_clean "$TAP_TMP/w.img"; ok $? "e2fsck -fn: clean after a clean exit"
dbg() { debugfs -R "$1" "$TAP_TMP/w.img" 2>/dev/null; }
is "$(dbg 'cat /data/sub/f.txt')" "written inside husk" "a written file reads back"
want=$(python3 -c "import hashlib,sys; sys.stdout.write(hashlib.md5(bytes((i*7)&255 for i in range(65536))*40).hexdigest())")
is "$(dbg 'cat /data/big' | md5sum | cut -d' ' -f1)" "$want" "2.6 MB written in 64 KiB writes reads back"
like "$(dbg 'stat /data/link')" 'Fast link dest: "sub/f.txt"' "a symlink"
like "$(dbg 'stat /data/renamed')" "Links: 2" "a hard link, renamed"
like "$(dbg 'stat /data/renamed')" "User:  1234   Group:  5678   Project:     0   Size: 20" "chown reached the disk"
like "$(dbg 'stat /data/renamed')" "Mode:  0600" "chmod reached the disk"
ok $(dbg 'ls /data' | grep -q gone && echo 1 || echo 0) "the unlinked-while-open file is gone"

"$HUSK" image build "$w" -o "$TAP_TMP/w2.img" >/dev/null 2>&1
run_husk run --rootfs "$TAP_TMP/w2.img" /bin/writer crash
is "$RC" 139 "a writer that dies of SIGSEGV"
fsck_clean "$TAP_TMP/w2.img"; ok $? "e2fsck -fn: clean after the program's fatal signal too"

# --- one husk per image, or several read-only ---
"$HUSK" run --rootfs "$TAP_TMP/w.img" /bin/writer sleep-not-used >/dev/null 2>&1 &
run_husk run --rootfs "$TAP_TMP/w.img" /bin/writer
wait
ok $([ "$RC" = 125 ] || [ "$RC" = 0 ] && echo 0 || echo 1) "a second read-write husk on one image: refused or after the first (status $RC)"
sha=$(sha256sum <"$TAP_TMP/w.img")
run_husk run --rootfs "$TAP_TMP/w.img:ro" /bin/writer
is "$(sha256sum <"$TAP_TMP/w.img")" "$sha" ":ro leaves the image unchanged (the writer's calls fail EROFS)"

# --- SIGKILL from outside: what was fsynced survives ---
build_static syncer <<'C' || bail_out "cannot build the syncer"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void)
{
    char name[64], body[64];
    for (int i = 0;; i++) {
        snprintf(name, sizeof name, "/f%04d", i);
        int n = snprintf(body, sizeof body, "file %d\n", i);
        int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0644);
        if (fd < 0 || write(fd, body, n) != n || fsync(fd) != 0)
            return 1;
        close(fd);
        printf("synced %d\n", i);
        fflush(stdout);
    }
}
C
k=$TAP_TMP/k
mkdir -p "$k/bin" && cp "$TAP_TMP/syncer" "$k/bin/"
"$HUSK" image build "$k" -o "$TAP_TMP/k.img" --size 64M >/dev/null 2>&1
("$HUSK" run --rootfs "$TAP_TMP/k.img" /bin/syncer >"$TAP_TMP/synced" 2>/dev/null & pid=$!
 sleep 0.$(( RANDOM % 5 + 3 )); pkill -KILL -P $pid; kill -KILL $pid; wait $pid) 2>/dev/null
last=$(tail -1 "$TAP_TMP/synced" | cut -d' ' -f2)
ok $([ -n "$last" ] && echo 0 || echo 1) "the syncer got to file ${last:-none} before SIGKILL"
fsck_clean "$TAP_TMP/k.img"; st=$?
diag "e2fsck -fn after SIGKILL: status $st: $(grep -vE '^(Pass|e2fsck)' "$TAP_TMP/fsck.log" | head -3 | tr '\n' ' ')"
cp "$TAP_TMP/k.img" "$TAP_TMP/k2.img"
e2fsck -fy "$TAP_TMP/k2.img" >/dev/null 2>&1
lost=0
for i in $(seq 0 "${last:-0}"); do
  [ "$(debugfs -R "cat /f$(printf %04d "$i")" "$TAP_TMP/k2.img" 2>/dev/null)" = "file $i" ] || lost=$((lost + 1))
done
is "$lost" 0 "every file fsynced before the SIGKILL survives e2fsck's repair"
