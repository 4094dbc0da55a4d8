//! `tf.layers.elu`: `x` for `x >= 0`, `alpha · (eˣ − 1)` below, as TF.js 4.22's Elu kernel and
//! its gradient (`dy` where the output is `>= 0`, `dy · (y + alpha)` elsewhere, from the output).
//!
//! TF.js's layer throws for any alpha but 1 (NotImplementedError); this one computes Keras's
//! `ELU(alpha)` for other values, so Keras models with a custom alpha load. A file saved with
//! alpha other than 1 is therefore readable by Keras but not by TF.js.

use super::{one_input, Backward, Forward, Layer, NamedLayer};
use crate::error::{Error, Result};
use serde::Deserialize;

/// `tf.layers.elu({alpha})`, alpha 1 by default.
#[derive(Clone, Debug, Deserialize)]
pub struct EluConfig {
    /// The layer's name.
    pub name: String,
    /// The scale of the negative part, `alpha · (eˣ − 1)`: any finite number, 1 by default (TF.js
    /// itself accepts only 1).
    #[serde(default = "one")]
    pub alpha: f64,
}

fn one() -> f64 {
    1.0
}

impl EluConfig {
    /// Checks alpha.
    pub fn build(&self) -> Result<NamedLayer> {
        let (name, alpha) = (&self.name, self.alpha);
        if !alpha.is_finite() {
            return Err(Error::invalid(format!("elu '{name}': alpha must be a finite number but got {alpha}")));
        }
        Ok(NamedLayer { name: name.clone(), trainable: true, layer: Box::new(Elu { alpha }) })
    }
}

/// A built ELU layer.
#[derive(Clone, Debug)]
pub struct Elu {
    /// The scale of the negative part.
    pub alpha: f64,
}

impl Layer for Elu {
    fn class_name(&self) -> &'static str {
        "ELU"
    }

    fn output_width(&self, name: &str, inputs: &[usize]) -> Result<usize> {
        one_input(&format!("layer '{name}'"), inputs)
    }

    fn forward(&self, pass: Forward<'_>) {
        // In double precision, rounded once, as the cpu kernel's `Math.exp(x) - 1`.
        let alpha = self.alpha;
        pass.out.iter_mut().zip(pass.inputs.get(0)).for_each(|(o, &x)| *o = if x >= 0.0 { x } else { (alpha * ((x as f64).exp() - 1.0)) as f32 });
    }

    fn backward(&self, pass: Backward<'_>) {
        let Backward { grad, out, mut sink, .. } = pass;
        let alpha = self.alpha;
        grad.iter_mut().zip(out).for_each(|(g, &y)| {
            if !(y >= 0.0) {
                *g = (*g as f64 * (y as f64 + alpha)) as f32;
            }
        });
        let g = &*grad;
        sink.send(0, |dst, accumulate| super::write_or_add(dst, g, accumulate));
    }

    fn clone_box(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}
