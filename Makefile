# The two commands of the README. Both do all set-up themselves on a fresh machine.
.PHONY: demo test test-deep bench clean

## Runs the samples (Rust, C#, Java) on the test photographs and prints where the outputs are.
demo:
	bash ci/demo.sh

## Runs every test: Rust (lints, unit, C ABI, golden manifest, sample), C# and Java.
test:
	bash ci/test.sh

## The slower reliability checks: Rust suites and sample under ASan/LSan, then a fuzz smoke (60 s per target).
test-deep:
	bash ci/sanitize.sh
	bash ci/fuzz.sh 60

## Runs the benchmarks and writes docs/benchmarks.md.
bench:
	bash ci/bench.sh

clean:
	cargo clean
	rm -rf out bindings-csharp/local-feed
