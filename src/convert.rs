//! Conversions between JavaScript typed arrays and the core's slices (no copies where the core
//! only reads).

use napi::bindgen_prelude::{Env, Float32Array, Float64Array, Uint8Array};

/// A typed array from JavaScript that the addon writes into. Natively it is JavaScript's own
/// memory; under WebAssembly (emnapi) it is a copy in the module's memory, and what was written
/// reaches JavaScript only when copied back.
pub trait WriteBack {
    /// Hands what was written to JavaScript (nothing to do natively).
    fn write_back(&mut self, env: &Env);
}

macro_rules! write_back {
    ($($array:ty),*) => {$(
        impl WriteBack for $array {
            #[cfg(target_family = "wasm")]
            fn write_back(&mut self, env: &Env) {
                self.sync(env);
            }
            #[cfg(not(target_family = "wasm"))]
            fn write_back(&mut self, _env: &Env) {}
        }
    )*};
}
write_back!(Float64Array, Uint8Array);

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
