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

# e2e_checks [LOG]: fails=0 and the reporters ok MSG and bad MSG (bad counts
# in fails; given LOG, it also shows that file, indented). The script ends
# with [ "$fails" = 0 ].
e2e_checks() {
	fails=0
	e2e_fail_log=${1:-}
	ok() { echo "ok   $*"; }
	bad() {
		fails=$((fails + 1))
		echo "FAIL $*"
		[ -z "$e2e_fail_log" ] || sed 's/^/    /' "$e2e_fail_log"
	}
}

# e2e_under_tee EXTRA_TEED_ARGS CMD...: CMD under tee-run with the state
# directory $state, teed given the extra arguments; tee-run's output
# (teed's log) goes to $work/log.
e2e_under_tee() {
	e2e_extra=$1
	shift
	printf '#!/bin/sh\nexec "%s" "$@" %s\n' "$teed" "$e2e_extra" \
		> "$work/teed-wrap"
	chmod +x "$work/teed-wrap"
	"$teerun" --state-dir "$state" --ta-dir "$build/ta" --huk-zero \
		--teed "$work/teed-wrap" -- "$@" > "$work/log" 2>&1
}

# e2e_holds EXTRA WANT: the object X reads back as file WANT (through
# e2e_under_tee EXTRA).
e2e_holds() {
	rm -f "$work/back"
	e2e_under_tee "$1" "$ss" get X "$work/back" &&
		cmp -s "$work/back" "$2"
}

# e2e_v2_then_restore: keeps a copy of $state/ree, commits $work/v2 as X
# over it (a check), then puts the copy back (the attacker's rollback).
e2e_v2_then_restore() {
	cp -a "$state/ree" "$work/snapshot"
	e2e_under_tee "" "$ss" put "$work/v2" X &&
		e2e_holds "" "$work/v2" && ok "v2 committed" ||
		bad "v2 committed"
	rm -rf "$state/ree"
	cp -a "$work/snapshot" "$state/ree"
}

# e2e_refused WHAT PATTERN [EXTRA]: one check, X is not served as $work/v1
# (e2e_holds EXTRA) and teed's log says PATTERN.
e2e_refused() {
	if e2e_holds "${3:-}" "$work/v1"; then
		bad "$1 served"
	elif grep -q "$2" "$work/log"; then
		ok "$1 refused ($2)"
	else
		bad "$1: no \"$2\" in the log"
	fi
}
