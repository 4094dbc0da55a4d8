//! `tf.layers.prelu`: a leaky ReLU whose slope `alpha` is a weight learned per feature (or one
//! shared slope with `sharedAxes: [1]`), with TF.js 4.22's kernel (`x < 0 ? alpha · x : x`) and
//! gradients (`dx = where(x > 0, dy, dy · alpha)`, `dalpha = Σ where(x > 0, 0, dy · x)` over the
//! batch and the shared axes).

use super::{one_input, yes, Backward, Forward, Layer, NamedLayer, Param};
use crate::error::{Error, Result};
use crate::initializer::Initializer;
use crate::regularizer::Regularizer;
use serde::Deserialize;

/// `tf.layers.prelu({alphaInitializer, alphaRegularizer, sharedAxes})`, TF.js defaults applied.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PReluConfig {
    /// The layer's name.
    pub name: String,
    /// zeros when absent, as in TF.js.
    #[serde(default)]
    pub alpha_initializer: Option<Initializer>,
    /// A penalty on alpha, added to the training loss.
    #[serde(default)]
    pub alpha_regularizer: Option<Regularizer>,
    /// Axes (1-based, the batch axis being 0) along which one alpha is shared.
    #[serde(default)]
    pub shared_axes: Option<Vec<i64>>,
    /// Whether training updates alpha (true by default).
    #[serde(default = "yes")]
    pub trainable: bool,
}

impl PReluConfig {
    /// Checks the config and initializes alpha for inputs of `input_width` features.
    pub fn build(&self, input_width: usize) -> Result<NamedLayer> {
        let name = &self.name;
        let shared = self.shared_axes.as_deref().unwrap_or(&[]);
        // On [batch, features] data the features axis (1) is the only one that can be shared.
        if let Some(bad) = shared.iter().find(|&&a| a != 1) {
            return Err(Error::invalid(format!(
                "prelu '{name}': sharedAxes must list axes of the input other than the batch axis (only 1, the features axis, for [batch, features] data) but got {bad}"
            )));
        }
        let initializer = self.alpha_initializer.clone().unwrap_or(Initializer::Zeros {});
        initializer.validate("alphaInitializer")?;
        let alphas = if shared.is_empty() { input_width } else { 1 };
        let mut alpha = super::zeroed(Some(alphas), &format!("prelu '{name}': alpha of {alphas} values"))?;
        initializer.fill_vector(&mut alpha);
        let params = vec![Param::new("alpha", vec![alphas], alpha, self.alpha_regularizer)];
        let layer = PRelu { width: input_width, params };
        Ok(NamedLayer { name: name.clone(), trainable: self.trainable, layer: Box::new(layer) })
    }
}

/// A built PReLU layer; `params` is `[alpha]`, of `width` values or of one shared value.
#[derive(Clone, Debug)]
pub struct PRelu {
    /// Input (and output) values per row.
    pub width: usize,
    params: Vec<Param>,
}

impl PRelu {
    /// The slopes, one per feature or one for all.
    pub fn alpha(&self) -> &[f32] {
        &self.params[0].values
    }

    /// The slope of feature `j`.
    fn slope(&self, j: usize) -> f32 {
        let alpha = self.alpha();
        alpha[if alpha.len() == 1 { 0 } else { j }]
    }
}

impl Layer for PRelu {
    fn class_name(&self) -> &'static str {
        "PReLU"
    }

    fn output_width(&self, name: &str, inputs: &[usize]) -> Result<usize> {
        let width = one_input(&format!("prelu '{name}'"), inputs)?;
        if width != self.width {
            return Err(Error::shape(format!("prelu '{name}': input width"), self.width, width));
        }
        Ok(width)
    }

    fn params(&self) -> &[Param] {
        &self.params
    }

    fn params_mut(&mut self) -> &mut [Param] {
        &mut self.params
    }

    fn forward(&self, pass: Forward<'_>) {
        for (out, x) in pass.out.chunks_exact_mut(self.width).zip(pass.inputs.get(0).chunks_exact(self.width)) {
            for (j, (o, &xv)) in out.iter_mut().zip(x).enumerate() {
                *o = if xv < 0.0 { self.slope(j) * xv } else { xv };
            }
        }
    }

    fn backward(&self, pass: Backward<'_>) {
        let Backward { grad, inputs, param_grads, mut sink, .. } = pass;
        let x = inputs.get(0);
        if let Some(p) = param_grads {
            let dalpha = &mut p.grads[0];
            if !p.written[0] {
                dalpha.fill(0.0);
            }
            let shared = dalpha.len() == 1;
            for (g, xr) in grad.chunks_exact(self.width).zip(x.chunks_exact(self.width)) {
                for (j, (&gv, &xv)) in g.iter().zip(xr).enumerate() {
                    if !(xv > 0.0) {
                        dalpha[if shared { 0 } else { j }] += gv * xv;
                    }
                }
            }
            p.written[0] = true;
        }
        for (g, xr) in grad.chunks_exact_mut(self.width).zip(x.chunks_exact(self.width)) {
            for (j, (gv, &xv)) in g.iter_mut().zip(xr).enumerate() {
                if !(xv > 0.0) {
                    *gv *= self.slope(j);
                }
            }
        }
        let g = &*grad;
        sink.send(0, |dst, accumulate| super::write_or_add(dst, g, accumulate));
    }

    fn clone_box(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}
