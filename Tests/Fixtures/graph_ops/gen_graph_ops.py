# Builds a small TensorFlow graph that uses the op set tl's graph executor
# supports, converts it with the real tensorflowjs converter (graph-model),
# and writes TensorFlow's outputs for a seeded input as cases.json/cases.bin.
# Run with /work/tfvenv/bin/python from this folder; tl's tests never run it.
import json, os, shutil, tempfile
import numpy as np
import tensorflow as tf
from tensorflowjs.converters import tf_saved_model_conversion_v2 as conv

rng = np.random.default_rng(42)
def w(*shape, scale=0.5):
    return tf.constant(rng.uniform(-scale, scale, shape).astype(np.float32))

k1 = w(3, 3, 3, 4); b1 = w(4); k2 = w(3, 3, 4, 1); k3 = w(1, 1, 4, 6)
dw_b = w(4); gamma = w(4) + 1.0; beta = w(4); mean = w(4); var = tf.abs(w(4)) + 0.5
mm = w(6, 5); mb = w(5); prelu_a = w(5)

class M(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec([None, 9, 9, 3], tf.float32, name="img"),
                                  tf.TensorSpec([None, 5], tf.float32, name="vec")])
    def serve(self, img, vec):
        a = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(img, k1, [1, 2, 2, 1], "SAME"), b1))
        b = tf.nn.depthwise_conv2d(a, k2, [1, 1, 1, 1], "VALID")           # DepthwiseConv2dNative
        b = tf.nn.elu(tf.nn.bias_add(b, dw_b))
        c = tf.nn.conv2d(a, k3, [1, 1, 1, 1], [[0, 0], [1, 0], [0, 1], [0, 0]])  # explicit padding
        c = tf.nn.sigmoid(c)
        bn = tf.compat.v1.nn.fused_batch_norm(
            tf.pad(b, [[0, 0], [1, 1], [1, 1], [0, 0]], constant_values=0.5),
            gamma, beta, mean, var, epsilon=0.001, is_training=False)[0]
        p = tf.nn.max_pool2d(bn, 2, 2, "SAME") + tf.nn.avg_pool2d(bn, 3, 1, "VALID")[:, :3, :3, :]
        g = tf.reduce_mean(p, axis=[1, 2])                                  # [n, 4]
        cat = tf.concat([g, tf.reduce_max(c, axis=[1, 2], keepdims=False)[:, :2]], axis=1)  # [n, 6]
        d = tf.matmul(cat, mm) + mb                                         # _FusedMatMul
        d = tf.maximum(d, 0.0) + prelu_a * tf.minimum(d, 0.0)
        e = tf.nn.softmax(tf.tanh(d) * 3.0 - vec)
        f = tf.math.rsqrt(tf.square(vec) + 1.0) / (tf.maximum(vec, 0.1) + 2.0)
        f = tf.minimum(f, 0.3) - tf.reduce_sum(vec, axis=1, keepdims=True)
        n = tf.shape(img)[0]
        r = tf.reshape(p, tf.stack([n, -1]))                                # Shape/StridedSlice/Pack
        r = tf.expand_dims(tf.squeeze(tf.reshape(r, [n, 1, -1]), axis=1), 2)
        cast = tf.cast(tf.cast(vec * 4.0, tf.int32), tf.float32)
        relu6 = tf.nn.relu6(vec * 5.0)
        return {"probs": e, "feat": f, "flat": r, "cast": cast, "relu6": relu6,
                "fused": tf.nn.leaky_relu(tf.nn.conv2d(img, k1, 1, "VALID") + b1, 0.1)}

tmp = tempfile.mkdtemp()
m = M()
tf.saved_model.save(m, tmp + "/sm", signatures={"serving_default": m.serve})
if os.path.exists("model"):
    shutil.rmtree("model")
conv.convert_tf_saved_model(tmp + "/sm", "model", signature_def="serving_default",
                            saved_model_tags="serve")
img = rng.uniform(0, 1, (2, 9, 9, 3)).astype(np.float32)
vec = rng.uniform(-1, 1, (2, 5)).astype(np.float32)
out = m.serve(tf.constant(img), tf.constant(vec))
names = sorted(out.keys())
arrays = [("img", img), ("vec", vec)] + [("out:" + k, out[k].numpy().astype(np.float32)) for k in names]
with open("cases.bin", "wb") as fh:
    for _, a in arrays:
        fh.write(a.astype("<f4").tobytes())
cases = {"description": "Small graph over tl's graph op set; outputs from TensorFlow " + tf.__version__,
         "kind": "graph-inference", "atol": 1e-5, "rtol": 1e-4,
         # The function's outputs, sorted by key, become nodes Identity, Identity_1, ...
         "outputNodes": {k: "Identity" + ("_%d" % i if i else "") for i, k in enumerate(names)},
         "weightsManifest": [{"paths": ["cases.bin"], "weights": [
             {"name": n, "shape": list(a.shape), "dtype": "float32"} for n, a in arrays]}]}
json.dump(cases, open("cases.json", "w"), indent=1)
mj = json.load(open("model/model.json"))
ops = sorted({n["op"] for n in mj["modelTopology"]["node"]})
print("ops:", ops)
for n in mj["modelTopology"]["node"]:
    if n["op"].startswith("_Fused") or n["op"].startswith("Fused"):
        import base64
        print(n["op"], [base64.b64decode(s).decode() for s in n["attr"].get("fused_ops", {}).get("list", {}).get("s", [])])
