// Output sizes and padding of 2-D convolutions and pooling, computed by
// TensorFlow's rules (tfjs-core conv_util.ts, computeConv2DInfo):
//
//   'same'     out = ceil(in / stride); the total padding
//              max(0, (out - 1)·stride + effectiveFilter - in) is split with the
//              odd pixel at the end (bottom / right).
//   'valid'    out = ceil((in - effectiveFilter + 1) / stride); no padding.
//   number p   p on every side; out = round((in - effectiveFilter + 2p) / stride + 1)
//              with the rounding mode (truncation by default).
//   explicit   given top/bottom/left/right; out as for a number.
//
// effectiveFilter = filter + (filter - 1)·(dilation - 1).

// MARK: - Padding

/// A convolution or pooling padding, as TF.js accepts it.
public enum ConvPadding: Equatable, Sendable {
  /// Output covers the input at stride resolution; zero padding split evenly, odd pixel last.
  case same
  /// No padding: only windows that fit entirely.
  case valid
  /// The same number of zeros on each side (TF.js `pad: number`).
  case uniform(Int)
  /// Explicit zeros per side (TF.js `[[0,0],[top,bottom],[left,right],[0,0]]`).
  case explicit(top: Int, bottom: Int, left: Int, right: Int)
}

/// How a fractional output size is rounded for numeric or explicit padding
/// (TF.js `dimRoundingMode`; `nil` there means truncation).
public enum DimRoundingMode: String, Sendable {
  /// Round down.
  case floor
  /// Round half up (JavaScript `Math.round`).
  case round
  /// Round up.
  case ceil
  /// Round toward zero (TF.js's default when no mode is given).
  case truncate
}

// MARK: - Geometry

/// The shapes, strides, dilations and padding of one 2-D convolution or pooling over NHWC
/// data. Filters are HWIO (`[filterHeight, filterWidth, inChannels, outChannels]`); for a
/// depthwise convolution `[filterHeight, filterWidth, inChannels, channelMultiplier]`.
public struct Conv2DGeometry: Equatable, Sendable {
  /// Images in the batch.
  public var batch: Int
  /// Input rows.
  public var inHeight: Int
  /// Input columns.
  public var inWidth: Int
  /// Input channels.
  public var inChannels: Int
  /// Output rows.
  public var outHeight: Int
  /// Output columns.
  public var outWidth: Int
  /// Output channels (`inChannels · channelMultiplier` when depthwise).
  public var outChannels: Int
  /// Filter (or pooling window) rows.
  public var filterHeight: Int
  /// Filter (or pooling window) columns.
  public var filterWidth: Int
  /// Vertical stride.
  public var strideH: Int
  /// Horizontal stride.
  public var strideW: Int
  /// Vertical dilation (1 = none).
  public var dilationH: Int
  /// Horizontal dilation (1 = none).
  public var dilationW: Int
  /// Zero rows above the input.
  public var padTop: Int
  /// Zero columns left of the input.
  public var padLeft: Int
  /// Zero rows below the input.
  public var padBottom: Int
  /// Zero columns right of the input.
  public var padRight: Int
  /// Output channels per input channel of a depthwise convolution (1 otherwise).
  public var channelMultiplier: Int

  /// Filter height once dilated: `filterHeight + (filterHeight - 1)·(dilationH - 1)`.
  public var effectiveFilterHeight: Int { filterHeight + (filterHeight - 1) * (dilationH - 1) }
  /// Filter width once dilated.
  public var effectiveFilterWidth: Int { filterWidth + (filterWidth - 1) * (dilationW - 1) }

  /// Shape of the NHWC input.
  public var inShape: [Int] { [batch, inHeight, inWidth, inChannels] }
  /// Shape of the NHWC output.
  public var outShape: [Int] { [batch, outHeight, outWidth, outChannels] }
  /// Shape of the HWIO filter (or `[fh, fw, inChannels, multiplier]` when depthwise).
  public var filterShape: [Int] {
    isDepthwise
      ? [filterHeight, filterWidth, inChannels, channelMultiplier]
      : [filterHeight, filterWidth, inChannels, outChannels]
  }
  /// True when built for a depthwise convolution.
  public var isDepthwise: Bool

  /// Computes the geometry of a convolution (TF.js computeConv2DInfo).
  /// - Parameters:
  ///   - inShape: NHWC input shape `[batch, height, width, channels]`.
  ///   - filterShape: HWIO filter shape; for depthwise `[fh, fw, inChannels, multiplier]`.
  ///   - depthwise: output channels are `inChannels · multiplier` instead of `filterShape[3]`.
  public init(
    inShape: [Int], filterShape: [Int], strides: (Int, Int), dilations: (Int, Int) = (1, 1),
    padding: ConvPadding, roundingMode: DimRoundingMode? = nil, depthwise: Bool = false
  ) {
    batch = inShape.count > 0 ? inShape[0] : 0
    inHeight = inShape.count > 1 ? inShape[1] : 0
    inWidth = inShape.count > 2 ? inShape[2] : 0
    inChannels = inShape.count > 3 ? inShape[3] : 0
    filterHeight = filterShape.count > 0 ? filterShape[0] : 0
    filterWidth = filterShape.count > 1 ? filterShape[1] : 0
    let filterOut = filterShape.count > 3 ? filterShape[3] : 0
    strideH = strides.0
    strideW = strides.1
    dilationH = dilations.0
    dilationW = dilations.1
    isDepthwise = depthwise
    channelMultiplier = depthwise ? filterOut : 1
    outChannels = depthwise ? inChannels * filterOut : filterOut
    (padTop, padBottom, padLeft, padRight, outHeight, outWidth) = (0, 0, 0, 0, 0, 0)
    resolvePadding(padding, roundingMode: roundingMode)
  }

  /// Computes the geometry of a pooling window (TF.js computePool2DInfo): a depthwise
  /// geometry with a `[filterHeight, filterWidth, channels, 1]` window.
  public init(
    poolInShape inShape: [Int], filterSize: (Int, Int), strides: (Int, Int),
    dilations: (Int, Int) = (1, 1), padding: ConvPadding, roundingMode: DimRoundingMode? = nil
  ) {
    let channels = inShape.count > 3 ? inShape[3] : 0
    self.init(
      inShape: inShape, filterShape: [filterSize.0, filterSize.1, channels, 1],
      strides: strides, dilations: dilations, padding: padding, roundingMode: roundingMode,
      depthwise: true)
  }

  private mutating func resolvePadding(_ padding: ConvPadding, roundingMode: DimRoundingMode?) {
    let fh = effectiveFilterHeight
    let fw = effectiveFilterWidth
    let sh = max(strideH, 1)
    let sw = max(strideW, 1)
    switch padding {
    case .same:
      outHeight = ceilDiv(inHeight, sh)
      outWidth = ceilDiv(inWidth, sw)
      let alongH = max(0, (outHeight - 1) * sh + fh - inHeight)
      let alongW = max(0, (outWidth - 1) * sw + fw - inWidth)
      padTop = alongH / 2
      padBottom = alongH - padTop
      padLeft = alongW / 2
      padRight = alongW - padLeft
    case .valid:
      outHeight = ceilDiv(inHeight - fh + 1, sh)
      outWidth = ceilDiv(inWidth - fw + 1, sw)
    case .uniform(let p):
      (padTop, padBottom, padLeft, padRight) = (p, p, p, p)
      outHeight = roundedOutput(inHeight - fh + 2 * p, sh, roundingMode)
      outWidth = roundedOutput(inWidth - fw + 2 * p, sw, roundingMode)
    case .explicit(let top, let bottom, let left, let right):
      (padTop, padBottom, padLeft, padRight) = (top, bottom, left, right)
      outHeight = roundedOutput(inHeight - fh + top + bottom, sh, roundingMode)
      outWidth = roundedOutput(inWidth - fw + left + right, sw, roundingMode)
    }
  }
}

/// `ceil(a / b)` for a positive `b` and any `a` (as JavaScript's Math.ceil of the quotient).
@inline(__always)
func ceilDiv(_ a: Int, _ b: Int) -> Int {
  a >= 0 ? (a + b - 1) / b : -((-a) / b)
}

/// `round(span / stride + 1)` by the rounding mode (truncation when `nil`).
private func roundedOutput(_ span: Int, _ stride: Int, _ mode: DimRoundingMode?) -> Int {
  let value = Double(span) / Double(stride) + 1
  switch mode ?? .truncate {
  case .floor: return Int(value.rounded(.down))
  case .ceil: return Int(value.rounded(.up))
  case .round: return Int((value + 0.5).rounded(.down))  // JavaScript Math.round
  case .truncate: return Int(value.rounded(.towardZero))
  }
}
