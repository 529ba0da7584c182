#!/usr/bin/env bash
# busybox_image.t: busybox applets on an ext4 image, each compared with
# the same command run natively on a copy of the same tree, in the same
# order (the ones that change the tree too). Outputs that hold times or
# block counts are compared in a form without them.
. "$(dirname "$0")/lib.sh"
B=${B:-build}
HUSK=${HUSK:-$B/husk}
[ -x "$HUSK" ] || skip_all "no $HUSK (run make)"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (apt-get install busybox-static)"
[ -n "$TAP_TMP" ] || tap_tmpdir

tree=$TAP_TMP/tree native=$TAP_TMP/native img=$TAP_TMP/bb.img
mkdir -p "$tree/work/a/b" "$tree/work/c" "$tree/bin" "$tree/tmp" "$tree/proc" "$tree/dev"
cp /bin/busybox "$tree/bin/"
printf 'pear\napple\nfig\nbanana\n' >"$tree/work/fruit"
seq 1 2000 >"$tree/work/a/numbers"
head -c 100000 /dev/urandom >"$tree/work/a/b/blob"
printf 'deep\n' >"$tree/work/a/b/deep.txt"
ln -s a/numbers "$tree/work/link"
chmod 640 "$tree/work/fruit"
mkdir -p "$native" && cp -a "$tree/work" "$native/"
"$HUSK" image build "$tree" -o "$img" >/dev/null 2>&1 || bail_out "image build failed"

# one command both ways; post: a filter for the output (default: as is)
both() {
  local name=$1 post=${2:-cat}
  shift 2
  local want got
  want=$(cd "$native" && /bin/busybox "$@" 2>&1 | eval "$post")
  got=$("$HUSK" run --rootfs "$img" --cwd / /bin/busybox "$@" 2>&1 | eval "$post")
  is "$got" "$want" "$name: same as native"
}
names='sed "s/.* //"'            # last field: the name
statf='cut -d" " -f1,2,3,4'      # stat -c output without times

both "cat" cat cat work/fruit
both "sort" cat sort work/fruit
both "sort -n -r | head" "head -3" sort -n -r work/a/numbers
both "wc" cat wc work/fruit work/a/numbers
both "head" cat head -n 3 work/a/numbers
both "tail" cat tail -n 2 work/a/numbers
both "sha256sum" cat sha256sum work/a/b/blob work/fruit
both "ls -la names" "$names" ls -la work
both "ls -R" cat ls -R work
both "find" sort find work
both "find -type f -name" sort find work -type f -name "*.txt"
both "stat" cat stat -c "%n %s %a %F" work/fruit work/a work/link
both "readlink" cat readlink work/link
both "mkdir -p" cat mkdir -p work/x/y/z
both "touch" cat touch work/x/new
both "ln -s" cat ln -s ../fruit work/x/lnk
both "cat through a new link" cat cat work/x/lnk
both "chmod" cat chmod 600 work/x/new
both "stat after chmod" cat stat -c "%n %a" work/x/new
both "cp -r" cat cp -r work/a work/a2
both "sha256sum of the copy" cat sha256sum work/a2/b/blob work/a2/numbers
both "mv" cat mv work/a2 work/moved
both "find after mv" sort find work/moved
both "tar cf" cat tar cf work/t.tar work/a
both "tar tf" sort tar tf work/t.tar
both "tar xf elsewhere" cat tar xf work/t.tar -C work/c
both "sha256sum after untar" cat sha256sum work/c/work/a/b/blob
both "gzip" cat gzip work/moved/numbers
both "gunzip" cat gunzip work/moved/numbers.gz
both "sha256sum after gunzip" cat sha256sum work/moved/numbers
both "rm -r" cat rm -r work/moved work/x
both "find at the end" sort find work
both "du runs" "sed 's/^[0-9]*/N/'" du -s work
got=$("$HUSK" run --rootfs "$img" /bin/busybox df / 2>&1)
like "$got" "/$" "df shows the image as /"
e2fsck -fn "$img" >/dev/null 2>&1 || PATH=$PATH:/sbin:/usr/sbin e2fsck -fn "$img" >/dev/null 2>&1
is "$?" 0 "e2fsck -fn: the image is clean after all of it"
done_testing
