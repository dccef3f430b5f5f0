// SPDX-License-Identifier: MIT
import Foundation

// Pooling ops (TF.js ops/max_pool.ts, avg_pool.ts, max_pool_grad.ts,
// avg_pool_grad.ts). Tape names and inputs:
//   MaxPool [x], AvgPool [x], MaxPoolGrad [dy, input, output], AvgPoolGrad [dy, input]
// attrs: "filterSize" [fh, fw] plus the `OpAttrs.convolution` keys (strides, pad,
// dilations [1, 1], dimRoundingMode). The gradient of MaxPool is
// `Tensor.maxPoolBackprop(dy:input:output:...)`, of AvgPool `avgPoolBackprop`.

extension Tensor {
  /// `tf.maxPool(x, filterSize, strides, pad, dimRoundingMode)`: the maximum of each
  /// window of NHWC `x` (rank 4, or rank 3 for one image). Padding never wins the max.
  public func maxPool(
    filterSize: [Int], strides: [Int], padding: ConvPadding,
    dimRoundingMode: DimRoundingMode? = nil
  ) throws -> Tensor {
    try pool(
      max: true, filterSize: filterSize, strides: strides, padding: padding,
      dimRoundingMode: dimRoundingMode)
  }

  /// `tf.avgPool(x, filterSize, strides, pad, dimRoundingMode)`: the mean of each window,
  /// counting only real (unpadded) pixels, as TensorFlow does.
  public func avgPool(
    filterSize: [Int], strides: [Int], padding: ConvPadding,
    dimRoundingMode: DimRoundingMode? = nil
  ) throws -> Tensor {
    try pool(
      max: false, filterSize: filterSize, strides: strides, padding: padding,
      dimRoundingMode: dimRoundingMode)
  }

  private func pool(
    max isMax: Bool, filterSize: [Int], strides: [Int], padding: ConvPadding,
    dimRoundingMode: DimRoundingMode?
  ) throws -> Tensor {
    let op = isMax ? "maxPool" : "avgPool"
    try checkAlive()
    if !isMax { try requireDtype(.float32, arg: "x", op: op) }
    let (x4, reshaped) = try asBatch(op)
    if x4.rank != 4 {
      throw TensorError("Error in \(op): \(isMax ? "input" : "x") must be rank 4 but got rank \(x4.rank).")
    }
    let (g, attrs) = try poolGeometry(
      op: op, inShape: x4.shape, filterSize: filterSize, strides: strides, padding: padding,
      dimRoundingMode: dimRoundingMode)
    let y = try Engine.shared.runOp(isMax ? "MaxPool" : "AvgPool", inputs: [x4], attrs: attrs) {
      // Max pooling keeps the input's dtype (values are selected, not computed).
      Tensor.kernelResult(g.outShape, [x4], dtype: isMax ? x4.dtype : .float32) { p, out in
        if isMax { maxPoolForward(p[0], out, g) } else { avgPoolForward(p[0], out, g) }
      }
    }
    return reshaped ? try y.reshape(Array(g.outShape.dropFirst())) : y
  }

  /// Validates pooling arguments and computes the geometry and tape attributes.
  func poolGeometry(
    op: String, inShape: [Int], filterSize: [Int], strides: [Int], padding: ConvPadding,
    dimRoundingMode: DimRoundingMode?
  ) throws -> (Conv2DGeometry, OpAttrs) {
    let f = try convPair(filterSize, op: op, name: "filterSize")
    let s = try convPair(strides, op: op, name: "strides")
    if f.0 < 1 || f.1 < 1 {
      throw TensorError("Error in \(op): filterSize must be positive, but got \(f.0),\(f.1).")
    }
    try checkStridesAndDilations(s, (1, 1), op: op)
    try checkRoundingPadding(padding, dimRoundingMode, op: op)
    let g = Conv2DGeometry(
      poolInShape: inShape, filterSize: f, strides: s, padding: padding,
      roundingMode: dimRoundingMode)
    try checkOutputShape(g, op: op)
    var attrs = OpAttrs.convolution(
      strides: s, dilations: (1, 1), padding: padding, roundingMode: dimRoundingMode)
    attrs["filterSize"] = .ints([f.0, f.1])
    return (g, attrs)
  }

  /// Gradient of `maxPool` (TF's MaxPoolGrad): routes each `dy` value to the first maximum
  /// of its window in `input`. `output` is the forward result (kept for TF.js's signature).
  public static func maxPoolBackprop(
    dy: Tensor, input: Tensor, output: Tensor, filterSize: [Int], strides: [Int],
    padding: ConvPadding, dimRoundingMode: DimRoundingMode? = nil
  ) throws -> Tensor {
    let op = "maxPoolGrad"
    for t in [dy, input, output] { try t.checkAlive() }
    if input.rank != dy.rank {
      throw TensorError("Error in maxPoolGrad: input rank (\(input.rank)) must match dy rank (\(dy.rank))")
    }
    if dy.rank != 4 { throw TensorError("Error in maxPoolGrad: dy must be rank 4 but got rank \(dy.rank).") }
    if input.rank != 4 {
      throw TensorError("Error in maxPoolGrad: input must be rank 4 but got rank \(input.rank).")
    }
    let (g, attrs) = try input.poolGeometry(
      op: op, inShape: input.shape, filterSize: filterSize, strides: strides, padding: padding,
      dimRoundingMode: dimRoundingMode)
    try checkPoolGradientShape(dy, g, op: op)
    return try Engine.shared.runOp("MaxPoolGrad", inputs: [dy, input, output], attrs: attrs) {
      Tensor.kernelResult(input.shape, [input, dy]) { p, out in maxPoolBackward(p[0], p[1], out, g) }
    }
  }

  /// Gradient of `avgPool` (TF's AvgPoolGrad): spreads each `dy` value evenly over the real
  /// pixels of its window; the result has `input`'s shape.
  public static func avgPoolBackprop(
    dy: Tensor, input: Tensor, filterSize: [Int], strides: [Int], padding: ConvPadding,
    dimRoundingMode: DimRoundingMode? = nil
  ) throws -> Tensor {
    let op = "avgPoolGrad"
    try dy.checkAlive()
    try input.checkAlive()
    if dy.rank != 4 { throw TensorError("Error in avgPoolGrad: dy must be rank 4 but got rank \(dy.rank).") }
    if input.rank != 4 {
      throw TensorError("Error in avgPoolGrad: input must be rank 4 but got rank \(input.rank).")
    }
    let (g, attrs) = try input.poolGeometry(
      op: op, inShape: input.shape, filterSize: filterSize, strides: strides, padding: padding,
      dimRoundingMode: dimRoundingMode)
    try checkPoolGradientShape(dy, g, op: op)
    return try Engine.shared.runOp("AvgPoolGrad", inputs: [dy, input], attrs: attrs) {
      Tensor.kernelResult(input.shape, [dy]) { p, out in avgPoolBackward(p[0], out, g) }
    }
  }

  private static func checkPoolGradientShape(_ dy: Tensor, _ g: Conv2DGeometry, op: String) throws {
    if dy.shape != g.outShape {
      throw TensorError(
        "Error in \(op): dy shape [\(shapeText(dy.shape))] does not match the pooled shape "
          + "[\(shapeText(g.outShape))].")
    }
  }
}
