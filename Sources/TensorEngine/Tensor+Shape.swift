// SPDX-License-Identifier: MIT
import Foundation

// Shape-only ops: reshape, expandDims, squeeze, flatten, broadcastTo. Reshape
// and friends share the input's buffer, as TF.js does.

/// Normalizes axes (negative counts from the end) with TF.js's range check;
/// `nil` means every axis.
public func parseAxes(_ axes: [Int]?, rank: Int) throws -> [Int] {
  guard let axes else { return Array(0..<rank) }
  for a in axes where a < -rank || a >= rank {
    throw TensorError(
      "All values in axis param must be in range [-\(rank), \(rank)) but got axis "
        + shapeText(axes))
  }
  return axes.map { $0 < 0 ? $0 + rank : $0 }
}

extension Tensor {
  /// `tf.reshape(x, shape)`; one dimension may be -1 (inferred).
  public func reshape(_ newShape: [Int]) throws -> Tensor {
    try checkAlive()
    let target = try inferImplicitShape(newShape, size: size)
    if sizeOf(target) != size {
      throw TensorError(
        "The new shape (\(shapeText(target))) has \(sizeOf(target)) elements and the old shape "
          + "(\(shapeText(shape))) has \(size) elements. The new shape and old shape must have "
          + "the same number of elements.")
    }
    let x = self
    return try Engine.shared.runOp(
      "Reshape", inputs: [x], attrs: OpAttrs(["shape": .ints(target), "inputShape": .ints(shape)])
    ) { Tensor.sharing(x, shape: target) }
  }

  /// Resolves a `-1` in a target shape, with TF.js's messages.
  func inferImplicitShape(_ shape: [Int], size: Int) throws -> [Int] {
    var product = 1
    var implicit: Int?
    for (i, d) in shape.enumerated() {
      if d >= 0 {
        product = try checkedMultiply(product, d)
      } else if d == -1 {
        if let j = implicit {
          throw TensorError(
            "Shapes can only have 1 implicit size. Found -1 at dim \(j) and dim \(i)")
        }
        implicit = i
      } else {
        throw TensorError("Shapes can not be < 0. Found \(d) at dim \(i)")
      }
    }
    guard let j = implicit else {
      if size > 0 && size != product {
        throw TensorError("Size(\(size)) must match the product of shape \(shapeText(shape))")
      }
      return shape
    }
    if product == 0 {
      throw TensorError(
        "Cannot infer the missing size in [\(shapeText(shape))] when there are 0 elements")
    }
    if size % product != 0 {
      throw TensorError(
        "The implicit shape can't be a fractional number. Got \(size) / \(product)")
    }
    var out = shape
    out[j] = size / product
    return out
  }

  /// `tf.expandDims(x, axis)`: inserts a size-1 dimension (axis in `[-rank-1, rank]`).
  public func expandDims(_ axis: Int = 0) throws -> Tensor {
    try checkAlive()
    if axis > rank { throw TensorError("Axis must be <= rank of the tensor") }
    if axis < -(rank + 1) { throw TensorError("Axis must be >= -(rank + 1) of the tensor") }
    let a = axis < 0 ? axis + rank + 1 : axis
    var s = shape
    s.insert(1, at: a)
    return try reshape(s)
  }

  /// `tf.squeeze(x, axis?)`: removes size-1 dimensions (all of them, or those in `axes`).
  public func squeeze(_ axes: [Int]? = nil) throws -> Tensor {
    try checkAlive()
    var keep: [Int] = []
    if let axes {
      let norm = try parseAxes(axes, rank: rank)
      for a in norm where shape[a] != 1 {
        throw TensorError("Can't squeeze axis \(a) since its dim '\(shape[a])' is not 1")
      }
      keep = shape.enumerated().filter { !norm.contains($0.offset) }.map(\.element)
    } else {
      keep = shape.filter { $0 != 1 }
    }
    return try reshape(keep)
  }

  /// `x.flatten()`: rank 1.
  public func flatten() throws -> Tensor { try reshape([size]) }

  /// `tf.broadcastTo(x, shape)`: repeats size-1 (or missing leading) dimensions.
  public func broadcastTo(_ target: [Int]) throws -> Tensor {
    try checkAlive()
    if target.count < rank {
      throw TensorError(
        "broadcastTo(): shape.length=\(target.count) < input.rank=\(rank).")
    }
    let padded = [Int](repeating: 1, count: target.count - rank) + shape
    for (i, d) in padded.enumerated() where d != target[i] && d != 1 {
      throw TensorError(
        "broadcastTo(): [\(shapeText(shape))] cannot be broadcast to [\(shapeText(target))].")
    }
    try Tensor.checkShape(target)
    let x = self
    return try Engine.shared.runOp(
      "BroadcastTo", inputs: [x],
      attrs: OpAttrs(["shape": .ints(target), "inputShape": .ints(shape)])
    ) {
      if padded == target { return Tensor.sharing(x, shape: target) }
      let values = mapBinary(x.values, padded, [0], [], target) { v, _ in v }
      return Tensor.build(values, target, x.dtype)
    }
  }
}
