# Sourced by the shell tests that run the whole stack:
#   . "$(dirname "$0")/../support/e2e_env.sh"
#   e2e_env NAME "$1"
# sets build (absolute), the programs ss (secure_storage), teerun, teed and
# tsfs, checks that they are built (exit 1 otherwise), and makes work, a
# fresh directory removed at exit.
e2e_env() {
	e2e_name=$1
	build=$(cd "${2:?usage: $e2e_name BUILD_DIR}" && pwd)
	ss=$build/examples/secure_storage/host/secure_storage
	teerun=$build/tools/tee-run/tee-run
	teed=$build/core/teed
	tsfs=$build/tools/tsfs/tsfs
	for p in "$ss" "$teerun" "$teed" "$tsfs"; do
		[ -x "$p" ] || { echo "$e2e_name: $p not built" >&2; exit 1; }
	done
	work=$build/tests/$e2e_name.$$
	rm -rf "$work"
	mkdir -p "$work"
	trap 'rm -rf "$work"' EXIT
}
