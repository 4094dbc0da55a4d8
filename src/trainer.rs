//! `NativeTrainer`: a fit in progress, advanced on a worker thread by an async task.

use crate::convert::shared;
use crate::error::{catch_panic, IntoJs};
use crate::shared::{lock, Shared};
use dense_mtl_core::model::{Batchable, ClassWeights};
use dense_mtl_core::{Dataset, Evaluation, RunLimits, Trainer};
use napi::bindgen_prelude::{AsyncTask, Env, Float32Array};
use napi::Task;
use napi_derive::napi;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
    /// How many batches were trained.
    pub trained: u32,
    /// The fit saw its stop flag and stopped after a whole batch.
    pub stopped: bool,
    /// Training diverged (the message of the Error to raise); the epochs before stand.
    pub diverged: Option<String>,
}

/// A fit in progress and its model.
#[napi]
pub struct NativeTrainer {
    shared: Arc<Shared>,
    trainer: Arc<Mutex<Option<Trainer>>>,
    names: Vec<String>,
    samples: u32,
    steps: u32,
    validating: bool,
    /// Validation values of the epoch in progress, evaluated from batches the caller handed over.
    validated: Option<Evaluation>,
}

impl NativeTrainer {
    pub fn new(shared: Arc<Shared>, mut trainer: Trainer) -> Self {
        let names = trainer.log_names(&lock(&shared));
        let (samples, steps, validating) = (trainer.samples() as u32, trainer.steps_per_epoch() as u32, trainer.has_validation());
        shared.signals.stop.store(false, Ordering::SeqCst);
        trainer.set_signals(shared.signals.clone());
        NativeTrainer { shared, trainer: Arc::new(Mutex::new(Some(trainer))), names, samples, steps, validating, validated: None }
    }

    fn with_trainer<T>(&self, f: impl FnOnce(&mut Trainer) -> napi::Result<T>) -> napi::Result<T> {
        let mut guard = self.trainer.lock().unwrap_or_else(|p| p.into_inner());
        f(guard.as_mut().ok_or_else(|| napi::Error::from_reason("fit: this training run has already finished"))?)
    }
}

#[napi]
impl NativeTrainer {
    /// Keys of the epoch logs (training, task weights, then `val_` ones).
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

    /// The epoch the next batch belongs to.
    #[napi(getter)]
    pub fn epoch(&self) -> u32 {
        self.trainer.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map_or(0, |t| t.current_epoch() as u32)
    }

    /// Batches run in the epoch in progress.
    #[napi(getter)]
    pub fn batches_in_epoch(&self) -> u32 {
        self.trainer.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map_or(0, |t| t.batches_in_epoch() as u32)
    }

    /// Trains on a worker thread until a limit is reached; resolves with what happened.
    #[napi(ts_return_type = "Promise<RunResult>")]
    pub fn run(&self, options: RunOptions) -> AsyncTask<RunTask> {
        AsyncTask::new(RunTask { shared: self.shared.clone(), trainer: self.trainer.clone(), options })
    }

    /// `run` on the calling thread, for work so small that a hand-off to a worker thread would
    /// cost more than the work itself.
    #[napi(catch_unwind)]
    pub fn run_sync(&self, options: RunOptions) -> napi::Result<RunResult> {
        RunTask { shared: self.shared.clone(), trainer: self.trainer.clone(), options }.compute()
    }

    /// Hands over the next batches of a fit on batches (`fitDataset`): consecutive batches of
    /// `sizes[b]` rows of the arrays (one per model input / output).
    #[napi(catch_unwind)]
    pub fn push(&self, xs: Vec<Float32Array>, ys: Vec<Float32Array>, sizes: Vec<u32>) -> napi::Result<()> {
        let rows = sizes.iter().map(|&s| s as usize).sum();
        let data = Dataset::shared(shared(xs), shared(ys), rows);
        let model = lock(&self.shared);
        self.with_trainer(|t| t.push(&model, data, sizes.into_iter().map(|s| s as usize).collect()).js())
    }

    /// Evaluates validation batches for the epoch in progress (a validation dataset).
    #[napi(catch_unwind)]
    pub fn validate(&mut self, xs: Vec<Float32Array>, ys: Vec<Float32Array>, sizes: Vec<u32>) -> napi::Result<()> {
        let model = lock(&self.shared);
        if self.validated.is_none() {
            self.validated = Some(Evaluation::new(&model).js()?);
        }
        let sizes: Vec<usize> = sizes.into_iter().map(|s| s as usize).collect();
        let data = Dataset::shared(shared(xs), shared(ys), sizes.iter().sum());
        self.validated.as_mut().expect("just made").add(&model, &data, &sizes, "fitDataset: validationData").js()
    }

    /// Ends the epoch of a fit on batches: its logs in `logNames` order.
    #[napi(catch_unwind)]
    pub fn end_epoch(&mut self) -> napi::Result<Vec<f64>> {
        let validated = self.validated.take();
        let mut model = lock(&self.shared);
        self.with_trainer(|t| t.end_epoch_with(&mut model, validated.as_ref().map(|v| v.means())).js())
    }

    /// Ends an epoch of a fit on batches that stopped or ran out of data before its end: the
    /// training means of the batches run; no validation and no balancing update.
    #[napi(catch_unwind)]
    pub fn close_partial_epoch(&mut self) -> napi::Result<Vec<f64>> {
        self.validated = None;
        self.with_trainer(|t| Ok(t.close_partial_epoch()))
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
            let o = &self.options;
            let mut limits = RunLimits {
                epochs: o.epochs.max(1) as usize,
                batches: if o.batches == 0 { usize::MAX } else { o.batches as usize },
                deadline: (o.budget_ms > 0.0).then(|| Instant::now() + Duration::from_secs_f64(o.budget_ms / 1000.0)),
                record_batches: o.record_batches,
            };
            let mut result = RunResult { batches: Vec::new(), epochs: Vec::new(), done: false, trained: 0, stopped: false, diverged: None };
            loop {
                let report = {
                    let mut model = self.shared.model.lock().unwrap_or_else(|p| p.into_inner());
                    trainer.run(&mut model, limits).js()?
                };
                limits.epochs -= report.epochs.len();
                limits.batches -= report.trained;
                result.trained += report.trained as u32;
                result.batches.extend(report.batches.into_iter().map(|(b, s, logs)| BatchLog { batch: b as u32, size: s as u32, logs }));
                result.epochs.extend(report.epochs.into_iter().map(|(e, logs)| EpochLog { epoch: e as u32, logs }));
                (result.done, result.stopped, result.diverged) = (report.done, report.stopped, report.diverged.map(|e| e.to_string()));
                if !report.paused {
                    return Ok(result);
                }
                // A reader (predict, getWeights, ...) waits for the model: let it in before the
                // next batch.
                let wait = Instant::now();
                while self.shared.signals.readers.load(Ordering::SeqCst) > 0 && wait.elapsed() < Duration::from_millis(50) {
                    std::thread::yield_now();
                }
            }
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
        let data = Batchable {
            xs: self.xs.iter().map(|x| (**x).as_ref()).collect(),
            ys: self.ys.iter().map(|y| (**y).as_ref()).collect(),
            sample_weights: Vec::new(),
            rows: self.rows,
        };
        model.train_batch(&mut cache, &data, &self.class_weights).js()
    }
}

/// One `trainBatch` call: a step on a whole batch, off the JavaScript thread.
pub struct TrainBatchTask {
    pub shared: Arc<Shared>,
    pub xs: Vec<dense_mtl_core::train::Values>,
    pub ys: Vec<dense_mtl_core::train::Values>,
    pub rows: usize,
    pub class_weights: ClassWeights,
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

/// An evaluation over batches handed over a chunk at a time (`evaluateDataset`).
#[napi]
pub struct NativeEvaluation {
    shared: Arc<Shared>,
    evaluation: Evaluation,
}

impl NativeEvaluation {
    pub fn new(shared: Arc<Shared>) -> napi::Result<Self> {
        let evaluation = Evaluation::new(&lock(&shared)).js()?;
        Ok(NativeEvaluation { shared, evaluation })
    }
}

#[napi]
impl NativeEvaluation {
    /// Evaluates consecutive batches of `sizes[b]` rows of the arrays.
    #[napi(catch_unwind)]
    pub fn add(&mut self, xs: Vec<Float32Array>, ys: Vec<Float32Array>, sizes: Vec<u32>) -> napi::Result<()> {
        let sizes: Vec<usize> = sizes.into_iter().map(|s| s as usize).collect();
        let data = Dataset::shared(shared(xs), shared(ys), sizes.iter().sum());
        self.evaluation.add(&lock(&self.shared), &data, &sizes, "evaluateDataset").js()
    }

    /// Whether no batch was evaluated.
    #[napi(getter)]
    pub fn empty(&self) -> bool {
        self.evaluation.means().is_empty()
    }

    /// The values in `metricsNames` order: means over the rows (labelled rows per output).
    #[napi]
    pub fn values(&self) -> Vec<f64> {
        self.evaluation.means().values()
    }
}
