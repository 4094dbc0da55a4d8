"""Writes __test__/fixtures/keras/: real Keras model files and what Keras computes with them.

Run it through `bash scripts/make-keras-fixtures.sh`, which makes the pinned environment
(tensorflowjs==4.22.0 -> TensorFlow 2.19, Keras 3, tf_keras 2.19; ydf==0.13.0).

For each Keras (`keras3`: Keras 3, what tf.keras means since TF 2.16; `tfkeras`: the legacy
tf_keras) and each model (`sequential`: 4 -> 8 relu -> 3 softmax, SGD with momentum;
`multitask`: a three-head functional model with a Concatenate, loss weights, per-output losses
and metrics, Adam), trained a little with fixed seeds, it writes

  <keras>-<model>.h5               model.save('....h5')
  <keras>-<model>.keras            model.save('....keras') (Keras 3 only)
  <keras>-<model>-from-h5/         tensorflowjs_converter --input_format=keras (model.json, shards)
  <keras>-<model>-from-keras/      tensorflowjs_converter --input_format=keras_keras (Keras 3 only)
  <keras>-<model>.json             inputs, Keras's predictions, evaluate results, and one
                                   train_on_batch step from a fresh optimizer: its loss and the
                                   weights after it (by our names, layer/kernel and layer/bias)

The shard size is small on purpose, so that the converter output has several groups and shards.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402  (Keras 3)
import tf_keras  # noqa: E402  (legacy Keras 2)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "__test__", "fixtures", "keras")
CONVERTER = os.path.join(os.path.dirname(sys.executable), "tensorflowjs_converter")
SHARD_BYTES = 256


def data(seed, rows):
    """Inputs and the three targets: a regression, 3 classes (one-hot) and a binary label."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 4)).astype("float32")
    a = (x @ np.array([[0.5], [-1.0], [0.25], [2.0]], dtype="float32") + 0.1).astype("float32")
    b = np.eye(3, dtype="float32")[np.argmax(x[:, :3], axis=1)]
    c = (x[:, 3:4] > 0).astype("float32")
    return x, {"a": a, "b": b, "c": c}


def build(k, kind):
    """The two models, built the same way with Keras 3 (`keras`) or tf_keras."""
    if kind == "sequential":
        model = k.Sequential([
            k.Input(shape=(4,)),
            k.layers.Dense(8, activation="relu", name="dense"),
            k.layers.Dense(3, activation="softmax", name="dense_1"),
        ], name="sequential")
        model.compile(optimizer=k.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                      loss="categorical_crossentropy", metrics=["accuracy"])
        return model
    inputs = k.Input(shape=(4,), name="features")
    trunk = k.layers.Dense(8, activation="relu", name="trunk")(inputs)
    a = k.layers.Dense(1, name="a")(trunk)
    b = k.layers.Dense(3, activation="softmax", name="b")(trunk)
    joined = k.layers.Concatenate(name="joined")([trunk, inputs])
    c = k.layers.Dense(1, activation="sigmoid", name="c")(joined)
    model = k.Model(inputs, [a, b, c], name="multitask")
    model.compile(optimizer=k.optimizers.Adam(learning_rate=0.01),
                  loss={"a": "mse", "b": "categorical_crossentropy", "c": "binary_crossentropy"},
                  loss_weights={"a": 1.0, "b": 0.5, "c": 2.0},
                  metrics={"a": ["mae"], "b": ["accuracy"], "c": ["accuracy"]})
    return model


def targets(kind, y):
    return y["b"] if kind == "sequential" else [y["a"], y["b"], y["c"]]


def named_weights(model):
    """Dense weights by the names dense-mtl gives them: layer/kernel, layer/bias."""
    out = {}
    for layer in model.layers:
        for w, suffix in zip(layer.weights, ["kernel", "bias"]):
            out[f"{layer.name}/{suffix}"] = np.asarray(w.numpy()).ravel().tolist()
    return out


def tolist(value):
    return [np.asarray(v).tolist() for v in value] if isinstance(value, list) else np.asarray(value).tolist()


def convert(input_format, source, target):
    """tensorflowjs_converter into `target`, from a copy of `source` in a scratch directory:
    the keras_keras input format unpacks the .keras zip next to its input file."""
    shutil.rmtree(target, ignore_errors=True)
    scratch = tempfile.mkdtemp()
    try:
        copy = shutil.copy(source, scratch)
        subprocess.run([CONVERTER, f"--input_format={input_format}", "--output_format=tfjs_layers_model",
                        f"--weight_shard_size_bytes={SHARD_BYTES}", copy, target], check=True, cwd=scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def make(k, flavour, kind):
    k.utils.set_random_seed(7)
    model = build(k, kind)
    x_train, y_train = data(1, 64)
    model.fit(x_train, targets(kind, y_train), epochs=3, batch_size=16, shuffle=False, verbose=0)
    base = os.path.join(OUT, f"{flavour}-{kind}")
    model.save(base + ".h5")
    convert("keras", base + ".h5", base + "-from-h5")
    if flavour == "keras3":
        model.save(base + ".keras")
        convert("keras_keras", base + ".keras", base + "-from-keras")

    x, y = data(2, 8)
    predictions = model.predict(x, verbose=0)
    evaluate = model.evaluate(x, targets(kind, y), batch_size=len(x), verbose=0, return_dict=True)
    # One step from a fresh optimizer (a loaded model starts with one): same weights, recompiled.
    step_model = build(k, kind)
    step_model.set_weights(model.get_weights())
    step = step_model.train_on_batch(x, targets(kind, y), return_dict=True)
    record = {
        "keras": k.__version__, "tensorflow": tf.__version__, "flavour": flavour, "kind": kind,
        "outputs": [] if kind == "sequential" else ["a", "b", "c"],
        "x": x.tolist(), "y": {key: v.tolist() for key, v in y.items()},
        "predictions": tolist(predictions),
        "evaluate": {key: float(v) for key, v in evaluate.items()},
        "trainStep": {"results": {key: float(v) for key, v in step.items()}, "weights": named_weights(step_model)},
        "weights": named_weights(model),
    }
    with open(base + ".json", "w") as f:
        json.dump(record, f, indent=1)


def main():
    os.makedirs(OUT, exist_ok=True)
    for kind in ["sequential", "multitask"]:
        make(keras, "keras3", kind)
        make(tf_keras, "tfkeras", kind)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
