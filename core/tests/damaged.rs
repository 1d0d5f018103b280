//! Data that is truncated or corrupt after a valid header: strict decoding (the default) fails
//! with `Decode` and says how many rows were decoded; lenient decoding returns the partial
//! image, marked. The row counts are checked against the pixels of the complete file's decode,
//! not against the decoder's own report.

use pixbridge_core::{DecodeOptions, Error, Image, Opened};

fn testdata(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../testdata/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn lenient() -> DecodeOptions {
    DecodeOptions { lenient: true, ..DecodeOptions::default() }
}

/// `(decoded, height)` from "... N of H rows were decoded".
fn rows_reported(message: &str) -> (u32, u32) {
    let words: Vec<&str> = message.split_whitespace().collect();
    let at = words.windows(5).position(|w| w[1] == "of" && w[3] == "rows" && w[4] == "were").unwrap_or_else(|| {
        panic!("no 'N of H rows were decoded' in: {message}");
    });
    (words[at].parse().unwrap(), words[at + 2].parse().unwrap())
}

fn row(image: &Image, y: u32) -> &[u8] {
    let len = image.width() as usize * 4;
    &image.pixels()[y as usize * len..(y as usize + 1) * len]
}

/// Strict: a `Decode` error naming the rows decoded. Lenient: the partial image with the same
/// count in its warning. Returns the partial image and the count.
fn strict_and_lenient(bytes: &[u8], expected_height: u32) -> (Image, u32) {
    let error = Image::decode(bytes).unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "{error}");
    let (decoded, height) = rows_reported(error.message());
    assert_eq!(height, expected_height, "{error}");
    assert!(decoded > 0 && decoded < height, "{error}");

    let partial = Image::decode_with(bytes, &lenient()).unwrap();
    let warning = partial.decode_warning().expect("a partial image is marked");
    assert!(warning.starts_with("the data is truncated or corrupt"), "{warning}");
    assert_eq!(rows_reported(warning), (decoded, height), "{warning}");
    assert_eq!(partial.height(), height);
    (partial, decoded)
}

#[test]
fn a_jpeg_cut_in_its_scan_data_fails_by_default_and_leniently_gives_the_rows_before_the_cut() {
    let bytes = testdata("hubble_deep_field.jpg");
    let full = Image::decode(&bytes).unwrap();
    assert_eq!(full.decode_warning(), None);
    let mut previous = 0;
    for percent in [20, 50, 80] {
        let cut = &bytes[..bytes.len() * percent / 100];
        let (partial, decoded) = strict_and_lenient(cut, full.height());
        assert!(decoded > previous, "a longer file decodes more rows");
        previous = decoded;
        assert!(
            partial.decode_warning().unwrap().contains("Premature end of JPEG file"),
            "{:?}",
            partial.decode_warning()
        );
        // Independent of the count: rows above the cut's MCU row (16 pixels with 4:2:0, plus
        // one of upsampling context) are the complete decode's, the reported last row is not
        // grey fill, and every row after it is.
        let first_different = (0..full.height()).find(|&y| row(&partial, y) != row(&full, y)).unwrap();
        assert!(first_different + 17 >= decoded && first_different <= decoded, "{first_different} vs {decoded}");
        let grey = |y| row(&partial, y).chunks_exact(4).all(|px| px == [128, 128, 128, 255]);
        assert!(!grey(decoded - 1));
        assert!((decoded..full.height()).all(grey));
    }
}

#[test]
fn a_png_cut_in_half_gives_exactly_its_complete_rows_and_black_below() {
    let bytes = testdata("gradient-64x48.png");
    let full = Image::decode(&bytes).unwrap();
    // The test file testdata/truncated-64x48.png is this file's first half.
    let truncated = testdata("truncated-64x48.png");
    assert_eq!(truncated[..], bytes[..truncated.len()]);
    let (partial, decoded) = strict_and_lenient(&truncated, 48);
    assert!((0..decoded).all(|y| row(&partial, y) == row(&full, y)));
    assert!((decoded..48).all(|y| row(&partial, y).chunks_exact(4).all(|px| px == [0, 0, 0, 255])));
    assert_ne!(row(&full, decoded), row(&partial, decoded), "the first missing row is not black in the file");
}

#[test]
fn photographs_cut_anywhere_in_their_pixel_data_keep_every_row_they_hold() {
    // An 8-bit RGB photograph and a 16-bit image (decoded through a buffer of u16 samples).
    for name in ["chelsea.png", "rgb16-32x24.png"] {
        let bytes = testdata(name);
        let full = Image::decode(&bytes).unwrap();
        for percent in [40, 75, 95] {
            let cut = &bytes[..bytes.len() * percent / 100];
            let (partial, decoded) = strict_and_lenient(cut, full.height());
            let differing: Vec<u32> = (0..decoded).filter(|&y| row(&partial, y) != row(&full, y)).collect();
            assert!(differing.is_empty(), "{name} at {percent} %: rows {differing:?} of {decoded} differ");
            assert!((decoded..full.height()).all(|y| row(&partial, y).iter().skip(3).step_by(4).all(|&a| a == 255)
                && row(&partial, y).chunks_exact(4).all(|px| px[..3] == [0, 0, 0])));
        }
    }
}

#[test]
fn a_file_of_which_no_row_can_be_decoded_fails_even_when_lenient() {
    // The header and the start of the compressed data, but not one whole row.
    let bytes = testdata("chelsea.png");
    let idat = bytes.windows(4).position(|w| w == b"IDAT").unwrap();
    let cut = &bytes[..idat + 40];
    for options in [DecodeOptions::default(), lenient()] {
        let error = Image::decode_with(cut, &options).unwrap_err();
        assert!(matches!(error, Error::Decode(_)), "{error}");
        assert!(error.message().contains("none of its 300 rows could be decoded"), "{error}");
    }
}

#[test]
fn complete_files_are_not_marked_and_derived_images_drop_the_mark() {
    let complete = Image::decode_with(&testdata("rocket.jpg"), &lenient()).unwrap();
    assert_eq!(complete.decode_warning(), None);
    let bytes = testdata("hubble_deep_field.jpg");
    let partial = Image::decode_with(&bytes[..bytes.len() / 2], &lenient()).unwrap();
    assert!(partial.decode_warning().is_some());
    let smaller = partial.resize(100, 100, pixbridge_core::ResizeFilter::Bilinear).unwrap();
    assert_eq!(smaller.decode_warning(), None);
}

#[test]
fn a_deferred_lenient_jpeg_is_marked_when_it_is_decoded() {
    let bytes = testdata("hubble_deep_field.jpg");
    let cut = &bytes[..bytes.len() / 2];
    let Opened::Pending(pending) = Image::decode_deferred(cut, &lenient()).unwrap() else {
        panic!("a baseline JPEG is deferred")
    };
    let decoded = pending.decode().unwrap();
    assert_eq!(decoded, Image::decode_with(cut, &lenient()).unwrap());
    assert!(decoded.decode_warning().is_some());
    let Opened::Pending(strict) = Image::decode_deferred(cut, &DecodeOptions::default()).unwrap() else {
        panic!("a baseline JPEG is deferred")
    };
    assert!(matches!(strict.decode(), Err(Error::Decode(_))));
}

#[test]
fn a_cmyk_jpeg_cut_in_its_scan_fails_by_default_though_its_decoder_fills_it_in() {
    // CMYK JPEGs go through the `image` crate's decoder, which fills a scan that ends early:
    // the missing end-of-image marker gives the cut away.
    let bytes = testdata("bad/cmyk-40x30.jpg");
    let full = Image::decode(&bytes).unwrap();
    let cut = &bytes[..400];
    let (partial, decoded) = strict_and_lenient(cut, 30);
    assert!(partial.decode_warning().unwrap().contains("end-of-image marker"));
    let grey = |image: &Image, y| row(image, y).chunks_exact(4).all(|px| px == [128, 128, 128, 255]);
    assert!((decoded..30).all(|y| grey(&partial, y) && !grey(&full, y)), "the rows after the count are fill");
    // Only the end marker missing: every pixel is there, but the file is still incomplete.
    let error = Image::decode(&bytes[..bytes.len() - 2]).unwrap_err();
    assert!(error.message().contains("all 30 rows were decoded"), "{error}");
}
