//! Analytic gradients against central differences: every activation's `backward`, every loss's
//! `grad`, and every weight gradient of dense stacks and multi-head graphs (shared trunk,
//! concatenate / add / multiply / average merges, a shared layer, a frozen layer, an Activation
//! layer), including the loss-weighted total and `Model::train_step`'s regularized SGD update.

mod common;

use common::*;
use dense_mtl_core::activation::{self, Activation};
use dense_mtl_core::loss::{self, Loss};
use dense_mtl_core::model::Batchable;
use dense_mtl_core::Model;
use serde_json::{json, Value};

const ATOL: f64 = 1e-3;
const RTOL: f64 = 1e-2;

// ---------------------------------------------------------------------------------------------
// Activations
// ---------------------------------------------------------------------------------------------

/// Points where some activation's derivative jumps (relu/elu/selu at 0, relu6 at 6,
/// hardSigmoid at ±2.5): inputs are kept away from them.
const KINKS: [f32; 4] = [0.0, 6.0, -2.5, 2.5];

fn smooth_inputs(rng: &mut TestRng, n: usize) -> Vec<f32> {
    let mut v = Vec::with_capacity(n);
    while v.len() < n {
        let x = rng.uniform(-4.0, 8.0);
        if KINKS.iter().all(|k| (x - k).abs() > 0.05) {
            v.push(x);
        }
    }
    v
}

/// `Σ u · f(x)` accumulated in f64 (so that unperturbed terms cancel exactly).
fn weighted_output(act: Activation, x: &[f32], u: &[f32], width: usize) -> f64 {
    let mut out = vec![0.0; x.len()];
    act.forward(x, &mut out, width);
    out.iter().zip(u).map(|(&o, &u)| o as f64 * u as f64).sum()
}

#[test]
fn every_activation_backward_matches_central_differences() {
    let (rows, width) = (4, 5);
    let mut names = Vec::new();
    let mut failures = Vec::new();
    for (seed, (name, act)) in activation::all().enumerate() {
        names.push(name);
        let mut rng = TestRng::new(100 + seed as u64);
        let mut x = smooth_inputs(&mut rng, rows * width);
        let u = rng.vec(rows * width, -1.0, 1.0);

        let mut out = vec![0.0; x.len()];
        act.forward(&x, &mut out, width);
        let mut analytic = u.clone();
        act.backward(&x, &out, &mut analytic, width);

        let numeric = central_difference(&mut x, 1e-3, |x| weighted_output(act, x, &u, width));
        let result = std::panic::catch_unwind(|| assert_close(&analytic, &numeric, ATOL, RTOL, &format!("activation '{name}' backward")));
        if let Err(e) = result {
            failures.push(e.downcast_ref::<String>().cloned().unwrap_or_else(|| name.to_string()));
        }
    }
    assert_eq!(names.len(), 16, "activation::all() lists {names:?}");
    assert!(failures.is_empty(), "{} activation(s) failed:\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn every_activation_backward_ignores_pre_when_it_does_not_need_it() {
    // Dense passes an empty `pre` for activations whose derivative comes from the output.
    let width = 3;
    let mut rng = TestRng::new(7);
    for (name, act) in activation::all().filter(|(_, a)| !a.needs_input()) {
        let x = smooth_inputs(&mut rng, 2 * width);
        let u = rng.vec(2 * width, -1.0, 1.0);
        let mut out = vec![0.0; x.len()];
        act.forward(&x, &mut out, width);
        let (mut with_pre, mut without_pre) = (u.clone(), u.clone());
        act.backward(&x, &out, &mut with_pre, width);
        act.backward(&[], &out, &mut without_pre, width);
        assert_eq!(with_pre, without_pre, "activation '{name}'");
    }
}

#[test]
fn every_activation_forward_inplace_matches_forward() {
    let width = 5;
    let mut rng = TestRng::new(11);
    for (name, act) in activation::all() {
        let x = rng.vec(3 * width, -6.0, 9.0);
        let mut out = vec![0.0; x.len()];
        act.forward(&x, &mut out, width);
        let mut inplace = x.clone();
        act.forward_inplace(&mut inplace, width);
        assert_close(&inplace, &out, 1e-6, 1e-6, &format!("activation '{name}' forward_inplace"));
        assert!(out.iter().all(|v| v.is_finite()), "activation '{name}' gave non-finite values {out:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Losses
// ---------------------------------------------------------------------------------------------

/// `(target row, prediction row)` pairs inside each loss's domain and away from its kinks.
fn loss_cases(loss: Loss) -> Vec<(Vec<f32>, Vec<f32>)> {
    let c = |t: &[f32], p: &[f32]| (t.to_vec(), p.to_vec());
    match loss {
        Loss::MeanSquaredError | Loss::MeanAbsoluteError | Loss::Logcosh | Loss::CosineProximity => {
            vec![c(&[0.3, -1.2, 2.0], &[0.8, -0.4, 1.1]), c(&[-0.7, 0.1, 1.5, 0.0], &[-1.6, 0.9, 1.2, 0.45]), c(&[0.25], &[-0.6])]
        }
        Loss::MeanAbsolutePercentageError => vec![c(&[0.5, -2.0, 3.0], &[0.9, -1.1, 2.2]), c(&[1.5], &[1.2])],
        Loss::MeanSquaredLogarithmicError => vec![c(&[0.5, 2.0, 0.0], &[0.9, 1.1, 0.3]), c(&[3.0], &[0.05])],
        // Targets ±1; margins 0.7, 1.4, -0.8 (inactive), -1.0, 1.5, 1.2.
        Loss::Hinge | Loss::SquaredHinge => vec![c(&[1.0, -1.0, 1.0], &[0.3, 0.4, 1.8]), c(&[-1.0, 1.0, -1.0], &[-2.0, -0.5, 0.2])],
        Loss::CategoricalHinge => vec![
            c(&[0.0, 1.0, 0.0], &[0.3, 0.6, 0.1]),  // margin 0.7
            c(&[1.0, 0.0, 0.0], &[2.0, 0.1, 0.4]),  // margin -0.6 (inactive)
            c(&[0.0, 0.0, 1.0], &[0.9, -0.2, 0.5]), // margin 1.4
        ],
        Loss::CategoricalCrossentropy => vec![
            c(&[0.0, 1.0, 0.0], &[0.2, 0.5, 0.3]),
            c(&[0.1, 0.3, 0.6], &[0.25, 0.35, 0.5]), // soft target, unnormalized prediction
            c(&[1.0, 0.0], &[0.4, 0.6]),
        ],
        Loss::SparseCategoricalCrossentropy => vec![
            c(&[1.0], &[0.2, 0.5, 0.3]),
            c(&[2.0], &[0.1, 0.3, 0.4]), // unnormalized
            c(&[0.0], &[0.7, 0.2, 0.1]),
        ],
        Loss::BinaryCrossentropy => vec![c(&[1.0, 0.0, 1.0], &[0.8, 0.3, 0.1]), c(&[0.3, 0.7, 0.5], &[0.6, 0.2, 0.9]), c(&[1.0], &[0.7])],
        Loss::KullbackLeiblerDivergence => vec![c(&[0.2, 0.5, 0.3], &[0.3, 0.3, 0.4]), c(&[0.9, 0.1], &[0.6, 0.4])],
        Loss::Poisson => vec![c(&[1.0, 0.0, 3.0], &[0.5, 1.2, 2.5]), c(&[2.0], &[0.3])],
    }
}

#[test]
fn every_loss_gradient_matches_central_differences() {
    let mut names = Vec::new();
    let mut failures = Vec::new();
    for (name, loss) in loss::all() {
        names.push(name);
        for (case, (t, mut p)) in loss_cases(loss).into_iter().enumerate() {
            let mut analytic = vec![f32::NAN; p.len()];
            let value = loss.row(&t, &p, Some(&mut analytic));
            let value_only = loss.row(&t, &p, None);
            if value != value_only || !value.is_finite() {
                failures.push(format!("loss '{name}' case {case}: value with grad {value} vs without {value_only}"));
            }
            let numeric = central_difference(&mut p, 1e-3, |p| loss.row(&t, p, None) as f64);
            let what = format!("loss '{name}' case {case} (t {t:?}, p {p:?}) grad");
            if let Err(e) = std::panic::catch_unwind(|| assert_close(&analytic, &numeric, ATOL, RTOL, &what)) {
                failures.push(e.downcast_ref::<String>().cloned().unwrap_or(what));
            }
        }
    }
    assert_eq!(names.len(), 14, "loss::all() lists {names:?}");
    assert!(failures.is_empty(), "{} loss case(s) failed:\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn loss_compute_matches_row_for_every_loss() {
    for (name, loss) in loss::all() {
        let cases: Vec<_> = loss_cases(loss).into_iter().filter(|(_, p)| p.len() == 3).collect();
        let t: Vec<f32> = cases.iter().flat_map(|(t, _)| t.clone()).collect();
        let p: Vec<f32> = cases.iter().flat_map(|(_, p)| p.clone()).collect();
        let rows = cases.len();
        let mut per_sample = vec![0.0; rows];
        let mut grad = vec![0.0; p.len()];
        loss.compute(&t, &p, 3, &mut per_sample, Some(&mut grad));
        for (i, (tr, pr)) in cases.iter().enumerate() {
            let mut g = vec![0.0; 3];
            assert_eq!(per_sample[i], loss.row(tr, pr, Some(&mut g)), "loss '{name}' row {i} value");
            assert_eq!(&grad[i * 3..(i + 1) * 3], &g[..], "loss '{name}' row {i} grad");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Graphs
// ---------------------------------------------------------------------------------------------

#[test]
fn dense_stack_with_every_hidden_activation() {
    let rows = 6;
    let mut rng = TestRng::new(21);
    let x = rng.vec(rows * 3, -2.0, 2.0);
    let y = rng.vec(rows * 2, -1.0, 1.0);
    for (k, (name, _)) in activation::all().enumerate() {
        let seed = 10 * k as u64 + 1;
        let mut model = Model::new(graph(chain(3, vec![dense("d1", 5, name, seed), dense("d2", 2, "linear", seed + 1)])));
        model.compile(&serde_json::from_value(compile_json(&[("meanSquaredError", 1.0)])).unwrap()).unwrap();
        let n = check_graph_gradients(&mut model, &[&x], &[&y], rows, &format!("dense stack with hidden '{name}'"));
        assert_eq!(n, 3 * 5 + 5 + 5 * 2 + 2);
    }
}

#[test]
fn deep_dense_stack_with_softmax_crossentropy() {
    let rows = 7;
    let mut rng = TestRng::new(22);
    let x = rng.vec(rows * 4, -1.5, 1.5);
    let classes: Vec<usize> = (0..rows).map(|i| (i * 2) % 3).collect();
    let y: Vec<f32> = classes.iter().flat_map(|&c| (0..3).map(move |j| if j == c { 1.0 } else { 0.0 })).collect();
    let mut no_bias = dense("d2", 5, "sigmoid", 32);
    no_bias["useBias"] = json!(false);
    let layers = vec![dense("d1", 6, "tanh", 31), no_bias, dense("d3", 4, "elu", 33), dense("out", 3, "softmax", 34)];
    let mut model = compiled_model(chain(4, layers), compile_json(&[("categoricalCrossentropy", 1.0)]));
    let n = check_graph_gradients(&mut model, &[&x], &[&y], rows, "deep stack, softmax + categoricalCrossentropy");
    assert_eq!(n, 4 * 6 + 6 + 6 * 5 + 5 * 4 + 4 + 4 * 3 + 3);

    // The same net with class indices and sparseCategoricalCrossentropy gives the same gradients.
    let y_sparse: Vec<f32> = classes.iter().map(|&c| c as f32).collect();
    let mut sparse = model.clone();
    sparse.compile(&serde_json::from_value(compile_json(&[("sparseCategoricalCrossentropy", 1.0)])).unwrap()).unwrap();
    check_graph_gradients(&mut sparse, &[&x], &[&y_sparse], rows, "deep stack, sparseCategoricalCrossentropy");
    let dense_grads = analytic_gradients(&model, &[&x], &[&y], rows);
    let sparse_grads = analytic_gradients(&sparse, &[&x], &[&y_sparse], rows);
    for ((id, a), (_, b)) in dense_grads.iter().zip(&sparse_grads) {
        assert_close(b.as_ref().unwrap(), a.as_ref().unwrap(), 1e-5, 1e-4, &format!("sparse vs one-hot gradient of weight {id:?}"));
    }
}

/// Output activation and targets for which each loss is defined.
fn head_for(loss: Loss, rows: usize, width: usize, rng: &mut TestRng) -> (&'static str, usize, Vec<f32>) {
    let one_hot = |rng: &mut TestRng| -> Vec<f32> {
        (0..rows)
            .flat_map(|_| {
                let c = (rng.next_u64() % width as u64) as usize;
                (0..width).map(move |j| if j == c { 1.0 } else { 0.0 })
            })
            .collect()
    };
    match loss {
        Loss::CategoricalCrossentropy | Loss::CategoricalHinge => ("softmax", width, one_hot(rng)),
        Loss::SparseCategoricalCrossentropy => ("softmax", 1, (0..rows).map(|_| (rng.next_u64() % width as u64) as f32).collect()),
        Loss::KullbackLeiblerDivergence => ("softmax", width, {
            let mut t = rng.vec(rows * width, 0.1, 1.0);
            t.chunks_exact_mut(width).for_each(|r| {
                let s: f32 = r.iter().sum();
                r.iter_mut().for_each(|v| *v /= s)
            });
            t
        }),
        Loss::BinaryCrossentropy => ("sigmoid", width, rng.vec(rows * width, 0.0, 1.0)),
        Loss::Poisson | Loss::MeanSquaredLogarithmicError => ("softplus", width, rng.vec(rows * width, 0.0, 3.0)),
        Loss::Hinge | Loss::SquaredHinge => ("tanh", width, (0..rows * width).map(|_| if rng.next_u64().is_multiple_of(2) { 1.0 } else { -1.0 }).collect()),
        Loss::MeanAbsolutePercentageError => ("linear", width, rng.vec(rows * width, 0.5, 2.0)),
        Loss::MeanSquaredError | Loss::MeanAbsoluteError | Loss::Logcosh | Loss::CosineProximity => ("linear", width, rng.vec(rows * width, -1.5, 1.5)),
    }
}

#[test]
fn dense_stack_with_every_loss() {
    let (rows, width) = (6, 3);
    for (k, (name, loss)) in loss::all().enumerate() {
        let mut rng = TestRng::new(300 + k as u64);
        let x = rng.vec(rows * 4, -2.0, 2.0);
        let (act, t_width, mut y) = head_for(loss, rows, width, &mut rng);
        assert_eq!(y.len(), rows * t_width);
        let seed = 500 + 10 * k as u64;
        let mut model = compiled_model(chain(4, vec![dense("h", 5, "tanh", seed), dense("out", width, act, seed + 1)]), compile_json(&[(name, 1.0)]));
        if matches!(loss, Loss::MeanAbsoluteError | Loss::MeanAbsolutePercentageError) {
            // |t - p| has a kink at p = t: put every target at least 0.3 away from its prediction
            // (and, for the percentage error, away from t = 0).
            let pred = model.predict(&[&x], rows, rows).unwrap().remove(0);
            for (t, p) in y.iter_mut().zip(&pred) {
                let offset = rng.uniform(0.3, 1.0) * if rng.next_u64().is_multiple_of(2) { 1.0 } else { -1.0 };
                *t = p + offset;
                if t.abs() < 0.2 {
                    *t = p - offset;
                }
            }
        }
        check_graph_gradients(&mut model, &[&x], &[&y], rows, &format!("dense stack with loss '{name}'"));
    }
}

/// Two heads on a shared trunk: head 1 = softmax over concatenate(branch a, branch b),
/// head 2 = linear over add(branch a, branch c).
fn two_head_graph() -> Value {
    let layers = vec![
        input("in", 3),
        dense("trunk", 5, "tanh", 41),
        dense("a", 3, "elu", 42),
        dense("b", 2, "sigmoid", 43),
        json!({"className": "Concatenate", "name": "cat"}),
        dense("cls", 3, "softmax", 44),
        dense("c", 3, "linear", 45),
        json!({"className": "Add", "name": "sum"}),
        dense("reg", 2, "linear", 46),
    ];
    let nodes = json!([
        {"layer": 0, "inputs": []},
        {"layer": 1, "inputs": [0]},
        {"layer": 2, "inputs": [1]},
        {"layer": 3, "inputs": [1]},
        {"layer": 4, "inputs": [2, 3]},
        {"layer": 5, "inputs": [4]},
        {"layer": 6, "inputs": [1]},
        {"layer": 7, "inputs": [2, 6]},
        {"layer": 8, "inputs": [7]},
    ]);
    json!({"name": "two_heads", "layers": layers, "nodes": nodes, "inputs": [0], "outputs": [5, 8]})
}

fn two_head_data(rows: usize) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let mut rng = TestRng::new(47);
    let x = rng.vec(rows * 3, -2.0, 2.0);
    let y1: Vec<f32> = (0..rows).flat_map(|i| (0..3).map(move |j| if j == (i * 5 + 1) % 3 { 1.0 } else { 0.0 })).collect();
    let y2 = rng.vec(rows * 2, -1.0, 1.0);
    (x, y1, y2)
}

#[test]
fn two_heads_with_shared_trunk_concatenate_and_add() {
    let rows = 8;
    let (x, y1, y2) = two_head_data(rows);
    let (w1, w2) = (0.7, 1.3);
    let mut model = compiled_model(two_head_graph(), compile_json(&[("categoricalCrossentropy", w1), ("meanSquaredError", w2)]));

    // The objective really is w1·loss1 + w2·loss2.
    let logs = model.evaluate(&Batchable { sample_weights: Vec::new(), xs: vec![&x], ys: vec![&y1, &y2], rows }, rows).unwrap();
    assert_close1(logs[0], w1 as f64 * logs[1] + w2 as f64 * logs[2], 1e-6, 1e-6, "total loss = w1·loss1 + w2·loss2");
    assert!(logs[1] > 0.0 && logs[2] > 0.0, "both head losses positive: {logs:?}");

    let n = check_graph_gradients(&mut model, &[&x], &[&y1, &y2], rows, "two heads (concatenate, add)");
    assert_eq!(n, model.graph.count_params());
}

#[test]
fn two_heads_gradient_is_the_weighted_sum_of_each_heads_gradient() {
    let rows = 8;
    let (x, y1, y2) = two_head_data(rows);
    let both = compiled_model(two_head_graph(), compile_json(&[("categoricalCrossentropy", 0.7), ("meanSquaredError", 1.3)]));
    let mut only1 = both.clone();
    only1.compile(&serde_json::from_value(compile_json(&[("categoricalCrossentropy", 0.7), ("meanSquaredError", 0.0)])).unwrap()).unwrap();
    let mut only2 = both.clone();
    only2.compile(&serde_json::from_value(compile_json(&[("categoricalCrossentropy", 0.0), ("meanSquaredError", 1.3)])).unwrap()).unwrap();
    let (xs, ys): (&[&[f32]], &[&[f32]]) = (&[&x], &[&y1, &y2]);
    let g = analytic_gradients(&both, xs, ys, rows);
    let g1 = analytic_gradients(&only1, xs, ys, rows);
    let g2 = analytic_gradients(&only2, xs, ys, rows);
    for (((id, g), (_, g1)), (_, g2)) in g.iter().zip(&g1).zip(&g2) {
        let sum: Vec<f32> = g1.as_ref().unwrap().iter().zip(g2.as_ref().unwrap()).map(|(a, b)| a + b).collect();
        assert_close(g.as_ref().unwrap(), &sum, 1e-6, 1e-5, &format!("weight {id:?}: grad(both) = grad(head 1) + grad(head 2)"));
    }
}

/// Two inputs through one shared Dense layer, merged by multiply and average, an Activation
/// layer, a frozen Dense layer and a concatenation, ending in a sigmoid head and a second head
/// that reads an intermediate node (so that node gets gradient from two places).
fn shared_layer_graph() -> Value {
    let mut frozen = dense("frozen", 2, "tanh", 64);
    frozen["trainable"] = json!(false);
    let layers = vec![
        input("in1", 2),                                                          // 0
        input("in2", 2),                                                          // 1
        dense("shared", 3, "tanh", 61),                                           // 2, applied twice
        json!({"className": "Multiply", "name": "mul"}),                          // 3
        json!({"className": "Average", "name": "avg"}),                           // 4
        json!({"className": "Activation", "name": "act", "activation": "swish"}), // 5
        frozen,                                                                   // 6
        json!({"className": "Concatenate", "name": "cat"}),                       // 7
        dense("out", 2, "sigmoid", 62),                                           // 8
        dense("aux", 1, "linear", 63),                                            // 9
    ];
    let nodes = json!([
        {"layer": 0, "inputs": []},      // 0: in1
        {"layer": 1, "inputs": []},      // 1: in2
        {"layer": 2, "inputs": [0]},     // 2: shared(in1)
        {"layer": 2, "inputs": [1]},     // 3: shared(in2)
        {"layer": 3, "inputs": [2, 3]},  // 4: mul
        {"layer": 4, "inputs": [2, 3]},  // 5: avg
        {"layer": 5, "inputs": [5]},     // 6: swish(avg)
        {"layer": 6, "inputs": [4]},     // 7: frozen(mul)
        {"layer": 7, "inputs": [6, 7]},  // 8: cat -> 5 wide
        {"layer": 8, "inputs": [8]},     // 9: out
        {"layer": 9, "inputs": [6]},     // 10: aux(swish)
    ]);
    json!({"name": "shared", "layers": layers, "nodes": nodes, "inputs": [0, 1], "outputs": [9, 10]})
}

#[test]
fn shared_layer_multiply_average_activation_and_frozen_layer() {
    let rows = 6;
    let mut rng = TestRng::new(65);
    let x1 = rng.vec(rows * 2, -2.0, 2.0);
    let x2 = rng.vec(rows * 2, -2.0, 2.0);
    let y1 = rng.vec(rows * 2, 0.0, 1.0);
    let y2 = rng.vec(rows, -1.0, 1.0);
    let mut model = compiled_model(shared_layer_graph(), compile_json(&[("binaryCrossentropy", 1.0), ("meanSquaredError", 0.5)]));
    let frozen_before = weight(&model, "frozen", 0);
    let n = check_graph_gradients(&mut model, &[&x1, &x2], &[&y1, &y2], rows, "shared layer, multiply, average, frozen");
    assert_eq!(n, (2 * 3 + 3) + (5 * 2 + 2) + (3 + 1), "every trainable weight checked, the frozen one skipped");
    assert_eq!(weight(&model, "frozen", 0), frozen_before);
}

#[test]
fn train_step_sgd_update_is_minus_lr_times_the_regularized_gradient() {
    // One SGD step through Model::train_step on a two-head model with loss weights and l1/l2
    // regularizers: Δw = -lr · d(w1·loss1 + w2·loss2 + penalty)/dw, checked by central differences.
    let rows = 5;
    let mut rng = TestRng::new(77);
    let x = rng.vec(rows * 3, -2.0, 2.0);
    let y1 = rng.vec(rows, 0.0, 1.0);
    let y2 = rng.vec(rows * 2, -1.0, 1.0);
    let mut trunk = dense("trunk", 4, "tanh", 71);
    trunk["kernelRegularizer"] = json!({"l1": 0.01, "l2": 0.02});
    trunk["biasRegularizer"] = json!({"l2": 0.05});
    let mut head2 = dense("h2", 2, "linear", 73);
    head2["kernelRegularizer"] = json!({"l1": 0.03});
    let graph_json = json!({
        "name": "reg",
        "layers": [input("in", 3), trunk, dense("h1", 1, "sigmoid", 72), head2],
        "nodes": [{"layer": 0, "inputs": []}, {"layer": 1, "inputs": [0]}, {"layer": 2, "inputs": [1]}, {"layer": 3, "inputs": [1]}],
        "inputs": [0], "outputs": [2, 3]
    });
    let lr = 0.1f32;
    let mut compile = compile_json(&[("binaryCrossentropy", 0.4), ("meanSquaredError", 1.5)]);
    compile["optimizer"]["config"]["learningRate"] = json!(lr);
    let mut model = compiled_model(graph_json, compile);
    check_sgd_step(&mut model, lr, &[&x], &[&y1, &y2], rows, "regularized two-head model");
}

/// Runs one `Model::train_step` (the model must be compiled with SGD at rate `lr`) and checks
/// that every weight moved by `-lr` times the central-difference gradient of the weighted total
/// loss plus the regularization penalty, and that the logged loss is that objective.
fn check_sgd_step(model: &mut Model, lr: f32, xs: &[&[f32]], ys: &[&[f32]], rows: usize, what: &str) {
    let objective = |m: &Model| total_loss(m, xs, ys, rows) + m.graph.regularization_penalty() as f64;
    let expected_logs_loss = objective(model);
    let mut expected = Vec::new();
    for li in 0..model.graph.layers.len() {
        for wi in 0..model.graph.layers[li].params().len() {
            let w = model.graph.layers[li].params()[wi].values.clone();
            let grads: Vec<f64> =
                (0..w.len()).map(|j| central_difference_in(model, w[j], 1e-3, |m, v| m.graph.layers[li].params_mut()[wi].values[j] = v, &objective)).collect();
            expected.push(((li, wi), w, grads));
        }
    }

    let mut buf = model.buffers(rows, true).unwrap();
    let data = Batchable { sample_weights: Vec::new(), xs: xs.to_vec(), ys: ys.to_vec(), rows };
    let mut logs = vec![0.0; model.metrics_names().len()];
    let mut counts = vec![0.0; logs.len()];
    model.train_step(&mut buf, &data, &(0..rows).collect::<Vec<_>>(), &Vec::new(), &mut logs, &mut counts).expect("a finite step");
    assert_close1(logs[0], expected_logs_loss, 1e-5, 1e-5, &format!("{what}: train_step loss = weighted losses + penalty before the update"));

    for ((li, wi), before, grads) in expected {
        let layer = &model.graph.layers[li];
        let after = &layer.params()[wi].values;
        let implied: Vec<f64> = before.iter().zip(after).map(|(&b, &a)| (b as f64 - a as f64) / lr as f64).collect();
        let label = format!("{what}: SGD step of {}/{}", layer.name, layer.params()[wi].name);
        if layer.trainable {
            assert_close(&implied, &grads, ATOL, RTOL, &label);
        } else {
            assert!(implied.iter().all(|&d| d == 0.0), "{label}: frozen weight moved");
        }
    }
}

#[test]
fn train_step_sgd_on_shared_layer_graph() {
    let rows = 6;
    let mut rng = TestRng::new(81);
    let x1 = rng.vec(rows * 2, -2.0, 2.0);
    let x2 = rng.vec(rows * 2, -2.0, 2.0);
    let y1 = rng.vec(rows * 2, 0.0, 1.0);
    let y2 = rng.vec(rows, -1.0, 1.0);
    let mut compile = compile_json(&[("binaryCrossentropy", 1.0), ("meanSquaredError", 0.5)]);
    compile["optimizer"]["config"]["learningRate"] = json!(0.05);
    let mut model = compiled_model(shared_layer_graph(), compile);
    check_sgd_step(&mut model, 0.05, &[&x1, &x2], &[&y1, &y2], rows, "shared layer graph");
}

#[test]
fn train_step_with_the_same_node_as_two_outputs_sums_both_losses() {
    // TF.js accepts `outputs: [d, d]` (it only warns) and trains on the sum of both heads'
    // losses: each head's d loss / d pred must be added into the node's gradient, not replace it.
    let rows = 5;
    let mut rng = TestRng::new(91);
    let x = rng.vec(rows * 3, -2.0, 2.0);
    let y1 = rng.vec(rows * 2, -1.0, 1.0);
    let y2 = rng.vec(rows * 2, -1.0, 1.0);
    let graph_json = json!({
        "name": "dup",
        "layers": [input("in", 3), dense("h", 4, "tanh", 92), dense("out", 2, "linear", 93)],
        "nodes": [{"layer": 0, "inputs": []}, {"layer": 1, "inputs": [0]}, {"layer": 2, "inputs": [1]}],
        "inputs": [0], "outputs": [2, 2]
    });
    let mut compile = compile_json(&[("meanSquaredError", 1.0), ("meanAbsoluteError", 0.5)]);
    compile["optimizer"]["config"]["learningRate"] = json!(0.1);
    let mut model = compiled_model(graph_json, compile);
    check_sgd_step(&mut model, 0.1, &[&x], &[&y1, &y2], rows, "one node as two outputs");
}

#[test]
fn output_node_that_also_feeds_another_output() {
    // Head 1 reads node 2, which is also the input of head 2's layer: node 2's gradient is
    // head 1's loss gradient plus what flows back from head 2.
    let rows = 6;
    let mut rng = TestRng::new(95);
    let x = rng.vec(rows * 3, -2.0, 2.0);
    let y1 = rng.vec(rows * 2, -1.0, 1.0);
    let y2 = rng.vec(rows, 0.0, 1.0);
    let graph_json = json!({
        "name": "stacked_heads",
        "layers": [input("in", 3), dense("h", 4, "tanh", 96), dense("first", 2, "linear", 97), dense("second", 1, "sigmoid", 98)],
        "nodes": [{"layer": 0, "inputs": []}, {"layer": 1, "inputs": [0]}, {"layer": 2, "inputs": [1]}, {"layer": 3, "inputs": [2]}],
        "inputs": [0], "outputs": [2, 3]
    });
    let mut compile = compile_json(&[("meanSquaredError", 0.6), ("binaryCrossentropy", 1.4)]);
    let mut model = compiled_model(graph_json.clone(), compile.clone());
    check_graph_gradients(&mut model, &[&x], &[&y1, &y2], rows, "output feeding another output");
    compile["optimizer"]["config"]["learningRate"] = json!(0.1);
    let mut model = compiled_model(graph_json, compile);
    check_sgd_step(&mut model, 0.1, &[&x], &[&y1, &y2], rows, "output feeding another output");
}
