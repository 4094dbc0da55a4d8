//! Runs the code of `examples/iris.rs` (the seed network in pure Rust through the library's
//! public face: builder, CSV reader, ndarray fit / evaluate / predict, named logs).

#[allow(dead_code)] // its `main` is the example's entry point, unused here
#[path = "../examples/iris.rs"]
mod iris;

use ndarray::Axis;

#[test]
fn the_csv_reader_reads_every_row_of_the_bundled_iris_data() {
    let (x, y) = iris::load(&iris::data_path()).unwrap();
    // An independent reading: split the text by lines and commas.
    let text = std::fs::read_to_string(iris::data_path()).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().skip(1).filter(|l| !l.trim().is_empty()).map(|l| l.split(',').collect()).collect();
    assert_eq!(x.dim(), (rows.len(), 4));
    assert_eq!(y.dim(), (rows.len(), 3));
    for (r, fields) in rows.iter().enumerate() {
        let values: Vec<f32> = fields[..4].iter().map(|f| f.parse().unwrap()).collect();
        assert_eq!(x.row(r).to_vec(), values, "row {r}");
        let class = iris::SPECIES.iter().position(|s| *s == fields[4]).unwrap();
        assert_eq!(y.row(r).iter().position(|&v| v == 1.0), Some(class), "row {r}");
        assert_eq!(y.row(r).sum(), 1.0, "row {r} is one-hot");
    }
}

#[test]
fn the_seed_network_trains_and_its_logs_agree_with_its_predictions() {
    let (x, y) = iris::load(&iris::data_path()).unwrap();
    let epochs = 200;
    let (model, history) = iris::train(x.view(), y.view(), epochs, 7).unwrap();
    assert_eq!(history.epoch, (0..epochs).collect::<Vec<_>>());
    let losses = history.get("loss").unwrap();
    assert_eq!(losses.len(), epochs);
    assert_eq!(history.get("acc").unwrap().len(), epochs);
    assert!(losses[epochs - 1] < losses[0], "the loss went down: {} → {}", losses[0], losses[epochs - 1]);

    // evaluate's accuracy (the core's metric) is the example's argmax count over predict.
    let logs = model.evaluate(&[x.view()], &[y.view()], 32).unwrap();
    let probabilities = model.predict(&[x.view()], 32).unwrap().remove(0);
    assert_eq!(probabilities.dim(), (x.nrows(), 3));
    assert!((logs["acc"] - iris::accuracy(probabilities.view(), y.view())).abs() < 1e-6);
    // evaluate's loss is the mean crossentropy of those predictions, computed here by hand.
    let crossentropy: f64 = probabilities
        .axis_iter(Axis(0))
        .zip(y.axis_iter(Axis(0)))
        .map(|(p, t)| -p.iter().zip(t).map(|(&p, &t)| t as f64 * (p as f64).clamp(1e-7, 1.0 - 1e-7).ln()).sum::<f64>())
        .sum::<f64>()
        / x.nrows() as f64;
    assert!((logs["loss"] - crossentropy).abs() < 1e-4, "loss {} vs {crossentropy}", logs["loss"]);
}
