# The two commands of the README. Both do all set-up themselves on a fresh machine.
.PHONY: demo test test-deep fuzz-long bench install clean

## Runs the samples (Rust, C#, Java, Python, C, C++) on the test photographs and prints where the
## outputs are.
demo:
	bash ci/demo.sh

## Runs every test: Rust (lints, unit, C ABI, golden manifest, bad inputs, stress, sample), C#,
## Java, Python (the wheel in a venv), C and C++ (the installed library), then ASan/LSan +
## Valgrind and a fuzz smoke (60 s per target).
test:
	bash ci/test.sh

## Only the reliability checks that `make test` ends with: Rust suites under ASan/LSan, the
## sample under Valgrind, then a fuzz smoke (60 s per target).
test-deep:
	bash ci/sanitize.sh
	bash ci/fuzz.sh 60

## Fuzzes every target for an hour on the saved corpus (fuzz/corpus/), then minimises the corpus
## and writes it back for committing. Not part of `make test`.
fuzz-long:
	bash ci/fuzz-long.sh 3600

## Runs the benchmarks and writes docs/benchmarks.md.
bench:
	bash ci/bench.sh

PREFIX ?= /usr/local

## Installs the C library under PREFIX (default /usr/local): libpixbridge.so with its SONAME and
## symlinks, pixbridge.h and pixbridge.hpp, pixbridge.pc and the CMake package Pixbridge.
## DESTDIR=/stage stages it.
install:
	DESTDIR="$(DESTDIR)" bash ci/install.sh "$(PREFIX)"

clean:
	cargo clean
	rm -rf out bindings-csharp/local-feed
