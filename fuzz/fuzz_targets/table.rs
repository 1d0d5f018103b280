//! Operation calls for the fuzz targets, driven by the operation table: the operation is chosen
//! by index into `pixbridge_runtime::OPERATIONS`, its arguments are derived from the fuzz bytes
//! by each parameter's `ParamType`, and the call goes through the C ABI dispatcher that the
//! test suites use (`ffi/tests/common/operations.rs`, expanded from `with_operations!`). A new
//! operation is fuzzed without an edit here.

use arbitrary::{Arbitrary, Unstructured};
use pixbridge::ResizeFilter;
use pixbridge_runtime::operations::{OperationSpec, ParamType};

#[path = "../../ffi/tests/common/operations.rs"]
pub mod operations;

pub use operations::{Arg, Returned};

/// One operation of the table with arguments for it.
#[derive(Debug)]
pub struct TableCall {
    /// The table entry.
    pub spec: &'static OperationSpec,
    /// One argument per parameter, in order.
    pub args: Vec<Arg>,
}

impl TableCall {
    /// Calls the operation's export on `image`.
    pub fn call(&self, image: u64) -> Returned {
        operations::call(self.spec, image, &self.args).unwrap_or_else(|e| panic!("{e}"))
    }
}

impl<'a> Arbitrary<'a> for TableCall {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let spec = &pixbridge_runtime::OPERATIONS[u.choose_index(pixbridge_runtime::OPERATIONS.len())?];
        let args = spec.params.iter().map(|param| arg(u, param.ty)).collect::<arbitrary::Result<_>>()?;
        Ok(TableCall { spec, args })
    }
}

/// An argument of type `ty`: usually a value in the range where operations do real work on small
/// images, sometimes an edge or out-of-range value. Unsigned values stay below 512 unless they
/// are edges that every size check refuses, so that no chain grows an image past 511 x 511.
fn arg(u: &mut Unstructured<'_>, ty: ParamType) -> arbitrary::Result<Arg> {
    Ok(match ty {
        ParamType::F32 => Arg::F32(match u.int_in_range(0u8..=3)? {
            0 => *u.choose(&[
                f32::NAN,
                f32::INFINITY,
                f32::NEG_INFINITY,
                0.0,
                -0.0,
                -1.0,
                f32::MIN_POSITIVE,
                1000.0,
                1000.5,
                -100.0,
                -100.5,
                10.0,
                10.5,
                f32::MAX,
            ])?,
            1 => f32::from(u.int_in_range(-4000i16..=4000)?) / 8.0,
            2 => f32::from(u.int_in_range(0u16..=1000)?) / 100.0,
            _ => f32::from_bits(u.arbitrary()?),
        }),
        ParamType::U32 => Arg::U32(if u.ratio(1u8, 8)? {
            *u.choose(&[32769, 65536, 1 << 31, u32::MAX - 1, u32::MAX])?
        } else {
            u.int_in_range(0..=511)?
        }),
        ParamType::I32 => Arg::I32(if u.ratio(1u8, 8)? {
            *u.choose(&[i32::MIN, -256, 256, i32::MAX])?
        } else {
            u.int_in_range(-300..=300)?
        }),
        ParamType::ResizeFilter => {
            Arg::ResizeFilter(if u.ratio(1u8, 8)? { u.arbitrary()? } else { u.choose(&ResizeFilter::ALL)?.as_u32() })
        }
    })
}
