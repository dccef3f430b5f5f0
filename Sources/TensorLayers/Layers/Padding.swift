// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Spatial reshaping layers (TF.js layers/padding.ts, convolutional.ts):
// ZeroPadding2D, Cropping2D, UpSampling2D. Channels-last only.

/// Reads `[[top, bottom], [left, right]]` from an int, `[h, w]`, or the nested form.
func readPairs(_ args: ConfigObject, _ key: String, default d: Int) throws -> [[Int]] {
  guard let v = args[key], !v.isNull else { return [[d, d], [d, d]] }
  if case .number = v, let n = try args.int(key) {
    guard n >= 0 else { throw valueError("\(key) must be non-negative, but got \(n)") }
    return [[n, n], [n, n]]
  }
  guard let items = v.array, items.count == 2 else {
    throw valueError("\(key) should have two elements. Found \(v.jsText)")
  }
  return try items.map { item in
    if let n = exactInt(item.number), n >= 0 { return [n, n] }
    guard let pair = item.array, pair.count == 2, let a = exactInt(pair[0].number), a >= 0,
      let b = exactInt(pair[1].number), b >= 0
    else {
      throw valueError("\(key) entries should be non-negative integers or pairs. Found \(v.jsText)")
    }
    return [a, b]
  }
}

/// Zero rows/columns around images (TF.js `ZeroPadding2D`).
public final class ZeroPadding2D: Layer {
  override public class var className: String { "ZeroPadding2D" }
  /// `[[top, bottom], [left, right]]`.
  public let padding: [[Int]]
  let dataFormat: String

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    padding = try readPairs(args, "padding", default: 1)
    dataFormat = try args.string("dataFormat") ?? "channelsLast"
    try checkConvArgs("valid", dataFormat)
    try super.init(args)
    inputSpec = InputSpec(ndim: 4)
  }

  override public func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] {
    let s = inputShapes[0]
    return [
      [
        s[0], s[1].map { $0 + padding[0][0] + padding[0][1] },
        s[2].map { $0 + padding[1][0] + padding[1][1] }, s[3],
      ]
    ]
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    [try inputs[0].pad([[0, 0], padding[0], padding[1], [0, 0]])]
  }

  override public func layerConfig() -> ConfigObject {
    ConfigObject([
      ("padding", .array(padding.map { .ints($0) })), ("dataFormat", .string(dataFormat)),
    ])
  }
}

/// Crops rows/columns from the image borders (TF.js `Cropping2D`).
public final class Cropping2D: Layer {
  override public class var className: String { "Cropping2D" }
  /// `[[top, bottom], [left, right]]`.
  public let cropping: [[Int]]
  let dataFormat: String

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    cropping = try readPairs(args, "cropping", default: 0)
    dataFormat = try args.string("dataFormat") ?? "channelsLast"
    try checkConvArgs("valid", dataFormat)
    try super.init(args)
    inputSpec = InputSpec(ndim: 4)
  }

  override public func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] {
    let s = inputShapes[0]
    return [
      [
        s[0], s[1].map { $0 - cropping[0][0] - cropping[0][1] },
        s[2].map { $0 - cropping[1][0] - cropping[1][1] }, s[3],
      ]
    ]
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    let x = inputs[0]
    let h = x.shape[1] - cropping[0][0] - cropping[0][1]
    let w = x.shape[2] - cropping[1][0] - cropping[1][1]
    guard h >= 0, w >= 0 else {
      throw valueError("Cropping \(cropping) is larger than the input shape \(shapeJS(x.shape)).")
    }
    return [try x.slice([0, cropping[0][0], cropping[1][0], 0], [x.shape[0], h, w, x.shape[3]])]
  }

  override public func layerConfig() -> ConfigObject {
    ConfigObject([
      ("cropping", .array(cropping.map { .ints($0) })), ("dataFormat", .string(dataFormat)),
    ])
  }
}

/// Repeats rows and columns (TF.js `UpSampling2D`), nearest or bilinear.
public final class UpSampling2D: Layer {
  override public class var className: String { "UpSampling2D" }
  /// `[rows, cols]` factors.
  public let size: [Int]
  let interpolation: String
  let dataFormat: String

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    size = try args.intTuple("size", count: 2) ?? [2, 2]
    if size.contains(where: { $0 <= 0 }) {
      throw valueError("size must be positive integers, but got [\(shapeJS(size))]")
    }
    interpolation = try args.string("interpolation") ?? "nearest"
    guard ["nearest", "bilinear"].contains(interpolation) else {
      throw valueError("interpolation should be one of \"nearest\" or \"bilinear\".")
    }
    dataFormat = try args.string("dataFormat") ?? "channelsLast"
    try checkConvArgs("valid", dataFormat)
    try super.init(args)
    inputSpec = InputSpec(ndim: 4)
  }

  override public func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] {
    let s = inputShapes[0]
    return [[s[0], s[1].map { $0 * size[0] }, s[2].map { $0 * size[1] }, s[3]]]
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    let x = inputs[0]
    let target = [x.shape[1] * size[0], x.shape[2] * size[1]]
    return [
      interpolation == "nearest"
        ? try x.resizeNearestNeighbor(size: target) : try x.resizeBilinear(size: target)
    ]
  }

  override public func layerConfig() -> ConfigObject {
    ConfigObject([
      ("size", .ints(size)), ("dataFormat", .string(dataFormat)),
      ("interpolation", .string(interpolation)),
    ])
  }
}

/// `x · scale + offset` (Keras/TF.js `Rescaling`).
public final class Rescaling: Layer {
  override public class var className: String { "Rescaling" }
  let scale: Double, offset: Double

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    guard let s = try args.double("scale") else {
      throw valueError("scale is required for the Rescaling layer")
    }
    scale = s
    offset = try args.double("offset") ?? 0
    try super.init(args)
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    [
      try Engine.shared.tidy {
        let x = inputs[0].dtype == .float32 ? inputs[0] : try inputs[0].cast(.float32)
        return try x.mul(Tensor.scalar(Float(scale))).add(Tensor.scalar(Float(offset)))
      }
    ]
  }

  override public func layerConfig() -> ConfigObject {
    ConfigObject([("scale", .number(scale)), ("offset", .number(offset))])
  }
}
