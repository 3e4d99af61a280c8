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
e2e_checks "$work/log"

head -c 5000 /dev/urandom > "$work/v1"
head -c 7000 /dev/urandom > "$work/v2"
e2e_under_tee "" "$ss" put "$work/v1" X ||
	{ bad "put v1"; exit 1; }
[ -f "$state/teed/rollback-anchor" ] && ok "anchor file in teed's state" ||
	bad "no anchor file in $state/teed"
e2e_v2_then_restore
e2e_refused "restored old directory" "ROLLBACK DETECTED"

e2e_holds "--no-rollback-counter" "$work/v1" &&
	ok "without the counter the old directory is served (weaker)" ||
	bad "--no-rollback-counter"

if e2e_holds "--reset-storage" "$work/v1" &&
	grep -q "ADMINISTRATOR RESET" "$work/log"; then
	ok "--reset-storage accepts the old directory, logged"
else
	bad "--reset-storage"
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
fi
[ "$fails" = 0 ]
