//! `NativeTrainer`: a fit in progress, advanced on a worker thread by an async task.

use crate::error::{catch_panic, IntoJs};
use crate::model::{lock, Shared};
use dense_mtl_core::{FitConfig, RunLimits, Trainer};
use napi::bindgen_prelude::{AsyncTask, Env};
use napi::Task;
use napi_derive::napi;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `fit` options as the JavaScript layer sends them (TF.js defaults already applied there).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FitOptions {
    #[serde(default)]
    batch_size: usize,
    #[serde(default)]
    epochs: usize,
    #[serde(default)]
    initial_epoch: usize,
    #[serde(default)]
    shuffle: bool,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    validation_split: f64,
    /// One entry per output: class index → weight.
    #[serde(default)]
    class_weights: Vec<Option<HashMap<String, f32>>>,
}

impl FitOptions {
    pub fn into_core(self) -> napi::Result<FitConfig> {
        let class_weights = self
            .class_weights
            .into_iter()
            .map(|cw| {
                cw.map(|m| {
                    m.into_iter()
                        .map(|(k, v)| {
                            k.parse::<usize>().map(|k| (k, v)).map_err(|_| {
                                napi::Error::new(napi::Status::InvalidArg, format!("fit: classWeight keys must be class indices (0, 1, ...) but got '{k}'"))
                            })
                        })
                        .collect::<napi::Result<HashMap<_, _>>>()
                })
                .transpose()
            })
            .collect::<napi::Result<Vec<_>>>()?;
        Ok(FitConfig {
            batch_size: self.batch_size,
            epochs: self.epochs,
            initial_epoch: self.initial_epoch,
            shuffle: self.shuffle,
            seed: self.seed,
            validation_split: self.validation_split,
            class_weights,
        })
    }
}

/// Limits for one `run` call.
#[napi(object)]
pub struct RunOptions {
    /// Return after this many epochs end.
    pub epochs: u32,
    /// Return after this many batches.
    pub batches: u32,
    /// Return after this many milliseconds (checked between batches); 0 for no limit.
    pub budget_ms: f64,
    /// Report each batch's logs.
    pub record_batches: bool,
}

#[napi(object)]
pub struct BatchLog {
    pub batch: u32,
    pub size: u32,
    pub logs: Vec<f64>,
}

#[napi(object)]
pub struct EpochLog {
    pub epoch: u32,
    pub logs: Vec<f64>,
}

#[napi(object)]
pub struct RunResult {
    pub batches: Vec<BatchLog>,
    pub epochs: Vec<EpochLog>,
    pub done: bool,
}

#[napi]
pub struct NativeTrainer {
    shared: Arc<Shared>,
    trainer: Arc<Mutex<Option<Trainer>>>,
    names: Vec<String>,
    samples: u32,
    steps: u32,
    validating: bool,
}

impl NativeTrainer {
    pub fn new(shared: Arc<Shared>, trainer: Trainer) -> Self {
        let names = trainer.log_names(&lock(&shared));
        let (samples, steps, validating) = (trainer.samples() as u32, trainer.steps_per_epoch() as u32, trainer.has_validation());
        NativeTrainer { shared, trainer: Arc::new(Mutex::new(Some(trainer))), names, samples, steps, validating }
    }
}

#[napi]
impl NativeTrainer {
    /// Keys of the epoch logs (training, then `val_` ones).
    #[napi(getter)]
    pub fn log_names(&self) -> Vec<String> {
        self.names.clone()
    }

    #[napi(getter)]
    pub fn samples(&self) -> u32 {
        self.samples
    }

    #[napi(getter)]
    pub fn steps_per_epoch(&self) -> u32 {
        self.steps
    }

    #[napi(getter)]
    pub fn validating(&self) -> bool {
        self.validating
    }

    /// Trains on a worker thread until a limit is reached; resolves with what happened.
    #[napi(ts_return_type = "Promise<RunResult>")]
    pub fn run(&self, options: RunOptions) -> AsyncTask<RunTask> {
        AsyncTask::new(RunTask { shared: self.shared.clone(), trainer: self.trainer.clone(), options })
    }

    /// The row order of the next epoch (instead of the shuffle).
    #[napi(catch_unwind)]
    pub fn set_next_epoch_order(&self, order: napi::bindgen_prelude::Uint32Array) -> napi::Result<()> {
        let order = order.iter().map(|&i| i as usize).collect();
        let mut guard = self.trainer.lock().unwrap_or_else(|p| p.into_inner());
        let trainer = guard.as_mut().ok_or_else(|| napi::Error::from_reason("fit: this training run has already finished"))?;
        trainer.set_next_epoch_order(order).js()
    }

    /// Training logs of the epoch in progress (for a fit stopped mid-epoch).
    #[napi]
    pub fn partial_epoch_logs(&self) -> Vec<f64> {
        self.trainer.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(|t| t.partial_epoch_logs()).unwrap_or_default()
    }

    /// Ends the fit (also when it stopped early), so that another may start.
    #[napi]
    pub fn finish(&self) {
        self.trainer.lock().unwrap_or_else(|p| p.into_inner()).take();
        self.shared.training.store(false, Ordering::SeqCst);
    }
}

pub struct RunTask {
    shared: Arc<Shared>,
    trainer: Arc<Mutex<Option<Trainer>>>,
    options: RunOptions,
}

impl Task for RunTask {
    type Output = RunResult;
    type JsValue = RunResult;

    fn compute(&mut self) -> napi::Result<RunResult> {
        catch_panic("fit", || {
            let mut guard = self.trainer.lock().unwrap_or_else(|p| p.into_inner());
            let trainer = guard.as_mut().ok_or_else(|| napi::Error::from_reason("fit: this training run has already finished"))?;
            let mut model = lock(&self.shared);
            let o = &self.options;
            let limits = RunLimits {
                epochs: o.epochs.max(1) as usize,
                batches: if o.batches == 0 { usize::MAX } else { o.batches as usize },
                deadline: (o.budget_ms > 0.0).then(|| Instant::now() + Duration::from_secs_f64(o.budget_ms / 1000.0)),
                record_batches: o.record_batches,
            };
            let report = trainer.run(&mut model, limits).js()?;
            Ok(RunResult {
                batches: report.batches.into_iter().map(|(b, s, logs)| BatchLog { batch: b as u32, size: s as u32, logs }).collect(),
                epochs: report.epochs.into_iter().map(|(e, logs)| EpochLog { epoch: e as u32, logs }).collect(),
                done: report.done,
            })
        })
    }

    fn resolve(&mut self, _env: Env, output: RunResult) -> napi::Result<RunResult> {
        Ok(output)
    }
}

impl TrainBatchTask {
    /// The step itself, shared by the async task and the synchronous call.
    pub fn run(&self) -> napi::Result<Vec<f64>> {
        let mut model = lock(&self.shared);
        let mut cache = self.shared.batch_cache.lock().unwrap_or_else(|p| p.into_inner());
        let data = dense_mtl_core::model::Batchable {
            xs: self.xs.iter().map(|x| (**x).as_ref()).collect(),
            ys: self.ys.iter().map(|y| (**y).as_ref()).collect(),
            sample_weights: Vec::new(),
            rows: self.rows,
        };
        model.train_batch(&mut cache, &data, &self.options.class_weights).js()
    }
}

/// One `trainBatch` call: a step on a whole batch, off the JavaScript thread.
pub struct TrainBatchTask {
    pub shared: Arc<Shared>,
    pub xs: Vec<dense_mtl_core::train::Values>,
    pub ys: Vec<dense_mtl_core::train::Values>,
    pub rows: usize,
    pub options: FitConfig,
}

impl Task for TrainBatchTask {
    type Output = Vec<f64>;
    type JsValue = Vec<f64>;

    fn compute(&mut self) -> napi::Result<Vec<f64>> {
        catch_panic("trainOnBatch", || self.run())
    }

    fn resolve(&mut self, _env: Env, output: Vec<f64>) -> napi::Result<Vec<f64>> {
        Ok(output)
    }
}
