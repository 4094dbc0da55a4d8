//! Helpers shared by the integration tests: tolerant comparisons, central differences and small
//! builders for graphs and models described in the JSON the JavaScript layer sends.
#![allow(dead_code)]

use dense_mtl_core::model::Batchable;
use dense_mtl_core::{CompileConfig, Graph, GraphConfig, Model};
use serde_json::{json, Value};

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

// ---------------------------------------------------------------------------------------------
// Graph gradients against central differences (gradcheck.rs, gated_experts.rs)
// ---------------------------------------------------------------------------------------------

/// Tolerances of [`check_graph_gradients`].
pub const GRADIENT_ATOL: f64 = 1e-3;
pub const GRADIENT_RTOL: f64 = 1e-2;

/// A Dense layer with seeded initializers (non-zero bias so that bias gradients matter).
pub fn dense(name: &str, units: usize, activation: &str, seed: u64) -> Value {
    json!({
        "className": "Dense", "name": name, "units": units, "activation": activation,
        "kernelInitializer": {"className": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.7, "seed": seed}},
        "biasInitializer": {"className": "RandomUniform", "config": {"minval": -0.3, "maxval": 0.3, "seed": seed + 1000}},
    })
}

pub fn input(name: &str, width: usize) -> Value {
    json!({"className": "InputLayer", "name": name, "width": width})
}

/// A chain `in(width) -> layers...` with one node per layer.
pub fn chain(width: usize, layers: Vec<Value>) -> Value {
    let mut all = vec![input("in", width)];
    all.extend(layers);
    let nodes: Vec<Value> = (0..all.len()).map(|i| if i == 0 { json!({"layer": 0, "inputs": []}) } else { json!({"layer": i, "inputs": [i - 1]}) }).collect();
    let last = all.len() - 1;
    json!({"name": "m", "layers": all, "nodes": nodes, "inputs": [0], "outputs": [last]})
}

pub fn compile_json(heads: &[(&str, f32)]) -> Value {
    let heads: Vec<Value> = heads.iter().map(|(loss, w)| json!({"loss": loss, "metrics": [], "lossWeight": w})).collect();
    json!({"optimizer": {"className": "SGD", "config": {"learningRate": 0.0}}, "heads": heads})
}

/// Batch-mean loss as training sees it (Σ_h w_h · mean_i loss_h,i), without regularization.
pub fn total_loss(model: &Model, xs: &[&[f32]], ys: &[&[f32]], rows: usize) -> f64 {
    let data = Batchable { sample_weights: Vec::new(), xs: xs.to_vec(), ys: ys.to_vec(), rows };
    model.evaluate(&data, rows).expect("evaluate")[0]
}

/// Every weight's gradient of [`total_loss`], computed the way `Model::train_step` does it:
/// forward, d loss / d output scaled by `loss_weight / rows` into the output nodes' grads,
/// backward. `None` for weights that received no gradient (frozen layers).
/// Per weight (layer, weight index), its analytic gradient, or None when it gets none.
pub type WeightGradients = Vec<((usize, usize), Option<Vec<f32>>)>;

pub fn analytic_gradients(model: &Model, xs: &[&[f32]], ys: &[&[f32]], rows: usize) -> WeightGradients {
    let mut buf = model.buffers(rows, true).unwrap();
    let ws = &mut buf.ws;
    let indices: Vec<usize> = (0..rows).collect();
    ws.load_rows(&model.graph, xs, &indices);
    model.graph.forward(ws, rows, true);
    ws.grad_written.iter_mut().for_each(|w| *w = false);
    for (h, head) in model.heads.iter().enumerate() {
        let node = model.graph.outputs[h];
        let pred = ws.outs[node][..rows * head.width].to_vec();
        let grad = &mut ws.grads[node][..rows * head.width];
        let mut per_sample = vec![0.0; rows];
        head.loss.compute(&ys[h][..rows * head.target_width], &pred, head.width, &mut per_sample, Some(grad));
        let scale = head.loss_weight / rows as f32;
        grad.iter_mut().for_each(|g| *g *= scale);
        ws.grad_written[node] = true;
    }
    model.graph.backward(ws, rows);
    let mut out = Vec::new();
    for (li, layer) in model.graph.layers.iter().enumerate() {
        for wi in 0..layer.params().len() {
            let pi = ws.param_index[li] + wi;
            out.push(((li, wi), ws.param_written[pi].then(|| ws.param_grads[pi].clone())));
        }
    }
    out
}

/// Compares every trainable weight's analytic gradient with central differences of the total
/// loss; checks that frozen layers get none. Returns the number of scalars checked.
pub fn check_graph_gradients(model: &mut Model, xs: &[&[f32]], ys: &[&[f32]], rows: usize, what: &str) -> usize {
    let analytic = analytic_gradients(model, xs, ys, rows);
    assert!(!analytic.is_empty(), "{what}: the model has no weights");
    let mut checked = 0;
    for ((li, wi), grad) in analytic {
        let layer = &model.graph.layers[li];
        let label = format!("{what}: d loss / d {}/{}", layer.name, layer.params()[wi].name);
        let trainable = layer.trainable;
        let Some(grad) = grad else {
            assert!(!trainable, "{label}: trainable weight got no gradient");
            continue;
        };
        assert!(trainable, "{label}: frozen weight got a gradient");
        let n = grad.len();
        let mut numeric = Vec::with_capacity(n);
        for j in 0..n {
            let orig = model.graph.layers[li].params()[wi].values[j];
            numeric.push(central_difference_in(model, orig, 1e-3, |m, v| m.graph.layers[li].params_mut()[wi].values[j] = v, |m| total_loss(m, xs, ys, rows)));
        }
        assert_close(&grad, &numeric, GRADIENT_ATOL, GRADIENT_RTOL, &label);
        assert!(grad.iter().any(|&g| g.abs() > 1e-4), "{label}: gradient is all (near) zero {grad:?}; the check would be vacuous");
        checked += n;
    }
    checked
}
