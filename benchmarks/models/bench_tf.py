# TensorFlow's side of benchmarks/models: MobileNetV2 alpha 1.3 at 224
# (include_top=False, pooling='avg': the graph the fixture was converted from),
# inference images/s at batch 1 and 8 on this CPU. Never a dependency of tl.
import os, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf

model = tf.keras.applications.MobileNetV2(
    input_shape=(224, 224, 3), alpha=1.3, include_top=False, pooling="avg", weights=None)
run = tf.function(lambda x: model(x, training=False), jit_compile=False)
for batch, runs in [(1, 10), (8, 3)]:
    x = tf.constant(np.random.default_rng(1).uniform(0, 1, (batch, 224, 224, 3)).astype(np.float32))
    for _ in range(2):
        run(x).numpy()
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        run(x).numpy()
        best = min(best, time.perf_counter() - t)
    print("tf_graph_mobilenet_v2_1.30_224_batch%d %.4f images/s" % (batch, batch / best))
