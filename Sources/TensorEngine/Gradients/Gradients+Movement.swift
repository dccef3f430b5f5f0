// SPDX-License-Identifier: MIT
import Foundation

// Gradients of the movement ops: each routes the upstream gradient back to
// where the forward op read it from (inverse transpose, split for concat,
// pad for slice, scatter-add for gather, block sums for tile, ...).

extension Gradients {
  static func movementRules() -> [String: GradientRule] {
    var r: [String: GradientRule] = [:]
    r["Reshape"] = { g in [g.needs(0) ? try g.dy.reshape(g.input(0).shape) : nil] }
    r["BroadcastTo"] = { g in [g.needs(0) ? try sumToShape(g.dy, g.input(0).shape) : nil] }
    r["Transpose"] = { g in
      guard g.needs(0) else { return [nil] }
      let perm = g.attrs.ints("perm") ?? Array((0..<g.dy.rank).reversed())
      var inverse = [Int](repeating: 0, count: perm.count)
      for (i, p) in perm.enumerated() { inverse[p] = i }
      return [try g.dy.transpose(inverse)]
    }
    r["Concat"] = { g in
      let axis = g.attrs.int("axis") ?? 0
      let sizes = g.node.savedInputs.map { $0.shape[axis] }
      let parts = try g.dy.split(sizes: sizes, axis: axis)
      return parts.enumerated().map { g.needs($0.offset) ? $0.element : nil }
    }
    r["Pack"] = { g in
      let parts = try g.dy.unstack(axis: g.attrs.int("axis") ?? 0)
      return parts.enumerated().map { g.needs($0.offset) ? $0.element : nil }
    }
    r["Unpack"] = { g in
      [g.needs(0) ? try Tensor.stack(g.dys, axis: g.attrs.int("axis") ?? 0) : nil]
    }
    r["SplitV"] = { g in
      [g.needs(0) ? try Tensor.concat(g.dys, axis: g.attrs.int("axis") ?? 0) : nil]
    }
    r["Slice"] = { g in
      guard g.needs(0) else { return [nil] }
      let x = g.input(0)
      let begin = g.attrs.ints("begin") ?? [Int](repeating: 0, count: x.rank)
      let size = g.attrs.ints("size") ?? x.shape
      let paddings = (0..<x.rank).map { [begin[$0], x.shape[$0] - begin[$0] - size[$0]] }
      return [try g.dy.pad(paddings)]
    }
    r["PadV2"] = { g in
      guard g.needs(0) else { return [nil] }
      let x = g.input(0)
      let flat = g.attrs.ints("paddings") ?? [Int](repeating: 0, count: 2 * x.rank)
      let begin = (0..<x.rank).map { flat[2 * $0] }
      return [try g.dy.slice(begin, x.shape)]
    }
    r["Reverse"] = { g in
      [g.needs(0) ? try g.dy.reverse(g.attrs.ints("dims") ?? Array(0..<g.dy.rank)) : nil]
    }
    r["Tile"] = { g in
      guard g.needs(0) else { return [nil] }
      let x = g.input(0)
      let reps = g.attrs.ints("reps") ?? [Int](repeating: 1, count: x.rank)
      // Output dim d is reps[d] blocks of x.shape[d]: split it and sum the block axes.
      let split = (0..<x.rank).flatMap { [reps[$0], x.shape[$0]] }
      let blockAxes = (0..<x.rank).map { 2 * $0 }
      if x.rank == 0 { return [try g.dy.clone()] }
      return [try g.dy.reshape(split).sum(blockAxes).reshape(x.shape)]
    }
    r["StridedSlice"] = { g in
      guard g.needs(0) else { return [nil] }
      let x = g.input(0)
      let begin = g.attrs.ints("begin") ?? []
      let size = g.attrs.ints("size") ?? []
      let steps = g.attrs.ints("strides") ?? []
      let dy = g.dy
      return [try Engine.shared.runOp("StridedSliceGrad", inputs: [dy], attrs: OpAttrs([
        "begin": .ints(begin), "size": .ints(size), "strides": .ints(steps),
        "inputShape": .ints(x.shape),
      ])) { scatterStrided(dy.values, into: x.shape, begin: begin, size: size, steps: steps) }]
    }
    r["StridedSliceGrad"] = { g in
      // The adjoint of the scatter is the strided read again, shaped like the scatter's dy.
      guard g.needs(0) else { return [nil] }
      let (dyShape, upstream, attrs) = (g.input(0).shape, g.dy, g.attrs)
      let begin = attrs.ints("begin") ?? []
      let size = attrs.ints("size") ?? []
      let steps = attrs.ints("strides") ?? []
      let strides = computeStrides(upstream.shape)
      guard begin.count == strides.count, size.count == strides.count, steps.count == strides.count
      else { throw TensorError("StridedSliceGrad: inconsistent slice attributes.") }
      let offset = zip(begin, strides).reduce(0) { $0 + $1.0 * $1.1 }
      let viewStrides = zip(strides, steps).map { $0 * $1 }
      return [try Engine.shared.runOp("StridedSlice", inputs: [upstream], attrs: attrs) {
        let values = sizeOf(size) == 0
          ? [] : copyStrided(upstream.values, offset: offset, strides: viewStrides, outShape: size)
        return Tensor.build(values, dyShape, .float32)
      }]
    }
    r["GatherV2"] = { g in
      let x = g.input(0)
      let indices = g.input(1)
      let (axis, batchDims, dy) = (g.attrs.int("axis") ?? 0, g.attrs.int("batchDims") ?? 0, g.dy)
      let dx = g.needs(0)
        ? try Engine.shared.runOp("GatherGrad", inputs: [dy, indices], attrs: g.attrs) {
          gatherScatter(dy.values, xShape: x.shape, indices: indices, axis: axis,
                        batchDims: batchDims)
        }
        : nil
      return [dx, g.needs(1) ? try zeros(indices.shape) : nil]
    }
    r["GatherGrad"] = { g in
      // The adjoint of the scatter-add is the gather itself.
      let indices = g.input(1)
      let axis = g.attrs.int("axis") ?? 0
      let batchDims = g.attrs.int("batchDims") ?? 0
      return [
        g.needs(0) ? try g.dy.gather(indices, axis: axis, batchDims: batchDims) : nil,
        g.needs(1) ? try zeros(indices.shape) : nil,
      ]
    }
    r["UnsortedSegmentSum"] = { g in
      // TF.js gathers dy back by segment id; ids outside [0, numSegments) were dropped,
      // so their rows get zeros.
      let (x, ids) = (g.input(0), g.input(1))
      guard g.needs(0) else { return [nil, g.needs(1) ? try zeros(ids.shape) : nil] }
      let segments = g.attrs.int("numSegments") ?? g.dy.shape.first ?? 0
      let valid = try ids.greaterEqual(Tensor.scalar(0, dtype: .int32))
        .logicalAnd(try ids.less(Tensor.scalar(Float(segments), dtype: .int32)))
      let clipped = try Tensor.where(valid, ids, try Tensor.zerosLike(ids))
      let ones = [Int](repeating: 1, count: Swift.max(x.rank - 1, 0))
      let mask = try valid.cast(.float32).reshape([ids.size] + ones)
      let dx = segments == 0 ? try zeros(x.shape) : try g.dy.gather(clipped).mul(mask)
      return [dx, g.needs(1) ? try zeros(ids.shape) : nil]
    }
    r["MirrorPad"] = { g in
      // Each output element read one input element: add dy back there (a segment sum
      // over the flat read positions, itself differentiable).
      guard g.needs(0) else { return [nil] }
      let x = g.input(0)
      let flat = g.attrs.ints("paddings") ?? [Int](repeating: 0, count: 2 * x.rank)
      let reflect = g.attrs.string("mode") != "symmetric"
      let positions = mirrorPadSources(x.shape, flat, reflect: reflect)
      let ids = Tensor.build(positions.map(Float.init), [positions.count], .int32)
      return [try g.dy.reshape([positions.count]).unsortedSegmentSum(ids, numSegments: x.size)
        .reshape(x.shape)]
    }
    r["Diag"] = { g in
      // The diagonal of dy, read with a (differentiable) gather.
      guard g.needs(0) else { return [nil] }
      let x = g.input(0)
      let n = x.size
      let diagonal = Tensor.build((0..<n).map { Float($0 * n + $0) }, [n], .int32)
      return [try g.dy.reshape([n * n]).gather(diagonal).reshape(x.shape)]
    }
    r["GatherNd"] = { g in
      let (x, indices) = (g.input(0), g.input(1))
      let dy = g.dy
      let dx = g.needs(0)
        ? try Engine.shared.runOp("GatherNdGrad", inputs: [dy, indices]) {
          gatherNDScatter(dy.values, xShape: x.shape, indices: indices)
        }
        : nil
      return [dx, g.needs(1) ? try zeros(indices.shape) : nil]
    }
    r["GatherNdGrad"] = { g in
      let indices = g.input(1)
      return [
        g.needs(0) ? try g.dy.gatherND(indices) : nil,
        g.needs(1) ? try zeros(indices.shape) : nil,
      ]
    }
    return r
  }

  /// For each element of a mirror-padded `shape` (flat, row-major), the flat index of the
  /// input element it copies.
  static func mirrorPadSources(_ shape: [Int], _ paddings: [Int], reflect: Bool) -> [Int] {
    let rank = shape.count
    let outShape: [Int] = (0..<rank).map { (d: Int) -> Int in
      shape[d] + paddings[2 * d] + paddings[2 * d + 1]
    }
    let maps: [[Int]] = (0..<rank).map { (d: Int) -> [Int] in
      let n = shape[d]
      return (0..<outShape[d]).map { (o: Int) -> Int in
        let i = o - paddings[2 * d]
        if i < 0 { return reflect ? -i : -i - 1 }
        if i >= n { return reflect ? 2 * (n - 1) - i : 2 * n - 1 - i }
        return i
      }
    }
    let strides = computeStrides(shape)
    return (0..<sizeOf(outShape)).map { flat in
      var rem = flat
      var offset = 0
      for d in stride(from: rank - 1, through: 0, by: -1) {
        offset += maps[d][rem % outShape[d]] * strides[d]
        rem /= outShape[d]
      }
      return offset
    }
  }

  /// The gatherND gradient: each `dy` slice added back at the slice its index tuple read.
  static func gatherNDScatter(_ dy: [Float], xShape: [Int], indices: Tensor) -> Tensor {
    var out = [Float](repeating: 0, count: sizeOf(xShape))
    let depth = indices.shape.last ?? 0
    let sliceSize = sizeOf(Array(xShape[Swift.min(depth, xShape.count)...]))
    let strides = computeStrides(xShape)
    let idx = indices.values
    let count = sizeOf(Array(indices.shape.dropLast()))
    for n in 0..<count {
      var offset = 0
      for d in 0..<depth { offset += Int(idx[n * depth + d]) * strides[d] }
      for j in 0..<sliceSize where n * sliceSize + j < dy.count && offset + j < out.count {
        out[offset + j] += dy[n * sliceSize + j]
      }
    }
    return Tensor.build(out, xShape, .float32)
  }

  /// Zeros of `shape` with `values` written at the strided view `begin + idx·steps`
  /// of extent `size` (the inverse of a strided slice's read).
  static func scatterStrided(
    _ values: [Float], into shape: [Int], begin: [Int], size: [Int], steps: [Int]
  ) -> Tensor {
    var out = [Float](repeating: 0, count: sizeOf(shape))
    let rank = shape.count
    let n = sizeOf(size)
    guard n > 0, rank == size.count, rank == begin.count, rank == steps.count,
          values.count == n else {
      return Tensor.build(out, shape, .float32)
    }
    let strides = computeStrides(shape)
    var index = [Int](repeating: 0, count: rank)
    var offset = zip(begin, strides).reduce(0) { $0 + $1.0 * $1.1 }
    for i in 0..<n {
      out[offset] += values[i]
      var d = rank - 1
      while d >= 0 {
        index[d] += 1
        offset += steps[d] * strides[d]
        if index[d] < size[d] { break }
        offset -= steps[d] * strides[d] * index[d]
        index[d] = 0
        d -= 1
      }
    }
    return Tensor.build(out, shape, .float32)
  }

  /// The gather gradient: `dy`'s slices added back at the rows the indices picked
  /// (TF.js's unsortedSegmentSum), with batch dimensions.
  static func gatherScatter(
    _ dy: [Float], xShape: [Int], indices: Tensor, axis: Int, batchDims: Int
  ) -> Tensor {
    var out = [Float](repeating: 0, count: sizeOf(xShape))
    let batch = sizeOf(Array(xShape[..<batchDims]))
    let outer = sizeOf(Array(xShape[batchDims..<axis]))
    let inner = sizeOf(Array(xShape[(axis + 1)...]))
    let dim = xShape[axis]
    let idx = indices.values
    let perBatch = batch == 0 ? 0 : idx.count / batch
    var src = 0
    for b in 0..<batch {
      for o in 0..<outer {
        let base = (b * outer + o) * dim * inner
        for n in 0..<perBatch {
          let start = base + Int(idx[b * perBatch + n]) * inner
          for j in 0..<inner where src + j < dy.count { out[start + j] += dy[src + j] }
          src += inner
        }
      }
    }
    return Tensor.build(out, xShape, .float32)
  }
}
