//! Embedding and flatten: weight gradients (repeated ids scatter-add into one row, unused rows
//! get none) against central differences of the loss, through a rank-3 dense, flatten and a
//! concatenate with a numeric input; shapes and the checks on ids.

mod common;

use common::*;
use dense_mtl_core::model::Batchable;
use dense_mtl_core::Model;
use serde_json::{json, Value};

const ATOL: f64 = 1e-3;
const RTOL: f64 = 1e-2;
const VOCAB: usize = 5;

fn seeded(class: &str, a: f32, b: f32, seed: u64) -> Value {
    match class {
        "RandomNormal" => json!({"className": class, "config": {"mean": a, "stddev": b, "seed": seed}}),
        _ => json!({"className": class, "config": {"minval": a, "maxval": b, "seed": seed}}),
    }
}

/// ids [batch, 3] → embedding(5, 4) → dense(3, tanh) on [batch, 3, 4] → flatten [batch, 9]
/// → concatenate with numeric [batch, 2] → dense(2).
fn tabular_graph() -> Value {
    let dense = |name: &str, units: usize, act: &str, seed: u64| {
        json!({"className": "Dense", "name": name, "units": units, "activation": act,
               "kernelInitializer": seeded("RandomNormal", 0.0, 0.7, seed), "biasInitializer": seeded("RandomUniform", -0.3, 0.3, seed + 1)})
    };
    let layers = vec![
        json!({"className": "InputLayer", "name": "ids", "width": 3}),
        json!({"className": "Embedding", "name": "emb", "inputDim": VOCAB, "outputDim": 4, "inputLength": 3,
               "embeddingsInitializer": seeded("RandomUniform", -0.8, 0.8, 7)}),
        dense("per_id", 3, "tanh", 11),
        json!({"className": "Flatten", "name": "flat"}),
        json!({"className": "InputLayer", "name": "num", "width": 2}),
        json!({"className": "Concatenate", "name": "cat"}),
        dense("out", 2, "linear", 13),
    ];
    let nodes = json!([
        {"layer": 0, "inputs": []}, {"layer": 1, "inputs": [0]}, {"layer": 2, "inputs": [1]}, {"layer": 3, "inputs": [2]},
        {"layer": 4, "inputs": []}, {"layer": 5, "inputs": [3, 4]}, {"layer": 6, "inputs": [5]},
    ]);
    json!({"name": "tabular", "layers": layers, "nodes": nodes, "inputs": [0, 4], "outputs": [6]})
}

/// SGD with learning rate 1: one step moves each weight by exactly minus its gradient.
fn sgd_model() -> Model {
    compiled_model(
        tabular_graph(),
        json!({"optimizer": {"className": "SGD", "config": {"learningRate": 1.0}}, "heads": [{"loss": "meanSquaredError", "metrics": [], "lossWeight": 1.0}]}),
    )
}

/// Ids 1 repeat within a row and across rows, id 3 is never used; 2.7 and 0.4 are read as 2 and 0.
const IDS: [f32; 12] = [1.0, 1.0, 0.0, 2.7, 1.0, 4.0, 0.4, 2.0, 1.0, 4.0, 4.0, 1.0];
const ROWS: usize = 4;

fn data() -> (Vec<f32>, Vec<f32>) {
    let mut rng = TestRng::new(5);
    (rng.vec(ROWS * 2, -1.5, 1.5), rng.vec(ROWS * 2, -1.0, 1.0))
}

fn loss(model: &Model, num: &[f32], y: &[f32]) -> f64 {
    let data = Batchable { sample_weights: Vec::new(), xs: vec![&IDS, num], ys: vec![y], rows: ROWS };
    model.evaluate_rows(&data, ROWS).expect("evaluate")[0]
}

fn all_weights(model: &Model) -> Vec<Vec<f32>> {
    model.graph.layers.iter().flat_map(|l| l.params().iter().map(|p| p.values.clone())).collect()
}

#[test]
fn every_weight_gradient_matches_central_differences_through_embedding_and_flatten() {
    let (num, y) = data();
    let model = sgd_model();
    let before = all_weights(&model);
    let mut stepped = model.clone();
    let batch = Batchable { sample_weights: Vec::new(), xs: vec![&IDS, &num], ys: vec![&y], rows: ROWS };
    stepped.train_batch(&mut None, &batch, &vec![None]).expect("train_batch");
    let after = all_weights(&stepped);

    let mut probe = model.clone();
    let mut k = 0;
    for li in 0..probe.graph.layers.len() {
        for wi in 0..probe.graph.layers[li].params().len() {
            let name = format!("{}/{}", probe.graph.layers[li].name, probe.graph.layers[li].params()[wi].name);
            let analytic: Vec<f64> = before[k].iter().zip(&after[k]).map(|(&b, &a)| b as f64 - a as f64).collect();
            let numeric: Vec<f64> = (0..before[k].len())
                .map(|j| central_difference_in(&mut probe, before[k][j], 1e-3, |m, v| m.graph.layers[li].params_mut()[wi].values[j] = v, |m| loss(m, &num, &y)))
                .collect();
            assert_close(&analytic, &numeric, ATOL, RTOL, &format!("d loss / d {name}"));
            assert!(analytic.iter().any(|g| g.abs() > 1e-4), "d loss / d {name} is all (near) zero; the check would be vacuous");
            if name == "emb/embeddings" {
                // Row 3 (never used) gets exactly nothing; row 1 (five uses) is a sum, not the last write.
                assert!(analytic[3 * 4..4 * 4].iter().all(|&g| g == 0.0), "unused id 3 got a gradient {:?}", &analytic[12..16]);
                assert!(analytic[4..8].iter().all(|&g| g != 0.0), "id 1 got no gradient");
            }
            k += 1;
        }
    }
    assert_eq!(k, 5, "embeddings, per_id kernel and bias, out kernel and bias");
}

#[test]
fn repeated_ids_add_their_gradients() {
    // One id used twice in a row gets twice the gradient of the same row using it once in each
    // of two columns whose downstream weights are equal: here, directly, the embedding table
    // gradient of [1, 1] equals the sum of the gradients of [1, x] and [x, 1] on row 1.
    let graph = json!({"name": "m", "layers": [
        {"className": "InputLayer", "name": "ids", "width": 2},
        {"className": "Embedding", "name": "emb", "inputDim": 3, "outputDim": 2, "embeddingsInitializer": seeded("RandomUniform", -1.0, 1.0, 3)},
        {"className": "Flatten", "name": "flat"},
        {"className": "Dense", "name": "out", "units": 1, "kernelInitializer": seeded("RandomNormal", 0.0, 1.0, 4)},
    ], "nodes": [{"layer": 0}, {"layer": 1, "inputs": [0]}, {"layer": 2, "inputs": [1]}, {"layer": 3, "inputs": [2]}],
    "inputs": [0], "outputs": [3]});
    let compile =
        json!({"optimizer": {"className": "SGD", "config": {"learningRate": 1.0}}, "heads": [{"loss": "meanAbsoluteError", "metrics": [], "lossWeight": 1.0}]});
    let model = compiled_model(graph, compile);
    let grad = |ids: &[f32]| {
        let mut m = model.clone();
        let y = [100.0f32]; // far above the prediction: d|y - p|/dp = -1 whatever the ids
        m.train_batch(&mut None, &Batchable { sample_weights: Vec::new(), xs: vec![ids], ys: vec![&y], rows: 1 }, &vec![None]).unwrap();
        weight(&model, "emb", 0).iter().zip(weight(&m, "emb", 0)).map(|(b, a)| b - a).collect::<Vec<f32>>()
    };
    let (both, first, second) = (grad(&[1.0, 1.0]), grad(&[1.0, 2.0]), grad(&[2.0, 1.0]));
    let row1 = |g: &[f32]| g[2..4].to_vec();
    let sum: Vec<f32> = row1(&first).iter().zip(row1(&second)).map(|(a, b)| a + b).collect();
    assert_close(&row1(&both), &sum, 1e-6, 1e-5, "row 1 of the embedding gradient for ids [1, 1]");
    assert!(both[4..6].iter().all(|&g| g == 0.0) && both[0..2].iter().all(|&g| g == 0.0), "rows 0 and 2 unused: {both:?}");
}

#[test]
fn shapes_are_rank_3_until_flatten() {
    let g = graph(tabular_graph());
    let shapes: Vec<Vec<usize>> = g.nodes.iter().map(|n| n.shape.clone()).collect();
    assert_eq!(shapes, vec![vec![3], vec![3, 4], vec![3, 3], vec![9], vec![2], vec![11], vec![2]]);
    assert_eq!(g.nodes.iter().map(|n| n.width).collect::<Vec<_>>(), vec![3, 12, 9, 9, 2, 11, 2]);
}

#[test]
fn out_of_range_and_negative_ids_are_rejected_before_anything_changes() {
    let (num, y) = data();
    let mut model = sgd_model();
    let before = all_weights(&model);
    for (bad, shown) in [(5.0f32, "5"), (-1.0, "-1"), (1e9, "1000000000")] {
        let mut ids = IDS;
        ids[7] = bad;
        let batch = Batchable { sample_weights: Vec::new(), xs: vec![&ids, &num], ys: vec![&y], rows: ROWS };
        let err = model.train_batch(&mut None, &batch, &vec![None]).unwrap_err().to_string();
        let expected = format!("trainOnBatch: layer 'emb' reads input 'ids' as ids in [0, 5) (its inputDim), but row 2 column 1 holds {shown}");
        assert_eq!(err, expected);
        assert_eq!(all_weights(&model), before, "weights changed by a rejected batch");
        let err = model.predict_rows(&[&ids, &num], ROWS, 2).unwrap_err().to_string();
        assert!(err.starts_with("predict: layer 'emb' reads input 'ids'"), "{err}");
    }
    // -0.9 truncates to 0 as TF.js's cast to int32 does: accepted.
    let mut ids = IDS;
    ids[0] = -0.9;
    model.predict_rows(&[&ids, &num], ROWS, 2).expect("-0.9 reads as id 0");
}

fn build_err(graph_json: Value) -> String {
    let config: dense_mtl_core::GraphConfig = serde_json::from_value(graph_json).unwrap();
    dense_mtl_core::Graph::build(&config).unwrap_err().to_string()
}

#[test]
fn bad_configs_and_ranks_give_clear_errors() {
    let with_emb = |emb: Value| {
        let mut g = tabular_graph();
        g["layers"][1] = emb;
        build_err(g)
    };
    let base = json!({"className": "Embedding", "name": "emb", "inputDim": VOCAB, "outputDim": 4});
    let mut e = base.clone();
    e["maskZero"] = json!(true);
    assert!(with_emb(e).contains("embedding 'emb': maskZero must be false"));
    let mut e = base.clone();
    e["inputDim"] = json!(0);
    assert_eq!(with_emb(e), "embedding 'emb': inputDim must be a positive integer but got 0");
    let mut e = base.clone();
    e["inputLength"] = json!(4);
    assert_eq!(with_emb(e), "embedding 'emb': inputLength is 4, so the input: expected shape [null,4] but got [null,3]");

    // Flatten of a [batch, features] tensor (TF.js: min_ndim=3).
    let mut g = tabular_graph();
    g["nodes"][3] = json!({"layer": 3, "inputs": [0]});
    assert_eq!(build_err(g), "flatten 'flat': input: expected rank 3 or more ([null,a,b,...]) but got [null,3]");

    // Concatenate of rank 3 with rank 2.
    let mut g = tabular_graph();
    g["nodes"][5] = json!({"layer": 5, "inputs": [2, 4]});
    g["nodes"][3] = json!({"layer": 3, "inputs": [2]});
    g["outputs"] = json!([5]);
    let err = build_err(g);
    assert!(
        err.contains("merge layer 'cat' requires inputs with matching shapes except for the last (concatenation) axis but got shapes [null,3,3], [null,2]"),
        "{err}"
    );

    // A rank-3 model output.
    let mut g = tabular_graph();
    g["outputs"] = json!([2]);
    assert!(build_err(g).starts_with("model: output 'per_id' has shape [null,3,3]"));

    // Embedding fed by a computed tensor rather than by a model input.
    let mut g = tabular_graph();
    g["layers"][3] = json!({"className": "Embedding", "name": "emb2", "inputDim": 3, "outputDim": 2});
    assert_eq!(build_err(g), "model: layer 'emb2' reads integer ids, so it must take a model input (tf.input) directly");
}
