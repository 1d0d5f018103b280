//! The size of an operation's result, and whether its parameters are valid, without running it.
//!
//! Each function takes the source's `(width, height)` and the operation's parameters, and
//! returns the result's `(width, height)` or the [`Error::InvalidArgument`] the operation itself
//! would return (the operations call these same checks). Fresh operations keep the colour type.
//! A deferred pipeline uses them to answer an image's size, and to reject bad parameters, when
//! the operation is called rather than when it runs.

use crate::error::{Error, Result};
use crate::ops::{check_new_size, check_sigma, check_unsharpen};

/// [`Image::blur`](crate::Image::blur): the same size.
pub fn blur(size: (u32, u32), sigma: f32) -> Result<(u32, u32)> {
    check_sigma("blur", sigma)?;
    Ok(size)
}

/// [`Image::unsharpen`](crate::Image::unsharpen): the same size.
pub fn unsharpen(size: (u32, u32), sigma: f32, amount: f32, threshold: u32) -> Result<(u32, u32)> {
    check_unsharpen(sigma, amount, threshold)?;
    Ok(size)
}

/// [`Image::resize`](crate::Image::resize): `width` x `height`.
pub fn resize(_size: (u32, u32), width: u32, height: u32) -> Result<(u32, u32)> {
    check_new_size("resize", width, height)?;
    Ok((width, height))
}

/// [`Image::crop`](crate::Image::crop): the rectangle's size, which must be non-empty and lie
/// inside the source.
pub fn crop((src_width, src_height): (u32, u32), x: u32, y: u32, width: u32, height: u32) -> Result<(u32, u32)> {
    let inside = u64::from(x) + u64::from(width) <= u64::from(src_width)
        && u64::from(y) + u64::from(height) <= u64::from(src_height);
    if width == 0 || height == 0 || !inside {
        return Err(Error::InvalidArgument(format!(
            "crop: the rectangle at ({x}, {y}) of size {width} x {height} is {} the {src_width} x {src_height} image",
            if width == 0 || height == 0 { "empty; it must be non-empty and inside" } else { "not inside" },
        )));
    }
    Ok((width, height))
}

/// [`Image::rotate90`](crate::Image::rotate90) and [`Image::rotate270`](crate::Image::rotate270):
/// width and height swap.
pub fn rotate((width, height): (u32, u32)) -> Result<(u32, u32)> {
    Ok((height, width))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Image, ResizeFilter};

    /// The planned size is the size the operation gives, and a plan fails exactly when the
    /// operation does, with the same message.
    #[test]
    fn plans_agree_with_the_operations() {
        let image = Image::from_rgba8(7, 5, vec![128; 7 * 5 * 4]).unwrap();
        let size = (7, 5);
        let agree = |planned: Result<(u32, u32)>, ran: Result<Image>| match (planned, ran) {
            (Ok(planned), Ok(ran)) => assert_eq!(planned, (ran.width(), ran.height())),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (planned, ran) => panic!("plan {planned:?} but operation {:?}", ran.map(|i| (i.width(), i.height()))),
        };
        for sigma in [0.5, 3.0, 0.0, -1.0, f32::NAN, 1e9] {
            agree(blur(size, sigma), image.blur(sigma));
            for (amount, threshold) in [(1.0, 0), (11.0, 0), (1.0, 256), (f32::INFINITY, 3)] {
                agree(unsharpen(size, sigma, amount, threshold), image.unsharpen(sigma, amount, threshold));
            }
        }
        for (w, h) in [(1, 1), (3, 9), (0, 4), (4, 0), (40000, 1)] {
            agree(resize(size, w, h), image.resize(w, h, ResizeFilter::Bilinear));
        }
        for (x, y, w, h) in [(0, 0, 7, 5), (6, 4, 1, 1), (1, 1, 7, 1), (0, 0, 0, 1), (u32::MAX, 0, 1, 1)] {
            agree(crop(size, x, y, w, h), image.crop(x, y, w, h));
        }
        agree(rotate(size), image.rotate90());
        agree(rotate(size), image.rotate270());
    }
}
