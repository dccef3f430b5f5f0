// SPDX-License-Identifier: MIT
import Foundation

// Gradients of the reductions: the upstream gradient is reshaped to the
// kept-dims shape and broadcast back over the reduced axes (Sum, Mean);
// Max/Min route it to every element equal to the extremum (TF.js's
// `gradForMinAndMax`); Prod multiplies by the product of the other elements;
// Cumsum runs the scan the other way. Index/bool reductions give zeros.

extension Gradients {
  /// `dy` reshaped to `x`'s rank with the reduced axes of size 1.
  private static func expanded(_ dy: Tensor, _ g: GradientInput) throws -> Tensor {
    let x = g.input(0)
    let axes = g.attrs.ints("axes") ?? Array(0..<x.rank)
    var kept = x.shape
    for a in axes { kept[a] = 1 }
    return try dy.reshape(kept)
  }

  static func reductionRules() -> [String: GradientRule] {
    var r: [String: GradientRule] = [:]
    r["Sum"] = { g in
      guard g.needs(0) else { return [nil] }
      return [try expanded(g.dy, g).broadcastTo(g.input(0).shape)]
    }
    r["Mean"] = { g in
      guard g.needs(0) else { return [nil] }
      let x = g.input(0)
      let axes = g.attrs.ints("axes") ?? Array(0..<x.rank)
      let count = Float(axes.reduce(1) { $0 * x.shape[$1] })
      return [try expanded(g.dy, g).broadcastTo(x.shape).div(scalar(count))]
    }
    let minMax: GradientRule = { g in
      guard g.needs(0) else { return [nil] }
      let x = g.input(0)
      let y = try expanded(g.output, g)
      let mask = try x.equal(y).cast(.float32)
      return [try expanded(g.dy, g).mul(mask)]
    }
    r["Max"] = minMax
    r["Min"] = minMax
    r["Prod"] = { g in
      guard g.needs(0) else { return [nil] }
      let x = g.input(0)
      let axes = g.attrs.ints("axes") ?? Array(0..<x.rank)
      let others = productOfOthers(x, axes: axes)
      return [try expanded(g.dy, g).mul(others)]
    }
    r["Cumsum"] = { g in
      guard g.needs(0) else { return [nil] }
      let axis = g.attrs.int("axis") ?? 0
      let exclusive = g.attrs.bool("exclusive") ?? false
      let reverse = g.attrs.bool("reverse") ?? false
      return [try g.dy.cumsum(axis: axis, exclusive: exclusive, reverse: !reverse)]
    }
    r["TopK"] = { g in
      guard g.needs(0) else { return [nil] }
      // Scatter each row's value gradients back to the positions topk picked.
      let (x, indices, dy) = (g.input(0), g.node.savedOutputs[1], g.dy)
      let last = x.shape.last ?? 1
      let k = g.attrs.int("k") ?? 1
      return [try Engine.shared.runOp("TopKGrad", inputs: [dy, indices]) {
        let (idx, dv) = (indices.values, dy.values)
        var out = [Float](repeating: 0, count: x.size)
        let rows = last == 0 ? 0 : x.size / last
        for row in 0..<rows {
          for j in 0..<k where row * k + j < idx.count {
            out[row * last + Int(idx[row * k + j])] += dv[row * k + j]
          }
        }
        return Tensor.build(out, x.shape, .float32)
      }]
    }
    r["TopKGrad"] = { g in
      // The adjoint of the row scatter is a per-row gather at the same indices.
      let (dy, indices) = (g.input(0), g.input(1))
      guard g.needs(0) else { return [nil, g.needs(1) ? try zeros(indices.shape) : nil] }
      let last = g.dy.shape.last ?? 1
      let k = indices.shape.last ?? 0
      let rows = k == 0 ? 0 : indices.size / k
      let picked = try g.dy.reshape([rows, last])
        .gather(try indices.reshape([rows, k]), axis: 1, batchDims: 1)
      return [try picked.reshape(dy.shape), g.needs(1) ? try zeros(indices.shape) : nil]
    }
    r.merge(same(["ArgMax", "ArgMin", "Any", "All", "OneHot"], zeroRule)) { _, new in new }
    return r
  }

  /// For each element of `x`, the product of the other elements of its reduction group
  /// (exclusive prefix times exclusive suffix product, so zeros need no division).
  static func productOfOthers(_ x: Tensor, axes: [Int]) -> Tensor {
    let sorted = Array(Set(axes)).sorted()
    let kept = (0..<x.rank).filter { !sorted.contains($0) }
    let perm = kept + sorted
    let permuted = transposeValues(x.values, x.shape, perm)
    let groupSize = sorted.reduce(1) { $0 * x.shape[$1] }
    var out = [Float](repeating: 0, count: permuted.count)
    let groups = groupSize == 0 ? 0 : permuted.count / groupSize
    for grp in 0..<groups {
      // Exclusive products from both ends in float32, as TF.js's two cumprods.
      let base = grp * groupSize
      var suffixes = [Float](repeating: 1, count: groupSize)
      var suffix: Float = 1
      for j in stride(from: groupSize - 1, through: 0, by: -1) {
        suffixes[j] = suffix
        suffix *= permuted[base + j]
      }
      var prefix: Float = 1
      for j in 0..<groupSize {
        out[base + j] = prefix * suffixes[j]
        prefix *= permuted[base + j]
      }
    }
    var inverse = [Int](repeating: 0, count: perm.count)
    for (i, p) in perm.enumerated() { inverse[p] = i }
    let values = transposeValues(out, perm.map { x.shape[$0] }, inverse)
    return Tensor.build(values, x.shape, .float32)
  }
}
