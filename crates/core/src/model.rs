//! A graph with its training configuration: compile, one training step, evaluate, predict.

use crate::balance::{Balancer, GradientSurgery, TaskWeighting};
use crate::error::{Error, Result};
use crate::graph::{Graph, Workspace};
use crate::loss::Loss;
use crate::memory::{f32_bytes, Needs};
use crate::metric::{Metric, MetricConfig};
use crate::optimizer::{Clip, Optimizer, OptimizerConfig};
pub use crate::step::StepBuffers;
use serde::Deserialize;
use std::collections::HashMap;

/// A named value array with its shape (an optimizer slot as TF.js saves it: `dense_Dense1/kernel/m`).
pub type NamedValues = (String, Vec<usize>, Vec<f32>);

/// One output's training configuration: its loss, its metrics and its weight in the total loss.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeadConfig {
    /// The loss of this output.
    pub loss: Loss,
    /// Metrics logged for this output.
    #[serde(default)]
    pub metrics: Vec<MetricConfig>,
    /// The weight of this output's loss in the total (`lossWeights`; 1 by default).
    #[serde(default = "one")]
    pub loss_weight: f32,
}

impl HeadConfig {
    /// A head with `loss`, no metrics and weight 1.
    pub fn new(loss: Loss) -> Self {
        HeadConfig { loss, metrics: Vec::new(), loss_weight: 1.0 }
    }

    /// Adds a metric.
    pub fn metric(mut self, metric: impl Into<MetricConfig>) -> Self {
        self.metrics.push(metric.into());
        self
    }

    /// Sets the weight of this output's loss.
    pub fn loss_weight(mut self, weight: f32) -> Self {
        self.loss_weight = weight;
        self
    }
}

fn one() -> f32 {
    1.0
}

/// `compile` arguments: an optimizer, one head per model output, and multi-task balancing.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompileConfig {
    /// The optimizer and its learning rate.
    pub optimizer: OptimizerConfig,
    /// One head per model output, in output order.
    pub heads: Vec<HeadConfig>,
    /// How task weights adapt (fixed `lossWeights` when absent).
    #[serde(default)]
    pub task_weighting: Option<TaskWeighting>,
    /// How the per-task gradients of shared weights are combined (summed when absent).
    #[serde(default)]
    pub gradient_surgery: Option<GradientSurgery>,
}

impl CompileConfig {
    /// An optimizer and one head per model output, with fixed loss weights and no gradient surgery.
    pub fn new(optimizer: OptimizerConfig, heads: Vec<HeadConfig>) -> Self {
        CompileConfig { optimizer, heads, task_weighting: None, gradient_surgery: None }
    }
}

/// A compiled output.
#[derive(Clone, Debug)]
pub struct Head {
    /// The output's name (its layer's).
    pub name: String,
    /// Its loss.
    pub loss: Loss,
    /// Its metrics with their log keys.
    pub metrics: Vec<(Metric, String)>,
    /// Its weight in the total loss.
    pub loss_weight: f32,
    /// Values per row of the output.
    pub width: usize,
    /// Values per row of its target (1 for sparse categorical crossentropy).
    pub target_width: usize,
}

/// A model: its graph and, once compiled, its heads and optimizer.
///
/// Build one with [`Sequential`](crate::Sequential) or [`GraphBuilder`](crate::GraphBuilder),
/// compile it, then train and use it with arrays ([`fit`](Self::fit),
/// [`evaluate`](Self::evaluate), [`predict`](Self::predict)):
///
/// ```
/// use dense_mtl_core::activation::Activation;
/// use dense_mtl_core::loss::Loss;
/// use dense_mtl_core::metric::MetricConfig;
/// use dense_mtl_core::optimizer::{OptimizerConfig, Rule};
/// use dense_mtl_core::{CompileConfig, FitConfig, HeadConfig, Sequential};
/// use ndarray::array;
///
/// let mut model = Sequential::new().input(2).dense(8, Activation::Tanh).dense(1, Activation::Sigmoid).build()?;
/// assert!(!model.is_compiled());
/// let head = HeadConfig::new(Loss::BinaryCrossentropy).metric(MetricConfig::Accuracy);
/// model.compile(&CompileConfig::new(OptimizerConfig::new(Rule::Sgd {}, 0.5), vec![head]))?;
/// assert_eq!(model.metrics_names(), ["loss", "acc"]);
///
/// let x = array![[0.0f32, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
/// let y = array![[0.0f32], [1.0], [1.0], [1.0]]; // OR
/// let history = model.fit(&[x.view()], &[y.view()], &FitConfig::new(100, 4))?;
/// let logs = model.evaluate(&[x.view()], &[y.view()], 32)?;
/// assert!(logs["loss"] < history.get("loss").unwrap()[0]);
/// let p = model.predict(&[x.view()], 32)?.remove(0);
/// assert_eq!(p.dim(), (4, 1));
/// # Ok::<(), dense_mtl_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Model {
    /// The layers and how they connect, with the weights.
    pub graph: Graph,
    /// One per output once compiled.
    pub heads: Vec<Head>,
    /// The optimizer and its state once compiled.
    pub optimizer: Option<Optimizer>,
    /// Task weights and their state (fixed weights unless compiled otherwise).
    pub balancer: Option<Balancer>,
}

/// Everything multi-task balancing keeps between steps (saved with the model).
#[derive(Clone, Debug, serde::Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskState {
    /// The balancing method's state.
    #[serde(flatten)]
    pub balancer: Balancer,
    /// The optimizer's state for uncertainty weighting's log-variances.
    #[serde(default)]
    pub log_variance_slots: Option<[Vec<f32>; 3]>,
}

/// Inputs and targets for training or evaluation, row-major, one array per model input/output.
pub struct Batchable<'a> {
    /// One array per model input.
    pub xs: Vec<&'a [f32]>,
    /// One array per model output (its targets).
    pub ys: Vec<&'a [f32]>,
    /// Per output, an optional weight per row.
    pub sample_weights: Vec<Option<&'a [f32]>>,
    /// Rows in every array.
    pub rows: usize,
}

/// Class weights per output: class index → weight.
pub type ClassWeights = Vec<Option<HashMap<usize, f32>>>;

impl Model {
    /// A model from a graph, not yet compiled.
    pub fn new(graph: Graph) -> Self {
        Model { graph, heads: Vec::new(), optimizer: None, balancer: None }
    }

    /// Whether `compile` has been called.
    pub fn is_compiled(&self) -> bool {
        self.optimizer.is_some()
    }

    /// Resolves losses and metrics for every output. Validates everything before changing the model.
    pub fn compile(&mut self, config: &CompileConfig) -> Result<()> {
        let names = self.graph.output_names();
        if config.heads.len() != names.len() {
            return Err(Error::invalid(format!(
                "compile: the model has {} output(s) ({}) but {} loss(es) were given",
                names.len(),
                names.join(", "),
                config.heads.len()
            )));
        }
        config.optimizer.validate()?;
        let widths = self.graph.output_widths();
        let mut heads = Vec::with_capacity(names.len());
        for ((hc, name), width) in config.heads.iter().zip(names).zip(widths) {
            let loss = hc.loss;
            loss.check_output(width, &name)?;
            if !hc.loss_weight.is_finite() || hc.loss_weight < 0.0 {
                return Err(Error::invalid(format!("compile: lossWeights for output '{name}' must be a finite number >= 0 but got {}", hc.loss_weight)));
            }
            let metrics = hc.metrics.iter().map(|m| m.resolve(loss, width)).collect();
            heads.push(Head { name, loss, metrics, loss_weight: hc.loss_weight, width, target_width: loss.target_width(width) });
        }
        let method = config.task_weighting.clone().unwrap_or(TaskWeighting::Fixed {});
        let losses: Vec<Loss> = heads.iter().map(|h| h.loss).collect();
        let balancer = Balancer::new(method, config.gradient_surgery, &losses, heads.iter().map(|h| h.loss_weight).collect())?;
        let previous = std::mem::replace(&mut self.heads, heads);
        if matches!(balancer.method, TaskWeighting::Gradnorm { .. }) && !self.has_gradnorm_layer() {
            self.heads = previous;
            return Err(Error::invalid("compile: taskWeighting 'gradnorm' needs a trainable dense layer shared by every output (the last shared layer W of the paper), and this model has none"));
        }
        if balancer.surgery == Some(GradientSurgery::MgdaUb) && self.shared_representation().is_none() {
            self.heads = previous;
            return Err(Error::invalid(
                "compile: gradientSurgery 'mgda-ub' needs a layer every output depends on (the shared representation Z of the paper), and this model has none",
            ));
        }
        self.optimizer = Some(Optimizer::new(config.optimizer.clone()));
        self.balancer = Some(balancer);
        Ok(())
    }

    /// Log keys in TF.js's order: `loss`, then per-output losses (several outputs only), then metrics.
    pub fn metrics_names(&self) -> Vec<String> {
        let mut names = vec!["loss".to_string()];
        let multi = self.heads.len() > 1;
        if multi {
            names.extend(self.heads.iter().map(|h| format!("{}_loss", h.name)));
        }
        for h in &self.heads {
            for (_, key) in &h.metrics {
                names.push(if multi { format!("{}_{key}", h.name) } else { key.clone() });
            }
        }
        names
    }

    /// The "compile first" error (naming `what`, e.g. `training/testing`) unless compiled.
    pub fn require_compiled(&self, what: &str) -> Result<()> {
        if self.is_compiled() {
            Ok(())
        } else {
            Err(Error::NotCompiled(format!("You must compile a model before {what}. Use LayersModel.compile(modelCompileArgs).")))
        }
    }

    /// Checks that everything a call on batches of `capacity` rows allocates fits in the memory
    /// the process may still use (an error naming the sizes instead of the process aborting or
    /// being killed): for training, weight gradients, the optimizer's state and the activation
    /// and gradient buffers of a batch; otherwise the activation buffers.
    pub fn check_memory(&self, capacity: usize, training: bool) -> Result<()> {
        let call = if training { "fit" } else { "evaluate" };
        self.memory_needs(capacity, training).check(call, &format!("for batch size {capacity}"))
    }

    /// What [`check_memory`](Self::check_memory) accounts, part by part.
    pub fn memory_needs(&self, capacity: usize, training: bool) -> Needs {
        let mut needs = Needs::default();
        let params = self.graph.count_params();
        needs.held("weights", f32_bytes(params));
        let (mut activations, gradients) = Workspace::sizes(&self.graph, capacity, training);
        // The step's own buffers: targets, row weights, compacted rows, and the outputs' gradients.
        let targets: usize = self.heads.iter().map(|h| h.target_width + 1 + if training { h.width } else { 0 }).sum();
        let widest = self.heads.iter().map(|h| h.width.max(h.target_width)).max().unwrap_or(0);
        activations = activations.saturating_add(capacity.saturating_mul(targets.saturating_add(2 * widest)));
        if training {
            needs.add("gradients", f32_bytes(gradients));
            if let Some(optimizer) = &self.optimizer {
                let missing = optimizer.unreserved_values(&self.param_sizes());
                let held: usize = optimizer.slots.iter().flatten().map(Vec::len).sum();
                if missing > 0 {
                    needs.add("optimizer slots", f32_bytes(missing));
                } else if held > 0 {
                    needs.held("optimizer slots", f32_bytes(held));
                }
            }
            let per_task = self.balancer.as_ref().is_some_and(|b| b.surgery.is_some() || matches!(b.method, TaskWeighting::Gradnorm { .. }));
            if per_task {
                // Per output a copy of the shared gradients, plus merged and accumulated copies.
                needs.add("per-output gradients", f32_bytes(params.saturating_mul(self.heads.len() + 3)));
            }
        }
        needs.add("activations", f32_bytes(activations));
        needs
    }

    /// Allocates the optimizer's state for every weight before training starts (TF.js creates
    /// it on the first step; allocating it here makes a lack of memory an error, not an abort).
    pub fn reserve_training_state(&mut self) -> Result<()> {
        self.require_compiled("training/testing")?;
        let sizes = self.param_sizes();
        let optimizer = self.optimizer.as_mut().expect("compiled");
        if optimizer.slots.len() >= sizes.len() {
            return Ok(());
        }
        let needed = f32_bytes(optimizer.unreserved_values(&sizes));
        if !crate::memory::fits(needed) {
            let mut needs = Needs::default();
            needs.add("optimizer slots", needed);
            needs.check("fit", "")?;
        }
        optimizer.reserve(sizes.len(), |i| sizes[i])
    }

    /// Checks inputs (and targets, when given) against the model and rejects non-finite values.
    pub fn check_data(&self, xs: &[&[f32]], ys: Option<&[&[f32]]>, rows: usize, what: &str) -> Result<()> {
        let widths = self.graph.input_widths();
        if xs.len() != widths.len() {
            return Err(Error::invalid(format!("{what}: the model has {} input(s) but {} x array(s) were given", widths.len(), xs.len())));
        }
        for (k, (x, w)) in xs.iter().zip(&widths).enumerate() {
            check_block(x, *w, rows, &format!("{what}: x{}", index_label(k, xs.len())), false)?;
        }
        self.graph.check_ids(xs, what)?;
        if let Some(ys) = ys {
            if ys.len() != self.heads.len() {
                return Err(Error::invalid(format!("{what}: the model has {} output(s) but {} y array(s) were given", self.heads.len(), ys.len())));
            }
            for (y, h) in ys.iter().zip(&self.heads) {
                // With several outputs, NaN marks a missing label; a single output needs them all.
                let multi = ys.len() > 1;
                let label = if multi { format!(" '{}'", h.name) } else { String::new() };
                check_block(y, h.target_width, rows, &format!("{what}: y{label}"), multi)?;
            }
        }
        Ok(())
    }

    /// Adds regularizer gradients, then lets the optimizer update every weight that got a gradient.
    /// Returns the regularization penalty (before the update), which TF.js adds to the training loss.
    /// `log_variance_grad`, when given, is uncertainty weighting's gradient for its `s_i`, which
    /// the same optimizer updates (as one more parameter after the model's weights).
    /// `log_variances`: uncertainty weighting's gradient and each output's labelled rows; an
    /// output without labels in the batch keeps its log-variance and its optimizer state (its
    /// whole term, `+s/2` included, is skipped, so Adam's momentum must not move it either).
    pub(crate) fn apply_regularizers_and_step(&mut self, ws: &mut Workspace, log_variances: Option<(&[f32], &[usize])>) -> f32 {
        let log_variance_grad = log_variances.map(|(g, _)| g);
        let optimizer = self.optimizer.as_mut().expect("compiled");
        let params = ws.param_grads.len();
        let extra = log_variance_grad.map_or(0, |g| g.len());
        optimizer.begin_step(params + log_variance_grad.is_some() as usize, |i| if i < params { ws.param_grads[i].len() } else { extra });
        let mut penalty = 0.0;
        let mut learns = std::mem::take(&mut ws.param_learns);
        for (li, layer) in self.graph.layers.iter_mut().enumerate() {
            let (trainable, first) = (layer.trainable, ws.param_index[li]);
            for (wi, p) in layer.params_mut().iter_mut().enumerate() {
                let pi = first + wi;
                learns[pi] = trainable && p.trainable && ws.param_written[pi];
                if let Some(r) = p.regularizer {
                    penalty += r.penalty(&p.values);
                    if learns[pi] {
                        r.add_gradient(&p.values, &mut ws.param_grads[pi]);
                    }
                }
            }
        }
        // Clipping sees the full gradients (regularization included), as in Keras. Only a clipping
        // optimizer needs the list of gradients (and a copy of the log-variances' one) built here.
        let clipped_log_variance_grad = (optimizer.config.clip != Clip::None).then(|| {
            let mut log_variance_grad = log_variance_grad.map(<[f32]>::to_vec);
            let mut grads: Vec<&mut [f32]> = ws.param_grads.iter_mut().zip(&learns).filter(|(_, &l)| l).map(|(g, _)| g.as_mut_slice()).collect();
            grads.extend(log_variance_grad.as_deref_mut());
            optimizer.clip_gradients(&mut grads);
            log_variance_grad
        });
        let log_variance_grad = match &clipped_log_variance_grad {
            Some(clipped) => clipped.as_deref(),
            None => log_variance_grad,
        };
        for (li, layer) in self.graph.layers.iter_mut().enumerate() {
            let first = ws.param_index[li];
            for (wi, p) in layer.params_mut().iter_mut().enumerate() {
                let pi = first + wi;
                if learns[pi] {
                    optimizer.update(pi, &mut p.values, &ws.param_grads[pi]);
                }
            }
        }
        ws.param_learns = learns;
        if let (Some(g), Some((_, labelled)), Some(balancer)) = (log_variance_grad, log_variances, self.balancer.as_mut()) {
            // An output without labels keeps its log-variance and its optimizer state: copies of
            // both are taken only in a batch where some output has no label.
            let unlabelled = labelled.contains(&0);
            let before = unlabelled.then(|| (balancer.log_variances.clone(), optimizer.slots.get(params).cloned()));
            optimizer.update(params, &mut balancer.log_variances, g);
            if let Some((before, slots_before)) = before {
                for (h, _) in labelled.iter().enumerate().filter(|(_, &n)| n == 0) {
                    balancer.log_variances[h] = before[h];
                    if let (Some(old), Some(slots)) = (&slots_before, optimizer.slots.get_mut(params)) {
                        slots.iter_mut().zip(old).filter(|(s, _)| s.len() > h).for_each(|(s, o)| s[h] = o.get(h).copied().unwrap_or(0.0));
                    }
                }
            }
        }
        optimizer.end_step();
        penalty
    }

    /// Flat parameter index (the optimizer's and the workspace's order: layers in order, their
    /// weights in order) of weight `wi` of layer `li`.
    fn param_index(&self, li: usize, wi: usize) -> usize {
        self.graph.layers[..li].iter().map(|l| l.params().len()).sum::<usize>() + wi
    }

    fn param_sizes(&self) -> Vec<usize> {
        self.graph.layers.iter().flat_map(|l| l.params().iter().map(|p| p.values.len())).collect()
    }

    /// Replaces every weight, in `model.weights` order ([`Graph::weight_order`]), from row-major
    /// values; checks every count and size before changing any.
    pub fn set_weight_values(&mut self, values: &[&[f32]]) -> Result<()> {
        let order = self.graph.weight_order();
        if values.len() != order.len() {
            return Err(Error::invalid(format!("setWeights: the model has {} weight(s) but {} were given", order.len(), values.len())));
        }
        for (&(li, wi), v) in order.iter().zip(values) {
            let layer = &self.graph.layers[li];
            let param = &layer.params()[wi];
            if param.values.len() != v.len() {
                let expected = format!("shape {:?} ({} values)", param.shape, param.values.len());
                return Err(Error::shape(format!("setWeights: weight {}/{}", layer.name, param.name), expected, format!("{} values", v.len())));
            }
        }
        for (&(li, wi), v) in order.iter().zip(values) {
            self.graph.layers[li].params_mut()[wi].values.copy_from_slice(v);
        }
        Ok(())
    }

    /// The optimizer's state as TF.js saves it: its step count, then `(name, shape, values)` for
    /// each slot of each trainable weight (`dense_Dense1/kernel/m`, ...), slot by slot.
    pub fn optimizer_state(&self) -> Option<(u64, Vec<NamedValues>)> {
        let opt = self.optimizer.as_ref()?;
        let trainable: Vec<(usize, usize)> = self.graph.weight_order().into_iter().filter(|&(li, wi)| self.graph.layers[li].learns(wi)).collect();
        let mut out = Vec::new();
        for (s, slot) in opt.slot_names().iter().enumerate() {
            for &(li, wi) in &trainable {
                let layer = &self.graph.layers[li];
                let param = &layer.params()[wi];
                let state = opt.slots.get(self.param_index(li, wi)).map(|slots| slots[s].clone());
                let value = state.unwrap_or_else(|| vec![opt.initial_slot_value(s); param.values.len()]);
                out.push((format!("{}/{}/{slot}", layer.name, param.name), param.shape.clone(), value));
            }
        }
        Some((opt.iterations, out))
    }

    /// Restores state saved by [`optimizer_state`](Self::optimizer_state); checks everything first.
    pub fn set_optimizer_state(&mut self, iterations: u64, values: &[Vec<f32>]) -> Result<()> {
        let (_, expected) = self.optimizer_state().ok_or_else(|| Error::NotCompiled("restoring optimizer state: the model is not compiled".into()))?;
        if values.len() != expected.len() {
            return Err(Error::invalid(format!("optimizer state: expected {} arrays but got {}", expected.len(), values.len())));
        }
        for ((name, _, e), v) in expected.iter().zip(values) {
            if e.len() != v.len() {
                return Err(Error::shape(format!("optimizer state {name}"), e.len(), v.len()));
            }
        }
        let trainable: Vec<(usize, usize)> = self.graph.weight_order().into_iter().filter(|&(li, wi)| self.graph.layers[li].learns(wi)).collect();
        // Flat parameter index → position among the trainable weights.
        let by_param: HashMap<usize, usize> = trainable.iter().enumerate().map(|(k, &(li, wi))| (self.param_index(li, wi), k)).collect();
        let sizes = self.param_sizes();
        let per_slot = trainable.len();
        let optimizer = self.optimizer.as_mut().expect("checked above");
        optimizer.restore(iterations, &sizes, |p, s| by_param.get(&p).and_then(|&k| values.get(s * per_slot + k).cloned()));
        Ok(())
    }

    /// Loss and metrics over `data` in batches: `[loss, per-output losses (several outputs only),
    /// metrics]`, each a batch-size-weighted mean. The loss excludes regularization, as in TF.js.
    ///
    /// The slice entry point (no copies); [`evaluate`](Self::evaluate) takes arrays.
    pub fn evaluate_rows(&self, data: &Batchable, batch_size: usize) -> Result<Vec<f64>> {
        self.require_compiled("training/testing")?;
        if batch_size == 0 {
            return Err(Error::invalid("evaluate: batchSize must be a positive integer but got 0"));
        }
        self.check_data(&data.xs, Some(&data.ys), data.rows, "evaluate")?;
        let batch_size = batch_size.min(data.rows).max(1);
        self.check_memory(batch_size, false)?;
        let mut buf = self.buffers(batch_size, false)?;
        crate::matmul::with_pool(|| self.evaluate_with(&mut buf, data, batch_size))
    }

    /// [`evaluate_rows`](Self::evaluate_rows) with caller-owned buffers (used for validation every epoch).
    pub fn evaluate_with(&self, buf: &mut StepBuffers, data: &Batchable, batch_size: usize) -> Result<Vec<f64>> {
        let names = self.metrics_names().len();
        // The buffers' own sums and batch values: nothing is allocated but the result.
        let mut means = std::mem::take(&mut buf.eval_means);
        let mut logs = std::mem::take(&mut buf.eval_logs);
        let mut counts = std::mem::take(&mut buf.eval_counts);
        means.reset(names);
        logs.resize(names, 0.0);
        counts.resize(names, 0.0);
        let mut start = 0;
        while start < data.rows {
            let rows = batch_size.min(data.rows - start);
            self.eval_batch(buf, data, start, rows, &mut logs, &mut counts);
            means.add(&logs, &counts);
            start += rows;
        }
        let values = means.values();
        (buf.eval_means, buf.eval_logs, buf.eval_counts) = (means, logs, counts);
        Ok(values)
    }

    /// The multi-task balancing state, with the optimizer's state for uncertainty weighting's
    /// log-variances (stepped by the same optimizer, after the model's weights).
    pub fn task_state(&self) -> Option<TaskState> {
        let balancer = self.balancer.clone()?;
        let params = self.param_sizes().len();
        let log_variance_slots = self.optimizer.as_ref().and_then(|o| o.slots.get(params).cloned());
        Some(TaskState { balancer, log_variance_slots })
    }

    /// Restores [`task_state`](Self::task_state); the model must be compiled with the same method.
    pub fn set_task_state(&mut self, state: TaskState) -> Result<()> {
        let current = self.balancer.as_ref().ok_or_else(|| Error::NotCompiled("taskState: compile the model first".into()))?;
        let restored = &state.balancer;
        if restored.method != current.method || restored.base.len() != current.base.len() {
            return Err(Error::invalid(format!(
                "taskState: saved for {:?} with {} output(s) but the model is compiled with {:?} and {} output(s)",
                restored.method,
                restored.base.len(),
                current.method,
                current.base.len()
            )));
        }
        if restored.surgery != current.surgery {
            let (saved, compiled) = (restored.surgery, current.surgery);
            return Err(Error::invalid(format!("taskState: saved with gradient surgery {saved:?} but the model is compiled with {compiled:?}")));
        }
        restored.check_state(state.log_variance_slots.as_ref())?;
        if let (Some(slots), Some(optimizer)) = (state.log_variance_slots, self.optimizer.as_mut()) {
            let sizes: Vec<usize> = self.graph.layers.iter().flat_map(|l| l.params().iter().map(|p| p.values.len())).collect();
            let params = sizes.len();
            optimizer.begin_step(params, |i| sizes[i]);
            optimizer.slots.truncate(params);
            optimizer.slots.push(slots);
        }
        self.balancer = Some(state.balancer);
        Ok(())
    }

    /// Changes the fixed loss weights (`lossWeights`) of a compiled model, e.g. from a callback
    /// between epochs, keeping the optimizer's and the balancer's state (a warm-up or decay of an
    /// auxiliary task without `compile`). One weight per output, each finite and >= 0.
    pub fn set_loss_weights(&mut self, weights: &[f32]) -> Result<()> {
        let balancer = self.balancer.as_mut().ok_or_else(|| Error::NotCompiled("setLossWeights: compile the model first".into()))?;
        if weights.len() != self.heads.len() {
            return Err(Error::invalid(format!("setLossWeights: expected one weight per output ({}) but got {}", self.heads.len(), weights.len())));
        }
        if let Some((h, w)) = weights.iter().enumerate().find(|(_, w)| !(w.is_finite() && **w >= 0.0)) {
            return Err(Error::invalid(format!("setLossWeights: the weight of output '{}' must be a finite number >= 0 but got {w}", self.heads[h].name)));
        }
        balancer.base = weights.to_vec();
        self.heads.iter_mut().zip(weights).for_each(|(head, &w)| head.loss_weight = w);
        Ok(())
    }

    /// The `objective` log value: `Σ lossWeights_i · L_i` over the outputs with labels, from
    /// logs in [`metrics_names`](Self::metrics_names) order. Unlike `loss`, it does not move
    /// with adaptive task weights, so epochs (and checkpoints) compare on one scale.
    pub fn objective(&self, logs: &[f64]) -> f64 {
        match self.heads.len() {
            1 => self.heads[0].loss_weight as f64 * logs[0],
            n => (0..n).filter(|&h| logs[1 + h].is_finite()).map(|h| self.heads[h].loss_weight as f64 * logs[1 + h]).sum(),
        }
    }

    /// Names of the task-weight log entries (`<output>_weight`), when weights adapt.
    pub fn weight_names(&self) -> Vec<String> {
        match &self.balancer {
            Some(b) if b.is_adaptive() => self.heads.iter().map(|h| format!("{}_weight", h.name)).collect(),
            _ => Vec::new(),
        }
    }

    /// The current task weights, in [`weight_names`](Self::weight_names) order.
    pub fn task_weights(&self) -> Vec<f64> {
        match &self.balancer {
            Some(b) if b.is_adaptive() => (0..self.heads.len()).map(|h| b.effective(h) as f64).collect(),
            _ => Vec::new(),
        }
    }

    /// Predictions for every output, row-major, computed in batches of `batch_size` rows: the
    /// slice entry point (no copies); [`predict`](Self::predict) takes and returns arrays.
    pub fn predict_rows(&self, xs: &[&[f32]], rows: usize, batch_size: usize) -> Result<Vec<Vec<f32>>> {
        let mut cache = None;
        self.predict_with(&mut cache, xs, rows, batch_size)
    }

    /// [`predict_rows`](Self::predict_rows) reusing the workspace in `cache` (kept between calls by the
    /// caller, so that a stream of one-row predictions allocates only their results).
    pub fn predict_with(&self, cache: &mut Option<Workspace>, xs: &[&[f32]], rows: usize, batch_size: usize) -> Result<Vec<Vec<f32>>> {
        self.check_data(xs, None, rows, "predict")?;
        if batch_size == 0 {
            return Err(Error::invalid("predict: batchSize must be a positive integer but got 0"));
        }
        let batch_size = batch_size.min(rows).max(1);
        let stale = cache.as_ref().is_none_or(|ws| ws.capacity < batch_size || ws.outs.len() != self.graph.nodes.len());
        let mut needs = Needs::default();
        let out_values = rows.saturating_mul(self.graph.output_widths().iter().sum());
        needs.add(format!("outputs {{}} for {rows} rows"), f32_bytes(out_values));
        if stale {
            needs.add(format!("activations {{}} for batch size {batch_size}"), f32_bytes(Workspace::sizes(&self.graph, batch_size, false).0));
        }
        needs.check("predict", "")?;
        if stale {
            *cache = None; // the old buffers go before the new ones are allocated
            *cache = Some(Workspace::new(&self.graph, batch_size, false)?);
        }
        let ws = cache.as_mut().expect("just filled");
        let mut outs = Vec::with_capacity(self.graph.outputs.len());
        for w in self.graph.output_widths() {
            let mut out = Vec::new();
            out.try_reserve_exact(rows.saturating_mul(w)).map_err(|_| {
                Error::OutOfMemory(format!(
                    "predict: cannot allocate {} for the outputs of {rows} rows",
                    crate::memory::format_bytes(f32_bytes(rows.saturating_mul(w)))
                ))
            })?;
            outs.push(out);
        }
        if batch_size * self.graph.nodes.iter().map(|n| n.width).sum::<usize>() >= 1 << 16 {
            crate::matmul::with_pool(|| self.predict_batches(ws, xs, rows, batch_size, &mut outs));
        } else {
            self.predict_batches(ws, xs, rows, batch_size, &mut outs);
        }
        Ok(outs)
    }

    /// Runs the batches, appending each output's rows to `outs` (reserved by the caller).
    fn predict_batches(&self, ws: &mut Workspace, xs: &[&[f32]], rows: usize, batch_size: usize, outs: &mut [Vec<f32>]) {
        let widths = self.graph.output_widths();
        let mut start = 0;
        while start < rows {
            let n = batch_size.min(rows - start);
            ws.load_range(&self.graph, xs, start, n);
            self.graph.forward(ws, n, false);
            for ((out, &node), w) in outs.iter_mut().zip(&self.graph.outputs).zip(&widths) {
                out.extend_from_slice(&ws.outs[node][..n * w]);
            }
            start += n;
        }
    }
}

fn index_label(k: usize, n: usize) -> String {
    if n > 1 {
        format!("[{k}]")
    } else {
        String::new()
    }
}

/// Checks a row-major block's size and that every value is finite.
fn check_block(values: &[f32], width: usize, rows: usize, what: &str, allow_nan: bool) -> Result<()> {
    if values.len() != rows * width {
        let got_width = if rows > 0 { values.len() as f64 / rows as f64 } else { 0.0 };
        return Err(Error::shape(what.to_string(), format!("{rows} rows of {width} column(s)"), format!("{} values ({got_width} per row)", values.len())));
    }
    if let Some(i) = values.iter().position(|v| v.is_infinite() || (v.is_nan() && !allow_nan)) {
        return Err(Error::NonFinite { what: what.to_string(), row: i / width, column: i % width, value: values[i] });
    }
    Ok(())
}
