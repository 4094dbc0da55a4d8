//! Fixed tiny networks with explicit weights, trained a few steps through [`Trainer`], compared
//! with the numbers TF.js 4.22 (`@tensorflow/tfjs`, CPU backend) produces for the same weights,
//! data and optimizer settings: per-batch losses, epoch losses and final weights.
//!
//! The reference numbers come from the node scripts pasted above each group of tests; rerun
//! them with `NODE_PATH=/work/main/node_modules node script.js` (each prints one JSON line per
//! model) to regenerate.
#![allow(clippy::excessive_precision)]

mod common;

use common::*;
use dense_mtl_core::activation::{self, Activation};
use dense_mtl_core::loss::{self, Loss};
use dense_mtl_core::train::RunReport;
use dense_mtl_core::{Dataset, FitConfig, Model, RunLimits, Trainer};
use serde_json::{json, Value};

const ATOL: f64 = 1e-5;
const RTOL: f64 = 1e-4;

const X: [f32; 15] = [0.5, -1.0, 2.0, 1.5, 0.3, -0.7, -0.2, 0.8, 0.1, 0.9, -0.4, -1.2, -1.1, 0.6, 0.4];
const Y: [f32; 10] = [1.0, -0.5, 0.2, 0.7, -0.3, 0.4, 0.8, 0.0, -0.6, 1.1];
const K1: [f32; 12] = [0.2, -0.3, 0.5, 0.1, -0.4, 0.6, 0.05, -0.2, 0.3, 0.1, -0.25, 0.45];
const B1: [f32; 4] = [0.05, -0.1, 0.0, 0.2];
const K2: [f32; 8] = [0.3, -0.6, 0.7, 0.2, -0.5, 0.4, 0.1, 0.9];
const B2: [f32; 2] = [0.1, -0.05];

fn run_all(model: &mut Model, xs: Vec<Vec<f32>>, ys: Vec<Vec<f32>>, rows: usize, batch_size: usize, epochs: usize) -> RunReport {
    let config = FitConfig { batch_size, epochs, shuffle: false, ..FitConfig::default() };
    let mut trainer = Trainer::new(model, Dataset::new(xs, ys, rows), None, config).expect("Trainer::new");
    let limits = RunLimits { epochs: usize::MAX, batches: usize::MAX, deadline: None, record_batches: true };
    let report = trainer.run(model, limits).expect("run");
    assert!(report.done, "every epoch ran");
    assert_eq!(report.epochs.len(), epochs);
    assert_eq!(report.batches.len(), epochs * rows.div_ceil(batch_size));
    report
}

// ---------------------------------------------------------------------------------------------
// One model, every optimizer: Dense(4, tanh) -> Dense(2), meanSquaredError, 5 rows, batchSize 2
// (batches of 2, 2 and 1), one epoch = 3 optimizer steps.
//
// const tf = require('@tensorflow/tfjs');
// const x = [[0.5, -1.0, 2.0], [1.5, 0.3, -0.7], [-0.2, 0.8, 0.1], [0.9, -0.4, -1.2], [-1.1, 0.6, 0.4]];
// const y = [[1.0, -0.5], [0.2, 0.7], [-0.3, 0.4], [0.8, 0.0], [-0.6, 1.1]];
// const k1 = [[0.2, -0.3, 0.5, 0.1], [-0.4, 0.6, 0.05, -0.2], [0.3, 0.1, -0.25, 0.45]];
// const b1 = [0.05, -0.1, 0.0, 0.2];
// const k2 = [[0.3, -0.6], [0.7, 0.2], [-0.5, 0.4], [0.1, 0.9]];
// const b2 = [0.1, -0.05];
// const optimizers = {
//   sgd: () => tf.train.sgd(0.1),
//   momentum: () => tf.train.momentum(0.1, 0.9, false),
//   nesterov: () => tf.train.momentum(0.1, 0.9, true),
//   adam: () => tf.train.adam(0.05, 0.9, 0.999),
//   adamax: () => tf.train.adamax(0.05, 0.9, 0.999, undefined, 0.1),
//   rmsprop: () => tf.train.rmsprop(0.05, 0.9, 0.0, 1e-6, false),
//   rmsprop_centered: () => tf.train.rmsprop(0.05, 0.9, 0.5, 1e-6, true),
//   adagrad: () => tf.train.adagrad(0.1, 0.1),
//   adadelta: () => tf.train.adadelta(1.0, 0.95),
// };
// (async () => {
//   for (const [name, make] of Object.entries(optimizers)) {
//     const model = tf.sequential();
//     model.add(tf.layers.dense({inputShape: [3], units: 4, activation: 'tanh'}));
//     model.add(tf.layers.dense({units: 2}));
//     model.setWeights([tf.tensor2d(k1), tf.tensor1d(b1), tf.tensor2d(k2), tf.tensor1d(b2)]);
//     model.compile({optimizer: make(), loss: 'meanSquaredError'});
//     const batches = [];
//     const h = await model.fit(tf.tensor2d(x), tf.tensor2d(y), {
//       batchSize: 2, epochs: 1, shuffle: false, verbose: 0,
//       callbacks: {onBatchEnd: async (b, logs) => { batches.push(logs.loss); }},
//     });
//     const w = model.getWeights().map(t => Array.from(t.dataSync()));
//     console.log(JSON.stringify({name, batches, epochs: h.history.loss, weights: w}));
//   }
// })();
// ---------------------------------------------------------------------------------------------

struct Expected {
    batch_losses: &'static [f64],
    epoch_losses: &'static [f64],
    /// d1/kernel, d1/bias, d2/kernel, d2/bias, as `model.getWeights()` lists them.
    weights: [&'static [f64]; 4],
}

fn check_single_head(optimizer: Value, expected: &Expected) {
    let graph = json!({
        "name": "m",
        "layers": [
            {"className": "InputLayer", "name": "in", "width": 3},
            {"className": "Dense", "name": "d1", "units": 4, "activation": "tanh"},
            {"className": "Dense", "name": "d2", "units": 2},
        ],
        "nodes": [{"layer": 0, "inputs": []}, {"layer": 1, "inputs": [0]}, {"layer": 2, "inputs": [1]}],
        "inputs": [0],
        "outputs": [2],
    });
    let name = optimizer["className"].as_str().unwrap().to_string();
    let mut model = compiled_model(graph, json!({"optimizer": optimizer, "heads": [{"loss": "meanSquaredError"}]}));
    set_weight(&mut model, "d1", 0, &K1);
    set_weight(&mut model, "d1", 1, &B1);
    set_weight(&mut model, "d2", 0, &K2);
    set_weight(&mut model, "d2", 1, &B2);

    let report = run_all(&mut model, vec![X.to_vec()], vec![Y.to_vec()], 5, 2, 1);
    let sizes: Vec<usize> = report.batches.iter().map(|b| b.1).collect();
    assert_eq!(sizes, [2, 2, 1], "batch sizes");
    let batch_losses: Vec<f64> = report.batches.iter().map(|b| b.2[0]).collect();
    assert_close(&batch_losses, expected.batch_losses, ATOL, RTOL, &format!("{name}: batch losses"));
    let epoch_losses: Vec<f64> = report.epochs.iter().map(|e| e.1[0]).collect();
    assert_close(&epoch_losses, expected.epoch_losses, ATOL, RTOL, &format!("{name}: epoch losses"));
    let names = [("d1", 0), ("d1", 1), ("d2", 0), ("d2", 1)];
    for ((layer, wi), exp) in names.iter().zip(expected.weights) {
        assert_close(&weight(&model, layer, *wi), exp, ATOL, RTOL, &format!("{name}: final {layer} weight {wi}"));
    }
}

#[test]
fn sgd_matches_tfjs() {
    check_single_head(
        json!({"className": "SGD", "config": {"learningRate": 0.1}}),
        &Expected {
            batch_losses: &[0.45929473638534546, 0.5737462043762207, 1.2508132457733154],
            epoch_losses: &[0.6633790731430054],
            weights: [
                &[
                    0.32189518213272095,
                    -0.17683778703212738,
                    0.38234567642211914,
                    0.07453422993421555,
                    -0.4885249137878418,
                    0.5409344434738159,
                    0.1435600072145462,
                    -0.14806632697582245,
                    0.2561838626861572,
                    0.06017657369375229,
                    -0.2504684329032898,
                    0.4384738504886627,
                ],
                &[-0.032415274530649185, -0.08868299424648285, 0.039057642221450806, 0.3011089563369751],
                &[
                    0.3842869699001312,
                    -0.6524930000305176,
                    0.5419778227806091,
                    0.256375789642334,
                    -0.37332624197006226,
                    0.37636709213256836,
                    0.11132152378559113,
                    0.8892291784286499,
                ],
                &[0.08165240287780762, 0.0545462965965271],
            ],
        },
    );
}

#[test]
fn momentum_matches_tfjs() {
    check_single_head(
        json!({"className": "Momentum", "config": {"learningRate": 0.1, "momentum": 0.9, "useNesterov": false}}),
        &Expected {
            batch_losses: &[0.45929473638534546, 0.5737462043762207, 1.3378020524978638],
            epoch_losses: &[0.6807767748832703],
            weights: [
                &[
                    0.34619832038879395,
                    -0.07055256515741348,
                    0.3277241289615631,
                    0.15552985668182373,
                    -0.5323674082756042,
                    0.5050060749053955,
                    0.21335910260677338,
                    -0.12859901785850525,
                    0.26480627059936523,
                    0.05075254291296005,
                    -0.31899744272232056,
                    0.37865954637527466,
                ],
                &[-0.029377691447734833, -0.0046679554507136345, -0.012147292494773865, 0.34889253973960876],
                &[
                    0.4527357220649719,
                    -0.6896979212760925,
                    0.425082802772522,
                    0.2663804888725281,
                    -0.30278488993644714,
                    0.42069730162620544,
                    0.1660362184047699,
                    0.8484495878219604,
                ],
                &[0.23820723593235016, 0.06843262910842896],
            ],
        },
    );
}

#[test]
fn nesterov_matches_tfjs() {
    check_single_head(
        json!({"className": "Momentum", "config": {"learningRate": 0.1, "momentum": 0.9, "useNesterov": true}}),
        &Expected {
            batch_losses: &[0.45929473638534546, 0.5217469930648804, 1.2760120630264282],
            epoch_losses: &[0.6476191282272339],
            weights: [
                &[
                    0.47539710998535156,
                    0.0028514042496681213,
                    0.2318001240491867,
                    0.12915343046188354,
                    -0.6218215227127075,
                    0.4684716463088989,
                    0.2896391749382019,
                    -0.09267071634531021,
                    0.20859336853027344,
                    0.033342842012643814,
                    -0.31639426946640015,
                    0.38144248723983765,
                ],
                &[-0.1110638901591301, 0.0043763089925050735, 0.030215024948120117, 0.4056037664413452],
                &[
                    0.5270400047302246,
                    -0.7392666339874268,
                    0.3186643719673157,
                    0.31683310866355896,
                    -0.21183077991008759,
                    0.38700228929519653,
                    0.19200550019741058,
                    0.8356091976165771,
                ],
                &[0.18423686921596527, 0.14615021646022797],
            ],
        },
    );
}

#[test]
fn adam_matches_tfjs() {
    check_single_head(
        json!({"className": "Adam", "config": {"learningRate": 0.05, "beta1": 0.9, "beta2": 0.999}}),
        &Expected {
            batch_losses: &[0.45929473638534546, 0.5507265329360962, 1.201759696006775],
            epoch_losses: &[0.6443604826927185],
            weights: [
                &[
                    0.21775364875793457,
                    -0.15382342040538788,
                    0.3563659191131592,
                    0.1803467869758606,
                    -0.5414575934410095,
                    0.4570736885070801,
                    0.19834910333156586,
                    -0.09551924467086792,
                    0.309251993894577,
                    0.09951973706483841,
                    -0.31007635593414307,
                    0.3499823212623596,
                ],
                &[0.11696543544530869, -0.005333414766937494, -0.0705820769071579, 0.3290887475013733],
                &[
                    0.43620821833610535,
                    -0.7261097431182861,
                    0.5503079891204834,
                    0.33553704619407654,
                    -0.35651838779449463,
                    0.46422794461250305,
                    0.17843323945999146,
                    0.8112844228744507,
                ],
                &[0.1873929351568222, 0.039915040135383606],
            ],
        },
    );
}

#[test]
fn adamax_matches_tfjs() {
    check_single_head(
        json!({"className": "Adamax", "config": {"learningRate": 0.05, "beta1": 0.9, "beta2": 0.999, "decay": 0.1}}),
        &Expected {
            batch_losses: &[0.45929473638534546, 0.5507259964942932, 1.212022304534912],
            epoch_losses: &[0.6464127898216248],
            weights: [
                &[
                    0.18842780590057373,
                    -0.18102192878723145,
                    0.3848262429237366,
                    0.1697283536195755,
                    -0.5074235200881958,
                    0.48824793100357056,
                    0.17104016244411469,
                    -0.1183684691786766,
                    0.32177066802978516,
                    0.11874394863843918,
                    -0.3075624108314514,
                    0.3677854835987091,
                ],
                &[0.11626318097114563, -0.021294672042131424, -0.06525988131761551, 0.2963070571422577],
                &[
                    0.40510717034339905,
                    -0.6996833682060242,
                    0.5762274861335754,
                    0.3073337972164154,
                    -0.3905079960823059,
                    0.4604719579219818,
                    0.16811113059520721,
                    0.8258347511291504,
                ],
                &[0.17647138237953186, 0.021449362859129906],
            ],
        },
    );
}

#[test]
fn rmsprop_matches_tfjs() {
    check_single_head(
        json!({"className": "RMSProp", "config": {"learningRate": 0.05, "decay": 0.9, "momentum": 0.0, "epsilon": 1e-6, "centered": false}}),
        &Expected {
            batch_losses: &[0.45929473638534546, 0.45543399453163147, 1.0904369354248047],
            epoch_losses: &[0.5839788913726807],
            weights: [
                &[
                    0.35245582461357117,
                    -0.12172073125839233,
                    0.07439185678958893,
                    0.12876486778259277,
                    -0.85335373878479,
                    0.32973039150238037,
                    0.4158380329608917,
                    -0.006708398461341858,
                    0.20232614874839783,
                    0.1543315201997757,
                    -0.2696150243282318,
                    0.4007200002670288,
                ],
                &[0.20982889831066132, 0.06548641622066498, -0.07868917286396027, 0.3902096748352051],
                &[
                    0.5488460659980774,
                    -0.8318176865577698,
                    0.3360883593559265,
                    0.6607405543327332,
                    -0.07478347420692444,
                    0.36793413758277893,
                    0.25135213136672974,
                    0.6969958543777466,
                ],
                &[0.14360101521015167, 0.10176259279251099],
            ],
        },
    );
}

#[test]
fn rmsprop_centered_matches_tfjs() {
    check_single_head(
        json!({"className": "RMSProp", "config": {"learningRate": 0.05, "decay": 0.9, "momentum": 0.5, "epsilon": 1e-6, "centered": true}}),
        &Expected {
            batch_losses: &[0.45929473638534546, 0.45451027154922485, 1.2216334342956543],
            epoch_losses: &[0.60984867811203],
            weights: [
                &[
                    0.31942689418792725,
                    -0.019372031092643738,
                    -0.15745072066783905,
                    0.2924536168575287,
                    -1.098494291305542,
                    0.16397516429424286,
                    0.6217907667160034,
                    0.04549340158700943,
                    0.2412652224302292,
                    0.2828561067581177,
                    -0.36215975880622864,
                    0.24932198226451874,
                ],
                &[0.433621346950531, 0.2412932813167572, -0.25641822814941406, 0.43588492274284363],
                &[
                    0.6104692816734314,
                    -0.8251357078552246,
                    0.11239099502563477,
                    0.9054338932037354,
                    0.16851329803466797,
                    0.46861788630485535,
                    0.38026124238967896,
                    0.5231909155845642,
                ],
                &[0.2758306562900543, 0.15229468047618866],
            ],
        },
    );
}

#[test]
fn adagrad_matches_tfjs() {
    check_single_head(
        json!({"className": "Adagrad", "config": {"learningRate": 0.1, "initialAccumulatorValue": 0.1}}),
        &Expected {
            batch_losses: &[0.45929473638534546, 0.5223808288574219, 1.112679123878479],
            epoch_losses: &[0.6152060627937317],
            weights: [
                &[
                    0.34603017568588257,
                    -0.1258978247642517,
                    0.3105919659137726,
                    0.1089451014995575,
                    -0.5718750953674316,
                    0.4732952117919922,
                    0.22806280851364136,
                    -0.09874505549669266,
                    0.23209097981452942,
                    0.043442122638225555,
                    -0.2611275911331177,
                    0.4192519187927246,
                ],
                &[0.003338538110256195, -0.05607626214623451, 0.008985944092273712, 0.3478129506111145],
                &[
                    0.4560961127281189,
                    -0.7228156328201294,
                    0.4899466037750244,
                    0.3114364743232727,
                    -0.3079668879508972,
                    0.3810924291610718,
                    0.14273515343666077,
                    0.8663343787193298,
                ],
                &[0.14055415987968445, 0.04250098392367363],
            ],
        },
    );
}

#[test]
fn adadelta_matches_tfjs() {
    check_single_head(
        json!({"className": "Adadelta", "config": {"learningRate": 1.0, "rho": 0.95}}),
        &Expected {
            batch_losses: &[0.45929473638534546, 0.7429121732711792, 0.7437042593955994],
            epoch_losses: &[0.6296235918998718],
            weights: [
                &[
                    0.8884004354476929,
                    -0.15790730714797974,
                    -0.3595418334007263,
                    0.026047438383102417,
                    -1.1500142812728882,
                    0.6013762354850769,
                    0.8214442729949951,
                    -0.016920387744903564,
                    -0.08733155578374863,
                    0.4550299644470215,
                    -0.370029479265213,
                    0.5018132925033569,
                ],
                &[-0.20889675617218018, 0.30381882190704346, 0.11357483267784119, 0.29263558983802795],
                &[
                    0.8404043316841125,
                    -1.7003992795944214,
                    -0.11944138258695602,
                    0.6708836555480957,
                    -0.21704532206058502,
                    0.0547390878200531,
                    0.22790247201919556,
                    -0.19176572561264038,
                ],
                &[0.19220566749572754, 0.6790310144424438],
            ],
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Two heads on a shared, L2-regularized trunk, Adam, batchSize 2 over 5 rows, 2 epochs
// (6 steps): the logged loss includes the penalty, the per-output losses do not. TF.js ignores
// `lossWeights`, so the heads keep weight 1 here (weights are covered by gradcheck.rs).
//
// const tf = require('@tensorflow/tfjs');
// const x = [[0.5, -1.0, 2.0], [1.5, 0.3, -0.7], [-0.2, 0.8, 0.1], [0.9, -0.4, -1.2], [-1.1, 0.6, 0.4]];
// const yBin = [[1], [0], [1], [0], [1]];
// const yCls = [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1], [1, 0, 0]];
// const k1 = [[0.2, -0.3, 0.5, 0.1], [-0.4, 0.6, 0.05, -0.2], [0.3, 0.1, -0.25, 0.45]];
// const b1 = [0.05, -0.1, 0.0, 0.2];
// const kBin = [[0.3], [-0.6], [0.7], [0.2]];
// const bBin = [0.1];
// const kCls = [[0.3, -0.6, 0.2], [0.7, 0.2, -0.1], [-0.5, 0.4, 0.6], [0.1, 0.9, -0.3]];
// const bCls = [0.1, -0.05, 0.0];
// (async () => {
//   const input = tf.input({shape: [3], name: 'in'});
//   const trunk = tf.layers.dense({units: 4, activation: 'tanh', name: 'trunk',
//     kernelRegularizer: tf.regularizers.l2({l2: 0.01})}).apply(input);
//   const bin = tf.layers.dense({units: 1, activation: 'sigmoid', name: 'bin'}).apply(trunk);
//   const cls = tf.layers.dense({units: 3, activation: 'softmax', name: 'cls'}).apply(trunk);
//   const model = tf.model({inputs: input, outputs: [bin, cls]});
//   model.setWeights([tf.tensor2d(k1), tf.tensor1d(b1), tf.tensor2d(kBin), tf.tensor1d(bBin),
//                     tf.tensor2d(kCls), tf.tensor1d(bCls)]);
//   model.compile({optimizer: tf.train.adam(0.05), loss: ['binaryCrossentropy', 'categoricalCrossentropy']});
//   const batches = [];
//   const h = await model.fit(tf.tensor2d(x), [tf.tensor2d(yBin), tf.tensor2d(yCls)], {
//     batchSize: 2, epochs: 2, shuffle: false, verbose: 0,
//     callbacks: {onBatchEnd: async (b, logs) => { batches.push([logs.loss, logs.bin_loss, logs.cls_loss]); }},
//   });
//   const w = model.getWeights().map(t => Array.from(t.dataSync()));
//   console.log(JSON.stringify({names: model.getWeights().map(t => t.name), batches, history: h.history, weights: w}));
// })();
// ---------------------------------------------------------------------------------------------

#[test]
fn two_heads_with_l2_regularizer_and_adam_match_tfjs() {
    let graph = json!({
        "name": "two",
        "layers": [
            {"className": "InputLayer", "name": "in", "width": 3},
            {"className": "Dense", "name": "trunk", "units": 4, "activation": "tanh", "kernelRegularizer": {"l2": 0.01}},
            {"className": "Dense", "name": "bin", "units": 1, "activation": "sigmoid"},
            {"className": "Dense", "name": "cls", "units": 3, "activation": "softmax"},
        ],
        "nodes": [{"layer": 0, "inputs": []}, {"layer": 1, "inputs": [0]}, {"layer": 2, "inputs": [1]}, {"layer": 3, "inputs": [1]}],
        "inputs": [0],
        "outputs": [2, 3],
    });
    let compile = json!({
        "optimizer": {"className": "Adam", "config": {"learningRate": 0.05, "beta1": 0.9, "beta2": 0.999}},
        "heads": [{"loss": "binaryCrossentropy"}, {"loss": "categoricalCrossentropy"}],
    });
    let mut model = compiled_model(graph, compile);
    assert_eq!(model.metrics_names(), ["loss", "bin_loss", "cls_loss"]);
    set_weight(&mut model, "trunk", 0, &K1);
    set_weight(&mut model, "trunk", 1, &B1);
    set_weight(&mut model, "bin", 0, &[0.3, -0.6, 0.7, 0.2]);
    set_weight(&mut model, "bin", 1, &[0.1]);
    set_weight(&mut model, "cls", 0, &[0.3, -0.6, 0.2, 0.7, 0.2, -0.1, -0.5, 0.4, 0.6, 0.1, 0.9, -0.3]);
    set_weight(&mut model, "cls", 1, &[0.1, -0.05, 0.0]);
    let y_bin = vec![1.0, 0.0, 1.0, 0.0, 1.0];
    let y_cls = vec![1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0];

    let report = run_all(&mut model, vec![X.to_vec()], vec![y_bin, y_cls], 5, 2, 2);

    // [loss, bin_loss, cls_loss] after each batch.
    let expected_batches: [&[f64]; 6] = [
        &[1.649574637413025, 0.8162426352500916, 0.8201569318771362],
        &[1.8226191997528076, 0.993965744972229, 0.8147284984588623],
        &[1.7764290571212769, 1.0302634239196777, 0.7318684458732605],
        &[1.1499602794647217, 0.6987887620925903, 0.43702542781829834],
        &[1.5395461320877075, 0.801788866519928, 0.7232910990715027],
        &[1.422512412071228, 0.7514069080352783, 0.6560667753219604],
    ];
    for (i, ((_, _, logs), exp)) in report.batches.iter().zip(expected_batches).enumerate() {
        assert_close(logs, exp, ATOL, RTOL, &format!("batch {i} logs [loss, bin_loss, cls_loss]"));
    }
    let epoch = |k: usize| report.epochs.iter().map(|e| e.1[k]).collect::<Vec<f64>>();
    assert_close(&epoch(0), &[1.7441633939743042, 1.3603051900863647], ATOL, RTOL, "history.loss");
    assert_close(&epoch(1), &[0.9301360249519348, 0.7505124807357788], ATOL, RTOL, "history.bin_loss");
    assert_close(&epoch(2), &[0.8003278970718384, 0.5953399538993835], ATOL, RTOL, "history.cls_loss");

    let expected_weights: [(&str, usize, &[f64]); 6] = [
        (
            "trunk",
            0,
            &[
                0.16987742483615875,
                -0.050692118704319,
                0.34840744733810425,
                -0.16958430409431458,
                -0.4569101929664612,
                0.35258781909942627,
                0.2584399878978729,
                -0.12152014672756195,
                0.5558095574378967,
                0.09548152983188629,
                -0.40072137117385864,
                0.7144361734390259,
            ],
        ),
        ("trunk", 1, &[0.13879136741161346, -0.08615319430828094, -0.04445652291178703, 0.1063443124294281]),
        ("bin", 0, &[0.30835801362991333, -0.34391945600509644, 0.4065096974372864, 0.4913749098777771]),
        ("bin", 1, &[0.07746963202953339]),
        (
            "cls",
            0,
            &[
                0.4409974217414856,
                -0.7690967917442322,
                0.13019007444381714,
                0.6428439021110535,
                0.3686385750770569,
                -0.3545241951942444,
                -0.7654194831848145,
                0.31100374460220337,
                0.8753486275672913,
                0.34859126806259155,
                0.7147334814071655,
                -0.5754077434539795,
            ],
        ),
        ("cls", 1, &[0.2079792618751526, -0.19477508962154388, 0.11830487847328186]),
    ];
    for (layer, wi, exp) in expected_weights {
        assert_close(&weight(&model, layer, wi), exp, ATOL, RTOL, &format!("final {layer} weight {wi}"));
    }
}

// ---------------------------------------------------------------------------------------------
// Forward values of every activation and per-sample values of every loss, including the
// clipped regions (probabilities at 0 or 1 or outside [0, 1], negative MSLE predictions, a zero
// MAPE target, a zero cosine prediction, a fractional sparse class index). Each loss value is
// `model.evaluate` of a one-row batch through a linear Activation model compiled with that loss.
//
// const tf = require('@tensorflow/tfjs');
// const xs = [-100, -20, -5, -2.5, -1, -0.3, 0, 0.3, 1, 2.5, 5, 6, 7, 20, 100];
// const acts = ['elu', 'hardSigmoid', 'linear', 'relu', 'relu6', 'selu', 'sigmoid', 'softmax', 'softplus',
//               'softsign', 'tanh', 'swish', 'mish', 'gelu', 'gelu_new', 'logSoftmax'];
// const activations = {};
// for (const a of acts) {
//   const rows = [xs, xs.slice(5, 10)];  // softmax/logSoftmax work row-wise: two rows, widths 15 and 5
//   activations[a] = rows.map(r => Array.from(tf.layers.activation({activation: a}).apply(tf.tensor2d([r])).dataSync()));
// }
// const general = [[[0.3, -1.2, 2.0], [0.8, -0.4, 1.1]], [[0.0, 1.0, -2.0], [50.0, -30.0, -2.0]]];
// const probs = [[[0, 1, 0], [0.2, 0.5, 0.3]], [[0.1, 0.3, 0.6], [0.25, 0.35, 0.5]], [[1, 0, 0], [0, 1, 0]], [[0, 0, 1], [0.3, 0.7, 1.5]]];
// const cases = {
//   meanSquaredError: general, meanAbsoluteError: general, logcosh: general, cosineProximity: [...general, [[1, 2, 3], [0, 0, 0]]],
//   meanAbsolutePercentageError: [...general, [[0.5, -2, 3], [0.9, -1.1, 2.2]]],
//   meanSquaredLogarithmicError: [[[0.5, 2, 0], [0.9, 1.1, 0.3]], [[0.5, 2, -1], [0.9, -0.5, 0.3]]],
//   hinge: [[[1, -1, 1], [0.3, 0.4, 1.8]], [[0, 1, 0], [0.3, -0.4, 0.8]]],
//   squaredHinge: [[[1, -1, 1], [0.3, 0.4, 1.8]], [[0, 1, 0], [0.3, -0.4, 0.8]]],
//   categoricalHinge: [[[0, 1, 0], [0.3, 0.6, 0.1]], [[1, 0, 0], [2.0, 0.1, 0.4]], [[0, 0, 1], [0.9, -0.2, 0.5]]],
//   categoricalCrossentropy: probs,
//   binaryCrossentropy: [[[1, 0, 1], [0.8, 0.3, 0.1]], [[1, 1, 0], [0, 1, 0.5]], [[0.3, 0.7, 0.5], [0.6, 0.2, 0.9]], [[0, 1, 1], [-0.5, 1.5, 1e-9]]],
//   kullbackLeiblerDivergence: [[[0.2, 0.5, 0.3], [0.3, 0.3, 0.4]], [[0.3, 0.3, 0.4], [0, 1.2, 0.5]], [[0, 1, 0], [0.2, 0.5, 0.3]]],
//   poisson: [[[1, 0, 3], [0.5, 1.2, 2.5]], [[1, 0, 2], [0, 1, 2]]],
//   sparseCategoricalCrossentropy: [[[1], [0.2, 0.5, 0.3]], [[2], [0.1, 0.3, 0.4]], [[0], [0, 0.5, 0.5]], [[1.7], [0.2, 0.5, 0.3]], [[0], [1.0, 0.0, 0.0]]],
// };
// (async () => {
//   const losses = {};
//   for (const [loss, rows] of Object.entries(cases)) {
//     losses[loss] = [];
//     for (const [t, p] of rows) {
//       const input = tf.input({shape: [p.length]});
//       const model = tf.model({inputs: input, outputs: tf.layers.activation({activation: 'linear'}).apply(input)});
//       model.compile({optimizer: 'sgd', loss});
//       const v = model.evaluate(tf.tensor2d([p]), tf.tensor2d([t]));
//       losses[loss].push([t, p, (await v.data())[0]]);
//     }
//   }
//   console.log(JSON.stringify({xs, activations, losses}));
// })();
// ---------------------------------------------------------------------------------------------

#[test]
fn every_activation_forward_matches_tfjs() {
    const XS: [f32; 15] = [-100.0, -20.0, -5.0, -2.5, -1.0, -0.3, 0.0, 0.3, 1.0, 2.5, 5.0, 6.0, 7.0, 20.0, 100.0];
    // (name, f(XS) as one row of 15, f(XS[5..10]) as one row of 5)
    let expected: [(&str, &[f64], &[f64]); 16] = [
        (
            "elu",
            &[
                -1.0,
                -1.0,
                -0.9932620525360107,
                -0.9179149866104126,
                -0.6321205496788025,
                -0.25918179750442505,
                0.0,
                0.30000001192092896,
                1.0,
                2.5,
                5.0,
                6.0,
                7.0,
                20.0,
                100.0,
            ],
            &[-0.25918179750442505, 0.0, 0.30000001192092896, 1.0, 2.5],
        ),
        (
            "hardSigmoid",
            &[0.0, 0.0, 0.0, 0.0, 0.30000001192092896, 0.4399999976158142, 0.5, 0.5600000023841858, 0.699999988079071, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
            &[0.4399999976158142, 0.5, 0.5600000023841858, 0.699999988079071, 1.0],
        ),
        (
            "linear",
            &[-100.0, -20.0, -5.0, -2.5, -1.0, -0.30000001192092896, 0.0, 0.30000001192092896, 1.0, 2.5, 5.0, 6.0, 7.0, 20.0, 100.0],
            &[-0.30000001192092896, 0.0, 0.30000001192092896, 1.0, 2.5],
        ),
        ("relu", &[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.30000001192092896, 1.0, 2.5, 5.0, 6.0, 7.0, 20.0, 100.0], &[0.0, 0.0, 0.30000001192092896, 1.0, 2.5]),
        ("relu6", &[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.30000001192092896, 1.0, 2.5, 5.0, 6.0, 6.0, 6.0, 6.0], &[0.0, 0.0, 0.30000001192092896, 1.0, 2.5]),
        (
            "selu",
            &[
                -1.7580993175506592,
                -1.7580993175506592,
                -1.7462533712387085,
                -1.613785743713379,
                -1.1113307476043701,
                -0.45566731691360474,
                0.0,
                0.3152103126049042,
                1.0507010221481323,
                2.6267523765563965,
                5.253504753112793,
                6.304205894470215,
                7.354907035827637,
                21.014019012451172,
                105.07009887695312,
            ],
            &[-0.45566731691360474, 0.0, 0.3152103126049042, 1.0507010221481323, 2.6267523765563965],
        ),
        (
            "sigmoid",
            &[
                3.783505853677006e-44,
                2.06115369216775e-09,
                0.006692850962281227,
                0.07585818320512772,
                0.2689414322376251,
                0.4255574941635132,
                0.5,
                0.5744425058364868,
                0.7310585975646973,
                0.9241418242454529,
                0.9933071732521057,
                0.9975273609161377,
                0.9990889430046082,
                1.0,
                1.0,
            ],
            &[0.4255574941635132, 0.5, 0.5744425058364868, 0.7310585975646973, 0.9241418242454529],
        ),
        (
            "softmax",
            &[
                0.0,
                0.0,
                0.0,
                2.802596928649634e-45,
                1.401298464324817e-44,
                2.802596928649634e-44,
                3.783505853677006e-44,
                5.044674471569341e-44,
                1.0089348943138683e-43,
                4.526194039769159e-43,
                5.521115949439779e-42,
                1.500790655291879e-41,
                4.07960021918884e-41,
                1.8048513285848406e-35,
                1.0,
            ],
            &[0.04117612540721893, 0.0555819496512413, 0.07502777874469757, 0.15108740329742432, 0.6771267652511597],
        ),
        (
            "softplus",
            &[
                3.783505853677006e-44,
                2.06115369216775e-09,
                0.006715348456054926,
                0.07888973504304886,
                0.3132616877555847,
                0.554355263710022,
                0.6931471824645996,
                0.8543552756309509,
                1.31326162815094,
                2.578889846801758,
                5.006715297698975,
                6.002475738525391,
                7.000911235809326,
                20.0,
                100.0,
            ],
            &[0.554355263710022, 0.6931471824645996, 0.8543552756309509, 1.31326162815094, 2.578889846801758],
        ),
        (
            "softsign",
            &[
                -0.9900990128517151,
                -0.9523809552192688,
                -0.8333333134651184,
                -0.7142857313156128,
                -0.5,
                -0.23076924681663513,
                0.0,
                0.23076924681663513,
                0.5,
                0.7142857313156128,
                0.8333333134651184,
                0.8571428656578064,
                0.875,
                0.9523809552192688,
                0.9900990128517151,
            ],
            &[-0.23076924681663513, 0.0, 0.23076924681663513, 0.5, 0.7142857313156128],
        ),
        (
            "tanh",
            &[
                -1.0,
                -1.0,
                -0.9999092221260071,
                -0.9866142868995667,
                -0.7615941762924194,
                -0.29131263494491577,
                0.0,
                0.29131263494491577,
                0.7615941762924194,
                0.9866142868995667,
                0.9999092221260071,
                0.9999877214431763,
                0.9999983310699463,
                1.0,
                1.0,
            ],
            &[-0.29131263494491577, 0.0, 0.29131263494491577, 0.7615941762924194, 0.9866142868995667],
        ),
        (
            "swish",
            &[
                -3.783505853677006e-42,
                -4.1223074731533416e-08,
                -0.033464252948760986,
                -0.189645454287529,
                -0.2689414322376251,
                -0.12766724824905396,
                0.0,
                0.172332763671875,
                0.7310585975646973,
                2.310354471206665,
                4.966536045074463,
                5.985164165496826,
                6.993622779846191,
                20.0,
                100.0,
            ],
            &[-0.12766724824905396, 0.0, 0.172332763671875, 0.7310585975646973, 2.310354471206665],
        ),
        (
            "mish",
            &[
                -3.783505853677006e-42,
                -4.1223074731533416e-08,
                -0.03357623517513275,
                -0.19681620597839355,
                -0.30340147018432617,
                -0.15113317966461182,
                0.0,
                0.20800139009952545,
                0.8650983572006226,
                2.4713923931121826,
                4.999552249908447,
                5.999926567077637,
                6.999988555908203,
                20.0,
                100.0,
            ],
            &[-0.15113317966461182, 0.0, 0.20800139009952545, 0.8650983572006226, 2.4713923931121826],
        ),
        (
            "gelu",
            &[
                0.0,
                0.0,
                -1.4901161193847656e-06,
                -0.015524178743362427,
                -0.15865525603294373,
                -0.11462659388780594,
                0.0,
                0.18537341058254242,
                0.8413447141647339,
                2.48447585105896,
                4.999998569488525,
                6.0,
                7.0,
                20.0,
                100.0,
            ],
            &[-0.11462659388780594, 0.0, 0.18537341058254242, 0.8413447141647339, 2.48447585105896],
        ),
        (
            "gelu_new",
            &[
                0.0,
                0.0,
                -2.980232238769531e-07,
                -0.015084296464920044,
                -0.15880802273750305,
                -0.11462908983230591,
                0.0,
                0.18537092208862305,
                0.8411920070648193,
                2.4849157333374023,
                4.999999523162842,
                6.0,
                7.0,
                20.0,
                100.0,
            ],
            &[-0.11462908983230591, 0.0, 0.18537092208862305, 0.8411920070648193, 2.4849157333374023],
        ),
        (
            "logSoftmax",
            &[-200.0, -120.0, -105.0, -102.5, -101.0, -100.30000305175781, -100.0, -99.69999694824219, -99.0, -97.5, -95.0, -94.0, -93.0, -80.0, 0.0],
            &[-3.189896821975708, -2.889896869659424, -2.5898969173431396, -1.8898967504501343, -0.38989678025245667],
        ),
    ];
    let all: Vec<&str> = activation::all().map(|(n, _)| n).collect();
    assert_eq!(all, expected.iter().map(|e| e.0).collect::<Vec<_>>(), "activation::all() vs the TF.js list");
    for (name, row15, row5) in expected {
        let act = Activation::parse(name).unwrap();
        let mut out = vec![0.0f32; 15];
        act.forward(&XS, &mut out, 15);
        assert_close(&out, row15, 1e-6, 1e-5, &format!("activation '{name}' on XS"));
        let mut out = vec![0.0f32; 5];
        act.forward(&XS[5..10], &mut out, 5);
        assert_close(&out, row5, 1e-6, 1e-5, &format!("activation '{name}' on XS[5..10]"));
    }
}

#[test]
fn every_loss_value_matches_tfjs() {
    // (loss, target row, prediction row, TF.js per-sample value)
    let cases: &[(&str, &[f32], &[f32], f64)] = &[
        ("meanSquaredError", &[0.3, -1.2, 2.0], &[0.8, -0.4, 1.1], 0.5666666626930237),
        ("meanSquaredError", &[0.0, 1.0, -2.0], &[50.0, -30.0, -2.0], 1153.6666259765625),
        ("meanAbsoluteError", &[0.3, -1.2, 2.0], &[0.8, -0.4, 1.1], 0.7333333492279053),
        ("meanAbsoluteError", &[0.0, 1.0, -2.0], &[50.0, -30.0, -2.0], 27.0),
        ("logcosh", &[0.3, -1.2, 2.0], &[0.8, -0.4, 1.1], 0.25689950585365295),
        ("logcosh", &[0.0, 1.0, -2.0], &[50.0, -30.0, -2.0], 26.53790283203125),
        ("cosineProximity", &[0.3, -1.2, 2.0], &[0.8, -0.4, 1.1], -0.8758350014686584),
        ("cosineProximity", &[0.0, 1.0, -2.0], &[50.0, -30.0, -2.0], 0.19929371774196625),
        ("cosineProximity", &[1.0, 2.0, 3.0], &[0.0, 0.0, 0.0], 0.0),
        ("meanAbsolutePercentageError", &[0.3, -1.2, 2.0], &[0.8, -0.4, 1.1], 92.77777862548828),
        ("meanAbsolutePercentageError", &[0.0, 1.0, -2.0], &[50.0, -30.0, -2.0], 16666669056.0),
        ("meanAbsolutePercentageError", &[0.5, -2.0, 3.0], &[0.9, -1.1, 2.2], 50.55554962158203),
        ("meanSquaredLogarithmicError", &[0.5, 2.0, 0.0], &[0.9, 1.1, 0.3], 0.08397722244262695),
        ("meanSquaredLogarithmicError", &[0.5, 2.0, -1.0], &[0.9, -0.5, 0.3], 0.44388777017593384),
        ("hinge", &[1.0, -1.0, 1.0], &[0.3, 0.4, 1.8], 0.699999988079071),
        ("hinge", &[0.0, 1.0, 0.0], &[0.3, -0.4, 0.8], 1.1333333253860474),
        ("squaredHinge", &[1.0, -1.0, 1.0], &[0.3, 0.4, 1.8], 0.8166666030883789),
        ("squaredHinge", &[0.0, 1.0, 0.0], &[0.3, -0.4, 0.8], 1.3199999332427979),
        ("categoricalHinge", &[0.0, 1.0, 0.0], &[0.3, 0.6, 0.1], 0.699999988079071),
        ("categoricalHinge", &[1.0, 0.0, 0.0], &[2.0, 0.1, 0.4], 0.0),
        ("categoricalHinge", &[0.0, 0.0, 1.0], &[0.9, -0.2, 0.5], 1.399999976158142),
        ("categoricalCrossentropy", &[0.0, 1.0, 0.0], &[0.2, 0.5, 0.3], 0.6931471824645996),
        ("categoricalCrossentropy", &[0.1, 0.3, 0.6], &[0.25, 0.35, 0.5], 0.9647746086120605),
        ("categoricalCrossentropy", &[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0], 16.11809539794922),
        ("categoricalCrossentropy", &[0.0, 0.0, 1.0], &[0.3, 0.7, 1.5], 0.5108255743980408),
        ("binaryCrossentropy", &[1.0, 0.0, 1.0], &[0.8, 0.3, 0.1], 0.9608011841773987),
        ("binaryCrossentropy", &[1.0, 1.0, 0.0], &[0.0, 1.0, 0.5], 5.603747367858887),
        ("binaryCrossentropy", &[0.3, 0.7, 0.5], &[0.6, 0.2, 0.9], 1.0640578269958496),
        ("binaryCrossentropy", &[0.0, 1.0, 1.0], &[-0.5, 1.5, 1e-09], 5.3726983070373535),
        ("kullbackLeiblerDivergence", &[0.2, 0.5, 0.3], &[0.3, 0.3, 0.4], 0.0880151242017746),
        ("kullbackLeiblerDivergence", &[0.3, 0.3, 0.4], &[0.0, 1.2, 0.5], 4.023787498474121),
        ("kullbackLeiblerDivergence", &[0.0, 1.0, 0.0], &[0.2, 0.5, 0.3], 0.6931471824645996),
        ("poisson", &[1.0, 0.0, 3.0], &[0.5, 1.2, 2.5], 0.7147582173347473),
        ("poisson", &[1.0, 0.0, 2.0], &[0.0, 1.0, 2.0], 5.910600185394287),
        ("sparseCategoricalCrossentropy", &[1.0], &[0.2, 0.5, 0.3], 0.6931471824645996),
        ("sparseCategoricalCrossentropy", &[2.0], &[0.1, 0.3, 0.4], 0.6931471824645996),
        ("sparseCategoricalCrossentropy", &[0.0], &[0.0, 0.5, 0.5], 16.11809539794922),
        ("sparseCategoricalCrossentropy", &[1.7], &[0.2, 0.5, 0.3], 0.6931471824645996),
        ("sparseCategoricalCrossentropy", &[0.0], &[1.0, 0.0, 0.0], 2.3841860752327193e-07),
    ];
    let covered: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.0).collect();
    for (name, _) in loss::all() {
        assert!(covered.contains(name), "no TF.js reference value for loss '{name}'");
    }
    let mut failures = Vec::new();
    for (name, t, p, expected) in cases {
        let value = Loss::parse(name).unwrap().row(t, p, None);
        if !is_close(value as f64, *expected, 1e-6, 1e-5) {
            failures.push(format!("{name}(t {t:?}, p {p:?}) = {value:e}, TF.js {expected:e}"));
        }
    }
    assert!(failures.is_empty(), "{} loss value(s) differ from TF.js:\n{}", failures.len(), failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// d loss / d prediction as TF.js's autodiff computes it, clipping included: a Dense layer with an
// identity kernel and zero bias makes the prediction equal to the input row, and one SGD step
// at rate 1 on that single row leaves `bias = -d loss / d pred`.
//
// const tf = require('@tensorflow/tfjs');
// const general = [[[0.3, -1.2, 2.0], [0.8, -0.4, 1.1]], [[0.0, 1.0, -2.0], [50.0, -30.0, -2.0]]];
// const probs = [[[0, 1, 0], [0.2, 0.5, 0.3]], [[0.1, 0.3, 0.6], [0.25, 0.35, 0.5]], [[1, 0, 0], [0, 1, 0]], [[0, 0, 1], [0.3, 0.7, 1.5]]];
// // Rows away from ties and kinks.
// const cases = {
//   meanSquaredError: general, meanAbsoluteError: general, logcosh: general, cosineProximity: [...general, [[1, 2, 3], [0, 0, 0]]],
//   meanAbsolutePercentageError: [...general, [[0.5, -2, 3], [0.9, -1.1, 2.2]]],
//   meanSquaredLogarithmicError: [[[0.5, 2, 0], [0.9, 1.1, 0.3]], [[0.5, 2, -1], [0.9, -0.5, 0.3]]],
//   hinge: [[[1, -1, 1], [0.3, 0.4, 1.8]], [[0, 1, 0], [0.3, -0.4, 0.8]]],
//   squaredHinge: [[[1, -1, 1], [0.3, 0.4, 1.8]], [[0, 1, 0], [0.3, -0.4, 0.8]]],
//   categoricalHinge: [[[0, 1, 0], [0.3, 0.6, 0.1]], [[1, 0, 0], [2.0, 0.1, 0.4]], [[0, 0, 1], [0.9, -0.2, 0.5]]],
//   categoricalCrossentropy: probs,
//   binaryCrossentropy: [[[1, 0, 1], [0.8, 0.3, 0.1]], [[1, 1, 0], [0, 1, 0.4]], [[0.3, 0.7, 0.5], [0.6, 0.2, 0.9]], [[0, 1, 1], [-0.5, 1.5, 1e-9]]],
//   kullbackLeiblerDivergence: [[[0.2, 0.5, 0.3], [0.3, 0.3, 0.4]], [[0.3, 0.3, 0.4], [0, 1.2, 0.5]], [[0, 1, 0], [0.2, 0.5, 0.3]]],
//   poisson: [[[1, 0, 3], [0.5, 1.2, 2.5]], [[1, 0, 2], [0, 1, 2]]],
//   sparseCategoricalCrossentropy: [[[1], [0.2, 0.5, 0.3]], [[2], [0.1, 0.3, 0.4]], [[0], [0, 0.5, 0.5]], [[1.7], [0.2, 0.5, 0.3]], [[0], [1.0, 0.0, 0.0]]],
// };
// // Rows exactly on a kink or a tie, where the result depends on how autodiff breaks the tie.
// const ties = {
//   meanAbsoluteError: [[[0.5, 1, 2], [0.5, 0, 2.5]]],
//   meanAbsolutePercentageError: [[[0.5, 1, 2], [0.5, 0, 2.5]]],
//   hinge: [[[1, -1, 1], [1, 1, 0.5]]],
//   squaredHinge: [[[1, -1, 1], [1, 1, 0.5]]],
//   categoricalHinge: [[[0, 1, 0], [0.3, 0.6, 0.3]], [[0, 1, 0], [0.5, 1.5, 0.2]]],
//   binaryCrossentropy: [[[1, 0, 1], [0.5, 0.5, 0.7]]],
// };
// async function grads(table) {
//   const out = [];
//   for (const [loss, rows] of Object.entries(table)) {
//     for (const [t, p] of rows) {
//       // Identity kernel, zero bias: pred = p, and one SGD step at rate 1 leaves bias = -d loss / d pred.
//       const w = p.length;
//       const model = tf.sequential();
//       model.add(tf.layers.dense({inputShape: [w], units: w}));
//       model.setWeights([tf.eye(w), tf.zeros([w])]);
//       model.compile({optimizer: tf.train.sgd(1.0), loss});
//       await model.fit(tf.tensor2d([p]), tf.tensor2d([t]), {batchSize: 1, epochs: 1, verbose: 0});
//       out.push([loss, t, p, Array.from(model.getWeights()[1].dataSync()).map(v => -v)]);
//     }
//   }
//   return out;
// }
// (async () => {
//   console.log(JSON.stringify({cases: await grads(cases), ties: await grads(ties)}));
// })();
// ---------------------------------------------------------------------------------------------

type GradCase = (&'static str, &'static [f32], &'static [f32], &'static [f64]);

fn check_loss_gradients(cases: &[GradCase]) {
    let mut failures = Vec::new();
    for (name, t, p, expected) in cases {
        let mut grad = vec![f32::NAN; p.len()];
        Loss::parse(name).unwrap().row(t, p, Some(&mut grad));
        let close = grad.iter().zip(*expected).all(|(&g, &e)| is_close(g as f64, e, 1e-5, 1e-4));
        if !close {
            failures.push(format!("{name}(t {t:?}, p {p:?}): grad {grad:?}, TF.js {expected:?}"));
        }
    }
    assert!(failures.is_empty(), "{} loss gradient(s) differ from TF.js:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_loss_gradient_matches_tfjs() {
    // (loss, target row, prediction row, TF.js d loss / d pred)
    let cases: &[GradCase] = &[
        ("meanSquaredError", &[0.3, -1.2, 2.0], &[0.8, -0.4, 1.1], &[0.3333333432674408, 0.533333420753479, -0.6000000238418579]),
        ("meanSquaredError", &[0.0, 1.0, -2.0], &[50.0, -30.0, -2.0], &[33.333335876464844, -20.666667938232422, 0.0]),
        ("meanAbsoluteError", &[0.3, -1.2, 2.0], &[0.8, -0.4, 1.1], &[0.3333333432674408, 0.3333333432674408, -0.3333333432674408]),
        ("logcosh", &[0.3, -1.2, 2.0], &[0.8, -0.4, 1.1], &[0.15403905510902405, 0.22134560346603394, -0.23876598477363586]),
        ("logcosh", &[0.0, 1.0, -2.0], &[50.0, -30.0, -2.0], &[0.3333333432674408, -0.3333333432674408, 0.0]),
        ("cosineProximity", &[0.3, -1.2, 2.0], &[0.8, -0.4, 1.1], &[0.25860801339149475, 0.18563663959503174, -0.1205742359161377]),
        ("cosineProximity", &[0.0, 1.0, -2.0], &[50.0, -30.0, -2.0], &[-0.002927345922216773, -0.00590873509645462, 0.015447378158569336]),
        ("cosineProximity", &[1.0, 2.0, 3.0], &[0.0, 0.0, 0.0], &[-845.1542358398438, -1690.3084716796875, -2535.462646484375]),
        ("meanAbsolutePercentageError", &[0.3, -1.2, 2.0], &[0.8, -0.4, 1.1], &[111.11109924316406, 27.777774810791016, -16.66666603088379]),
        ("meanAbsolutePercentageError", &[0.5, -2.0, 3.0], &[0.9, -1.1, 2.2], &[66.66666412353516, 16.66666603088379, -11.11111068725586]),
        ("meanSquaredLogarithmicError", &[0.5, 2.0, 0.0], &[0.9, 1.1, 0.3], &[0.08294343203306198, -0.11323017627000809, 0.1345457136631012]),
        ("meanSquaredLogarithmicError", &[0.5, 2.0, -1.0], &[0.9, -0.5, 0.3], &[0.08294343203306198, 0.0, 0.1345457136631012]),
        ("hinge", &[1.0, -1.0, 1.0], &[0.3, 0.4, 1.8], &[-0.3333333432674408, 0.3333333432674408, 0.0]),
        ("hinge", &[0.0, 1.0, 0.0], &[0.3, -0.4, 0.8], &[0.0, -0.3333333432674408, 0.0]),
        ("squaredHinge", &[1.0, -1.0, 1.0], &[0.3, 0.4, 1.8], &[-0.46666666865348816, 0.9333333373069763, 0.0]),
        ("squaredHinge", &[0.0, 1.0, 0.0], &[0.3, -0.4, 0.8], &[0.0, -0.9333333373069763, 0.0]),
        ("categoricalHinge", &[0.0, 1.0, 0.0], &[0.3, 0.6, 0.1], &[1.0, -1.0, 0.0]),
        ("categoricalHinge", &[1.0, 0.0, 0.0], &[2.0, 0.1, 0.4], &[0.0, 0.0, 0.0]),
        ("categoricalHinge", &[0.0, 0.0, 1.0], &[0.9, -0.2, 0.5], &[1.0, 0.0, -1.0]),
        ("categoricalCrossentropy", &[0.0, 1.0, 0.0], &[0.2, 0.5, 0.3], &[1.0, -1.0, 1.0]),
        ("categoricalCrossentropy", &[0.1, 0.3, 0.6], &[0.25, 0.35, 0.5], &[0.5090909004211426, 0.051947951316833496, -0.29090917110443115]),
        ("categoricalCrossentropy", &[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0], &[0.0, 0.0, 0.0]),
        ("categoricalCrossentropy", &[0.0, 0.0, 1.0], &[0.3, 0.7, 1.5], &[0.4000000059604645, 0.4000000059604645, -0.26666662096977234]),
        ("binaryCrossentropy", &[1.0, 0.0, 1.0], &[0.8, 0.3, 0.1], &[-0.4166666269302368, 0.4761905074119568, -3.3333330154418945]),
        ("binaryCrossentropy", &[1.0, 1.0, 0.0], &[0.0, 1.0, 0.4], &[0.0, 0.0, 0.5555555820465088]),
        ("binaryCrossentropy", &[0.3, 0.7, 0.5], &[0.6, 0.2, 0.9], &[0.4166666269302368, -1.0416665077209473, 1.4814811944961548]),
        ("binaryCrossentropy", &[0.0, 1.0, 1.0], &[-0.5, 1.5, 1e-09], &[0.0, 0.0, 0.0]),
        ("kullbackLeiblerDivergence", &[0.2, 0.5, 0.3], &[0.3, 0.3, 0.4], &[-0.6666666865348816, -1.6666666269302368, -0.75]),
        ("kullbackLeiblerDivergence", &[0.3, 0.3, 0.4], &[0.0, 1.2, 0.5], &[0.0, 0.0, -0.800000011920929]),
        ("kullbackLeiblerDivergence", &[0.0, 1.0, 0.0], &[0.2, 0.5, 0.3], &[0.0, -2.0, 0.0]),
        ("poisson", &[1.0, 0.0, 3.0], &[0.5, 1.2, 2.5], &[-0.33333316445350647, 0.3333333432674408, -0.06666666269302368]),
        ("poisson", &[1.0, 0.0, 2.0], &[0.0, 1.0, 2.0], &[-3333333.25, 0.3333333432674408, 0.0]),
        ("sparseCategoricalCrossentropy", &[1.0], &[0.2, 0.5, 0.3], &[1.0, -1.0, 1.0]),
        ("sparseCategoricalCrossentropy", &[2.0], &[0.1, 0.3, 0.4], &[1.2499998807907104, 1.2499998807907104, -1.2500001192092896]),
        ("sparseCategoricalCrossentropy", &[0.0], &[0.0, 0.5, 0.5], &[0.0, 0.0, 0.0]),
        ("sparseCategoricalCrossentropy", &[1.7], &[0.2, 0.5, 0.3], &[1.0, -1.0, 1.0]),
        ("sparseCategoricalCrossentropy", &[0.0], &[1.0, 0.0, 0.0], &[0.0, 0.0, 0.0]),
    ];
    let covered: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.0).collect();
    for (name, _) in loss::all() {
        assert!(covered.contains(name), "no TF.js reference gradient for loss '{name}'");
    }
    check_loss_gradients(cases);
}

#[test]
fn loss_gradients_at_kinks_and_ties_match_tfjs() {
    let cases: &[GradCase] = &[
        ("meanAbsoluteError", &[0.0, 1.0, -2.0], &[50.0, -30.0, -2.0], &[0.3333333432674408, -0.3333333432674408, -0.3333333432674408]),
        ("meanAbsolutePercentageError", &[0.0, 1.0, -2.0], &[50.0, -30.0, -2.0], &[333333312.0, -33.33333206176758, 16.66666603088379]),
        ("meanAbsoluteError", &[0.5, 1.0, 2.0], &[0.5, 0.0, 2.5], &[-0.3333333432674408, -0.3333333432674408, 0.3333333432674408]),
        ("meanAbsolutePercentageError", &[0.5, 1.0, 2.0], &[0.5, 0.0, 2.5], &[66.66666412353516, -33.33333206176758, 16.66666603088379]),
        ("hinge", &[1.0, -1.0, 1.0], &[1.0, 1.0, 0.5], &[0.0, 0.3333333432674408, -0.3333333432674408]),
        ("squaredHinge", &[1.0, -1.0, 1.0], &[1.0, 1.0, 0.5], &[0.0, 1.3333333730697632, -0.3333333432674408]),
        ("categoricalHinge", &[0.0, 1.0, 0.0], &[0.3, 0.6, 0.3], &[1.0, -1.0, 1.0]),
        ("categoricalHinge", &[0.0, 1.0, 0.0], &[0.5, 1.5, 0.2], &[0.0, 0.0, 0.0]),
        ("binaryCrossentropy", &[1.0, 0.0, 1.0], &[0.5, 0.5, 0.7], &[-0.6666666865348816, 0.6666666865348816, -0.4761904180049896]),
    ];
    check_loss_gradients(cases);
}

// ---------------------------------------------------------------------------------------------
// What TF.js lacks, against Keras 3 (keras 3.x, JAX backend, CPU): AdamW, clipnorm / clipvalue /
// global_clipnorm, and learning-rate schedules evaluated per optimizer step. Same model, data and
// starting weights as above; two epochs of `train_on_batch` on the batches [0,2), [2,4), [4,5)
// (six steps, so schedules move), recording each step's loss, then the final weights.
// Rerun with `python3 -m venv /tmp/kvenv && /tmp/kvenv/bin/pip install 'keras==3.*' 'jax[cpu]'`
// then `/tmp/kvenv/bin/python ref.py`:
//
// import os, json
// os.environ["KERAS_BACKEND"] = "jax"
// import numpy as np, keras
// from keras import optimizers as O
// from keras.optimizers import schedules as S
// x = np.array([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7], [-0.2, 0.8, 0.1], [0.9, -0.4, -1.2], [-1.1, 0.6, 0.4]], "float32")
// y = np.array([[1.0, -0.5], [0.2, 0.7], [-0.3, 0.4], [0.8, 0.0], [-0.6, 1.1]], "float32")
// k1 = np.array([[0.2, -0.3, 0.5, 0.1], [-0.4, 0.6, 0.05, -0.2], [0.3, 0.1, -0.25, 0.45]], "float32")
// b1 = np.array([0.05, -0.1, 0.0, 0.2], "float32")
// k2 = np.array([[0.3, -0.6], [0.7, 0.2], [-0.5, 0.4], [0.1, 0.9]], "float32")
// b2 = np.array([0.1, -0.05], "float32")
// cases = {
//   "adamw": lambda: O.AdamW(learning_rate=0.05, weight_decay=0.1, beta_1=0.9, beta_2=0.999),
//   "adamw_defaults": lambda: O.AdamW(),
//   "sgd_clipnorm": lambda: O.SGD(0.1, clipnorm=0.3),
//   "sgd_clipvalue": lambda: O.SGD(0.1, clipvalue=0.05),
//   "sgd_global_clipnorm": lambda: O.SGD(0.1, global_clipnorm=0.4),
//   "sgd_exponential": lambda: O.SGD(S.ExponentialDecay(0.2, 2, 0.5)),
//   "sgd_exponential_staircase": lambda: O.SGD(S.ExponentialDecay(0.2, 2, 0.5, staircase=True)),
//   "sgd_cosine_warmup": lambda: O.SGD(S.CosineDecay(0.0, 3, alpha=0.1, warmup_target=0.2, warmup_steps=2)),
//   "sgd_piecewise": lambda: O.SGD(S.PiecewiseConstantDecay([1, 3], [0.3, 0.1, 0.02])),
//   "adamw_cosine_clipnorm": lambda: O.AdamW(learning_rate=S.CosineDecay(0.05, 4, alpha=0.2), weight_decay=0.2, clipnorm=0.5),
// }
// for name, make in cases.items():
//     model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(2)])
//     model.set_weights([k1, b1, k2, b2])
//     model.compile(optimizer=make(), loss="mean_squared_error")
//     losses = []
//     for epoch in range(2):
//         for s in range(0, 5, 2):
//             losses.append(float(model.train_on_batch(x[s:s+2], y[s:s+2])))
//     w = [np.asarray(v).ravel().tolist() for v in model.get_weights()]
//     print(json.dumps({"name": name, "batches": losses, "weights": w}))
// sched = {
//   "exponential": S.ExponentialDecay(0.1, 3, 0.8),
//   "exponential_staircase": S.ExponentialDecay(0.1, 3, 0.8, staircase=True),
//   "cosine": S.CosineDecay(0.1, 5, alpha=0.05),
//   "cosine_warmup": S.CosineDecay(0.01, 5, alpha=0.1, warmup_target=0.1, warmup_steps=3),
//   "piecewise": S.PiecewiseConstantDecay([2, 5], [0.1, 0.05, 0.01]),
// }
// for name, s in sched.items():
//     print(json.dumps({"schedule": name, "values": [float(s(i)) for i in range(10)]}))
// ---------------------------------------------------------------------------------------------

struct KerasExpected {
    step_losses: &'static [f64],
    weights: [&'static [f64]; 4],
}

fn check_against_keras(optimizer: Value, expected: &KerasExpected) {
    let graph = json!({
        "name": "m",
        "layers": [
            {"className": "InputLayer", "name": "in", "width": 3},
            {"className": "Dense", "name": "d1", "units": 4, "activation": "tanh"},
            {"className": "Dense", "name": "d2", "units": 2},
        ],
        "nodes": [{"layer": 0, "inputs": []}, {"layer": 1, "inputs": [0]}, {"layer": 2, "inputs": [1]}],
        "inputs": [0],
        "outputs": [2],
    });
    let what = optimizer.to_string();
    let mut model = compiled_model(graph, json!({"optimizer": optimizer, "heads": [{"loss": "meanSquaredError"}]}));
    set_weight(&mut model, "d1", 0, &K1);
    set_weight(&mut model, "d1", 1, &B1);
    set_weight(&mut model, "d2", 0, &K2);
    set_weight(&mut model, "d2", 1, &B2);
    let report = run_all(&mut model, vec![X.to_vec()], vec![Y.to_vec()], 5, 2, 2);
    let losses: Vec<f64> = report.batches.iter().map(|b| b.2[0]).collect();
    assert_close(&losses, expected.step_losses, ATOL, RTOL, &format!("{what}: step losses"));
    let names = [("d1", 0), ("d1", 1), ("d2", 0), ("d2", 1)];
    for ((layer, wi), exp) in names.iter().zip(expected.weights) {
        assert_close(&weight(&model, layer, *wi), exp, ATOL, RTOL, &format!("{what}: final {layer} weight {wi}"));
    }
}

#[test]
fn adamw_matches_keras() {
    check_against_keras(
        json!({"className": "AdamW", "config": {"learningRate": 0.05, "weightDecay": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7}}),
        &KerasExpected {
            step_losses: &[0.45929473638534546, 0.5460637807846069, 1.1902493238449097, 0.05140450596809387, 0.25929102301597595, 0.4557054042816162],
            weights: [
                &[
                    0.30410611629486084,
                    -0.015892334282398224,
                    0.23621858656406403,
                    0.17053048312664032,
                    -0.6362079381942749,
                    0.3193216919898987,
                    0.3162324130535126,
                    -0.02337285690009594,
                    0.22247204184532166,
                    0.014428097754716873,
                    -0.2902583181858063,
                    0.300640344619751,
                ],
                &[0.055680178105831146, 0.013783104717731476, -0.034631989896297455, 0.41107773780822754],
                &[
                    0.5559704899787903,
                    -0.810997724533081,
                    0.40757063031196594,
                    0.4066077470779419,
                    -0.23032693564891815,
                    0.4274335503578186,
                    0.1897047609090805,
                    0.7634649872779846,
                ],
                &[0.17174085974693298, 0.10682062059640884],
            ],
        },
    );
}

#[test]
fn adamw_defaults_matches_keras() {
    check_against_keras(
        json!({"className": "AdamW", "config": {"learningRate": 0.001, "weightDecay": 0.004, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7}}),
        &KerasExpected {
            step_losses: &[0.45929473638534546, 0.6470879316329956, 1.2939528226852417, 0.44590914249420166, 0.6377795934677124, 1.2728711366653442],
            weights: [
                &[
                    0.2021619826555252,
                    -0.29409387707710266,
                    0.4946106970310211,
                    0.10144826769828796,
                    -0.4053612947463989,
                    0.594414472579956,
                    0.055907730013132095,
                    -0.19548891484737396,
                    0.29938700795173645,
                    0.09836515784263611,
                    -0.2514539659023285,
                    0.4470032751560211,
                ],
                &[0.050007693469524384, -0.09752543270587921, -0.0008485242142342031, 0.20538116991519928],
                &[
                    0.3055576682090759,
                    -0.6051412224769592,
                    0.6940675377845764,
                    0.2042819708585739,
                    -0.4944714605808258,
                    0.40120255947113037,
                    0.10168793052434921,
                    0.8972691893577576,
                ],
                &[0.10210780799388885, -0.04548010602593422],
            ],
        },
    );
}

#[test]
fn sgd_clipnorm_matches_keras() {
    check_against_keras(
        json!({"className": "SGD", "config": {"learningRate": 0.1, "clipnorm": 0.3}}),
        &KerasExpected {
            step_losses: &[0.45929473638534546, 0.6179137229919434, 1.2998062372207642, 0.3466186225414276, 0.5102988481521606, 1.1396466493606567],
            weights: [
                &[
                    0.24628348648548126,
                    -0.2329292595386505,
                    0.4477444589138031,
                    0.10784425586462021,
                    -0.43943604826927185,
                    0.5671094059944153,
                    0.09728789329528809,
                    -0.18112638592720032,
                    0.2825084328651428,
                    0.0731726586818695,
                    -0.2539789378643036,
                    0.4323287308216095,
                ],
                &[0.029227323830127716, -0.05322050675749779, -0.00357398041523993, 0.2735028564929962],
                &[
                    0.3556671738624573,
                    -0.6307142376899719,
                    0.5943208336830139,
                    0.22704485058784485,
                    -0.4215922951698303,
                    0.40145277976989746,
                    0.10869961977005005,
                    0.888572096824646,
                ],
                &[0.16766367852687836, -0.0028639642987400293],
            ],
        },
    );
}

#[test]
fn sgd_clipvalue_matches_keras() {
    check_against_keras(
        json!({"className": "SGD", "config": {"learningRate": 0.1, "clipvalue": 0.05}}),
        &KerasExpected {
            step_losses: &[0.45929473638534546, 0.6381112933158875, 1.2767236232757568, 0.41801917552948, 0.5889265537261963, 1.1888694763183594],
            weights: [
                &[
                    0.2120126187801361,
                    -0.27000004053115845,
                    0.4700000286102295,
                    0.11000000685453415,
                    -0.429999977350235,
                    0.5700000524520874,
                    0.08000000566244125,
                    -0.18334323167800903,
                    0.2900000214576721,
                    0.08999999612569809,
                    -0.24000000953674316,
                    0.4399999976158142,
                ],
                &[0.05687325820326805, -0.08999999612569809, -0.0038375023286789656, 0.22999997437000275],
                &[
                    0.32999998331069946,
                    -0.6236958503723145,
                    0.6700000166893005,
                    0.218064084649086,
                    -0.4700000286102295,
                    0.403224378824234,
                    0.08999999612569809,
                    0.9001216292381287,
                ],
                &[0.11000000685453415, -0.02528896927833557],
            ],
        },
    );
}

#[test]
fn sgd_global_clipnorm_matches_keras() {
    check_against_keras(
        json!({"className": "SGD", "config": {"learningRate": 0.1, "globalClipnorm": 0.4}}),
        &KerasExpected {
            step_losses: &[0.45929473638534546, 0.6288111209869385, 1.2746999263763428, 0.3858385682106018, 0.547881007194519, 1.1363935470581055],
            weights: [
                &[
                    0.2374507188796997,
                    -0.24219849705696106,
                    0.45580360293388367,
                    0.10736818611621857,
                    -0.43260690569877625,
                    0.5712282061576843,
                    0.09036491066217422,
                    -0.18386059999465942,
                    0.2848580777645111,
                    0.07526284456253052,
                    -0.2518596351146698,
                    0.43411871790885925,
                ],
                &[0.03337464481592178, -0.08205890655517578, 0.0019415559945628047, 0.23862148821353912],
                &[
                    0.3360334634780884,
                    -0.6193545460700989,
                    0.62554931640625,
                    0.21578919887542725,
                    -0.44442251324653625,
                    0.40258535742759705,
                    0.1048312857747078,
                    0.89195716381073,
                ],
                &[0.13062842190265656, -0.018162213265895844],
            ],
        },
    );
}

#[test]
fn sgd_exponential_matches_keras() {
    check_against_keras(
        json!({"className": "SGD", "config": {"learningRate": {"className": "ExponentialDecay", "config": {"initialLearningRate": 0.2, "decaySteps": 2, "decayRate": 0.5}}}}),
        &KerasExpected {
            step_losses: &[0.45929473638534546, 0.5169384479522705, 1.2780497074127197, 0.13368186354637146, 0.2999531924724579, 0.541606068611145],
            weights: [
                &[
                    0.3662692904472351,
                    -0.09583693742752075,
                    0.32956409454345703,
                    0.12859706580638885,
                    -0.5395492911338806,
                    0.5128376483917236,
                    0.20258167386054993,
                    -0.1336979866027832,
                    0.24994930624961853,
                    0.05142160505056381,
                    -0.29792848229408264,
                    0.39747384190559387,
                ],
                &[-0.038107264786958694, -0.03840268403291702, 0.014998920261859894, 0.3295103907585144],
                &[
                    0.46392861008644104,
                    -0.6930578947067261,
                    0.455227255821228,
                    0.27499744296073914,
                    -0.3225024938583374,
                    0.4055096209049225,
                    0.15741875767707825,
                    0.8555806279182434,
                ],
                &[0.15909209847450256, 0.05987941101193428],
            ],
        },
    );
}

#[test]
fn sgd_exponential_staircase_matches_keras() {
    check_against_keras(
        json!({"className": "SGD", "config": {"learningRate": {"className": "ExponentialDecay", "config": {"initialLearningRate": 0.2, "decaySteps": 2, "decayRate": 0.5, "staircase": true}}}}),
        &KerasExpected {
            step_losses: &[0.45929473638534546, 0.5169384479522705, 1.1955534219741821, 0.12649030983448029, 0.2631787955760956, 0.5242887139320374],
            weights: [
                &[
                    0.38066911697387695,
                    -0.08046354353427887,
                    0.31460875272750854,
                    0.13383041322231293,
                    -0.5591025948524475,
                    0.4997977614402771,
                    0.2220461666584015,
                    -0.1304592788219452,
                    0.23678326606750488,
                    0.03417285159230232,
                    -0.2894679605960846,
                    0.3910662829875946,
                ],
                &[-0.038841456174850464, -0.03196481987833977, 0.0193146001547575, 0.3377232551574707],
                &[
                    0.48341038823127747,
                    -0.7033777236938477,
                    0.4267820417881012,
                    0.28110069036483765,
                    -0.30415403842926025,
                    0.40989282727241516,
                    0.15869270265102386,
                    0.8529280424118042,
                ],
                &[0.16570338606834412, 0.06473144143819809],
            ],
        },
    );
}

#[test]
fn sgd_cosine_warmup_matches_keras() {
    check_against_keras(
        json!({"className": "SGD", "config": {"learningRate": {"className": "CosineDecay", "config": {"initialLearningRate": 0.0, "decaySteps": 3, "alpha": 0.1, "warmupTarget": 0.2, "warmupSteps": 2}}}}),
        &KerasExpected {
            step_losses: &[0.45929473638534546, 0.6494282484054565, 1.1625021696090698, 0.5814814567565918, 0.38307201862335205, 0.1867847591638565],
            weights: [
                &[
                    0.41414183378219604,
                    -0.0942699983716011,
                    0.2970668077468872,
                    0.026870403438806534,
                    -0.5545544028282166,
                    0.5030653476715088,
                    0.19913683831691742,
                    -0.10485205054283142,
                    0.2528620958328247,
                    0.01225260365754366,
                    -0.2405666559934616,
                    0.4349006116390228,
                ],
                &[-0.08118513971567154, -0.1221049353480339, 0.08471149951219559, 0.38461050391197205],
                &[
                    0.4744621515274048,
                    -0.6862378716468811,
                    0.43069136142730713,
                    0.31212207674980164,
                    -0.29040923714637756,
                    0.34754493832588196,
                    0.10531900823116302,
                    0.8676155209541321,
                ],
                &[0.03738894313573837, 0.12465505301952362],
            ],
        },
    );
}

#[test]
fn sgd_piecewise_matches_keras() {
    check_against_keras(
        json!({"className": "SGD", "config": {"learningRate": {"className": "PiecewiseConstantDecay", "config": {"boundaries": [1, 3], "values": [0.3, 0.1, 0.02]}}}}),
        &KerasExpected {
            step_losses: &[0.45929473638534546, 0.47971075773239136, 1.1294994354248047, 0.0645793154835701, 0.1950998604297638, 0.4945540726184845],
            weights: [
                &[
                    0.38210877776145935,
                    -0.05157342925667763,
                    0.30332207679748535,
                    0.17840410768985748,
                    -0.5893718600273132,
                    0.48957234621047974,
                    0.2578718364238739,
                    -0.1285754293203354,
                    0.22568181157112122,
                    0.041156962513923645,
                    -0.3232961595058441,
                    0.3724740743637085,
                ],
                &[-0.02100312151014805, 0.010797160677611828, -0.010461637750267982, 0.32796984910964966],
                &[
                    0.500569224357605,
                    -0.7156499624252319,
                    0.38343456387519836,
                    0.2868514358997345,
                    -0.28425437211990356,
                    0.42796406149864197,
                    0.20044276118278503,
                    0.8257836103439331,
                ],
                &[0.23256929218769073, 0.03941962495446205],
            ],
        },
    );
}

#[test]
fn adamw_cosine_clipnorm_matches_keras() {
    check_against_keras(
        json!({"className": "AdamW", "config": {"learningRate": {"className": "CosineDecay", "config": {"initialLearningRate": 0.05, "decaySteps": 4, "alpha": 0.2}}, "weightDecay": 0.2, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7, "clipnorm": 0.5}}),
        &KerasExpected {
            step_losses: &[0.45929473638534546, 0.5414390563964844, 1.2012196779251099, 0.06233740597963333, 0.3188021779060364, 0.9007208347320557],
            weights: [
                &[
                    0.22119958698749542,
                    -0.13768714666366577,
                    0.3313416838645935,
                    0.1939140111207962,
                    -0.5383393168449402,
                    0.4404903054237366,
                    0.20430415868759155,
                    -0.09287919849157333,
                    0.29632362723350525,
                    0.09029700607061386,
                    -0.3002713620662689,
                    0.31820014119148254,
                ],
                &[0.11416951566934586, 0.01580917090177536, -0.08399251103401184, 0.32837215065956116],
                &[
                    0.43469980359077454,
                    -0.7121899127960205,
                    0.5245015025138855,
                    0.3308394253253937,
                    -0.33705607056617737,
                    0.45753443241119385,
                    0.1828845888376236,
                    0.7767027020454407,
                ],
                &[0.20614488422870636, 0.036158591508865356],
            ],
        },
    );
}

#[test]
fn schedules_match_keras_step_by_step() {
    use dense_mtl_core::optimizer::Schedule;
    let cases: [(Value, &[f64]); 5] = [
        (
            json!({"className": "ExponentialDecay", "config": {"initialLearningRate": 0.1, "decaySteps": 3, "decayRate": 0.8}}),
            &[
                0.10000000149011612,
                0.09283178299665451,
                0.08617739379405975,
                0.08000000566244125,
                0.07426542043685913,
                0.06894191354513168,
                0.06400000303983688,
                0.05941234156489372,
                0.05515353009104729,
                0.05120000243186951,
            ],
        ),
        (
            json!({"className": "ExponentialDecay", "config": {"initialLearningRate": 0.1, "decaySteps": 3, "decayRate": 0.8, "staircase": true}}),
            &[
                0.10000000149011612,
                0.10000000149011612,
                0.10000000149011612,
                0.08000000566244125,
                0.08000000566244125,
                0.08000000566244125,
                0.06400000303983688,
                0.06400000303983688,
                0.06400000303983688,
                0.05120000243186951,
            ],
        ),
        (
            json!({"className": "CosineDecay", "config": {"initialLearningRate": 0.1, "decaySteps": 5, "alpha": 0.05}}),
            &[
                0.10000000149011612,
                0.09092830866575241,
                0.06717830151319504,
                0.037821684032678604,
                0.014071689918637276,
                0.005000000353902578,
                0.005000000353902578,
                0.005000000353902578,
                0.005000000353902578,
                0.005000000353902578,
            ],
        ),
        (
            json!({"className": "CosineDecay", "config": {"initialLearningRate": 0.01, "decaySteps": 5, "alpha": 0.1, "warmupTarget": 0.1, "warmupSteps": 3}}),
            &[
                0.009999999776482582,
                0.04000000283122063,
                0.07000000029802322,
                0.10000000149011612,
                0.09140576422214508,
                0.06890576332807541,
                0.04109422490000725,
                0.018594233319163322,
                0.010000000707805157,
                0.010000000707805157,
            ],
        ),
        (
            json!({"className": "PiecewiseConstantDecay", "config": {"boundaries": [2, 5], "values": [0.1, 0.05, 0.01]}}),
            &[
                0.10000000149011612,
                0.10000000149011612,
                0.10000000149011612,
                0.05000000074505806,
                0.05000000074505806,
                0.05000000074505806,
                0.009999999776482582,
                0.009999999776482582,
                0.009999999776482582,
                0.009999999776482582,
            ],
        ),
    ];
    for (config, expected) in cases {
        let schedule: Schedule = serde_json::from_value(config.clone()).expect("schedule");
        schedule.validate().expect("valid");
        let values: Vec<f32> = (0..expected.len() as u64).map(|step| schedule.at(step)).collect();
        assert_close(&values, expected, 1e-7, 1e-6, &format!("{config}"));
    }
}
