# The two commands of the README. Both do all set-up themselves on a fresh machine.
.PHONY: demo test bench clean

## Runs the samples (Rust, C#, Java) on the test photographs and prints where the outputs are.
demo:
	bash ci/demo.sh

## Runs every test: Rust (lints, unit, C ABI, golden manifest, sample), C# and Java.
test:
	bash ci/test.sh

## Runs the benchmarks and writes docs/benchmarks.md.
bench:
	bash ci/bench.sh

clean:
	cargo clean
	rm -rf out bindings-csharp/local-feed
