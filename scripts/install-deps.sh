#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# install-deps.sh: make sure the Debian 12 packages that flowtop's build and
# tests need are installed. Silent when everything is already there.
#
# As root: installs only the missing packages (apt-get update first).
# Not root: lists the missing packages, prints the command to run, exits 1.
set -u

PACKAGES=(
	build-essential       # gcc, make, libc headers
	pkg-config
	libnetfilter-conntrack-dev
	libmnl-dev
	libmaxminddb-dev      # GeoIP lookups
	libseccomp-dev
	libcap-ng-dev
	libncurses-dev        # the interactive screen (ncursesw)
	tmux                  # end-to-end tests of the screen
	libcurl4-openssl-dev  # GeoIP updater's fetcher
	zlib1g-dev            # GeoIP updater: .gz and .tar.gz downloads
	libssl-dev            # GeoIP updater: TLS set-up before the sandbox, sha256
	ca-certificates       # GeoIP updater: the default CA bundle
	openssl               # end-to-end tests: a test CA for the HTTPS mirror
	minisign              # GeoIP updater tests: signed databases (pubkey)
	libc-ares-dev         # asynchronous reverse DNS
	libcmocka-dev         # unit tests
	clang-14              # libFuzzer targets
	libclang-rt-14-dev    # fuzzer and sanitizer runtimes for clang
	nftables              # end-to-end tests: conntrack rules in namespaces
	conntrack             # end-to-end tests: inject and list entries
	iproute2              # ip netns, veth
	iputils-ping
	python3               # end-to-end traffic generator
	procps                # ps, sysctl
	libcap2-bin           # setcap/getcap, capsh
	dnsmasq-base          # end-to-end tests: a DNS server inside a namespace
	mmdb-bin              # end-to-end tests: mmdblookup tells refused databases
	passwd                # make install: useradd (system user flowtop); t_install's test user
	systemd               # end-to-end tests: systemd-analyze verify, systemctl --root cat of the units
	netbase               # /etc/services, which test_services reads
	libfixbuf-dev         # --ipfix: IPFIX encoding (pulls in glib)
	nfdump                # end-to-end tests: nfcapd, a UDP IPFIX collector
	pmacct                # end-to-end tests: nfacctd, another UDP collector
	libfixbuf-tools       # end-to-end tests: ipfixDump reads TCP export
	socat                 # end-to-end tests: a TCP listener for ipfixDump
)

# A package counts as installed only when dpkg says "install ok installed".
is_installed() {
	local st
	st=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
	[ "$st" = "install ok installed" ]
}

# The packages of "$@" that are not installed, one a line.
not_installed() {
	local p
	for p in "$@"; do
		is_installed "$p" || echo "$p"
	done
}

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "install-deps: dpkg-query not found; this script is for Debian 12 (bookworm)." >&2
	echo "install-deps: install the equivalents of: ${PACKAGES[*]}" >&2
	exit 1
fi

mapfile -t missing < <(not_installed "${PACKAGES[@]}")

[ "${#missing[@]}" -eq 0 ] && exit 0

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"

if [ "$(id -u)" -ne 0 ]; then
	{
		echo "install-deps: missing Debian packages: ${missing[*]}"
		echo "install-deps: install them as root with:"
		echo "    sudo sh -c '$cmd'"
	} >&2
	exit 1
fi

echo "install-deps: installing missing Debian packages: ${missing[*]}"
if ! apt-get update -qq; then
	echo "install-deps: apt-get update failed" >&2
	exit 1
fi
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
	echo "install-deps: apt-get install failed for: ${missing[*]}" >&2
	exit 1
fi

# Check again: apt-get can succeed and still leave a package unconfigured.
mapfile -t still < <(not_installed "${missing[@]}")
if [ "${#still[@]}" -ne 0 ]; then
	echo "install-deps: still not installed after apt-get: ${still[*]}" >&2
	exit 1
fi
exit 0
