#!/usr/bin/env bash
# escape.t: the escape suite. Each attempt (tests/escape/escape.c) is made
# three ways: through libc, through a raw `syscall` instruction, and through
# husk's own hypercall stub, which bypasses Syscall User Dispatch and meets
# only the seccomp filter. Every attempt must fail inside the sandbox (an
# errno, or the sandbox killed by seccomp), and the host must be unchanged,
# checked from outside: no marker file, the target process still alive.
. "$(dirname "$0")/lib.sh"
B=${B:-build}
HUSK=${HUSK:-$B/husk}
[ -x "$HUSK" ] || skip_all "no $HUSK (run make)"

attempts=(open-shadow open-proc1-environ open-dotdot open-proc-root
  create-marker symlink-root execve ptrace process-vm-readv host-tcp connect
  kill-pid tgkill-pid seccomp-loosen prctl-dumpable mmap-page0
  mprotect-husk-text mmap-exec-outside io-uring userfaultfd unshare setns
  mount fork)
libcs=(glibc musl)
modes=(libc raw stub)
plan $(( ${#attempts[@]} * ${#modes[@]} * ${#libcs[@]} + 5 ))

tmp=$(mktemp -d)
marker=$tmp/marker
sleep 300 & victim=$!
# a TCP server on the host's loopback that no sandbox may reach: it notes
# every connection it accepts
python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept(); open(sys.argv[1], "a").write("accepted\n"); c.close()
' "$tmp/accepted" >"$tmp/port" & listener=$!
trap 'kill $victim $listener 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port")

# mount is a feature inside the sandbox (its own tmpfs on its own /tmp):
# through libc or a raw syscall it may succeed there, as long as the host's
# mount table is unchanged. Through the stub it would be a host mount.
contained=" mount "
host_mounts=$(cat /proc/self/mounts)

ran=0 escaped=0
for libc in "${libcs[@]}"; do
  prog=$B/tests/escape/$libc/escape
  for a in "${attempts[@]}"; do
    for m in "${modes[@]}"; do
      ran=$((ran + 1))
      run_husk run --expose-hostcall --env "ESCAPE_PORT=$port" "$prog" "$m" "$a" \
        "$victim" "$marker"
      if [ "$m" != stub ] && [[ $contained == *" $a "* ]] && [ "$RC" = 99 ]; then
        if [ "$(cat /proc/self/mounts)" = "$host_mounts" ]; then
          ok 0 "$libc $m $a: done inside the sandbox only (host mounts unchanged)"
        else
          escaped=$((escaped + 1))
          ok 1 "$libc $m $a: the host's mount table changed"
        fi
      elif [ "$RC" = 99 ] || grep -q ESCAPED <<<"$OUT"; then
        escaped=$((escaped + 1))
        ok 1 "$libc $m $a: ESCAPED: $OUT"
      elif [ "$RC" = 0 ] && grep -q "^blocked $a" <<<"$OUT"; then
        msg=${OUT#*: }; ok 0 "$libc $m $a: failed inside the sandbox (${msg%$'\n'})"
      elif [ "$RC" = 159 ] && grep -q "stopped by the sandbox" <<<"$ERR"; then
        ok 0 "$libc $m $a: killed by the seccomp filter"
      else
        ok 1 "$libc $m $a: unexpected end: status $RC, stdout '$OUT', stderr '$ERR'"
      fi
    done
  done
done

ok $([ ! -e "$marker" ] && echo 0 || echo 1) "the host has no marker file (no create, symlink or execve got out)"
ok $([ "$(cat /proc/self/mounts)" = "$host_mounts" ] && echo 0 || echo 1) "the host's mount table is unchanged"
ok $(kill -0 $victim 2>/dev/null && echo 0 || echo 1) "the target host process is still alive (no kill, tgkill or ptrace got out)"
ok $([ -n "$port" ] && [ ! -e "$tmp/accepted" ] && echo 0 || echo 1) "no connection reached the host's TCP server (port ${port:-none})"
ok $([ $escaped = 0 ] && echo 0 || echo 1) "$ran attempts ran, none got through"
note "$ran escape attempts ran; $escaped got through"
