// SPDX-License-Identifier: MIT
import Foundation

// Reductions over axes (nil = all; negative count from the end) with keepDims.
// Tape names: Sum, Mean, Max, Min, Prod, ArgMax, ArgMin, Any, All, Cumsum, TopK.
// Composite reductions (logSumExp, moments, norm) are built from these.

extension Tensor {
  /// Runs a reduction op over `axes`, producing `dtype` values from a layout kernel.
  private func reduction(
    _ name: String, _ axes: [Int]?, keepDims: Bool, dtype: DType,
    _ kernel: (ReductionLayout) -> [Float]
  ) throws -> Tensor {
    try checkAlive()
    let norm = try parseAxes(axes, rank: rank)
    let x = self
    let attrs = OpAttrs(["axes": .ints(norm), "keepDims": .bool(keepDims)])
    return try Engine.shared.runOp(name, inputs: [x], attrs: attrs) {
      let layout = reductionLayout(x.values, x.shape, axes: norm)
      var values = kernel(layout)
      if dtype != .float32 { values = values.map(dtype.convert) }
      return Tensor.build(values, keepDims ? layout.keptShape : layout.outShape, dtype)
    }
  }

  /// `tf.sum(x, axis?, keepDims)`; bool sums to int32.
  public func sum(_ axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    let dt: DType = dtype == .bool ? .int32 : dtype
    return try reduction("Sum", axes, keepDims: keepDims, dtype: dt) { reduceSum($0) }
  }

  /// `tf.mean(x, axis?, keepDims)`: float32 result; each value is divided by the count
  /// before summing, as TF.js's CPU kernel does.
  public func mean(_ axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    let norm = try parseAxes(axes, rank: rank)
    let count = Float(norm.reduce(1) { $0 * shape[$1] })
    return try reduction("Mean", axes, keepDims: keepDims, dtype: .float32) {
      reduceSum($0, divisor: count)
    }
  }

  /// `tf.max(x, axis?, keepDims)`; NaN propagates.
  public func max(_ axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    try requireNonEmptyReduction("max", axes)
    return try reduction("Max", axes, keepDims: keepDims, dtype: dtype) {
      reduceFold($0) { a, b in b.isNaN || b > a ? b : a }
    }
  }

  /// `tf.min(x, axis?, keepDims)`; NaN propagates.
  public func min(_ axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    try requireNonEmptyReduction("min", axes)
    return try reduction("Min", axes, keepDims: keepDims, dtype: dtype) {
      reduceFold($0) { a, b in b.isNaN || b < a ? b : a }
    }
  }

  /// `tf.prod(x, axis?, keepDims)`; bool gives int32.
  public func prod(_ axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    let dt: DType = dtype == .bool ? .int32 : dtype
    return try reduction("Prod", axes, keepDims: keepDims, dtype: dt) { l in
      var out = [Float](repeating: 1, count: l.outer * l.inner)
      for i in 0..<l.outer {
        for k in 0..<l.inner {
          var acc = 1.0
          for j in 0..<l.reduce { acc *= Double(l.values[(i * l.reduce + j) * l.inner + k]) }
          out[i * l.inner + k] = Float(acc)
        }
      }
      return out
    }
  }

  /// `tf.argMax(x, axis = 0)`: int32 index of the first maximum.
  public func argMax(_ axis: Int = 0) throws -> Tensor {
    try requireNonEmptyReduction("argMax", [axis])
    return try reduction("ArgMax", [axis], keepDims: false, dtype: .int32) {
      reduceArg($0) { $0 > $1 }
    }
  }

  /// `tf.argMin(x, axis = 0)`: int32 index of the first minimum.
  public func argMin(_ axis: Int = 0) throws -> Tensor {
    try requireNonEmptyReduction("argMin", [axis])
    return try reduction("ArgMin", [axis], keepDims: false, dtype: .int32) {
      reduceArg($0) { $0 < $1 }
    }
  }

  /// `tf.any(x, axis?, keepDims)` on a bool tensor.
  public func any(_ axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    try requireDtype(.bool, arg: "x", op: "any")
    return try reduction("Any", axes, keepDims: keepDims, dtype: .bool) { l in
      l.reduce == 0
        ? [Float](repeating: 0, count: l.outer * l.inner)
        : reduceFold(l) { $0 != 0 || $1 != 0 ? 1 : 0 }
    }
  }

  /// `tf.all(x, axis?, keepDims)` on a bool tensor.
  public func all(_ axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    try requireDtype(.bool, arg: "x", op: "all")
    return try reduction("All", axes, keepDims: keepDims, dtype: .bool) { l in
      l.reduce == 0
        ? [Float](repeating: 1, count: l.outer * l.inner)
        : reduceFold(l) { $0 != 0 && $1 != 0 ? 1 : 0 }
    }
  }

  private func requireNonEmptyReduction(_ op: String, _ axes: [Int]?) throws {
    let norm = try parseAxes(axes, rank: rank)
    if norm.contains(where: { shape[$0] == 0 }) {
      throw TensorError("Error in \(op): cannot reduce over an empty dimension.")
    }
  }

  // MARK: - Composite reductions

  /// `tf.logSumExp(x, axis?, keepDims)`: `max + log(Σ exp(x - max))`, stable.
  public func logSumExp(_ axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    let norm = try parseAxes(axes, rank: rank)
    return try Engine.shared.tidy {
      // The result does not depend on the shift, so no gradient flows through it.
      let xMax = try Engine.shared.noGrad { try self.max(norm, keepDims: true) }
      let shifted = try self.sub(xMax)
      let logSum = try shifted.exp().sum(norm).log()
      let res = try xMax.reshape(logSum.shape).add(logSum)
      return keepDims ? try res.reshape(reductionLayout([], shape, axes: norm).keptShape) : res
    }
  }

  /// `tf.moments(x, axes?, keepDims)`: mean and (population) variance.
  public func moments(_ axes: [Int]? = nil, keepDims: Bool = false) throws
    -> (mean: Tensor, variance: Tensor)
  {
    let norm = try parseAxes(axes, rank: rank)
    let result = try Engine.shared.tidy { () throws -> [Tensor] in
      let m = try self.mean(norm, keepDims: keepDims)
      let kept = keepDims ? m : try m.reshape(reductionLayout([], shape, axes: norm).keptShape)
      let x = dtype == .float32 ? self : try self.cast(.float32)
      let variance = try x.sub(kept).square().mean(norm, keepDims: keepDims)
      return [m, variance]
    }
    return (result[0], result[1])
  }

  /// `tf.norm(x, ord, axis?, keepDims)`: ord is "euclidean", "fro", 1, 2 or ±inf.
  public func norm(
    ord: NormOrder = .euclidean, axes: [Int]? = nil, keepDims: Bool = false
  ) throws -> Tensor {
    try checkAlive()
    return try Engine.shared.tidy {
      var x = self
      var axes = axes
      if rank == 0 { return try abs() }
      if rank != 1 && axes == nil {
        x = try reshape([-1])
        axes = nil
      }
      let norm = try parseAxes(axes, rank: x.rank)
      let result = try Tensor.normImpl(x, ord, norm)
      if keepDims {
        let kept = reductionLayout([], x.shape, axes: norm).keptShape
        return try result.reshape(
          axes == nil && rank != 1 ? [Int](repeating: 1, count: rank) : kept)
      }
      return result
    }
  }

  /// `tf.euclideanNorm(x, axis?, keepDims)`.
  public func euclideanNorm(_ axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    try norm(ord: .euclidean, axes: axes, keepDims: keepDims)
  }

  private static func normImpl(_ x: Tensor, _ p: NormOrder, _ axes: [Int]) throws -> Tensor {
    if axes.count == 1 || x.rank == 1 && axes.count <= 1 {
      switch p {
      case .p(let v) where v == .infinity: return try x.abs().max(axes)
      case .p(let v) where v == -.infinity: return try x.abs().min(axes)
      case .euclidean, .p(2): return try x.abs().square().sum(axes).sqrt()
      case .p(1): return try x.abs().sum(axes)
      case .p(let v): throw TensorError("Error in norm: invalid ord value: \(jsNumber(v))")
      case .fro: throw TensorError("Error in norm: invalid ord value: fro")
      }
    }
    if axes.count == 2 {
      switch p {
      case .p(1): return try x.abs().sum([axes[0]]).max([axes[1] - 1])
      case .p(let v) where v == .infinity: return try x.abs().sum([axes[1]]).max([axes[0]])
      case .p(let v) where v == -.infinity: return try x.abs().sum([axes[1]]).min([axes[0]])
      case .fro, .euclidean: return try x.square().sum(axes).sqrt()
      case .p(let v): throw TensorError("Error in norm: invalid ord value: \(jsNumber(v))")
      }
    }
    throw TensorError("Error in norm: invalid axis: \(shapeText(axes))")
  }

  // MARK: - Scans and selection

  /// `tf.cumsum(x, axis = 0, exclusive, reverse)`, accumulated in the output dtype.
  public func cumsum(axis: Int = 0, exclusive: Bool = false, reverse: Bool = false) throws
    -> Tensor
  {
    try checkAlive()
    let a = try parseAxes([axis], rank: Swift.max(rank, 1))[0]
    if rank == 0 { throw TensorError("Error in cumsum: input must have rank at least 1.") }
    let dt: DType = dtype == .bool ? .int32 : dtype
    let x = self
    let attrs = OpAttrs(["axis": .int(a), "exclusive": .bool(exclusive), "reverse": .bool(reverse)])
    return try Engine.shared.runOp("Cumsum", inputs: [x], attrs: attrs) {
      let n = x.shape[a]
      let inner = sizeOf(Array(x.shape[(a + 1)...]))
      let outer = sizeOf(Array(x.shape[..<a]))
      let src = x.values
      var out = [Float](repeating: 0, count: src.count)
      for o in 0..<outer {
        for k in 0..<inner {
          var acc: Float = 0
          for step in 0..<n {
            let j = reverse ? n - 1 - step : step
            let i = (o * n + j) * inner + k
            if exclusive {
              out[i] = acc
              acc = dt.convert(acc + src[i])
            } else {
              acc = dt.convert(acc + src[i])
              out[i] = acc
            }
          }
        }
      }
      return Tensor.build(out, x.shape, dt)
    }
  }

  /// `tf.topk(x, k = 1, sorted = true)` along the last axis: values and int32 indices,
  /// largest first, ties by lower index.
  public func topk(_ k: Int = 1, sorted: Bool = true) throws -> (values: Tensor, indices: Tensor) {
    try checkAlive()
    if rank == 0 { throw TensorError("topk() expects the input to be of rank 1 or higher") }
    let last = shape[rank - 1]
    if k < 0 { throw TensorError("'k' passed to topk() must be >= 0 but got \(k)") }
    if k > last {
      throw TensorError("'k' passed to topk() must be <= the last dimension (\(last)) but got \(k)")
    }
    let x = self
    var outShape = shape
    outShape[rank - 1] = k
    let outs = try Engine.shared.runOpMulti(
      "TopK", inputs: [x], attrs: OpAttrs(["k": .int(k), "sorted": .bool(sorted)])
    ) {
      let rows = last == 0 ? 0 : x.size / last
      var values = [Float]()
      var indices = [Float]()
      values.reserveCapacity(rows * k)
      indices.reserveCapacity(rows * k)
      let src = x.values
      for r in 0..<rows {
        let order = (0..<last).sorted { i, j in
          let (a, b) = (src[r * last + i], src[r * last + j])
          if a.isNaN != b.isNaN { return a.isNaN }
          return a != b && !a.isNaN ? a > b : i < j
        }
        for i in order.prefix(k) {
          values.append(src[r * last + i])
          indices.append(Float(i))
        }
      }
      return [Tensor.build(values, outShape, x.dtype), Tensor.build(indices, outShape, .int32)]
    }
    return (outs[0], outs[1])
  }
}

/// The `ord` argument of `tf.norm`.
public enum NormOrder: Equatable {
  /// The default: 2-norm of vectors, Frobenius of matrices.
  case euclidean
  /// Frobenius (matrices only).
  case fro
  /// A number: 1, 2 or ±infinity (others are TF.js's "invalid ord value" error).
  case p(Double)
}
