// SPDX-License-Identifier: MIT
import Foundation

// Convolution ops with TF.js's names, argument checks and messages
// (tfjs-core ops/conv2d.ts, conv1d.ts, conv2d_transpose.ts, depthwise_conv2d.ts,
// separable_conv2d.ts, fused/conv2d.ts). NHWC data, HWIO filters.
//
// Tape names and attrs (for the gradient rules):
//   Conv2D                 inputs [x, filter]
//   Conv2DBackpropInput    inputs [dy, filter]; attrs also "inputShape"
//   Conv2DBackpropFilter   inputs [x, dy];      attrs also "filterShape"
//   DepthwiseConv2dNative  inputs [x, filter]
//   DepthwiseConv2dNativeBackpropInput / ...BackpropFilter  as the Conv2D pair
// Every one carries "strides" [sh, sw], "dilations" [dh, dw], the padding as
// `OpAttrs.padding` reads it ("pad": "same" | "valid" | int | [t, b, l, r]) and
// "dimRoundingMode" when given. The gradient of each forward op is the matching
// backprop op; `Conv2DGeometry(...)` recomputes the geometry from these attrs.

// MARK: - Attribute encoding

extension OpAttrs {
  /// Attributes of a convolution or pooling: strides, dilations, padding, rounding mode.
  public static func convolution(
    strides: (Int, Int), dilations: (Int, Int), padding: ConvPadding,
    roundingMode: DimRoundingMode?
  ) -> OpAttrs {
    var attrs = OpAttrs([
      "strides": .ints([strides.0, strides.1]), "dilations": .ints([dilations.0, dilations.1]),
    ])
    switch padding {
    case .same: attrs["pad"] = .string("same")
    case .valid: attrs["pad"] = .string("valid")
    case .uniform(let p): attrs["pad"] = .int(p)
    case .explicit(let t, let b, let l, let r): attrs["pad"] = .ints([t, b, l, r])
    }
    if let roundingMode { attrs["dimRoundingMode"] = .string(roundingMode.rawValue) }
    return attrs
  }

  /// The padding recorded by `OpAttrs.convolution`.
  public var padding: ConvPadding? {
    switch values["pad"] {
    case .string("same")?: return .same
    case .string("valid")?: return .valid
    case .int(let p)?: return .uniform(p)
    case .ints(let p)? where p.count == 4:
      return .explicit(top: p[0], bottom: p[1], left: p[2], right: p[3])
    default: return nil
    }
  }

  /// A recorded `[h, w]` pair (strides, dilations, filterSize) as a tuple; (1, 1) if absent.
  public func pair(_ name: String) -> (Int, Int) {
    guard let v = ints(name), v.count == 2 else { return (1, 1) }
    return (v[0], v[1])
  }

  /// The recorded rounding mode, if any.
  public var dimRoundingMode: DimRoundingMode? {
    string("dimRoundingMode").flatMap(DimRoundingMode.init(rawValue:))
  }
}

// MARK: - Padding from TF.js arguments

extension ConvPadding {
  /// Reads TF.js's `pad` string: `'same'` or `'valid'` (throws for anything else).
  public init(tfjsName name: String) throws {
    switch name {
    case "same": self = .same
    case "valid": self = .valid
    default: throw TensorError("Unknown padding parameter: \(name)")
    }
  }

  /// Reads TF.js's explicit NHWC padding `[[0, 0], [top, bottom], [left, right], [0, 0]]`.
  public init(tfjsExplicit pads: [[Int]]) throws {
    guard pads.count == 4, pads.allSatisfy({ $0.count == 2 }) else {
      throw TensorError(
        "Error in conv: explicit padding must be [[0,0],[top,bottom],[left,right],[0,0]], but "
          + "got \(pads.map { "[\(shapeText($0))]" }.joined(separator: ",")).")
    }
    self = .explicit(top: pads[1][0], bottom: pads[1][1], left: pads[2][0], right: pads[2][1])
  }
}

// MARK: - Argument checks shared by the conv and pool ops

/// Reads TF.js's `number | [number, number]` argument as a pair.
func convPair(_ value: [Int], op: String, name: String) throws -> (Int, Int) {
  if value.contains(where: { $0 > Int(Int32.max) }) {
    throw TensorError("Error in \(op): \(name) \(shapeText(value)) is too large.")
  }
  switch value.count {
  case 1: return (value[0], value[0])
  case 2: return (value[0], value[1])
  default:
    throw TensorError("Error in \(op): \(name) must be a number or a pair, but got \(shapeText(value)).")
  }
}

/// TF.js's checks that strides and dilations are positive and not both above 1.
func checkStridesAndDilations(
  _ strides: (Int, Int), _ dilations: (Int, Int), op: String, checkPair: Bool = true
) throws {
  if strides.0 < 1 || strides.1 < 1 {
    throw TensorError(
      "Error in \(op): Stride must be an positive integer, but got stride \(strides.0),\(strides.1).")
  }
  if dilations.0 < 1 || dilations.1 < 1 {
    throw TensorError(
      "Error in \(op): Dilation must be an positive integer, but got dilation "
        + "\(dilations.0),\(dilations.1).")
  }
  let stridesOne = strides == (1, 1)
  let dilationsOne = dilations == (1, 1)
  if checkPair && !stridesOne && !dilationsOne {
    throw TensorError(
      "Error in \(op): Either strides or dilations must be 1. Got strides \(strides.0),\(strides.1) "
        + "and dilations '\(dilations.0),\(dilations.1)'")
  }
}

/// TF.js's `checkPadOnDimRoundingMode` (a rounding mode needs integer padding), plus a
/// range check on numeric padding so no later size arithmetic can overflow.
func checkRoundingPadding(_ padding: ConvPadding, _ mode: DimRoundingMode?, op: String) throws {
  let amounts: [Int]
  switch padding {
  case .uniform(let p): amounts = [p]
  case .explicit(let t, let b, let l, let r): amounts = [t, b, l, r]
  default: amounts = []
  }
  if amounts.contains(where: { $0 < 0 || $0 > Int(Int32.max) }) {
    throw TensorError(
      "Error in \(op): padding must be non-negative integers, but got \(shapeText(amounts)).")
  }
  guard let mode else { return }
  switch padding {
  case .same, .valid:
    throw TensorError(
      "Error in \(op): pad must be an integer when using dimRoundingMode \(mode.rawValue) but got "
        + "pad \(padding == .same ? "same" : "valid").")
  default: return
  }
}

/// Throws unless `format` is NHWC (the only layout the kernels implement).
func checkChannelsLast(_ format: String, op: String) throws {
  if format != "NHWC" && format != "NWC" {
    throw TensorError("Error in \(op): only the channels-last data format is supported, got \(format).")
  }
}

/// Validates a computed output shape (a too-large filter gives a negative size).
func checkOutputShape(_ g: Conv2DGeometry, op: String) throws {
  if g.outHeight < 0 || g.outWidth < 0 {
    throw TensorError(
      "Error in \(op): the filter (\(g.effectiveFilterHeight)x\(g.effectiveFilterWidth)) does not "
        + "fit the padded input (\(g.inHeight)x\(g.inWidth)); the output shape would be "
        + "[\(shapeText(g.outShape))].")
  }
  try Tensor.checkShape(g.outShape)
}

extension Tensor {
  /// Adds a batch axis to a rank-3 tensor (TF.js's `reshape(x, [1, ...])` in 4-D ops).
  func asBatch(_ op: String, rank3Allowed: Bool = true) throws -> (Tensor, reshaped: Bool) {
    if rank == 3 && rank3Allowed { return (try reshape([1] + shape), true) }
    return (self, false)
  }

  /// Runs a kernel that reads the values of `inputs` and fills a new tensor (float32 unless
  /// `dtype` says otherwise).
  static func kernelResult(
    _ shape: [Int], _ inputs: [Tensor], dtype: DType = .float32,
    _ fill: ([UnsafePointer<Float>], UnsafeMutablePointer<Float>) -> Void
  ) -> Tensor {
    let arrays = inputs.map(\.values)
    return Tensor.filled(shape, dtype) { out in
      withPointers(arrays) { pointers in
        if let base = out.baseAddress { fill(pointers, base) }
      }
    }
  }
}

/// Calls `body` with stable pointers to each array (a dummy for empty arrays).
func withPointers<R>(_ arrays: [[Float]], _ body: ([UnsafePointer<Float>]) -> R) -> R {
  var pointers: [UnsafePointer<Float>] = []
  func step(_ i: Int) -> R {
    if i == arrays.count { return body(pointers) }
    return arrays[i].withUnsafeBufferPointer { buffer in
      var dummy: Float = 0
      return withUnsafePointer(to: &dummy) { fallback in
        pointers.append(buffer.baseAddress ?? fallback)
        return step(i + 1)
      }
    }
  }
  return step(0)
}

// MARK: - conv2d

extension Tensor {
  /// `tf.conv2d(x, filter, strides, pad, dataFormat, dilations, dimRoundingMode)`: 2-D
  /// convolution of NHWC `x` (`[b, h, w, inC]` or `[h, w, inC]`) with an HWIO filter
  /// `[fh, fw, inC, outC]`. `strides`/`dilations`: one value or `[h, w]`.
  public func conv2d(
    _ filter: Tensor, strides: [Int], padding: ConvPadding, dataFormat: String = "NHWC",
    dilations: [Int] = [1, 1], dimRoundingMode: DimRoundingMode? = nil
  ) throws -> Tensor {
    let op = "conv2d"
    try checkAlive()
    try filter.checkAlive()
    try requireDtype(.float32, arg: "x", op: op)
    try filter.requireDtype(.float32, arg: "filter", op: op)
    let (x4, reshaped) = try asBatch(op)
    if x4.rank != 4 { throw TensorError("Error in conv2d: input must be rank 4, but got rank \(x4.rank).") }
    if filter.rank != 4 {
      throw TensorError("Error in conv2d: filter must be rank 4, but got rank \(filter.rank).")
    }
    try checkRoundingPadding(padding, dimRoundingMode, op: op)
    if x4.shape[3] != filter.shape[2] {
      throw TensorError(
        "Error in conv2d: depth of input (\(x4.shape[3])) must match input depth for filter "
          + "\(filter.shape[2]).")
    }
    let s = try convPair(strides, op: op, name: "strides")
    let d = try convPair(dilations, op: op, name: "dilations")
    try checkStridesAndDilations(s, d, op: "conv2D")
    try checkChannelsLast(dataFormat, op: op)
    let g = Conv2DGeometry(
      inShape: x4.shape, filterShape: filter.shape, strides: s, dilations: d, padding: padding,
      roundingMode: dimRoundingMode)
    try checkOutputShape(g, op: op)
    let attrs = OpAttrs.convolution(
      strides: s, dilations: d, padding: padding, roundingMode: dimRoundingMode)
    let y = try Engine.shared.runOp("Conv2D", inputs: [x4, filter], attrs: attrs) {
      Tensor.kernelResult(g.outShape, [x4, filter]) { p, out in conv2dForward(p[0], p[1], out, g) }
    }
    return reshaped ? try y.reshape(Array(g.outShape.dropFirst())) : y
  }

  /// `tf.conv1d(x, filter, stride, pad, dataFormat, dilation, dimRoundingMode)`: 1-D
  /// convolution of `[b, w, inC]` (or `[w, inC]`) with a `[fw, inC, outC]` filter, computed
  /// as a conv2d over a height-1 image.
  public func conv1d(
    _ filter: Tensor, stride: Int, padding: ConvPadding, dataFormat: String = "NWC",
    dilation: Int = 1, dimRoundingMode: DimRoundingMode? = nil
  ) throws -> Tensor {
    try checkAlive()
    try filter.checkAlive()
    try requireDtype(.float32, arg: "x", op: "conv1d")
    try filter.requireDtype(.float32, arg: "filter", op: "conv1d")
    let x3 = rank == 2 ? try reshape([1] + shape) : self
    if x3.rank != 3 { throw TensorError("Error in conv1d: input must be rank 3, but got rank \(x3.rank).") }
    if filter.rank != 3 {
      throw TensorError("Error in conv1d: filter must be rank 3, but got rank \(filter.rank).")
    }
    try checkRoundingPadding(padding, dimRoundingMode, op: "conv1d")
    if x3.shape[2] != filter.shape[1] {
      throw TensorError(
        "Error in conv1d: depth of input (\(x3.shape[2])) must match input depth for filter "
          + "\(filter.shape[1]).")
    }
    if stride > 1 && dilation > 1 {
      throw TensorError(
        "Error in conv1D: Either stride or dilation must be 1. Got stride \(stride) and dilation "
          + "'\(dilation)'")
    }
    if dataFormat != "NWC" {
      throw TensorError("Error in conv1d: got dataFormat of \(dataFormat) but only NWC is currently supported.")
    }
    let padding2d: ConvPadding
    switch padding {
    case .explicit(_, _, let l, let r): padding2d = .explicit(top: 0, bottom: 0, left: l, right: r)
    case .uniform(let p): padding2d = .explicit(top: 0, bottom: 0, left: p, right: p)
    default: padding2d = padding
    }
    let x4 = try x3.reshape([x3.shape[0], 1, x3.shape[1], x3.shape[2]])
    let f4 = try filter.reshape([1] + filter.shape)
    let y4 = try x4.conv2d(
      f4, strides: [1, stride], padding: padding2d, dilations: [1, dilation],
      dimRoundingMode: dimRoundingMode)
    let y = try y4.reshape([y4.shape[0], y4.shape[2], y4.shape[3]])
    return rank == 2 ? try y.reshape(Array(y.shape.dropFirst())) : y
  }

  /// `tf.conv2dTranspose(x, filter, outputShape, strides, pad, dimRoundingMode)`: the
  /// gradient of conv2d with respect to its input. `filter` is `[fh, fw, outDepth, inDepth]`
  /// where `inDepth` is `x`'s channel count; the result has `outputShape`.
  public func conv2dTranspose(
    _ filter: Tensor, outputShape: [Int], strides: [Int], padding: ConvPadding,
    dimRoundingMode: DimRoundingMode? = nil
  ) throws -> Tensor {
    try checkAlive()
    try filter.checkAlive()
    try requireDtype(.float32, arg: "x", op: "conv2dTranspose")
    try filter.requireDtype(.float32, arg: "filter", op: "conv2dTranspose")
    let (dy4, reshaped) = try asBatch("conv2dTranspose")
    let target = outputShape.count == 3 ? [1] + outputShape : outputShape
    let result = try Tensor.conv2dBackpropInput(
      inputShape: target, dy: dy4, filter: filter, strides: strides, padding: padding,
      dimRoundingMode: dimRoundingMode)
    return reshaped ? try result.reshape(Array(result.shape.dropFirst())) : result
  }

  /// The gradient of `conv2d` with respect to its input (TF's Conv2DBackpropInput): an
  /// input-shaped tensor from `dy` and the HWIO filter.
  public static func conv2dBackpropInput(
    inputShape: [Int], dy: Tensor, filter: Tensor, strides: [Int], padding: ConvPadding,
    dilations: [Int] = [1, 1], dimRoundingMode: DimRoundingMode? = nil
  ) throws -> Tensor {
    let op = "conv2dDerInput"
    try dy.checkAlive()
    try filter.checkAlive()
    if inputShape.count != 4 {
      throw TensorError("Error in conv2dDerInput: inShape must be length 4, but got length \(inputShape.count).")
    }
    if dy.rank != 4 { throw TensorError("Error in conv2dDerInput: dy must be rank 4, but got rank \(dy.rank)") }
    if filter.rank != 4 {
      throw TensorError("Error in conv2dDerInput: filter must be rank 4, but got rank \(filter.rank)")
    }
    if inputShape[3] != filter.shape[2] {
      throw TensorError(
        "Error in conv2dDerInput: depth of input (\(inputShape[3])) must match input depth for "
          + "filter \(filter.shape[2]).")
    }
    if dy.shape[3] != filter.shape[3] {
      throw TensorError(
        "Error in conv2dDerInput: depth of output (\(dy.shape[3])) must match output depth for "
          + "filter \(filter.shape[3]).")
    }
    try checkRoundingPadding(padding, dimRoundingMode, op: op)
    let s = try convPair(strides, op: op, name: "strides")
    let d = try convPair(dilations, op: op, name: "dilations")
    try checkStridesAndDilations(s, d, op: op)
    try Tensor.checkShape(inputShape)
    let g = Conv2DGeometry(
      inShape: inputShape, filterShape: filter.shape, strides: s, dilations: d, padding: padding,
      roundingMode: dimRoundingMode)
    if g.outShape != dy.shape {
      throw TensorError(
        "Error in conv2dDerInput: dy shape [\(shapeText(dy.shape))] does not match the output "
          + "shape [\(shapeText(g.outShape))] of a convolution over [\(shapeText(inputShape))].")
    }
    var attrs = OpAttrs.convolution(
      strides: s, dilations: d, padding: padding, roundingMode: dimRoundingMode)
    attrs["inputShape"] = .ints(inputShape)
    return try Engine.shared.runOp("Conv2DBackpropInput", inputs: [dy, filter], attrs: attrs) {
      Tensor.kernelResult(inputShape, [dy, filter]) { p, out in TensorEngine.conv2dBackpropInput(p[0], p[1], out, g) }
    }
  }

  /// The gradient of `conv2d` with respect to its filter (TF's Conv2DBackpropFilter): a
  /// `filterShape` tensor from the input `x` and `dy`.
  public static func conv2dBackpropFilter(
    x: Tensor, dy: Tensor, filterShape: [Int], strides: [Int], padding: ConvPadding,
    dilations: [Int] = [1, 1], dimRoundingMode: DimRoundingMode? = nil
  ) throws -> Tensor {
    let op = "conv2dDerFilter"
    try x.checkAlive()
    try dy.checkAlive()
    let (x4, _) = try x.asBatch(op)
    let dy4 = dy.rank == 3 ? try dy.reshape([1] + dy.shape) : dy
    if x4.rank != 4 { throw TensorError("Error in conv2dDerFilter: input must be rank 4, but got shape \(shapeText(x4.shape)).") }
    if dy4.rank != 4 { throw TensorError("Error in conv2dDerFilter: dy must be rank 4, but got shape \(shapeText(dy4.shape)).") }
    if filterShape.count != 4 {
      throw TensorError("Error in conv2dDerFilter: filterShape must be length 4, but got \(shapeText(filterShape)).")
    }
    if x4.shape[3] != filterShape[2] {
      throw TensorError(
        "Error in conv2dDerFilter: depth of input \(x4.shape[3]) must match input depth in filter "
          + "(\(filterShape[2]).")
    }
    if dy4.shape[3] != filterShape[3] {
      throw TensorError(
        "Error in conv2dDerFilter: depth of dy (\(dy4.shape[3])) must match output depth for "
          + "filter (\(filterShape[3])).")
    }
    try checkRoundingPadding(padding, dimRoundingMode, op: op)
    let s = try convPair(strides, op: op, name: "strides")
    let d = try convPair(dilations, op: op, name: "dilations")
    try checkStridesAndDilations(s, d, op: op)
    try Tensor.checkShape(filterShape)
    let g = Conv2DGeometry(
      inShape: x4.shape, filterShape: filterShape, strides: s, dilations: d, padding: padding,
      roundingMode: dimRoundingMode)
    if g.outShape != dy4.shape {
      throw TensorError(
        "Error in conv2dDerFilter: dy shape [\(shapeText(dy4.shape))] does not match the output "
          + "shape [\(shapeText(g.outShape))] of the convolution.")
    }
    var attrs = OpAttrs.convolution(
      strides: s, dilations: d, padding: padding, roundingMode: dimRoundingMode)
    attrs["filterShape"] = .ints(filterShape)
    return try Engine.shared.runOp("Conv2DBackpropFilter", inputs: [x4, dy4], attrs: attrs) {
      Tensor.kernelResult(filterShape, [x4, dy4]) { p, out in TensorEngine.conv2dBackpropFilter(p[0], p[1], out, g) }
    }
  }
}
