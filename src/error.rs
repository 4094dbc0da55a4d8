//! The one bridge from core errors (and panics) to JavaScript errors.

use dense_mtl_core::Error as CoreError;
use napi::{Error, Status};

/// Converts a core error: caller mistakes become `InvalidArg`, anything else `GenericFailure`.
pub fn to_js(e: CoreError) -> Error {
    let status = if e.is_caller_error() { Status::InvalidArg } else { Status::GenericFailure };
    Error::new(status, e.to_string())
}

/// `.js()?` on a core result.
pub trait IntoJs<T> {
    fn js(self) -> napi::Result<T>;
}

impl<T> IntoJs<T> for dense_mtl_core::Result<T> {
    fn js(self) -> napi::Result<T> {
        self.map_err(to_js)
    }
}

/// A serde error from reading an options object, as an `InvalidArg` naming the call.
pub fn bad_options(call: &str, e: serde_json::Error) -> Error {
    Error::new(Status::InvalidArg, format!("{call}: {e}"))
}

/// Runs `f`, turning a panic into a JavaScript error instead of aborting Node (for work on
/// worker threads, where `#[napi(catch_unwind)]` does not reach).
pub fn catch_panic<T>(what: &str, f: impl FnOnce() -> napi::Result<T>) -> napi::Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let msg = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown panic".into());
        Err(Error::new(Status::GenericFailure, format!("{what}: internal error: {msg}")))
    })
}
