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
# Driver ABI: empty invoke vs raw SEQPACKET round trip, 1 MiB shm memref vs
# memcpy (bench/client; against teed_double until the real TA side is in).
run bench_invoke "$build/bench/client/bench_invoke" --teed "$build/tests/client/teed_double" "$@"
# Supplicant RPC: the engine over POSIX vs over a real tee-supplicant, ratio.
run bench_suppl "$build/bench/suppl/bench_suppl" --dir "$scratch/suppl" "$@"
