//! The fully connected layer: `out = activation(x · kernel + bias)`, kernel `[inputDim, units]`
//! as TF.js stores it. On a `[batch, L, inputDim]` input it applies to the last axis, as TF.js
//! does: the row-major buffer is then a `(batch·L) × inputDim` matrix.

use super::{one_input, yes, zeroed, Backward, Forward, Layer, NamedLayer, Param};
use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::initializer::Initializer;
use crate::matmul::{matmul_nn, matmul_nt, matmul_tn};
use crate::regularizer::Regularizer;
use serde::Deserialize;

/// `tf.layers.dense(...)`, TF.js defaults applied.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DenseConfig {
    /// The layer's name.
    pub name: String,
    /// Output values per row.
    pub units: usize,
    /// Applied to `x · kernel + bias` (linear by default).
    #[serde(default = "linear")]
    pub activation: Activation,
    /// Whether the layer has a bias (true by default).
    #[serde(default = "yes")]
    pub use_bias: bool,
    /// glorotNormal when absent.
    #[serde(default)]
    pub kernel_initializer: Option<Initializer>,
    /// zeros when absent.
    #[serde(default)]
    pub bias_initializer: Option<Initializer>,
    /// A penalty on the kernel, added to the training loss.
    #[serde(default)]
    pub kernel_regularizer: Option<Regularizer>,
    /// A penalty on the bias, added to the training loss.
    #[serde(default)]
    pub bias_regularizer: Option<Regularizer>,
    /// Whether training updates the weights (true by default).
    #[serde(default = "yes")]
    pub trainable: bool,
}

fn linear() -> Activation {
    Activation::Linear
}

impl DenseConfig {
    /// Checks the config and initializes the weights for inputs of `input_width` columns.
    pub fn build(&self, input_width: usize) -> Result<NamedLayer> {
        let (name, units) = (&self.name, self.units);
        if units == 0 {
            return Err(Error::invalid(format!("dense '{name}': units must be a positive integer but got 0")));
        }
        let kernel_initializer = self.kernel_initializer.clone().unwrap_or_else(Initializer::glorot_normal);
        let bias_initializer = self.bias_initializer.clone().unwrap_or(Initializer::Zeros {});
        kernel_initializer.validate("kernelInitializer")?;
        bias_initializer.validate("biasInitializer")?;
        let mut kernel = zeroed(input_width.checked_mul(units), &format!("dense '{name}': a kernel of {input_width}×{units} values"))?;
        kernel_initializer.fill(&mut kernel, input_width, units);
        let mut params = vec![Param::new("kernel", vec![input_width, units], kernel, self.kernel_regularizer)];
        if self.use_bias {
            let mut bias = vec![0.0; units];
            bias_initializer.fill(&mut bias, units, 0);
            params.push(Param::new("bias", vec![units], bias, self.bias_regularizer));
        }
        let dense = Dense { units, input_dim: input_width, activation: self.activation, params };
        Ok(NamedLayer { name: name.clone(), trainable: self.trainable, layer: Box::new(dense) })
    }
}

/// A built dense layer; `params` is `[kernel]` or `[kernel, bias]`.
#[derive(Clone, Debug)]
pub struct Dense {
    /// Output values per row.
    pub units: usize,
    /// Input values per row.
    pub input_dim: usize,
    /// The activation function.
    pub activation: Activation,
    params: Vec<Param>,
}

impl Dense {
    /// Row-major `[input_dim, units]`.
    pub fn kernel(&self) -> &[f32] {
        &self.params[0].values
    }

    /// The bias, if the layer has one.
    pub fn bias(&self) -> Option<&[f32]> {
        self.params.get(1).map(|p| p.values.as_slice())
    }
}

impl Layer for Dense {
    fn class_name(&self) -> &'static str {
        "Dense"
    }

    fn output_width(&self, name: &str, inputs: &[usize]) -> Result<usize> {
        let width = one_input(&format!("dense '{name}'"), inputs)?;
        if width != self.input_dim {
            return Err(Error::shape(format!("dense '{name}': input width"), self.input_dim, width));
        }
        Ok(self.units)
    }

    /// The input's shape with its last axis replaced by `units`.
    fn output_shape(&self, name: &str, inputs: &[Vec<usize>]) -> Result<Vec<usize>> {
        let lasts: Vec<usize> = inputs.iter().map(|s| *s.last().expect("a shape has at least one axis")).collect();
        let units = self.output_width(name, &lasts)?;
        let leading = &inputs[0][..inputs[0].len() - 1];
        Ok(leading.iter().copied().chain([units]).collect())
    }

    fn params(&self) -> &[Param] {
        &self.params
    }

    fn params_mut(&mut self) -> &mut [Param] {
        &mut self.params
    }

    /// The pre-activation, when the activation's derivative needs it.
    fn saved_width(&self, width: usize, _training: bool) -> usize {
        if self.activation.needs_input() {
            width
        } else {
            0
        }
    }

    fn multiply_adds_per_row(&self) -> usize {
        self.input_dim * self.units
    }

    fn forward(&self, pass: Forward<'_>) {
        let out = pass.out;
        let rows = out.len() / self.units; // batch·L rows for a rank-3 input
                                           // The product first, then the bias, in TF.js's order (the rounding then matches it).
        matmul_nn(pass.inputs.get(0), self.kernel(), out, rows, self.input_dim, self.units, false);
        if let Some(bias) = self.bias() {
            out.chunks_exact_mut(self.units).for_each(|row| row.iter_mut().zip(bias).for_each(|(o, b)| *o += b));
        }
        if self.activation.needs_input() {
            pass.saved.copy_from_slice(out);
            self.activation.forward(pass.saved, out, self.units);
        } else {
            self.activation.forward_inplace(out, self.units);
        }
    }

    fn backward(&self, pass: Backward<'_>) {
        let Backward { grad, out, saved, inputs, param_grads, mut sink, .. } = pass;
        let rows = grad.len() / self.units;
        self.activation.backward(saved, out, grad, self.units);
        let g = &*grad;
        if let Some(p) = param_grads {
            let accumulate = p.written[0];
            matmul_tn(inputs.get(0), g, &mut p.grads[0], self.input_dim, rows, self.units, accumulate);
            p.written[0] = true;
            if let Some(db) = p.grads.get_mut(1) {
                if !accumulate {
                    db.fill(0.0);
                }
                for row in g.chunks_exact(self.units) {
                    db.iter_mut().zip(row).for_each(|(b, &v)| *b += v);
                }
                p.written[1] = true;
            }
        }
        sink.send(0, |dst, accumulate| matmul_nt(g, self.kernel(), dst, rows, self.units, self.input_dim, accumulate));
    }

    fn clone_box(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}
