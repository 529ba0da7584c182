#!/usr/bin/env bash
# python.t: Debian's python3, unmodified, inside husk from an image of the
# host's own files: a script using threading, queue and signal.alarm against
# the same script run natively, and CPython's own test suite for the
# modules the threads issue names (python3 -m test), ignoring only the cases
# listed in data/python_skips.txt, each with its reason (processes, sockets,
# pseudo-terminals).
. "$(dirname "$0")/lib.sh"
need_husk
command -v e2fsck >/dev/null || PATH=$PATH:/sbin:/usr/sbin
PY=/usr/bin/python3
[ -x $PY ] || skip_all "no Debian python3 (apt-get install python3)"
PYLIB=$($PY -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
[ -d "$PYLIB/test/libregrtest" ] && [ -e "$PYLIB/test/test_json/__init__.py" ] ||
  skip_all "no CPython test suite (apt-get install libpython3.11-testsuite)"
plan 8
tap_tmpdir
TAP_TIMEOUT=600

root=$TAP_TMP/root img=$TAP_TMP/py.img
"$TESTS_HOST_DIR/../../scripts/rootfs-from-host.sh" "$root" $PY "$PYLIB" >/dev/null
ok $? "a root filesystem of python3 and its standard library, tests included"
cp "$TESTS_HOST_DIR/data/python_skips.txt" "$root/python_skips.txt"
mkdir -p "$root/work"
cat >"$root/work/threads.py" <<'PY'
import queue, signal, threading, time

q = queue.Queue()
def work(n):
    q.put((n, sum(i * i for i in range(n))))
threads = [threading.Thread(target=work, args=(20000 * (i + 1),)) for i in range(6)]
for t in threads: t.start()
for t in threads: t.join()
print(sorted(q.get() for _ in range(6)))

lock, cond, items = threading.Lock(), threading.Condition(), []
def producer():
    for i in range(100):
        with cond:
            items.append(i)
            cond.notify()
def consumer(out):
    got = 0
    while got < 50:
        with cond:
            while not items:
                cond.wait()
            items.pop()
            got += 1
    out.append(got)
out = []
cs = [threading.Thread(target=consumer, args=(out,)) for _ in range(2)]
for c in cs: c.start()
producer()
for c in cs: c.join()
print("consumed", sorted(out))

fired = []
signal.signal(signal.SIGALRM, lambda s, f: fired.append(s))
signal.alarm(1)
t0 = time.monotonic()
while not fired and time.monotonic() - t0 < 5:
    time.sleep(0.05)
print("alarm", fired, time.monotonic() - t0 < 3)
ev = threading.Event()
threading.Timer(0.1, ev.set).start()
print("timer", ev.wait(5))
PY
run_husk image build "$root" -o "$img"
is "$RC" 0 "its image"

run_husk run --rootfs "$img:ro" $PY /work/threads.py
want=$(cd / && $PY "$root/work/threads.py")$'\n'
is "$OUT" "$want" "threading, queue, Condition, signal.alarm, Timer: as natively"
is "$RC" 0 "the script exits 0"

# socket.if_nameindex is glibc's if_nameindex: a netlink dump inside husk
run_husk run --rootfs "$img:ro" $PY -c 'import socket; print(socket.if_nameindex())'
is "$OUT" "[(1, 'lo')]"$'\n' "socket.if_nameindex() lists lo, over netlink"

# CPython's tests; --fail-env-changed: a test that leaves threads or files
# behind fails too
tests="test_json test_re test_math test_bisect test_heapq test_struct
  test_binascii test_base64 test_collections test_threading test_os test_io
  test_signal"
# shellcheck disable=SC2086
run_husk run --rootfs "$img" --cwd /tmp $PY -m test --fail-env-changed \
  --ignorefile /python_skips.txt $tests
is "$RC" 0 "python3 -m test (13 modules) passes inside husk"
like "$OUT" "Tests result: SUCCESS" "regrtest says SUCCESS"
[ "$RC" = 0 ] || diag "$(grep -E '^(FAIL|ERROR):|failed' <<<"$OUT" | head -20)"
skips=$(grep -vc '^#\|^$' "$TESTS_HOST_DIR/data/python_skips.txt")
note "$skips test cases ignored, listed in tests/host/data/python_skips.txt"
e2fsck -fn "$img" >/dev/null 2>&1
is "$?" 0 "the image is clean after the suite wrote its temporary files"
