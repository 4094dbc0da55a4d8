//! The activation and noise layers (LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax,
//! GaussianNoise, GaussianDropout, AlphaDropout): every gradient against central differences,
//! the noise layers' statistics, their identity at inference, and their argument checks.

mod common;

use common::*;
use dense_mtl_core::graph::{Graph, Workspace};
use dense_mtl_core::rng::Rng;
use serde_json::{json, Value};

const ATOL: f64 = 1e-3;
const RTOL: f64 = 1e-2;
const WIDTH: usize = 4;
const ROWS: usize = 6;

/// `in(3) → dense "pre"(WIDTH) → layer`, the layer being the output.
fn graph_with(layer: Value, seed: u64) -> Graph {
    let dense = json!({
        "className": "Dense", "name": "pre", "units": WIDTH,
        "kernelInitializer": {"className": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.8, "seed": seed}},
        "biasInitializer": {"className": "RandomUniform", "config": {"minval": -0.5, "maxval": 0.5, "seed": seed + 1}},
    });
    graph(json!({
        "name": "m",
        "layers": [{"className": "InputLayer", "name": "in", "width": 3}, dense, layer],
        "nodes": [{"layer": 0}, {"layer": 1, "inputs": [0]}, {"layer": 2, "inputs": [1]}],
        "inputs": [0], "outputs": [2],
    }))
}

/// The random stream every training forward pass starts from, so that noise layers draw the same
/// noise for every probe of a central difference.
const NOISE_SEED: u64 = 99;

/// `Σ u · output` of a training forward pass, in f64.
fn objective(g: &Graph, ws: &mut Workspace, x: &[f32], u: &[f32]) -> f64 {
    ws.load_range(g, &[x], 0, ROWS);
    ws.rng = Rng::new(Some(NOISE_SEED));
    g.forward(ws, ROWS, true);
    ws.outs[2][..ROWS * WIDTH].iter().zip(u).map(|(&o, &u)| o as f64 * u as f64).sum()
}

/// Forward and backward with d objective / d output = `u`; every weight's gradient in layer order.
fn analytic(g: &Graph, ws: &mut Workspace, x: &[f32], u: &[f32]) -> Vec<Vec<f32>> {
    objective(g, ws, x, u);
    ws.grad_written.iter_mut().for_each(|w| *w = false);
    ws.grads[2][..ROWS * WIDTH].copy_from_slice(u);
    ws.grad_written[2] = true;
    g.backward(ws, ROWS);
    ws.param_grads.clone()
}

/// Checks every weight gradient (the dense layer's, which need the layer's input gradient, and
/// the layer's own) against central differences. `kinks` are inputs of the layer where its
/// derivative jumps: the data is redrawn until every pre-activation is well away from them.
fn check_gradients(layer: Value, kinks: &[f32], what: &str) {
    let (mut g, x, u) = (1..50)
        .map(|seed| {
            let g = graph_with(layer.clone(), seed);
            let mut rng = TestRng::new(seed);
            (g, rng.vec(ROWS * 3, -1.5, 1.5), rng.vec(ROWS * WIDTH, -1.0, 1.0))
        })
        .find(|(g, x, _)| {
            let mut ws = Workspace::new(g, ROWS, false).unwrap();
            ws.load_range(g, &[x], 0, ROWS);
            g.forward(&mut ws, ROWS, false);
            let pre = &ws.outs[1][..ROWS * WIDTH];
            pre.iter().all(|p| kinks.iter().all(|k| (p - k).abs() > 0.05)) && kinks.iter().all(|k| pre.iter().any(|p| p < k) && pre.iter().any(|p| p > k))
        })
        .unwrap_or_else(|| panic!("{what}: no seed puts the pre-activations on both sides of {kinks:?} and away from them"));
    let mut ws = Workspace::new(&g, ROWS, true).unwrap();
    let grads = analytic(&g, &mut ws, &x, &u);
    let mut checked = 0;
    for li in 0..g.layers.len() {
        for wi in 0..g.layers[li].params().len() {
            let pi = ws.param_index[li] + wi;
            let label = format!("{what}: d objective / d {}/{}", g.layers[li].name, g.layers[li].params()[wi].name);
            assert!(ws.param_written[pi], "{label}: no gradient written");
            let n = grads[pi].len();
            let numeric: Vec<f64> = (0..n)
                .map(|j| {
                    let orig = g.layers[li].params()[wi].values[j];
                    let mut probe = Workspace::new(&g, ROWS, true).unwrap();
                    central_difference_in(&mut g, orig, 1e-3, |g, v| g.layers[li].params_mut()[wi].values[j] = v, |g| objective(g, &mut probe, &x, &u))
                })
                .collect();
            assert_close(&grads[pi], &numeric, ATOL, RTOL, &label);
            assert!(grads[pi].iter().any(|v| v.abs() > 1e-3), "{label}: all (near) zero, the check would be vacuous: {:?}", grads[pi]);
            checked += n;
        }
    }
    assert!(checked >= 3 * WIDTH + WIDTH, "{what}: checked {checked} values");
}

#[test]
fn leaky_relu_gradients_match_central_differences() {
    check_gradients(json!({"className": "LeakyReLU", "name": "l", "alpha": 0.3}), &[0.0], "leakyReLU(0.3)");
    check_gradients(json!({"className": "LeakyReLU", "name": "l", "alpha": -0.7}), &[0.0], "leakyReLU(-0.7)");
}

#[test]
fn prelu_gradients_match_central_differences_for_alpha_too() {
    let init = json!({"className": "RandomUniform", "config": {"minval": 0.1, "maxval": 0.9, "seed": 5}});
    check_gradients(json!({"className": "PReLU", "name": "p", "alphaInitializer": init}), &[0.0], "prelu per feature");
    check_gradients(json!({"className": "PReLU", "name": "p", "alphaInitializer": init, "sharedAxes": [1]}), &[0.0], "prelu shared");
}

#[test]
fn elu_gradients_match_central_differences() {
    check_gradients(json!({"className": "ELU", "name": "e"}), &[0.0], "elu");
    check_gradients(json!({"className": "ELU", "name": "e", "alpha": 0.5}), &[0.0], "elu(0.5)");
}

#[test]
fn thresholded_relu_gradients_match_central_differences() {
    check_gradients(json!({"className": "ThresholdedReLU", "name": "t", "theta": 0.2}), &[0.2], "thresholdedReLU(0.2)");
}

#[test]
fn softmax_gradients_match_central_differences() {
    check_gradients(json!({"className": "Softmax", "name": "s"}), &[], "softmax");
}

#[test]
fn noise_layer_gradients_match_central_differences_with_the_noise_held() {
    check_gradients(json!({"className": "GaussianNoise", "name": "n", "stddev": 0.5}), &[], "gaussianNoise");
    check_gradients(json!({"className": "GaussianDropout", "name": "n", "rate": 0.3}), &[], "gaussianDropout");
    check_gradients(json!({"className": "AlphaDropout", "name": "n", "rate": 0.3}), &[], "alphaDropout");
    check_gradients(json!({"className": "AlphaDropout", "name": "n", "rate": 0.3, "noiseShape": [1, null]}), &[], "alphaDropout [1, null]");
}

// ---------------------------------------------------------------------------------------------
// Noise layers: statistics, the gradient is the noise applied, identity at inference
// ---------------------------------------------------------------------------------------------

/// `in(width) → layer`, the layer being the output.
fn single(layer: Value, width: usize) -> Graph {
    graph(json!({
        "name": "m",
        "layers": [{"className": "InputLayer", "name": "in", "width": width}, layer],
        "nodes": [{"layer": 0}, {"layer": 1, "inputs": [0]}],
        "inputs": [0], "outputs": [1],
    }))
}

/// One forward pass over `x` (`rows × width`); the output and what the layer saved.
fn run(g: &Graph, ws: &mut Workspace, x: &[f32], rows: usize, training: bool) -> (Vec<f32>, Vec<f32>) {
    let width = x.len() / rows;
    ws.load_range(g, &[x], 0, rows);
    g.forward(ws, rows, training);
    let saved = ws.saved[1][..rows * ws.saved_widths[1]].to_vec();
    (ws.outs[1][..rows * width].to_vec(), saved)
}

/// Sends `u` back through the layer; the gradient it passes to its input (the input node's
/// buffer, which the graph leaves untouched for a model input, is read from the layer's own
/// gradient after backward overwrote it in place).
fn input_gradient(g: &Graph, ws: &mut Workspace, u: &[f32], rows: usize) -> Vec<f32> {
    ws.grad_written.iter_mut().for_each(|w| *w = false);
    ws.grads[1][..u.len()].copy_from_slice(u);
    ws.grad_written[1] = true;
    g.backward(ws, rows);
    ws.grads[1][..u.len()].to_vec()
}

fn mean_var(v: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let n = v.clone().count() as f64;
    let mean = v.clone().sum::<f64>() / n;
    (mean, v.map(|x| (x - mean) * (x - mean)).sum::<f64>() / n)
}

const N_ROWS: usize = 4000;
const N_WIDTH: usize = 5;

fn ramp() -> Vec<f32> {
    (0..N_ROWS * N_WIDTH).map(|i| (i % 17) as f32 * 0.25 - 2.0).collect()
}

#[test]
fn gaussian_noise_adds_zero_mean_noise_of_stddev_in_training_only() {
    let g = single(json!({"className": "GaussianNoise", "name": "n", "stddev": 0.7}), N_WIDTH);
    let x = ramp();
    let mut ws = Workspace::new(&g, N_ROWS, true).unwrap();
    let (out, _) = run(&g, &mut ws, &x, N_ROWS, true);
    let n = out.len() as f64;
    let (mean, var) = mean_var(out.iter().zip(&x).map(|(&o, &xv)| (o - xv) as f64));
    assert!(mean.abs() < 4.0 * 0.7 / n.sqrt(), "noise mean {mean}");
    assert!((var / 0.49 - 1.0).abs() < 0.05, "noise variance {var}, expected 0.49");
    let (again, _) = run(&g, &mut ws, &x, N_ROWS, true);
    assert_ne!(again, out, "each training pass draws new noise");
    let u: Vec<f32> = (0..x.len()).map(|i| (i % 7) as f32 - 3.0).collect();
    assert_eq!(input_gradient(&g, &mut ws, &u, N_ROWS), u, "additive noise passes the gradient unchanged");
    let mut inference = Workspace::new(&g, N_ROWS, false).unwrap();
    assert_eq!(run(&g, &mut inference, &x, N_ROWS, false).0, x, "the identity at inference");
    assert_eq!(run(&g, &mut ws, &x, N_ROWS, false).0, x, "the identity when a training workspace runs in inference mode");
}

#[test]
fn gaussian_dropout_multiplies_by_noise_of_mean_one_and_the_gradient_by_the_same_noise() {
    let rate: f64 = 0.3;
    let g = single(json!({"className": "GaussianDropout", "name": "n", "rate": rate}), N_WIDTH);
    let x = ramp();
    let mut ws = Workspace::new(&g, N_ROWS, true).unwrap();
    let (out, noise) = run(&g, &mut ws, &x, N_ROWS, true);
    let expected_var = rate / (1.0 - rate);
    let (mean, var) = mean_var(noise.iter().map(|&v| v as f64));
    let n = noise.len() as f64;
    assert!((mean - 1.0).abs() < 4.0 * expected_var.sqrt() / n.sqrt(), "noise mean {mean}");
    assert!((var / expected_var - 1.0).abs() < 0.05, "noise variance {var}, expected {expected_var}");
    out.iter().zip(&x).zip(&noise).for_each(|((&o, &xv), &m)| assert_eq!(o, xv * m, "output = input × noise"));
    let u: Vec<f32> = (0..x.len()).map(|i| (i % 7) as f32 - 3.0).collect();
    let expected: Vec<f32> = u.iter().zip(&noise).map(|(&g, &m)| g * m).collect();
    assert_eq!(input_gradient(&g, &mut ws, &u, N_ROWS), expected, "the gradient is the same noise applied");
    let mut inference = Workspace::new(&g, N_ROWS, false).unwrap();
    assert_eq!(run(&g, &mut inference, &x, N_ROWS, false).0, x, "the identity at inference");
    let off = single(json!({"className": "GaussianDropout", "name": "n", "rate": 0.0}), N_WIDTH);
    let mut ws0 = Workspace::new(&off, N_ROWS, true).unwrap();
    assert_eq!(run(&off, &mut ws0, &x, N_ROWS, true).0, x, "rate 0 is the identity in training too");
}

/// The affine correction from the paper's form (Klambauer et al. 2017, section "alpha
/// dropout"): with q = 1 − rate, a = (q + α'²·q·(1 − q))^(−1/2) and b = −a·(1 − q)·α'.
fn paper_affine(rate: f64) -> (f64, f64, f64) {
    let alpha_p = -1.0507009873554805 * 1.6732632423543772;
    let q = 1.0 - rate;
    let a = (q + alpha_p * alpha_p * q * (1.0 - q)).powf(-0.5);
    (alpha_p, a, -a * (1.0 - q) * alpha_p)
}

#[test]
fn alpha_dropout_applies_tfjs_affine_correction_to_kept_and_dropped_values() {
    let rate = 0.2;
    let (alpha_p, a, b) = paper_affine(rate);
    let g = single(json!({"className": "AlphaDropout", "name": "n", "rate": rate}), N_WIDTH);
    // Zero mean, unit variance inputs: uniform on ±√3.
    let mut trng = TestRng::new(3);
    let x = trng.vec(N_ROWS * N_WIDTH, -3f32.sqrt(), 3f32.sqrt());
    let mut ws = Workspace::new(&g, N_ROWS, true).unwrap();
    let (out, kept) = run(&g, &mut ws, &x, N_ROWS, true);
    assert!(kept.iter().all(|&k| k == 0.0 || k == 1.0), "flags are 0 or 1");
    let dropped = kept.iter().filter(|&&k| k == 0.0).count() as f64 / kept.len() as f64;
    assert!((dropped - rate).abs() < 0.015, "dropped fraction {dropped}, expected {rate}");
    // TF.js's `(kept − 1)·α'` puts a dropped value at −α' (the paper: α').
    for ((&o, &xv), &k) in out.iter().zip(&x).zip(&kept) {
        let expected = if k == 1.0 { a * xv as f64 + b } else { -a * alpha_p + b };
        assert!((o as f64 - expected).abs() < 1e-5, "out {o} expected {expected} (x {xv}, kept {k})");
    }
    // So the variance stays 1 and the mean moves from 0 to −2a·rate·α'.
    let (mean, var) = mean_var(out.iter().map(|&v| v as f64));
    let expected_mean = -2.0 * a * rate * alpha_p;
    assert!((mean - expected_mean).abs() < 0.04, "output mean {mean}, expected {expected_mean}");
    assert!((var - 1.0).abs() < 0.05, "output variance {var}, expected 1");
    let u: Vec<f32> = (0..x.len()).map(|i| (i % 7) as f32 - 3.0).collect();
    let grad = input_gradient(&g, &mut ws, &u, N_ROWS);
    for ((&gv, &uv), &k) in grad.iter().zip(&u).zip(&kept) {
        assert!((gv as f64 - a * uv as f64 * k as f64).abs() < 1e-5, "gradient {gv}, expected a·kept·{uv}");
    }
    let mut inference = Workspace::new(&g, N_ROWS, false).unwrap();
    assert_eq!(run(&g, &mut inference, &x, N_ROWS, false).0, x, "the identity at inference");
}

#[test]
fn alpha_dropout_noise_shape_broadcasts_one_flag_per_feature_or_per_row() {
    let x = ramp();
    let rows = |v: &[f32]| v.chunks(N_WIDTH).map(<[f32]>::to_vec).collect::<Vec<_>>();
    // [1, null]: one set of flags for the whole batch.
    let g = single(json!({"className": "AlphaDropout", "name": "n", "rate": 0.5, "noiseShape": [1, null]}), N_WIDTH);
    let mut ws = Workspace::new(&g, N_ROWS, true).unwrap();
    let kept = run(&g, &mut ws, &x, N_ROWS, true).1;
    let r = rows(&kept);
    assert!(r.iter().all(|row| *row == r[0]), "every row has the first row's flags");
    // [null, 1]: each row kept or dropped whole.
    let g = single(json!({"className": "AlphaDropout", "name": "n", "rate": 0.5, "noiseShape": [null, 1]}), N_WIDTH);
    let mut ws = Workspace::new(&g, N_ROWS, true).unwrap();
    let kept = run(&g, &mut ws, &x, N_ROWS, true).1;
    let r = rows(&kept);
    assert!(r.iter().all(|row| row.iter().all(|&k| k == row[0])), "each row all kept or all dropped");
    let dropped = r.iter().filter(|row| row[0] == 0.0).count() as f64 / N_ROWS as f64;
    assert!((dropped - 0.5).abs() < 0.04, "about half the rows dropped, got {dropped}");
}

// ---------------------------------------------------------------------------------------------
// Argument checks
// ---------------------------------------------------------------------------------------------

fn build_error(layer: Value) -> String {
    let config: dense_mtl_core::GraphConfig = serde_json::from_value(json!({
        "name": "m",
        "layers": [{"className": "InputLayer", "name": "in", "width": 3}, layer],
        "nodes": [{"layer": 0}, {"layer": 1, "inputs": [0]}],
        "inputs": [0], "outputs": [1],
    }))
    .expect("config JSON");
    Graph::build(&config).expect_err("the config should be refused").to_string()
}

#[test]
fn bad_arguments_are_refused_naming_the_layer_and_the_argument() {
    let cases = [
        (json!({"className": "GaussianNoise", "name": "g", "stddev": -0.1}), "gaussianNoise 'g': stddev must be a finite number >= 0 but got -0.1"),
        (json!({"className": "GaussianDropout", "name": "g", "rate": 1.0}), "gaussianDropout 'g': rate must be a number in [0, 1) but got 1"),
        (json!({"className": "AlphaDropout", "name": "a", "rate": -0.5}), "alphaDropout 'a': rate must be a number in [0, 1) but got -0.5"),
        (
            json!({"className": "AlphaDropout", "name": "a", "rate": 0.1, "noiseShape": [2, 3]}),
            "alphaDropout 'a': noiseShape must be [batch, features] with batch null or 1 and features null, 1 or 3 (the input's width) but got [2,3]",
        ),
        (
            json!({"className": "AlphaDropout", "name": "a", "rate": 0.1, "noiseShape": [null]}),
            "alphaDropout 'a': noiseShape must be [batch, features] with batch null or 1 and features null, 1 or 3 (the input's width) but got [null]",
        ),
        (
            json!({"className": "PReLU", "name": "p", "sharedAxes": [2]}),
            "prelu 'p': sharedAxes must list axes of the input other than the batch axis (only 1, the features axis, for [batch, features] data) but got 2",
        ),
        (json!({"className": "Softmax", "name": "s", "axis": 0}), "softmax 's': axis must be 1 or -1 (the features axis of [batch, features] data) but got 0"),
        (
            json!({"className": "Softmax", "name": "s", "axis": [1, -1]}),
            "softmax 's': axis must be 1 or -1 (the features axis of [batch, features] data) but got [1, -1]",
        ),
    ];
    for (layer, message) in cases {
        assert_eq!(build_error(layer), message);
    }
}
