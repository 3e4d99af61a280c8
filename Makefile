# teestore: top-level entry points. The real build is CMake + Ninja.
#   make         build everything (build/)
#   make demo    build, then run the main job on its embedded default
#   make check   build normally and with ASan+UBSan, run every test in both
#   make bench   benchmarks (not tests): figures beside the raw baseline
#   make fuzz    libFuzzer targets (clang), each for FUZZ_SECONDS
#   make format  clang-format over the tree

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 60
CMAKE_FLAGS ?=

# Debian 12 packages the build needs; installed when a tool is missing.
DEPS_PKGS = cmake ninja-build gcc clang libssl-dev pkg-config python3 \
	python3-cryptography

.PHONY: all build asan deps demo check check-fast bench fuzz format clean

all: build

deps:
	@missing=""; \
	for t in cmake ninja gcc clang pkg-config python3; do \
		command -v $$t >/dev/null 2>&1 || missing=1; done; \
	[ -f /usr/include/openssl/evp.h ] || missing=1; \
	/usr/bin/python3 -c 'import cryptography' >/dev/null 2>&1 || missing=1; \
	if [ -n "$$missing" ]; then \
		echo "installing build dependencies: $(DEPS_PKGS)"; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(DEPS_PKGS); \
	fi

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

$(ASAN_BUILD)/build.ninja: | deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
		-DCMAKE_C_COMPILER=clang -DTEESTORE_SANITIZE=ON $(CMAKE_FLAGS)

build: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

asan: $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)

demo: build
	./tools/demo.sh $(BUILD)

check: build asan
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) \
		-LE no_sanitizer

check-fast: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build
	./tools/bench.sh $(BUILD)

fuzz: | deps
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
		-DCMAKE_C_COMPILER=clang -DTEESTORE_FUZZ=ON -DTEESTORE_SANITIZE=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	./tools/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
