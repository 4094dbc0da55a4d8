//! The computation that MMoE ([`super::mmoe`]) and CGC/PLE ([`super::cgc`]) share: groups of
//! dense experts, softmax gates, and per-output mixtures `out_j = Σ_i gate_j,i(x) · expert_e(i)(x)`.
//!
//! A layer of this kind has several outputs of `units` columns each; its node in the graph holds
//! them concatenated (`[rows, outputs × units]`, output `j` in columns `j·units..`), and the graph
//! hands each one to its consumers through a node that picks those columns
//! ([`crate::graph::Node::pick`]).
//!
//! Each group of experts is one matrix product (`[rows, in] × [in, count·units]`), so the experts
//! of a group share one kernel block whose columns `e·units..(e+1)·units` are expert `e`'s.
//! Each gate is one product `[rows, in] × [in, experts it mixes]` followed by a softmax.

use super::{zeroed, Backward, Forward, GradSink, Inputs, Layer, Param, ParamGrads};
use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::initializer::Initializer;
use crate::matmul::{matmul_nn, matmul_nt, matmul_tn};
use crate::regularizer::Regularizer;

/// Which input a group of experts or a gate reads. A layer applied to one tensor reads it
/// everywhere; a CGC layer applied to `tasks + 1` tensors (stacked PLE) gives each task's experts
/// and gate that task's tensor, and the shared experts and shared gate the last one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Source {
    Task(usize),
    Shared,
}

/// A `[in, cols]` kernel block (at `offset` in weight `kernel`) with its bias block, if any.
#[derive(Clone, Debug)]
pub(super) struct Block {
    pub source: Source,
    pub kernel: usize,
    pub offset: usize,
    /// `(weight index, offset)` of the bias block.
    pub bias: Option<(usize, usize)>,
    pub cols: usize,
}

/// A softmax gate: its block and the experts it mixes, in its columns' order.
#[derive(Clone, Debug)]
pub(super) struct Gate {
    pub block: Block,
    pub experts: Vec<usize>,
}

/// Experts (numbered group after group) and gates, one gate per output.
#[derive(Clone, Debug)]
pub(super) struct GatedExperts {
    pub class_name: &'static str,
    /// What errors call the layer (`mixtureOfExperts`).
    pub what: &'static str,
    pub input_dim: usize,
    pub units: usize,
    pub activation: Activation,
    /// Task count, which fixes the number of inputs a layer applied to several tensors takes.
    pub tasks: usize,
    /// Whether the layer may be applied to `tasks + 1` tensors.
    pub takes_task_inputs: bool,
    pub groups: Vec<Block>,
    pub gates: Vec<Gate>,
    pub params: Vec<Param>,
}

impl GatedExperts {
    fn experts(&self) -> usize {
        self.groups.iter().map(|g| g.cols).sum::<usize>() / self.units
    }

    fn gate_columns(&self) -> usize {
        self.gates.iter().map(|g| g.experts.len()).sum()
    }

    /// The group of `expert` as (its first expert, its number of experts).
    fn locate(&self, expert: usize) -> (usize, usize) {
        let mut first = 0;
        for block in &self.groups {
            let count = block.cols / self.units;
            if expert < first + count {
                return (first, count);
            }
            first += count;
        }
        unreachable!("expert {expert} is in no group")
    }

    /// The index of the input a block reads when the layer is applied to `inputs` tensors.
    fn input_of(&self, source: Source, inputs: usize) -> usize {
        match (inputs, source) {
            (1, _) => 0,
            (_, Source::Task(k)) => k,
            (_, Source::Shared) => self.tasks,
        }
    }

    fn kernel(&self, b: &Block) -> &[f32] {
        &self.params[b.kernel].values[b.offset..b.offset + self.input_dim * b.cols]
    }

    /// `dst = x · kernel + bias` for one block.
    fn affine(&self, b: &Block, x: &[f32], dst: &mut [f32], rows: usize) {
        matmul_nn(x, self.kernel(b), dst, rows, self.input_dim, b.cols, false);
        if let Some((w, at)) = b.bias {
            let bias = &self.params[w].values[at..at + b.cols];
            dst.chunks_exact_mut(b.cols).for_each(|row| row.iter_mut().zip(bias).for_each(|(o, v)| *o += v));
        }
    }

    /// Where expert `e`'s first row is in a buffer of all experts (group after group, each
    /// `[rows, count·units]`), and the distance between its rows.
    fn expert_rows(&self, e: usize, rows: usize) -> (usize, usize) {
        let (first, count) = self.locate(e);
        (rows * first * self.units + (e - first) * self.units, count * self.units)
    }

    /// Given d loss / d (x · kernel + bias) of one block, `d` (`[rows, cols]`), writes the
    /// block's weight gradients and sends its input's.
    fn block_backward(&self, b: &Block, inputs: &Inputs<'_>, d: &[f32], rows: usize, param_grads: Option<&mut ParamGrads<'_>>, sink: &mut GradSink<'_>) {
        let input = self.input_of(b.source, inputs.len());
        if let Some(p) = param_grads {
            let kernel = &mut p.grads[b.kernel][b.offset..b.offset + self.input_dim * b.cols];
            matmul_tn(inputs.get(input), d, kernel, self.input_dim, rows, b.cols, p.written[b.kernel]);
            if let Some((w, at)) = b.bias {
                column_sums(d, b.cols, &mut p.grads[w][at..at + b.cols], p.written[w]);
            }
        }
        sink.send(input, |dst, accumulate| matmul_nt(d, self.kernel(b), dst, rows, b.cols, self.input_dim, accumulate));
    }

    /// Splits `saved` into (expert pre-activations, expert outputs, gate probabilities).
    fn split_saved<'s>(&self, saved: &'s [f32], rows: usize) -> (&'s [f32], &'s [f32], &'s [f32]) {
        let n = rows * self.experts() * self.units;
        let pre = if self.activation.needs_input() { n } else { 0 };
        let (pre_values, rest) = saved.split_at(pre);
        let (experts, gates) = rest.split_at(n);
        (pre_values, experts, gates)
    }
}

impl Layer for GatedExperts {
    fn class_name(&self) -> &'static str {
        self.class_name
    }

    fn output_width(&self, name: &str, inputs: &[usize]) -> Result<usize> {
        let what = format!("{} '{name}'", self.what);
        let allowed =
            if self.takes_task_inputs { format!("1 or {} input(s) (one per task, then the shared one)", self.tasks + 1) } else { "1 input(s)".into() };
        if inputs.len() != 1 && !(self.takes_task_inputs && inputs.len() == self.tasks + 1) {
            return Err(Error::invalid(format!("{what} takes {allowed} but got {}", inputs.len())));
        }
        if let Some(&w) = inputs.iter().find(|&&w| w != self.input_dim) {
            return Err(Error::shape(format!("{what}: input width"), self.input_dim, w));
        }
        Ok(self.gates.len() * self.units)
    }

    fn outputs(&self) -> usize {
        self.gates.len()
    }

    fn params(&self) -> &[Param] {
        &self.params
    }

    fn params_mut(&mut self) -> &mut [Param] {
        &mut self.params
    }

    /// Expert pre-activations (when the activation's derivative needs them), expert outputs
    /// and gate probabilities.
    fn saved_width(&self, _width: usize, _training: bool) -> usize {
        let experts = self.experts() * self.units;
        experts * if self.activation.needs_input() { 2 } else { 1 } + self.gate_columns()
    }

    /// d loss / d expert outputs, then one gate's d loss / d logits.
    fn scratch_width(&self, _width: usize) -> usize {
        self.experts() * self.units + self.gates.iter().map(|g| g.experts.len()).max().unwrap_or(0)
    }

    fn multiply_adds_per_row(&self) -> usize {
        self.input_dim * (self.experts() * self.units + self.gate_columns())
    }

    fn forward(&self, pass: Forward<'_>) {
        let Forward { rows, inputs, out, saved, .. } = pass;
        let (units, count) = (self.units, inputs.len());
        let n = rows * self.experts() * units;
        let (pre, rest) = saved.split_at_mut(if self.activation.needs_input() { n } else { 0 });
        let (experts, gates) = rest.split_at_mut(n);
        let mut at = 0;
        for b in &self.groups {
            let x = inputs.get(self.input_of(b.source, count));
            let dst = &mut experts[at..at + rows * b.cols];
            if self.activation.needs_input() {
                let pre = &mut pre[at..at + rows * b.cols];
                self.affine(b, x, pre, rows);
                self.activation.forward(pre, dst, units);
            } else {
                self.affine(b, x, dst, rows);
                self.activation.forward_inplace(dst, units);
            }
            at += rows * b.cols;
        }
        let outputs = self.gates.len();
        let mut at = 0;
        for (j, gate) in self.gates.iter().enumerate() {
            let m = gate.experts.len();
            let probs = &mut gates[at..at + rows * m];
            self.affine(&gate.block, inputs.get(self.input_of(gate.block.source, count)), probs, rows);
            Activation::Softmax.forward_inplace(probs, m);
            let column = |r: usize| (r * outputs + j) * units;
            (0..rows).for_each(|r| out[column(r)..column(r) + units].fill(0.0));
            for (i, &e) in gate.experts.iter().enumerate() {
                let (base, stride) = self.expert_rows(e, rows);
                for r in 0..rows {
                    let p = probs[r * m + i];
                    let a = &experts[base + r * stride..][..units];
                    out[column(r)..column(r) + units].iter_mut().zip(a).for_each(|(o, &a)| *o += p * a);
                }
            }
            at += rows * m;
        }
    }

    fn backward(&self, pass: Backward<'_>) {
        let Backward { rows, grad, saved, inputs, param_grads, mut sink, scratch, .. } = pass;
        let (units, outputs) = (self.units, self.gates.len());
        let (pre, experts, gates) = self.split_saved(saved, rows);
        let n = rows * self.experts() * units;
        let widest_gate = self.gates.iter().map(|g| g.experts.len()).max().unwrap_or(0);
        scratch.clear();
        scratch.resize(n + rows * widest_gate, 0.0);
        let (d_experts, d_logits) = scratch.split_at_mut(n);
        let mut param_grads = param_grads;
        let mut at = 0;
        for (j, gate) in self.gates.iter().enumerate() {
            let m = gate.experts.len();
            let probs = &gates[at..at + rows * m];
            let d_logits = &mut d_logits[..rows * m];
            let column = |r: usize| (r * outputs + j) * units;
            for (i, &e) in gate.experts.iter().enumerate() {
                let (base, stride) = self.expert_rows(e, rows);
                for r in 0..rows {
                    let (g, k) = (&grad[column(r)..column(r) + units], base + r * stride);
                    d_logits[r * m + i] = g.iter().zip(&experts[k..k + units]).map(|(g, a)| g * a).sum();
                    let p = probs[r * m + i];
                    d_experts[k..k + units].iter_mut().zip(g).for_each(|(d, &g)| *d += p * g);
                }
            }
            Activation::Softmax.backward(&[], probs, d_logits, m);
            self.block_backward(&gate.block, &inputs, d_logits, rows, param_grads.as_mut(), &mut sink);
            at += rows * m;
        }
        self.activation.backward(pre, experts, d_experts, units);
        let mut at = 0;
        for b in &self.groups {
            self.block_backward(b, &inputs, &d_experts[at..at + rows * b.cols], rows, param_grads.as_mut(), &mut sink);
            at += rows * b.cols;
        }
        // Set last: every block of a weight reads the flag as it was before this call (a layer
        // applied twice adds its second node's gradient to the first's).
        if let Some(p) = param_grads {
            p.written.iter_mut().for_each(|w| *w = true);
        }
    }

    fn clone_box(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}

/// `dst = Σ_rows m` (or `+=` when `accumulate`) for a `[rows, cols]` matrix.
fn column_sums(m: &[f32], cols: usize, dst: &mut [f32], accumulate: bool) {
    if !accumulate {
        dst.fill(0.0);
    }
    for row in m.chunks_exact(cols) {
        dst.iter_mut().zip(row).for_each(|(d, &v)| *d += v);
    }
}

/// The options MMoE and CGC share, as the wire sends them (TF.js Dense's defaults).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpertOptions {
    pub expert_units: usize,
    /// relu when absent.
    #[serde(default)]
    pub expert_activation: Option<Activation>,
    #[serde(default = "super::yes")]
    pub use_bias: bool,
    /// glorotNormal when absent; every kernel (experts' and gates').
    #[serde(default)]
    pub kernel_initializer: Option<Initializer>,
    /// zeros when absent.
    #[serde(default)]
    pub bias_initializer: Option<Initializer>,
    #[serde(default)]
    pub kernel_regularizer: Option<Regularizer>,
    #[serde(default)]
    pub bias_regularizer: Option<Regularizer>,
}

/// Collects the weights of a layer being built, kernel then bias for each block of weights.
pub(super) struct WeightBuilder<'a> {
    pub what: String,
    pub options: &'a ExpertOptions,
    pub input_dim: usize,
    pub params: Vec<Param>,
}

impl<'a> WeightBuilder<'a> {
    pub fn new(what: String, options: &'a ExpertOptions, input_dim: usize) -> Result<Self> {
        let init = |i: &Option<Initializer>, default: Initializer| i.clone().unwrap_or(default);
        init(&options.kernel_initializer, Initializer::glorot_normal()).validate("kernelInitializer")?;
        init(&options.bias_initializer, Initializer::Zeros {}).validate("biasInitializer")?;
        if options.expert_units == 0 {
            return Err(Error::invalid(format!("{what}: expertUnits must be a positive integer but got 0")));
        }
        Ok(WeightBuilder { what, options, input_dim, params: Vec::new() })
    }

    /// Adds a kernel (`[in, cols]`, or `[stack, in, cols]` when `stack` is given) and its bias,
    /// initialized as dense layers whose fan-out is `fan_out` (an expert's units, a gate's
    /// experts); returns one [`Block`] per stacked block.
    pub fn blocks(
        &mut self,
        names: (&'static str, &'static str),
        stack: Option<usize>,
        cols: usize,
        fan_out: usize,
        source: impl Fn(usize) -> Source,
    ) -> Result<Vec<Block>> {
        let (o, n, d) = (self.options, stack.unwrap_or(1), self.input_dim);
        let kernel_len = n.checked_mul(d).and_then(|v| v.checked_mul(cols));
        let mut kernel = zeroed(kernel_len, &format!("{}: {} with {n}×{d}×{cols} values", self.what, names.0))?;
        let kernel_init = o.kernel_initializer.clone().unwrap_or_else(Initializer::glorot_normal);
        kernel_init.fill(&mut kernel, d, fan_out);
        let shape = |dims: &[usize]| stack.into_iter().chain(dims.iter().copied()).collect::<Vec<_>>();
        let k = self.params.len();
        self.params.push(Param::new(names.0, shape(&[d, cols]), kernel, o.kernel_regularizer));
        let bias = if o.use_bias {
            let mut bias = vec![0.0; n * cols];
            let bias_init = o.bias_initializer.clone().unwrap_or(Initializer::Zeros {});
            bias_init.fill(&mut bias, cols, 0);
            self.params.push(Param::new(names.1, shape(&[cols]), bias, o.bias_regularizer));
            Some(k + 1)
        } else {
            None
        };
        Ok((0..n).map(|i| Block { source: source(i), kernel: k, offset: i * d * cols, bias: bias.map(|b| (b, i * cols)), cols }).collect())
    }

    /// The expert activation (relu unless given).
    pub fn activation(&self) -> Activation {
        self.options.expert_activation.unwrap_or(Activation::Relu)
    }
}

/// Checks that a count option is a positive integer.
pub(super) fn positive(what: &str, option: &str, value: usize) -> Result<usize> {
    if value == 0 {
        return Err(Error::invalid(format!("{what}: {option} must be a positive integer but got 0")));
    }
    Ok(value)
}
