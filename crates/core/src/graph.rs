//! The model graph: layers applied to nodes in topological order, with a forward and a backward
//! pass over buffers that a [`Workspace`] owns and reuses from batch to batch. A Sequential model
//! is the chain special case; functional models may share layers, merge branches and have
//! several inputs and outputs.

use crate::error::{Error, Result};
use crate::memory::try_zeroed;
use crate::layer::{Dense, Layer, LayerConfig, LayerKind, MergeOp};
use crate::rng::Rng;
use crate::matmul::{matmul_nn, matmul_nt, matmul_tn};
use serde::Deserialize;

/// One application of a layer to the outputs of earlier nodes.
#[derive(Clone, Debug, Deserialize)]
pub struct NodeConfig {
    pub layer: usize,
    #[serde(default)]
    pub inputs: Vec<usize>,
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
}

/// The model graph with its weights.
#[derive(Clone, Debug)]
pub struct Graph {
    pub name: String,
    pub layers: Vec<Layer>,
    pub nodes: Vec<Node>,
    pub inputs: Vec<usize>,
    pub outputs: Vec<usize>,
}

impl Graph {
    /// Builds and initializes a graph, checking that it is acyclic and that widths agree.
    pub fn build(config: &GraphConfig) -> Result<Graph> {
        let mut names = std::collections::HashSet::new();
        for l in &config.layers {
            let name = layer_config_name(l);
            if !names.insert(name) {
                return Err(Error::invalid(format!("model: layer names must be unique but '{name}' is used twice")));
            }
        }
        let mut layers: Vec<Option<Layer>> = vec![None; config.layers.len()];
        let mut nodes: Vec<Node> = Vec::with_capacity(config.nodes.len());
        for (id, n) in config.nodes.iter().enumerate() {
            let lc = config.layers.get(n.layer).ok_or_else(|| Error::invalid(format!("model: node {id} names layer {} which does not exist", n.layer)))?;
            if let Some(&bad) = n.inputs.iter().find(|&&i| i >= id) {
                return Err(Error::invalid(format!(
                    "model: layer '{}' takes node {bad} as input, which is not computed before it (the graph has a cycle or is out of order)",
                    layer_config_name(lc)
                )));
            }
            let widths: Vec<usize> = n.inputs.iter().map(|&i| nodes[i].width).collect();
            if layers[n.layer].is_none() {
                layers[n.layer] = Some(Layer::build(lc, widths.first().copied().unwrap_or(0))?);
            }
            let width = layers[n.layer].as_ref().unwrap().output_width(&widths)?;
            nodes.push(Node { layer: n.layer, inputs: n.inputs.clone(), width });
        }
        let layers = layers
            .into_iter()
            .zip(&config.layers)
            .map(|(l, c)| l.ok_or_else(|| Error::invalid(format!("model: layer '{}' is never applied", layer_config_name(c)))))
            .collect::<Result<Vec<_>>>()?;
        for (k, &i) in config.inputs.iter().enumerate() {
            if config.inputs[..k].contains(&i) {
                return Err(Error::invalid(format!("model: the list of inputs is redundant: node {i} is listed twice")));
            }
            if !matches!(nodes.get(i).map(|n| &layers[n.layer].kind), Some(LayerKind::Input { .. })) {
                return Err(Error::invalid(format!("model: inputs must be input layers, but node {i} is not")));
            }
        }
        if config.outputs.iter().any(|&o| o >= nodes.len()) || config.outputs.is_empty() {
            return Err(Error::invalid("model: outputs must name at least one existing node"));
        }
        let graph = Graph { name: config.name.clone(), layers, nodes, inputs: config.inputs.clone(), outputs: config.outputs.clone() };
        graph.check_outputs_reach_inputs()?;
        Ok(graph)
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

    /// Name of each output layer.
    pub fn output_names(&self) -> Vec<String> {
        self.outputs.iter().map(|&o| self.layers[self.nodes[o].layer].name.clone()).collect()
    }

    /// Every weight as `(layer index, index within the layer)`, in TF.js's `model.weights` order:
    /// trainable layers' weights first, then the frozen ones.
    pub fn weight_order(&self) -> Vec<(usize, usize)> {
        let all = |trainable: bool| {
            self.layers
                .iter()
                .enumerate()
                .filter(move |(_, l)| l.trainable == trainable)
                .flat_map(|(li, l)| (0..l.weights().len()).map(move |wi| (li, wi)))
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
        self.layers.iter().map(|l| match &l.kind {
            LayerKind::Dense(d) => rows * d.input_dim * d.units,
            _ => 0,
        }).max().unwrap_or(0)
    }

    /// Total number of scalar parameters.
    pub fn count_params(&self) -> usize {
        self.layers.iter().map(Layer::count_params).sum()
    }

    /// Sum of every weight regularizer's penalty.
    pub fn regularization_penalty(&self) -> f32 {
        let mut total = 0.0;
        for l in &self.layers {
            for (reg, (_, w, _)) in l.regularizers().iter().zip(l.weights()) {
                if let Some(r) = reg {
                    total += r.penalty(w);
                }
            }
        }
        total
    }

    /// Runs the graph on `rows` rows already copied into the input nodes' buffers.
    pub fn forward(&self, ws: &mut Workspace, rows: usize, training: bool) {
        for (id, node) in self.nodes.iter().enumerate() {
            let layer = &self.layers[node.layer];
            let mut out = std::mem::take(&mut ws.outs[id]);
            let out_rows = &mut out[..rows * node.width];
            match &layer.kind {
                LayerKind::Input { .. } => {}
                LayerKind::Dense(d) => {
                    let x = &ws.outs[node.inputs[0]][..rows * d.input_dim];
                    dense_forward(d, x, rows, &mut ws.pres[id], out_rows);
                }
                LayerKind::Dropout { rate, .. } => {
                    let x = &ws.outs[node.inputs[0]][..rows * node.width];
                    if training && *rate > 0.0 {
                        let mask = &mut ws.masks[id][..rows * node.width];
                        let keep = 1.0 / (1.0 - rate);
                        for ((o, &xv), m) in out_rows.iter_mut().zip(x).zip(mask.iter_mut()) {
                            *m = if ws.rng.uniform(0.0, 1.0) >= *rate { keep } else { 0.0 };
                            *o = xv * *m;
                        }
                    } else {
                        out_rows.copy_from_slice(x);
                    }
                }
                LayerKind::Activation(a) => a.forward(&ws.outs[node.inputs[0]][..rows * node.width], out_rows, node.width),
                LayerKind::Merge(op) => merge_forward(*op, node, &ws.outs, rows, &self.nodes, out_rows),
            }
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
            if !ws.grad_written[id] {
                continue;
            }
            let node = &self.nodes[id];
            let layer = &self.layers[node.layer];
            let mut grad = std::mem::take(&mut ws.grads[id]);
            let g = &mut grad[..rows * node.width];
            match &layer.kind {
                LayerKind::Input { .. } => {}
                LayerKind::Dense(d) => self.dense_backward(ws, id, node, layer.trainable, d, g, rows),
                LayerKind::Dropout { .. } => {
                    if ws.training_dropout[id] {
                        g.iter_mut().zip(&ws.masks[id]).for_each(|(g, m)| *g *= m);
                    }
                    self.send_grad(ws, node.inputs[0], rows, |dst, beta| axpy_into(dst, g, beta));
                }
                LayerKind::Activation(a) => {
                    let input = std::mem::take(&mut ws.outs[node.inputs[0]]);
                    a.backward(&input[..rows * node.width], &ws.outs[id][..rows * node.width], g, node.width);
                    ws.outs[node.inputs[0]] = input;
                    self.send_grad(ws, node.inputs[0], rows, |dst, beta| axpy_into(dst, g, beta));
                }
                LayerKind::Merge(op) => self.merge_backward(ws, *op, node, g, rows),
            }
            ws.grads[id] = grad;
        }
    }

    /// Adds (or, for the first contribution, writes) a gradient into an input node.
    fn send_grad(&self, ws: &mut Workspace, to: usize, rows: usize, write: impl FnOnce(&mut [f32], f32)) {
        if self.nodes[to].inputs.is_empty() {
            return; // model inputs need no gradient
        }
        let beta = if ws.grad_written[to] { 1.0 } else { 0.0 };
        write(&mut ws.grads[to][..rows * self.nodes[to].width], beta);
        ws.grad_written[to] = true;
    }

    #[allow(clippy::too_many_arguments)]
    fn dense_backward(&self, ws: &mut Workspace, id: usize, node: &Node, trainable: bool, d: &Dense, g: &mut [f32], rows: usize) {
        let out = &ws.outs[id][..rows * d.units];
        let pre = if d.activation.needs_input() { &ws.pres[id][..rows * d.units] } else { &[][..] };
        d.activation.backward(pre, out, g, d.units);
        let g = &*g;
        let input = node.inputs[0];
        if trainable {
            let pi = ws.param_index[node.layer];
            let accumulate = ws.param_written[pi];
            let x = &ws.outs[input][..rows * d.input_dim];
            matmul_tn(x, g, &mut ws.param_grads[pi], d.input_dim, rows, d.units, accumulate);
            ws.param_written[pi] = true;
            if d.use_bias {
                let db = &mut ws.param_grads[pi + 1];
                if !accumulate {
                    db.fill(0.0);
                }
                for row in g.chunks_exact(d.units) {
                    db.iter_mut().zip(row).for_each(|(b, &v)| *b += v);
                }
                ws.param_written[pi + 1] = true;
            }
        }
        self.send_grad(ws, input, rows, |dst, beta| matmul_nt(g, &d.kernel, dst, rows, d.units, d.input_dim, beta != 0.0));
    }

    fn merge_backward(&self, ws: &mut Workspace, op: MergeOp, node: &Node, g: &[f32], rows: usize) {
        let width = node.width;
        let mut offset = 0;
        for (k, &input) in node.inputs.iter().enumerate() {
            let in_width = self.nodes[input].width;
            match op {
                MergeOp::Concatenate => {
                    self.send_grad(ws, input, rows, |dst, beta| {
                        for (drow, grow) in dst.chunks_exact_mut(in_width).zip(g.chunks_exact(width)) {
                            axpy_into(drow, &grow[offset..offset + in_width], beta);
                        }
                    });
                    offset += in_width;
                }
                MergeOp::Add => self.send_grad(ws, input, rows, |dst, beta| axpy_into(dst, g, beta)),
                MergeOp::Average => {
                    let scale = 1.0 / node.inputs.len() as f32;
                    self.send_grad(ws, input, rows, |dst, beta| {
                        dst.iter_mut().zip(g).for_each(|(d, &gv)| *d = beta * *d + scale * gv)
                    });
                }
                MergeOp::Multiply => {
                    // d(prod)/d x_k = product of the other inputs.
                    let mut others = std::mem::take(&mut ws.scratch);
                    others.clear();
                    others.extend_from_slice(g);
                    for (j, &other) in node.inputs.iter().enumerate() {
                        if j != k {
                            others.iter_mut().zip(&ws.outs[other][..rows * width]).for_each(|(o, &v)| *o *= v);
                        }
                    }
                    self.send_grad(ws, input, rows, |dst, beta| axpy_into(dst, &others, beta));
                    ws.scratch = others;
                }
            }
        }
    }
}

fn layer_config_name(c: &LayerConfig) -> &str {
    match c {
        LayerConfig::InputLayer { name, .. }
        | LayerConfig::Dense { name, .. }
        | LayerConfig::Dropout { name, .. }
        | LayerConfig::Activation { name, .. }
        | LayerConfig::Concatenate { name }
        | LayerConfig::Add { name }
        | LayerConfig::Multiply { name }
        | LayerConfig::Average { name } => name,
    }
}

/// `dst = beta * dst + src` (beta is 0 or 1).
fn axpy_into(dst: &mut [f32], src: &[f32], beta: f32) {
    if beta == 0.0 {
        dst.copy_from_slice(src);
    } else {
        dst.iter_mut().zip(src).for_each(|(d, &s)| *d += s);
    }
}

/// `out = act(x · kernel + bias)`; the pre-activation is kept in `pre` when the activation's
/// derivative needs it.
fn dense_forward(d: &Dense, x: &[f32], rows: usize, pre: &mut [f32], out: &mut [f32]) {
    // The product first, then the bias, in TF.js's order (the rounding then matches it).
    matmul_nn(x, &d.kernel, out, rows, d.input_dim, d.units, false);
    if d.use_bias {
        out.chunks_exact_mut(d.units).for_each(|row| row.iter_mut().zip(&d.bias).for_each(|(o, b)| *o += b));
    }
    if d.activation.needs_input() {
        let pre = &mut pre[..rows * d.units];
        pre.copy_from_slice(out);
        d.activation.forward(pre, out, d.units);
    } else {
        d.activation.forward_inplace(out, d.units);
    }
}

fn merge_forward(op: MergeOp, node: &Node, outs: &[Vec<f32>], rows: usize, nodes: &[Node], out: &mut [f32]) {
    let width = node.width;
    match op {
        MergeOp::Concatenate => {
            let mut offset = 0;
            for &input in &node.inputs {
                let w = nodes[input].width;
                for (orow, irow) in out.chunks_exact_mut(width).zip(outs[input][..rows * w].chunks_exact(w)) {
                    orow[offset..offset + w].copy_from_slice(irow);
                }
                offset += w;
            }
        }
        MergeOp::Add | MergeOp::Average | MergeOp::Multiply => {
            out.copy_from_slice(&outs[node.inputs[0]][..rows * width]);
            for &input in &node.inputs[1..] {
                let src = &outs[input][..rows * width];
                if op == MergeOp::Multiply {
                    out.iter_mut().zip(src).for_each(|(o, &s)| *o *= s);
                } else {
                    out.iter_mut().zip(src).for_each(|(o, &s)| *o += s);
                }
            }
            if op == MergeOp::Average {
                let scale = 1.0 / node.inputs.len() as f32;
                out.iter_mut().for_each(|o| *o *= scale);
            }
        }
    }
}

/// Buffers for one batch size: node outputs, pre-activations, gradients, dropout masks and
/// weight gradients. Allocated once and reused, so a training step allocates nothing.
pub struct Workspace {
    pub capacity: usize,
    pub outs: Vec<Vec<f32>>,
    pub pres: Vec<Vec<f32>>,
    pub grads: Vec<Vec<f32>>,
    pub masks: Vec<Vec<f32>>,
    pub grad_written: Vec<bool>,
    pub training_dropout: Vec<bool>,
    /// One gradient buffer per weight, in layer order (kernel, bias).
    pub param_grads: Vec<Vec<f32>>,
    pub param_written: Vec<bool>,
    /// Index of each layer's first weight in `param_grads`.
    pub param_index: Vec<usize>,
    pub scratch: Vec<f32>,
    pub rng: Rng,
}

impl Workspace {
    /// Values (f32) that [`Workspace::new`] allocates: `(activations, weight gradients)`.
    /// Saturating, so that an impossible size stays impossible.
    pub fn sizes(graph: &Graph, capacity: usize, training: bool) -> (usize, usize) {
        let mut per_row = 0usize;
        let mut widest = 0;
        for node in &graph.nodes {
            let copies = match &graph.layers[node.layer].kind {
                LayerKind::Dense(d) if d.activation.needs_input() => 2,
                _ => 1,
            } + if training { 1 + matches!(graph.layers[node.layer].kind, LayerKind::Dropout { .. }) as usize } else { 0 };
            per_row = per_row.saturating_add(node.width.saturating_mul(copies));
            widest = widest.max(node.width);
        }
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
        let pres = graph
            .nodes
            .iter()
            .map(|node| match &graph.layers[node.layer].kind {
                LayerKind::Dense(d) if d.activation.needs_input() => sized(node.width),
                _ => Ok(Vec::new()),
            })
            .collect::<Result<_>>()?;
        let is_dropout = |node: &Node| matches!(graph.layers[node.layer].kind, LayerKind::Dropout { .. });
        let (grads, masks, param_grads, param_index);
        if training {
            grads = graph.nodes.iter().map(|node| sized(node.width)).collect::<Result<_>>()?;
            masks = graph.nodes.iter().map(|node| if is_dropout(node) { sized(node.width) } else { Ok(Vec::new()) }).collect::<Result<_>>()?;
            let mut index = Vec::with_capacity(graph.layers.len());
            let mut bufs = Vec::new();
            for l in &graph.layers {
                index.push(bufs.len());
                for (_, w, _) in l.weights() {
                    bufs.push(try_zeroed(w.len(), "gradient buffers")?);
                }
            }
            param_grads = bufs;
            param_index = index;
        } else {
            grads = vec![Vec::new(); n];
            masks = vec![Vec::new(); n];
            param_grads = Vec::new();
            param_index = Vec::new();
        }
        let seed = graph.layers.iter().find_map(|l| match l.kind {
            LayerKind::Dropout { seed, .. } => seed,
            _ => None,
        });
        let widest = graph.nodes.iter().map(|n| n.width).max().unwrap_or(0);
        let mut scratch = Vec::new();
        scratch.try_reserve_exact(capacity.saturating_mul(widest)).map_err(|_| Error::OutOfMemory("activation buffers: cannot allocate a scratch buffer".into()))?;
        Ok(Workspace {
            capacity,
            outs,
            pres,
            grads,
            masks,
            grad_written: vec![false; n],
            training_dropout: graph.nodes.iter().map(|node| training && is_dropout(node)).collect(),
            param_written: vec![false; param_grads.len()],
            param_grads,
            param_index,
            scratch,
            rng: Rng::new(seed),
        })
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
