#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# net.sh: network namespaces for husk's networking tests and benchmarks.
# Needs root (ip netns, ip tuntap). Every command is idempotent.
#
#   net.sh up NS TAP HOSTIP/LEN
#       Namespace NS (made if missing) with lo up and a tap device TAP in
#       it, holding HOSTIP/LEN on the namespace's side. husk then runs in NS
#       and opens TAP as the guest's interface (it never makes one itself):
#           ip netns exec NS husk run --net tap:TAP,ip=GUESTIP/LEN,gw=HOSTIP ...
#       Until husk opens TAP it has no carrier (NO-CARRIER), so its route is
#       "linkdown"; that is expected.
#
#   net.sh veth NS HOSTIP/LEN PEERIP/LEN
#       The native twin of that topology: NS (made if missing) holds veth0
#       with HOSTIP/LEN, and namespace NS-peer holds the other end, also
#       named veth0, with PEERIP/LEN, in place of the guest. Clients run in
#       NS and servers in NS-peer, with the same addresses as with a tap.
#       (NS must not also hold a tap on the same subnet: use another NS.)
#
#   net.sh down NS
#       Stops the processes still running in NS and NS-peer (TERM, then
#       KILL after 2 s) and deletes both namespaces, with their devices.
#
# Exit status: 0, 1 when a step fails (one "net.sh:" line says which), 2 on
# bad usage.
set -euo pipefail

die() { echo "net.sh: $*" >&2; exit 1; }
usage() {
	echo "usage: net.sh up NS TAP HOSTIP/LEN | veth NS HOSTIP/LEN PEERIP/LEN | down NS" >&2
	exit 2
}
# run CMD...: run CMD, or die naming it with its own message
run() {
	local err
	err=$("$@" 2>&1) || die "$* failed: ${err:-no message}"
}

[ "$(id -u)" -eq 0 ] || die "needs root (ip netns, ip tuntap)"
command -v ip >/dev/null || PATH=$PATH:/sbin:/usr/sbin
command -v ip >/dev/null || die "no ip command (apt-get install iproute2)"

ns_exists() { [ -e "/run/netns/$1" ]; }
ns_make() {
	ns_exists "$1" || run ip netns add "$1"
	run ip -n "$1" link set lo up
}
link_exists() { ip -n "$1" link show dev "$2" >/dev/null 2>&1; }
check_name() { # an interface name: 1 to 15 bytes (IFNAMSIZ), no / or space
	[[ $1 =~ ^[^/[:space:]]{1,15}$ ]] || die "$1: not a valid interface name (1 to 15 characters)"
}
check_cidr() {
	[[ $1 =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$ ]] || die "$1: not an IPv4 address with a prefix length (10.0.0.1/24)"
}

# stop_pids NS: TERM the processes in NS, KILL what is left 2 s later.
stop_pids() {
	local pids
	ns_exists "$1" || return 0
	pids=$(ip netns pids "$1" 2>/dev/null || true)
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null || true
	for _ in $(seq 20); do
		pids=$(ip netns pids "$1" 2>/dev/null || true)
		[ -n "$pids" ] || return 0
		sleep 0.1
	done
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null || true
}

cmd=${1:-}
case $cmd in
up)
	[ $# -eq 4 ] || usage
	ns=$2 tap=$3 hostip=$4
	check_name "$tap"
	check_cidr "$hostip"
	[ -c /dev/net/tun ] || die "no /dev/net/tun (modprobe tun)"
	ns_make "$ns"
	if link_exists "$ns" "$tap"; then
		# ip -d names the kind: "tun type tap"
		ip -n "$ns" -d link show dev "$tap" | grep -q 'tun type tap' ||
			die "$tap in $ns exists and is not a tap device"
	else
		run ip -n "$ns" tuntap add dev "$tap" mode tap
	fi
	run ip -n "$ns" addr replace "$hostip" dev "$tap"
	run ip -n "$ns" link set "$tap" up
	;;
veth)
	[ $# -eq 4 ] || usage
	ns=$2 peer=$2-peer hostip=$3 peerip=$4
	check_cidr "$hostip"
	check_cidr "$peerip"
	ns_make "$ns"
	ns_make "$peer"
	if ! link_exists "$ns" veth0; then
		link_exists "$peer" veth0 && run ip -n "$peer" link del veth0
		run ip -n "$ns" link add veth0 type veth peer name veth0 netns "$peer"
	fi
	link_exists "$peer" veth0 || die "veth0 in $ns is not paired with veth0 in $peer: run net.sh down $ns first"
	run ip -n "$ns" addr replace "$hostip" dev veth0
	run ip -n "$peer" addr replace "$peerip" dev veth0
	run ip -n "$ns" link set veth0 up
	run ip -n "$peer" link set veth0 up
	;;
down)
	[ $# -eq 2 ] || usage
	ns=$2
	for n in "$ns" "$ns-peer"; do
		stop_pids "$n"
		if ns_exists "$n"; then run ip netns del "$n"; fi
	done
	;;
*)
	usage
	;;
esac
