//! MGDA-UB (Sener & Koltun, NeurIPS 2018): the min-norm point of the convex hull of the task
//! gradients, `α = argmin_{α ∈ simplex} ‖Σ α_i g_i‖²`, computed on the cheap upper bound: the
//! gradients with respect to the shared representation Z (the output of the last layer every
//! output depends on) instead of the shared weights. The network then trains on `Σ α_i L_i`.
//! Cost per step: T backward passes through the heads only (down to Z), a T×T Gram matrix of
//! the Z gradients (O(T²·B·width)), a small convex solve, then one ordinary backward pass.

use super::linalg::{mat_vec, minimize_on_simplex, Matrix};

/// Weights α (on the simplex) on the task losses.
pub fn weights(gram: &Matrix) -> Vec<f64> {
    let norm = |a: &[f64]| a.iter().zip(mat_vec(gram, a)).map(|(x, y)| x * y).sum::<f64>();
    let grad = |a: &[f64]| mat_vec(gram, a).iter().map(|v| 2.0 * v).collect();
    minimize_on_simplex(gram.len(), norm, grad)
}
