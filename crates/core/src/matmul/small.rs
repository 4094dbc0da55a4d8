//! The kernel for small products (a batch of 16 rows through layers of 3 to 100 units): `C (+)=
//! A·B` with A and B given by (row, column) strides, so that one kernel serves `A·B`, `Aᵀ·B` and
//! `A·Bᵀ`.
//!
//! Columns of C go in strips of up to 16, held in one or two vectors of 8 lanes or one of 4 (the
//! narrowest that fits): a row of C sums `a[i,p] · B[p, strip]` into accumulators that stay in
//! vector registers. Rows of C go in blocks whose accumulators are independent chains of
//! additions, which hides the latency of each one. Every element is still the sum over `p` in
//! order of separately rounded products, as a plain loop computes it (no fused multiply-add).
//!
//! Nothing is allocated and no `memcpy` runs per call: rows of B whose strip is contiguous and
//! lies inside B are read in place, the others are packed once per call into a strip on the
//! stack (or, for `k > 64`, a buffer kept per thread), and results are written from the
//! accumulators directly.

use std::mem::MaybeUninit;

/// The packed strip lives on the stack up to this many values (`k ≤ 64`).
const STACK_STRIP: usize = 16 * 64;

thread_local! {
    /// The packed strip of products with a longer `k`, reused from call to call on each thread.
    static STRIP: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `C[m×n] (+)= A·B`, where `a[i·rsa + p·csa]` is `A[i,p]` and `b[p·rsb + j·csb]` is `B[p,j]`.
#[allow(clippy::too_many_arguments)]
pub fn product(m: usize, k: usize, n: usize, a: &[f32], sa: (usize, usize), b: &[f32], sb: (usize, usize), c: &mut [f32], accumulate: bool) {
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            c[..m * n].fill(0.0);
        }
        return;
    }
    // The kernel reads and writes through raw pointers: every element it addresses must exist.
    assert!(in_bounds(m, k, n, a, sa, b, sb, c), "small product {m}×{k}×{n} out of bounds");
    let mut run = |strip: &mut [MaybeUninit<f32>]| {
        // Safety: bounds checked above, the strip holds 16·k values, and the AVX2+FMA build
        // only runs where the CPU reports both features.
        unsafe {
            #[cfg(target_arch = "x86_64")]
            if super::simd::has_fma() {
                return avx::product(m, k, n, a, sa, b, sb, c, accumulate, strip);
            }
            body::<[f32; 8], [f32; 4]>(m, k, n, a, sa, b, sb, c, accumulate, strip)
        }
    };
    if 16 * k <= STACK_STRIP {
        run(&mut [MaybeUninit::uninit(); STACK_STRIP]);
    } else {
        STRIP.with(|strip| {
            let strip = &mut strip.borrow_mut();
            strip.clear();
            strip.reserve(16 * k);
            run(&mut strip.spare_capacity_mut()[..16 * k])
        })
    }
}

#[allow(clippy::too_many_arguments)]
fn in_bounds(m: usize, k: usize, n: usize, a: &[f32], (rsa, csa): (usize, usize), b: &[f32], (rsb, csb): (usize, usize), c: &[f32]) -> bool {
    (m - 1) * rsa + (k - 1) * csa < a.len() && (k - 1) * rsb + (n - 1) * csb < b.len() && m * n <= c.len()
}

/// [`product`] with the portable build of the kernel, whatever the CPU.
#[cfg(test)]
#[allow(clippy::too_many_arguments)]
pub fn product_portable(m: usize, k: usize, n: usize, a: &[f32], sa: (usize, usize), b: &[f32], sb: (usize, usize), c: &mut [f32], accumulate: bool) {
    assert!(m > 0 && k > 0 && n > 0 && in_bounds(m, k, n, a, sa, b, sb, c));
    let mut strip = vec![MaybeUninit::uninit(); 16 * k];
    // Safety: bounds checked above; the strip holds 16·k values.
    unsafe { body::<[f32; 8], [f32; 4]>(m, k, n, a, sa, b, sb, c, accumulate, &mut strip) }
}

/// A vector of `LANES` floats: AVX registers in the AVX2+FMA build, arrays the compiler
/// vectorizes elsewhere.
trait Lanes: Copy {
    const LANES: usize;
    /// All lanes 0.
    unsafe fn zero() -> Self;
    /// All lanes `s`.
    unsafe fn splat(s: f32) -> Self;
    /// `LANES` values from `p` (unaligned).
    unsafe fn load(p: *const f32) -> Self;
    /// Writes the lanes to `p` (unaligned).
    unsafe fn store(self, p: *mut f32);
    /// `self + s·row`, the product rounded before the sum.
    unsafe fn add_product(self, s: Self, row: Self) -> Self;
    /// `self + other`.
    unsafe fn add(self, other: Self) -> Self;
}

impl<const N: usize> Lanes for [f32; N] {
    const LANES: usize = N;
    #[inline(always)]
    unsafe fn zero() -> Self {
        [0.0; N]
    }
    #[inline(always)]
    unsafe fn splat(s: f32) -> Self {
        [s; N]
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        (p as *const Self).read_unaligned()
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        (p as *mut Self).write_unaligned(self)
    }
    #[inline(always)]
    unsafe fn add_product(mut self, s: Self, row: Self) -> Self {
        for l in 0..N {
            self[l] += s[l] * row[l];
        }
        self
    }
    #[inline(always)]
    unsafe fn add(mut self, other: Self) -> Self {
        for l in 0..N {
            self[l] += other[l];
        }
        self
    }
}

#[cfg(target_arch = "x86_64")]
mod avx {
    use super::{body, Lanes};
    use std::arch::x86_64::*;
    use std::mem::MaybeUninit;

    /// The kernel compiled for AVX2+FMA, on AVX registers.
    ///
    /// Safety: as [`body`], on a CPU with AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn product(
        m: usize,
        k: usize,
        n: usize,
        a: &[f32],
        sa: (usize, usize),
        b: &[f32],
        sb: (usize, usize),
        c: &mut [f32],
        accumulate: bool,
        strip: &mut [MaybeUninit<f32>],
    ) {
        body::<__m256, __m128>(m, k, n, a, sa, b, sb, c, accumulate, strip)
    }

    impl Lanes for __m256 {
        const LANES: usize = 8;
        #[inline(always)]
        unsafe fn zero() -> Self {
            _mm256_setzero_ps()
        }
        #[inline(always)]
        unsafe fn splat(s: f32) -> Self {
            _mm256_set1_ps(s)
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            _mm256_loadu_ps(p)
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            _mm256_storeu_ps(p, self)
        }
        #[inline(always)]
        unsafe fn add_product(self, s: Self, row: Self) -> Self {
            _mm256_add_ps(self, _mm256_mul_ps(s, row))
        }
        #[inline(always)]
        unsafe fn add(self, other: Self) -> Self {
            _mm256_add_ps(self, other)
        }
    }

    impl Lanes for __m128 {
        const LANES: usize = 4;
        #[inline(always)]
        unsafe fn zero() -> Self {
            _mm_setzero_ps()
        }
        #[inline(always)]
        unsafe fn splat(s: f32) -> Self {
            _mm_set1_ps(s)
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            _mm_loadu_ps(p)
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            _mm_storeu_ps(p, self)
        }
        #[inline(always)]
        unsafe fn add_product(self, s: Self, row: Self) -> Self {
            _mm_add_ps(self, _mm_mul_ps(s, row))
        }
        #[inline(always)]
        unsafe fn add(self, other: Self) -> Self {
            _mm_add_ps(self, other)
        }
    }
}

/// The columns `jb..jb + width` of C (`n` columns) that one strip computes.
#[derive(Clone, Copy)]
struct Cols {
    jb: usize,
    width: usize,
    n: usize,
    accumulate: bool,
}

/// Where row `p` of a strip of B comes from: rows before `direct` in place in B (`stride`
/// apart), the others from the packed strip (`lanes` apart).
#[derive(Clone, Copy)]
struct Rows {
    b: *const f32,
    stride: usize,
    direct: usize,
    packed: *const f32,
    lanes: usize,
    k: usize,
}

/// Every strip of C, each with the vectors that fit its width (`V8` of 8 lanes, `V4` of 4).
///
/// Safety: A, B and C hold every element the shapes and strides address, `strip` at least
/// `16·k` values, and `m`, `k`, `n` are positive.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn body<V8: Lanes, V4: Lanes>(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    sa: (usize, usize),
    b: &[f32],
    sb: (usize, usize),
    c: &mut [f32],
    accumulate: bool,
    strip: &mut [MaybeUninit<f32>],
) {
    let mut jb = 0;
    while jb < n {
        let width = (n - jb).min(16);
        let cols = Cols { jb, width, n, accumulate };
        match width {
            1..=4 => one_strip::<V4, 1, 8>(m, k, a, sa, b, sb, c, cols, strip),
            5..=8 => one_strip::<V8, 1, 8>(m, k, a, sa, b, sb, c, cols, strip),
            _ => one_strip::<V8, 2, 4>(m, k, a, sa, b, sb, c, cols, strip),
        }
        jb += width;
    }
}

/// One strip of `Q` vectors (`cols.width` lanes used), rows of C in blocks of `R`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn one_strip<V: Lanes, const Q: usize, const R: usize>(
    m: usize,
    k: usize,
    a: &[f32],
    (rsa, csa): (usize, usize),
    b: &[f32],
    (rsb, csb): (usize, usize),
    c: &mut [f32],
    cols: Cols,
    strip: &mut [MaybeUninit<f32>],
) {
    let lanes = Q * V::LANES;
    let Cols { jb, width, .. } = cols;
    // Contiguous rows of B are read in place while all their lanes lie inside B (lanes past
    // `width` then hold the next row's values, in accumulators that are never stored).
    let direct = if csb == 1 && rsb > 0 && b.len() >= jb + lanes { ((b.len() - jb - lanes) / rsb + 1).min(k) } else { 0 };
    let packed = strip.as_mut_ptr() as *mut f32;
    for p in direct..k {
        let from = b.as_ptr().add(p * rsb + jb * csb);
        let to = packed.add((p - direct) * lanes);
        for q in 0..Q {
            V::zero().store(to.add(q * V::LANES));
        }
        for l in 0..width {
            *to.add(l) = *from.add(l * csb);
        }
    }
    let rows = Rows { b: b.as_ptr().add(jb), stride: rsb, direct, packed, lanes, k };
    let a = a.as_ptr();
    let mut i = 0;
    while i + R <= m {
        let acc = sum_rows::<V, Q, R>(a.add(i * rsa), rsa, csa, rows);
        for (r, acc) in acc.iter().enumerate() {
            store(c, i + r, acc, cols);
        }
        i += R;
    }
    while i < m {
        let acc = sum_rows::<V, Q, 1>(a.add(i * rsa), rsa, csa, rows);
        store(c, i, &acc[0], cols);
        i += 1;
    }
}

/// `Σ_p a[r, p] · B[p]` for the `R` rows from `a`, summed over `p` in order.
#[inline(always)]
unsafe fn sum_rows<V: Lanes, const Q: usize, const R: usize>(a: *const f32, rsa: usize, csa: usize, rows: Rows) -> [[V; Q]; R] {
    let mut acc = [[V::zero(); Q]; R];
    for p in 0..rows.direct {
        add_row(&mut acc, a.add(p * csa), rsa, rows.b.add(p * rows.stride));
    }
    for p in rows.direct..rows.k {
        add_row(&mut acc, a.add(p * csa), rsa, rows.packed.add((p - rows.direct) * rows.lanes));
    }
    acc
}

/// `acc[r] += a[r·rsa] · row` for each of the `R` rows (a function, not a closure: closures
/// are not inlined into the AVX build, and would then run without AVX).
#[inline(always)]
unsafe fn add_row<V: Lanes, const Q: usize, const R: usize>(acc: &mut [[V; Q]; R], a: *const f32, rsa: usize, row: *const f32) {
    let row: [V; Q] = std::array::from_fn(|q| V::load(row.add(q * V::LANES)));
    for (r, acc) in acc.iter_mut().enumerate() {
        let s = V::splat(*a.add(r * rsa));
        for q in 0..Q {
            acc[q] = acc[q].add_product(s, row[q]);
        }
    }
}

/// Writes (or adds) the first `cols.width` lanes of `acc` to row `i` of C: a whole strip as
/// vectors; a partial one through a buffer, in pieces of 8, 4 and single lanes.
#[inline(always)]
unsafe fn store<V: Lanes, const Q: usize>(c: &mut [f32], i: usize, acc: &[V; Q], cols: Cols) {
    let out = c.as_mut_ptr().add(i * cols.n + cols.jb);
    let accumulate = cols.accumulate;
    if cols.width == Q * V::LANES {
        for (q, v) in acc.iter().enumerate() {
            let o = out.add(q * V::LANES);
            let v = if accumulate { v.add(V::load(o)) } else { *v };
            v.store(o);
        }
        return;
    }
    let mut buf = [0.0f32; 16];
    for (q, v) in acc.iter().enumerate() {
        v.store(buf.as_mut_ptr().add(q * V::LANES));
    }
    let mut l = 0;
    if cols.width >= 8 {
        put::<8>(out, &buf, 0, accumulate);
        l = 8;
    }
    if cols.width - l >= 4 {
        put::<4>(out, &buf, l, accumulate);
        l += 4;
    }
    // At most three lanes are left: written one by one without a loop, which the compiler
    // would turn into a `memcpy` call.
    for d in 0..3 {
        if l + d < cols.width {
            put::<1>(out, &buf, l + d, accumulate);
        }
    }
}

/// `out[l..l + N] = buf[l..l + N]`, or `+=` when accumulating.
#[inline(always)]
unsafe fn put<const N: usize>(out: *mut f32, buf: &[f32; 16], l: usize, accumulate: bool) {
    let out = &mut *(out.add(l) as *mut [f32; N]);
    let v = &*(buf.as_ptr().add(l) as *const [f32; N]);
    if accumulate {
        out.iter_mut().zip(v).for_each(|(o, v)| *o += v);
    } else {
        *out = *v;
    }
}
