#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# check-layers.sh [ROOT]: fail when a source includes a header of a layer
# above its own, or of another role at its own layer.
# check-layers.sh --self-test: show that it does fail, on a copy of the
# tree where the framework includes a role's header.
#
# Layers, bottom up (doc/DESIGN.md, "Layout"):
#   0 common/     shared code: escaping, clocks, options, GeoIP files
#   1 privsep/    the framework: spawning, privilege drop, seccomp, messages
#   2 collector/ resolver/ ui/ geoip-update/ nsdiag/ recorder/ replay/
#                 baseline/ ipfix/   one role each;
#                 never each other
#   3 main/       the wiring of the roles
# A file may include its own folder's headers and those of lower layers.
# Tests and benchmarks (tests/) may include anything.
set -u
here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" = --self-test ]; then
	tmp=$(mktemp -d /tmp/ft-layers.XXXXXX) || exit 2
	trap 'rm -rf "$tmp"' EXIT
	(cd "$here/.." && cp -r common privsep collector resolver ui \
		geoip-update nsdiag recorder replay baseline ipfix main "$tmp/") || exit 2
	"$here/check-layers.sh" "$tmp" >/dev/null ||
		{ echo "check-layers: self-test: the clean copy fails"; exit 1; }
	sed -i '0,/#include "privsep\/msg.h"/s//&\n#include "ui\/ui.h"/' \
		"$tmp/privsep/msg.c"
	out=$("$here/check-layers.sh" "$tmp")
	if [ $? -eq 1 ] && printf '%s\n' "$out" | grep -q 'privsep/msg.c:.*"ui/ui.h"'; then
		echo "check-layers: self-test: a wrong-way include is caught"
		exit 0
	fi
	echo "check-layers: self-test: privsep/msg.c including ui/ui.h went unnoticed"
	exit 1
fi

root=${1:-$here/..}
cd "$root" || exit 2

declare -A rank=([common]=0 [privsep]=1 [collector]=2 [resolver]=2 [ui]=2
	[geoip-update]=2 [nsdiag]=2 [recorder]=2 [replay]=2 [baseline]=2
	[ipfix]=2 [main]=3)

bad=0 seen=0
for dir in "${!rank[@]}"; do
	[ -d "$dir" ] || continue
	while IFS=: read -r file line text; do
		inc=${text#*\"}
		inc=${inc%%\"*}
		to=${inc%%/*}
		[ "$to" = "$inc" ] && to=$dir       # "x.h": its own folder
		if [ -z "${rank[$to]+set}" ]; then
			echo "$file:$line: includes \"$inc\" from no known layer"
			bad=$((bad + 1))
		elif [ "$to" != "$dir" ] && [ "${rank[$to]}" -ge "${rank[$dir]}" ]; then
			echo "$file:$line: $dir/ (layer ${rank[$dir]}) may not include \"$inc\" ($to/, layer ${rank[$to]})"
			bad=$((bad + 1))
		fi
		seen=$((seen + 1))
	done < <(grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$dir"/*.[ch] 2>/dev/null)
done

if [ "$seen" -eq 0 ]; then
	echo "check-layers: no includes found under $root"
	exit 2
fi
if [ "$bad" -ne 0 ]; then
	echo "check-layers: $bad include(s) cross a layer the wrong way"
	exit 1
fi
echo "check-layers: $seen includes, every one downward or within its folder"
