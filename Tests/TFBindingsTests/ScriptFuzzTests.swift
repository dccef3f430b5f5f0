// A script-level fuzz: a seeded script calls every `tf.*` function, every tensor method,
// every `tf.layers` factory and the model methods (`fit` with mismatched x/y, `predict`
// with wrong shapes, `getLayer` with bad arguments) with random argument kinds, extreme
// numbers included (NaN, -1, 1e10, 1e300, 2^53). Each call must return or throw a script
// error; a trap fails the whole test run. Sizes past the engine's limits fail fast, so
// no call allocates much.

import ScriptCore
import TFBindings
import TensorEngine
import XCTest

final class ScriptFuzzTests: XCTestCase {
  /// The script: its PRNG, argument generator and call loops.
  private static let script = #"""
    let seed = 0x2545F491;
    function rand() {
      seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
      return seed / 4294967296;
    }
    const below = n => Math.floor(rand() * n);
    const pick = xs => xs[below(xs.length)];
    const numbers = [0, 1, 2, 3, -1, 0.5, NaN, Infinity, -Infinity, 1e10, 1e300, 2 ** 53, -1e10, -0];
    const words = ['same', 'valid', 'relu', 'float32', 'int32', 'bool', 'string', 'x', '',
      'channelsLast', 'adam', 'meanSquaredError', 'accuracy', 'euclidean', 'max'];
    const keys = ['units', 'filters', 'kernelSize', 'strides', 'padding', 'poolSize', 'inputShape',
      'rate', 'targetShape', 'axis', 'activation', 'size', 'cropping', 'dims', 'inputDim',
      'outputDim', 'epochs', 'batchSize', 'validationSplit', 'shape', 'dtype', 'name', 'seed',
      'alpha', 'depth', 'keepDims', 'training', 'verbose', 'shuffle', 'classWeight', 'momentum'];
    const pool = [];
    function tensor() {
      const shapes = [[], [3], [2, 3], [1, 4, 4, 2], [0], [2, 0, 3]];
      const shape = pick(shapes);
      return below(4) === 0 ? tf.ones(shape, 'int32') : tf.randomNormal(shape, 0, 1, 'float32', 7);
    }
    function value(depth = 0) {
      switch (below(depth > 1 ? 5 : 9)) {
        case 0: case 1: return pick(numbers);
        case 2: return pick(words);
        case 3: return pick([undefined, null, true, false]);
        case 4: return below(2) ? tensor() : (pool.length ? pick(pool) : 1);
        case 5: case 6: return Array.from({length: below(4)}, () => value(depth + 1));
        case 7: return new Float32Array(below(5));
        default: {
          const o = {};
          for (let i = below(4); i > 0; i--) o[pick(keys)] = value(depth + 1);
          return o;
        }
      }
    }
    const args = () => Array.from({length: below(5)}, () => value());
    let ok = 0, thrown = 0;
    async function attempt(f) {
      try {
        let r = f();
        if (r && typeof r.then === 'function') r = await r;
        if (r && typeof r === 'object' && pool.length < 48) pool.push(r);
        ok++;
      } catch (e) {
        thrown++;
      }
    }
    // Functions that load files, print at length, or change process-wide settings.
    const skip = new Set(['loadLayersModel', 'loadGraphModel', 'io', 'browser', 'nextFrame',
      'setBackend', 'env', 'engine', 'profile', 'time', 'registerOp', 'data', 'enableProdMode',
      'enableDebugMode', 'setPlatform', 'disposeVariables', 'serialization', 'removeBackend',
      'registerBackend', 'registerKernel', 'registerGradient', 'setSeed', 'layers', 'sequential',
      'model', 'input', 'print', 'summary', 'version', 'util', 'callbacks']);
    const functions = [];
    for (const name of Object.keys(tf)) {
      if (skip.has(name)) continue;
      const v = tf[name];
      if (typeof v === 'function') functions.push([name, v, tf]);
      else if (v && typeof v === 'object') {
        for (const inner of Object.keys(v)) {
          if (typeof v[inner] === 'function') functions.push([name + '.' + inner, v[inner], v]);
        }
      }
    }
    for (const name of ['sizeFromShape', 'flatten', 'arraysEqual', 'createShuffledIndices',
      'shuffle', 'encodeString', 'decodeString', 'assert', 'inferDtype', 'isTypedArray']) {
      if (typeof tf.util[name] === 'function') functions.push(['util.' + name, tf.util[name], tf.util]);
    }
    const methods = [];
    for (let p = Object.getPrototypeOf(tf.scalar(1)); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      for (const name of Object.getOwnPropertyNames(p)) {
        if (name !== 'constructor' && name !== 'print' && !methods.includes(name)) methods.push(name);
      }
    }
    for (let i = 0; i < 6000; i++) {
      const [, f, holder] = pick(functions);
      await attempt(() => f.apply(holder, args()));
      if (i % 3 === 0) {
        const t = below(4) === 0 && pool.length ? pick(pool) : tensor();
        const m = pick(methods);
        await attempt(() => typeof t[m] === 'function' ? t[m](...args()) : t[m]);
      }
    }
    const factories = Object.keys(tf.layers).filter(n => typeof tf.layers[n] === 'function' && n !== 'Layer');
    const models = [];
    for (let i = 0; i < 1500; i++) {
      switch (below(8)) {
        case 0: await attempt(() => pick(factories) && tf.layers[pick(factories)](...args())); break;
        case 1: {
          const m = tf.sequential();
          await attempt(() => m.add(tf.layers.dense({units: 1 + below(3), inputShape: [1 + below(3)]})));
          await attempt(() => m.add(tf.layers[pick(factories)](value())));
          await attempt(() => m.compile({optimizer: pick(['sgd', 'adam', 'x', value()]),
            loss: pick(['meanSquaredError', 'categoricalCrossentropy', 'x', value()]),
            metrics: below(2) ? ['accuracy'] : value()}));
          models.push(m);
          break;
        }
        default: {
          if (!models.length) break;
          const m = pick(models);
          const options = below(2) ? {epochs: pick([1, 2, 0, -1, NaN]), batchSize: pick([1, 2, 0, -1, 1e10, NaN]),
            validationSplit: pick([0, 0.5, 1, -1, NaN]), verbose: 0, shuffle: pick([true, false])} : value();
          switch (below(6)) {
            case 0: await attempt(() => m.fit(tensor(), tensor(), options)); break;
            case 1: await attempt(() => m.predict(value())); break;
            case 2: await attempt(() => m.evaluate(tensor(), value(), value())); break;
            case 3: await attempt(() => m.getLayer(...args())); break;
            case 4: await attempt(() => m.trainOnBatch(value(), value())); break;
            default: await attempt(() => m.fit(tf.ones([4, 1 + below(3)]), tf.ones([pick([4, 3]), 1 + below(3)]), options));
          }
        }
      }
    }
    console.log(ok, thrown);
    """#

  func testEveryCallReturnsOrThrows() throws {
    let (interp, out) = makeTFInterpreter()
    let result = interp.run(source: Self.script, file: "fuzz.tl")
    guard case .ok = result else { return XCTFail("fuzz script failed: \(result) \(out.stderr)") }
    let last = out.stdout.split(separator: "\n").last ?? ""
    let counts = last.split(separator: " ").compactMap { Int($0) }
    XCTAssertEqual(counts.count, 2, String(last))
    // Both paths are exercised.
    XCTAssertGreaterThan(counts.first ?? 0, 500)
    XCTAssertGreaterThan(counts.last ?? 0, 500)
    XCTAssertFalse(Engine.shared.inScope)
  }
}
