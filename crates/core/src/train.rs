//! The training loop of `fit` and `fitDataset`: batching (or batches handed over a chunk at a
//! time), shuffling, epoch means over labelled rows, validation with the epoch's final weights,
//! multi-task epoch ends; advanced in slices so that the caller returns to JavaScript between
//! batches or epochs only when a callback needs it, and stopped between two batches by a flag.

use crate::error::{Error, Result};
use crate::model::{Batchable, ClassWeights, Model, StepBuffers};
use crate::rng::Rng;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// `fit` options that the core needs (callbacks and printing stay in JavaScript).
#[derive(Clone, Debug, Default)]
pub struct FitConfig {
    /// Rows per batch (the last batch of an epoch may have fewer).
    pub batch_size: usize,
    /// The epoch to stop before (TF.js's `epochs`: with `initial_epoch`, the last epoch + 1).
    pub epochs: usize,
    /// The epoch to start at (to resume a fit).
    pub initial_epoch: usize,
    /// Whether rows are reshuffled before each epoch.
    pub shuffle: bool,
    /// Seeds the shuffling, dropout and random task balancing, for a reproducible fit.
    pub seed: Option<u64>,
    /// Fraction of rows, taken from the end before shuffling, held out for validation.
    pub validation_split: f64,
    /// Per output, an optional weight per class index.
    pub class_weights: ClassWeights,
}

impl FitConfig {
    /// `epochs` epochs over shuffled batches of `batch_size` rows (TF.js's defaults otherwise).
    pub fn new(epochs: usize, batch_size: usize) -> Self {
        FitConfig { epochs, batch_size, shuffle: true, ..FitConfig::default() }
    }

    /// Sets the seed (see [`seed`](Self::seed)).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }
}

/// Row-major values a fit reads: a vector, or memory shared with the caller (the binding
/// passes JavaScript typed arrays, kept alive for the fit, so that a fit does not copy its data).
pub type Values = Arc<dyn AsRef<[f32]> + Send + Sync>;

/// Training data: rows `first..first + rows` of each array.
pub struct Dataset {
    /// One array per model input, row-major.
    pub xs: Vec<Values>,
    /// One array per model output, row-major.
    pub ys: Vec<Values>,
    /// Per output, an optional weight per row (empty: none at all).
    pub sample_weights: Vec<Option<Values>>,
    /// Rows in the dataset.
    pub rows: usize,
    first: usize,
    /// Rows in the underlying arrays (to tell each array's width).
    total: usize,
}

impl Dataset {
    /// Inputs and targets without sample weights, from vectors.
    pub fn new(xs: Vec<Vec<f32>>, ys: Vec<Vec<f32>>, rows: usize) -> Self {
        let shared = |v: Vec<Vec<f32>>| v.into_iter().map(|a| Arc::new(a) as Values).collect();
        Dataset::shared(shared(xs), shared(ys), rows)
    }

    /// Inputs and targets without sample weights, from shared arrays.
    pub fn shared(xs: Vec<Values>, ys: Vec<Values>, rows: usize) -> Self {
        Dataset { xs, ys, sample_weights: Vec::new(), rows, first: 0, total: rows }
    }

    /// Sets the per-output sample weights.
    pub fn with_sample_weights(mut self, weights: Vec<Option<Vec<f32>>>) -> Self {
        self.sample_weights = weights.into_iter().map(|w| w.map(|w| Arc::new(w) as Values)).collect();
        self
    }

    /// Rows `first..first + rows` of the dataset as a new one sharing the same arrays; an
    /// error when the range goes past the last row.
    pub fn range(&self, first: usize, rows: usize) -> Result<Dataset> {
        if first.checked_add(rows).is_none_or(|end| end > self.rows) {
            return Err(Error::invalid(format!("dataset: rows {first}..{} are out of range for {} rows", first.saturating_add(rows), self.rows)));
        }
        let (xs, ys, sample_weights) = (self.xs.clone(), self.ys.clone(), self.sample_weights.clone());
        Ok(Dataset { xs, ys, sample_weights, rows, first: self.first + first, total: self.total })
    }

    /// The dataset's rows of one array; an error (never the whole array) when they are not in it.
    fn rows_of<'a>(&self, values: &'a Values) -> Result<&'a [f32]> {
        let all = (**values).as_ref();
        let width = all.len().checked_div(self.total).unwrap_or(0);
        let (start, end) = (self.first * width, (self.first + self.rows) * width);
        all.get(start..end).ok_or_else(|| {
            Error::invalid(format!("dataset: rows {}..{} are out of range for an array of {} values", self.first, self.first + self.rows, all.len()))
        })
    }

    /// The dataset's rows of every array, as slices.
    pub fn view(&self) -> Result<Batchable<'_>> {
        Ok(Batchable {
            xs: self.xs.iter().map(|x| self.rows_of(x)).collect::<Result<_>>()?,
            ys: self.ys.iter().map(|y| self.rows_of(y)).collect::<Result<_>>()?,
            sample_weights: self.sample_weights.iter().map(|w| w.as_ref().map(|w| self.rows_of(w)).transpose()).collect::<Result<_>>()?,
            rows: self.rows,
        })
    }

    /// No rows (what a source holds while its rows are lent out).
    fn empty() -> Dataset {
        Dataset { xs: Vec::new(), ys: Vec::new(), sample_weights: Vec::new(), rows: 0, first: 0, total: 0 }
    }

    /// Splits the last `n` rows off into a new dataset (sharing the same arrays).
    fn split_off_tail(&mut self, n: usize) -> Result<Dataset> {
        let tail = self.range(self.rows - n, n)?;
        self.rows -= n;
        Ok(tail)
    }
}

/// When [`Trainer::run`] must hand control back.
#[derive(Clone, Copy, Debug)]
pub struct RunLimits {
    /// Stop after this many epochs end (counting the one in progress).
    pub epochs: usize,
    /// Stop after this many batches.
    pub batches: usize,
    /// Stop after the first batch that ends past this instant.
    pub deadline: Option<Instant>,
    /// Record every batch's logs (for onBatchEnd callbacks and the progress bar).
    pub record_batches: bool,
}

/// Flags another thread sets while a fit runs; read between batches.
#[derive(Debug, Default)]
pub struct Signals {
    /// `model.stopTraining = true`, or the process or worker is going away.
    pub stop: AtomicBool,
    /// How many threads wait for the model (to predict, read weights, ...): the fit hands the
    /// model over between two batches.
    pub readers: AtomicUsize,
}

/// What happened during one [`Trainer::run`].
#[derive(Debug, Default)]
pub struct RunReport {
    /// `(batch index, batch size, logs)` for each batch, when recorded.
    pub batches: Vec<(usize, usize, Vec<f64>)>,
    /// `(epoch, logs)` for each epoch that ended; logs hold the training values, the task
    /// weights, then the validation values, in [`Trainer::log_names`] order.
    pub epochs: Vec<(usize, Vec<f64>)>,
    /// How many batches were trained.
    pub trained: usize,
    /// Whether every epoch has run (for a fit on arrays), or every batch handed over has (for
    /// a fit on batches).
    pub done: bool,
    /// The stop flag was seen: the fit stopped after a whole batch.
    pub stopped: bool,
    /// Another thread waits for the model: the run returned between two batches so that the
    /// caller can let it in, then call `run` again.
    pub paused: bool,
    /// Training diverged: the loss or a gradient of the next batch was not finite, and that
    /// batch's update was not applied. Everything before it stands.
    pub diverged: Option<Error>,
}

/// Where a fit's batches come from.
enum Source {
    /// `fit`: every row in memory; batches are drawn here, shuffled per epoch.
    Rows { data: Dataset, order: Vec<usize> },
    /// `fitDataset`: batches of rows handed over by the caller, a chunk at a time.
    Batches(Option<Chunk>),
}

/// Consecutive batches of rows, `sizes[b]` rows each.
struct Chunk {
    data: Dataset,
    sizes: Vec<usize>,
    /// The next batch and its first row.
    next: usize,
    row: usize,
}

/// Loss and metric sums over batches, each value weighted by the rows it stands for (the
/// labelled rows of its output): the epoch means of a fit and the results of an evaluation.
#[derive(Clone, Debug, Default)]
pub struct Means {
    sums: Vec<f64>,
    totals: Vec<f64>,
}

impl Means {
    /// Sums for `names` log values.
    pub fn new(names: usize) -> Self {
        Means { sums: vec![0.0; names], totals: vec![0.0; names] }
    }

    fn clear(&mut self) {
        self.sums.iter_mut().for_each(|s| *s = 0.0);
        self.totals.iter_mut().for_each(|s| *s = 0.0);
    }

    /// Empty sums for `names` values (no allocation once they have been that long).
    pub(crate) fn reset(&mut self, names: usize) {
        for v in [&mut self.sums, &mut self.totals] {
            v.clear();
            v.resize(names, 0.0);
        }
    }

    pub(crate) fn add(&mut self, values: &[f64], counts: &[f64]) {
        for k in 0..self.sums.len() {
            if counts[k] > 0.0 {
                self.sums[k] += values[k] * counts[k];
                self.totals[k] += counts[k];
            }
        }
    }

    /// Whether any batch was added.
    pub fn is_empty(&self) -> bool {
        self.totals.first().is_none_or(|t| *t == 0.0)
    }

    /// The means (NaN for a value over no rows).
    pub fn values(&self) -> Vec<f64> {
        self.sums.iter().zip(&self.totals).map(|(s, n)| if *n > 0.0 { s / n } else { f64::NAN }).collect()
    }
}

/// An evaluation over batches handed over a chunk at a time (`evaluateDataset`, a fit's
/// validation dataset): values are means over the labelled rows of each output.
pub struct Evaluation {
    means: Means,
    buffers: Option<StepBuffers>,
    logs: Vec<f64>,
    counts: Vec<f64>,
}

impl Evaluation {
    /// An evaluation of `model` (which must be compiled) with nothing added yet.
    pub fn new(model: &Model) -> Result<Evaluation> {
        model.require_compiled("training/testing")?;
        let names = model.metrics_names().len();
        Ok(Evaluation { means: Means::new(names), buffers: None, logs: vec![0.0; names], counts: vec![0.0; names] })
    }

    /// Evaluates consecutive batches of `sizes[b]` rows of `data` (checked first).
    pub fn add(&mut self, model: &Model, data: &Dataset, sizes: &[usize], what: &str) -> Result<()> {
        check_sizes(data, sizes, what)?;
        check(model, data, what)?;
        let largest = sizes.iter().copied().max().unwrap_or(0);
        ensure_buffers(model, &mut self.buffers, largest, false)?;
        let buf = self.buffers.as_mut().expect("just made");
        let view = data.view()?;
        let mut start = 0;
        for &rows in sizes {
            model.eval_batch(buf, &view, start, rows, &mut self.logs, &mut self.counts);
            self.means.add(&self.logs, &self.counts);
            start += rows;
        }
        Ok(())
    }

    /// The means so far.
    pub fn means(&self) -> &Means {
        &self.means
    }
}

/// The one training loop: `fit` on arrays and `fitDataset` on batches. It trains batch after
/// batch, keeps the epoch means (per output over labelled rows), validates when an epoch's
/// weights are final, then ends the epoch for multi-task balancing.
pub struct Trainer {
    source: Source,
    validation: Option<Dataset>,
    config: FitConfig,
    buffers: Option<StepBuffers>,
    validation_buffers: Option<StepBuffers>,
    rng: Rng,
    epoch: usize,
    /// The next batch of the epoch.
    batch: usize,
    means: Means,
    batch_logs: Vec<f64>,
    batch_counts: Vec<f64>,
    /// Rows of the batch being trained (chunk rows).
    indices: Vec<usize>,
    signals: Option<Arc<Signals>>,
    /// Validation values come from the caller (a validation dataset).
    validated_by_caller: bool,
    /// Whether the balancer's and the layers' random streams were seeded from `config.seed` (on the first run).
    balancer_seeded: bool,
}

impl Trainer {
    /// A fit on arrays: validates the data and options against the model and prepares the
    /// buffers. Nothing in the model changes here.
    pub fn new(model: &Model, mut train: Dataset, validation: Option<Dataset>, config: FitConfig) -> Result<Trainer> {
        model.require_compiled("training/testing")?;
        if config.batch_size == 0 {
            return Err(Error::invalid("fit: batchSize must be a positive integer but got 0"));
        }
        if !(0.0..1.0).contains(&config.validation_split) {
            return Err(Error::invalid(format!("fit: validationSplit must be in [0, 1) but got {}", config.validation_split)));
        }
        check(model, &train, "fit")?;
        if let Some(v) = &validation {
            check(model, v, "fit: validationData")?;
        }
        let validation = match validation {
            Some(v) => Some(v),
            None if config.validation_split > 0.0 => {
                let split_at = (train.rows as f64 * (1.0 - config.validation_split)).floor() as usize;
                if split_at == 0 || split_at == train.rows {
                    return Err(Error::invalid(format!(
                        "fit: validationSplit {} of {} rows leaves no rows for {}",
                        config.validation_split,
                        train.rows,
                        if split_at == 0 { "training" } else { "validation" }
                    )));
                }
                Some(train.split_off_tail(train.rows - split_at)?)
            }
            None => None,
        };
        if train.rows == 0 {
            return Err(Error::invalid("fit: x has no rows"));
        }
        check_labels(model, &train)?;
        let capacity = config.batch_size.min(train.rows);
        model.check_memory(capacity, true)?;
        let order = (0..train.rows).collect();
        let mut trainer = Trainer::with_source(model, Source::Rows { data: train, order }, validation, config);
        trainer.buffers = Some(model.buffers(capacity, true)?);
        Ok(trainer)
    }

    /// A fit on batches handed over with [`push`](Self::push) (`fitDataset`); the caller ends
    /// each epoch with [`end_epoch_with`](Self::end_epoch_with). `config.batch_size` is the validation
    /// batch size; `validation`, when given, is evaluated at each epoch end; with
    /// `validated_by_caller`, the caller hands the validation values to each epoch end instead.
    pub fn for_batches(model: &Model, validation: Option<Dataset>, validated_by_caller: bool, config: FitConfig) -> Result<Trainer> {
        model.require_compiled("training/testing")?;
        if config.batch_size == 0 {
            return Err(Error::invalid("fitDataset: validationBatchSize must be a positive integer but got 0"));
        }
        if let Some(v) = &validation {
            check(model, v, "fitDataset: validationData")?;
        }
        let mut trainer = Trainer::with_source(model, Source::Batches(None), validation, config);
        trainer.validated_by_caller = validated_by_caller;
        Ok(trainer)
    }

    fn with_source(model: &Model, source: Source, validation: Option<Dataset>, config: FitConfig) -> Trainer {
        let names = model.metrics_names().len();
        Trainer {
            source,
            validation_buffers: None,
            validation,
            buffers: None,
            rng: Rng::new(config.seed),
            epoch: config.initial_epoch,
            batch: 0,
            means: Means::new(names),
            batch_logs: vec![0.0; names],
            batch_counts: vec![0.0; names],
            indices: Vec::new(),
            signals: None,
            validated_by_caller: false,
            balancer_seeded: false,
            config,
        }
    }

    /// Flags read between batches (stop, readers waiting for the model).
    pub fn set_signals(&mut self, signals: Arc<Signals>) {
        self.signals = Some(signals);
    }

    /// Rows used for training (after any validation split); 0 for a fit on batches.
    pub fn samples(&self) -> usize {
        match &self.source {
            Source::Rows { data, .. } => data.rows,
            Source::Batches(_) => 0,
        }
    }

    /// Whether validation runs at the end of each epoch.
    pub fn has_validation(&self) -> bool {
        self.validation.is_some() || self.validated_by_caller
    }

    /// Batches per epoch (of a fit on arrays).
    pub fn steps_per_epoch(&self) -> usize {
        self.samples().div_ceil(self.config.batch_size)
    }

    /// The epoch the next batch belongs to.
    pub fn current_epoch(&self) -> usize {
        self.epoch
    }

    /// Batches run in the epoch in progress.
    pub fn batches_in_epoch(&self) -> usize {
        self.batch
    }

    /// Keys of an epoch's logs: the model's metric names, the task weights (`<output>_weight`,
    /// when they adapt), then the metric names with `val_` when validating.
    pub fn log_names(&self, model: &Model) -> Vec<String> {
        let mut names = model.metrics_names();
        let objective = model.weight_names().is_empty().then(Vec::new).unwrap_or_else(|| vec!["objective".to_string()]);
        names.extend(objective.iter().cloned());
        let val: Vec<String> = if self.has_validation() { names.iter().map(|n| format!("val_{n}")).collect() } else { Vec::new() };
        names.into_iter().chain(model.weight_names()).chain(val).collect()
    }

    /// Hands over the next batches of a fit on batches: consecutive batches of `sizes[b]` rows
    /// of `data`. Checked here; trained by [`run`](Self::run).
    pub fn push(&mut self, model: &Model, data: Dataset, sizes: Vec<usize>) -> Result<()> {
        let Source::Batches(pending) = &self.source else {
            return Err(Error::invalid("fit: this fit trains on its own arrays; batches cannot be added"));
        };
        if pending.as_ref().is_some_and(|c| c.next < c.sizes.len()) {
            return Err(Error::invalid("fitDataset: the previous batches have not all been trained yet"));
        }
        check_sizes(&data, &sizes, "fitDataset")?;
        check(model, &data, "fitDataset")?;
        let largest = sizes.iter().copied().max().unwrap_or(0);
        ensure_buffers(model, &mut self.buffers, largest, true)?;
        self.source = Source::Batches(Some(Chunk { data, sizes, next: 0, row: 0 }));
        Ok(())
    }

    /// Trains until one of `limits` is reached, every epoch has run, or (for a fit on
    /// batches) every batch handed over has run.
    pub fn run(&mut self, model: &mut Model, limits: RunLimits) -> Result<RunReport> {
        model.reserve_training_state()?;
        if let (false, Some(seed), Some(balancer)) = (self.balancer_seeded, self.config.seed, model.balancer.as_mut()) {
            // PCGrad's order and RLW's weights follow fit({seed}) too.
            balancer.seed(seed);
        }
        if let (false, Some(seed), Some(buffers)) = (self.balancer_seeded, self.config.seed, self.buffers.as_mut()) {
            // So do unseeded dropout masks and the noise layers' draws.
            buffers.ws.rng = Rng::new(Some(seed ^ 0x6e6f_6973_655f_7773));
        }
        self.balancer_seeded = true;
        // Small models never split work across threads: skip the hand-off to the pool.
        let batch_size = match &self.source {
            Source::Rows { .. } => self.config.batch_size,
            Source::Batches(chunk) => chunk.as_ref().map_or(1, |c| c.sizes.iter().copied().max().unwrap_or(1)),
        };
        if crate::matmul::worth_parallel(model.graph.largest_product(batch_size), model.graph.count_params()) {
            crate::matmul::with_pool(|| self.run_in_pool(model, limits))
        } else {
            self.run_in_pool(model, limits)
        }
    }

    /// Runs with the rows' view made once per call, not once per batch: the data is taken out
    /// of the source meanwhile (the loop moves only the source's cursor).
    fn run_in_pool(&mut self, model: &mut Model, limits: RunLimits) -> Result<RunReport> {
        let data = self.data_mut().map_or_else(Dataset::empty, |d| std::mem::replace(d, Dataset::empty()));
        // The data's rows were checked when it came (`new`, `push`).
        let report = data.view().and_then(|view| self.run_batches(model, limits, &view));
        if let Some(d) = self.data_mut() {
            *d = data;
        }
        report
    }

    /// The rows the source trains on (none before a fit on batches receives any).
    fn data_mut(&mut self) -> Option<&mut Dataset> {
        match &mut self.source {
            Source::Rows { data, .. } => Some(data),
            Source::Batches(chunk) => chunk.as_mut().map(|c| &mut c.data),
        }
    }

    fn run_batches(&mut self, model: &mut Model, limits: RunLimits, data: &Batchable) -> Result<RunReport> {
        let mut report = RunReport::default();
        let mut batches_run = 0;
        loop {
            if self.stop_requested() {
                report.stopped = true;
                break;
            }
            if batches_run > 0 && self.readers_waiting() {
                report.paused = true;
                break;
            }
            let Some(size) = self.prepare_batch() else {
                break;
            };
            if let Err(what) = self.train_batch(model, size, data) {
                report.diverged = Some(self.divergence(model, what));
                break;
            }
            self.means.add(&self.batch_logs, &self.batch_counts);
            if limits.record_batches {
                // A value over no labelled row is undefined (NaN), as trainOnBatch reports it.
                let logs = self.batch_logs.iter().zip(&self.batch_counts).map(|(v, n)| if *n > 0.0 { *v } else { f64::NAN }).collect();
                report.batches.push((self.batch, size, logs));
            }
            self.batch += 1;
            batches_run += 1;
            report.trained = batches_run;
            if self.epoch_complete() {
                report.epochs.push((self.epoch, self.end_epoch(model)?));
                if report.epochs.len() >= limits.epochs {
                    break;
                }
            }
            if batches_run >= limits.batches || limits.deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
        }
        report.done = match &self.source {
            Source::Rows { .. } => self.epoch >= self.config.epochs,
            Source::Batches(chunk) => chunk.as_ref().is_none_or(|c| c.next >= c.sizes.len()),
        };
        Ok(report)
    }

    fn stop_requested(&self) -> bool {
        self.signals.as_ref().is_some_and(|s| s.stop.load(Ordering::Relaxed))
    }

    fn readers_waiting(&self) -> bool {
        self.signals.as_ref().is_some_and(|s| s.readers.load(Ordering::Relaxed) > 0)
    }

    /// Sets `indices` to the rows of the next batch and returns its size; None when there is
    /// none (every epoch has run, or every batch handed over has).
    fn prepare_batch(&mut self) -> Option<usize> {
        match &mut self.source {
            Source::Rows { order, .. } => {
                if self.epoch >= self.config.epochs {
                    return None;
                }
                if self.batch == 0 {
                    self.means.clear();
                    if self.config.shuffle {
                        self.rng.shuffle(order);
                    }
                }
                let start = self.batch * self.config.batch_size;
                let end = (start + self.config.batch_size).min(order.len());
                self.indices.clear();
                self.indices.extend_from_slice(&order[start..end]);
                Some(end - start)
            }
            Source::Batches(chunk) => {
                let chunk = chunk.as_mut()?;
                let size = *chunk.sizes.get(chunk.next)?;
                self.indices.clear();
                self.indices.extend(chunk.row..chunk.row + size);
                Some(size)
            }
        }
    }

    /// One optimizer step on the prepared rows of `data`; Err (nothing applied) when it would
    /// diverge.
    fn train_batch(&mut self, model: &mut Model, size: usize, data: &Batchable) -> std::result::Result<(), String> {
        let buffers = self.buffers.as_mut().expect("buffers are made with the data");
        if let Source::Batches(chunk) = &mut self.source {
            let chunk = chunk.as_mut().expect("prepared");
            chunk.next += 1;
            chunk.row += size;
        }
        model.train_step(buffers, data, &self.indices, &self.config.class_weights, &mut self.batch_logs, &mut self.batch_counts)
    }

    fn divergence(&self, model: &Model, what: String) -> Error {
        let call = if matches!(self.source, Source::Rows { .. }) { "fit" } else { "fitDataset" };
        let fix = if model.balancer.as_ref().is_some_and(|b| b.is_adaptive()) { ", or the task weighting" } else { "" };
        Error::Diverged(format!(
            "{call}: training diverged at epoch {} (0-based), batch {}: {what}. That batch's update was not applied: the weights are those of the last finite step. Lower the learning rate or scale the targets{fix}.",
            self.epoch, self.batch
        ))
    }

    /// Whether the batch just trained was the last of its epoch (a fit on arrays; a fit on
    /// batches ends its epochs with [`end_epoch`](Self::end_epoch)).
    fn epoch_complete(&self) -> bool {
        match &self.source {
            Source::Rows { order, .. } => self.batch * self.config.batch_size >= order.len(),
            Source::Batches(_) => false,
        }
    }

    /// The training logs of the epoch in progress so far (means over the batches run), for a
    /// fit stopped mid-epoch; no validation values.
    pub fn partial_epoch_logs(&self) -> Vec<f64> {
        self.means.values()
    }

    /// Ends the epoch in progress: its training means; the validation values, computed with
    /// the epoch's final weights (from the validation arrays, or from `validated` when the
    /// caller evaluated a validation dataset); the task weights used during the epoch; then
    /// the balancing update for the next epoch (DWA).
    pub fn end_epoch_with(&mut self, model: &mut Model, validated: Option<&Means>) -> Result<Vec<f64>> {
        let mut logs = self.means.values();
        let heads = model.heads.len();
        let head_losses: Vec<f64> = if heads > 1 { logs[1..=heads].to_vec() } else { vec![logs[0]] };
        let adaptive = !model.weight_names().is_empty();
        if adaptive {
            logs.push(model.objective(&logs));
        }
        logs.extend(model.task_weights());
        let mut validation = None;
        if let Some(v) = &self.validation {
            let rows = self.config.batch_size.min(v.rows).max(1);
            ensure_buffers(model, &mut self.validation_buffers, rows, false)?;
            validation = Some(model.evaluate_with(self.validation_buffers.as_mut().expect("just made"), &v.view()?, rows)?);
        } else if self.validated_by_caller {
            let names = model.metrics_names().len();
            validation = Some(validated.map_or_else(|| vec![f64::NAN; names], |m| m.values()));
        }
        if let Some(mut v) = validation {
            if adaptive {
                v.push(model.objective(&v));
            }
            logs.extend(v);
        }
        if let Some(b) = model.balancer.as_mut() {
            b.end_epoch(&head_losses);
        }
        self.epoch += 1;
        self.batch = 0;
        self.means.clear();
        Ok(logs)
    }

    /// Ends an epoch that stopped or ran out of data before its end: the training means of the
    /// batches run; no validation and no balancing update.
    pub fn close_partial_epoch(&mut self) -> Vec<f64> {
        let logs = self.means.values();
        self.epoch += 1;
        self.batch = 0;
        self.means.clear();
        logs
    }

    fn end_epoch(&mut self, model: &mut Model) -> Result<Vec<f64>> {
        self.end_epoch_with(model, None)
    }
}

/// Makes (or grows) step buffers for batches of up to `rows` rows.
fn ensure_buffers(model: &Model, buffers: &mut Option<StepBuffers>, rows: usize, training: bool) -> Result<()> {
    if buffers.as_ref().is_some_and(|b| b.ws.capacity >= rows) {
        return Ok(());
    }
    model.check_memory(rows, training)?;
    *buffers = Some(model.buffers(rows.max(1), training)?);
    Ok(())
}

fn check_sizes(data: &Dataset, sizes: &[usize], what: &str) -> Result<()> {
    if let Some(b) = sizes.iter().position(|&s| s == 0) {
        return Err(Error::invalid(format!("{what}: batch {b} has no rows")));
    }
    let total: usize = sizes.iter().sum();
    if total != data.rows {
        return Err(Error::invalid(format!("{what}: the batch sizes add up to {total} rows but the data has {}", data.rows)));
    }
    Ok(())
}

/// A task with no label at all cannot be trained (and would make its balancing undefined).
fn check_labels(model: &Model, d: &Dataset) -> Result<()> {
    let view = d.view()?;
    for (y, head) in view.ys.iter().zip(&model.heads) {
        let labelled = y.chunks_exact(head.target_width).any(|t| !t.iter().any(|v| v.is_nan()));
        if !labelled && d.rows > 0 {
            return Err(Error::invalid(format!("fit: output '{}' has no label at all in the training data (every target row holds NaN)", head.name)));
        }
    }
    for (w, head) in view.sample_weights.iter().zip(&model.heads) {
        if let Some(w) = w {
            if w.len() != d.rows {
                return Err(Error::shape(format!("fit: sampleWeight for output '{}'", head.name), format!("{} values (one per row)", d.rows), w.len()));
            }
            if let Some(bad) = w.iter().find(|v| !v.is_finite() || **v < 0.0) {
                return Err(Error::invalid(format!("fit: sampleWeight for output '{}' must hold finite numbers >= 0 but holds {bad}", head.name)));
            }
        }
    }
    Ok(())
}

fn check(model: &Model, d: &Dataset, what: &str) -> Result<()> {
    for values in d.xs.iter().chain(&d.ys) {
        let len = (**values).as_ref().len();
        if d.total > 0 && len % d.total != 0 {
            return Err(Error::invalid(format!("{what}: an array of {len} values is not a whole number of rows ({} rows)", d.total)));
        }
    }
    let view = d.view()?;
    model.check_data(&view.xs, Some(&view.ys), d.rows, what)
}
