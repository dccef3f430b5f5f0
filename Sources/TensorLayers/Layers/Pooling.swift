// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Pooling layers (TF.js layers/pooling.ts): Max/AveragePooling1D/2D and the
// global poolings. Channels-last only.

/// Max or average pooling over 1 or 2 spatial axes (TF.js `Pooling1D`/`Pooling2D`).
public class Pooling: Layer {
  class var spatialRank: Int { 2 }
  class var isMax: Bool { true }
  let poolSize: [Int]
  let strides: [Int]
  let padding: String
  let dataFormat: String

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    let r = Swift.type(of: self).spatialRank
    let pool = try args.intTuple("poolSize", count: r) ?? Array(repeating: 2, count: r)
    poolSize = pool
    strides = try args.intTuple("strides", count: r) ?? pool
    padding = try args.string("padding") ?? "valid"
    dataFormat = try args.string("dataFormat") ?? "channelsLast"
    try checkConvArgs(padding, dataFormat)
    for (what, v) in [("poolSize", poolSize), ("strides", strides)]
    where v.contains(where: { $0 <= 0 }) {
      throw valueError("\(what) must be positive, but got \(shapeJS(v))")
    }
    try super.init(args)
    inputSpec = InputSpec(ndim: r + 2)
  }

  override public func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] {
    let s = inputShapes[0]
    let spatial = (0..<poolSize.count).map {
      convOutputLength(s[1 + $0], poolSize[$0], padding, strides[$0])
    }
    return [[s[0]] + spatial + [s[s.count - 1]]]
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    [
      try Engine.shared.tidy {
        let oneD = poolSize.count == 1
        let x = oneD ? try inputs[0].expandDims(2) : inputs[0]
        let size = oneD ? [poolSize[0], 1] : poolSize
        let st = oneD ? [strides[0], 1] : strides
        let y =
          Swift.type(of: self).isMax
          ? try x.maxPool(filterSize: size, strides: st, padding: enginePadding(padding))
          : try x.avgPool(filterSize: size, strides: st, padding: enginePadding(padding))
        return oneD ? try y.squeeze([2]) : y
      }
    ]
  }

  override public func layerConfig() -> ConfigObject {
    ConfigObject([
      ("poolSize", .ints(poolSize)), ("padding", .string(padding)), ("strides", .ints(strides)),
      ("dataFormat", .string(dataFormat)),
    ])
  }
}

/// `tf.layers.maxPooling2d`.
public final class MaxPooling2D: Pooling {
  override public class var className: String { "MaxPooling2D" }
}
/// `tf.layers.averagePooling2d`.
public final class AveragePooling2D: Pooling {
  override public class var className: String { "AveragePooling2D" }
  override class var isMax: Bool { false }
}
/// `tf.layers.maxPooling1d`.
public final class MaxPooling1D: Pooling {
  override public class var className: String { "MaxPooling1D" }
  override class var spatialRank: Int { 1 }
}
/// `tf.layers.averagePooling1d`.
public final class AveragePooling1D: Pooling {
  override public class var className: String { "AveragePooling1D" }
  override class var spatialRank: Int { 1 }
  override class var isMax: Bool { false }
}

/// Mean or max over all spatial positions (TF.js `GlobalPooling1D`/`2D`). Keras's
/// `keepdims` is honoured, as TensorFlow computes it.
public class GlobalPooling: Layer {
  class var spatialRank: Int { 2 }
  class var isMax: Bool { false }
  let dataFormat: String
  let keepDims: Bool

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    dataFormat = try args.string("dataFormat") ?? "channelsLast"
    keepDims = try args.bool("keepdims") ?? args.bool("keepDims") ?? false
    try checkConvArgs("valid", dataFormat)
    try super.init(args)
    inputSpec = InputSpec(ndim: Swift.type(of: self).spatialRank + 2)
  }

  var axes: [Int] { Array(1...Swift.type(of: self).spatialRank) }

  override public func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] {
    let s = inputShapes[0]
    if keepDims { return [[s[0]] + axes.map { _ in 1 } + [s[s.count - 1]]] }
    return [[s[0], s[s.count - 1]]]
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    let x = inputs[0]
    return Swift.type(of: self).isMax
      ? [try x.max(axes, keepDims: keepDims)] : [try x.mean(axes, keepDims: keepDims)]
  }

  override public func layerConfig() -> ConfigObject {
    // TF.js writes only dataFormat; Keras's keepdims is kept when set, or a saved model
    // would load back with a different output rank.
    var c = ConfigObject([("dataFormat", .string(dataFormat))])
    if keepDims { c["keepdims"] = .bool(true) }
    return c
  }
}

/// `tf.layers.globalAveragePooling2d`.
public final class GlobalAveragePooling2D: GlobalPooling {
  override public class var className: String { "GlobalAveragePooling2D" }
}
/// `tf.layers.globalMaxPooling2d`.
public final class GlobalMaxPooling2D: GlobalPooling {
  override public class var className: String { "GlobalMaxPooling2D" }
  override class var isMax: Bool { true }
}
/// `tf.layers.globalAveragePooling1d`.
public final class GlobalAveragePooling1D: GlobalPooling {
  override public class var className: String { "GlobalAveragePooling1D" }
  override class var spatialRank: Int { 1 }
}
/// `tf.layers.globalMaxPooling1d`.
public final class GlobalMaxPooling1D: GlobalPooling {
  override public class var className: String { "GlobalMaxPooling1D" }
  override class var spatialRank: Int { 1 }
  override class var isMax: Bool { true }
}
