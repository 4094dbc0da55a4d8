//! The training loop fed with batches (`fitDataset`): it trains exactly as the loop on arrays
//! given the same batches, averages each output over its labelled rows, stops on its stop flag,
//! and does not apply a step whose loss is not finite.

mod common;

use common::*;
use dense_mtl_core::{Dataset, Error, Evaluation, FitConfig, Model, RunLimits, Signals, Trainer};
use serde_json::json;
use std::sync::atomic::Ordering;
use std::sync::Arc;

const ALL: RunLimits = RunLimits { epochs: usize::MAX, batches: usize::MAX, deadline: None, record_batches: true };

/// A trunk shared by a regression head `a` and a regression head `b`, with DWA weighting.
fn two_heads(weighting: serde_json::Value) -> Model {
    let glorot = |seed: u64| json!({"className": "VarianceScaling", "config": {"scale": 1.0, "mode": "fanAvg", "distribution": "normal", "seed": seed}});
    let graph = json!({
        "name": "mh",
        "layers": [
            {"className": "InputLayer", "name": "in", "width": 3},
            {"className": "Dense", "name": "trunk", "units": 5, "activation": "tanh", "kernelInitializer": glorot(1)},
            {"className": "Dense", "name": "a", "units": 1, "kernelInitializer": glorot(2)},
            {"className": "Dense", "name": "b", "units": 1, "kernelInitializer": glorot(3)},
        ],
        "nodes": [{"layer": 0, "inputs": []}, {"layer": 1, "inputs": [0]}, {"layer": 2, "inputs": [1]}, {"layer": 3, "inputs": [1]}],
        "inputs": [0], "outputs": [2, 3]
    });
    let sgd = json!({"className": "SGD", "config": {"learningRate": 0.1}});
    compiled_model(graph, json!({"optimizer": sgd, "heads": [{"loss": "meanSquaredError"}, {"loss": "meanSquaredError"}], "taskWeighting": weighting}))
}

struct Data {
    x: Vec<f32>,
    a: Vec<f32>,
    b: Vec<f32>,
}

fn data(rows: usize) -> Data {
    let mut rng = TestRng::new(11);
    let x = rng.vec(rows * 3, -1.0, 1.0);
    let a = x.chunks_exact(3).map(|r| r[0] - r[1]).collect();
    let b = x.chunks_exact(3).map(|r| 3.0 * r[2] + 1.0).collect();
    Data { x, a, b }
}

/// Rows `from..to` as a dataset.
fn rows(d: &Data, from: usize, to: usize) -> Dataset {
    Dataset::new(vec![d.x[from * 3..to * 3].to_vec()], vec![d.a[from..to].to_vec(), d.b[from..to].to_vec()], to - from)
}

#[test]
fn batches_handed_over_train_exactly_as_fit_with_dwa_and_validation() {
    let (n, batch, epochs) = (22, 5, 5);
    let d = data(n + 6);
    let config = FitConfig { batch_size: batch, epochs, ..FitConfig::default() };
    let dwa = json!({"method": "dwa", "temperature": 0.5});

    let mut by_fit = two_heads(dwa.clone());
    let mut t = Trainer::new(&by_fit, rows(&d, 0, n), Some(rows(&d, n, n + 6)), config.clone()).unwrap();
    let fit_report = t.run(&mut by_fit, ALL).unwrap();

    let mut by_batches = two_heads(dwa);
    let mut t = Trainer::for_batches(&by_batches, Some(rows(&d, n, n + 6)), false, config).unwrap();
    let mut epoch_logs = Vec::new();
    for _ in 0..epochs {
        // The epoch in two chunks: 3 batches, then the rest (2 batches, the last of 2 rows).
        t.push(&by_batches, rows(&d, 0, 15), vec![5, 5, 5]).unwrap();
        assert!(t.run(&mut by_batches, ALL).unwrap().done);
        t.push(&by_batches, rows(&d, 15, n), vec![5, 2]).unwrap();
        assert_eq!(t.run(&mut by_batches, ALL).unwrap().trained, 2);
        epoch_logs.push(t.end_epoch_with(&mut by_batches, None).unwrap());
    }
    for (e, (_, expected)) in fit_report.epochs.iter().enumerate() {
        assert_close(&epoch_logs[e], expected, 1e-7, 1e-6, &format!("epoch {e} logs"));
    }
    // DWA moved the weights, and the same way.
    let weights = |logs: &Vec<f64>| logs[3..5].to_vec();
    assert!((weights(&epoch_logs[4])[0] - 1.0).abs() > 1e-3, "DWA weights {:?}", weights(&epoch_logs[4]));
    for layer in ["trunk", "a", "b"] {
        assert_close(&weight(&by_batches, layer, 0), &weight(&by_fit, layer, 0), 1e-7, 1e-6, layer);
    }
}

#[test]
fn epoch_values_and_evaluations_are_means_over_labelled_rows() {
    let d = data(8);
    let mut b = d.b.clone();
    // Batch 2 (rows 4..8) has no label for b at all.
    b[4..8].iter_mut().for_each(|v| *v = f32::NAN);
    let model = two_heads(json!({"method": "fixed"}));
    let all = Dataset::new(vec![d.x.clone()], vec![d.a.clone(), b.clone()], 8);

    let mut evaluation = Evaluation::new(&model).unwrap();
    evaluation.add(&model, &all, &[4, 4], "evaluateDataset").unwrap();
    let values = evaluation.means().values();
    // b's loss over its 4 labelled rows, computed from predictions.
    let pred = model.predict_rows(&[&d.x], 8, 8).unwrap();
    let mse_b = (0..4).map(|r| ((pred[1][r] - b[r]) as f64).powi(2)).sum::<f64>() / 4.0;
    assert_close1(values[2], mse_b, 1e-6, 1e-5, "b_loss over labelled rows");
    assert!(values.iter().all(|v| v.is_finite()), "{values:?}");
    assert_close(
        &values,
        &model.evaluate_rows(&dense_mtl_core::model::Batchable { xs: vec![&d.x], ys: vec![&d.a, &b], sample_weights: vec![], rows: 8 }, 4).unwrap(),
        1e-9,
        1e-6,
        "evaluate",
    );
}

#[test]
fn the_stop_flag_ends_a_run_before_the_next_batch() {
    let d = data(20);
    let mut model = two_heads(json!({"method": "fixed"}));
    let mut t = Trainer::for_batches(&model, None, false, FitConfig { batch_size: 4, epochs: 1, ..FitConfig::default() }).unwrap();
    let signals = Arc::new(Signals::default());
    t.set_signals(signals.clone());
    t.push(&model, rows(&d, 0, 20), vec![4; 5]).unwrap();
    let first = t.run(&mut model, RunLimits { batches: 2, ..ALL }).unwrap();
    assert_eq!((first.trained, first.stopped), (2, false));
    signals.stop.store(true, Ordering::SeqCst);
    let second = t.run(&mut model, ALL).unwrap();
    assert_eq!((second.trained, second.stopped, second.done), (0, true, false));
    assert_eq!(t.close_partial_epoch().len(), 3);
}

#[test]
fn a_step_with_an_infinite_loss_is_not_applied_and_reported() {
    let d = data(6);
    let mut model = two_heads(json!({"method": "fixed"}));
    let before = weight(&model, "trunk", 0);
    let mut t = Trainer::for_batches(&model, None, false, FitConfig { batch_size: 3, epochs: 1, ..FitConfig::default() }).unwrap();
    let huge = Dataset::new(vec![d.x.clone()], vec![d.a.clone(), vec![3e38; 6]], 6);
    t.push(&model, huge, vec![3, 3]).unwrap();
    let report = t.run(&mut model, ALL).unwrap();
    assert_eq!(report.trained, 0);
    match report.diverged {
        Some(Error::Diverged(msg)) => {
            assert!(msg.starts_with("fitDataset: training diverged at epoch 0 (0-based), batch 0: the loss of output 'b' is Infinity"), "{msg}")
        }
        other => panic!("expected a divergence, got {other:?}"),
    }
    assert_eq!(weight(&model, "trunk", 0), before);
}
