"""Computes reference_io.json for keras3_functional_layers_model_UNLOADABLE_IN_TFJS with
Keras 3 itself (the TensorFlow venv of ../README.md): the converter's model_config is
rebuilt by keras.Model.from_config, the shard's weights are set layer by layer in
manifest order, and the model predicts on a seeded input. Run from this folder:
    /path/to/tfvenv/bin/python keras3_reference_io.py
"""
import json
import os

import numpy as np
import keras

here = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "keras3_functional_layers_model_UNLOADABLE_IN_TFJS")
with open(os.path.join(here, "model.json")) as f:
    root = json.load(f)
config = root["modelTopology"]["model_config"]
assert config["class_name"] == "Functional"
model = keras.Model.from_config(config["config"])

# Weights by layer, in manifest order (float32, little-endian, one shard).
by_layer = {}
data = b"".join(open(os.path.join(here, p), "rb").read()
                for g in root["weightsManifest"] for p in g["paths"])
offset = 0
for group in root["weightsManifest"]:
    for spec in group["weights"]:
        assert spec["dtype"] == "float32" and "quantization" not in spec
        n = int(np.prod(spec["shape"]))
        value = np.frombuffer(data, "<f4", n, offset).reshape(spec["shape"])
        offset += 4 * n
        by_layer.setdefault(spec["name"].split("/")[0], []).append(value)
assert offset == len(data)
for name, values in by_layer.items():
    layer = model.get_layer(name)
    assert len(layer.weights) == len(values), name
    layer.set_weights(values)

x = np.random.default_rng(2026).uniform(-1, 1, (2, 8, 8, 3)).astype(np.float32)
y = model.predict(x, verbose=0)
out = {"input_shape": list(x.shape), "input": x.ravel().tolist(),
       "output_shape": list(y.shape), "output": y.ravel().astype(float).tolist(),
       "keras_version": keras.__version__}
with open(os.path.join(here, "reference_io.json"), "w") as f:
    json.dump(out, f)
print("output", y.shape, y.ravel()[:6])
