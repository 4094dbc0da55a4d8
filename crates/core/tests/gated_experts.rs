//! MMoE (`MixtureOfExperts`) and CGC/PLE (`CustomizedGateControl`): forward passes against a
//! computation written out here from the documented weight layout, every weight gradient (and,
//! through a Dense layer below the experts, every input gradient) against central differences,
//! picks of outputs in the graph, buffers that a training step does not grow, and bad configs.

mod common;

use common::*;
use dense_mtl_core::graph::Workspace;
use dense_mtl_core::Model;
use serde_json::{json, Value};

fn seeded(seed: u64) -> Value {
    json!({"className": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.6, "seed": seed}})
}

/// A gated-experts layer config with seeded, non-zero kernels and biases.
fn experts_layer(class: &str, name: &str, options: Value, seed: u64) -> Value {
    let mut layer = json!({
        "className": class, "name": name, "expertUnits": 3,
        "kernelInitializer": seeded(seed),
        "biasInitializer": {"className": "RandomUniform", "config": {"minval": -0.3, "maxval": 0.3, "seed": seed + 1}},
    });
    layer.as_object_mut().unwrap().extend(options.as_object().unwrap().clone());
    layer
}

fn mmoe(name: &str, experts: usize, tasks: usize, activation: &str, seed: u64) -> Value {
    experts_layer("MixtureOfExperts", name, json!({"numExperts": experts, "numTasks": tasks, "expertActivation": activation}), seed)
}

fn cgc(name: &str, tasks: usize, shared: usize, own: usize, output_shared: bool, seed: u64) -> Value {
    let options = json!({"numTasks": tasks, "sharedExperts": shared, "taskExperts": own, "outputShared": output_shared, "expertActivation": "tanh"});
    experts_layer("CustomizedGateControl", name, options, seed)
}

/// `in(5) → bottom (Dense, so that the layer's input gradient is checked) → layer → one pick
/// and one Dense tower per output`; `heads` outputs.
fn towers(layer: Value, outputs: usize, heads: usize) -> Value {
    let mut layers = vec![input("in", 5), dense("bottom", 4, "tanh", 7), layer];
    let mut nodes = vec![json!({"layer": 0, "inputs": []}), json!({"layer": 1, "inputs": [0]}), json!({"layer": 2, "inputs": [1]})];
    for k in 0..outputs {
        nodes.push(json!({"layer": 2, "inputs": [2], "output": k}));
    }
    let mut out = Vec::new();
    for h in 0..heads {
        layers.push(dense(&format!("tower{h}"), 2, "linear", 20 + h as u64));
        // With fewer outputs than heads (one-gate MoE), the towers share output 0.
        nodes.push(json!({"layer": 3 + h, "inputs": [3 + h.min(outputs - 1)]}));
        out.push(nodes.len() - 1);
    }
    json!({"name": "m", "layers": layers, "nodes": nodes, "inputs": [0], "outputs": out})
}

fn data(rows: usize, heads: usize, seed: u64) -> (Vec<f32>, Vec<Vec<f32>>) {
    let mut rng = TestRng::new(seed);
    (rng.vec(rows * 5, -1.5, 1.5), (0..heads).map(|_| rng.vec(rows * 2, -1.0, 1.0)).collect())
}

fn check(graph_json: Value, heads: usize, what: &str) -> usize {
    let rows = 6;
    let (x, ys) = data(rows, heads, 99);
    let mut model = compiled_model(graph_json, compile_json(&vec![("meanSquaredError", 1.0); heads]));
    let ys: Vec<&[f32]> = ys.iter().map(Vec::as_slice).collect();
    check_graph_gradients(&mut model, &[&x], &ys, rows, what)
}

#[test]
fn mmoe_gradients_of_weights_and_input_match_central_differences() {
    // bottom 5·4+4, experts 4·(3·3)+9, gates 2·4·3+2·3, towers 2·(3·2+2).
    let n = check(towers(mmoe("mmoe", 3, 2, "tanh", 1), 2, 2), 2, "mmoe, tanh experts");
    assert_eq!(n, 24 + 45 + 30 + 16);
    check(towers(mmoe("mmoe", 2, 3, "elu", 2), 3, 3), 3, "mmoe, elu experts, 3 tasks");
    check(towers(mmoe("mmoe", 4, 2, "relu", 3), 2, 2), 2, "mmoe, relu experts (the default)");
}

#[test]
fn one_gate_moe_gradients_match_central_differences() {
    check(towers(mmoe("moe", 3, 1, "sigmoid", 4), 1, 2), 2, "one-gate MoE feeding two towers");
}

#[test]
fn mmoe_without_bias_has_kernels_only_and_correct_gradients() {
    let mut layer = mmoe("mmoe", 3, 2, "tanh", 5);
    layer["useBias"] = json!(false);
    let model = Model::new(graph(towers(layer.clone(), 2, 2)));
    let names: Vec<&str> = model.graph.layers[2].params().iter().map(|p| p.name).collect();
    assert_eq!(names, ["experts/kernel", "gates/kernel"]);
    check(towers(layer, 2, 2), 2, "mmoe without bias");
}

#[test]
fn cgc_gradients_match_central_differences() {
    // shared 4·6+6, task experts 2·4·3+2·3, task gates 2·4·3+2·3, towers 2·8 (bottom 24).
    let n = check(towers(cgc("cgc", 2, 2, 1, false, 6), 2, 2), 2, "cgc");
    assert_eq!(n, 24 + 30 + 30 + 30 + 16);
    // The shared output's gate and its tower as a third head.
    check(towers(cgc("cgc", 2, 1, 2, true, 7), 3, 3), 3, "cgc with outputShared");
}

/// PLE: `cgc1` (outputShared) applied to the bottom, `cgc2` to `[task 0, task 1, shared]`.
fn ple() -> Value {
    let layers = vec![
        input("in", 5),
        dense("bottom", 4, "tanh", 7),
        cgc("cgc1", 2, 2, 1, true, 8),
        {
            let mut l = cgc("cgc2", 2, 1, 2, false, 9);
            l["expertUnits"] = json!(3);
            l
        },
        dense("tower0", 2, "linear", 20),
        dense("tower1", 2, "linear", 21),
    ];
    let nodes = json!([
        {"layer": 0, "inputs": []}, {"layer": 1, "inputs": [0]},
        {"layer": 2, "inputs": [1]},
        {"layer": 2, "inputs": [2], "output": 0}, {"layer": 2, "inputs": [2], "output": 1}, {"layer": 2, "inputs": [2], "output": 2},
        {"layer": 3, "inputs": [3, 4, 5]},
        {"layer": 3, "inputs": [6], "output": 0}, {"layer": 3, "inputs": [6], "output": 1},
        {"layer": 4, "inputs": [7]}, {"layer": 5, "inputs": [8]},
    ]);
    json!({"name": "ple", "layers": layers, "nodes": nodes, "inputs": [0], "outputs": [9, 10]})
}

#[test]
fn stacked_cgc_layers_ple_gradients_match_central_differences() {
    check(ple(), 2, "PLE: two CGC layers, the second on [task 0, task 1, shared]");
}

#[test]
fn a_layer_applied_twice_sums_both_gradients() {
    // One MMoE layer applied to the bottom and to a second Dense branch.
    let layers = vec![
        input("in", 5),
        dense("a", 4, "tanh", 7),
        dense("b", 4, "elu", 8),
        mmoe("mmoe", 2, 2, "tanh", 9),
        dense("t0", 2, "linear", 10),
        dense("t1", 2, "linear", 11),
    ];
    let nodes = json!([
        {"layer": 0, "inputs": []}, {"layer": 1, "inputs": [0]}, {"layer": 2, "inputs": [0]},
        {"layer": 3, "inputs": [1]}, {"layer": 3, "inputs": [2]},
        {"layer": 3, "inputs": [3], "output": 0}, {"layer": 3, "inputs": [4], "output": 1},
        {"layer": 4, "inputs": [5]}, {"layer": 5, "inputs": [6]},
    ]);
    check(json!({"name": "m", "layers": layers, "nodes": nodes, "inputs": [0], "outputs": [7, 8]}), 2, "mmoe applied twice");
}

// ---------------------------------------------------------------------------------------------
// Forward passes written out from the documented weight layout
// ---------------------------------------------------------------------------------------------

/// `x · W[.., cols] + b` for one row, kernel `[in, width]` row-major, columns `cols` of it.
fn affine(x: &[f32], kernel: &[f32], bias: &[f32], width: usize, cols: std::ops::Range<usize>) -> Vec<f64> {
    cols.map(|c| x.iter().enumerate().map(|(i, &v)| v as f64 * kernel[i * width + c] as f64).sum::<f64>() + bias[c] as f64).collect()
}

fn softmax(z: &[f64]) -> Vec<f64> {
    let max = z.iter().cloned().fold(f64::MIN, f64::max);
    let e: Vec<f64> = z.iter().map(|v| (v - max).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

/// `Σ_i p_i · expert_i` of `units`-wide experts.
fn mix(p: &[f64], experts: &[Vec<f64>]) -> Vec<f64> {
    (0..experts[0].len()).map(|c| p.iter().zip(experts).map(|(p, e)| p * e[c]).sum()).collect()
}

/// `in(4)` → layer → every output picked as a model output.
fn picked(layer: Value, outputs: usize) -> Model {
    let mut nodes = vec![json!({"layer": 0, "inputs": []}), json!({"layer": 1, "inputs": [0]})];
    nodes.extend((0..outputs).map(|k| json!({"layer": 1, "inputs": [1], "output": k})));
    Model::new(graph(json!({"name": "m", "layers": [input("in", 4), layer], "nodes": nodes, "inputs": [0], "outputs": (2..2 + outputs).collect::<Vec<_>>()})))
}

#[test]
fn mmoe_forward_is_the_gated_sum_of_relu_experts() {
    let (rows, experts, tasks, units) = (3, 3, 2, 3);
    let mut layer = mmoe("mmoe", experts, tasks, "relu", 31);
    layer.as_object_mut().unwrap().remove("expertActivation"); // relu is the default
    let model = picked(layer, tasks);
    let x = TestRng::new(5).vec(rows * 4, -2.0, 2.0);
    let got = model.predict_rows(&[&x], rows, rows).unwrap();
    let w = |i| weight(&model, "mmoe", i);
    let (ek, eb, gk, gb) = (w(0), w(1), w(2), w(3));
    assert_eq!(model.graph.layers[1].params().iter().map(|p| p.shape.clone()).collect::<Vec<_>>(), [vec![4, 9], vec![9], vec![2, 4, 3], vec![2, 3]]);
    for r in 0..rows {
        let xr = &x[r * 4..(r + 1) * 4];
        let expert_out: Vec<Vec<f64>> =
            (0..experts).map(|e| affine(xr, &ek, &eb, experts * units, e * units..(e + 1) * units).iter().map(|v| v.max(0.0)).collect()).collect();
        for (k, out) in got.iter().enumerate() {
            let gate = softmax(&affine(xr, &gk[k * 12..(k + 1) * 12], &gb[k * 3..(k + 1) * 3], experts, 0..experts));
            assert_close(&out[r * units..(r + 1) * units], &mix(&gate, &expert_out), 1e-5, 1e-5, &format!("mmoe task {k} row {r}"));
        }
    }
}

#[test]
fn cgc_forward_mixes_each_tasks_own_experts_and_the_shared_ones() {
    let (rows, tasks, shared, own, units) = (3, 2, 2, 1, 3);
    let model = picked(cgc("cgc", tasks, shared, own, true, 41), tasks + 1);
    let x = TestRng::new(6).vec(rows * 4, -2.0, 2.0);
    let got = model.predict_rows(&[&x], rows, rows).unwrap();
    let w = |i| weight(&model, "cgc", i);
    let names: Vec<&str> = model.graph.layers[1].params().iter().map(|p| p.name).collect();
    assert_eq!(
        names,
        [
            "shared_experts/kernel",
            "shared_experts/bias",
            "task_experts/kernel",
            "task_experts/bias",
            "task_gates/kernel",
            "task_gates/bias",
            "shared_gate/kernel",
            "shared_gate/bias"
        ]
    );
    let (sk, sb, tk, tb, gk, gb, hk, hb) = (w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7));
    let tanh = |v: Vec<f64>| v.iter().map(|v| v.tanh()).collect::<Vec<_>>();
    for r in 0..rows {
        let xr = &x[r * 4..(r + 1) * 4];
        let shared_out: Vec<Vec<f64>> = (0..shared).map(|e| tanh(affine(xr, &sk, &sb, shared * units, e * units..(e + 1) * units))).collect();
        let task_out: Vec<Vec<f64>> = (0..tasks).map(|k| tanh(affine(xr, &tk[k * 12..(k + 1) * 12], &tb[k * 3..(k + 1) * 3], own * units, 0..units))).collect();
        for k in 0..tasks {
            let m = own + shared;
            let gate = softmax(&affine(xr, &gk[k * 4 * m..(k + 1) * 4 * m], &gb[k * m..(k + 1) * m], m, 0..m));
            let mixed: Vec<Vec<f64>> = std::iter::once(task_out[k].clone()).chain(shared_out.iter().cloned()).collect();
            assert_close(&got[k][r * units..(r + 1) * units], &mix(&gate, &mixed), 1e-5, 1e-5, &format!("cgc task {k} row {r}"));
        }
        let all = shared + tasks * own;
        let gate = softmax(&affine(xr, &hk, &hb, all, 0..all));
        let every: Vec<Vec<f64>> = shared_out.iter().chain(&task_out).cloned().collect();
        assert_close(&got[tasks][r * units..(r + 1) * units], &mix(&gate, &every), 1e-5, 1e-5, &format!("cgc shared output row {r}"));
    }
}

// ---------------------------------------------------------------------------------------------
// Buffers and errors
// ---------------------------------------------------------------------------------------------

#[test]
fn workspace_sizes_cover_the_experts_and_training_steps_do_not_grow_them() {
    let model = compiled_model(ple(), compile_json(&[("meanSquaredError", 1.0), ("meanSquaredError", 1.0)]));
    for (capacity, training) in [(1, false), (8, true)] {
        let ws = Workspace::new(&model.graph, capacity, training).unwrap();
        let sum = |v: &[Vec<f32>]| v.iter().map(Vec::len).sum::<usize>();
        let held = (sum(&ws.outs) + sum(&ws.saved) + sum(&ws.grads) + ws.scratch.capacity(), sum(&ws.param_grads));
        assert_eq!(Workspace::sizes(&model.graph, capacity, training), held, "capacity {capacity}, training {training}");
    }
    let (x, ys) = data(8, 2, 3);
    let mut buf = model.buffers(8, true).unwrap();
    let capacity = buf.ws.scratch.capacity();
    let ys: Vec<&[f32]> = ys.iter().map(Vec::as_slice).collect();
    let analytic = analytic_gradients(&model, &[&x], &ys, 8);
    assert!(analytic.iter().all(|(_, g)| g.is_some()));
    let indices: Vec<usize> = (0..8).collect();
    buf.ws.load_rows(&model.graph, &[&x], &indices);
    model.graph.forward(&mut buf.ws, 8, true);
    buf.ws.grad_written.iter_mut().for_each(|w| *w = false);
    for &o in &model.graph.outputs {
        buf.ws.grads[o][..16].fill(1.0);
        buf.ws.grad_written[o] = true;
    }
    model.graph.backward(&mut buf.ws, 8);
    assert_eq!(buf.ws.scratch.capacity(), capacity, "the backward pass reallocated the scratch buffer");
}

fn build_error(graph_json: Value) -> String {
    let config: dense_mtl_core::GraphConfig = serde_json::from_value(graph_json).unwrap();
    dense_mtl_core::Graph::build(&config).expect_err("the graph should be refused").to_string()
}

#[test]
fn bad_configs_and_graphs_are_refused_with_messages_naming_them() {
    let zero = |key: &str| {
        let mut l = mmoe("mmoe", 2, 2, "relu", 1);
        l[key] = json!(0);
        build_error(towers(l, 2, 2))
    };
    assert_eq!(zero("numExperts"), "mixtureOfExperts 'mmoe': numExperts must be a positive integer but got 0");
    assert_eq!(zero("numTasks"), "mixtureOfExperts 'mmoe': numTasks must be a positive integer but got 0");
    assert_eq!(zero("expertUnits"), "mixtureOfExperts 'mmoe': expertUnits must be a positive integer but got 0");
    let mut l = cgc("cgc", 2, 1, 1, false, 1);
    l["sharedExperts"] = json!(0);
    assert_eq!(build_error(towers(l, 2, 2)), "customizedGateControl 'cgc': sharedExperts must be a positive integer but got 0");

    // A tower applied to the layer as a whole instead of one of its outputs.
    let mut whole = towers(mmoe("mmoe", 2, 2, "relu", 1), 2, 2);
    whole["nodes"][5]["inputs"] = json!([2]);
    assert_eq!(build_error(whole), "model: layer 'tower0' is applied to layer 'mmoe' as a whole, but that layer has 2 outputs: use one of them");
    // Output 2 of a layer with 2.
    let mut past = towers(mmoe("mmoe", 2, 2, "relu", 1), 2, 2);
    past["nodes"][4]["output"] = json!(2);
    assert_eq!(build_error(past), "model: layer 'mmoe' has 2 output(s) but output 2 was asked for");
    // A pick of another layer's node.
    let mut other = towers(mmoe("mmoe", 2, 2, "relu", 1), 2, 2);
    other["nodes"][4]["inputs"] = json!([1]);
    assert_eq!(build_error(other), "model: output 1 of layer 'mmoe' must take the one node that applies 'mmoe' as input");
    // MMoE takes one input; CGC takes 1 or numTasks + 1.
    let mut two = ple();
    two["layers"][3] = mmoe("cgc2", 2, 2, "relu", 1);
    assert!(build_error(two).contains("mixtureOfExperts 'cgc2' takes 1 input(s) but got 3"));
    let mut wrong = ple();
    wrong["nodes"][6]["inputs"] = json!([3, 4]);
    assert!(build_error(wrong).contains("customizedGateControl 'cgc2' takes 1 or 3 input(s) (one per task, then the shared one) but got 2"));
}

#[test]
fn mgda_ub_representation_is_the_layer_node_not_one_tasks_pick() {
    // Nodes: in, bottom, mmoe, pick 0, pick 1, towers. Only the mmoe node reaches both tasks.
    let model = compiled_model(towers(mmoe("mmoe", 2, 2, "tanh", 1), 2, 2), compile_json(&[("meanSquaredError", 1.0), ("meanSquaredError", 1.0)]));
    assert_eq!(model.shared_representation(), Some(2));
}

#[test]
fn a_frozen_layer_gets_no_weight_gradient_but_passes_its_input_gradient_down() {
    let mut layer = cgc("cgc", 2, 1, 2, true, 12);
    layer["trainable"] = json!(false);
    // The bottom Dense below the frozen layer must still get correct gradients.
    let n = check(towers(layer, 3, 3), 3, "frozen cgc");
    assert_eq!(n, 24 + 3 * 8);
}
