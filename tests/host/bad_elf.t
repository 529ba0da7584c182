#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/host/bad_elf.t: programs husk must refuse (made at test time by
# make_bad_elves.sh): the right status (127 missing, 126 cannot execute, 125
# for memory husk cannot give), exactly one "husk: " line on stderr, and never
# a crash or a hang of husk itself.
. "$(dirname "$0")/lib.sh"
need_husk
command -v gcc >/dev/null || skip_all "gcc missing"
command -v python3 >/dev/null || skip_all "python3 missing"
tap_tmpdir
D=$TAP_TMP/elves
"$TESTS_HOST_DIR/make_bad_elves.sh" "$D" >"$TAP_TMP/make.log" 2>&1 ||
	bail_out "make_bad_elves.sh failed: $(tail -5 "$TAP_TMP/make.log")"

# status_ok EXPECT: $RC matches "N", "N|M" or "nonzero" (< 128 for all).
status_ok() {
	[ -z "$TIMED_OUT" ] || return 1
	case $1 in
	nonzero) [ "$RC" -ne 0 ] && [ "$RC" -lt 128 ] ;;
	*) [[ "|$1|" == *"|$RC|"* ]] ;;
	esac
}

while IFS=$'\t' read -r name expect ere desc; do
	f=$D/$name
	if [ "$name" = script_sh ] && ! is_dynamic "$(readlink -f /bin/sh)"; then
		skip "$desc" "/bin/sh is static here, the script could run"
		skip "$desc: one husk line" "/bin/sh is static here"
		skip "$desc: not crashed" "/bin/sh is static here"
		continue
	fi
	run_husk run "$f"
	if [ "$name" = ok ]; then
		is "$RC:$OUT:$ERR" $'0:hi\n:' "control: $desc (exit 0, prints hi)"
		continue
	fi
	status_ok "$expect"
	ok $? "$name: $desc -> status $expect"
	[ $? -eq 0 ] || _diag_last_run
	one_husk_line "$ERR" "$name: exactly one 'husk: ' line on stderr"
	if [ "$ere" != - ]; then
		like "$ERR" "$ere" "$name: the message says /$ere/"
	fi
	not_crashed "$name: husk did not crash or hang (status < 128)"
	is "$OUT" "" "$name: nothing on stdout (the program did not run)"
done <"$D/MANIFEST"

# The same files with --mem: the memory check must not hide the ELF checks.
for c in "memsz_1t 125|126" "elf32 126" "trunc_700 126" "dynamic_pie 126"; do
	set -- $c
	run_husk run --mem 64M "$D/$1"
	status_ok "$2"
	ok $? "--mem 64M $1: status $2"
	[ $? -eq 0 ] || _diag_last_run
	one_husk_line "$ERR" "--mem 64M $1: one 'husk: ' line"
done

# Refusing must be quick: no case may take long (a hang is caught by the
# timeout, a slow scan of a huge p_memsz by this).
run_husk run "$D/memsz_1t"
cmp_ok "$MS" -lt 5000 "memsz_1t is refused in under 5 s"

done_testing
