#!/usr/bin/env bash
# policy.t: the seccomp allowlist (host/policy.c, printed by `husk policy`),
# the hypercall list in host/host.h and the host syscalls host/host.c really
# makes must name the same host system calls; fewer than 25 of them.
. "$(dirname "$0")/lib.sh"
B=${B:-build}
HUSK=${HUSK:-$B/husk}
[ -x "$HUSK" ] || skip_all "no $HUSK (run make)"
plan 9

run_husk policy --rootfs any.img
is "$RC" 0 "husk policy exits 0"
policy=$(grep -E '^[a-z_0-9]+ +(arg[0-9]|any arguments)' <<<"$OUT" | cut -d' ' -f1 | sort -u)
n=$(wc -l <<<"$policy")
ok $([ "$n" -gt 0 ] && [ "$n" -lt 25 ] && echo 0 || echo 1) "the policy allows $n host system calls (fewer than 25)"

# host.h: X(group, name, "host syscalls", "pins"); the stub's own
# rt_sigreturn (host_sigreturn) is the one call outside that list.
declared=$( (sed -n 's/^ *X([a-z]*, *[a-z_]*, *"\([a-z_0-9 ]*\)".*/\1/p' host/host.h | tr ' ' '\n';
             echo rt_sigreturn) | grep . | sort -u)
# (the stub's calls are numbers, each named in a comment)
used=$(grep -ohE '__NR_[a-z_0-9]+' host/host.c host/hostcall_x86_64.S | sed 's/__NR_//' | sort -u)
is "$policy" "$declared" "the allowlist (with a disk) is exactly the host syscalls host.h declares"
is "$policy" "$used" "the allowlist (with a disk) is exactly the host syscalls host.c makes"

run_husk policy --mem 64M
like "$OUT" "64 MiB" "husk policy takes run options (--mem)"
run_husk policy
unlike "$OUT" "pread64" "without a disk, no disk reads are allowed"
run_husk policy --rootfs any.img
like "$OUT" "pread64 +arg0 in \{3\}" "with --rootfs, pread64 pinned to the image's fd"
run_husk policy --seccomp=off
like "$OUT" "none" "husk policy --seccomp=off says there is no filter"
run_husk policy --no-such-option
is "$RC" 125 "husk policy with a bad option exits 125"
