#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/host/fuzz_elf.t: mutated ELF files (elf_mutate.c) must never make the
# husk process itself die by a signal, and few may hang.
#
# FUZZ_N (default 3000), FUZZ_SEED (default: the clock), FUZZ_JOBS (2),
# FUZZ_RUN_TIMEOUT (seconds per run, 2), FUZZ_BASE (the binary to mutate;
# default the guest glibc/core/misc, else a static hello built here). A failure keeps the temp dir with
# the crash-SEED-ITER files; replay one with
#     elf_mutate -s SEED -i ITER HUSK BASE   (writes the same file again)
. "$(dirname "$0")/lib.sh"
need_husk
command -v gcc >/dev/null || skip_all "gcc missing"
tap_tmpdir

N=${FUZZ_N:-3000}
SEED=${FUZZ_SEED:-$(date +%s)}
JOBS=${FUZZ_JOBS:-2}
RUN_TIMEOUT=${FUZZ_RUN_TIMEOUT:-2}
plan 5

gcc -std=gnu11 -O2 -Wall -Wextra -o "$TAP_TMP/elf_mutate" \
	"$TESTS_HOST_DIR/elf_mutate.c" 2>"$TAP_TMP/gcc.log"
ok $? "elf_mutate builds" || bail_out "$(cat "$TAP_TMP/gcc.log")"

BASE=${FUZZ_BASE:-$GUEST_DIR/glibc/core/misc}
case $BASE in /*) ;; *) BASE=$PWD/$BASE ;; esac
if [ ! -x "$BASE" ]; then
	build_static hello <<<'#include <stdio.h>
int main(void) { puts("hi"); return 0; }' || bail_out "cannot build hello"
	BASE=$TAP_TMP/hello
fi
note "base $BASE, seed $SEED, $N runs, $JOBS jobs, ${RUN_TIMEOUT}s per run"

run_husk run "$BASE"
is "$RC" 0 "the unmutated base runs under husk"

# Mutants run in (and may scribble in) the work dir, never the source tree.
mkdir "$TAP_TMP/work"
cd "$TAP_TMP/work" || bail_out "cd $TAP_TMP/work"
TAP_TIMEOUT=${FUZZ_TIMEOUT:-600} run_cmd "$TAP_TMP/elf_mutate" -n "$N" \
	-s "$SEED" -j "$JOBS" -t "$RUN_TIMEOUT" -o "$TAP_TMP/work" "$HUSK" "$BASE"
note "$(grep -E '^(summary|statuses)' <<<"$OUT")"
note "took ${MS} ms"
summary=$(grep '^summary ' <<<"$OUT")
if [ -z "$summary" ] || [ -n "$TIMED_OUT" ]; then
	ok 1 "elf_mutate finished"
	_diag_last_run
	skip "husk never died by a signal" "no summary"
	skip "timeouts <= 5%" "no summary"
	done_testing
fi
ok 0 "elf_mutate finished ($summary)"

field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$summary"; }
runs=$(field runs) crashes=$(field crashes) timeouts=$(field timeouts)

is "$crashes" 0 "husk never died by a signal (seed $SEED)"
if [ "$crashes" != 0 ]; then
	diag "$(grep '^crash ' <<<"$OUT" | head -20)"
	diag "files kept in $TAP_TMP/work; seed $SEED; replay:"
	diag "  $TAP_TMP/elf_mutate -s $SEED -i ITER -o DIR $HUSK $BASE"
	# Show what husk says on the first few kept files.
	for f in $(ls "$TAP_TMP/work"/crash-* 2>/dev/null | head -3); do
		run_husk run "$f"
		diag "$f: status $RC, stderr: $(_show "$(head -c 400 <<<"$ERR")")"
	done
fi

cmp_ok $((timeouts * 100)) -le $((runs * 5)) \
	"timeouts $timeouts of $runs runs (at most 5%)"

done_testing
