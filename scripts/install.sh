#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# install.sh install|uninstall: what `make install` and `make uninstall` do;
# the Makefile hands its variables over in the environment.
#
# Every file, directory, user and group that install creates is written to
# a manifest, $DATADIR/install-manifest, so that uninstall removes exactly
# those and nothing else. A config file the admin has changed is never
# overwritten (the new one goes beside it as NAME.dist) nor removed.
# With DESTDIR (a package build) nothing is done that only the target
# system may do (groupadd, useradd, chown, setcap, setuid): the steps are
# printed instead.
#
# Who may run the installed binary (as Wireshark's dumpcap): root and the
# members of one group. The binary is root:GROUP, mode 0750, with file
# capabilities (or setuid root, 4750, with SETUID=1); anyone else gets
# "Permission denied" from the kernel at exec, before any of flowtop runs.
# GROUP defaults to flowtop, a system group made here when missing;
# GROUP=NAME (make's command line) names an existing group, never made nor
# removed here.
#
# Two identities, kept apart: the group flowtop says who may run flowtop;
# the user flowtop is the sandboxed resolver's uid. That user is made with
# nobody's primary group (nogroup on Debian), not with a group of its own
# (useradd --user-group would make exactly the group flowtop and put the
# user in it), and install refuses a service user that is a member of
# GROUP: the resolver's identity may not start the privileged binary.
# A second service user, flowtop-ipfix, is the IPFIX exporter's uid
# (--ipfix), made the same way, so that the process holding the socket to
# a flow collector shares no uid with the one that parses DNS answers.
set -eu

: "${PREFIX:?}" "${BINDIR:?}" "${MANDIR:?}" "${SYSCONFDIR:?}" \
	"${GEOIPDIR:?}" "${DATADIR:?}" "${BASHCOMPDIR:?}" "${UNITDIR:?}" \
	"${FILECAPS:?}"
DESTDIR=${DESTDIR:-}
SETUID=${SETUID:-0}
CONFDIR=$SYSCONFDIR/netsniff-ng
MANIFEST=$DATADIR/install-manifest
USER_NAME=flowtop
IPFIX_USER=flowtop-ipfix
GROUP=${GROUP:-flowtop}
DEFAULT_GROUP=flowtop
CONFS=(tcp.conf udp.conf geoip.conf)

say() { echo "flowtop: $*"; }
die() { echo "flowtop: $*" >&2; exit 1; }

# Manifest lines: "dir PATH", "file PATH", "conf SHA256 PATH",
# "user NAME", "group NAME"; paths as on the target system (without
# DESTDIR).
declare -A OLD=()   # key (manifest_key) -> its line in an earlier manifest
NEW=()

# manifest_key KIND REST: what a line is about: its path, or "user NAME" and
# "group NAME" (a user and a group may share a name).
manifest_key() {
	case $1 in
	conf) echo "${2#* }" ;;
	user | group) echo "$1 $2" ;;
	*) echo "$2" ;;
	esac
}

manifest_read() {
	local kind rest
	[ -f "$DESTDIR$MANIFEST" ] || return 0
	while read -r kind rest; do
		OLD[$(manifest_key "$kind" "$rest")]="$kind $rest"
	done <"$DESTDIR$MANIFEST"
}

record() { NEW+=("$*"); }

# An entry of the earlier manifest that this install did not record again
# still belongs to us (a directory or user made by the first install),
# except a file this install no longer puts there (the binary of an older
# release in sbin, a NAME.dist no longer needed): that one is removed.
manifest_write() {
	local key line seen
	for key in "${!OLD[@]}"; do
		seen=0
		for line in "${NEW[@]}"; do
			[ "$(manifest_key "${line%% *}" "${line#* }")" = "$key" ] && seen=1
		done
		[ "$seen" = 1 ] && continue
		case ${OLD[$key]} in
		"file "*)
			rm -f -- "$DESTDIR$key"
			say "removed $key, installed earlier and no longer part of flowtop"
			;;
		*) NEW=("${OLD[$key]}" "${NEW[@]}") ;;
		esac
	done
	printf '%s\n' "${NEW[@]}" >"$DESTDIR$MANIFEST"
	chmod 0644 "$DESTDIR$MANIFEST"
}

# mkdirs DIR: create DIR and its missing parents, recording each one made.
mkdirs() {
	local path= part parts
	IFS=/ read -ra parts <<<"$1"
	for part in "${parts[@]}"; do
		[ -n "$part" ] || continue
		path=$path/$part
		[ -d "$DESTDIR$path" ] && continue
		install -d -m 0755 "$DESTDIR$path"
		record dir "$path"
	done
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# A config file: installed when absent, when identical, or when unchanged
# since we installed it; otherwise ours goes beside it as NAME.dist.
install_conf() {
	local name=$1 dst=$CONFDIR/$1 new old
	new=$(sha "conf/$name")
	if [ -e "$DESTDIR$dst" ]; then
		old=${OLD[$dst]:-}
		old=${old#conf }
		old=${old%% *}
		if [ "$(sha "$DESTDIR$dst")" != "$new" ] &&
			[ "$(sha "$DESTDIR$dst")" != "$old" ]; then
			install -m 0644 "conf/$name" "$DESTDIR$dst.dist"
			record file "$dst.dist"
			say "kept your changed $dst; the new one is $dst.dist"
			return 0
		fi
	fi
	install -m 0644 "conf/$name" "$DESTDIR$dst"
	record conf "$new" "$dst"
}

# The group name goes into commands and printed postinst lines: a plain
# name only.
check_group_name() {
	case $GROUP in
	"" | -* | *[!A-Za-z0-9_.-]*) die "GROUP='$GROUP': not a group name" ;;
	esac
}

# in_group USER GROUP: USER is a member of GROUP, as its primary group or a
# supplementary one.
in_group() {
	id -Gn -- "$1" 2>/dev/null | tr ' ' '\n' | grep -qxF -- "$2"
}

# The user flowtop made by an install before the run group existed
# (useradd --user-group): its own group is named flowtop too.
old_service_user() {
	[ -n "${OLD[user $USER_NAME]:-}" ] &&
		[ "$(id -gn -- "$USER_NAME" 2>/dev/null)" = "$USER_NAME" ]
}

# Before anything is installed: the run group must exist unless it is
# flowtop (made below), and the service user must not be its member.
check_identities() {
	if [ "$GROUP" != "$DEFAULT_GROUP" ] && ! getent group "$GROUP" >/dev/null; then
		die "GROUP=$GROUP: no such group (GROUP= names an existing group; the default, $DEFAULT_GROUP, is made when missing)"
	fi
	if in_group "$USER_NAME" "$GROUP" && ! old_service_user; then
		die "the user $USER_NAME (the sandboxed resolver's identity) is a member of group $GROUP, whose members may run flowtop: take it out of $GROUP, or pick another GROUP="
	fi
	if in_group "$IPFIX_USER" "$GROUP"; then
		die "the user $IPFIX_USER (the IPFIX exporter's identity) is a member of group $GROUP, whose members may run flowtop: take it out of $GROUP, or pick another GROUP="
	fi
}

# nobody's primary group (nogroup on Debian): the service user's.
service_gid() {
	id -g nobody 2>/dev/null || die "no user nobody: its group is the one the user $USER_NAME gets"
}

# The run group: flowtop is made when missing (and recorded), any other
# GROUP= exists already (check_identities) and is left alone.
install_group() {
	if [ "$GROUP" != "$DEFAULT_GROUP" ] || getent group "$GROUP" >/dev/null; then
		return 0
	fi
	groupadd --system "$GROUP"
	record group "$GROUP"
	say "created the system group $GROUP"
}

# The unprivileged user of the sandboxed processes, made when absent, in
# nobody's group and no other (see the top of this file).
install_user() {
	local gid
	gid=$(service_gid)
	if old_service_user; then
		# Its group named flowtop came with it and is ours: the user
		# leaves it, and it is recorded (uninstall removes it).
		usermod -g "$gid" "$USER_NAME"
		OLD[group $USER_NAME]="group $USER_NAME"
		say "moved the user $USER_NAME into nobody's group; its old group $USER_NAME is now who may run flowtop"
	fi
	make_service_user "$USER_NAME" "$gid" "flowtop sandboxed processes"
	make_service_user "$IPFIX_USER" "$gid" "flowtop IPFIX exporter"
}

# make_service_user NAME GID COMMENT: a system user with no login, made
# when absent and recorded.
make_service_user() {
	if getent passwd "$1" >/dev/null; then
		return 0
	fi
	useradd --system --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin --gid "$2" --comment "$3" "$1"
	record user "$1"
	say "created the system user $1"
}

# Who may run it: root:GROUP, 0750, with file capabilities (permitted set
# only) by default, setuid root (4750) with SETUID=1. chown first: it
# clears the setuid bit and the file capabilities.
install_privilege() {
	local bin=$BINDIR/flowtop
	chown "root:$GROUP" "$bin"
	if [ "$SETUID" = 1 ]; then
		chmod 4750 "$bin"
		say "$bin is setuid root, mode 4750, group $GROUP"
	else
		chmod 0750 "$bin"
		setcap "$FILECAPS" "$bin" ||
			die "setcap failed on $bin (no file capabilities on this file system?): try 'make install SETUID=1'"
		say "$bin has file capabilities ($FILECAPS), mode 0750, group $GROUP"
	fi
	say "root and the members of group $GROUP may run it; let a user in with: usermod -aG $GROUP USER (then that user logs in again)"
}

# What a package's postinst (or root, later) must still do, in this order
# (chown clears the setuid bit and the file capabilities).
print_postinst() {
	local bin=$BINDIR/flowtop
	say "not done here; a package's postinst (or root) must run:"
	[ "$GROUP" = "$DEFAULT_GROUP" ] &&
		echo "  getent group $GROUP >/dev/null || groupadd --system $GROUP"
	local u
	for u in "$USER_NAME" "$IPFIX_USER"; do
		echo "  getent passwd $u >/dev/null || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --gid \"\$(id -g nobody)\" $u"
	done
	echo "  chown root:$GROUP $bin"
	if [ "$SETUID" = 1 ]; then
		echo "  chmod 4750 $bin"
	else
		echo "  chmod 0750 $bin"
		echo "  setcap $FILECAPS $bin"
	fi
	echo "then root and the members of group $GROUP may run it (usermod -aG $GROUP USER)"
}

# install_file MODE SRC DST: a file of ours, recorded.
install_file() {
	install -m "$1" "$2" "$DESTDIR$3"
	record file "$3"
}

do_install() {
	local c unit
	[ -x flowtop ] || die "./flowtop is not built: run make"
	[ -f build/flowtop.8 ] || die "build/flowtop.8 is not built: run make"
	check_group_name
	manifest_read
	[ -z "$DESTDIR" ] && [ "$(id -u)" = 0 ] && check_identities
	mkdirs "$BINDIR"
	mkdirs "$MANDIR/man8"
	mkdirs "$BASHCOMPDIR"
	mkdirs "$UNITDIR"
	mkdirs "$CONFDIR"
	mkdirs "$GEOIPDIR"
	mkdirs "$DATADIR"
	install_file 0755 flowtop "$BINDIR/flowtop"
	install_file 0644 build/flowtop.8 "$MANDIR/man8/flowtop.8"
	install_file 0644 dist/flowtop.bash-completion "$BASHCOMPDIR/flowtop"
	# The units name the installed binary; systemd is not told (nothing
	# is enabled: `systemctl enable --now flowtop-update.timer` is the
	# admin's choice).
	unit=$(mktemp)
	sed -e "s|@BINDIR@|$BINDIR|g" -e "s|@GEOIPDIR@|$GEOIPDIR|g" \
		dist/flowtop-update.service.in >"$unit"
	install_file 0644 "$unit" "$UNITDIR/flowtop-update.service"
	rm -f -- "$unit"
	install_file 0644 dist/flowtop-update.timer "$UNITDIR/flowtop-update.timer"
	for c in "${CONFS[@]}"; do
		install_conf "$c"
	done
	if [ -n "$DESTDIR" ]; then
		manifest_write
		say "installed into $DESTDIR"
		print_postinst
	elif [ "$(id -u)" = 0 ]; then
		install_group
		install_user
		manifest_write
		install_privilege
	else
		manifest_write
		say "not root: only root may run $BINDIR/flowtop until root runs:"
		print_postinst
	fi
}

# ---- uninstall ----------------------------------------------------------

# remove_identity KIND NAME: userdel or groupdel, as root on the system
# itself; otherwise (DESTDIR, not root) the command is left to root.
remove_identity() {
	local kind=$1 name=$2
	if [ -n "$DESTDIR" ]; then
		return 0
	elif [ "$(id -u)" = 0 ]; then
		if "${kind}del" "$name"; then
			say "removed the system $kind $name"
		else
			say "could not remove the $kind $name: as root, run: ${kind}del $name"
		fi
	else
		say "as root, remove the $kind install made: ${kind}del $name"
	fi
}

uninstall_entry() {
	local kind=$1 a=$2 b=${3:-}
	case $kind in
	file) rm -f -- "$DESTDIR$a" ;;
	conf)
		[ -e "$DESTDIR$b" ] || return 0
		if [ "$(sha "$DESTDIR$b")" = "$a" ]; then
			rm -f -- "$DESTDIR$b"
		else
			say "kept $b: changed since it was installed"
		fi
		;;
	user | group) remove_identity "$kind" "$a" ;;
	esac
}

do_uninstall() {
	local kind a b dirs=()
	[ -f "$DESTDIR$MANIFEST" ] ||
		die "no $DESTDIR$MANIFEST: nothing was installed with these PREFIX/DESTDIR"
	while read -r kind a b; do
		if [ "$kind" = dir ]; then
			dirs+=("$a")
		else
			uninstall_entry "$kind" "$a" "$b"
		fi
	done <"$DESTDIR$MANIFEST"
	rm -f -- "$DESTDIR$MANIFEST"
	# Deepest first; a directory that holds anything else stays.
	printf '%s\n' "${dirs[@]}" | awk '{ print length, $0 }' | sort -rn |
		cut -d' ' -f2- | while read -r a; do
			[ -n "$a" ] || continue
			rmdir -- "$DESTDIR$a" 2>/dev/null ||
				say "kept $a: not empty"
		done
	say "uninstalled"
}

case ${1:-} in
install) do_install ;;
uninstall) do_uninstall ;;
*) die "usage: install.sh install|uninstall" ;;
esac
