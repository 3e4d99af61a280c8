#!/bin/sh
# make demo (temporary, until teed runs a TA): store a 100 MiB file as an
# object of an OP-TEE REE FS store with tsfs, read it back, compare, then
# flip one byte of the REE file and show the integrity error; throughput
# beside a raw `dd conv=fsync` of the same size.
#	tools/demo.sh BUILD_DIR
set -eu
build=${1:?usage: tools/demo.sh BUILD_DIR}
tsfs=$build/tools/tsfs/tsfs
[ -x "$tsfs" ] || { echo "demo: $tsfs not built" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/teestore-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
store=$work/ree
ta=8aaaf200-2450-11e4-abe2-0002a5d5c51b
size_mib=100
fs="$tsfs --dir $store --huk-zero"

now() { date +%s.%N; }
rate() { awk -v a="$1" -v b="$2" -v m="$size_mib" 'BEGIN { printf "%.0f MiB/s", m / (b - a) }'; }

echo "demo: generating a ${size_mib} MiB file"
head -c $((size_mib * 1024 * 1024)) /dev/urandom > "$work/in"

t0=$(now)
dd if="$work/in" of="$work/raw" bs=1M conv=fsync status=none
t1=$(now)
echo "raw:    dd conv=fsync                     $(rate "$t0" "$t1")"

mkdir -p "$store"
t0=$(now)
$fs put $ta demo-object "$work/in"
t1=$(now)
echo "stored: tsfs put (AES-GCM, hash tree, atomic commits) $(rate "$t0" "$t1")"

t0=$(now)
$fs cat $ta demo-object > "$work/out"
t1=$(now)
echo "read:   tsfs cat (verified on open and read)  $(rate "$t0" "$t1")"

a=$(sha256sum < "$work/in" | cut -d' ' -f1)
b=$(sha256sum < "$work/out" | cut -d' ' -f1)
echo "sha256 in:  $a"
echo "sha256 out: $b"
[ "$a" = "$b" ] || { echo "demo: MISMATCH" >&2; exit 1; }
echo "round trip OK"
echo
$fs ls
file=$($fs ls $ta | sed -n 's/.* file \([0-9a-f]*\)$/\1/p')
echo
echo "flipping one bit of data block 100 in the REE file $store/$file"
echo "(in both on-disk versions of the block: one of them is the committed one)"
python3 - "$store/$file" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    for bidx in (200, 201):  # block 100, versions 0 and 1
        off = (2 + bidx + bidx // 61) * 4096 + 123
        f.seek(off)
        b = f.read(1)
        f.seek(off)
        f.write(bytes([b[0] ^ 0x01]))
PY
if $fs cat $ta demo-object > /dev/null; then
	echo "demo: tampering NOT detected" >&2
	exit 1
fi
echo "tampering detected: the corrupted block is refused (every block is authenticated before it is returned)"
