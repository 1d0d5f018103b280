//! `pixbridge-blur-timing IMAGE`: times `pixbridge_core::Image::blur` on one image, in-process,
//! with rayon's default pool (as the JNI library uses it).
//!
//! It reads requests `SIGMA COUNT` from stdin, one per line, and for each one blurs `COUNT`
//! times and prints one line per blur: its wall-clock milliseconds, including allocating and
//! freeing the output. It stops at the end of stdin. The Java harness (`bindings-java/bench`)
//! keeps one such process running and alternates its own timed blurs of the same file with
//! requests to it, so that both sides are warm and see the same machine load.

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use pixbridge_core::Image;
use pixbridge_runtime::alloc::RecyclingAllocator;

/// The JNI library's allocator, so that the two sides of the comparison differ only in the path
/// through Java and JNI, not in how the result's memory is obtained.
#[global_allocator]
static ALLOCATOR: RecyclingAllocator = RecyclingAllocator::new();

/// Parses one `SIGMA COUNT` request.
fn parse_request(line: &str) -> Option<(f32, u32)> {
    let mut words = line.split_whitespace();
    let sigma = words.next()?.parse().ok()?;
    let count = words.next()?.parse().ok()?;
    words.next().is_none().then_some((sigma, count))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [image] = args.as_slice() else {
        eprintln!("usage: pixbridge-blur-timing IMAGE   (then lines `SIGMA COUNT` on stdin)");
        return ExitCode::from(2);
    };
    let image = match Image::open(Path::new(image)) {
        Ok(image) => image,
        Err(error) => {
            eprintln!("pixbridge-blur-timing: cannot open {image}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else {
            eprintln!("pixbridge-blur-timing: cannot read stdin");
            return ExitCode::FAILURE;
        };
        let Some((sigma, count)) = parse_request(&line) else {
            eprintln!("pixbridge-blur-timing: expected `SIGMA COUNT`, got {line:?}");
            return ExitCode::from(2);
        };
        for _ in 0..count {
            let start = Instant::now();
            match image.blur(sigma) {
                // Freeing the result is part of the timed work on both sides (Java closes its image).
                Ok(blurred) => drop(std::hint::black_box(blurred)),
                Err(error) => {
                    eprintln!("pixbridge-blur-timing: blur failed: {error}");
                    return ExitCode::FAILURE;
                }
            }
            let millis = start.elapsed().as_secs_f64() * 1e3;
            if writeln!(out, "{millis:.4}").and_then(|()| out.flush()).is_err() {
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::parse_request;

    #[test]
    fn requests_are_sigma_then_count() {
        assert_eq!(parse_request("10 5"), Some((10.0, 5)));
        assert_eq!(parse_request(" 2.5\t3 "), Some((2.5, 3)));
        assert_eq!(parse_request("10"), None);
        assert_eq!(parse_request("10 5 7"), None);
        assert_eq!(parse_request("ten 5"), None);
        assert_eq!(parse_request("10 -1"), None);
    }
}
