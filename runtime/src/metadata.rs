//! Reading an image's colour profile state and metadata (EXIF, XMP, ICC, PNG text).

use crate::codes::{ColorProfile, ExifNumbers, ExifText, MetadataBlock};
use crate::error::{Error, Result};
use crate::images::{self, Handle};

/// What the image's pixels are encoded in.
pub fn color_profile(image: Handle) -> Result<ColorProfile> {
    images::read(image, |image| image.color_profile().into())
}

/// A raw metadata block (a [`MetadataBlock`] code); empty if the image has none.
pub fn block(image: Handle, block: u32) -> Result<Vec<u8>> {
    let block = MetadataBlock::from_code(block).ok_or_else(|| {
        Error::invalid_argument(format!("unknown metadata block code {block} (0 = Exif, 1 = Xmp, 2 = Icc)"))
    })?;
    images::read(image, |image| {
        let metadata = image.metadata();
        let bytes = match block {
            MetadataBlock::Exif => metadata.exif(),
            MetadataBlock::Xmp => metadata.xmp(),
            MetadataBlock::Icc => metadata.icc(),
        };
        bytes.unwrap_or_default().to_vec()
    })
}

/// The numeric EXIF fields.
pub fn exif_numbers(image: Handle) -> Result<ExifNumbers> {
    images::read(image, |image| ExifNumbers::from(&image.metadata().exif_fields()))
}

/// A text EXIF field (an [`ExifText`] code); empty if absent.
pub fn exif_text(image: Handle, field: u32) -> Result<String> {
    let field = ExifText::from_code(field).ok_or_else(|| {
        Error::invalid_argument(format!("unknown EXIF text code {field} (valid: 0-{})", ExifText::ALL.len() - 1))
    })?;
    images::read(image, |image| {
        let fields = image.metadata().exif_fields();
        let text = match field {
            ExifText::Make => fields.make,
            ExifText::Model => fields.model,
            ExifText::LensModel => fields.lens_model,
            ExifText::DateTaken => fields.date_taken,
            ExifText::Software => fields.software,
            ExifText::Artist => fields.artist,
            ExifText::Copyright => fields.copyright,
        };
        text.unwrap_or_default()
    })
}

/// The PNG text entries, as keyword and text.
pub fn text_entries(image: Handle) -> Result<Vec<(String, String)>> {
    images::read(image, |image| image.metadata().text().to_vec())
}

/// Entry `index` of [`text_entries`]: `InvalidArgument` past the end.
pub fn text_entry(image: Handle, index: u32) -> Result<(String, String)> {
    let entries = text_entries(image)?;
    let count = entries.len();
    entries
        .into_iter()
        .nth(index as usize)
        .ok_or_else(|| Error::invalid_argument(format!("text entry {index} does not exist: the image has {count}")))
}
