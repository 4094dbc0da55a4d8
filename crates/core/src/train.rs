//! A `fit` session: batching, shuffling, epoch logs and validation, advanced in slices so that
//! the caller can return to JavaScript between batches or epochs only when a callback needs it.

use crate::error::{Error, Result};
use crate::model::{Batchable, ClassWeights, Model, StepBuffers};
use crate::rng::Rng;
use std::sync::Arc;
use std::time::Instant;

/// `fit` options that the core needs (callbacks and printing stay in JavaScript).
#[derive(Clone, Debug, Default)]
pub struct FitConfig {
    pub batch_size: usize,
    pub epochs: usize,
    pub initial_epoch: usize,
    pub shuffle: bool,
    pub seed: Option<u64>,
    /// Fraction of rows, taken from the end before shuffling, held out for validation.
    pub validation_split: f64,
    pub class_weights: ClassWeights,
}

/// Row-major values a fit reads: a vector, or memory shared with the caller (the binding
/// passes JavaScript typed arrays, kept alive for the fit, so that a fit does not copy its data).
pub type Values = Arc<dyn AsRef<[f32]> + Send + Sync>;

/// Training data: rows `first..first + rows` of each array.
pub struct Dataset {
    pub xs: Vec<Values>,
    pub ys: Vec<Values>,
    /// Per output, an optional weight per row (empty: none at all).
    pub sample_weights: Vec<Option<Values>>,
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

    fn rows_of<'a>(&self, values: &'a Values) -> &'a [f32] {
        let all = (**values).as_ref();
        let width = if self.total == 0 { 0 } else { all.len() / self.total };
        all.get(self.first * width..(self.first + self.rows) * width).unwrap_or(all)
    }

    fn view(&self) -> Batchable<'_> {
        Batchable {
            xs: self.xs.iter().map(|x| self.rows_of(x)).collect(),
            ys: self.ys.iter().map(|y| self.rows_of(y)).collect(),
            sample_weights: self.sample_weights.iter().map(|w| w.as_ref().map(|w| self.rows_of(w))).collect(),
            rows: self.rows,
        }
    }

    /// Splits the last `n` rows off into a new dataset (sharing the same arrays).
    fn split_off_tail(&mut self, n: usize) -> Dataset {
        let keep = self.rows - n;
        self.rows = keep;
        Dataset { xs: self.xs.clone(), ys: self.ys.clone(), sample_weights: self.sample_weights.clone(), rows: n, first: self.first + keep, total: self.total }
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

/// What happened during one [`Trainer::run`].
#[derive(Debug, Default)]
pub struct RunReport {
    /// `(batch index, batch size, logs)` for each batch, when recorded.
    pub batches: Vec<(usize, usize, Vec<f64>)>,
    /// `(epoch, logs)` for each epoch that ended; logs hold the training values then the
    /// validation values, in [`Trainer::log_names`] order.
    pub epochs: Vec<(usize, Vec<f64>)>,
    /// Whether every epoch has run.
    pub done: bool,
}

/// A fit in progress.
pub struct Trainer {
    train: Dataset,
    validation: Option<Dataset>,
    config: FitConfig,
    order: Vec<usize>,
    buffers: StepBuffers,
    validation_buffers: Option<StepBuffers>,
    rng: Rng,
    epoch: usize,
    batch: usize,
    /// An order the caller chose for the next epoch (replaces the shuffle; may leave rows out).
    next_order: Option<Vec<usize>>,
    sums: Vec<f64>,
    totals: Vec<f64>,
    batch_logs: Vec<f64>,
    batch_counts: Vec<f64>,
}

impl Trainer {
    /// Validates the data and options against the model and prepares the buffers. Nothing in the
    /// model changes here.
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
                Some(train.split_off_tail(train.rows - split_at))
            }
            None => None,
        };
        if train.rows == 0 {
            return Err(Error::invalid("fit: x has no rows"));
        }
        check_labels(model, &train)?;
        let capacity = config.batch_size.min(train.rows);
        model.check_memory(capacity, true)?;
        let names = model.metrics_names().len();
        Ok(Trainer {
            order: (0..train.rows).collect(),
            buffers: model.buffers(capacity, true)?,
            validation_buffers: validation.as_ref().map(|v| model.buffers(config.batch_size.min(v.rows).max(1), false)).transpose()?,
            rng: Rng::new(config.seed),
            epoch: config.initial_epoch,
            batch: 0,
            next_order: None,
            sums: vec![0.0; names],
            totals: vec![0.0; names],
            batch_logs: vec![0.0; names],
            batch_counts: vec![0.0; names],
            train,
            validation,
            config,
        })
    }

    /// Rows used for training (after any validation split).
    pub fn samples(&self) -> usize {
        self.train.rows
    }

    /// Whether validation runs at the end of each epoch.
    pub fn has_validation(&self) -> bool {
        self.validation.is_some()
    }

    /// Batches per epoch.
    pub fn steps_per_epoch(&self) -> usize {
        self.train.rows.div_ceil(self.config.batch_size)
    }

    /// The epoch the next batch belongs to.
    pub fn current_epoch(&self) -> usize {
        self.epoch
    }

    /// Keys of an epoch's logs: the model's metric names, the task weights (`<output>_weight`,
    /// when they adapt), then the metric names with `val_` when validating.
    pub fn log_names(&self, model: &Model) -> Vec<String> {
        let names = model.metrics_names();
        let val: Vec<String> = if self.validation.is_some() { names.iter().map(|n| format!("val_{n}")).collect() } else { Vec::new() };
        names.into_iter().chain(model.weight_names()).chain(val).collect()
    }

    /// Trains until one of `limits` is reached or every epoch has run.
    pub fn run(&mut self, model: &mut Model, limits: RunLimits) -> Result<RunReport> {
        model.reserve_training_state()?;
        // Small models never split work across threads: skip the hand-off to the pool.
        if crate::matmul::worth_parallel(model.graph.largest_product(self.config.batch_size), model.graph.count_params()) {
            crate::matmul::with_pool(|| self.run_in_pool(model, limits))
        } else {
            self.run_in_pool(model, limits)
        }
    }

    fn run_in_pool(&mut self, model: &mut Model, limits: RunLimits) -> Result<RunReport> {
        let mut report = RunReport::default();
        let mut batches_run = 0;
        while self.epoch < self.config.epochs {
            if self.batch == 0 {
                self.begin_epoch();
            }
            let bs = self.config.batch_size;
            let start = self.batch * bs;
            let end = (start + bs).min(self.order.len());
            let data = self.train.view();
            model.train_step(&mut self.buffers, &data, &self.order[start..end], &self.config.class_weights, &mut self.batch_logs, &mut self.batch_counts);
            let size = end - start;
            for k in 0..self.sums.len() {
                self.sums[k] += self.batch_logs[k] * self.batch_counts[k];
                self.totals[k] += self.batch_counts[k];
            }
            if limits.record_batches {
                report.batches.push((self.batch, size, self.batch_logs.clone()));
            }
            self.batch += 1;
            batches_run += 1;
            if end == self.order.len() {
                report.epochs.push((self.epoch, self.end_epoch(model)?));
                if report.epochs.len() >= limits.epochs {
                    break;
                }
            }
            if batches_run >= limits.batches || limits.deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
        }
        report.done = self.epoch >= self.config.epochs;
        Ok(report)
    }

    /// The training logs of the epoch in progress so far (batch-size-weighted means over the
    /// batches run), for a fit stopped mid-epoch; no validation values.
    pub fn partial_epoch_logs(&self) -> Vec<f64> {
        crate::model::weighted_means(&self.sums, &self.totals)
    }

    /// Sets the row order of the next epoch (`fitDataset` reproduces its dataset's shuffle this
    /// way); rows may repeat or be left out. Checked here, applied when the epoch begins.
    pub fn set_next_epoch_order(&mut self, order: Vec<usize>) -> Result<()> {
        if order.is_empty() {
            return Err(Error::invalid("fit: an epoch needs at least one row"));
        }
        if let Some(&bad) = order.iter().find(|&&i| i >= self.train.rows) {
            return Err(Error::invalid(format!("fit: row {bad} of the epoch order is past the {} rows", self.train.rows)));
        }
        self.next_order = Some(order);
        Ok(())
    }

    fn begin_epoch(&mut self) {
        self.sums.iter_mut().for_each(|s| *s = 0.0);
        self.totals.iter_mut().for_each(|s| *s = 0.0);
        if let Some(order) = self.next_order.take() {
            self.order = order;
        } else if self.config.shuffle {
            self.rng.shuffle(&mut self.order);
        }
    }

    fn end_epoch(&mut self, model: &mut Model) -> Result<Vec<f64>> {
        let mut logs = self.partial_epoch_logs();
        // DWA sets the next epoch's weights from the per-output epoch losses.
        let head_losses: Vec<f64> = if model.heads.len() > 1 { logs[1..=model.heads.len()].to_vec() } else { vec![logs[0]] };
        if let Some(b) = model.balancer.as_mut() {
            b.end_epoch(&head_losses);
        }
        logs.extend(model.task_weights());
        if let (Some(v), Some(buf)) = (&self.validation, self.validation_buffers.as_mut()) {
            let bs = self.config.batch_size.min(v.rows).max(1);
            logs.extend(model.evaluate_with(buf, &v.view(), bs)?);
        }
        self.epoch += 1;
        self.batch = 0;
        Ok(logs)
    }
}

/// A task with no label at all cannot be trained (and would make its balancing undefined).
fn check_labels(model: &Model, d: &Dataset) -> Result<()> {
    let view = d.view();
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
    let view = d.view();
    model.check_data(&view.xs, Some(&view.ys), d.rows, what)
}
