# Generates numpy_ops.json: random op cases (inputs rounded to 2 decimals) with numpy's
# answers, for Tests/TensorEngineTests/NumpyCrossCheckTests.swift. Run: python3 gen_numpy_ops.py
# (numpy 2.x, from this folder). The script is deterministic (fixed seeds).
import numpy as np, json, random
rng = np.random.default_rng(0)
random.seed(0)
cases = []
def shape(rank, lo=1, hi=4): return [random.randint(lo, hi) for _ in range(rank)]
def arr(s): return np.round(rng.standard_normal(s) * 3, 2).astype(np.float32)
def add(op, inputs, attrs, out):
    cases.append({"op": op, "inputs": [{"shape": list(a.shape), "values": [round(float(v), 2) for v in a.flatten()]} for a in inputs],
                  "attrs": attrs, "out": {"shape": list(np.shape(out)), "values": [float("%.7g" % v) for v in np.asarray(out, dtype=np.float64).flatten()]}})
for _ in range(150):
    r = random.randint(0, 4); s = shape(r)
    s2 = [d if random.random() < 0.6 else 1 for d in s][random.randint(0, r):]
    a, b = arr(s), arr(s2)
    if random.random() < 0.5: a, b = b, a
    op = random.choice(["add", "sub", "mul", "div", "maximum", "minimum", "squaredDifference"])
    f = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide, "maximum": np.maximum,
         "minimum": np.minimum, "squaredDifference": lambda x, y: (x - y) ** 2}[op]
    add(op, [a, b], {}, f(a, b))
for _ in range(120):
    r = random.randint(1, 4); s = shape(r); a = arr(s)
    axes = sorted(random.sample(range(r), random.randint(1, r)))
    axes = [ax - r if random.random() < 0.3 else ax for ax in axes]
    keep = random.random() < 0.5
    op = random.choice(["sum", "mean", "max", "min", "prod"])
    f = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min, "prod": np.prod}[op]
    add(op, [a], {"axes": axes, "keepDims": keep}, f(a.astype(np.float64), axis=tuple(axes), keepdims=keep))
for _ in range(40):
    r = random.randint(1, 4); s = shape(r); a = arr(s); ax = random.randrange(r)
    add("argMax", [a], {"axis": ax}, np.argmax(a, axis=ax))
for _ in range(60):
    r = random.randint(1, 5); s = shape(r); a = arr(s); p = list(range(r)); random.shuffle(p)
    add("transpose", [a], {"perm": p}, np.transpose(a, p))
for _ in range(80):
    r = random.randint(1, 4); s = shape(r, 1, 6); a = arr(s)
    begin = [random.randint(-d - 2, d + 2) for d in s]; end = [random.randint(-d - 2, d + 2) for d in s]
    strides = [random.choice([1, 1, 2, 3, -1, -2]) for _ in s]
    sl = tuple(slice(b, e, st) for b, e, st in zip(begin, end, strides))
    add("stridedSlice", [a], {"begin": begin, "end": end, "strides": strides}, a[sl])
for _ in range(40):
    r = random.randint(1, 4); s = shape(r, 1, 6); a = arr(s)
    begin = [random.randint(0, d - 1) for d in s]; size = [random.choice([-1, random.randint(0, d - b)]) for d, b in zip(s, begin)]
    sl = tuple(slice(b, None if z == -1 else b + z) for b, z in zip(begin, size))
    add("slice", [a], {"begin": begin, "size": size}, a[sl])
for _ in range(40):
    r = random.randint(1, 4); s = shape(r); a = arr(s); ax = random.randrange(r)
    idx = np.array([random.randrange(s[ax]) for _ in range(random.randint(1, 5))], dtype=np.float32)
    add("gather", [a, idx], {"axis": ax}, np.take(a, idx.astype(int), axis=ax))
for _ in range(30):
    r = random.randint(1, 4); s = shape(r); a = arr(s); reps = [random.randint(1, 3) for _ in s]
    add("tile", [a], {"reps": reps}, np.tile(a, reps))
for _ in range(30):
    r = random.randint(1, 4); s = shape(r); a = arr(s); pads = [[random.randint(0, 2), random.randint(0, 2)] for _ in s]
    add("pad", [a], {"paddings": pads}, np.pad(a, pads, constant_values=1.5))
for _ in range(30):
    r = random.randint(1, 4); s = shape(r); a = arr(s); axes = random.sample(range(r), random.randint(1, r))
    add("reverse", [a], {"axes": axes}, np.flip(a, axis=tuple(axes)))
for _ in range(30):
    r = random.randint(1, 4); s = shape(r); ax = random.randrange(r)
    parts = []
    for _ in range(random.randint(2, 4)):
        s2 = list(s); s2[ax] = random.randint(1, 3); parts.append(arr(s2))
    add("concat", parts, {"axis": ax}, np.concatenate(parts, axis=ax))
for _ in range(30):
    r = random.randint(1, 3); s = shape(r); a = arr(s); ax = random.randrange(r)
    ex, rev = random.random() < 0.5, random.random() < 0.5
    b = np.flip(a, ax) if rev else a
    c = np.cumsum(b.astype(np.float64), axis=ax)
    if ex: c = c - b
    if rev: c = np.flip(c, ax)
    add("cumsum", [a], {"axis": ax, "exclusive": ex, "reverse": rev}, c)
for _ in range(40):
    m, k, n = random.randint(1, 5), random.randint(1, 5), random.randint(1, 5)
    ba = shape(random.randint(0, 2)); bb = [d if random.random() < 0.5 else 1 for d in ba][random.randint(0, len(ba)):]
    ta, tb = random.random() < 0.5, random.random() < 0.5
    a = arr(ba + ([k, m] if ta else [m, k])); b = arr(bb + ([n, k] if tb else [k, n]))
    if random.random() < 0.5 and len(ba) > 0: a, b = arr(bb + ([k, m] if ta else [m, k])), arr(ba + ([n, k] if tb else [k, n]))
    aa = np.swapaxes(a, -1, -2) if ta else a; bb2 = np.swapaxes(b, -1, -2) if tb else b
    add("matMul", [a, b], {"transposeA": ta, "transposeB": tb}, np.matmul(aa.astype(np.float64), bb2.astype(np.float64)))
json.dump(cases, open("numpy_ops.json", "w"), separators=(",", ":"))
print(len(cases))
