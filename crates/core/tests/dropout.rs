//! Dropout masks: each layer follows its own seed, as TF.js 4.22 draws them.

use dense_mtl_core::graph::{Graph, GraphConfig, Workspace};
use serde_json::json;

// Reference values from @tensorflow/tfjs 4.22 (cpu backend):
//   const x = tf.tensor2d(Array.from({length: 15}, (_, i) => i + 1), [3, 5]);
//   const a = tf.layers.dropout({rate: 0.4, seed: 42}), b = tf.layers.dropout({rate: 0.4, seed: 42});
//   const c = tf.layers.dropout({rate: 0.4, seed: 7});
//   for (const l of [a, a, b, c]) console.log(Array.from(l.apply(x, {training: true}).dataSync()));
//   console.log(Array.from(a.apply(x.slice(0, 2), {training: true}).dataSync()));
// Every call of `a` prints SEED_42, `b` too, `c` prints SEED_7, and two rows print SEED_42's first ten
// (float32 values, pasted as TF.js prints them).
#[rustfmt::skip]
#[allow(clippy::excessive_precision)]
const SEED_42: [f32; 15] = [1.6666666269302368, 3.3333332538604736, 5.0, 0.0, 8.333333015441895, 10.0, 0.0, 13.333333015441895, 15.0, 0.0,
    0.0, 0.0, 0.0, 0.0, 25.0];
#[rustfmt::skip]
#[allow(clippy::excessive_precision)]
const SEED_7: [f32; 15] = [0.0, 0.0, 0.0, 6.666666507720947, 0.0, 0.0, 0.0, 0.0, 15.0, 16.66666603088379, 18.333332061767578, 20.0,
    21.66666603088379, 23.333332061767578, 0.0];

/// `in(5)` feeding one dropout layer per `(rate, seed)`, each an output.
fn dropouts(layers: &[(f64, Option<u64>)]) -> Graph {
    let mut configs = vec![json!({"className": "InputLayer", "name": "in", "width": 5})];
    let mut nodes = vec![json!({"layer": 0})];
    for (i, (rate, seed)) in layers.iter().enumerate() {
        configs.push(json!({"className": "Dropout", "name": format!("drop{i}"), "rate": rate, "seed": seed}));
        nodes.push(json!({"layer": i + 1, "inputs": [0]}));
    }
    let outputs: Vec<usize> = (1..=layers.len()).collect();
    let config: GraphConfig = serde_json::from_value(json!({"name": "m", "layers": configs, "nodes": nodes, "inputs": [0], "outputs": outputs})).unwrap();
    Graph::build(&config).unwrap()
}

/// Each output of a training forward pass over `x` (rows of 5 values).
fn train_forward(graph: &Graph, ws: &mut Workspace, x: &[f32]) -> Vec<Vec<f32>> {
    let rows = x.len() / 5;
    ws.load_range(graph, &[x], 0, rows);
    graph.forward(ws, rows, true);
    graph.outputs.iter().map(|&o| ws.outs[o][..rows * 5].to_vec()).collect()
}

#[test]
fn seeded_layers_draw_tfjs_masks_each_from_its_own_seed() {
    let graph = dropouts(&[(0.4, Some(42)), (0.4, Some(42)), (0.4, Some(7))]);
    let x: Vec<f32> = (1..=15).map(|v| v as f32).collect();
    let mut ws = Workspace::new(&graph, 3, true).unwrap();
    let first = train_forward(&graph, &mut ws, &x);
    assert_eq!(first[0], SEED_42, "seed 42 draws TF.js's mask");
    assert_eq!(first[1], SEED_42, "a second layer with the same seed draws the same mask");
    assert_eq!(first[2], SEED_7, "seed 7 draws its own mask");
    let again = train_forward(&graph, &mut ws, &x);
    assert_eq!(again, first, "a seeded layer draws the same mask on every call, as in TF.js");
    let two_rows = train_forward(&graph, &mut ws, &x[..10]);
    assert_eq!(two_rows[0], SEED_42[..10], "a smaller batch draws the start of the same stream");
}

#[test]
fn unseeded_layers_draw_independent_inverted_masks() {
    let graph = dropouts(&[(0.25, None), (0.25, None)]);
    let rows = 400;
    let x = vec![1.0f32; rows * 5];
    let mut ws = Workspace::new(&graph, rows, true).unwrap();
    let outs = train_forward(&graph, &mut ws, &x);
    let keep = 1.0 / (1.0 - 0.25f32);
    for out in &outs {
        assert!(out.iter().all(|&v| v == 0.0 || v == keep), "kept values are scaled by 1 / (1 - rate)");
        let dropped = out.iter().filter(|&&v| v == 0.0).count() as f64 / out.len() as f64;
        assert!((dropped - 0.25).abs() < 0.05, "about a quarter dropped, got {dropped}");
    }
    assert_ne!(outs[0], outs[1], "two unseeded layers draw different masks");
    let again = train_forward(&graph, &mut ws, &x);
    assert_ne!(again[0], outs[0], "an unseeded layer draws a new mask on every call");
}

#[test]
fn dropout_is_the_identity_outside_training_and_at_rate_zero() {
    let graph = dropouts(&[(0.5, Some(1)), (0.0, None)]);
    let x: Vec<f32> = (1..=10).map(|v| v as f32).collect();
    let mut ws = Workspace::new(&graph, 2, true).unwrap();
    ws.load_range(&graph, &[&x], 0, 2);
    graph.forward(&mut ws, 2, false);
    assert_eq!(ws.outs[graph.outputs[0]][..10], x[..], "no dropout when not training");
    let outs = train_forward(&graph, &mut ws, &x);
    assert_eq!(outs[1], x, "rate 0 keeps everything in training");
}

/// `d` (dense 3 → 2, seeded kernel) then, when `rate` is given, a dropout layer.
fn dense_then_dropout(rate: Option<f64>) -> Graph {
    let mut layers = vec![
        json!({"className": "InputLayer", "name": "in", "width": 3}),
        json!({"className": "Dense", "name": "d", "units": 2, "kernelInitializer": {"className": "VarianceScaling", "config": {"scale": 1.0, "mode": "fanAvg", "distribution": "normal", "seed": 3}}}),
    ];
    let mut nodes = vec![json!({"layer": 0}), json!({"layer": 1, "inputs": [0]})];
    if let Some(rate) = rate {
        layers.push(json!({"className": "Dropout", "name": "drop", "rate": rate}));
        nodes.push(json!({"layer": 2, "inputs": [1]}));
    }
    let output = nodes.len() - 1;
    let config: GraphConfig = serde_json::from_value(json!({"name": "m", "layers": layers, "nodes": nodes, "inputs": [0], "outputs": [output]})).unwrap();
    Graph::build(&config).unwrap()
}

/// The dense layer's weight gradients for d loss / d output = 1 everywhere, after a training pass.
fn dense_gradients(graph: &Graph) -> Vec<Vec<f32>> {
    let x = [0.5f32, -1.0, 2.0, 1.5, 0.25, -0.75];
    let mut ws = Workspace::new(graph, 2, true).unwrap();
    ws.load_range(graph, &[&x], 0, 2);
    graph.forward(&mut ws, 2, true);
    let out = graph.outputs[0];
    ws.grads[out][..4].fill(1.0);
    ws.grad_written[out] = true;
    graph.backward(&mut ws, 2);
    ws.param_grads.clone()
}

#[test]
fn rate_zero_passes_gradients_through() {
    let without = dense_gradients(&dense_then_dropout(None));
    assert!(without[0].iter().any(|&g| g != 0.0));
    assert_eq!(dense_gradients(&dense_then_dropout(Some(0.0))), without, "dropout with rate 0 changes no gradient");
}
