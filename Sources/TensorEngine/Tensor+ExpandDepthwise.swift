// SPDX-License-Identifier: MIT
import Foundation

// MobileNetV2's expansion + depthwise pair as one kernel call (see
// Kernels/ExpandDepthwiseKernels.swift): the expanded tensor is never materialised.
// Same products and sums as `fusedConv2d` then `fusedDepthwiseConv2d`; under a
// gradient tape, or for shapes the kernel does not take, it runs exactly those two.

extension Tensor {
  /// Image widths from which the fused kernel runs: narrower rows make one GEMM call per row
  /// too small, and the expanded tensor small enough to stay in cache anyway.
  static let expandDepthwiseMinimumWidth = 28

  /// `fusedDepthwiseConv2d(fusedConv2d(x, expandFilter, expandBias, expandActivation),
  /// filter, strides, padding, dilations, bias, activation)` for a 1×1 `expandFilter`
  /// (`[1, 1, inChannels, e]`) and a multiplier-1 depthwise `filter` (`[fh, fw, e, 1]`).
  public func expandDepthwiseConv2d(
    expandFilter: Tensor, expandBias: Tensor?, expandActivation: FusedActivation,
    filter: Tensor, strides: [Int], padding: ConvPadding, dilations: [Int] = [1, 1],
    bias: Tensor?, activation: FusedActivation
  ) throws -> Tensor {
    func unfused() throws -> Tensor {
      try Engine.shared.tidy {
        let expanded = try fusedConv2d(
          expandFilter, strides: [1, 1], padding: .valid, bias: expandBias,
          activation: expandActivation)
        return try expanded.fusedDepthwiseConv2d(
          filter, strides: strides, padding: padding, dilations: dilations, bias: bias,
          activation: activation)
      }
    }
    guard let plan = try expandDepthwisePlan(
      expandFilter, expandBias, expandActivation, filter, strides, padding, dilations, bias,
      activation)
    else { return try unfused() }
    let (g, cin) = plan
    func clamp(_ a: FusedActivation) -> (Float, Float) {
      (a == .linear ? -.infinity : 0, a == .relu6 ? 6 : .infinity)
    }
    let (lo1, hi1) = clamp(expandActivation)
    let (lo2, hi2) = clamp(activation)
    let shift1 = expandBias?.values ?? []
    let shift2 = bias?.values ?? []
    return Tensor.kernelResult(g.outShape, [self, expandFilter, filter]) { p, out in
      shift1.withUnsafeBufferPointer { b1 in
        shift2.withUnsafeBufferPointer { b2 in
          expandDepthwiseForward(
            p[0], inChannels: cin, p[1],
            expandEpilogue: ChannelEpilogue(
              shift: expandBias == nil ? nil : b1.baseAddress, lower: lo1, upper: hi1),
            p[2], out, g,
            epilogue: ChannelEpilogue(
              shift: bias == nil ? nil : b2.baseAddress, lower: lo2, upper: hi2))
        }
      }
    }
  }

  /// The depthwise geometry and input channels when the fused kernel applies, else nil.
  private func expandDepthwisePlan(
    _ expandFilter: Tensor, _ expandBias: Tensor?, _ expandActivation: FusedActivation,
    _ filter: Tensor, _ strides: [Int], _ padding: ConvPadding, _ dilations: [Int],
    _ bias: Tensor?, _ activation: FusedActivation
  ) throws -> (Conv2DGeometry, Int)? {
    let clampOnly: Set<FusedActivation> = [.linear, .relu, .relu6]
    guard !Engine.shared.isRecording, rank == 4, dtype == .float32,
      expandFilter.rank == 4, expandFilter.dtype == .float32, filter.rank == 4,
      filter.dtype == .float32, clampOnly.contains(expandActivation),
      clampOnly.contains(activation), strides.count == 2, dilations.count == 2,
      (strides + dilations).allSatisfy({ $0 > 0 })
    else { return nil }
    let cin = shape[3]
    let e = expandFilter.shape[3]
    guard expandFilter.shape[0] == 1, expandFilter.shape[1] == 1, expandFilter.shape[2] == cin,
      filter.shape[2] == e, filter.shape[3] == 1, cin > 0, e > 0,
      expandBias.map({ $0.size == e }) ?? true, bias.map({ $0.size == e }) ?? true,
      shape[2] >= Tensor.expandDepthwiseMinimumWidth
    else { return nil }
    for t in [self, expandFilter, filter] + [expandBias, bias].compactMap({ $0 }) {
      try t.checkAlive()
    }
    let g = Conv2DGeometry(
      inShape: [shape[0], shape[1], shape[2], e], filterShape: filter.shape,
      strides: (strides[0], strides[1]), dilations: (dilations[0], dilations[1]),
      padding: padding, depthwise: true)
    guard g.outHeight > 0, g.outWidth > 0, g.padTop >= 0, g.padLeft >= 0 else { return nil }
    return (g, cin)
  }
}
