//! FAMO (Liu et al., NeurIPS 2023): fast adaptive multitask optimization. The network trains on
//! `Σ z_i log L_i / c` with `z = softmax(ξ)` and `c = Σ z_i / L_i`, i.e. task weights
//! `z_i / (c·L_i)`; after the step, one more forward pass on the same batch measures each task's
//! log-loss decrease `δ_i`, and ξ takes an Adam step (weight decay γ) along `-J_softmaxᵀ δ`.
//! Defaults are the paper's (and LibMTL's): learning rate 0.025, γ = 0.001. Cost per step: one
//! extra forward pass and O(T) work. Tasks without labels in the batch sit out (weight 0, no
//! update of their ξ).

use serde::{Deserialize, Serialize};

/// FAMO's state, saved with the model: the logits ξ and their Adam moments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// The logits ξ, one per task.
    pub logits: Vec<f32>,
    /// Adam's first moments of ξ.
    pub first_moments: Vec<f32>,
    /// Adam's second moments of ξ.
    pub second_moments: Vec<f32>,
    /// Adam steps taken.
    pub steps: u32,
}

const EPS: f64 = 1e-8;
const BETA1: f64 = 0.9;
const BETA2: f64 = 0.999;

impl State {
    /// The state for `n` tasks: equal logits, no steps yet.
    pub fn new(n: usize) -> Self {
        State { logits: vec![0.0; n], first_moments: vec![0.0; n], second_moments: vec![0.0; n], steps: 0 }
    }

    /// `softmax(ξ)` over the active tasks (0 for the others).
    fn z(&self, active: &[bool]) -> Vec<f64> {
        let max = self.logits.iter().zip(active).filter(|(_, &a)| a).map(|(&l, _)| l as f64).fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = self.logits.iter().zip(active).map(|(&l, &a)| if a { (l as f64 - max).exp() } else { 0.0 }).collect();
        let total: f64 = e.iter().sum();
        e.iter().map(|v| if total > 0.0 { v / total } else { 0.0 }).collect()
    }

    /// The step's task weights `z_i / (c·L_i)` from the batch losses (0 for inactive tasks).
    pub fn weights(&self, losses: &[f64], active: &[bool], out: &mut [f32]) {
        let z = self.z(active);
        let c: f64 = (0..losses.len()).filter(|&i| active[i]).map(|i| z[i] / (losses[i] + EPS)).sum();
        for (i, w) in out.iter_mut().enumerate() {
            *w = if active[i] && c > 0.0 { (z[i] / (c * (losses[i] + EPS))) as f32 } else { 0.0 };
        }
    }

    /// After the step: `δ_i = log L_i(before) − log L_i(after)`, gradient `J_softmaxᵀ δ` on ξ,
    /// one Adam step (weight decay `gamma`) on the active tasks' logits.
    pub fn update(&mut self, before: &[f64], after: &[f64], active: &[bool], learning_rate: f32, gamma: f32) {
        let z = self.z(active);
        let delta: Vec<f64> = (0..z.len()).map(|i| if active[i] { (before[i] + EPS).ln() - (after[i] + EPS).ln() } else { 0.0 }).collect();
        let mean: f64 = z.iter().zip(&delta).map(|(a, b)| a * b).sum();
        self.steps += 1;
        let t = self.steps as i32;
        for i in (0..z.len()).filter(|&i| active[i]) {
            let g = z[i] * (delta[i] - mean) + gamma as f64 * self.logits[i] as f64;
            let m = BETA1 * self.first_moments[i] as f64 + (1.0 - BETA1) * g;
            let v = BETA2 * self.second_moments[i] as f64 + (1.0 - BETA2) * g * g;
            let step = learning_rate as f64 * (m / (1.0 - BETA1.powi(t))) / ((v / (1.0 - BETA2.powi(t))).sqrt() + EPS);
            self.logits[i] = (self.logits[i] as f64 - step) as f32;
            self.first_moments[i] = m as f32;
            self.second_moments[i] = v as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values printed by this script (numpy, run in a throw-away venv):
    // # FAMO as LibMTL's FAMO.py / the authors' code does it, in numpy (torch.optim.Adam semantics:
    // # weight_decay adds gamma * w to the gradient; eps 1e-8; betas 0.9, 0.999). lr 0.025, gamma 0.001.
    // import numpy as np
    // w = np.zeros(3); m = np.zeros(3); v = np.zeros(3); t = 0; lr, gamma = 0.025, 0.001
    // softmax = lambda x: np.exp(x - x.max()) / np.exp(x - x.max()).sum()
    // for before, after in [([1.0, 4.0, 0.5], [0.9, 3.0, 0.45]), ([0.9, 3.0, 0.45], [0.85, 2.5, 0.44]), ([0.85, 2.5, 0.44], [0.6, 2.4, 0.43])]:
    //     before, after = np.array(before), np.array(after)
    //     z = softmax(w); D = before + 1e-8; c = (z / D).sum()
    //     print("weights", np.array2string(z / (c * D), precision=10, separator=', '))  # d/dL_i of sum(z log D / c)
    //     delta = np.log(before + 1e-8) - np.log(after + 1e-8)
    //     d = z * (delta - (z * delta).sum())  # autograd.grad(softmax(w), w, grad_outputs=delta)
    //     g = d + gamma * w; t += 1
    //     m = 0.9 * m + 0.1 * g; v = 0.999 * v + 0.001 * g * g
    //     w = w - lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    //     print("logits", np.array2string(w, precision=10, separator=', '))
    // Printed:
    //   weights [0.3076923094, 0.0769230779, 0.6153846127]   logits [ 0.0249999877, -0.0249999938,  0.0249999877]
    //   weights [0.3043798298, 0.0868605174, 0.6087596528]   logits [ 0.0481303059, -0.0496169058,  0.0500265185]
    //   weights [0.3082781939, 0.0950540557, 0.5966677504]   logits [ 0.0382399179, -0.0575586833,  0.0743293618]
    #[test]
    fn three_steps_match_the_reference_weights_and_logits() {
        let steps = [([1.0, 4.0, 0.5], [0.9, 3.0, 0.45]), ([0.9, 3.0, 0.45], [0.85, 2.5, 0.44]), ([0.85, 2.5, 0.44], [0.6, 2.4, 0.43])];
        let expected = [
            ([0.3076923094, 0.0769230779, 0.6153846127], [0.0249999877, -0.0249999938, 0.0249999877]),
            ([0.3043798298, 0.0868605174, 0.6087596528], [0.0481303059, -0.0496169058, 0.0500265185]),
            ([0.3082781939, 0.0950540557, 0.5966677504], [0.0382399179, -0.0575586833, 0.0743293618]),
        ];
        let mut state = State::new(3);
        let mut weights = [0.0f32; 3];
        for ((before, after), (w_ref, logits_ref)) in steps.iter().zip(expected) {
            state.weights(before, &[true; 3], &mut weights);
            state.update(before, after, &[true; 3], 0.025, 0.001);
            for k in 0..3 {
                assert!((weights[k] as f64 - w_ref[k]).abs() < 1e-6, "{weights:?} vs {w_ref:?}");
                assert!((state.logits[k] as f64 - logits_ref[k]).abs() < 1e-6, "{:?} vs {logits_ref:?}", state.logits);
            }
        }
    }

    #[test]
    fn a_task_without_labels_gets_no_weight_and_keeps_its_logit_and_moments() {
        let mut state = State::new(3);
        state.update(&[1.0, 2.0, 3.0], &[0.5, 1.0, 2.0], &[true; 3], 0.025, 0.001);
        let kept = (state.logits[1], state.first_moments[1], state.second_moments[1]);
        let mut weights = [0.0f32; 3];
        state.weights(&[1.0, 0.0, 3.0], &[true, false, true], &mut weights);
        assert_eq!(weights[1], 0.0);
        state.update(&[1.0, 0.0, 3.0], &[0.9, 0.0, 2.0], &[true, false, true], 0.025, 0.001);
        assert_eq!((state.logits[1], state.first_moments[1], state.second_moments[1]), kept);
    }
}
