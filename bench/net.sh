#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# net.sh: husk's networking beside native, in one run: nginx, redis-server
# and a TCP stream, each server natively and inside husk, each client the
# host's own tool in a network namespace (scripts/net.sh):
#   native: the server runs chrooted into the image's tree (with /dev,
#           /proc and a tmpfs /tmp, as husk gives) in namespace NS-peer,
#           reached from namespace NS, where the client runs, through a
#           veth pair (net.sh veth);
#   husk:   the server runs inside husk on a tap in namespace NS, where the
#           client runs too (net.sh up), talking to the guest's address.
# Both give the server 10.0.0.2/24 and the client 10.0.0.1/24.
#
#   HUSK=build/husk bench/net.sh
#
# Prints a table (workload, native, husk, husk/native) and writes it as
# Markdown to $BUILD_DIR/bench/net.md; logs in $BUILD_DIR/bench/logs/net-*.
# Figures, not a test: it exits 0 unless it cannot build or set up (not
# root, no namespaces); a workload that fails shows "fail" and names its
# log. Needs root, nginx, redis-server, redis-tools (redis-benchmark,
# redis-cli), wrk and curl; a missing tool skips its rows.
#
# Environment (all optional):
#   BUILD_DIR=build  HUSK=$BUILD_DIR/husk  HUSK_FLAGS=""  CC=gcc
#   BENCH_NET_SECS=5 (wrk -d)  BENCH_NET_WRK="-t2 -c32"
#   BENCH_NET_REDIS_N=100000  BENCH_NET_REDIS_C=50  BENCH_NET_TCP_MIB=1024
#   BENCH_TIMEOUT=120 (seconds a server may live)
#   BENCH_NET_CLIENT_TIMEOUT=60 (seconds for each client run)
#   BENCH_NET_NATIVE=1, BENCH_NET_HUSK=1 (0 skips that side)
set -u

cd "$(dirname "$0")/.." || exit 2
BUILD_DIR=${BUILD_DIR:-build}
HUSK=${HUSK:-$BUILD_DIR/husk}
HUSK_FLAGS=${HUSK_FLAGS:-}
CC=${CC:-gcc}
SECS=${BENCH_NET_SECS:-5}
WRK_OPTS=${BENCH_NET_WRK:--t2 -c32}
REDIS_N=${BENCH_NET_REDIS_N:-100000}
REDIS_C=${BENCH_NET_REDIS_C:-50}
TCP_MIB=${BENCH_NET_TCP_MIB:-1024}
TMO=${BENCH_TIMEOUT:-120}
CTMO=${BENCH_NET_CLIENT_TIMEOUT:-60}
OUT=$BUILD_DIR/bench
LOGS=$OUT/logs
CFLAGS="-O2 -std=gnu11 -Wall -Wextra -Wshadow -Wpointer-arith -Wcast-qual
	-Wwrite-strings -Wmissing-prototypes"
HOSTIP=10.0.0.1 GUESTIP=10.0.0.2
NS=husk-bench-$$ TAP=hbench$$

die() { echo "bench/net.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench/net.sh: needs root (network namespaces, taps); skipped" >&2; exit 0; }
command -v ip >/dev/null || PATH=$PATH:/sbin:/usr/sbin
mkdir -p "$OUT" "$LOGS" || exit 2
rm -f "$LOGS"/net-*.log

# ---- build -----------------------------------------------------------------

if ! [ -x "$OUT/tcpsink" ] || ! [ "$OUT/tcpsink" -nt bench/tcpsink.c ]; then
	echo "  CC      $OUT/tcpsink"
	# shellcheck disable=SC2086
	"$CC" $CFLAGS -static -o "$OUT/tcpsink" bench/tcpsink.c || die "cannot build tcpsink"
fi

have_husk=0
if [ "${BENCH_NET_HUSK:-1}" != 0 ] && [ -x "$HUSK" ] && [ -f "$HUSK" ]; then
	have_husk=1
	HUSK=$(cd "$(dirname "$HUSK")" && pwd)/$(basename "$HUSK")
fi
have_native=1
[ "${BENCH_NET_NATIVE:-1}" = 0 ] && have_native=0

# The server tree (nginx, redis-server, tcpsink and their configs), the
# same files natively (chroot) and in husk (its image), made afresh each run.
ROOT=$(mktemp -d /tmp/husk-bench-net.XXXXXX) || exit 2
IMG=$ROOT.img
cleanup() {
	local p
	for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill -KILL -- "-$p" 2>/dev/null; done
	scripts/net.sh down "$NS-n" >/dev/null 2>&1
	scripts/net.sh down "$NS-h" >/dev/null 2>&1
	rm -rf "$ROOT" "$IMG"
}
PIDS=()
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

progs=(/bin/busybox)
have() { command -v "$1" >/dev/null 2>&1; }
have_nginx=0 have_redis=0
have /usr/sbin/nginx && have wrk && have curl && have_nginx=1 && progs+=(/usr/sbin/nginx)
have /usr/bin/redis-server && have redis-benchmark && have redis-cli &&
	have_redis=1 && progs+=(/usr/bin/redis-server)
scripts/rootfs-from-host.sh "$ROOT" "${progs[@]}" >"$LOGS/net-rootfs.log" 2>&1 ||
	die "scripts/rootfs-from-host.sh failed: see $LOGS/net-rootfs.log"
mkdir -p "$ROOT/etc/nginx" "$ROOT/etc/redis" "$ROOT/srv"
cp "$OUT/tcpsink" "$ROOT/usr/bin/tcpsink"
cp tests/host/data/nginx.conf "$ROOT/etc/nginx/nginx.conf" # cwd: the repository
printf 'bind 0.0.0.0\nport 6379\nprotected-mode no\nsave ""\nappendonly no\ndaemonize no\ndir /tmp\n' \
	>"$ROOT/etc/redis/redis.conf"
printf 'passwd: files\ngroup: files\nhosts: files\n' >"$ROOT/etc/nsswitch.conf"
head -c 1K /dev/urandom >"$ROOT/srv/1k.bin"
head -c 1M /dev/urandom >"$ROOT/srv/1m.bin"
echo ok >"$ROOT/srv/index.html"
if [ $have_husk = 1 ]; then
	"$HUSK" image build "$ROOT" -o "$IMG" >"$LOGS/net-image.log" 2>&1 ||
		{ echo "bench/net.sh: husk image build failed (see $LOGS/net-image.log): husk rows skipped" >&2; have_husk=0; }
fi

# ---- the two topologies ----------------------------------------------------

if [ $have_native = 1 ]; then
	scripts/net.sh veth "$NS-n" "$HOSTIP/24" "$GUESTIP/24" || die "net.sh veth failed"
fi
if [ $have_husk = 1 ]; then
	scripts/net.sh up "$NS-h" "$TAP" "$HOSTIP/24" || die "net.sh up failed"
fi

# client MODE CMD...: CMD in MODE's client namespace
client() {
	local mode=$1
	shift
	if [ "$mode" = native ]; then
		ip netns exec "$NS-n" "$@"
	else
		ip netns exec "$NS-h" "$@"
	fi
}

# server MODE NAME PROGRAM ARGS...: start the server in the background, in
# a session of its own; sets SPID. Its output goes to net-NAME-MODE.log.
server() {
	local mode=$1 log=$LOGS/net-$2-$1.log
	shift 2
	if [ "$mode" = native ]; then
		setsid timeout --foreground -k 5 "$TMO" \
			ip netns exec "$NS-n-peer" /bin/sh -c 'r=$1; shift
			mount --rbind /dev "$r/dev" && mount -t proc proc "$r/proc" &&
			mount -t tmpfs tmpfs "$r/tmp" && exec env -i /usr/sbin/chroot "$r" "$@"' \
			sh "$ROOT" "$@" </dev/null >"$log" 2>&1 &
	else
		# shellcheck disable=SC2086
		setsid timeout --foreground -k 5 "$TMO" \
			ip netns exec "$NS-h" "$HUSK" run $HUSK_FLAGS \
			--net "tap:$TAP,ip=$GUESTIP/24,gw=$HOSTIP" --rootfs "$IMG:ro" -- \
			"$@" </dev/null >"$log" 2>&1 &
	fi
	SPID=$!
	PIDS+=("$SPID")
}

alive() { [ -e "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# ready PID CMD...: poll CMD until it succeeds (0), PID dies or 20 s pass.
ready() {
	local pid=$1 end=$((EPOCHSECONDS + 20))
	shift
	while [ "$EPOCHSECONDS" -lt "$end" ]; do
		"$@" >/dev/null 2>&1 && return 0
		alive "$pid" || return 1
		sleep 0.05
	done
	return 1
}

# stop PID: TERM it, wait up to 5 s, then KILL its session's group
stop() {
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 50); do alive "$1" || break; sleep 0.1; done
	kill -KILL -- "-$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# fail LOG WHY: note the failure in LOG, echo "fail"
fail() { echo "FAILED: $2" >>"$1"; echo fail; }

declare -A FIG=()

bench_nginx() { # bench_nginx MODE
	local mode=$1 log=$LOGS/net-wrk-$1.log f out rps
	server "$mode" nginx /usr/sbin/nginx -c /etc/nginx/nginx.conf
	if ! ready "$SPID" client "$mode" curl -sf --max-time 1 -o /dev/null "http://$GUESTIP/index.html"; then
		FIG[nginx1k-$mode]=$(fail "$LOGS/net-nginx-$mode.log" "nginx did not answer")
		FIG[nginx1m-$mode]=fail
		stop "$SPID"
		return
	fi
	for f in 1k 1m; do
		# shellcheck disable=SC2086
		out=$(client "$mode" timeout -k 5 "$CTMO" wrk $WRK_OPTS -d"${SECS}s" \
			"http://$GUESTIP/$f.bin" 2>&1)
		echo "$out" >>"$log"
		rps=$(sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p' <<<"$out")
		# wrk counts socket errors and non-2xx answers apart
		if [ -z "$rps" ] || grep -q 'Non-2xx' <<<"$out"; then
			FIG[nginx$f-$mode]=$(fail "$log" "wrk $f.bin")
		else
			FIG[nginx$f-$mode]=$rps
		fi
	done
	stop "$SPID"
}

bench_redis() { # bench_redis MODE
	local mode=$1 log=$LOGS/net-redis-benchmark-$1.log out t v
	server "$mode" redis /usr/bin/redis-server /etc/redis/redis.conf
	if ! ready "$SPID" client "$mode" sh -c "[ \"\$(redis-cli -h $GUESTIP ping)\" = PONG ]"; then
		FIG[set-$mode]=$(fail "$LOGS/net-redis-$mode.log" "redis-server did not answer")
		FIG[get-$mode]=fail
		stop "$SPID"
		return
	fi
	out=$(client "$mode" timeout -k 5 "$CTMO" redis-benchmark -h "$GUESTIP" -q \
		-t set,get -n "$REDIS_N" -c "$REDIS_C" 2>&1 | tr '\r' '\n')
	echo "$out" >>"$log"
	for t in SET GET; do
		v=$(sed -n "s/^$t: \\([0-9.]*\\) requests per second.*/\\1/p" <<<"$out" | tail -n 1)
		FIG[${t,,}-$mode]=${v:-$(fail "$log" "redis-benchmark $t")}
	done
	stop "$SPID"
}

# tcp_one MODE KEY NAME SERVER_ARGS CLIENT_ARGS: tcpsink SERVER_ARGS as the
# server, tcpsink CLIENT_ARGS as the client, which prints the figure.
tcp_one() {
	local mode=$1 key=$2 name=$3 log=$LOGS/net-tcp-$1.log out="" v
	# shellcheck disable=SC2086
	server "$mode" "tcpsink-$key" /usr/bin/tcpsink $4
	# the client retries its connection while the server starts; a server
	# already gone is not waited for
	sleep 0.2
	if alive "$SPID"; then
		# shellcheck disable=SC2086
		out=$(client "$mode" timeout -k 5 "$CTMO" "$OUT/tcpsink" $5 2>&1)
		echo "$out" >>"$log"
	fi
	v=$(sed -n "s/^bench=$name .* value=\([0-9.]*\) .*/\1/p" <<<"$out")
	FIG[$key-$mode]=${v:-$(fail "$log" "tcpsink $5 (server: tcpsink $4)")}
	stop "$SPID"
}

# bench_tcp MODE: $TCP_MIB MiB into the server, then out of it.
bench_tcp() {
	tcp_one "$1" tcpin tcp_send "sink 5001" "send $GUESTIP 5001 $TCP_MIB"
	tcp_one "$1" tcpout tcp_recv "source 5002 $TCP_MIB" "recv $GUESTIP 5002"
}

modes=()
[ $have_native = 1 ] && modes+=(native)
[ $have_husk = 1 ] && modes+=(husk)
if [ $have_husk = 1 ]; then
	echo "bench/net.sh: native (veth) vs $HUSK${HUSK_FLAGS:+ $HUSK_FLAGS} (tap)"
else
	echo "bench/net.sh: native figures only (no husk at $HUSK, or BENCH_NET_HUSK=0)"
fi
for mode in "${modes[@]}"; do
	echo "  $mode ..."
	[ $have_nginx = 1 ] && bench_nginx "$mode"
	[ $have_redis = 1 ] && bench_redis "$mode"
	bench_tcp "$mode"
done

# ---- report ----------------------------------------------------------------

ROWS=()
[ $have_nginx = 1 ] && ROWS+=("nginx1k|nginx 1 KiB file, wrk $WRK_OPTS -d${SECS}s, requests/s"
	"nginx1m|nginx 1 MiB file, wrk $WRK_OPTS -d${SECS}s, requests/s")
[ $have_redis = 1 ] && ROWS+=("set|redis SET, redis-benchmark -n $REDIS_N -c $REDIS_C, ops/s"
	"get|redis GET, redis-benchmark -n $REDIS_N -c $REDIS_C, ops/s")
ROWS+=("tcpin|TCP, one stream of $TCP_MIB MiB into the server, MB/s"
	"tcpout|TCP, one stream of $TCP_MIB MiB out of the server, MB/s")

. bench/lib.sh # ratio, bench_env_line (cwd: the repository)

env_line=$(bench_env_line)
md=$OUT/net.md
{
	echo "<!-- bench/net.sh; $env_line -->"
	echo "| workload | native | husk | ratio (husk/native) |"
	echo "| --- | ---: | ---: | ---: |"
} >"$md"
echo
printf '%-62s %12s %12s %8s\n' workload native husk ratio
for r in "${ROWS[@]}"; do
	IFS='|' read -r key label <<<"$r"
	n=${FIG[$key-native]-–} h=${FIG[$key-husk]-–}
	printf '%-62s %12s %12s %8s\n' "$label" "$n" "$h" "$(ratio "$n" "$h")"
	echo "| $label | $n | $h | $(ratio "$n" "$h") |" >>"$md"
done
{
	echo
	echo "Servers from the host's Debian packages (nginx, redis-server) and \`bench/tcpsink\`"
	echo "(gcc -O2 -static), the same files both ways; clients (wrk, redis-benchmark,"
	echo "tcpsink) in a network namespace. Native: the server chrooted in a second"
	echo "namespace behind a veth pair (with the offloads veth has); husk: the server"
	echo "inside husk on a tap. On $env_line."
} >>"$md"
echo
for f in "$LOGS"/net-*.log; do
	grep -q '^FAILED:' "$f" 2>/dev/null && echo "note: $(basename "$f" .log) failed: see $f"
done
[ $have_husk = 0 ] && [ "${BENCH_NET_HUSK:-1}" != 0 ] &&
	echo "note: husk not found at $HUSK (build it first) or its image failed; native figures only."
echo "Markdown table: $md"
exit 0
