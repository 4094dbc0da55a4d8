"""The Keras half of `npm run keras-roundtrip` (scripts/keras-roundtrip.js runs it).

Given the work directory where dense-mtl saved `dense-mtl/model.json` and `data.json`:
converts the model to .h5, continues its training in Keras 3 under tf.distribute.MirroredStrategy
over two logical CPU devices (the same code runs on several GPUs, or with
MultiWorkerMirroredStrategy on several machines), saves .h5, converts that back to a TF.js layers
model in `back/`, and writes `keras.json` (losses, device count, predictions on the check rows).
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

# Two logical devices on the one CPU, before TensorFlow initializes its devices.
CPU = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(CPU, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402  (Keras 3, what tf.keras is since TF 2.16)

CONVERTER = os.path.join(os.path.dirname(sys.executable), "tensorflowjs_converter")
EPOCHS = 10
GLOBAL_BATCH = 128  # split over the replicas: 64 rows per device per step


def convert(input_format, output_format, source, target):
    scratch = tempfile.mkdtemp()  # the converter may unpack files next to its input: use a copy
    try:
        copy = shutil.copy(source, scratch)
        subprocess.run([CONVERTER, f"--input_format={input_format}", f"--output_format={output_format}", copy, target],
                       check=True, cwd=scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(work):
    saved = os.path.join(work, "dense-mtl", "model.json")
    with open(saved) as f:
        ours = json.load(f)
    with open(os.path.join(work, "data.json")) as f:
        data = json.load(f)
    h5 = os.path.join(work, "from-dense-mtl.h5")
    convert("tfjs_layers_model", "keras", saved, h5)

    # What the dense-mtl file says about training: losses (TF.js names, which Keras reads),
    # the loss weights (our denseMtl field) and the optimizer's learning rate.
    training = ours["trainingConfig"]
    loss_weights = (ours.get("denseMtl") or {}).get("lossWeights")
    optimizer = training["optimizer_config"]["config"]  # TF.js writes its own (camelCase) keys here
    learning_rate = optimizer.get("learningRate", optimizer.get("learning_rate"))

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        model = keras.models.load_model(h5, compile=False)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                      loss=training["loss"], loss_weights=loss_weights)
    outputs = model.output_names
    x = np.asarray(data["train"]["x"], dtype="float32")
    y = {name: np.asarray(data["train"]["y"][name], dtype="float32") for name in outputs}
    loss_on_load = model.evaluate(x, y, batch_size=len(x), verbose=0, return_dict=True)["loss"]
    model.fit(x, y, epochs=EPOCHS, batch_size=GLOBAL_BATCH, verbose=0)
    loss_after = model.evaluate(x, y, batch_size=len(x), verbose=0, return_dict=True)["loss"]

    continued = os.path.join(work, "continued.h5")
    model.save(continued)
    back = os.path.join(work, "back")
    convert("keras", "tfjs_layers_model", continued, back)

    check = np.asarray(data["check"]["x"], dtype="float32")
    predictions = model.predict(check, verbose=0)
    with open(os.path.join(work, "keras.json"), "w") as f:
        json.dump({
            "keras": keras.__version__, "tensorflow": tf.__version__,
            "devices": strategy.num_replicas_in_sync, "lossOnLoad": float(loss_on_load), "lossAfter": float(loss_after),
            "predictions": [np.asarray(p).tolist() for p in predictions],
        }, f)
    print(f"Keras {keras.__version__}: MirroredStrategy over {strategy.num_replicas_in_sync} devices, "
          f"loss {loss_on_load:.4f} on load -> {loss_after:.4f} after {EPOCHS} epochs")


if __name__ == "__main__":
    main(sys.argv[1])
