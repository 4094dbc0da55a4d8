//! Losses and metrics as plain functions on arrays (`tf.metrics.*`, `tf.losses.*`): names and
//! typed arrays in, the core's values out.

use crate::convert::WriteBack;
use crate::error::IntoJs;
use crate::model::NativeModel;
use crate::options::layer_config;
use crate::shared::lock;
use dense_mtl_core::loss::Loss;
use dense_mtl_core::metric::Metric;
use dense_mtl_core::tensor_loss::{self, ElementLoss, Reduction};
use napi::bindgen_prelude::{Env, Float32Array, Float64Array, Utf16String};
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

/// The TF.js names of the losses the core knows (without aliases), in TF.js's order.
#[napi(catch_unwind)]
pub fn loss_names() -> Vec<String> {
    dense_mtl_core::loss::all().map(|(name, _)| name.to_string()).collect()
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

/// What the core makes of one layer (`spec`, the layer's wire config), after its own checks of
/// the config (units, activation, rate, initializers, sizes) and, given `shapes` (each input's
/// shape per row), of its inputs (their count and shapes): the output's shape per row and the
/// number of weights. `built_width` is the last axis the weights are built for (the first
/// input's, as in a model).
#[napi(object)]
pub struct LayerShape {
    /// The output's shape per row (`[units]`, `[L, outputDim]`); null when no input shapes were given.
    pub output_shape: Option<Vec<u32>>,
    pub params: f64,
}

#[napi(catch_unwind)]
pub fn layer_shape(spec: serde_json::Value, built_width: u32, shapes: Option<Vec<Vec<u32>>>) -> napi::Result<LayerShape> {
    let config = layer_config(spec)?;
    let layer = config.build(built_width as usize).js()?;
    let params = layer.params().iter().map(|p| p.values.len()).sum::<usize>() as f64;
    let output_shape = match shapes {
        Some(shapes) => {
            let shapes: Vec<Vec<usize>> = shapes.into_iter().map(|s| s.into_iter().map(|d| d as usize).collect()).collect();
            Some(layer.layer.output_shape(&layer.name, &shapes).js()?.into_iter().map(|d| d as u32).collect())
        }
        None => None,
    };
    Ok(LayerShape { output_shape, params })
}

/// Per output, the width of the targets the compiled loss takes (1 for class indices); the
/// core's "compile first" error, naming `what` (`training/testing`), before compile.
#[napi(catch_unwind)]
pub fn target_widths(model: &NativeModel, what: String) -> napi::Result<Vec<u32>> {
    let model = lock(&model.shared);
    model.require_compiled(&what).js()?;
    Ok(model.heads.iter().map(|h| h.target_width as u32).collect())
}

/// `tf.losses.<name>` per element (`parameter`: logLoss's epsilon, huberLoss's delta or
/// sigmoidCrossEntropy's labelSmoothing).
#[napi(catch_unwind)]
pub fn element_losses(name: String, parameter: Option<f64>, labels: Float32Array, predictions: Float32Array) -> napi::Result<Float32Array> {
    let loss = ElementLoss::parse(&name, parameter).js()?;
    Ok(Float32Array::new(loss.values(&labels, &predictions, &name).js()?))
}

/// TF.js's `computeWeightedLoss` (`reduction` as `tf.Reduction` numbers it): the weighted losses,
/// or one value.
#[napi(catch_unwind)]
pub fn weighted_loss(losses: Float32Array, weights: Option<Float32Array>, reduction: u32) -> napi::Result<Float32Array> {
    let reduction = Reduction::from_number(reduction).js()?;
    Ok(Float32Array::new(tensor_loss::weighted_loss(&losses, weights.as_deref(), reduction).js()?))
}

/// `tf.metrics.r2Score` over every element.
#[napi(catch_unwind)]
pub fn r2_score(y_true: Float32Array, y_pred: Float32Array) -> napi::Result<f64> {
    tensor_loss::r2_score(&y_true, &y_pred).js()
}

/// Alea's three state words for `seed` (JavaScript's `String(seed)`), written into `state[0..3]`:
/// the seeding of TF.js's shuffles and seeded random ops (the draws stay in JavaScript).
#[napi(catch_unwind)]
pub fn alea_state(env: &Env, seed: Utf16String, mut state: Float64Array) -> napi::Result<()> {
    // SAFETY: the array is only touched here, synchronously on the JavaScript thread.
    let words = unsafe { state.as_mut() };
    let Some(words) = words.get_mut(..3) else {
        return Err(dense_mtl_core::Error::invalid(format!("aleaState: state must hold 3 numbers but holds {}", state.len()))).js();
    };
    words.copy_from_slice(&dense_mtl_core::alea::alea_state(&seed));
    state.write_back(env);
    Ok(())
}
