//! Random Loss Weighting (Lin et al., TMLR 2022): each step, `λ = softmax(z)` with
//! `z ~ N(0, I)` over the tasks with labels in the batch (the others get 0). The baseline any
//! balancing method should beat. Cost per step: T normal draws; no extra pass.

use crate::rng::Rng;

/// Draws the step's weights into `weights` (drawn from `rng`, seeded by `fit({seed})`).
pub fn draw(rng: &mut Rng, labelled: &[usize], weights: &mut [f32]) {
    let z: Vec<f64> = labelled.iter().map(|&n| if n > 0 { rng.normal() as f64 } else { f64::NEG_INFINITY }).collect();
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return;
    }
    let exps: Vec<f64> = z.iter().map(|v| (v - max).exp()).collect();
    let total: f64 = exps.iter().sum();
    weights.iter_mut().zip(exps).for_each(|(w, e)| *w = (e / total) as f32);
}
