#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/host/busybox.t: Debian's busybox-static, unmodified, under husk;
# output compared with the same busybox run natively.
. "$(dirname "$0")/lib.sh"
need_husk
BB=/bin/busybox
[ -x "$BB" ] || skip_all "$BB missing (apt-get install -y busybox-static)"
is_dynamic "$BB" && skip_all "$BB is dynamically linked (need busybox-static)"

# --- echo ----------------------------------------------------------------------
run_cmd env -i "$BB" echo hello world
native=$OUT
run_husk run "$BB" echo hello world
is "$RC" 0 "busybox echo exits 0"
is "$OUT" "hello world"$'\n' "busybox echo prints 'hello world'"
is "$OUT" "$native" "busybox echo: same output as native"
is "$ERR" "" "busybox echo: nothing on stderr (no ENOSYS warnings)"

# --- uname ---------------------------------------------------------------------
run_husk run "$BB" uname -a
is "$RC" 0 "busybox uname -a exits 0"
like "$OUT" "^Linux husk " "uname -a begins with 'Linux husk '"
like "$OUT" " x86_64" "uname -a reports x86_64"

run_husk run --hostname box "$BB" uname -a
is "$RC" 0 "--hostname box: busybox uname -a exits 0"
like "$OUT" "^Linux box " "--hostname box: uname -a begins with 'Linux box '"

run_husk run "$BB" uname -n
is "$RC:$OUT" $'0:husk\n' "uname -n is 'husk' by default"

run_husk run "$BB" hostname
is "$RC:$OUT" $'0:husk\n' "busybox hostname prints 'husk'"

# --- exit statuses ---------------------------------------------------------------
run_husk run "$BB" true
is "$RC" 0 "busybox true exits 0"
is "$OUT$ERR" "" "busybox true prints nothing"

run_husk run "$BB" false
is "$RC" 1 "busybox false exits 1"
is "$OUT$ERR" "" "busybox false prints nothing"

# --- sleep -----------------------------------------------------------------------
run_husk run "$BB" sleep 0.1
is "$RC" 0 "busybox sleep 0.1 exits 0"
cmp_ok "$MS" -ge 100 "busybox sleep 0.1 takes at least 100 ms"
cmp_ok "$MS" -lt 5000 "busybox sleep 0.1 takes less than 5 s"

# --- environment -------------------------------------------------------------------
# Debian's busybox-static has no printenv applet; "env" with no arguments
# prints the environment the same way.
run_cmd env -i A=1 B=two "$BB" env
native=$OUT
run_husk run --env A=1 --env B=two "$BB" env
is "$RC" 0 "busybox env with --env A=1 --env B=two exits 0"
is "$OUT" $'A=1\nB=two\n' "busybox env prints exactly A=1, B=two"
is "$OUT" "$native" "busybox env: same output as native (env -i A=1 B=two)"

run_cmd env -i "$BB" env
native_rc=$RC
run_husk run "$BB" env
is "$OUT" "" "busybox env without --env: the environment is empty"
is "$RC" "$native_rc" "busybox env without --env: same status as native ($native_rc)"

run_husk run --env 'A=x y=z' --env 'E=' --env 'U=ünï' "$BB" env
is "$RC:$OUT" $'0:A=x y=z\nE=\nU=ünï\n' \
	"--env values with spaces, '=', empty and UTF-8 arrive intact"

export HOME=${HOME:-/root} HUSK_TEST_MARK="mark $$"
run_cmd "$BB" env
native=$OUT
run_husk run --env-host "$BB" env
is "$RC" 0 "--env-host: busybox env exits 0"
like "$OUT" "(^|"$'\n'")HOME=$HOME"$'\n' "--env-host passes the host's HOME"
like "$OUT" "(^|"$'\n'")HUSK_TEST_MARK=$HUSK_TEST_MARK"$'\n' \
	"--env-host passes a host variable"
is "$(sort <<<"$OUT")" "$(sort <<<"$native")" \
	"--env-host: the whole environment is the host's (sorted)"

# --- cwd ---------------------------------------------------------------------------
run_husk run --cwd / "$BB" pwd
is "$RC:$OUT" $'0:/\n' "--cwd /: pwd prints /"
run_husk run --cwd /tmp "$BB" pwd
is "$RC:$OUT" $'0:/tmp\n' "--cwd /tmp: pwd prints /tmp"

# --- a few more applets, compared with native ------------------------------------------
same_as_native() {
	run_cmd env -i "$BB" "$@"
	local native="$RC:$OUT"
	run_husk run "$BB" "$@"
	is "$RC:$OUT" "$native" "busybox $*: same as native"
}
same_as_native seq 1 5
same_as_native printf '%s|%d|%x\n' abc 42 255
same_as_native basename /a/b/c.txt .txt
same_as_native expr 6 '*' 7
same_as_native echo -n no-newline

# Filters reading stdin (the console passed through), compared with native.
[ -n "$TAP_TMP" ] || tap_tmpdir
head -c 3000000 /dev/urandom >"$TAP_TMP/big"
for c in "wc -c" "tr a-z A-Z" "sort -r" "md5sum" "rev" "od -c"; do
  a=$(printf 'hello\nworld\n' | timeout 20 "$HUSK" run /bin/busybox $c 2>&1)
  b=$(printf 'hello\nworld\n' | /bin/busybox $c 2>&1)
  is "$a" "$b" "stdin | busybox $c: same as native"
done
a=$(timeout 20 "$HUSK" run /bin/busybox sha256sum <"$TAP_TMP/big" 2>&1)
b=$(/bin/busybox sha256sum <"$TAP_TMP/big")
is "$a" "$b" "sha256sum of 3 MB on stdin: same as native"

# A write into a closed pipe: the program dies of SIGPIPE, as natively
# (husk ignores SIGPIPE on the host and raises it by the program's own
# disposition), with no message, as a shell prints none for SIGPIPE.
[ -n "$TAP_TMP" ] || tap_tmpdir
TAP_TMP_ERR=$TAP_TMP/yes.err
out=$(set -o pipefail; timeout 20 "$HUSK" run /bin/busybox yes 2>"$TAP_TMP_ERR" | head -2; echo "status=$?")
is "$out" $'y\ny\nstatus=141' "yes | head -2: killed by SIGPIPE (141) as natively"
is "$(cat "$TAP_TMP_ERR")" "" "no message for SIGPIPE"

done_testing
