#!/bin/sh
# End-to-end tests of the secure storage application through the whole
# stack: secure_storage -> libteec -> teed -> TA process -> gpstore ->
# tee-supplicant -> files, all started by tee-run with a state dir in the
# build tree (docs/secure-storage-app.md, "Tests").
#
#   e2e.sh BUILD_DIR quick    sizes up to 10 MB, OP-TEE's client flow,
#                             hash mismatch, chunk order, IDs, kill +
#                             resume, two clients at once, tampering
#   e2e.sh BUILD_DIR memory   peak RSS (VmHWM) of client, teed and the TA
#                             process for a 64 MiB put and get (another
#                             size: SS_MEMORY_MIB=1024)
#   e2e.sh BUILD_DIR long     100 MiB round trip (label `long`)
#
# Exit 0 pass, 1 fail.
set -eu
build=$(cd "${1:?usage: e2e.sh BUILD_DIR quick|memory|long}" && pwd)
mode=${2:-quick}
here=$(cd "$(dirname "$0")" && pwd)

ss=$build/examples/secure_storage/host/secure_storage
raw=$build/tests/secure_storage/ss_raw_client
teerun=$build/tools/tee-run/tee-run
for p in "$ss" "$raw" "$teerun"; do
	[ -x "$p" ] || { echo "e2e: $p not built" >&2; exit 1; }
done

work=$build/tests/secure_storage/e2e-$mode.$$
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
export SS="$ss" RAW="$raw" WORK="$work" MODE="$mode"

run_tee() { # state-dir, then the inner script runs under tee-run
	"$teerun" --state-dir "$1" --ta-dir "$build/ta" --huk-zero -- \
		sh "$here/e2e_inner.sh"
}

case $mode in
quick | long)
	run_tee "$work/state"
	;;
memory)
	run_tee "$work/state-mem"
	;;
*)
	echo "e2e: unknown mode $mode" >&2
	exit 1
	;;
esac
