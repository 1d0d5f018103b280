//! A safe wrapper over a `libpixbridge.so` loaded at run time.
//!
//! Only one symbol is imported, `pixbridge_functions`; the table it returns is checked for its
//! size and ABI version before any pointer in it is used. Every [`Image`] holds a reference to
//! the loaded library, so the library stays mapped while any image lives, however the caller
//! orders its drops.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::abi::{self, PixbridgeFunctions};

/// A failure reported by the library (code and message), or while loading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The library could not be loaded or is not the one these bindings expect.
    Load(String),
    /// A call failed with a Pixbridge error code.
    Call {
        /// The numeric `PixbridgeErrorCode`.
        code: u32,
        /// The calling thread's last-error message.
        message: String,
    },
}

impl Error {
    /// The error code's name (`"InvalidArgument"`, ...), if this is a call error with a known code.
    pub fn code_name(&self) -> Option<&'static str> {
        match self {
            Error::Call { code, .. } => abi::error_code::name(*code),
            Error::Load(_) => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Load(message) => write!(f, "cannot use the Pixbridge library: {message}"),
            Error::Call { code, message } => {
                let name = abi::error_code::name(*code).unwrap_or("unknown error code");
                write!(f, "{message} ({name}, code {code})")
            }
        }
    }
}

impl std::error::Error for Error {}

/// Checks that `table` is the table these bindings were generated for.
///
/// `size` comes first so that a smaller (older) table is refused before any field past its
/// end is read.
pub fn check_table(size: usize, abi_version: u32) -> Result<(), Error> {
    let expected = std::mem::size_of::<PixbridgeFunctions>();
    if size != expected {
        return Err(Error::Load(format!(
            "function table is {size} bytes but these bindings expect {expected}: the library and the bindings are from different versions"
        )));
    }
    if abi_version != abi::ABI_VERSION {
        return Err(Error::Load(format!(
            "library ABI version is {abi_version} but these bindings expect {}",
            abi::ABI_VERSION
        )));
    }
    Ok(())
}

struct Loaded {
    table: &'static PixbridgeFunctions,
    /// The operations of the plugins loaded through this library's [`crate::Plugin`]s, by plugin
    /// handle: what [`Image::apply`] maps named arguments to positions with.
    pub(crate) plugins: Mutex<BTreeMap<u64, Arc<[crate::PluginOperation]>>>,
    // Declared after `table` and never read: keeping the library mapped is its whole job.
    _library: libloading::Library,
}

/// Creates images from a loaded library. Cheap to clone; clones share the library.
#[derive(Clone)]
pub struct ImageFactory {
    loaded: Arc<Loaded>,
}

impl ImageFactory {
    /// Loads the library at `path` and checks its function table.
    pub fn load(path: &Path) -> Result<ImageFactory, Error> {
        // SAFETY: loading runs the library's initialisers; libpixbridge has none with side effects.
        let library = unsafe { libloading::Library::new(path) }
            .map_err(|error| Error::Load(format!("{}: {error}", path.display())))?;
        // SAFETY: the symbol's type is the documented signature of `pixbridge_functions`.
        let entry = unsafe { library.get::<abi::FunctionsEntryPoint>(abi::FUNCTIONS_SYMBOL) }
            .map_err(|error| Error::Load(format!("{}: {error}", path.display())))?;
        // SAFETY: `pixbridge_functions` takes nothing and returns a pointer to a static table.
        let table = unsafe { entry() };
        if table.is_null() {
            return Err(Error::Load("pixbridge_functions returned NULL".into()));
        }
        // Read only the two leading fields until the size is known to match.
        // SAFETY: every version of the table starts with `size: usize, abi_version: u32`.
        let (size, abi_version) = unsafe { ((*table).size, (*table).abi_version) };
        check_table(size, abi_version)?;
        // SAFETY: the size and version match, so the table has exactly this layout; it is static
        // in the library, which `Loaded` keeps mapped for as long as the reference is used.
        let table: &'static PixbridgeFunctions = unsafe { &*table };
        let plugins = Mutex::new(BTreeMap::new());
        Ok(ImageFactory { loaded: Arc::new(Loaded { table, plugins, _library: library }) })
    }

    pub(crate) fn functions(&self) -> &PixbridgeFunctions {
        self.loaded.table
    }

    /// The plugin registry of this library (see [`Loaded::plugins`]).
    pub(crate) fn plugin_registry(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<[crate::PluginOperation]>>> {
        self.loaded.plugins.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Opens an image file (format from the content).
    pub fn open(&self, path: &Path) -> Result<Image, Error> {
        let path = path.to_str().ok_or_else(|| Error::Load(format!("{} is not valid UTF-8", path.display())))?;
        let mut handle = 0u64;
        // SAFETY: the path bytes are valid for the call; null limits mean the defaults.
        self.check(unsafe { (self.functions().image_open)(path.as_ptr(), path.len(), std::ptr::null(), &mut handle) })?;
        Ok(Image { handle, factory: self.clone() })
    }

    /// Creates an image from tightly packed RGBA8 pixels.
    pub fn from_pixels(&self, width: u32, height: u32, rgba: &[u8]) -> Result<Image, Error> {
        let mut handle = 0u64;
        // SAFETY: `rgba` is valid for reads of its length during the call.
        self.check(unsafe {
            (self.functions().image_from_pixels)(width, height, rgba.as_ptr(), rgba.len(), &mut handle)
        })?;
        Ok(Image { handle, factory: self.clone() })
    }

    /// Number of live image handles in the library (diagnostics).
    pub fn live_images(&self) -> Result<u64, Error> {
        let (mut images, mut buffers) = (0u64, 0u64);
        // SAFETY: both out-parameters are valid for writes.
        self.check(unsafe { (self.functions().live_handles)(&mut images, &mut buffers) })?;
        Ok(images)
    }

    /// Turns a returned code into a `Result`, fetching the thread's last-error message.
    pub(crate) fn check(&self, code: u32) -> Result<(), Error> {
        if code == abi::error_code::OK {
            return Ok(());
        }
        let functions = self.functions();
        let mut length = 0usize;
        // SAFETY: a null buffer of length 0 asks for the length only.
        unsafe { (functions.last_error_message)(std::ptr::null_mut(), 0, &mut length) };
        let mut buffer = vec![0u8; length + 1];
        // SAFETY: `buffer` is valid for writes of its length.
        let status = unsafe { (functions.last_error_message)(buffer.as_mut_ptr(), buffer.len(), &mut length) };
        let message = if status == abi::error_code::OK {
            String::from_utf8_lossy(&buffer[..length]).into_owned()
        } else {
            "no message".to_string()
        };
        Err(Error::Call { code, message })
    }
}

/// An image owned by this program; the handle is destroyed on drop.
pub struct Image {
    pub(crate) handle: u64,
    pub(crate) factory: ImageFactory,
}

impl Image {
    fn functions(&self) -> &PixbridgeFunctions {
        self.factory.functions()
    }

    /// Calls a new-image export of the table (`call(functions, image, out_image)`) and wraps the
    /// handle it returns. Used by the generated per-operation methods (`operations.rs`).
    pub(crate) fn call_fresh(
        &self,
        call: impl FnOnce(&PixbridgeFunctions, u64, &mut u64) -> u32,
    ) -> Result<Image, Error> {
        let mut handle = 0u64;
        let code = call(self.functions(), self.handle, &mut handle);
        self.factory.check(code)?;
        Ok(Image { handle, factory: self.factory.clone() })
    }

    /// Calls an in-place export of the table (`call(functions, image)`). Used by the generated
    /// per-operation methods (`operations.rs`).
    pub(crate) fn call_in_place(&mut self, call: impl FnOnce(&PixbridgeFunctions, u64) -> u32) -> Result<(), Error> {
        self.factory.check(call(self.functions(), self.handle))
    }

    /// Width and height in pixels.
    pub fn size(&self) -> Result<(u32, u32), Error> {
        let mut info = abi::ImageInfo::default();
        // SAFETY: `info` is valid for writes.
        self.factory.check(unsafe { (self.functions().image_info)(self.handle, &mut info) })?;
        Ok((info.width, info.height))
    }

    /// A copy of the RGBA8 pixels.
    pub fn pixels(&self) -> Result<Vec<u8>, Error> {
        let (mut data, mut length) = (std::ptr::null(), 0usize);
        // SAFETY: both out-parameters are valid for writes.
        self.factory.check(unsafe { (self.functions().image_pixels)(self.handle, &mut data, &mut length) })?;
        // SAFETY: the library guarantees `length` readable bytes at `data` while the handle lives,
        // and `self` keeps it alive for the duration of this copy.
        Ok(unsafe { std::slice::from_raw_parts(data, length) }.to_vec())
    }

    /// What the pixels are encoded in: an `abi::color_profile` code (`SRGB` after converting a
    /// photo's ICC profile on decode, `NONE` without a profile).
    pub fn color_profile(&self) -> Result<u32, Error> {
        let mut profile = 0u32;
        // SAFETY: `profile` is valid for writes.
        self.factory.check(unsafe { (self.functions().image_color_profile)(self.handle, &mut profile) })?;
        Ok(profile)
    }

    /// A text EXIF field (an `abi::exif_text` code: make, model, ...), `None` when absent.
    pub fn exif_text(&self, field: u32) -> Result<Option<String>, Error> {
        let function = self.functions().image_exif_text;
        let mut length = 0usize;
        // SAFETY: a null buffer of length 0 asks for the length only.
        let code = unsafe { function(self.handle, field, std::ptr::null_mut(), 0, &mut length) };
        if code != abi::error_code::BUFFER_TOO_SMALL {
            self.factory.check(code)?;
        }
        let mut buffer = vec![0u8; length + 1];
        // SAFETY: `buffer` is valid for writes of its length.
        self.factory.check(unsafe { function(self.handle, field, buffer.as_mut_ptr(), buffer.len(), &mut length) })?;
        buffer.truncate(length);
        Ok((!buffer.is_empty()).then(|| String::from_utf8_lossy(&buffer).into_owned()))
    }

    /// Saves to `path`; the format comes from the extension.
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let path = path.to_str().ok_or_else(|| Error::Load(format!("{} is not valid UTF-8", path.display())))?;
        // SAFETY: the path bytes are valid for the call.
        self.factory.check(unsafe { (self.functions().image_save)(self.handle, path.as_ptr(), path.len()) })
    }
}

impl Drop for Image {
    fn drop(&mut self) {
        // SAFETY: the handle came from this library; destroying it once is the contract.
        let code = unsafe { (self.functions().image_destroy)(self.handle) };
        debug_assert_eq!(code, abi::error_code::OK, "destroying a live handle cannot fail");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Mutex, MutexGuard};

    /// The live-image count is global to the loaded library and tests run in parallel, so every
    /// test that creates images holds this lock; otherwise one test's images move another's count.
    static IMAGES: Mutex<()> = Mutex::new(());

    fn serial() -> MutexGuard<'static, ()> {
        IMAGES.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn library() -> std::path::PathBuf {
        // Unit tests run from target/<profile>/deps; the library is uplifted to target/<profile>.
        let exe = std::env::current_exe().unwrap();
        let library = exe.parent().unwrap().parent().unwrap().join(crate::LIBRARY_FILE_NAME);
        assert!(library.exists(), "{} is missing: build pixbridge-ffi first", library.display());
        library
    }

    #[test]
    fn refuses_a_table_of_another_size_or_version() {
        let size = std::mem::size_of::<PixbridgeFunctions>();
        assert_eq!(check_table(size, abi::ABI_VERSION), Ok(()));
        let smaller = check_table(size - 8, abi::ABI_VERSION).unwrap_err();
        assert!(smaller.to_string().contains("different versions"), "{smaller}");
        let newer = check_table(size, abi::ABI_VERSION + 1).unwrap_err();
        assert!(newer.to_string().contains("ABI version"), "{newer}");
    }

    #[test]
    fn images_keep_the_library_loaded_and_free_their_handles() {
        let _serial = serial();
        let factory = ImageFactory::load(&library()).unwrap();
        let baseline = factory.live_images().unwrap();
        let rgba: Vec<u8> = (0..4 * 5 * 4).map(|i| (i * 13 % 256) as u8).collect();
        let mut image = factory.from_pixels(4, 5, &rgba).unwrap();
        let probe = factory.clone();
        drop(factory);
        // The factory is gone; the image still works because it shares the loaded library.
        image.mirror().unwrap();
        let blurred = image.blur(1.5).unwrap();
        assert_eq!(blurred.size().unwrap(), (4, 5));
        let mirrored = image.pixels().unwrap();
        for y in 0..5 {
            for x in 0..4 {
                let (at, from) = ((y * 4 + x) * 4, (y * 4 + (3 - x)) * 4);
                assert_eq!(mirrored[at..at + 4], rgba[from..from + 4]);
            }
        }
        assert_eq!(probe.live_images().unwrap(), baseline + 2);
        drop((image, blurred));
        assert_eq!(probe.live_images().unwrap(), baseline);
    }

    #[test]
    fn errors_carry_code_and_message() {
        let _serial = serial();
        let factory = ImageFactory::load(&library()).unwrap();
        let image = factory.from_pixels(2, 2, &[0u8; 16]).unwrap();
        let error = image.blur(f32::NAN).err().unwrap();
        assert_eq!(error.code_name(), Some("InvalidArgument"));
        assert!(error.to_string().contains("sigma"), "{error}");
        let error = factory.from_pixels(2, 2, &[0u8; 15]).err().unwrap();
        assert_eq!(error.code_name(), Some("InvalidArgument"));
        let error = image.resize(3, 1, 99).err().unwrap();
        assert_eq!(error.code_name(), Some("InvalidArgument"));
    }

    #[test]
    fn generated_operation_methods_call_their_exports() {
        let _serial = serial();
        let factory = ImageFactory::load(&library()).unwrap();
        let mut image = factory.from_pixels(2, 2, &[100u8; 16]).unwrap();
        let resized = image.resize(3, 1, abi::resize_filter::NEAREST).unwrap();
        assert_eq!(resized.size().unwrap(), (3, 1));
        assert_eq!(image.crop(1, 0, 1, 2).unwrap().size().unwrap(), (1, 2));
        image.adjust_brightness(-40).unwrap();
        assert_eq!(image.pixels().unwrap(), [60, 60, 60, 100].repeat(4));
        assert_eq!(image.adjust_brightness(256).err().unwrap().code_name(), Some("InvalidArgument"));
    }
}
