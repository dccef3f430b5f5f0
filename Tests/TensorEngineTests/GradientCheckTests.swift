// SPDX-License-Identifier: MIT
import XCTest
@testable import TensorEngine

// The finite-difference checker every gradient test uses, and the unary rules.

/// Deterministic sample values in `[lo, hi]`, spread so no two are equal.
func sampleValues(_ count: Int, _ lo: Float = -1, _ hi: Float = 1, seed: Int = 1) -> [Float] {
  (0..<count).map { i in
    let u = Float(((i + 1) * 7919 + seed * 104_729) % 997) / 997
    return lo + (hi - lo) * u
  }
}

/// Checks the gradients of `f` at `inputs` against central differences of
/// `Σ w·f(x)` (a fixed, non-uniform `w` is passed as `dy`), and that the backward
/// pass leaves no tensor behind.
func checkGradients(
  _ inputs: [(values: [Float], shape: [Int])], eps: Float = 1e-2, tol: Float = 1e-2,
  file: StaticString = #filePath, line: UInt = #line,
  _ f: @escaping ([Tensor]) throws -> Tensor
) throws {
  let engine = Engine.shared
  let xs = try inputs.map { try Tensor.tensor($0.values, shape: $0.shape) }
  defer { xs.forEach { $0.dispose() } }
  let y = try engine.tidy { try f(xs) }
  let weights = (0..<y.size).map { k in 0.5 + 0.25 * Float((k * 3) % 7) - 0.6 }
  let dy = try Tensor.tensor(weights, shape: y.shape)
  y.dispose()
  defer { dy.dispose() }

  let before = engine.numTensors
  let grads = try Autograd.grads { try f($0) }(xs, dy)
  XCTAssertEqual(engine.numTensors, before + grads.count, "leaked tensors", file: file, line: line)
  defer { grads.forEach { $0.dispose() } }
  XCTAssertTrue(engine.tape.isEmpty, "tape not released", file: file, line: line)

  func objective(_ i: Int, _ j: Int, _ delta: Float) throws -> Double {
    try engine.tidy {
      var vals = inputs[i].values
      vals[j] += delta
      var args = xs
      args[i] = try Tensor.tensor(vals, shape: inputs[i].shape)
      let out = try f(args).dataSync()
      return zip(out, weights).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
  }
  for (i, input) in inputs.enumerated() {
    let analytic = try grads[i].dataSync()
    XCTAssertEqual(grads[i].shape, input.shape, "grad shape of input \(i)", file: file, line: line)
    XCTAssertEqual(grads[i].dtype, .float32, file: file, line: line)
    for j in 0..<input.values.count {
      let numeric = (try objective(i, j, eps) - objective(i, j, -eps)) / (2 * Double(eps))
      let got = Double(analytic[j])
      XCTAssertLessThanOrEqual(
        Swift.abs(got - numeric), Double(tol) * Swift.max(1, Swift.abs(numeric)),
        "input \(i)[\(j)]: analytic \(got), numeric \(numeric)", file: file, line: line)
    }
  }
}

/// Checks a one-input function on values of `shape`.
func checkUnary(
  _ values: [Float], _ shape: [Int]? = nil, eps: Float = 1e-2, tol: Float = 1e-2,
  file: StaticString = #filePath, line: UInt = #line, _ f: @escaping (Tensor) throws -> Tensor
) throws {
  try checkGradients([(values, shape ?? [values.count])], eps: eps, tol: tol, file: file,
                     line: line) { try f($0[0]) }
}

final class GradientUnaryTests: XCTestCase {
  let signed: [Float] = [-1.7, -0.9, -0.35, 0.25, 0.6, 1.3]
  let positive: [Float] = [0.3, 0.55, 0.8, 1.2, 1.9, 2.6]
  let unit: [Float] = [-0.8, -0.45, -0.1, 0.2, 0.5, 0.75]

  func testArithmetic() throws {
    try checkUnary(signed, [2, 3]) { try $0.neg() }
    try checkUnary(signed, [2, 3]) { try $0.abs() }
    try checkUnary(signed, [2, 3]) { try $0.square() }
    try checkUnary(signed) { try $0.reciprocal() }
    try checkUnary(positive) { try $0.sqrt() }
    try checkUnary(positive) { try $0.rsqrt() }
    try checkUnary(signed) { try $0.exp() }
    try checkUnary(signed) { try $0.expm1() }
    try checkUnary(positive) { try $0.log() }
    try checkUnary(positive) { try $0.log1p() }
  }

  func testTrigonometric() throws {
    try checkUnary(signed) { try $0.sin() }
    try checkUnary(signed) { try $0.cos() }
    try checkUnary(unit) { try $0.tan() }
    try checkUnary(unit) { try $0.asin() }
    try checkUnary(unit) { try $0.acos() }
    try checkUnary(signed) { try $0.atan() }
    try checkUnary(signed) { try $0.sinh() }
    try checkUnary(signed) { try $0.cosh() }
    try checkUnary(signed) { try $0.tanh() }
    try checkUnary(signed) { try $0.erf() }
    try checkUnary(signed) { try $0.asinh() }
    try checkUnary(positive.map { $0 + 1 }) { try $0.acosh() }
    try checkUnary(unit) { try $0.atanh() }
  }

  func testActivations() throws {
    try checkUnary(signed) { try $0.sigmoid() }
    try checkUnary(signed + [25, -25]) { try $0.softplus() }
    try checkUnary(signed) { try $0.relu() }
    try checkUnary(signed + [5.5, 6.5, 7]) { try $0.relu6() }
    try checkUnary(signed) { try $0.selu() }
    try checkUnary(signed) { try $0.leakyRelu(alpha: 0.3) }
    try checkUnary(signed) { try $0.logSigmoid() }
    try checkUnary(signed) { try $0.prelu(Tensor.scalar(0.15)) }
    try checkUnary(signed) { try $0.clipByValue(-1, 0.5) }
    try checkUnary([-2, -1, -0.5, -0.1, 0.3, 0.8, 1.2, 2.5]) { try $0.elu() }
  }

  func testEluGradientIsTensorFlows() throws {
    // 1 for x >= 0 (TF.js's CPU kernel would give 1.5 at 0.5), e^x below.
    let g = try Autograd.grad { try $0.elu() }(try t([0.5, 0, 2, -1]), nil)
    try assertClose(g, [1, 1, 1, Float(Foundation.exp(-1.0))])
    g.dispose()
  }

  func testIdentityLikeOps() throws {
    try checkUnary(signed) { try $0.cast(.float32) }
    try checkUnary(signed) { try $0.clone() }
  }

  func testPiecewiseConstantOpsGiveZeros() throws {
    let x = try t([-1.5, -0.2, 0.7, 2.4])
    defer { x.dispose() }
    for op: (Tensor) throws -> Tensor in [
      { try $0.floor() }, { try $0.ceil() }, { try $0.round() }, { try $0.sign() },
      { try $0.step() }, { try $0.greater(Tensor.scalar(0)).cast(.float32) },
    ] {
      let g = try Autograd.grad { try op($0).add($0.mul(Tensor.scalar(0))) }(x, nil)
      try assertClose(g, [0, 0, 0, 0])
      g.dispose()
    }
  }

  func testAbsAtZeroFollowsTFJS() throws {
    // step(x, -1): -1 at 0, as TF.js's Abs gradient.
    let g = try Autograd.grad { try $0.abs() }(try t([0, 2, -3]), nil)
    try assertClose(g, [-1, 1, -1])
    g.dispose()
  }
}
