//! Memory accounting: what `check_memory` counts equals what is then allocated, and under an
//! address-space limit (`ulimit -v`, set on a child process running this same test binary) a
//! fit that cannot fit is refused with an error naming the sizes, never an abort.

mod common;

use common::*;
use dense_mtl_core::graph::Workspace;
use dense_mtl_core::{Error, Model};
use serde_json::{json, Value};

fn dense(name: &str, units: usize, activation: &str) -> Value {
    json!({"className": "Dense", "name": name, "units": units, "activation": activation, "kernelInitializer": {"className": "Zeros", "config": {}}})
}

/// in(6) → a(8, elu) → dropout → b(4, relu) and c(3, linear) → concatenate → out(2, softmax).
fn branching() -> Value {
    json!({
        "name": "m",
        "layers": [
            {"className": "InputLayer", "name": "in", "width": 6},
            dense("a", 8, "elu"),
            {"className": "Dropout", "name": "drop", "rate": 0.5},
            dense("b", 4, "relu"),
            dense("c", 3, "linear"),
            {"className": "Concatenate", "name": "cat"},
            dense("out", 2, "softmax"),
        ],
        "nodes": [
            {"layer": 0, "inputs": []}, {"layer": 1, "inputs": [0]}, {"layer": 2, "inputs": [1]},
            {"layer": 3, "inputs": [2]}, {"layer": 4, "inputs": [2]}, {"layer": 5, "inputs": [3, 4]}, {"layer": 6, "inputs": [5]},
        ],
        "inputs": [0],
        "outputs": [6],
    })
}

/// Values a workspace holds: (activation buffers, weight gradients).
fn allocated(ws: &Workspace) -> (usize, usize) {
    let sum = |v: &[Vec<f32>]| v.iter().map(Vec::len).sum::<usize>();
    (sum(&ws.outs) + sum(&ws.saved) + sum(&ws.grads) + ws.scratch.capacity(), sum(&ws.param_grads))
}

#[test]
fn workspace_sizes_are_what_the_workspace_allocates() {
    let g = graph(branching());
    for (capacity, training) in [(1, false), (32, false), (1, true), (17, true)] {
        let ws = Workspace::new(&g, capacity, training).unwrap();
        assert_eq!(Workspace::sizes(&g, capacity, training), allocated(&ws), "capacity {capacity}, training {training}");
    }
}

#[test]
fn optimizer_state_holds_only_the_slots_the_optimizer_uses() {
    // 6·8+8 + 8·4+4 + 8·3+3 + 7·2+2 = 135 parameters.
    let optimizers = [
        (json!({"className": "SGD", "config": {"learningRate": 0.1}}), 0u64),
        (json!({"className": "Momentum", "config": {"learningRate": 0.1, "momentum": 0.9, "useNesterov": false}}), 1),
        (json!({"className": "Adagrad", "config": {"learningRate": 0.1, "initialAccumulatorValue": 0.1}}), 1),
        (json!({"className": "Adam", "config": {"learningRate": 0.1, "beta1": 0.9, "beta2": 0.999}}), 2),
        (json!({"className": "RMSProp", "config": {"learningRate": 0.1, "decay": 0.9, "momentum": 0.0, "centered": true}}), 3),
    ];
    for (optimizer, slots) in optimizers {
        let config = json!({"optimizer": optimizer, "heads": [{"loss": "categoricalCrossentropy"}]});
        let mut model = compiled_model(branching(), config);
        assert_eq!(model.graph.count_params(), 135);
        let needs = model.memory_needs(4, true);
        let part = |name: &str| needs.parts().find(|p| p.0 == name).map(|p| (p.1, p.2));
        assert_eq!(part("weights"), Some((135 * 4, true)));
        assert_eq!(part("gradients"), Some((135 * 4, false)));
        assert_eq!(part("optimizer slots"), (slots > 0).then_some((135 * 4 * slots, false)), "{optimizer}");
        model.reserve_training_state().unwrap();
        let held: usize = model.optimizer.as_ref().unwrap().slots.iter().flatten().map(Vec::len).sum();
        assert_eq!(held as u64, 135 * slots, "{optimizer}");
        // Once allocated, the slots are held, not needed again.
        let after = model.memory_needs(4, true);
        assert_eq!(after.parts().find(|p| p.0 == "optimizer slots").map(|p| (p.1, p.2)), (slots > 0).then_some((135 * 4 * slots, true)));
    }
}

/// A model whose 8192×8192 kernel is 268 MB; Adam's fit needs 805 MB more.
fn big_model(optimizer: &str) -> Model {
    let config = json!({
        "name": "big",
        "layers": [{"className": "InputLayer", "name": "in", "width": 8192}, {"className": "Dense", "name": "d", "units": 8192, "useBias": false, "kernelInitializer": {"className": "Zeros", "config": {}}}],
        "nodes": [{"layer": 0, "inputs": []}, {"layer": 1, "inputs": [0]}],
        "inputs": [0],
        "outputs": [1],
    });
    let optimizer = match optimizer {
        "Adam" => json!({"className": "Adam", "config": {"learningRate": 0.1, "beta1": 0.9, "beta2": 0.999}}),
        _ => json!({"className": "SGD", "config": {"learningRate": 0.1}}),
    };
    compiled_model(config, json!({"optimizer": optimizer, "heads": [{"loss": "meanSquaredError"}]}))
}

/// Runs when the outer test starts this binary under `ulimit -v` (ignored otherwise: it needs
/// the limit to be meaningful).
#[test]
#[ignore]
fn under_an_address_space_limit() {
    if std::env::var_os("DENSE_MTL_UNDER_ULIMIT").is_none() {
        return; // run with --ignored by hand, without the limit: nothing to check
    }
    let model = big_model("Adam");
    let e = model.check_memory(4, true).unwrap_err();
    assert!(matches!(e, Error::OutOfMemory(_)), "{e:?}");
    let message = e.to_string();
    assert!(
        message.starts_with("fit needs 1.1 GB (weights 268.4 MB, gradients 268.4 MB, optimizer slots 536.9 MB, activations ")
            && message.contains(" for batch size 4), ")
            && message.contains(" more than the model holds now, but "),
        "{message}"
    );
    drop(model);
    // SGD keeps no state: its fit needs only the gradients, which fit.
    let mut sgd = big_model("SGD");
    sgd.check_memory(4, true).unwrap();
    sgd.reserve_training_state().unwrap();
    let ws = Workspace::new(&sgd.graph, 4, true).unwrap();
    assert_eq!(ws.param_grads[0].len(), 8192 * 8192);
    // Past the check, an allocation that fails is an error as well.
    let e = Workspace::new(&sgd.graph, 1 << 40, false).err().unwrap();
    assert!(matches!(e, Error::OutOfMemory(_)), "{e:?}");
}

#[test]
fn refusals_under_ulimit_are_errors_not_aborts() {
    let exe = std::env::current_exe().unwrap();
    // 268 MB of weights and 268 MB of gradients fit in 1 GB of address space; 805 MB more do not.
    let script =
        format!("ulimit -v 1000000; DENSE_MTL_UNDER_ULIMIT=1 exec '{}' --exact under_an_address_space_limit --ignored --test-threads 1", exe.display());
    let out = std::process::Command::new("bash").args(["-c", &script]).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("1 passed"), "{text}");
}
