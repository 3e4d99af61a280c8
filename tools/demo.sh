#!/bin/sh
# make demo: the secure storage application end to end. Under tee-run, with
# a state dir in the build tree: stores a 100 MiB file with
# `secure_storage put`, reads it back, compares; restarts the TEE and the
# supplicant (a second tee-run) and reads it again; flips bytes of the
# object's file in the normal world's storage and shows the integrity
# error; prints throughput beside the raw disk measured in the same run
# (dd conv=fsync of the same size, and a cached read).
#	tools/demo.sh BUILD_DIR [SIZE_MIB]
set -eu
build=$(cd "${1:?usage: tools/demo.sh BUILD_DIR [SIZE_MIB]}" && pwd)
size_mib=${2:-100}
ss=$build/examples/secure_storage/host/secure_storage
teerun=$build/tools/tee-run/tee-run
for p in "$ss" "$teerun" "$build/core/teed" "$build/supplicant/tee-supplicant" \
	"$build/ta/f4e750bb-1437-4fbf-8785-8d3580c34994.ta"; do
	[ -e "$p" ] || { echo "demo: $p not built" >&2; exit 1; }
done
work=$build/demo
state=$work/state
rm -rf "$work"
mkdir -p "$work"
echo probe > "$work/probe"
trap 'rm -f "$work/in" "$work/raw" "$work/rawcp" "$work/out" "$work/out2"' EXIT
export TEESTORE_LOG=${TEESTORE_LOG:-error}

now() { date +%s.%N; }
rate() { awk -v a="$1" -v b="$2" -v m="$size_mib" \
	'BEGIN { printf "%.0f", m / (b - a) }'; }
# Runs a shell command under tee-run, once the TEE stores: a small probe
# object is written and removed first (not ls: it would read, and so
# report, a damaged object before the demo shows it).
tee_run() {
	"$teerun" --state-dir "$state" --ta-dir "$build/ta" -- sh -c '
		i=0
		until "$0" put "$2" demo-probe > /dev/null 2>&1 ||
		      [ $i -ge 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		"$0" rm demo-probe
		eval "$1"' "$ss" "$1" "$work/probe"
}
say() { printf '\n== %s\n' "$*"; }

say "a ${size_mib} MiB file of random bytes"
head -c $((size_mib * 1024 * 1024)) /dev/urandom > "$work/in"
sum_in=$(sha256sum < "$work/in" | cut -d' ' -f1)
echo "sha256 $sum_in"

say "raw disk baseline (same disk, same size)"
t0=$(now)
dd if="$work/in" of="$work/raw" bs=1M conv=fsync status=none
t1=$(now)
raw_put=$(rate "$t0" "$t1")
cat "$work/raw" > /dev/null # make sure it is cached
t0=$(now)
dd if="$work/raw" of=/dev/null bs=1M status=none
t1=$(now)
raw_get=$(rate "$t0" "$t1")
# get writes a file too: the like-for-like baseline copies a cached file
t0=$(now)
cat "$work/raw" > "$work/rawcp"
t1=$(now)
raw_cp=$(rate "$t0" "$t1")
rm -f "$work/raw" "$work/rawcp"
echo "dd conv=fsync write: $raw_put MiB/s; cached read: $raw_get MiB/s;" \
	"copy of a cached file: $raw_cp MiB/s"

say "1st TEE run: secure_storage put, ls, get, compare"
mkdir -p "$state/ree"
cat > "$work/run1.sh" << EOF
set -e
ls "$state/ree" > "$work/files-before"
t0=\$(date +%s.%N)
"$ss" put "$work/in" demo-file
t1=\$(date +%s.%N)
ls "$state/ree" > "$work/files-after"
"$ss" ls
"$ss" stat demo-file
t2=\$(date +%s.%N)
"$ss" get demo-file "$work/out"
t3=\$(date +%s.%N)
"$ss" get demo-file - > /dev/null
t4=\$(date +%s.%N)
echo "\$t0 \$t1 \$t2 \$t3 \$t4" > "$work/times"
EOF
if ! tee_run ". '$work/run1.sh'"; then
	echo "demo: the put or get failed (see above)" >&2
	exit 1
fi
read -r t0 t1 t2 t3 t4 < "$work/times"
put_rate=$(rate "$t0" "$t1")
getf_rate=$(rate "$t2" "$t3")
get_rate=$(rate "$t3" "$t4")
cmp "$work/in" "$work/out"
echo "read back: identical ($(sha256sum < "$work/out" | cut -d' ' -f1))"

say "2nd TEE run (teed and tee-supplicant restarted): get, compare, verify"
tee_run "\"$ss\" get demo-file \"$work/out2\" && \"$ss\" verify demo-file"
cmp "$work/in" "$work/out2"
echo "read back after restart: identical"

say "tampering: flip bytes of the object's file in the normal world"
f=$(comm -13 "$work/files-before" "$work/files-after" | head -1)
[ -n "$f" ] || { echo "demo: cannot tell the object's REE file" >&2; exit 1; }
echo "object file: $state/ree/$f ($(wc -c < "$state/ree/$f") bytes of ciphertext)"
python3 - "$state/ree/$f" << 'PY'
import sys
# one byte in every 4 KiB of the middle half: hits both on-disk versions
# of the blocks there, so the committed one is damaged whichever it is
with open(sys.argv[1], "r+b") as f:
    data = bytearray(f.read())
    n = 0
    for off in range(len(data) // 4, 3 * len(data) // 4, 4096):
        data[off + 123] ^= 0x01
        n += 1
    f.seek(0)
    f.write(data)
print(f"flipped one bit in {n} blocks")
PY
set +e
tee_run "\"$ss\" get demo-file \"$work/out3\""
rc=$?
set -e
if [ $rc -ne 4 ] || [ -e "$work/out3" ]; then
	echo "demo: tampering NOT reported as an integrity error (exit $rc)" >&2
	exit 1
fi
echo "=> refused with exit code 4 (integrity); no output file was written"

say "throughput (${size_mib} MiB, this machine, this run)"
awk -v p="$put_rate" -v g="$get_rate" -v gf="$getf_rate" -v rp="$raw_put" \
    -v rg="$raw_get" -v rc="$raw_cp" 'BEGIN {
	printf "  put          %6d MiB/s   raw dd conv=fsync     %6d MiB/s   ratio %.2f (target >= 0.50)\n", p, rp, p / rp
	printf "  get -        %6d MiB/s   raw cached read       %6d MiB/s   ratio %.2f (target >= 0.25)\n", g, rg, g / rg
	printf "  get FILE     %6d MiB/s   raw copy, cached file %6d MiB/s   ratio %.2f\n", gf, rc, gf / rc
}'
echo
echo "demo OK (state dir: $state)"
