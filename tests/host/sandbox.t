#!/usr/bin/env bash
# sandbox.t: the lock-down as the host sees it, from outside the sandbox
# (/proc/PID of the sandbox process), and the debug switches.
. "$(dirname "$0")/lib.sh"
B=${B:-build}
HUSK=${HUSK:-$B/husk}
[ -x "$HUSK" ] || skip_all "no $HUSK (run make)"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (apt-get install busybox-static)"
plan 13

# The sandbox is the supervisor's child; wait until it is running busybox.
sandbox_status() {
  "$HUSK" run "$@" /bin/busybox sleep 3 2>"$tmp/err" & local sup=$!
  local child="" i
  for i in $(seq 100); do
    child=$(pgrep -P $sup | head -1)
    [ -n "$child" ] && grep -q '^Seccomp_filters' /proc/$child/status 2>/dev/null &&
      [ "$(cat /proc/$child/comm 2>/dev/null)" = husk ] && sleep 0.2 && break
    sleep 0.05
  done
  STATUS=$(cat /proc/$child/status 2>/dev/null)
  FDS=$(ls /proc/$child/fd 2>/dev/null | sort -n | tr '\n' ' ')
  LIMITS=$(cat /proc/$child/limits 2>/dev/null)
  kill $sup $child 2>/dev/null; wait $sup 2>/dev/null
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

sandbox_status
like "$STATUS" $'Seccomp:\t2' "the sandbox runs under a seccomp filter"
like "$STATUS" $'NoNewPrivs:\t1' "no_new_privs is set"
like "$STATUS" $'CapEff:\t0000000000000000' "no effective capabilities"
like "$STATUS" $'CapPrm:\t0000000000000000' "no permitted capabilities"
like "$STATUS" $'CapBnd:\t0000000000000000' "an empty bounding set"
is "$FDS" "0 1 2 " "only the console fds are open"
like "$LIMITS" 'Max core file size +0 +0' "no core dumps (RLIMIT_CORE 0)"
like "$LIMITS" 'Max open files +3 +3' "no new host fds (RLIMIT_NOFILE 3)"

sandbox_status --seccomp=off
like "$STATUS" $'Seccomp:\t0' "--seccomp=off installs no filter"
like "$(cat "$tmp/err")" "WARNING.*NOT sandboxed" "--seccomp=off warns loudly"

# A forbidden call through the stub: killed, and named by the supervisor.
run_husk run --expose-hostcall "$B/tests/escape/glibc/escape" stub open-shadow
is "$RC" 159 "a forbidden host call kills the sandbox (128+SIGSYS)"
like "$ERR" "stopped by the sandbox: host system call openat \(257\) is not allowed" \
  "the supervisor names the forbidden call in one line"
# --seccomp=log lets it through to the host, where RLIMIT_NOFILE still stops it
run_husk run --seccomp=log --expose-hostcall "$B/tests/escape/glibc/escape" stub open-shadow
like "$OUT" "blocked open-shadow \(stub\): errno 24" "--seccomp=log: the call is let through, EMFILE from the host rlimit"
