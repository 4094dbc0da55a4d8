//! The Node binding of dense-mtl-core: thin `Native*` classes, option parsing, one error bridge
//! and the async training task. No math lives here.
#![deny(clippy::all)]

mod convert;
mod csv;
mod error;
mod functions;
mod model;
mod trainer;

// mimalloc natively (see Cargo.toml for why, and why v2); the wasm build keeps Rust's allocator.
#[cfg(not(target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
