//! `tf.layers.alphaDropout`: dropout for SELU networks (Klambauer et al. 2017), exactly as
//! TF.js 4.22 computes it. In training, each value is kept with probability `1 − rate` (TF.js
//! keeps it where a uniform draw is `>= rate`), and the result goes through TF.js's affine
//! correction, with `α' = −scale·alpha` (SELU's negative saturation):
//!
//! `a = ((1 − rate)(1 + rate·α'²))^(−1/2)`, `b = −a·α'·rate`, `out = a·(x·kept + (kept − 1)·α') + b`.
//!
//! TF.js's quirk, kept for parity: `(kept − 1)·α'` sets a dropped value to `−α' ≈ +1.758`, where
//! the paper and Keras set it to `α'` (Keras writes `α'·(1 − kept)`). The output's variance is
//! still the input's, but its mean moves by `−2a·rate·α'` (about +0.62 at rate 0.2).
//!
//! The identity at inference and for rate 0. The gradient is `a·kept` times the output's.
//!
//! `noiseShape` draws one keep/drop flag per row or per feature and broadcasts it, as TF.js's
//! `randomUniform(noiseShape)` does; a `null` entry stands for the input's size on that axis
//! (Keras's convention; TF.js itself cannot draw a shape with a null). Flags come from the
//! workspace's random stream, as an unseeded dropout layer's masks do (TF.js's layer takes no seed).

use super::{one_input, Backward, Forward, Layer, NamedLayer};
use crate::error::{Error, Result};
use serde::Deserialize;

/// SELU's constants as TF.js's AlphaDropout writes them.
#[allow(clippy::excessive_precision)]
const SELU_ALPHA: f64 = 1.6732632423543772848170429916717;
#[allow(clippy::excessive_precision)]
const SELU_SCALE: f64 = 1.0507009873554804934193349852946;

/// `tf.layers.alphaDropout({rate, noiseShape})`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlphaDropoutConfig {
    /// The layer's name.
    pub name: String,
    /// The probability of dropping each value while training, in `[0, 1)`.
    pub rate: f64,
    /// `[batch, features]` with each entry 1 (one flag broadcast along the axis), the axis's
    /// size, or null (the axis's size).
    #[serde(default)]
    pub noise_shape: Option<Vec<Option<usize>>>,
}

impl AlphaDropoutConfig {
    /// Checks the rate and the noise shape for inputs of `input_width` features.
    pub fn build(&self, input_width: usize) -> Result<NamedLayer> {
        let (name, rate) = (&self.name, self.rate);
        if !(0.0..1.0).contains(&rate) {
            return Err(Error::invalid(format!("alphaDropout '{name}': rate must be a number in [0, 1) but got {rate}")));
        }
        // An entry may be null or the axis's size (a flag per position), or 1 (one broadcast flag).
        let fits = |d: Option<usize>, size: Option<usize>| d.is_none() || d == Some(1) || d == size;
        let (per_row, per_feature) = match self.noise_shape.as_deref() {
            None => (true, true),
            Some(&[rows, features]) if fits(rows, None) && fits(features, Some(input_width)) => (rows.is_none(), features != Some(1)),
            Some(shape) => {
                let shape: Vec<String> = shape.iter().map(|d| d.map_or("null".into(), |d| d.to_string())).collect();
                return Err(Error::invalid(format!(
                    "alphaDropout '{name}': noiseShape must be [batch, features] with batch null or 1 and features null, 1 or {input_width} (the input's width) but got [{}]",
                    shape.join(",")
                )));
            }
        };
        let alpha_p = -SELU_ALPHA * SELU_SCALE;
        let a = ((1.0 - rate) * (1.0 + rate * alpha_p * alpha_p)).powf(-0.5);
        let b = -a * alpha_p * rate;
        let layer = AlphaDropout { rate, per_row, per_feature, alpha_p: alpha_p as f32, a: a as f32, b: b as f32 };
        Ok(NamedLayer { name: name.clone(), trainable: true, layer: Box::new(layer) })
    }
}

/// A built alpha dropout layer; the constants in float32, as TF.js's scalars.
#[derive(Clone, Debug)]
pub struct AlphaDropout {
    /// The probability of dropping each value while training.
    pub rate: f64,
    /// Whether each row draws its own flags (else one set for the batch).
    per_row: bool,
    /// Whether each feature draws its own flag (else one per row).
    per_feature: bool,
    alpha_p: f32,
    a: f32,
    b: f32,
}

impl AlphaDropout {
    fn active(&self) -> bool {
        self.rate > 0.0
    }

    /// Fills `kept` (`rows × width`) with 1 or 0 flags, drawing one per row and/or feature as
    /// the noise shape says and copying it along the broadcast axes.
    fn draw(&self, kept: &mut [f32], width: usize, rng: &mut crate::rng::Rng) {
        let rate = self.rate as f32;
        for i in 0..kept.len() {
            let (r, c) = (i / width, i % width);
            let (sr, sc) = (if self.per_row { r } else { 0 }, if self.per_feature { c } else { 0 });
            let source = sr * width + sc;
            // The source comes first in row-major order, so it is already drawn when it differs.
            kept[i] = if source == i { f32::from(rng.uniform(0.0, 1.0) >= rate) } else { kept[source] };
        }
    }
}

impl Layer for AlphaDropout {
    fn class_name(&self) -> &'static str {
        "AlphaDropout"
    }

    fn output_width(&self, name: &str, inputs: &[usize]) -> Result<usize> {
        one_input(&format!("layer '{name}'"), inputs)
    }

    /// The keep flags, in training at a rate above 0.
    fn saved_width(&self, width: usize, training: bool) -> usize {
        if training && self.active() {
            width
        } else {
            0
        }
    }

    fn forward(&self, mut pass: Forward<'_>) {
        if super::copy_unless_drawing(&mut pass, self.active()) {
            return;
        }
        let x = pass.inputs.get(0);
        debug_assert_eq!(pass.saved.len(), x.len(), "alpha dropout in training needs a training workspace");
        let kept = &mut *pass.saved;
        self.draw(kept, pass.inputs.width(0), pass.rng);
        let (alpha_p, a, b) = (self.alpha_p, self.a, self.b);
        pass.out.iter_mut().zip(x).zip(&*kept).for_each(|((o, &xv), &k)| *o = (xv * k + (k - 1.0) * alpha_p) * a + b);
    }

    fn backward(&self, pass: Backward<'_>) {
        super::backward_through_saved_factors(pass, self.active(), self.a);
    }

    fn clone_box(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}
