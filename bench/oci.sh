#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# oci.sh: husk as an OCI runtime beside runc, in one run:
#   (a) podman run --rm IMAGE /bin/hello, start to exit, with --network none
#       and with podman's default bridge (CNI), --runtime runc against
#       --runtime <abs>/husk-runc; IMAGE is imported offline from a tar
#       holding the static bench/hello;
#   (b) runc run against husk-runc run on one hand-made bundle (runc spec's
#       defaults: read-only root, new namespaces; args /bin/hello);
#   (c) husk run of the static hello against the same hello natively (as
#       bench/run.sh's start row).
# Runs are interleaved (one of each command per round, after warm-ups) so
# that drift hits both sides alike; each is timed by bench/runner (fork to
# wait4, stdout on /dev/null). Then, unless BENCH_OCI_BREAKDOWN=0, a few
# more podman runs through a timing wrapper around each runtime split
# podman's time into the runtime's create, start and delete and the rest
# (podman, conmon, CNI).
#
#   HUSK=build/husk bench/oci.sh
#
# Prints a table (item, runc or native, husk, husk/runc) and writes it as
# Markdown to $BUILD_DIR/bench/oci.md; logs in $BUILD_DIR/bench/logs/oci-*.
# Figures, not a test: it exits 0 unless it cannot build its programs.
# Needs root; without podman, runc or husk the rows that need them are
# skipped. All state (podman's storage and config, from
# scripts/podman-env.sh when it is there; the image, the bundle, husk-runc's
# and runc's --root) lives in a private temporary directory, removed at the
# end. podman calls husk-runc without --root, so the script runs in a
# private mount namespace (unshare -m) with that directory bound on
# /run/husk-runc: husk-runc's image cache there is not touched.
#
# Environment (all optional):
#   BUILD_DIR=build  HUSK=$BUILD_DIR/husk  HUSK_FLAGS=""  CC=gcc
#   BENCH_OCI_REPS=20 (podman and bundle runs)  BENCH_OCI_WARMUP=2
#   BENCH_OCI_HELLO_REPS=50 (husk run vs native)
#   BENCH_OCI_BREAKDOWN=10 (runs per podman case through the timing
#   wrapper; 0 skips it)  BENCH_TIMEOUT=60 (seconds, per run)
#   BENCH_OCI_BRIDGE=1 (0 skips the bridge-network podman rows)
set -u

cd "$(dirname "$0")/.." || exit 2
[ "$(id -u)" -eq 0 ] || { echo "bench/oci.sh: needs root (podman, runc); skipped" >&2; exit 0; }

# A private mount namespace, so that /run/husk-runc can be ours (below).
if [ -z "${HUSK_BENCH_OCI_NS-}" ] && command -v unshare >/dev/null 2>&1 &&
	unshare -m --propagation private true 2>/dev/null; then
	HUSK_BENCH_OCI_NS=1 exec unshare -m --propagation private -- "$BASH" bench/oci.sh "$@"
fi

BUILD_DIR=${BUILD_DIR:-build}
HUSK=${HUSK:-$BUILD_DIR/husk}
HUSK_FLAGS=${HUSK_FLAGS:-}
CC=${CC:-gcc}
REPS=${BENCH_OCI_REPS:-20}
WARM=${BENCH_OCI_WARMUP:-2}
HREPS=${BENCH_OCI_HELLO_REPS:-50}
BREPS=${BENCH_OCI_BREAKDOWN:-10}
TMO=${BENCH_TIMEOUT:-60}
OUT=$BUILD_DIR/bench
LOGS=$OUT/logs
CFLAGS="-O2 -std=gnu11 -Wall -Wextra -Wshadow -Wpointer-arith -Wcast-qual
	-Wwrite-strings -Wmissing-prototypes"
IMAGE=localhost/husk-bench-oci-hello:latest
export LC_ALL=C

mkdir -p "$OUT" "$LOGS" || exit 2
rm -f "$LOGS"/oci-*.log

# ---- build (as bench/run.sh does) -------------------------------------------

build() {
	local src=bench/$1.c out=$OUT/$1
	if [ -x "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt bench/bench.h ]; then
		return 0
	fi
	echo "  CC      $out"
	# shellcheck disable=SC2086
	"$CC" $CFLAGS -static -o "$out" "$src"
}
build runner || { echo "bench/oci.sh: cannot build runner" >&2; exit 1; }
ABS_OUT=$(cd "$OUT" && pwd)
RUNNER=$ABS_OUT/runner
# The program: bench/hello, or busybox true when hello cannot be built.
PROG=/bin/hello PROG_SRC=$ABS_OUT/hello PROG_NOTE="static bench/hello (gcc -O2 -static)"
if ! build hello; then
	if [ -x /bin/busybox ]; then
		PROG=/bin/true PROG_SRC=/bin/busybox PROG_NOTE="Debian's static busybox, true applet"
	else
		echo "bench/oci.sh: cannot build hello and no /bin/busybox" >&2
		exit 1
	fi
fi

have() { command -v "$1" >/dev/null 2>&1; }
have_husk=0
if [ -x "$HUSK" ] && [ -f "$HUSK" ]; then
	have_husk=1
	HUSK=$(cd "$(dirname "$HUSK")" && pwd)/$(basename "$HUSK")
fi
RUNC=$(command -v runc 2>/dev/null)
have_podman=0
have podman && have conmon && have_podman=1

T=$(mktemp -d /tmp/husk-bench-oci.XXXXXX) || exit 2
T=$(cd "$T" && pwd -P)
# husk-runc: the link next to husk, else one of our own (husk looks at its
# name).
HRUNC=""
if [ $have_husk = 1 ]; then
	HRUNC=$(dirname "$HUSK")/husk-runc
	if ! [ -x "$HRUNC" ]; then
		mkdir -p "$T/bin" && ln -s "$HUSK" "$T/bin/husk-runc" && HRUNC=$T/bin/husk-runc
	fi
fi

# husk-runc's default --root, private: our directory bound on /run/husk-runc
# (in our mount namespace only). Without a namespace, the cache images this
# run adds there are removed at the end.
mkdir -p "$T/husk-run"
MADE_RUNDIR=0 BOUND=0 CACHE_BEFORE=""
if [ -n "${HUSK_BENCH_OCI_NS-}" ]; then
	[ -d /run/husk-runc ] || { mkdir -p /run/husk-runc && MADE_RUNDIR=1; }
	mount --bind "$T/husk-run" /run/husk-runc && BOUND=1
fi
[ $BOUND = 0 ] && CACHE_BEFORE=$(ls /run/husk-runc/.images 2>/dev/null)

unset CONTAINERS_CONF CONTAINERS_STORAGE_CONF
CONF_NOTE="" DRIVER=""
cleanup() {
	# only ever our own storage (never the host's default one)
	if have podman && [[ ${CONTAINERS_STORAGE_CONF-} == "$T"/* ]] &&
		[ -s "$CONTAINERS_STORAGE_CONF" ]; then
		timeout 60 podman rm -fa -t 0 >/dev/null 2>&1
		timeout 60 podman rmi -fa >/dev/null 2>&1
	fi
	local d m
	for d in "$T"/runc-root "$T"/husk-root; do
		[ -d "$d" ] || continue
		for m in "$d"/*; do
			[ -d "$m" ] || continue
			[ "$d" = "$T/runc-root" ] && [ -n "$RUNC" ] &&
				timeout 10 "$RUNC" --root "$d" delete --force "${m##*/}" >/dev/null 2>&1
			[ "$d" = "$T/husk-root" ] && [ -n "$HRUNC" ] &&
				timeout 10 "$HRUNC" --root "$d" delete --force "${m##*/}" >/dev/null 2>&1
		done
	done
	# whatever podman left mounted under T, deepest first
	awk -v t="$T/" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
	if [ "$BOUND" = 1 ]; then
		umount /run/husk-runc 2>/dev/null
		[ "$MADE_RUNDIR" = 1 ] && rmdir /run/husk-runc 2>/dev/null
	elif [ -n "$HRUNC" ]; then
		local f
		for f in /run/husk-runc/.images/*; do
			[ -e "$f" ] || continue
			grep -qxF "${f##*/}" <<<"$CACHE_BEFORE" || rm -f "$f"
		done
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- measuring ---------------------------------------------------------------

RUN=0
# once KEY CMD: one run of CMD (word-split; @N@ becomes a fresh number) under
# the runner; echoes its µs, or "fail".
once() {
	local key=$1 cmd line us f
	RUN=$((RUN + 1))
	cmd=${2//@N@/$$-$RUN}
	# shellcheck disable=SC2086
	line=$("$RUNNER" --reps 1 --warmup 0 --timeout "$TMO" -- $cmd 2>>"$LOGS/oci-$key.log")
	us=$(sed -n 's/.*median_us=\([0-9.]*\).*/\1/p' <<<"$line")
	f=$(sed -n 's/.*failures=\([0-9]*\).*/\1/p' <<<"$line")
	if [ -z "$us" ] || [ "${f:-1}" != 0 ]; then
		echo "FAILED: run $RUN: $cmd (${line:-no runner output})" >>"$LOGS/oci-$key.log"
		echo fail
	else
		echo "$us"
	fi
}

# measure N WARM KEY CMD [KEY CMD ...]: WARM unmeasured runs of each command,
# then N rounds of one run of each in turn; the figures go to $T/KEY.us.
measure() {
	local n=$1 warm=$2 i k
	shift 2
	local -a keys=() cmds=()
	while [ $# -ge 2 ]; do keys+=("$1") cmds+=("$2"); shift 2; done
	for k in "${!keys[@]}"; do : >"$T/${keys[$k]}.us"; done
	for ((i = -warm; i < n; i++)); do
		for k in "${!keys[@]}"; do
			if [ $i -lt 0 ]; then
				once "${keys[$k]}" "${cmds[$k]}" >/dev/null
			else
				once "${keys[$k]}" "${cmds[$k]}" >>"$T/${keys[$k]}.us"
			fi
		done
	done
}

# stats FILE: "median min max" in ms (from µs, one a line), or "fail" when
# any run failed or there is none.
stats() {
	[ -s "$1" ] || { echo fail; return; }
	sort -g "$1" | awk '
		!/^[0-9.]+$/ { bad = 1 }
		{ v[n++] = $1 / 1000 }
		END {
			if (bad || !n) { print "fail"; exit }
			m = n % 2 ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2
			print m, v[0], v[n - 1]
		}'
}

# cell "MEDIAN MIN MAX": "M (min–max)" with a precision that suits it
cell() {
	[ "$1" = fail ] || [ -z "$1" ] && { echo "${1:-–}"; return; }
	awk -v m="$1" -v a="$2" -v b="$3" 'BEGIN {
		f = m < 10 ? "%.2f" : "%.1f"
		printf f " (" f "–" f ")\n", m, a, b }'
}

. bench/lib.sh # ratio, bench_env_line (cwd: the repository)

ROW_ITEM=() ROW_A=() ROW_B=() ROW_R=()
# row LABEL KEY_A KEY_B: a table row from $T/KEY_A.us and $T/KEY_B.us
# (a key of "-" is a side not measured)
row() {
	local sa=fail sb=fail ma="" mb=""
	[ "$2" != - ] && sa=$(stats "$T/$2.us") && ma=${sa%% *}
	[ "$3" != - ] && sb=$(stats "$T/$3.us") && mb=${sb%% *}
	# shellcheck disable=SC2086
	ROW_ITEM+=("$1") ROW_A+=("$( [ "$2" = - ] && echo – || cell $sa)")
	# shellcheck disable=SC2086
	ROW_B+=("$( [ "$3" = - ] && echo – || cell $sb)") ROW_R+=("$(ratio "$ma" "$mb")")
}

NOTES=()

# ---- (a) podman ----------------------------------------------------------------

PODMAN_CASES=()
if [ $have_podman = 1 ] && { [ -n "$RUNC" ] || [ -n "$HRUNC" ]; }; then
	# podman's config and storage, all in T/podman: scripts/podman-env.sh's
	# (tests/host/podman.t's) when there is one, else the same settings here
	# (as build/oci-research/setup.sh): cgroupfs; rlimits podman may set
	# without CAP_SYS_RESOURCE; runc by default (crun refuses this host's
	# hybrid cgroups); husk-runc among the runtimes that get --log-format=json
	# --log FILE; CNI.
	P=$T/podman
	if [ -x scripts/podman-env.sh ] &&
		scripts/podman-env.sh "$P" >"$LOGS/oci-podman-env.log" 2>&1 && [ -s "$P/env.sh" ]; then
		# shellcheck disable=SC1091
		. "$P/env.sh"
		CONF_NOTE="scripts/podman-env.sh"
	else
		mkdir -p "$P"
		nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
		nproc=$(ulimit -Hu)
		{ [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
		cat >"$P/containers.conf" <<-EOF
			[containers]
			default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
			[engine]
			cgroup_manager = "cgroupfs"
			events_logger = "file"
			runtime = "runc"
			tmp_dir = "$P/libpod"
			runtime_supports_json = ["crun", "runc", "husk-runc"]
			[network]
			network_backend = "cni"
		EOF
		cat >"$P/storage.conf" <<-EOF
			[storage]
			driver = "overlay"
			graphroot = "$P/storage/graph"
			runroot = "$P/storage/run"
		EOF
		export CONTAINERS_CONF=$P/containers.conf CONTAINERS_STORAGE_CONF=$P/storage.conf
		CONF_NOTE="bench/oci.sh's own"
	fi
	DRIVER=$(sed -n 's/^driver *= *"\(.*\)"/\1/p' "$CONTAINERS_STORAGE_CONF")
	mkdir -p "$T/rootfs/bin" && cp "$PROG_SRC" "$T/rootfs$PROG" &&
		tar -C "$T/rootfs" -cf "$T/image.tar" . &&
		podman import --change "CMD [\"$PROG\"]" "$T/image.tar" "$IMAGE" \
			>"$LOGS/oci-podman-import.log" 2>&1 ||
		{ NOTES+=("podman import failed: see $LOGS/oci-podman-import.log; podman rows skipped"); have_podman=0; }
fi
if [ $have_podman = 1 ]; then
	nets=(none)
	[ "${BENCH_OCI_BRIDGE:-1}" != 0 ] && nets+=(bridge)
	args=()
	for net in "${nets[@]}"; do
		nopt="--network none"
		[ "$net" = bridge ] && nopt=""
		[ -n "$RUNC" ] && args+=("podman-$net-runc" "podman run --rm $nopt --runtime runc $IMAGE $PROG") &&
			PODMAN_CASES+=("$net runc")
		[ -n "$HRUNC" ] && args+=("podman-$net-husk" "podman run --rm $nopt --runtime $HRUNC $IMAGE $PROG") &&
			PODMAN_CASES+=("$net husk")
	done
	echo "bench/oci.sh: podman run --rm, $REPS runs of each after $WARM warm-ups ..."
	measure "$REPS" "$WARM" "${args[@]}"
	for net in "${nets[@]}"; do
		label="podman run --rm --network none, ms"
		[ "$net" = bridge ] && label="podman run --rm (default bridge, CNI), ms"
		row "$label" "$([ -n "$RUNC" ] && echo "podman-$net-runc" || echo -)" \
			"$([ -n "$HRUNC" ] && echo "podman-$net-husk" || echo -)"
	done
elif [ $have_podman = 0 ] && ! have podman; then
	NOTES+=("podman rows skipped: no podman (or conmon)")
fi

# ---- (b) runc run / husk-runc run on one bundle ---------------------------------

if [ -n "$RUNC" ] || [ -n "$HRUNC" ]; then
	B=$T/bundle
	mkdir -p "$B/rootfs/bin" && cp "$PROG_SRC" "$B/rootfs$PROG"
	if [ -n "$RUNC" ]; then
		"$RUNC" spec --bundle "$B"
	else
		"$HRUNC" spec --bundle "$B"
	fi
	if have jq; then
		jq --arg p "$PROG" '.process.args = [$p] | .process.terminal = false | .root.readonly = true' \
			"$B/config.json" >"$B/c.json" && mv "$B/c.json" "$B/config.json"
	else
		sed -i -e 's/"terminal": true/"terminal": false/' \
			-e "s|^\\([[:space:]]*\\)\"sh\"\$|\\1\"$PROG\"|" "$B/config.json"
	fi
	args=()
	[ -n "$RUNC" ] && args+=(bundle-runc "$RUNC --root $T/runc-root run --bundle $B hb-@N@")
	[ -n "$HRUNC" ] && args+=(bundle-husk "$HRUNC --root $T/husk-root run --bundle $B hb-@N@")
	echo "bench/oci.sh: runc run / husk-runc run on a bundle, $REPS runs of each ..."
	measure "$REPS" "$WARM" "${args[@]}"
	row "OCI run on a bundle (runc spec, ro root), ms" \
		"$([ -n "$RUNC" ] && echo bundle-runc || echo -)" "$([ -n "$HRUNC" ] && echo bundle-husk || echo -)"
else
	NOTES+=("bundle rows skipped: neither runc nor husk-runc")
fi

# ---- (c) husk run against native ----------------------------------------------

args=(hello-native "$ABS_OUT/${PROG##*/}")
[ "$PROG_SRC" = /bin/busybox ] && args=(hello-native "/bin/busybox true")
if [ $have_husk = 1 ]; then
	args+=(hello-husk "$HUSK run $HUSK_FLAGS -- ${args[1]}")
fi
echo "bench/oci.sh: husk run / native, $HREPS runs of each ..."
measure "$HREPS" 3 "${args[@]}"
row "${PROG##*/} start-to-exit: native / husk run, ms" hello-native \
	"$([ $have_husk = 1 ] && echo hello-husk || echo -)"

# ---- where podman's time goes: a timing wrapper around each runtime -------------

# Per case (network, runtime): a wrapper with the runtime's name (podman
# picks the flags it passes by name) that runs the real one and logs
# "ID VERB µs" for every call, so each podman run splits into the runtime's
# create, start and delete and the rest (podman, conmon, CNI; the wrapper's
# own bash start, about 1.5 ms a call, lands there too).
BD=()
if [ $have_podman = 1 ] && [ "$BREPS" -gt 0 ] 2>/dev/null; then
	args=()
	for c in "${PODMAN_CASES[@]}"; do
		read -r net rt <<<"$c"
		real=$RUNC name=runc
		[ "$rt" = husk ] && real=$HRUNC name=husk-runc
		w=$T/wrap/$net-$rt
		mkdir -p "$w"
		cat >"$w/$name" <<-EOF
			#!/bin/bash
			export LC_ALL=C
			t0=\$EPOCHREALTIME
			"$real" "\$@"
			rc=\$?
			t1=\$EPOCHREALTIME
			v=-
			for a; do
			  case \$a in create|start|delete|kill|state) v=\$a; break ;; esac
			done
			echo "\${!#} \$v \$(( \${t1/./} - \${t0/./} ))" >>"$w.verbs"
			exit \$rc
		EOF
		chmod +x "$w/$name"
		nopt="--network none"
		[ "$net" = bridge ] && nopt=""
		args+=("wrap-$net-$rt" "podman run --rm $nopt --runtime $w/$name $IMAGE $PROG")
	done
	echo "bench/oci.sh: podman run --rm through a timing wrapper, $BREPS runs of each ..."
	measure "$BREPS" 1 "${args[@]}"
	for c in "${PODMAN_CASES[@]}"; do
		read -r net rt <<<"$c"
		# runs in order: the ids in the order of their create, after the
		# warm-up's; totals in run order
		BD+=("$net $rt $(awk -v warm=1 '
			FNR == NR { if ($1 ~ /^[0-9.]+$/) tot[nt++] = $1; else bad = 1; next }
			$2 == "create" { ord[nc++] = $1 }
			{ d[$1, $2] += $3 }
			function med(a, n,   i, j, t) {
				for (i = 0; i < n; i++)
					for (j = i + 1; j < n; j++)
						if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
				return n % 2 ? a[int(n / 2)] : (a[n / 2 - 1] + a[n / 2]) / 2
			}
			END {
				if (bad || nt == 0 || nc - warm != nt) { print "fail"; exit }
				for (i = 0; i < nt; i++) {
					id = ord[i + warm]
					c[i] = d[id, "create"] / 1000; s[i] = d[id, "start"] / 1000
					x[i] = (d[id, "delete"] + d[id, "kill"] + d[id, "state"]) / 1000
					t[i] = tot[i] / 1000; r[i] = t[i] - c[i] - s[i] - x[i]
				}
				printf "%.1f %.1f %.1f %.1f %.1f\n", med(t, nt), med(c, nt),
					med(s, nt), med(x, nt), med(r, nt)
			}' "$T/wrap-$net-$rt.us" "$T/wrap/$net-$rt.verbs" 2>/dev/null || echo fail)")
	done
fi

# ---- report ---------------------------------------------------------------------

for f in "$LOGS"/oci-*.log; do
	[ -e "$f" ] || continue
	grep -q '^FAILED:' "$f" && NOTES+=("$(basename "$f" .log) had failed runs: see $f")
done
[ $have_husk = 0 ] && NOTES+=("no husk at $HUSK (build it first): husk columns empty")
[ -z "$RUNC" ] && NOTES+=("no runc: runc columns empty")
[ $BOUND = 0 ] && [ -n "$HRUNC" ] && NOTES+=("no private mount namespace: husk-runc under podman used the host's /run/husk-runc (its new cache images were removed)")

env_line=$(bench_env_line)
vers="podman $(podman --version 2>/dev/null | awk '{print $3}'), runc $("${RUNC:-false}" --version 2>/dev/null | awk 'NR == 1 {print $3}'), conmon $(conmon --version 2>/dev/null | awk 'NR == 1 {print $3}')"
md=$OUT/oci.md
{
	echo "<!-- bench/oci.sh; $env_line -->"
	echo "| item | runc or native | husk | ratio (husk/runc) |"
	echo "| --- | ---: | ---: | ---: |"
} >"$md"
echo
printf '%-48s %24s %24s %8s\n' item "runc or native" husk ratio
for i in "${!ROW_ITEM[@]}"; do
	# printf pads by bytes: each "–" is three, so widen by two per dash
	a=${ROW_A[$i]} b=${ROW_B[$i]}
	da=${a//[^–]/} db=${b//[^–]/}
	printf "%-48s %$((24 + 2 * ${#da}))s %$((24 + 2 * ${#db}))s %9s\n" \
		"${ROW_ITEM[$i]}" "$a" "$b" "${ROW_R[$i]}"
	echo "| ${ROW_ITEM[$i]} | $a | $b | ${ROW_R[$i]} |" >>"$md"
done
if [ ${#BD[@]} -gt 0 ]; then
	echo
	echo "podman run --rm through a timing wrapper, medians of $BREPS runs, ms:"
	printf '%-8s %-6s %8s %8s %8s %8s %14s\n' network runtime total create start delete "podman+conmon"
	{
		echo
		echo "Where podman's time goes (each runtime behind a timing wrapper; medians of $BREPS runs, ms)."
		echo "The rest includes the container's own run after start (for husk: the sandbox, and on the"
		echo "bridge its tap and tc set-up, which husk's container process does once started)."
		echo
		echo "| network | runtime | total | runtime create | runtime start | runtime delete | the rest: podman, conmon, CNI |"
		echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
	} >>"$md"
	for b in "${BD[@]}"; do
		read -r net rt tot cr st de rest <<<"$b"
		[ "$tot" = fail ] && cr=– st=– de=– rest=–
		printf '%-8s %-6s %8s %8s %8s %8s %14s\n' "$net" "$rt" "$tot" "$cr" "$st" "$de" "$rest"
		echo "| $net | $rt | $tot | $cr | $st | $de | $rest |" >>"$md"
	done
fi
{
	echo
	echo "Medians (min–max) in ms, start to exit, timed by \`bench/runner\` (fork to wait4, stdout on /dev/null)."
	echo "Runs interleaved: $WARM warm-ups of each command, then rounds of one run of each;" \
		"$REPS rounds for podman and the bundle, $HREPS for husk run (3 warm-ups)."
	echo "The program: $PROG_NOTE, as \`$PROG\`; podman's image imported offline from a tar of it."
	echo "podman: \`podman run --rm [--network none] --runtime runc|$HRUNC IMAGE $PROG\`," \
		"private storage (${DRIVER:-?}) and config ($CONF_NOTE: cgroupfs, CNI);" \
		"husk-runc's /run/husk-runc private too (a bind mount in a private mount namespace)."
	echo "Bundle: \`runc spec\` (read-only root; pid, network, ipc, uts and mount namespaces), args \`$PROG\`," \
		"\`runc --root R run --bundle B ID\` against \`husk-runc --root R run --bundle B ID\`."
	echo "$vers, on $env_line."
	for n in "${NOTES[@]+"${NOTES[@]}"}"; do echo "- note: $n"; done
} >>"$md"
echo
for n in "${NOTES[@]+"${NOTES[@]}"}"; do echo "note: $n"; done
echo "Markdown table: $md"
exit 0
