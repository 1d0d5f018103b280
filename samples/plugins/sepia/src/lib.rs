//! A sample Pixbridge plugin written with the `pixbridge-plugin` helper crate: `sepia` (in place)
//! and `channel_gain` (a new image). Build it with `cargo build --release -p pixbridge-sample-sepia`
//! and load `target/release/libpixbridge_sepia.so` (see docs/plugins.md).
//!
//! The arithmetic is integer (sepia) or rounded per channel (gain) so that every platform gives
//! the same bytes: the tests compare them with an independent implementation.

use std::ffi::CStr;

use pixbridge_plugin::abi::Parameter;
use pixbridge_plugin::{Kind, Operation, Pixels, PixelsMut, float};

/// Sepia tone, blended with the original by `strength`.
struct Sepia;

impl Sepia {
    /// The sepia colour of (r, g, b): the classic sepia matrix in 10-bit fixed point, rounded.
    fn tone(r: u32, g: u32, b: u32) -> [u32; 3] {
        [
            ((402 * r + 787 * g + 194 * b + 512) >> 10).min(255),
            ((357 * r + 702 * g + 172 * b + 512) >> 10).min(255),
            ((279 * r + 547 * g + 134 * b + 512) >> 10).min(255),
        ]
    }
}

impl Operation for Sepia {
    const NAME: &'static CStr = c"sepia";
    const DOCS: &'static CStr = c"Gives the image the brown tone of an old photograph. Alpha is kept.";
    const KIND: Kind = Kind::InPlace;
    const PARAMETERS: &'static [Parameter] = &[float(
        c"strength",
        c"How much of the sepia tone replaces the original colours: 0 leaves the image unchanged, 1 (the default) is full sepia.",
        1.0,
        0.0,
        1.0,
    )];

    fn run(arguments: &[f64], _: Option<&Pixels<'_>>, target: &mut PixelsMut<'_>) -> Result<(), String> {
        let [strength] = arguments else {
            return Err(format!("sepia takes 1 argument, the host passed {}", arguments.len()));
        };
        // A weight out of 256 keeps the blend in integers; the host has checked the range, the
        // clamp only guards the arithmetic below against an out-of-range value.
        let weight = (strength * 256.0).round().clamp(0.0, 256.0) as u32;
        for y in 0..target.height() {
            for pixel in target.row_mut(y).chunks_exact_mut(4) {
                let tone = Self::tone(pixel[0].into(), pixel[1].into(), pixel[2].into());
                for (channel, sepia) in pixel[..3].iter_mut().zip(tone) {
                    // At most (255 * 256 + 128) >> 8 = 255: always fits a byte.
                    *channel = ((u32::from(*channel) * (256 - weight) + sepia * weight + 128) >> 8) as u8;
                }
            }
        }
        Ok(())
    }
}

/// Multiplies each colour channel by its own gain.
struct ChannelGain;

impl Operation for ChannelGain {
    const NAME: &'static CStr = c"channel_gain";
    const DOCS: &'static CStr = c"Multiplies red, green and blue by separate gains (for a colour cast or a quick white balance) and returns a new image. Values above 255 are clipped; alpha is kept.";
    const KIND: Kind = Kind::Fresh;
    const PARAMETERS: &'static [Parameter] = &[
        float(c"red", c"Gain of the red channel: 0 removes it, 1 (the default) keeps it, up to 4.", 1.0, 0.0, 4.0),
        float(c"green", c"Gain of the green channel: 0 removes it, 1 (the default) keeps it, up to 4.", 1.0, 0.0, 4.0),
        float(c"blue", c"Gain of the blue channel: 0 removes it, 1 (the default) keeps it, up to 4.", 1.0, 0.0, 4.0),
    ];

    fn run(arguments: &[f64], source: Option<&Pixels<'_>>, target: &mut PixelsMut<'_>) -> Result<(), String> {
        let &[red, green, blue] = arguments else {
            return Err(format!("channel_gain takes 3 arguments, the host passed {}", arguments.len()));
        };
        let source = source.ok_or("channel_gain needs a source image")?;
        if (source.width(), source.height()) != (target.width(), target.height()) {
            return Err(format!(
                "the source is {}x{} but the target {}x{}",
                source.width(),
                source.height(),
                target.width(),
                target.height()
            ));
        }
        let gains = [red, green, blue];
        for y in 0..target.height() {
            for (out, input) in target.row_mut(y).chunks_exact_mut(4).zip(source.row(y).chunks_exact(4)) {
                for channel in 0..3 {
                    // `as u8` saturates, and the gains are not negative: min(255, round(c * gain)).
                    out[channel] = (f64::from(input[channel]) * gains[channel]).round().min(255.0) as u8;
                }
                out[3] = input[3];
            }
        }
        Ok(())
    }
}

pixbridge_plugin::export_plugin!(
    name: c"sepia",
    version: c"1.0.0",
    docs: c"A sample plugin: a sepia tone (in place) and a per-channel colour gain (a new image).",
    operations: [Sepia, ChannelGain]
);
