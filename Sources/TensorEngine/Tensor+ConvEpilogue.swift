// SPDX-License-Identifier: MIT
import Foundation

// A convolution followed by a per-output-channel affine transform and a clamp,
//   y = clamp(conv(x, filter) · scale[c] + shift[c], lower, upper),
// run as one kernel call: the kernel applies the epilogue while each output tile
// is still in cache. Layers models use it at inference to run Conv2D /
// DepthwiseConv2D + bias + BatchNormalization (folded to scale/shift) + ReLU/ReLU6
// as one pass. Under a gradient tape it composes recorded ops instead, so
// gradients stay available.

extension Tensor {
  /// `clamp(conv2d(x, filter) · scale + shift, lower, upper)` (or `depthwiseConv2d` when
  /// `depthwise`), with `scale`/`shift` one value per output channel (`nil` = 1 / 0).
  ///
  /// The convolution's products and sums are those of `conv2d`/`depthwiseConv2d`; the
  /// epilogue is a float32 multiply then add, as `mul` and `add` would compute it.
  public func convolutionWithEpilogue(
    _ filter: Tensor, depthwise: Bool, strides: [Int], padding: ConvPadding,
    dilations: [Int] = [1, 1], scale: [Float]? = nil, shift: [Float]? = nil,
    lower: Float = -.infinity, upper: Float = .infinity
  ) throws -> Tensor {
    let op = depthwise ? "depthwiseConv2d" : "conv2d"
    if !(lower <= upper) {
      throw TensorError(
        "Error in \(op): the clamp lower bound (\(jsNumber(Double(lower)))) must be less than "
          + "or equal to the upper bound (\(jsNumber(Double(upper)))).")
    }
    let (g, x4, reshaped): (Conv2DGeometry, Tensor, Bool)
    if depthwise {
      (g, x4, reshaped) = try depthwiseGeometry(
        filter, strides: strides, padding: padding, dataFormat: "NHWC", dilations: dilations,
        dimRoundingMode: nil)
    } else {
      (g, x4, reshaped) = try conv2dGeometry(
        filter, strides, padding, "NHWC", dilations, nil, op: op)
    }
    for (name, values) in [("scale", scale), ("shift", shift)] {
      if let values, values.count != g.outChannels {
        throw TensorError(
          "Error in \(op): \(name) must have one value per output channel "
            + "(\(g.outChannels)), but has \(values.count).")
      }
    }
    if Engine.shared.isRecording {
      return try Engine.shared.tidy {
        var y = depthwise
          ? try depthwiseConv2d(filter, strides: strides, padding: padding, dilations: dilations)
          : try conv2d(filter, strides: strides, padding: padding, dilations: dilations)
        if let scale { y = try y.mul(try Tensor.tensor(scale, shape: [scale.count])) }
        if let shift { y = try y.add(try Tensor.tensor(shift, shape: [shift.count])) }
        if lower == -.infinity && upper == .infinity { return y }
        return try y.clipByValue(lower, upper)
      }
    }
    let result = Tensor.kernelResult(g.outShape, [x4, filter]) { p, out in
      scale.withOptionalPointer { ps in
        shift.withOptionalPointer { pb in
          let epilogue = ChannelEpilogue(scale: ps, shift: pb, lower: lower, upper: upper)
          if depthwise {
            depthwiseConv2dForward(p[0], p[1], out, g, epilogue: epilogue)
          } else {
            conv2dForward(p[0], p[1], out, g, epilogue: epilogue)
          }
        }
      }
    }
    return reshaped ? try result.reshape(Array(g.outShape.dropFirst())) : result
  }
}

extension Optional where Wrapped == [Float] {
  /// Calls `body` with the array's base address, or `nil` when there is no array.
  func withOptionalPointer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
    switch self {
    case .some(let array): return array.withUnsafeBufferPointer { body($0.baseAddress) }
    case .none: return body(nil)
    }
  }
}
