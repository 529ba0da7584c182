#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/host/oci.t: husk-runc (cli/oci.c), the OCI runtime with runc's
# command line, driven as a container engine would: spec, run, the
# create/start/state/kill/delete lifecycle, list, what the program sees
# (env, cwd, hostname, uid, read-only root, a bind-mounted file, memory),
# bad bundles (one "husk:" line, nothing left in --root), --log JSON, the
# verbs husk does not support, features and --version.
#
# Everything lives under a private --root in the temp dir. The bundle is
# Debian's static busybox with applet links. husk cannot fork yet, so a
# shell runs a subprocess only as the last command of sh -c (busybox sh
# execs it). A created container's process keeps create's stdout and
# stderr (as runc's does): create's output goes to files, never $(...).
. "$(dirname "$0")/lib.sh"
need_husk
[ -x /bin/busybox ] || skip_all "no /bin/busybox (apt-get install busybox-static)"
PY=/usr/bin/python3
[ -x $PY ] || PY=$(command -v python3) || skip_all "python3 missing"
tap_tmpdir
T=$(cd "$TAP_TMP" && pwd -P) # state.json names the bundle by its real path
ROOT=$T/root

# husk-runc is a link to husk; husk runc ... does the same.
RUNC=${HUSK%/*}/husk-runc
[ -x "$RUNC" ] || RUNC=""
runc() {
	if [ -n "$RUNC" ]; then
		run_cmd "$RUNC" --root "$ROOT" "$@"
	else
		run_cmd "$HUSK" runc --root "$ROOT" "$@"
	fi
}

# Force-delete whatever is left (a failed test), then the temp dir.
oci_cleanup() {
	local d
	for d in "$ROOT"/*; do
		[ -d "$d" ] || continue
		timeout 10 "$HUSK" runc --root "$ROOT" delete --force "${d##*/}" \
			</dev/null >/dev/null 2>&1
	done
	_tap_cleanup
}
trap oci_cleanup EXIT

# Container directories under --root (the .images cache may stay).
ctr_dirs() {
	find "$ROOT" -mindepth 1 -maxdepth 1 ! -name .images 2>/dev/null |
		sed 's|.*/||' | sort | tr '\n' ' '
}

# json_get EXPR [JSON]: evaluate a Python expression on the JSON (default
# $OUT) bound to j; dicts and lists print as sorted compact JSON.
json_get() {
	$PY -c '
import json, sys
try:
    j = json.loads(sys.argv[2])
    v = eval(sys.argv[1])
except Exception as e:
    print("ERROR:", e); sys.exit(0)
print(json.dumps(v, sort_keys=True, separators=(",", ":"))
      if isinstance(v, (dict, list, bool)) else v)' "$1" "${2-$OUT}"
}

# The root file system: busybox and its applets.
mkdir -p "$T/rootfs/bin" "$T/rootfs/etc"
cp /bin/busybox "$T/rootfs/bin/busybox"
for a in sh echo cat id touch free sleep true hostname pwd ls test; do
	ln -s busybox "$T/rootfs/bin/$a"
done

# --- spec --------------------------------------------------------------------
mkdir "$T/base"
runc spec --bundle "$T/base"
is "$RC" 0 "spec exits 0"
ok "$([ -s "$T/base/config.json" ]; echo $?)" "spec writes config.json"
is "$(json_get 'j["ociVersion"]' "$(cat "$T/base/config.json")")" 1.0.2 \
	"spec: ociVersion 1.0.2"
sum=$(cksum <"$T/base/config.json")
runc spec --bundle "$T/base"
isnt "$RC" 0 "spec refuses to overwrite config.json"
one_husk_line "$ERR" "spec over an existing config.json: one 'husk: ' line"
is "$(cksum <"$T/base/config.json")" "$sum" "spec left the existing config.json as it was"

# mkbundle NAME PYTHON: bundle $T/NAME, the spec's config.json with
# root.path the shared rootfs, root writable, PATH=/bin, then PYTHON run on
# it with c the config (the image is built once: the same tree each time).
mkbundle() {
	mkdir -p "$T/$1"
	$PY - "$T/base/config.json" "$T/$1/config.json" "$T/rootfs" "$2" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["root"] = {"path": sys.argv[3], "readonly": False}
c["process"]["env"] = ["PATH=/bin"]
exec(sys.argv[4])
json.dump(c, open(sys.argv[2], "w"), indent=1)
EOF
}

# --- run -----------------------------------------------------------------------
mkbundle hello 'c["process"]["args"] = ["sh", "-c", "echo hello; exit 3"]'
runc run --bundle "$T/hello" hello1
is "$OUT" $'hello\n' "run: the program's output"
is "$RC" 3 "run: the program's exit status (3) is run's"
is "$(ctr_dirs)" "" "run: the container is deleted when it ends"

mkbundle true 'c["process"]["args"] = ["/bin/busybox", "true"]'
times=""
for n in 1 2 3 4 5; do
	runc run --bundle "$T/true" "true$n"
	[ "$RC" = 0 ] || break
	times="$times ${MS}ms"
done
is "$RC" 0 "run of busybox true exits 0"
note "husk-runc run of busybox true, start to exit:$times"

mkbundle sleep1 'c["process"]["args"] = ["sleep", "1"]'
runc run --detach --bundle "$T/sleep1" det
is "$RC" 0 "run --detach exits 0"
cmp_ok "$MS" -lt 900 "run --detach returns while the program runs"
runc state det
is "$(json_get 'j["status"]')" running "run --detach: state running"

# wait_status ID WANT: poll state (5 s at most); $ST is the last status.
wait_status() {
	local _
	for _ in $(seq 100); do
		runc state "$1"
		ST=$(json_get 'j["status"]')
		[ "$ST" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
wait_status det stopped
is "$ST" stopped "run --detach: state stopped once the program ended"
runc state det
is "$(json_get 'j["pid"]')" 0 "a stopped container's state has pid 0"
runc delete det
is "$RC" 0 "delete of the stopped container"
ok "$([ ! -e "$ROOT/det" ]; echo $?)" "delete removes its directory"

# --- the lifecycle -----------------------------------------------------------
# ctr_create ID ARGS...: create with its output in $T/ID.out, $T/ID.err
# (the container process keeps them); sets RC and ERR.
ctr_create() {
	local id=$1
	shift
	# shellcheck disable=SC2034 # lib.sh shows it after a failure
	LAST_CMD="create $* $id"
	timeout -k 5 "$TAP_TIMEOUT" "$HUSK" runc --root "$ROOT" create "$@" "$id" \
		</dev/null >"$T/$id.out" 2>"$T/$id.err"
	RC=$?
	OUT=""
	ERR=$(cat "$T/$id.err")
}

mkbundle sleeper 'c["process"]["args"] = ["sleep", "5"]
c["annotations"] = {"org.example.k": "v", "a.b": "c"}'
cd "$T" || bail_out "cd $T"
ctr_create life --bundle sleeper --pid-file life.pid # a relative bundle
cd - >/dev/null || bail_out "cd back"
is "$RC" 0 "create exits 0"
runc state life
is "$RC" 0 "state of a created container exits 0"
is "$(json_get 'j["status"]')" created "state: status created"
pid=$(json_get 'j["pid"]')
cmp_ok "$pid" -gt 0 "state: pid > 0"
ok "$(kill -0 "$pid" 2>/dev/null; echo $?)" "state: the pid is alive"
is "$(cat "$T/life.pid" 2>/dev/null)" "$pid" "--pid-file holds that pid"
is "$(json_get 'j["ociVersion"]')" 1.0.2 "state: ociVersion"
is "$(json_get 'j["id"]')" life "state: id"
is "$(json_get 'j["bundle"]')" "$T/sleeper" "state: bundle, absolute"
is "$(json_get 'j["annotations"]')" '{"a.b":"c","org.example.k":"v"}' \
	"state: annotations from config.json"

runc list
like "$OUT" "^ID +PID +STATUS +BUNDLE" "list: a header"
like "$OUT" $'\n'"life +$pid +created +$T/sleeper " "list: the container's row"
runc list --format json
is "$(json_get '[(c["id"], c["status"], c["pid"]) for c in j]')" \
	"[[\"life\",\"created\",$pid]]" "list --format json: an array with it"
runc list -f json
is "$(json_get 'len(j)')" 1 "list -f json: the same"
runc list -q
is "$OUT" $'life\n' "list -q: the ids"

runc start life
is "$RC" 0 "start exits 0"
runc state life
is "$(json_get 'j["status"]')" running "state: running after start"
is "$(json_get 'j["pid"]')" "$pid" "state: the same pid once running"
runc start life
isnt "$RC" 0 "start of a running container fails"
one_husk_line "$ERR" "start of a running container: one 'husk: ' line"

runc delete life
isnt "$RC" 0 "delete of a running container without --force fails"
one_husk_line "$ERR" "delete of a running container: one 'husk: ' line"
runc state life
is "$(json_get 'j["status"]')" running "... and the container goes on"

runc kill life TERM
is "$RC" 0 "kill ID TERM exits 0"
wait_status life stopped
is "$ST" stopped "kill TERM: stopped within 5 s"
ok "$(! kill -0 "$pid" 2>/dev/null || grep -q '^State:.*Z' /proc/"$pid"/status; echo $?)" \
	"kill TERM: the container process is gone"
runc kill life TERM
isnt "$RC" 0 "kill of a stopped container fails"
one_husk_line "$ERR" "kill of a stopped container: one 'husk: ' line"
runc delete life
is "$RC" 0 "delete of the stopped container exits 0"
ok "$([ ! -e "$ROOT/life" ]; echo $?)" "delete: its directory under --root is gone"
runc state life
isnt "$RC" 0 "state of a deleted container fails"
like "$ERR" "does not exist" "state of a deleted container: 'does not exist'"

# KILL
ctr_create k9 --bundle "$T/sleeper"
runc start k9
is "$RC" 0 "start (for kill KILL)"
runc kill k9 KILL
is "$RC" 0 "kill ID KILL exits 0"
wait_status k9 stopped
is "$ST" stopped "kill KILL: stopped"
runc delete k9
is "$RC" 0 "delete after kill KILL"

# kill of a created container (the default signal, TERM)
ctr_create kc --bundle "$T/sleeper"
runc kill kc
is "$RC" 0 "kill of a created container exits 0"
wait_status kc stopped
is "$ST" stopped "kill of a created container: stopped"
runc start kc
isnt "$RC" 0 "start after it was killed fails"
one_husk_line "$ERR" "start of a stopped container: one 'husk: ' line"
runc delete kc
is "$RC" 0 "delete of the killed container"

# delete --force / -f of running containers
ctr_create f1 --bundle "$T/sleeper"
runc start f1
runc delete --force f1
is "$RC" 0 "delete --force of a running container exits 0"
ok "$([ ! -e "$ROOT/f1" ]; echo $?)" "delete --force removes it"
runc run --detach --bundle "$T/sleeper" f2
runc delete -f f2
is "$RC" 0 "delete -f (short) of a running container exits 0"
ok "$([ ! -e "$ROOT/f2" ]; echo $?)" "delete -f removes it"
runc delete --force never-was
is "$RC:$ERR" 0: "delete --force of a missing container: no error (as runc)"
mkdir -p "$ROOT/stale" # a create killed before it wrote its state
runc delete --force stale
is "$RC" 0 "delete --force of a directory without state exits 0"
ok "$([ ! -e "$ROOT/stale" ]; echo $?)" "... and removes it (as runc)"

# The program's output goes to create's stdout; its status ends it.
mkbundle says 'c["process"]["args"] = ["sh", "-c", "echo started; exit 7"]'
ctr_create says --bundle "$T/says"
is "$(cat "$T/says.out")" "" "nothing runs before start"
runc start says
wait_status says stopped
is "$(cat "$T/says.out")" started "after start, the program writes on create's stdout"
runc delete says

is "$(ctr_dirs)" "" "no container left after the lifecycle tests"

# --- what the program sees ----------------------------------------------------
mkbundle env 'c["process"]["args"] = ["sh", "-c",
    "echo \"FOO=$FOO\"; pwd; read h </proc/sys/kernel/hostname; echo host=$h; id -u"]
c["process"]["env"] = ["PATH=/bin", "FOO=bar baz"]
c["process"]["cwd"] = "/work/here"
c["hostname"] = "boxy"
c["process"]["user"] = {"uid": 1234, "gid": 55}'
runc run --bundle "$T/env" env1
is "$RC" 0 "run (env, cwd, hostname, user) exits 0"
is "$OUT" $'FOO=bar baz\n/work/here\nhost=boxy\n1234\n' \
	"the program sees process.env, process.cwd (made), hostname, user.uid"

mkbundle rw 'c["process"]["args"] = ["touch", "/x"]'
runc run --bundle "$T/rw" rw1
is "$RC" 0 "a writable root: touch /x succeeds"
mkbundle ro 'c["process"]["args"] = ["touch", "/x"]
c["root"]["readonly"] = True'
runc run --bundle "$T/ro" ro1
isnt "$RC" 0 "root.readonly: touch /x fails"
like "$ERR" "Read-only" "root.readonly: EROFS"
mkbundle ro2 'c["process"]["args"] = ["sh", "-c",
    "test -d /proc && test -d /dev && test -d /tmp && echo mountpoints"]
c["root"]["readonly"] = True'
runc run --bundle "$T/ro2" ro2
is "$OUT" $'mountpoints\n' "root.readonly: /proc, /dev and /tmp are there all the same"

echo "the host's motd $$" >"$T/motd"
mkbundle bind 'c["process"]["args"] = ["cat", "/etc/motd"]
c["root"]["readonly"] = True
c["mounts"].append({"destination": "/etc/motd", "type": "bind",
    "source": "'"$T/motd"'", "options": ["rbind", "ro"]})'
runc run --bundle "$T/bind" bind1
is "$RC:$OUT" "0:the host's motd $$"$'\n' "a bind-mounted file shows the host file inside"

mkdir "$T/hostdir"
mkbundle binddir 'c["process"]["args"] = ["true"]
c["mounts"].append({"destination": "/data", "type": "bind",
    "source": "'"$T/hostdir"'", "options": ["rbind"]})'
ctr_create bd --bundle "$T/binddir"
isnt "$RC" 0 "a directory bind mount: create fails"
one_husk_line "$ERR" "a directory bind mount: one 'husk: ' line"
like "$ERR" "/data" "a directory bind mount: the message names the destination"
is "$(ctr_dirs)" "" "a directory bind mount: nothing left in --root"

mkbundle mem 'c["process"]["args"] = ["free", "-m"]
c["linux"]["resources"] = {"memory": {"limit": 64 << 20}}'
runc run --bundle "$T/mem" mem1
total=$(awk '/^Mem:/ {print $2}' <<<"$OUT")
ok "$([ "${total:-0}" -ge 56 ] && [ "${total:-0}" -le 64 ]; echo $?)" \
	"linux.resources.memory.limit 64 MiB: free -m total ${total:-?} (56..64)"
mkbundle mem96 'c["process"]["args"] = ["free", "-m"]
c["linux"]["resources"] = {"memory": {"limit": 64 << 20}}
c["annotations"] = {"org.husk.mem": "96M"}'
runc run --bundle "$T/mem96" mem2
total=$(awk '/^Mem:/ {print $2}' <<<"$OUT")
ok "$([ "${total:-0}" -ge 88 ] && [ "${total:-0}" -le 96 ]; echo $?)" \
	"annotation org.husk.mem=96M overrides it: total ${total:-?} (88..96)"

# --- bad bundles: one line, nothing left ----------------------------------------
# bad DESC ERE CREATE-ARGS... (the last is the id)
bad() {
	local desc=$1 re=$2
	shift 2
	runc create "$@"
	isnt "$RC" 0 "$desc: create fails"
	one_husk_line "$ERR" "$desc: one 'husk: ' line"
	like "$ERR" "$re" "$desc: the message says why"
	is "$(ctr_dirs)" "" "$desc: nothing left in --root"
}
mkdir "$T/noconfig"
bad "no config.json" "config.json" --bundle "$T/noconfig" b1
mkdir "$T/badjson"
printf '{"ociVersion": "1.0.2",\n "process": {,\n' >"$T/badjson/config.json"
bad "invalid JSON" "line [0-9]+, column [0-9]+" --bundle "$T/badjson" b2
mkbundle noroot 'c["root"]["path"] = "no-such-rootfs"'
bad "a missing root.path" "no-such-rootfs" --bundle "$T/noroot" b3
mkbundle v2 'c["ociVersion"] = "2.0.0"'
bad "ociVersion 2.0.0" "2\.0\.0" --bundle "$T/v2" b4
mkbundle noargs 'c["process"]["args"] = []'
bad "empty process.args" "args" --bundle "$T/noargs" b5
mkbundle relcwd 'c["process"]["cwd"] = "work"'
bad "a relative process.cwd" "cwd" --bundle "$T/relcwd" b6
bad "a bad container id" "a/b" --bundle "$T/sleeper" a/b
cd "$T" || bail_out "cd $T"
bad "a relative --bundle that does not exist" "no-such-bundle" \
	--bundle no-such-bundle b7
cd - >/dev/null || bail_out "cd back"

ctr_create dup --bundle "$T/sleeper"
is "$RC" 0 "create (to create again)"
runc create --bundle "$T/sleeper" dup
isnt "$RC" 0 "create of an id that exists fails"
one_husk_line "$ERR" "an id that exists: one 'husk: ' line"
like "$ERR" "already exists" "an id that exists: 'already exists'"
runc state dup
is "$RC:$(json_get 'j["status"]')" 0:created "... and the first one is still there"
runc delete --force dup
is "$(ctr_dirs)" "" "--root is empty again"

# --- --log, unsupported verbs, features, version -----------------------------
runc --log "$T/log.json" --log-format json state nosuch
isnt "$RC" 0 "state of a missing container fails"
one_husk_line "$ERR" "state of a missing container: one 'husk: ' line"
is "$(json_get '[j["level"], "nosuch" in j["msg"]]' "$(tail -n 1 "$T/log.json" 2>/dev/null)")" \
	'["error",true]' "--log-format json: a JSON line, level error, msg naming it"

runc --log "$T/log.txt" state nosuch
like "$(tail -n 1 "$T/log.txt" 2>/dev/null)" \
	'^time="[^"]+" level=error msg="container \\"nosuch\\" does not exist"$' \
	"--log (text): logfmt, the quotes in msg escaped"

for verb in ps exec pause update checkpoint; do
	runc "$verb" anything
	isnt "$RC" 0 "$verb fails"
	like "$ERR" "not supported by husk" "$verb: not supported by husk"
done
runc exec --process "$T/process.json" --detach anything
like "$RC:$ERR" "^[1-9][0-9]*:.*not supported by husk" \
	"exec with runc's options: not supported by husk"
runc update --resources - anything
like "$RC:$ERR" "^[1-9][0-9]*:.*not supported by husk" \
	"update with runc's options: not supported by husk"

runc features
is "$RC" 0 "features exits 0"
is "$(json_get 'j["ociVersionMax"]')" 1.0.2 "features: JSON with ociVersionMax"
runc --version
is "$RC" 0 "--version exits 0"
like "$OUT" "spec: 1\.0\.2" "--version: spec: 1.0.2"
if [ -n "$RUNC" ]; then
	run_husk runc --root "$ROOT" --version
	like "$OUT" "spec: 1\.0\.2" "husk runc --version: the same"
else
	skip "husk runc --version" "no build/husk-runc link"
fi

is "$(ctr_dirs)" "" "nothing left in --root at the end"
done_testing
