//! Batch and layer normalization: gradients against central differences of the training-mode
//! loss (batch statistics included), moving statistics against a hand computation of TF.js's
//! update, inference with the moving statistics, frozen layers, option checks, and the
//! workspace accounting of what the layers keep per batch.

mod common;

use common::*;
use dense_mtl_core::graph::Workspace;
use dense_mtl_core::model::Batchable;
use dense_mtl_core::{GraphConfig, Model};
use serde_json::{json, Value};

const ATOL: f64 = 1e-3;
const RTOL: f64 = 1e-2;

fn input(width: usize) -> Value {
    json!({"className": "InputLayer", "name": "in", "width": width})
}

fn dense(name: &str, units: usize, activation: &str, seed: u64) -> Value {
    json!({
        "className": "Dense", "name": name, "units": units, "activation": activation,
        "kernelInitializer": {"className": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.7, "seed": seed}},
        "biasInitializer": {"className": "RandomUniform", "config": {"minval": -0.3, "maxval": 0.3, "seed": seed + 1000}},
    })
}

/// A normalization layer with gamma and beta away from 1 and 0 (so that their gradients and
/// their place in the formulas matter).
fn norm(class: &str, name: &str, extra: Value) -> Value {
    let mut layer = json!({
        "className": class, "name": name,
        "gammaInitializer": {"className": "RandomUniform", "config": {"minval": 0.5, "maxval": 1.5, "seed": 5}},
        "betaInitializer": {"className": "RandomUniform", "config": {"minval": -0.5, "maxval": 0.5, "seed": 6}},
    });
    layer.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    layer
}

/// A chain `in(width) -> layers...` with one node per layer.
fn chain(width: usize, layers: Vec<Value>) -> Value {
    let mut all = vec![input(width)];
    all.extend(layers);
    let nodes: Vec<Value> = (0..all.len()).map(|i| if i == 0 { json!({"layer": 0, "inputs": []}) } else { json!({"layer": i, "inputs": [i - 1]}) }).collect();
    let last = all.len() - 1;
    json!({"name": "m", "layers": all, "nodes": nodes, "inputs": [0], "outputs": [last]})
}

fn sgd(lr: f32) -> Value {
    json!({"optimizer": {"className": "SGD", "config": {"learningRate": lr}}, "heads": [{"loss": "meanSquaredError", "metrics": [], "lossWeight": 1.0}]})
}

/// The loss as a training step sees it: a training-mode forward pass (batch statistics).
fn training_loss(model: &Model, x: &[f32], y: &[f32], rows: usize) -> f64 {
    let mut ws = Workspace::new(&model.graph, rows, true).unwrap();
    ws.load_range(&model.graph, &[x], 0, rows);
    model.graph.forward(&mut ws, rows, true);
    let head = &model.heads[0];
    let pred = &ws.outs[model.graph.outputs[0]][..rows * head.width];
    let mut per_sample = vec![0.0; rows];
    head.loss.compute(y, pred, head.width, &mut per_sample, None);
    per_sample.iter().map(|&v| v as f64).sum::<f64>() / rows as f64
}

/// Per weight (layer, weight index), its analytic gradient, or None when it gets none.
type WeightGradients = Vec<((usize, usize), Option<Vec<f32>>)>;

/// Every weight's gradient after one training-mode forward and backward pass.
fn analytic_gradients(model: &Model, x: &[f32], y: &[f32], rows: usize) -> WeightGradients {
    let mut ws = Workspace::new(&model.graph, rows, true).unwrap();
    ws.load_range(&model.graph, &[x], 0, rows);
    model.graph.forward(&mut ws, rows, true);
    ws.grad_written.iter_mut().for_each(|w| *w = false);
    let head = &model.heads[0];
    let node = model.graph.outputs[0];
    let pred = ws.outs[node][..rows * head.width].to_vec();
    let mut per_sample = vec![0.0; rows];
    head.loss.compute(y, &pred, head.width, &mut per_sample, Some(&mut ws.grads[node][..rows * head.width]));
    ws.grads[node][..rows * head.width].iter_mut().for_each(|g| *g /= rows as f32);
    ws.grad_written[node] = true;
    model.graph.backward(&mut ws, rows);
    let mut out = Vec::new();
    for (li, layer) in model.graph.layers.iter().enumerate() {
        for wi in 0..layer.params().len() {
            let pi = ws.param_index[li] + wi;
            out.push(((li, wi), ws.param_written[pi].then(|| ws.param_grads[pi].clone())));
        }
    }
    out
}

/// Checks every gradient a trainable weight gets against central differences of
/// [`training_loss`]; returns the names of the weights checked. Weights that get no gradient
/// must be the moving statistics or a frozen layer's.
fn check_gradients(model: &mut Model, x: &[f32], y: &[f32], rows: usize, what: &str) -> Vec<String> {
    let mut checked = Vec::new();
    for ((li, wi), grad) in analytic_gradients(model, x, y, rows) {
        let layer = &model.graph.layers[li];
        let id = format!("{}/{}", layer.name, layer.params()[wi].name);
        let (label, learns) = (format!("{what}: d loss / d {id}"), layer.learns(wi));
        let Some(grad) = grad else {
            assert!(!learns, "{label}: a weight that trains got no gradient");
            continue;
        };
        assert!(learns, "{label}: a weight that does not train got a gradient");
        let numeric: Vec<f64> = (0..grad.len())
            .map(|j| {
                let orig = model.graph.layers[li].params()[wi].values[j];
                central_difference_in(model, orig, 1e-3, |m, v| m.graph.layers[li].params_mut()[wi].values[j] = v, |m| training_loss(m, x, y, rows))
            })
            .collect();
        assert_close(&grad, &numeric, ATOL, RTOL, &label);
        assert!(grad.iter().any(|&g| g.abs() > 1e-4), "{label}: gradient is all (near) zero {grad:?}; the check would be vacuous");
        checked.push(id);
    }
    checked
}

fn data(rows: usize, width: usize, out: usize, seed: u64) -> (Vec<f32>, Vec<f32>) {
    let mut rng = TestRng::new(seed);
    (rng.vec(rows * width, -2.0, 2.0), rng.vec(rows * out, -1.0, 1.0))
}

#[test]
fn batch_norm_training_gradients_match_central_differences() {
    // dense -> BN -> tanh dense: the first kernel's gradient passes through BN's input gradient,
    // which includes the batch mean's and variance's dependence on every row.
    let rows = 6;
    let (x, y) = data(rows, 3, 2, 1);
    for (case, extra) in [json!({}), json!({"center": false}), json!({"scale": false}), json!({"center": false, "scale": false})].into_iter().enumerate() {
        let layers = vec![dense("d1", 4, "tanh", 11), norm("BatchNormalization", "bn", extra.clone()), dense("d2", 2, "tanh", 12)];
        let mut model = compiled_model(chain(3, layers), sgd(0.1));
        let checked = check_gradients(&mut model, &x, &y, rows, &format!("batch norm {extra}"));
        let expected: &[&str] = match case {
            0 => &["d1/kernel", "d1/bias", "bn/gamma", "bn/beta", "d2/kernel", "d2/bias"],
            1 => &["d1/kernel", "d1/bias", "bn/gamma", "d2/kernel", "d2/bias"],
            2 => &["d1/kernel", "d1/bias", "bn/beta", "d2/kernel", "d2/bias"],
            _ => &["d1/kernel", "d1/bias", "d2/kernel", "d2/bias"],
        };
        assert_eq!(checked, expected, "{extra}");
    }
}

#[test]
fn batch_norm_input_gradient_is_orthogonal_to_the_batch_statistics() {
    // With training statistics, shifting every row of BN's input by the same amount changes
    // nothing, so d loss / d d1.bias is (numerically) zero: only the full gradient through the
    // batch mean gives that. A gradient that ignored the statistics would not.
    let rows = 5;
    let (x, y) = data(rows, 3, 2, 2);
    let layers = vec![dense("d1", 4, "linear", 21), norm("BatchNormalization", "bn", json!({})), dense("d2", 2, "linear", 22)];
    let model = compiled_model(chain(3, layers), sgd(0.1));
    let grads = analytic_gradients(&model, &x, &y, rows);
    let bias = grads.iter().find(|((li, wi), _)| *li == 1 && *wi == 1).unwrap().1.as_ref().unwrap();
    assert!(bias.iter().all(|g| g.abs() < 1e-5), "d loss / d bias before BN = {bias:?}");
    let kernel = grads.iter().find(|((li, wi), _)| *li == 1 && *wi == 0).unwrap().1.as_ref().unwrap();
    assert!(kernel.iter().any(|g| g.abs() > 1e-3), "the kernel before BN still learns: {kernel:?}");
}

#[test]
fn batch_norm_applied_twice_and_frozen() {
    // One BN layer shared by two branches (its gamma/beta gradients add up), a tanh (without it
    // the frozen BN's batch statistics would cancel bn's beta), and a frozen BN:
    // no gradient for its gamma/beta, but its input gradient (with batch statistics) still flows.
    let rows = 6;
    let (x, y) = data(rows, 3, 2, 3);
    let mut frozen = norm("BatchNormalization", "frozen", json!({}));
    frozen["trainable"] = json!(false);
    let graph_json = json!({
        "name": "shared",
        "layers": [input(3), dense("a", 3, "tanh", 31), dense("b", 3, "sigmoid", 32), norm("BatchNormalization", "bn", json!({})),
                   json!({"className": "Add", "name": "sum"}), json!({"className": "Activation", "name": "act", "activation": "tanh"}),
                   frozen, dense("out", 2, "linear", 33)],
        "nodes": [{"layer": 0, "inputs": []}, {"layer": 1, "inputs": [0]}, {"layer": 2, "inputs": [0]},
                  {"layer": 3, "inputs": [1]}, {"layer": 3, "inputs": [2]}, {"layer": 4, "inputs": [3, 4]},
                  {"layer": 5, "inputs": [5]}, {"layer": 6, "inputs": [6]}, {"layer": 7, "inputs": [7]}],
        "inputs": [0], "outputs": [8]
    });
    let mut model = compiled_model(graph_json, sgd(0.1));
    let checked = check_gradients(&mut model, &x, &y, rows, "shared and frozen batch norm");
    assert_eq!(checked, ["a/kernel", "a/bias", "b/kernel", "b/bias", "bn/gamma", "bn/beta", "out/kernel", "out/bias"]);
}

#[test]
fn layer_norm_gradients_match_central_differences() {
    let rows = 5;
    let (x, y) = data(rows, 3, 2, 4);
    for extra in [json!({}), json!({"center": false}), json!({"scale": false}), json!({"epsilon": 0.1})] {
        let layers = vec![dense("d1", 4, "tanh", 41), norm("LayerNormalization", "ln", extra.clone()), dense("d2", 2, "tanh", 42)];
        let mut model = compiled_model(chain(3, layers), sgd(0.1));
        let checked = check_gradients(&mut model, &x, &y, rows, &format!("layer norm {extra}"));
        let norm_weights = [("gamma", extra.get("scale").is_none()), ("beta", extra.get("center").is_none())];
        let expected: Vec<String> = ["d1/kernel", "d1/bias"]
            .iter()
            .map(|s| s.to_string())
            .chain(norm_weights.iter().filter(|(_, on)| *on).map(|(n, _)| format!("ln/{n}")))
            .chain(["d2/kernel".to_string(), "d2/bias".to_string()])
            .collect();
        assert_eq!(checked, expected, "{extra}");
    }
}

/// Mean and biased variance of each column, in f64.
fn column_moments(x: &[f32], width: usize) -> (Vec<f64>, Vec<f64>) {
    let rows = x.len() / width;
    let mean: Vec<f64> = (0..width).map(|j| (0..rows).map(|r| x[r * width + j] as f64).sum::<f64>() / rows as f64).collect();
    let var = (0..width).map(|j| (0..rows).map(|r| (x[r * width + j] as f64 - mean[j]).powi(2)).sum::<f64>() / rows as f64).collect();
    (mean, var)
}

fn bn_on_input(extra: Value) -> Model {
    let mut bn = json!({
        "className": "BatchNormalization", "name": "bn", "momentum": 0.9,
        "movingMeanInitializer": {"className": "Constant", "config": {"value": 0.5}},
        "movingVarianceInitializer": {"className": "Constant", "config": {"value": 2.0}},
    });
    bn.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    compiled_model(chain(3, vec![bn]), sgd(0.1))
}

#[test]
fn training_steps_move_the_moving_statistics_as_tfjs_does() {
    // moving ← moving - (moving - batch) · (1 - momentum), batch variance biased; two steps on
    // two different batches, with gamma/beta trained by SGD meanwhile (they do not enter).
    let mut model = bn_on_input(json!({}));
    let (mut mean, mut var) = (vec![0.5f64; 3], vec![2.0f64; 3]);
    let mut buf = model.buffers(4, true).unwrap();
    for (step, seed) in [10u64, 11].into_iter().enumerate() {
        let (x, y) = data(4, 3, 3, seed);
        let (bm, bv) = column_moments(&x, 3);
        for j in 0..3 {
            mean[j] -= (mean[j] - bm[j]) * 0.1;
            var[j] -= (var[j] - bv[j]) * 0.1;
        }
        let batch = Batchable { sample_weights: Vec::new(), xs: vec![&x], ys: vec![&y], rows: 4 };
        let mut logs = vec![0.0; 1];
        let mut counts = vec![0.0; 1];
        model.train_step(&mut buf, &batch, &[0, 1, 2, 3], &Vec::new(), &mut logs, &mut counts).unwrap();
        assert_close(&weight(&model, "bn", 2), &mean, 1e-6, 1e-5, &format!("moving_mean after step {step}"));
        assert_close(&weight(&model, "bn", 3), &var, 1e-6, 1e-5, &format!("moving_variance after step {step}"));
    }
    assert_ne!(weight(&model, "bn", 0), vec![1.0; 3], "gamma trained");
}

#[test]
fn moving_statistics_follow_every_row_even_unlabelled_ones() {
    // A row without a label adds nothing to the loss but is part of the batch BN normalizes.
    let mut model = bn_on_input(json!({}));
    let (x, mut y) = data(4, 3, 3, 12);
    y[3..6].iter_mut().for_each(|v| *v = f32::NAN);
    let (bm, _) = column_moments(&x, 3);
    let mut buf = model.buffers(4, true).unwrap();
    let batch = Batchable { sample_weights: Vec::new(), xs: vec![&x], ys: vec![&y], rows: 4 };
    model.train_step(&mut buf, &batch, &[0, 1, 2, 3], &Vec::new(), &mut [0.0], &mut [0.0]).unwrap();
    let expected: Vec<f64> = bm.iter().map(|m| 0.5 - (0.5 - m) * 0.1).collect();
    assert_close(&weight(&model, "bn", 2), &expected, 1e-6, 1e-5, "moving_mean over all 4 rows");
}

#[test]
fn frozen_batch_norm_keeps_gamma_and_beta_but_updates_moving_statistics() {
    // TF.js 4.22: a frozen BatchNormalization layer still runs with batch statistics in
    // training and still updates its moving mean and variance.
    let mut model = bn_on_input(json!({"trainable": false}));
    let (gamma, beta) = (weight(&model, "bn", 0), weight(&model, "bn", 1));
    let (x, y) = data(5, 3, 3, 13);
    let (bm, _) = column_moments(&x, 3);
    let mut buf = model.buffers(5, true).unwrap();
    let batch = Batchable { sample_weights: Vec::new(), xs: vec![&x], ys: vec![&y], rows: 5 };
    model.train_step(&mut buf, &batch, &[0, 1, 2, 3, 4], &Vec::new(), &mut [0.0], &mut [0.0]).unwrap();
    assert_eq!((weight(&model, "bn", 0), weight(&model, "bn", 1)), (gamma, beta));
    let expected: Vec<f64> = bm.iter().map(|m| 0.5 - (0.5 - m) * 0.1).collect();
    assert_close(&weight(&model, "bn", 2), &expected, 1e-6, 1e-5, "frozen layer's moving_mean");
}

#[test]
fn predict_uses_the_moving_statistics() {
    let mut model = bn_on_input(json!({"epsilon": 0.01}));
    set_weight(&mut model, "bn", 0, &[2.0, 0.5, -1.0]);
    set_weight(&mut model, "bn", 1, &[0.1, 0.2, 0.3]);
    set_weight(&mut model, "bn", 2, &[1.0, -1.0, 0.0]);
    set_weight(&mut model, "bn", 3, &[4.0, 0.25, 9.0]);
    let (x, _) = data(3, 3, 3, 14);
    let pred = model.predict_rows(&[&x], 3, 2).unwrap().remove(0);
    let (gamma, beta, mean, var) = ([2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [1.0, -1.0, 0.0], [4.0, 0.25, 9.0]);
    let expected: Vec<f64> = (0..9).map(|i| (x[i] as f64 - mean[i % 3]) / (var[i % 3] + 0.01f64).sqrt() * gamma[i % 3] + beta[i % 3]).collect();
    assert_close(&pred, &expected, 1e-6, 1e-5, "inference output");
    let data = Batchable { sample_weights: Vec::new(), xs: vec![&x], ys: vec![&x], rows: 3 };
    let mse: f64 = expected.iter().zip(&x).map(|(p, &t)| (p - t as f64).powi(2)).sum::<f64>() / 9.0;
    assert_close1(model.evaluate_rows(&data, 3).unwrap()[0], mse, 1e-6, 1e-5, "evaluate uses the moving statistics too");
}

#[test]
fn layer_norm_forward_matches_a_hand_computation() {
    let layer = json!({"className": "LayerNormalization", "name": "ln", "epsilon": 0.01,
        "gammaInitializer": {"className": "Constant", "config": {"value": 1.5}}, "betaInitializer": {"className": "Constant", "config": {"value": -0.25}}});
    let model = compiled_model(chain(4, vec![layer]), sgd(0.1));
    let (x, _) = data(3, 4, 1, 15);
    let pred = model.predict_rows(&[&x], 3, 3).unwrap().remove(0);
    let mut expected = Vec::new();
    for row in x.chunks(4) {
        let mean = row.iter().map(|&v| v as f64).sum::<f64>() / 4.0;
        let var = row.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / 4.0;
        expected.extend(row.iter().map(|&v| (v as f64 - mean) / (var + 0.01).sqrt() * 1.5 - 0.25));
    }
    assert_close(&pred, &expected, 1e-6, 1e-5, "layer norm output");
}

#[test]
fn bad_options_are_refused_naming_the_option() {
    let cases = [
        ("BatchNormalization", json!({"axis": 0}), "axis must be -1"),
        ("BatchNormalization", json!({"momentum": 1.5}), "momentum must be a number in [0, 1] but got 1.5"),
        ("BatchNormalization", json!({"epsilon": 0.0}), "epsilon must be a finite number > 0 but got 0"),
        (
            "BatchNormalization",
            json!({"gammaInitializer": {"className": "RandomNormal", "config": {"mean": 0.0, "stddev": -1.0, "seed": null}}}),
            "gammaInitializer",
        ),
        ("LayerNormalization", json!({"axis": 2}), "axis must be -1"),
        ("LayerNormalization", json!({"epsilon": -1.0}), "epsilon must be a finite number > 0 but got -1"),
    ];
    for (class, extra, expected) in cases {
        let mut layer = json!({"className": class, "name": "n"});
        layer.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        let config: GraphConfig = serde_json::from_value(chain(3, vec![layer])).unwrap();
        let err = dense_mtl_core::Graph::build(&config).unwrap_err().to_string();
        assert!(err.contains(expected) && err.contains("'n'"), "{class} {extra}: {err}");
    }
}

#[test]
fn workspace_sizes_count_what_the_normalization_layers_keep() {
    let g = graph(chain(3, vec![dense("d", 5, "relu", 1), norm("BatchNormalization", "bn", json!({})), norm("LayerNormalization", "ln", json!({}))]));
    let allocated = |ws: &Workspace| {
        let sum = |v: &[Vec<f32>]| v.iter().map(Vec::len).sum::<usize>();
        (sum(&ws.outs) + sum(&ws.saved) + sum(&ws.grads) + ws.scratch.capacity(), sum(&ws.param_grads))
    };
    for (capacity, training) in [(1, false), (1, true), (9, true)] {
        let ws = Workspace::new(&g, capacity, training).unwrap();
        assert_eq!(Workspace::sizes(&g, capacity, training), allocated(&ws), "capacity {capacity}, training {training}");
    }
}

#[test]
fn a_one_row_training_batch_is_finite() {
    // One row: the batch variance is 0, the output is beta, and the input gradient is 0.
    let mut model = compiled_model(chain(3, vec![dense("d", 3, "linear", 1), norm("BatchNormalization", "bn", json!({}))]), sgd(0.1));
    let (x, y) = data(1, 3, 3, 16);
    let mut buf = model.buffers(1, true).unwrap();
    let batch = Batchable { sample_weights: Vec::new(), xs: vec![&x], ys: vec![&y], rows: 1 };
    let kernel = weight(&model, "d", 0);
    model.train_step(&mut buf, &batch, &[0], &Vec::new(), &mut [0.0], &mut [0.0]).unwrap();
    assert_eq!(weight(&model, "d", 0), kernel, "no gradient reaches the layer before BN");
    assert!(weight(&model, "bn", 3).iter().all(|v| v.is_finite()));
}

#[test]
fn a_refused_step_leaves_the_moving_statistics_alone() {
    // A step whose loss is not finite is not applied: the moving statistics stay too.
    let layers = vec![
        norm("BatchNormalization", "bn", json!({})),
        json!({"className": "Dense", "name": "out", "units": 3,
        "kernelInitializer": {"className": "Constant", "config": {"value": 1e30}}}),
    ];
    let mut model = compiled_model(chain(3, layers), sgd(0.1));
    let (x, y) = data(4, 3, 3, 17);
    let before = (weight(&model, "bn", 2), weight(&model, "bn", 3));
    let mut buf = model.buffers(4, true).unwrap();
    let batch = Batchable { sample_weights: Vec::new(), xs: vec![&x], ys: vec![&y], rows: 4 };
    let refused = model.train_step(&mut buf, &batch, &[0, 1, 2, 3], &Vec::new(), &mut [0.0], &mut [0.0]);
    assert!(refused.is_err(), "the loss overflows: {refused:?}");
    assert_eq!((weight(&model, "bn", 2), weight(&model, "bn", 3)), before);
}
