//! The core as a Rust library: builders produce the graph the wire describes, and the ndarray
//! boundary (fit / evaluate / predict / weights) agrees with the slice entry points the binding
//! uses.

use dense_mtl_core::activation::Activation;
use dense_mtl_core::loss::Loss;
use dense_mtl_core::metric::{Metric, MetricConfig};
use dense_mtl_core::model::{Batchable, CompileConfig, HeadConfig};
use dense_mtl_core::optimizer::{OptimizerConfig, Rule};
use dense_mtl_core::{FitConfig, GraphBuilder, GraphConfig, Model, Sequential};
use ndarray::{array, Array2, ArrayD, IxDyn};
use serde_json::json;

fn sgd(lr: f32) -> OptimizerConfig {
    OptimizerConfig::new(Rule::Sgd {}, lr)
}

/// Rows `r` of 3 columns with values that differ per row and column.
fn inputs(rows: usize) -> Array2<f32> {
    Array2::from_shape_fn((rows, 3), |(r, c)| ((r * 3 + c) as f32 * 0.37).sin())
}

#[test]
fn sequential_describes_the_graph_the_javascript_layer_sends() {
    let built = Sequential::new().name("s").input(3).dense(4, Activation::Relu).dropout(0.25).dense(2, Activation::Softmax).config().unwrap();
    let wire: GraphConfig = serde_json::from_value(json!({
        "name": "s",
        "layers": [
            {"className": "InputLayer", "name": "input1", "width": 3},
            {"className": "Dense", "name": "dense_Dense1", "units": 4, "activation": "relu"},
            {"className": "Dropout", "name": "dropout_Dropout1", "rate": 0.25},
            {"className": "Dense", "name": "dense_Dense2", "units": 2, "activation": "softmax"}
        ],
        "nodes": [{"layer": 0}, {"layer": 1, "inputs": [0]}, {"layer": 2, "inputs": [1]}, {"layer": 3, "inputs": [2]}],
        "inputs": [0],
        "outputs": [3]
    }))
    .unwrap();
    // GraphConfig has no PartialEq: its Debug form holds every field.
    assert_eq!(format!("{built:?}"), format!("{wire:?}"));
}

#[test]
fn builders_refuse_what_cannot_be_built() {
    assert!(Sequential::new().dense(2, Activation::Linear).build().unwrap_err().to_string().contains("input width"));
    assert!(Sequential::new().input(3).build().unwrap_err().to_string().contains("no layers"));
    // A width of 0 is the core's own check, reached through the builder.
    assert!(Sequential::new().input(0).dense(2, Activation::Linear).build().is_err());
}

#[test]
fn graph_builder_shares_a_trunk_between_two_heads() {
    let mut g = GraphBuilder::new("mtl");
    let x = g.input("features", 3);
    let trunk = g.dense(x, 5, Activation::Tanh);
    let a = g.dense(trunk, 2, Activation::Softmax);
    let b = g.dense(trunk, 1, Activation::Linear);
    let mut model = g.build(&[a, b]).unwrap();
    assert_eq!(model.graph.output_widths(), [2, 1]);
    let heads = vec![HeadConfig::new(Loss::CategoricalCrossentropy).metric(MetricConfig::Accuracy), HeadConfig::new(Loss::MeanSquaredError).loss_weight(0.5)];
    model.compile(&CompileConfig::new(sgd(0.05), heads)).unwrap();
    // TF.js's log names: per-output losses, and metrics prefixed by their output.
    let names = model.metrics_names();
    assert_eq!(names, ["loss", "dense_Dense2_loss", "dense_Dense3_loss", "dense_Dense2_acc"]);

    let x = inputs(6);
    let ya = Array2::from_shape_fn((6, 2), |(r, c)| ((r % 2) == c) as u8 as f32);
    let yb = x.column(0).to_owned().insert_axis(ndarray::Axis(1));
    let history = model.fit(&[x.view()], &[ya.view(), yb.view()], &FitConfig::new(3, 4).seed(1)).unwrap();
    assert_eq!(history.epoch, [0, 1, 2]);
    for name in &names {
        assert_eq!(history.get(name).map(<[f64]>::len), Some(3), "{name}");
    }
}

#[test]
fn predict_and_evaluate_on_arrays_match_the_slice_entry_points() {
    let mut model = Sequential::new().input(3).dense(4, Activation::Sigmoid).dense(2, Activation::Softmax).build().unwrap();
    model.compile(&CompileConfig::new(sgd(0.1), vec![HeadConfig::new(Loss::CategoricalCrossentropy).metric(Metric::CategoricalAccuracy)])).unwrap();
    let x = inputs(7);
    let y = Array2::from_shape_fn((7, 2), |(r, c)| ((r % 3 == 0) as usize == c) as u8 as f32);
    let flat_x: Vec<f32> = x.iter().copied().collect();
    let flat_y: Vec<f32> = y.iter().copied().collect();

    let predicted = model.predict(&[x.view()], 3).unwrap();
    let rows = model.predict_rows(&[&flat_x], 7, 3).unwrap();
    assert_eq!(predicted[0].dim(), (7, 2));
    assert_eq!(predicted[0].iter().copied().collect::<Vec<_>>(), rows[0]);

    // A view that is not in row-major layout (a transposed array) gives the same predictions.
    let columns = x.t().to_owned();
    assert_eq!(model.predict(&[columns.t()], 3).unwrap(), predicted);

    let logs = model.evaluate(&[x.view()], &[y.view()], 4).unwrap();
    let values = model.evaluate_rows(&Batchable { xs: vec![&flat_x], ys: vec![&flat_y], sample_weights: Vec::new(), rows: 7 }, 4).unwrap();
    assert_eq!(logs.keys().collect::<Vec<_>>(), ["categoricalAccuracy", "loss"]);
    assert_eq!(logs["loss"], values[0]);
    assert_eq!(logs["categoricalAccuracy"], values[1]);

    // Arrays whose rows disagree are refused, naming them.
    let short = inputs(6);
    let err = model.evaluate(&[short.view()], &[y.view()], 4).unwrap_err().to_string();
    assert!(err.contains("evaluate: y[0]") && err.contains("6 rows"), "{err}");
}

#[test]
fn weights_round_trip_as_arrays_and_a_wrong_shape_changes_nothing() {
    let mut model: Model = Sequential::new().input(3).dense(2, Activation::Linear).build().unwrap();
    let weights = model.weights();
    assert_eq!(
        weights.iter().map(|w| (w.name.as_str(), w.values.shape().to_vec(), w.trainable)).collect::<Vec<_>>(),
        [("dense_Dense1/kernel", vec![3, 2], true), ("dense_Dense1/bias", vec![2], true)]
    );

    let kernel = ArrayD::from_shape_vec(IxDyn(&[3, 2]), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
    let bias = ArrayD::from_shape_vec(IxDyn(&[2]), vec![0.5, -0.5]).unwrap();
    model.set_weights(&[kernel.view(), bias.view()]).unwrap();
    // x · kernel + bias, by hand.
    let out = model.predict(&[array![[1.0f32, 0.0, 2.0]].view()], 32).unwrap().remove(0);
    assert_eq!(out, array![[1.0 + 10.0 + 0.5, 2.0 + 12.0 - 0.5]]);

    // The kernel transposed has the same number of values but the wrong shape.
    let before = model.weights();
    let transposed = kernel.t().to_owned();
    let err = model.set_weights(&[transposed.view(), bias.view()]).unwrap_err().to_string();
    assert!(err.contains("dense_Dense1/kernel") && err.contains("[3, 2]") && err.contains("[2, 3]"), "{err}");
    assert_eq!(model.weights(), before);
    assert!(model.set_weights(&[kernel.view()]).is_err());
    assert_eq!(model.weights(), before);
}

#[test]
fn fit_with_validation_logs_val_values_with_the_final_weights_of_each_epoch() {
    let mut model = Sequential::new().input(3).dense(1, Activation::Linear).build().unwrap();
    model.compile(&CompileConfig::new(sgd(0.05), vec![HeadConfig::new(Loss::MeanSquaredError)])).unwrap();
    let (x, vx) = (inputs(8), inputs(3));
    let target = |x: &Array2<f32>| x.map_axis(ndarray::Axis(1), |r| r[0] - 2.0 * r[2]).insert_axis(ndarray::Axis(1));
    let (y, vy) = (target(&x), target(&vx));
    let history = model.fit_with_validation(&[x.view()], &[y.view()], Some((&[vx.view()], &[vy.view()])), &FitConfig::new(2, 8)).unwrap();
    assert_eq!(history.history.keys().collect::<Vec<_>>(), ["loss", "val_loss"]);
    // The last val_loss is an evaluation of the validation rows with the final weights.
    let evaluated = model.evaluate(&[vx.view()], &[vy.view()], 32).unwrap()["loss"];
    assert!((history.last("val_loss").unwrap() - evaluated).abs() < 1e-9);
}
