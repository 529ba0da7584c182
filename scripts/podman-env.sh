#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# podman-env.sh DIR: a private configuration for podman and containerd, to
# drive husk-runc from them (tests/host/podman.t) without touching /etc.
#
# Writes into DIR:
#   containers.conf  podman's engine settings (CONTAINERS_CONF)
#   storage.conf     images and containers under DIR/storage
#                    (CONTAINERS_STORAGE_CONF): overlay when the kernel
#                    mounts it on DIR's filesystem, else vfs
#   containerd.toml  containerd with its root, state and sockets under
#                    DIR/ctrd (start it with containerd --config ...)
#   env.sh           the variables above, to source; its path is printed
#
# Settings, and why (build/oci-research/REPORT.md has the details):
# - cgroup_manager cgroupfs, events_logger file: there may be no systemd.
# - default_ulimits at most the hard limits podman runs with: its defaults
#   (nofile 1048576) fail in setrlimit without CAP_SYS_RESOURCE.
# - runtime runc: crun 1.8 refuses a hybrid cgroup layout.
# - runtime_supports_json names husk-runc: podman passes --log FILE and
#   --log-format=json only to runtimes it finds there (by the basename of
#   --runtime PATH), and reads a failed create's error from that file.
# - network_backend cni: Debian's containernetworking-plugins and its
#   /etc/cni/net.d/87-podman-bridge.conflist (bridge cni-podman0).
# - tmp_dir under DIR: podman's run state (exits/, events) stays private.
# Left global, as podman and CNI make them: the bridge cni-podman0, the
# CNI chains in iptables and /var/lib/cni/networks (the addresses given).
set -euo pipefail

D=${1:?usage: podman-env.sh DIR}
mkdir -p "$D"
D=$(cd "$D" && pwd -P)
RUNC=$(cd "$(dirname "$0")/.." && pwd)/build/husk-runc

# Overlay on DIR's filesystem? (not on overlayfs itself, as in a Docker
# container; needs the overlay module)
driver=vfs
o=$(mktemp -d "$D/.ovl.XXXXXX")
mkdir "$o/l" "$o/u" "$o/w" "$o/m"
if mount -t overlay overlay -o "lowerdir=$o/l,upperdir=$o/u,workdir=$o/w" \
	"$o/m" 2>/dev/null; then
	umount "$o/m"
	driver=overlay
fi
rm -rf "$o"

nofile=$(ulimit -Hn)
[ "$nofile" = unlimited ] && nofile=1048576
nproc=$(ulimit -Hu) # podman lowers its own to 32768
{ [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768

cat >"$D/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$D/libpod"
runtime = "runc"
runtime_supports_json = ["crun", "runc", "husk-runc"]
[engine.runtimes]
husk-runc = ["$RUNC"]
[network]
network_backend = "cni"
EOF

cat >"$D/storage.conf" <<EOF
[storage]
driver = "$driver"
graphroot = "$D/storage/graph"
runroot = "$D/storage/run"
EOF

mkdir -p "$D/ctrd"
cat >"$D/containerd.toml" <<EOF
version = 2
root = "$D/ctrd/root"
state = "$D/ctrd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$D/ctrd/containerd.sock"
[ttrpc]
  address = "$D/ctrd/containerd.sock.ttrpc"
[debug]
  address = "$D/ctrd/debug.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$D/ctrd/opt"
EOF

cat >"$D/env.sh" <<EOF
export CONTAINERS_CONF=$D/containers.conf
export CONTAINERS_STORAGE_CONF=$D/storage.conf
export CONTAINERD_ADDRESS=$D/ctrd/containerd.sock
EOF
echo "$D/env.sh"
