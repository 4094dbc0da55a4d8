//! Helpers shared by the integration tests: tolerant comparisons, central differences and small
//! builders for graphs and models described in the JSON the JavaScript layer sends.
#![allow(dead_code)]

use dense_mtl_core::{CompileConfig, Graph, GraphConfig, Model};

/// Whether `actual` is within `atol + rtol * |expected|` of `expected` (NaN never is).
pub fn is_close(actual: f64, expected: f64, atol: f64, rtol: f64) -> bool {
    (actual - expected).abs() <= atol + rtol * expected.abs()
}

/// Asserts `|actual[i] - expected[i]| <= atol + rtol * |expected[i]|` for every `i`, and equal
/// lengths. On failure, lists every element out of tolerance (index, both values, the error and
/// the allowed error), prefixed by `what`.
pub fn assert_close<A, E>(actual: &[A], expected: &[E], atol: f64, rtol: f64, what: &str)
where
    A: Copy + Into<f64>,
    E: Copy + Into<f64>,
{
    assert_eq!(actual.len(), expected.len(), "{what}: length differs (actual {} vs expected {})", actual.len(), expected.len());
    let mut bad = Vec::new();
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let (a, e): (f64, f64) = (a.into(), e.into());
        if !is_close(a, e, atol, rtol) {
            bad.push(format!("  [{i}] actual {a:.9e} expected {e:.9e} |diff| {:.3e} > allowed {:.3e}", (a - e).abs(), atol + rtol * e.abs()));
        }
    }
    assert!(
        bad.is_empty(),
        "{what}: {} of {} element(s) out of tolerance (atol {atol:e}, rtol {rtol:e}):\n{}\nactual:   {:?}\nexpected: {:?}",
        bad.len(),
        actual.len(),
        bad.join("\n"),
        actual.iter().map(|&v| v.into()).collect::<Vec<f64>>(),
        expected.iter().map(|&v| v.into()).collect::<Vec<f64>>(),
    );
}

/// Scalar form of [`assert_close`].
pub fn assert_close1(actual: impl Into<f64>, expected: impl Into<f64>, atol: f64, rtol: f64, what: &str) {
    assert_close(&[actual.into()], &[expected.into()], atol, rtol, what);
}

/// Central-difference gradient of `f` at `x`: `(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)` for
/// every coordinate `i`. `x` is restored after each probe. The step actually taken is the
/// difference of the perturbed f32 values, so rounding of `x ± eps` does not bias the result.
pub fn central_difference(x: &mut [f32], eps: f32, mut f: impl FnMut(&[f32]) -> f64) -> Vec<f64> {
    let mut grad = Vec::with_capacity(x.len());
    for i in 0..x.len() {
        let orig = x[i];
        x[i] = orig + eps;
        let hi = x[i];
        let f_hi = f(x);
        x[i] = orig - eps;
        let lo = x[i];
        let f_lo = f(x);
        x[i] = orig;
        grad.push((f_hi - f_lo) / (hi as f64 - lo as f64));
    }
    grad
}

/// Central difference along one coordinate that lives inside some state (a weight inside a
/// model): `set(state, v)` stores `v`, `f(state)` evaluates. The original value is restored.
pub fn central_difference_in<S>(state: &mut S, orig: f32, eps: f32, mut set: impl FnMut(&mut S, f32), mut f: impl FnMut(&S) -> f64) -> f64 {
    let (hi, lo) = (orig + eps, orig - eps);
    set(state, hi);
    let f_hi = f(state);
    set(state, lo);
    let f_lo = f(state);
    set(state, orig);
    (f_hi - f_lo) / (hi as f64 - lo as f64)
}

/// A small deterministic generator for test inputs (SplitMix64), independent of the core's RNG.
pub struct TestRng(u64);

impl TestRng {
    pub fn new(seed: u64) -> Self {
        TestRng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        let u = (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
        lo + (hi - lo) * u
    }

    pub fn vec(&mut self, n: usize, lo: f32, hi: f32) -> Vec<f32> {
        (0..n).map(|_| self.uniform(lo, hi)).collect()
    }
}

/// Parses JSON into a [`GraphConfig`] and builds it, panicking with the error on failure.
pub fn graph(json: serde_json::Value) -> Graph {
    let config: GraphConfig = serde_json::from_value(json).expect("graph config JSON");
    Graph::build(&config).unwrap_or_else(|e| panic!("Graph::build failed: {e}"))
}

/// Builds a graph and compiles it with `compile` (JSON for [`CompileConfig`]).
pub fn compiled_model(graph_json: serde_json::Value, compile_json: serde_json::Value) -> Model {
    let mut model = Model::new(graph(graph_json));
    let config: CompileConfig = serde_json::from_value(compile_json).expect("compile config JSON");
    model.compile(&config).unwrap_or_else(|e| panic!("compile failed: {e}"));
    model
}

/// Copies `values` into weight `wi` of the layer named `layer`.
pub fn set_weight(model: &mut Model, layer: &str, wi: usize, values: &[f32]) {
    let l = model.graph.layers.iter_mut().find(|l| l.name == layer).unwrap_or_else(|| panic!("no layer '{layer}'"));
    let mut ws: Vec<&mut [f32]> = l.params_mut().iter_mut().map(|p| p.values.as_mut_slice()).collect();
    assert_eq!(ws[wi].len(), values.len(), "layer '{layer}' weight {wi}: size");
    ws[wi].copy_from_slice(values);
}

/// The values of weight `wi` of the layer named `layer`.
pub fn weight(model: &Model, layer: &str, wi: usize) -> Vec<f32> {
    let l = model.graph.layers.iter().find(|l| l.name == layer).unwrap_or_else(|| panic!("no layer '{layer}'"));
    l.params()[wi].values.clone()
}
