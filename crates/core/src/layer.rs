//! Layers: their configuration (as the JavaScript layer sends it) and their parameters.

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::initializer::Initializer;
use crate::regularizer::Regularizer;
use serde::Deserialize;

/// A layer as described by the JavaScript API (camelCase keys, TF.js defaults already applied).
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "className", rename_all_fields = "camelCase")]
pub enum LayerConfig {
    InputLayer { name: String, width: usize },
    #[serde(rename_all = "camelCase")]
    Dense {
        name: String,
        units: usize,
        #[serde(default)]
        activation: Option<String>,
        #[serde(default = "yes")]
        use_bias: bool,
        #[serde(default)]
        kernel_initializer: Option<Initializer>,
        #[serde(default)]
        bias_initializer: Option<Initializer>,
        #[serde(default)]
        kernel_regularizer: Option<Regularizer>,
        #[serde(default)]
        bias_regularizer: Option<Regularizer>,
        #[serde(default = "yes")]
        trainable: bool,
    },
    Dropout { name: String, rate: f32, #[serde(default)] seed: Option<u64> },
    Activation { name: String, activation: String },
    Concatenate { name: String },
    Add { name: String },
    Multiply { name: String },
    Average { name: String },
}

fn yes() -> bool {
    true
}

pub use crate::memory::fits_in_memory;

/// A zeroed buffer of `len` values, or an error instead of aborting the process when the size
/// overflows or the memory cannot be had.
pub(crate) fn zeroed(len: Option<usize>, what: &str) -> Result<Vec<f32>> {
    let too_large = || Error::invalid(format!("{what} is too large to allocate"));
    let len = len.filter(|&n| fits_in_memory(n)).ok_or_else(too_large)?;
    crate::memory::try_zeroed(len, what)
}

/// How several inputs are merged into one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeOp {
    Concatenate,
    Add,
    Multiply,
    Average,
}

/// A fully connected layer: `out = activation(x · kernel + bias)`, kernel `[inputDim, units]` as TF.js stores it.
#[derive(Clone, Debug)]
pub struct Dense {
    pub units: usize,
    pub input_dim: usize,
    pub activation: Activation,
    pub use_bias: bool,
    /// Row-major `[input_dim, units]`.
    pub kernel: Vec<f32>,
    pub bias: Vec<f32>,
    pub kernel_initializer: Initializer,
    pub bias_initializer: Initializer,
    pub kernel_regularizer: Option<Regularizer>,
    pub bias_regularizer: Option<Regularizer>,
}

/// What a layer does.
#[derive(Clone, Debug)]
pub enum LayerKind {
    Input { width: usize },
    Dense(Dense),
    /// Inverted dropout, active in training only.
    Dropout { rate: f32, seed: Option<u64> },
    Activation(Activation),
    Merge(MergeOp),
}

/// A named layer.
#[derive(Clone, Debug)]
pub struct Layer {
    pub name: String,
    pub trainable: bool,
    pub kind: LayerKind,
}

impl Layer {
    /// Builds a layer from its description; `input_width` is the width of its (first) input.
    /// Weights are initialized here.
    pub fn build(config: &LayerConfig, input_width: usize) -> Result<Layer> {
        let (name, trainable, kind) = match config {
            LayerConfig::InputLayer { name, width } => {
                if *width == 0 {
                    return Err(Error::invalid(format!("input '{name}': shape must have a positive width but got 0")));
                }
                (name, true, LayerKind::Input { width: *width })
            }
            LayerConfig::Dense {
                name,
                units,
                activation,
                use_bias,
                kernel_initializer,
                bias_initializer,
                kernel_regularizer,
                bias_regularizer,
                trainable,
            } => {
                if *units == 0 {
                    return Err(Error::invalid(format!("dense '{name}': units must be a positive integer but got 0")));
                }
                let activation = Activation::parse(activation.as_deref().unwrap_or("linear"))?;
                let kernel_initializer = kernel_initializer.clone().unwrap_or_else(Initializer::glorot_normal);
                let bias_initializer = bias_initializer.clone().unwrap_or(Initializer::Zeros {});
                kernel_initializer.validate("kernelInitializer")?;
                bias_initializer.validate("biasInitializer")?;
                let mut kernel = zeroed(input_width.checked_mul(*units), &format!("dense '{name}': a kernel of {input_width}×{units} values"))?;
                kernel_initializer.fill(&mut kernel, input_width, *units);
                let mut bias = vec![0.0; if *use_bias { *units } else { 0 }];
                bias_initializer.fill(&mut bias, *units, 0);
                let dense = Dense {
                    units: *units,
                    input_dim: input_width,
                    activation,
                    use_bias: *use_bias,
                    kernel,
                    bias,
                    kernel_initializer,
                    bias_initializer,
                    kernel_regularizer: *kernel_regularizer,
                    bias_regularizer: *bias_regularizer,
                };
                (name, *trainable, LayerKind::Dense(dense))
            }
            LayerConfig::Dropout { name, rate, seed } => {
                if !(0.0..1.0).contains(rate) {
                    return Err(Error::invalid(format!("dropout '{name}': rate must be in [0, 1) but got {rate}")));
                }
                (name, true, LayerKind::Dropout { rate: *rate, seed: *seed })
            }
            LayerConfig::Activation { name, activation } => (name, true, LayerKind::Activation(Activation::parse(activation)?)),
            LayerConfig::Concatenate { name } => (name, true, LayerKind::Merge(MergeOp::Concatenate)),
            LayerConfig::Add { name } => (name, true, LayerKind::Merge(MergeOp::Add)),
            LayerConfig::Multiply { name } => (name, true, LayerKind::Merge(MergeOp::Multiply)),
            LayerConfig::Average { name } => (name, true, LayerKind::Merge(MergeOp::Average)),
        };
        Ok(Layer { name: name.clone(), trainable, kind })
    }

    /// Output width for the given input widths, or an error naming the layer.
    pub fn output_width(&self, inputs: &[usize]) -> Result<usize> {
        let name = &self.name;
        match &self.kind {
            LayerKind::Input { width } => Ok(*width),
            LayerKind::Dense(d) => {
                if inputs.len() != 1 {
                    return Err(Error::invalid(format!("dense '{name}' takes one input but got {}", inputs.len())));
                }
                if inputs[0] != d.input_dim {
                    return Err(Error::shape(format!("dense '{name}': input width"), d.input_dim, inputs[0]));
                }
                Ok(d.units)
            }
            LayerKind::Dropout { .. } | LayerKind::Activation(_) => {
                if inputs.len() != 1 {
                    return Err(Error::invalid(format!("layer '{name}' takes one input but got {}", inputs.len())));
                }
                Ok(inputs[0])
            }
            LayerKind::Merge(op) => {
                if inputs.len() < 2 {
                    return Err(Error::invalid(format!("merge layer '{name}' needs at least 2 inputs but got {}", inputs.len())));
                }
                if *op == MergeOp::Concatenate {
                    return Ok(inputs.iter().sum());
                }
                if let Some(w) = inputs.iter().find(|&&w| w != inputs[0]) {
                    return Err(Error::shape(format!("merge layer '{name}': all inputs must have the same width"), inputs[0], w));
                }
                Ok(inputs[0])
            }
        }
    }

    /// The layer's weights as `(suffix, values, shape)`: `kernel` then `bias` for Dense.
    pub fn weights(&self) -> Vec<(&'static str, &[f32], Vec<usize>)> {
        match &self.kind {
            LayerKind::Dense(d) => {
                let mut w = vec![("kernel", d.kernel.as_slice(), vec![d.input_dim, d.units])];
                if d.use_bias {
                    w.push(("bias", d.bias.as_slice(), vec![d.units]));
                }
                w
            }
            _ => Vec::new(),
        }
    }

    /// Mutable access to the weights, in the order of [`weights`](Self::weights).
    pub fn weights_mut(&mut self) -> Vec<&mut [f32]> {
        match &mut self.kind {
            LayerKind::Dense(d) => {
                let mut w = vec![d.kernel.as_mut_slice()];
                if d.use_bias {
                    w.push(d.bias.as_mut_slice());
                }
                w
            }
            _ => Vec::new(),
        }
    }

    /// Calls `f(index, values, regularizer)` for each weight, in the order of
    /// [`weights`](Self::weights), without allocating (the training loop's path).
    pub fn for_each_weight_mut(&mut self, mut f: impl FnMut(usize, &mut [f32], Option<Regularizer>)) {
        if let LayerKind::Dense(d) = &mut self.kind {
            f(0, &mut d.kernel, d.kernel_regularizer);
            if d.use_bias {
                f(1, &mut d.bias, d.bias_regularizer);
            }
        }
    }

    /// The layer's weight regularizers, in the order of [`weights`](Self::weights).
    pub fn regularizers(&self) -> Vec<Option<Regularizer>> {
        match &self.kind {
            LayerKind::Dense(d) => {
                let mut r = vec![d.kernel_regularizer];
                if d.use_bias {
                    r.push(d.bias_regularizer);
                }
                r
            }
            _ => Vec::new(),
        }
    }

    /// Number of scalar parameters.
    pub fn count_params(&self) -> usize {
        self.weights().iter().map(|(_, w, _)| w.len()).sum()
    }
}
