//! The Node binding of dense-mtl-core: thin `Native*` classes, option parsing, one error bridge
//! and the async training task. No math lives here.
#![deny(clippy::all)]

mod convert;
mod csv;
mod error;
mod functions;
mod model;
mod trainer;
