#!/bin/sh
# Rollback protection through the whole stack (docs/rollback.md): the
# secure_storage client, teed with its minimum-counter anchor, tee-run's
# tee-supplicant and REE directory. A restored old copy of the directory
# and a deleted dirf.db are refused (teed logs ROLLBACK DETECTED and TAs
# get no storage); without the counter the old copy is served (the
# weakness); `teed --reset-storage` accepts it as the new baseline.
#
#   rollback_e2e.sh BUILD_DIR      exit 0 pass, 1 fail
set -u
. "$(dirname "$0")/../support/e2e_env.sh"
e2e_env rollback_e2e "$1"
state=$work/state
fails=0
ok() { echo "ok   $*"; }
bad() { fails=$((fails + 1)); echo "FAIL $*"; }

# under_tee EXTRA_TEED_ARGS CMD...: CMD under tee-run, teed given the extra
# arguments; tee-run's output (teed's log) goes to $work/log.
under_tee() {
	extra=$1
	shift
	printf '#!/bin/sh\nexec "%s" "$@" %s\n' "$teed" "$extra" \
		> "$work/teed-wrap"
	chmod +x "$work/teed-wrap"
	"$teerun" --state-dir "$state" --ta-dir "$build/ta" --huk-zero \
		--teed "$work/teed-wrap" -- "$@" > "$work/log" 2>&1
}

# holds EXTRA WANT: the object X reads back as file WANT.
holds() {
	rm -f "$work/back"
	under_tee "$1" "$ss" get X "$work/back" && cmp -s "$work/back" "$2"
}

head -c 5000 /dev/urandom > "$work/v1"
head -c 7000 /dev/urandom > "$work/v2"
under_tee "" "$ss" put "$work/v1" X || { bad "put v1"; cat "$work/log"; exit 1; }
[ -f "$state/teed/rollback-anchor" ] && ok "anchor file in teed's state" ||
	bad "no anchor file in $state/teed"
cp -a "$state/ree" "$work/snapshot"
under_tee "" "$ss" put "$work/v2" X && holds "" "$work/v2" &&
	ok "v2 committed" || bad "v2 committed"

rm -rf "$state/ree"
cp -a "$work/snapshot" "$state/ree"
if holds "" "$work/v1"; then
	bad "restored old directory served"
elif grep -q "ROLLBACK DETECTED" "$work/log"; then
	ok "restored old directory refused"
else
	bad "restored old directory: no ROLLBACK DETECTED in the log"
	cat "$work/log"
fi

holds "--no-rollback-counter" "$work/v1" &&
	ok "without the counter the old directory is served (weaker)" ||
	bad "--no-rollback-counter"

if holds "--reset-storage" "$work/v1" &&
	grep -q "ADMINISTRATOR RESET" "$work/log"; then
	ok "--reset-storage accepts the old directory, logged"
else
	bad "--reset-storage"
	cat "$work/log"
fi
holds "" "$work/v1" && ok "the reset baseline holds" ||
	bad "the reset baseline holds"

rm -f "$state/ree/dirf.db"
if holds "" "$work/v1"; then
	bad "deleted dirf.db accepted"
elif grep -q "ROLLBACK DETECTED" "$work/log" &&
	[ -n "$(ls "$state/ree")" ]; then
	ok "deleted dirf.db refused, object files untouched"
else
	bad "deleted dirf.db"
	cat "$work/log"
fi
[ "$fails" = 0 ]
