#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/host/config.t: husk run --config FILE.json as a user drives it: the
# file's args, env, cwd, hostname and mem reach the program; flags override
# it; a relative "rootfs" is relative to the file's directory; and every
# kind of bad file or --net value is refused with 125 and one "husk: " line
# naming the file (or the flag). (The parsers alone: tests/unit/config_test.c.)
. "$(dirname "$0")/lib.sh"
need_husk
[ -x /bin/busybox ] || skip_all "no /bin/busybox (apt-get install busybox-static)"
tap_tmpdir
BB=/bin/busybox
# Files are named relative to here, as a user would: husk shows at most 64
# bytes of a name in a message, and a long $TMPDIR must not cut them.
cd "$TAP_TMP" || bail_out "cannot cd to $TAP_TMP"

# re TEXT: TEXT as an ERE matching itself (temp paths hold dots).
re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'; }

# json NAME TEXT: write NAME.json (in $TAP_TMP); its name in $F.
json() { F=$1.json; printf '%s\n' "$2" >"$F"; }

# --- the file's values reach the program ---------------------------------------
# The shell runs its last command in place of itself: hostname goes last,
# as a command in the middle would need fork (the processes issue).
json good '{
  "args": ["/bin/busybox", "sh", "-c", "echo $FOO $BAR; pwd; hostname"],
  "env": ["FOO=from-file", "BAR=kept"],
  "cwd": "/srv/app",
  "hostname": "boxy",
  "mem": "96M"
}'
GOOD=$F
run_husk run --config "$GOOD"
is "$RC:$OUT" $'0:from-file kept\n/srv/app\nboxy\n' \
	"config: args, env, cwd and hostname from the file"
is "$ERR" "" "config: nothing on stderr"

# mem: the guest's total memory (sysinfo), with a PROGRAM on the command
# line in place of the file's "args".
memtotal() { awk '/^Mem:/ { print $2 }' <<<"$OUT"; }
run_husk run --config "$GOOD" $BB free -m
is "$RC:$(memtotal)" "0:96" "config: \"mem\": \"96M\" is the guest's memory"
json intmem '{"mem": 100663296}'
run_husk run --config "$F" $BB free -m
is "$RC:$(memtotal)" "0:96" "config: \"mem\" in bytes"

# --- flags override the file -------------------------------------------------------
run_husk run --config "$GOOD" --hostname flagged
is "$RC:$OUT" $'0:from-file kept\n/srv/app\nflagged\n' "--hostname overrides \"hostname\""

run_husk run --env FOO=from-flag --config "$GOOD"
is "$RC:$OUT" $'0:from-flag kept\n/srv/app\nboxy\n' \
	"--env FOO= (before --config) replaces the file's FOO, keeps its BAR"
run_husk run --config "$GOOD" --env BAR=flag2 --env NEW=1 $BB sh -c 'echo $FOO $BAR $NEW'
is "$RC:$OUT" $'0:from-file flag2 1\n' "--env after --config: replaces BAR, adds NEW"

run_husk run --config "$GOOD" --cwd /other
is "$RC:$OUT" $'0:from-file kept\n/other\nboxy\n' "--cwd overrides \"cwd\""

run_husk run --config "$GOOD" --mem 128M $BB free -m
is "$RC:$(memtotal)" "0:128" "--mem overrides \"mem\""

run_husk run --config "$GOOD" $BB sh -c 'echo args:$FOO'
is "$RC:$OUT" $'0:args:from-file\n' "a PROGRAM on the command line replaces \"args\""

run_husk run --config "$GOOD" -- $BB echo --hostname x
is "$RC:$OUT" $'0:--hostname x\n' "after --, the PROGRAM's own options are not husk's"

run_husk run --config "$GOOD" --
is "$RC:$OUT" $'0:from-file kept\n/srv/app\nboxy\n' "-- with nothing after it: the file's \"args\""

json noargs '{"hostname": "h"}'
run_husk run --config "$F"
is "$RC" 125 "no \"args\" and no PROGRAM: 125"
one_husk_line "$ERR" "no \"args\" and no PROGRAM: one 'husk: ' line"

# --- a relative "rootfs" is relative to the file's directory ---------------------
# The file is in $TAP_TMP/cfg, the image in $TAP_TMP/cfg/img; husk runs from /
# (the file named by its absolute path) and from $TAP_TMP (a relative one),
# where img/root.img names nothing.
root=$TAP_TMP/root cfg=$TAP_TMP/cfg
mkdir -p "$root/bin" "$root/etc" "$cfg/img"
cp $BB "$root/bin/"
printf 'hello from the image\n' >"$root/etc/motd"
run_husk image build "$root" -o "$cfg/img/root.img"
is "$RC" 0 "an image for the rootfs checks" ||
	bail_out "husk image build failed: $ERR"
args='"args": ["/bin/busybox", "cat", "/etc/motd"]'
printf '{"rootfs": "img/root.img:ro", %s}\n' "$args" >"$cfg/string.json"
printf '{"rootfs": {"path": "img/root.img", "readonly": true}, %s}\n' "$args" \
	>"$cfg/object.json"
printf '{"rootfs": "../root", %s}\n' "$args" >"$cfg/dir.json"
printf '{"rootfs": "missing.img", %s}\n' "$args" >"$cfg/missing.json"

# in_dir DIR ARGS...: run_husk ARGS... from DIR (the results made global:
# a declare inside a function would make them local).
in_dir() {
	local d=$1
	shift
	(
		cd "$d" && run_husk "$@"
		declare -p OUT ERR RC MS TIMED_OUT LAST_CMD |
			sed 's/^declare -/declare -g -/' >"$TAP_TMP/sub.vars"
	)
	. "$TAP_TMP/sub.vars"
}

in_dir / run --config "$cfg/string.json"
is "$RC:$OUT" $'0:hello from the image\n' \
	"\"rootfs\": \"img/root.img:ro\" is found next to the file (run from /)"
in_dir "$TAP_TMP" run --config cfg/object.json
is "$RC:$OUT" $'0:hello from the image\n' \
	"{\"path\": \"img/root.img\"} with a relative --config (run from its parent)"
in_dir "$cfg" run --config object.json
is "$RC:$OUT" $'0:hello from the image\n' "--config with no directory part: the cwd is the file's"
in_dir / run --config "$cfg/dir.json"
is "$RC:$OUT" $'0:hello from the image\n' "\"rootfs\": \"../root\", a directory next to the file"
in_dir / run --config "$cfg/missing.json"
is "$RC" 125 "\"rootfs\" naming a missing image: 125"
one_husk_line "$ERR" "\"rootfs\" naming a missing image: one 'husk: ' line"
like "$ERR" "$(re "$cfg/missing.img")" "the message names the image under the file's directory"

in_dir / run --rootfs img/root.img:ro /bin/busybox cat /etc/motd
is "$RC" 125 "--rootfs img/root.img from / is relative to the cwd: 125"

# --- bad files: 125, one line "husk: config FILE: ...", the program not run --------
# bad_file NAME JSON ERE DESC
bad_file() {
	json "$1" "$2"
	run_husk run --config "$F" $BB echo ran
	is "$RC" 125 "$4: exit 125"
	one_husk_line "$ERR" "$4: one 'husk: ' line"
	like "$ERR" "^husk: config $(re "$F"): " "$4: the line names the file"
	like "$ERR" "$3" "$4: says what is wrong"
	is "$OUT" "" "$4: the program did not run"
}

bad_file syntax '{
  "mem": "64M",
  "cwd": "/tmp"
  "hostname": "x"
}' ': line 4, column [0-9]+: ' "a missing comma (line 4)"
bad_file unterminated '{"args": ["/bin/busybox",' ': line [0-9]+, column [0-9]+: ' \
	"a file that ends early"
bad_file empty '' ': line [0-9]+, column [0-9]+: ' "an empty file"
bad_file duplicate '{"mem": "64M", "mem": "64M"}' 'duplicate' "a key given twice"
bad_file array '["/bin/busybox"]' 'JSON object' "an array, not an object"
bad_file unknown '{"hostnmae": "x"}' 'unknown key "hostnmae"' "an unknown key"
bad_file memtype '{"mem": [1]}' '"mem": expected .* not an array' '"mem": [1] (wrong type)'
bad_file memfrac '{"mem": 1.5}' '"mem": expected .* not a fractional number' '"mem": 1.5'
bad_file memsuffix '{"mem": "12q"}' "bad \"mem\" '12q'" '"mem": "12q"'
bad_file memsmall '{"mem": 4096}' "bad \"mem\" '4096'" '"mem": 4096 (below 8M)'
bad_file envtype '{"env": "FOO=1"}' '"env": expected an array of strings, not a string' \
	'"env" as a string'
bad_file envitem '{"env": ["NOEQUALS"]}' "bad \"env\" entry 'NOEQUALS'" '"env": ["NOEQUALS"]'
bad_file argsempty '{"args": []}' '"args": ' '"args": []'
bad_file argsint '{"args": ["/bin/busybox", 1]}' '"args"\[1\]: expected a string, not an integer' \
	'"args": [..., 1]'
bad_file cwdrel '{"cwd": "relative"}' "bad \"cwd\" 'relative'" '"cwd": "relative"'
bad_file hostempty '{"hostname": ""}' 'bad "hostname"' '"hostname": ""'
bad_file rootfsempty '{"rootfs": ""}' '"rootfs": an empty path' '"rootfs": ""'
bad_file ip '{"net": ["tap:t0,ip=10.0.0"]}' "\"net\"\\[0\\]: bad ip '10.0.0'" \
	'"net": a bad ip'
bad_file ipobj '{"net": [{"tap": "t0", "ip": "10.0.0.300"}]}' "\"net\"\\[0\\]: bad ip '10.0.0.300'" \
	'"net": {"ip"} a bad ip'
bad_file mac '{"net": ["tap:t0,mac=01:00:5e:00:00:01"]}' \
	"\"net\"\\[0\\]: bad mac '01:00:5e:00:00:01' \\(a unicast address" \
	'"net": a multicast mac'
bad_file macobj '{"net": [{"tap": "t0", "mac": "00:00:00:00:00:00"}]}' \
	"bad mac '00:00:00:00:00:00'" '"net": {"mac"} all zero'
bad_file masklen '{"net": ["tap:t0,ip=10.0.0.2/33"]}' '"net"\[0\]: bad masklen 33 ' \
	'"net": ip=.../33'
bad_file masklenobj '{"net": [{"tap": "t0", "ip": "10.0.0.2", "masklen": 40}]}' \
	'"net"\[0\]: bad masklen 40 ' '"net": {"masklen": 40}'
bad_file fivenics '{"net": ["tap:t0", "tap:t1", "tap:t2", "tap:t3", "tap:t4"]}' \
	'"net"\[4\]: at most 4 network interfaces' '"net": five interfaces'
bad_file twice '{"net": ["tap:t0,ip=10.0.0.2", {"tap": "t0"}]}' \
	'"net"\[1\]: tap t0 given twice' '"net": a tap named twice'

# A file that cannot be read: the line names it too.
run_husk run --config nonexistent.json $BB echo ran
is "$RC" 125 "a missing file: exit 125"
one_husk_line "$ERR" "a missing file: one 'husk: ' line"
like "$ERR" "^husk: cannot read config nonexistent\.json: No such file" \
	"a missing file: the line names it"
is "$OUT" "" "a missing file: the program did not run"

run_husk run --config . $BB echo ran
is "$RC" 125 "a directory as the file: exit 125"
one_husk_line "$ERR" "a directory as the file: one 'husk: ' line"

run_husk run --config "$GOOD" --config "$GOOD" $BB echo ran
is "$RC" 125 "--config twice: exit 125"
one_husk_line "$ERR" "--config twice: one 'husk: ' line"

# A bad flag next to a good file: the flag is named, not the file.
run_husk run --config "$GOOD" --mem 12q $BB echo ran
is "$RC" 125 "--config with a bad --mem: exit 125"
one_husk_line "$ERR" "--config with a bad --mem: one 'husk: ' line"
like "$ERR" "--mem '12q'" "--config with a bad --mem: the line names the flag"

# --- bad --net values: the flag is named ------------------------------------------
# bad_net ERE DESC SPEC...: one --net per SPEC
bad_net() {
	local ere=$1 desc=$2 a=() s
	shift 2
	for s; do a+=(--net "$s"); done
	run_husk run "${a[@]}" $BB echo ran
	is "$RC" 125 "$desc: exit 125"
	one_husk_line "$ERR" "$desc: one 'husk: ' line"
	like "$ERR" "^husk: bad --net '$(re "$s")': " "$desc: the line names the flag"
	like "$ERR" "$ere" "$desc: says what is wrong"
	is "$OUT" "" "$desc: the program did not run"
}
bad_net "bad ip '10.0.0'" "--net a bad ip" tap:t0,ip=10.0.0
bad_net "bad mac '01:00:5e:00:00:01' \\(a unicast" "--net a multicast mac" \
	tap:t0,mac=01:00:5e:00:00:01
bad_net "bad masklen 33 " "--net ip=.../33" tap:t0,ip=10.0.0.2/33
bad_net "at most 4 network interfaces" "five --net" tap:t0 tap:t1 tap:t2 tap:t3 tap:t4
bad_net "tap t0 given twice" "--net naming a tap twice" tap:t0 tap:t0,ip=10.0.0.2
bad_net "bad tap name" "--net a tap name of 16 characters" tap:abcdefghijklmnop

# --- a tap that does not exist --------------------------------------------------------
[ ! -e /sys/class/net/doesnotexist123 ] ||
	bail_out "a network interface doesnotexist123 exists on this host"
run_husk run --net tap:doesnotexist123 $BB echo ran
is "$RC" 125 "--net tap:doesnotexist123: exit 125"
one_husk_line "$ERR" "--net tap:doesnotexist123: one 'husk: ' line"
like "$ERR" "doesnotexist123: no such network interface" \
	"--net tap:doesnotexist123: the line names the tap"
is "$OUT" "" "--net tap:doesnotexist123: the program did not run"

json nettap '{"net": ["tap:doesnotexist123"]}'
run_husk run --config "$F" $BB echo ran
is "$RC" 125 "\"net\": [\"tap:doesnotexist123\"]: exit 125"
one_husk_line "$ERR" "\"net\" naming a missing tap: one 'husk: ' line"
like "$ERR" "doesnotexist123: no such network interface" \
	"\"net\" naming a missing tap: the line names the tap"

# --net replaces the file's "net": the file's missing tap is not opened.
run_husk run --config "$F" --net tap:doesnotexist456 $BB echo ran
like "$RC:$ERR" "^125:husk: [^"$'\n'"]*doesnotexist456" \
	"--net replaces the file's \"net\" (the flag's tap is the one named)"

done_testing
