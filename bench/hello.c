/* SPDX-License-Identifier: MIT */
/* hello.c: the smallest useful static program, for start-to-exit time and
   peak RSS: write "hello\n" to stdout and exit 0. */
#include <unistd.h>

int main(void) { return write(1, "hello\n", 6) == 6 ? 0 : 1; }
