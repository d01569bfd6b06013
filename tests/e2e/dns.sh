# SPDX-License-Identifier: GPL-2.0-only
# dns.sh: helpers for flowtop's resolver tests (reverse DNS, GeoIP, service
# names); sourced by a test file right after lib.sh. Not a test itself
# (run.sh runs only t_*.sh).
#
# What it adds to lib.sh's two namespaces:
#   - real public test addresses (the ones MaxMind's test databases know)
#     on the server's veth, with routes to them in the client namespace.
#     They exist only inside the test's own namespaces, which have no other
#     link: no packet to them can leave.
#   - a resolv.conf for the client namespace, /etc/netns/NS_CLIENT/resolv.conf,
#     which `ip netns exec` bind-mounts over /etc/resolv.conf.
#   - name servers in the server namespace: dnsmasq (Debian dnsmasq-base)
#     with PTR records and a query log, or tests/e2e/evildns.py (a silent
#     server, or one that answers PTR queries with hostile names).
#   - GeoIP directories made of copies of tests/data/mmdb (MaxMind's test
#     databases).
# Its own cleanup (name servers by PID, /etc/netns/NS, the GeoIP temp dir)
# runs before lib.sh's.

EVILDNS="$E2E_DIR/evildns.py"
MMDB_SRC=$ROOT/tests/data/mmdb

# The test addresses, with what MaxMind's test databases say of them.
T_LONDON=81.2.69.142      # GB, United Kingdom, London (City, Country)
T_MILTON=216.160.83.56    # US, Milton (City); AS209 (ASN)
T_TELSTRA=1.128.0.1       # AS1221 Telstra Pty Ltd (ASN)
T_JP=2001:218::1          # JP, Japan (City, Country)
# More name servers on the server's veth, inside the /24 of the veth pair.
DEAD_DNS4=192.0.2.53      # receives, never answers
EVIL_DNS4=192.0.2.66      # answers PTR queries with hostile names

DNS_PIDS=()
DNS_NETNS_DIRS=()
# World-readable home of the test's GeoIP directories (the resolver may open
# them under an unprivileged uid; $WORK is 0700). Made here, not on first
# use, because geo_dir runs in $(...) subshells. Removed on exit.
GEO_TMP=$(mktemp -d /tmp/ft-e2e-geoip.XXXXXX) && chmod 0755 "$GEO_TMP"

dns_cleanup() {
	local pid d
	for pid in "${DNS_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for d in "${DNS_NETNS_DIRS[@]}"; do
		# Only ever a directory this file made for one of our namespaces.
		case $d in /etc/netns/ft-"$$"-*) rm -rf -- "$d" ;; esac
	done
	# /etc/netns itself only when it is left empty (rmdir refuses otherwise).
	[ "${#DNS_NETNS_DIRS[@]}" -gt 0 ] && rmdir /etc/netns 2>/dev/null
	[ -n "$GEO_TMP" ] && rm -rf -- "$GEO_TMP"
	return 0
}
trap 'dns_cleanup; e2e_cleanup' EXIT

# is_our_ns NS: NS is one of the namespaces this test made.
is_our_ns() {
	local ns
	for ns in "${E2E_NAMESPACES[@]}"; do
		[ "$ns" = "$1" ] && return 0
	done
	return 1
}

# ---------------------------------------------------------------- addresses

# ns_add_public ADDR...: put each ADDR (/32 or /128) on the server's veth1
# and route it from the client namespace via the veth peer. 1 (after a
# message on stdout) on error.
ns_add_public() {
	local a err="$WORK/ns_add_public.err"
	for a in "$@"; do
		case $a in
		*:*)
			ip -n "$NS_SERVER" addr add "$a/128" dev veth1 nodad 2>"$err" &&
				ip -n "$NS_CLIENT" -6 route add "$a/128" via "$S6" dev veth0 2>>"$err"
			;;
		*)
			ip -n "$NS_SERVER" addr add "$a/32" dev veth1 2>"$err" &&
				ip -n "$NS_CLIENT" route add "$a/32" via "$S4" dev veth0 2>>"$err"
			;;
		esac || {
			echo "ns_add_public: $a: $(cat "$err")"
			return 1
		}
	done
	return 0
}

# ns_add_local ADDR...: an extra address on the server's veth1 inside the
# veth pair's own prefix (reached on-link, no route needed).
ns_add_local() {
	local a
	for a in "$@"; do
		case $a in
		*:*) ip -n "$NS_SERVER" addr add "$a/128" dev veth1 nodad ;;
		*) ip -n "$NS_SERVER" addr add "$a/32" dev veth1 ;;
		esac || return 1
	done
}

# client_has_only_test_routes: the client namespace has no default route and
# no link but lo and veth0, so nothing it sends can reach the outside.
client_has_only_test_routes() {
	local links
	ip -n "$NS_CLIENT" route show default | grep -q . && { echo "an IPv4 default route"; return 0; }
	ip -n "$NS_CLIENT" -6 route show default | grep -q . && { echo "an IPv6 default route"; return 0; }
	links=$(ip -n "$NS_CLIENT" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')
	[ "$links" = "lo veth0 " ] || echo "links: $links"
}

# ptr_of ADDR: the reverse-DNS owner name of ADDR (in-addr.arpa / ip6.arpa).
ptr_of() {
	"$PY" -c 'import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]).reverse_pointer)' "$1"
}

# ---------------------------------------------------------------- resolv.conf

# resolv_conf_set NS NAMESERVER...: write /etc/netns/NS/resolv.conf (only for
# a namespace of this test); removed again on exit.
resolv_conf_set() {
	local ns=$1 d
	shift
	is_our_ns "$ns" || { echo "resolv_conf_set: $ns is not this test's namespace"; return 1; }
	d=/etc/netns/$ns
	mkdir -p -- "$d" || return 1
	case " ${DNS_NETNS_DIRS[*]} " in *" $d "*) ;; *) DNS_NETNS_DIRS+=("$d") ;; esac
	{
		echo "# flowtop e2e test $TEST_NAME: $ns only"
		printf 'nameserver %s\n' "$@"
	} >"$d/resolv.conf.tmp" && mv -f -- "$d/resolv.conf.tmp" "$d/resolv.conf"
}

# ---------------------------------------------------------------- name servers

# dnsmasq_start NAME LISTEN_ADDR... -- ADDR=PTRNAME...: dnsmasq in
# NS_SERVER on port 53 of every LISTEN_ADDR, answering PTR queries for each
# ADDR with PTRNAME and nothing else (no upstream, no /etc/hosts), logging
# every query to $WORK/NAME.log. Sets DNSMASQ_PID and DNSMASQ_LOG; 1 (after
# a message on stdout) when it does not start within 5 s.
dnsmasq_start() {
	local name=$1 a listen=() ptrs=() args
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do listen+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	for a in "$@"; do
		ptrs+=("--ptr-record=$(ptr_of "${a%%=*}"),${a#*=}")
	done
	DNSMASQ_LOG=$WORK/$name.log
	: >"$DNSMASQ_LOG"
	args=(--conf-file=/dev/null --no-resolv --no-hosts --no-daemon
		--log-queries "--log-facility=$DNSMASQ_LOG" --bind-interfaces
		--port=53 --pid-file= --no-negcache "${ptrs[@]}")
	for a in "${listen[@]}"; do args+=("--listen-address=$a"); done
	bg "$name" ip netns exec "$NS_SERVER" dnsmasq "${args[@]}"
	DNSMASQ_PID=$BG_PID
	DNS_PIDS+=("$BG_PID")
	if ! wait_for 5 grep -q 'started, version' "$DNSMASQ_LOG"; then
		echo "dnsmasq did not start: $(head -c 600 "$WORK/$name.err") $(head -c 600 "$DNSMASQ_LOG")"
		return 1
	fi
	kill -0 "$DNSMASQ_PID" 2>/dev/null || {
		echo "dnsmasq exited: $(head -c 600 "$WORK/$name.err")"
		return 1
	}
	return 0
}

# dnsmasq_queries [LOG]: how many queries dnsmasq has logged so far.
dnsmasq_queries() {
	grep -c 'query\[' "${1:-$DNSMASQ_LOG}"
}

# dnsmasq_ptr_queries ADDR [LOG]: PTR queries logged for ADDR.
dnsmasq_ptr_queries() {
	grep -c -F "query[PTR] $(ptr_of "$1") " "${2:-$DNSMASQ_LOG}"
}

# evildns_start NAME ADDR [evildns.py options...]: evildns.py in NS_SERVER on
# ADDR:53, log in $WORK/NAME.log. Sets EVILDNS_LOG; 1 (after a message) when
# it does not come up within 5 s.
evildns_start() {
	local name=$1 addr=$2 ready="$WORK/$1.ready"
	shift 2
	EVILDNS_LOG=$WORK/$name.log
	: >"$EVILDNS_LOG"
	bg "$name" ip netns exec "$NS_SERVER" "$PY" "$EVILDNS" --addr "$addr" \
		--log "$EVILDNS_LOG" --ready "$ready" --lifetime 150 "$@"
	DNS_PIDS+=("$BG_PID")
	if ! wait_for 5 test -s "$ready"; then
		echo "evildns.py on $addr did not start: $(head -c 600 "$WORK/$name.err")"
		return 1
	fi
	return 0
}

# evildns_queries LOG [QTYPE]: queries (of QTYPE) evildns.py logged.
evildns_queries() {
	if [ -n "${2:-}" ]; then
		grep -c "^$2 " "$1"
	else
		grep -vc '^BAD ' "$1"
	fi
}

# client_rdns ADDR: what the client namespace's system resolver says ADDR is
# called (getent hosts through nsswitch, resolv.conf bind-mounted); "" when
# nothing. At most 6 s.
client_rdns() {
	timeout 6 ip netns exec "$NS_CLIENT" getent hosts "$1" 2>/dev/null | awk '{print $2; exit}'
}

# ---------------------------------------------------------------- GeoIP

# need_mmdb: HAVE_GEO=1 when the test databases are there; otherwise
# HAVE_GEO=0, one skip for the file's GeoIP checks, and status 1.
need_mmdb() {
	HAVE_GEO=1
	[ -r "$MMDB_SRC/GeoLite2-City-Test.mmdb" ] &&
		[ -r "$MMDB_SRC/GeoLite2-ASN-Test.mmdb" ] &&
		[ -r "$MMDB_SRC/GeoLite2-Country-Test.mmdb" ] && return 0
	HAVE_GEO=0
	skip "GeoIP checks" "no test databases in $MMDB_SRC"
	return 1
}

# geo_dir NAME [SRC=DEST]...: make $GEO_TMP/NAME holding, for each pair, a
# copy of SRC (a path, or a file name under MMDB_SRC) named DEST; a DEST
# starting with @ is made a symlink instead (to prove symlinks are
# followed). Prints the directory.
geo_dir() {
	local name=$1 d pair src dest
	shift
	[ -d "$GEO_TMP" ] || return 1
	d=$GEO_TMP/$name
	mkdir -p -- "$d" && chmod 0755 "$d" || return 1
	for pair in "$@"; do
		src=${pair%%=*}
		dest=${pair#*=}
		case $src in /*) ;; *) src=$MMDB_SRC/$src ;; esac
		case $dest in
		@*) ln -s -- "$src" "$d/${dest#@}" || return 1 ;;
		*) cp -- "$src" "$d/$dest" && chmod 0644 "$d/$dest" || return 1 ;;
		esac
	done
	echo "$d"
}

# mmdb_opens FILE: 0 when libmaxminddb opens FILE (mmdblookup from Debian's
# mmdb-bin exits 2 with "Can't open" only when MMDB_open fails), 1 when it
# refuses it, 2 when mmdblookup is not installed.
mmdb_opens() {
	local out
	command -v mmdblookup >/dev/null 2>&1 || return 2
	out=$(mmdblookup --file "$1" --ip 1.2.3.4 2>&1)
	if [ $? = 2 ] && grep -q "Can't open" <<<"$out"; then
		return 1
	fi
	return 0
}

# ---------------------------------------------------------------- evidence

# show_file_safe FILE [N]: show_file for output that may hold hostile bytes:
# through cat -v, so no control byte reaches the test log raw.
show_file_safe() {
	local f=$1 n=${2:-15}
	[ -s "$f" ] || { echo "    ($(basename "$f") is empty)"; return; }
	head -n "$n" "$f" | cat -v | cut -c1-300 | sed 's/^/    | /'
}

# stderr_lines_with FILE STRING: the lines of FILE that contain STRING.
stderr_lines_with() {
	grep -F -- "$2" "$1" 2>/dev/null
}
