#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# deps.sh: install the Debian packages husk's build, demo and tests need,
# when they are missing. The one place that knows them.
set -euo pipefail

pkgs=(
  build-essential   # gcc, make, libc6-dev (static glibc)
  musl-tools        # musl-gcc: guest tests built against musl
  busybox-static    # a real unmodified static program to run
  perl              # prove (TAP harness)
  python3           # small test helpers; a real dynamic program to run
  sqlite3           # a real dynamic program to run (tests/host/dynamic.t)
  libpython3.11-testsuite  # CPython's own tests, run inside husk (python.t)
  e2fsprogs         # mkfs.ext4 (husk image build), e2fsck, debugfs (tests)
  libext2fs-dev     # ext4 images inside the kernel (static libext2fs.a)
  libjansson-dev    # husk run --config FILE.json (static libjansson.a)
  nginx-light       # a real server inside husk (tests/host/net.t, bench)
  redis-server      # another (tests/host/net.t, bench)
  redis-tools       # redis-cli, redis-benchmark: its clients on the host side
  curl              # fetches from servers inside husk
  iproute2          # ip netns, ip tuntap: the test networks (scripts/net.sh)
  iputils-ping      # ping a sandbox through its tap
  wrk               # nginx requests/s (bench/net.sh)
  podman            # drives husk-runc as its OCI runtime (tests/host/podman.t)
  runc              # podman's baseline runtime (crun 1.8: no hybrid cgroups)
  conmon            # podman's container monitor: calls husk-runc create
  containernetworking-plugins  # podman's CNI bridge and -p port mapping
  iptables          # CNI's bridge and portmap plugins program it
  containerd        # containerd and ctr: husk-runc as --runc-binary
  clang-format      # make format-check
  git               # format-check lists the tracked sources
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# lwIP's source, from Debian's source package (a private deb-src list: the
# system's apt configuration is left alone)
cd "$(dirname "$0")/.."
scripts/lwip-source.sh "${LWIP_DIR:-build/lwip}"
