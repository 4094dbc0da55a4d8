//! One training step and one evaluation batch. Per output: targets with NaN rows (missing
//! labels) masked out before any arithmetic, sample and class weights, the loss mean over the
//! labelled rows, metrics on labelled rows only. Then task weights, and either one combined
//! backward pass or per-task passes (GradNorm's gradient norms, PCGrad's projections).

use crate::balance::{linalg, pcgrad, GradientSurgery, TaskWeighting};
use crate::graph::Workspace;
use crate::metric::argmax;
use crate::model::{Batchable, ClassWeights, Head, Model};
use crate::train::Means;
use std::collections::HashMap;

/// Buffers a training or evaluation loop reuses for every batch (nothing is allocated per step).
pub struct StepBuffers {
    /// The graph's buffers.
    pub ws: Workspace,
    targets: Vec<Vec<f32>>,
    row_weights: Vec<Vec<f32>>,
    /// d(head mean loss)/d(prediction), before task weights.
    head_grads: Vec<Vec<f32>>,
    compact_target: Vec<f32>,
    compact_pred: Vec<f32>,
    head_losses: Vec<f64>,
    effective: Vec<f32>,
    labelled: Vec<usize>,
    log_variance_grad: Vec<f32>,
    norms: Vec<f32>,
    /// An evaluation's sums, and one batch's values and labelled-row counts.
    pub(crate) eval_means: Means,
    pub(crate) eval_logs: Vec<f64>,
    pub(crate) eval_counts: Vec<f64>,
    per_task: Option<PerTask>,
    /// 0..capacity, the row order of a batch trained as given.
    in_order: Vec<usize>,
}

/// Buffers for per-task backward passes.
struct PerTask {
    /// Which flat parameters are shared by two or more outputs.
    shared: Vec<bool>,
    /// Offset of each shared parameter in a task's flattened shared gradient.
    offsets: Vec<usize>,
    task_grads: Vec<Vec<f32>>,
    merged: Vec<f32>,
    scratch: Vec<f32>,
    accumulated: Vec<Vec<f32>>,
    active: Vec<bool>,
    /// The outputs with labels in the batch (their indices): capacity for every output.
    active_heads: Vec<usize>,
    /// Per output: its weight α from the surgery (0 without labels).
    alpha: Vec<f32>,
    /// Per flat parameter: whether some output's backward pass wrote its gradient.
    touched: Vec<bool>,
    /// GradNorm's layer W: (node id, flat index of its kernel).
    gradnorm_layer: Option<(usize, usize)>,
    /// For each flat parameter used by one output only: that output.
    owner: Vec<Option<usize>>,
    /// MGDA-UB's shared representation Z: the last node every output depends on.
    representation: Option<usize>,
    /// MGDA-UB: each task's gradient with respect to Z.
    representation_grads: Vec<Vec<f32>>,
}

impl Model {
    /// Buffers for batches of up to `capacity` rows.
    pub fn buffers(&self, capacity: usize, training: bool) -> crate::Result<StepBuffers> {
        let ws = Workspace::new(&self.graph, capacity, training)?;
        let max_width = self.heads.iter().map(|h| h.width.max(h.target_width)).max().unwrap_or(1);
        let per_task = (training && self.needs_per_task_passes()).then(|| self.per_task_buffers(&ws)).transpose()?;
        let n = self.heads.len();
        Ok(StepBuffers {
            targets: self.heads.iter().map(|h| vec![0.0; capacity * h.target_width]).collect(),
            row_weights: vec![vec![1.0; capacity]; n],
            head_grads: self.heads.iter().map(|h| if training { vec![0.0; capacity * h.width] } else { Vec::new() }).collect(),
            compact_target: vec![0.0; capacity * max_width],
            compact_pred: vec![0.0; capacity * max_width],
            head_losses: vec![0.0; n],
            effective: vec![1.0; n],
            labelled: vec![0; n],
            log_variance_grad: vec![0.0; n],
            norms: vec![0.0; n],
            eval_means: Means::default(),
            eval_logs: Vec::new(),
            eval_counts: Vec::new(),
            per_task,
            in_order: (0..capacity).collect(),
            ws,
        })
    }

    /// One optimizer step on all rows of `data`, as given (`trainOnBatch`, `fitDataset`). Checks
    /// the data first; `cache` holds buffers reused from call to call (dropped when stale).
    /// Returns the logs in [`metrics_names`](Self::metrics_names) order (NaN for a value over no
    /// labelled rows).
    pub fn train_batch(&mut self, cache: &mut Option<StepBuffers>, data: &Batchable, class_weights: &ClassWeights) -> crate::Result<Vec<f64>> {
        self.require_compiled("training/testing")?;
        if data.rows == 0 {
            return Err(crate::Error::invalid("trainOnBatch: the batch has no rows"));
        }
        self.check_data(&data.xs, Some(&data.ys), data.rows, "trainOnBatch")?;
        let fits = |b: &StepBuffers| b.ws.capacity >= data.rows && b.targets.len() == self.heads.len() && b.per_task.is_some() == self.needs_per_task_passes();
        if !cache.as_ref().is_some_and(fits) {
            self.check_memory(data.rows, true)?;
            *cache = None;
            *cache = Some(self.buffers(data.rows, true)?);
        }
        self.reserve_training_state()?;
        let buf = cache.as_mut().expect("just filled");
        let names = self.metrics_names().len();
        let (mut logs, mut counts) = (vec![0.0; names], vec![0.0; names]);
        let order = std::mem::take(&mut buf.in_order);
        let step = crate::matmul::with_pool(|| self.train_step(buf, data, &order[..data.rows], class_weights, &mut logs, &mut counts));
        buf.in_order = order;
        step.map_err(|what| {
            crate::Error::Diverged(format!("trainOnBatch: training diverged: {what}. The update was not applied: the weights are those of the last finite step. Lower the learning rate or scale the targets."))
        })?;
        Ok(logs.into_iter().zip(counts).map(|(v, n)| if n > 0.0 { v } else { f64::NAN }).collect())
    }

    fn needs_per_task_passes(&self) -> bool {
        self.balancer.as_ref().is_some_and(|b| b.surgery.is_some() || matches!(b.method, TaskWeighting::Gradnorm { .. }))
    }

    fn per_task_buffers(&self, ws: &Workspace) -> crate::Result<PerTask> {
        let heads_of_layer = self.graph.heads_depending_on_layers();
        let mut shared = Vec::new();
        let mut offsets = Vec::new();
        let mut owner = Vec::new();
        let mut size = 0;
        for (li, layer) in self.graph.layers.iter().enumerate() {
            for w in layer.params().iter().map(|p| &p.values) {
                let is_shared = heads_of_layer[li].len() >= 2;
                shared.push(is_shared);
                owner.push((heads_of_layer[li].len() == 1).then(|| heads_of_layer[li][0]));
                offsets.push(size);
                if is_shared {
                    size += w.len();
                }
            }
        }
        // GradNorm's W: the Dense layer shared by every output that is closest to the outputs.
        let all = self.heads.len();
        let gradnorm_layer = (0..self.graph.nodes.len()).rev().find_map(|id| {
            let li = self.graph.nodes[id].layer;
            let is_dense = self.graph.layers[li].is("Dense");
            (is_dense && heads_of_layer[li].len() == all && self.graph.layers[li].trainable).then(|| (id, ws.param_index[li]))
        });
        let zeroed = |n| crate::memory::try_zeroed(n, "fit: per-output gradients");
        let representation = self.shared_representation();
        let z_size = representation.map_or(0, |z| ws.capacity * self.graph.nodes[z].width);
        Ok(PerTask {
            owner,
            representation,
            representation_grads: (0..all).map(|_| zeroed(z_size)).collect::<crate::Result<_>>()?,
            shared,
            offsets,
            task_grads: (0..all).map(|_| zeroed(size)).collect::<crate::Result<_>>()?,
            merged: zeroed(size)?,
            scratch: zeroed(size)?,
            accumulated: ws.param_grads.iter().map(|g| zeroed(g.len())).collect::<crate::Result<_>>()?,
            active: vec![false; all],
            active_heads: Vec::with_capacity(all),
            alpha: vec![0.0; all],
            touched: vec![false; ws.param_grads.len()],
            gradnorm_layer,
        })
    }

    /// MGDA-UB's Z: the last node (not an input) whose layer every output depends on. Not the
    /// pick of one output of an MMoE/CGC layer (only its task reaches it) but the layer's node.
    pub fn shared_representation(&self) -> Option<usize> {
        let heads_of_layer = self.graph.heads_depending_on_layers();
        (0..self.graph.nodes.len()).rev().find(|&id| {
            let li = self.graph.nodes[id].layer;
            !self.graph.layers[li].is("InputLayer") && heads_of_layer[li].len() == self.heads.len() && self.graph.nodes[id].pick.is_none()
        })
    }

    /// Whether GradNorm can run: it needs a trainable Dense layer shared by every output.
    pub fn has_gradnorm_layer(&self) -> bool {
        let heads_of_layer = self.graph.heads_depending_on_layers();
        self.graph.layers.iter().enumerate().any(|(li, l)| l.is("Dense") && l.trainable && heads_of_layer[li].len() == self.heads.len())
    }

    /// One optimizer step on the rows `indices`. Writes the batch's log values (in
    /// [`metrics_names`](Self::metrics_names) order) into `logs`, and in `counts` how many rows
    /// each value stands for (labelled rows for per-output values), for epoch averages.
    ///
    /// A step whose loss or gradients are not finite is not applied (the weights, optimizer
    /// and balancing state stay as they were): Err says what was not finite.
    pub fn train_step(
        &mut self,
        buf: &mut StepBuffers,
        data: &Batchable,
        indices: &[usize],
        class_weights: &ClassWeights,
        logs: &mut [f64],
        counts: &mut [f64],
    ) -> Result<(), String> {
        let rows = indices.len();
        buf.ws.load_rows(&self.graph, &data.xs, indices);
        self.graph.forward(&mut buf.ws, rows, true);
        for (h, head) in self.heads.iter().enumerate() {
            let target = &mut buf.targets[h][..rows * head.target_width];
            gather_rows(data.ys[h], head.target_width, indices, target);
            let weights = &mut buf.row_weights[h][..rows];
            let sample_weights = data.sample_weights.get(h).copied().flatten();
            fill_row_weights(weights, target, head.target_width, class_weights.get(h).and_then(|c| c.as_ref()), sample_weights, |r| indices[r]);
        }
        self.score_heads(buf, rows, true, logs, counts);
        let balancer = self.balancer.as_mut().expect("compiled");
        balancer.begin_step(&buf.labelled, &buf.head_losses);
        let balancer = self.balancer.as_ref().expect("compiled");
        let mut effective = std::mem::take(&mut buf.effective);
        effective.iter_mut().enumerate().for_each(|(h, e)| *e = balancer.effective(h));
        let surgery = balancer.surgery;
        let gradnorm = matches!(balancer.method, TaskWeighting::Gradnorm { .. });
        let uncertainty = matches!(balancer.method, TaskWeighting::Uncertainty { .. });
        if gradnorm {
            self.gradnorm_norms(buf, rows);
        }
        match surgery {
            Some(GradientSurgery::MgdaUb) => self.mgda_ub_backward(buf, rows, &mut effective),
            Some(surgery) => self.per_task_backward(buf, rows, &effective, surgery),
            None => self.combined_backward(buf, rows, &effective),
        }
        if uncertainty {
            let balancer = self.balancer.as_ref().expect("compiled");
            balancer.log_variance_gradient(&buf.head_losses, &buf.labelled, &mut buf.log_variance_grad);
        }
        if let Err(what) = self.check_finite(buf, uncertainty) {
            buf.effective = effective;
            return Err(what);
        }
        let penalty = self.apply_regularizers_and_step(&mut buf.ws, uncertainty.then_some((&buf.log_variance_grad[..], &buf.labelled[..])));
        self.graph.update_state(&buf.ws);
        let balancer = self.balancer.as_mut().expect("compiled");
        if gradnorm {
            balancer.gradnorm_update(&buf.head_losses, &buf.norms, &buf.labelled);
        }
        balancer.clamp_log_variances();
        let total: f64 = (0..self.heads.len()).filter(|&h| buf.labelled[h] > 0).map(|h| effective[h] as f64 * buf.head_losses[h]).sum();
        logs[0] = total + penalty as f64;
        counts[0] = rows as f64;
        buf.effective = effective;
        if self.balancer.as_ref().is_some_and(|b| b.needs_losses_after_step()) {
            // FAMO: one more forward pass on the same batch, with the updated weights.
            let before = buf.head_losses.clone();
            let labelled = buf.labelled.clone();
            self.graph.forward(&mut buf.ws, rows, true);
            let (mut scratch_logs, mut scratch_counts) = (vec![0.0; logs.len()], vec![0.0; counts.len()]);
            self.score_heads(buf, rows, false, &mut scratch_logs, &mut scratch_counts);
            self.balancer.as_mut().expect("compiled").end_step(&before, &buf.head_losses, &labelled);
        }
        Ok(())
    }

    /// Whether a step may be applied: every labelled output's loss and every gradient finite.
    fn check_finite(&self, buf: &StepBuffers, uncertainty: bool) -> Result<(), String> {
        for (h, head) in self.heads.iter().enumerate() {
            if buf.labelled[h] > 0 && !buf.head_losses[h].is_finite() {
                let name = if self.heads.len() > 1 { format!(" of output '{}'", head.name) } else { String::new() };
                return Err(format!("the loss{name} is {}", js_number(buf.head_losses[h])));
            }
        }
        let grads = buf.ws.param_grads.iter().zip(&buf.ws.param_written).filter(|(_, &written)| written).map(|(g, _)| g);
        if grads.into_iter().any(|g| !g.iter().all(|v| v.is_finite())) {
            return Err("a gradient is not finite".into());
        }
        if uncertainty && !buf.log_variance_grad.iter().all(|v| v.is_finite()) {
            return Err("the gradient of the uncertainty log-variances is not finite".into());
        }
        Ok(())
    }

    /// Loss and metrics of every output for the batch in the forward buffers; with `grad`, also
    /// each output's loss gradient (into `head_grads`).
    fn score_heads(&self, buf: &mut StepBuffers, rows: usize, grad: bool, logs: &mut [f64], counts: &mut [f64]) {
        let multi = self.heads.len() > 1;
        let mut slot = if multi { 1 + self.heads.len() } else { 1 };
        for (h, head) in self.heads.iter().enumerate() {
            let node = self.graph.outputs[h];
            let target = &buf.targets[h][..rows * head.target_width];
            let pred = &buf.ws.outs[node][..rows * head.width];
            let weights = &buf.row_weights[h][..rows];
            let g = if grad { Some(&mut buf.head_grads[h][..rows * head.width]) } else { None };
            let (mean, labelled) = head_loss(head, target, pred, weights, g);
            buf.head_losses[h] = mean;
            buf.labelled[h] = labelled;
            if multi {
                logs[1 + h] = mean;
                counts[1 + h] = labelled as f64;
            }
            let (t, p) =
                if labelled == rows { (target, pred) } else { compact_labelled(head, target, pred, &mut buf.compact_target, &mut buf.compact_pred, labelled) };
            for (metric, _) in &head.metrics {
                logs[slot] = if labelled > 0 { metric.batch_value(t, p, head.width) as f64 } else { 0.0 };
                counts[slot] = labelled as f64;
                slot += 1;
            }
        }
    }

    /// Writes `weight_h · head_grad_h` into each output node's gradient and backpropagates.
    fn combined_backward(&self, buf: &mut StepBuffers, rows: usize, effective: &[f32]) {
        buf.ws.grad_written.iter_mut().for_each(|w| *w = false);
        for h in 0..self.heads.len() {
            if buf.labelled[h] > 0 {
                self.seed_output_grad(buf, h, rows, effective[h]);
            }
        }
        self.graph.backward(&mut buf.ws, rows);
    }

    fn seed_output_grad(&self, buf: &mut StepBuffers, h: usize, rows: usize, weight: f32) {
        let node = self.graph.outputs[h];
        let n = rows * self.heads[h].width;
        let (src, dst) = (&buf.head_grads[h][..n], &mut buf.ws.grads[node][..n]);
        if buf.ws.grad_written[node] {
            dst.iter_mut().zip(src).for_each(|(d, &s)| *d += weight * s);
        } else {
            dst.iter_mut().zip(src).for_each(|(d, &s)| *d = weight * s);
        }
        buf.ws.grad_written[node] = true;
    }

    /// GradNorm's `‖∇_W L_i‖` for every task with labels: one backward pass per task, from its
    /// output down to the shared layer W only.
    fn gradnorm_norms(&self, buf: &mut StepBuffers, rows: usize) {
        let Some((w_node, kernel)) = buf.per_task.as_ref().and_then(|p| p.gradnorm_layer) else {
            return;
        };
        for h in 0..self.heads.len() {
            buf.norms[h] = f32::NAN;
            if buf.labelled[h] == 0 {
                continue;
            }
            buf.ws.grad_written.iter_mut().for_each(|w| *w = false);
            self.seed_output_grad(buf, h, rows, 1.0);
            self.graph.backward_from(&mut buf.ws, rows, w_node);
            buf.norms[h] = if buf.ws.param_written[kernel] { buf.ws.param_grads[kernel].iter().map(|g| g * g).sum::<f32>().sqrt() } else { 0.0 };
        }
    }

    /// Gradient surgery: per-task gradients of the shared weights are combined (PCGrad's
    /// projections, or `Σ α_i g_i` with α from their Gram matrix); task-specific weights get
    /// their ordinary gradients (times α for the methods that weight the losses).
    fn per_task_backward(&mut self, buf: &mut StepBuffers, rows: usize, effective: &[f32], surgery: GradientSurgery) {
        let mut pt = buf.per_task.take().expect("per-task buffers");
        pt.accumulated.iter_mut().for_each(|a| a.fill(0.0));
        pt.touched.fill(false);
        for h in 0..self.heads.len() {
            pt.active[h] = buf.labelled[h] > 0;
            pt.task_grads[h].fill(0.0);
            if !pt.active[h] {
                continue;
            }
            buf.ws.grad_written.iter_mut().for_each(|w| *w = false);
            self.seed_output_grad(buf, h, rows, effective[h]);
            self.graph.backward(&mut buf.ws, rows);
            for p in 0..pt.accumulated.len() {
                if !buf.ws.param_written[p] {
                    continue;
                }
                pt.touched[p] = true;
                let g = &buf.ws.param_grads[p];
                if pt.shared[p] {
                    pt.task_grads[h][pt.offsets[p]..pt.offsets[p] + g.len()].copy_from_slice(g);
                } else {
                    pt.accumulated[p].iter_mut().zip(g).for_each(|(a, &v)| *a += v);
                }
            }
        }
        let balancer = self.balancer.as_mut().expect("compiled");
        if surgery == GradientSurgery::Pcgrad {
            pcgrad(&pt.task_grads, &pt.active, balancer.rng(), &mut pt.scratch, &mut pt.merged);
        } else {
            pt.active_heads.clear();
            pt.active_heads.extend((0..self.heads.len()).filter(|&h| pt.active[h]));
            // The Gram matrix and the weights are #outputs² numbers (the balance methods' own).
            let grads: Vec<&[f32]> = pt.active_heads.iter().map(|&h| &pt.task_grads[h][..]).collect();
            let alpha_active = surgery.weights(&linalg::gram(&grads));
            pt.alpha.fill(0.0);
            pt.active_heads.iter().zip(&alpha_active).for_each(|(&h, &a)| pt.alpha[h] = a as f32);
            pt.merged.fill(0.0);
            for &h in &pt.active_heads {
                pt.merged.iter_mut().zip(&pt.task_grads[h]).for_each(|(m, &g)| *m += pt.alpha[h] * g);
            }
            if let Some(max) = surgery.max_norm() {
                let norm = pt.merged.iter().map(|&v| v as f64 * v as f64).sum::<f64>().sqrt();
                if norm > max {
                    let k = (max / norm) as f32;
                    pt.merged.iter_mut().for_each(|v| *v *= k);
                }
            }
            if surgery.weights_heads() {
                for p in 0..pt.accumulated.len() {
                    if let (false, Some(h)) = (pt.shared[p], pt.owner[p]) {
                        let a = pt.alpha[h];
                        pt.accumulated[p].iter_mut().for_each(|v| *v *= a);
                    }
                }
            }
        }
        for p in 0..pt.accumulated.len() {
            let dst = &mut buf.ws.param_grads[p];
            let n = dst.len();
            if pt.shared[p] {
                dst.copy_from_slice(&pt.merged[pt.offsets[p]..pt.offsets[p] + n]);
            } else {
                dst.copy_from_slice(&pt.accumulated[p]);
            }
            buf.ws.param_written[p] = pt.touched[p];
        }
        buf.per_task = Some(pt);
    }

    /// MGDA-UB: each task's gradient with respect to the shared representation Z (backward
    /// passes through the heads only), min-norm weights α from their Gram matrix, then one
    /// backward pass of `Σ α_i w_i L_i` (`effective` is multiplied by α).
    fn mgda_ub_backward(&mut self, buf: &mut StepBuffers, rows: usize, effective: &mut [f32]) {
        let mut pt = buf.per_task.take().expect("per-task buffers");
        let z = pt.representation.expect("checked at compile");
        let n = rows * self.graph.nodes[z].width;
        pt.active_heads.clear();
        pt.active_heads.extend((0..self.heads.len()).filter(|&h| buf.labelled[h] > 0));
        for &h in &pt.active_heads {
            buf.ws.grad_written.iter_mut().for_each(|w| *w = false);
            self.seed_output_grad(buf, h, rows, effective[h]);
            // Stops above Z: Z's gradient is written by the layers that read it, and kept.
            self.graph.backward_from(&mut buf.ws, rows, z + 1);
            let dst = &mut pt.representation_grads[h][..n];
            if buf.ws.grad_written[z] {
                dst.copy_from_slice(&buf.ws.grads[z][..n]);
            } else {
                dst.fill(0.0);
            }
        }
        let grads: Vec<&[f32]> = pt.active_heads.iter().map(|&h| &pt.representation_grads[h][..n]).collect();
        let alpha = GradientSurgery::MgdaUb.weights(&linalg::gram(&grads));
        // `effective` becomes α_i w_i (0 for an output without labels).
        pt.alpha.fill(0.0);
        pt.active_heads.iter().zip(&alpha).for_each(|(&h, &a)| pt.alpha[h] = effective[h] * a as f32);
        effective.copy_from_slice(&pt.alpha);
        buf.per_task = Some(pt);
        self.combined_backward(buf, rows, effective);
    }

    /// One evaluation batch of rows `start..start + rows`.
    pub(crate) fn eval_batch(&self, buf: &mut StepBuffers, data: &Batchable, start: usize, rows: usize, logs: &mut [f64], counts: &mut [f64]) {
        buf.ws.load_range(&self.graph, &data.xs, start, rows);
        self.graph.forward(&mut buf.ws, rows, false);
        for (h, head) in self.heads.iter().enumerate() {
            let tw = head.target_width;
            buf.targets[h][..rows * tw].copy_from_slice(&data.ys[h][start * tw..(start + rows) * tw]);
            let sample_weights = data.sample_weights.get(h).copied().flatten();
            fill_row_weights(&mut buf.row_weights[h][..rows], &buf.targets[h][..rows * tw], tw, None, sample_weights, |r| start + r);
        }
        self.score_heads(buf, rows, false, logs, counts);
        let balancer = self.balancer.as_ref().expect("compiled");
        logs[0] = (0..self.heads.len()).filter(|&h| buf.labelled[h] > 0).map(|h| balancer.effective(h) as f64 * buf.head_losses[h]).sum();
        counts[0] = rows as f64;
    }
}

/// Mean loss over the labelled rows (`Σ w_r ℓ_r / labelled`) and the number of labelled rows;
/// with `grad`, writes d mean / d prediction (zero on unlabelled rows).
fn head_loss(head: &Head, target: &[f32], pred: &[f32], weights: &[f32], mut grad: Option<&mut [f32]>) -> (f64, usize) {
    let (tw, pw) = (head.target_width, head.width);
    let labelled = target.chunks_exact(tw).filter(|t| !has_nan(t)).count();
    if labelled == 0 {
        if let Some(g) = grad {
            g.fill(0.0);
        }
        return (0.0, 0);
    }
    let scale = 1.0 / labelled as f32;
    let mut sum = 0.0f64;
    for (r, (t, p)) in target.chunks_exact(tw).zip(pred.chunks_exact(pw)).enumerate() {
        let g = grad.as_deref_mut().map(|g| &mut g[r * pw..(r + 1) * pw]);
        if has_nan(t) {
            // Masked before any arithmetic: 0 · NaN would still be NaN.
            if let Some(g) = g {
                g.fill(0.0);
            }
            continue;
        }
        let w = weights[r];
        match g {
            Some(g) => {
                sum += (w * head.loss.row(t, p, Some(&mut *g))) as f64;
                g.iter_mut().for_each(|v| *v *= w * scale);
            }
            None => sum += (w * head.loss.row(t, p, None)) as f64,
        }
    }
    (sum / labelled as f64, labelled)
}

/// A number as JavaScript prints it (NaN, Infinity, -Infinity).
fn js_number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        (if v > 0.0 { "Infinity" } else { "-Infinity" }).into()
    } else {
        v.to_string()
    }
}

fn has_nan(row: &[f32]) -> bool {
    row.iter().any(|v| v.is_nan())
}

/// Copies the labelled rows into contiguous buffers (for metrics).
fn compact_labelled<'a>(head: &Head, target: &[f32], pred: &[f32], ct: &'a mut [f32], cp: &'a mut [f32], labelled: usize) -> (&'a [f32], &'a [f32]) {
    let (tw, pw) = (head.target_width, head.width);
    let mut k = 0;
    for (t, p) in target.chunks_exact(tw).zip(pred.chunks_exact(pw)) {
        if !has_nan(t) {
            ct[k * tw..(k + 1) * tw].copy_from_slice(t);
            cp[k * pw..(k + 1) * pw].copy_from_slice(p);
            k += 1;
        }
    }
    (&ct[..labelled * tw], &cp[..labelled * pw])
}

fn gather_rows(src: &[f32], width: usize, indices: &[usize], dst: &mut [f32]) {
    for (b, &i) in indices.iter().enumerate() {
        dst[b * width..(b + 1) * width].copy_from_slice(&src[i * width..(i + 1) * width]);
    }
}

/// Per-row weights: the sample weight (`row_of` maps batch rows to data rows) times the class
/// weight; the class is the target's argmax (one-hot) or its value. Unlabelled rows get 0.
fn fill_row_weights(
    weights: &mut [f32],
    target: &[f32],
    width: usize,
    class_weight: Option<&HashMap<usize, f32>>,
    sample_weights: Option<&[f32]>,
    row_of: impl Fn(usize) -> usize,
) {
    for (r, (w, t)) in weights.iter_mut().zip(target.chunks_exact(width)).enumerate() {
        if has_nan(t) {
            *w = 0.0;
            continue;
        }
        let class = class_weight.map_or(1.0, |cw| {
            let class = if width == 1 { t[0].round().max(0.0) as usize } else { argmax(t) };
            cw.get(&class).copied().unwrap_or(1.0)
        });
        *w = class * sample_weights.map_or(1.0, |s| s[row_of(r)]);
    }
}
