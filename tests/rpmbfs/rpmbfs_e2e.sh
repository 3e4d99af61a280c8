#!/bin/sh
# TEE_STORAGE_PRIVATE_RPMB through the whole stack (docs/rpmbfs.md): the
# secure_storage client and TA, teed's RPMB FS over the legacy RPMB RPC,
# tee-run's tee-supplicant and its emulated device. Without provisioning
# RPMB storage is unavailable; `teed --rpmb-provision` programs the key
# (logged); objects persist across restarts and stay apart from the REE
# storage; a device holding another key is refused with a clear error and
# left untouched, and the REE storage, anchored in RPMB since the
# provisioning, is refused with it and works again with its own device.
#
#   rpmbfs_e2e.sh BUILD_DIR      exit 0 pass, 1 fail
set -u
. "$(dirname "$0")/../support/e2e_env.sh"
e2e_env rpmbfs_e2e "$1"
fails=0
ok() { echo "ok   $*"; }
bad() { fails=$((fails + 1)); echo "FAIL $*"; sed 's/^/    /' "$work/log"; }

printf '#!/bin/sh\nexec "%s" "$@" --rpmb-provision\n' "$teed" > "$work/prov"
chmod +x "$work/prov"

# run STATE HUKARGS TEED CMD...: CMD under tee-run; the log in $work/log.
run() {
	state=$1 hukargs=$2 t=$3
	shift 3
	# shellcheck disable=SC2086
	"$teerun" --state-dir "$state" --ta-dir "$build/ta" $hukargs \
		--teed "$t" -- "$@" > "$work/log" 2>&1
}

head -c 20000 /dev/urandom > "$work/v1"
head -c 3000 /dev/urandom > "$work/v2"
a=$work/a
b=$work/b

if run "$a" --huk-zero "$teed" "$ss" --storage rpmb put "$work/v1" X; then
	bad "RPMB used before provisioning"
else
	grep -q "no RPMB key programmed" "$work/log" &&
		ok "not provisioned: RPMB unavailable, said so" ||
		bad "not provisioned: no clear message"
fi
run "$a" --huk-zero "$work/prov" "$ss" --storage rpmb put "$work/v1" X &&
	grep -q "RPMB key programmed" "$work/log" &&
	ok "--rpmb-provision programs the key (logged), put" ||
	bad "--rpmb-provision, put"
rm -f "$work/back"
run "$a" --huk-zero "$teed" "$ss" --storage rpmb get X "$work/back" &&
	cmp -s "$work/back" "$work/v1" && ok "RPMB object read back after restart" ||
	bad "RPMB object read back after restart"
run "$a" --huk-zero "$teed" "$ss" --storage ree get X "$work/back" &&
	bad "RPMB object visible in REE storage" ||
	ok "RPMB and REE storages apart"
run "$a" --huk-zero "$teed" "$ss" --storage ree put "$work/v2" R ||
	bad "REE put"

# Device b: provisioned with another HUK, holding its own object.
head -c 16 /dev/urandom > "$work/huk-b"
run "$b" "--huk-file $work/huk-b" "$work/prov" "$ss" --storage rpmb put \
	"$work/v2" Y || bad "device b: provision and put"
cp "$a/rpmb.img" "$work/a-rpmb.img"
cp "$b/rpmb.img" "$a/rpmb.img"
if run "$a" --huk-zero "$teed" "$ss" --storage rpmb get Y "$work/back"; then
	bad "a device with another key was used"
else
	grep -q "does not match" "$work/log" &&
		ok "device with another key refused with a clear error" ||
		bad "device with another key: no clear error"
fi
# The REE storage of a is anchored in RPMB (docs/rollback.md, "RPMB
# anchor"): with the refused device it is refused too, never downgraded to
# the weaker counter; with its own device back it works again.
if run "$a" --huk-zero "$teed" "$ss" --storage ree get R "$work/back"; then
	bad "RPMB-anchored REE storage served without its RPMB device"
else
	grep -q "anchored in RPMB but RPMB storage is unavailable" \
		"$work/log" &&
		ok "RPMB-anchored REE storage refused (not downgraded)" ||
		bad "RPMB-anchored REE storage: no clear refusal"
fi
cp "$a/rpmb.img" "$b/rpmb.img"
run "$b" "--huk-file $work/huk-b" "$teed" "$ss" --storage rpmb get Y \
	"$work/back" && cmp -s "$work/back" "$work/v2" &&
	ok "the refused device was left untouched" ||
	bad "the refused device was changed"
cp "$work/a-rpmb.img" "$a/rpmb.img"
run "$a" --huk-zero "$teed" "$ss" --storage ree get R "$work/back" &&
	cmp -s "$work/back" "$work/v2" &&
	ok "REE storage back with its own RPMB device" ||
	bad "REE storage with its own RPMB device back"
[ "$fails" -eq 0 ]
