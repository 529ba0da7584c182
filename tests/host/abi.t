#!/usr/bin/env bash
# abi.t: husk speaks the x86_64 system-call ABI only. An i386 call made with
# int $0x80 from a 64-bit program (other numbers, other registers) must get
# ENOSYS and one warning, not be run as the x86_64 call of the same number.
. "$(dirname "$0")/lib.sh"
B=${B:-build}
HUSK=${HUSK:-$B/husk}
[ -x "$HUSK" ] || skip_all "no $HUSK (run make)"
plan 3
build_static int80 <<'C' || bail_out "cannot build the test program"
#include <stdio.h>
int main(void)
{
    long r;
    /* i386 getpid is 20; x86_64 20 is writev */
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
    printf("int80: %ld\n", r);
    return 0;
}
C
run_husk run "$TAP_TMP/int80"
is "$OUT" $'int80: -38\n' "int \$0x80 gets ENOSYS"
is "$RC" 0 "the program goes on"
like "$ERR" "32-bit system call \(int \\\$0x80\) is not supported" "one warning names it"
