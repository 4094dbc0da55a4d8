//! `tf.layers.gaussianNoise`: in training, adds zero-mean normal noise of standard deviation
//! `stddev` to every value (TF.js 4.22's `add(randomNormal(shape, 0, stddev), x)`); the identity
//! at inference. The gradient passes unchanged (the noise does not depend on the input).
//!
//! The noise comes from the workspace's random stream, as an unseeded dropout layer's masks do
//! (TF.js's layer takes no seed); TF.js's own random values cannot be reproduced.

use super::{one_input, Backward, Forward, Layer, NamedLayer};
use crate::error::{Error, Result};
use serde::Deserialize;

/// `tf.layers.gaussianNoise({stddev})`.
#[derive(Clone, Debug, Deserialize)]
pub struct GaussianNoiseConfig {
    /// The layer's name.
    pub name: String,
    /// The standard deviation of the noise added while training, finite and >= 0.
    pub stddev: f64,
}

impl GaussianNoiseConfig {
    /// Checks the standard deviation.
    pub fn build(&self) -> Result<NamedLayer> {
        let (name, stddev) = (&self.name, self.stddev);
        if !(stddev.is_finite() && stddev >= 0.0) {
            return Err(Error::invalid(format!("gaussianNoise '{name}': stddev must be a finite number >= 0 but got {stddev}")));
        }
        Ok(NamedLayer { name: name.clone(), trainable: true, layer: Box::new(GaussianNoise { stddev: stddev as f32 }) })
    }
}

/// A built Gaussian noise layer.
#[derive(Clone, Debug)]
pub struct GaussianNoise {
    /// The standard deviation of the noise, in float32.
    pub stddev: f32,
}

impl Layer for GaussianNoise {
    fn class_name(&self) -> &'static str {
        "GaussianNoise"
    }

    fn output_width(&self, name: &str, inputs: &[usize]) -> Result<usize> {
        one_input(&format!("layer '{name}'"), inputs)
    }

    fn forward(&self, pass: Forward<'_>) {
        let x = pass.inputs.get(0);
        if !pass.training {
            pass.out.copy_from_slice(x);
            return;
        }
        let (stddev, rng) = (self.stddev, pass.rng);
        pass.out.iter_mut().zip(x).for_each(|(o, &xv)| *o = stddev * rng.normal() + xv);
    }

    fn backward(&self, pass: Backward<'_>) {
        let Backward { grad, mut sink, .. } = pass;
        let g = &*grad;
        sink.send(0, |dst, accumulate| super::write_or_add(dst, g, accumulate));
    }

    fn clone_box(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}
