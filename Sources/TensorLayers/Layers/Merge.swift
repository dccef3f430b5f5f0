// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Merge layers (TF.js layers/merge.ts): Add, Multiply, Average, Maximum,
// Minimum, Concatenate. They take a list of at least two inputs.

/// An element-wise merge of several inputs with broadcasting (TF.js `Merge`).
public class Merge: Layer {
  /// Combines two tensors.
  func combine(_ a: Tensor, _ b: Tensor) throws -> Tensor { try a.add(b) }

  override public func checkInputs(_ shapes: [[Int?]]) throws {
    if shapes.count < 2 {
      throw valueError(
        "A merge layer should be called on an Array of at least 2 inputs. Got "
          + "\(shapes.count) input(s).")
    }
  }

  /// TF.js `computeElementwiseOpOutputShape` over all inputs.
  override public func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] {
    var out = inputShapes[0]
    for s in inputShapes.dropFirst() {
      let rank = Swift.max(out.count, s.count)
      let a = [Int?](repeating: 1, count: rank - out.count) + out
      let b = [Int?](repeating: 1, count: rank - s.count) + s
      out = try zip(a, b).map { x, y in
        switch (x, y) {
        case (nil, _), (_, nil): return nil
        case (let x?, let y?):
          if x == 1 { return y }
          if y == 1 || x == y { return x }
          throw valueError(
            "Operands could not be broadcast together with shapes "
              + "\(shapeJS(inputShapes[0])) \(shapeJS(s))")
        }
      }
    }
    return [out]
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    [
      try Engine.shared.tidy {
        var out = inputs[0]
        for x in inputs.dropFirst() { out = try combine(out, x) }
        return try finish(out, count: inputs.count)
      }
    ]
  }

  /// A final step over the combined value (Average divides).
  func finish(_ y: Tensor, count: Int) throws -> Tensor { y }
}

/// `tf.layers.add`.
public final class Add: Merge {
  override public class var className: String { "Add" }
}
/// `tf.layers.multiply`.
public final class Multiply: Merge {
  override public class var className: String { "Multiply" }
  override func combine(_ a: Tensor, _ b: Tensor) throws -> Tensor { try a.mul(b) }
}
/// `tf.layers.average`.
public final class Average: Merge {
  override public class var className: String { "Average" }
  override func finish(_ y: Tensor, count: Int) throws -> Tensor {
    try y.mul(Tensor.scalar(1 / Float(count)))
  }
}
/// `tf.layers.maximum`.
public final class Maximum: Merge {
  override public class var className: String { "Maximum" }
  override func combine(_ a: Tensor, _ b: Tensor) throws -> Tensor { try a.maximum(b) }
}
/// `tf.layers.minimum`.
public final class Minimum: Merge {
  override public class var className: String { "Minimum" }
  override func combine(_ a: Tensor, _ b: Tensor) throws -> Tensor { try a.minimum(b) }
}

/// Joins inputs along an axis (TF.js `Concatenate`, axis −1).
public final class Concatenate: Merge {
  override public class var className: String { "Concatenate" }
  /// The joined axis.
  public let axis: Int

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    axis = try args.int("axis") ?? -1
    try super.init(args)
  }

  override public func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] {
    var out = inputShapes[0]
    let a = axis < 0 ? out.count + axis : axis
    guard a >= 0, a < out.count else {
      throw valueError("Invalid axis \(axis) for Concatenate on shape \(shapeJSON(out))")
    }
    for s in inputShapes.dropFirst() {
      guard s.count == out.count else {
        throw valueError(
          "A `Concatenate` layer requires inputs with matching shapes except "
            + "for the concat axis. Got input shapes: "
            + inputShapes.map(shapeJSON).joined(separator: ", "))
      }
      for i in 0..<s.count where i != a {
        if let x = out[i], let y = s[i], x != y {
          throw valueError(
            "A `Concatenate` layer requires inputs with matching shapes except "
              + "for the concat axis. Got input shapes: "
              + inputShapes.map(shapeJSON).joined(separator: ", "))
        }
      }
      out[a] = (out[a] != nil && s[a] != nil) ? out[a]! + s[a]! : nil
    }
    return [out]
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    [try Tensor.concat(inputs, axis: axis < 0 ? inputs[0].rank + axis : axis)]
  }

  override public func layerConfig() -> ConfigObject { ConfigObject([("axis", .int(axis))]) }
}
