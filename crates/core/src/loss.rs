//! Loss functions with TF.js 4.22's formulas (`tfjs-layers/src/losses.ts`) and their analytic
//! gradients. Each gives one value per sample; the training loop takes the (weighted) mean.
//! Gradients follow TF.js's autodiff, including its clipping: where `clipByValue` clips, the
//! gradient is zero.

use crate::error::{lookup, Error, Result};
use serde::{Deserialize, Deserializer};

/// The fuzz factor of TF.js's float32 backends (`backend().epsilon()`).
pub const EPSILON: f32 = 1e-7;

/// A loss, identified as TF.js identifies it. On the wire it is its TF.js identifier
/// (`'meanSquaredError'`), a Keras name (`'mean_squared_error'`) or a short alias (`'mse'`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// `mean((y - ŷ)²)`.
    MeanSquaredError,
    /// `mean(|y - ŷ|)`.
    MeanAbsoluteError,
    /// `100 · mean(|y - ŷ| / max(|y|, ε))`.
    MeanAbsolutePercentageError,
    /// `mean((log(1 + y) - log(1 + ŷ))²)` (both clipped at ε).
    MeanSquaredLogarithmicError,
    /// `mean(max(1 - y·ŷ, 0)²)` (labels are -1 or 1).
    SquaredHinge,
    /// `mean(max(1 - y·ŷ, 0))` (labels are -1 or 1).
    Hinge,
    /// `max(0, max_{wrong}(ŷ) - ŷ_{true} + 1)` over one-hot targets.
    CategoricalHinge,
    /// `mean(log(cosh(ŷ - y)))`.
    Logcosh,
    /// `-Σ y · log(ŷ)` over one-hot (or probability) targets.
    CategoricalCrossentropy,
    /// Categorical crossentropy with the class index as the target (one column).
    SparseCategoricalCrossentropy,
    /// `-mean(y·log(ŷ) + (1 - y)·log(1 - ŷ))`.
    BinaryCrossentropy,
    /// `Σ y · log(y / ŷ)` (both clipped to [ε, 1]).
    KullbackLeiblerDivergence,
    /// `mean(ŷ - y · log(ŷ + ε))`.
    Poisson,
    /// `-Σ ŷ·y / (‖ŷ‖·‖y‖)` (minus the cosine similarity).
    CosineProximity,
}

use Loss::*;

const CANONICAL: usize = 14;
const NAMES: &[(&str, Loss)] = &[
    ("meanSquaredError", MeanSquaredError),
    ("meanAbsoluteError", MeanAbsoluteError),
    ("meanAbsolutePercentageError", MeanAbsolutePercentageError),
    ("meanSquaredLogarithmicError", MeanSquaredLogarithmicError),
    ("squaredHinge", SquaredHinge),
    ("hinge", Hinge),
    ("categoricalHinge", CategoricalHinge),
    ("logcosh", Logcosh),
    ("categoricalCrossentropy", CategoricalCrossentropy),
    ("sparseCategoricalCrossentropy", SparseCategoricalCrossentropy),
    ("binaryCrossentropy", BinaryCrossentropy),
    ("kullbackLeiblerDivergence", KullbackLeiblerDivergence),
    ("poisson", Poisson),
    ("cosineProximity", CosineProximity),
    // Keras names and short aliases (TF.js rejects these; Keras accepts them).
    ("mse", MeanSquaredError),
    ("MSE", MeanSquaredError),
    ("mean_squared_error", MeanSquaredError),
    ("mae", MeanAbsoluteError),
    ("MAE", MeanAbsoluteError),
    ("mean_absolute_error", MeanAbsoluteError),
    ("mape", MeanAbsolutePercentageError),
    ("MAPE", MeanAbsolutePercentageError),
    ("mean_absolute_percentage_error", MeanAbsolutePercentageError),
    ("msle", MeanSquaredLogarithmicError),
    ("MSLE", MeanSquaredLogarithmicError),
    ("mean_squared_logarithmic_error", MeanSquaredLogarithmicError),
    ("squared_hinge", SquaredHinge),
    ("categorical_hinge", CategoricalHinge),
    ("log_cosh", Logcosh),
    ("categorical_crossentropy", CategoricalCrossentropy),
    ("sparse_categorical_crossentropy", SparseCategoricalCrossentropy),
    ("binary_crossentropy", BinaryCrossentropy),
    ("kullback_leibler_divergence", KullbackLeiblerDivergence),
    ("kld", KullbackLeiblerDivergence),
    ("KLD", KullbackLeiblerDivergence),
    ("cosine_proximity", CosineProximity),
    ("cosine", CosineProximity),
];

impl Loss {
    /// Parses a TF.js loss identifier, a Keras name or a short alias.
    pub fn parse(name: &str) -> Result<Self> {
        lookup("loss", name, NAMES, CANONICAL)
    }

    /// The TF.js identifier.
    pub fn name(self) -> &'static str {
        NAMES.iter().find(|(_, l)| *l == self).map(|(n, _)| *n).unwrap_or_default()
    }

    /// Width the target must have, given the prediction width (`None` for "the same").
    pub fn target_width(self, pred_width: usize) -> usize {
        if self == SparseCategoricalCrossentropy {
            1
        } else {
            pred_width
        }
    }

    /// Checks that a head of `pred_width` units can use this loss.
    pub fn check_output(self, pred_width: usize, output: &str) -> Result<()> {
        if self == CategoricalCrossentropy && pred_width == 1 {
            return Err(Error::invalid(format!(
                "loss categoricalCrossentropy on output '{output}' needs at least 2 units (one per class) but the output has 1; use binaryCrossentropy"
            )));
        }
        Ok(())
    }

    /// Per-sample loss of one row; when `grad` is given, writes d loss / d pred into it.
    pub fn row(self, t: &[f32], p: &[f32], grad: Option<&mut [f32]>) -> f32 {
        let k = p.len() as f32;
        match self {
            MeanSquaredError => mean_of(t, p, grad, |d| (d * d, 2.0 * d / k)),
            MeanAbsoluteError => mean_of(t, p, grad, |d| (d.abs(), abs_slope(d) / k)),
            Logcosh => mean_of(t, p, grad, |d| {
                (d + crate::activation::softplus(-2.0 * d) - std::f32::consts::LN_2, (1.0 - 2.0 * crate::activation::sigmoid(-2.0 * d)) / k)
            }),
            MeanAbsolutePercentageError => elementwise(t, p, grad, |t, p| {
                let denom = t.abs().max(EPSILON);
                let ratio = (t - p) / denom;
                (100.0 * ratio.abs() / k, -100.0 * abs_slope(ratio) / (denom * k))
            }),
            MeanSquaredLogarithmicError => elementwise(t, p, grad, |t, p| {
                let pc = p.max(EPSILON);
                let d = pc.ln_1p() - t.max(EPSILON).ln_1p();
                let inside = if p >= EPSILON { 1.0 } else { 0.0 };
                (d * d / k, inside * 2.0 * d / ((1.0 + pc) * k))
            }),
            Hinge => elementwise(t, p, grad, |t, p| {
                let m = 1.0 - t * p;
                if m > 0.0 {
                    (m / k, -t / k)
                } else {
                    (0.0, 0.0)
                }
            }),
            SquaredHinge => elementwise(t, p, grad, |t, p| {
                let m = 1.0 - t * p;
                if m > 0.0 {
                    (m * m / k, -2.0 * m * t / k)
                } else {
                    (0.0, 0.0)
                }
            }),
            Poisson => elementwise(t, p, grad, |t, p| ((p - t * (p + EPSILON).ln()) / k, (1.0 - t / (p + EPSILON)) / k)),
            KullbackLeiblerDivergence => elementwise(t, p, grad, |t, p| {
                let pc = p.clamp(EPSILON, 1.0);
                let inside = if (EPSILON..=1.0).contains(&p) { 1.0 } else { 0.0 };
                (t * (t.clamp(EPSILON, 1.0) / pc).ln(), -inside * t / pc)
            }),
            BinaryCrossentropy => elementwise(t, p, grad, |t, p| {
                // TF.js: logit = log(y / (1 - y)) on the clipped y, then sigmoid cross-entropy with logits.
                let y = p.clamp(EPSILON, 1.0 - EPSILON);
                let logit = (y / (1.0 - y)).ln();
                let value = logit.max(0.0) - logit * t + (-logit.abs()).exp().ln_1p();
                let inside = if (EPSILON..=1.0 - EPSILON).contains(&p) { 1.0 } else { 0.0 };
                (value / k, inside * (y - t) / (y * (1.0 - y) * k))
            }),
            CategoricalCrossentropy => categorical_crossentropy(t, p, grad),
            SparseCategoricalCrossentropy => sparse_categorical_crossentropy(t[0], p, grad),
            CategoricalHinge => categorical_hinge(t, p, grad),
            CosineProximity => cosine_proximity(t, p, grad),
        }
    }

    /// Per-row values of the loss over `rows × pred_width` predictions (`tf.losses.*` before
    /// the batch mean); `name` names the loss in messages. The sizes are checked first.
    pub fn per_sample(self, name: &str, y_true: &[f32], y_pred: &[f32], pred_width: usize) -> Result<Vec<f32>> {
        let rows = check_pairs(name, y_true, y_pred, pred_width, self.target_width(pred_width))?;
        let mut out = vec![0.0; rows];
        self.compute(y_true, y_pred, pred_width, &mut out, None);
        Ok(out)
    }

    /// Per-sample losses for `rows` rows; with `grad`, d loss_i / d pred (unscaled) for every row.
    pub fn compute(self, y_true: &[f32], y_pred: &[f32], pred_width: usize, per_sample: &mut [f32], mut grad: Option<&mut [f32]>) {
        let t_width = self.target_width(pred_width);
        for (i, (t, p)) in y_true.chunks_exact(t_width).zip(y_pred.chunks_exact(pred_width)).enumerate() {
            let g = grad.as_deref_mut().map(|g| &mut g[i * pred_width..(i + 1) * pred_width]);
            per_sample[i] = self.row(t, p, g);
        }
    }
}

/// The slope TF.js's autodiff gives `|x|`: `step(x, -1)`, so -1 at exactly 0.
fn abs_slope(x: f32) -> f32 {
    if x > 0.0 {
        1.0
    } else {
        -1.0
    }
}

/// Checks that `y_pred` is whole rows of `pred_width` and `y_true` as many rows of
/// `true_width`; returns the row count. `what` names the function in messages.
pub(crate) fn check_pairs(what: &str, y_true: &[f32], y_pred: &[f32], pred_width: usize, true_width: usize) -> Result<usize> {
    if pred_width == 0 || !y_pred.len().is_multiple_of(pred_width) {
        return Err(Error::invalid(format!("{what}: yPred has {} values, which is not a whole number of rows of {pred_width}", y_pred.len())));
    }
    let rows = y_pred.len() / pred_width;
    if y_true.len() != rows * true_width {
        return Err(Error::shape(format!("{what}: yTrue"), format!("{} values ({rows} rows of {true_width})", rows * true_width), y_true.len()));
    }
    Ok(rows)
}

/// Losses are read from any name [`Loss::parse`] accepts.
impl<'de> Deserialize<'de> for Loss {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Loss::parse(&name).map_err(serde::de::Error::custom)
    }
}

/// Sum over a row of `f(p - t) = (value, d value / d p)`, divided by the width where `f` says so.
fn mean_of(t: &[f32], p: &[f32], grad: Option<&mut [f32]>, f: impl Fn(f32) -> (f32, f32)) -> f32 {
    let k = p.len() as f32;
    elementwise(t, p, grad, |t, p| {
        let (v, g) = f(p - t);
        (v / k, g)
    })
}

/// Sum over a row of `f(t, p) = (value, d value / d p)`.
fn elementwise(t: &[f32], p: &[f32], grad: Option<&mut [f32]>, f: impl Fn(f32, f32) -> (f32, f32)) -> f32 {
    match grad {
        Some(g) => t
            .iter()
            .zip(p)
            .zip(g.iter_mut())
            .map(|((&t, &p), g)| {
                let (v, d) = f(t, p);
                *g = d;
                v
            })
            .sum(),
        None => t.iter().zip(p).map(|(&t, &p)| f(t, p).0).sum(),
    }
}

/// TF.js: `q = p / sum(p)`, clipped to `[ε, 1-ε]`, then `-sum(t log q)`.
fn categorical_crossentropy(t: &[f32], p: &[f32], grad: Option<&mut [f32]>) -> f32 {
    let s: f32 = p.iter().sum();
    let value = -t.iter().zip(p).map(|(&t, &p)| t * (p / s).clamp(EPSILON, 1.0 - EPSILON).ln()).sum::<f32>();
    if let Some(g) = grad {
        // dL/dq_j = -t_j / q_j where q_j is not clipped; dq_j/dp_i = (δ_ij - q_j) / s.
        let mut dot = 0.0;
        for ((g, &t), &p) in g.iter_mut().zip(t).zip(p) {
            let q = p / s;
            *g = if (EPSILON..=1.0 - EPSILON).contains(&q) { -t / q } else { 0.0 };
            dot += *g * q;
        }
        g.iter_mut().for_each(|g| *g = (*g - dot) / s);
    }
    value
}

/// TF.js clips the prediction to `[ε, 1-ε]`, one-hot encodes `floor(t)` and applies the
/// categorical loss (which normalizes and clips again). Written out for one class index.
fn sparse_categorical_crossentropy(t: f32, p: &[f32], grad: Option<&mut [f32]>) -> f32 {
    let clip = |x: f32| x.clamp(EPSILON, 1.0 - EPSILON);
    let inside = |x: f32| (EPSILON..=1.0 - EPSILON).contains(&x);
    let class = t.floor();
    let class = if class >= 0.0 && (class as usize) < p.len() { Some(class as usize) } else { None };
    let s: f32 = p.iter().map(|&x| clip(x)).sum();
    let q = class.map(|c| clip(p[c]) / s);
    if let Some(g) = grad {
        for (j, (g, &pj)) in g.iter_mut().zip(p).enumerate() {
            *g = match q {
                // d/dp_j of -ln(p_c / s), passed only where neither clip is active.
                Some(q) if inside(q) && inside(pj) => (if Some(j) == class { -1.0 / q } else { 0.0 } + 1.0) / s,
                _ => 0.0,
            };
        }
    }
    q.map_or(0.0, |q| -clip(q).ln())
}

/// `max(0, 1 + max((1-t) p) - sum(t p))`. Like TF.js's `max`, the gradient reaches every entry
/// tied for the maximum.
fn categorical_hinge(t: &[f32], p: &[f32], grad: Option<&mut [f32]>) -> f32 {
    let pos: f32 = t.iter().zip(p).map(|(t, p)| t * p).sum();
    let neg = t.iter().zip(p).map(|(t, p)| (1.0 - t) * p).fold(f32::NEG_INFINITY, f32::max);
    let margin = 1.0 + neg - pos;
    if let Some(g) = grad {
        for (g, (&t, &p)) in g.iter_mut().zip(t.iter().zip(p)) {
            let at_max = if (1.0 - t) * p == neg { 1.0 - t } else { 0.0 };
            *g = if margin > 0.0 { at_max - t } else { 0.0 };
        }
    }
    margin.max(0.0)
}

/// `-sum(l2normalize(t) * l2normalize(p))`, where l2normalize divides by `sqrt(max(sum x², ε))`.
fn cosine_proximity(t: &[f32], p: &[f32], grad: Option<&mut [f32]>) -> f32 {
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().max(EPSILON).sqrt();
    let (nt, np) = (norm(t), norm(p));
    let dot: f32 = t.iter().zip(p).map(|(t, p)| t * p).sum();
    if let Some(g) = grad {
        let p_sq: f32 = p.iter().map(|x| x * x).sum();
        let through_norm = if p_sq >= EPSILON { dot / (nt * np * np * np) } else { 0.0 };
        g.iter_mut().zip(t).zip(p).for_each(|((g, &t), &p)| *g = -t / (nt * np) + through_norm * p);
    }
    -dot / (nt * np)
}

/// All TF.js loss identifiers.
pub fn all() -> impl Iterator<Item = (&'static str, Loss)> {
    NAMES.iter().take(CANONICAL).copied()
}
