//! The input layer: the model's data enters here (copied in by the workspace).

use super::{Backward, Forward, Layer, NamedLayer};
use crate::error::{Error, Result};
use serde::Deserialize;

/// `tf.input({shape: [width]})`.
#[derive(Clone, Debug, Deserialize)]
pub struct InputConfig {
    /// The input's name.
    pub name: String,
    /// Values per row.
    pub width: usize,
}

impl InputConfig {
    /// Checks the width.
    pub fn build(&self) -> Result<NamedLayer> {
        let name = &self.name;
        if self.width == 0 {
            return Err(Error::invalid(format!("input '{name}': shape must have a positive width but got 0")));
        }
        Ok(NamedLayer { name: name.clone(), trainable: true, layer: Box::new(Input { width: self.width }) })
    }
}

/// A model input of `width` columns.
#[derive(Clone, Debug)]
pub struct Input {
    /// Values per row.
    pub width: usize,
}

impl Layer for Input {
    fn class_name(&self) -> &'static str {
        "InputLayer"
    }

    fn output_width(&self, _name: &str, _inputs: &[usize]) -> Result<usize> {
        Ok(self.width)
    }

    fn forward(&self, _pass: Forward<'_>) {}

    fn backward(&self, _pass: Backward<'_>) {}

    fn clone_box(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}
