#!/usr/bin/env bash
# Runs every libFuzzer target of a TEESTORE_FUZZ build for SECONDS each,
# starting from its seed corpus (registered as <name>_corpus in CTest).
# Usage: tools/fuzz.sh BUILD_DIR [SECONDS]
set -euo pipefail
build=${1:?usage: tools/fuzz.sh BUILD_DIR [SECONDS]}
seconds=${2:-60}
found=0
# Each fuzz target's corpus test tells us its seed directory.
while read -r name corpus; do
	bin=$(find "$build" -type f -name "$name" -perm -u+x | head -n 1)
	[ -n "$bin" ] || continue
	found=1
	work=$(mktemp -d)
	echo "== $name ($seconds s, seeds from $corpus)"
	"$bin" -max_total_time="$seconds" -print_final_stats=1 "$work" "$corpus"
	rm -rf "$work"
done < <(ctest --test-dir "$build" -N -V 2>/dev/null |
	sed -n 's/^[0-9]*: Test command: \(.*\)_replay \(.*\)$/\1 \2/p' |
	while read -r cmd corpus; do echo "$(basename "$cmd") $corpus"; done)
[ "$found" = 1 ] || { echo "no fuzz targets built in $build" >&2; exit 1; }
