//! CAGrad (Liu et al., NeurIPS 2021): conflict-averse gradient. With `g0` the mean task gradient
//! and `φ = c²‖g0‖²`, find `w = argmin_{w ∈ simplex} g_wᵀg0 + √φ·‖g_w‖` and update with
//! `d = (g0 + √φ/‖g_w‖ · g_w) / (1 + c²)`. Everything is a function of the Gram matrix `G`, so
//! `d = Σ α_i g_i` with the α returned here. Cost per step: T backward passes through the shared
//! layers, the T×T Gram matrix (O(T²·P)) and a T-dimensional convex solve.

use super::linalg::{dot, mat_vec, minimize_on_simplex, Matrix};

/// The paper's `c` (its official code and nash-mtl use 0.4), with the paper's `1/(1+c²)` rescale.
pub const C: f64 = 0.4;

/// Weights α on the task gradients (`d = Σ α_i g_i`).
pub fn weights(gram: &Matrix) -> Vec<f64> {
    let t = gram.len();
    let mean = vec![1.0 / t as f64; t];
    let g0_norm = dot(&mean, &mat_vec(gram, &mean)).max(0.0).sqrt();
    let sqrt_phi = C * g0_norm;
    // g_wᵀg0 = wᵀG·mean, ‖g_w‖ = √(wᵀGw).
    let g_mean = mat_vec(gram, &mean);
    let objective = |w: &[f64]| dot(w, &g_mean) + sqrt_phi * dot(w, &mat_vec(gram, w)).max(0.0).sqrt();
    let gradient = |w: &[f64]| {
        let gw = mat_vec(gram, w);
        let norm = dot(w, &gw).max(1e-20).sqrt();
        g_mean.iter().zip(&gw).map(|(a, b)| a + sqrt_phi * b / norm).collect()
    };
    let w = minimize_on_simplex(t, objective, gradient);
    let gw_norm = dot(&w, &mat_vec(gram, &w)).max(0.0).sqrt();
    let lambda = if gw_norm > 0.0 { sqrt_phi / gw_norm } else { 0.0 };
    (0..t).map(|i| (mean[i] + lambda * w[i]) / (1.0 + C * C)).collect()
}
