#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# demo.sh: a few unmodified programs run inside husk.
set -euo pipefail
cd "$(dirname "$0")/.."
HUSK=${HUSK:-build/husk}

show() {
  printf '\n$ husk %s\n' "$*"
  "$HUSK" "$@"
}

show run /bin/busybox echo "hello from inside husk"
show run --hostname demo /bin/busybox uname -a
show run --env GREETING=hi --env WHO=husk /bin/busybox env
show run --trace /bin/busybox true
set +e
"$HUSK" run /bin/busybox false
printf '\n$ husk run /bin/busybox false; echo $?\n%s\n' "$?"
