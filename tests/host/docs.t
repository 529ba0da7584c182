#!/usr/bin/env bash
# docs.t: docs/syscalls.md is what syscalls.def says (make docs).
. "$(dirname "$0")/lib.sh"
plan 1
B=${B:-build}
if make -s "$B/gen_syscalls_md" >/dev/null 2>&1 && "$B/gen_syscalls_md" | diff -q - docs/syscalls.md >/dev/null; then
  ok 0 "docs/syscalls.md matches kernel/syscall/syscalls.def"
else
  ok 1 "docs/syscalls.md matches kernel/syscall/syscalls.def (run make docs)"
fi
