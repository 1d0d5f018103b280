//! `pixbridge info`: size, colour type, format and file size of images, read from their headers
//! only (no pixel decoding, so it is fast on large files).

use std::fs::{self, File};
use std::io::Read;
use std::path::Path;

use image::metadata::Orientation;
use image::{ImageDecoder, ImageReader};

/// How many leading bytes the format detection looks at (magic numbers are at most a few dozen).
const HEAD_LEN: usize = 64;

/// What `info` reports about one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Info {
    /// Width in upright pixels (after the EXIF orientation, as Pixbridge decodes it).
    pub width: u32,
    /// Height in upright pixels.
    pub height: u32,
    /// The colour type stored in the file, named as `pixbridge_core::ColorType` names it.
    pub color_type: String,
    /// The format detected from the content (never from the extension), e.g. `"JPEG"`.
    pub format: String,
    /// The file's size in bytes.
    pub file_size: u64,
}

/// Reads the header of the image file at `path`.
pub fn read(path: &Path) -> Result<Info, String> {
    let meta = fs::metadata(path).map_err(|e| format!("cannot access it: {e}"))?;
    if meta.is_dir() {
        return Err("it is a folder, not an image file".to_owned());
    }
    // The format comes from the content only (as when Pixbridge decodes): a text file named
    // x.png is not a PNG.
    let mut head = Vec::with_capacity(HEAD_LEN);
    File::open(path)
        .and_then(|file| file.take(HEAD_LEN as u64).read_to_end(&mut head))
        .map_err(|e| format!("cannot read it: {e}"))?;
    let format =
        image::guess_format(&head).map_err(|_| "the content is not in a recognised image format".to_owned())?;
    let mut reader = ImageReader::open(path).map_err(|e| format!("cannot read it: {e}"))?;
    reader.set_format(format);
    let mut decoder =
        reader.into_decoder().map_err(|e| format!("cannot read the {} header: {e}", format_name(format)))?;
    let (width, height) = decoder.dimensions();
    let color_type = color_type_name(decoder.color_type());
    let (width, height) = match decoder.orientation().unwrap_or(Orientation::NoTransforms) {
        Orientation::Rotate90 | Orientation::Rotate270 | Orientation::Rotate90FlipH | Orientation::Rotate270FlipH => {
            (height, width)
        }
        _ => (width, height),
    };
    Ok(Info { width, height, color_type, format: format_name(format), file_size: meta.len() })
}

/// The human line: `photo.jpg: 6000 x 4000, Rgb8, JPEG, 3.1 MiB (3251234 bytes)`.
pub fn line(path: &Path, info: &Info) -> String {
    format!(
        "{}: {} x {}, {}, {}, {} ({} bytes)",
        path.display(),
        info.width,
        info.height,
        info.color_type,
        info.format,
        human_size(info.file_size),
        info.file_size
    )
}

/// One JSON object per file: `{"path":...,"width":...,"height":...,"color_type":...,
/// "format":...,"file_size":...}`.
pub fn json(path: &Path, info: &Info) -> String {
    serde_json::json!({
        "path": path.to_string_lossy(),
        "width": info.width,
        "height": info.height,
        "color_type": info.color_type,
        "format": info.format,
        "file_size": info.file_size,
    })
    .to_string()
}

fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

fn format_name(format: image::ImageFormat) -> String {
    use image::ImageFormat as F;
    match format {
        F::Png => "PNG",
        F::Jpeg => "JPEG",
        F::Gif => "GIF",
        F::WebP => "WebP",
        F::Pnm => "PNM",
        F::Tiff => "TIFF",
        F::Tga => "TGA",
        F::Dds => "DDS",
        F::Bmp => "BMP",
        F::Ico => "ICO",
        F::Hdr => "HDR",
        F::OpenExr => "OpenEXR",
        F::Farbfeld => "farbfeld",
        F::Avif => "AVIF",
        F::Qoi => "QOI",
        other => return format!("{other:?}"),
    }
    .to_owned()
}

/// Names as in `pixbridge_core::ColorType` (L8, La8, Rgb8, ...).
fn color_type_name(color: image::ColorType) -> String {
    use image::ColorType as C;
    match color {
        C::L8 => "L8",
        C::La8 => "La8",
        C::Rgb8 => "Rgb8",
        C::Rgba8 => "Rgba8",
        C::L16 => "L16",
        C::La16 => "La16",
        C::Rgb16 => "Rgb16",
        C::Rgba16 => "Rgba16",
        C::Rgb32F => "Rgb32F",
        C::Rgba32F => "Rgba32F",
        other => return format!("{other:?}"),
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_person_would() {
        assert_eq!(human_size(12), "12 B");
        assert_eq!(human_size(2048), "2.0 KiB");
        assert_eq!(human_size(3 * 1024 * 1024 + 200 * 1024), "3.2 MiB");
    }
}
