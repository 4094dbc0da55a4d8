//! Nash-MTL (Navon et al., ICML 2022): the bargaining solution `d = Σ α_i g_i` with `α > 0` and
//! `(Gα)_i = 1/α_i` for the Gram matrix `G`. The authors reach it with up to 20 convex
//! sub-problems solved by cvxpy; the same point is the unique minimiser of the strictly convex
//! `½αᵀGα − Σ log α_i` (its gradient is `Gα − 1/α`), found here by damped Newton steps. As in
//! the authors' code, `G` is first scaled by its Frobenius norm, and the shared gradient is
//! clipped to norm [`MAX_NORM`]. Cost per step: T backward passes through the shared layers,
//! the Gram matrix (O(T²·P)) and a few T×T solves.

use super::linalg::{dot, mat_vec, solve, Matrix};

/// The authors' `max_norm`: the shared gradient is clipped to this norm.
pub const MAX_NORM: f64 = 1.0;

/// Weights α (all > 0) on the task gradients; zeros when the Gram matrix is zero.
pub fn weights(gram: &Matrix) -> Vec<f64> {
    let t = gram.len();
    let norm = gram.iter().flatten().map(|v| v * v).sum::<f64>().sqrt();
    if norm <= 0.0 || !norm.is_finite() {
        return vec![0.0; t];
    }
    let g: Matrix = gram.iter().map(|row| row.iter().map(|v| v / norm).collect()).collect();
    let objective = |a: &[f64]| 0.5 * dot(a, &mat_vec(&g, a)) - a.iter().map(|v| v.ln()).sum::<f64>();
    let mut alpha = vec![1.0; t];
    for _ in 0..100 {
        let ga = mat_vec(&g, &alpha);
        let grad: Vec<f64> = ga.iter().zip(&alpha).map(|(x, a)| x - 1.0 / a).collect();
        if grad.iter().map(|v| v.abs()).fold(0.0, f64::max) < 1e-12 {
            break;
        }
        let hessian: Matrix = (0..t).map(|i| (0..t).map(|j| g[i][j] + if i == j { 1.0 / (alpha[i] * alpha[i]) } else { 0.0 }).collect()).collect();
        let Some(step) = solve(&hessian, &grad.iter().map(|v| -v).collect::<Vec<_>>()) else {
            break;
        };
        // Stay inside α > 0 and decrease the objective.
        let mut s = 1.0;
        while alpha.iter().zip(&step).any(|(a, d)| a + s * d <= 0.0) {
            s *= 0.5;
        }
        let f0 = objective(&alpha);
        let slope = dot(&grad, &step);
        loop {
            let next: Vec<f64> = alpha.iter().zip(&step).map(|(a, d)| a + s * d).collect();
            if objective(&next) <= f0 + 1e-4 * s * slope || s < 1e-12 {
                alpha = next;
                break;
            }
            s *= 0.5;
        }
    }
    alpha.iter().map(|a| a / norm.sqrt()).collect()
}
