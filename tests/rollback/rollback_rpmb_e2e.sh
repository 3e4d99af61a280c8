#!/bin/sh
# The RPMB anchor through the whole stack (docs/rollback.md, "RPMB
# anchor"): teed --rpmb-provision under tee-run (tee-supplicant's emulated
# RPMB device), the secure_storage client and TA. Once RPMB is mounted the
# REE store is anchored in RPMB dirfile.db.hash (marker in teed's state);
# a restored old REE directory is refused, also with
# --no-rollback-counter; without the RPMB device the store is refused, not
# downgraded; --reset-storage re-anchors it in RPMB, logged.
#
#   rollback_rpmb_e2e.sh BUILD_DIR      exit 0 pass, 1 fail
set -u
# The checks read teed's info lines.
TEESTORE_LOG=${TEESTORE_LOG:-info}
export TEESTORE_LOG
. "$(dirname "$0")/../support/e2e_env.sh"
e2e_env rollback_rpmb_e2e "$1"
state=$work/state
e2e_checks "$work/log"

head -c 5000 /dev/urandom > "$work/v1"
head -c 7000 /dev/urandom > "$work/v2"
if e2e_under_tee "--rpmb-provision" "$ss" put "$work/v1" X &&
	grep -q "anchored in RPMB" "$work/log" &&
	[ -f "$state/teed/rollback-rpmb" ]; then
	ok "provisioned: the REE store is anchored in RPMB (marker kept)"
else
	bad "provision, put, RPMB anchor"
	exit 1
fi
e2e_v2_then_restore
e2e_refused "restored old directory" "does not match the rollback anchor"
if e2e_holds "--no-rollback-counter" "$work/v1"; then
	bad "restored old directory served with --no-rollback-counter"
else
	ok "still refused with --no-rollback-counter (RPMB anchors)"
fi

mv "$state/rpmb.img" "$work/rpmb.img"
e2e_refused "RPMB-anchored store without the RPMB device" \
	"anchored in RPMB but RPMB storage is unavailable"
rm -f "$state/rpmb.img"
mv "$work/rpmb.img" "$state/rpmb.img"

if e2e_holds "--reset-storage" "$work/v1" &&
	grep -q "re-anchored in RPMB" "$work/log"; then
	ok "--reset-storage re-anchors the old directory in RPMB, logged"
else
	bad "--reset-storage"
fi
e2e_holds "" "$work/v1" && ok "the reset baseline holds" ||
	bad "the reset baseline holds"
[ "$fails" = 0 ]
