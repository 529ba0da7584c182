#!/usr/bin/env bash
# dynamic.t: Debian's own dynamic programs run unmodified from an image made
# of the host's files (scripts/rootfs-from-host.sh): coreutils, sqlite3 and
# python3, each compared with the same command run natively. A dynamic
# program without an image, and an image without its loader, give one clear
# line.
. "$(dirname "$0")/lib.sh"
need_husk
command -v e2fsck >/dev/null || PATH=$PATH:/sbin:/usr/sbin
PY=/usr/bin/python3
PYLIB=$($PY -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])' 2>/dev/null)
[ -x $PY ] && [ -d "$PYLIB" ] || skip_all "no Debian python3 (apt-get install python3)"
[ -x /usr/bin/sqlite3 ] || skip_all "no sqlite3 (apt-get install sqlite3)"
plan 18
tap_tmpdir
TAP_TIMEOUT=60

root=$TAP_TMP/root img=$TAP_TMP/root.img
"$TESTS_HOST_DIR/../../scripts/rootfs-from-host.sh" "$root" ls cat sort sha256sum \
  env sqlite3 $PY "$PYLIB" >/dev/null
ok $? "a root filesystem from the host's own programs and libraries"
run_husk image build "$root" -o "$img"
is "$RC" 0 "its image"

# coreutils, linked against glibc, against the same files natively
run_husk run --rootfs "$img:ro" sha256sum /usr/bin/ls /usr/bin/cat
is "$OUT" "$(sha256sum /usr/bin/ls /usr/bin/cat)"$'\n' "dynamic sha256sum matches native"
run_husk run --rootfs "$img:ro" ls -l --time-style=+%s "$PYLIB/json"
is "$OUT" "$(ls -l --time-style=+%s "$PYLIB/json")"$'\n' "dynamic ls -l matches native"
timeout 20 "$HUSK" run --rootfs "$img:ro" sort -r "$PYLIB/json/__init__.py" >"$TAP_TMP/sort.husk" 2>/dev/null
sort -r "$PYLIB/json/__init__.py" >"$TAP_TMP/sort.native"
cmp -s "$TAP_TMP/sort.husk" "$TAP_TMP/sort.native"
ok $? "dynamic sort matches native"
got=$(timeout 20 "$HUSK" run --rootfs "$img:ro" cat /usr/bin/ls 2>/dev/null | sha256sum)
is "$got" "$(sha256sum </usr/bin/ls)" "dynamic cat copies a binary file whole"

# python3, the distribution's binary with its standard library
run_husk run --rootfs "$img:ro" $PY -c "print('hello')"
is "$RC:$OUT" $'0:hello\n' "python3 -c \"print('hello')\""
mkdir -p "$root/work"
cat >"$root/work/script.py" <<'PY'
import json, re, math, hashlib, struct, collections, bisect, heapq, base64
d = {"pi": round(math.pi, 10), "words": re.findall(r"\w+", "a bc def"),
     "sha": hashlib.sha256(b"husk").hexdigest(), "packed": list(struct.pack("<IH", 7, 9)),
     "count": collections.Counter("mississippi").most_common(2),
     "pos": bisect.bisect([1, 3, 5, 7], 4), "small": heapq.nsmallest(3, [9, 2, 7, 1, 5]),
     "b64": base64.b64encode(b"unikernel").decode()}
print(json.dumps(d, sort_keys=True))
import os, sys
print(os.getcwd(), sys.argv[1:], sorted(os.listdir(os.path.dirname(json.__file__))))
PY
{
  echo "create table t(a integer, b text);"
  echo "begin;"
  for i in $(seq 1 10000); do echo "insert into t values($i, 'row$i');"; done
  echo "commit;"
  echo "select count(*), sum(a), max(b), min(b) from t;"
} >"$root/work/ins.sql"
printf '#!/usr/bin/env python3\nimport sys, os\nprint("script", sys.argv[1:], os.environ.get("FOO"))\n' \
  >"$root/work/hello.py"
chmod 755 "$root/work/hello.py"
run_husk image build "$root" -o "$img"
run_husk run --rootfs "$img:ro" $PY /work/script.py a b
is "$OUT" "$(cd / && $PY "$root/work/script.py" a b)"$'\n' \
  "a python3 script (json, re, math, hashlib, struct, collections) matches native"
is "$RC" 0 "it exits 0"

# #! and execve: a script through /usr/bin/env, env running a program
run_husk run --rootfs "$img:ro" --env FOO=1 /work/hello.py x y
is "$RC:$OUT" $'0:script [\'x\', \'y\'] 1\n' "a #!/usr/bin/env python3 script runs (env execve's python3)"
run_husk run --rootfs "$img:ro" env FOO=bar /work/hello.py z
is "$OUT" $'script [\'z\'] bar\n' "env FOO=bar SCRIPT: execve of a script from a dynamic program"
run_husk run --rootfs "$img:ro" env /no/such
is "$RC" 127 "env of a missing program: 127, as natively"

# sqlite3: 10,000 inserts in one transaction on the ext4 rootfs, then a query
run_husk run --rootfs "$img" sqlite3 /work/t.db ".read /work/ins.sql"
want=$(sqlite3 "$TAP_TMP/native.db" ".read $root/work/ins.sql")
is "$RC:$OUT" "0:$want"$'\n' "sqlite3: 10,000 inserts and a query, as natively"
run_husk run --rootfs "$img:ro" sqlite3 /work/t.db "select count(*) from t where b like 'row99%';"
is "$OUT" "$(sqlite3 "$TAP_TMP/native.db" "select count(*) from t where b like 'row99%';")"$'\n' \
  "the database was written to the image and reads back"
e2fsck -fn "$img" >/dev/null 2>&1
is "$?" 0 "e2fsck -fn finds the image clean"

# the errors
run_husk run /usr/bin/ls /
ok $([ "$RC" = 126 ] && grep -q "dynamic program" <<<"$ERR" && echo 0 || echo 1) \
  "a dynamic program without --rootfs: 126, saying why"
rm -f "$root/usr/lib64/ld-linux-x86-64.so.2" "$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
run_husk image build "$root" -o "$TAP_TMP/noloader.img"
run_husk run --rootfs "$TAP_TMP/noloader.img:ro" ls /
is "$RC" 127 "an image without the program's loader: 127"
one_husk_line "$ERR" "one husk: line naming the loader"
