//! The model graph: layers applied to nodes in topological order, with a forward and a backward
//! pass over buffers that a [`Workspace`] owns and reuses from batch to batch. A Sequential model
//! is the chain special case; functional models may share layers, merge branches and have
//! several inputs and outputs.

use crate::error::{Error, Result};
use crate::layers::{Backward, Forward, GradSink, Inputs, LayerConfig, NamedLayer, ParamGrads};
use crate::memory::try_zeroed;
use crate::rng::Rng;
use serde::Deserialize;

/// One application of a layer to the outputs of earlier nodes.
#[derive(Clone, Debug, Deserialize)]
pub struct NodeConfig {
    pub layer: usize,
    #[serde(default)]
    pub inputs: Vec<usize>,
    /// For output `k` of a layer with several outputs: `k`, with `inputs` the one node that
    /// applies that layer (`layer` is that layer too).
    #[serde(default)]
    pub output: Option<usize>,
}

/// A whole model as the JavaScript layer describes it.
#[derive(Clone, Debug, Deserialize)]
pub struct GraphConfig {
    pub name: String,
    pub layers: Vec<LayerConfig>,
    pub nodes: Vec<NodeConfig>,
    pub inputs: Vec<usize>,
    pub outputs: Vec<usize>,
}

/// A node: a layer applied to earlier nodes, producing a `[rows, width]` tensor.
#[derive(Clone, Debug)]
pub struct Node {
    pub layer: usize,
    pub inputs: Vec<usize>,
    pub width: usize,
    /// `Some(k)` for output `k` of a layer with several outputs: the node copies that block of
    /// columns of its input (the node applying the layer, which holds every output side by side).
    pub pick: Option<usize>,
}

/// The model graph with its weights.
#[derive(Clone, Debug)]
pub struct Graph {
    pub name: String,
    pub layers: Vec<NamedLayer>,
    pub nodes: Vec<Node>,
    pub inputs: Vec<usize>,
    pub outputs: Vec<usize>,
}

impl Graph {
    /// Builds and initializes a graph, checking that it is acyclic and that widths agree.
    pub fn build(config: &GraphConfig) -> Result<Graph> {
        let mut names = std::collections::HashSet::new();
        for l in &config.layers {
            let name = l.name();
            if !names.insert(name) {
                return Err(Error::invalid(format!("model: layer names must be unique but '{name}' is used twice")));
            }
        }
        let mut layers: Vec<Option<NamedLayer>> = vec![None; config.layers.len()];
        let mut nodes: Vec<Node> = Vec::with_capacity(config.nodes.len());
        for (id, n) in config.nodes.iter().enumerate() {
            let lc = config.layers.get(n.layer).ok_or_else(|| Error::invalid(format!("model: node {id} names layer {} which does not exist", n.layer)))?;
            if let Some(&bad) = n.inputs.iter().find(|&&i| i >= id) {
                return Err(Error::invalid(format!(
                    "model: layer '{}' takes node {bad} as input, which is not computed before it (the graph has a cycle or is out of order)",
                    lc.name()
                )));
            }
            let widths: Vec<usize> = n.inputs.iter().map(|&i| nodes[i].width).collect();
            if let Some(k) = n.output {
                nodes.push(Self::pick_node(&nodes, &layers, n, k, lc.name())?);
                continue;
            }
            if layers[n.layer].is_none() {
                layers[n.layer] = Some(lc.build(widths.first().copied().unwrap_or(0))?);
            }
            let layer = layers[n.layer].as_ref().expect("built above");
            Self::check_single_outputs(&nodes, &layers, &n.inputs, &format!("layer '{}' is applied to", layer.name))?;
            let width = layer.layer.output_width(&layer.name, &widths)?;
            nodes.push(Node { layer: n.layer, inputs: n.inputs.clone(), width, pick: None });
        }
        if config.outputs.iter().any(|&o| o >= nodes.len()) || config.outputs.is_empty() {
            return Err(Error::invalid("model: outputs must name at least one existing node"));
        }
        Self::check_single_outputs(&nodes, &layers, &config.outputs, "the model's outputs include")?;
        let layers = layers
            .into_iter()
            .zip(&config.layers)
            .map(|(l, c)| l.ok_or_else(|| Error::invalid(format!("model: layer '{}' is never applied", c.name()))))
            .collect::<Result<Vec<_>>>()?;
        for (k, &i) in config.inputs.iter().enumerate() {
            if config.inputs[..k].contains(&i) {
                return Err(Error::invalid(format!("model: the list of inputs is redundant: node {i} is listed twice")));
            }
            if !nodes.get(i).is_some_and(|n| layers[n.layer].is("InputLayer")) {
                return Err(Error::invalid(format!("model: inputs must be input layers, but node {i} is not")));
            }
        }
        let graph = Graph { name: config.name.clone(), layers, nodes, inputs: config.inputs.clone(), outputs: config.outputs.clone() };
        graph.check_outputs_reach_inputs()?;
        Ok(graph)
    }

    /// The node for output `k` of the node `n.inputs[0]`, which must apply the same layer.
    fn pick_node(nodes: &[Node], layers: &[Option<NamedLayer>], n: &NodeConfig, k: usize, name: &str) -> Result<Node> {
        let source = match n.inputs[..] {
            [i] if nodes[i].layer == n.layer && nodes[i].pick.is_none() => &nodes[i],
            _ => return Err(Error::invalid(format!("model: output {k} of layer '{name}' must take the one node that applies '{name}' as input"))),
        };
        let outputs = layers[n.layer].as_ref().map_or(1, |l| l.layer.outputs());
        if k >= outputs {
            return Err(Error::invalid(format!("model: layer '{name}' has {outputs} output(s) but output {k} was asked for")));
        }
        Ok(Node { layer: n.layer, inputs: n.inputs.clone(), width: source.width / outputs, pick: Some(k) })
    }

    /// Rejects taking a layer with several outputs as a whole (one of its outputs must be picked).
    fn check_single_outputs(nodes: &[Node], layers: &[Option<NamedLayer>], ids: &[usize], what: &str) -> Result<()> {
        for &i in ids {
            let node = &nodes[i];
            let layer = layers[node.layer].as_ref().expect("built before its nodes");
            if node.pick.is_none() && layer.layer.outputs() > 1 {
                return Err(Error::invalid(format!(
                    "model: {what} layer '{}' as a whole, but that layer has {} outputs: use one of them",
                    layer.name,
                    layer.layer.outputs()
                )));
            }
        }
        Ok(())
    }

    fn check_outputs_reach_inputs(&self) -> Result<()> {
        let mut needed = vec![false; self.nodes.len()];
        self.outputs.iter().for_each(|&o| needed[o] = true);
        for id in (0..self.nodes.len()).rev() {
            if needed[id] {
                let node = &self.nodes[id];
                if node.inputs.is_empty() && !self.inputs.contains(&id) {
                    return Err(Error::invalid(format!(
                        "model: output depends on input layer '{}', which is not among the model's inputs",
                        self.layers[node.layer].name
                    )));
                }
                node.inputs.iter().for_each(|&i| needed[i] = true);
            }
        }
        Ok(())
    }

    /// Width of each model input.
    pub fn input_widths(&self) -> Vec<usize> {
        self.inputs.iter().map(|&i| self.nodes[i].width).collect()
    }

    /// Width of each model output.
    pub fn output_widths(&self) -> Vec<usize> {
        self.outputs.iter().map(|&o| self.nodes[o].width).collect()
    }

    /// Name of each output: its layer's, made unique as Keras does when a layer gives several
    /// outputs (`mmoe`, `mmoe_1`, ...).
    pub fn output_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::with_capacity(self.outputs.len());
        for &o in &self.outputs {
            let layer = &self.layers[self.nodes[o].layer].name;
            let mut name = layer.clone();
            let mut count = 1;
            while names.contains(&name) {
                name = format!("{layer}_{count}");
                count += 1;
            }
            names.push(name);
        }
        names
    }

    /// Every weight as `(layer index, index within the layer)`, in TF.js's `model.weights` order:
    /// the weights that train first, then the others (frozen layers', statistics).
    pub fn weight_order(&self) -> Vec<(usize, usize)> {
        let all = |trainable: bool| {
            self.layers.iter().enumerate().flat_map(move |(li, l)| (0..l.params().len()).filter(move |&wi| l.learns(wi) == trainable).map(move |wi| (li, wi)))
        };
        all(true).chain(all(false)).collect()
    }

    /// For each layer, the outputs (by index) whose value depends on one of its nodes.
    pub fn heads_depending_on_layers(&self) -> Vec<Vec<usize>> {
        let mut heads_of_node: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        for (h, &o) in self.outputs.iter().enumerate() {
            heads_of_node[o].push(h);
        }
        for id in (0..self.nodes.len()).rev() {
            let heads = heads_of_node[id].clone();
            for &input in &self.nodes[id].inputs {
                for &h in &heads {
                    if !heads_of_node[input].contains(&h) {
                        heads_of_node[input].push(h);
                    }
                }
            }
        }
        let mut per_layer: Vec<Vec<usize>> = vec![Vec::new(); self.layers.len()];
        for (id, node) in self.nodes.iter().enumerate() {
            for &h in &heads_of_node[id] {
                if !per_layer[node.layer].contains(&h) {
                    per_layer[node.layer].push(h);
                }
            }
        }
        per_layer
    }

    /// Multiply-adds of the largest matrix product a batch of `rows` rows needs.
    pub fn largest_product(&self, rows: usize) -> usize {
        self.layers.iter().map(|l| rows * l.layer.multiply_adds_per_row()).max().unwrap_or(0)
    }

    /// Total number of scalar parameters.
    pub fn count_params(&self) -> usize {
        self.layers.iter().map(NamedLayer::count_params).sum()
    }

    /// Sum of every weight regularizer's penalty.
    pub fn regularization_penalty(&self) -> f32 {
        let params = self.layers.iter().flat_map(NamedLayer::params);
        params.filter_map(|p| p.regularizer.map(|r| r.penalty(&p.values))).sum()
    }

    /// Runs the graph on `rows` rows already copied into the input nodes' buffers.
    pub fn forward(&self, ws: &mut Workspace, rows: usize, training: bool) {
        for (id, node) in self.nodes.iter().enumerate() {
            if node.inputs.is_empty() {
                continue; // an input: the workspace loaded it
            }
            if let Some(k) = node.pick {
                let (before, after) = ws.outs.split_at_mut(id);
                let (from, width) = (node.inputs[0], self.nodes[node.inputs[0]].width);
                let src = before[from][..rows * width].chunks_exact(width);
                let dst = after[0][..rows * node.width].chunks_exact_mut(node.width);
                dst.zip(src).for_each(|(d, s)| d.copy_from_slice(&s[k * node.width..(k + 1) * node.width]));
                continue;
            }
            let mut out = std::mem::take(&mut ws.outs[id]);
            let inputs = Inputs { outs: &ws.outs, nodes: &self.nodes, ids: &node.inputs, rows };
            let saved = &mut ws.saved[id][..rows * ws.saved_widths[id]];
            let pass = Forward { rows, training, inputs, out: &mut out[..rows * node.width], saved, rng: &mut ws.rng };
            self.layers[node.layer].layer.forward(pass);
            ws.outs[id] = out;
        }
    }

    /// Backpropagates the gradients that the caller wrote into the output nodes' `grads`
    /// (marked in `ws.grad_written`), filling `ws.param_grads` for trainable weights.
    pub fn backward(&self, ws: &mut Workspace, rows: usize) {
        self.backward_from(ws, rows, 0);
    }

    /// [`backward`](Self::backward) that stops at node `stop` (its weight gradients are
    /// computed, nothing below it is).
    pub fn backward_from(&self, ws: &mut Workspace, rows: usize, stop: usize) {
        ws.param_written.iter_mut().for_each(|w| *w = false);
        for id in (stop..self.nodes.len()).rev() {
            let node = &self.nodes[id];
            if !ws.grad_written[id] || node.inputs.is_empty() {
                continue;
            }
            if let Some(k) = node.pick {
                self.scatter_pick(ws, rows, id, k);
                continue;
            }
            let layer = &self.layers[node.layer];
            let mut grad = std::mem::take(&mut ws.grads[id]);
            let (first, count) = (ws.param_index[node.layer], layer.params().len());
            let param_grads = (layer.trainable && count > 0)
                .then(|| ParamGrads { grads: &mut ws.param_grads[first..first + count], written: &mut ws.param_written[first..first + count] });
            let pass = Backward {
                rows,
                grad: &mut grad[..rows * node.width],
                out: &ws.outs[id][..rows * node.width],
                saved: &ws.saved[id][..rows * ws.saved_widths[id]],
                inputs: Inputs { outs: &ws.outs, nodes: &self.nodes, ids: &node.inputs, rows },
                param_grads,
                sink: GradSink { grads: &mut ws.grads, written: &mut ws.grad_written, nodes: &self.nodes, ids: &node.inputs, rows },
                scratch: &mut ws.scratch,
            };
            layer.layer.backward(pass);
            ws.grads[id] = grad;
        }
    }

    /// Adds a pick node's gradient to its block of columns of the source node's gradient (the
    /// other blocks stay zero until their own picks add theirs).
    fn scatter_pick(&self, ws: &mut Workspace, rows: usize, id: usize, k: usize) {
        let (from, width) = (self.nodes[id].inputs[0], self.nodes[id].width);
        let total = self.nodes[from].width;
        let (before, after) = ws.grads.split_at_mut(id);
        let dst = &mut before[from][..rows * total];
        if !ws.grad_written[from] {
            dst.fill(0.0);
            ws.grad_written[from] = true;
        }
        let src = after[0][..rows * width].chunks_exact(width);
        dst.chunks_exact_mut(total).zip(src).for_each(|(d, s)| d[k * width..(k + 1) * width].iter_mut().zip(s).for_each(|(d, &s)| *d += s));
    }
}

/// Buffers for one batch size: node outputs, what each layer saves for its backward pass
/// (pre-activations, dropout masks), gradients and weight gradients. Allocated once and reused,
/// so a training step allocates nothing.
pub struct Workspace {
    pub capacity: usize,
    pub outs: Vec<Vec<f32>>,
    /// Per node, what its layer keeps from forward to backward ([`Layer::saved_width`](crate::layers::Layer::saved_width) per row).
    pub saved: Vec<Vec<f32>>,
    pub saved_widths: Vec<usize>,
    pub grads: Vec<Vec<f32>>,
    pub grad_written: Vec<bool>,
    /// One gradient buffer per weight, in layer order (kernel, bias).
    pub param_grads: Vec<Vec<f32>>,
    pub param_written: Vec<bool>,
    /// Per parameter, whether this step updates it (kept here so that a step allocates nothing).
    pub param_learns: Vec<bool>,
    /// Index of each layer's first weight in `param_grads`.
    pub param_index: Vec<usize>,
    pub scratch: Vec<f32>,
    /// Randomness for layers without a seed (dropout).
    pub rng: Rng,
}

impl Workspace {
    /// Values (f32) that [`Workspace::new`] allocates: `(activations, weight gradients)`.
    /// Saturating, so that an impossible size stays impossible.
    pub fn sizes(graph: &Graph, capacity: usize, training: bool) -> (usize, usize) {
        let mut per_row = 0usize;
        for node in &graph.nodes {
            let saved = Self::saved_width(graph, node, training);
            let grads = if training { node.width } else { 0 };
            per_row = per_row.saturating_add(node.width).saturating_add(saved).saturating_add(grads);
        }
        let widest = Self::scratch_width(graph);
        let activations = capacity.saturating_mul(per_row.saturating_add(widest));
        let gradients = if training { graph.count_params() } else { 0 };
        (activations, gradients)
    }

    /// Buffers for up to `capacity` rows; `training` adds gradient buffers. Allocation failure
    /// is an error, not an abort (callers account the sizes first with [`Workspace::sizes`]).
    pub fn new(graph: &Graph, capacity: usize, training: bool) -> Result<Self> {
        let n = graph.nodes.len();
        let sized = |w: usize| try_zeroed(capacity.saturating_mul(w), "activation buffers");
        let outs = graph.nodes.iter().map(|node| sized(node.width)).collect::<Result<_>>()?;
        let saved_widths: Vec<usize> = graph.nodes.iter().map(|node| Self::saved_width(graph, node, training)).collect();
        let saved = saved_widths.iter().map(|&w| sized(w)).collect::<Result<_>>()?;
        let (grads, param_grads, param_index);
        if training {
            grads = graph.nodes.iter().map(|node| sized(node.width)).collect::<Result<_>>()?;
            let mut index = Vec::with_capacity(graph.layers.len());
            let mut bufs = Vec::new();
            for l in &graph.layers {
                index.push(bufs.len());
                for p in l.params() {
                    bufs.push(try_zeroed(p.values.len(), "gradient buffers")?);
                }
            }
            param_grads = bufs;
            param_index = index;
        } else {
            grads = vec![Vec::new(); n];
            param_grads = Vec::new();
            param_index = Vec::new();
        }
        let widest = Self::scratch_width(graph);
        let mut scratch = Vec::new();
        scratch
            .try_reserve_exact(capacity.saturating_mul(widest))
            .map_err(|_| Error::OutOfMemory("activation buffers: cannot allocate a scratch buffer".into()))?;
        Ok(Workspace {
            capacity,
            outs,
            saved,
            saved_widths,
            grads,
            grad_written: vec![false; n],
            param_written: vec![false; param_grads.len()],
            param_learns: vec![false; param_grads.len()],
            param_grads,
            param_index,
            scratch,
            rng: Rng::new(None),
        })
    }

    /// Values per row a node keeps for its backward pass (none for a pick node).
    fn saved_width(graph: &Graph, node: &Node, training: bool) -> usize {
        if node.pick.is_some() {
            return 0;
        }
        graph.layers[node.layer].layer.saved_width(node.width, training)
    }

    /// Scratch values per row: the widest node, or more if a layer's backward pass needs more.
    fn scratch_width(graph: &Graph) -> usize {
        let need = |n: &Node| n.width.max(graph.layers[n.layer].layer.scratch_width(n.width));
        graph.nodes.iter().map(need).max().unwrap_or(0)
    }

    /// Copies rows `indices` of each input array (row-major, `widths[k]` columns) into the
    /// input nodes, ready for [`Graph::forward`].
    pub fn load_rows(&mut self, graph: &Graph, inputs: &[&[f32]], indices: &[usize]) {
        for (k, &node) in graph.inputs.iter().enumerate() {
            let w = graph.nodes[node].width;
            let dst = &mut self.outs[node];
            for (b, &i) in indices.iter().enumerate() {
                dst[b * w..(b + 1) * w].copy_from_slice(&inputs[k][i * w..(i + 1) * w]);
            }
        }
    }

    /// Copies a contiguous block of rows into the input nodes.
    pub fn load_range(&mut self, graph: &Graph, inputs: &[&[f32]], start: usize, rows: usize) {
        for (k, &node) in graph.inputs.iter().enumerate() {
            let w = graph.nodes[node].width;
            self.outs[node][..rows * w].copy_from_slice(&inputs[k][start * w..(start + rows) * w]);
        }
    }
}
