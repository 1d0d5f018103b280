//! The parts of `pixbridge-bench` that the criterion benches share with the harness binary: the
//! blurs being compared ([`methods`]), the `f64` reference Gaussian ([`reference`]) and the
//! timing loop ([`timing`]).

pub mod methods;
pub mod reference;
pub mod timing;
