#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_install: flowtop installed as a user meets it, in both install modes.
# `make install DESTDIR=...` (the file list, no setcap/setuid/useradd, the
# postinst steps printed; uninstall empties it again); then a real install
# into a temporary PREFIX (conf and GeoIP dirs under it too: nothing in
# /etc or /usr is touched), with file capabilities and then SETUID=1. Who
# may run it: the binary is root:flowtop 0750 (4750 setuid), the group
# flowtop made by install and removed by uninstall, the service users
# flowtop and flowtop-ipfix (the IPFIX exporter's) not in it; a user outside the group gets "Permission denied" from
# the shell (126) and nothing of flowtop runs, a member runs it. Then
# GROUP= with a group the test makes: the binary gets that group, no group
# flowtop is made, uninstall leaves that group alone; GROUP= naming no
# group installs nothing. Each time a test user made for the test (and put
# in the group) runs it in a namespace with real flows: batch JSON shows a
# flow with its process, name (dnsmasq) and place (the test mmdb); the screen opens in tmux and q quits it; /proc shows the
# ui as that user with no capabilities, NoNewPrivs and seccomp; a root-only
# copy of a config under --conf-dir is refused (permission denied), for the
# run and for -u; and `make uninstall` leaves the PREFIX as it was.
# Around the install: a normal user's login shell finds flowtop (the bin
# directory under the default PREFIX is on its PATH); the bash completion
# completes options, directories and formats; the systemd units of
# `flowtop -u` are where systemd looks, say what they should, are not
# enabled, and `systemd-analyze verify` accepts them.
# The install is made from a copy of the tree (its build reused), so that
# the tree's own ./flowtop keeps its default paths for the other tests.
source "$(dirname "$0")/lib.sh"
source "$E2E_DIR/dns.sh"
require_root
require_tools ip nft setpriv timeout tmux useradd userdel getcap make dnsmasq \
	unshare mount runuser bash groupadd groupdel usermod stat id
require_flowtop
ns_setup_or_skip

TUSER=ftinst$$   # put in the run group: a member
TOUT=ftout$$     # in no group of ours: an outsider
TGRP=ftgrp$$     # the existing group of the GROUP= install
TM=(tmux -L "ft-inst-$$")
PFX=$(mktemp -d /tmp/ft-prefix-XXXXXX) && chmod 0755 "$PFX"
SECRET=$(mktemp -d /tmp/ft-secret-XXXXXX) && chmod 0755 "$SECRET"
FT_USER_BEFORE=0
getent passwd flowtop >/dev/null && FT_USER_BEFORE=1
IX_USER_BEFORE=0
getent passwd flowtop-ipfix >/dev/null && IX_USER_BEFORE=1
FT_GROUP_BEFORE=0
getent group flowtop >/dev/null && FT_GROUP_BEFORE=1
MADE_TUSER=0 MADE_TOUT=0 MADE_TGRP=0

inst_cleanup() {
	"${TM[@]}" kill-server 2>/dev/null
	# The test user's client first: userdel refuses while it runs.
	[ -n "${C_LON_PID:-}" ] && kill "$C_LON_PID" 2>/dev/null
	[ "$MADE_TUSER" = 1 ] && { wait_for 10 userdel "$TUSER" 2>/dev/null ||
		echo "t_install: could not remove the test user: userdel $TUSER"; }
	[ "$MADE_TOUT" = 1 ] && userdel "$TOUT" 2>/dev/null
	[ "$MADE_TGRP" = 1 ] && groupdel "$TGRP" 2>/dev/null
	# The system user only when this test's install made it.
	# (userdel refuses while a process runs as it: retried for a while.)
	if [ "$FT_USER_BEFORE" = 0 ] && getent passwd flowtop >/dev/null; then
		wait_for 10 userdel flowtop 2>/dev/null ||
			echo "t_install: could not remove the user flowtop this test made: userdel flowtop"
	fi
	if [ "$IX_USER_BEFORE" = 0 ] && getent passwd flowtop-ipfix >/dev/null; then
		wait_for 10 userdel flowtop-ipfix 2>/dev/null ||
			echo "t_install: could not remove the user flowtop-ipfix this test made: userdel flowtop-ipfix"
	fi
	if [ "$FT_GROUP_BEFORE" = 0 ] && getent group flowtop >/dev/null; then
		groupdel flowtop 2>/dev/null ||
			echo "t_install: could not remove the group flowtop this test made: groupdel flowtop"
	fi
	case $PFX in /tmp/ft-prefix-*) rm -rf -- "$PFX" ;; esac
	case $SECRET in /tmp/ft-secret-*) rm -rf -- "$SECRET" ;; esac
}
trap 'inst_cleanup; dns_cleanup; e2e_cleanup' EXIT

# --- the tree to install from -------------------------------------------------
SRC=$WORK/src
mkdir -p "$SRC/build" &&
	tar -C "$ROOT" --exclude=./.git --exclude=./build -cf - . | tar -C "$SRC" -xf - &&
	cp -a "$ROOT/build/obj" "$ROOT/build/libflowtop.a" "$SRC/build/" || {
	fail "harness: a copy of the tree with its build" "cannot copy $ROOT"
	e2e_finish
}
# skip_ci WHAT WHY: a check that cannot run here is skipped, but under
# CI=true, where everything must run, it fails.
skip_ci() {
	if [ "${CI:-}" = true ]; then
		fail "$1" "$2 (CI=true: a check that cannot run fails)"
	else
		skip "$1" "$2"
	fi
}

# mk NAME ARGS...: make in the copy, output in $WORK/NAME.log.
mk() {
	local name=$1
	shift
	make -C "$SRC" --no-print-directory "$@" >"$WORK/$name.log" 2>&1
}

# --- DESTDIR: a package build ---------------------------------------------------
check_destdir() {
	local mode=$1 dest=$WORK/dest-$1 want got why= extra=()
	[ "$mode" = setuid ] && extra=(SETUID=1)
	[ "$mode" = containers ] && extra=(CONTAINERS=1)
	if ! mk "dest-$mode" install DESTDIR="$dest" "${extra[@]}"; then
		fail "DESTDIR ($mode): make install succeeds" "$(tail -n3 "$WORK/dest-$mode.log")"
		return
	fi
	want="etc/netsniff-ng/geoip.conf etc/netsniff-ng/tcp.conf etc/netsniff-ng/udp.conf usr/local/bin/flowtop usr/local/lib/systemd/system/flowtop-update.service usr/local/lib/systemd/system/flowtop-update.timer usr/local/share/bash-completion/completions/flowtop usr/local/share/flowtop/install-manifest usr/local/share/man/man8/flowtop.8 var/lib/GeoIP/"
	got=$(find "$dest" -mindepth 1 \( -type f -printf '%P\n' \) -o \
		\( -type d -empty -printf '%P/\n' \) | sort | tr '\n' ' ')
	verdict "DESTDIR ($mode): the files installed are exactly the expected ones" \
		"$([ "$got" = "$want " ] || echo "got: $got")"
	got=$(stat -c %a "$dest/usr/local/bin/flowtop")$(getcap "$dest/usr/local/bin/flowtop")
	verdict "DESTDIR ($mode): no setuid, no file capabilities into a DESTDIR" \
		"$([ "$got" = 755 ] || echo "mode+caps: $got")"
	grep -q 'useradd --system' "$WORK/dest-$mode.log" || why="no useradd line"
	grep -q 'useradd .*--user-group' "$WORK/dest-$mode.log" && why="$why; useradd --user-group (the user would join the group flowtop)"
	grep -q 'groupadd --system flowtop$' "$WORK/dest-$mode.log" || why="$why; no groupadd line"
	grep -q 'chown root:flowtop /usr/local/bin/flowtop$' "$WORK/dest-$mode.log" || why="$why; no chown root:flowtop line"
	if [ "$mode" = setuid ]; then
		grep -q 'chmod 4750 /usr/local/bin/flowtop$' "$WORK/dest-$mode.log" || why="$why; no chmod 4750 line"
	else
		grep -q 'chmod 0750 /usr/local/bin/flowtop$' "$WORK/dest-$mode.log" || why="$why; no chmod 0750 line"
		grep -q 'setcap cap_net_admin,.*+p /usr/local/bin/flowtop' "$WORK/dest-$mode.log" || why="$why; no setcap line"
		# CAP_SYS_ADMIN, for the namespace helper, only when asked for.
		if [ "$mode" = containers ]; then
			grep -q 'setcap .*cap_sys_admin.*+p ' "$WORK/dest-$mode.log" || why="$why; CONTAINERS=1: no cap_sys_admin in setcap"
		else
			grep -q 'setcap .*cap_sys_admin' "$WORK/dest-$mode.log" && why="$why; cap_sys_admin without CONTAINERS=1"
		fi
		# chown clears file capabilities: setcap must come after it.
		[ "$(grep -n -e 'chown root:' -e 'setcap ' "$WORK/dest-$mode.log" | head -n1 | grep -c chown)" = 1 ] ||
			why="$why; setcap printed before chown (chown would clear it)"
	fi
	verdict "DESTDIR ($mode): prints what a postinst must do" \
		"${why:+${why#; }
$(grep -A3 flowtop: "$WORK/dest-$mode.log" | head -n 8)}"
	got=$(grep -x 'ExecStart=.*' "$dest/usr/local/lib/systemd/system/flowtop-update.service" 2>&1)
	verdict "DESTDIR ($mode): the service runs the installed binary's -u" \
		"$([ "$got" = "ExecStart=/usr/local/bin/flowtop -u" ] || echo "got: $got")"
	# systemd's own unit lookup, offline (--root works with or without a
	# running systemd): it finds the timer under usr/local/lib/systemd/system
	# and nothing enabled it.
	if command -v systemctl >/dev/null 2>&1; then
		got=$(systemctl --root="$dest" is-enabled flowtop-update.timer 2>&1)
		verdict "DESTDIR ($mode): systemctl --root finds the timer, disabled" \
			"$([ "$got" = disabled ] || echo "is-enabled: $got")"
	else
		skip_ci "DESTDIR ($mode): systemctl --root finds the timer, disabled" "no systemctl"
	fi
	mk "undest-$mode" uninstall DESTDIR="$dest"
	got=$(find "$dest" -mindepth 1 | head -n 5)
	verdict "DESTDIR ($mode): make uninstall leaves it empty" "${got:+left: $got}"
}
check_destdir caps
check_destdir setuid
check_destdir containers

# --- the world the test user sees ---------------------------------------------
if ! useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
	--user-group "$TUSER" 2>"$WORK/useradd.err"; then
	fail "harness: a test user" "$(cat "$WORK/useradd.err")"
	e2e_finish
fi
MADE_TUSER=1
if ! useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
	--user-group "$TOUT" 2>"$WORK/useradd.err"; then
	fail "harness: a second test user" "$(cat "$WORK/useradd.err")"
	e2e_finish
fi
MADE_TOUT=1
TUID=$(id -u "$TUSER")
ns_add_public "$T_LONDON" >"$WORK/public.msg" || {
	fail "harness: the London test address in the server namespace" "$(cat "$WORK/public.msg")"
	e2e_finish
}
dnsmasq_start dnsmasq "$S4" "$S6" -- "$T_LONDON=london.test.example" >"$WORK/dnsmasq.msg" || {
	fail "harness: dnsmasq in the server namespace" "$(cat "$WORK/dnsmasq.msg")"
	e2e_finish
}
resolv_conf_set "$NS_CLIENT" "$S4"
need_mmdb
GEO=$(geo_dir good GeoLite2-City-Test.mmdb=city.mmdb GeoLite2-ASN-Test.mmdb=asn.mmdb)
start_server s_lon tcp "$T_LONDON" 80 || e2e_finish
# The flow belongs to the test user: a member sees its own processes, and
# another user's only by uid (t_visibility tests that rule).
bg c_lon ip netns exec "$NS_CLIENT" setpriv --reuid="$TUSER" --regid="$TUSER" \
	--init-groups "$PY" "$TRAFFIC" client --proto tcp --addr "$T_LONDON" \
	--port 80 --duration 140
C_LON_PID=$BG_PID
# A root-only copy of each config, in a directory anyone may enter.
for f in tcp.conf geoip.conf; do
	{ echo "# SECRET-$$"; cat "$ROOT/conf/$f"; } >"$SECRET/$f" && chmod 0600 "$SECRET/$f"
done

# as_user CMD...: CMD in the client namespace as the test user.
as_user() {
	in_client setpriv --reuid="$TUSER" --regid="$TUSER" --init-groups "$@"
}

# --- one install mode, run as the test user ---------------------------------------
BIN=$PFX/bin/flowtop
check_run() {
	local mode=$1 extra=() before after got why=
	[ "$mode" = setuid ] && extra=(SETUID=1)
	before=$(find "$PFX" | sort)
	if ! mk "inst-$mode" install PREFIX="$PFX" SYSCONFDIR="$PFX/etc" \
		GEOIPDIR="$PFX/geoip" "${extra[@]}"; then
		fail "$mode: make install into $PFX" "$(tail -n3 "$WORK/inst-$mode.log")"
		return
	fi
	if [ "$mode" = setuid ]; then
		got=$(stat -c '%a %U:%G' "$BIN")$(getcap "$BIN")
		verdict "$mode: the binary is setuid root, 4750 root:flowtop, no file capabilities" \
			"$([ "$got" = "4750 root:flowtop" ] || echo "got: $got")"
	else
		got=$(getcap "$BIN")
		verdict "$mode: the binary has the file capabilities, permitted set only" \
			"$(echo "$got" | grep -q 'cap_net_admin.*=p$' || echo "getcap: $got")"
		got=$(stat -c '%a %U:%G' "$BIN")
		verdict "$mode: stat: 750 root:flowtop" "$([ "$got" = "750 root:flowtop" ] || echo "got: $got")"
	fi
	verdict "$mode: the system user flowtop exists, with no login shell" \
		"$(getent passwd flowtop | grep -q ':/usr/sbin/nologin$' || echo "$(getent passwd flowtop)")"
	verdict "$mode: the IPFIX exporter's system user flowtop-ipfix exists, no login shell, a uid of its own" \
		"$(getent passwd flowtop-ipfix | grep -q ':/usr/sbin/nologin$' &&
			[ "$(id -u flowtop-ipfix)" != "$(id -u flowtop)" ] || echo "$(getent passwd flowtop-ipfix)")"
	check_group_made "$mode"
	# The test user joins the group (its processes start with
	# setpriv --init-groups or a login, which read /etc/group).
	usermod -aG flowtop "$TUSER"
	check_access "$mode" flowtop
	check_login_path "$mode"
	check_completion "$mode"
	check_units "$mode"

	# Batch JSON: the default conf dir is the installed one.
	ft_run "json-$mode" "$NS_CLIENT" setpriv --reuid="$TUSER" --regid="$TUSER" \
		--init-groups "$BIN" --once -o json -t 0.5 --geoip-dir "$GEO"
	local w=(--where dst="$T_LONDON" --where dport=80)
	why=$([ "$FT_RC" = 0 ] || echo "$(rc_text "$FT_RC"): $(head -n2 "$WORK/json-$mode.err")")
	[ -n "$why" ] || why=$(jcheck expect "$WORK/json-$mode.out" "${w[@]}" \
		--expect process=python3 --expect service=http)
	verdict "$mode: as $TUSER, batch JSON shows the London flow, its process and service" "$why"
	why=$(jcheck expect "$WORK/json-$mode.out" "${w[@]}" --expect dst_name=london.test.example)
	verdict "$mode: ... and its name from dnsmasq" "$why"
	if [ "$HAVE_GEO" = 1 ]; then
		why=$(jcheck expect "$WORK/json-$mode.out" "${w[@]}" --expect dst_country=GB --expect dst_city=London)
		verdict "$mode: ... and its place from the test database" "$why"
	fi

	check_screen "$mode"
	check_secret "$mode"

	# userdel refuses while anything runs as the user (another flowtop on
	# this machine may have picked it up meanwhile).
	wait_for 5 no_flowtop_procs
	mk "uninst-$mode" uninstall PREFIX="$PFX" SYSCONFDIR="$PFX/etc" GEOIPDIR="$PFX/geoip"
	after=$(find "$PFX" | sort)
	verdict "$mode: make uninstall leaves $PFX as it was" \
		"$([ "$after" = "$before" ] || diff <(echo "$before") <(echo "$after") | head -n 8)"
	if [ "$FT_USER_BEFORE" = 1 ]; then
		return
	elif getent passwd flowtop >/dev/null && ! no_flowtop_procs; then
		skip "$mode: make uninstall removes the user flowtop its install made" \
			"another process runs as flowtop: $(pgrep -u flowtop -a | head -n1)"
		wait_for 10 userdel flowtop 2>/dev/null
	else
		verdict "$mode: make uninstall removes the user flowtop its install made" \
			"$(getent passwd flowtop)"
	fi
	if [ "$IX_USER_BEFORE" = 0 ]; then
		wait_for 5 sh -c '! getent passwd flowtop-ipfix >/dev/null'
		verdict "$mode: make uninstall removes the user flowtop-ipfix its install made" \
			"$(getent passwd flowtop-ipfix)"
	fi
	if [ "$FT_GROUP_BEFORE" = 0 ]; then
		verdict "$mode: make uninstall removes the group flowtop its install made" \
			"$(getent group flowtop)"
	fi
}

# The group flowtop: made by install (in the manifest) when it was not
# there; the service user flowtop is no member of it.
check_group_made() {
	local mode=$1 manifest=$PFX/share/flowtop/install-manifest
	if [ "$FT_GROUP_BEFORE" = 1 ]; then
		skip "$mode: make install makes the group flowtop, recorded in the manifest" \
			"the group flowtop existed before this test"
	else
		verdict "$mode: make install makes the group flowtop, recorded in the manifest" \
			"$(getent group flowtop >/dev/null || echo "no group flowtop")$(grep -qx 'group flowtop' "$manifest" || echo " no 'group flowtop' in $manifest")"
	fi
	verdict "$mode: the service users flowtop and flowtop-ipfix are not in the group flowtop" \
		"$(id -Gn flowtop | tr ' ' '\n' | grep -x flowtop >/dev/null && echo "id flowtop: $(id flowtop)")$(id -Gn flowtop-ipfix | tr ' ' '\n' | grep -x flowtop >/dev/null && echo "id flowtop-ipfix: $(id flowtop-ipfix)")"
}

# check_access MODE GROUP: the same run as the outsider and as a member of
# GROUP, from a shell. The outsider: the shell's "Permission denied", exit
# 126, nothing else (flowtop never ran: no line of its own, no output, no
# process); the member: exit 0.
check_access() {
	local mode=$1 grp=$2 who name why
	for who in "$TOUT" "$TUSER"; do
		name=access-$mode-$grp-$who
		# shellcheck disable=SC2016 # expanded by the inner bash
		ft_run "$name" "$NS_CLIENT" setpriv --reuid="$who" --regid="$who" \
			--init-groups bash -c '"$1" --once -n -G -t 0.5' bash "$BIN"
		if [ "$who" = "$TOUT" ]; then
			why=
			[ "$FT_RC" = 126 ] || why="$(rc_text "$FT_RC"), not 126;"
			# bash: [line 1: ]PATH: Permission denied, and nothing else.
			[ "$(wc -l <"$WORK/$name.err")" = 1 ] &&
				grep -Eqx "bash: (line [0-9]+: )?$BIN: Permission denied" "$WORK/$name.err" ||
				why="$why stderr is not only the shell's Permission denied:"
			[ -s "$WORK/$name.out" ] && why="$why stdout not empty;"
			pgrep -u "$TOUT" >/dev/null && why="$why a process of $TOUT runs: $(pgrep -u "$TOUT" -a | head -n1)"
			verdict "$mode: $TOUT, not in the group $grp: the shell says Permission denied (126), flowtop never runs" \
				"${why:+$why
$(show_file "$WORK/$name.err" 3)}"
		else
			verdict "$mode: $TUSER, a member of the group $grp, runs it (exit 0)" \
				"$([ "$FT_RC" = 0 ] || echo "$(rc_text "$FT_RC"): $(head -n2 "$WORK/$name.err")")"
		fi
	done
}

# GROUP=: an existing group the test makes. The binary gets it, with the
# file capabilities; no group flowtop is made and none recorded; its
# members run flowtop, others do not; uninstall leaves the group alone.
# GROUP= naming no group: install fails, installs nothing.
check_other_group() {
	local before after got why='' manifest=$PFX/share/flowtop/install-manifest
	local vars=(PREFIX="$PFX" SYSCONFDIR="$PFX/etc" GEOIPDIR="$PFX/geoip")
	before=$(find "$PFX" | sort)
	if mk inst-nogroup install "${vars[@]}" GROUP="nosuch$$"; then
		fail "GROUP=nosuch$$ (no such group): make install fails" "it succeeded"
	else
		after=$(find "$PFX" | sort)
		verdict "GROUP=nosuch$$ (no such group): make install fails, names it, installs nothing" \
			"$(grep -q "GROUP=nosuch$$: no such group" "$WORK/inst-nogroup.log" || show_file "$WORK/inst-nogroup.log" 3)$([ "$after" = "$before" ] || echo " left: $(diff <(echo "$before") <(echo "$after") | head -n 4)")"
	fi
	if ! groupadd "$TGRP" 2>"$WORK/groupadd.err"; then
		fail "harness: a test group" "$(cat "$WORK/groupadd.err")"
		return
	fi
	MADE_TGRP=1
	if ! mk inst-group install "${vars[@]}" GROUP="$TGRP"; then
		fail "GROUP=$TGRP: make install" "$(tail -n3 "$WORK/inst-group.log")"
		return
	fi
	got=$(stat -c '%a %U:%G' "$BIN")
	verdict "GROUP=$TGRP: stat: 750 root:$TGRP" "$([ "$got" = "750 root:$TGRP" ] || echo "got: $got")"
	got=$(getcap "$BIN")
	verdict "GROUP=$TGRP: the file capabilities are there" \
		"$(echo "$got" | grep -q 'cap_net_admin.*=p$' || echo "getcap: $got")"
	grep -q '^group ' "$manifest" && why="manifest: $(grep '^group ' "$manifest")"
	[ "$FT_GROUP_BEFORE" = 0 ] && getent group flowtop >/dev/null && why="$why; a group flowtop was made"
	verdict "GROUP=$TGRP: no group made, none in the manifest" "${why#; }"
	usermod -aG "$TGRP" "$TUSER"
	check_access "GROUP=$TGRP" "$TGRP"
	wait_for 5 no_flowtop_procs
	mk uninst-group uninstall "${vars[@]}"
	verdict "GROUP=$TGRP: make uninstall leaves the group $TGRP alone" \
		"$(getent group "$TGRP" >/dev/null || echo "the group $TGRP is gone")"
	after=$(find "$PFX" | sort)
	verdict "GROUP=$TGRP: make uninstall leaves $PFX as it was" \
		"$([ "$after" = "$before" ] || diff <(echo "$before") <(echo "$after") | head -n 8)"
}

no_flowtop_procs() { ! pgrep -u flowtop >/dev/null 2>&1; }

# A normal user's login shell finds flowtop. The install went to $PFX;
# in a mount namespace of its own $PFX/bin stands where the default
# PREFIX puts it (/usr/local/bin), and a login shell of the test user (bash
# as its shell: the user's own is nologin) looks flowtop up and runs it.
check_login_path() {
	local mode=$1 out=$WORK/login-$1.out want
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare --mount --propagation private sh -c \
		'mount --bind "$1" /usr/local/bin && exec runuser -l "$2" -s /bin/bash \
			-c "command -v flowtop && flowtop --version"' \
		sh "$PFX/bin" "$TUSER" >"$out" 2>"$WORK/login-$mode.err" </dev/null
	want="/usr/local/bin/flowtop
$("$BIN" --version | head -n 1)"
	verdict "$mode: $TUSER's login shell finds flowtop in /usr/local/bin and runs it" \
		"$([ "$(head -n 2 "$out")" = "$want" ] || { echo "got:"; cat "$out" "$WORK/login-$mode.err"; } | head -n 6)"
}

# The installed bash completion, as the test user, in a bash with nothing
# else loaded: options come from `flowtop --help` of the flowtop on the PATH.
check_completion() {
	local mode=$1 comp=$PFX/share/bash-completion/completions/flowtop got want
	# shellcheck disable=SC2016 # expanded by the inner bash
	got=$(setpriv --reuid="$TUSER" --regid="$TUSER" --init-groups \
		env PATH="$PFX/bin:/usr/bin:/bin" bash --norc --noprofile -c '
		source "$1" || exit 1
		fn=$(complete -p flowtop 2>/dev/null | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
		[ -n "$fn" ] || { echo "no completion function registered for flowtop"; exit 1; }
		c() {
			COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMPREPLY=()
			COMP_LINE="$*" COMP_POINT=${#COMP_LINE}
			"$fn" flowtop "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
			echo "${COMPREPLY[*]}"
		}
		c flowtop --geo
		c flowtop -o ""
		c flowtop --conf-dir "$2/e"
		c flowtop -46T --geoip-dir "$2/g"
		c flowtop --record-k
		' bash "$comp" "$PFX" 2>&1)
	want="--geoip-dir
text json none
$PFX/etc
$PFX/geoip
--record-keep"
	verdict "$mode: bash completion: --geo gives --geoip-dir, -o the formats, --conf-dir/--geoip-dir directories, --record-k --record-keep" \
		"$([ "$got" = "$want" ] || printf 'got:\n%s\nwanted:\n%s\n' "$got" "$want")"
}

# The units of `flowtop -u`: installed where UNITDIR puts them, naming the
# installed binary, not enabled; systemd-analyze verify accepts them (the
# man page of Documentation= found under the PREFIX).
check_units() {
	local mode=$1 dir=$PFX/lib/systemd/system svc tmr why= rc
	svc=$dir/flowtop-update.service tmr=$dir/flowtop-update.timer
	if [ ! -f "$svc" ] || [ ! -f "$tmr" ]; then
		why="not there: $(ls -A "$dir" 2>&1 | tr '\n' ' ')"
	else
		grep -qx "ExecStart=$BIN -u" "$svc" || why="service: no ExecStart=$BIN -u"
		grep -qx 'Type=oneshot' "$svc" || why="$why; service: not Type=oneshot"
		grep -q '^OnCalendar=' "$tmr" || why="$why; timer: no OnCalendar="
		grep -qx 'WantedBy=timers.target' "$tmr" || why="$why; timer: not WantedBy=timers.target"
		[ -z "$(find "$PFX" -name '*.wants')" ] || why="$why; enabled: $(find "$PFX" -name '*.wants')"
	fi
	verdict "$mode: the flowtop -u service and weekly timer are installed, not enabled" "${why#; }"
	if command -v systemd-analyze >/dev/null 2>&1; then
		MANPATH=$PFX/share/man systemd-analyze verify "$tmr" "$svc" >"$WORK/verify-$mode.log" 2>&1
		rc=$?
		verdict "$mode: systemd-analyze verify accepts the units" \
			"$([ "$rc" = 0 ] && ! [ -s "$WORK/verify-$mode.log" ] || { echo "status $rc"; show_file "$WORK/verify-$mode.log" 6; })"
	else
		skip_ci "$mode: systemd-analyze verify accepts the units" "no systemd-analyze (Debian package systemd)"
	fi
}

# The screen in tmux; the ui's /proc status; q quits with status 0.
check_screen() {
	local mode=$1 s="tui-$1" col ui nsd v why=
	cat >"$WORK/$s.sh" <<-SH
		ip netns exec "$NS_CLIENT" setpriv --reuid="$TUSER" --regid="$TUSER" \
			--init-groups "$BIN" -n --geoip-dir "$GEO" 2>"$WORK/$s.err"
		echo \$? >"$WORK/$s.rc"
		sleep 60
	SH
	"${TM[@]}" new-session -d -s "$s" -x 160 -y 40 "bash $WORK/$s.sh"
	shows() { "${TM[@]}" capture-pane -p -t "$s" | grep -q "81\.2\.69\.142"; }
	wait_for 10 shows
	verdict "$mode: the screen opens in tmux and shows the London flow" \
		"$(shows || "${TM[@]}" capture-pane -p -t "$s" | head -n 5; cat "$WORK/$s.err" 2>/dev/null | head -n 3)"
	col=$(pgrep -x flowtop -P "$("${TM[@]}" display -p -t "$s" '#{pane_pid}')" | head -n1)
	ui=$(child_by_comm "${col:-0}" flowtop-ui)
	if [ -z "$ui" ]; then
		fail "$mode: the ui process is there" "collector '${col}', no flowtop-ui child"
	else
		E2E_PIDS+=("$col" "$ui")
		v=$(status_field "$ui" Uid | tr -s '[:space:]' ' ')
		[ "$v" = "$TUID $TUID $TUID $TUID " ] || why="Uid: $v"
		for f in CapPrm CapEff; do
			v=$(status_field "$ui" $f)
			[ "$v" = 0000000000000000 ] || why="$why $f=$v"
		done
		[ "$(status_field "$ui" NoNewPrivs)" = 1 ] || why="$why NoNewPrivs=$(status_field "$ui" NoNewPrivs)"
		[ "$(status_field "$ui" Seccomp)" = 2 ] || why="$why Seccomp=$(status_field "$ui" Seccomp)"
		verdict "$mode: /proc: the ui runs as $TUSER, CapPrm/CapEff 0, NoNewPrivs 1, Seccomp 2" "${why# }"
	fi
	# The namespace helper needs CAP_SYS_ADMIN: a setuid start has it (and
	# gives it to the helper alone), the file capabilities do not.
	nsd=$(child_by_comm "${col:-0}" flowtop-nsdiag)
	if [ "$mode" = setuid ]; then
		[ -n "$nsd" ] && E2E_PIDS+=("$nsd")
		verdict "$mode: flowtop-nsdiag runs, CapEff CAP_SYS_ADMIN alone, not as $TUSER nor root" \
			"$([ -n "$nsd" ] || echo "no flowtop-nsdiag child")$([ -z "$nsd" ] || { v=$(status_field "$nsd" CapEff); u=$(status_field "$nsd" Uid | awk '{print $1}'); [ "$v" = 0000000000200000 ] && [ "$u" != 0 ] && [ "$u" != "$TUID" ] || echo "CapEff=$v uid=$u"; })"
	else
		verdict "$mode: no flowtop-nsdiag (no CAP_SYS_ADMIN in the file capabilities)" \
			"$([ -z "$nsd" ] || echo "it runs: pid $nsd")"
	fi
	"${TM[@]}" send-keys -t "$s" q
	wait_for 5 test -s "$WORK/$s.rc"
	verdict "$mode: q quits the screen with status 0" \
		"$([ "$(cat "$WORK/$s.rc" 2>/dev/null)" = 0 ] || echo "status '$(cat "$WORK/$s.rc" 2>/dev/null)': $(head -n2 "$WORK/$s.err")")"
	"${TM[@]}" kill-session -t "$s" 2>/dev/null
	# Gone before uninstall removes the user its resolver runs as.
	gone() { ! kill -0 "${col:-0}" 2>/dev/null && ! kill -0 "${ui:-0}" 2>/dev/null &&
		! kill -0 "${nsd:-0}" 2>/dev/null; }
	wait_for 5 gone
}

# A root-only file is not read through --conf-dir, neither by the run nor
# by -u, and nothing of it shows in the messages.
check_secret() {
	local mode=$1
	ft_run "secret-$mode" "$NS_CLIENT" setpriv --reuid="$TUSER" --regid="$TUSER" \
		--init-groups "$BIN" --once -n -G --conf-dir "$SECRET"
	verdict "$mode: a root-only tcp.conf under --conf-dir: permission denied" \
		"$(grep -q "$SECRET/tcp.conf: Permission denied" "$WORK/secret-$mode.err" || show_file "$WORK/secret-$mode.err" 3)"
	ft_run "secretu-$mode" "$NS_CLIENT" setpriv --reuid="$TUSER" --regid="$TUSER" \
		--init-groups "$BIN" -u --conf-dir "$SECRET"
	verdict "$mode: flowtop -u with a root-only geoip.conf: permission denied, exit 1" \
		"$([ "$FT_RC" = 1 ] && grep -q "geoip.conf: Permission denied" "$WORK/secretu-$mode.err" || echo "$(rc_text "$FT_RC"): $(head -n2 "$WORK/secretu-$mode.err")")"
	verdict "$mode: nothing of the root-only files in any message" \
		"$(cat "$WORK/secret-$mode.err" "$WORK/secretu-$mode.err" | grep "SECRET-$$")"
}

check_run caps
check_run setuid
check_other_group
e2e_finish
