#!/bin/sh
# Builds export_app/main.c like an outside client application, with
# pkg-config teec from the exported tree, and runs it under tee-run.
# Usage: export_build.sh EXPORT_TEEC_DIR TEE_RUN TEED APP_SRC
set -eu
export_dir=$1 tee_run=$2 teed=$3 src=$4
work=$(mktemp -d "${TMPDIR:-/tmp}/teestore-export-XXXXXX")
trap 'rm -rf "$work"' EXIT
export PKG_CONFIG_PATH="$export_dir/lib/pkgconfig"
flags=$(pkg-config --cflags --libs teec)
# shellcheck disable=SC2086
cc -o "$work/app" "$src" $flags -Wl,-rpath,"$export_dir/lib"
readelf -d "$work/app" | grep -q 'NEEDED.*libteec.so.1' || {
	echo "app does not link libteec.so.1" >&2
	exit 1
}
TEESTORE_LOG=error "$tee_run" --teed "$teed" --supplicant /nonexistent \
	--state-dir "$work/state" --huk-zero -- "$work/app" >"$work/out"
grep -q 'TA incremented value to 43' "$work/out"
echo "ok: built with pkg-config teec, ran under tee-run"
