# Developer entry points (DESIGN.md §5). `make test` is what CI runs (.ci/run).
#   make run [ARGS="--config plinth.yaml"]   build, then serve on 127.0.0.1:8080, data in ./var
#   make test                                  build, then every test (unit, integration, e2e)
#   make test-asan                             the same with ASan + UBSan, in build-asan/

SHELL := /bin/bash
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
BUILD_TYPE ?= RelWithDebInfo
TEST_JOBS ?= 2
# Extra ninja flags, e.g. NINJA_FLAGS=-j1 on a small machine.
NINJA_FLAGS ?=
ARGS ?=

# Sanitizer runs fail on the first report.
SANITIZER_ENV := ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

FORMAT_DIRS := src tests bench

.PHONY: all deps build run test bench bench-full clean format test-asan

all: build

deps:
	@scripts/install-deps.sh

# Configure only once: later runs let ninja re-run cmake when CMake files change.
build: deps
	@test -f $(BUILD_DIR)/build.ninja || \
		cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	ninja -C $(BUILD_DIR) $(NINJA_FLAGS)

run: build
	@mkdir -p var
	exec $(BUILD_DIR)/src/plinth serve $(if $(findstring --data-dir,$(ARGS)),,--data-dir ./var) $(ARGS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(TEST_JOBS)

test-asan: deps
	@test -f $(ASAN_DIR)/build.ninja || \
		cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPLINTH_SANITIZE=ON
	ninja -C $(ASAN_DIR) $(NINJA_FLAGS)
	$(SANITIZER_ENV) ctest --test-dir $(ASAN_DIR) --output-on-failure -j$(TEST_JOBS)

# Benchmarks (bench/README.md): every scenario and peer; short form (<= 5 min) or long form.
bench: build
	@scripts/install-bench-deps.sh
	@python3 bench/run_bench.py --short --build-dir $(BUILD_DIR)

bench-full: build
	@scripts/install-bench-deps.sh
	@python3 bench/run_bench.py --full --build-dir $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)

format:
	@command -v clang-format >/dev/null || { echo "clang-format not found: apt-get install clang-format" >&2; exit 1; }
	@find $(FORMAT_DIRS) -name node_modules -prune -o -type f \
		\( -name '*.cpp' -o -name '*.cc' -o -name '*.h' -o -name '*.hpp' \) -print0 \
		| xargs -0 -r clang-format -i
