#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_visibility: who sees which process.
#
# In the client namespace two processes of two users own a TCP flow each:
# ftmine runs as nobody, ftother as daemon. flowtop, a copy of the build
# with the installed file capabilities, runs as nobody on a /proc mounted
# hidepid=invisible (a mount namespace of its own): it lists both flows,
# names its own process (pid, process, uid), and shows the other user's
# flow by its socket's uid alone (no pid, no process). Run by root, flowtop
# names both.
source "$(dirname "$0")/lib.sh"
require_root
require_tools ip setpriv timeout unshare mount setcap
require_flowtop
ns_setup_or_skip

UID_ME=65534    # nobody: the member running flowtop
GID_ME=$(id -g "$UID_ME" 2>/dev/null) || GID_ME=65534
UID_OTHER=1     # daemon
CAPS=cap_net_admin,cap_sys_ptrace,cap_dac_read_search,cap_setuid,cap_setgid,cap_sys_chroot+p

# Programs the unprivileged users can reach ($WORK is 0700).
VIS_DIR=$(mktemp -d /tmp/ft-e2e-vis.XXXXXX) && chmod 0755 "$VIS_DIR" &&
	mkdir "$VIS_DIR/info" && chmod 1777 "$VIS_DIR/info"
vis_cleanup() {
	case $VIS_DIR in /tmp/ft-e2e-vis.*) rm -rf -- "$VIS_DIR" ;; esac
}
trap 'vis_cleanup; e2e_cleanup' EXIT

# comm comes from the name the program was started by.
if ! { ln -s "$PY" "$VIS_DIR/ftmine" && ln -s "$PY" "$VIS_DIR/ftother" &&
	cp "$TRAFFIC" "$VIS_DIR/traffic.py" && chmod 0644 "$VIS_DIR/traffic.py" &&
	cp "$FLOWTOP" "$VIS_DIR/flowtop" && chmod 0755 "$VIS_DIR/flowtop" &&
	setcap "$CAPS" "$VIS_DIR/flowtop"; } 2>"$WORK/setup.err"; then
	fail "a file-capability copy of flowtop and the owners' programs" "$(cat "$WORK/setup.err")"
	e2e_finish
fi

start_server s_tcp tcp "$S4" 5401 || e2e_finish

# owner NAME UID: a TCP client of the server run as UID under comm NAME,
# busy for 60 s; its source port in $VIS_DIR/info/NAME.json.
owner() {
	bg "$1" ip netns exec "$NS_CLIENT" setpriv --reuid="$2" --regid="$2" \
		--clear-groups "$VIS_DIR/$1" "$VIS_DIR/traffic.py" client \
		--proto tcp --addr "$S4" --port 5401 --duration 60 \
		--info "$VIS_DIR/info/$1.json"
	OWNER_PID=$BG_PID
	if ! wait_for 5 test -s "$VIS_DIR/info/$1.json"; then
		fail "$1 (uid $2) connects" "$(cat "$WORK/$1.err")"
		e2e_finish
	fi
}
sport_of() {
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["sport"])' \
		"$VIS_DIR/info/$1.json"
}
owner ftmine "$UID_ME"
owner ftother "$UID_OTHER"
# ip netns exec execs setpriv, which execs the program: the same pid.
PID_MINE=$(pgrep -f "info/ftmine.json" | head -n1)
PID_OTHER=$(pgrep -f "info/ftother.json" | head -n1)
SP_MINE=$(sport_of ftmine) SP_OTHER=$(sport_of ftother)
verdict "the owners run as $UID_ME and $UID_OTHER, named ftmine and ftother" \
	"$([ "$(stat -c %u "/proc/$PID_MINE") $(stat -c %u "/proc/$PID_OTHER")" = "$UID_ME $UID_OTHER" ] &&
		[ "$(proc_comm "$PID_MINE") $(proc_comm "$PID_OTHER")" = "ftmine ftother" ] ||
		echo "pids '$PID_MINE' '$PID_OTHER', comms '$(proc_comm "$PID_MINE")' '$(proc_comm "$PID_OTHER")'")"

# not_named FILE WHERE...: the flow is in the last snapshot, carries a uid,
# and none of its lines carries pid or process.
not_named() {
	"$PY" - "$@" <<-'EOF'
		import json, sys
		lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
		last = [f for f in lines if f["time"] == lines[-1]["time"]] if lines else []
		where = [a.split("=", 1) for a in sys.argv[2:]]
		hits = [f for f in lines if all(str(f.get(k)) == v for k, v in where)]
		if not [f for f in last if f in hits]:
		    print("not in the last snapshot"); sys.exit()
		secret = ("pid", "process", "cmdline", "exe", "unit", "container", "cgroup", "exited")
		bad = [f for f in hits if any(k in f for k in secret)]
		if bad:
		    print("carries pid/process: " + json.dumps(bad[-1])); sys.exit()
		if [f for f in hits if "uid" not in f]:
		    print("no uid: " + json.dumps(hits[-1])); sys.exit()
		if [f for f in hits if f.get("hidden") is not True]:
		    print("not \"hidden\": true: " + json.dumps(hits[-1]))
	EOF
}

# --- a member, on a /proc mounted hidepid=invisible --------------------------
# The mount namespace's /proc is the ui's and the collector's; the owners
# and the check above use the host's.
ft_run member "$NS_CLIENT" unshare -m sh -c \
	'mount -t proc -o hidepid=invisible proc /proc &&
	 exec setpriv --reuid="$1" --regid="$2" --clear-groups "$3" --once -o json -4T -n -G -t 1' \
	sh "$UID_ME" "$GID_ME" "$VIS_DIR/flowtop"
verdict "flowtop as uid $UID_ME (file capabilities, hidepid=invisible) exits 0" \
	"$([ "$FT_RC" = 0 ] || printf '%s, stderr:\n%s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/member.err")")"
verdict "member: its own flow shows pid $PID_MINE, process ftmine, uid $UID_ME" \
	"$(jcheck expect "$WORK/member.out" --where proto=tcp "--where=sport=$SP_MINE" \
		--where dport=5401 --expect "pid=$PID_MINE" --expect process=ftmine \
		--expect "uid=$UID_ME")"
verdict "member: the other user's flow is listed with uid $UID_OTHER and no pid or process" \
	"$(not_named "$WORK/member.out" proto=tcp "sport=$SP_OTHER" dport=5401)$(jcheck expect \
		"$WORK/member.out" --where proto=tcp "--where=sport=$SP_OTHER" --where dport=5401 \
		--expect "uid=$UID_OTHER")"
verdict "member: its own flow carries its command line and executable" \
	"$("$PY" - "$WORK/member.out" "$SP_MINE" <<-'EOF'
		import json, sys
		fl = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
		f = [f for f in fl if f.get("proto") == "tcp" and f.get("sport") == int(sys.argv[2])]
		if not f or "ftmine" not in f[-1].get("cmdline", "") or not f[-1].get("exe"):
		    print("no cmdline/exe: " + json.dumps(f[-1] if f else None))
	EOF
	)"
verdict "member: the other process's name appears nowhere in the output" \
	"$(! grep -q ftother "$WORK/member.out" || grep -m1 ftother "$WORK/member.out")"

# The text table says so.
ft_run member-text "$NS_CLIENT" unshare -m sh -c \
	'mount -t proc -o hidepid=invisible proc /proc &&
	 exec setpriv --reuid="$1" --regid="$2" --clear-groups "$3" --once -4T -n -G -t 1' \
	sh "$UID_ME" "$GID_ME" "$VIS_DIR/flowtop"
verdict "member, text: the other user's flow reads '(hidden) uid $UID_OTHER', its own 'PID/ftmine'" \
	"$([ "$FT_RC" = 0 ] || rc_text "$FT_RC")$(grep -q "(hidden) uid $UID_OTHER" "$WORK/member-text.out" ||
		echo "no '(hidden) uid $UID_OTHER':"; grep -q "$PID_MINE/ftmine" "$WORK/member-text.out" ||
		echo "no '$PID_MINE/ftmine':"; ! grep -q ftother "$WORK/member-text.out" ||
		echo "ftother shown:")"

# --- root sees everyone's ------------------------------------------------------
ft_run root "$NS_CLIENT" unshare -m sh -c \
	'mount -t proc -o hidepid=invisible proc /proc && exec "$1" --once -o json -4T -n -G -t 1' \
	sh "$FLOWTOP"
verdict "flowtop as root exits 0" \
	"$([ "$FT_RC" = 0 ] || printf '%s, stderr:\n%s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/root.err")")"
verdict "root: both flows name their process (ftmine $PID_MINE, ftother $PID_OTHER) and uid" \
	"$(jcheck expect "$WORK/root.out" --where proto=tcp "--where=sport=$SP_MINE" \
		--where dport=5401 --expect "pid=$PID_MINE" --expect process=ftmine \
		--expect "uid=$UID_ME")$(jcheck expect "$WORK/root.out" --where proto=tcp \
		"--where=sport=$SP_OTHER" --where dport=5401 --expect "pid=$PID_OTHER" \
		--expect process=ftother --expect "uid=$UID_OTHER")"

e2e_finish
