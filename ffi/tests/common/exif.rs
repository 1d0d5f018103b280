//! JPEG test files with an EXIF orientation, for the suites that check what a reader does with it.

/// A JPEG with an EXIF APP1 segment holding only `orientation`, inserted after the JFIF APP0
/// segment of `jpeg`; the image data is untouched, so the file decodes to the same pixels,
/// which a reader then turns upright.
pub fn exif_oriented(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    assert_eq!(&jpeg[..4], [0xFF, 0xD8, 0xFF, 0xE0], "a JFIF file");
    let app0_end = 4 + usize::from(u16::from_be_bytes([jpeg[4], jpeg[5]]));
    // Big-endian TIFF header, one IFD with one entry: tag 0x0112 (Orientation), type 3
    // (SHORT), count 1, the value left-aligned in the 4-byte field; no next IFD.
    let mut body = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
    body.extend_from_slice(&orientation.to_be_bytes());
    body.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let mut out = jpeg[..app0_end].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&(body.len() as u16 + 2).to_be_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(&jpeg[app0_end..]);
    out
}
