//! Metrics as TF.js 4.22 computes them (`tfjs-layers/src/metrics.ts`): a value per batch, which
//! the training loop averages over the epoch weighted by batch size.

use crate::error::{lookup, Result};
use crate::loss::Loss;

/// A metric function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    /// TF.js counts exact 1s in the prediction (it does not threshold), per batch.
    Precision,
    Recall,
    /// A loss function used as a metric (mse, mae, crossentropies, ...).
    Loss(Loss),
}

/// How a metric string resolves; `Accuracy` and `Crossentropy` depend on the output.
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

impl Metric {
    /// Resolves a metric string for an output with `width` units trained with `loss`, as TF.js's
    /// `compile` does. Returns the metric and its log key (`acc`, `ce`, or the string itself).
    pub fn resolve(name: &str, loss: Loss, width: usize) -> Result<(Metric, String)> {
        Ok(match lookup("metric", name, NAMES, CANONICAL)? {
            Name::Fixed(m) => (m, name.to_string()),
            Name::Accuracy => {
                let m = match target_kind(loss, width) {
                    TargetKind::Binary => Metric::BinaryAccuracy,
                    TargetKind::Sparse => Metric::SparseCategoricalAccuracy,
                    TargetKind::Categorical => Metric::CategoricalAccuracy,
                };
                (m, "acc".to_string())
            }
            Name::Crossentropy => {
                let l = match target_kind(loss, width) {
                    TargetKind::Binary => Loss::BinaryCrossentropy,
                    TargetKind::Sparse => Loss::SparseCategoricalCrossentropy,
                    TargetKind::Categorical => Loss::CategoricalCrossentropy,
                };
                (Metric::Loss(l), "ce".to_string())
            }
        })
    }

    /// Parses a metric string that does not depend on the output (for `tf.metrics.*`).
    pub fn parse(name: &str) -> Result<Metric> {
        Metric::resolve(name, Loss::MeanSquaredError, 2).map(|(m, _)| m)
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
