#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# install.sh install|uninstall: what `make install` and `make uninstall` do;
# the Makefile hands its variables over in the environment.
#
# Every file, directory and user that install creates is written to a
# manifest, $DATADIR/install-manifest, so that uninstall removes exactly
# those and nothing else. A config file the admin has changed is never
# overwritten (the new one goes beside it as NAME.dist) nor removed.
# With DESTDIR (a package build) nothing is done that only the target
# system may do (setcap, setuid, useradd): the steps are printed instead.
set -eu

: "${PREFIX:?}" "${BINDIR:?}" "${MANDIR:?}" "${SYSCONFDIR:?}" \
	"${GEOIPDIR:?}" "${DATADIR:?}" "${BASHCOMPDIR:?}" "${UNITDIR:?}" \
	"${FILECAPS:?}"
DESTDIR=${DESTDIR:-}
SETUID=${SETUID:-0}
CONFDIR=$SYSCONFDIR/netsniff-ng
MANIFEST=$DATADIR/install-manifest
USER_NAME=flowtop
CONFS=(tcp.conf udp.conf geoip.conf)

say() { echo "flowtop: $*"; }
die() { echo "flowtop: $*" >&2; exit 1; }

# Manifest lines: "dir PATH", "file PATH", "conf SHA256 PATH",
# "user NAME"; paths as on the target system (without DESTDIR).
declare -A OLD=()   # path or user -> its line in an earlier manifest
NEW=()

manifest_read() {
	local kind rest key
	[ -f "$DESTDIR$MANIFEST" ] || return 0
	while read -r kind rest; do
		case $kind in
		conf) key=${rest#* } ;;
		*) key=$rest ;;
		esac
		OLD[$key]="$kind $rest"
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
			case $line in *" $key") seen=1 ;; esac
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

# The unprivileged user of the sandboxed processes, made when absent.
install_user() {
	if getent passwd "$USER_NAME" >/dev/null; then
		return 0
	fi
	useradd --system --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin --user-group \
		--comment "flowtop sandboxed processes" "$USER_NAME"
	record user "$USER_NAME"
	say "created the system user $USER_NAME"
}

# How a normal user gets the privilege: file capabilities (permitted set
# only) by default, setuid root with SETUID=1.
install_privilege() {
	local bin=$BINDIR/flowtop
	if [ "$SETUID" = 1 ]; then
		chown root:root "$bin"
		chmod 4755 "$bin"
		say "$bin is setuid root: any user may run it"
	elif setcap "$FILECAPS" "$bin"; then
		say "$bin has file capabilities ($FILECAPS): any user may run it"
	else
		die "setcap failed on $bin (no file capabilities on this file system?): try 'make install SETUID=1'"
	fi
}

# What a package's postinst (or root, later) must still do.
print_postinst() {
	local bin=$BINDIR/flowtop
	say "not done here; a package's postinst (or root) must run:"
	echo "  getent passwd $USER_NAME >/dev/null || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --user-group $USER_NAME"
	if [ "$SETUID" = 1 ]; then
		echo "  chown root:root $bin && chmod 4755 $bin"
	else
		echo "  setcap $FILECAPS $bin"
	fi
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
	manifest_read
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
	user)
		if [ -n "$DESTDIR" ]; then
			return 0
		elif [ "$(id -u)" = 0 ]; then
			if userdel "$a"; then
				say "removed the system user $a"
			else
				say "could not remove the user $a: as root, run: userdel $a"
			fi
		else
			say "as root, remove the user install made: userdel $a"
		fi
		;;
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
