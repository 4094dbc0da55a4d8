//! The seed network in pure Rust: the bundled Iris CSV read with the core's CSV reader,
//! 4 → dense 10 relu → dense 10 relu → dense 3 softmax, categorical crossentropy, SGD
//! (TF.js's `'sgd'`: learning rate 0.01), 200 epochs of shuffled batches of 16 rows, as
//! `examples/iris.js` trains it in JavaScript. Prints the loss and accuracy as it goes, then the
//! accuracy on the 150 rows.
//!
//! `cargo run --release -p dense-mtl-core --example iris`

use dense_mtl_core::activation::Activation;
use dense_mtl_core::csv::{cell, CsvConfig, CsvReader};
use dense_mtl_core::loss::Loss;
use dense_mtl_core::metric::MetricConfig;
use dense_mtl_core::model::{CompileConfig, HeadConfig};
use dense_mtl_core::optimizer::{OptimizerConfig, Rule};
use dense_mtl_core::{Error, FitConfig, History, Model, Result, Sequential};
use ndarray::{Array2, ArrayView2, Axis};
use std::fs::File;

/// The species, in the order of the one-hot columns.
pub const SPECIES: [&str; 3] = ["setosa", "versicolor", "virginica"];

/// The bundled data: four measurements, then the species.
pub fn data_path() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/iris.csv").to_string()
}

/// The measurements `[rows, 4]` and the one-hot species `[rows, 3]` of an Iris CSV.
pub fn load(path: &str) -> Result<(Array2<f32>, Array2<f32>)> {
    let file = File::open(path).map_err(|e| Error::Io(format!("{path}: {e}")))?;
    let mut reader = CsvReader::new(Box::new(file), path, &CsvConfig::default())?;
    let width = reader.columns().len();
    let (mut xs, mut ys, mut rows) = (Vec::new(), Vec::new(), 0);
    loop {
        let chunk = reader.next_chunk(64)?;
        if chunk.rows == 0 {
            break;
        }
        for (row, kinds) in chunk.values.chunks_exact(width).zip(chunk.kinds.chunks_exact(width)) {
            if kinds[..4].iter().any(|&k| k != cell::NUMBER) || kinds[4] != cell::STRING {
                return Err(Error::Format(format!("{path}: row {rows} is not four numbers and a species")));
            }
            // A string cell's value is its text's index among the chunk's distinct texts.
            let species = &chunk.strings[row[4] as usize];
            let class = SPECIES.iter().position(|s| s == species).ok_or_else(|| Error::Format(format!("{path}: unknown species '{species}'")))?;
            xs.extend(row[..4].iter().map(|&v| v as f32));
            ys.extend((0..3).map(|c| if c == class { 1.0 } else { 0.0 }));
            rows += 1;
        }
    }
    let shape = |w| Error::Format(format!("{path}: not {w} values per row"));
    Ok((Array2::from_shape_vec((rows, 4), xs).map_err(|_| shape(4))?, Array2::from_shape_vec((rows, 3), ys).map_err(|_| shape(3))?))
}

/// The seed network, compiled.
pub fn seed_network() -> Result<Model> {
    let mut model = Sequential::new().name("iris").input(4).dense(10, Activation::Relu).dense(10, Activation::Relu).dense(3, Activation::Softmax).build()?;
    let sgd = OptimizerConfig::new(Rule::Sgd {}, 0.01);
    model.compile(&CompileConfig::new(sgd, vec![HeadConfig::new(Loss::CategoricalCrossentropy).metric(MetricConfig::Accuracy)]))?;
    Ok(model)
}

/// Trains the seed network on `x`, `y` for `epochs` epochs (batches of 16, shuffled with `seed`).
pub fn train(x: ArrayView2<f32>, y: ArrayView2<f32>, epochs: usize, seed: u64) -> Result<(Model, History)> {
    let mut model = seed_network()?;
    let history = model.fit(&[x], &[y], &FitConfig::new(epochs, 16).seed(seed))?;
    Ok((model, history))
}

/// The fraction of rows whose largest probability is at the true species.
pub fn accuracy(probabilities: ArrayView2<f32>, one_hot: ArrayView2<f32>) -> f64 {
    let argmax = |row: ndarray::ArrayView1<f32>| row.iter().enumerate().fold((0, f32::MIN), |b, (i, &v)| if v > b.1 { (i, v) } else { b }).0;
    let hits = probabilities.axis_iter(Axis(0)).zip(one_hot.axis_iter(Axis(0))).filter(|(p, t)| argmax(p.view()) == argmax(t.view())).count();
    hits as f64 / probabilities.nrows() as f64
}

fn main() -> Result<()> {
    let (x, y) = load(&data_path())?;
    let epochs = 200;
    let (model, history) = train(x.view(), y.view(), epochs, 42)?;
    let (losses, accuracies) = (history.get("loss").unwrap_or_default(), history.get("acc").unwrap_or_default());
    for (epoch, (loss, acc)) in losses.iter().zip(accuracies).enumerate().filter(|(e, _)| (e + 1) % 20 == 0) {
        println!("epoch {:>3}/{epochs}  loss={loss:.4}  acc={acc:.3}", epoch + 1);
    }
    let logs = model.evaluate(&[x.view()], &[y.view()], 150)?;
    let probabilities = model.predict(&[x.view()], 32)?.remove(0);
    println!("\nAccuracy on the {} rows: {:.1} %   loss {:.4}", x.nrows(), 100.0 * accuracy(probabilities.view(), y.view()), logs["loss"]);
    Ok(())
}
