//! The flatten layer: `[batch, a, b, ...]` to `[batch, a·b·...]`. Activations are stored
//! row-major, so the values stay as they are; only the shape changes.

use super::{batch_shape, one_input, write_or_add, Backward, Forward, Layer, NamedLayer};
use crate::error::{Error, Result};
use serde::Deserialize;

/// `tf.layers.flatten()`: only a name (`dataFormat` changes nothing for channels-last data,
/// the only layout dense-mtl has).
#[derive(Clone, Debug, Deserialize)]
pub struct FlattenConfig {
    /// The layer's name.
    pub name: String,
}

impl FlattenConfig {
    /// The layer (nothing to check).
    pub fn build(&self) -> NamedLayer {
        NamedLayer { name: self.name.clone(), trainable: true, layer: Box::new(Flatten) }
    }
}

/// A built flatten layer.
#[derive(Clone, Copy, Debug)]
pub struct Flatten;

impl Layer for Flatten {
    fn class_name(&self) -> &'static str {
        "Flatten"
    }

    fn output_width(&self, name: &str, inputs: &[usize]) -> Result<usize> {
        one_input(&format!("flatten '{name}'"), inputs)
    }

    /// TF.js's `inputSpec` is `minNDim: 3`: a `[batch, features]` input is an error there too.
    fn output_shape(&self, name: &str, inputs: &[Vec<usize>]) -> Result<Vec<usize>> {
        one_input(&format!("flatten '{name}'"), &inputs.iter().map(Vec::len).collect::<Vec<_>>())?;
        let shape = &inputs[0];
        if shape.len() < 2 {
            return Err(Error::shape(format!("flatten '{name}': input"), "rank 3 or more ([null,a,b,...])", batch_shape(shape)));
        }
        Ok(vec![shape.iter().product()])
    }

    fn forward(&self, pass: Forward<'_>) {
        pass.out.copy_from_slice(pass.inputs.get(0));
    }

    fn backward(&self, mut pass: Backward<'_>) {
        let g = &*pass.grad;
        pass.sink.send(0, |dst, accumulate| write_or_add(dst, g, accumulate));
    }

    fn clone_box(&self) -> Box<dyn Layer> {
        Box::new(*self)
    }
}
