#!/usr/bin/env bash
# net.t: husk on a tap device (--net tap:NAME,...), driven from the other
# side of the tap by the host's own tools, in a network namespace of its own
# (scripts/net.sh). From an image of the host's busybox, nginx and
# redis-server:
#   a. ping and ARP: the guest answers, with the MAC given by mac=;
#   b. curl fetches nginx's pages inside husk (1 KiB to 64 MiB, parallel,
#      keep-alive), each compared byte for byte;
#   c. bad input from the namespace side through an AF_PACKET socket on the
#      tap: random frames, runts, truncated and lying IP/TCP/UDP/ICMP/ARP
#      headers, fragments that never complete, jumbo frames, a SYN to a
#      closed port (a RST comes back) and a SYN flood; afterwards husk still
#      answers ping and curl and its RSS has not grown by 64 MiB;
#   d. the guest as a client: busybox wget from a python3 http.server in the
#      namespace, 64 MiB compared;
#   e. redis-server inside husk: redis-cli set/get (also a 1 MiB value) and
#      a short redis-benchmark;
#   f. a tap that does not exist, and a tap already in use: exit 125 with
#      one husk: line naming it.
#
# NET_NATIVE=1 runs the same checks against Linux itself: each guest
# program runs chrooted into the same tree (with /dev, /proc and a tmpfs
# /tmp, as husk gives it) in a second namespace reached through a veth
# pair with the guest's MAC and address (net.sh veth). That run must pass
# before the husk one means anything; f is husk's own and is skipped.
#
# Needs root (namespaces, taps) and, on the host: busybox-static, nginx,
# redis-server, redis-tools, curl, python3. Every program runs under a
# timeout; the namespace and every process started here go at exit.
. "$(dirname "$0")/lib.sh"
need_husk
NATIVE=${NET_NATIVE:-0}
[ "$(id -u)" -eq 0 ] || skip_all "needs root (network namespaces and tap devices)"
command -v ip >/dev/null || PATH=$PATH:/sbin:/usr/sbin
command -v ip >/dev/null || skip_all "no ip command (apt-get install iproute2)"
ip netns list >/dev/null 2>&1 || skip_all "ip netns does not work here"
[ -c /dev/net/tun ] || skip_all "no /dev/net/tun"
PY=/usr/bin/python3
for f in /bin/busybox /usr/sbin/nginx /usr/bin/redis-server /usr/bin/redis-cli \
	/usr/bin/redis-benchmark /usr/bin/curl $PY; do
	[ -x "$f" ] || skip_all "no $f (apt-get install busybox-static nginx-light redis-server redis-tools curl python3)"
done

tap_tmpdir
TAP_TIMEOUT=60
SCRIPTS=$TESTS_HOST_DIR/../../scripts
NS=husk-net-$$ TAP=hnet$$
HOSTIP=10.0.0.1 GUESTIP=10.0.0.2 MAC=02:68:75:73:6b:02
SERVE_TMO=100 # seconds a server under test may live at most
PIDS=()       # process groups started here, killed at exit

cleanup() {
	local p
	for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill -KILL -- "-$p" 2>/dev/null; done
	"$SCRIPTS/net.sh" down "$NS" >/dev/null 2>&1
	_tap_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if ! ip netns add "$NS-probe" 2>/dev/null; then
	skip_all "cannot make a network namespace (ip netns add)"
fi
ip netns del "$NS-probe"

# ---- the topology ----------------------------------------------------------

# The client side is always namespace $NS. With husk, the guest runs in
# $NS too, on $TAP; natively, in $NS-peer behind veth0.
if [ "$NATIVE" = 1 ]; then
	note "NET_NATIVE=1: the guest programs run natively, chrooted, behind a veth pair"
	"$SCRIPTS/net.sh" veth "$NS" "$HOSTIP/24" "$GUESTIP/24" &&
		ip -n "$NS-peer" link set veth0 address "$MAC"
	ok $? "net.sh veth: namespaces $NS and $NS-peer joined by a veth pair"
	IFACE=veth0 GUEST_NS=$NS-peer
else
	"$SCRIPTS/net.sh" up "$NS" "$TAP" "$HOSTIP/24"
	ok $? "net.sh up: namespace $NS with tap $TAP ($HOSTIP/24)"
	IFACE=$TAP GUEST_NS=$NS
fi
# cns CMD...: CMD on the client side
cns() { ip netns exec "$NS" "$@"; }

# ---- the image -------------------------------------------------------------

root=$TAP_TMP/root img=$TAP_TMP/net.img
"$SCRIPTS/rootfs-from-host.sh" "$root" /bin/busybox /usr/sbin/nginx \
	/usr/bin/redis-server >"$TAP_TMP/rootfs.log" 2>&1
ok $? "a root filesystem with busybox, nginx and redis-server" ||
	diag "$(cat "$TAP_TMP/rootfs.log")"
mkdir -p "$root/etc/nginx" "$root/etc/redis" "$root/srv"
# nginx in one process (no master, no daemon), logging on stderr; the
# pid file and temp directories in /tmp, a tmpfs inside husk, so the image
# may be read-only. MIME types inline: no /etc/nginx/mime.types needed.
cp "$TESTS_HOST_DIR/data/nginx.conf" "$root/etc/nginx/nginx.conf"
cat >"$root/etc/redis/redis.conf" <<'EOF'
bind 0.0.0.0
port 6379
protected-mode no
save ""
appendonly no
daemonize no
dir /tmp
EOF
# nginx's "user root" goes through getpwnam/getgrnam: files only
printf 'passwd: files\ngroup: files\nhosts: files\n' >"$root/etc/nsswitch.conf"
printf '<html><body>husk serves this page</body></html>\n' >"$root/srv/index.html"
head -c 1M /dev/urandom >"$root/srv/1m.bin"
head -c 64M /dev/urandom >"$root/srv/64m.bin"
SHA_1M=$(sha256sum <"$root/srv/1m.bin")
SHA_64M=$(sha256sum <"$root/srv/64m.bin")
if [ "$NATIVE" = 1 ]; then
	skip "its image" "NET_NATIVE=1 runs from the directory"
else
	run_husk image build "$root" -o "$img"
	is "$RC" 0 "its image"
	run_husk run --help
	like "$OUT$ERR" "--net tap:" "husk run --help lists --net tap:NAME"
fi
# shellcheck disable=SC2034 # read by lib.sh
LAST_CMD="" # the checks below run no run_cmd until f

# ---- running guests --------------------------------------------------------

# GUEST: the command prefix that runs a program of the image as the guest.
# Natively: chrooted, with the host's /dev, a /proc and a tmpfs /tmp
# (ip netns exec gives the command a mount namespace of its own, so the
# mounts go with it) and an empty environment, as husk gives.
if [ "$NATIVE" = 1 ]; then
	GUEST=(ip netns exec "$GUEST_NS" /bin/sh -c 'r=$1; shift
		mount --rbind /dev "$r/dev" && mount -t proc proc "$r/proc" &&
		mount -t tmpfs tmpfs "$r/tmp" && exec env -i /usr/sbin/chroot "$r" "$@"' sh "$root")
else
	GUEST=(ip netns exec "$NS" "$HUSK" run
		--net "tap:$TAP,mac=$MAC,ip=$GUESTIP/24,gw=$HOSTIP" --rootfs "$img:ro" --)
fi

# start NAME CMD...: run CMD in the background, in a process group of its
# own (setsid; timeout --foreground signals only its child, so a TERM
# reaches husk alone, which passes it to the program), output in
# $TAP_TMP/NAME.log. Sets SPID, the group's leader.
start() {
	local name=$1
	shift
	setsid timeout --foreground -k 5 "$SERVE_TMO" "$@" \
		</dev/null >"$TAP_TMP/$name.log" 2>&1 &
	SPID=$!
	PIDS+=("$SPID")
}
# start_guest NAME PROGRAM ARGS...: start the guest program
start_guest() {
	local name=$1
	shift
	start "$name" "${GUEST[@]}" "$@"
}

# alive PID: PID still runs (a zombie does not count)
alive() {
	[ -e "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# stop PID: TERM it, wait up to 10 s, then KILL its group; sets STOP_RC.
stop() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 100); do alive "$pid" || break; sleep 0.1; done
	alive "$pid" && kill -KILL -- "-$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	STOP_RC=$?
	kill -KILL -- "-$pid" 2>/dev/null # what is left of the group
}

# wait_for SECONDS PID CMD...: run CMD until it succeeds (0), PID dies or
# SECONDS pass (1); WAITED is the time in ms, WHY what went wrong.
wait_for() {
	local secs=$1 pid=$2 t0=${EPOCHREALTIME/./} now
	shift 2
	WHY=""
	while :; do
		"$@" >/dev/null 2>&1 && break
		now=${EPOCHREALTIME/./}
		if ! alive "$pid"; then
			wait "$pid" 2>/dev/null
			WHY="the guest exited (status $?) first"
			WAITED=$(((now - t0) / 1000))
			return 1
		fi
		if [ $(((now - t0) / 1000000)) -ge "$secs" ]; then
			WHY="no answer in ${secs}s"
			WAITED=$(((now - t0) / 1000))
			return 1
		fi
		sleep 0.05
	done
	WAITED=$(((${EPOCHREALTIME/./} - t0) / 1000))
	return 0
}

# guest_log NAME: the last lines of a guest's output, for diag
guest_log() { tail -n 15 "$TAP_TMP/$1.log" 2>/dev/null; }

# rss_kib PID: the resident memory of PID's session (setsid) in KiB (timeout,
# husk and its sandbox child; natively timeout and the server).
rss_kib() { ps -o rss= -s "$1" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }

ping1() { cns /bin/busybox ping -c 1 -W 1 "$GUESTIP"; }
get() { cns curl -sf --max-time 20 "http://$GUESTIP$1"; }
# One command substitution per command: bash 5.2 garbles a trap (the TERM
# that should end this script) run between two of them.
INDEX=$(cat "$root/srv/index.html")
index_ok() { [ "$(get /index.html)" = "$INDEX" ]; }

# ---- a. ping and ARP -------------------------------------------------------

start_guest sleep /bin/busybox sleep 60
if wait_for 15 "$SPID" ping1; then
	ok 0 "ping: the guest answers ICMP echo (first reply after ${WAITED} ms)"
	up=1
else
	ok 1 "ping: the guest answers ICMP echo"
	diag "$WHY; the guest's output:
$(guest_log sleep)"
	up=0
fi
if [ $up = 1 ]; then
	out=$(cns /bin/busybox ping -c 10 -i 0.1 -W 2 "$GUESTIP" 2>&1)
	like "$out" " 10 packets received" "10 of 10 echo requests answered"
	out=$(cns /bin/busybox ping -c 3 -i 0.1 -s 1472 -W 2 "$GUESTIP" 2>&1)
	like "$out" " 3 packets received" "full-size (1500-byte) echo requests answered"
	out=$(cns /bin/busybox ping -c 3 -i 0.1 -s 6000 -W 2 "$GUESTIP" 2>&1)
	like "$out" " 3 packets received" "6000-byte echo requests answered (IP fragments reassembled both ways)"
	out=$(cns ip neigh show "$GUESTIP" dev "$IFACE")
	like "$out" "lladdr $MAC" "the guest answers ARP with the MAC given by mac= ($MAC)"
else
	for d in "10 echo requests" "full-size echo" "6000-byte echo" "ARP"; do
		skip "$d" "the guest never answered ping"
	done
fi
stop "$SPID"
is "$STOP_RC" 143 "TERM ends the guest (busybox sleep): status 143" ||
	diag "$(guest_log sleep)"

# ---- a2. the guest's own view of its interface -------------------------------

# busybox's ip (netlink: links, addresses, routes), ifconfig (SIOCGIF*
# ioctls and /proc/net/dev) and route (/proc/net/route), run as the guest
# after the pings above, so the interface has counted packets.
GIF=eth0
[ "$NATIVE" = 1 ] && GIF=veth0
guest_out() { timeout 20 "${GUEST[@]}" "$@" 2>&1; }
out=$(guest_out /bin/busybox ip addr)
like "$out" "$GIF: <BROADCAST,MULTICAST,UP,LOWER_UP>" "ip addr: $GIF is up" || diag "$out"
like "$out" "link/ether $MAC brd ff:ff:ff:ff:ff:ff" "ip addr: $GIF has the MAC given"
# (Linux gives the veth no broadcast address: net.sh does not ask for one)
like "$out" "inet $GUESTIP/24 (brd 10.0.0.255 )?scope global $GIF" "ip addr: $GIF has $GUESTIP/24"
like "$out" "inet 127.0.0.1/8 scope host lo" "ip addr: lo has 127.0.0.1/8"
like "$out" "inet6 fe80::" "ip addr: $GIF has an IPv6 link-local address"
out=$(guest_out /bin/busybox ip route)
like "$out" "10.0.0.0/24 dev $GIF" "ip route: the subnet on $GIF" || diag "$out"
if [ "$NATIVE" = 1 ]; then
	skip "ip route: the default route" "net.sh veth gives the peer no gateway"
else
	like "$out" "default via $HOSTIP dev $GIF" "ip route: the default route via gw="
fi
if [ "$NATIVE" = 1 ]; then
	skip "ip addr add is refused" "natively root may change its interfaces"
else
	out=$(guest_out /bin/busybox ip addr add 10.0.0.9/24 dev "$GIF")
	like "$out" "RTNETLINK answers: Operation not permitted" \
		"ip addr add is refused: the sandbox cannot change its interfaces (EPERM)"
fi
out=$(guest_out /bin/busybox ifconfig "$GIF")
like "$out" "inet addr:$GUESTIP  (Bcast:[0-9.]+  )?Mask:255.255.255.0" \
	"ifconfig $GIF: address and mask" || diag "$out"
like "$out" "HWaddr ${MAC^^}" "ifconfig $GIF: the MAC"
# A guest is one process (no fork yet), so it reads its counters before
# any traffic but its own start: the ARP announcement it sends.
tx=$(guest_out /bin/busybox cat /proc/net/dev | awk -v i="$GIF:" '$1 == i { print $11 }')
ok "$([ "${tx:-0}" -gt 0 ]; echo $?)" "/proc/net/dev counts the packets sent on $GIF (${tx:-none})"
out=$(guest_out /bin/busybox route -n)
like "$out" "10.0.0.0 +0.0.0.0 +255.255.255.0 +U " "route -n reads /proc/net/route" ||
	diag "$out"

# ---- b. nginx inside, curl outside -----------------------------------------

start_guest nginx /usr/sbin/nginx -c /etc/nginx/nginx.conf
NGINX=$SPID
if wait_for 20 "$NGINX" index_ok; then
	ok 0 "curl fetches /index.html from nginx in the guest, the same bytes (first after ${WAITED} ms)"
	up=1
else
	ok 1 "curl fetches /index.html from nginx in the guest"
	diag "$WHY; nginx's output:
$(guest_log nginx)"
	up=0
fi
if [ $up = 1 ]; then
	got=$(get /1m.bin | sha256sum)
	is "$got" "$SHA_1M" "the 1 MiB file, sha256 matches"
	t0=${EPOCHREALTIME/./}
	got=$(get /64m.bin | sha256sum)
	t1=${EPOCHREALTIME/./}
	is "$got" "$SHA_64M" "the 64 MiB file, sha256 matches"
	note "64 MiB from the guest in $(((t1 - t0) / 1000)) ms"
	mkdir -p "$TAP_TMP/par"
	cns curl -sf --no-progress-meter --max-time 30 --parallel --parallel-max 16 \
		"http://$GUESTIP/1m.bin?[1-16]" -o "$TAP_TMP/par/f#1"
	rc=$?
	bad=0
	for i in $(seq 16); do
		[ "$(sha256sum <"$TAP_TMP/par/f$i" 2>/dev/null)" = "$SHA_1M" ] || bad=$((bad + 1))
	done
	is "$rc:$bad" "0:0" "16 parallel downloads of the 1 MiB file, all intact"
	# one connection, many requests (curl reuses it for the same host)
	urls=()
	for i in $(seq 50); do urls+=("http://$GUESTIP/index.html"); done
	got=$(cns curl -sf --max-time 20 "${urls[@]}" | sha256sum)
	want=$(for i in $(seq 50); do cat "$root/srv/index.html"; done | sha256sum)
	is "$got" "$want" "50 requests on one keep-alive connection"
	out=$(cns curl -s --max-time 10 -o /dev/null -w '%{http_code}' "http://$GUESTIP/missing")
	is "$out" 404 "a missing file: 404"
else
	for d in "1 MiB" "64 MiB" "parallel" "keep-alive" "404"; do
		skip "$d" "nginx never answered"
	done
fi

# ---- c. bad input, with nginx still up -------------------------------------

# inject.py IFACE GUEST_MAC GUEST_IP HOST_IP MODE [ARG]: hand-built frames
# sent from the client side through an AF_PACKET socket on IFACE.
cat >"$TAP_TMP/inject.py" <<'PY'
import errno, os, random, socket, struct, sys, time

iface, gmac_s, gip_s, hip_s, mode = sys.argv[1:6]
arg = int(sys.argv[6]) if len(sys.argv) > 6 else 0
gmac = bytes.fromhex(gmac_s.replace(":", ""))
hmac = bytes.fromhex(open(f"/sys/class/net/{iface}/address").read().strip().replace(":", ""))
gip, hip = socket.inet_aton(gip_s), socket.inet_aton(hip_s)
BCAST = b"\xff" * 6
FIN, SYN, RST, PSH, ACK, URG = 1, 2, 4, 8, 16, 32
rnd = random.Random(1)

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF

def eth(payload, typ=0x0800, dst=gmac, src=hmac):
    return dst + src + struct.pack("!H", typ) + payload

def ip4(payload, proto=6, src=hip, dst=gip, ihl=5, tot=None, frag=0, ttl=64,
        ver=4, opts=b"", ident=None, bad_sum=False):
    if tot is None:
        tot = 20 + len(opts) + len(payload)
    ident = rnd.getrandbits(16) if ident is None else ident
    h = struct.pack("!BBHHHBBH4s4s", ver << 4 | ihl, 0, tot & 0xFFFF, ident,
                    frag, ttl, proto, 0, src, dst) + opts
    c = csum(h) ^ (0x5555 if bad_sum else 0)
    return h[:10] + struct.pack("!H", c) + h[12:] + payload

def l4sum(proto, seg, src=hip, dst=gip):
    return csum(src + dst + struct.pack("!BBH", 0, proto, len(seg)))

def tcp(dport, flags, sport=None, seq=None, ack=0, payload=b"", off=None,
        opts=b"", src=hip, dst=gip, win=65535):
    sport = rnd.randint(1024, 65535) if sport is None else sport
    seq = rnd.getrandbits(32) if seq is None else seq
    off = (20 + len(opts)) // 4 if off is None else off
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags,
                    win, 0, 0) + opts
    seg = h + payload
    c = csum(src + dst + struct.pack("!BBH", 0, 6, len(seg)) + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]

def udp(dport, payload=b"", ulen=None, sport=None):
    sport = rnd.randint(1024, 65535) if sport is None else sport
    ulen = 8 + len(payload) if ulen is None else ulen
    return struct.pack("!HHHH", sport, dport, ulen & 0xFFFF, 0) + payload

def icmp(typ, code=0, body=b"", bad_sum=False):
    h = struct.pack("!BBH", typ, code, 0) + body
    c = csum(h) ^ (0x5555 if bad_sum else 0)
    return h[:2] + struct.pack("!H", c) + h[4:]

def arp(op, sha=hmac, spa=hip, tha=b"\0" * 6, tpa=gip, hlen=6, plen=4):
    return struct.pack("!HHBBH", 1, 0x0800, hlen, plen, op) + sha + spa + tha + tpa

def rand_ip():  # never the host's or the guest's own address
    while True:
        a = os.urandom(4)
        if a not in (hip, gip):
            return a

sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sock.bind((iface, 0))
sent = refused = 0

def send(frame):
    global sent, refused
    for _ in range(200):
        try:
            sock.send(frame)
            sent += 1
            return
        except OSError as e:
            if e.errno in (errno.ENOBUFS, errno.EAGAIN):
                time.sleep(0.001)
                continue
            refused += 1  # the host kernel would not send it (runt, too big)
            return
    refused += 1

def garbage():
    # random bytes after a valid Ethernet header, 60 to 1514 bytes
    types = [0x0800, 0x0800, 0x0806, 0x86DD, 0x8100, 0x88CC]
    for i in range(3000):
        body = bytearray(os.urandom(rnd.randint(46, 1500)))
        typ = rnd.choice(types + [rnd.getrandbits(16)])
        if typ == 0x0806:
            body[14:18] = rand_ip()  # never claim the host's address
        if typ == 0x0800 and i % 2:
            body[0] = 0x45  # parsed further as IPv4
            body[12:16] = rand_ip()
        send(eth(bytes(body), typ, dst=rnd.choice([gmac, gmac, BCAST])))
    # wholly random frames, any destination
    for i in range(300):
        send(os.urandom(rnd.randint(14, 1514)))
    # runts: the host kernel refuses those under 14 bytes (a 5-byte frame
    # cannot be sent through AF_PACKET); headers alone and a few bytes more
    for n in range(0, 14):
        send(gmac[:n] + os.urandom(max(0, n - 6)))
    for typ in (0x0800, 0x0806, 0x86DD):
        for extra in range(0, 8):
            send(eth(os.urandom(extra), typ))
    # a valid SYN to port 80, cut at every length
    syn = eth(ip4(tcp(80, SYN)))
    for n in range(15, len(syn)):
        send(syn[:n])
    # IPv4 headers that lie
    seg = tcp(80, SYN)
    for tot in (0, 1, 19, 20, 21, 39, 41, 576, 1500, 65535):
        send(eth(ip4(seg, tot=tot)))
    for ihl in (0, 1, 4, 6, 15):
        send(eth(ip4(seg, ihl=ihl)))
    send(eth(ip4(seg, ihl=15, opts=os.urandom(40))))
    send(eth(ip4(seg, ihl=7, opts=b"\x07\x00" + os.urandom(6))))  # option length 0
    send(eth(ip4(seg, ihl=6, opts=b"\x44\xff\x05\x00")))          # option longer than the header
    for ver in (0, 5, 6, 15):
        send(eth(ip4(seg, ver=ver)))
    send(eth(ip4(seg, bad_sum=True)))
    send(eth(ip4(seg, ttl=0)))
    for proto in range(256):
        send(eth(ip4(os.urandom(rnd.randint(0, 64)), proto=proto)))
    # odd addresses: from broadcast, multicast, the guest itself (LAND), to others
    for src in (b"\xff" * 4, b"\xe0\0\0\1", b"\0" * 4, gip, b"\x7f\0\0\1"):
        send(eth(ip4(tcp(80, SYN, sport=80, src=src), src=src)))
    for dst in (b"\x0a\0\0\xff", b"\xff" * 4, b"\x0a\0\0\x63", b"\x08\x08\x08\x08"):
        send(eth(ip4(icmp(8, body=os.urandom(32)), proto=1, dst=dst)))
        send(eth(ip4(udp(9, os.urandom(20)), proto=17, dst=dst)))
    # fragments: first pieces that never complete, overlapping pieces,
    # one past 65535 bytes, a datagram in 8-byte pieces
    for i in range(300):
        send(eth(ip4(udp(9, os.urandom(100)), proto=17, frag=0x2000, ident=i)))
    for off in (0, 1, 2, 1, 0, 3):
        send(eth(ip4(os.urandom(64), proto=17, frag=0x2000 | off, ident=7777)))
    send(eth(ip4(os.urandom(100), proto=1, frag=8189, ident=7778)))
    send(eth(ip4(os.urandom(100), proto=1, frag=0x1FFF, ident=7779)))
    for off in range(0, 1000):
        send(eth(ip4(os.urandom(8), proto=1, frag=0x2000 | off, ident=7780)))
    # TCP headers that lie, to the listening port and to closed ones
    for port in (80, rnd.randint(1024, 65535)):
        for off in (0, 1, 4, 15):
            send(eth(ip4(tcp(port, SYN, off=off))))
        for opts in (b"\x02\x00\x00\x00", b"\x02\x01\x00\x00", b"\x02\xff\x05\xb4",
                     b"\x03\x03\xff\x00", b"\x02\x04\x00\x00", b"\x08\x0a" + b"\0" * 10,
                     b"\x05\x02\x00\x00", os.urandom(40)):
            send(eth(ip4(tcp(port, SYN, opts=opts.ljust((len(opts) + 3) // 4 * 4, b"\0")))))
        for flags in (0, 0xFF, SYN | FIN, SYN | RST, FIN | URG | PSH, RST, ACK, FIN):
            send(eth(ip4(tcp(port, flags, ack=rnd.getrandbits(32)))))
        send(eth(ip4(tcp(port, SYN, payload=os.urandom(1000)))))
        send(eth(ip4(tcp(port, ACK | PSH, payload=b"GET / HTTP/1.0\r\n\r\n"))))
        seg = bytearray(tcp(port, SYN))
        seg[16] ^= 0xFF  # bad checksum
        send(eth(ip4(bytes(seg))))
    # UDP headers that lie
    for ulen in (0, 1, 7, 9, 1000, 65535):
        send(eth(ip4(udp(rnd.randint(1, 65535), os.urandom(20), ulen=ulen), proto=17)))
    for port in (53, 67, 68, 123, 137, 5353, 9):
        send(eth(ip4(udp(port, os.urandom(rnd.randint(0, 1400))), proto=17)))
    # ICMP: truncated, bad checksum, every type (redirects left out: a
    # valid one may rightly change the route)
    for n in range(0, 8):
        send(eth(ip4(icmp(8)[:n], proto=1)))
    send(eth(ip4(icmp(8, body=os.urandom(56), bad_sum=True), proto=1)))
    for typ in range(256):
        if typ != 5:
            send(eth(ip4(icmp(typ, rnd.randint(0, 255), os.urandom(rnd.randint(0, 100))), proto=1)))
    send(eth(ip4(icmp(3, 4, b"\0\0\x00\x44" + ip4(tcp(80, ACK), src=gip, dst=hip)[:28]), proto=1)))
    # ARP that lies, never about the host's address
    other = b"\x0a\0\0\x4d"
    fake = b"\x02\x11\x22\x33\x44\x55"
    for hlen, plen in ((0, 4), (6, 0), (255, 255), (6, 16)):
        send(eth(arp(1, sha=fake, spa=other, hlen=hlen, plen=plen), 0x0806, BCAST, fake))
    for op in (0, 3, 4, 65535):
        send(eth(arp(op, sha=fake, spa=other), 0x0806, BCAST, fake))
    send(eth(arp(1, sha=fake, spa=other)[:20], 0x0806, BCAST, fake))
    send(eth(arp(1, sha=fake, spa=other), 0x0806, BCAST, fake))    # a request from a newcomer
    send(eth(arp(2, sha=fake, spa=other, tha=gmac), 0x0806, gmac, fake))  # an unasked reply
    send(eth(arp(1, sha=BCAST, spa=other), 0x0806, BCAST, fake))  # a broadcast sender

def jumbo():
    # frames longer than 1514 bytes (the caller raised IFACE's MTU)
    for n in (1515, 1518, 1600, 4000, 9014):
        send(eth(os.urandom(n - 14)))
        send(eth(ip4(icmp(8, body=os.urandom(n - 14 - 28)), proto=1)))
        send(eth(ip4(tcp(80, ACK | PSH, payload=os.urandom(n - 14 - 40)))))
        send(eth(ip4(udp(9, os.urandom(n - 14 - 28)), proto=17)))

def synflood(n):
    # SYNs to port 80 from random ports of the host (whose kernel answers
    # the SYN-ACKs with RSTs) and, one in ten, from absent neighbours
    # (the guest's ARP requests go unanswered)
    for i in range(n):
        if i % 10:
            send(eth(ip4(tcp(80, SYN, opts=b"\x02\x04\x05\xb4"))))
        else:
            src = bytes([10, 0, 0, 100 + i % 100])
            send(eth(ip4(tcp(80, SYN, src=src), src=src), src=b"\x02\x66" + src))

def closed(port):
    # a SYN to a closed port must bring a RST back
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    rx.bind((iface, 0x0800))
    rx.settimeout(0.2)
    sport = rnd.randint(20000, 60000)
    deadline = time.time() + 3
    next_send = 0
    while time.time() < deadline:
        if time.time() >= next_send:
            send(eth(ip4(tcp(port, SYN, sport=sport))))
            next_send = time.time() + 0.5
        try:
            f = rx.recv(2048)
        except socket.timeout:
            continue
        if len(f) < 54 or f[23] != 6 or f[26:30] != gip:
            continue
        ihl = (f[14] & 15) * 4
        t = f[14 + ihl:]
        sp, dp = struct.unpack("!HH", t[:4])
        if sp == port and dp == sport and t[13] & RST:
            print("rst=1")
            return 0
    print("rst=0")
    return 1

rc = 0
if mode == "garbage":
    garbage()
elif mode == "jumbo":
    jumbo()
elif mode == "synflood":
    synflood(arg)
elif mode == "closed":
    rc = closed(arg)
else:
    sys.exit("inject.py: unknown mode " + mode)
print(f"sent={sent} refused={refused}")
sys.exit(rc)
PY
inject() { cns timeout -k 5 60 $PY "$TAP_TMP/inject.py" "$IFACE" "$MAC" "$GUESTIP" "$HOSTIP" "$@"; }

if [ $up = 1 ]; then
	rss0=$(rss_kib "$NGINX")
	out=$(inject garbage 2>&1)
	like "$out" "sent=[0-9]{4}" "about 6000 frames of garbage, runts and lying headers sent into the tap" ||
		diag "$out"
	note "garbage: $out (refused: frames the host kernel would not send)"
	# the tap takes frames of any size from this side; a veth only up to
	# its peer's MTU, so natively both ends are raised
	mtu() {
		cns ip link set "$IFACE" mtu "$1" &&
			{ [ "$NATIVE" != 1 ] || ip -n "$GUEST_NS" link set veth0 mtu "$1"; }
	}
	mtu 9000 && out=$(inject jumbo 2>&1)
	rc=$?
	mtu 1500
	is "$rc:$(grep -c '^sent=20 ' <<<"$out")" "0:1" "20 frames of 1515 to 9014 bytes sent (MTU raised)" ||
		diag "$out"
	out=$(inject closed 9 2>&1)
	like "$out" "rst=1" "a SYN to a closed port brings a RST back"
	t0=${EPOCHREALTIME/./}
	out=$(inject synflood 20000 2>&1)
	t1=${EPOCHREALTIME/./}
	like "$out" "sent=[0-9]{5}" "a flood of 20000 SYNs to port 80 sent in $(((t1 - t0) / 1000)) ms" ||
		diag "$out"
	note "synflood: $out"
	if wait_for 30 "$NGINX" ping1; then
		ok 0 "afterwards the guest still answers ping (after ${WAITED} ms)"
	else
		ok 1 "afterwards the guest still answers ping"
		diag "$WHY; nginx's output:
$(guest_log nginx)"
	fi
	# Half-open connections from the absent neighbours fill the listen
	# backlog; Linux answers at once (SYN cookies), husk drops half-open
	# connections older than a second while a backlog is full.
	if wait_for 45 "$NGINX" index_ok; then
		ok 0 "afterwards nginx still serves /index.html (after ${WAITED} ms)"
		ok $((WAITED < 3000 ? 0 : 1)) "within 3 s of the flood (Linux: at once)"
		got=$(get /1m.bin | sha256sum)
		is "$got" "$SHA_1M" "and the 1 MiB file, intact"
	else
		ok 1 "afterwards nginx still serves /index.html"
		diag "$WHY; nginx's output:
$(guest_log nginx)"
		skip "within 2 s" "nginx does not answer"
		skip "the 1 MiB file afterwards" "nginx does not answer"
	fi
	rss1=$(rss_kib "$NGINX")
	note "RSS before the bad input ${rss0} KiB, after ${rss1} KiB"
	cmp_ok $((rss1 - rss0)) -lt 65536 "RSS grew by less than 64 MiB (${rss0} -> ${rss1} KiB)"
else
	for d in garbage jumbo closed-port synflood ping curl 2s 1m rss; do
		skip "bad input: $d" "nginx never answered"
	done
fi
stop "$NGINX"
is "$STOP_RC" 0 "TERM stops nginx cleanly: status 0" || diag "$(guest_log nginx)"

# ---- d. the guest as a client ----------------------------------------------

start pyhttp ip netns exec "$NS" $PY -m http.server 8000 --bind "$HOSTIP" --directory "$root/srv"
HTTPD=$SPID
if wait_for 10 "$HTTPD" cns curl -sf --max-time 2 -o /dev/null "http://$HOSTIP:8000/index.html"; then
	# guest_get FILE: the guest's busybox wget -O - of FILE into $TAP_TMP/got
	guest_get() {
		timeout -k 5 "$TAP_TIMEOUT" "${GUEST[@]}" /bin/busybox wget -q -O - \
			"http://$HOSTIP:8000/$1" >"$TAP_TMP/got" 2>"$TAP_TMP/wget.err"
	}
	guest_get 1m.bin
	rc=$?
	is "$rc:$(sha256sum <"$TAP_TMP/got")" "0:$SHA_1M" \
		"the guest's busybox wget fetches 1 MiB from a server in the namespace, intact" ||
		diag "wget's stderr: $(head -c 2000 "$TAP_TMP/wget.err")"
	t0=${EPOCHREALTIME/./}
	guest_get 64m.bin
	rc=$?
	t1=${EPOCHREALTIME/./}
	is "$rc:$(sha256sum <"$TAP_TMP/got")" "0:$SHA_64M" \
		"and 64 MiB, intact" ||
		diag "wget's stderr: $(head -c 2000 "$TAP_TMP/wget.err")"
	[ "$rc" = 0 ] && note "64 MiB to the guest in $(((t1 - t0) / 1000)) ms"
	rm -f "$TAP_TMP/got"
else
	ok 1 "python3 http.server in the namespace answers (the host side, not husk)"
	diag "$WHY: $(guest_log pyhttp)"
	skip "64 MiB to the guest" "no server on the host side"
fi
stop "$HTTPD"

# ---- e. redis-server inside ------------------------------------------------

rcli() { cns timeout -k 5 20 redis-cli -h "$GUESTIP" "$@"; }
pong() { [ "$(rcli ping 2>/dev/null)" = PONG ]; }
start_guest redis /usr/bin/redis-server /etc/redis/redis.conf
REDIS=$SPID
if wait_for 20 "$REDIS" pong; then
	ok 0 "redis-cli ping: PONG from redis-server in the guest (after ${WAITED} ms)"
	is "$(rcli set k v 2>&1)" OK "redis-cli set k v"
	is "$(rcli get k 2>&1)" v "redis-cli get k: v"
	rcli -x set big <"$root/srv/1m.bin" >/dev/null 2>&1
	got=$(rcli --raw get big 2>/dev/null | head -c 1M | sha256sum)
	is "$got" "$SHA_1M" "a 1 MiB value set and got back, intact"
	out=$(cns timeout -k 5 60 redis-benchmark -h "$GUESTIP" -q -n 2000 -t set,get 2>&1 | tr '\r' '\n')
	like "$out" "SET: [0-9.]+ requests per second" "redis-benchmark -n 2000: SET completes" ||
		diag "$out"
	like "$out" "GET: [0-9.]+ requests per second" "redis-benchmark -n 2000: GET completes"
	note "$(grep 'requests per second' <<<"$out")"
else
	ok 1 "redis-cli ping: PONG from redis-server in the guest"
	diag "$WHY; redis-server's output:
$(guest_log redis)"
	for d in set get 1m bench-set bench-get; do skip "redis $d" "redis-server never answered"; done
fi
stop "$REDIS"
is "$STOP_RC" 0 "TERM stops redis-server cleanly: status 0" || diag "$(guest_log redis)"

# ---- f. taps that cannot be used -------------------------------------------

if [ "$NATIVE" = 1 ]; then
	skip "a missing tap" "husk only"
	skip "a tap in use" "husk only"
else
	run_cmd ip netns exec "$NS" "$HUSK" run --net "tap:nosuch$$,ip=$GUESTIP/24" \
		--rootfs "$img:ro" /bin/busybox true
	is "$RC" 125 "a tap that does not exist: exit 125"
	one_husk_line "$ERR" "one husk: line"
	like "$ERR" "nosuch$$" "naming the tap"
	start_guest first /bin/busybox sleep 60
	FIRST=$SPID
	carrier() { [ "$(cns cat "/sys/class/net/$TAP/carrier" 2>/dev/null)" = 1 ]; }
	if wait_for 15 "$FIRST" carrier; then
		run_cmd "${GUEST[@]}" /bin/busybox true
		is "$RC" 125 "the same tap while another husk holds it: exit 125"
		one_husk_line "$ERR" "one husk: line"
		like "$ERR" "$TAP" "naming the tap"
		alive "$FIRST"
		ok $? "the first husk keeps running"
	else
		ok 1 "a first husk opens the tap (carrier up)"
		diag "$WHY; its output: $(guest_log first)"
	fi
	stop "$FIRST"
fi

done_testing
