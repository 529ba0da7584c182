#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh: husk beside native, in one run. Builds the bench programs into
# $BUILD_DIR/bench/, measures each item natively and under $HUSK, prints a
# table with ratios and writes it as Markdown to $BUILD_DIR/bench/results.md.
#
# Figures, not a test: this never fails on timing. It exits non-zero only
# when the bench programs cannot be built.
#
# Environment (all optional):
#   BUILD_DIR=build  HUSK=$BUILD_DIR/husk  HUSK_FLAGS="--mem 64M"
#   CC=gcc  MUSL_CC=musl-gcc (set empty to skip the musl variants)
#   BENCH_REPS=50  BENCH_N_GETPPID=200000  BENCH_N_CLOCK=1000000
#   BENCH_N_WRITE=200000  BENCH_TIMEOUT=60 (seconds, per program run)
#   BENCH_N_FUTEX=50000  BENCH_N_CREATE=10000  BENCH_N_SIGNAL=80000
#   BENCH_THREADS_CPU=0 (the CPU threads runs pinned to; empty: not pinned)
#   BENCH_PY=/usr/bin/python3  BENCH_PY_REPS=20
#   BENCH_HYPERFINE=1, BENCH_THREADS=1, BENCH_PYTHON=1, BENCH_FS=1 (set 0 to
#   skip that part: the hyperfine cross-check, threads, python3, filesystem)
set -u

cd "$(dirname "$0")/.." || exit 2
BUILD_DIR=${BUILD_DIR:-build}
HUSK=${HUSK:-$BUILD_DIR/husk}
HUSK_FLAGS=${HUSK_FLAGS:-}
CC=${CC:-gcc}
MUSL_CC=${MUSL_CC-musl-gcc}
REPS=${BENCH_REPS:-50}
N_GETPPID=${BENCH_N_GETPPID:-200000}
N_CLOCK=${BENCH_N_CLOCK:-1000000}
N_WRITE=${BENCH_N_WRITE:-200000}
N_FUTEX=${BENCH_N_FUTEX:-50000}
N_CREATE=${BENCH_N_CREATE:-10000}
N_SIGNAL=${BENCH_N_SIGNAL:-80000}
THREADS_CPU=${BENCH_THREADS_CPU-0}
PY_REPS=${BENCH_PY_REPS:-20}
PY=${BENCH_PY:-/usr/bin/python3}
TMO=${BENCH_TIMEOUT:-60}
OUT=$BUILD_DIR/bench
LOGS=$OUT/logs
CFLAGS="-O2 -std=gnu11 -Wall -Wextra -Wshadow -Wpointer-arith -Wcast-qual
	-Wwrite-strings -Wmissing-prototypes"
PROGS="hello getppid clock write1"

mkdir -p "$OUT" "$LOGS" || exit 2

# ---- build -----------------------------------------------------------------

# build CC SRC OUT [FLAGS...]: compile SRC statically (with FLAGS) unless
# OUT is newer than it and than bench.h.
build() {
	local cc=$1 src=bench/$2.c out=$3
	shift 3
	if [ -x "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt bench/bench.h ]
	then
		return 0
	fi
	echo "  CC      $out"
	# shellcheck disable=SC2086
	"$cc" $CFLAGS "$@" -static -o "$out" "$src"
}

for p in $PROGS runner; do
	build "$CC" "$p" "$OUT/$p" || { echo "bench: cannot build $p" >&2; exit 1; }
done
build "$CC" threads "$OUT/threads" -pthread ||
	{ echo "bench: cannot build threads" >&2; exit 1; }
have_musl=0
if [ -n "$MUSL_CC" ] && command -v "$MUSL_CC" >/dev/null 2>&1; then
	mkdir -p "$OUT/musl"
	have_musl=1
	for p in hello clock write1; do
		build "$MUSL_CC" "$p" "$OUT/musl/$p" || have_musl=0
	done
	[ $have_musl = 1 ] || echo "bench: $MUSL_CC failed; musl rows skipped" >&2
fi

have_husk=0
if [ -x "$HUSK" ] && [ -f "$HUSK" ]; then
	have_husk=1
	HUSK=$(cd "$(dirname "$HUSK")" && pwd)/$(basename "$HUSK")
fi
RUNNER=$OUT/runner
ABS_OUT=$(cd "$OUT" && pwd)

# ---- measure ---------------------------------------------------------------

# launcher MODE: the command prefix that runs a program in MODE (word-split
# by the callers; paths with spaces are not supported).
launcher() {
	[ "$1" = husk ] && echo "$HUSK run $HUSK_FLAGS --"
	[ "$1" = husk-nofilter ] && echo "$HUSK run --seccomp=off $HUSK_FLAGS --"
}

# key KEY LINE: the value of KEY=... in LINE, empty if absent.
key() {
	sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2" | tail -n 1
}

# Every failure writes a "FAILED:" line into its log; the report lists them.
# micro MODE BIN N LOG: run a bench program (stdout on /dev/null) and echo
# its median ns per call, or "fail".
micro() {
	local mode=$1 bin=$2 n=$3 log=$4 line rc
	# shellcheck disable=SC2046
	timeout -k 5 "$TMO" $(launcher "$mode") "$bin" "$n" >/dev/null 2>"$log"
	rc=$?
	line=$(grep 'ns_per_call=' "$log" | tail -n 1)
	if [ $rc -ne 0 ] || [ -z "$line" ]; then
		echo "FAILED: exit status $rc${line:-, no ns_per_call= line}" >>"$log"
		echo fail
		return
	fi
	key ns_per_call "$line"
}

# start MODE BIN LOG [ARGS...]: run BIN ARGS under the runner; sets START_US
# and RSS_KIB ("fail" when a run failed).
start() {
	local mode=$1 bin=$2 log=$3 line rc
	shift 3
	# shellcheck disable=SC2046
	line=$("$RUNNER" --reps "$REPS" --timeout "$TMO" -- \
		$(launcher "$mode") "$bin" "$@" 2>"$log")
	rc=$?
	echo "$line" >>"$log"
	START_US=$(key median_us "$line")
	RSS_KIB=$(key max_rss_kib "$line")
	if [ $rc -ne 0 ] || [ -z "$START_US" ]; then
		echo "FAILED: runner exit status $rc" >>"$log"
		START_US=fail RSS_KIB=fail
	fi
}

# hyperfine_us MODE BIN LOG: hyperfine's mean in µs, or "fail".
hyperfine_us() {
	local mode=$1 bin=$2 log=$3 cmd
	cmd="$(launcher "$mode") $bin"
	if ! timeout -k 5 "$TMO" hyperfine -N --runs "$REPS" --warmup 3 \
		--export-csv "$log.csv" "${cmd# }" >"$log" 2>&1; then
		echo "FAILED: hyperfine" >>"$log"
		echo fail
		return
	fi
	awk -F, 'NR == 2 { printf "%.1f", $2 * 1e6 }' "$log.csv"
}

ROW_ITEM=() ROW_NATIVE=() ROW_HUSK=() RSS_ROWS=() RSS_DELTA=()
row() { ROW_ITEM+=("$1"); ROW_NATIVE+=("$2"); ROW_HUSK+=("$3"); }

# measure_all LABEL DIR ITEMS: one table row per item, measured with the
# programs in DIR, natively and (when built) under husk.
measure_all() {
	local label=$1 dir=$2 items=$3 sfx="" tag mode log
	local -A fig
	[ -n "$label" ] && sfx=" ($label)"
	tag=${label:+-$label}
	for item in $items; do
		fig=()
		local modes="native husk"
		# the seccomp filter's cost: husk with the filter off, then on
		case $item in *-filter) modes="husk-nofilter husk" ;; esac
		for mode in $modes; do
			[ $mode = husk ] && [ $have_husk = 0 ] && continue
			log=$LOGS/$item$tag-$mode.log
			case $item in
			start)
				start $mode "$dir/hello" "$log"
				fig[$mode]=$START_US fig[rss-$mode]=$RSS_KIB ;;
			hyperfine)
				fig[$mode]=$(hyperfine_us $mode "$dir/hello" "$log") ;;
			getppid)
				fig[$mode]=$(micro $mode "$dir/getppid" "$N_GETPPID" "$log") ;;
			clock)
				fig[$mode]=$(micro $mode "$dir/clock" "$N_CLOCK" "$log") ;;
			write1)
				fig[$mode]=$(micro $mode "$dir/write1" "$N_WRITE" "$log") ;;
			getppid-filter)
				fig[$mode]=$(micro $mode "$dir/getppid" "$N_GETPPID" "$log") ;;
			write1-filter)
				fig[$mode]=$(micro $mode "$dir/write1" "$N_WRITE" "$log") ;;
			esac
		done
		local n=${fig[native]-${fig[husk-nofilter]-}} h=${fig[husk]-}
		case $item in
		start)
			row "hello start-to-exit, median of $REPS, µs$sfx" "$n" "$h"
			RSS_ROWS+=("$sfx|${fig[rss-native]}|${fig[rss-husk]-}") ;;
		hyperfine)
			row "hello start-to-exit, hyperfine mean, µs$sfx" "$n" "$h" ;;
		getppid)
			row "getppid (raw syscall), ns/call$sfx" "$n" "$h" ;;
		clock)
			row "clock_gettime (libc, vDSO), ns/call$sfx" "$n" "$h" ;;
		write1)
			row "write 1 byte to /dev/null, ns/call$sfx" "$n" "$h" ;;
		getppid-filter)
			row "getppid in husk, seccomp off (left) vs on (right), ns/call$sfx" "$n" "$h" ;;
		write1-filter)
			row "1-byte write (a hypercall), seccomp off vs on, ns/call$sfx" "$n" "$h" ;;
		esac
	done
}

mib() {
	if [[ $1 =~ ^[0-9]+$ ]]; then
		awk -v k="$1" 'BEGIN { printf "%.2f", k / 1024 }'
	else
		echo "$1"
	fi
}

items="start getppid clock write1"
if [ "${BENCH_HYPERFINE:-1}" != 0 ] && command -v hyperfine >/dev/null 2>&1
then
	items="start hyperfine getppid clock write1"
fi
rm -f "$LOGS"/*.log "$LOGS"/*.csv
if [ $have_husk = 1 ]; then
	echo "bench: native vs $HUSK${HUSK_FLAGS:+ $HUSK_FLAGS}"
else
	echo "bench: no husk at $HUSK; native figures only"
fi
measure_all "" "$ABS_OUT" "$items"
[ $have_husk = 1 ] && measure_all "" "$ABS_OUT" "getppid-filter write1-filter"
[ $have_musl = 1 ] && measure_all musl "$ABS_OUT/musl" "start clock write1"

# Threads, futexes and signals: one run of bench/threads.c per mode, three
# figures (ns per round trip, per create+join, per raise). Pinned to one CPU
# (both modes) by default: across CPUs, the futex round trip is mostly the
# time an idle CPU takes to wake, which on a VM swings from 4 to 40 µs
# between runs and drowns what husk adds.
pin=""
[ -n "$THREADS_CPU" ] && command -v taskset >/dev/null 2>&1 &&
	pin="taskset -c $THREADS_CPU"
if [ "${BENCH_THREADS:-1}" != 0 ]; then
	declare -A thr=()
	for mode in native husk; do
		[ $mode = husk ] && [ $have_husk = 0 ] && continue
		log=$LOGS/threads-$mode.log
		# shellcheck disable=SC2046
		timeout -k 5 "$TMO" $pin $(launcher $mode) "$ABS_OUT/threads" \
			"$N_FUTEX" "$N_CREATE" "$N_SIGNAL" >/dev/null 2>"$log"
		rc=$?
		[ $rc -ne 0 ] && echo "FAILED: exit status $rc" >>"$log"
		for b in futex_pingpong thread_create signal_raise; do
			v=$(key ns_per_call "$(grep "^bench=$b " "$log" | tail -n 1)")
			thr[$b-$mode]=${v:-fail}
		done
	done
	row "futex ping-pong, 2 threads${pin:+ on 1 CPU}, ns/round trip" \
		"${thr[futex_pingpong-native]}" "${thr[futex_pingpong-husk]-}"
	row "pthread_create+join (empty thread), ns/pair" \
		"${thr[thread_create-native]}" "${thr[thread_create-husk]-}"
	row "raise(SIGUSR1) to a handler and back, ns/call" \
		"${thr[signal_raise-native]}" "${thr[signal_raise-husk]-}"
fi

# python3 start-to-exit: the host's /usr/bin/python3 natively, and inside
# husk from an image of it and its standard library (read-only), built
# once and kept as $OUT/python3.img.
PY_RSS="" PY_NOTE=""
if [ "${BENCH_PYTHON:-1}" != 0 ]; then
	if [ ! -x "$PY" ]; then
		PY_NOTE="python3 rows skipped: no $PY"
	else
		declare -A py=()
		REPS=$PY_REPS start native "$PY" "$LOGS/python3-native.log" -c pass
		py[native]=$START_US py[rss-native]=$RSS_KIB
		pyimg=$ABS_OUT/python3.img
		if [ $have_husk = 1 ]; then
			if [ ! -s "$pyimg" ] || [ "$PY" -nt "$pyimg" ] ||
				[ scripts/rootfs-from-host.sh -nt "$pyimg" ]; then
				echo "  IMAGE   $pyimg"
				pyroot=$(mktemp -d)
				pystd=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
				{ scripts/rootfs-from-host.sh "$pyroot" "$PY" "$pystd" &&
					"$HUSK" image build "$pyroot" -o "$pyimg.tmp" &&
					mv "$pyimg.tmp" "$pyimg"; } >"$LOGS/python3-image.log" 2>&1 ||
					{ echo "FAILED: python3 image" >>"$LOGS/python3-image.log"; rm -f "$pyimg"; }
				rm -rf "$pyroot" "$pyimg.tmp"
			fi
			py[husk]=fail py[rss-husk]=fail
			if [ -s "$pyimg" ]; then
				REPS=$PY_REPS HUSK_FLAGS="$HUSK_FLAGS --rootfs $pyimg:ro" \
					start husk "$PY" "$LOGS/python3-husk.log" -c pass
				py[husk]=$START_US py[rss-husk]=$RSS_KIB
			fi
		fi
		row "python3 -c pass start-to-exit, median of $PY_REPS, µs" \
			"${py[native]}" "${py[husk]-}"
		PY_RSS="${py[rss-native]}|${py[rss-husk]-}"
	fi
fi

# Filesystem: the same program on the host's filesystem (a temporary
# directory) and inside husk on an ext4 image, read-write.
fs_figures() { # fs_figures LOG: "name value" lines from fsio's output
	sed -n 's/^bench=\([a-z_]*\) value=\([0-9.]*\).*/\1 \2/p' "$1"
}
if [ "${BENCH_FS:-1}" != 0 ] && build "$CC" fsio "$OUT/fsio"; then
	fsn=$(mktemp -d) fsr=$(mktemp -d) fsimg=$(mktemp -u /tmp/husk-bench-XXXXXX.img)
	timeout -k 5 "$TMO" "$OUT/fsio" "$fsn" 256 2>"$LOGS/fs-native.log" >/dev/null
	if [ $have_husk = 1 ]; then
		mkdir -p "$fsr/bin" "$fsr/data" && cp "$OUT/fsio" "$fsr/bin/"
		"$HUSK" image build "$fsr" -o "$fsimg" --size 600M >/dev/null 2>&1 &&
			timeout -k 5 "$TMO" "$HUSK" run --rootfs "$fsimg" /bin/fsio /data 256 \
				2>"$LOGS/fs-husk.log" >/dev/null
	fi
	rm -rf "$fsn" "$fsr" "$fsimg"
	declare -A fsn_v fsh_v
	while read -r k v; do fsn_v[$k]=$v; done < <(fs_figures "$LOGS/fs-native.log")
	[ -e "$LOGS/fs-husk.log" ] &&
		while read -r k v; do fsh_v[$k]=$v; done < <(fs_figures "$LOGS/fs-husk.log")
	row "fs: write 256 MiB + fsync, MB/s" "${fsn_v[seq_write]-fail}" "${fsh_v[seq_write]-fail}"
	row "fs: read it back, MB/s" "${fsn_v[seq_read]-fail}" "${fsh_v[seq_read]-fail}"
	row "fs: read it again, MB/s" "${fsn_v[read_again]-fail}" "${fsh_v[read_again]-fail}"
	row "fs: create+stat+unlink 10000 files, us/file" "${fsn_v[small_files]-fail}" "${fsh_v[small_files]-fail}"
fi

# Peak RSS rows after the timing rows, and how much husk adds.
for r in "${RSS_ROWS[@]}"; do
	IFS='|' read -r sfx n h <<<"$r"
	row "hello peak RSS, MiB$sfx" "$(mib "$n")" "$(mib "$h")"
	[[ $n =~ ^[0-9]+$ && $h =~ ^[0-9]+$ ]] || continue
	RSS_DELTA+=("$(awk -v n="$n" -v h="$h" -v s="$sfx" 'BEGIN {
		d = (h - n) / 1024
		printf "husk adds %.2f MiB of peak RSS to hello%s (goal: at most 4 MiB, %s)",
			d, s, d <= 4 ? "met" : "NOT met" }')")
done
if [ -n "$PY_RSS" ]; then
	IFS='|' read -r n h <<<"$PY_RSS"
	row "python3 -c pass peak RSS, MiB" "$(mib "$n")" "$(mib "$h")"
fi

NOTES=()
[ -n "$PY_NOTE" ] && NOTES+=("$PY_NOTE")
for f in "$LOGS"/*.log; do
	[ -e "$f" ] || continue
	grep -q '^FAILED:' "$f" && NOTES+=("$(basename "$f" .log) failed: see $f")
done

# ---- report ----------------------------------------------------------------

. bench/lib.sh # ratio, bench_env_line (cwd: the repository)

env_line=$(bench_env_line)
md=$OUT/results.md
{
	echo "<!-- bench/run.sh; $env_line -->"
	if [ $have_husk = 1 ]; then
		echo "| item | native | husk | ratio (husk/native) |"
		echo "| --- | ---: | ---: | ---: |"
	else
		echo "| item | native |"
		echo "| --- | ---: |"
	fi
} >"$md"

echo
if [ $have_husk = 1 ]; then
	printf '%-50s %10s %10s %9s\n' item native husk ratio
else
	printf '%-50s %10s\n' item native
fi
for i in "${!ROW_ITEM[@]}"; do
	it=${ROW_ITEM[$i]} n=${ROW_NATIVE[$i]} h=${ROW_HUSK[$i]}
	if [ $have_husk = 1 ]; then
		r=$(ratio "$n" "$h")
		# printf pads by bytes; µ is two, so pad the item by one more.
		w=50; [[ $it == *µ* ]] && w=51
		printf "%-${w}s %10s %10s %9s\n" "$it" "$n" "$h" "$r"
		echo "| $it | $n | $h | $r |" >>"$md"
	else
		w=50; [[ $it == *µ* ]] && w=51
		printf "%-${w}s %10s\n" "$it" "$n"
		echo "| $it | $n |" >>"$md"
	fi
done
{
	echo
	for d in "${RSS_DELTA[@]+"${RSS_DELTA[@]}"}"; do echo "- $d."; done
	[ $have_husk = 0 ] && echo "husk was not built ($HUSK missing): native figures only."
	echo
	echo "Static programs from \`bench/\` (gcc -O2 -static$([ $have_musl = 1 ] && echo "; musl rows: musl-gcc -static")) on $env_line."
	echo "Start-to-exit and RSS: \`bench/runner\` (fork+execvp, wait4 ru_maxrss incl. waited-for descendants)."
	echo "ns/call: median of $(grep -o 'BENCH_ROUNDS [0-9]*' bench/bench.h | cut -d' ' -f2) timed rounds after a warm-up;" \
		"N = $N_GETPPID getppid, $N_CLOCK clock_gettime, $N_WRITE writes."
	[ "${BENCH_THREADS:-1}" != 0 ] && echo "threads (gcc -pthread, same rounds):" \
		"N = $N_FUTEX futex round trips, $N_CREATE creates, $N_SIGNAL raises${pin:+, run under \`$pin\`}."
	[ -n "$PY_RSS" ] && echo "python3: \`$PY -c pass\` under \`bench/runner\`$([ $have_husk = 1 ] &&
		echo "; in husk from an ext4 image (\`scripts/rootfs-from-host.sh\`: python3, its libraries and stdlib), mounted read-only")."
} >>"$md"
echo
for d in "${RSS_DELTA[@]+"${RSS_DELTA[@]}"}"; do echo "$d"; done
[ $have_husk = 0 ] && echo "note: husk not found at $HUSK (build it first); native figures only."
for n in "${NOTES[@]+"${NOTES[@]}"}"; do echo "note: $n"; done
echo "Markdown table: $md"
exit 0
