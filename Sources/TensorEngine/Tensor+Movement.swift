// SPDX-License-Identifier: MIT
import Foundation

// Movement ops: transpose, concat, stack, unstack, split, slice, tile,
// reverse, pad. Tape names are TF.js's: Transpose, Concat, Pack, Unpack,
// SplitV, Slice, Tile, Reverse, PadV2.

extension Tensor {
  // MARK: - Transpose

  /// `tf.transpose(x, perm?)`; the default reverses the dimensions.
  public func transpose(_ perm: [Int]? = nil) throws -> Tensor {
    try checkAlive()
    let p = perm ?? Array((0..<rank).reversed())
    if p.count != rank {
      throw TensorError(
        "Error in transpose: rank of input \(rank) must match length of perm \(shapeText(p)).")
    }
    for axis in p where axis < 0 || axis >= rank {
      throw TensorError(
        "All entries in 'perm' must be between 0 and \(rank - 1) but got \(shapeText(p))")
    }
    if Set(p).count != rank {
      throw TensorError("Error in transpose: perm \(shapeText(p)) must be a permutation.")
    }
    let x = self
    return try Engine.shared.runOp("Transpose", inputs: [x], attrs: OpAttrs(["perm": .ints(p)])) {
      Tensor.build(transposeValues(x.values, x.shape, p), p.map { x.shape[$0] }, x.dtype)
    }
  }

  // MARK: - Concat, stack, unstack, split

  /// `tf.concat(tensors, axis)`: joins along an existing axis (dtypes upcast).
  public static func concat(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
    guard let first = tensors.first else {
      throw TensorError("Cannot concat an empty array of tensors.")
    }
    for t in tensors { try t.checkAlive() }
    if tensors.count == 1 { return try first.clone() }
    let rank = first.rank
    if rank == 0 { throw TensorError("Can not concat scalars. Use tf.stack instead.") }
    for (i, t) in tensors.enumerated() where t.rank != rank {
      throw TensorError(
        "Error in concat\(rank)D: rank of tensors[\(i)] must be the same as the rank of the "
          + "rest (\(rank))")
    }
    let a = try parseAxes([axis], rank: rank)[0]
    for (i, t) in tensors.enumerated() {
      for d in 0..<rank where d != a && t.shape[d] != first.shape[d] {
        throw TensorError(
          "Error in concat\(rank)D: Shape of tensors[\(i)] (\(shapeText(t.shape))) does not "
            + "match the shape of the rest (\(shapeText(first.shape))) along the "
            + "non-concatenated axis \(i).")
      }
    }
    var outShape = first.shape
    outShape[a] = try tensors.reduce(0) { try checkedAdd($0, $1.shape[a]) }
    try checkShape(outShape)
    let dtype = tensors.dropFirst().reduce(first.dtype) { DType.upcast($0, $1.dtype) }
    let attrs = OpAttrs(["axis": .int(a), "sizes": .ints(tensors.map { $0.shape[a] })])
    return try Engine.shared.runOp("Concat", inputs: tensors, attrs: attrs) {
      let outer = sizeOf(Array(first.shape[..<a]))
      let blocks = tensors.map { sizeOf(Array($0.shape[a...])) }
      let rowSize = blocks.reduce(0, +)
      var out = [Float](repeating: 0, count: outer * rowSize)
      out.withUnsafeMutableBufferPointer { op in
        guard let o = op.baseAddress else { return }
        var col = 0
        for (t, block) in zip(tensors, blocks) {
          t.storage.values.withUnsafeBufferPointer { sp in
            guard let s = sp.baseAddress else { return }
            for r in 0..<outer { (o + r * rowSize + col).update(from: s + r * block, count: block) }
          }
          col += block
        }
      }
      return Tensor.build(out, outShape, dtype)
    }
  }

  /// `tf.stack(tensors, axis)`: joins equal-shaped tensors along a new axis.
  public static func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
    guard let first = tensors.first else {
      throw TensorError("Pass at least one tensor to tf.stack")
    }
    for t in tensors {
      try t.checkAlive()
      if t.shape != first.shape {
        throw TensorError("All tensors passed to stack must have matching shapes")
      }
      if t.dtype != first.dtype {
        throw TensorError("All tensors passed to stack must have matching dtypes")
      }
    }
    if axis < -(first.rank + 1) || axis > first.rank {
      throw TensorError("Axis must be <= rank of the tensor")
    }
    let a = axis < 0 ? axis + first.rank + 1 : axis
    return try Engine.shared.runOp("Pack", inputs: tensors, attrs: OpAttrs(["axis": .int(a)])) {
      try concat(try tensors.map { try $0.expandDims(a) }, axis: a)
    }
  }

  /// `tf.unstack(x, axis)`: splits along an axis into tensors of one rank less.
  public func unstack(axis: Int = 0) throws -> [Tensor] {
    try checkAlive()
    if axis < -rank || axis >= rank {
      throw TensorError("Axis = \(axis) is not in [-\(rank), \(rank))")
    }
    let a = axis < 0 ? axis + rank : axis
    let x = self
    var outShape = shape
    outShape.remove(at: a)
    return try Engine.shared.runOpMulti("Unpack", inputs: [x], attrs: OpAttrs(["axis": .int(a)])) {
      try (0..<x.shape[a]).map { i in
        var begin = [Int](repeating: 0, count: x.rank)
        begin[a] = i
        var size = x.shape
        size[a] = 1
        return try x.slice(begin, size).reshape(outShape)
      }
    }
  }

  /// `tf.split(x, count, axis)`: `count` equal parts.
  public func split(_ count: Int, axis: Int = 0) throws -> [Tensor] {
    try checkAlive()
    let a = try parseAxes([axis], rank: rank)[0]
    if count <= 0 || shape[a] % count != 0 {
      throw TensorError("Number of splits must evenly divide the axis.")
    }
    // Only an empty axis divides by any count: 2^52 empty parts would exhaust memory.
    if count > Swift.max(shape[a], 1 << 16) {
      throw TensorError("Error in split: \(count) parts of an axis of size \(shape[a]) is too many.")
    }
    return try split(sizes: [Int](repeating: shape[a] / count, count: count), axis: a)
  }

  /// `tf.split(x, sizes, axis)`: parts of the given sizes (one may be -1).
  public func split(sizes: [Int], axis: Int = 0) throws -> [Tensor] {
    try checkAlive()
    let a = try parseAxes([axis], rank: rank)[0]
    var sz = sizes
    let negatives = sz.filter { $0 == -1 }.count
    if negatives > 1 {
      throw TensorError("There should be only one negative value in split array.")
    }
    // Sums in Double: user sizes near 2^53 would overflow an Int sum.
    func total(_ xs: [Int]) -> Double { xs.reduce(0.0) { $0 + Double($1) } }
    if let j = sz.firstIndex(of: -1) {
      let rest = total(sz.filter { $0 > 0 })
      sz[j] = rest <= Double(shape[a]) ? shape[a] - Int(rest) : -1
    }
    if total(sz) != Double(shape[a]) || sz.contains(where: { $0 < 0 }) {
      throw TensorError("The sum of sizes must match the size of the axis dimension.")
    }
    let x = self
    return try Engine.shared.runOpMulti(
      "SplitV", inputs: [x], attrs: OpAttrs(["axis": .int(a), "sizes": .ints(sz)])
    ) {
      var begin = [Int](repeating: 0, count: x.rank)
      return try sz.map { s in
        var size = x.shape
        size[a] = s
        defer { begin[a] += s }
        return try x.slice(begin, size)
      }
    }
  }

  // MARK: - Slice

  /// `tf.slice(x, begin, size?)`: `begin`/`size` may be shorter than the rank; size -1 = rest.
  public func slice(_ begin: [Int], _ size: [Int]? = nil) throws -> Tensor {
    try checkAlive()
    var b = begin
    if b.count < rank { b += [Int](repeating: 0, count: rank - b.count) }
    if b.contains(-1) { throw TensorError("slice() does not support negative begin indexing.") }
    var s = size ?? [Int](repeating: -1, count: rank)
    if s.count < rank { s += [Int](repeating: -1, count: rank - s.count) }
    for i in 0..<Swift.min(s.count, rank) where s[i] < 0 {
      if s[i] != -1 {
        throw TensorError(
          "Negative size values should be exactly -1 but got \(s[i]) for the "
            + "slice() size at index \(i).")
      }
      s[i] = shape[i] - b[i]
    }
    if b.count != rank {
      throw TensorError(
        "Error in slice\(rank)D: Length of begin \(shapeText(b)) must match the "
          + "rank of the array (\(rank)).")
    }
    if s.count != rank {
      throw TensorError(
        "Error in slice\(rank)D: Length of size \(shapeText(s)) must match the "
          + "rank of the array (\(rank)).")
    }
    for i in 0..<rank where b[i] < 0 || s[i] < 0 || b[i] > shape[i] || s[i] > shape[i] - b[i] {
      throw TensorError(
        "Error in slice\(rank)D: begin[\(i)] + size[\(i)] (\(b[i] &+ s[i])) would "
          + "overflow input.shape[\(i)] (\(shape[i]))")
    }
    let x = self
    let strides = computeStrides(shape)
    let offset = zip(b, strides).reduce(0) { $0 + $1.0 * $1.1 }
    return try Engine.shared.runOp(
      "Slice", inputs: [x], attrs: OpAttrs(["begin": .ints(b), "size": .ints(s)])
    ) {
      Tensor.build(copyStrided(x.values, offset: offset, strides: strides, outShape: s), s, x.dtype)
    }
  }

  // MARK: - Tile, reverse, pad

  /// `tf.tile(x, reps)`: repeats the tensor `reps[d]` times along each dimension.
  public func tile(_ reps: [Int]) throws -> Tensor {
    try checkAlive()
    if reps.count != rank {
      throw TensorError(
        "Error in transpose: rank of input \(rank) must match length of reps \(shapeText(reps)).")
    }
    if reps.contains(where: { $0 < 0 }) {
      throw TensorError("Error in tile: reps must be non-negative, but got \(shapeText(reps)).")
    }
    let outShape = try zip(shape, reps).map { try checkedMultiply($0, $1) }
    try Tensor.checkShape(outShape)
    let x = self
    return try Engine.shared.runOp("Tile", inputs: [x], attrs: OpAttrs(["reps": .ints(reps)])) {
      // An empty result needs no work (and repeating an empty block 2^52 times would hang).
      if sizeOf(outShape) == 0 { return Tensor.build([], outShape, x.dtype) }
      var values = x.values
      var cur = x.shape
      // Tile one dimension at a time, innermost first: each step is a block repeat.
      for d in stride(from: x.rank - 1, through: 0, by: -1) where reps[d] != 1 {
        let outer = sizeOf(Array(cur[..<d]))
        let block = sizeOf(Array(cur[d...]))
        var next = [Float]()
        next.reserveCapacity(outer * block * reps[d])
        for o in 0..<outer {
          let row = values[(o * block)..<((o + 1) * block)]
          for _ in 0..<reps[d] { next.append(contentsOf: row) }
        }
        values = next
        cur[d] *= reps[d]
      }
      return Tensor.build(values, outShape, x.dtype)
    }
  }

  /// `tf.reverse(x, axis?)`: reverses the given axes (all when nil).
  public func reverse(_ axes: [Int]? = nil) throws -> Tensor {
    try checkAlive()
    let norm = Set(try parseAxes(axes, rank: rank))
    let x = self
    var strides = computeStrides(shape)
    var offset = 0
    for d in norm where shape[d] > 0 {
      offset += (shape[d] - 1) * strides[d]
      strides[d] = -strides[d]
    }
    return try Engine.shared.runOp(
      "Reverse", inputs: [x], attrs: OpAttrs(["dims": .ints(norm.sorted())])
    ) {
      Tensor.build(
        copyStrided(x.values, offset: offset, strides: strides, outShape: x.shape),
        x.shape, x.dtype)
    }
  }

  /// `tf.pad(x, paddings, constantValue)`: `paddings[d] = [before, after]`.
  public func pad(_ paddings: [[Int]], constantValue: Float = 0) throws -> Tensor {
    try checkAlive()
    if rank == 0 { throw TensorError("pad(scalar) is not defined. Pass non-scalar to pad") }
    if paddings.count != rank || paddings.contains(where: { $0.count != 2 }) {
      throw TensorError("Invalid number of paddings. Must be length of 2.")
    }
    if paddings.joined().contains(where: { $0 < 0 }) {
      throw TensorError("Paddings must be non-negative, but got \(paddings).")
    }
    let outShape = try (0..<rank).map {
      try checkedAdd(checkedAdd(shape[$0], paddings[$0][0]), paddings[$0][1])
    }
    try Tensor.checkShape(outShape)
    let x = self
    let fill = dtype.convert(constantValue)
    return try Engine.shared.runOp(
      "PadV2", inputs: [x],
      attrs: OpAttrs([
        "paddings": .ints(paddings.flatMap { $0 }),
        "constantValue": .float(Double(constantValue)),
      ])
    ) {
      var out = [Float](repeating: fill, count: sizeOf(outShape))
      let inner = x.shape[x.rank - 1]
      guard inner > 0, x.size > 0 else { return Tensor.build(out, outShape, x.dtype) }
      padRows(x.values, x.shape, into: &out, outShape, before: paddings.map { $0[0] })
      return Tensor.build(out, outShape, x.dtype)
    }
  }
}

extension Tensor {
  /// How `mirrorPad` reflects: `reflect` excludes the edge, `symmetric` repeats it.
  public enum MirrorPadMode: String {
    case reflect, symmetric
  }

  /// `tf.mirrorPad(x, paddings, mode)`: pads by mirroring the tensor at its edges.
  public func mirrorPad(_ paddings: [[Int]], mode: MirrorPadMode) throws -> Tensor {
    try checkAlive()
    if paddings.count != rank {
      throw TensorError("Padding doesn't match input. Must be \(rank). Got \(paddings.count).")
    }
    let offset = mode == .reflect ? 1 : 0
    for (i, p) in paddings.enumerated() {
      if p.count != 2 { throw TensorError("Invalid number of paddings. Must be length of 2 each.") }
      if p[0] < 0 || p[0] > shape[i] - offset || p[1] < 0 || p[1] > shape[i] - offset {
        throw TensorError(
          "Padding in dimension \(i) cannot be greater than or equal to "
            + "\(shape[i] - offset) or less than 0 for input of shape \(shapeText(shape))")
      }
    }
    let outShape = (0..<rank).map { shape[$0] + paddings[$0][0] + paddings[$0][1] }
    // Per dimension, the input index each output index reads.
    let maps: [[Int]] = (0..<rank).map { d in
      let n = shape[d]
      return (0..<outShape[d]).map { o in
        let i = o - paddings[d][0]
        if i < 0 { return mode == .reflect ? -i : -i - 1 }
        if i >= n { return mode == .reflect ? 2 * (n - 1) - i : 2 * n - 1 - i }
        return i
      }
    }
    let x = self
    let attrs = OpAttrs([
      "paddings": .ints(paddings.flatMap { $0 }), "mode": .string(mode.rawValue),
    ])
    return try Engine.shared.runOp("MirrorPad", inputs: [x], attrs: attrs) {
      let src = x.values
      let strides = computeStrides(x.shape)
      let out = (0..<sizeOf(outShape)).map { flat -> Float in
        var rem = flat
        var off = 0
        for d in stride(from: x.rank - 1, through: 0, by: -1) {
          off += maps[d][rem % outShape[d]] * strides[d]
          rem /= outShape[d]
        }
        return src[off]
      }
      return Tensor.build(out, outShape, x.dtype)
    }
  }
}

/// Values of a dense array with dimensions permuted by `perm`.
func transposeValues(_ values: [Float], _ shape: [Int], _ perm: [Int]) -> [Float] {
  let strides = computeStrides(shape)
  return copyStrided(
    values, offset: 0, strides: perm.map { strides[$0] },
    outShape: perm.map { shape[$0] })
}
