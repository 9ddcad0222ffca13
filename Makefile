# The two commands of the README:
#   make run   installs what is missing, builds, starts `cloud server` (SQLite, sim backend)
#   make test  installs what is missing, builds, checks formatting, runs every test
.PHONY: run test build build-dev format bench clean

JOBS ?= $(shell nproc)

run:
	@scripts/install-deps
	@cmake --preset release -DCLOUD_BUILD_TESTS=OFF -DCLOUD_BUILD_BENCH=OFF >/dev/null
	@cmake --build --preset release -j $(JOBS) --target cloud
	@scripts/run-server

build: build-dev

build-dev:
	@scripts/install-deps --test
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j $(JOBS)

test: build-dev
	@scripts/check-format
	@scripts/with-test-services ctest --preset dev -j $(JOBS)
	@scripts/run-fuzz 30

bench:
	@scripts/install-deps --test
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)
	@scripts/with-test-services scripts/run-benchmarks build/release

format:
	@git ls-files -z -- '*.h' '*.cc' | xargs -0 clang-format -i

clean:
	rm -rf build
