//! Aligned-MTL (Senushkin et al., CVPR 2023): aligns the task gradients' principal components so
//! the linear system is well conditioned. With `G = VΛVᵀ` (eigenvalues above a rank tolerance),
//! `B = √λ_min · V Λ^{-1/2} Vᵀ` and `α = B·1` (the authors' code sums B's rows, as LibMTL does).
//! Cost per step: T backward passes through the shared layers, the Gram matrix (O(T²·P)) and a
//! T×T eigendecomposition.

use super::linalg::{symmetric_eigen, Matrix};

/// Weights α on the task gradients; zeros when the Gram matrix is zero.
pub fn weights(gram: &Matrix) -> Vec<f64> {
    let t = gram.len();
    let (values, vectors) = symmetric_eigen(gram);
    let largest = values.iter().copied().fold(0.0, f64::max);
    let tol = largest * t as f64 * f32::EPSILON as f64;
    let kept: Vec<usize> = (0..t).filter(|&k| values[k] > tol).collect();
    let Some(smallest) = kept.iter().map(|&k| values[k]).reduce(f64::min) else {
        return vec![0.0; t];
    };
    let mut alpha = vec![0.0; t];
    for &k in &kept {
        // Column j of B summed over rows i: √λ_min Σ_k V_ik V_jk / √λ_k, summed over i.
        let column_sum: f64 = (0..t).map(|i| vectors[i][k]).sum();
        for (j, a) in alpha.iter_mut().enumerate() {
            *a += smallest.sqrt() * vectors[j][k] * column_sum / values[k].sqrt();
        }
    }
    alpha
}
