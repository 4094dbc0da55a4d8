//! Layers, one file each (in the style of burn and candle-nn): a typed config as the wire sends
//! it (TF.js defaults applied), `build` (validation and weight initialization), and the runtime
//! layer with its forward and backward passes and its one list of parameters.
//!
//! The graph ([`crate::graph`]) walks layers through the [`Layer`] trait, one virtual call per
//! node and batch (the work inside a call is a matrix product or a pass over `rows × width`
//! values, so the call costs nothing measurable and a new layer needs no edit in the graph).
//! Adding a layer: a file here with its config, its [`Layer`] impl and its `build`, plus one
//! variant in [`LayerConfig`] and its arms in [`LayerConfig::name`] and [`LayerConfig::build`].

pub mod activation;
pub mod alpha_dropout;
pub mod batch_norm;
pub mod cgc;
pub mod dense;
pub mod dropout;
pub mod elu;
pub mod embedding;
pub mod flatten;
mod gated_experts;
pub mod gaussian_dropout;
pub mod gaussian_noise;
pub mod input;
pub mod layer_norm;
pub mod leaky_relu;
pub mod merge;
pub mod mmoe;
pub mod prelu;
pub mod softmax;
pub mod thresholded_relu;

pub use activation::{ActivationConfig, ActivationLayer};
pub use alpha_dropout::{AlphaDropout, AlphaDropoutConfig};
pub use batch_norm::{BatchNorm, BatchNormConfig};
pub use cgc::CgcConfig;
pub use dense::{Dense, DenseConfig};
pub use dropout::{Dropout, DropoutConfig};
pub use elu::{Elu, EluConfig};
pub use embedding::{Embedding, EmbeddingConfig};
pub use flatten::{Flatten, FlattenConfig};
pub use gaussian_dropout::{GaussianDropout, GaussianDropoutConfig};
pub use gaussian_noise::{GaussianNoise, GaussianNoiseConfig};
pub use input::{Input, InputConfig};
pub use layer_norm::{LayerNorm, LayerNormConfig};
pub use leaky_relu::{LeakyRelu, LeakyReluConfig};
pub use merge::{Merge, MergeConfig, MergeOp};
pub use mmoe::MmoeConfig;
pub use prelu::{PRelu, PReluConfig};
pub use softmax::{Softmax, SoftmaxConfig};
pub use thresholded_relu::{ThresholdedRelu, ThresholdedReluConfig};

use crate::error::{Error, Result};
use crate::graph::Node;
use crate::memory::fits_in_memory;
use crate::regularizer::Regularizer;
use crate::rng::Rng;
use serde::Deserialize;

/// A layer as the wire describes it, tagged by its TF.js class name.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "className")]
pub enum LayerConfig {
    /// `tf.input` / `inputShape`.
    InputLayer(InputConfig),
    /// `tf.layers.dense`.
    Dense(DenseConfig),
    /// `tf.layers.dropout`.
    Dropout(DropoutConfig),
    /// `tf.layers.activation`.
    Activation(ActivationConfig),
    /// `tf.layers.concatenate`.
    Concatenate(MergeConfig),
    /// `tf.layers.add`.
    Add(MergeConfig),
    /// `tf.layers.multiply`.
    Multiply(MergeConfig),
    /// `tf.layers.average`.
    Average(MergeConfig),
    /// `tf.layers.embedding`.
    Embedding(EmbeddingConfig),
    /// `tf.layers.flatten`.
    Flatten(FlattenConfig),
    /// `tf.layers.batchNormalization`.
    BatchNormalization(BatchNormConfig),
    /// `tf.layers.layerNormalization`.
    LayerNormalization(LayerNormConfig),
    /// `tf.layers.leakyReLU`.
    #[serde(rename = "LeakyReLU")]
    LeakyRelu(LeakyReluConfig),
    /// `tf.layers.prelu`.
    #[serde(rename = "PReLU")]
    PRelu(PReluConfig),
    /// `tf.layers.elu`.
    #[serde(rename = "ELU")]
    Elu(EluConfig),
    /// `tf.layers.thresholdedReLU`.
    #[serde(rename = "ThresholdedReLU")]
    ThresholdedRelu(ThresholdedReluConfig),
    /// `tf.layers.softmax`.
    Softmax(SoftmaxConfig),
    /// `tf.layers.gaussianNoise`.
    GaussianNoise(GaussianNoiseConfig),
    /// `tf.layers.gaussianDropout`.
    GaussianDropout(GaussianDropoutConfig),
    /// `tf.layers.alphaDropout`.
    AlphaDropout(AlphaDropoutConfig),
    /// `tf.layers.mixtureOfExperts` (MMoE; dense-mtl's own layer).
    MixtureOfExperts(MmoeConfig),
    /// `tf.layers.customizedGateControl` (CGC/PLE; dense-mtl's own layer).
    CustomizedGateControl(CgcConfig),
}

impl LayerConfig {
    /// The layer's name.
    pub fn name(&self) -> &str {
        match self {
            LayerConfig::InputLayer(c) => &c.name,
            LayerConfig::Dense(c) => &c.name,
            LayerConfig::Dropout(c) => &c.name,
            LayerConfig::Activation(c) => &c.name,
            LayerConfig::Concatenate(c) | LayerConfig::Add(c) | LayerConfig::Multiply(c) | LayerConfig::Average(c) => &c.name,
            LayerConfig::Embedding(c) => &c.name,
            LayerConfig::Flatten(c) => &c.name,
            LayerConfig::BatchNormalization(c) => &c.name,
            LayerConfig::LayerNormalization(c) => &c.name,
            LayerConfig::LeakyRelu(c) => &c.name,
            LayerConfig::PRelu(c) => &c.name,
            LayerConfig::Elu(c) => &c.name,
            LayerConfig::ThresholdedRelu(c) => &c.name,
            LayerConfig::Softmax(c) => &c.name,
            LayerConfig::GaussianNoise(c) => &c.name,
            LayerConfig::GaussianDropout(c) => &c.name,
            LayerConfig::AlphaDropout(c) => &c.name,
            LayerConfig::MixtureOfExperts(c) => &c.name,
            LayerConfig::CustomizedGateControl(c) => &c.name,
        }
    }

    /// Validates the config and builds the layer (initializing its weights); `input_width` is
    /// the last axis of its first input (the features of a `[batch, features]` input).
    pub fn build(&self, input_width: usize) -> Result<NamedLayer> {
        match self {
            LayerConfig::InputLayer(c) => c.build(),
            LayerConfig::Dense(c) => c.build(input_width),
            LayerConfig::Dropout(c) => c.build(),
            LayerConfig::Activation(c) => Ok(c.build()),
            LayerConfig::Concatenate(c) => Ok(c.build(MergeOp::Concatenate)),
            LayerConfig::Add(c) => Ok(c.build(MergeOp::Add)),
            LayerConfig::Multiply(c) => Ok(c.build(MergeOp::Multiply)),
            LayerConfig::Average(c) => Ok(c.build(MergeOp::Average)),
            LayerConfig::Embedding(c) => c.build(),
            LayerConfig::Flatten(c) => Ok(c.build()),
            LayerConfig::BatchNormalization(c) => c.build(input_width),
            LayerConfig::LayerNormalization(c) => c.build(input_width),
            LayerConfig::LeakyRelu(c) => c.build(),
            LayerConfig::PRelu(c) => c.build(input_width),
            LayerConfig::Elu(c) => c.build(),
            LayerConfig::ThresholdedRelu(c) => c.build(),
            LayerConfig::Softmax(c) => c.build(),
            LayerConfig::GaussianNoise(c) => c.build(),
            LayerConfig::GaussianDropout(c) => c.build(),
            LayerConfig::AlphaDropout(c) => c.build(input_width),
            LayerConfig::MixtureOfExperts(c) => c.build(input_width),
            LayerConfig::CustomizedGateControl(c) => c.build(input_width),
        }
    }
}

/// One weight of a layer: what TF.js saves as `<layer>/<name>` with its shape.
#[derive(Clone, Debug)]
pub struct Param {
    /// The weight's name within its layer (`kernel`, `bias`).
    pub name: &'static str,
    /// The weight's shape (`[inputs, units]` for a dense kernel).
    pub shape: Vec<usize>,
    /// Row-major values.
    pub values: Vec<f32>,
    /// A penalty on the weight, added to the training loss.
    pub regularizer: Option<Regularizer>,
    /// Whether the optimizer updates it when its layer is trainable (false for statistics a
    /// layer updates itself, such as batch normalization's moving mean).
    pub trainable: bool,
}

impl Param {
    /// A trainable weight.
    pub fn new(name: &'static str, shape: Vec<usize>, values: Vec<f32>, regularizer: Option<Regularizer>) -> Self {
        Param { name, shape, values, regularizer, trainable: true }
    }
}

/// What a layer computes. The graph owns the buffers and passes each call the slices it needs.
pub trait Layer: std::fmt::Debug + Send + Sync {
    /// TF.js's class name (`Dense`).
    fn class_name(&self) -> &'static str;

    /// The output width for these input widths, or an error naming the layer (`name`).
    fn output_width(&self, name: &str, inputs: &[usize]) -> Result<usize>;

    /// The output's shape per row for these inputs' shapes per row (`[4]` for a `[batch, 4]`
    /// tensor, `[3, 4]` for `[batch, 3, 4]`, stored row-major). By default a layer takes
    /// `[batch, features]` inputs only and [`output_width`](Self::output_width) decides.
    fn output_shape(&self, name: &str, inputs: &[Vec<usize>]) -> Result<Vec<usize>> {
        for (k, shape) in inputs.iter().enumerate() {
            if shape.len() != 1 {
                let what = format!("layer '{name}' ({}) input {k}", self.class_name());
                return Err(Error::shape(what, "shape [null,features] (rank 2)", batch_shape(shape)));
            }
        }
        let widths: Vec<usize> = inputs.iter().map(|s| s[0]).collect();
        Ok(vec![self.output_width(name, &widths)?])
    }

    /// For a layer that reads its input as integer ids (embedding), how many ids there are
    /// (`0..count`); the model checks every id before it trains or predicts.
    fn id_count(&self) -> Option<usize> {
        None
    }

    /// The layer's weights, in TF.js's order.
    fn params(&self) -> &[Param] {
        &[]
    }

    /// Mutable access to [`params`](Self::params).
    fn params_mut(&mut self) -> &mut [Param] {
        &mut []
    }

    /// Values per row the layer keeps from its forward pass for its backward pass (for an output
    /// of `width` values per row; `training` says whether the workspace trains).
    fn saved_width(&self, _width: usize, _training: bool) -> usize {
        0
    }

    /// Values per batch (not per row) the layer keeps from its forward pass, before its
    /// per-row values in `saved`: statistics over the batch (batch normalization's mean and
    /// variance) for its backward pass and for [`update_state`](Self::update_state).
    fn batch_saved_len(&self, _width: usize, _training: bool) -> usize {
        0
    }

    /// Updates what the layer learns outside gradients (batch normalization's moving mean and
    /// variance) from what its training forward pass saved. The model calls it once per node
    /// after each applied training step, before anything runs the node forward again.
    fn update_state(&mut self, _saved: &[f32]) {}

    /// How many tensors the layer outputs. A layer with several outputs writes them side by side
    /// (equal widths, output `k` in the `k`-th block of columns); the graph gives each one to its
    /// consumers through a node that picks its columns ([`crate::graph::Node::pick`]).
    fn outputs(&self) -> usize {
        1
    }

    /// Values per row the backward pass needs in [`Backward::scratch`] (the workspace gives
    /// every layer at least its widest node's width).
    fn scratch_width(&self, _width: usize) -> usize {
        0
    }

    /// Multiply-adds per row of the layer's matrix product, if it has one.
    fn multiply_adds_per_row(&self) -> usize {
        0
    }

    /// Computes `pass.out` from `pass.inputs`.
    fn forward(&self, pass: Forward<'_>);

    /// Given `pass.grad` (d loss / d output, which it may overwrite), writes the weights'
    /// gradients (when trainable) and sends the inputs' gradients.
    fn backward(&self, pass: Backward<'_>);

    /// A boxed copy (models are cloned on compile and for predict).
    fn clone_box(&self) -> Box<dyn Layer>;
}

impl Clone for Box<dyn Layer> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// A layer in a model: its name, whether it trains, and what it computes.
#[derive(Clone, Debug)]
pub struct NamedLayer {
    /// The layer's name (unique in its model).
    pub name: String,
    /// Whether training updates its weights.
    pub trainable: bool,
    /// What it computes.
    pub layer: Box<dyn Layer>,
}

impl NamedLayer {
    /// The layer's weights, in TF.js's order.
    pub fn params(&self) -> &[Param] {
        self.layer.params()
    }

    /// Mutable access to the weights.
    pub fn params_mut(&mut self) -> &mut [Param] {
        self.layer.params_mut()
    }

    /// Whether weight `wi` is updated by training (its layer and the weight are trainable).
    pub fn learns(&self, wi: usize) -> bool {
        self.trainable && self.params()[wi].trainable
    }

    /// Whether the layer is of TF.js class `class_name`.
    pub fn is(&self, class_name: &str) -> bool {
        self.layer.class_name() == class_name
    }

    /// Number of scalar parameters.
    pub fn count_params(&self) -> usize {
        self.params().iter().map(|p| p.values.len()).sum()
    }
}

/// The outputs of a node's inputs for the current batch.
pub struct Inputs<'a> {
    pub(crate) outs: &'a [Vec<f32>],
    pub(crate) nodes: &'a [Node],
    pub(crate) ids: &'a [usize],
    pub(crate) rows: usize,
}

impl Inputs<'_> {
    /// Number of inputs.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the node has no input.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Width of input `k`.
    pub fn width(&self, k: usize) -> usize {
        self.nodes[self.ids[k]].width
    }

    /// Last axis of input `k` (its width when it is `[batch, features]`).
    pub fn last_dim(&self, k: usize) -> usize {
        *self.nodes[self.ids[k]].shape.last().expect("a shape has at least one axis")
    }

    /// Input `k`, `rows × width` values.
    pub fn get(&self, k: usize) -> &[f32] {
        &self.outs[self.ids[k]][..self.rows * self.width(k)]
    }
}

/// One forward call.
pub struct Forward<'a> {
    /// Rows in the batch.
    pub rows: usize,
    /// Whether the model trains (dropout drops only then).
    pub training: bool,
    /// The outputs of the nodes the layer is applied to.
    pub inputs: Inputs<'a>,
    /// `rows × width` values to write.
    pub out: &'a mut [f32],
    /// `batch_saved_len + rows × saved_width` values kept for the backward pass.
    pub saved: &'a mut [f32],
    /// Randomness for layers without a seed of their own.
    pub rng: &'a mut Rng,
}

/// Gradient buffers of a trainable layer's weights, in [`Layer::params`] order.
pub struct ParamGrads<'a> {
    /// One buffer per weight.
    pub grads: &'a mut [Vec<f32>],
    /// Whether each buffer already holds a gradient of this backward pass (then add to it).
    pub written: &'a mut [bool],
}

/// Where a node sends its inputs' gradients.
pub struct GradSink<'a> {
    pub(crate) grads: &'a mut [Vec<f32>],
    pub(crate) written: &'a mut [bool],
    pub(crate) nodes: &'a [Node],
    pub(crate) ids: &'a [usize],
    pub(crate) rows: usize,
}

impl GradSink<'_> {
    /// Gives `write` input `k`'s gradient buffer (`rows × width`) and whether it already holds a
    /// gradient to add to (otherwise it must overwrite it). Model inputs take no gradient.
    pub fn send(&mut self, k: usize, write: impl FnOnce(&mut [f32], bool)) {
        let to = self.ids[k];
        let node = &self.nodes[to];
        if node.inputs.is_empty() {
            return;
        }
        write(&mut self.grads[to][..self.rows * node.width], self.written[to]);
        self.written[to] = true;
    }
}

/// One backward call.
pub struct Backward<'a> {
    /// Rows in the batch.
    pub rows: usize,
    /// d loss / d output, `rows × width`; the layer may overwrite it.
    pub grad: &'a mut [f32],
    /// The layer's output in the forward pass.
    pub out: &'a [f32],
    /// What the layer saved in the forward pass.
    pub saved: &'a [f32],
    /// The outputs of the nodes the layer is applied to.
    pub inputs: Inputs<'a>,
    /// None when the layer is frozen.
    pub param_grads: Option<ParamGrads<'a>>,
    /// Where the gradients of its inputs go.
    pub sink: GradSink<'a>,
    /// A buffer of up to `max(rows, 2) × widest node` values for intermediate results.
    pub scratch: &'a mut Vec<f32>,
}

/// For the layers that multiply each value by a factor drawn in training (dropout and its
/// noise variants): the output is the input itself unless the pass draws them (in training, when
/// the layer is `active`, at a rate above 0). Returns whether it copied the input.
pub(crate) fn copy_unless_drawing(pass: &mut Forward<'_>, active: bool) -> bool {
    let draws = pass.training && active;
    if !draws {
        pass.out.copy_from_slice(pass.inputs.get(0));
    }
    !draws
}

/// The backward pass of those layers: the gradient times each value's saved factor (and
/// `scale`) when the forward pass drew them, then sent to the input.
pub(crate) fn backward_through_saved_factors(pass: Backward<'_>, drew: bool, scale: f32) {
    let Backward { grad, saved, mut sink, .. } = pass;
    if drew {
        grad.iter_mut().zip(saved).for_each(|(g, &f)| *g = *g * scale * f);
    }
    let g = &*grad;
    sink.send(0, |dst, accumulate| write_or_add(dst, g, accumulate));
}

/// `dst = src`, or `dst += src` when `accumulate`.
pub(crate) fn write_or_add(dst: &mut [f32], src: &[f32], accumulate: bool) {
    if accumulate {
        dst.iter_mut().zip(src).for_each(|(d, &s)| *d += s);
    } else {
        dst.copy_from_slice(src);
    }
}

/// A zeroed buffer of `len` values, or an error instead of aborting the process when the size
/// overflows or the memory cannot be had.
pub(crate) fn zeroed(len: Option<usize>, what: &str) -> Result<Vec<f32>> {
    let too_large = || Error::invalid(format!("{what} is too large to allocate"));
    let len = len.filter(|&n| fits_in_memory(n)).ok_or_else(too_large)?;
    crate::memory::try_zeroed(len, what)
}

/// The error for a layer given the wrong number of inputs.
pub(crate) fn one_input(what: &str, inputs: &[usize]) -> Result<usize> {
    if inputs.len() != 1 {
        return Err(Error::invalid(format!("{what} takes one input but got {}", inputs.len())));
    }
    Ok(inputs[0])
}

/// A shape per row as TF.js prints the whole tensor's shape: `[null,3,4]`.
pub(crate) fn batch_shape(shape: &[usize]) -> String {
    let dims: Vec<String> = std::iter::once("null".to_string()).chain(shape.iter().map(usize::to_string)).collect();
    format!("[{}]", dims.join(","))
}

fn yes() -> bool {
    true
}
