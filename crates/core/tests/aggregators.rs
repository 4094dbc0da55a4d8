//! The gradient aggregators' weights against an independent implementation on a tiny problem:
//! three task gradients in R⁴. The expected values were printed by the script below, run with
//! numpy 2.4, scipy 1.17 and cvxpy 1.9 (ECOS) in a throw-away venv. It transcribes LibMTL 1.1.5's
//! CAGrad, IMTL and MGDA code paths from torch to numpy, Aligned-MTL as LibMTL's later
//! Aligned_MTL.py, and Nash-MTL as the authors' `NashMTL.solve_optimization` (sequential convex
//! problems with cvxpy); our Rust solvers are written separately (projected gradient, Newton).
//!
//! ```python
//! # Reference weights for the gradient aggregators, numpy/scipy/cvxpy (LibMTL 1.1.5's CAGrad, IMTL
//! # and MGDA code paths transcribed from torch to numpy; Aligned-MTL as in LibMTL's later
//! # Aligned_MTL.py / SamsungLabs; Nash-MTL as the authors' NashMTL.solve_optimization with cvxpy/ECOS).
//! import numpy as np, cvxpy as cp
//! from scipy.optimize import minimize
//! G = np.array([[1.0, 0.0, 0.5, 0.0], [-0.8, 1.2, 0.0, 0.3], [-0.2, -0.9, 0.7, 1.0]])
//! T = 3
//! GG = G @ G.T
//! def show(name, alpha):
//!     print(name, "alpha", np.array2string(np.asarray(alpha), precision=10, separator=', '),
//!           "d", np.array2string(np.asarray(alpha) @ G, precision=10, separator=', '))
//! # CAGrad (LibMTL CAGrad.backward, calpha = 0.4, rescale = 1)
//! calpha = 0.4
//! g0_norm = np.sqrt(GG.mean() + 1e-8)
//! x0 = np.ones(T) / T; b = x0.copy(); c = calpha * g0_norm + 1e-8
//! obj = lambda x: (x.reshape(1, T).dot(GG).dot(b.reshape(T, 1)) + c * np.sqrt(x.reshape(1, T).dot(GG).dot(x.reshape(T, 1)) + 1e-8)).sum()
//! w = minimize(obj, x0, bounds=tuple((0, 1) for _ in x0), constraints=({'type': 'eq', 'fun': lambda x: 1 - sum(x)})).x
//! gw = w @ G; lmbda = c / (np.linalg.norm(gw) + 1e-8)
//! show("cagrad", (np.ones(T) / T + lmbda * w) / (1 + calpha ** 2))
//! # IMTL-G (LibMTL IMTL.backward without the IMTL-L loss scale)
//! U = G / np.linalg.norm(G, axis=1, keepdims=True)
//! D = G[0:1].repeat(T - 1, 0) - G[1:]; Uu = U[0:1].repeat(T - 1, 0) - U[1:]
//! a = G[0] @ Uu.T @ np.linalg.inv(D @ Uu.T)
//! show("imtl-g", np.concatenate([[1 - a.sum()], a]))
//! # MGDA (LibMTL MGDA._find_min_norm_element, mgda_gn = 'none')
//! def from2(v11, v12, v22):
//!     if v12 >= v11: return 0.999, v11
//!     if v12 >= v22: return 0.001, v22
//!     g = -1.0 * ((v12 - v22) / (v11 + v22 - 2 * v12)); return g, v22 + g * (v12 - v22)
//! def proj(y):
//!     m = len(y); s = np.sort(y)[::-1]; tmp = 0.0; tmax_f = (y.sum() - 1.0) / m
//!     for i in range(m - 1):
//!         tmp += s[i]; tmax = (tmp - 1) / (i + 1.0)
//!         if tmax > s[i + 1]: tmax_f = tmax; break
//!     return np.maximum(y - tmax_f, 0)
//! def next_point(cur, grad, n):
//!     pg = grad - grad.sum() / n
//!     tm1 = -1.0 * cur[pg < 0] / pg[pg < 0]; tm2 = (1.0 - cur[pg > 0]) / pg[pg > 0]
//!     t = 1.0
//!     if (tm1 > 1e-7).sum() > 0: t = tm1[tm1 > 1e-7].min()
//!     if (tm2 > 1e-7).sum() > 0: t = min(t, tm2[tm2 > 1e-7].min())
//!     return proj(pg * t + cur)
//! dmin = 1e8
//! for i in range(T):
//!     for j in range(i + 1, T):
//!         cc, dd = from2(GG[i, i], GG[i, j], GG[j, j])
//!         if dd < dmin: dmin = dd; sol = [(i, j), cc]
//! sv = np.zeros(T); sv[sol[0][0]] = sol[1]; sv[sol[0][1]] = 1 - sol[1]
//! for _ in range(250):
//!     npnt = next_point(sv, -GG @ sv, T)
//!     v11 = sv @ GG @ sv; v12 = sv @ GG @ npnt; v22 = npnt @ GG @ npnt
//!     nc, nd = from2(v11, v12, v22); new = nc * sv + (1 - nc) * npnt
//!     if np.abs(new - sv).sum() < 1e-5: break
//!     sv = new
//! show("mgda", sv)
//! # Aligned-MTL (LibMTL Aligned_MTL.backward)
//! l, V = np.linalg.eigh(GG)
//! tol = l.max() * T * np.finfo(np.float32).eps
//! rank = (l > tol).sum(); order = np.argsort(l)[::-1]
//! l, V = l[order][:rank], V[:, order][:, :rank]
//! B = np.sqrt(l[-1]) * ((V @ np.diag(1 / np.sqrt(l))) @ V.T)
//! show("aligned-mtl", B.sum(0))
//! # Nash-MTL (authors' NashMTL: normalised GTG, sequential convex problems with ECOS, optim_niter = 20)
//! nf = np.linalg.norm(GG); Gn = GG / nf
//! alpha = cp.Variable(T, nonneg=True); prv = cp.Parameter(T, value=np.ones(T)); Gp = cp.Parameter((T, T), value=Gn)
//! nfp = cp.Parameter(1, value=np.array([nf]))
//! Ga = Gp @ alpha; Gprv = Gp @ prv
//! phi = (1 / prv + (1 / Gprv) @ Gp) @ (alpha - prv)
//! prob = cp.Problem(cp.Minimize(cp.sum(Ga) + phi / nfp), [-cp.log(alpha[i] * nfp) - cp.log(Ga[i]) <= 0 for i in range(T)])
//! at = np.ones(T)
//! for _ in range(20):
//!     alpha.value = at; prv.value = at
//!     prob.solve(solver=cp.ECOS, warm_start=True, max_iters=100)
//!     if alpha.value is None or np.linalg.norm(Gn @ at - 1 / (at + 1e-10)) < 1e-3 or np.linalg.norm(alpha.value - prv.value) < 1e-6: break
//!     at = alpha.value
//! show("nash-mtl (authors' scheme)", at)
//! print("nash residual |G a - 1/a| =", np.linalg.norm(GG @ at - 1 / at))
//! ```
//! Printed:
//! ```text
//! cagrad alpha [0.4850424234, 0.4092730098, 0.2873563218] d [0.1001527512, 0.2325069221, 0.443670637 , 0.4101382248]
//! imtl-g alpha [0.4121865538, 0.3684653009, 0.2193481453] d [0.073544684 , 0.2447450303, 0.3596369786, 0.3298877356]
//! mgda alpha [0.4465135881, 0.3586956164, 0.1947907955] d [0.1205989358, 0.2551230237, 0.3596103509, 0.3023994805]
//! aligned-mtl alpha [1.078103031 , 0.9544885596, 0.6842400706] d [0.1776641692, 0.5295702079, 1.0180195649, 0.9705866385]
//! nash-mtl (authors' scheme) alpha [1.251091706 , 1.0996610938, 0.7677743919] d [0.2178079526, 0.6285963598, 1.1629879274, 1.0976727201]
//! nash residual |G a - 1/a| = 9.011716838670325e-09
//! ```

use dense_mtl_core::balance::{linalg, GradientSurgery};

const GRADS: [[f32; 4]; 3] = [[1.0, 0.0, 0.5, 0.0], [-0.8, 1.2, 0.0, 0.3], [-0.2, -0.9, 0.7, 1.0]];

/// Checks α and `d = Σ α_i g_i` against the reference within `tol` (absolute).
fn check(method: GradientSurgery, alpha_ref: [f64; 3], d_ref: [f64; 4], tol: f64) {
    let grads: Vec<&[f32]> = GRADS.iter().map(|g| &g[..]).collect();
    let alpha = method.weights(&linalg::gram(&grads));
    for (a, r) in alpha.iter().zip(alpha_ref) {
        assert!((a - r).abs() < tol, "{method:?}: α = {alpha:?}, reference {alpha_ref:?}");
    }
    for (k, r) in d_ref.iter().enumerate() {
        let d: f64 = (0..3).map(|i| alpha[i] * GRADS[i][k] as f64).sum();
        assert!((d - r).abs() < tol, "{method:?}: d[{k}] = {d}, reference {r}");
    }
}

#[test]
fn cagrad_matches_libmtl() {
    // scipy's SLSQP stops at its default tolerance (~1e-6 on the objective): 1e-4 on α.
    check(GradientSurgery::Cagrad, [0.4850424234, 0.4092730098, 0.2873563218], [0.1001527512, 0.2325069221, 0.443670637, 0.4101382248], 1e-4);
}

#[test]
fn imtl_g_matches_libmtl_closed_form() {
    check(GradientSurgery::ImtlG, [0.4121865538, 0.3684653009, 0.2193481453], [0.073544684, 0.2447450303, 0.3596369786, 0.3298877356], 1e-6);
}

#[test]
fn mgda_ub_min_norm_weights_match_libmtl_frank_wolfe() {
    // LibMTL's Frank-Wolfe stops when α moves by less than 1e-5 (L1): 1e-4.
    check(GradientSurgery::MgdaUb, [0.4465135881, 0.3586956164, 0.1947907955], [0.1205989358, 0.2551230237, 0.3596103509, 0.3023994805], 1e-4);
}

#[test]
fn aligned_mtl_matches_libmtl() {
    check(GradientSurgery::AlignedMtl, [1.078103031, 0.9544885596, 0.6842400706], [0.1776641692, 0.5295702079, 1.0180195649, 0.9705866385], 1e-6);
}

#[test]
fn nash_mtl_newton_solve_matches_the_authors_sequential_convex_scheme() {
    // The authors' loop stops at ‖Gα − 1/α‖ < 1e-3 or a step < 1e-6; here it converged to a
    // residual of 9e-9, so 1e-6 on α.
    check(GradientSurgery::NashMtl, [1.251091706, 1.0996610938, 0.7677743919], [0.2178079526, 0.6285963598, 1.1629879274, 1.0976727201], 1e-6);
}

#[test]
fn a_task_alone_or_zero_gradients_do_not_produce_nan() {
    for method in [GradientSurgery::Cagrad, GradientSurgery::ImtlG, GradientSurgery::MgdaUb, GradientSurgery::AlignedMtl, GradientSurgery::NashMtl] {
        let zero = [0.0f32; 4];
        let alpha = method.weights(&linalg::gram(&[&zero[..], &zero[..]]));
        assert!(alpha.iter().all(|a| a.is_finite()), "{method:?} on zero gradients: {alpha:?}");
        let one = method.weights(&linalg::gram(&[&GRADS[0][..]]));
        assert!(one.iter().all(|a| a.is_finite() && *a >= 0.0), "{method:?} on one task: {one:?}");
    }
}
