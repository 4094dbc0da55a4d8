//! Conversions between JavaScript values and core types.

use crate::error::bad_options;
use napi::bindgen_prelude::Float32Array;
use serde::de::DeserializeOwned;

/// Reads an options object into a core config.
pub fn from_json<T: DeserializeOwned>(call: &str, value: serde_json::Value) -> napi::Result<T> {
    serde_json::from_value(value).map_err(|e| bad_options(call, e))
}

/// Copies typed arrays into owned vectors (the data then lives as long as a fit needs it).
pub fn to_vecs(arrays: &[Float32Array]) -> Vec<Vec<f32>> {
    arrays.iter().map(|a| a.to_vec()).collect()
}

/// Borrows typed arrays as slices.
pub fn slices(arrays: &[Float32Array]) -> Vec<&[f32]> {
    arrays.iter().map(|a| &a[..]).collect()
}

/// Moves vectors into new typed arrays.
pub fn to_typed(vecs: Vec<Vec<f32>>) -> Vec<Float32Array> {
    vecs.into_iter().map(Float32Array::new).collect()
}
