# The two commands of the README: `make run` and `make test`.
# Both install missing Debian packages, configure and build first.

BUILD_DIR ?= build
FUZZ_BUILD_DIR ?= build-fuzz
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: all deps configure build web fuzz-build test run format clean bench drill

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja: | deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DEVALD_FUZZ_BUILD_DIR=$(CURDIR)/$(FUZZ_BUILD_DIR)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The libFuzzer targets: clang, instrumented, in a tree of their own.
$(FUZZ_BUILD_DIR)/build.ninja: | deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD_DIR) -G Ninja \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEVALD_FUZZ=ON -DEVALD_BUILD_TESTS=OFF

fuzz-build: deps $(FUZZ_BUILD_DIR)/build.ninja
	cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target fuzzers

# The dashboard: web/dist from the committed package-lock.json.
web: deps
	scripts/build-web.sh

test: build fuzz-build web
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 600 -j $(JOBS)

# The fault drills in full (docs/reliability.md): kill -9 under load x100,
# 10 rounds of 40 evalctl processes releasing one tranche, a real full disk
# (tmpfs; needs root), a damaged log. One line of figures each.
drill: build
	@bash -o pipefail -c "EVALD_DRILL_ITERATIONS=100 $(BUILD_DIR)/tests/crash_drill_test 2>/dev/null | grep '^drill'"
	@bash -o pipefail -c "EVALD_DRILL_ROUNDS=10 $(BUILD_DIR)/tests/release_race_test 2>/dev/null | grep '^drill'"
	@bash -o pipefail -c "$(BUILD_DIR)/tests/full_disk_e2e_test 2>/dev/null | grep -E '^\[  (PASSED|FAILED|SKIPPED)' | sed 's/^/drill full disk: /'"
	@bash -o pipefail -c "$(BUILD_DIR)/tests/wal_damage_test 2>/dev/null | grep -E '^\[  (PASSED|FAILED)' | sed 's/^/drill damaged log: /'"

run: build web
	scripts/run-local.sh $(BUILD_DIR)

# The benchmarks (docs/benchmarks.md): evald against a no-op gRPC server
# and PostgreSQL, in one run, in a build directory of their own. Installs
# PostgreSQL (scripts/install-deps.sh bench); `make test` never does.
BENCH_BUILD_DIR ?= build-bench
BENCH_ARGS ?=

bench: deps web
	@scripts/install-deps.sh bench
	@test -f $(BENCH_BUILD_DIR)/build.ninja || cmake -S . -B $(BENCH_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BENCH_BUILD_DIR) -j $(JOBS) --target bench_tools
	/usr/bin/python3 bench/run_bench.py --build-dir $(BENCH_BUILD_DIR) $(BENCH_ARGS)

format:
	git ls-files '*.h' '*.cc' '*.proto' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_BUILD_DIR)
