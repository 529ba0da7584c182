# SPDX-License-Identifier: MIT
# tests/host/lib.sh: TAP helpers for the host tests (bash), sourced by *.t.
#
# A test script does:
#     . "$(dirname "$0")/lib.sh"
#     need_husk                    # "1..0 # SKIP ..." when build/husk is missing
#     plan 3                       # or done_testing at the end
#     run_husk run /bin/busybox true
#     is "$RC" 0 "busybox true exits 0"
#     done_testing
#
# Results of the last run_husk / run_cmd: $OUT and $ERR (exact bytes, trailing
# newlines kept), $RC (exit status; 124 = timed out, see $TIMED_OUT), $MS
# (wall time in milliseconds). Every run is under timeout(1): $TAP_TIMEOUT
# seconds (default 20), then SIGKILL 5 s later.
#
# ok takes a shell status: `ok $? desc` passes when the status is 0.

TAP_N=0          # tests run so far
TAP_FAILED=0     # tests that failed
TAP_PLANNED=""   # the plan, once printed
TAP_TIMEOUT=${TAP_TIMEOUT:-20}
TAP_TMP=""

# Resolve relative paths now: tests may cd into a temp dir later.
HUSK=${HUSK:-build/husk}
case $HUSK in /*) ;; *) HUSK=$PWD/$HUSK ;; esac
GUEST_DIR=${GUEST_DIR:-build/tests/guest}
case $GUEST_DIR in /*) ;; *) GUEST_DIR=$PWD/$GUEST_DIR ;; esac
TESTS_HOST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LC_ALL=C

plan() { TAP_PLANNED=$1; echo "1..$1"; }

skip_all() { echo "1..0 # SKIP $*"; exit 0; }

# bail_out REASON: stop the whole run (prove reports it).
bail_out() { echo "Bail out! $*"; exit 255; }

# diag goes to stderr (shown by prove), note to stdout (shown with -v).
diag() { local l; while IFS= read -r l; do echo "# $l" >&2; done <<<"$*"; }
note() { local l; while IFS= read -r l; do echo "# $l"; done <<<"$*"; }

# ok STATUS DESC: pass when STATUS is 0.
ok() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ] 2>/dev/null; then
		echo "ok $TAP_N - $2"
		return 0
	fi
	echo "not ok $TAP_N - $2"
	TAP_FAILED=$((TAP_FAILED + 1))
	return 1
}

# skip DESC REASON: a test that could not run.
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # skip $2"; }

# todo_ok STATUS DESC REASON: a known gap; never fails the run.
todo_ok() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ] 2>/dev/null; then
		echo "ok $TAP_N - $2 # TODO $3"
	else
		echo "not ok $TAP_N - $2 # TODO $3"
	fi
}

# Show a value on one diag line, with non-printing bytes escaped.
_show() { printf '%q' "$1" | head -c 600; }

# is GOT EXPECTED DESC: exact string comparison.
is() {
	if [ "$1" == "$2" ]; then ok 0 "$3"; return 0; fi
	ok 1 "$3"
	diag "     got: $(_show "$1")
expected: $(_show "$2")"
	_diag_last_run
	return 1
}

isnt() {
	if [ "$1" != "$2" ]; then ok 0 "$3"; return 0; fi
	ok 1 "$3"
	diag "     got: $(_show "$1")
expected anything else"
	_diag_last_run
	return 1
}

# like GOT ERE DESC / unlike GOT ERE DESC: bash extended regex match.
like() {
	if [[ $1 =~ $2 ]]; then ok 0 "$3"; return 0; fi
	ok 1 "$3"
	diag "     got: $(_show "$1")
   match: $(_show "$2")"
	_diag_last_run
	return 1
}

unlike() {
	if ! [[ $1 =~ $2 ]]; then ok 0 "$3"; return 0; fi
	ok 1 "$3"
	diag "     got: $(_show "$1")
must not match: $(_show "$2")"
	_diag_last_run
	return 1
}

# cmp_ok A OP B DESC: integer comparison (OP is -eq -ne -lt -le -gt -ge).
cmp_ok() {
	if [ "$1" "$2" "$3" ] 2>/dev/null; then ok 0 "$4"; return 0; fi
	ok 1 "$4"
	diag "     got: $(_show "$1") $2 $(_show "$3") is false"
	_diag_last_run
	return 1
}

# After a failure, show what the last run did.
_diag_last_run() {
	[ -n "${LAST_CMD:-}" ] || return 0
	diag "     run: $LAST_CMD
  status: $RC${TIMED_OUT:+ (timed out after ${TAP_TIMEOUT}s)} in ${MS}ms
  stdout: $(_show "$OUT")
  stderr: $(_show "$ERR")"
}

done_testing() {
	[ -n "$TAP_PLANNED" ] || echo "1..$TAP_N"
	if [ -n "$TAP_PLANNED" ] && [ "$TAP_PLANNED" != "$TAP_N" ]; then
		diag "planned $TAP_PLANNED tests but ran $TAP_N"
	fi
	[ "$TAP_FAILED" -eq 0 ] || diag "failed $TAP_FAILED of $TAP_N tests"
	exit $((TAP_FAILED > 254 ? 254 : TAP_FAILED))
}

# need_husk: skip the whole script when husk is not built.
need_husk() {
	[ -x "$HUSK" ] || skip_all "husk not built ($HUSK missing)"
}

# tap_tmpdir: make $TAP_TMP, removed at exit unless tests failed (then kept
# and named, to look at) or TAP_KEEP_TMP=1.
tap_tmpdir() {
	TAP_TMP=$(mktemp -d "${TMPDIR:-/tmp}/husk-test.XXXXXX") ||
		bail_out "mktemp failed"
	trap _tap_cleanup EXIT
}

_tap_cleanup() {
	[ -n "$TAP_TMP" ] && [ -d "$TAP_TMP" ] || return 0
	if [ "$TAP_FAILED" -ne 0 ] || [ "${TAP_KEEP_TMP:-0}" = 1 ]; then
		diag "kept temp dir $TAP_TMP"
	else
		chmod -R u+rwx "$TAP_TMP" 2>/dev/null
		rm -rf "$TAP_TMP"
	fi
}

# run_cmd CMD ARGS...: run with stdin from /dev/null under timeout; sets
# OUT, ERR, RC, MS, TIMED_OUT. Command substitution would drop trailing
# newlines, so the outputs go through files read with a sentinel.
run_cmd() {
	local o e t0 t1
	o=$(mktemp "${TMPDIR:-/tmp}/husk-out.XXXXXX")
	e=$(mktemp "${TMPDIR:-/tmp}/husk-err.XXXXXX")
	LAST_CMD=$(printf '%q ' "$@")
	t0=${EPOCHREALTIME/./}
	# The outer 2>/dev/null silences bash's own "Segmentation fault" job
	# report when the command dies by a signal.
	{ timeout -k 5 "$TAP_TIMEOUT" "$@" </dev/null >"$o" 2>"$e"; } 2>/dev/null
	RC=$?
	t1=${EPOCHREALTIME/./}
	MS=$(((t1 - t0) / 1000))
	TIMED_OUT=""
	if { [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; } &&
		[ "$MS" -ge $((TAP_TIMEOUT * 1000)) ]; then
		TIMED_OUT=1
	fi
	OUT=$(cat "$o"; echo x); OUT=${OUT%x}
	ERR=$(cat "$e"; echo x); ERR=${ERR%x}
	rm -f "$o" "$e"
	return 0
}

# run_husk ARGS...: run_cmd "$HUSK" ARGS...
run_husk() { run_cmd "$HUSK" "$@"; }

# one_husk_line TEXT DESC: TEXT is exactly one line starting with "husk: ".
one_husk_line() {
	local t=${1%$'\n'}
	if [[ -n $t && $t == "husk: "* && $t != *$'\n'* ]]; then
		ok 0 "$2"
		return 0
	fi
	ok 1 "$2"
	diag "expected exactly one stderr line starting with 'husk: '"
	_diag_last_run
	return 1
}

# not_crashed DESC: the last run ended by itself with a status < 128
# (husk was not killed by a signal and did not hang).
not_crashed() {
	if [ -z "$TIMED_OUT" ] && [ "$RC" -lt 128 ]; then
		ok 0 "$1"
		return 0
	fi
	ok 1 "$1"
	_diag_last_run
	return 1
}

# build_static NAME [CFLAGS...] < SOURCE: compile C from stdin into
# $TAP_TMP/NAME as a static binary. Fails (with a diag) when gcc cannot.
build_static() {
	local name=$1
	shift
	[ -n "$TAP_TMP" ] || tap_tmpdir
	cat >"$TAP_TMP/$name.c"
	if ! gcc -static -O1 -w -o "$TAP_TMP/$name" "$TAP_TMP/$name.c" "$@" \
		2>"$TAP_TMP/$name.log"; then
		diag "gcc -static $name failed: $(cat "$TAP_TMP/$name.log")"
		return 1
	fi
}

# is_dynamic FILE: FILE has a PT_INTERP (needs a dynamic loader).
is_dynamic() { readelf -lW "$1" 2>/dev/null | grep -q 'INTERP'; }
