//! Animated GIF and WebP: frame count, delays and any frame as an image (see
//! [`pixbridge_core::animation_info`] for the costs and bounds).

use pixbridge_core::{AnimationInfo, DecodeLimits, Image};

use crate::Result;
use crate::images::{self, Handle};

/// Frame count, canvas size, loop count and per-frame delays of the image in `bytes`, read
/// without decoding the frames. A still image is one frame with delay 0.
pub fn info(bytes: &[u8], limits: &DecodeLimits) -> Result<AnimationInfo> {
    Ok(pixbridge_core::animation_info(bytes, limits)?)
}

/// Decodes frame `index` (from 0) of the image in `bytes` as a full-canvas image behind a new
/// handle; an index not below the frame count is `InvalidArgument` naming the count.
pub fn decode_frame(bytes: &[u8], index: u32, limits: &DecodeLimits) -> Result<Handle> {
    Ok(images::insert(Image::decode_frame(bytes, index, limits)?))
}
