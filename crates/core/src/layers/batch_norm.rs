//! Batch normalization over the feature axis, as TF.js 4.22's `BatchNormalization` layer
//! computes it (`tfjs-layers/src/layers/normalization.ts`).
//!
//! In training, each feature is normalized with the batch's mean and (biased) variance, and the
//! gradient flows through both; after the step, the moving statistics move towards the batch's:
//! `moving -= (moving - batch) · (1 - momentum)`. In inference (predict, evaluate, validation),
//! the moving statistics are used. A frozen layer (`trainable: false`) keeps gamma and beta but,
//! as in TF.js 4.22 (unlike Keras 3), still normalizes with batch statistics in training and
//! still updates its moving statistics.
//!
//! Weights in TF.js's order: `gamma` (with `scale`), `beta` (with `center`), `moving_mean`,
//! `moving_variance`; the last two are not trained by the optimizer.

use super::{one_input, write_or_add, yes, zeroed, Backward, Forward, Layer, NamedLayer, Param};
use crate::error::{Error, Result};
use crate::initializer::Initializer;
use crate::regularizer::Regularizer;
use serde::Deserialize;

/// `tf.layers.batchNormalization(...)`, TF.js defaults applied.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchNormConfig {
    /// The layer's name.
    pub name: String,
    /// Only the feature axis (-1, or 1 for `[batch, features]` data).
    #[serde(default = "last_axis")]
    pub axis: i64,
    /// How much of the moving statistics each training step keeps, in `[0, 1]` (0.99 by default).
    #[serde(default = "default_momentum")]
    pub momentum: f64,
    /// Added to the variance before its square root, finite and > 0 (0.001 by default).
    #[serde(default = "default_epsilon")]
    pub epsilon: f64,
    /// Whether the layer adds a learned offset `beta` (true by default).
    #[serde(default = "yes")]
    pub center: bool,
    /// Whether the layer multiplies by a learned scale `gamma` (true by default).
    #[serde(default = "yes")]
    pub scale: bool,
    /// zeros when absent.
    #[serde(default)]
    pub beta_initializer: Option<Initializer>,
    /// ones when absent.
    #[serde(default)]
    pub gamma_initializer: Option<Initializer>,
    /// zeros when absent.
    #[serde(default)]
    pub moving_mean_initializer: Option<Initializer>,
    /// ones when absent.
    #[serde(default)]
    pub moving_variance_initializer: Option<Initializer>,
    /// A penalty on beta, added to the training loss.
    #[serde(default)]
    pub beta_regularizer: Option<Regularizer>,
    /// A penalty on gamma, added to the training loss.
    #[serde(default)]
    pub gamma_regularizer: Option<Regularizer>,
    /// Whether training updates gamma and beta (true by default); as in TF.js 4.22, the moving
    /// statistics are updated in training either way.
    #[serde(default = "yes")]
    pub trainable: bool,
}

fn last_axis() -> i64 {
    -1
}

fn default_momentum() -> f64 {
    0.99
}

pub(crate) fn default_epsilon() -> f64 {
    1e-3
}

/// Checks the axis and epsilon that both normalization layers take.
pub(crate) fn check_axis_and_epsilon(what: &str, axis: i64, epsilon: f64) -> Result<()> {
    if axis != -1 && axis != 1 {
        return Err(Error::invalid(format!("{what}: axis must be -1 (the feature axis; dense-mtl works on [batch, features] data) but got {axis}")));
    }
    if !(epsilon.is_finite() && epsilon > 0.0) {
        return Err(Error::invalid(format!("{what}: epsilon must be a finite number > 0 but got {epsilon}")));
    }
    Ok(())
}

/// Builds a `[width]` weight from an initializer (validated first; 1-D fans as TF.js computes
/// them: `sqrt(width)` both).
pub(crate) fn vector_param(
    name: &'static str,
    width: usize,
    initializer: Option<&Initializer>,
    default: Initializer,
    arg: &str,
    regularizer: Option<Regularizer>,
) -> Result<Param> {
    let initializer = initializer.cloned().unwrap_or(default);
    initializer.validate(arg)?;
    let mut values = zeroed(Some(width), &format!("{arg}: {width} values"))?;
    // TF.js's computeFans gives sqrt(n) for both fans of a 1-D shape; Initializer::fill takes
    // integer fans, so the variance-scaling initializers get them rounded (gamma is rarely one).
    let fan = (width as f64).sqrt().round() as usize;
    initializer.fill(&mut values, fan, fan);
    Ok(Param::new(name, vec![width], values, regularizer))
}

impl BatchNormConfig {
    /// Checks the options and initializes the weights for inputs of `input_width` features.
    pub fn build(&self, input_width: usize) -> Result<NamedLayer> {
        let what = format!("batchNormalization '{}'", self.name);
        check_axis_and_epsilon(&what, self.axis, self.epsilon)?;
        if !(0.0..=1.0).contains(&self.momentum) {
            return Err(Error::invalid(format!("{what}: momentum must be a number in [0, 1] but got {}", self.momentum)));
        }
        let arg = |name: &str| format!("{what}: {name}");
        let mut params = Vec::with_capacity(4);
        if self.scale {
            params.push(vector_param(
                "gamma",
                input_width,
                self.gamma_initializer.as_ref(),
                Initializer::Ones {},
                &arg("gammaInitializer"),
                self.gamma_regularizer,
            )?);
        }
        if self.center {
            params.push(vector_param(
                "beta",
                input_width,
                self.beta_initializer.as_ref(),
                Initializer::Zeros {},
                &arg("betaInitializer"),
                self.beta_regularizer,
            )?);
        }
        for (name, initializer, default, option) in [
            ("moving_mean", &self.moving_mean_initializer, Initializer::Zeros {}, "movingMeanInitializer"),
            ("moving_variance", &self.moving_variance_initializer, Initializer::Ones {}, "movingVarianceInitializer"),
        ] {
            let mut p = vector_param(name, input_width, initializer.as_ref(), default, &arg(option), None)?;
            p.trainable = false;
            params.push(p);
        }
        let layer = BatchNorm {
            width: input_width,
            // TF.js multiplies by `1 - momentum` computed in double precision, then cast to float32.
            decay: (1.0 - self.momentum) as f32,
            epsilon: self.epsilon as f32,
            scale: self.scale,
            center: self.center,
            params,
        };
        Ok(NamedLayer { name: self.name.clone(), trainable: self.trainable, layer: Box::new(layer) })
    }
}

/// A built batch normalization layer.
#[derive(Clone, Debug)]
pub struct BatchNorm {
    width: usize,
    /// `1 - momentum`.
    decay: f32,
    epsilon: f32,
    scale: bool,
    center: bool,
    /// `[gamma?, beta?, moving_mean, moving_variance]`.
    params: Vec<Param>,
}

impl BatchNorm {
    fn gamma(&self) -> Option<&[f32]> {
        self.scale.then(|| self.params[0].values.as_slice())
    }

    fn beta(&self) -> Option<&[f32]> {
        self.center.then(|| self.params[self.scale as usize].values.as_slice())
    }

    /// Index of `moving_mean` in `params` (`moving_variance` follows it).
    fn moving(&self) -> usize {
        self.params.len() - 2
    }

    /// `out = beta + (x - mean) · gamma · inv_std(feature)`, a chunk of features at a time: their
    /// factors on the stack, then a pass over the rows that the compiler vectorizes.
    fn normalize(&self, x: &[f32], out: &mut [f32], mean: &[f32], inv_std: impl Fn(usize) -> f32) {
        const CHUNK: usize = 16;
        let w = self.width;
        let (gamma, beta) = (self.gamma(), self.beta());
        for start in (0..w).step_by(CHUNK) {
            let n = CHUNK.min(w - start);
            let (mut m, mut k, mut b) = ([0.0f32; CHUNK], [0.0f32; CHUNK], [0.0f32; CHUNK]);
            for c in 0..n {
                let j = start + c;
                m[c] = mean[j];
                k[c] = gamma.map_or(1.0, |g| g[j]) * inv_std(j);
                b[c] = beta.map_or(0.0, |v| v[j]);
            }
            for (o_row, x_row) in out.chunks_exact_mut(w).zip(x.chunks_exact(w)) {
                let (o, xs) = (&mut o_row[start..start + n], &x_row[start..start + n]);
                for c in 0..n {
                    o[c] = b[c] + (xs[c] - m[c]) * k[c];
                }
            }
        }
    }
}

impl Layer for BatchNorm {
    fn class_name(&self) -> &'static str {
        "BatchNormalization"
    }

    fn output_width(&self, name: &str, inputs: &[usize]) -> Result<usize> {
        let width = one_input(&format!("batchNormalization '{name}'"), inputs)?;
        if width != self.width {
            return Err(Error::shape(format!("batchNormalization '{name}': input width"), self.width, width));
        }
        Ok(width)
    }

    fn params(&self) -> &[Param] {
        &self.params
    }

    fn params_mut(&mut self) -> &mut [Param] {
        &mut self.params
    }

    /// In training: the batch's mean, variance and `1 / sqrt(variance + epsilon)`, per feature.
    fn batch_saved_len(&self, width: usize, training: bool) -> usize {
        if training {
            3 * width
        } else {
            0
        }
    }

    fn forward(&self, pass: Forward<'_>) {
        let (w, rows, x) = (self.width, pass.rows, pass.inputs.get(0));
        if !pass.training {
            let m = self.moving();
            let (mean, variance) = (&self.params[m].values, &self.params[m + 1].values);
            self.normalize(x, pass.out, mean, |j| 1.0 / (variance[j] + self.epsilon).sqrt());
            return;
        }
        debug_assert_eq!(pass.saved.len(), 3 * w, "batch normalization in training needs a training workspace");
        let (mean, rest) = pass.saved.split_at_mut(w);
        let (variance, inv_std) = rest.split_at_mut(w);
        // TF.js's moments: the mean, then the mean of squared deviations (biased variance).
        mean.fill(0.0);
        x.chunks_exact(w).for_each(|row| mean.iter_mut().zip(row).for_each(|(m, &v)| *m += v));
        let n = rows as f32;
        mean.iter_mut().for_each(|m| *m /= n);
        variance.fill(0.0);
        for row in x.chunks_exact(w) {
            for j in 0..w {
                let d = row[j] - mean[j];
                variance[j] += d * d;
            }
        }
        variance.iter_mut().for_each(|v| *v /= n);
        inv_std.iter_mut().zip(&*variance).for_each(|(s, &v)| *s = 1.0 / (v + self.epsilon).sqrt());
        self.normalize(x, pass.out, mean, |j| inv_std[j]);
    }

    /// The full gradient through the batch statistics: with `x̂ = (x - mean) · inv_std`,
    /// `dx = gamma · inv_std · (dy - mean(dy) - x̂ · mean(dy · x̂))`, `dgamma = Σ dy · x̂`,
    /// `dbeta = Σ dy`. (Backward runs only after a training forward pass.)
    fn backward(&self, pass: Backward<'_>) {
        let Backward { rows, grad, saved, inputs, param_grads, mut sink, scratch, .. } = pass;
        let w = self.width;
        let (mean, inv_std) = (&saved[..w], &saved[2 * w..3 * w]);
        let x = inputs.get(0);
        // Per feature: Σ dy and Σ dy · x̂.
        scratch.clear();
        scratch.resize(2 * w, 0.0);
        let (sum_dy, sum_dy_xhat) = scratch.split_at_mut(w);
        for (g_row, x_row) in grad.chunks_exact(w).zip(x.chunks_exact(w)) {
            for j in 0..w {
                let xhat = (x_row[j] - mean[j]) * inv_std[j];
                sum_dy[j] += g_row[j];
                sum_dy_xhat[j] += g_row[j] * xhat;
            }
        }
        if let Some(p) = param_grads {
            let mut k = 0;
            if self.scale {
                write_or_add(&mut p.grads[k], sum_dy_xhat, p.written[k]);
                p.written[k] = true;
                k += 1;
            }
            if self.center {
                write_or_add(&mut p.grads[k], sum_dy, p.written[k]);
                p.written[k] = true;
            }
        }
        let n = rows as f32;
        let gamma = self.gamma();
        let g = &*grad;
        sink.send(0, |dst, accumulate| {
            for ((d_row, g_row), x_row) in dst.chunks_exact_mut(w).zip(g.chunks_exact(w)).zip(x.chunks_exact(w)) {
                for j in 0..w {
                    let xhat = (x_row[j] - mean[j]) * inv_std[j];
                    let k = gamma.map_or(1.0, |g| g[j]) * inv_std[j];
                    let dx = k * (g_row[j] - sum_dy[j] / n - xhat * sum_dy_xhat[j] / n);
                    if accumulate {
                        d_row[j] += dx;
                    } else {
                        d_row[j] = dx;
                    }
                }
            }
        });
    }

    /// TF.js's `doMovingAverage`: `moving -= (moving - batch) · (1 - momentum)`, in float32.
    fn update_state(&mut self, saved: &[f32]) {
        let (w, m, decay) = (self.width, self.moving(), self.decay);
        let (mean, variance) = (&saved[..w], &saved[w..2 * w]);
        for (k, batch) in [(m, mean), (m + 1, variance)] {
            self.params[k].values.iter_mut().zip(batch).for_each(|(moving, &b)| *moving -= (*moving - b) * decay);
        }
    }

    fn clone_box(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}
