#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/host/args.t: argv and envp reach the program byte for byte; the
# program's exit status and death by signal come back as a shell reports them.
. "$(dirname "$0")/lib.sh"
need_husk
tap_tmpdir

# argdump: argv[0] on the first line, then argc-1, then every argv[i] and
# envp[i] as "<len>:<bytes>\n", so spaces, empty strings and newlines show.
build_static argdump <<'EOF' || bail_out "cannot build a static test program"
#include <stdio.h>
#include <string.h>
extern char **environ;
static void dump(const char *tag, const char *s)
{
	printf("%s %zu:", tag, strlen(s));
	fwrite(s, 1, strlen(s), stdout);
	putchar('\n');
}
int main(int argc, char **argv)
{
	int n = 0;
	printf("%s\n%d\n", argv[0], argc - 1);
	for (int i = 1; i < argc; i++)
		dump("arg", argv[i]);
	if (argv[argc] != NULL)
		printf("argv[argc] is not NULL\n");
	for (char **e = environ; *e; e++, n++)
		dump("env", *e);
	printf("envc %d\n", n);
	return 0;
}
EOF
A=$TAP_TMP/argdump

# same_args DESC ARGS...: husk run argdump ARGS == env -i argdump ARGS,
# apart from argv[0] (checked on its own below).
same_args() {
	local desc=$1 native
	shift
	run_cmd env -i "$A" "$@"
	native=${OUT#*$'\n'}
	run_husk run "$A" "$@"
	is "$RC" 0 "$desc: exit 0" &&
		is "${OUT#*$'\n'}" "$native" "$desc: argv identical to native"
	[ "$RC" -eq 0 ] || skip "$desc: argv identical to native" "did not run"
}

run_husk run "$A"
is "$RC" 0 "argdump runs"
is "${OUT%%$'\n'*}" "$A" "argv[0] is PROGRAM as given"
like "$OUT" $'\n0\n' "no arguments: argc is 1"
like "$OUT" $'\nenvc 0\n$' "no --env: the environment is empty"
unlike "$OUT" "argv\[argc\] is not NULL" "argv[argc] is NULL"

same_args "spaces" "a b" " lead" "trail " "  " "tab	in" "x"
same_args "empty strings" "" "" "x" "" ""
same_args "only one empty string" ""
same_args "unicode" "héllo" "日本語" "emoji 🎉" "ü=ö" $'\u00e9\u0301'
same_args "raw high bytes" $'\xff\xfe' $'\x80' $'a\x01b\x7fc'
same_args "newlines and quotes" $'line1\nline2' '"dq"' "'sq'" 'back\slash' \
	'%s%n%x' '$HOME' '*' '-' '--' '--env' 'A=B'
args100=()
for i in $(seq 1 100); do args100+=("arg-$i"); done
same_args "100 args" "${args100[@]}"
args1000=()
for i in $(seq 1 1000); do args1000+=("argument-number-$i-$(printf '%080d' "$i")"); done
same_args "1000 args of ~100 bytes" "${args1000[@]}"
big=$(head -c 102400 /dev/zero | tr '\0' 'x')
same_args "a 100 KiB argument" "$big"
same_args "a 100 KiB argument between others" a "$big" b "$big" c

# envp: --env values reach the program intact and alone, in order.
run_cmd env -i 'A=1' 'B=x y' 'C=a=b' 'E=' 'U=ünï' $'N=l1\nl2' "BIG=$big" "$A"
native=${OUT#*$'\n'}
run_husk run --env 'A=1' --env 'B=x y' --env 'C=a=b' --env 'E=' \
	--env 'U=ünï' --env $'N=l1\nl2' --env "BIG=$big" "$A"
is "$RC" 0 "env: exit 0"
is "${OUT#*$'\n'}" "$native" "env: envp identical to native (env -i)"
like "$OUT" $'\nenvc 7\n$' "env: exactly 7 variables"

# The guest 'args' binaries check argc and the env count themselves.
for libc in glibc musl glibc-pie; do
	G=$GUEST_DIR/$libc/core/args
	if [ ! -x "$G" ]; then
		skip "guest $libc/core/args" "$G not built"
		continue
	fi
	run_cmd env -i HUSK_EXPECT_ARGC=4 HUSK_EXPECT_ENV_COUNT=3 K=V "$G" "a b" "" ü
	nrc=$RC nout=${OUT//"$G"/PROG}
	run_husk run --env HUSK_EXPECT_ARGC=4 --env HUSK_EXPECT_ENV_COUNT=3 \
		--env K=V "$G" "a b" "" ü
	is "$RC:${OUT//"$G"/PROG}" "$nrc:$nout" "guest $libc/core/args: same status and output as native"
done

# --- exit status ------------------------------------------------------------
build_static exitn <<'EOF' || bail_out "cannot build exitn"
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	(void)argc;
	write(1, "x\n", 2);
	exit(atoi(argv[1]));
}
EOF
for n in 0 1 2 3 42 99 124 125 126 127 128 200 255 256 257; do
	run_husk run "$TAP_TMP/exitn" "$n"
	is "$RC:$OUT" "$((n & 255)):x"$'\n' "exit($n) gives status $((n & 255))"
done

build_static ret42 <<'EOF' || bail_out "cannot build ret42"
#include <stdio.h>
int main(void)
{
	printf("buffered output\n");   /* flushed by exit() after main returns */
	return 42;
}
EOF
run_husk run "$TAP_TMP/ret42"
is "$RC" 42 "main returns 42: status 42"
is "$OUT" $'buffered output\n' "main returns 42: stdio buffer flushed"
is "$ERR" "" "main returns 42: nothing on stderr"

run_husk run /bin/busybox false
is "$RC" 1 "busybox false: status 1"

# --- death by signal: 128+N and one shell-like line ----------------------------
# sig_case NAME STATUS MESSAGE-ERE < SOURCE
sig_case() {
	local name=$1 status=$2 msg=$3
	if ! build_static "$name"; then
		skip "$name: status $status" "gcc failed"
		return
	fi
	run_cmd "$TAP_TMP/$name"
	is "$RC" "$status" "$name natively: status $status (sanity)"
	run_husk run "$TAP_TMP/$name"
	is "$RC" "$status" "$name: status $status"
	is "$OUT" $'before\n' "$name: output before the signal is kept"
	one_husk_line "$ERR" "$name: one 'husk: ' line on stderr"
	like "$ERR" "$msg" "$name: the message says '$msg'"
	like "$ERR" "$name" "$name: the message names the program"
}

sig_case null_deref 139 "Segmentation fault" <<'EOF'
#include <stdio.h>
int main(void)
{
	printf("before\n");
	fflush(stdout);
	*(volatile int *)0 = 1;
	return 0;
}
EOF

sig_case raise_segv 139 "Segmentation fault" <<'EOF'
#include <signal.h>
#include <stdio.h>
int main(void)
{
	printf("before\n");
	fflush(stdout);
	raise(SIGSEGV);
	return 0;
}
EOF

sig_case abort 134 "Abort" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
int main(void)
{
	printf("before\n");
	fflush(stdout);
	abort();
}
EOF

sig_case div_zero 136 "Floating point exception" <<'EOF'
#include <stdio.h>
int main(void)
{
	volatile int zero = 0, num = 100;
	printf("before\n");
	fflush(stdout);
	return num / zero;
}
EOF

sig_case ud2 132 "Illegal instruction" <<'EOF'
#include <stdio.h>
int main(void)
{
	printf("before\n");
	fflush(stdout);
	__asm__ volatile("ud2");
	return 0;
}
EOF

sig_case kill_self 137 "Killed" <<'EOF'
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
int main(void)
{
	printf("before\n");
	fflush(stdout);
	kill(getpid(), SIGKILL);
	return 0;
}
EOF

sig_case term_self 143 "Terminated" <<'EOF'
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
int main(void)
{
	printf("before\n");
	fflush(stdout);
	kill(getpid(), SIGTERM);
	pause();
	return 0;
}
EOF

sig_case stack_overflow 139 "Segmentation fault" <<'EOF'
#include <stdio.h>
static int deep(volatile char *p)
{
	volatile char buf[4096];
	buf[0] = *p;
	return deep(buf) + buf[1];
}
int main(void)
{
	char c = 0;
	printf("before\n");
	fflush(stdout);
	return deep(&c);
}
EOF

done_testing
