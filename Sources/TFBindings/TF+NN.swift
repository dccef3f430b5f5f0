// Convolution, pooling, normalization and image ops:
// `tf.conv2d(x, filter, strides, pad, dataFormat?, dilations?, dimRoundingMode?)`,
// `tf.maxPool(x, filterSize, strides, pad)`, `tf.batchNorm(...)`,
// `tf.image.resizeBilinear(images, size, alignCorners?)`, `tf.fused.conv2d({...})`,
// and the masking ops (`gatherND`, `booleanMaskAsync`, `whereAsync`).

import ScriptCore
import TensorEngine

extension Arguments {
  /// A conv padding: `'same'`, `'valid'`, a number, or explicit
  /// `[[0, 0], [top, bottom], [left, right], [0, 0]]`.
  func padding(_ i: Int, _ name: String = "pad") throws -> ConvPadding {
    switch self[i] {
    case .string("same"): return .same
    case .string("valid"): return .valid
    case .number: return .uniform(try integer(i, name: name))
    case .object(let o as JSArray):
      let rows = try o.elements.map { try Arguments([$0], function: function).intList(0, name) }
      guard rows.count == 4, rows.allSatisfy({ $0.count == 2 }) else {
        throw argumentError(
          "Error in \(function): explicit padding must be [[0, 0], [top, bottom], "
            + "[left, right], [0, 0]]")
      }
      return .explicit(top: rows[1][0], bottom: rows[1][1], left: rows[2][0], right: rows[2][1])
    default:
      throw argumentError(
        "Error in \(function): pad must be 'same', 'valid', a number or explicit paddings, "
          + "but got \(Arguments.describeKind(self[i]))")
    }
  }

  /// `[h, w]` from a number or a pair (strides, dilations, filterSize).
  func pair(_ i: Int, _ name: String, default fallback: [Int]? = nil) throws -> [Int] {
    if self[i].isNullish, let fallback { return fallback }
    if case .number = self[i] { return [try integer(i, name: name)] }
    return try intList(i, name)
  }

  /// `'floor'`, `'round'`, `'ceil'` or nil.
  func roundingMode(_ i: Int) throws -> DimRoundingMode? {
    guard let s = try optionalString(i, name: "dimRoundingMode") else { return nil }
    guard let mode = DimRoundingMode(rawValue: s) else {
      throw argumentError("Error in \(function): unknown dimRoundingMode \(s)")
    }
    return mode
  }

  /// A data-format string or `fallback`.
  func dataFormat(_ i: Int, default fallback: String) throws -> String {
    try optionalString(i, name: "dataFormat") ?? fallback
  }
}

extension TFContext {
  var nnOps: [OpDef] {
    [
      OpDef("conv2d", 7) { [self] _, a in
        wrap(try a.tensor(0, "x").conv2d(
          try a.tensor(1, "filter"), strides: try a.pair(2, "strides"), padding: try a.padding(3),
          dataFormat: try a.dataFormat(4, default: "NHWC"),
          dilations: try a.pair(5, "dilations", default: [1, 1]),
          dimRoundingMode: try a.roundingMode(6)))
      },
      OpDef("conv1d", 7) { [self] _, a in
        wrap(try a.tensor(0, "x").conv1d(
          try a.tensor(1, "filter"), stride: try a.integer(2, name: "stride"),
          padding: try a.padding(3), dataFormat: try a.dataFormat(4, default: "NWC"),
          dilation: try a.int(5, "dilation", default: 1), dimRoundingMode: try a.roundingMode(6)))
      },
      OpDef("conv2dTranspose", 6) { [self] _, a in
        wrap(try a.tensor(0, "x").conv2dTranspose(
          try a.tensor(1, "filter"), outputShape: try a.shape(2, "outputShape"),
          strides: try a.pair(3, "strides"), padding: try a.padding(4),
          dimRoundingMode: try a.roundingMode(5)))
      },
      OpDef("depthwiseConv2d", 7) { [self] _, a in
        wrap(try a.tensor(0, "x").depthwiseConv2d(
          try a.tensor(1, "filter"), strides: try a.pair(2, "strides"), padding: try a.padding(3),
          dataFormat: try a.dataFormat(4, default: "NHWC"),
          dilations: try a.pair(5, "dilations", default: [1, 1]),
          dimRoundingMode: try a.roundingMode(6)))
      },
      OpDef("separableConv2d", 7) { [self] _, a in
        wrap(try a.tensor(0, "x").separableConv2d(
          depthwiseFilter: try a.tensor(1, "depthwiseFilter"),
          pointwiseFilter: try a.tensor(2, "pointwiseFilter"), strides: try a.pair(3, "strides"),
          padding: try a.padding(4), dilation: try a.pair(5, "dilation", default: [1, 1]),
          dataFormat: try a.dataFormat(6, default: "NHWC")))
      },
      OpDef("maxPool", 5) { [self] _, a in
        wrap(try a.tensor(0, "x").maxPool(
          filterSize: try a.pair(1, "filterSize"), strides: try a.pair(2, "strides"),
          padding: try a.padding(3), dimRoundingMode: try a.roundingMode(4)))
      },
      OpDef("avgPool", 5) { [self] _, a in
        wrap(try a.tensor(0, "x").avgPool(
          filterSize: try a.pair(1, "filterSize"), strides: try a.pair(2, "strides"),
          padding: try a.padding(3), dimRoundingMode: try a.roundingMode(4)))
      },
      OpDef("batchNorm", 6) { [self] _, a in
        wrap(try a.tensor(0, "x").batchNorm(
          mean: try a.tensor(1, "mean"), variance: try a.tensor(2, "variance"),
          offset: try a.optionalTensor(3, "offset"), scale: try a.optionalTensor(4, "scale"),
          varianceEpsilon: Float(try a.double(5, "varianceEpsilon", default: 0.001))))
      },
      OpDef("gatherND", 2, chain: .none) { [self] _, a in
        wrap(try a.tensor(0, "x").gatherND(try a.tensor(1, "indices", dtype: .int32)))
      },
      OpDef("booleanMaskAsync", 3, chain: .none) { [self] interp, a in
        let r = try a.tensor(0, "tensor").booleanMask(
          try a.tensor(1, "mask", dtype: .bool), axis: try a.int(2, "axis", default: 0))
        return .object(resolved(wrap(r), interp))
      },
      OpDef("whereAsync", 1, chain: .none) { [self] interp, a in
        let r = try a.tensor(0, "condition", dtype: .bool).whereIndices()
        return .object(resolved(wrap(r), interp))
      },
    ]
  }

  // MARK: - tf.image

  var imageEntries: [NativeEntry] {
    [
      OpDef("resizeBilinear", 4, chain: .none) { [self] _, a in
        wrap(try a.tensor(0, "images").resizeBilinear(
          size: try a.intList(1, "size"), alignCorners: a.flag(2), halfPixelCenters: a.flag(3)))
      },
      OpDef("resizeNearestNeighbor", 4, chain: .none) { [self] _, a in
        wrap(try a.tensor(0, "images").resizeNearestNeighbor(
          size: try a.intList(1, "size"), alignCorners: a.flag(2), halfPixelCenters: a.flag(3)))
      },
      OpDef("flipLeftRight", 1, chain: .none) { [self] _, a in
        wrap(try a.tensor(0, "image").flipLeftRight())
      },
      OpDef("cropAndResize", 6, chain: .none) { [self] _, a in
        wrap(try a.tensor(0, "image").cropAndResize(
          boxes: try a.tensor(1, "boxes"), boxInd: try a.tensor(2, "boxInd", dtype: .int32),
          cropSize: try a.intList(3, "cropSize"),
          method: try a.optionalString(4, name: "method") ?? "bilinear",
          extrapolationValue: Float(try a.double(5, "extrapolationValue", default: 0))))
      },
    ].map(\.namespaceEntry)
  }

  // MARK: - tf.fused

  var fusedEntries: [NativeEntry] {
    func fused(_ name: String, depthwise: Bool) -> OpDef {
      OpDef(name, 1, chain: .none) { [self] interp, a in
        let o = try Options(interp, a[0], keys: [
          "x", "filter", "strides", "pad", "dataFormat", "dilations", "dimRoundingMode", "bias",
          "activation", "preluActivationWeights", "leakyreluAlpha",
        ], function: name)
        try o.rejectUnknown()
        let f = o.arguments
        let activationName = try o.string("activation") ?? "linear"
        guard let activation = FusedActivation(rawValue: activationName) else {
          throw argumentError("Unknown fused activation \(activationName).")
        }
        let x = try o.tensor("x")
        let filter = try o.tensor("filter")
        let strides = try f.pair(2, "strides")
        let padding = try f.padding(3)
        let dataFormat = try o.string("dataFormat") ?? "NHWC"
        let dilations = try f.pair(5, "dilations", default: [1, 1])
        let rounding = try f.roundingMode(6)
        let bias = try o.optionalTensor("bias")
        let prelu = try o.optionalTensor("preluActivationWeights")
        let alpha = Float(try o.number("leakyreluAlpha", default: 0.2))
        let y = depthwise
          ? try x.fusedDepthwiseConv2d(
            filter, strides: strides, padding: padding, dataFormat: dataFormat,
            dilations: dilations, dimRoundingMode: rounding, bias: bias, activation: activation,
            preluActivationWeights: prelu, leakyreluAlpha: alpha)
          : try x.fusedConv2d(
            filter, strides: strides, padding: padding, dataFormat: dataFormat,
            dilations: dilations, dimRoundingMode: rounding, bias: bias, activation: activation,
            preluActivationWeights: prelu, leakyreluAlpha: alpha)
        return wrap(y)
      }
    }
    return [fused("conv2d", depthwise: false), fused("depthwiseConv2d", depthwise: true)]
      .map(\.namespaceEntry)
  }
}
