//! `tf.layers.thresholdedReLU`: `x · (x > theta)`, TF.js 4.22's forward pass.
//!
//! TF.js cannot train through this layer: its `greater` op has no gradient, so `fit` throws
//! "gradient function not found for Greater". The gradient here is Keras's (the step is flat
//! almost everywhere): `dy` where `x > theta`, 0 elsewhere.

use super::{one_input, Backward, Forward, Layer, NamedLayer};
use crate::error::{Error, Result};
use serde::Deserialize;

/// `tf.layers.thresholdedReLU({theta})`, theta 1 by default.
#[derive(Clone, Debug, Deserialize)]
pub struct ThresholdedReluConfig {
    /// The layer's name.
    pub name: String,
    /// The threshold: values at or below it become 0. Any finite number, 1 by default.
    #[serde(default = "one")]
    pub theta: f64,
}

fn one() -> f64 {
    1.0
}

impl ThresholdedReluConfig {
    /// Checks theta (any finite number, as TF.js allows).
    pub fn build(&self) -> Result<NamedLayer> {
        let (name, theta) = (&self.name, self.theta);
        if !theta.is_finite() {
            return Err(Error::invalid(format!("thresholdedReLU '{name}': theta must be a finite number but got {theta}")));
        }
        Ok(NamedLayer { name: name.clone(), trainable: true, layer: Box::new(ThresholdedRelu { theta: theta as f32 }) })
    }
}

/// A built thresholded ReLU; theta in float32, as TF.js compares against a float32 scalar.
#[derive(Clone, Debug)]
pub struct ThresholdedRelu {
    /// The threshold, in float32.
    pub theta: f32,
}

impl Layer for ThresholdedRelu {
    fn class_name(&self) -> &'static str {
        "ThresholdedReLU"
    }

    fn output_width(&self, name: &str, inputs: &[usize]) -> Result<usize> {
        one_input(&format!("layer '{name}'"), inputs)
    }

    fn forward(&self, pass: Forward<'_>) {
        let theta = self.theta;
        pass.out.iter_mut().zip(pass.inputs.get(0)).for_each(|(o, &x)| *o = x * if x > theta { 1.0 } else { 0.0 });
    }

    fn backward(&self, pass: Backward<'_>) {
        let Backward { grad, inputs, mut sink, .. } = pass;
        let theta = self.theta;
        grad.iter_mut().zip(inputs.get(0)).for_each(|(g, &x)| *g *= if x > theta { 1.0 } else { 0.0 });
        let g = &*grad;
        sink.send(0, |dst, accumulate| super::write_or_add(dst, g, accumulate));
    }

    fn clone_box(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}
