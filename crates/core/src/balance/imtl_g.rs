//! IMTL-G (Liu et al., ICLR 2021): the update `d = Σ α_i g_i`, `Σ α_i = 1`, whose projections on
//! every task's unit gradient are equal. In Gram form (as torchjd writes it): `α ∝ G⁺·√diag(G)`,
//! normalised to sum 1; equal to the paper's closed form `α_{2..T} = g_1Uᵀ(DUᵀ)⁻¹` when `G` is
//! invertible. Cost per step: T backward passes through the shared layers, the Gram matrix
//! (O(T²·P)) and a T×T pseudo-inverse.

use super::linalg::{mat_vec, symmetric_pinv, Matrix};

/// Weights α on the task gradients (zeros when they cannot be normalised).
pub fn weights(gram: &Matrix) -> Vec<f64> {
    let norms: Vec<f64> = (0..gram.len()).map(|i| gram[i][i].max(0.0).sqrt()).collect();
    let v = mat_vec(&symmetric_pinv(gram), &norms);
    let sum: f64 = v.iter().sum();
    if sum.abs() < 1e-30 || !sum.is_finite() {
        return vec![0.0; gram.len()];
    }
    v.iter().map(|x| x / sum).collect()
}
