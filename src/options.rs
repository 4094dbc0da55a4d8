//! The wire format: the camelCase JSON options that `lib/` sends, read into core configs in this
//! one module. Nested configs with TF.js names (layers, losses, metrics, optimizers, balancing
//! methods, CSV column configs) are read by the core's own serde impls; what exists only on the
//! wire (fit options, `classWeight` keys as strings) is converted here with `TryFrom`.

use crate::error::bad_options;
use dense_mtl_core::csv::CsvConfig;
use dense_mtl_core::layers::LayerConfig;
use dense_mtl_core::model::{ClassWeights, TaskState};
use dense_mtl_core::{CompileConfig, Error, FitConfig, GraphConfig};
use napi::bindgen_prelude::{Env, Unknown};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::HashMap;

/// Reads an options object of `call` into `T`; a mismatch is an `InvalidArg` naming the call.
fn from_json<T: DeserializeOwned>(call: &str, value: serde_json::Value) -> napi::Result<T> {
    serde_json::from_value(value).map_err(|e| bad_options(call, e))
}

/// The model spec of `new NativeModel(spec)`: layers and how their nodes connect.
pub fn model_spec(spec: serde_json::Value) -> napi::Result<GraphConfig> {
    from_json("model", spec)
}

/// One layer's wire config (`layerShape`), named in errors by the layer's name.
pub fn layer_config(spec: serde_json::Value) -> napi::Result<LayerConfig> {
    let name = spec.get("name").and_then(|n| n.as_str()).unwrap_or("?").to_string();
    from_json(&format!("layer '{name}'"), spec)
}

/// `compile`'s options: optimizer, one head per output, multi-task balancing.
pub fn compile_config(spec: serde_json::Value) -> napi::Result<CompileConfig> {
    from_json("compile", spec)
}

/// `tf.data.csv`'s config, sent as JSON text: the reader parses it only when a file's rows are
/// not kept already (the text is also part of the key of kept rows).
pub fn csv_config(config: &str) -> napi::Result<CsvConfig> {
    serde_json::from_str(config).map_err(|e| bad_options("tf.data.csv", e))
}

/// A saved multi-task state, read from the JS object itself: a `serde_json::Value` cannot hold
/// the Infinity that a file may give (1e999), which the core's check then names with its field.
pub fn task_state(env: &Env, state: Unknown) -> napi::Result<TaskState> {
    // What serde calls a unit value is a JS null.
    let bad = |e: napi::Error| napi::Error::new(napi::Status::InvalidArg, format!("taskState: {}", e.reason.replace("unit value", "null")));
    env.from_js_value(state).map_err(bad)
}

/// `fit` / `fitDataset` options as `lib/` sends them (TF.js defaults already applied there).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FitOptions {
    #[serde(default)]
    batch_size: usize,
    #[serde(default)]
    epochs: usize,
    #[serde(default)]
    initial_epoch: usize,
    #[serde(default)]
    shuffle: bool,
    /// Checked in `fit_config`, where the call's name is known.
    #[serde(default)]
    seed: Option<serde_json::Value>,
    #[serde(default)]
    validation_split: f64,
    /// One entry per output: class index (a JS object key, so a string) → weight.
    #[serde(default)]
    class_weights: WireClassWeights,
}

/// `trainOnBatch` options: only the class weights.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TrainBatchOptions {
    #[serde(default)]
    class_weights: WireClassWeights,
}

/// Class weights per output as JavaScript objects give them: keys are strings.
type WireClassWeights = Vec<Option<HashMap<String, f32>>>;

/// The options of `fit` (`call` = `"fit"`) or `fitDataset` (`"fitDataset"`).
pub fn fit_config(call: &str, options: serde_json::Value) -> napi::Result<FitConfig> {
    let mut options: FitOptions = from_json(call, options)?;
    let seed = options.seed.take().filter(|v| !v.is_null()).map(|v| seed_of(call, v)).transpose().map_err(crate::error::to_js)?;
    Ok(FitConfig { seed, ..FitConfig::try_from(options).map_err(crate::error::to_js)? })
}

/// A fit's `seed`: an integer from 0 to 2^53 (what a JavaScript number holds exactly). The
/// binding hands a number past 32 bits over as a float: an integral one is an integer seed.
fn seed_of(call: &str, value: serde_json::Value) -> Result<u64, Error> {
    const MAX: u64 = 1 << 53;
    let integral = |f: &f64| f.fract() == 0.0 && (0.0..=MAX as f64).contains(f);
    value
        .as_u64()
        .or_else(|| value.as_f64().filter(integral).map(|f| f as u64))
        .filter(|&s| s <= MAX)
        .ok_or_else(|| Error::invalid(format!("{call}: seed must be a non-negative integer (at most 2^53) but got {}", as_javascript(&value))))
}

/// A wire value as JavaScript writes it: an integral number without the `.0` of a float.
fn as_javascript(value: &serde_json::Value) -> String {
    match value.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{f:.0}"),
        _ => value.to_string(),
    }
}

/// The class weights of `trainOnBatch`'s options.
pub fn train_batch_class_weights(options: serde_json::Value) -> napi::Result<ClassWeights> {
    let options: TrainBatchOptions = from_json("trainOnBatch", options)?;
    class_weights(options.class_weights).map_err(crate::error::to_js)
}

impl TryFrom<FitOptions> for FitConfig {
    type Error = Error;

    fn try_from(o: FitOptions) -> Result<Self, Error> {
        Ok(FitConfig {
            batch_size: o.batch_size,
            epochs: o.epochs,
            initial_epoch: o.initial_epoch,
            shuffle: o.shuffle,
            seed: None,
            validation_split: o.validation_split,
            class_weights: class_weights(o.class_weights)?,
        })
    }
}

/// String keys → class indices; a key that is not an index is an error naming it.
fn class_weights(wire: WireClassWeights) -> Result<ClassWeights, Error> {
    let index = |k: String| k.parse::<usize>().map_err(|_| Error::invalid(format!("fit: classWeight keys must be class indices (0, 1, ...) but got '{k}'")));
    wire.into_iter().map(|cw| cw.map(|m| m.into_iter().map(|(k, v)| Ok((index(k)?, v))).collect::<Result<HashMap<_, _>, Error>>()).transpose()).collect()
}
