//! Conversions between JavaScript typed arrays and the core's slices (no copies where the core
//! only reads).

use napi::bindgen_prelude::Float32Array;

/// A JavaScript typed array kept alive for as long as a fit reads it (no copy).
struct JsValues(Float32Array);

impl AsRef<[f32]> for JsValues {
    fn as_ref(&self) -> &[f32] {
        &self.0
    }
}

/// Shares typed arrays with the core for the length of a fit.
pub fn shared(arrays: Vec<Float32Array>) -> Vec<dense_mtl_core::train::Values> {
    arrays.into_iter().map(|a| std::sync::Arc::new(JsValues(a)) as dense_mtl_core::train::Values).collect()
}

/// Borrows typed arrays as slices.
pub fn slices(arrays: &[Float32Array]) -> Vec<&[f32]> {
    arrays.iter().map(|a| &a[..]).collect()
}

/// Moves vectors into new typed arrays.
pub fn to_typed(vecs: Vec<Vec<f32>>) -> Vec<Float32Array> {
    vecs.into_iter().map(Float32Array::new).collect()
}
