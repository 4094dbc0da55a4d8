//! Seeded random numbers for initializers, dropout and shuffling, on the `rand` crate's
//! `StdRng` (a well-reviewed generator; we only add the distributions TF.js uses).

use rand::{rngs::StdRng, Rng as _, SeedableRng};
use rand_distr::StandardNormal;
use std::sync::atomic::{AtomicU64, Ordering};

/// A random stream: reproducible when seeded, otherwise different on every call. A clone
/// continues the same stream (it does not reseed), so a cloned model draws what the original would.
#[derive(Clone, Debug)]
pub struct Rng(StdRng);

static UNSEEDED: AtomicU64 = AtomicU64::new(0);

impl Rng {
    /// A stream from `seed`, or a fresh one (clock plus a process-wide counter) without it.
    pub fn new(seed: Option<u64>) -> Self {
        let seed = seed.unwrap_or_else(|| {
            let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
            nanos ^ UNSEEDED.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        });
        Rng(StdRng::seed_from_u64(seed))
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.0.random::<f32>()
    }

    /// Standard normal.
    pub fn normal(&mut self) -> f32 {
        self.0.sample(StandardNormal)
    }

    /// Standard normal, redrawn until within two standard deviations (as TF.js's truncatedNormal).
    pub fn truncated_normal(&mut self) -> f32 {
        loop {
            let v = self.normal();
            if v.abs() <= 2.0 {
                return v;
            }
        }
    }

    /// A uniformly random index below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0.random_range(0..n)
    }

    /// Shuffles in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}
