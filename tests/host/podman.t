#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/host/podman.t: husk-runc under real container engines, Debian's
# podman 4.3 (podman --runtime build/husk-runc) and containerd's ctr
# (--runc-binary). podman: echo hello; exit statuses (7, 0, 127 for a
# missing program); run -d, stop, rm; kill (137); -p to nginx fetched with
# curl from the host; --memory reaching the guest; --network none; -i with
# stdin piped; -t (a pty: stty works, CRLF); podman's /etc/hostname and
# /etc/hosts inside; husk containers one after another in a network
# namespace that runc's container holds (as a pod's). ctr: echo hello and
# an exit status. Afterwards: no container left in podman, in husk-runc's
# state, or in CNI's iptables.
#
# Everything podman and containerd keep is in the temp dir
# (scripts/podman-env.sh: CONTAINERS_CONF, CONTAINERS_STORAGE_CONF and a
# private containerd). husk-runc uses its default --root /run/husk-runc:
# podman 4.3 has --runtime-flag root=DIR, but the `podman container
# cleanup` that conmon runs when a container exits (and that deletes a
# `run --rm` one) is not given it, so its delete would look in the wrong
# root. Each container's id is known (--cidfile), and only those are
# checked and cleaned. Left global, as podman makes them: the bridge
# cni-podman0 and CNI's chains.
#
# Images are made offline: busybox (Debian's static one with applet links)
# and nginx (scripts/rootfs-from-host.sh), through podman import. husk
# cannot fork yet: one program per container, and nginx runs without its
# master process. podman with runc runs first: when it cannot run a
# container here, husk-runc is not to blame and the test is skipped.
. "$(dirname "$0")/lib.sh"
need_husk
[ "$(id -u)" -eq 0 ] || skip_all "needs root (podman's storage and CNI networks)"
PATH=$PATH:/usr/sbin:/sbin
for c in podman conmon runc curl ss; do
	command -v $c >/dev/null ||
		skip_all "no $c (apt-get install podman conmon runc curl iproute2)"
done
for f in /bin/busybox /usr/sbin/nginx; do
	[ -x $f ] || skip_all "no $f (apt-get install busybox-static nginx-light)"
done
RUNC=${HUSK%/*}/husk-runc
[ -x "$RUNC" ] || skip_all "no $RUNC"
RROOT=/run/husk-runc # husk-runc's default --root

tap_tmpdir
# shellcheck disable=SC2034 # read by lib.sh
TAP_TIMEOUT=30
D=$(cd "$TAP_TMP" && pwd -P)
SCRIPTS=$TESTS_HOST_DIR/../../scripts
BB=localhost/husk-test-busybox:latest NGX=localhost/husk-test-nginx:latest
CTRD_PID="" CTR_IDS=() N=0

# ---- cleanup, on any exit --------------------------------------------------

# The ids of our podman containers (one --cidfile per run).
podman_ids() {
	local f
	for f in "$D"/cid.*; do [ -s "$f" ] && cat "$f" && echo; done
}

# CNI rules and chains of our containers that a podman killed midway may
# leave (CNI comments its rules with the container id).
cni_leftovers() {
	local t id rule chain chains=()
	for t in nat filter; do
		for id in "$@"; do
			while read -r rule; do
				[[ $rule =~ -[Aj]\ (CNI-(DN-)?[0-9a-f]{24}) ]] &&
					chains+=("${BASH_REMATCH[1]}")
				eval "iptables -t $t ${rule/-A /-D }" 2>/dev/null
			done < <(iptables -t $t -S 2>/dev/null | grep -F "id: \"$id\"")
		done
		for chain in "${chains[@]+"${chains[@]}"}"; do
			iptables -t $t -F "$chain" 2>/dev/null
			iptables -t $t -X "$chain" 2>/dev/null
		done
	done
}

# settle: wait (10 s at most) for podman's late processes on our storage:
# conmon, and the `podman container cleanup` it runs once a container
# has exited, even one that `podman rm -f` removed meanwhile (it would
# write its events into a temp dir already gone)
settle() {
	for _ in $(seq 100); do
		pgrep -f -- "$D/" >/dev/null || return 0
		sleep 0.1
	done
}

cleanup() {
	local id m
	trap '' INT TERM HUP # a second signal must not cut the cleanup short
	if [ -n "${CONTAINERS_CONF:-}" ]; then
		timeout 30 podman --runtime "$RUNC" rm -f -t 0 -a >/dev/null 2>&1
		settle
		for id in $(podman_ids); do
			timeout 10 "$RUNC" delete --force "$id" >/dev/null 2>&1
		done
		# shellcheck disable=SC2046 # ids: one hex word each
		cni_leftovers $(podman_ids)
	fi
	if [ -n "$CTRD_PID" ]; then
		for id in "${CTR_IDS[@]+"${CTR_IDS[@]}"}"; do
			timeout 10 ctr task kill -s SIGKILL "$id" >/dev/null 2>&1
			timeout 10 ctr task rm -f "$id" >/dev/null 2>&1
			timeout 10 ctr container rm "$id" >/dev/null 2>&1
		done
		ctrd_stop
	fi
	for id in "$D"/hrc/default/*; do
		[ -d "$id" ] && timeout 10 "$RUNC" --root "$D/hrc/default" \
			delete --force "${id##*/}" >/dev/null 2>&1
	done
	# the overlay driver's mounts, innermost first
	for m in $(findmnt -rn -o TARGET | grep "^$D/" | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	_tap_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# containerd: TERM, then KILL after 5 s
ctrd_stop() {
	kill -TERM "$CTRD_PID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$CTRD_PID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$CTRD_PID" 2>/dev/null
	wait "$CTRD_PID" 2>/dev/null
	CTRD_PID=""
}

# ---- configuration and images ----------------------------------------------

"$SCRIPTS/podman-env.sh" "$D/conf" >"$D/env.log" 2>&1 ||
	bail_out "podman-env.sh failed: $(cat "$D/env.log")"
. "$D/conf/env.sh"
note "storage: $(grep driver "$CONTAINERS_STORAGE_CONF")"

# pm ARGS...: podman with husk-runc; prun ARGS...: its run, with a cidfile
pm() { run_cmd podman --runtime "$RUNC" "$@"; }
prun() {
	N=$((N + 1))
	pm run --cidfile "$D/cid.$N" "$@"
}
# pipe_in TEXT CMD...: run_cmd CMD with TEXT on its stdin
pipe_in() { run_cmd bash -c 'printf %s "$1" | "${@:2}"' _ "$@"; }

mkdir -p "$D/bb/bin" "$D/bb/etc"
cp /bin/busybox "$D/bb/bin/busybox"
for a in sh echo sleep cat free wget stty true; do ln -s busybox "$D/bb/bin/$a"; done
echo 'root:x:0:0:root:/:/bin/sh' >"$D/bb/etc/passwd"
echo 'root:x:0:' >"$D/bb/etc/group"
run_cmd bash -c 'tar -C "$1" -cf - . | podman import --change "CMD [\"/bin/sh\"]" \
	--change "ENV PATH=/bin" - "$2"' _ "$D/bb" "$BB"
is "$RC" 0 "podman import: a busybox image"

ngx=$D/ngx
"$SCRIPTS/rootfs-from-host.sh" "$ngx" /usr/sbin/nginx >"$D/rootfs.log" 2>&1 ||
	diag "$(cat "$D/rootfs.log")"
mkdir -p "$ngx/etc/nginx" "$ngx/srv"
cp "$TESTS_HOST_DIR/data/nginx.conf" "$ngx/etc/nginx/nginx.conf"
# nginx's "user root" goes through getpwnam/getgrnam: files only
printf 'passwd: files\ngroup: files\nhosts: files\n' >"$ngx/etc/nsswitch.conf"
printf '<html><body>husk under podman</body></html>\n' >"$ngx/srv/index.html"
head -c 1M /dev/urandom >"$ngx/srv/1m.bin"
SHA_1M=$(sha256sum <"$ngx/srv/1m.bin")
run_cmd bash -c 'tar -C "$1" -cf - . | podman import --change \
	"CMD [\"/usr/sbin/nginx\", \"-c\", \"/etc/nginx/nginx.conf\"]" - "$2"' \
	_ "$ngx" "$NGX"
is "$RC" 0 "podman import: an nginx image (rootfs-from-host.sh)"

# The baseline: podman itself, with runc, on the default network.
run_cmd podman --runtime runc run --rm "$BB" echo hello
if [ "$RC" != 0 ] || [ "$OUT" != $'hello\n' ]; then
	skip_all "podman with runc cannot run a container here: $(_show "$ERR")"
fi

# ---- podman ------------------------------------------------------------------

prun --rm "$BB" echo hello
is "$OUT" $'hello\n' "run --rm echo hello: hello on stdout (${MS} ms)"
is "$RC" 0 "run --rm echo hello: exit status 0"
prun --rm "$BB" sh -c 'exit 7'
is "$RC" 7 "run sh -c 'exit 7': podman run exits 7"
prun --rm "$BB" true
is "$RC" 0 "run true: podman run exits 0"
prun --rm "$BB" /bin/no-such-program
is "$RC" 127 "run of a missing program: podman run exits 127"
like "$ERR" "no-such-program" "... and stderr names it"

prun -d --name husk-sleep "$BB" sleep 100
is "$RC" 0 "run -d sleep 100"
pm inspect -f '{{.State.Status}}' husk-sleep
is "$OUT" $'running\n' "inspect: running"
pm stop -t 2 husk-sleep
is "$RC" 0 "stop -t 2 (${MS} ms)"
pm inspect -f '{{.State.Status}} {{.State.ExitCode}}' husk-sleep
# runc's sleep, its pid namespace's init, ignores TERM (137 after -t);
# husk passes TERM on and sleep dies of it (143)
like "$OUT" $'^exited (143|137)\n$' "inspect after stop: exited, by TERM or KILL"
pm rm husk-sleep
is "$RC" 0 "rm"

prun -d --name husk-kill "$BB" sleep 100
pm kill husk-kill
is "$RC" 0 "kill"
pm wait husk-kill
is "$OUT" $'137\n' "wait after kill: 137"
pm inspect -f '{{.State.ExitCode}}' husk-kill
is "$OUT" $'137\n' "inspect after kill: ExitCode 137"
pm rm husk-kill

# /etc/hostname and /etc/hosts: podman's files, copied in at create
prun -d --name husk-etc "$BB" cat /etc/hostname /etc/hosts
pm wait husk-etc
pm logs husk-etc
logs=$OUT
pm inspect -f '{{.HostnamePath}} {{.HostsPath}}' husk-etc
read -r hn hs <<<"$OUT"
want=$(cat "$hn" "$hs"; echo x)
is "$logs" "${want%x}" "the container's /etc/hostname and /etc/hosts are podman's"
like "$(cat "$hs")" "husk-etc" "... (podman's hosts names the container)"
pm rm husk-etc

prun --rm --memory 256m "$BB" free -m
like "$OUT" $'\nMem: +256 ' "--memory 256m: free -m shows 256 MiB in the guest"

# --network none: only lo, so no route to the bridge's gateway (on the
# default network nothing listens there: refused)
prun --rm --network none "$BB" wget -q -O - http://10.88.0.1:9/
like "$ERR" "Network is unreachable" "--network none: no route out (wget: unreachable)"
prun --rm "$BB" wget -q -O - http://10.88.0.1:9/
like "$ERR" "Connection refused" "default network: the gateway answers (wget: refused)"

pipe_in $'x\n' podman --runtime "$RUNC" run -i --rm --cidfile "$D/cid.i" "$BB" cat
is "$OUT" $'x\n' "run -i: stdin piped through (echo x | ... cat)"

prun -t --rm "$BB" stty
is "$RC" 0 "run -t: stty finds a terminal (the console socket's pty)"
like "$OUT" $'speed 38400 baud.*\r\n' "... and its output has CRLF"
prun --rm "$BB" stty
isnt "$RC" 0 "without -t: stty finds no terminal"
prun -t --rm "$BB" sh -c 'exit 3'
is "$RC" 3 "run -t sh -c 'exit 3': exits 3"

# -p: nginx reached from the host through CNI's portmap
port=""
for p in $(shuf -i 20000-40000 -n 50); do
	[ -z "$(ss -Hltn "sport = :$p")" ] && { port=$p; break; }
done
prun -d --name husk-nginx -p "$port:80" "$NGX"
is "$RC" 0 "run -d -p $port:80 nginx"
got="" t0=${EPOCHREALTIME/./}
for _ in $(seq 100); do
	got=$(curl -sf --max-time 2 "http://127.0.0.1:$port/") && break
	sleep 0.1
done
is "$got" "$(cat "$ngx/srv/index.html")" \
	"curl from the host: index.html through -p (after $(((${EPOCHREALTIME/./} - t0) / 1000)) ms)"
is "$(curl -sf --max-time 10 "http://127.0.0.1:$port/1m.bin" | sha256sum)" \
	"$SHA_1M" "curl from the host: a 1 MiB file, the same sha256"
pm stop -t 2 husk-nginx
is "$RC" 0 "stop nginx"
pm rm husk-nginx

# A network namespace that outlives husk's containers (a pod's): runc
# holds it, husk containers join it one after another. Podman runs
# delete with no PATH; the tap's tc rules must go all the same, or the
# next container cannot set its own.
N=$((N + 1))
run_cmd podman --runtime runc run -d --cidfile "$D/cid.$N" --name husk-infra \
	"$BB" sleep 100
is "$RC" 0 "runc holds a network namespace (run -d sleep)"
prun --rm --network container:husk-infra "$BB" true
is "$RC" 0 "a husk container in it (--network container:)"
prun --rm --network container:husk-infra "$BB" wget -q -O - http://10.88.0.1:9/
like "$ERR" "Connection refused" "then another, on its network (wget: refused)"
pm rm -f -t 0 husk-infra
settle

pm ps -a -q
is "$OUT" "" "podman ps -a: no container left"
left=""
for id in $(podman_ids); do [ -e "$RROOT/$id" ] && left+=" $id"; done
is "$left" "" "no state left in husk-runc's root ($RROOT) for podman's $(podman_ids | wc -l) containers"
left=""
for id in $(podman_ids); do
	iptables-save 2>/dev/null | grep -q "$id" && left+=" $id"
done
is "$left" "" "no CNI iptables rule left for them"

# ---- containerd's ctr ----------------------------------------------------------

ctr_tests() {
	if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
		WHY="no containerd (apt-get install containerd)"
		return 1
	fi
	containerd --config "$D/conf/containerd.toml" >"$D/containerd.log" 2>&1 &
	CTRD_PID=$!
	for _ in $(seq 50); do
		timeout 5 ctr version >/dev/null 2>&1 && break
		sleep 0.1
	done
	if ! timeout 5 ctr version >/dev/null 2>&1; then
		WHY="containerd does not start: $(tail -n 3 "$D/containerd.log")"
		return 1
	fi
	run_cmd podman save --format oci-archive -o "$D/bb-oci.tar" "$BB"
	[ "$RC" = 0 ] || { WHY="podman save: $ERR"; return 1; }
	run_cmd ctr image import "$D/bb-oci.tar"
	[ "$RC" = 0 ] || { WHY="ctr image import: $ERR"; return 1; }
	return 0
}
CTR=(ctr run --rm --runc-binary "$RUNC" --runc-root "$D/hrc" --fifo-dir "$D/fifo")
if ctr_tests; then
	CTR_IDS=(husk-t$$-1 husk-t$$-2)
	run_cmd "${CTR[@]}" "$BB" "${CTR_IDS[0]}" echo hello
	is "$OUT" $'hello\n' "ctr run --rm --runc-binary husk-runc echo hello (${MS} ms)"
	is "$RC" 0 "... exits 0"
	run_cmd "${CTR[@]}" "$BB" "${CTR_IDS[1]}" sh -c 'exit 5'
	is "$RC" 5 "ctr run sh -c 'exit 5': exits 5"
	run_cmd ctr container ls -q
	is "$OUT" "" "ctr container ls: none left"
	is "$(find "$D/hrc/default" -mindepth 1 -maxdepth 1 ! -name .images)" "" \
		"no state left in husk-runc's root (ctr's --runc-root)"
	ctrd_stop
else
	for d in "ctr echo hello" "ctr exit 0" "ctr exit 5" "ctr none left" "ctr state"; do
		skip "$d" "$WHY"
	done
fi

done_testing
