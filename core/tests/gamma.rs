//! `Image::gamma`: hand-computed values, the formula on noise, alpha untouched, bad arguments.

mod common;

use common::{indexed_image, noise_image};
use pixbridge_core::{Error, Image};

#[test]
fn gamma_hand_values() {
    // 255 * (v / 255)^(1 / gamma), rounded: computed by hand (Python) for these values.
    let values = [0u8, 1, 64, 128, 200, 254, 255];
    for (gamma, expected) in [(2.2f32, [0u8, 21, 136, 186, 228, 255, 255]), (0.5, [0, 0, 16, 64, 157, 253, 255])] {
        let mut image = Image::from_rgba8(7, 1, values.iter().flat_map(|&v| [v, v, v, 33]).collect()).unwrap();
        image.gamma(gamma).unwrap();
        let reds: Vec<u8> = image.pixels().chunks(4).map(|p| p[0]).collect();
        assert_eq!(reds, expected, "gamma {gamma}");
        assert!(image.pixels().chunks(4).all(|p| p[0] == p[1] && p[1] == p[2] && p[3] == 33));
    }
}

#[test]
fn gamma_follows_the_power_curve_and_keeps_alpha() {
    let source = noise_image(9, 7, 3);
    for gamma in [0.01f32, 0.3, 1.0, 1.8, 2.4, 100.0] {
        let mut image = source.clone();
        image.gamma(gamma).unwrap();
        for (out, src) in image.pixels().chunks(4).zip(source.pixels().chunks(4)) {
            for c in 0..3 {
                let expected = 255.0 * (f64::from(src[c]) / 255.0).powf(1.0 / f64::from(gamma));
                assert!((f64::from(out[c]) - expected).abs() <= 0.5 + 1e-9, "{gamma}: {} vs {expected}", out[c]);
            }
            assert_eq!(out[3], src[3]);
        }
    }
    let mut identity = source.clone();
    identity.gamma(1.0).unwrap();
    assert_eq!(identity, source);
}

#[test]
fn gamma_rejects_non_finite_and_out_of_range_values() {
    let mut image = indexed_image(3, 2);
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0, -1.0, 0.009, 100.01] {
        match image.gamma(bad) {
            Err(Error::InvalidArgument(message)) => assert!(message.contains("gamma"), "{message}"),
            other => panic!("gamma {bad}: expected InvalidArgument, got {other:?}"),
        }
    }
    assert_eq!(image, indexed_image(3, 2), "a rejected call must not change the image");
}
