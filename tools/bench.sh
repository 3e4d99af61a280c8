#!/bin/sh
# make bench: run every benchmark under bench/ (not tests) against the
# build in $1, each with a scratch directory. Figures: docs/engine.md and
# docs/benchmarks.md. Extra arguments (e.g. --quick) go to each benchmark.
#	tools/bench.sh BUILD_DIR [--quick]
set -eu
build=${1:?usage: tools/bench.sh BUILD_DIR [--quick]}
shift
scratch=${BENCH_DIR:-$build/bench-scratch}
mkdir -p "$scratch"

run() {
	name=$1
	shift
	echo "== $name"
	"$@"
	echo
}

run bench_engine "$build/bench/engine/bench_engine" --dir "$scratch/engine" "$@"
# Group commit: commits/s of 1..16 writers on distinct objects, ratio to 1.
run bench_concurrency "$build/bench/engine/bench_concurrency" \
	--dir "$scratch/concurrency" "$@"
# Driver ABI (bench/client): empty invoke vs raw SEQPACKET round trip, 1 MiB
# shm memref vs memcpy; client -> teed -> sandboxed test TA, and client ->
# teed_double (the driver alone, TA side faked in teed's process).
hello_ta=5a7e0001-7e57-4a11-8000-746573747461
if [ -x "$build/core/teed" ] && [ -f "$build/ta/$hello_ta.ta" ]; then
	run "bench_invoke (test TA)" "$build/bench/client/bench_invoke" \
		--teed "$build/core/teed" --ta-dir "$build/ta" --uuid "$hello_ta" \
		--empty-cmd 0 --fill-cmd 2 "$@" 2>/dev/null
fi
run "bench_invoke (teed_double)" "$build/bench/client/bench_invoke" \
	--teed "$build/tests/client/teed_double" "$@"
# Supplicant RPC: the engine over POSIX vs over a real tee-supplicant, ratio.
run bench_suppl "$build/bench/suppl/bench_suppl" --dir "$scratch/suppl" "$@"
# RPMB FS (docs/rpmbfs.md): beside the raw emulated device and OP-TEE's
# one-frame-per-write pattern, in the same run.
run bench_rpmbfs "$build/bench/rpmbfs/bench_rpmbfs" --dir "$scratch/rpmbfs" "$@"
# Whole stack (bench/stack): client -> teed -> sandboxed TA -> engine ->
# tee-supplicant under tee-run, xtest 1001-1003 style, raw I/O beside it on
# the supplicant's file system (docs/benchmarks.md, "Whole stack").
if [ -x "$build/tools/tee-run/tee-run" ] && [ -x "$build/bench/stack/bench_stack" ]; then
	rm -rf "$scratch/stack"
	mkdir -p "$scratch/stack"
	run bench_stack env TEESTORE_LOG=error "$build/tools/tee-run/tee-run" \
		--state-dir "$scratch/stack" --ta-dir "$build/ta" -- \
		"$build/bench/stack/bench_stack" --dir "$scratch/stack/raw" "$@" ||
		true
fi
