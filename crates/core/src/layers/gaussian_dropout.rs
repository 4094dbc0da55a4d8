//! `tf.layers.gaussianDropout`: in training, multiplies every value by normal noise of mean 1
//! and standard deviation `√(rate / (1 − rate))` (TF.js 4.22's `mul(x, randomNormal(shape, 1,
//! stddev))`); the identity at inference and for rate 0. The gradient is the same noise applied
//! to the output's gradient, so the forward pass keeps it.
//!
//! The noise comes from the workspace's random stream, as an unseeded dropout layer's masks do
//! (TF.js's layer takes no seed).

use super::{one_input, Backward, Forward, Layer, NamedLayer};
use crate::error::{Error, Result};
use serde::Deserialize;

/// `tf.layers.gaussianDropout({rate})`.
#[derive(Clone, Debug, Deserialize)]
pub struct GaussianDropoutConfig {
    /// The layer's name.
    pub name: String,
    /// Sets the noise's standard deviation to `√(rate / (1 − rate))`; in `[0, 1)`.
    pub rate: f64,
}

impl GaussianDropoutConfig {
    /// Checks the rate.
    pub fn build(&self) -> Result<NamedLayer> {
        let (name, rate) = (&self.name, self.rate);
        if !(0.0..1.0).contains(&rate) {
            return Err(Error::invalid(format!("gaussianDropout '{name}': rate must be a number in [0, 1) but got {rate}")));
        }
        let stddev = (rate / (1.0 - rate)).sqrt() as f32;
        Ok(NamedLayer { name: name.clone(), trainable: true, layer: Box::new(GaussianDropout { rate, stddev }) })
    }
}

/// A built Gaussian dropout layer.
#[derive(Clone, Debug)]
pub struct GaussianDropout {
    /// The rate the noise's standard deviation comes from.
    pub rate: f64,
    /// `√(rate / (1 − rate))` in float32.
    stddev: f32,
}

impl GaussianDropout {
    /// TF.js applies the noise only for a rate strictly between 0 and 1.
    fn active(&self) -> bool {
        self.rate > 0.0
    }
}

impl Layer for GaussianDropout {
    fn class_name(&self) -> &'static str {
        "GaussianDropout"
    }

    fn output_width(&self, name: &str, inputs: &[usize]) -> Result<usize> {
        one_input(&format!("layer '{name}'"), inputs)
    }

    /// The noise, in training at a rate above 0.
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
        debug_assert_eq!(pass.saved.len(), x.len(), "gaussian dropout in training needs a training workspace");
        let (noise, rng) = (&mut *pass.saved, pass.rng);
        noise.iter_mut().for_each(|n| *n = self.stddev * rng.normal() + 1.0);
        pass.out.iter_mut().zip(x).zip(&*noise).for_each(|((o, &xv), &n)| *o = xv * n);
    }

    fn backward(&self, pass: Backward<'_>) {
        super::backward_through_saved_factors(pass, self.active(), 1.0);
    }

    fn clone_box(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}
