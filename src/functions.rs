//! Losses and metrics as plain functions on arrays (`tf.metrics.*`, `tf.losses.*`): names and
//! typed arrays in, the core's values out.

use crate::error::IntoJs;
use dense_mtl_core::loss::Loss;
use dense_mtl_core::metric::Metric;
use napi::bindgen_prelude::Float32Array;
use napi_derive::napi;

/// Per-row values of the loss `name` (TF.js's layers losses, before the batch mean).
#[napi(catch_unwind)]
pub fn loss_per_sample(name: String, y_true: Float32Array, y_pred: Float32Array, width: u32) -> napi::Result<Float32Array> {
    let loss = Loss::parse(&name).js()?;
    Ok(Float32Array::new(loss.per_sample(&name, &y_true, &y_pred, width as usize).js()?))
}

/// Per-row values of a per-sample metric, or a single batch value for precision/recall.
#[napi(catch_unwind)]
pub fn metric_values(name: String, y_true: Float32Array, y_pred: Float32Array, width: u32) -> napi::Result<Float32Array> {
    let metric = Metric::parse(&name).js()?;
    Ok(Float32Array::new(metric.values(&name, &y_true, &y_pred, width as usize).js()?))
}

/// The TF.js identifier of a loss given by any accepted name (`'mse'` → `'meanSquaredError'`):
/// what a saved training config holds, since TF.js's loader knows only these.
#[napi(catch_unwind)]
pub fn loss_identifier(name: String) -> napi::Result<String> {
    Ok(Loss::parse(&name).js()?.name().to_string())
}

/// Panics on purpose. Exists only so that the test suite can check that a Rust panic reaches
/// JavaScript as an ordinary Error instead of aborting Node.
#[napi(js_name = "__panicForTests", catch_unwind)]
pub fn panic_for_tests() {
    panic!("deliberate panic for tests");
}

/// Whether `values` float32 values fit in the memory this system has available (checked before a
/// model is built, so that an impossible size is an error rather than the process being killed).
#[napi(catch_unwind)]
pub fn fits_in_memory(values: f64) -> bool {
    values.is_finite() && values >= 0.0 && dense_mtl_core::memory::fits_in_memory(values as usize)
}
