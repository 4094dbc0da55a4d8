//! Builders for models from Rust: [`Sequential`] for a chain of layers, [`GraphBuilder`] for
//! functional models (several inputs or outputs, branches and merges). Both produce the same
//! [`GraphConfig`] the JavaScript layer sends, and layers get TF.js's default names
//! (`dense_Dense1`, `dense_Dense2`, ...), so weights are named as TF.js names them.

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::graph::{Graph, GraphConfig, NodeConfig};
use crate::layers::{DenseConfig, DropoutConfig, InputConfig, LayerConfig};
use crate::model::Model;
use std::collections::HashMap;

/// Per class name, how many layers were named so far (TF.js numbers each class from 1).
#[derive(Clone, Debug, Default)]
struct Names(HashMap<&'static str, usize>);

impl Names {
    /// TF.js's default name for the next layer of `class` (`dense_Dense1`).
    fn next(&mut self, prefix: &str, class: &'static str) -> String {
        let n = self.0.entry(class).or_insert(0);
        *n += 1;
        format!("{prefix}_{class}{n}")
    }

    fn dense(&mut self, units: usize, activation: Activation) -> LayerConfig {
        LayerConfig::Dense(DenseConfig {
            name: self.next("dense", "Dense"),
            units,
            activation,
            use_bias: true,
            kernel_initializer: None,
            bias_initializer: None,
            kernel_regularizer: None,
            bias_regularizer: None,
            trainable: true,
        })
    }

    fn dropout(&mut self, rate: f64) -> LayerConfig {
        LayerConfig::Dropout(DropoutConfig { name: self.next("dropout", "Dropout"), rate, seed: None })
    }
}

/// A chain of layers, as `tf.sequential()`: an input width, then layers applied one after the
/// other.
///
/// ```
/// use dense_mtl_core::activation::Activation;
/// use dense_mtl_core::builder::Sequential;
///
/// let model = Sequential::new()
///     .input(4)
///     .dense(10, Activation::Sigmoid)
///     .dense(3, Activation::Softmax)
///     .build()
///     .unwrap();
/// assert_eq!(model.graph.count_params(), 4 * 10 + 10 + 10 * 3 + 3);
/// let names: Vec<String> = model.weights().into_iter().map(|w| w.name).collect();
/// assert_eq!(names, ["dense_Dense1/kernel", "dense_Dense1/bias", "dense_Dense2/kernel", "dense_Dense2/bias"]);
/// ```
#[derive(Clone, Debug)]
pub struct Sequential {
    name: String,
    width: Option<usize>,
    layers: Vec<LayerConfig>,
    names: Names,
}

impl Default for Sequential {
    fn default() -> Self {
        Sequential::new()
    }
}

impl Sequential {
    /// An empty model named `sequential`.
    pub fn new() -> Self {
        Sequential { name: "sequential".into(), width: None, layers: Vec::new(), names: Names::default() }
    }

    /// Names the model.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The width of each input row (TF.js's `inputShape: [width]`).
    pub fn input(mut self, width: usize) -> Self {
        self.width = Some(width);
        self
    }

    /// Appends a dense layer with `units` outputs, a bias and TF.js's default initializers.
    pub fn dense(mut self, units: usize, activation: Activation) -> Self {
        let layer = self.names.dense(units, activation);
        self.layers.push(layer);
        self
    }

    /// Appends a dropout layer that drops a fraction `rate` of its inputs while training.
    pub fn dropout(mut self, rate: f64) -> Self {
        let layer = self.names.dropout(rate);
        self.layers.push(layer);
        self
    }

    /// Appends any layer, configured in full (its name included).
    pub fn layer(mut self, layer: LayerConfig) -> Self {
        self.layers.push(layer);
        self
    }

    /// The model's description, as the JavaScript layer would send it.
    pub fn config(&self) -> Result<GraphConfig> {
        let width = self.width.ok_or_else(|| Error::invalid("Sequential: the input width is not set; call input(width) first"))?;
        if self.layers.is_empty() {
            return Err(Error::invalid("Sequential: the model has no layers; add at least one"));
        }
        let mut graph = GraphBuilder::new(self.name.clone());
        let mut node = graph.input("input1", width);
        for layer in &self.layers {
            node = graph.apply(layer.clone(), &[node]);
        }
        Ok(graph.config(&[node]))
    }

    /// Builds the model and initializes its weights (not compiled yet).
    pub fn build(&self) -> Result<Model> {
        Ok(Model::new(Graph::build(&self.config()?)?))
    }
}

/// A node of a [`GraphBuilder`]: an input, or a layer applied to earlier nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeId(usize);

/// A functional model, as `tf.model({inputs, outputs})`: layers applied to nodes.
///
/// ```
/// use dense_mtl_core::activation::Activation;
/// use dense_mtl_core::builder::GraphBuilder;
///
/// // A shared trunk with two heads.
/// let mut g = GraphBuilder::new("two_heads");
/// let x = g.input("features", 4);
/// let trunk = g.dense(x, 8, Activation::Relu);
/// let species = g.dense(trunk, 3, Activation::Softmax);
/// let size = g.dense(trunk, 1, Activation::Linear);
/// let model = g.build(&[species, size]).unwrap();
/// assert_eq!(model.graph.output_widths(), [3, 1]);
/// ```
#[derive(Clone, Debug)]
pub struct GraphBuilder {
    name: String,
    layers: Vec<LayerConfig>,
    nodes: Vec<NodeConfig>,
    inputs: Vec<usize>,
    names: Names,
}

impl GraphBuilder {
    /// An empty model named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        GraphBuilder { name: name.into(), layers: Vec::new(), nodes: Vec::new(), inputs: Vec::new(), names: Names::default() }
    }

    /// A model input of `width` columns (`tf.input({shape: [width], name})`).
    pub fn input(&mut self, name: &str, width: usize) -> NodeId {
        let node = self.apply(LayerConfig::InputLayer(InputConfig { name: name.to_string(), width }), &[]);
        self.inputs.push(node.0);
        node
    }

    /// A dense layer with `units` outputs applied to `input`.
    pub fn dense(&mut self, input: NodeId, units: usize, activation: Activation) -> NodeId {
        let layer = self.names.dense(units, activation);
        self.apply(layer, &[input])
    }

    /// A dropout layer applied to `input`.
    pub fn dropout(&mut self, input: NodeId, rate: f64) -> NodeId {
        let layer = self.names.dropout(rate);
        self.apply(layer, &[input])
    }

    /// Any layer, configured in full, applied to `inputs` (several for a merge layer).
    pub fn apply(&mut self, layer: LayerConfig, inputs: &[NodeId]) -> NodeId {
        self.layers.push(layer);
        self.nodes.push(NodeConfig { layer: self.layers.len() - 1, inputs: inputs.iter().map(|n| n.0).collect(), output: None });
        NodeId(self.nodes.len() - 1)
    }

    /// The model's description with these outputs, as the JavaScript layer would send it.
    pub fn config(&self, outputs: &[NodeId]) -> GraphConfig {
        GraphConfig {
            name: self.name.clone(),
            layers: self.layers.clone(),
            nodes: self.nodes.clone(),
            inputs: self.inputs.clone(),
            outputs: outputs.iter().map(|n| n.0).collect(),
        }
    }

    /// Builds the model with these outputs and initializes its weights (not compiled yet).
    pub fn build(&self, outputs: &[NodeId]) -> Result<Model> {
        Ok(Model::new(Graph::build(&self.config(outputs))?))
    }
}
