#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_usage: the command line contract of DESIGN.md: usage errors exit 2 and
# name the option, --help lists every option, --version works, and a user
# without CAP_NET_ADMIN gets exit 1 and a message saying how to get it.
# Every run happens inside the test's namespace, so a flowtop that wrongly
# starts anyway can't touch the host's conntrack sysctls.
source "$(dirname "$0")/lib.sh"
require_root
require_tools ip nft timeout setpriv
require_flowtop
ns_setup_or_skip

# bad_option WHAT PATTERN ARGS...: exit 2, stderr matches PATTERN (ERE, any case).
bad_option() {
	local what=$1 pat=$2 why=
	shift 2
	ft_run bad "$NS_CLIENT" "$FLOWTOP" "$@"
	[ "$FT_RC" = 2 ] || why=$(rc_text "$FT_RC")
	if ! grep -Eqi -- "$pat" "$WORK/bad.err"; then
		why="${why:+$why, }stderr does not name the option: $(head -n2 "$WORK/bad.err" | tr '\n' ' ')"
	fi
	[ -s "$WORK/bad.out" ] && [ "$FT_RC" = 2 ] && why="${why:+$why, }usage error printed on stdout"
	verdict "usage error: flowtop $what exits 2, message names it" "$why"
}

bad_option "--bogus" 'bogus' --bogus
# An option counts as named by its short form, its long name, or getopt's
# "-- 't'".
T_NAMED="(-t([^[:alnum:]]|\$)|interval|'t')"
bad_option "-t 0" "$T_NAMED" -t 0
bad_option "-t abc" "$T_NAMED" -t abc
bad_option "-t -1" "$T_NAMED" -t -1
bad_option "-o xml" '(-o([^[:alnum:]]|$)|output|xml)' -o xml
bad_option "--count 0" 'count' --count 0
bad_option "--count x" 'count' --count x
bad_option "-t (no argument)" "$T_NAMED" -t
bad_option "a stray argument" 'stray' --once stray

# --help: exit 0, every option of the interface contract on stdout.
ft_run help "$NS_CLIENT" "$FLOWTOP" --help
missing=
for o in -4 -6 -T -U -D -I -S -s --show-src -n --no-dns -G --no-geoip -b --bits \
	-t --interval -u --update -v --version -h --help --once --count -o --output \
	--conf-dir --geoip-dir --show-loopback --force; do
	grep -Eq -- "(^|[^[:alnum:]-])$o([^[:alnum:]-]|$)" "$WORK/help.out" || missing="$missing $o"
done
verdict "--help exits 0 and mentions every option of DESIGN.md" \
	"$([ "$FT_RC" = 0 ] || echo "$(rc_text "$FT_RC"); ")$([ -z "$missing" ] || echo "missing:$missing")"
ft_run help_h "$NS_CLIENT" "$FLOWTOP" -h
verdict "-h exits 0 and prints the same help" \
	"$([ "$FT_RC" = 0 ] || echo "$(rc_text "$FT_RC"); ")$(cmp -s "$WORK/help.out" "$WORK/help_h.out" || echo "differs from --help")"

# VERSION: the version on its first line, the release date on its second.
version=$(sed -n 1p "$ROOT/VERSION" 2>/dev/null)
for v in --version -v; do
	ft_run ver "$NS_CLIENT" "$FLOWTOP" "$v"
	verdict "$v exits 0 and prints the version ($version)" \
		"$([ "$FT_RC" = 0 ] || echo "$(rc_text "$FT_RC"); ")$(grep -qF -- "$version" "$WORK/ver.out" || echo "stdout: $(head -n1 "$WORK/ver.out")")"
done

# --- no CAP_NET_ADMIN ---------------------------------------------------------
# A copy anyone can read and run (the work tree may sit under /root); no file
# capabilities and no setuid bit on it.
UDIR=$(mktemp -d /tmp/ft-e2e-user.XXXXXX)
chmod 755 "$UDIR"
cp "$FLOWTOP" "$UDIR/flowtop"
chmod 755 "$UDIR/flowtop"
ft_run unpriv "$NS_CLIENT" setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all "$UDIR/flowtop" --once -t 1
rm -rf "$UDIR"
why=
[ "$FT_RC" = 1 ] || why=$(rc_text "$FT_RC")
grep -q CAP_NET_ADMIN "$WORK/unpriv.err" || why="${why:+$why, }no CAP_NET_ADMIN in the message"
grep -Eqi 'sudo|setcap|make install|setuid' "$WORK/unpriv.err" ||
	why="${why:+$why, }the message does not say how to fix it (sudo, setcap, make install)"
[ -n "$why" ] && why="$why
$(show_file "$WORK/unpriv.err")"
verdict "uid 65534 without CAP_NET_ADMIN: exit 1, message names CAP_NET_ADMIN and the fix" "$why"
k="$(ct_sysctl "$NS_CLIENT" nf_conntrack_acct) $(ct_sysctl "$NS_CLIENT" nf_conntrack_timestamp)"
verdict "the unprivileged run changed no sysctl" "$([ "$k" = "0 0" ] || echo "acct/timestamp are $k")"

e2e_finish
