// Random arguments into the tf functions from Swift: every call must either
// return or throw a script error; a crash (trap, force-unwrap, out-of-bounds)
// fails the run. Values stay small so no call allocates much.

import ScriptCore
import TFBindings
import TensorEngine
import XCTest

/// SplitMix64: a small deterministic generator for reproducible fuzzing (this file's and
/// LayerFuzzTests').
struct SplitMix64 {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

final class FuzzTests: XCTestCase {
  private var random = SplitMix64(state: 0x5EED)

  /// A random script value: small numbers, booleans, strings, arrays, typed arrays, tensors.
  private func value(_ interp: Interpreter, depth: Int = 0) throws -> Value {
    let realm = interp.realm
    switch random.below(depth > 2 ? 5 : 9) {
    case 0: return .number(Double(random.below(9)) - 3)
    case 1: return .number([0.5, -1.5, .nan, .infinity, 1e-3][random.below(5)])
    case 2: return .bool(random.below(2) == 0)
    case 3: return [.undefined, .null, .string("same"), .string("valid"), .string("int32")][random.below(5)]
    case 4: return .number(Double(random.below(4)))
    case 5, 6:
      let n = random.below(4)
      return .object(realm.newArray(try (0..<n).map { _ in try value(interp, depth: depth + 1) }))
    case 7:
      let shape = (0..<random.below(4)).map { _ in Value.number(Double(random.below(3) + 1)) }
      return try interp.call(
        try interp.get(try interp.get(.object(realm.globalObject), "tf"), "ones"), this: .undefined,
        [.object(realm.newArray(shape))])
    default:
      let o = realm.newObject()
      o.put(["x", "filter", "strides", "pad", "axis"][random.below(5)], try value(interp, depth: depth + 1))
      return .object(o)
    }
  }

  func testRandomArgumentsNeverCrash() throws {
    let (interp, _) = makeTFInterpreter()
    let tf = try interp.get(.object(interp.realm.globalObject), "tf")
    let names = [
      "tensor", "tensor2d", "scalar", "add", "mul", "sum", "mean", "argMax", "reshape", "concat",
      "stack", "unstack", "split", "matMul", "slice", "stridedSlice", "gather", "oneHot", "pad",
      "transpose", "tile", "reverse", "expandDims", "squeeze", "topk", "where", "cast", "fill",
      "zeros", "range", "linspace", "eye", "buffer", "conv2d", "depthwiseConv2d", "maxPool",
      "avgPool", "batchNorm", "softmax", "clipByValue", "norm", "moments", "cumsum", "dropout",
      "mirrorPad", "unsortedSegmentSum", "gatherND", "addN", "dispose", "keep", "tidy",
    ]
    let methods = [
      "add", "sum", "reshape", "concat", "stack", "slice", "gather", "transpose", "squeeze",
      "expandDims", "matMul", "argMax", "toInt", "asType", "as2D", "reshapeAs", "where",
      "resizeBilinear", "dataSync", "arraySync", "print", "toString", "variable", "buffer",
    ]
    var outcomes = (ok: 0, thrown: 0)
    for _ in 0..<20000 {
      let onTensor = random.below(3) == 0
      let name = onTensor ? methods[random.below(methods.count)] : names[random.below(names.count)]
      let this: Value = onTensor
        ? try interp.call(try interp.get(tf, "ones"), this: .undefined, [.object(
          interp.realm.newArray((0..<random.below(4)).map { _ in .number(Double(random.below(3) + 1)) }))])
        : .undefined
      let f = try interp.get(onTensor ? this : tf, name)
      let args = try (0..<random.below(5)).map { _ in try value(interp) }
      do {
        _ = try interp.call(f, this: this, args)
        outcomes.ok += 1
      } catch is ScriptThrow {
        outcomes.thrown += 1
      }
    }
    // Variables are process-wide: leave none behind for the other tests.
    _ = try interp.call(try interp.get(tf, "disposeVariables"), this: .undefined, [])
    // Both paths are exercised, and the engine is not left inside a scope.
    XCTAssertGreaterThan(outcomes.ok, 100)
    XCTAssertGreaterThan(outcomes.thrown, 100)
    XCTAssertFalse(Engine.shared.inScope)
  }
}
