//! Matrix products for the dense layers, written into caller-owned buffers:
//! `C (+)= A·B`, `C (+)= Aᵀ·B` and `C (+)= A·Bᵀ` on row-major `f32` slices.
//!
//! Big products go to `matrixmultiply`'s sgemm (about 200 GFLOP/s on one core here), split in two
//! halves across the two-thread pool when the work is large enough to pay for the hand-off.
//! Small ones use the register-blocked kernel of `matmul/small.rs`, and the one-row products of `predict`
//! plain loops that the compiler vectorizes (both with AVX2+FMA when the CPU has them): there
//! sgemm's packing would cost more than the arithmetic.

use std::sync::OnceLock;

mod small;

/// Products with fewer multiply-adds than this use the small kernel.
const SMALL: usize = 48 * 48 * 48;
/// Products with at least this many multiply-adds are split across two threads.
const PARALLEL: usize = 1 << 21;

/// The pool big products are split on (one thread per core).
pub fn pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        rayon::ThreadPoolBuilder::new().num_threads(threads).thread_name(|i| format!("dense-mtl-{i}")).build().expect("thread pool")
    })
}

/// Whether work with this largest matrix product (multiply-adds) and this many parameters can
/// split across threads at all (otherwise entering the pool only costs a thread hand-off).
pub fn worth_parallel(largest_product: usize, params: usize) -> bool {
    largest_product >= PARALLEL || params >= crate::optimizer::PARALLEL_UPDATE
}

/// Runs `f` inside the pool, so that the splits within it hand work over cheaply.
pub fn with_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    pool().install(f)
}

/// `C[m×n] = A[m×k]·B[k×n] (+ C if accumulate)`.
pub fn matmul_nn(a: &[f32], b: &[f32], c: &mut [f32], m: usize, k: usize, n: usize, accumulate: bool) {
    debug_assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    if m <= 4 {
        // One-row products (predict): stream B once, no packing.
        simd::nn(a, b, c, m, k, n, accumulate);
    } else {
        product(m, k, n, a, (k, 1), b, (n, 1), c, accumulate);
    }
}

/// `C[m×n] = Aᵀ·B (+ C)`, where A is stored `k×m` and B `k×n` (the kernel gradient `Xᵀ·G`).
pub fn matmul_tn(a: &[f32], b: &[f32], c: &mut [f32], m: usize, k: usize, n: usize, accumulate: bool) {
    debug_assert!(a.len() >= k * m && b.len() >= k * n && c.len() >= m * n);
    product(m, k, n, a, (1, m), b, (n, 1), c, accumulate);
}

/// `C[m×n] = A·Bᵀ (+ C)`, where A is stored `m×k` and B `n×k` (the input gradient `G·Kᵀ`).
pub fn matmul_nt(a: &[f32], b: &[f32], c: &mut [f32], m: usize, k: usize, n: usize, accumulate: bool) {
    debug_assert!(a.len() >= m * k && b.len() >= n * k && c.len() >= m * n);
    if m <= 4 {
        simd::nt(a, b, c, m, k, n, accumulate);
    } else {
        product(m, k, n, a, (k, 1), b, (1, k), c, accumulate);
    }
}

/// Small products use the small kernel, large ones sgemm.
#[allow(clippy::too_many_arguments)]
fn product(m: usize, k: usize, n: usize, a: &[f32], sa: (usize, usize), b: &[f32], sb: (usize, usize), c: &mut [f32], accumulate: bool) {
    if m * k * n < SMALL {
        small::product(m, k, n, a, sa, b, sb, c, accumulate);
    } else {
        gemm(m, k, n, a, sa, b, sb, c, accumulate);
    }
}

/// A raw pointer that may cross to the other pool thread: the two halves write disjoint parts of C.
#[derive(Clone, Copy)]
struct SendPtr(*mut f32);
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}

/// sgemm with explicit (row, column) strides for A and B; C is row-major `m×n`.
#[allow(clippy::too_many_arguments)]
fn gemm(m: usize, k: usize, n: usize, a: &[f32], (rsa, csa): (usize, usize), b: &[f32], (rsb, csb): (usize, usize), c: &mut [f32], accumulate: bool) {
    let beta = if accumulate { 1.0 } else { 0.0 };
    let (a, b, cp) = (a.as_ptr() as usize, b.as_ptr() as usize, SendPtr(c.as_mut_ptr()));
    // Safety: the slices are at least as long as the strides address (checked by the callers'
    // debug assertions and by construction in the graph), and each call writes only its own
    // rows or columns of C.
    let run = move |rows: std::ops::Range<usize>, cols: std::ops::Range<usize>| unsafe {
        let cp = cp;
        matrixmultiply::sgemm(
            rows.len(),
            k,
            cols.len(),
            1.0,
            (a as *const f32).add(rows.start * rsa),
            rsa as isize,
            csa as isize,
            (b as *const f32).add(cols.start * csb),
            rsb as isize,
            csb as isize,
            beta,
            cp.0.add(rows.start * n + cols.start),
            n as isize,
            1,
        );
    };
    if m * k * n >= PARALLEL && pool().current_num_threads() > 1 {
        if m >= n {
            let half = m / 2;
            rayon::join(|| run(0..half, 0..n), || run(half..m, 0..n));
        } else {
            let half = n / 2;
            rayon::join(|| run(0..m, 0..half), || run(0..m, half..n));
        }
    } else {
        run(0..m, 0..n);
    }
}

/// The plain loops, compiled twice: for AVX2+FMA (chosen at run time when the CPU has them) and
/// for the baseline target.
mod simd {
    macro_rules! kernels {
        ($($attr:meta)?) => {
            $(#[$attr])?
            pub unsafe fn nn(a: &[f32], b: &[f32], c: &mut [f32], m: usize, k: usize, n: usize, accumulate: bool) {
                for i in 0..m {
                    let row = &mut c[i * n..(i + 1) * n];
                    if !accumulate {
                        row.fill(0.0);
                    }
                    for p in 0..k {
                        let s = a[i * k + p];
                        if s != 0.0 {
                            row.iter_mut().zip(&b[p * n..(p + 1) * n]).for_each(|(c, &b)| *c += s * b);
                        }
                    }
                }
            }

            $(#[$attr])?
            pub unsafe fn nt(a: &[f32], b: &[f32], c: &mut [f32], m: usize, k: usize, n: usize, accumulate: bool) {
                for i in 0..m {
                    let arow = &a[i * k..(i + 1) * k];
                    for j in 0..n {
                        let d = crate::matmul::dot(arow, &b[j * k..(j + 1) * k]);
                        let cell = &mut c[i * n + j];
                        *cell = if accumulate { *cell + d } else { d };
                    }
                }
            }
        };
    }

    #[cfg(target_arch = "x86_64")]
    mod fma {
        kernels!(target_feature(enable = "avx2,fma"));
    }
    mod base {
        kernels!();
    }
    // AVX2/FMA exist only on x86_64 (elsewhere `has_fma()` is false and this name is never taken).
    #[cfg(not(target_arch = "x86_64"))]
    use base as fma;

    pub(super) fn has_fma() -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }

    macro_rules! dispatch {
        ($name:ident) => {
            pub fn $name(a: &[f32], b: &[f32], c: &mut [f32], m: usize, k: usize, n: usize, accumulate: bool) {
                // Safety: the AVX2+FMA version only runs where the CPU reports both features.
                unsafe {
                    if has_fma() {
                        fma::$name(a, b, c, m, k, n, accumulate)
                    } else {
                        base::$name(a, b, c, m, k, n, accumulate)
                    }
                }
            }
        };
    }
    dispatch!(nn);
    dispatch!(nt);
}

/// Dot product with eight independent partial sums, so that the loop vectorizes without
/// reassociating one long chain of additions.
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(a: &[f32], b: &[f32], m: usize, k: usize, n: usize, at: bool, bt: bool) -> Vec<f32> {
        let mut c = vec![0.0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut s = 0.0f64;
                for p in 0..k {
                    let x = if at { a[p * m + i] } else { a[i * k + p] };
                    let y = if bt { b[j * k + p] } else { b[p * n + j] };
                    s += x as f64 * y as f64;
                }
                c[i * n + j] = s as f32;
            }
        }
        c
    }

    fn values(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(1664525).wrapping_add(1013904223);
                (s >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect()
    }

    #[test]
    fn every_path_matches_a_reference_product() {
        // Small (plain loops), one-row, sgemm and split-across-threads sizes.
        // Small ones cover every strip width (n < 16 in 4-, 8- and 16-lane strips, n = 16, n > 16 not a
        // multiple of 16), row counts that leave a remainder after the row blocks, k = 1, and k over
        // 64 (the packed strip then lives on the heap).
        let tiny = [(3, 5, 4), (32, 4, 10), (32, 10, 3), (16, 10, 10), (16, 4, 10), (16, 10, 3), (10, 16, 3), (4, 16, 10), (16, 3, 10), (16, 10, 4)];
        let widths = [(7, 9, 1), (9, 1, 5), (5, 6, 8), (13, 11, 16), (17, 5, 17), (6, 12, 21), (11, 3, 33), (9, 100, 12), (5, 70, 40)];
        let large = [(20, 17, 33), (1, 784, 256), (2, 33, 7), (64, 70, 60), (300, 256, 128), (256, 129, 300)];
        for &(m, k, n) in tiny.iter().chain(&widths).chain(&large) {
            let a = values(m * k, 1);
            let b = values(k * n, 2);
            let c0 = values(m * n, 3);
            for accumulate in [false, true] {
                let check = |got: &[f32], want: Vec<f32>, what: &str| {
                    for (g, w) in got.iter().zip(&want) {
                        assert!((g - w).abs() <= 1e-4 * (1.0 + w.abs()), "{what} {m}x{k}x{n} acc={accumulate}: {g} vs {w}");
                    }
                };
                let add = |mut r: Vec<f32>| {
                    if accumulate {
                        r.iter_mut().zip(&c0).for_each(|(r, c)| *r += c);
                    }
                    r
                };
                let mut c = c0.clone();
                with_pool(|| matmul_nn(&a, &b, &mut c, m, k, n, accumulate));
                check(&c, add(reference(&a, &b, m, k, n, false, false)), "nn");
                let mut c = c0.clone();
                with_pool(|| matmul_tn(&a, &b, &mut c, m, k, n, accumulate));
                check(&c, add(reference(&a, &b, m, k, n, true, false)), "tn");
                let mut c = c0.clone();
                with_pool(|| matmul_nt(&a, &b, &mut c, m, k, n, accumulate));
                check(&c, add(reference(&a, &b, m, k, n, false, true)), "nt");
                if m * k * n < SMALL {
                    // The baseline build of the small kernel (the one CPUs without AVX2+FMA run).
                    let layouts = [((k, 1), (n, 1), false, false, "nn"), ((1, m), (n, 1), true, false, "tn"), ((k, 1), (1, k), false, true, "nt")];
                    for (sa, sb, at, bt, what) in layouts {
                        let mut c = c0.clone();
                        small::product_portable(m, k, n, &a, sa, &b, sb, &mut c, accumulate);
                        check(&c, add(reference(&a, &b, m, k, n, at, bt)), &format!("baseline {what}"));
                    }
                }
            }
        }
    }
}
