#!/bin/sh
# tsfs (tools/tsfs, docs/engine.md "tsfs"):
#   - an OP-TEE style REE FS directory with the all-zero HUK: put, ls,
#     cat, verify, rm, binary IDs; a wrong HUK and a flipped byte are
#     integrity errors (exit 1); usage errors exit 2;
#   - a teestore store with --teed-state: refused while teed runs (lock),
#     an offline put keeps teed's rollback counter in step (teed then
#     serves the store), while the same put without it makes teed refuse
#     the store until --reset-storage; a store anchored in RPMB is
#     refused (tsfs cannot follow its anchor offline).
# Usage: tsfs.sh BUILD_DIR. Exit 0 pass, 1 fail.
set -u
. "$(dirname "$0")/../support/e2e_env.sh"
e2e_env tsfs "$1"

pass=0 fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
# expect CODE WHAT CMD...: CMD exits with CODE (stderr kept in $work/err)
expect() {
	code=$1 what=$2
	shift 2
	"$@" > "$work/out" 2> "$work/err"
	rc=$?
	[ $rc -eq "$code" ] && ok "$what" ||
		{ bad "$what (exit $rc, wanted $code)"; cat "$work/err" >&2; }
}

ta=8aaaf200-2450-11e4-abe2-0002a5d5c51b
ss_ta=f4e750bb-1437-4fbf-8785-8d3580c34994
ree=$work/optee
mkdir -p "$ree"
head -c 300000 /dev/urandom > "$work/a"
head -c 5000 /dev/urandom > "$work/b"
z() { "$tsfs" --dir "$ree" --huk-zero "$@"; }

# --- an OP-TEE style directory ---
expect 0 "--help" "$tsfs" --help
expect 2 "no --dir" "$tsfs" --huk-zero ls
expect 2 "no HUK" "$tsfs" --dir "$ree" ls
expect 2 "not a UUID" z cat not-a-uuid x
expect 2 "unknown command" z frobnicate
expect 1 "ls of a directory without dirf.db" z ls
expect 0 "put" z put $ta first "$work/a"
expect 0 "put a binary ID" z put $ta hex:00ff10 "$work/b"
expect 0 "ls" z ls $ta
grep -q "first" "$work/out" && grep -q "hex:00ff10" "$work/out" &&
	ok "ls lists both" || bad "ls lists both"
z cat $ta first > "$work/a.back" 2> "$work/err" &&
	cmp -s "$work/a" "$work/a.back" && ok "cat reads back" ||
	bad "cat reads back"
expect 0 "verify" z verify
head -c 16 /dev/urandom > "$work/otherhuk"
expect 1 "verify with another HUK" \
	"$tsfs" --dir "$ree" --huk-file "$work/otherhuk" verify
grep -q "integrity check failed" "$work/err" && ok "says integrity" ||
	bad "says integrity"
expect 0 "rm" z rm $ta hex:00ff10
z ls $ta | grep -q 00ff10 && bad "rm removed it" || ok "rm removed it"
# flip one byte in the middle of the object's file: refused, never data
f=$(ls "$ree" | grep -v dirf.db | head -1)
python3 - "$ree/$f" << 'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(0, 2)
    n = f.tell()
    for off in range(n // 4, 3 * n // 4, 4096):
        f.seek(off)
        b = f.read(1)
        f.seek(off)
        f.write(bytes([b[0] ^ 1]))
PY
expect 1 "cat of a tampered object" z cat $ta first

# --- a teestore store next to teed ---
state=$work/store
run() { "$teerun" --state-dir "$state" --ta-dir "$build/ta" -- "$@"; }
run "$ss" put "$work/a" a > /dev/null 2>&1 && ok "teed stores a" ||
	bad "teed stores a"
T() { "$tsfs" --dir "$state/ree" --teed-state "$state/teed" "$@"; }
expect 1 "tsfs refused while teed runs" \
	run "$tsfs" --dir "$state/ree" --teed-state "$state/teed" ls
grep -q "in use" "$work/err" && ok "says in use" || bad "says in use"
expect 0 "tsfs --teed-state ls" T ls
grep -q " a$\| a " "$work/out" && ok "lists teed's object" ||
	bad "lists teed's object"
expect 0 "tsfs --teed-state put" T put $ss_ta offline "$work/b"
expect 0 "tsfs --teed-state put again" T put $ss_ta offline2 "$work/b"
run "$ss" get a - 2> "$work/err" | cmp -s "$work/a" - &&
	ok "teed accepts the store after anchored offline writes" ||
	{ bad "teed accepts the store"; cat "$work/err" >&2; }
# the same writes without teed's counter: teed refuses the store
H() { "$tsfs" --dir "$state/ree" --huk-file "$state/teed/huk" "$@"; }
expect 0 "unanchored put" H put $ss_ta loose1 "$work/b"
expect 0 "unanchored put again" H put $ss_ta loose2 "$work/b"
run "$ss" get a - > /dev/null 2> "$work/err" &&
	bad "teed refuses a store changed behind its counter" ||
	ok "teed refuses a store changed behind its counter"
grep -q "TEE_ERROR_STORAGE_NOT_AVAILABLE.*rolled back" "$work/err" &&
	ok "the client is told the storage is not available" ||
	{ bad "the client is told the storage is not available"
	  cat "$work/err" >&2; }
"$teerun" --state-dir "$state" --ta-dir "$build/ta" \
	--teed-arg --reset-storage -- "$ss" get a - 2> "$work/err" |
	cmp -s "$work/a" - && ok "--reset-storage takes it back" ||
	{ bad "--reset-storage takes it back"; cat "$work/err" >&2; }

# a store anchored in RPMB (teed's marker): refused, reads included
touch "$state/teed/rollback-rpmb"
expect 1 "an RPMB-anchored store is refused" T ls
grep -q "anchored in RPMB" "$work/err" && ok "says RPMB" || bad "says RPMB"
rm -f "$state/teed/rollback-rpmb"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
