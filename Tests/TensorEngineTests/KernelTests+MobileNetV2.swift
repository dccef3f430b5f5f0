// The kernel paths MobileNetV2 graph models take: the fused expansion + depthwise
// kernel (Tensor.expandDepthwiseConv2d) against the two fused ops it replaces and the
// naive reference convolutions, over strides, paddings, dilations, activations, batch
// sizes and forced threading (so that worker chunks start mid-image and the row ring
// restarts); the pointwise convolution split by output channels (few pixels, large
// filter); the 3→32+ channel stem through im2col.

import XCTest
@testable import TensorEngine

final class KernelMobileNetV2Tests: XCTestCase {
  private struct Case {
    var batch = 2, height = 9, width = 30, cin = 5, e = 12
    var filter = 3, stride = 1, dilation = 1
    var padding = ConvPadding.same
    var act1 = FusedActivation.relu6, act2 = FusedActivation.relu6
  }

  private func check(_ c: Case, threaded: Bool) throws {
    var rng = TestRandom(seed: UInt64(c.height * 131 + c.stride * 7 + c.dilation))
    let xs = rng.floats(c.batch * c.height * c.width * c.cin).map { $0 * 3 }
    let w1s = rng.floats(c.cin * c.e)
    let b1s = rng.floats(c.e)
    let wds = rng.floats(c.filter * c.filter * c.e)
    let b2s = rng.floats(c.e)
    try Engine.shared.tidy {
      let x = try Tensor.tensor(xs, shape: [c.batch, c.height, c.width, c.cin])
      let w1 = try Tensor.tensor(w1s, shape: [1, 1, c.cin, c.e])
      let b1 = try Tensor.tensor(b1s, shape: [c.e])
      let wd = try Tensor.tensor(wds, shape: [c.filter, c.filter, c.e, 1])
      let b2 = try Tensor.tensor(b2s, shape: [c.e])
      let strides = [c.stride, c.stride]
      let dilations = [c.dilation, c.dilation]
      func fused() throws -> Tensor {
        try x.expandDepthwiseConv2d(
          expandFilter: w1, expandBias: b1, expandActivation: c.act1, filter: wd,
          strides: strides, padding: c.padding, dilations: dilations, bias: b2,
          activation: c.act2)
      }
      let got = threaded ? try withForcedThreading(fused) : try fused()
      let want = try x.fusedConv2d(
        w1, strides: [1, 1], padding: .valid, bias: b1, activation: c.act1
      ).fusedDepthwiseConv2d(
        wd, strides: strides, padding: c.padding, dilations: dilations, bias: b2,
        activation: c.act2)
      XCTAssertEqual(got.shape, want.shape)
      // Same products and sums as the two kernels: equal up to the GEMM's blocking.
      assertClose(try got.dataSync(), try want.dataSync(), atol: 1e-5, rtol: 1e-5, "\(c)")
      // And the definition, through the naive references.
      let g1 = Conv2DGeometry(
        inShape: x.shape, filterShape: w1.shape, strides: (1, 1), padding: .valid)
      func clamp(_ v: Float, _ a: FusedActivation) -> Float {
        a == .linear ? v : min(max(v, 0), a == .relu6 ? 6 : .infinity)
      }
      let expanded = referenceConv(xs, w1s, g1).enumerated().map { i, v in
        clamp(v + b1s[i % c.e], c.act1)
      }
      let g2 = Conv2DGeometry(
        inShape: g1.outShape, filterShape: wd.shape, strides: (c.stride, c.stride),
        dilations: (c.dilation, c.dilation), padding: c.padding, depthwise: true)
      let reference = referenceConv(expanded, wds, g2).enumerated().map { i, v in
        clamp(v + b2s[i % c.e], c.act2)
      }
      assertClose(try got.dataSync(), reference, atol: 1e-4, rtol: 1e-4, "reference \(c)")
    }
  }

  func testMatchesTheTwoFusedOps() throws {
    var cases: [Case] = [Case()]
    cases.append(Case(stride: 2, padding: .explicit(top: 0, bottom: 1, left: 0, right: 1)))
    cases.append(
      Case(height: 10, width: 31, stride: 2, padding: .valid, act1: .relu, act2: .linear))
    cases.append(Case(batch: 3, height: 7, e: 16, dilation: 2, act1: .linear, act2: .relu))
    cases.append(Case(batch: 1, height: 5, width: 29, e: 19, filter: 5, padding: .same))
    cases.append(Case(batch: 2, height: 6, width: 28, cin: 3, e: 8, stride: 3, padding: .same))
    for c in cases {
      try check(c, threaded: false)
      try check(c, threaded: true)
    }
  }

  /// Shapes the kernel does not take (narrow images, a multiplier, a recorded tape) run the
  /// two ops and give their errors.
  func testFallbacksAndErrors() throws {
    try check(Case(width: 9), threaded: false)
    try Engine.shared.tidy {
      let x = try Tensor.tensor([Float](repeating: 1, count: 30 * 30 * 4), shape: [1, 30, 30, 4])
      let w1 = try Tensor.tensor([Float](repeating: 0.5, count: 4 * 6), shape: [1, 1, 4, 6])
      let wd = try Tensor.tensor([Float](repeating: 1, count: 9 * 5), shape: [3, 3, 5, 1])
      XCTAssertThrowsError(
        try x.expandDepthwiseConv2d(
          expandFilter: w1, expandBias: nil, expandActivation: .relu6, filter: wd,
          strides: [1, 1], padding: .same, bias: nil, activation: .relu6))
    }
  }

  /// 1×1 convolutions with few pixels and a large filter (split by output channels) and an
  /// RGB stem with 40 outputs (im2col), with bias and ReLU6, against the references.
  func testPointwiseColumnSplitAndStem() throws {
    var rng = TestRandom(seed: 42)
    for (shape, filterShape, stride) in [
      ([2, 7, 7, 256], [1, 1, 256, 300], 1), ([1, 3, 5, 512], [1, 1, 512, 200], 1),
      ([2, 17, 15, 3], [3, 3, 3, 40], 2),
    ] {
      let xs = rng.floats(shape.reduce(1, *))
      let ws = rng.floats(filterShape.reduce(1, *)).map { $0 * 0.3 }
      let bs = rng.floats(filterShape[3])
      let g = Conv2DGeometry(
        inShape: shape, filterShape: filterShape, strides: (stride, stride), padding: .same)
      let want = referenceConv(xs, ws, g).enumerated().map { i, v in
        min(max(v + bs[i % filterShape[3]], 0), 6)
      }
      for threaded in [false, true] {
        try Engine.shared.tidy {
          let x = try Tensor.tensor(xs, shape: shape)
          let w = try Tensor.tensor(ws, shape: filterShape)
          let b = try Tensor.tensor(bs, shape: [filterShape[3]])
          func run() throws -> Tensor {
            try x.fusedConv2d(
              w, strides: [stride, stride], padding: .same, bias: b, activation: .relu6)
          }
          let got = threaded ? try withForcedThreading(run) : try run()
          assertClose(try got.dataSync(), want, atol: 1e-4, rtol: 1e-4, "\(shape) \(filterShape)")
        }
      }
    }
  }
}
