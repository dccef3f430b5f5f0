// SPDX-License-Identifier: MIT
import XCTest
@testable import TensorEngine

/// The tf.grad family: results, TF.js's error messages, variables, nesting,
/// custom gradients and memory.
final class GradientAPITests: XCTestCase {
  let engine = Engine.shared

  func testGradOfSquare() throws {
    let x = try t([1, -2, 3])
    let g = try Autograd.grad { try $0.square() }(x, nil)
    try assertClose(g, [2, -4, 6], shape: [3])
    let weighted = try Autograd.grad { try $0.square() }(x, try t([1, 0.5, 2]))
    try assertClose(weighted, [2, -2, 12])
    [x, g, weighted].forEach { $0.dispose() }
  }

  func testValueAndGradReturnsBoth() throws {
    let x = try t([2])
    let (value, grad) = try Autograd.valueAndGrad { try $0.pow(Tensor.scalar(3)).sum() }(x, nil)
    try assertClose(value, [8])
    try assertClose(grad, [12])
    let (v2, gs) = try Autograd.valueAndGrads { try $0[0].mul($0[1]).sum() }([x, try t([5])], nil)
    try assertClose(v2, [10])
    try assertClose(gs[0], [5])
    try assertClose(gs[1], [2])
    ([x, value, grad, v2] + gs).forEach { $0.dispose() }
  }

  func testErrorsAsTFJSWordsThem() throws {
    let x = try t([1, 2])
    defer { x.dispose() }
    let before = engine.numTensors
    assertThrows("The result y returned by f() must be a tensor.") {
      try Autograd.grad { _ in nil }(x, nil)
    }
    let noPath = "Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you "
      + "passed encloses all operations that lead from x to y."
    assertThrows(noPath) { try Autograd.grad { _ in try t([1, 2]).square() }(x, nil) }
    assertThrows(noPath) { try Autograd.grad { $0 }(x, nil) }
    assertThrows(noPath) {
      let y = try t([3, 4])
      defer { y.dispose() }
      return try Autograd.grads { try $0[0].square() }([x, y], nil)
    }
    assertThrows("The shape of dy passed in grad(f)(x, dy) must match the shape returned by f(x)"
      + " Shapes 2 and 3 must match") {
      let dy = try t([1, 1, 1])
      defer { dy.dispose() }
      return try Autograd.grad { try $0.square() }(x, dy)
    }
    assertThrows("dy must have 'float32' dtype, but has 'int32'") {
      let dy = try Tensor.tensor([1, 1], shape: [2], dtype: .int32)
      defer { dy.dispose() }
      return try Autograd.grad { try $0.square() }(x, dy)
    }
    assertThrows("The shape of dy passed in valueAndGrad(f)(x, dy) must match the shape "
      + "returned by f(x) Shapes 2 and 1 must match") {
      let dy = try t([1])
      defer { dy.dispose() }
      return try Autograd.valueAndGrad { try $0.square() }(x, dy)
    }
    assertThrows(noPath) {
      try Autograd.valueAndGrads { _ in try t([1, 2]).square() }([x], nil)
    }
    XCTAssertEqual(engine.numTensors, before, "failed gradients leak tensors")
    XCTAssertEqual(engine.tapeDepth, 0)
    XCTAssertTrue(engine.tape.isEmpty)
  }

  func testErrorInsideFReleasesTape() throws {
    let x = try t([1, 2])
    defer { x.dispose() }
    let before = engine.numTensors
    assertThrows("Tensor is disposed.") {
      try Autograd.grad { x in
        let y = try x.square()
        y.dispose()
        return try y.sum()
      }(x, nil)
    }
    XCTAssertEqual(engine.numTensors, before)
    XCTAssertEqual(engine.tapeDepth, 0)
  }

  func testStopGradientRegion() throws {
    let x = try t([3])
    let g = try Autograd.grad { x in
      try x.mul(try Engine.shared.noGrad { try x.square() })
    }(x, nil)
    try assertClose(g, [9])
    [x, g].forEach { $0.dispose() }
  }

  func testSecondDerivativeThroughNestedGrad() throws {
    let x = try t([2, -1])
    // d/dx (d/dx x³) = 6x.
    let dx = Autograd.grad { try $0.pow(Tensor.scalar(3)) }
    let g2 = try Autograd.grad { x in try dx(x, nil) }(x, nil)
    try assertClose(g2, [12, -6])
    let g3 = try Autograd.grad { x in
      try Autograd.grad { try $0.sin() }(x, nil)
    }(x, nil)
    try assertClose(g3, [-Float(Foundation.sin(2.0)), -Float(Foundation.sin(-1.0))])
    // Through a rule that reads the op's output: d²/dx² tanh = −2·tanh·(1 − tanh²).
    let g4 = try Autograd.grad { x in
      try Autograd.grad { try $0.tanh() }(x, nil)
    }(x, nil)
    let want = [2.0, -1.0].map { v -> Float in
      let th = Foundation.tanh(v)
      return Float(-2 * th * (1 - th * th))
    }
    try assertClose(g4, want, tol: 1e-4)
    // Two inner gradients both walk the outer forward's square: each inner result is
    // d/dx (x · x²) = 3x², so the outer derivative of their sum is 12x.
    let g5 = try Autograd.grad { x in
      let s = try x.square()
      let a = try Autograd.grad { try $0.mul(s).sum() }(x, nil)
      let b = try Autograd.grad { try $0.mul(s).sum() }(x, nil)
      return try a.add(b)
    }(x, nil)
    try assertClose(g5, [24, -12])
    [x, g2, g3, g4, g5].forEach { $0.dispose() }
    XCTAssertTrue(engine.tape.isEmpty)
  }

  func testVariableGradsByName() throws {
    let a = try Variable.make(try t([1, 2]), name: "vg-a")
    let b = try Variable.make(try t([3]), name: "vg-b")
    let frozen = try Variable.make(try t([4]), trainable: false, name: "vg-frozen")
    defer { [a, b, frozen].forEach { $0.dispose() } }
    let result = try Autograd.variableGrads({
      try a.mul(b).sum().add(frozen.sum())
    }, varList: [a, b, frozen])
    try assertClose(result.value, [13])
    try assertClose(result.grads["vg-a"]!, [3, 3])
    try assertClose(result.grads["vg-b"]!, [3])
    XCTAssertNil(result.grads["vg-frozen"])
    XCTAssertEqual(result.names, ["vg-a", "vg-b", "vg-frozen"])
    result.value.dispose()
    result.grads.values.forEach { $0.dispose() }

    assertThrows("The f passed in variableGrads(f) must return a scalar, but it returned a "
      + "rank-1 tensor") {
      try Autograd.variableGrads({ try a.mul(b) }, varList: [a, b])
    }
    assertThrows("variableGrads() expects at least one of the input variables to be trainable, "
      + "but none of the 1 variables is trainable.") {
      try Autograd.variableGrads({ try frozen.sum() }, varList: [frozen])
    }
    assertThrows("Cannot find a connection between any variable and the result of the loss "
      + "function y=f(x). Please make sure the operations that use variables are inside the "
      + "function f passed to minimize().") {
      try Autograd.variableGrads({ try frozen.sum() }, varList: [a])
    }
  }

  func testVariableGradsDefaultsToAllTrainableVariables() throws {
    let v = try Variable.make(try t([2]))
    defer { v.dispose() }
    let result = try Autograd.variableGrads { try v.square().sum() }
    XCTAssertEqual(result.grads.count, 1)
    try assertClose(result.grads[v.name]!, [4])
    result.value.dispose()
    result.grads.values.forEach { $0.dispose() }
  }

  func testTrainingLoopDoesNotGrowMemory() throws {
    let w = try Variable.make(try t([0.5, -0.5], [2, 1]))
    let x = try t([1, 2, 3, 4], [2, 2])
    defer { w.dispose(); x.dispose() }
    var counts: [Int] = []
    for _ in 0..<5 {
      let r = try Autograd.variableGrads({ try x.matMul(w).relu().square().mean() }, varList: [w])
      try engine.tidy { try w.assign(try w.sub(try r.grads[w.name]!.mul(Tensor.scalar(0.1)))) }
      r.value.dispose()
      r.grads.values.forEach { $0.dispose() }
      counts.append(engine.numTensors)
    }
    XCTAssertEqual(Set(counts).count, 1, "numTensors grew: \(counts)")
  }

  func testCustomGrad() throws {
    // y = x², with a custom gradient 3·dy·x read from a saved tensor.
    let f = Autograd.customGrad { inputs, save in
      let x = inputs[0]
      save([x])
      return (try x.square(), { dy, saved in [try dy.mul(saved[0]).mul(Tensor.scalar(3))] })
    }
    let x = try t([1, 2])
    let value = try f([x])
    try assertClose(value, [1, 4])
    let g = try Autograd.grad { try f([$0]) }(x, nil)
    try assertClose(g, [3, 6])
    // An identity forward with a scaled gradient (a gradient-scaling op).
    let scale = Autograd.customGrad { inputs, _ in
      (inputs[0], { dy, _ in [try dy.mul(Tensor.scalar(0.5))] })
    }
    let h = try Autograd.grad { try scale([$0]).square().sum() }(x, nil)
    try assertClose(h, [1, 2])
    // A gradient function returning a tensor it captured: backprop must not dispose it.
    let captured = try t([7, 7])
    let constantGrad = Autograd.customGrad { inputs, _ in
      (try inputs[0].mul(Tensor.scalar(1)), { _, _ in [captured] })
    }
    let k = try Autograd.grad { try constantGrad([$0]).add(try constantGrad([$0])).sum() }(x, nil)
    try assertClose(k, [14, 14])
    try assertClose(captured, [7, 7])
    [x, value, g, h, k, captured].forEach { $0.dispose() }
    XCTAssertTrue(engine.tape.isEmpty)
  }

  func testEveryRecordedOpHasARule() {
    let names = [
      "Add", "Sub", "Multiply", "RealDiv", "Pow", "Maximum", "Minimum", "Select", "Sum", "Mean",
      "Max", "Min", "Prod", "BatchMatMul", "Reshape", "Transpose", "Concat", "Pack", "Unpack",
      "SplitV", "Slice", "StridedSlice", "GatherV2", "Tile", "Reverse", "PadV2", "BroadcastTo",
      "Cast", "Identity", "Cumsum", "TopK", "ArgMax", "Equal", "OneHot", "Conv2D",
      "Conv2DBackpropInput", "Conv2DBackpropFilter", "DepthwiseConv2dNative",
      "DepthwiseConv2dNativeBackpropInput", "DepthwiseConv2dNativeBackpropFilter", "MaxPool",
      "AvgPool", "AvgPoolGrad", "FusedBatchNorm", "ResizeBilinear", "ResizeNearestNeighbor",
      "FlipLeftRight", "MaxPoolGrad", "AvgPoolGrad", "ResizeBilinearGrad",
      "ResizeNearestNeighborGrad", "AddN", "GatherNd", "MirrorPad", "Diag", "UnsortedSegmentSum",
      "Asinh", "Acosh", "Atanh", "Erf", "DivNoNan", "FloorDiv", "Mod", "Atan2", "Prelu",
    ]
    for n in names { XCTAssertNotNil(Gradients.rule(for: n), n) }
  }

  func testMissingRuleIsAClearError() throws {
    let x = try t([1])
    defer { x.dispose() }
    assertThrows("Cannot compute gradient: gradient function not found for NoSuchOp.") {
      try Autograd.grad { x in
        try Engine.shared.runOp("NoSuchOp", inputs: [x]) { try x.clone() }
      }(x, nil)
    }
  }
}
