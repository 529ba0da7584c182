# SPDX-License-Identifier: MIT
# bench/lib.sh: what bench/run.sh, net.sh and oci.sh share (sourced).

# ratio N H: H/N as "1.23×", or "–" when either is not a number.
ratio() {
	if [[ $1 =~ ^[0-9.]+$ && $2 =~ ^[0-9.]+$ ]]; then
		awk -v n="$1" -v h="$2" 'BEGIN { if (n > 0) printf "%.2f×", h / n; else print "–" }'
	else
		echo "–"
	fi
}

# The machine a table was measured on, for its header.
bench_env_line() {
	local cpu
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	echo "$(uname -sr), ${cpu:-unknown CPU}, $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
}
