//! The Node binding of dense-mtl-core: thin `Native*` classes, the wire format ([`options`]),
//! one error bridge and the async training task. No math lives here.
//!
//! Modules depend one way: `model` → `trainer` → `shared`; `options`, `convert` and `error`
//! depend on no other binding module but `error`.
#![deny(clippy::all)]

mod convert;
mod csv;
mod error;
mod functions;
mod model;
mod options;
mod shared;
mod trainer;
