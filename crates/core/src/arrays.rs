//! The `ndarray` face of a [`Model`]: `fit`, `evaluate` and `predict` take one
//! `ArrayView2<f32>` (`[rows, columns]`) per model input or output and give one `Array2<f32>`
//! per output; weights are arrays with their shapes; logs are named as TF.js names them. Inside,
//! everything runs on the row-major slices the tuned kernels use (`predict_rows`,
//! `evaluate_rows`, [`Trainer`]); an array already in standard layout is not copied.

use crate::error::{Error, Result};
use crate::model::{Batchable, Model};
use crate::train::{Dataset, FitConfig, RunLimits, Trainer};
use ndarray::{Array2, ArrayD, ArrayView2, ArrayViewD, CowArray, Ix2, IxDyn};
use std::collections::BTreeMap;

/// Log values by name (`loss`, `acc`, `val_loss`, `<output>_loss`, ...), as TF.js names them.
pub type Logs = BTreeMap<String, f64>;

/// What [`Model::fit`] returns, as TF.js's `History`: the epochs run and, per log name, one
/// value per epoch.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// The epochs run (0-based, from `initial_epoch`).
    pub epoch: Vec<usize>,
    /// Per log name, one value per epoch.
    pub history: BTreeMap<String, Vec<f64>>,
}

impl History {
    /// The values of the log `name`, one per epoch.
    pub fn get(&self, name: &str) -> Option<&[f64]> {
        self.history.get(name).map(Vec::as_slice)
    }

    /// The value of the log `name` after the last epoch.
    pub fn last(&self, name: &str) -> Option<f64> {
        self.get(name).and_then(|v| v.last().copied())
    }
}

/// Validation data for [`Model::fit_with_validation`]: one array per model input, then one per
/// output.
pub type ValidationArrays<'a, 'b> = (&'a [ArrayView2<'b, f32>], &'a [ArrayView2<'b, f32>]);

/// A weight with its TF.js name (`dense_Dense1/kernel`) and its shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Weight {
    /// `<layer>/<weight>`.
    pub name: String,
    /// The values, in the weight's shape (`[inputs, units]` for a dense kernel).
    pub values: ArrayD<f32>,
    /// Whether training updates it.
    pub trainable: bool,
}

/// The row count of `arrays` (all must agree); `what` names the argument in messages.
fn rows_of(arrays: &[ArrayView2<f32>], what: &str, rows: Option<usize>) -> Result<usize> {
    let mut rows = rows;
    for (k, a) in arrays.iter().enumerate() {
        let n = a.nrows();
        match rows {
            Some(r) if r != n => return Err(Error::shape(format!("{what}[{k}]"), format!("{r} rows (as the other arrays)"), format!("{n} rows"))),
            _ => rows = Some(n),
        }
    }
    Ok(rows.unwrap_or(0))
}

/// The arrays in standard (row-major) layout: a view of the same memory when they already are.
fn standard<'a>(arrays: &'a [ArrayView2<'_, f32>]) -> Vec<CowArray<'a, f32, Ix2>> {
    arrays.iter().map(|a| a.as_standard_layout()).collect()
}

fn slices<'a>(arrays: &'a [CowArray<'_, f32, Ix2>]) -> Vec<&'a [f32]> {
    arrays.iter().map(|a| a.as_slice().expect("standard layout")).collect()
}

/// Row-major copies that a fit keeps while it runs.
fn owned(arrays: &[ArrayView2<f32>]) -> Vec<Vec<f32>> {
    arrays.iter().map(|a| a.iter().copied().collect()).collect()
}

impl Model {
    /// Trains the model on `xs` (one array per input) and `ys` (one per output), all with the
    /// same rows, as TF.js's `model.fit`; returns the logs of every epoch. The data is copied
    /// once for the fit.
    ///
    /// ```
    /// use dense_mtl_core::activation::Activation;
    /// use dense_mtl_core::builder::Sequential;
    /// use dense_mtl_core::loss::Loss;
    /// use dense_mtl_core::model::{CompileConfig, HeadConfig};
    /// use dense_mtl_core::optimizer::{OptimizerConfig, Rule};
    /// use dense_mtl_core::FitConfig;
    /// use ndarray::array;
    ///
    /// let mut model = Sequential::new().input(2).dense(1, Activation::Linear).build().unwrap();
    /// let sgd = OptimizerConfig::new(Rule::Sgd {}, 0.1);
    /// model.compile(&CompileConfig::new(sgd, vec![HeadConfig::new(Loss::MeanSquaredError)])).unwrap();
    ///
    /// // y = x0 + 2 x1
    /// let x = array![[0.0f32, 1.0], [1.0, 0.0], [1.0, 1.0], [2.0, 1.0]];
    /// let y = array![[2.0f32], [1.0], [3.0], [4.0]];
    /// let history = model.fit(&[x.view()], &[y.view()], &FitConfig::new(50, 4)).unwrap();
    /// let losses = history.get("loss").unwrap();
    /// assert_eq!(losses.len(), 50);
    /// assert!(losses[49] < losses[0] / 10.0);
    /// ```
    pub fn fit(&mut self, xs: &[ArrayView2<f32>], ys: &[ArrayView2<f32>], config: &FitConfig) -> Result<History> {
        self.fit_with_validation(xs, ys, None, config)
    }

    /// [`fit`](Self::fit) with validation arrays `(xs, ys)`, evaluated after every epoch (logs
    /// `val_loss`, `val_acc`, ...).
    pub fn fit_with_validation(
        &mut self,
        xs: &[ArrayView2<f32>],
        ys: &[ArrayView2<f32>],
        validation: Option<ValidationArrays>,
        config: &FitConfig,
    ) -> Result<History> {
        let rows = rows_of(ys, "fit: y", Some(rows_of(xs, "fit: x", None)?))?;
        let validation = match validation {
            Some((vx, vy)) => {
                let vrows = rows_of(vy, "fit: validationData y", Some(rows_of(vx, "fit: validationData x", None)?))?;
                Some(Dataset::new(owned(vx), owned(vy), vrows))
            }
            None => None,
        };
        let mut trainer = Trainer::new(self, Dataset::new(owned(xs), owned(ys), rows), validation, config.clone())?;
        let names = trainer.log_names(self);
        let mut history = History::default();
        let limits = RunLimits { epochs: usize::MAX, batches: usize::MAX, deadline: None, record_batches: false };
        loop {
            let report = trainer.run(self, limits)?;
            for (epoch, logs) in report.epochs {
                history.epoch.push(epoch);
                for (name, value) in names.iter().zip(logs) {
                    history.history.entry(name.clone()).or_default().push(value);
                }
            }
            if let Some(e) = report.diverged {
                return Err(e);
            }
            if report.done || report.stopped {
                return Ok(history);
            }
        }
    }

    /// Loss and metrics over `xs` and `ys` in batches of `batch_size` rows, as TF.js's
    /// `model.evaluate` (regularization excluded), by name.
    pub fn evaluate(&self, xs: &[ArrayView2<f32>], ys: &[ArrayView2<f32>], batch_size: usize) -> Result<Logs> {
        let rows = rows_of(ys, "evaluate: y", Some(rows_of(xs, "evaluate: x", None)?))?;
        let (xs, ys) = (standard(xs), standard(ys));
        let data = Batchable { xs: slices(&xs), ys: slices(&ys), sample_weights: Vec::new(), rows };
        let values = self.evaluate_rows(&data, batch_size)?;
        Ok(self.metrics_names().into_iter().zip(values).collect())
    }

    /// One array `[rows, units]` per output for the rows of `xs` (one array per input), computed
    /// in batches of `batch_size` rows (TF.js's default is 32).
    ///
    /// ```
    /// use dense_mtl_core::activation::Activation;
    /// use dense_mtl_core::builder::Sequential;
    /// use ndarray::array;
    ///
    /// let model = Sequential::new().input(4).dense(3, Activation::Softmax).build().unwrap();
    /// let x = array![[5.1f32, 3.5, 1.4, 0.2], [6.9, 3.1, 5.4, 2.1]];
    /// let probabilities = model.predict(&[x.view()], 32).unwrap().remove(0);
    /// assert_eq!(probabilities.dim(), (2, 3));
    /// for row in probabilities.rows() {
    ///     assert!((row.sum() - 1.0).abs() < 1e-6);
    /// }
    /// ```
    pub fn predict(&self, xs: &[ArrayView2<f32>], batch_size: usize) -> Result<Vec<Array2<f32>>> {
        let rows = rows_of(xs, "predict: x", None)?;
        let standard = standard(xs);
        let outs = self.predict_rows(&slices(&standard), rows, batch_size)?;
        let widths = self.graph.output_widths();
        Ok(outs.into_iter().zip(widths).map(|(v, w)| Array2::from_shape_vec((rows, w), v).expect("rows × width values")).collect())
    }

    /// Every weight with its name and shape, in TF.js's `model.weights` order.
    pub fn weights(&self) -> Vec<Weight> {
        let g = &self.graph;
        g.weight_order()
            .into_iter()
            .map(|(li, wi)| {
                let layer = &g.layers[li];
                let p = &layer.params()[wi];
                let values = ArrayD::from_shape_vec(IxDyn(&p.shape), p.values.clone()).expect("a weight holds its shape's values");
                Weight { name: format!("{}/{}", layer.name, p.name), values, trainable: layer.learns(wi) }
            })
            .collect()
    }

    /// Replaces every weight, in [`weights`](Self::weights) order; each array must have its
    /// weight's shape. Checks everything before changing any weight.
    pub fn set_weights(&mut self, weights: &[ArrayViewD<f32>]) -> Result<()> {
        let current = self.graph.weight_order();
        for (&(li, wi), w) in current.iter().zip(weights) {
            let layer = &self.graph.layers[li];
            let p = &layer.params()[wi];
            if w.shape() != p.shape.as_slice() {
                return Err(Error::shape(
                    format!("setWeights: weight {}/{}", layer.name, p.name),
                    format!("shape {:?}", p.shape),
                    format!("shape {:?}", w.shape()),
                ));
            }
        }
        let standard: Vec<CowArray<f32, IxDyn>> = weights.iter().map(|w| w.as_standard_layout()).collect();
        let values: Vec<&[f32]> = standard.iter().map(|w| w.as_slice().expect("standard layout")).collect();
        self.set_weight_values(&values)
    }
}
