#!/bin/sh
# rpmb-tool on a fresh device file: create, info, read-counter, dump, and
# the errors (usage 2, failures 1). Usage: test_rpmb_tool.sh TOOL
set -u
tool=$1
dir=$(mktemp -d "${TMPDIR:-/tmp}/teestore-rpmb-tool-XXXXXX")
trap 'rm -rf "$dir"' EXIT
f=$dir/rpmb.img
fail=0

expect() { # expect STATUS DESCRIPTION -- CMD...
	want=$1 what=$2
	shift 3
	"$@" >"$dir/out" 2>"$dir/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL $what: exit $got, wanted $want" >&2
		cat "$dir/err" >&2
		fail=1
	fi
}

expect 0 help -- "$tool" --help
expect 2 "no file" -- "$tool" info
expect 1 "missing file" -- "$tool" --file "$f" info
expect 0 create -- "$tool" --file "$f" create 1 4
expect 1 "create over an existing file" -- "$tool" --file "$f" create
expect 0 info -- "$tool" --file "$f" info
grep -q '^key: *not programmed' "$dir/out" || { echo "FAIL info key" >&2; fail=1; }
grep -q '512 blocks' "$dir/out" || { echo "FAIL info size" >&2; fail=1; }
expect 0 read-counter -- "$tool" --file "$f" read-counter
[ "$(cat "$dir/out")" = 0 ] || { echo "FAIL counter" >&2; fail=1; }
expect 0 dump -- "$tool" --file "$f" dump 510 2
[ "$(wc -l <"$dir/out")" -eq 32 ] || { echo "FAIL dump lines" >&2; fail=1; }
expect 1 "dump beyond the end" -- "$tool" --file "$f" dump 511 2
expect 2 "bad command" -- "$tool" --file "$f" bogus
expect 2 "bad number" -- "$tool" --file "$f" dump x
printf 'garbage' >"$dir/bad.img"
expect 1 "not a device file" -- "$tool" --file "$dir/bad.img" info
exit $fail
