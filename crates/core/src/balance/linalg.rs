//! Small dense linear algebra on T×T Gram matrices (T = number of tasks, a handful), in f64.
//! Hand-written because T is tiny and these few routines are all the aggregators need.

/// A square matrix as rows.
pub type Matrix = Vec<Vec<f64>>;

/// `G_ij = g_i·g_j`, accumulated in f64.
pub fn gram(grads: &[&[f32]]) -> Matrix {
    let t = grads.len();
    let mut g = vec![vec![0.0; t]; t];
    for i in 0..t {
        for j in i..t {
            let dot: f64 = grads[i].iter().zip(grads[j]).map(|(a, b)| *a as f64 * *b as f64).sum();
            g[i][j] = dot;
            g[j][i] = dot;
        }
    }
    g
}

/// `m · v`.
pub fn mat_vec(m: &Matrix, v: &[f64]) -> Vec<f64> {
    m.iter().map(|row| row.iter().zip(v).map(|(a, b)| a * b).sum()).collect()
}

/// `a · b`.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Eigenvalues and eigenvectors (columns of the second result) of a symmetric matrix, by cyclic
/// Jacobi rotations (exact to rounding for the small matrices here).
// Indexed loops: they read as the rotation formulas.
#[allow(clippy::needless_range_loop)]
pub fn symmetric_eigen(m: &Matrix) -> (Vec<f64>, Matrix) {
    let n = m.len();
    let mut a = m.clone();
    let mut v: Matrix = (0..n).map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect()).collect();
    for _sweep in 0..100 {
        let off: f64 = (0..n).flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j))).map(|(i, j)| a[i][j] * a[i][j]).sum();
        let scale: f64 = (0..n).map(|i| a[i][i] * a[i][i]).sum::<f64>().max(f64::MIN_POSITIVE);
        if off <= 1e-30 * scale {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if a[p][q] == 0.0 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let (c, s) = (1.0 / (t * t + 1.0).sqrt(), t / (t * t + 1.0).sqrt());
                for k in 0..n {
                    let (akp, akq) = (a[k][p], a[k][q]);
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p][k], a[q][k]);
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for row in v.iter_mut() {
                    let (vp, vq) = (row[p], row[q]);
                    row[p] = c * vp - s * vq;
                    row[q] = s * vp + c * vq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i][i]).collect(), v)
}

/// Moore–Penrose pseudo-inverse of a symmetric matrix (eigenvalues below `tol·max` dropped).
pub fn symmetric_pinv(m: &Matrix) -> Matrix {
    let n = m.len();
    let (values, vectors) = symmetric_eigen(m);
    let largest = values.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let tol = largest * n as f64 * f64::EPSILON;
    let mut out = vec![vec![0.0; n]; n];
    for (k, &l) in values.iter().enumerate() {
        if l.abs() > tol {
            for i in 0..n {
                for j in 0..n {
                    out[i][j] += vectors[i][k] * vectors[j][k] / l;
                }
            }
        }
    }
    out
}

/// Solves `A x = b` by Gaussian elimination with partial pivoting; None when singular.
#[allow(clippy::needless_range_loop)]
pub fn solve(a: &Matrix, b: &[f64]) -> Option<Vec<f64>> {
    let n = b.len();
    let mut m: Matrix = a.iter().zip(b).map(|(row, &bi)| row.iter().copied().chain([bi]).collect()).collect();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))?;
        if m[pivot][col].abs() < 1e-300 {
            return None;
        }
        m.swap(col, pivot);
        for r in col + 1..n {
            let f = m[r][col] / m[col][col];
            for c in col..=n {
                m[r][c] -= f * m[col][c];
            }
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|c| m[r][c] * x[c]).sum();
        x[r] = (m[r][n] - s) / m[r][r];
    }
    Some(x)
}

/// Euclidean projection onto the probability simplex (sort-based).
pub fn project_to_simplex(y: &[f64]) -> Vec<f64> {
    let mut sorted = y.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let (mut sum, mut tau) = (0.0, 0.0);
    for (k, &v) in sorted.iter().enumerate() {
        sum += v;
        let t = (sum - 1.0) / (k + 1) as f64;
        if v - t > 0.0 {
            tau = t;
        }
    }
    y.iter().map(|v| (v - tau).max(0.0)).collect()
}

/// Minimises a smooth convex `f` over the simplex by projected gradient descent with
/// backtracking (Armijo), from the uniform point.
pub fn minimize_on_simplex(n: usize, f: impl Fn(&[f64]) -> f64, grad: impl Fn(&[f64]) -> Vec<f64>) -> Vec<f64> {
    let mut x = vec![1.0 / n as f64; n];
    let mut step = 1.0;
    for _ in 0..2000 {
        let (fx, g) = (f(&x), grad(&x));
        let mut moved = false;
        while step > 1e-14 {
            let y = project_to_simplex(&x.iter().zip(&g).map(|(a, b)| a - step * b).collect::<Vec<_>>());
            let d: Vec<f64> = y.iter().zip(&x).map(|(a, b)| a - b).collect();
            if f(&y) <= fx + dot(&g, &d) + dot(&d, &d) / (2.0 * step) {
                moved = dot(&d, &d).sqrt() > 1e-12;
                x = y;
                step *= 2.0;
                break;
            }
            step *= 0.5;
        }
        if !moved {
            break;
        }
    }
    x
}
