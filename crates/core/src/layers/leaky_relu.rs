//! `tf.layers.leakyReLU`: `alpha · x` below zero, `x` elsewhere, with TF.js 4.22's kernel and
//! gradient (`where(x > 0, dy, dy · alpha)`, so the slope at exactly 0 is `alpha`).

use super::{one_input, Backward, Forward, Layer, NamedLayer};
use crate::error::{Error, Result};
use serde::Deserialize;

/// `tf.layers.leakyReLU({alpha})`; TF.js's default alpha is 0.3.
#[derive(Clone, Debug, Deserialize)]
pub struct LeakyReluConfig {
    /// The layer's name.
    pub name: String,
    /// The slope below zero: any finite number, 0.3 by default.
    #[serde(default = "default_alpha")]
    pub alpha: f64,
}

fn default_alpha() -> f64 {
    0.3
}

impl LeakyReluConfig {
    /// Checks alpha (any finite number, as in TF.js).
    pub fn build(&self) -> Result<NamedLayer> {
        let (name, alpha) = (&self.name, self.alpha);
        if !alpha.is_finite() {
            return Err(Error::invalid(format!("leakyReLU '{name}': alpha must be a finite number but got {alpha}")));
        }
        Ok(NamedLayer { name: name.clone(), trainable: true, layer: Box::new(LeakyRelu { alpha }) })
    }
}

/// A built leaky ReLU layer.
#[derive(Clone, Debug)]
pub struct LeakyRelu {
    /// The slope below zero.
    pub alpha: f64,
}

impl Layer for LeakyRelu {
    fn class_name(&self) -> &'static str {
        "LeakyReLU"
    }

    fn output_width(&self, name: &str, inputs: &[usize]) -> Result<usize> {
        one_input(&format!("layer '{name}'"), inputs)
    }

    fn forward(&self, pass: Forward<'_>) {
        // TF.js multiplies by the attribute as a JavaScript number (double), then stores float32.
        let alpha = self.alpha;
        pass.out.iter_mut().zip(pass.inputs.get(0)).for_each(|(o, &x)| *o = if x < 0.0 { (alpha * x as f64) as f32 } else { x });
    }

    fn backward(&self, pass: Backward<'_>) {
        let Backward { grad, inputs, mut sink, .. } = pass;
        // The gradient's alpha is a float32 scalar tensor.
        let alpha = self.alpha as f32;
        grad.iter_mut().zip(inputs.get(0)).for_each(|(g, &x)| {
            if !(x > 0.0) {
                *g *= alpha;
            }
        });
        let g = &*grad;
        sink.send(0, |dst, accumulate| super::write_or_add(dst, g, accumulate));
    }

    fn clone_box(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}
