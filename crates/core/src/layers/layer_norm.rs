//! Layer normalization over the feature axis, as TF.js 4.22's `LayerNormalization` layer
//! computes it: each row is normalized with its own mean and (biased) variance, then scaled by
//! `gamma` and shifted by `beta` (weights in that order). The same in training and inference.

use super::batch_norm::{check_axis_and_epsilon, default_epsilon, vector_param};
use super::{one_input, yes, Backward, Forward, Layer, NamedLayer, Param};
use crate::error::{Error, Result};
use crate::initializer::Initializer;
use crate::regularizer::Regularizer;
use serde::Deserialize;

/// `tf.layers.layerNormalization(...)`, TF.js defaults applied.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LayerNormConfig {
    /// The layer's name.
    pub name: String,
    /// Only the feature axis (-1, or 1 for `[batch, features]` data).
    #[serde(default = "last_axis")]
    pub axis: i64,
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
    /// A penalty on beta, added to the training loss.
    #[serde(default)]
    pub beta_regularizer: Option<Regularizer>,
    /// A penalty on gamma, added to the training loss.
    #[serde(default)]
    pub gamma_regularizer: Option<Regularizer>,
    /// Whether training updates gamma and beta (true by default).
    #[serde(default = "yes")]
    pub trainable: bool,
}

fn last_axis() -> i64 {
    -1
}

impl LayerNormConfig {
    /// Checks the options and initializes the weights for inputs of `input_width` features.
    pub fn build(&self, input_width: usize) -> Result<NamedLayer> {
        let what = format!("layerNormalization '{}'", self.name);
        check_axis_and_epsilon(&what, self.axis, self.epsilon)?;
        let arg = |name: &str| format!("{what}: {name}");
        let mut params = Vec::with_capacity(2);
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
        let layer = LayerNorm { width: input_width, epsilon: self.epsilon as f32, scale: self.scale, center: self.center, params };
        Ok(NamedLayer { name: self.name.clone(), trainable: self.trainable, layer: Box::new(layer) })
    }
}

/// A built layer normalization layer.
#[derive(Clone, Debug)]
pub struct LayerNorm {
    width: usize,
    epsilon: f32,
    scale: bool,
    center: bool,
    /// `[gamma?, beta?]`.
    params: Vec<Param>,
}

impl LayerNorm {
    fn gamma(&self) -> Option<&[f32]> {
        self.scale.then(|| self.params[0].values.as_slice())
    }

    fn beta(&self) -> Option<&[f32]> {
        self.center.then(|| self.params[self.scale as usize].values.as_slice())
    }

    /// A row's mean and `1 / sqrt(variance + epsilon)` (TF.js's moments: biased variance).
    fn moments(&self, row: &[f32]) -> (f32, f32) {
        let n = row.len() as f32;
        let mean = lane_sum(row, |v| v) / n;
        let variance = lane_sum(row, |v| (v - mean) * (v - mean)) / n;
        (mean, 1.0 / (variance + self.epsilon).sqrt())
    }
}

impl Layer for LayerNorm {
    fn class_name(&self) -> &'static str {
        "LayerNormalization"
    }

    fn output_width(&self, name: &str, inputs: &[usize]) -> Result<usize> {
        let width = one_input(&format!("layerNormalization '{name}'"), inputs)?;
        if width != self.width {
            return Err(Error::shape(format!("layerNormalization '{name}': input width"), self.width, width));
        }
        Ok(width)
    }

    fn params(&self) -> &[Param] {
        &self.params
    }

    fn params_mut(&mut self) -> &mut [Param] {
        &mut self.params
    }

    /// In training: each row's mean and `1 / sqrt(variance + epsilon)`.
    fn saved_width(&self, _width: usize, training: bool) -> usize {
        if training {
            2
        } else {
            0
        }
    }

    fn forward(&self, pass: Forward<'_>) {
        let (w, x) = (self.width, pass.inputs.get(0));
        let (gamma, beta) = (self.gamma(), self.beta());
        for (r, (o_row, x_row)) in pass.out.chunks_exact_mut(w).zip(x.chunks_exact(w)).enumerate() {
            let (mean, inv_std) = self.moments(x_row);
            if pass.training {
                pass.saved[2 * r] = mean;
                pass.saved[2 * r + 1] = inv_std;
            }
            o_row.iter_mut().zip(x_row).for_each(|(o, &v)| *o = (v - mean) * inv_std);
            if let Some(g) = gamma {
                o_row.iter_mut().zip(g).for_each(|(o, &g)| *o *= g);
            }
            if let Some(b) = beta {
                o_row.iter_mut().zip(b).for_each(|(o, &b)| *o += b);
            }
        }
    }

    /// Per row, with `x̂ = (x - mean) · inv_std` and `g = dy · gamma`:
    /// `dx = inv_std · (g - mean(g) - x̂ · mean(g · x̂))`; `dgamma = Σ_rows dy · x̂`, `dbeta = Σ_rows dy`.
    fn backward(&self, pass: Backward<'_>) {
        let Backward { grad, saved, inputs, mut param_grads, mut sink, .. } = pass;
        let w = self.width;
        let x = inputs.get(0);
        let gamma = self.gamma();
        let (gamma_at, beta_at) = (self.scale.then_some(0), self.center.then_some(self.scale as usize));
        if let Some(p) = param_grads.as_mut() {
            for k in gamma_at.into_iter().chain(beta_at) {
                if !p.written[k] {
                    p.grads[k].fill(0.0);
                }
                p.written[k] = true;
            }
        }
        for (r, (g_row, x_row)) in grad.chunks_exact_mut(w).zip(x.chunks_exact(w)).enumerate() {
            let (mean, inv_std) = (saved[2 * r], saved[2 * r + 1]);
            if let Some(p) = param_grads.as_mut() {
                for j in 0..w {
                    let xhat = (x_row[j] - mean) * inv_std;
                    if let Some(k) = gamma_at {
                        p.grads[k][j] += g_row[j] * xhat;
                    }
                    if let Some(k) = beta_at {
                        p.grads[k][j] += g_row[j];
                    }
                }
            }
            // The row's input gradient replaces its output gradient (the layer may overwrite it).
            let (mut sum_g, mut sum_g_xhat) = (0.0f32, 0.0f32);
            for j in 0..w {
                let g = g_row[j] * gamma.map_or(1.0, |gm| gm[j]);
                sum_g += g;
                sum_g_xhat += g * (x_row[j] - mean) * inv_std;
            }
            let n = w as f32;
            for j in 0..w {
                let xhat = (x_row[j] - mean) * inv_std;
                let g = g_row[j] * gamma.map_or(1.0, |gm| gm[j]);
                g_row[j] = inv_std * (g - sum_g / n - xhat * sum_g_xhat / n);
            }
        }
        let g = &*grad;
        sink.send(0, |dst, accumulate| super::write_or_add(dst, g, accumulate));
    }

    fn clone_box(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}

/// `Σ f(v)` over `values` in eight lanes (a sequential float sum cannot be vectorized).
fn lane_sum(values: &[f32], f: impl Fn(f32) -> f32) -> f32 {
    let mut lanes = [0.0f32; 8];
    let mut chunks = values.chunks_exact(8);
    for chunk in &mut chunks {
        lanes.iter_mut().zip(chunk).for_each(|(l, &v)| *l += f(v));
    }
    chunks.remainder().iter().for_each(|&v| lanes[0] += f(v));
    lanes.iter().sum()
}
