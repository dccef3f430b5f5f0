// Creating tensors (`tf.tensor`, `tf.zeros`, `tf.range`, `tf.oneHot` ...) and
// moving their elements (`reshape`, `transpose`, `concat`, `slice`, `gather`
// ...), with TF.js's argument forms and messages.

import ScriptCore
import TensorEngine

// MARK: - Values → tensor (tf.tensor and friends)

/// The rank a TensorLike's nesting implies (0 for a primitive, 1 for a typed array).
private func nestingRank(_ v: Value) -> Int {
  guard case .object(let o) = v else { return 0 }
  if o is TypedArrayObject { return 1 }
  if let a = o as? JSArray { return 1 + (a.elements.first.map(nestingRank) ?? 0) }
  return 0
}

private let rankWords = [1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"]

extension TFContext {
  /// `tf.tensor(values, shape?, dtype?)` as TF.js's `makeTensor` reads its values.
  func makeTensor(_ v: Value, shape: [Int]?, dtype: DType?, function: String) throws -> Tensor {
    switch v {
    case .number(let d):
      return try Tensor.tensor([Float(d)], shape: shape ?? [], dtype: dtype ?? .float32)
    case .bool(let b):
      return try Tensor.tensor([b ? 1 : 0], shape: shape ?? [], dtype: dtype ?? .bool)
    case .object(let o) where o is TypedArrayObject || o is JSArray:
      if let typed = o as? TypedArrayObject {
        return try Tensor.tensor(
          typed.values.map { Float($0) }, shape: shape ?? [typed.values.count],
          dtype: dtype ?? typed.kind.dtype)
      }
      if v.isStringLike {
        throw argumentError("string tensors are not supported by tl (float32, int32 and bool are)")
      }
      if let array = o as? JSArray, let flat = flattenRegularArray(array),
        shape == nil || flat.shape.count <= 1 || flat.shape == shape
      {
        return try Tensor.tensor(
          flat.values, shape: shape ?? flat.shape, dtype: dtype ?? (flat.isBool ? .bool : .float32))
      }
      return try Tensor.tensor(
        nested: try nestedValues(v, "values", function), shape: shape,
        dtype: dtype ?? inferredDtype(v))
    case .string:
      throw argumentError("string tensors are not supported by tl (float32, int32 and bool are)")
    default:
      throw argumentError(
        "values passed to tensor(values) must be a number/boolean/string or an array of "
          + "numbers/booleans/strings, or a TypedArray")
    }
  }

  /// `tf.tensorNd(values, shape?, dtype?)` with TF.js's rank checks.
  private func tensorOfRank(_ rank: Int) -> OpDef {
    let name = "tensor\(rank)d"
    let word = rankWords[rank] ?? String(rank)
    return OpDef(name, rank == 1 ? 2 : 3, chain: .none) { [self] _, a in
      let shapeIndex = rank == 1 ? -1 : 1
      let shape = shapeIndex < 0 ? nil : try a.optionalShape(shapeIndex)
      let dtype = try a.dtype(rank == 1 ? 1 : 2)
      if let shape, shape.count != rank {
        throw argumentError("\(name)() requires shape to have \(word) numbers")
      }
      let inferred = nestingRank(a[0])
      if rank == 1 {
        if inferred != 1 { throw argumentError("tensor1d() requires values to be a flat/TypedArray") }
      } else {
        if inferred != rank && inferred != 1 {
          throw argumentError(
            "\(name)() requires values to be number\(String(repeating: "[]", count: rank)) "
              + "or flat/TypedArray")
        }
        if inferred == 1 && shape == nil {
          throw argumentError(
            "\(name)() requires shape to be provided when `values` are a flat/TypedArray")
        }
      }
      return wrap(try makeTensor(a[0], shape: shape, dtype: dtype, function: name))
    }
  }

  // MARK: - Creation ops

  var creationOps: [OpDef] {
    [
      OpDef("tensor", 3, chain: .none) { [self] _, a in
        wrap(try makeTensor(a[0], shape: try a.optionalShape(1), dtype: try a.dtype(2),
                            function: "tensor"))
      },
      OpDef("scalar", 2, chain: .none) { [self] _, a in
        if case .object(let o) = a[0], o is JSArray || o is TypedArrayObject {
          throw argumentError(
            "Error creating a new Scalar: value must be a primitive (number|boolean|string)")
        }
        return wrap(try makeTensor(a[0], shape: [], dtype: try a.dtype(1), function: "scalar"))
      },
      tensorOfRank(1), tensorOfRank(2), tensorOfRank(3), tensorOfRank(4), tensorOfRank(5),
      tensorOfRank(6),
      OpDef("zeros", 2, chain: .none) { [self] _, a in
        wrap(try Tensor.zeros(try a.shape(0), dtype: try a.dtype(1) ?? .float32))
      },
      OpDef("ones", 2, chain: .none) { [self] _, a in
        wrap(try Tensor.ones(try a.shape(0), dtype: try a.dtype(1) ?? .float32))
      },
      OpDef("fill", 3, chain: .none) { [self] _, a in
        let value: Float
        if case .bool(let b) = a[1] { value = b ? 1 : 0 } else {
          value = Float(try a.number(1, name: "value"))
        }
        let inferred: DType = { if case .bool = a[1] { return .bool } else { return .float32 } }()
        return wrap(try Tensor.fill(try a.shape(0), value, dtype: try a.dtype(2) ?? inferred))
      },
      OpDef("zerosLike", 1) { [self] _, a in wrap(try Tensor.zerosLike(try a.tensor(0, "x"))) },
      OpDef("onesLike", 1) { [self] _, a in wrap(try Tensor.onesLike(try a.tensor(0, "x"))) },
      OpDef("range", 4, chain: .none) { [self] _, a in
        wrap(try Tensor.range(
          try a.number(0, name: "start"), try a.number(1, name: "stop"),
          step: try a.double(2, "step", default: 1), dtype: try a.dtype(3) ?? .float32))
      },
      OpDef("linspace", 3, chain: .none) { [self] _, a in
        wrap(try Tensor.linspace(
          try a.number(0, name: "start"), try a.number(1, name: "stop"),
          try a.integer(2, name: "num")))
      },
      OpDef("eye", 4, chain: .none) { [self] _, a in
        wrap(try Tensor.eye(
          try a.integer(0, name: "numRows"),
          numColumns: a[1].isNullish ? nil : try a.integer(1, name: "numColumns"),
          batchShape: try a.optionalShape(2, "batchShape") ?? [], dtype: try a.dtype(3) ?? .float32))
      },
      OpDef("oneHot", 5) { [self] _, a in
        wrap(try Tensor.oneHot(
          try a.tensor(0, "indices", dtype: .int32), depth: try a.integer(1, name: "depth"),
          onValue: Float(try a.double(2, "onValue", default: 1)),
          offValue: Float(try a.double(3, "offValue", default: 0)),
          dtype: try a.dtype(4) ?? .int32))
      },
      OpDef("clone", 1) { [self] _, a in wrap(try a.tensor(0, "x").clone()) },
    ]
  }

  // MARK: - Movement ops

  var movementOps: [OpDef] {
    [
      OpDef("reshape", 2) { [self] _, a in
        wrap(try a.tensor(0, "x").reshape(try a.shape(1)))
      },
      OpDef("expandDims", 2) { [self] _, a in
        wrap(try a.tensor(0, "x").expandDims(try a.int(1, "axis", default: 0)))
      },
      OpDef("squeeze", 2) { [self] _, a in
        wrap(try a.tensor(0, "x").squeeze(try a.axes(1)))
      },
      OpDef("transpose", 2) { [self] _, a in
        wrap(try a.tensor(0, "x").transpose(a[1].isNullish ? nil : try a.intList(1, "perm")))
      },
      OpDef("broadcastTo", 2) { [self] _, a in
        wrap(try a.tensor(0, "x").broadcastTo(try a.shape(1)))
      },
      OpDef("tile", 2) { [self] _, a in wrap(try a.tensor(0, "x").tile(try a.intList(1, "reps"))) },
      OpDef("reverse", 2) { [self] _, a in wrap(try a.tensor(0, "x").reverse(try a.axes(1))) },
      OpDef("concat", 2, chain: .none) { [self] _, a in
        let ts = try a.tensorList(0, "tensors")
        if ts.isEmpty { throw argumentError("Cannot concat an empty array of tensors") }
        return wrap(try Tensor.concat(ts, axis: try a.int(1, "axis", default: 0)))
      },
      OpDef("stack", 2, chain: .none) { [self] _, a in
        let ts = try a.tensorList(0, "tensors")
        if ts.isEmpty { throw argumentError("Pass at least one tensor to tf.stack") }
        return wrap(try Tensor.stack(ts, axis: try a.int(1, "axis", default: 0)))
      },
      OpDef("unstack", 2) { [self] _, a in
        wrapList(try a.tensor(0, "x").unstack(axis: try a.int(1, "axis", default: 0)))
      },
      OpDef("split", 3) { [self] _, a in
        let x = try a.tensor(0, "x")
        let axis = try a.int(2, "axis", default: 0)
        if case .number = a[1] {
          return wrapList(try x.split(try a.integer(1, name: "numOrSizeSplits"), axis: axis))
        }
        return wrapList(try x.split(sizes: try a.intList(1, "numOrSizeSplits"), axis: axis))
      },
      OpDef("slice", 3) { [self] _, a in
        let x = try a.tensor(0, "x")
        let begin = try a.shape(1, "begin")
        let size = try a.optionalShape(2, "size")
        return wrap(try x.slice(begin, size))
      },
      OpDef("stridedSlice", 9) { [self] _, a in
        wrap(try a.tensor(0, "x").stridedSlice(
          try a.intList(1, "begin"), try a.intList(2, "end"),
          a[3].isNullish ? nil : try a.intList(3, "strides"),
          beginMask: try a.int(4, "beginMask", default: 0),
          endMask: try a.int(5, "endMask", default: 0),
          ellipsisMask: try a.int(6, "ellipsisMask", default: 0),
          newAxisMask: try a.int(7, "newAxisMask", default: 0),
          shrinkAxisMask: try a.int(8, "shrinkAxisMask", default: 0)))
      },
      OpDef("gather", 4) { [self] _, a in
        wrap(try a.tensor(0, "x").gather(
          try a.tensor(1, "indices", dtype: .int32), axis: try a.int(2, "axis", default: 0),
          batchDims: try a.int(3, "batchDims", default: 0)))
      },
      OpDef("pad", 3) { [self] _, a in
        let x = try a.tensor(0, "x")
        let paddings = try padPairs(a, 1)
        return wrap(try x.pad(paddings, constantValue: Float(try a.double(2, "constantValue", default: 0))))
      },
      OpDef("mirrorPad", 3) { [self] _, a in
        let x = try a.tensor(0, "x")
        let paddings = try padPairs(a, 1)
        let modeName = try a.string(2, name: "mode")
        guard let mode = Tensor.MirrorPadMode(rawValue: modeName) else {
          throw argumentError("Invalid mode. Mode must be either reflect or symmetric. Got \(modeName).")
        }
        return wrap(try x.mirrorPad(paddings, mode: mode))
      },
      OpDef("diag", 1, chain: .none) { [self] _, a in wrap(try a.tensor(0, "x").diag()) },
      OpDef("unsortedSegmentSum", 3) { [self] _, a in
        wrap(try a.tensor(0, "x").unsortedSegmentSum(
          try a.tensor(1, "segmentIds", dtype: .int32),
          numSegments: try a.integer(2, name: "numSegments")))
      },
      OpDef("where", 3, chain: .none) { [self] _, a in
        wrap(try Tensor.where(
          try a.tensor(0, "condition", dtype: .bool), try a.tensor(1, "a"), try a.tensor(2, "b")))
      },
    ]
  }

  /// A `[[before, after], ...]` paddings argument.
  private func padPairs(_ a: Arguments, _ i: Int) throws -> [[Int]] {
    guard case .object(let o) = a[i], let rows = o as? JSArray else {
      throw a.typeError(i, name: "paddings", expected: "an array of [before, after] pairs")
    }
    return try rows.elements.map { row in
      try Arguments([row], function: a.function).intList(0, "paddings")
    }
  }

  // MARK: - Chained ops whose receiver is not simply the first argument

  var receiverChainedOps: [NativeEntry] {
    [
      method("concat", 2) { [self] _, t, a, _ in
        var list = [t]
        if case .object(let o) = a[0], o is JSArray {
          list += try a.tensorList(0, "tensors")
        } else {
          list.append(try a.tensor(0, "tensors"))
        }
        return wrap(try Tensor.concat(list, axis: try a.int(1, "axis", default: 0)))
      },
      method("stack", 2) { [self] _, t, a, _ in
        var list = [t]
        if case .object(let o) = a[0], o is JSArray {
          list += try a.tensorList(0, "tensors")
        } else {
          list.append(try a.tensor(0, "tensors"))
        }
        return wrap(try Tensor.stack(list, axis: try a.int(1, "axis", default: 0)))
      },
      method("where", 2) { [self] _, t, a, _ in
        wrap(try Tensor.where(try a.tensor(0, "condition", dtype: .bool), t, try a.tensor(1, "b")))
      },
      method("reshapeAs", 1) { [self] _, t, a, _ in
        wrap(try t.reshape(try a.tensor(0, "x").shape))
      },
      method("flatten", 0) { [self] _, t, _, _ in wrap(try t.reshape([-1])) },
      method("resizeBilinear", 3) { [self] _, t, a, _ in
        wrap(try t.resizeBilinear(
          size: try a.intList(0, "size"), alignCorners: a.flag(1), halfPixelCenters: a.flag(2)))
      },
      method("resizeNearestNeighbor", 3) { [self] _, t, a, _ in
        wrap(try t.resizeNearestNeighbor(
          size: try a.intList(0, "size"), alignCorners: a.flag(1), halfPixelCenters: a.flag(2)))
      },
      method("toFloat", 0) { [self] _, t, _, _ in wrap(try t.cast(.float32)) },
      method("toInt", 0) { [self] _, t, _, _ in wrap(try t.cast(.int32)) },
      method("toBool", 0) { [self] _, t, _, _ in wrap(try t.cast(.bool)) },
      method("asType", 1) { [self] _, t, a, _ in
        guard let dtype = try a.dtype(0) else {
          throw argumentError("Argument 'dtype' passed to 'asType' must be a dtype, but got undefined")
        }
        return wrap(try t.cast(dtype))
      },
      method("asScalar", 0) { [self] _, t, _, _ in
        if t.size != 1 { throw argumentError("The array must have only 1 element.") }
        return wrap(try t.reshape([]))
      },
      method("as1D", 0) { [self] _, t, _, _ in wrap(try t.reshape([t.size])) },
      method("as2D", 2) { [self] _, t, a, _ in
        wrap(try t.reshape([try a.integer(0, name: "rows"), try a.integer(1, name: "columns")]))
      },
      method("as3D", 3) { [self] _, t, a, _ in
        wrap(try t.reshape(try (0..<3).map { try a.integer($0, name: "shape") }))
      },
      method("as4D", 4) { [self] _, t, a, _ in
        wrap(try t.reshape(try (0..<4).map { try a.integer($0, name: "shape") }))
      },
    ]
  }
}
