"""Writes __test__/fixtures/keras/normalization/: batch and layer normalization both ways between
Keras 3 and dense-mtl.

Run it in the environment of scripts/make-keras-fixtures.sh (tensorflowjs 4.22, TensorFlow 2.19,
Keras 3), from a checkout with the addon built:

  bash scripts/make-keras-fixtures.sh --venv-only
  .venv-keras/bin/python scripts/make-normalization-fixtures.py

It writes

  keras3.keras, keras3.h5    a Keras 3 model Dense -> BatchNormalization -> Dense -> LayerNormalization
                             -> Dense, trained 3 epochs (so the moving statistics have moved)
  keras3-from-h5/            tensorflowjs_converter --input_format=keras of keras3.h5
  keras3.json                inputs and Keras's predictions
  ours/                      the same architecture built, trained and saved by dense-mtl
  ours-in-keras.json         inputs and the predictions Keras computes after the converter
                             (--input_format=tfjs_layers_model --output_format=keras) read ours/
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import keras  # noqa: E402  (Keras 3)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "__test__", "fixtures", "keras", "normalization")
CONVERTER = os.path.join(os.path.dirname(sys.executable), "tensorflowjs_converter")

# dense-mtl's half: the same architecture, trained on the same rows, saved as TF.js saves.
OURS = """
const tf = require(process.argv[1]);
const [dir, data] = [process.argv[2], JSON.parse(process.argv[3])];
(async () => {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 5, activation: 'relu', inputShape: [4], name: 'dense',
    kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
  m.add(tf.layers.batchNormalization({ name: 'batch_normalization', momentum: 0.8 }));
  m.add(tf.layers.dense({ units: 4, activation: 'tanh', name: 'dense_1', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }));
  m.add(tf.layers.layerNormalization({ name: 'layer_normalization', epsilon: 1e-4 }));
  m.add(tf.layers.dense({ units: 2, name: 'dense_2', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }));
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  await m.fit(tf.tensor2d(data.x), tf.tensor2d(data.y), { epochs: 3, batchSize: 16, shuffle: false, verbose: 0 });
  await m.save(`file://${dir}`);
})();
"""


def data(seed, rows):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 4)).astype("float32") * 2 + 1
    y = np.stack([x[:, 0] * x[:, 1] - x[:, 2], np.sin(x[:, 3])], axis=1).astype("float32")
    return x, y


def convert(args, source, target):
    """tensorflowjs_converter from a copy of `source` in a scratch directory into `target`."""
    shutil.rmtree(target, ignore_errors=True)
    scratch = tempfile.mkdtemp()
    try:
        copy = os.path.join(scratch, os.path.basename(source))
        (shutil.copytree if os.path.isdir(source) else shutil.copy)(source, copy)
        if os.path.isdir(copy):
            copy = os.path.join(copy, "model.json")
        subprocess.run([CONVERTER, *args, copy, target], check=True, cwd=scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def keras_model():
    keras.utils.set_random_seed(7)
    model = keras.Sequential([
        keras.Input(shape=(4,)),
        keras.layers.Dense(5, activation="relu"),
        keras.layers.BatchNormalization(momentum=0.8),
        keras.layers.Dense(4, activation="tanh"),
        keras.layers.LayerNormalization(epsilon=1e-4),
        keras.layers.Dense(2),
    ], name="sequential")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    return model


def main():
    os.makedirs(OUT, exist_ok=True)
    x_train, y_train = data(1, 64)
    x, _ = data(2, 8)

    model = keras_model()
    model.fit(x_train, y_train, epochs=3, batch_size=16, shuffle=False, verbose=0)
    base = os.path.join(OUT, "keras3")
    model.save(base + ".keras")
    model.save(base + ".h5")
    convert(["--input_format=keras", "--output_format=tfjs_layers_model"], base + ".h5", base + "-from-h5")
    with open(base + ".json", "w") as f:
        json.dump({"keras": keras.__version__, "x": x.tolist(), "predictions": model.predict(x, verbose=0).tolist()}, f, indent=1)

    ours = os.path.join(OUT, "ours")
    shutil.rmtree(ours, ignore_errors=True)
    subprocess.run(["node", "-e", OURS, ROOT, ours, json.dumps({"x": x_train.tolist(), "y": y_train.tolist()})], check=True)
    scratch = tempfile.mkdtemp()
    try:
        h5 = os.path.join(scratch, "ours.h5")
        convert(["--input_format=tfjs_layers_model", "--output_format=keras"], ours, h5)
        back = keras.models.load_model(h5, compile=False)
        with open(os.path.join(OUT, "ours-in-keras.json"), "w") as f:
            json.dump({"keras": keras.__version__, "x": x.tolist(), "predictions": back.predict(x, verbose=0).tolist(),
                       "weights": {w.path: np.asarray(w).ravel().tolist() for w in back.weights}}, f, indent=1)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
