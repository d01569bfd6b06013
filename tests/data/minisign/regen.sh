#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# regen.sh: remake the minisign fixtures of tests/unit/test_gu_minisig.c
# and the fuzz corpus with Debian's minisign (apt-get install minisign).
# Two key pairs with empty passwords, made in a temporary directory and
# thrown away with their secret keys; kept here: the public keys, a small
# file, and its signatures (prehashed, the default of minisign 0.11, and
# legacy with -l), and one made with the other key.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
minisign -G -W -p key.pub -s key.sec >/dev/null
minisign -G -W -p other.pub -s other.sec >/dev/null
printf 'flowtop minisign fixture: a stand-in for a database file.\n%.0s' $(seq 8) >data.bin
minisign -S -s key.sec -m data.bin -x data.bin.minisig -t "fixture prehashed" >/dev/null
minisign -S -l -s key.sec -m data.bin -x data.bin.legacy.minisig -t "fixture legacy" >/dev/null
minisign -S -s other.sec -m data.bin -x data.bin.other.minisig -t "fixture other key" >/dev/null
minisign -V -p key.pub -m data.bin -x data.bin.minisig -q
minisign -V -p key.pub -m data.bin -x data.bin.legacy.minisig -q
cp key.pub other.pub data.bin data.bin.minisig data.bin.legacy.minisig \
	data.bin.other.minisig "$here/"
corpus=$here/../../fuzz/corpus/fuzz_minisig
mkdir -p "$corpus"
cp data.bin.minisig "$corpus/prehashed"
cp data.bin.legacy.minisig "$corpus/legacy"
cp data.bin.other.minisig "$corpus/other_key"
# The fuzz target holds the key line (to verify its seeds).
sed -i "s|^static const char fixture_key\[\] = .*|static const char fixture_key[] = \"$(sed -n 2p key.pub)\";|" \
	"$here/../../fuzz/fuzz_minisig.c"
printf 'https://mirror.example/geoip/\ndatabases GeoLite2-City\npubkey %s\n' \
	"$(sed -n 2p key.pub)" >"$here/../../fuzz/corpus/fuzz_geoip_conf/pubkey.conf"
