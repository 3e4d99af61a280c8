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
e2e_checks

head -c 5000 /dev/urandom > "$work/v1"
head -c 7000 /dev/urandom > "$work/v2"
e2e_under_tee "" "$ss" put "$work/v1" X ||
	{ bad "put v1"; cat "$work/log"; exit 1; }
[ -f "$state/teed/rollback-anchor" ] && ok "anchor file in teed's state" ||
	bad "no anchor file in $state/teed"
cp -a "$state/ree" "$work/snapshot"
e2e_under_tee "" "$ss" put "$work/v2" X && e2e_holds "" "$work/v2" &&
	ok "v2 committed" || bad "v2 committed"

rm -rf "$state/ree"
cp -a "$work/snapshot" "$state/ree"
if e2e_holds "" "$work/v1"; then
	bad "restored old directory served"
elif grep -q "ROLLBACK DETECTED" "$work/log"; then
	ok "restored old directory refused"
else
	bad "restored old directory: no ROLLBACK DETECTED in the log"
	cat "$work/log"
fi

e2e_holds "--no-rollback-counter" "$work/v1" &&
	ok "without the counter the old directory is served (weaker)" ||
	bad "--no-rollback-counter"

if e2e_holds "--reset-storage" "$work/v1" &&
	grep -q "ADMINISTRATOR RESET" "$work/log"; then
	ok "--reset-storage accepts the old directory, logged"
else
	bad "--reset-storage"
	cat "$work/log"
fi
e2e_holds "" "$work/v1" && ok "the reset baseline holds" ||
	bad "the reset baseline holds"

rm -f "$state/ree/dirf.db"
if e2e_holds "" "$work/v1"; then
	bad "deleted dirf.db accepted"
elif grep -q "ROLLBACK DETECTED" "$work/log" &&
	[ -n "$(ls "$state/ree")" ]; then
	ok "deleted dirf.db refused, object files untouched"
else
	bad "deleted dirf.db"
	cat "$work/log"
fi
[ "$fails" = 0 ]
