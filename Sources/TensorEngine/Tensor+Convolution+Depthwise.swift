// SPDX-License-Identifier: MIT
import Foundation

// Depthwise and separable convolutions, and the fused conv ops graph models use
// (TF.js depthwise_conv2d.ts, separable_conv2d.ts, fused/conv2d.ts,
// fused/depthwise_conv2d.ts). Tape names: DepthwiseConv2dNative and its two
// backprops; separableConv2d and the fused ops are composites of recorded ops.

extension Tensor {
  /// `tf.depthwiseConv2d(x, filter, strides, pad, dataFormat, dilations, dimRoundingMode)`:
  /// each input channel convolved with its own `[fh, fw]` filters; `filter` is
  /// `[fh, fw, inC, multiplier]`, the result has `inC · multiplier` channels.
  public func depthwiseConv2d(
    _ filter: Tensor, strides: [Int], padding: ConvPadding, dataFormat: String = "NHWC",
    dilations: [Int] = [1, 1], dimRoundingMode: DimRoundingMode? = nil
  ) throws -> Tensor {
    let (g, x4, reshaped) = try depthwiseGeometry(
      filter, strides: strides, padding: padding, dataFormat: dataFormat, dilations: dilations,
      dimRoundingMode: dimRoundingMode)
    let attrs = OpAttrs.convolution(
      strides: (g.strideH, g.strideW), dilations: (g.dilationH, g.dilationW), padding: padding,
      roundingMode: dimRoundingMode)
    let y = try Engine.shared.runOp("DepthwiseConv2dNative", inputs: [x4, filter], attrs: attrs) {
      Tensor.kernelResult(g.outShape, [x4, filter]) { p, out in
        depthwiseConv2dForward(p[0], p[1], out, g)
      }
    }
    return reshaped ? try y.reshape(Array(g.outShape.dropFirst())) : y
  }

  /// Validates depthwise arguments as TF.js does and computes the geometry.
  func depthwiseGeometry(
    _ filter: Tensor, strides: [Int], padding: ConvPadding, dataFormat: String,
    dilations: [Int], dimRoundingMode: DimRoundingMode?, op: String = "depthwiseConv2d"
  ) throws -> (Conv2DGeometry, Tensor, reshaped: Bool) {
    try checkAlive()
    try filter.checkAlive()
    try requireDtype(.float32, arg: "x", op: op)
    try filter.requireDtype(.float32, arg: "filter", op: op)
    let (x4, reshaped) = try asBatch(op)
    if x4.rank != 4 {
      throw TensorError("Error in \(op): input must be rank 4, but got rank \(x4.rank).")
    }
    if filter.rank != 4 {
      throw TensorError("Error in \(op): filter must be rank 4, but got rank \(filter.rank).")
    }
    if x4.shape[3] != filter.shape[2] {
      throw TensorError(
        "Error in \(op): number of input channels (\(x4.shape[3])) must match the inChannels "
          + "dimension in filter \(filter.shape[2]).")
    }
    try checkRoundingPadding(padding, dimRoundingMode, op: op)
    let s = try convPair(strides, op: op, name: "strides")
    let d = try convPair(dilations, op: op, name: "dilations")
    try checkStridesAndDilations(s, d, op: op)
    try checkChannelsLast(dataFormat, op: op)
    let g = Conv2DGeometry(
      inShape: x4.shape, filterShape: filter.shape, strides: s, dilations: d, padding: padding,
      roundingMode: dimRoundingMode, depthwise: true)
    try checkOutputShape(g, op: op)
    return (g, x4, reshaped)
  }

  /// Gradient of `depthwiseConv2d` with respect to its input (TF's
  /// DepthwiseConv2dNativeBackpropInput).
  public static func depthwiseConv2dBackpropInput(
    inputShape: [Int], dy: Tensor, filter: Tensor, strides: [Int], padding: ConvPadding,
    dilations: [Int] = [1, 1], dimRoundingMode: DimRoundingMode? = nil
  ) throws -> Tensor {
    let g = try depthwiseBackpropGeometry(
      inputShape: inputShape, filterShape: filter.shape, dy: dy, strides: strides,
      padding: padding, dilations: dilations, dimRoundingMode: dimRoundingMode)
    var attrs = OpAttrs.convolution(
      strides: (g.strideH, g.strideW), dilations: (g.dilationH, g.dilationW), padding: padding,
      roundingMode: dimRoundingMode)
    attrs["inputShape"] = .ints(inputShape)
    return try Engine.shared.runOp(
      "DepthwiseConv2dNativeBackpropInput", inputs: [dy, filter], attrs: attrs
    ) {
      Tensor.kernelResult(inputShape, [dy, filter]) { p, out in
        TensorEngine.depthwiseConv2dBackpropInput(p[0], p[1], out, g)
      }
    }
  }

  /// Gradient of `depthwiseConv2d` with respect to its filter (TF's
  /// DepthwiseConv2dNativeBackpropFilter).
  public static func depthwiseConv2dBackpropFilter(
    x: Tensor, dy: Tensor, filterShape: [Int], strides: [Int], padding: ConvPadding,
    dilations: [Int] = [1, 1], dimRoundingMode: DimRoundingMode? = nil
  ) throws -> Tensor {
    try x.checkAlive()
    let g = try depthwiseBackpropGeometry(
      inputShape: x.shape, filterShape: filterShape, dy: dy, strides: strides, padding: padding,
      dilations: dilations, dimRoundingMode: dimRoundingMode)
    var attrs = OpAttrs.convolution(
      strides: (g.strideH, g.strideW), dilations: (g.dilationH, g.dilationW), padding: padding,
      roundingMode: dimRoundingMode)
    attrs["filterShape"] = .ints(filterShape)
    return try Engine.shared.runOp(
      "DepthwiseConv2dNativeBackpropFilter", inputs: [x, dy], attrs: attrs
    ) {
      Tensor.kernelResult(filterShape, [x, dy]) { p, out in
        TensorEngine.depthwiseConv2dBackpropFilter(p[0], p[1], out, g)
      }
    }
  }

  private static func depthwiseBackpropGeometry(
    inputShape: [Int], filterShape: [Int], dy: Tensor, strides: [Int], padding: ConvPadding,
    dilations: [Int], dimRoundingMode: DimRoundingMode?
  ) throws -> Conv2DGeometry {
    let op = "depthwiseConv2dDer"
    try dy.checkAlive()
    guard inputShape.count == 4, filterShape.count == 4, dy.rank == 4,
      inputShape[3] == filterShape[2]
    else {
      throw TensorError(
        "Error in \(op): expected a rank-4 input [\(shapeText(inputShape))], dy "
          + "[\(shapeText(dy.shape))] and filter [\(shapeText(filterShape))] with matching channels.")
    }
    try Tensor.checkShape(inputShape)
    try Tensor.checkShape(filterShape)
    try checkRoundingPadding(padding, dimRoundingMode, op: op)
    let s = try convPair(strides, op: op, name: "strides")
    let d = try convPair(dilations, op: op, name: "dilations")
    try checkStridesAndDilations(s, d, op: op)
    let g = Conv2DGeometry(
      inShape: inputShape, filterShape: filterShape, strides: s, dilations: d, padding: padding,
      roundingMode: dimRoundingMode, depthwise: true)
    if g.outShape != dy.shape {
      throw TensorError(
        "Error in \(op): dy shape [\(shapeText(dy.shape))] does not match the output shape "
          + "[\(shapeText(g.outShape))].")
    }
    return g
  }

  /// `tf.separableConv2d(x, depthwiseFilter, pointwiseFilter, strides, pad, dilation,
  /// dataFormat)`: a depthwise convolution followed by a 1×1 convolution
  /// (`pointwiseFilter` is `[1, 1, inC · multiplier, outC]`).
  public func separableConv2d(
    depthwiseFilter: Tensor, pointwiseFilter: Tensor, strides: [Int], padding: ConvPadding,
    dilation: [Int] = [1, 1], dataFormat: String = "NHWC"
  ) throws -> Tensor {
    let op = "separableConv2d"
    try checkAlive()
    try depthwiseFilter.checkAlive()
    try pointwiseFilter.checkAlive()
    try requireDtype(.float32, arg: "x", op: op)
    try depthwiseFilter.requireDtype(.float32, arg: "depthwiseFilter", op: op)
    try pointwiseFilter.requireDtype(.float32, arg: "pointwiseFilter", op: op)
    let (x4, reshaped) = try asBatch(op)
    if x4.rank != 4 {
      throw TensorError("Error in separableConv2d: input must be rank 4, but got rank \(x4.rank).")
    }
    if depthwiseFilter.rank != 4 {
      throw TensorError(
        "Error in separableConv2d: depthwise filter must be rank 4, but got rank "
          + "\(depthwiseFilter.rank).")
    }
    if pointwiseFilter.rank != 4 {
      throw TensorError(
        "Error in separableConv2d: pointwise filter must be rank 4, but got rank "
          + "\(pointwiseFilter.rank).")
    }
    if pointwiseFilter.shape[0] != 1 {
      throw TensorError(
        "Error in separableConv2d: the first dimension of pointwise filter  must be 1, but got "
          + "\(pointwiseFilter.shape[0]).")
    }
    if pointwiseFilter.shape[1] != 1 {
      throw TensorError(
        "Error in separableConv2d: the second dimension of pointwise filter must be 1, but got "
          + "\(pointwiseFilter.shape[1]).")
    }
    let inChannels = depthwiseFilter.shape[2]
    let multiplier = depthwiseFilter.shape[3]
    if pointwiseFilter.shape[2] != inChannels * multiplier {
      throw TensorError(
        "Error in separableConv2d: the third dimension of pointwise filter must be "
          + "\(inChannels * multiplier), but got \(pointwiseFilter.shape[2]).")
    }
    if x4.shape[3] != inChannels {
      throw TensorError(
        "Error in separableConv2d: number of input channels (\(x4.shape[3])) must match the "
          + "inChannels dimension in depthwise filter \(inChannels).")
    }
    let depthwise = try x4.depthwiseConv2d(
      depthwiseFilter, strides: strides, padding: padding, dataFormat: dataFormat,
      dilations: dilation)
    let y = try depthwise.conv2d(pointwiseFilter, strides: [1, 1], padding: .valid)
    return reshaped ? try y.reshape(Array(y.shape.dropFirst())) : y
  }
}

// MARK: - Fused convolutions

/// The activations TF.js's fused ops accept.
public enum FusedActivation: String, Sendable {
  /// No activation.
  case linear
  /// `max(x, 0)`.
  case relu
  /// `min(max(x, 0), 6)`.
  case relu6
  /// `x > 0 ? x : e^x - 1`.
  case elu
  /// `x > 0 ? x : alpha·x` with per-channel `preluActivationWeights`.
  case prelu
  /// `x > 0 ? x : leakyreluAlpha·x`.
  case leakyrelu
  /// `1 / (1 + e^-x)`.
  case sigmoid
}

extension Tensor {
  /// `tf.fused.conv2d({x, filter, strides, pad, dataFormat, dilations, dimRoundingMode,
  /// bias, activation, preluActivationWeights, leakyreluAlpha})`: conv2d + bias + activation.
  /// Without a gradient tape, bias and ReLU/ReLU6 run inside the convolution kernel.
  public func fusedConv2d(
    _ filter: Tensor, strides: [Int], padding: ConvPadding, dataFormat: String = "NHWC",
    dilations: [Int] = [1, 1], dimRoundingMode: DimRoundingMode? = nil, bias: Tensor? = nil,
    activation: FusedActivation = .linear, preluActivationWeights: Tensor? = nil,
    leakyreluAlpha: Float = 0.2
  ) throws -> Tensor {
    try fused(depthwise: false, filter, strides, padding, dataFormat, dilations,
              dimRoundingMode, bias, activation, preluActivationWeights, leakyreluAlpha)
  }

  /// `tf.fused.depthwiseConv2d(...)`: depthwiseConv2d + bias + activation.
  public func fusedDepthwiseConv2d(
    _ filter: Tensor, strides: [Int], padding: ConvPadding, dataFormat: String = "NHWC",
    dilations: [Int] = [1, 1], dimRoundingMode: DimRoundingMode? = nil, bias: Tensor? = nil,
    activation: FusedActivation = .linear, preluActivationWeights: Tensor? = nil,
    leakyreluAlpha: Float = 0.2
  ) throws -> Tensor {
    try fused(depthwise: true, filter, strides, padding, dataFormat, dilations,
              dimRoundingMode, bias, activation, preluActivationWeights, leakyreluAlpha)
  }

  private func fused(
    depthwise: Bool, _ filter: Tensor, _ strides: [Int], _ padding: ConvPadding,
    _ dataFormat: String, _ dilations: [Int], _ dimRoundingMode: DimRoundingMode?,
    _ bias: Tensor?, _ activation: FusedActivation, _ prelu: Tensor?, _ alpha: Float
  ) throws -> Tensor {
    let channels = depthwise ? (filter.rank == 4 ? filter.shape[2] * filter.shape[3] : 0)
      : (filter.rank == 4 ? filter.shape[3] : 0)
    let perChannelBias = bias.map { $0.size == channels || $0.size == 1 } ?? true
    let kernelActivation = activation == .linear || activation == .relu || activation == .relu6
    if !Engine.shared.isRecording && perChannelBias && kernelActivation {
      // One kernel pass: bias and clamp applied while the output is in cache.
      if let bias { try bias.checkAlive() }
      let (g, x4, reshaped): (Conv2DGeometry, Tensor, Bool)
      if depthwise {
        (g, x4, reshaped) = try depthwiseGeometry(
          filter, strides: strides, padding: padding, dataFormat: dataFormat,
          dilations: dilations, dimRoundingMode: dimRoundingMode, op: "fused depthwiseConv2d")
      } else {
        let probe = try conv2dGeometry(filter, strides, padding, dataFormat, dilations,
                                       dimRoundingMode)
        (g, x4, reshaped) = probe
      }
      var shift = bias?.values ?? []
      if shift.count == 1 { shift = [Float](repeating: shift[0], count: channels) }
      let lower: Float = activation == .linear ? -.infinity : 0
      let upper: Float = activation == .relu6 ? 6 : .infinity
      let result = Tensor.kernelResult(g.outShape, [x4, filter]) { p, out in
        shift.withUnsafeBufferPointer { b in
          let epilogue = ChannelEpilogue(shift: b.baseAddress, lower: lower, upper: upper)
          if depthwise {
            depthwiseConv2dForward(p[0], p[1], out, g, epilogue: epilogue)
          } else {
            conv2dForward(p[0], p[1], out, g, epilogue: epilogue)
          }
        }
      }
      return reshaped ? try result.reshape(Array(g.outShape.dropFirst())) : result
    }
    // Recorded (or unusual) case: compose recorded ops so gradients flow.
    var y = depthwise
      ? try depthwiseConv2d(filter, strides: strides, padding: padding, dataFormat: dataFormat,
                            dilations: dilations, dimRoundingMode: dimRoundingMode)
      : try conv2d(filter, strides: strides, padding: padding, dataFormat: dataFormat,
                   dilations: dilations, dimRoundingMode: dimRoundingMode)
    if let bias { y = try y.add(bias) }
    return try y.applyFusedActivation(activation, prelu: prelu, alpha: alpha)
  }

  /// conv2d's checks and geometry, without running it.
  func conv2dGeometry(
    _ filter: Tensor, _ strides: [Int], _ padding: ConvPadding, _ dataFormat: String,
    _ dilations: [Int], _ dimRoundingMode: DimRoundingMode?, op: String = "fused conv2d"
  ) throws -> (Conv2DGeometry, Tensor, Bool) {
    try checkAlive()
    try filter.checkAlive()
    try requireDtype(.float32, arg: "x", op: op)
    try filter.requireDtype(.float32, arg: "filter", op: op)
    let (x4, reshaped) = try asBatch(op)
    if x4.rank != 4 { throw TensorError("Error in \(op): input must be rank 4, but got rank \(x4.rank).") }
    if filter.rank != 4 {
      throw TensorError("Error in \(op): filter must be rank 4, but got rank \(filter.rank).")
    }
    if x4.shape[3] != filter.shape[2] {
      throw TensorError(
        "Error in \(op): depth of input (\(x4.shape[3])) must match input depth for filter "
          + "\(filter.shape[2]).")
    }
    try checkRoundingPadding(padding, dimRoundingMode, op: op)
    let s = try convPair(strides, op: op, name: "strides")
    let d = try convPair(dilations, op: op, name: "dilations")
    try checkStridesAndDilations(s, d, op: op)
    try checkChannelsLast(dataFormat, op: op)
    let g = Conv2DGeometry(
      inShape: x4.shape, filterShape: filter.shape, strides: s, dilations: d, padding: padding,
      roundingMode: dimRoundingMode)
    try checkOutputShape(g, op: op)
    return (g, x4, reshaped)
  }

  /// Applies a fused op's activation with the engine's element-wise ops.
  func applyFusedActivation(_ activation: FusedActivation, prelu: Tensor?, alpha: Float) throws
    -> Tensor
  {
    switch activation {
    case .linear: return self
    case .relu: return try relu()
    case .relu6: return try relu6()
    case .elu: return try elu()
    case .sigmoid: return try sigmoid()
    case .leakyrelu: return try leakyRelu(alpha: alpha)
    case .prelu:
      guard let prelu else {
        throw TensorError("Error in fused op: prelu activation needs preluActivationWeights.")
      }
      return try self.prelu(prelu)
    }
  }
}
