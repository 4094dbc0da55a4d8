//! tfjs-core's `tf.losses` and `tf.metrics.r2Score`: losses on whole tensors (flat arrays of any
//! shape), one loss per element, then weighted and reduced as TF.js's `computeWeightedLoss`
//! does. These are not the training losses of [`crate::loss`] (tfjs-layers' losses, one value
//! per sample), which `compile` uses.

use crate::error::{Error, Result};

/// An elementwise loss of `tf.losses`, with its parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ElementLoss {
    /// `(p - t)²`.
    MeanSquaredError,
    /// `|p - t|`.
    AbsoluteDifference,
    /// `max(0, 1 - (2t - 1)·p)`: labels in {0, 1}.
    Hinge,
    /// `-t·ln(p + ε) - (1 - t)·ln(1 - p + ε)`.
    Log {
        /// Added inside the logarithms (TF.js's default 1e-7, [`LOG_LOSS_EPSILON`]).
        epsilon: f64,
    },
    /// Quadratic within `delta` of the label, linear beyond.
    Huber {
        /// Where the loss turns from quadratic to linear (1 by default).
        delta: f64,
    },
    /// Cross-entropy of `sigmoid(x)` for logits `x`, labels smoothed towards 1/2.
    SigmoidCrossEntropy {
        /// `labelSmoothing`: labels become `t·(1 − s) + s/2` (0 by default).
        label_smoothing: f64,
    },
}

/// TF.js's default `epsilon` of `logLoss`.
pub const LOG_LOSS_EPSILON: f64 = 1e-7;

impl ElementLoss {
    /// The loss `tf.losses.<name>` computes; `parameter` is logLoss's epsilon, huberLoss's delta
    /// or sigmoidCrossEntropy's labelSmoothing (TF.js's defaults when absent).
    pub fn parse(name: &str, parameter: Option<f64>) -> Result<Self> {
        Ok(match name {
            "meanSquaredError" => ElementLoss::MeanSquaredError,
            "absoluteDifference" => ElementLoss::AbsoluteDifference,
            "hingeLoss" => ElementLoss::Hinge,
            "logLoss" => ElementLoss::Log { epsilon: parameter.unwrap_or(LOG_LOSS_EPSILON) },
            "huberLoss" => ElementLoss::Huber { delta: parameter.unwrap_or(1.0) },
            "sigmoidCrossEntropy" => ElementLoss::SigmoidCrossEntropy { label_smoothing: parameter.unwrap_or(0.0) },
            _ => {
                return Err(Error::UnknownName {
                    kind: "tf.losses function",
                    name: name.to_string(),
                    valid: vec!["meanSquaredError", "absoluteDifference", "hingeLoss", "logLoss", "huberLoss", "sigmoidCrossEntropy"],
                })
            }
        })
    }

    /// The loss of one element (`p` is a logit for sigmoidCrossEntropy).
    pub fn value(self, t: f64, p: f64) -> f64 {
        match self {
            ElementLoss::MeanSquaredError => (p - t) * (p - t),
            ElementLoss::AbsoluteDifference => (p - t).abs(),
            ElementLoss::Hinge => (1.0 - (2.0 * t - 1.0) * p).max(0.0),
            ElementLoss::Log { epsilon } => -t * (p + epsilon).ln() - (1.0 - t) * (1.0 - p + epsilon).ln(),
            ElementLoss::Huber { delta } => {
                let err = (p - t).abs();
                let quad = err.min(delta);
                0.5 * quad * quad + delta * (err - quad)
            }
            ElementLoss::SigmoidCrossEntropy { label_smoothing } => {
                let smoothed = t * (1.0 - label_smoothing) + 0.5 * label_smoothing;
                p.max(0.0) - p * smoothed + (-p.abs()).exp().ln_1p()
            }
        }
    }

    /// One loss per element; `what` names the call in errors.
    pub fn values(self, labels: &[f32], predictions: &[f32], what: &str) -> Result<Vec<f32>> {
        if labels.len() != predictions.len() {
            return Err(Error::shape(format!("{what}: labels"), format!("{} values (as many as predictions)", predictions.len()), labels.len()));
        }
        Ok(labels.iter().zip(predictions).map(|(&t, &p)| self.value(f64::from(t), f64::from(p)) as f32).collect())
    }
}

/// How `computeWeightedLoss` reduces the weighted losses (TF.js's `Reduction`, same numbers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    /// The weighted losses themselves.
    None = 0,
    /// The weighted mean: the sum over the sum of the weights.
    Mean = 1,
    /// The sum of the weighted losses.
    Sum = 2,
    /// The sum over the number of non-zero weights (TF.js's default).
    SumByNonzeroWeights = 3,
}

impl Reduction {
    /// The reduction TF.js numbers `value`.
    pub fn from_number(value: u32) -> Result<Self> {
        Ok(match value {
            0 => Reduction::None,
            1 => Reduction::Mean,
            2 => Reduction::Sum,
            3 => Reduction::SumByNonzeroWeights,
            _ => return Err(Error::invalid(format!("computeWeightedLoss: reduction must be one of tf.Reduction's values (0 to 3) but got {value}"))),
        })
    }
}

/// TF.js's `computeWeightedLoss`: `losses` times `weights` (none, one for all, or one per loss),
/// reduced; the weighted losses for [`Reduction::None`], otherwise one value. With no non-zero
/// weight, the sum-by-non-zero-weights reduction is 0.
pub fn weighted_loss(losses: &[f32], weights: Option<&[f32]>, reduction: Reduction) -> Result<Vec<f32>> {
    let weight = |i: usize| -> f64 {
        match weights {
            None => 1.0,
            Some([w]) => f64::from(*w),
            Some(w) => f64::from(w[i]),
        }
    };
    if let Some(w) = weights {
        if w.len() != 1 && w.len() != losses.len() {
            return Err(Error::shape("computeWeightedLoss: weights", format!("1 value or {} (one per loss)", losses.len()), format!("{} values", w.len())));
        }
    }
    let weighted: Vec<f64> = losses.iter().enumerate().map(|(i, &l)| f64::from(l) * weight(i)).collect();
    let sum: f64 = weighted.iter().sum();
    let n = losses.len();
    let value = match reduction {
        Reduction::None => return Ok(weighted.into_iter().map(|v| v as f32).collect()),
        Reduction::Sum => sum,
        Reduction::Mean => match weights {
            None => sum / n as f64,
            Some(_) => sum / (0..n).map(weight).sum::<f64>(),
        },
        Reduction::SumByNonzeroWeights => {
            let nonzero = (0..n).filter(|&i| weight(i) != 0.0).count();
            if nonzero == 0 {
                0.0
            } else {
                sum / nonzero as f64
            }
        }
    };
    Ok(vec![value as f32])
}

/// TF.js's `r2Score`: `1 - Σ(t - p)² / Σ(t - mean(t))²` over every element.
pub fn r2_score(y_true: &[f32], y_pred: &[f32]) -> Result<f64> {
    if y_true.len() != y_pred.len() {
        return Err(Error::shape("r2Score: yTrue", format!("{} values (as many as yPred)", y_pred.len()), y_true.len()));
    }
    let mean = y_true.iter().map(|&v| f64::from(v)).sum::<f64>() / y_true.len() as f64;
    let (mut residual, mut total) = (0.0, 0.0);
    for (&t, &p) in y_true.iter().zip(y_pred) {
        let (t, p) = (f64::from(t), f64::from(p));
        residual += (t - p) * (t - p);
        total += (t - mean) * (t - mean);
    }
    Ok(1.0 - residual / total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_losses_by_hand() {
        let v = |name, param, t, p| ElementLoss::parse(name, param).unwrap().value(t, p);
        assert_eq!(v("meanSquaredError", None, 1.0, 0.5), 0.25);
        assert_eq!(v("absoluteDifference", None, 1.0, 0.25), 0.75);
        assert_eq!(v("hingeLoss", None, 0.0, 0.5), 1.5); // label 0 is -1: 1 + 0.5
        assert_eq!(v("hingeLoss", None, 1.0, 2.0), 0.0);
        assert!((v("logLoss", Some(0.0), 1.0, 0.5) - std::f64::consts::LN_2).abs() < 1e-12);
        assert_eq!(v("huberLoss", Some(1.0), 0.0, 0.5), 0.125); // quadratic: 0.5 · 0.5²
        assert_eq!(v("huberLoss", Some(1.0), 0.0, 3.0), 2.5); // 0.5 + 1 · (3 - 1)
                                                              // Logit 0 is probability 1/2 whatever the label: ln 2.
        assert!((v("sigmoidCrossEntropy", Some(0.2), 1.0, 0.0) - std::f64::consts::LN_2).abs() < 1e-12);
        assert!(matches!(ElementLoss::parse("huber", None), Err(Error::UnknownName { .. })));
    }

    #[test]
    fn values_need_as_many_labels_as_predictions() {
        let err = ElementLoss::MeanSquaredError.values(&[1.0], &[1.0, 2.0], "meanSquaredError").unwrap_err();
        assert_eq!(err.to_string(), "meanSquaredError: labels: expected 2 values (as many as predictions) but got 1");
    }

    #[test]
    fn reductions_by_hand() {
        let losses = [1.0, 2.0, 3.0, 0.0];
        let w = [2.0, 0.0, 1.0, 1.0];
        let r = |weights, reduction| weighted_loss(&losses, weights, reduction).unwrap();
        assert_eq!(r(None, Reduction::None), losses.to_vec());
        assert_eq!(r(Some(&w), Reduction::None), vec![2.0, 0.0, 3.0, 0.0]);
        assert_eq!(r(Some(&w), Reduction::Sum), vec![5.0]);
        assert_eq!(r(Some(&w), Reduction::Mean), vec![5.0 / 4.0]);
        assert_eq!(r(Some(&w), Reduction::SumByNonzeroWeights), vec![5.0 / 3.0]);
        assert_eq!(r(None, Reduction::SumByNonzeroWeights), vec![1.5]);
        assert_eq!(r(Some(&[2.0]), Reduction::Mean), vec![1.5]);
        assert_eq!(r(Some(&[0.0]), Reduction::SumByNonzeroWeights), vec![0.0]);
        assert!(weighted_loss(&losses, Some(&[1.0, 2.0]), Reduction::Sum).is_err());
        assert!(Reduction::from_number(4).is_err());
    }

    #[test]
    fn r2_by_hand() {
        // mean 2; residuals 0 + 1 + 0 = 1; total 1 + 0 + 1 = 2.
        assert_eq!(r2_score(&[1.0, 2.0, 3.0], &[1.0, 3.0, 3.0]).unwrap(), 0.5);
        assert!(r2_score(&[1.0], &[1.0, 2.0]).is_err());
    }
}
