// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Axis-rearranging layers (TF.js layers/core.ts): Permute, RepeatVector.

/// Swaps non-batch axes (TF.js `Permute`): `dims` is a 1-based permutation.
public final class Permute: Layer {
  override public class var className: String { "Permute" }
  /// The permutation of axes 1…n.
  public let dims: [Int]

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    guard let d = try args.ints("dims") else {
      throw valueError("Permute requires dims to be an Array of integers.")
    }
    guard d.sorted() == Array(1...Swift.max(d.count, 1)), !d.isEmpty else {
      throw valueError(
        "Invalid permutation `dims`: \(d.map(String.init).joined(separator: ",")) "
          + "`dims` must contain consecutive integers starting from 1.")
    }
    dims = d
    try super.init(args)
    inputSpec = InputSpec(ndim: d.count + 1)
  }

  override public func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] {
    let s = inputShapes[0]
    return [[s[0]] + dims.map { s[$0] }]
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    [try inputs[0].transpose([0] + dims)]
  }

  override public func layerConfig() -> ConfigObject { ConfigObject([("dims", .ints(dims))]) }
}

/// Repeats a `[batch, features]` input `n` times (TF.js `RepeatVector`).
public final class RepeatVector: Layer {
  override public class var className: String { "RepeatVector" }
  /// The repeat count.
  public let n: Int

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    guard let n = try args.int("n"), n > 0 else {
      throw valueError("RepeatVector needs a positive integer n.")
    }
    self.n = n
    try super.init(args)
    inputSpec = InputSpec(ndim: 2)
  }

  override public func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] {
    let s = inputShapes[0]
    return [[s[0], n, s[1]]]
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    [try Engine.shared.tidy { try inputs[0].expandDims(1).tile([1, n, 1]) }]
  }

  override public func layerConfig() -> ConfigObject { ConfigObject([("n", .int(n))]) }
}
