//! Metrics as TF.js 4.22 computes them (`tfjs-layers/src/metrics.ts`): a value per batch, which
//! the training loop averages over the epoch weighted by batch size.

use crate::error::{lookup, Result};
use crate::loss::Loss;
use serde::{Deserialize, Deserializer};

/// A metric function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// The fraction of values where `ŷ > 0.5` matches a 0/1 target.
    BinaryAccuracy,
    /// 1 where the largest prediction is at the target's largest value (one-hot targets).
    CategoricalAccuracy,
    /// 1 where the largest prediction is at the target class index.
    SparseCategoricalAccuracy,
    /// TF.js counts exact 1s in the prediction (it does not threshold), per batch.
    Precision,
    /// Exact 1s among the positive targets, per batch (as [`Metric::Precision`]).
    Recall,
    /// A loss function used as a metric (mse, mae, crossentropies, ...).
    Loss(Loss),
}

/// A metric as `compile` names it: `accuracy` and `crossentropy` become a concrete metric once
/// the output's loss and width are known (as in TF.js's `compile`); the others are fixed. On the
/// wire it is the name TF.js accepts (`'accuracy'`, `'mse'`, `'precision'`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetricConfig {
    /// `'accuracy'` or `'acc'`: binary, sparse or categorical accuracy by the output (log key `acc`).
    Accuracy,
    /// `'crossentropy'` or `'ce'`: the crossentropy that fits the output (log key `ce`).
    Crossentropy,
    /// A metric that does not depend on the output, logged under `key` (the name it was given by).
    Fixed {
        /// What it computes.
        metric: Metric,
        /// Its log key.
        key: String,
    },
}

/// How a metric string resolves.
#[derive(Clone, Copy)]
enum Name {
    Fixed(Metric),
    Accuracy,
    Crossentropy,
}

const CANONICAL: usize = 16;
const NAMES: &[(&str, Name)] = &[
    ("accuracy", Name::Accuracy),
    ("acc", Name::Accuracy),
    ("crossentropy", Name::Crossentropy),
    ("ce", Name::Crossentropy),
    ("binaryAccuracy", Name::Fixed(Metric::BinaryAccuracy)),
    ("categoricalAccuracy", Name::Fixed(Metric::CategoricalAccuracy)),
    ("sparseCategoricalAccuracy", Name::Fixed(Metric::SparseCategoricalAccuracy)),
    ("precision", Name::Fixed(Metric::Precision)),
    ("recall", Name::Fixed(Metric::Recall)),
    ("binaryCrossentropy", Name::Fixed(Metric::Loss(Loss::BinaryCrossentropy))),
    ("categoricalCrossentropy", Name::Fixed(Metric::Loss(Loss::CategoricalCrossentropy))),
    ("sparseCategoricalCrossentropy", Name::Fixed(Metric::Loss(Loss::SparseCategoricalCrossentropy))),
    ("mse", Name::Fixed(Metric::Loss(Loss::MeanSquaredError))),
    ("mae", Name::Fixed(Metric::Loss(Loss::MeanAbsoluteError))),
    ("mape", Name::Fixed(Metric::Loss(Loss::MeanAbsolutePercentageError))),
    ("cosine", Name::Fixed(Metric::Loss(Loss::CosineProximity))),
    ("MSE", Name::Fixed(Metric::Loss(Loss::MeanSquaredError))),
    ("MAE", Name::Fixed(Metric::Loss(Loss::MeanAbsoluteError))),
    ("MAPE", Name::Fixed(Metric::Loss(Loss::MeanAbsolutePercentageError))),
    ("meanSquaredError", Name::Fixed(Metric::Loss(Loss::MeanSquaredError))),
    ("meanAbsoluteError", Name::Fixed(Metric::Loss(Loss::MeanAbsoluteError))),
    ("meanAbsolutePercentageError", Name::Fixed(Metric::Loss(Loss::MeanAbsolutePercentageError))),
    ("cosineProximity", Name::Fixed(Metric::Loss(Loss::CosineProximity))),
    ("binary_accuracy", Name::Fixed(Metric::BinaryAccuracy)),
    ("categorical_accuracy", Name::Fixed(Metric::CategoricalAccuracy)),
    ("sparse_categorical_accuracy", Name::Fixed(Metric::SparseCategoricalAccuracy)),
];

impl MetricConfig {
    /// Parses a metric name as TF.js's `compile` accepts it.
    pub fn parse(name: &str) -> Result<MetricConfig> {
        Ok(match lookup("metric", name, NAMES, CANONICAL)? {
            Name::Fixed(metric) => MetricConfig::Fixed { metric, key: name.to_string() },
            Name::Accuracy => MetricConfig::Accuracy,
            Name::Crossentropy => MetricConfig::Crossentropy,
        })
    }

    /// The metric for an output with `width` units trained with `loss`, and its log key.
    pub fn resolve(&self, loss: Loss, width: usize) -> (Metric, String) {
        match self {
            MetricConfig::Fixed { metric, key } => (*metric, key.clone()),
            MetricConfig::Accuracy => {
                let m = match target_kind(loss, width) {
                    TargetKind::Binary => Metric::BinaryAccuracy,
                    TargetKind::Sparse => Metric::SparseCategoricalAccuracy,
                    TargetKind::Categorical => Metric::CategoricalAccuracy,
                };
                (m, "acc".to_string())
            }
            MetricConfig::Crossentropy => {
                let l = match target_kind(loss, width) {
                    TargetKind::Binary => Loss::BinaryCrossentropy,
                    TargetKind::Sparse => Loss::SparseCategoricalCrossentropy,
                    TargetKind::Categorical => Loss::CategoricalCrossentropy,
                };
                (Metric::Loss(l), "ce".to_string())
            }
        }
    }
}

/// A fixed metric, logged under its TF.js name (`precision`, `mse`, ...).
impl From<Metric> for MetricConfig {
    fn from(metric: Metric) -> Self {
        let key = NAMES.iter().find(|(_, n)| matches!(n, Name::Fixed(m) if *m == metric)).map(|(k, _)| k.to_string());
        let key = key.unwrap_or_else(|| match metric {
            Metric::Loss(l) => l.name().to_string(),
            other => format!("{other:?}"),
        });
        MetricConfig::Fixed { metric, key }
    }
}

/// Metrics are read from the names [`MetricConfig::parse`] accepts.
impl<'de> Deserialize<'de> for MetricConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        MetricConfig::parse(&name).map_err(serde::de::Error::custom)
    }
}

impl Metric {
    /// Parses a metric name that does not depend on the output (for `tf.metrics.*`).
    pub fn parse(name: &str) -> Result<Metric> {
        Ok(MetricConfig::parse(name)?.resolve(Loss::MeanSquaredError, 2).0)
    }

    /// Width the target must have, given the prediction width.
    pub fn target_width(self, pred_width: usize) -> usize {
        match self {
            Metric::SparseCategoricalAccuracy => 1,
            Metric::Loss(l) => l.target_width(pred_width),
            _ => pred_width,
        }
    }

    /// Whether the batch value is a mean of per-sample values (otherwise it is a batch statistic).
    pub fn is_per_sample(self) -> bool {
        !matches!(self, Metric::Precision | Metric::Recall)
    }

    /// Value of one row, for per-sample metrics.
    pub fn row(self, t: &[f32], p: &[f32]) -> f32 {
        match self {
            Metric::BinaryAccuracy => {
                let hits = t.iter().zip(p).filter(|(&t, &p)| t == if p > 0.5 { 1.0 } else { 0.0 }).count();
                hits as f32 / p.len() as f32
            }
            Metric::CategoricalAccuracy => (argmax(t) == argmax(p)) as u8 as f32,
            Metric::SparseCategoricalAccuracy => (t[0] == argmax(p) as f32) as u8 as f32,
            Metric::Loss(l) => l.row(t, p, None),
            Metric::Precision | Metric::Recall => f32::NAN,
        }
    }

    /// The metric over `rows × pred_width` predictions (`tf.metrics.*`): one value per row for a
    /// per-sample metric, else a single batch value; `name` names it in messages. The sizes
    /// are checked first.
    pub fn values(self, name: &str, y_true: &[f32], y_pred: &[f32], pred_width: usize) -> Result<Vec<f32>> {
        let true_width = self.target_width(pred_width);
        crate::loss::check_pairs(name, y_true, y_pred, pred_width, true_width)?;
        if !self.is_per_sample() {
            return Ok(vec![self.batch_value(y_true, y_pred, pred_width)]);
        }
        Ok(y_true.chunks_exact(true_width).zip(y_pred.chunks_exact(pred_width)).map(|(t, p)| self.row(t, p)).collect())
    }

    /// The metric over a batch of rows, optionally restricted to rows with a nonzero mask.
    pub fn batch_value(self, y_true: &[f32], y_pred: &[f32], pred_width: usize) -> f32 {
        let t_width = self.target_width(pred_width);
        let rows = y_true.chunks_exact(t_width).zip(y_pred.chunks_exact(pred_width));
        match self {
            Metric::Precision | Metric::Recall => {
                let (mut tp, mut other) = (0.0f32, 0.0f32);
                for (t, p) in rows {
                    for (&t, &p) in t.iter().zip(p) {
                        if t == 1.0 && p == 1.0 {
                            tp += 1.0;
                        } else if (self == Metric::Precision && t == 0.0 && p == 1.0) || (self == Metric::Recall && t == 1.0 && p == 0.0) {
                            other += 1.0;
                        }
                    }
                }
                if tp + other > 0.0 {
                    tp / (tp + other)
                } else {
                    0.0
                }
            }
            _ => {
                let n = y_pred.len() / pred_width;
                rows.map(|(t, p)| self.row(t, p)).sum::<f32>() / n.max(1) as f32
            }
        }
    }
}

/// What kind of targets an output has, for resolving 'accuracy' and 'crossentropy' as TF.js's
/// `compile` does: binary when the output has one unit or the loss is binary crossentropy, sparse
/// with sparse categorical crossentropy, categorical otherwise.
enum TargetKind {
    Binary,
    Sparse,
    Categorical,
}

fn target_kind(loss: Loss, width: usize) -> TargetKind {
    if width == 1 || loss == Loss::BinaryCrossentropy {
        TargetKind::Binary
    } else if loss == Loss::SparseCategoricalCrossentropy {
        TargetKind::Sparse
    } else {
        TargetKind::Categorical
    }
}

/// Index of the first largest entry (TF.js's argMax).
pub fn argmax(v: &[f32]) -> usize {
    v.iter().enumerate().fold((0, f32::NEG_INFINITY), |best, (i, &x)| if x > best.1 { (i, x) } else { best }).0
}
