//! End-to-end training through [`Trainer`]: XOR is learned, linear regression recovers its
//! coefficients, seeded runs are reproducible, training in slices equals one run, the
//! validation split comes from the tail, and bad calls return errors with useful messages.

mod common;

use common::*;
use dense_mtl_core::model::Batchable;
use dense_mtl_core::train::RunReport;
use dense_mtl_core::{CompileConfig, Dataset, Error, FitConfig, Graph, GraphConfig, Model, RunLimits, Trainer};
use serde_json::{json, Value};

const ALL: RunLimits = RunLimits { epochs: usize::MAX, batches: usize::MAX, deadline: None, record_batches: false };

fn glorot(seed: u64) -> Value {
    json!({"className": "VarianceScaling", "config": {"scale": 1.0, "mode": "fanAvg", "distribution": "normal", "seed": seed}})
}

/// `in(width) -> Dense... ` with seeded glorot-normal kernels; `layers` are `(units, activation)`.
fn mlp(width: usize, layers: &[(usize, &str)], seed: u64) -> Value {
    let mut all = vec![json!({"className": "InputLayer", "name": "in", "width": width})];
    for (i, (units, act)) in layers.iter().enumerate() {
        all.push(json!({
            "className": "Dense", "name": format!("d{}", i + 1), "units": units, "activation": act,
            "kernelInitializer": glorot(seed + i as u64),
        }));
    }
    let nodes: Vec<Value> = (0..all.len()).map(|i| json!({"layer": i, "inputs": if i == 0 { vec![] } else { vec![i - 1] }})).collect();
    let last = all.len() - 1;
    json!({"name": "mlp", "layers": all, "nodes": nodes, "inputs": [0], "outputs": [last]})
}

fn compile(optimizer: Value, loss: &str, metrics: &[&str]) -> Value {
    json!({"optimizer": optimizer, "heads": [{"loss": loss, "metrics": metrics}]})
}

fn fit(model: &mut Model, x: &[f32], y: &[f32], rows: usize, config: FitConfig) -> RunReport {
    let data = Dataset::new(vec![x.to_vec()], vec![y.to_vec()], rows);
    let mut trainer = Trainer::new(model, data, None, config).unwrap_or_else(|e| panic!("Trainer::new: {e}"));
    let report = trainer.run(model, ALL).unwrap_or_else(|e| panic!("run: {e}"));
    assert!(report.done);
    report
}

fn trainer_error(model: &Model, xs: Vec<Vec<f32>>, ys: Vec<Vec<f32>>, rows: usize, config: FitConfig) -> Error {
    match Trainer::new(model, Dataset::new(xs, ys, rows), None, config) {
        Ok(_) => panic!("Trainer::new accepted bad input"),
        Err(e) => e,
    }
}

fn fit_config(batch_size: usize, epochs: usize) -> FitConfig {
    FitConfig { batch_size, epochs, ..FitConfig::default() }
}

const XOR_X: [f32; 8] = [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
const XOR_Y: [f32; 4] = [0.0, 1.0, 1.0, 0.0];

fn xor_model(seed: u64) -> Model {
    let adam = json!({"className": "Adam", "config": {"learningRate": 0.05, "beta1": 0.9, "beta2": 0.999}});
    compiled_model(mlp(2, &[(8, "tanh"), (1, "sigmoid")], seed), compile(adam, "binaryCrossentropy", &["accuracy"]))
}

#[test]
fn xor_is_learned() {
    let mut model = xor_model(1);
    assert_eq!(model.metrics_names(), ["loss", "acc"]);
    let config = FitConfig { shuffle: true, seed: Some(3), ..fit_config(4, 400) };
    let report = fit(&mut model, &XOR_X, &XOR_Y, 4, config);
    let first = report.epochs.first().unwrap().1[0];
    let last = &report.epochs.last().unwrap().1;
    assert!(first > 0.5, "initial loss should be around ln 2, got {first}");
    assert!(last[0] < 0.05, "XOR loss after 400 epochs: {} (first epoch {first})", last[0]);
    assert_eq!(last[1], 1.0, "final training accuracy");

    let eval = model.evaluate_rows(&Batchable { sample_weights: Vec::new(), xs: vec![&XOR_X], ys: vec![&XOR_Y], rows: 4 }, 4).unwrap();
    assert!(eval[0] < 0.05, "evaluate loss {}", eval[0]);
    assert_eq!(eval[1], 1.0, "evaluate accuracy");
    let pred = model.predict_rows(&[&XOR_X], 4, 3).unwrap().remove(0);
    for (i, (&p, &y)) in pred.iter().zip(&XOR_Y).enumerate() {
        assert!((p - y).abs() < 0.2, "row {i}: predicted {p} for {y} (all: {pred:?})");
    }
}

#[test]
fn seeded_training_is_reproducible() {
    let run = || {
        let mut model = xor_model(7);
        let config = FitConfig { shuffle: true, seed: Some(11), ..fit_config(3, 20) };
        let report = fit(&mut model, &XOR_X, &XOR_Y, 4, config);
        let losses: Vec<f64> = report.epochs.iter().map(|e| e.1[0]).collect();
        (losses, weight(&model, "d1", 0), weight(&model, "d2", 1))
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b, "same seeds, same run");
    let other = xor_model(8);
    assert_ne!(weight(&other, "d1", 0), weight(&xor_model(7), "d1", 0), "another seed gives other weights");
}

#[test]
fn training_in_slices_equals_one_run() {
    // The binding returns to JavaScript between slices; slicing must not change anything.
    let config = FitConfig { shuffle: true, seed: Some(5), ..fit_config(3, 4) };
    let mut whole = xor_model(21);
    let mut sliced = whole.clone();
    let data = || Dataset::new(vec![XOR_X.to_vec()], vec![XOR_Y.to_vec()], 4);

    let mut t = Trainer::new(&whole, data(), None, config.clone()).unwrap();
    let all = t.run(&mut whole, RunLimits { record_batches: true, ..ALL }).unwrap();

    let mut t = Trainer::new(&sliced, data(), None, config).unwrap();
    assert_eq!(t.steps_per_epoch(), 2);
    let (mut batches, mut epochs) = (Vec::new(), Vec::new());
    let mut calls = 0;
    loop {
        let r = t.run(&mut sliced, RunLimits { batches: 1, record_batches: true, ..ALL }).unwrap();
        calls += 1;
        assert_eq!(r.batches.len(), 1, "one batch per slice");
        batches.extend(r.batches);
        epochs.extend(r.epochs);
        if r.done {
            break;
        }
        assert!(calls < 100, "never done");
    }
    assert_eq!(calls, 8, "4 epochs x 2 batches");
    assert_eq!(batches, all.batches);
    assert_eq!(epochs, all.epochs);
    assert_eq!(t.current_epoch(), 4);
    for (layer, wi) in [("d1", 0), ("d1", 1), ("d2", 0), ("d2", 1)] {
        assert_eq!(weight(&sliced, layer, wi), weight(&whole, layer, wi), "{layer} weight {wi}");
    }

    // An epoch limit stops at epoch ends.
    let mut m = xor_model(21);
    let mut t = Trainer::new(&m, data(), None, FitConfig { shuffle: true, seed: Some(5), ..fit_config(3, 4) }).unwrap();
    let r = t.run(&mut m, RunLimits { epochs: 1, ..ALL }).unwrap();
    assert_eq!((r.epochs.len(), r.done, t.current_epoch()), (1, false, 1));
    let r = t.run(&mut m, ALL).unwrap();
    assert_eq!((r.epochs.len(), r.done), (3, true));
    assert_eq!(r.epochs.iter().map(|e| e.0).collect::<Vec<_>>(), [1, 2, 3]);
}

#[test]
fn linear_regression_recovers_its_coefficients() {
    let (rows, coef, intercept) = (64, [2.0f32, -3.0, 0.5], 1.5f32);
    let mut rng = TestRng::new(99);
    let x = rng.vec(rows * 3, -1.0, 1.0);
    let y: Vec<f32> = x.chunks_exact(3).map(|r| r.iter().zip(&coef).map(|(a, b)| a * b).sum::<f32>() + intercept).collect();
    let sgd = json!({"className": "SGD", "config": {"learningRate": 0.1}});
    let mut model = compiled_model(mlp(3, &[(1, "linear")], 4), compile(sgd, "meanSquaredError", &["mae"]));
    let config = FitConfig { shuffle: true, seed: Some(1), ..fit_config(16, 300) };
    let report = fit(&mut model, &x, &y, rows, config);
    assert_close(&weight(&model, "d1", 0), &coef, 1e-3, 1e-3, "recovered coefficients");
    assert_close(&weight(&model, "d1", 1), &[intercept], 1e-3, 1e-3, "recovered intercept");
    let last = &report.epochs.last().unwrap().1;
    assert!(last[0] < 1e-6 && last[1] < 1e-3, "final [mse, mae] = {last:?}");
}

#[test]
fn multi_output_regression_learns_both_heads() {
    // Shared trunk, two linear heads: y1 = x0 - x1, y2 = 2 x2.
    let rows = 48;
    let mut rng = TestRng::new(5);
    let x = rng.vec(rows * 3, -1.0, 1.0);
    let y1: Vec<f32> = x.chunks_exact(3).map(|r| r[0] - r[1]).collect();
    let y2: Vec<f32> = x.chunks_exact(3).map(|r| 2.0 * r[2]).collect();
    let graph = json!({
        "name": "mh",
        "layers": [
            {"className": "InputLayer", "name": "in", "width": 3},
            {"className": "Dense", "name": "trunk", "units": 8, "activation": "linear", "kernelInitializer": glorot(1)},
            {"className": "Dense", "name": "a", "units": 1, "kernelInitializer": glorot(2)},
            {"className": "Dense", "name": "b", "units": 1, "kernelInitializer": glorot(3)},
        ],
        "nodes": [{"layer": 0, "inputs": []}, {"layer": 1, "inputs": [0]}, {"layer": 2, "inputs": [1]}, {"layer": 3, "inputs": [1]}],
        "inputs": [0], "outputs": [2, 3]
    });
    let adam = json!({"className": "Adam", "config": {"learningRate": 0.02, "beta1": 0.9, "beta2": 0.999}});
    let mut model = compiled_model(graph, json!({"optimizer": adam, "heads": [{"loss": "meanSquaredError"}, {"loss": "meanSquaredError", "lossWeight": 2.0}]}));
    assert_eq!(model.metrics_names(), ["loss", "a_loss", "b_loss"]);
    let data = Dataset::new(vec![x.clone()], vec![y1.clone(), y2.clone()], rows);
    let mut t = Trainer::new(&model, data, None, FitConfig { shuffle: true, seed: Some(2), ..fit_config(16, 300) }).unwrap();
    let report = t.run(&mut model, ALL).unwrap();
    let last = &report.epochs.last().unwrap().1;
    assert!(last[1] < 1e-4 && last[2] < 1e-4, "per-head losses {last:?}");
    assert_close1(last[0], last[1] + 2.0 * last[2], 1e-6, 1e-3, "loss = a_loss + 2 b_loss");
}

// ---------------------------------------------------------------------------------------------
// Validation split
// ---------------------------------------------------------------------------------------------

#[test]
fn validation_split_is_taken_from_the_tail_before_shuffling() {
    let rows = 10;
    let mut rng = TestRng::new(3);
    let x = rng.vec(rows * 2, -1.0, 1.0);
    // The last rows have far larger targets, so head and tail give very different losses.
    let y: Vec<f32> = (0..rows).map(|i| if i < 7 { 0.1 * i as f32 } else { 10.0 + i as f32 }).collect();
    let frozen_sgd = json!({"className": "SGD", "config": {"learningRate": 0.0}});
    let model = compiled_model(mlp(2, &[(3, "tanh"), (1, "linear")], 8), compile(frozen_sgd, "meanSquaredError", &["mae"]));

    let eval = |m: &Model, from: usize, to: usize| {
        m.evaluate_rows(&Batchable { sample_weights: Vec::new(), xs: vec![&x[from * 2..to * 2]], ys: vec![&y[from..to]], rows: to - from }, 64).unwrap()
    };
    let (head, tail) = (eval(&model, 0, 7), eval(&model, 7, 10));
    assert!(tail[0] > 10.0 * head[0], "the data separates head and tail: {head:?} {tail:?}");

    for shuffle in [false, true] {
        let mut m = model.clone();
        let data = Dataset::new(vec![x.clone()], vec![y.clone()], rows);
        let config = FitConfig { validation_split: 0.3, shuffle, seed: Some(4), ..fit_config(4, 2) };
        let mut t = Trainer::new(&m, data, None, config).unwrap();
        assert_eq!(t.samples(), 7, "floor(10 * 0.7) rows train");
        assert!(t.has_validation());
        assert_eq!(t.steps_per_epoch(), 2);
        assert_eq!(t.log_names(&m), ["loss", "mae", "val_loss", "val_mae"]);
        let report = t.run(&mut m, ALL).unwrap();
        for (epoch, logs) in &report.epochs {
            assert_eq!(logs.len(), 4);
            // Learning rate 0: the training loss is the mean over the first 7 rows, validation over the last 3.
            assert_close(&logs[..2], &head, 1e-5, 1e-5, &format!("shuffle {shuffle}, epoch {epoch}: training logs = rows 0..7"));
            assert_close(&logs[2..], &tail, 1e-5, 1e-5, &format!("shuffle {shuffle}, epoch {epoch}: validation logs = rows 7..10"));
        }
    }
}

#[test]
fn validation_runs_with_the_weights_at_the_end_of_each_epoch() {
    let rows = 12;
    let mut rng = TestRng::new(17);
    let x = rng.vec(rows * 2, -1.0, 1.0);
    let y: Vec<f32> = x.chunks_exact(2).map(|r| r[0] * 0.5 - r[1]).collect();
    let sgd = json!({"className": "SGD", "config": {"learningRate": 0.2}});
    let mut model = compiled_model(mlp(2, &[(1, "linear")], 12), compile(sgd, "meanSquaredError", &[]));
    let data = Dataset::new(vec![x.clone()], vec![y.clone()], rows);
    let mut t = Trainer::new(&model, data, None, FitConfig { validation_split: 0.25, ..fit_config(5, 3) }).unwrap();
    assert_eq!(t.samples(), 9);
    let mut val = Vec::new();
    loop {
        let report = t.run(&mut model, RunLimits { epochs: 1, ..ALL }).unwrap();
        assert_eq!(report.epochs.len(), 1);
        let logs = &report.epochs[0].1;
        assert_eq!(logs.len(), 2, "[loss, val_loss]");
        let expected = model.evaluate_rows(&Batchable { sample_weights: Vec::new(), xs: vec![&x[18..]], ys: vec![&y[9..]], rows: 3 }, 3).unwrap()[0];
        assert_close1(logs[1], expected, 1e-6, 1e-5, "val_loss = evaluate(last 3 rows) after the epoch");
        val.push(logs[1]);
        if report.done {
            break;
        }
    }
    assert_eq!(val.len(), 3);
    assert!(val[2] < val[0], "validation loss falls: {val:?}");
}

#[test]
fn explicit_validation_data_is_used_as_given() {
    let x = [0.1f32, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
    let y = [1.0f32, 2.0, 3.0, 4.0];
    let (vx, vy) = ([1.0f32, -1.0], [5.0f32]);
    let sgd = json!({"className": "SGD", "config": {"learningRate": 0.0}});
    let mut model = compiled_model(mlp(2, &[(1, "linear")], 2), compile(sgd, "meanAbsoluteError", &[]));
    let train = Dataset::new(vec![x.to_vec()], vec![y.to_vec()], 4);
    let validation = Dataset::new(vec![vx.to_vec()], vec![vy.to_vec()], 1);
    let mut t = Trainer::new(&model, train, Some(validation), FitConfig { validation_split: 0.5, ..fit_config(2, 1) }).unwrap();
    assert_eq!(t.samples(), 4, "validationData wins over validationSplit");
    let logs = t.run(&mut model, ALL).unwrap().epochs.remove(0).1;
    let expected = model.evaluate_rows(&Batchable { sample_weights: Vec::new(), xs: vec![&vx], ys: vec![&vy], rows: 1 }, 1).unwrap()[0];
    assert_close1(logs[1], expected, 1e-6, 1e-6, "val_loss");

    // Bad validation data is rejected up front, naming it.
    let bad = Dataset::new(vec![vec![1.0, f32::NAN]], vec![vec![5.0]], 1);
    let train = Dataset::new(vec![x.to_vec()], vec![y.to_vec()], 4);
    let err = Trainer::new(&model, train, Some(bad), fit_config(2, 1)).err().expect("NaN in validation x");
    let msg = err.to_string();
    assert!(msg.contains("validationData") && msg.contains("row 0, column 1"), "{msg}");
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

fn small_model() -> Model {
    let sgd = json!({"className": "SGD", "config": {"learningRate": 0.1}});
    compiled_model(mlp(3, &[(2, "relu"), (1, "linear")], 1), compile(sgd, "meanSquaredError", &[]))
}

fn assert_message(err: &Error, parts: &[&str]) {
    let msg = err.to_string();
    for p in parts {
        assert!(msg.contains(p), "error message {msg:?} should contain {p:?} ({err:?})");
    }
}

#[test]
fn zero_batch_size_is_rejected() {
    let model = small_model();
    let err = trainer_error(&model, vec![vec![0.0; 6]], vec![vec![0.0; 2]], 2, fit_config(0, 1));
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    assert_eq!(err.to_string(), "fit: batchSize must be a positive integer but got 0");
    assert!(err.is_caller_error());

    let err = model.predict_rows(&[&[0.0; 6]], 2, 0).unwrap_err();
    assert_message(&err, &["batchSize", "0"]);
}

#[test]
fn nan_in_x_names_row_and_column() {
    let model = small_model();
    let mut x = vec![0.5f32; 12];
    x[5] = f32::NAN; // row 1, column 2
    let err = trainer_error(&model, vec![x], vec![vec![0.0; 4]], 4, fit_config(2, 1));
    match &err {
        Error::NonFinite { row, column, value, .. } => {
            assert_eq!((*row, *column), (1, 2));
            assert!(value.is_nan());
        }
        other => panic!("expected NonFinite, got {other:?}"),
    }
    assert_eq!(err.to_string(), "fit: x must hold finite numbers, but row 1, column 2 is NaN");

    // Infinities in targets, too.
    let mut y = vec![0.0f32; 4];
    y[3] = f32::INFINITY;
    let err = trainer_error(&model, vec![vec![0.5; 12]], vec![y], 4, fit_config(2, 1));
    assert_message(&err, &["fit: y", "row 3, column 0"]);

    // And for predict.
    let err = model.predict_rows(&[&[0.0, 1.0, 2.0, f32::NEG_INFINITY, 0.0, 0.0]], 2, 2).unwrap_err();
    assert_message(&err, &["predict: x", "row 1, column 0"]);
}

#[test]
fn wrong_width_is_rejected() {
    let model = small_model();
    // 4 rows of 2 columns for a model that takes 3.
    let err = trainer_error(&model, vec![vec![0.0; 8]], vec![vec![0.0; 4]], 4, fit_config(2, 1));
    assert!(matches!(err, Error::ShapeMismatch { .. }), "{err:?}");
    assert_message(&err, &["fit: x", "4 rows of 3 column(s)", "8 values"]);

    // Targets of the wrong width.
    let err = trainer_error(&model, vec![vec![0.0; 12]], vec![vec![0.0; 8]], 4, fit_config(2, 1));
    assert_message(&err, &["fit: y", "4 rows of 1 column(s)", "8 values"]);

    // Wrong number of arrays.
    let err = trainer_error(&model, vec![vec![0.0; 12], vec![0.0; 12]], vec![vec![0.0; 4]], 4, fit_config(2, 1));
    assert_message(&err, &["1 input(s)", "2 x array(s)"]);
    let err = trainer_error(&model, vec![vec![0.0; 12]], vec![vec![0.0; 4], vec![0.0; 4]], 4, fit_config(2, 1));
    assert_message(&err, &["1 output(s)", "2 y array(s)"]);

    let err = model.predict_rows(&[&[0.0; 5]], 2, 2).unwrap_err();
    assert_message(&err, &["predict: x", "2 rows of 3 column(s)"]);
}

#[test]
fn fit_and_evaluate_before_compile_are_rejected() {
    let model = Model::new(graph(mlp(3, &[(1, "linear")], 1)));
    assert!(!model.is_compiled());
    let err = trainer_error(&model, vec![vec![0.0; 6]], vec![vec![0.0; 2]], 2, fit_config(2, 1));
    assert!(matches!(err, Error::NotCompiled(_)), "{err:?}");
    assert_eq!(err.to_string(), "You must compile a model before training/testing. Use LayersModel.compile(modelCompileArgs).");

    let err = model.evaluate_rows(&Batchable { sample_weights: Vec::new(), xs: vec![&[0.0; 6]], ys: vec![&[0.0; 2]], rows: 2 }, 2).unwrap_err();
    assert!(matches!(err, Error::NotCompiled(_)), "{err:?}");
    // predict needs no compile.
    assert_eq!(model.predict_rows(&[&[0.0; 6]], 2, 2).unwrap()[0].len(), 2);
}

#[test]
fn bad_validation_split_is_rejected() {
    let model = small_model();
    for split in [1.0f64, -0.1, f64::NAN] {
        let err = trainer_error(&model, vec![vec![0.0; 6]], vec![vec![0.0; 2]], 2, FitConfig { validation_split: split, ..fit_config(2, 1) });
        assert_message(&err, &["validationSplit", "[0, 1)"]);
    }
    // 0.3 of 2 rows: floor(1.4) = 1 training row and 1 validation row is fine; 0.9 of 2 leaves none to train on.
    let err = trainer_error(&model, vec![vec![0.0; 6]], vec![vec![0.0; 2]], 2, FitConfig { validation_split: 0.9, ..fit_config(2, 1) });
    assert_message(&err, &["validationSplit", "no rows for training"]);
    assert!(
        Trainer::new(&model, Dataset::new(vec![vec![0.0; 6]], vec![vec![0.0; 2]], 2), None, FitConfig { validation_split: 0.3, ..fit_config(2, 1) }).is_ok()
    );
}

#[test]
fn compile_errors_name_the_problem() {
    let mut model = Model::new(graph(mlp(3, &[(1, "sigmoid")], 1)));
    let cfg = |v: Value| -> CompileConfig { serde_json::from_value(v).unwrap() };
    let sgd = json!({"className": "SGD", "config": {"learningRate": 0.1}});

    let err = model.compile(&cfg(json!({"optimizer": sgd, "heads": []}))).unwrap_err();
    assert_message(&err, &["1 output(s)", "0 loss(es)"]);

    // Loss and metric names are typed: an unknown one is refused when the config is read.
    let unread = |v: Value| serde_json::from_value::<CompileConfig>(v).unwrap_err().to_string();
    let err = dense_mtl_core::loss::Loss::parse("meanSquareError").unwrap_err();
    assert!(matches!(err, Error::UnknownName { kind: "loss", .. }), "{err:?}");
    let read = unread(compile(sgd.clone(), "meanSquareError", &[]));
    assert!(read.contains("Unknown loss 'meanSquareError'") && read.contains("meanSquaredError"), "{read}");

    let err = model.compile(&cfg(compile(sgd.clone(), "categoricalCrossentropy", &[]))).unwrap_err();
    assert_message(&err, &["categoricalCrossentropy", "binaryCrossentropy"]);

    let read = unread(compile(sgd.clone(), "mse", &["acuracy"]));
    assert!(read.contains("Unknown metric 'acuracy'") && read.contains("accuracy"), "{read}");

    let mut bad = cfg(compile(sgd.clone(), "mse", &[]));
    bad.optimizer = dense_mtl_core::optimizer::OptimizerConfig::new(dense_mtl_core::optimizer::Rule::Sgd {}, f32::NAN);
    assert_message(&model.compile(&bad).unwrap_err(), &["learningRate", "NaN"]);

    let mut negative = cfg(compile(sgd.clone(), "mse", &[]));
    negative.heads[0].loss_weight = -1.0;
    assert_message(&model.compile(&negative).unwrap_err(), &["lossWeights", "-1"]);

    assert!(!model.is_compiled(), "failed compiles leave the model uncompiled");
    model.compile(&cfg(compile(sgd, "mse", &["acc"]))).unwrap();
    assert_eq!(model.metrics_names(), ["loss", "acc"]);
}

/// The error of reading the config (typed: an unknown activation fails here) or of building it.
fn build_error(v: Value) -> Error {
    match serde_json::from_value::<GraphConfig>(v) {
        Ok(config) => Graph::build(&config).expect_err("Graph::build should fail"),
        Err(e) => Error::invalid(e.to_string()),
    }
}

#[test]
fn graph_errors_name_the_problem() {
    let input = json!({"className": "InputLayer", "name": "in", "width": 2});
    let err = build_error(json!({"name": "m", "layers": [input, {"className": "Dense", "name": "d", "units": 0}],
        "nodes": [{"layer": 0}, {"layer": 1, "inputs": [0]}], "inputs": [0], "outputs": [1]}));
    assert_message(&err, &["dense 'd'", "units", "0"]);

    let err = build_error(json!({"name": "m", "layers": [input, {"className": "Dense", "name": "in", "units": 1}],
        "nodes": [{"layer": 0}, {"layer": 1, "inputs": [0]}], "inputs": [0], "outputs": [1]}));
    assert_message(&err, &["unique", "'in'"]);

    let err = build_error(json!({"name": "m", "layers": [input, {"className": "Dense", "name": "d", "units": 1}],
        "nodes": [{"layer": 0}, {"layer": 1, "inputs": [1]}], "inputs": [0], "outputs": [1]}));
    assert_message(&err, &["cycle"]);

    let err = build_error(json!({"name": "m", "layers": [input, {"className": "Dense", "name": "d", "units": 1, "activation": "rleu"}],
        "nodes": [{"layer": 0}, {"layer": 1, "inputs": [0]}], "inputs": [0], "outputs": [1]}));
    assert_message(&err, &["Unknown activation 'rleu'", "relu"]);

    let err = build_error(json!({"name": "m", "layers": [input, {"className": "InputLayer", "name": "in2", "width": 3}, {"className": "Add", "name": "add"}],
        "nodes": [{"layer": 0}, {"layer": 1}, {"layer": 2, "inputs": [0, 1]}], "inputs": [0, 1], "outputs": [2]}));
    assert_message(&err, &["merge layer 'add'", "same width"]);

    let err = build_error(json!({"name": "m", "layers": [input, {"className": "Dropout", "name": "drop", "rate": 1.0}],
        "nodes": [{"layer": 0}, {"layer": 1, "inputs": [0]}], "inputs": [0], "outputs": [1]}));
    assert_message(&err, &["dropout 'drop'", "rate"]);

    let err =
        build_error(json!({"name": "m", "layers": [input, {"className": "InputLayer", "name": "other", "width": 2}, {"className": "Add", "name": "add"}],
        "nodes": [{"layer": 0}, {"layer": 1}, {"layer": 2, "inputs": [0, 1]}], "inputs": [0], "outputs": [2]}));
    assert_message(&err, &["'other'", "not among the model's inputs"]);
}

#[test]
fn duplicate_model_inputs_are_rejected() {
    let err = build_error(json!({"name": "m",
        "layers": [{"className": "InputLayer", "name": "in", "width": 2}, {"className": "Dense", "name": "d", "units": 1}],
        "nodes": [{"layer": 0}, {"layer": 1, "inputs": [0]}], "inputs": [0, 0], "outputs": [1]}));
    assert_message(&err, &["input"]);
}
