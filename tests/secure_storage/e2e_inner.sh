#!/bin/sh
# The part of e2e.sh that runs under tee-run (TEESTORE_SOCKET is set).
# Environment: SS (the client), RAW (ss_raw_client), WORK, MODE.
set -u
fails=0
passes=0
ok() { passes=$((passes + 1)); echo "ok   $*"; }
bad() { fails=$((fails + 1)); echo "FAIL $*"; }

# expect RC DESCRIPTION CMD...: runs CMD, checks its exit code.
expect() {
	want=$1 what=$2
	shift 2
	"$@" > "$WORK/out" 2> "$WORK/err"
	got=$?
	if [ "$got" = "$want" ]; then
		ok "$what"
	else
		bad "$what: exit $got, wanted $want"
		sed 's/^/     /' "$WORK/err" >&2
	fi
}

# round_trip SIZE: put, stat, verify, get to a file and to stdout, cmp.
round_trip() {
	n=$1 id=size-$1
	head -c "$n" "$WORK/pool" > "$WORK/in-$n"
	if ! "$SS" put "$WORK/in-$n" "$id" 2> "$WORK/err"; then
		bad "put $n bytes"; cat "$WORK/err" >&2; return
	fi
	"$SS" get "$id" "$WORK/back-$n" 2> "$WORK/err" &&
		cmp -s "$WORK/in-$n" "$WORK/back-$n" &&
		"$SS" get "$id" - 2> /dev/null | cmp -s "$WORK/in-$n" - &&
		"$SS" stat "$id" | grep -q "^size: *$n " &&
		"$SS" verify "$id" > /dev/null &&
		ok "round trip of $n bytes" ||
		{ bad "round trip of $n bytes"; cat "$WORK/err" >&2; }
	rm -f "$WORK/in-$n" "$WORK/back-$n"
}

# vmhwm PID: the process's peak resident set in KiB (0 if gone).
vmhwm() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2> /dev/null || echo 0
}

quick() {
	head -c $((10 * 1024 * 1024)) /dev/urandom > "$WORK/pool"
	for n in 0 1 1000 16383 16384 16385 65536 100000 1048576 10485760; do
		round_trip "$n"
	done

	expect 0 "OP-TEE's example client flow" "$RAW" optee-example
	expect 0 "a wrong SHA-256 at final is refused" "$RAW" bad-hash mism
	"$SS" stat mism > /dev/null 2>&1 &&
		bad "refused transfer left something" ||
		ok "refused transfer left nothing"
	expect 0 "chunks out of order are refused" "$RAW" out-of-order ooo

	# ID validation, before any TEE call
	head -c 10 "$WORK/pool" > "$WORK/small"
	expect 2 "ID starting with '.'" "$SS" put "$WORK/small" .hidden
	grep -q "starts with '.'" "$WORK/err" || bad "message for '.'"
	expect 2 "ID with a space" "$SS" put "$WORK/small" "a b"
	grep -q "' ' at position 2" "$WORK/err" || bad "message for ' '"
	long=$(printf '%059d' 0)
	expect 2 "ID of 59 characters" "$SS" put "$WORK/small" "$long"
	grep -q "at most 58" "$WORK/err" || bad "message for a long ID"
	expect 0 "ID of 58 characters" "$SS" put "$WORK/small" "${long#0}"
	expect 2 "bad --storage" "$SS" --storage tpm ls
	expect 3 "get of a missing object" "$SS" get no-such-object -
	grep -q "TEE_ERROR_ITEM_NOT_FOUND" "$WORK/err" ||
		bad "message names TEE_ERROR_ITEM_NOT_FOUND"
	expect 0 "rm" "$SS" rm "${long#0}"
	expect 3 "get after rm" "$SS" get "${long#0}" -
	# RPMB: only when the TEE has an RPMB storage configured
	"$SS" --storage rpmb put "$WORK/small" r1 2> "$WORK/err"
	case $? in
	0)
		expect 3 "an rpmb object is not in ree storage" \
			"$SS" --storage ree get r1 -
		expect 0 "get from rpmb" "$SS" --storage rpmb get r1 "$WORK/r1"
		cmp -s "$WORK/small" "$WORK/r1" || bad "rpmb round trip"
		;;
	3) echo "skip rpmb storage: not configured in this TEE" ;;
	*) bad "rpmb put"; cat "$WORK/err" >&2 ;;
	esac

	# two clients at once, different files
	head -c 5000000 /dev/urandom > "$WORK/a"
	head -c 7000000 /dev/urandom > "$WORK/b"
	"$SS" --chunk-size 64K put "$WORK/a" two-a 2> "$WORK/err-a" &
	pa=$!
	"$SS" --chunk-size 64K put "$WORK/b" two-b 2> "$WORK/err-b" &
	pb=$!
	wait $pa && wait $pb &&
		"$SS" get two-a - 2> /dev/null | cmp -s "$WORK/a" - &&
		"$SS" get two-b - 2> /dev/null | cmp -s "$WORK/b" - &&
		ok "two clients putting different files at once" ||
		{ bad "two clients at once"; cat "$WORK/err-a" "$WORK/err-b" >&2; }

	# --serial: one chunk buffer, no read-ahead/write-behind thread
	"$SS" --serial --chunk-size 64K put "$WORK/a" serial-a 2> "$WORK/err" &&
		"$SS" --serial --chunk-size 64K get serial-a - 2> /dev/null |
		cmp -s "$WORK/a" - &&
		ok "--serial put and get (one buffer) round trip" ||
		{ bad "--serial round trip"; cat "$WORK/err" >&2; }
	"$SS" --chunk-size 64K get serial-a - 2> /dev/null | cmp -s "$WORK/a" - &&
		ok "--serial object read with two buffers" ||
		bad "--serial object read with two buffers"

	# killed mid-put: the old version stays, --resume completes
	head -c 3000 /dev/urandom > "$WORK/v1"
	head -c 40000000 /dev/urandom > "$WORK/v2"
	"$SS" put "$WORK/v1" victim
	"$SS" --chunk-size 16K put "$WORK/v2" victim 2> /dev/null &
	pv=$!
	# ls shows an unfinished put's durable bytes without opening it
	i=0
	while [ $i -lt 200 ]; do
		"$SS" ls 2> /dev/null |
			grep -q "^ *[1-9][0-9]* .* victim  (unfinished" && break
		sleep 0.05
		i=$((i + 1))
	done
	kill -KILL $pv 2> /dev/null
	wait $pv 2> /dev/null
	"$SS" get victim - 2> /dev/null | cmp -s "$WORK/v1" - &&
		ok "client killed mid-put: the target is untouched" ||
		bad "client killed mid-put: the target changed"
	"$SS" stat victim | grep "unfinished put" || bad "no unfinished put"
	expect 0 "--resume completes the put" "$SS" --resume put "$WORK/v2" victim
	grep -q "starting from the beginning" "$WORK/err" &&
		bad "resume started from the beginning"
	"$SS" get victim - 2> /dev/null | cmp -s "$WORK/v2" - &&
		ok "resumed object is the new file" || bad "resumed object differs"

	# a byte flipped in the normal world's files: a clear integrity error
	ls "$TEE_STATE_REE" > "$WORK/files-before"
	"$SS" --storage ree put "$WORK/a" tamper
	ls "$TEE_STATE_REE" > "$WORK/files-after"
	# the file the put created holds the object
	f=$(comm -13 "$WORK/files-before" "$WORK/files-after" | head -1)
	if [ -n "$f" ]; then
		python3 - "$TEE_STATE_REE/$f" << 'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    data = bytearray(f.read())
    for off in range(len(data) // 4, 3 * len(data) // 4, 4096):
        data[off + 123] ^= 0x01
    f.seek(0)
    f.write(data)
PY
		"$SS" --storage ree get tamper - > /dev/null 2> "$WORK/err"
		rc=$?
		[ $rc = 4 ] && grep -q "integrity" "$WORK/err" &&
			ok "tampered REE file: integrity error, exit 4" ||
			{ bad "tampered REE file: exit $rc"; cat "$WORK/err" >&2; }
		cat "$WORK/err"
	else
		bad "no REE files under $TEE_STATE_REE"
	fi
}

memory() {
	# SS_MEMORY_MIB: the file size (default 64; the docs' 1 GiB figures
	# come from SS_MEMORY_MIB=1024)
	mib=${SS_MEMORY_MIB:-64}
	n=$((mib * 1024 * 1024))
	limit=$((32 * 1024))
	head -c $n /dev/urandom > "$WORK/big"
	teed=$(ps -o pid= -o comm= --ppid "$PPID" | awk '$2 == "teed" { print $1 }')
	for op in put get; do
		if [ $op = put ]; then
			"$SS" put "$WORK/big" big &
		else
			"$SS" get big "$WORK/big-back" &
		fi
		pc=$!
		peak_c=0 peak_t=0 peak_ta=0
		while kill -0 $pc 2> /dev/null; do
			v=$(vmhwm $pc); [ "${v:-0}" -gt $peak_c ] && peak_c=$v
			for ta in $(cat /proc/"$teed"/task/*/children 2> /dev/null); do
				v=$(vmhwm "$ta")
				[ "${v:-0}" -gt $peak_ta ] && peak_ta=$v
			done
			sleep 0.05
		done
		wait $pc || bad "$op of $mib MiB failed"
		peak_t=$(vmhwm "$teed")
		echo "peak RSS during $op of $mib MiB: client ${peak_c} KiB," \
			"teed ${peak_t} KiB, TA process ${peak_ta} KiB"
		for w in c:client t:teed ta:TA; do
			v=$(eval echo \$peak_${w%%:*})
			[ "$v" -gt 0 ] && [ "$v" -lt $limit ] &&
				ok "$op: ${w#*:} peak RSS ${v} KiB < 32 MiB" ||
				bad "$op: ${w#*:} peak RSS ${v} KiB (bound 32 MiB)"
		done
	done
	cmp -s "$WORK/big" "$WORK/big-back" && ok "$mib MiB round trip" ||
		bad "$mib MiB round trip"
}

long() {
	head -c $((100 * 1024 * 1024)) /dev/urandom > "$WORK/pool"
	round_trip $((100 * 1024 * 1024))
}

# tee-run's state dir: the supplicant's REE files are in STATE/ree
TEE_STATE_REE=$WORK/state/ree
# The TEE may still be attaching its storage to the supplicant.
i=0
until "$SS" ls > /dev/null 2>&1 || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
$MODE
echo "$passes passed, $fails failed"
[ $fails = 0 ]
