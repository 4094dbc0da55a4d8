//! `tf.layers.softmax`: softmax over the features of each row, with TF.js 4.22's kernel (the
//! row's maximum shifted out first) and gradient (`dy·y − (Σ dy·y)·y`, in that order).
//!
//! TF.js's default axis is 1 (not Keras's -1); on `[batch, features]` data both are the features
//! axis, the only axis a softmax can run over here.

use super::{one_input, Backward, Forward, Layer, NamedLayer};
use crate::activation::softmax_inplace;
use crate::error::{Error, Result};
use serde::Deserialize;

/// `tf.layers.softmax({axis})`: an axis or a list of one axis, 1 by default as in TF.js.
#[derive(Clone, Debug, Deserialize)]
pub struct SoftmaxConfig {
    /// The layer's name.
    pub name: String,
    /// The axis to normalize over: only the features axis, 1 or -1 (1 when absent).
    #[serde(default)]
    pub axis: Option<SoftmaxAxis>,
}

/// TF.js takes `axis` as a number or a list of numbers.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum SoftmaxAxis {
    /// One axis, `axis: 1`.
    One(f64),
    /// A list of axes, `axis: [1]` (only a list of one axis is accepted).
    List(Vec<f64>),
}

impl SoftmaxConfig {
    /// Checks that the axis is the features axis.
    pub fn build(&self) -> Result<NamedLayer> {
        let name = &self.name;
        let features = |a: f64| a == 1.0 || a == -1.0;
        let ok = match &self.axis {
            None => true,
            Some(SoftmaxAxis::One(a)) => features(*a),
            Some(SoftmaxAxis::List(list)) => list.len() == 1 && features(list[0]),
        };
        if !ok {
            let got = match &self.axis {
                Some(SoftmaxAxis::One(a)) => a.to_string(),
                Some(SoftmaxAxis::List(list)) => format!("[{}]", list.iter().map(f64::to_string).collect::<Vec<_>>().join(", ")),
                None => unreachable!("the default axis is valid"),
            };
            return Err(Error::invalid(format!("softmax '{name}': axis must be 1 or -1 (the features axis of [batch, features] data) but got {got}")));
        }
        Ok(NamedLayer { name: name.clone(), trainable: true, layer: Box::new(Softmax) })
    }
}

/// A built softmax layer.
#[derive(Clone, Debug)]
pub struct Softmax;

impl Layer for Softmax {
    fn class_name(&self) -> &'static str {
        "Softmax"
    }

    fn output_width(&self, name: &str, inputs: &[usize]) -> Result<usize> {
        one_input(&format!("layer '{name}'"), inputs)
    }

    fn forward(&self, pass: Forward<'_>) {
        let width = pass.inputs.width(0);
        pass.out.copy_from_slice(pass.inputs.get(0));
        pass.out.chunks_exact_mut(width).for_each(softmax_inplace);
    }

    fn backward(&self, pass: Backward<'_>) {
        let Backward { grad, out, inputs, mut sink, .. } = pass;
        let width = inputs.width(0);
        for (g, y) in grad.chunks_exact_mut(width).zip(out.chunks_exact(width)) {
            let dot: f32 = g.iter().zip(y).map(|(a, b)| a * b).sum();
            g.iter_mut().zip(y).for_each(|(gi, &yi)| *gi = *gi * yi - dot * yi);
        }
        let g = &*grad;
        sink.send(0, |dst, accumulate| super::write_or_add(dst, g, accumulate));
    }

    fn clone_box(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}
