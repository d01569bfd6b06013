#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_resolver: flowtop fills in who and where a flow's endpoints are: reverse
# DNS names from a real name server (dnsmasq in the server namespace), GeoIP
# from MaxMind's test databases (tests/data/mmdb, under odd file
# names: classification is by metadata), service names of the ports. -n
# sends not one DNS query, -G shows no GeoIP field, a dead name server delays
# output by about a second at most, hostile PTR answers never reach the
# output raw, corrupt databases are refused with one line each and flowtop
# runs on, no database at all gives one hint.
#
# The test addresses (81.2.69.142, 216.160.83.56, 1.128.0.1, 2001:218::1)
# are real public ones, but here they live only on the server namespace's
# veth; the namespaces have no other link, so no packet leaves them.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dns.sh"
require_root
require_tools ip nft conntrack timeout pgrep dnsmasq getent
require_flowtop
ns_setup_or_skip

if ! ns_add_public "$T_LONDON" "$T_MILTON" "$T_TELSTRA" "$T_JP" >"$WORK/public.msg" ||
	! ns_add_local "$DEAD_DNS4" "$EVIL_DNS4" 2>>"$WORK/public.msg"; then
	fail "test addresses on the server's veth, routes in the client namespace" "$(cat "$WORK/public.msg")"
	e2e_finish
fi
verdict "harness: the client namespace has no link but lo and veth0 and no default route" \
	"$(client_has_only_test_routes)"

need_mmdb

# --- the name server ----------------------------------------------------------
PTRS=(
	"$T_LONDON=london.test.example"
	"$T_MILTON=milton.test.example"
	"$T_TELSTRA=telstra.test.example"
	"$T_JP=tokyo.test.example"
	"$C4=client.test.example"
	"$C6=client6.test.example"
	"$S4=ns.test.example"
)
if ! dnsmasq_start dnsmasq "$S4" "$S6" -- "${PTRS[@]}" >"$WORK/dnsmasq.msg"; then
	fail "harness: dnsmasq starts in the server namespace on $S4:53 and [$S6]:53" "$(cat "$WORK/dnsmasq.msg")"
	e2e_finish
fi
pass "harness: dnsmasq starts in the server namespace on $S4:53 and [$S6]:53"
resolv_conf_set "$NS_CLIENT" "$S4"
verdict "harness: the client namespace sees /etc/netns/$NS_CLIENT/resolv.conf as /etc/resolv.conf" \
	"$(in_client grep -qx "nameserver $S4" /etc/resolv.conf || echo "$(in_client cat /etc/resolv.conf 2>&1 | head -n3)")"

for p in "${PTRS[@]}"; do
	a=${p%%=*} want=${p#*=}
	before=$(dnsmasq_ptr_queries "$a")
	got=$(client_rdns "$a")
	after=$(dnsmasq_ptr_queries "$a")
	why=
	[ "$got" = "$want" ] || why="getent hosts $a in the client namespace says '${got}', expected $want"
	[ -z "$why" ] && [ "$after" -le "$before" ] && why="dnsmasq's log did not count the PTR query ($before before, $after after)"
	verdict "harness: the client namespace's resolver gets $a -> $want from dnsmasq, which logs the query" "$why"
done

# --- GeoIP directory: odd names, one a symlink ------------------------------
GEO_EMPTY=$(geo_dir empty)
GEO=$GEO_EMPTY
if [ "$HAVE_GEO" = 1 ]; then
	GEO=$(geo_dir good GeoLite2-City-Test.mmdb=a.mmdb GeoLite2-ASN-Test.mmdb=@b.mmdb \
		GeoLite2-Country-Test.mmdb=c.mmdb GeoLite2-City-Test.json=notes.txt)
	verdict "harness: GeoIP dir with a.mmdb (City), b.mmdb -> ASN (symlink), c.mmdb (Country)" \
		"$([ -s "$GEO/a.mmdb" ] && [ -s "$GEO/b.mmdb" ] && [ -L "$GEO/b.mmdb" ] && [ -s "$GEO/c.mmdb" ] || ls -l "$GEO" 2>&1)"
fi

# --- servers and clients -----------------------------------------------------
# name proto addr port service
FLOWS=(
	"london tcp $T_LONDON 80 http"
	"jp tcp $T_JP 80 http"
	"telstra tcp $T_TELSTRA 443 https"
	"milton tcp $T_MILTON 22 ssh"
	"ntp udp $T_TELSTRA 123 ntp"
	"ul udplite $T_MILTON 53 domain"
)
for f in "${FLOWS[@]}"; do
	read -r name proto addr port svc <<<"$f"
	start_server "s_$name" "$proto" "$addr" "$port" || e2e_finish
done
for f in "${FLOWS[@]}"; do
	read -r name proto addr port svc <<<"$f"
	# Long enough for every run of this file.
	start_client "c_$name" "$proto" "$addr" "$port" 120
done
for f in "${FLOWS[@]}"; do
	read -r name proto addr port svc <<<"$f"
	client_sport "c_$name" >/dev/null || fail "harness: $proto client to $addr:$port connects" "$(cat "$WORK/c_$name.err")"
done
sleep 0.5
in_client conntrack -L >"$WORK/ct.txt" 2>/dev/null
why=
for f in "${FLOWS[@]}"; do
	read -r name proto addr port svc <<<"$f"
	grep -q -- "dst=$addr sport=[0-9]* dport=$port " "$WORK/ct.txt" || why="${why}no $proto flow to $addr:$port; "
done
[ -n "$why" ] && why="$why
$(show_file "$WORK/ct.txt" 20)"
verdict "harness: the kernel tracks a flow to each test address (conntrack -L)" "$why"

# where_of NAME: jsoncheck --where arguments for flow NAME of FLOWS.
where_of() {
	local f name proto addr port svc src
	for f in "${FLOWS[@]}"; do
		read -r name proto addr port svc <<<"$f"
		[ "$name" = "$1" ] || continue
		case $addr in *:*) src=$C6 ;; *) src=$C4 ;; esac
		printf '%s\n' --where "proto=$proto" --where "src=$src" --where "dst=$addr" --where "dport=$port"
		return 0
	done
}
mapfile -t W_LONDON < <(where_of london)
mapfile -t W_JP < <(where_of jp)
mapfile -t W_TELSTRA < <(where_of telstra)
mapfile -t W_MILTON < <(where_of milton)
mapfile -t W_NTP < <(where_of ntp)
mapfile -t W_UL < <(where_of ul)

NAME_FIELDS=src_name,dst_name
GEO_FIELDS=src_country,dst_country,src_country_name,dst_country_name,src_city,dst_city,src_asn,dst_asn,src_as_org,dst_as_org

# Every run reads the project's own service files (conf/), as `make run`
# does, rather than whatever /etc/netsniff-ng holds on this machine.
FT=("$FLOWTOP" --conf-dir "$ROOT/conf")

# rc_why NAME: "" when run NAME exited 0, else the status and its stderr.
rc_why() {
	[ "$FT_RC" = 0 ] || printf '%s, stderr:\n%s' "$(rc_text "$FT_RC")" "$(show_file_safe "$WORK/$1.err")"
}

# --- the main run: names, places, services ---------------------------------
q0=$(dnsmasq_queries)
ft_run main "$NS_CLIENT" "${FT[@]}" --count 2 -o json -46TU -t 1 \
	--geoip-dir "$GEO"
OUT=$WORK/main.out
verdict "flowtop --count 2 -o json -46TU -t 1 --geoip-dir DIR exits 0" "$(rc_why main)"
verdict "main run: every stdout line is a JSON object, at most 2 snapshots" \
	"$(jcheck valid "$OUT" && jcheck snapshots "$OUT" --max 2)"
# queries_since N: the query lines dnsmasq logged after its first N.
queries_since() {
	grep -F 'query[' "$DNSMASQ_LOG" | tail -n +"$(($1 + 1))"
}
why=
for a in "$T_LONDON" "$T_MILTON" "$T_TELSTRA" "$T_JP" "$C4" "$C6"; do
	queries_since "$q0" | grep -q -F "query[PTR] $(ptr_of "$a") " || why="${why}no PTR query for $a; "
done
verdict "main run: flowtop asked dnsmasq for the PTR of every endpoint" "$why"

verdict "$T_LONDON: src_name client.test.example, dst_name london.test.example" \
	"$(jcheck expect "$OUT" "${W_LONDON[@]}" --expect src_name=client.test.example --expect dst_name=london.test.example)"
verdict "$T_JP: src_name client6.test.example, dst_name tokyo.test.example" \
	"$(jcheck expect "$OUT" "${W_JP[@]}" --expect src_name=client6.test.example --expect dst_name=tokyo.test.example)"
verdict "$T_TELSTRA: dst_name telstra.test.example" \
	"$(jcheck expect "$OUT" "${W_TELSTRA[@]}" --expect dst_name=telstra.test.example)"
verdict "$T_MILTON: dst_name milton.test.example" \
	"$(jcheck expect "$OUT" "${W_MILTON[@]}" --expect dst_name=milton.test.example)"

if [ "$HAVE_GEO" = 1 ]; then
	verdict "$T_LONDON: dst_country GB, dst_country_name United Kingdom, dst_city London" \
		"$(jcheck expect "$OUT" "${W_LONDON[@]}" --expect dst_country=GB \
			--expect "dst_country_name=United Kingdom" --expect dst_city=London)"
	verdict "$T_JP: dst_country JP, dst_country_name Japan" \
		"$(jcheck expect "$OUT" "${W_JP[@]}" --expect dst_country=JP --expect dst_country_name=Japan)"
	verdict "$T_TELSTRA: dst_asn 1221, dst_as_org Telstra Pty Ltd" \
		"$(jcheck expect "$OUT" "${W_TELSTRA[@]}" --expect dst_asn=1221 --expect "dst_as_org=Telstra Pty Ltd")"
	verdict "$T_MILTON: dst_country US, dst_city Milton, dst_asn 209" \
		"$(jcheck expect "$OUT" "${W_MILTON[@]}" --expect dst_country=US --expect dst_city=Milton --expect dst_asn=209)"
	verdict "documentation addresses ($C4, $C6) get no GeoIP fields" \
		"$(jcheck absent "$OUT" --fields src_country,src_city,src_asn)"
fi
verdict "tcp port 80 -> service http ($T_LONDON and $T_JP)" \
	"$(jcheck expect "$OUT" "${W_LONDON[@]}" --expect service=http
	   jcheck expect "$OUT" "${W_JP[@]}" --expect service=http)"
verdict "tcp port 443 -> service https" "$(jcheck expect "$OUT" "${W_TELSTRA[@]}" --expect service=https)"
verdict "tcp port 22 -> service ssh" "$(jcheck expect "$OUT" "${W_MILTON[@]}" --expect service=ssh)"
verdict "udp port 123 -> service ntp" "$(jcheck expect "$OUT" "${W_NTP[@]}" --expect service=ntp)"
verdict "udplite port 53 -> service domain (the UDP table)" "$(jcheck expect "$OUT" "${W_UL[@]}" --expect service=domain)"

# --- -n: not one DNS query ------------------------------------------------------
q0=$(dnsmasq_queries)
ft_run nodns "$NS_CLIENT" "${FT[@]}" --once -o json -46TU -n -t 1 --geoip-dir "$GEO"
sleep 0.5   # anything in flight would be logged by now
q1=$(dnsmasq_queries)
verdict "-n: flowtop --once -o json -n exits 0 and shows the flow to $T_LONDON" \
	"$(rc_why nodns)$(jcheck flow "$WORK/nodns.out" "${W_LONDON[@]}")"
verdict "-n: dnsmasq received no query during the run ($q0 before, $q1 after)" \
	"$([ "$q1" = "$q0" ] || echo "$((q1 - q0)) queries:
$(queries_since "$q0" | head -n 5 | sed 's/^/    | /')")"
verdict "-n: no src_name/dst_name field anywhere" "$(jcheck absent "$WORK/nodns.out" --fields "$NAME_FIELDS")"
[ "$HAVE_GEO" = 1 ] && verdict "-n: GeoIP still works ($T_LONDON is GB)" \
	"$(jcheck expect "$WORK/nodns.out" "${W_LONDON[@]}" --expect dst_country=GB)"
got=$(client_rdns "$T_LONDON")
verdict "harness: dnsmasq still answers and counts after the -n run" \
	"$([ "$got" = london.test.example ] && [ "$(dnsmasq_queries)" -gt "$q1" ] || echo "getent says '$got', count $(dnsmasq_queries) (was $q1)")"

# --- -G: no GeoIP field ---------------------------------------------------------
ft_run nogeo "$NS_CLIENT" "${FT[@]}" --once -o json -46TU -G -t 1 --geoip-dir "$GEO"
verdict "-G: flowtop --once -o json -G exits 0 and shows the flow to $T_LONDON" \
	"$(rc_why nogeo)$(jcheck flow "$WORK/nogeo.out" "${W_LONDON[@]}")"
verdict "-G: no country/city/AS field anywhere" "$(jcheck absent "$WORK/nogeo.out" --fields "$GEO_FIELDS")"
verdict "-G: names and services still there ($T_LONDON)" \
	"$(jcheck expect "$WORK/nogeo.out" "${W_LONDON[@]}" --expect dst_name=london.test.example --expect service=http)"

# --- a name server that never answers ------------------------------------------
if evildns_start deaddns "$DEAD_DNS4" --silent >"$WORK/deaddns.msg"; then
	DEAD_LOG=$EVILDNS_LOG
	got=$(in_client timeout 5 "$PY" "$EVILDNS" --query "$T_LONDON" --server "$DEAD_DNS4" --timeout 1)
	verdict "harness: the silent server on $DEAD_DNS4 receives a PTR query and never answers" \
		"$([ "$got" = "no answer" ] && [ "$(evildns_queries "$DEAD_LOG" PTR)" = 1 ] || echo "query said '$got', log: $(head -c 300 "$DEAD_LOG")")"
	n0=$(evildns_queries "$DEAD_LOG" PTR)
	resolv_conf_set "$NS_CLIENT" "$DEAD_DNS4"
	t0=$(now_ms)
	ft_run dead_n "$NS_CLIENT" "${FT[@]}" --once -o json -46TU -n -t 1 --geoip-dir "$GEO"
	why_n=$(rc_why dead_n)
	t1=$(now_ms)
	ft_run dead "$NS_CLIENT" "${FT[@]}" --once -o json -46TU -t 1 --geoip-dir "$GEO"
	t2=$(now_ms)
	ms_n=$((t1 - t0)) ms_dns=$((t2 - t1))
	n_dead=$(evildns_queries "$DEAD_LOG" PTR)
	verdict "dead DNS: both runs exit 0 (with -n ${ms_n} ms, with DNS ${ms_dns} ms)" \
		"$why_n$(rc_why dead)"
	verdict "dead DNS: the run with DNS takes at most 1.5 s longer than with -n (${ms_dns} vs ${ms_n} ms)" \
		"$([ $((ms_dns - ms_n)) -le 1500 ] || echo "$((ms_dns - ms_n)) ms longer")"
	verdict "dead DNS: the flows are printed anyway, without names" \
		"$(jcheck flow "$WORK/dead.out" "${W_LONDON[@]}"
		   jcheck flow "$WORK/dead.out" "${W_JP[@]}"
		   jcheck absent "$WORK/dead.out" --fields "$NAME_FIELDS")"
	verdict "dead DNS: the silent server did receive flowtop's PTR queries" \
		"$([ "$n_dead" -gt "$n0" ] || echo "no PTR query in its log but the harness's own")"
else
	fail "harness: a silent name server starts on $DEAD_DNS4:53" "$(cat "$WORK/deaddns.msg")"
fi

# --- hostile PTR answers --------------------------------------------------------
# dnsmasq refuses control bytes in --ptr-record ("bad PTR record"), so a
# responder of our own sends them. $C6's name is 3 labels of 63 ESC bytes:
# escaped, it would be ~800 characters; it must come out bounded.
ESC63=$(printf '\\x1b%.0s' $(seq 63))
EVIL=(
	--ptr "$C6=$ESC63.$ESC63.$ESC63.evil.test.example"
	--ptr "$T_LONDON=x\\x1b[31mred\\x1b[0m.evil.test.example"
	--ptr "$T_MILTON=c1\\x9b31m.evil.test.example"
	--ptr "$T_TELSTRA=c1u\\xc2\\x9b31m.bel\\x07.evil.test.example"
	--ptr "$T_JP=bad\\xff\\xfeutf8.osc\\x1b]0;pwned\\x07.evil.test.example"
	--default "del\\x7fesc\\x1bc.evil.test.example"
)
if evildns_start evildns "$EVIL_DNS4" "${EVIL[@]}" >"$WORK/evildns.msg"; then
	EVIL_LOG=$EVILDNS_LOG
	got=$(in_client timeout 5 "$PY" "$EVILDNS" --query "$T_LONDON" --server "$EVIL_DNS4" --timeout 1)
	verdict "harness: the hostile server on $EVIL_DNS4 answers $T_LONDON with raw ESC bytes" \
		"$([ "$got" = "b'x\x1b[31mred\x1b[0m.evil.test.example'" ] || echo "got: $got")"
	got=$(in_client timeout 5 "$PY" "$EVILDNS" --query "$C6" --server "$EVIL_DNS4" --timeout 1)
	verdict "harness: ... and $C6 with 3 labels of 63 ESC bytes" \
		"$([ "$(grep -o 'x1b' <<<"$got" | wc -l)" = 189 ] || echo "got: ${got:0:100}")"
	n0=$(evildns_queries "$EVIL_LOG" PTR)
	resolv_conf_set "$NS_CLIENT" "$EVIL_DNS4"
	ft_run evil_text "$NS_CLIENT" "${FT[@]}" --once -46TU -t 1 --geoip-dir "$GEO"
	why=$(rc_why evil_text)
	ft_run evil_json "$NS_CLIENT" "${FT[@]}" --once -o json -46TU -t 1 --geoip-dir "$GEO"
	verdict "hostile PTR: both runs (text, JSON) exit 0" "$why$(rc_why evil_json)"
	verdict "hostile PTR: flowtop asked the hostile server (PTR queries logged)" \
		"$([ "$(evildns_queries "$EVIL_LOG" PTR)" -ge $((n0 + 2)) ] || echo "$(($(evildns_queries "$EVIL_LOG" PTR) - n0)) PTR queries")"
	why=$(jcheck termsafe "$WORK/evil_text.out")
	[ -z "$why" ] && [ "$(grep -c . "$WORK/evil_text.out")" -lt 2 ] &&
		why="no rows:
$(show_file_safe "$WORK/evil_text.out")"
	verdict "hostile PTR: text output has rows and no raw ESC/BEL/DEL/C1 byte, valid UTF-8" "$why"
	verdict "hostile PTR: JSON output has no raw control byte and is valid JSON" \
		"$(jcheck termsafe "$WORK/evil_json.out" && jcheck valid "$WORK/evil_json.out")"
	verdict "hostile PTR: no JSON string holds a control character once decoded" \
		"$(jcheck jsonsafe "$WORK/evil_json.out")"
	for w in W_LONDON W_MILTON W_TELSTRA W_JP; do
		declare -n wref=$w
		dst=$(printf '%s\n' "${wref[@]}" | sed -n 's/^dst=//p')
		why=$(jcheck safename "$WORK/evil_json.out" "${wref[@]}" --field dst_name)
		how="refused (absent)"
		[ -z "$(jcheck flow "$WORK/evil_json.out" "${wref[@]}" --present dst_name)" ] && how="escaped"
		[ -n "$why" ] && how="raw or unescaped"
		verdict "hostile PTR for $dst: dst_name escaped or left out [$how]" "$why"
		unset -n wref
	done
	verdict "hostile PTR for $C6 (189 ESC bytes): src_name escaped and at most 255 characters, or left out" \
		"$(jcheck safename "$WORK/evil_json.out" "${W_JP[@]}" --field src_name --max-len 255)"
else
	fail "harness: a hostile name server (evildns.py) starts on $EVIL_DNS4:53" "$(cat "$WORK/evildns.msg")"
fi
resolv_conf_set "$NS_CLIENT" "$S4"

# --- corrupt databases -----------------------------------------------------------
BAD_DIR=$MMDB_SRC/bad
if [ "$HAVE_GEO" = 1 ]; then
	i=0
	command -v mmdblookup >/dev/null 2>&1 ||
		skip "telling refused-at-open bad databases apart" "no mmdblookup (Debian mmdb-bin): each bad file may then give 0 or 1 lines"
	for f in "$BAD_DIR"/*.mmdb; do
		[ -f "$f" ] || continue
		i=$((i + 1))
		base=$(basename "$f")
		d=$(geo_dir "bad$i" GeoLite2-City-Test.mmdb=city.mmdb "$f=$base")
		ft_run "bad$i" "$NS_CLIENT" "${FT[@]}" --once -o json -4T -n -t 0.3 --geoip-dir "$d"
		mmdb_opens "$f"
		opens=$?
		mapfile -t lines < <(stderr_lines_with "$WORK/bad$i.err" "$base")
		why=$(rc_why "bad$i")
		if [ -z "$why" ]; then
			case $opens:${#lines[@]} in
			1:1 | 0:0 | 0:1 | 2:0 | 2:1) ;;
			1:*) why="${#lines[@]} stderr lines name it, expected exactly 1 (libmaxminddb refuses it at open)" ;;
			*) why="${#lines[@]} stderr lines name it, expected at most 1" ;;
			esac
		fi
		if [ -z "$why" ] && [ "${#lines[@]}" = 1 ]; then
			rest=${lines[0]//"$d/$base"/}
			rest=${rest//"$base"/}
			rest=${rest//flowtop/}
			[[ $rest =~ [[:alpha:]]{4} ]] || why="the line gives no reason: ${lines[0]}"
		fi
		[ -z "$why" ] && stderr_lines_with "$WORK/bad$i.err" city.mmdb | grep -q . &&
			why="the good database is reported too: $(stderr_lines_with "$WORK/bad$i.err" city.mmdb | head -n1)"
		# (first line only: 23 copies of the flow as evidence say nothing)
		[ -z "$why" ] && why=$(jcheck expect "$WORK/bad$i.out" "${W_LONDON[@]}" \
			--expect dst_country=GB --expect dst_city=London | head -n1)
		[ -n "$why" ] && why="$why
$(show_file_safe "$WORK/bad$i.err" 5)"
		case $opens in 0) o="opens in libmaxminddb" ;; 1) o="refused by MMDB_open" ;; *) o="?" ;; esac
		verdict "bad database $base ($o): exit 0, at most one line naming it with a reason, London still GB/London" "$why"
	done
	[ "$i" -gt 0 ] || skip "bad databases" "no *.mmdb in $BAD_DIR"
fi

# --- root's private directories ------------------------------------------------
# Root names its own 0700 directories: a GeoIP dir (the city database 0600,
# read through a copy; the ASN one 0644) and a conf dir whose tcp.conf
# names port 80 "rootonly-http". Both are read. A normal user given the
# same capabilities by a file-capability copy of the binary still gets
# Permission denied for both.
PRIV=$GEO_TMP/private
mkdir -p "$PRIV/geo" "$PRIV/conf"
cp "$MMDB_SRC/GeoLite2-City-Test.mmdb" "$PRIV/geo/city.mmdb"
cp "$MMDB_SRC/GeoLite2-ASN-Test.mmdb" "$PRIV/geo/asn.mmdb"
chmod 0600 "$PRIV/geo/city.mmdb"
chmod 0644 "$PRIV/geo/asn.mmdb"
sed 's/^80, http$/80, rootonly-http/' "$ROOT/conf/tcp.conf" >"$PRIV/conf/tcp.conf"
cp "$ROOT/conf/udp.conf" "$PRIV/conf/udp.conf"
chmod 0600 "$PRIV/conf/tcp.conf" "$PRIV/conf/udp.conf"
chown root:root "$PRIV/geo" "$PRIV/conf"
chmod 0700 "$PRIV/geo" "$PRIV/conf"
ft_run rootpriv "$NS_CLIENT" "$FLOWTOP" --conf-dir "$PRIV/conf" --once -o json -4T -n -t 1 \
	--geoip-dir "$PRIV/geo"
verdict "root, 0700 root-owned --geoip-dir and --conf-dir: exit 0, no 'Permission denied'" \
	"$(rc_why rootpriv)$(grep -i 'permission denied' "$WORK/rootpriv.err" | head -n 3)"
verdict "root's private dirs: $T_LONDON is GB/London (0600 city database), $T_TELSTRA AS 1221, port 80 is rootonly-http" \
	"$(jcheck expect "$WORK/rootpriv.out" "${W_LONDON[@]}" --expect dst_country=GB --expect dst_city=London --expect service=rootonly-http
	   jcheck expect "$WORK/rootpriv.out" "${W_TELSTRA[@]}" --expect dst_asn=1221)"
UDIR=$(mktemp -d /tmp/ft-e2e-user.XXXXXX)
chmod 0755 "$UDIR"
cp "$FLOWTOP" "$UDIR/flowtop"
chmod 0755 "$UDIR/flowtop"
if ! command -v setcap >/dev/null ||
	! setcap cap_net_admin,cap_sys_ptrace,cap_dac_read_search,cap_setuid,cap_setgid,cap_sys_chroot+p "$UDIR/flowtop"; then
	skip "a normal user on root's private dirs" "cannot set file capabilities on $UDIR/flowtop"
else
	ft_run userpriv "$NS_CLIENT" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$UDIR/flowtop" --conf-dir "$PRIV/conf" --once -o json -4T -n -t 1 --geoip-dir "$PRIV/geo"
	why=$(rc_why userpriv)
	grep -qF "$PRIV/geo: Permission denied" "$WORK/userpriv.err" || why="${why}no '$PRIV/geo: Permission denied'; "
	grep -qF "$PRIV/conf/tcp.conf: Permission denied" "$WORK/userpriv.err" || why="${why}no '$PRIV/conf/tcp.conf: Permission denied'; "
	grep -q 'rootonly-http\|"dst_country"' "$WORK/userpriv.out" && why="${why}read root's files: $(head -c 300 "$WORK/userpriv.out"); "
	[ -n "$why" ] && why="$why
$(show_file_safe "$WORK/userpriv.err" 8)"
	verdict "uid 65534 with file capabilities: root's 0700 dirs give Permission denied, nothing of them is read" "$why"
fi
rm -rf "$UDIR"

# --- nothing parsed before the sandbox (test build) ------------------------------
# The resolver opens its files first and reads them only once sealed
# (chroot, no capability, Landlock, seccomp): with FLOWTOP_TEST_PARSE the
# test build says, as it starts reading them, whether role_seal has run.
# Four roots: the GeoIP dir itself (readable, not writable by the
# resolver: it reads the databases by name and watches them), the same
# with a symbolic link out of the dir (its own /proc/self/fd instead: the
# link would lead elsewhere in a chroot), root's private dir (the same: a
# 0600 file through a memfd copy, a 0644 one through its descriptor), and
# no database at all.
if [ ! -x "$FLOWTOP_TESTHOOKS" ]; then
	fail "parsing after the sandbox" "$FLOWTOP_TESTHOOKS missing: run make testhooks"
else
	GEO_PLAIN=$GEO k=0
	[ "$HAVE_GEO" = 1 ] && GEO_PLAIN=$(geo_dir plain GeoLite2-City-Test.mmdb=city.mmdb \
		GeoLite2-ASN-Test.mmdb=asn.mmdb)
	for c in "by name:$GEO_PLAIN" "through descriptors:$GEO" \
		"through descriptors:$PRIV/geo" "by name:$GEO_EMPTY"; do
		k=$((k + 1)) how=${c%%:*} dir=${c#*:} name=parse_$k
		ft_run "$name" "$NS_CLIENT" env FLOWTOP_TEST_PARSE=resolver "$FLOWTOP_TESTHOOKS" \
			--conf-dir "$PRIV/conf" --once -o json -4T -n -t 1 --geoip-dir "$dir"
		err=$WORK/$name.err
		why=$(rc_why "$name")
		for what in "GeoIP databases $how" "service files"; do
			grep -q "^flowtop: resolver: test: parses $what sealed$" "$err" ||
				why="${why}no 'resolver: test: parses $what sealed'; "
		done
		grep -q "unsealed" "$err" && why="${why}$(grep unsealed "$err" | head -n 2); "
		if [ "$dir" != "$GEO_EMPTY" ] && [ "$HAVE_GEO" = 1 ]; then
			why="$why$(jcheck expect "$WORK/$name.out" "${W_LONDON[@]}" --expect dst_country=GB \
				--expect service=rootonly-http
			   jcheck expect "$WORK/$name.out" "${W_TELSTRA[@]}" --expect dst_asn=1221)"
		fi
		[ -n "$why" ] && why="$why
$(show_file_safe "$err" 8)"
		verdict "--geoip-dir ${dir#"$GEO_TMP"/}: the resolver reads databases ($how) and service files only once sealed, and uses them" "$why"
	done
fi

# --- no database at all ------------------------------------------------------------
ft_run nodb "$NS_CLIENT" "${FT[@]}" --once -o json -4T -n -t 0.3 --geoip-dir "$GEO_EMPTY"
hints=$(grep -c -F 'flowtop -u' "$WORK/nodb.err")
verdict "no database: exit 0, exactly one hint line mentioning 'flowtop -u' (got $hints)" \
	"$(rc_why nodb)$([ "$hints" = 1 ] || printf 'stderr:\n%s' "$(show_file_safe "$WORK/nodb.err")")"
verdict "no database: the flows are printed, without GeoIP fields" \
	"$(jcheck flow "$WORK/nodb.out" "${W_LONDON[@]}"
	   jcheck absent "$WORK/nodb.out" --fields "$GEO_FIELDS")"

e2e_finish
