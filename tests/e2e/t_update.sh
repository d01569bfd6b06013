#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_update: `flowtop -u`, the GeoIP updater, against real HTTP(S) mirrors on
# loopback (tests/e2e/mirror.py: python's http.server with a request log
# and switches to misbehave) and file:// mirrors. Databases are MaxMind's
# test files (tests/data/mmdb) and mkmmdb.py output; nothing
# reaches the internet. Each case checks the exit status, what is
# installed (or that the old file is byte for byte intact) and, where it
# matters, the mirror's request log. Ends with the live reload: a running
# flowtop answers from a database replaced under it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dns.sh"
require_root
require_tools timeout openssl gzip tar flock sha256sum mount minisign
require_flowtop
need_mmdb || e2e_finish

# Databases are made readable by nobody (the validator and the resolver).
BASE=$(mktemp -d /tmp/ft-e2e-upd.XXXXXX) && chmod 0755 "$BASE"
trap 'umount "$BASE/full" 2>/dev/null; rm -rf "$BASE"; dns_cleanup; e2e_cleanup' EXIT
MK=$ROOT/tests/tools/mkmmdb.py
# A port nothing listens on, for a mirror that is down.
PORT0=$((20000 + RANDOM % 20000))

# mkdb OUT TYPE COUNTRY EPOCH: a City (or ASN when TYPE says so) database
# that places 81.2.69.0/24 and 216.160.83.0/24 in COUNTRY.
mkdb() {
	local rec
	case $2 in
	*ASN*) rec='{"autonomous_system_number": 64500, "autonomous_system_organization": "Test"}' ;;
	*) rec="{\"country\": {\"iso_code\": \"$3\"}, \"city\": {\"names\": {\"en\": \"Town$3\"}}}" ;;
	esac
	cat >"$1.json" <<-J
	{"metadata": {"database_type": "$2", "ip_version": 6, "languages": ["en"],
	  "description": {"en": "t_update"}, "build_epoch": $4},
	 "networks": [["81.2.69.0/24", $rec], ["216.160.83.0/24", $rec]]}
	J
	"$PY" "$MK" "$1.json" "$1"
}

# serve NAME DIR [mirror.py options]: a mirror on a port the kernel picks
# (a port of our own choosing may be some connection's ephemeral port);
# URL in SRV_URL, log in $WORK/NAME.log.
serve() {
	local name=$1 dir=$2 port scheme=http
	shift 2
	case " $* " in *" --cert "*) scheme=https ;; esac
	: >"$WORK/$name.log"
	bg "$name" "$PY" "$E2E_DIR/mirror.py" --dir "$dir" --port 0 \
		--log "$WORK/$name.log" --ready "$WORK/$name.ready" "$@"
	wait_for 5 test -s "$WORK/$name.ready" || fail "mirror $name starts" "$(cat "$WORK/$name.err")"
	port=$(awk '{ print $2 }' "$WORK/$name.ready")
	SRV_URL="$scheme://127.0.0.1:$port/"
	[ "$scheme" = https ] && SRV_URL="https://localhost:$port/"
	return 0
}

# conf NAME LINE...: a conf dir whose geoip.conf holds the lines; prints it.
conf() {
	local d="$BASE/conf-$1"
	shift
	mkdir -p "$d"
	printf '%s\n' "retries 1" "retry-delay 100" "geoipupdate-conf none" "$@" >"$d/geoip.conf"
	echo "$d"
}

# upd NAME CONFDIR GEODIR [args]: run flowtop -u; status in RC.
upd() {
	local name=$1 c=$2 g=$3
	shift 3
	timeout -k 5 60 "$FLOWTOP" -u --conf-dir "$c" --geoip-dir "$g" "$@" \
		>"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null
	RC=$?
}
why_rc() { # WANT NAME
	[ "$RC" = "$1" ] || printf 'exit %s, expected %s\n%s\n%s' "$RC" "$1" \
		"$(show_file "$WORK/$2.out")" "$(show_file "$WORK/$2.err")"
}
sum() { sha256sum "$1" 2>/dev/null | cut -d' ' -f1; }
# place DB DIR: install DB as DIR/GeoLite2-City.mmdb by hand, dated long
# ago so that If-Modified-Since never makes a mirror's file look current.
place() { mkdir -p "$2" && cp "$1" "$2/GeoLite2-City.mmdb" && touch -d @1000000000 "$2/GeoLite2-City.mmdb"; }
gets() { grep -c "^GET $2 " "$WORK/$1.log"; }

S=$MMDB_SRC
NOW=$(date +%s)
OLD=$((NOW - 86400 * 30)) NEW=$((NOW - 86400))
mkdir -p "$BASE/dbs"
mkdb "$BASE/dbs/city-old.mmdb" GeoLite2-City DE "$OLD"
mkdb "$BASE/dbs/city-older.mmdb" GeoLite2-City NL "$((OLD - 86400))"
mkdb "$BASE/dbs/city-new.mmdb" GeoLite2-City FR "$NEW"
mkdb "$BASE/dbs/asn.mmdb" GeoLite2-ASN x "$NEW"

# --- one mirror, three layouts ------------------------------------------------
M1=$BASE/m1 && mkdir -p "$M1/t/GeoLite2-ASN_20240101"
cp "$S/GeoLite2-City-Test.mmdb" "$M1/GeoLite2-City.mmdb"
gzip -c "$S/GeoLite2-Country-Test.mmdb" >"$M1/GeoLite2-Country.mmdb.gz"
cp "$S/GeoLite2-ASN-Test.mmdb" "$M1/t/GeoLite2-ASN_20240101/GeoLite2-ASN.mmdb"
tar -C "$M1/t" -czf "$M1/GeoLite2-ASN.tar.gz" GeoLite2-ASN_20240101
sha256sum "$M1/GeoLite2-Country.mmdb.gz" | sed 's,  .*/,  ,' >"$M1/GeoLite2-Country.mmdb.gz.sha256"
serve m1 "$M1"
URL1=$SRV_URL
C1=$(conf one "$URL1")
G1=$BASE/g1
upd fresh "$C1" "$G1"
why=$(why_rc 0 fresh)
for n in City Country ASN; do
	[ -z "$why" ] && ! cmp -s "$G1/GeoLite2-$n.mmdb" "$S/GeoLite2-$n-Test.mmdb" && why="GeoLite2-$n.mmdb not the served database"
done
verdict "fresh install: .mmdb, .mmdb.gz (+ good .sha256) and MaxMind .tar.gz layouts, exit 0" "$why"
verdict "404 is not retried (one GET of GeoLite2-City.mmdb.gz)" \
	"$([ "$(gets m1 /GeoLite2-City.mmdb.gz)" = 1 ] || show_file "$WORK/m1.log" 30)"
verdict "no temporary file left, lock file present" \
	"$(ls -A "$G1" | grep -v -e '^GeoLite2-' -e '^.flowtop-update.lock$')"

before=$(grep -c ' 200$' "$WORK/m1.log")
upd again "$C1" "$G1"
after=$(grep -c ' 200$' "$WORK/m1.log")
why=$(why_rc 0 again)
[ -z "$why" ] && [ "$after" != "$before" ] && why="$((after - before)) more 200 answers: downloaded twice"
[ -z "$why" ] && ! grep -q "already current" "$WORK/again.out" && why="no 'already current' line"
verdict "second run: already current, nothing downloaded twice (If-Modified-Since -> 304), exit 0" "$why"

verdict "--version shows DB-IP's CC BY 4.0 attribution" \
	"$("$FLOWTOP" --version | grep -q 'DB-IP.*CC BY 4.0\|CC BY 4.0' || echo missing)"

# --- second mirror after a 404 one and a dead one; 503 retried --------------
M0=$BASE/m0 && mkdir -p "$M0"
serve m0 "$M0"
URL0=$SRV_URL
M3=$BASE/m3 && mkdir -p "$M3" && cp "$BASE/dbs/city-new.mmdb" "$M3/GeoLite2-City.mmdb"
serve m3 "$M3" --fail503 1
URL3=$SRV_URL
DEAD="http://127.0.0.1:$((PORT0 + 999))/"
C2=$(conf two "$URL0" "$DEAD" "$URL3" "databases GeoLite2-City")
G2=$BASE/g2 && mkdir -p "$G2"
upd next "$C2" "$G2"
why=$(why_rc 0 next)
[ -z "$why" ] && [ "$(sum "$G2/GeoLite2-City.mmdb")" != "$(sum "$BASE/dbs/city-new.mmdb")" ] && why="not installed from the third mirror"
verdict "mirror 1 has nothing (404), mirror 2 is down, mirror 3 answers 503 once: installed from mirror 3" "$why"
verdict "503 retried: two GETs of GeoLite2-City.mmdb on mirror 3" \
	"$([ "$(gets m3 /GeoLite2-City.mmdb)" = 2 ] || show_file "$WORK/m3.log")"

# --- refusals: the old database is kept -----------------------------------------
# refuse NAME WHAT SETUP...: serve what SETUP puts in a fresh dir as
# GeoLite2-City; the installed city-old must survive.
refuse() {
	local name=$1 what=$2 m=$BASE/r-$1 g=$BASE/gr-$1 c
	shift 2
	mkdir -p "$m" && place "$BASE/dbs/city-old.mmdb" "$g"
	(cd "$m" && eval "$@")
	c=$(conf "r-$name" "file://$m/" "databases GeoLite2-City")
	upd "r-$name" "$c" "$g"
	why=$(why_rc 1 "r-$name")
	[ -z "$why" ] && [ "$(sum "$g/GeoLite2-City.mmdb")" != "$(sum "$BASE/dbs/city-old.mmdb")" ] && why="the old database was changed"
	[ -z "$why" ] && [ -n "$(ls -A "$g" | grep flowtop-tmp)" ] && why="a temporary file was left"
	verdict "$what: refused, exit 1, old database intact" "$why"
}
refuse sha "a .sha256 that does not match" \
	"cp $BASE/dbs/city-new.mmdb GeoLite2-City.mmdb; echo $(printf '0%.0s' $(seq 64))'  x' >GeoLite2-City.mmdb.sha256"
refuse trunc "a truncated .mmdb.gz" \
	"gzip -c $BASE/dbs/city-new.mmdb | head -c 300 >GeoLite2-City.mmdb.gz"
refuse type "an ASN database served as the City one" "cp $BASE/dbs/asn.mmdb GeoLite2-City.mmdb"
refuse older "an older build than the installed one" "cp $BASE/dbs/city-older.mmdb GeoLite2-City.mmdb"
refuse srclink "a file:// source that is a symbolic link" "ln -s $BASE/dbs/city-new.mmdb GeoLite2-City.mmdb"
refuse srcowner "a file:// source owned by another user (uid 4242)" \
	"cp $BASE/dbs/city-new.mmdb GeoLite2-City.mmdb; chown 4242 GeoLite2-City.mmdb"
refuse shalink "a file:// source whose .sha256 is a symbolic link" \
	"cp $BASE/dbs/city-new.mmdb GeoLite2-City.mmdb; sha256sum GeoLite2-City.mmdb >../sha; ln -s ../sha GeoLite2-City.mmdb.sha256"

# --- the database directory, as root ------------------------------------------
mkdir -p "$BASE/mdir" && cp "$BASE/dbs/city-new.mmdb" "$BASE/mdir/GeoLite2-City.mmdb"
cdir=$(conf dir "file://$BASE/mdir/" "databases GeoLite2-City")
g=$BASE/gww && place "$BASE/dbs/city-old.mmdb" "$g" && chmod 0777 "$g"
upd dirww "$cdir" "$g"
why=$(why_rc 1 dirww)
[ -z "$why" ] && ! grep -q "$g: group or world writable" "$WORK/dirww.err" && why="stderr: $(cat "$WORK/dirww.err")"
[ -z "$why" ] && [ "$(sum "$g/GeoLite2-City.mmdb")" != "$(sum "$BASE/dbs/city-old.mmdb")" ] && why="the old database was changed"
verdict "as root, a world-writable database directory is refused, exit 1, old database kept" "$why"
mkdir -p "$BASE/wwparent" && chmod 0777 "$BASE/wwparent"
g=$BASE/wwparent/g && place "$BASE/dbs/city-old.mmdb" "$g"
upd dirup "$cdir" "$g"
why=$(why_rc 1 dirup)
[ -z "$why" ] && ! grep -q "not a root-owned sticky directory" "$WORK/dirup.err" && why="stderr: $(cat "$WORK/dirup.err")"
chmod 1777 "$BASE/wwparent"
[ -z "$why" ] && upd dirsticky "$cdir" "$g" && why=$(why_rc 0 dirsticky)
verdict "as root, a parent directory writable by all is refused unless root-owned and sticky (then installed)" "$why"
g=$BASE/glink && mkdir -p "$g" "$BASE/elsewhere" && cp "$BASE/dbs/city-old.mmdb" "$BASE/elsewhere/x.mmdb" &&
	ln -s "$BASE/elsewhere/x.mmdb" "$g/GeoLite2-City.mmdb"
upd dirlink "$cdir" "$g"
why=$(why_rc 1 dirlink)
[ -z "$why" ] && ! grep -q "GeoLite2-City.mmdb: a symbolic link, refused" "$WORK/dirlink.err" && why="stderr: $(cat "$WORK/dirlink.err")"
[ -z "$why" ] && [ ! -L "$g/GeoLite2-City.mmdb" ] && why="the link was replaced"
verdict "an installed GeoLite2-City.mmdb that is a symbolic link is refused (not followed), exit 1" "$why"
n=0 bad_why=
for f in "$S"/bad/*.mmdb; do
	m=$BASE/rb && g=$BASE/grb && rm -rf "$m" "$g" && mkdir -p "$m" "$g"
	cp "$f" "$m/GeoLite2-City.mmdb" && place "$BASE/dbs/city-old.mmdb" "$g"
	serve "bad$n" "$m"
	n=$((n + 1))
	upd bad "$(conf bad "$SRV_URL" "databases GeoLite2-City")" "$g"
	[ "$RC" = 1 ] && [ "$(sum "$g/GeoLite2-City.mmdb")" = "$(sum "$BASE/dbs/city-old.mmdb")" ] ||
		bad_why="$bad_why $(basename "$f") (exit $RC)"
	kill "$BG_PID" 2>/dev/null
	wait "$BG_PID" 2>/dev/null
done
[ "$n" -ge 20 ] || bad_why="only $n files found in $S/bad$bad_why"
verdict "every file of tests/data/mmdb/bad ($n) served over HTTP is refused, old database intact" "$bad_why"

# --- minisign signatures: geoip.conf's pubkey ---------------------------------
K=$BASE/keys && mkdir -p "$K"
minisign -G -W -p "$K/pub" -s "$K/sec" >"$WORK/keygen.out" 2>&1 &&
	minisign -G -W -p "$K/other.pub" -s "$K/other.sec" >>"$WORK/keygen.out" 2>&1 ||
	fail "minisign -G" "$(cat "$WORK/keygen.out")"
PUB=$(sed -n 2p "$K/pub")
# signed DIR [KEY]: DIR/GeoLite2-City.mmdb (city-new) and its .minisig.
signed() {
	mkdir -p "$1" && cp "$BASE/dbs/city-new.mmdb" "$1/GeoLite2-City.mmdb" &&
		minisign -S -s "${2:-$K/sec}" -m "$1/GeoLite2-City.mmdb" -t "t_update" >/dev/null
}
# sigcase NAME WANT_RC URL [conf lines]: run against URL, city-old placed.
sigcase() {
	local name=$1 want=$2 url=$3 g=$BASE/g-$1
	shift 3
	place "$BASE/dbs/city-old.mmdb" "$g"
	upd "$name" "$(conf "$name" "$url" "databases GeoLite2-City" "$@")" "$g"
	why=$(why_rc "$want" "$name")
	if [ "$want" = 0 ]; then
		[ -z "$why" ] && [ "$(sum "$g/GeoLite2-City.mmdb")" != "$(sum "$BASE/dbs/city-new.mmdb")" ] && why="not installed"
	else
		[ -z "$why" ] && [ "$(sum "$g/GeoLite2-City.mmdb")" != "$(sum "$BASE/dbs/city-old.mmdb")" ] && why="the old database was changed"
		[ -z "$why" ] && [ -n "$(ls -A "$g" | grep flowtop-tmp)" ] && why="a temporary file was left"
	fi
	return 0
}
signed "$BASE/msig"
serve msig "$BASE/msig"
sigcase sigok 0 "$SRV_URL" "pubkey $PUB"
[ -z "$why" ] && [ "$(gets msig /GeoLite2-City.mmdb.minisig)" != 1 ] && why="GeoLite2-City.mmdb.minisig not fetched once: $(show_file "$WORK/msig.log")"
verdict "pubkey set, database signed with minisign -S over HTTP: verified and installed, exit 0" "$why"
sigcase sigfile 0 "file://$BASE/msig/" "pubkey $PUB"
verdict "pubkey set, signed database on a file:// mirror: installed, exit 0" "$why"

signed "$BASE/mtamper"
"$PY" - "$BASE/mtamper/GeoLite2-City.mmdb" <<-'P'
	import sys
	f = open(sys.argv[1], "r+b"); f.seek(200); b = f.read(1); f.seek(200); f.write(bytes([b[0] ^ 1]))
	P
serve mtamper "$BASE/mtamper"
sigcase sigbad 1 "$SRV_URL" "pubkey $PUB"
[ -z "$why" ] && ! grep -q "GeoLite2-City.mmdb: refused: minisign: bad signature" "$WORK/sigbad.err" && why="stderr: $(cat "$WORK/sigbad.err")"
verdict "a byte flipped after signing: refused ('minisign: bad signature'), exit 1, old database kept" "$why"

mkdir -p "$BASE/mnosig" && cp "$BASE/dbs/city-new.mmdb" "$BASE/mnosig/GeoLite2-City.mmdb"
serve mnosig "$BASE/mnosig"
NOSIG_URL=$SRV_URL
sigcase signone 1 "$NOSIG_URL" "pubkey $PUB"
[ -z "$why" ] && ! grep -q "refused: unsigned.*GeoLite2-City.mmdb.minisig: HTTP 404" "$WORK/signone.err" && why="stderr: $(cat "$WORK/signone.err")"
verdict "pubkey set, no .minisig on the mirror (404): refused as unsigned, exit 1, old database kept" "$why"
sigcase signonefile 1 "file://$BASE/mnosig/" "pubkey $PUB"
[ -z "$why" ] && ! grep -q "refused: unsigned" "$WORK/signonefile.err" && why="stderr: $(cat "$WORK/signonefile.err")"
verdict "pubkey set, no .minisig beside a file:// mirror's database: refused, exit 1" "$why"

signed "$BASE/mother" "$K/other.sec"
serve mother "$BASE/mother"
sigcase sigother 1 "$SRV_URL" "pubkey $PUB"
[ -z "$why" ] && ! grep -q "minisign: signed with key [0-9A-F]\{16\}, not the pubkey's" "$WORK/sigother.err" && why="stderr: $(cat "$WORK/sigother.err")"
verdict "signed with another key: refused (key id named), exit 1, old database kept" "$why"

sigcase signokey 0 "$NOSIG_URL"
[ -z "$why" ] && [ "$(gets mnosig /GeoLite2-City.mmdb.minisig)" != 1 ] && why="a .minisig was asked for without pubkey"
verdict "without pubkey: the unsigned database is installed as before, no .minisig asked for" "$why"

# --force installs the older one
g=$BASE/gforce && place "$BASE/dbs/city-new.mmdb" "$g"
mkdir -p "$BASE/mforce" && cp "$BASE/dbs/city-old.mmdb" "$BASE/mforce/GeoLite2-City.mmdb"
cf=$(conf force "file://$BASE/mforce/" "databases GeoLite2-City")
upd noforce "$cf" "$g"
why=$(why_rc 1 noforce)
upd force "$cf" "$g" --force
[ -z "$why" ] && why=$(why_rc 0 force)
[ -z "$why" ] && [ "$(sum "$g/GeoLite2-City.mmdb")" != "$(sum "$BASE/dbs/city-old.mmdb")" ] && why="--force did not install the older build"
verdict "older build refused without --force (exit 1), installed with it (exit 0); file:// mirror" "$why"

# A host with no network at all (a namespace of our own, not even lo up):
# a file:// mirror (a USB stick, say) is all it needs.
NONET="ft-$$-nonet"
why=
if ip netns add "$NONET" 2>"$WORK/nonet.err"; then
	E2E_NAMESPACES+=("$NONET")
	g=$BASE/gnonet && place "$BASE/dbs/city-old.mmdb" "$g"
	mkdir -p "$BASE/mnonet" && cp "$BASE/dbs/city-new.mmdb" "$BASE/mnonet/GeoLite2-City.mmdb"
	ip netns exec "$NONET" timeout -k 5 60 "$FLOWTOP" -u \
		--conf-dir "$(conf nonet "file://$BASE/mnonet/" "databases GeoLite2-City")" \
		--geoip-dir "$g" >"$WORK/nonet.out" 2>"$WORK/nonet.err" </dev/null
	RC=$?
	why=$(why_rc 0 nonet)
	[ -z "$why" ] && [ "$(sum "$g/GeoLite2-City.mmdb")" != "$(sum "$BASE/dbs/city-new.mmdb")" ] && why="not installed"
else
	why="cannot make a namespace: $(cat "$WORK/nonet.err")"
fi
verdict "no network at all (an empty namespace): a file:// mirror installs, exit 0" "$why"

# --- DB-IP monthly names, fallback to last month ------------------------------
LAST=$(date -u -d "$(date -u +%Y-%m-15) -1 month" +%Y-%m)
MD=$BASE/mdbip && mkdir -p "$MD"
mkdb "$MD/c.mmdb" DBIP-City-Lite FR "$NEW" && gzip -c "$MD/c.mmdb" >"$MD/dbip-city-lite-$LAST.mmdb.gz"
serve dbip "$MD"
upd dbip "$(conf dbip "$SRV_URL" "layout dbip" "databases dbip-city-lite")" "$BASE/gdbip"
why=$(why_rc 0 dbip)
[ -z "$why" ] && ! cmp -s "$BASE/gdbip/dbip-city-lite.mmdb" "$MD/c.mmdb" && why="not installed"
[ -z "$why" ] && [ "$(gets dbip "/dbip-city-lite-$(date -u +%Y-%m).mmdb.gz")" != 1 ] && why="this month's name not asked first"
verdict "layout dbip: this month's dbip-city-lite-YYYY-MM.mmdb.gz missing, last month's ($LAST) installed" "$why"

# --- MaxMind account (GeoIP.conf, basic auth over https) -------------------------
# A test CA for this and the HTTPS cases below.
T=$BASE/tls && mkdir -p "$T"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
	-addext subjectAltName=DNS:localhost -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1
MM=$BASE/mm && mkdir -p "$MM"
cp "$M1/GeoLite2-ASN.tar.gz" "$MM/GeoLite2-ASN.tar.gz"
serve mmclear "$MM" --auth 4242:goodkey
MMC=$BASE/mmconf && mkdir -p "$MMC"
printf 'AccountID 4242\nLicenseKey goodkey\nEditionIDs GeoLite2-ASN\nHost %s\n' "${SRV_URL%/}" >"$MMC/GeoIP.conf"
printf 'geoipupdate-conf %s\nretries 2\nretry-delay 100\nca-file %s\n' "$MMC/GeoIP.conf" "$T/cert.pem" >"$MMC/geoip.conf"
upd mmclear "$MMC" "$BASE/gmmclear"
why=$(why_rc 1 mmclear)
[ -z "$why" ] && ! grep -q "$MMC/GeoIP.conf:4: Host is plain http://" "$WORK/mmclear.err" && why="stderr: $(cat "$WORK/mmclear.err")"
[ -z "$why" ] && [ -s "$WORK/mmclear.log" ] && why="a request was made: $(cat "$WORK/mmclear.log")"
verdict "GeoIP.conf Host http:// with a LicenseKey: refused ('GeoIP.conf:4: Host is plain http://'), no request, exit 1" "$why"
serve mm "$MM" --auth 4242:goodkey --cert "$T/cert.pem" --key "$T/key.pem"
printf 'AccountID 4242\nLicenseKey goodkey\nEditionIDs GeoLite2-ASN\nHost %s\n' "${SRV_URL%/}" >"$MMC/GeoIP.conf"
upd mmok "$MMC" "$BASE/gmm"
why=$(why_rc 0 mmok)
[ -z "$why" ] && ! cmp -s "$BASE/gmm/GeoLite2-ASN.mmdb" "$S/GeoLite2-ASN-Test.mmdb" && why="not installed"
verdict "GeoIP.conf account: https /geoip/databases/GeoLite2-ASN/download?suffix=tar.gz with basic auth, installed" "$why"
sed -i 's/goodkey/wrongkey/' "$MMC/GeoIP.conf"
n0=$(wc -l <"$WORK/mm.log")
upd mmbad "$MMC" "$BASE/gmm"
why=$(why_rc 1 mmbad)
[ -z "$why" ] && [ "$(($(wc -l <"$WORK/mm.log") - n0))" != 1 ] && why="$(($(wc -l <"$WORK/mm.log") - n0)) requests, expected 1"
[ -z "$why" ] && ! grep -q "HTTP 401" "$WORK/mmbad.err" && why="no clear error: $(cat "$WORK/mmbad.err")"
verdict "wrong LicenseKey: one request, 'HTTP 401' on stderr, exit 1" "$why"

# --- HTTPS with a test CA -----------------------------------------------------
serve tls "$M3" --cert "$T/cert.pem" --key "$T/key.pem"
upd tls "$(conf tls "$SRV_URL" "databases GeoLite2-City" "ca-file $T/cert.pem")" "$BASE/gtls"
why=$(why_rc 0 tls)
verdict "https mirror (localhost, resolved from /etc/hosts before the sandbox) trusted through ca-file" "$why"
upd tlsno "$(conf tlsno "$SRV_URL" "databases GeoLite2-City")" "$BASE/gtlsno"
verdict "https mirror not trusted without its CA: exit 1" "$(why_rc 1 tlsno)"

# --- exit 3, malformed conf --------------------------------------------------------
upd some "$(conf some "$URL1" "databases GeoLite2-City GeoLite2-Nothing-City")" "$BASE/gsome"
verdict "one database installed, one on no mirror: exit 3" "$(why_rc 3 some)"
cbad=$(conf bad "$URL1")
echo "frobnicate yes" >>"$cbad/geoip.conf"
upd badconf "$cbad" "$BASE/gbadconf"
why=$(why_rc 1 badconf)
[ -z "$why" ] && ! grep -q "$cbad/geoip.conf:5: unknown directive" "$WORK/badconf.err" && why="stderr: $(cat "$WORK/badconf.err")"
verdict "unknown directive: 'geoip.conf:5: unknown directive', exit 1" "$why"

# --- a slow download: the fetcher's sandbox, lock, kill -9, stall -------------------
MS=$BASE/ms && mkdir -p "$MS" && head -c 3000000 /dev/urandom >"$MS/pad" &&
	cat "$BASE/dbs/city-new.mmdb" >"$MS/GeoLite2-City.mmdb"
serve slow "$MS" --rate 20000
gs=$BASE/gslow && place "$BASE/dbs/city-old.mmdb" "$gs"
cs=$(conf slow "$SRV_URL" "databases GeoLite2-City")
cp "$MS/pad" "$MS/GeoLite2-City.mmdb"   # 3 MB at 20 kB/s: minutes
bg slowrun "$FLOWTOP" -u --conf-dir "$cs" --geoip-dir "$gs"
UPID=$BG_PID
fpid=
wait_for 5 sh -c "pgrep -P $UPID -x flowtop-fetch >/dev/null" && fpid=$(pgrep -P "$UPID" -x flowtop-fetch)
why=
if [ -z "$fpid" ]; then
	why="no child flowtop-fetch of the updater"
else
	[ "$(status_field "$fpid" Uid | awk '{print $1}')" = 0 ] && why="fetcher runs as uid 0"
	[ "$(status_field "$fpid" Seccomp)" = 2 ] || why="$why Seccomp $(status_field "$fpid" Seccomp)"
	[ "$(status_field "$fpid" CapEff)" = 0000000000000000 ] || why="$why CapEff $(status_field "$fpid" CapEff)"
	[ "$(status_field "$fpid" NoNewPrivs)" = 1 ] || why="$why no NoNewPrivs"
	[ "$(ls /proc/"$fpid"/fd | wc -l)" -le 8 ] || why="$why $(ls /proc/"$fpid"/fd | wc -l) fds"
fi
verdict "during a download: 'flowtop-fetch' child, unprivileged uid, Seccomp 2, no capabilities, no_new_privs" "$why"
upd locked "$cs" "$gs"
why=$(why_rc 1 locked)
[ -z "$why" ] && ! grep -q "another flowtop -u" "$WORK/locked.err" && why="stderr: $(cat "$WORK/locked.err")"
verdict "a second run while the first holds the lock refuses, exit 1" "$why"
wait_for 5 sh -c "grep -q 'GET /GeoLite2-City.mmdb' $WORK/slow.log"
{ kill -9 "$UPID"; wait "$UPID"; } 2>/dev/null
[ -n "$fpid" ] && wait_for 3 sh -c "! kill -0 $fpid 2>/dev/null"
why=
[ "$(sum "$gs/GeoLite2-City.mmdb")" = "$(sum "$BASE/dbs/city-old.mmdb")" ] || why="old database changed"
[ -n "$fpid" ] && kill -0 "$fpid" 2>/dev/null && why="$why fetcher outlived its parent"
verdict "kill -9 of flowtop -u mid-download: old database intact, fetcher gone" "$why"
upd stall "$(conf stall "$SRV_URL" "databases GeoLite2-City" "timeout 2" "retries 0")" "$gs"
why=$(why_rc 1 stall)
[ -z "$why" ] && [ "$(sum "$gs/GeoLite2-City.mmdb")" != "$(sum "$BASE/dbs/city-old.mmdb")" ] && why="old database changed"
verdict "a mirror too slow for 'timeout 2': given up, exit 1, old database intact" "$why"

# --- full filesystem ---------------------------------------------------------------
mkdir -p "$BASE/full" && mount -t tmpfs -o size=64k,mode=0755 tmpfs "$BASE/full" &&
	place "$BASE/dbs/city-old.mmdb" "$BASE/full"
mkdir -p "$BASE/mbig" && mkdb "$BASE/mbig/x.mmdb" GeoLite2-City FR "$NEW" &&
	"$PY" - "$BASE/mbig/x.mmdb.json" "$BASE/mbig/GeoLite2-City.mmdb.json" <<-'P'
	import json, sys
	d = json.load(open(sys.argv[1])); d["pad_to"] = 131072
	json.dump(d, open(sys.argv[2], "w"))
	P
"$PY" "$MK" "$BASE/mbig/GeoLite2-City.mmdb.json" "$BASE/mbig/GeoLite2-City.mmdb"
upd full "$(conf full "file://$BASE/mbig/" "databases GeoLite2-City")" "$BASE/full"
why=$(why_rc 1 full)
[ -z "$why" ] && [ "$(sum "$BASE/full/GeoLite2-City.mmdb")" != "$(sum "$BASE/dbs/city-old.mmdb")" ] && why="old database changed"
[ -z "$why" ] && ! grep -qi "no space" "$WORK/full.err" && why="stderr: $(cat "$WORK/full.err")"
verdict "database directory on a full 64k tmpfs: 'No space left', exit 1, old database intact" "$why"
umount "$BASE/full"

# --- live reload in a running flowtop ----------------------------------------------
ns_setup_or_skip
ns_add_public "$T_LONDON" "$T_MILTON" >"$WORK/public.msg" || fail "test addresses" "$(cat "$WORK/public.msg")"
GL=$BASE/live && place "$BASE/dbs/city-old.mmdb" "$GL"
start_server s1 tcp "$T_LONDON" 80 && start_server s2 tcp "$T_MILTON" 80
start_client c1 tcp "$T_LONDON" 80 60
ft_start live "$NS_CLIENT" "$FLOWTOP" --conf-dir "$ROOT/conf" -n --count 14 -t 1 -o json --geoip-dir "$GL"
wait_for 8 grep -q '"dst_country":"DE"' "$WORK/live.out"
mkdir -p "$BASE/dbs/live" && cp "$BASE/dbs/city-new.mmdb" "$BASE/dbs/live/GeoLite2-City.mmdb"
upd liveupd "$(conf live "file://$BASE/dbs/live/" "databases GeoLite2-City")" "$GL"
why=$(why_rc 0 liveupd)
sleep 3
start_client c2 tcp "$T_MILTON" 80 30
wait_pid "$FT_TPID" 25
[ -z "$why" ] && ! grep "\"dst\":\"$T_LONDON\"" "$WORK/live.out" | grep -q '"dst_country":"DE"' && why="the first flow never showed DE"
[ -z "$why" ] && ! grep "\"dst\":\"$T_MILTON\"" "$WORK/live.out" | grep -q '"dst_country":"FR"' &&
	why="the flow started after the update does not show FR$(printf '\n%s' "$(grep "$T_MILTON" "$WORK/live.out" | tail -n2)")
$(show_file "$WORK/live.err")"
verdict "running flowtop: database replaced by flowtop -u, a new lookup answers from it (DE -> FR)" "$why"

# --- the children's stderr reaches the terminal through the parent only ------
# FLOWTOP_TEST_STDERR=ROLE (test build): the confined fetcher or validator
# writes escape sequences, a C1 byte, a line posing as the collector, an
# overlong line and a flood in flowtop's own voice ("flowtop: test: flood
# N"); the updater relays them escaped, bounded and behind the role's name,
# and still installs.
if [ -x "$FLOWTOP_TESTHOOKS" ]; then
	for role in fetcher validator; do
		timeout -k 5 60 env FLOWTOP_TEST_STDERR=$role "$FLOWTOP_TESTHOOKS" -u \
			--conf-dir "$C1" --geoip-dir "$BASE/g-se-$role" \
			>"$WORK/se_$role.out" 2>"$WORK/se_$role.err" </dev/null
		RC=$?
		verdict "FLOWTOP_TEST_STDERR=$role: flowtop -u still installs, exit 0" "$(why_rc 0 "se_$role")"
		err=$WORK/se_$role.err
		n=$(LC_ALL=C tr -cd '\000-\010\013-\037\177\200-\237' <"$err" | wc -c)
		verdict "FLOWTOP_TEST_STDERR=$role: no control byte (ESC, BEL, CR, C1) on stderr" \
			"$([ "$n" = 0 ] || echo "$n control bytes")"
		want="flowtop: $role: test: \\x1b]0;owned\\x07\\x1b[2J\\x1b[31mred\\x0d\\x9b1m"
		verdict "FLOWTOP_TEST_STDERR=$role: the hostile line arrives escaped" \
			"$(grep -qxF "$want" "$err" || echo "no line '$want':
$(show_file "$err")")"
		want="flowtop: $role: collector: test: posing"
		verdict "FLOWTOP_TEST_STDERR=$role: a line posing as the collector is the $role's" \
			"$(grep -qxF "$want" "$err" || echo "no line '$want'")"
		n=$(grep -c "^flowtop: $role: test: flood " "$err")
		verdict "FLOWTOP_TEST_STDERR=$role: the flood is bounded ($n lines relayed)" \
			"$([ "$n" -ge 1 ] && [ "$n" -le 150 ] || echo "$n flood lines relayed")"
		verdict "FLOWTOP_TEST_STDERR=$role: the dropped lines are counted" \
			"$(grep -Eq "^flowtop: $role: [0-9]+ lines of its messages dropped" "$err" || echo "no count")"
	done
fi

# --- Landlock: the fetcher's TCP ports (test build only) ----------------------
# The fetcher may connect to 53, 80, 443 and the ports its mirror URLs name
# (geoip-update/landlock.c); its seccomp list lets any connect through. With
# FLOWTOP_TEST_LANDLOCK=fetcher:9,PORT the confined fetcher connects to
# 127.0.0.1:9, outside that list (EACCES only from Landlock's port rules,
# ABI 4+; ECONNREFUSED without them), and to its mirror's port, which must
# connect; then the run goes on and installs from that mirror.
if landlock_tcp_ready "Landlock refusing the fetcher a TCP connect to port 9"; then
	serve llmirror "$M1"
	llport=${SRV_URL##*:}
	llport=${llport%/}
	timeout -k 5 60 env FLOWTOP_TEST_LANDLOCK="fetcher:9,$llport" "$FLOWTOP_TESTHOOKS" -u \
		--conf-dir "$(conf ll "$SRV_URL" "databases GeoLite2-City")" --geoip-dir "$BASE/g-ll" \
		>"$WORK/ll.out" 2>"$WORK/ll.err" </dev/null
	RC=$?
	line=$(grep -Eo "^flowtop: fetcher: test: landlock: connect 127.0.0.1:9: .*" "$WORK/ll.err" | head -n1)
	verdict "Landlock refusing the fetcher a TCP connect to 127.0.0.1:9 (kernel ABI $LL_ABI): \"${line:-no line}\"" \
		"$([ "${line##*: }" = EACCES ] || echo "stderr:
$(show_file "$WORK/ll.err")")"
	line=$(grep -Eo "^flowtop: fetcher: test: landlock: connect 127.0.0.1:$llport: .*" "$WORK/ll.err" | head -n1)
	verdict "the confined fetcher connects to its mirror's port $llport: \"${line:-no line}\"" \
		"$([ "${line##*: }" = connected ] || echo "stderr:
$(show_file "$WORK/ll.err")")"
	why=$(why_rc 0 ll)
	[ -z "$why" ] && ! cmp -s "$BASE/g-ll/GeoLite2-City.mmdb" "$S/GeoLite2-City-Test.mmdb" && why="GeoLite2-City.mmdb not the served database"
	verdict "FLOWTOP_TEST_LANDLOCK=fetcher: flowtop -u still installs from the mirror, exit 0" "$why"
	verdict "no 'Landlock not available' on stderr (kernel ABI $LL_ABI)" \
		"$(! grep -q "Landlock not available" "$WORK/ll.err" || grep "Landlock" "$WORK/ll.err")"
fi
e2e_finish
