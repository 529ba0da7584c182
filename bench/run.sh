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
#   BENCH_HYPERFINE=1 (set 0 to skip the hyperfine cross-check)
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
TMO=${BENCH_TIMEOUT:-60}
OUT=$BUILD_DIR/bench
LOGS=$OUT/logs
CFLAGS="-O2 -std=gnu11 -Wall -Wextra -Wshadow -Wpointer-arith -Wcast-qual
	-Wwrite-strings -Wmissing-prototypes"
PROGS="hello getppid clock write1"

mkdir -p "$OUT" "$LOGS" || exit 2

# ---- build -----------------------------------------------------------------

# build CC SRC OUT: compile SRC statically unless OUT is newer than it and
# than bench.h.
build() {
	local cc=$1 src=bench/$2.c out=$3
	if [ -x "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt bench/bench.h ]
	then
		return 0
	fi
	echo "  CC      $out"
	# shellcheck disable=SC2086
	"$cc" $CFLAGS -static -o "$out" "$src"
}

for p in $PROGS runner; do
	build "$CC" "$p" "$OUT/$p" || { echo "bench: cannot build $p" >&2; exit 1; }
done
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

# start MODE BIN LOG: run BIN under the runner; sets START_US and RSS_KIB
# ("fail" when a run failed).
start() {
	local mode=$1 bin=$2 log=$3 line rc
	# shellcheck disable=SC2046
	line=$("$RUNNER" --reps "$REPS" --timeout "$TMO" -- \
		$(launcher "$mode") "$bin" 2>"$log")
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

NOTES=()
for f in "$LOGS"/*.log; do
	[ -e "$f" ] || continue
	grep -q '^FAILED:' "$f" && NOTES+=("$(basename "$f" .log) failed: see $f")
done

# ---- report ----------------------------------------------------------------

ratio() {
	if [[ $1 =~ ^[0-9.]+$ && $2 =~ ^[0-9.]+$ ]]; then
		awk -v n="$1" -v h="$2" 'BEGIN { if (n > 0) printf "%.2f×", h / n; else print "–" }'
	else
		echo "–"
	fi
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
env_line="$(uname -sr), ${cpu:-unknown CPU}, $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
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
} >>"$md"
echo
for d in "${RSS_DELTA[@]+"${RSS_DELTA[@]}"}"; do echo "$d"; done
[ $have_husk = 0 ] && echo "note: husk not found at $HUSK (build it first); native figures only."
for n in "${NOTES[@]+"${NOTES[@]}"}"; do echo "note: $n"; done
echo "Markdown table: $md"
exit 0
