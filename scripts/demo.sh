#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# demo.sh: unmodified programs inside husk: from the host, then from an
# ext4 root filesystem image made from a directory.
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

# A tiny root filesystem: busybox and its applet links, a file to read.
root=$(mktemp -d) img=$(mktemp -u /tmp/husk-demo-XXXXXX.img)
trap 'rm -rf "$root" "$img"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/dev" "$root/proc"
cp /bin/busybox "$root/bin/"
for a in sh ls cat uname df; do ln -s busybox "$root/bin/$a"; done
echo "this file lives in an ext4 image" >"$root/etc/motd"
show image build "$root" -o "$img"
show run --rootfs "$img" cat /etc/motd
show run --rootfs "$img" ls -l / /bin /proc/self/
# Debian's own python3, dynamic, from an image of the host's files
py=$(mktemp -d) pyimg=$(mktemp -u /tmp/husk-demo-py-XXXXXX.img)
trap 'rm -rf "$root" "$img" "$py" "$pyimg"' EXIT
pylib=$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
printf '\n$ scripts/rootfs-from-host.sh py/ /usr/bin/python3 %s\n' "$pylib"
scripts/rootfs-from-host.sh "$py" /usr/bin/python3 "$pylib" >/dev/null
"$HUSK" image build "$py" -o "$pyimg" >/dev/null
show run --rootfs "$pyimg:ro" --env HOME=/root /usr/bin/python3 -c \
  "import threading, platform; t = threading.Thread(target=lambda: print('hello from a thread of', platform.python_implementation(), platform.python_version())); t.start(); t.join()"

# Networking: nginx, Debian's, serving from inside husk on a tap in a
# network namespace of its own (needs root for the namespace)
if [ "$(id -u)" = 0 ] && command -v nginx >/dev/null && command -v curl >/dev/null; then
  ns=husk-demo-$$ web=$(mktemp -d)
  trap 'scripts/net.sh down "$ns" >/dev/null 2>&1; rm -rf "$root" "$img" "$py" "$pyimg" "$web"' EXIT
  scripts/rootfs-from-host.sh "$web" "$(command -v nginx)" >/dev/null
  mkdir -p "$web/srv" "$web/etc/nginx" "$web/var/lib/nginx"
  echo "hello from nginx inside husk" >"$web/srv/index.html"
  cat >"$web/etc/nginx/nginx.conf" <<'CONF'
daemon off; master_process off; worker_processes 1; user root;
error_log stderr; pid /tmp/nginx.pid;
events {}
http { access_log off; server { listen 80; root /srv; } }
CONF
  scripts/net.sh up "$ns" tap0 10.0.0.1/24 >/dev/null
  printf '
$ scripts/net.sh up %s tap0 10.0.0.1/24
' "$ns"
  printf '$ ip netns exec %s husk run --net tap:tap0,ip=10.0.0.2/24 --rootfs web/ /usr/sbin/nginx &
' "$ns"
  ip netns exec "$ns" timeout 20 "$HUSK" run --net tap:tap0,ip=10.0.0.2/24 \
    --rootfs "$web" "$(command -v nginx)" &
  printf '$ ip netns exec %s curl http://10.0.0.2/
' "$ns"
  for _ in $(seq 50); do
    ip netns exec "$ns" curl -sf --max-time 1 http://10.0.0.2/ && break
    sleep 0.1
  done
  kill %% 2>/dev/null
  wait 2>/dev/null
fi

set +e
"$HUSK" run /bin/busybox false
printf '\n$ husk run /bin/busybox false; echo $?\n%s\n' "$?"
