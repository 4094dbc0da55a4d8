//! The embedding layer: each integer id of its input row picks a row of `embeddings`
//! (`[inputDim, outputDim]`, as TF.js stores it), so `[batch, L]` ids become `[batch, L, D]`.
//!
//! Ids are read as TF.js reads a float input (a cast to int32, truncating toward zero). The model
//! checks them against `inputDim` before it trains or predicts ([`Layer::id_count`]), so the
//! passes here index without checks that could fail halfway through a batch.

use super::{batch_shape, one_input, yes, zeroed, Backward, Forward, Layer, NamedLayer, Param};
use crate::error::{Error, Result};
use crate::initializer::Initializer;
use crate::regularizer::Regularizer;
use serde::Deserialize;

/// `tf.layers.embedding(...)`, TF.js defaults applied.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbeddingConfig {
    /// The layer's name.
    pub name: String,
    /// `inputDim`: the number of ids (the vocabulary size); ids run from 0 to `inputDim - 1`.
    pub input_dim: usize,
    /// `outputDim`: values per embedding vector.
    pub output_dim: usize,
    /// Ids per row, when given (checked against the input's shape).
    #[serde(default)]
    pub input_length: Option<usize>,
    /// randomUniform(-0.05, 0.05) when absent.
    #[serde(default)]
    pub embeddings_initializer: Option<Initializer>,
    /// A penalty on the embeddings, added to the training loss.
    #[serde(default)]
    pub embeddings_regularizer: Option<Regularizer>,
    /// `maskZero`: must be false (the default); dense-mtl has no masking.
    #[serde(default)]
    pub mask_zero: bool,
    /// Whether training updates the embeddings (true by default).
    #[serde(default = "yes")]
    pub trainable: bool,
}

impl EmbeddingConfig {
    /// Checks the config and initializes the embeddings.
    pub fn build(&self) -> Result<NamedLayer> {
        let (name, input_dim, output_dim) = (&self.name, self.input_dim, self.output_dim);
        if input_dim == 0 {
            return Err(Error::invalid(format!("embedding '{name}': inputDim must be a positive integer but got 0")));
        }
        if output_dim == 0 {
            return Err(Error::invalid(format!("embedding '{name}': outputDim must be a positive integer but got 0")));
        }
        if self.input_length == Some(0) {
            return Err(Error::invalid(format!("embedding '{name}': inputLength must be a positive integer but got 0")));
        }
        if self.mask_zero {
            return Err(Error::invalid(format!(
                "embedding '{name}': maskZero must be false (dense-mtl has no masking; use an id of its own for padding) but got true"
            )));
        }
        let initializer = self.embeddings_initializer.clone().unwrap_or(Initializer::RandomUniform { minval: -0.05, maxval: 0.05, seed: None });
        initializer.validate("embeddingsInitializer")?;
        let mut values = zeroed(input_dim.checked_mul(output_dim), &format!("embedding '{name}': embeddings of {input_dim}×{output_dim} values"))?;
        initializer.fill(&mut values, input_dim, output_dim);
        let params = vec![Param::new("embeddings", vec![input_dim, output_dim], values, self.embeddings_regularizer)];
        let layer = Embedding { input_dim, output_dim, input_length: self.input_length, params };
        Ok(NamedLayer { name: name.clone(), trainable: self.trainable, layer: Box::new(layer) })
    }
}

/// A built embedding layer; `params` is `[embeddings]`.
#[derive(Clone, Debug)]
pub struct Embedding {
    /// The number of ids (rows of the embeddings).
    pub input_dim: usize,
    /// Values per embedding vector.
    pub output_dim: usize,
    /// Ids per row, when given (checked against the input's shape).
    pub input_length: Option<usize>,
    params: Vec<Param>,
}

impl Embedding {
    /// Row-major `[input_dim, output_dim]`.
    pub fn embeddings(&self) -> &[f32] {
        &self.params[0].values
    }
}

/// The row an id picks (ids were checked against `input_dim` with the model's data).
fn row_of(id: f32) -> usize {
    id as i64 as usize
}

impl Layer for Embedding {
    fn class_name(&self) -> &'static str {
        "Embedding"
    }

    fn output_width(&self, name: &str, inputs: &[usize]) -> Result<usize> {
        Ok(one_input(&format!("embedding '{name}'"), inputs)? * self.output_dim)
    }

    fn output_shape(&self, name: &str, inputs: &[Vec<usize>]) -> Result<Vec<usize>> {
        one_input(&format!("embedding '{name}'"), &inputs.iter().map(Vec::len).collect::<Vec<_>>())?;
        let shape = &inputs[0];
        if shape.len() != 1 {
            return Err(Error::shape(format!("embedding '{name}': input"), "ids of shape [null,inputLength] (rank 2)", batch_shape(shape)));
        }
        if let Some(length) = self.input_length.filter(|&l| l != shape[0]) {
            return Err(Error::shape(
                format!("embedding '{name}': inputLength is {length}, so the input"),
                format!("shape [null,{length}]"),
                batch_shape(shape),
            ));
        }
        Ok(vec![shape[0], self.output_dim])
    }

    fn id_count(&self) -> Option<usize> {
        Some(self.input_dim)
    }

    fn params(&self) -> &[Param] {
        &self.params
    }

    fn params_mut(&mut self) -> &mut [Param] {
        &mut self.params
    }

    fn forward(&self, pass: Forward<'_>) {
        let (d, table) = (self.output_dim, self.embeddings());
        for (out, &id) in pass.out.chunks_exact_mut(d).zip(pass.inputs.get(0)) {
            let row = row_of(id);
            out.copy_from_slice(&table[row * d..(row + 1) * d]);
        }
    }

    /// Scatter-adds each output row's gradient into the row its id picked; ids take no gradient.
    fn backward(&self, pass: Backward<'_>) {
        let Some(p) = pass.param_grads else { return };
        let d = self.output_dim;
        let grads = &mut p.grads[0];
        if !p.written[0] {
            grads.fill(0.0);
        }
        for (g, &id) in pass.grad.chunks_exact(d).zip(pass.inputs.get(0)) {
            let row = row_of(id);
            grads[row * d..(row + 1) * d].iter_mut().zip(g).for_each(|(dst, &v)| *dst += v);
        }
        p.written[0] = true;
    }

    fn clone_box(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}
