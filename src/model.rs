//! `NativeModel`: a model graph with its weights, compile state and optimizer.

use crate::convert::{shared, slices, to_typed};
use crate::error::{to_js, IntoJs};
use crate::options;
use crate::shared::{lock, Shared};
use crate::trainer::{NativeEvaluation, NativeTrainer, TrainBatchTask};
use dense_mtl_core::model::Batchable;
use dense_mtl_core::{Dataset, Error, Graph, Model, Trainer};
use napi::bindgen_prelude::{AsyncTask, Env, Float32Array, Float32ArraySlice, Unknown};
use napi_derive::napi;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// A weight's name and shape.
#[napi(object)]
pub struct WeightInfo {
    pub name: String,
    pub shape: Vec<u32>,
    pub trainable: bool,
}

#[napi(object)]
pub struct NamedWeight {
    pub name: String,
    pub shape: Vec<u32>,
    pub values: Float32Array,
}

#[napi(object)]
pub struct OptimizerState {
    pub iterations: f64,
    pub weights: Vec<NamedWeight>,
}

#[napi]
pub struct NativeModel {
    pub(crate) shared: Arc<Shared>,
}

#[napi]
impl NativeModel {
    /// Builds the graph described by `spec` and initializes its weights.
    #[napi(constructor, catch_unwind)]
    pub fn new(spec: serde_json::Value) -> napi::Result<Self> {
        let graph = Graph::build(&options::model_spec(spec)?).js()?;
        Ok(NativeModel { shared: Arc::new(Shared::new(Model::new(graph))) })
    }

    /// Sets losses, metrics, loss weights and the optimizer (a new optimizer state).
    #[napi(catch_unwind)]
    pub fn compile(&self, spec: serde_json::Value) -> napi::Result<()> {
        let config = options::compile_config(spec)?;
        let mut model = lock(&self.shared);
        // The core validates everything before changing the model (no copy of the weights here).
        model.compile(&config).js()?;
        *self.shared.batch_cache.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }

    #[napi(catch_unwind)]
    pub fn is_compiled(&self) -> bool {
        lock(&self.shared).is_compiled()
    }

    /// Log keys in TF.js order.
    #[napi(catch_unwind)]
    pub fn metrics_names(&self) -> Vec<String> {
        lock(&self.shared).metrics_names()
    }

    /// Names and shapes of the weights, in `model.weights` order.
    #[napi(catch_unwind)]
    pub fn weight_info(&self) -> Vec<WeightInfo> {
        let model = lock(&self.shared);
        let g = &model.graph;
        g.weight_order()
            .into_iter()
            .map(|(li, wi)| {
                let layer = &g.layers[li];
                let param = &layer.params()[wi];
                WeightInfo {
                    name: format!("{}/{}", layer.name, param.name),
                    shape: param.shape.iter().map(|&d| d as u32).collect(),
                    trainable: layer.learns(wi),
                }
            })
            .collect()
    }

    /// Copies of every weight, in `model.weights` order.
    #[napi(catch_unwind)]
    pub fn get_weights(&self) -> Vec<Float32Array> {
        let model = lock(&self.shared);
        let g = &model.graph;
        to_typed(g.weight_order().into_iter().map(|(li, wi)| g.layers[li].params()[wi].values.clone()).collect())
    }

    /// Replaces every weight; checks all counts and sizes before changing any.
    #[napi(catch_unwind)]
    pub fn set_weights(&self, weights: Vec<Float32Array>) -> napi::Result<()> {
        lock(&self.shared).set_weight_values(&slices(&weights)).js()
    }

    /// The optimizer state in TF.js's save order (`iter`, then every slot of every trainable
    /// weight), or null before compile.
    #[napi(catch_unwind)]
    pub fn optimizer_state(&self) -> Option<OptimizerState> {
        let model = lock(&self.shared);
        let (iterations, slots) = model.optimizer_state()?;
        Some(OptimizerState {
            iterations: iterations as f64,
            weights: slots
                .into_iter()
                .map(|(name, shape, values)| NamedWeight { name, shape: shape.into_iter().map(|d| d as u32).collect(), values: Float32Array::new(values) })
                .collect(),
        })
    }

    /// Restores optimizer state (same order as `optimizerState`); checks everything first.
    #[napi(catch_unwind)]
    pub fn set_optimizer_state(&self, iterations: f64, values: Vec<Float32Array>) -> napi::Result<()> {
        let values: Vec<Vec<f32>> = values.iter().map(|v| v.to_vec()).collect();
        lock(&self.shared).set_optimizer_state(iterations as u64, &values).js()
    }

    /// The learning rate the next optimizer step uses (a schedule's value at the current step),
    /// or null before compile.
    #[napi(catch_unwind)]
    pub fn learning_rate(&self) -> Option<f64> {
        lock(&self.shared).optimizer.as_ref().map(|o| f64::from(o.current_learning_rate()))
    }

    /// Sets a constant learning rate from the next step on (an error for a schedule).
    #[napi(catch_unwind)]
    pub fn set_learning_rate(&self, learning_rate: f64) -> napi::Result<()> {
        let mut model = lock(&self.shared);
        let optimizer = model.optimizer.as_mut().ok_or_else(|| to_js(Error::NotCompiled("learningRate: the model is not compiled".into())))?;
        optimizer.set_learning_rate(learning_rate as f32).js()
    }

    /// The multi-task balancing state (method, weights, log-variances and their optimizer
    /// state, ...), or null before compile.
    #[napi(catch_unwind)]
    pub fn task_state(&self) -> napi::Result<Option<serde_json::Value>> {
        let Some(state) = lock(&self.shared).task_state() else { return Ok(None) };
        // What could not be loaded is not written either (serde would write a NaN as null).
        state.balancer.check_state(state.log_variance_slots.as_ref()).js()?;
        serde_json::to_value(state).map(Some).map_err(|e| napi::Error::from_reason(format!("taskState: {e}")))
    }

    /// Restores a state from `taskState` (the model must be compiled with the same method).
    #[napi(catch_unwind)]
    pub fn set_task_state(&self, env: Env, state: Unknown) -> napi::Result<()> {
        let state = options::task_state(&env, state)?;
        lock(&self.shared).set_task_state(state).js()
    }

    /// Changes the compiled loss weights, keeping optimizer and balancing state.
    #[napi(catch_unwind)]
    pub fn set_loss_weights(&self, weights: Vec<f64>) -> napi::Result<()> {
        let weights: Vec<f32> = weights.into_iter().map(|w| w as f32).collect();
        lock(&self.shared).set_loss_weights(&weights).js()
    }

    #[napi(catch_unwind)]
    pub fn count_params(&self) -> u32 {
        lock(&self.shared).graph.count_params() as u32
    }

    /// One array per output, `rows × width` row-major.
    #[napi(catch_unwind)]
    pub fn predict(&self, xs: Vec<Float32ArraySlice>, rows: u32, batch_size: u32) -> napi::Result<Vec<Float32Array>> {
        let model = lock(&self.shared);
        let mut cache = self.shared.predict_cache.lock().unwrap_or_else(|p| p.into_inner());
        let xs: Vec<&[f32]> = xs.iter().map(|x| &x[..]).collect();
        Ok(to_typed(model.predict_with(&mut cache, &xs, rows as usize, batch_size as usize).js()?))
    }

    /// `[loss, per-output losses, metrics]` over the data.
    #[napi(catch_unwind)]
    pub fn evaluate(&self, xs: Vec<Float32Array>, ys: Vec<Float32Array>, rows: u32, batch_size: u32) -> napi::Result<Vec<f64>> {
        let model = lock(&self.shared);
        let data = Batchable { xs: slices(&xs), ys: slices(&ys), sample_weights: Vec::new(), rows: rows as usize };
        model.evaluate_rows(&data, batch_size as usize).js()
    }

    /// One optimizer step on the whole batch, on a worker thread; resolves with the logs in
    /// `metricsNames` order. Refused while a fit runs.
    #[napi(ts_return_type = "Promise<Array<number>>")]
    pub fn train_batch(&self, xs: Vec<Float32Array>, ys: Vec<Float32Array>, rows: u32, options: serde_json::Value) -> napi::Result<AsyncTask<TrainBatchTask>> {
        Ok(AsyncTask::new(self.batch_task(xs, ys, rows, options)?))
    }

    /// `trainBatch` on the calling thread: for batches so small that handing them to a worker
    /// thread would cost more than the step itself.
    #[napi(catch_unwind)]
    pub fn train_batch_sync(&self, xs: Vec<Float32Array>, ys: Vec<Float32Array>, rows: u32, options: serde_json::Value) -> napi::Result<Vec<f64>> {
        self.batch_task(xs, ys, rows, options)?.run()
    }

    fn batch_task(&self, xs: Vec<Float32Array>, ys: Vec<Float32Array>, rows: u32, options: serde_json::Value) -> napi::Result<TrainBatchTask> {
        let class_weights = options::train_batch_class_weights(options)?;
        self.shared.refuse_if_training()?;
        Ok(TrainBatchTask { shared: self.shared.clone(), xs: shared(xs), ys: shared(ys), rows: rows as usize, class_weights })
    }

    /// Starts a fit: validates everything and copies the data once; nothing changes in the model
    /// until the returned trainer runs.
    #[napi(catch_unwind)]
    pub fn start_fit(
        &self,
        xs: Vec<Float32Array>,
        ys: Vec<Float32Array>,
        rows: u32,
        validation: Option<(Vec<Float32Array>, Vec<Float32Array>, u32)>,
        sample_weights: Option<Vec<Option<Float32Array>>>,
        options: serde_json::Value,
    ) -> napi::Result<NativeTrainer> {
        let config = options::fit_config("fit", options)?;
        self.shared.refuse_if_training()?;
        let weights = sample_weights.unwrap_or_default().iter().map(|w| w.as_ref().map(|w| w.to_vec())).collect();
        let train = Dataset::shared(shared(xs), shared(ys), rows as usize).with_sample_weights(weights);
        let validation = validation.map(|(vx, vy, vr)| Dataset::shared(shared(vx), shared(vy), vr as usize));
        let trainer = Trainer::new(&lock(&self.shared), train, validation, config).js()?;
        self.begin_training(trainer)
    }

    /// Starts a fit on batches handed over later (`fitDataset`), with optional validation
    /// arrays or a validation dataset (`validates`, evaluated by the caller at each epoch end);
    /// `options.batchSize` is the validation batch size.
    #[napi(catch_unwind)]
    pub fn start_batch_fit(
        &self,
        validation: Option<(Vec<Float32Array>, Vec<Float32Array>, u32)>,
        validates: bool,
        options: serde_json::Value,
    ) -> napi::Result<NativeTrainer> {
        let config = options::fit_config("fitDataset", options)?;
        self.shared.refuse_if_training()?;
        let validation = validation.map(|(vx, vy, vr)| Dataset::shared(shared(vx), shared(vy), vr as usize));
        let trainer = Trainer::for_batches(&lock(&self.shared), validation, validates, config).js()?;
        self.begin_training(trainer)
    }

    fn begin_training(&self, trainer: Trainer) -> napi::Result<NativeTrainer> {
        let trainer = NativeTrainer::new(self.shared.clone(), trainer);
        self.shared.training.store(true, Ordering::SeqCst);
        Ok(trainer)
    }

    /// Starts an evaluation over batches handed over later (`evaluateDataset`).
    #[napi(catch_unwind)]
    pub fn start_evaluation(&self) -> napi::Result<NativeEvaluation> {
        NativeEvaluation::new(self.shared.clone())
    }

    /// `model.stopTraining`: a running fit stops after its current batch.
    #[napi]
    pub fn set_stop_training(&self, stop: bool) {
        self.shared.signals.stop.store(stop, Ordering::SeqCst);
    }
}
