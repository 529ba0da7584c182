#!/usr/bin/env bash
# memlimit.t: --mem bounds the program's memory: asking for more is ENOMEM
# to the program (malloc returns NULL), never a host OOM kill, and what
# fits can be used.
. "$(dirname "$0")/lib.sh"
B=${B:-build}
HUSK=${HUSK:-$B/husk}
[ -x "$HUSK" ] || skip_all "no $HUSK (run make)"
plan 4
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/eat.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
/* eat MIB: map MIB MiB, touch every page; then mmap one more block of the
   same size and report whether that was ENOMEM. */
int main(int argc, char **argv)
{
    size_t n = strtoul(argv[1], 0, 10) << 20;
    char *p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { printf("first: %s\n", strerror(errno)); return 1; }
    for (size_t i = 0; i < n; i += 4096) p[i] = 1;
    void *q = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("second: %s\n", q == MAP_FAILED ? strerror(errno) : "mapped");
    printf("malloc: %s\n", malloc(n) ? "ok" : "NULL");
    return 0;
}
C
gcc -static -O1 -o "$tmp/eat" "$tmp/eat.c" || bail_out "cannot build the test program"
run_husk run --mem 64M "$tmp/eat" 40
is "$RC" 0 "40 MiB touched inside --mem 64M"
like "$OUT" "second: Cannot allocate memory" "a second 40 MiB mapping is ENOMEM"
like "$OUT" "malloc: NULL" "malloc beyond --mem returns NULL"
run_husk run --mem 64M "$tmp/eat" 100
like "$OUT" "first: Cannot allocate memory" "100 MiB under --mem 64M is ENOMEM at once"
