//! The activation layer (`tf.layers.activation`); the functions themselves are in
//! [`crate::activation`].

use super::{one_input, Backward, Forward, Layer, NamedLayer};
use crate::activation::Activation;
use crate::error::Result;
use serde::{Deserialize, Deserializer};

/// `tf.layers.activation({activation})`.
#[derive(Clone, Debug, Deserialize)]
pub struct ActivationConfig {
    /// The layer's name.
    pub name: String,
    /// The function applied.
    pub activation: Activation,
}

impl ActivationConfig {
    /// The layer (nothing to check: the activation was read from its name).
    pub fn build(&self) -> NamedLayer {
        NamedLayer { name: self.name.clone(), trainable: true, layer: Box::new(ActivationLayer { activation: self.activation }) }
    }
}

/// Activations are read from their TF.js identifiers (`relu`, `hardSigmoid`, `hard_sigmoid`).
impl<'de> Deserialize<'de> for Activation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Activation::parse(&name).map_err(serde::de::Error::custom)
    }
}

/// Applies an activation function to its input.
#[derive(Clone, Debug)]
pub struct ActivationLayer {
    /// The function applied.
    pub activation: Activation,
}

impl Layer for ActivationLayer {
    fn class_name(&self) -> &'static str {
        "Activation"
    }

    fn output_width(&self, name: &str, inputs: &[usize]) -> Result<usize> {
        one_input(&format!("layer '{name}'"), inputs)
    }

    /// Any rank: the function applies along the last axis (which matters for softmax).
    fn output_shape(&self, name: &str, inputs: &[Vec<usize>]) -> Result<Vec<usize>> {
        self.output_width(name, &inputs.iter().map(|s| s.iter().product()).collect::<Vec<_>>())?;
        Ok(inputs[0].clone())
    }

    fn forward(&self, pass: Forward<'_>) {
        let width = pass.inputs.last_dim(0);
        self.activation.forward(pass.inputs.get(0), pass.out, width);
    }

    fn backward(&self, mut pass: Backward<'_>) {
        let width = pass.inputs.last_dim(0);
        self.activation.backward(pass.inputs.get(0), pass.out, pass.grad, width);
        let g = &*pass.grad;
        pass.sink.send(0, |dst, accumulate| super::write_or_add(dst, g, accumulate));
    }

    fn clone_box(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}
