// Random layer args and model calls from Swift: every tf.layers factory,
// tf.input, tf.sequential, tf.model and the layer/model methods must return or
// throw a script error on any input; a crash (trap, force-unwrap,
// out-of-bounds) fails the run. Shapes stay tiny so no call allocates much.

import ScriptCore
import TFBindings
import TensorEngine
import XCTest

final class LayerFuzzTests: XCTestCase {
  private var random = SplitMix64(state: 0x1A7E_B1D5)

  private let keys = [
    "units", "filters", "kernelSize", "strides", "padding", "poolSize", "inputShape",
    "batchInputShape", "rate", "targetShape", "axis", "activation", "dataFormat", "dilationRate",
    "depthMultiplier", "size", "cropping", "dims", "n", "inputDim", "outputDim", "useBias",
    "name", "dtype", "momentum", "epsilon", "maxValue", "alpha", "scale", "offset", "weights",
    "kernelInitializer", "trainable", "shape", "batchShape", "layers", "inputs", "outputs",
    "optimizer", "loss", "metrics", "epochs", "batchSize", "validationSplit", "callbacks",
  ]

  private func scalar() -> Value {
    switch random.below(10) {
    case 0: return .number(Double(random.below(5)) - 1)
    case 1: return .number([0.5, -2, .nan, .infinity, 1e9, 0][random.below(6)])
    case 2: return .bool(random.below(2) == 0)
    case 3: return .null
    case 4: return .undefined
    case 5:
      let words = [
        "same", "valid", "relu", "softmax", "channelsLast", "channelsFirst",
        "float32", "int32", "adam", "meanSquaredError", "accuracy", "x",
      ]
      return .string(words[random.below(words.count)])
    default: return .number(Double(random.below(4) + 1))
    }
  }

  private func value(_ interp: Interpreter, _ pool: [Value], depth: Int = 0) -> Value {
    switch random.below(depth > 1 ? 3 : 6) {
    case 0, 1: return scalar()
    case 2 where !pool.isEmpty: return pool[random.below(pool.count)]
    case 3:
      let n = random.below(5)
      return .object(
        interp.realm.newArray((0..<n).map { _ in value(interp, pool, depth: depth + 1) }))
    default:
      let o = interp.realm.newObject()
      for _ in 0..<random.below(4) {
        o.put(keys[random.below(keys.count)], value(interp, pool, depth: depth + 1))
      }
      return .object(o)
    }
  }

  func testRandomLayerCallsNeverCrash() throws {
    let (interp, _) = makeTFInterpreter()
    let tf = try interp.get(.object(interp.realm.globalObject), "tf")
    let layersNS = try interp.get(tf, "layers")
    guard case .object(let layersObject) = layersNS else { return XCTFail("no tf.layers") }
    let factories = layersObject.ownKeys().filter { $0 != "Layer" }
    // A pool of live objects the calls can pass to each other.
    var pool: [Value] = []
    for shape in [[2, 3], [1, 4, 4, 2], [3]] {
      pool.append(
        try interp.call(
          try interp.get(tf, "ones"), this: .undefined,
          [
            .object(interp.realm.newArray(shape.map { .number(Double($0)) }))
          ]))
    }
    let input = try interp.get(tf, "input")
    let layerMethods = [
      "apply", "getWeights", "setWeights", "getConfig", "countParams",
      "getClassName",
    ]
    let layerGetters = ["output", "input", "outputShape", "weights", "trainable"]
    let modelMethods = [
      "add", "compile", "predict", "evaluate", "predictOnBatch", "summary",
      "getLayer", "toJSON", "trainOnBatch", "pop",
    ]
    var outcomes = (ok: 0, thrown: 0)
    for _ in 0..<10000 {
      let args = (0..<random.below(3)).map { _ in value(interp, pool) }
      var result: Value = .undefined
      do {
        switch random.below(10) {
        case 0, 1, 2:
          let name = factories[random.below(factories.count)]
          result = try interp.call(try interp.get(layersNS, name), this: .undefined, args)
        case 3:
          result = try interp.call(input, this: .undefined, args)
        case 4:
          let f = try interp.get(tf, ["sequential", "model"][random.below(2)])
          result = try interp.call(f, this: .undefined, args)
        default:
          let objects = pool.filter { v in
            if case .object(let o) = v { return o.hasProperty("getConfig") }
            return false
          }
          guard !objects.isEmpty else { continue }
          let this = objects[random.below(objects.count)]
          let isModel = (try? interp.get(this, "layers")).map { !$0.isNullish } ?? false
          if random.below(4) == 0 {
            result = try interp.get(this, layerGetters[random.below(layerGetters.count)])
          } else {
            let names = isModel && random.below(2) == 0 ? modelMethods : layerMethods
            let f = try interp.get(this, names[random.below(names.count)])
            result = try interp.call(f, this: this, args)
          }
        }
        outcomes.ok += 1
      } catch is ScriptThrow {
        outcomes.thrown += 1
      }
      if case .object = result, pool.count < 64 { pool.append(result) }
      if case .object(let o) = result, o is PromiseObject { pool.removeLast() }
    }
    XCTAssertGreaterThan(outcomes.ok, 500)
    XCTAssertGreaterThan(outcomes.thrown, 500)
  }
}
