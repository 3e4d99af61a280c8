#!/bin/sh
# Copies an OP-TEE-style TA tree to a temporary directory, builds it with
# plain make against the exported dev kit, then runs the .ta it made.
# Usage: devkit_build.sh TA_DEV_KIT_DIR TA_SOURCE_DIR TEST_PROGRAM
set -eu
kit=$1 src=$2 prog=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/teestore-devkit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -R "$src" "$tmp/ta"
make -C "$tmp/ta" TA_DEV_KIT_DIR="$kit"
uuid=8aaaf200-2450-11e4-abe2-0002a5d5c51b
test -f "$tmp/ta/$uuid.ta" || { echo "no $uuid.ta built" >&2; exit 1; }
# Rebuilding with nothing changed does nothing; clean removes the TA.
make -C "$tmp/ta" TA_DEV_KIT_DIR="$kit" | grep -q 'Nothing to be done' || {
	echo "a second make rebuilt something" >&2; exit 1; }
mkdir "$tmp/tadir"
cp "$tmp/ta/$uuid.ta" "$tmp/tadir/"
"$prog" "$tmp/tadir"
make -C "$tmp/ta" TA_DEV_KIT_DIR="$kit" clean
test ! -e "$tmp/ta/$uuid.ta" || { echo "clean left the TA" >&2; exit 1; }
echo "dev kit build: ok"
