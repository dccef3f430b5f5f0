// SPDX-License-Identifier: MIT
import Foundation

/// Values nested as JavaScript arrays are (`[[1, 2], [3, 4]]`), for `Tensor.tensor(nested:)`.
public indirect enum NestedValues: Equatable {
  case number(Double)
  case bool(Bool)
  case array([NestedValues])
}

// MARK: - Allocation

extension Tensor {
  /// The machine's memory, read once (each read is a system call).
  static let physicalMemory = ProcessInfo.processInfo.physicalMemory

  /// Largest element count one tensor may hold.
  public static let maxElements = Int(Int32.max)

  /// Validates a shape for allocation: non-negative integer dims, total under the caps.
  static func checkShape(_ shape: [Int]) throws {
    var total = 1
    for d in shape {
      if d < 0 {
        throw TensorError(
          "Tensor must have a shape comprised of positive integers but got shape "
            + "[\(shapeText(shape))].")
      }
      let (product, overflow) = total.multipliedReportingOverflow(by: d)
      if overflow || product > maxElements {
        throw TensorError(
          "Cannot allocate a tensor of shape [\(shapeText(shape))]: more than "
            + "\(maxElements) elements.")
      }
      total = product
    }
    let bytes = UInt64(total) * 4
    if bytes > physicalMemory {
      throw TensorError(
        "Cannot allocate a tensor of shape [\(shapeText(shape))]: \(bytes) bytes exceeds the "
          + "available memory.")
    }
  }

  /// Makes a tensor from values already sized and converted for the dtype (no checks).
  static func build(_ values: [Float], _ shape: [Int], _ dtype: DType) -> Tensor {
    Tensor(storage: TensorStorage(values), shape: shape, dtype: dtype)
  }

  /// Makes a tensor sharing another tensor's buffer with a new shape (no checks).
  static func sharing(_ t: Tensor, shape: [Int], dtype: DType? = nil) -> Tensor {
    Tensor(storage: t.storage, shape: shape, dtype: dtype ?? t.dtype)
  }

  /// Makes a tensor by filling a fresh buffer of `shape`'s size.
  static func filled(
    _ shape: [Int], _ dtype: DType, _ fill: (UnsafeMutableBufferPointer<Float>) -> Void
  ) -> Tensor {
    let n = sizeOf(shape)
    let values = [Float](unsafeUninitializedCapacity: n) { buf, count in
      fill(buf)
      count = n
    }
    return build(values, shape, dtype)
  }
}

// MARK: - Creation ops

extension Tensor {
  /// `tf.tensor(values, shape?, dtype?)` from flat values.
  public static func tensor(_ values: [Float], shape: [Int]? = nil, dtype: DType = .float32)
    throws -> Tensor
  {
    let inferred = [values.count]
    let finalShape = shape ?? inferred
    try checkShape(finalShape)
    let provided = sizeOf(finalShape)
    if shape != nil && provided != values.count {
      throw TensorError(
        "Based on the provided shape, [\(shapeText(finalShape))], the tensor should have "
          + "\(provided) values but has \(values.count)")
    }
    return build(dtype == .float32 ? values : values.map(dtype.convertCreated), finalShape, dtype)
  }

  /// `tf.tensor(nestedArray, shape?, dtype?)`: infers the shape, and the dtype
  /// (bool for booleans, float32 for numbers) unless given.
  public static func tensor(nested: NestedValues, shape: [Int]? = nil, dtype: DType? = nil)
    throws -> Tensor
  {
    let inferred = try inferShape(nested)
    var flat: [Float] = []
    flat.reserveCapacity(sizeOf(inferred))
    var sawBool = false
    var sawNumber = false
    flatten(nested, into: &flat, sawBool: &sawBool, sawNumber: &sawNumber)
    let dt = dtype ?? (sawBool && !sawNumber ? .bool : .float32)
    if let shape {
      try checkShape(shape)
      if sizeOf(shape) != flat.count {
        throw TensorError(
          "Based on the provided shape, [\(shapeText(shape))], the tensor should have "
            + "\(sizeOf(shape)) values but has \(flat.count)")
      }
      if inferred.count > 1 && inferred != shape {
        throw TensorError(
          "Error creating a new Tensor. Inferred shape (\(shapeText(inferred))) does not match "
            + "the provided shape (\(shapeText(shape))). ")
      }
    }
    return build(dt == .float32 ? flat : flat.map(dt.convertCreated), shape ?? inferred, dt)
  }

  /// The shape of a nested array: the lengths along the first elements, then checked
  /// everywhere with TF.js's errors for ragged input.
  static func inferShape(_ v: NestedValues) throws -> [Int] {
    var shape: [Int] = []
    var cur = v
    while case .array(let items) = cur {
      shape.append(items.count)
      guard let first = items.first else { break }
      cur = first
    }
    try assertConsistent(v, shape[...], indices: [])
    return shape
  }

  private static func assertConsistent(
    _ v: NestedValues, _ shape: ArraySlice<Int>, indices: [Int]
  ) throws {
    let name = "arr" + indices.map { "[\($0)]" }.joined()
    guard case .array(let items) = v else {
      if let n = shape.first {
        throw TensorError(
          "Element \(name) is a primitive, but should be an array/TypedArray "
            + "of \(n) elements")
      }
      return
    }
    guard let n = shape.first else {
      throw TensorError(
        "Element \(name) should be a primitive, but is an array of "
          + "\(items.count) elements")
    }
    if items.count != n {
      throw TensorError(
        "Element \(name) should have \(n) elements, but has \(items.count) "
          + "elements")
    }
    for (i, item) in items.enumerated() {
      try assertConsistent(item, shape.dropFirst(), indices: indices + [i])
    }
  }

  private static func flatten(
    _ v: NestedValues, into out: inout [Float], sawBool: inout Bool, sawNumber: inout Bool
  ) {
    switch v {
    case .number(let d):
      sawNumber = true
      out.append(Float(d))
    case .bool(let b):
      sawBool = true
      out.append(b ? 1 : 0)
    case .array(let items):
      for item in items { flatten(item, into: &out, sawBool: &sawBool, sawNumber: &sawNumber) }
    }
  }

  /// `tf.scalar(value, dtype?)`.
  public static func scalar(_ value: Float, dtype: DType = .float32) -> Tensor {
    build([dtype.convert(value)], [], dtype)
  }

  /// `tf.tensor1d(values, dtype?)`.
  public static func tensor1d(_ values: [Float], dtype: DType = .float32) throws -> Tensor {
    try tensor(values, shape: [values.count], dtype: dtype)
  }

  /// `tf.tensor2d(values, shape, dtype?)`; the shape must have rank 2.
  public static func tensor2d(_ values: [Float], shape: [Int], dtype: DType = .float32)
    throws -> Tensor
  {
    try requireRank(shape, 2, "tensor2d() requires shape to have two numbers")
    return try tensor(values, shape: shape, dtype: dtype)
  }

  /// `tf.tensor3d(values, shape, dtype?)`; the shape must have rank 3.
  public static func tensor3d(_ values: [Float], shape: [Int], dtype: DType = .float32)
    throws -> Tensor
  {
    try requireRank(shape, 3, "tensor3d() requires shape to have three numbers")
    return try tensor(values, shape: shape, dtype: dtype)
  }

  /// `tf.tensor4d(values, shape, dtype?)`; the shape must have rank 4.
  public static func tensor4d(_ values: [Float], shape: [Int], dtype: DType = .float32)
    throws -> Tensor
  {
    try requireRank(shape, 4, "tensor4d() requires shape to have four numbers")
    return try tensor(values, shape: shape, dtype: dtype)
  }

  /// `tf.tensor5d(values, shape, dtype?)`; the shape must have rank 5.
  public static func tensor5d(_ values: [Float], shape: [Int], dtype: DType = .float32)
    throws -> Tensor
  {
    try requireRank(shape, 5, "tensor5d() requires shape to have five numbers")
    return try tensor(values, shape: shape, dtype: dtype)
  }

  /// `tf.tensor6d(values, shape, dtype?)`; the shape must have rank 6.
  public static func tensor6d(_ values: [Float], shape: [Int], dtype: DType = .float32)
    throws -> Tensor
  {
    try requireRank(shape, 6, "tensor6d() requires shape to have six numbers")
    return try tensor(values, shape: shape, dtype: dtype)
  }

  private static func requireRank(_ shape: [Int], _ rank: Int, _ message: String) throws {
    if shape.count != rank { throw TensorError(message) }
  }

  /// `tf.fill(shape, value, dtype?)`.
  public static func fill(_ shape: [Int], _ value: Float, dtype: DType = .float32) throws
    -> Tensor
  {
    try checkShape(shape)
    let v = dtype.convert(value)
    return filled(shape, dtype) { $0.initialize(repeating: v) }
  }

  /// `tf.zeros(shape, dtype?)`.
  public static func zeros(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
    try fill(shape, 0, dtype: dtype)
  }

  /// `tf.ones(shape, dtype?)`.
  public static func ones(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
    try fill(shape, 1, dtype: dtype)
  }

  /// `tf.zerosLike(x)`.
  public static func zerosLike(_ x: Tensor) throws -> Tensor {
    try x.checkAlive()
    return try zeros(x.shape, dtype: x.dtype)
  }

  /// `tf.onesLike(x)`.
  public static func onesLike(_ x: Tensor) throws -> Tensor {
    try x.checkAlive()
    return try ones(x.shape, dtype: x.dtype)
  }

  /// `tf.range(start, stop, step = 1, dtype = float32)`, accumulated in the dtype as TF.js does.
  public static func range(
    _ start: Double, _ stop: Double, step: Double = 1, dtype: DType = .float32
  ) throws -> Tensor {
    if step == 0 { throw TensorError("Cannot have a step of zero") }
    if start == stop || (start < stop && step < 0) || (stop < start && step > 1) {
      return try zeros([0], dtype: dtype)
    }
    let count = Swift.abs(((stop - start) / step).rounded(.up))
    guard count.isFinite, count <= Double(maxElements) else {
      let text = count.isFinite ? String(format: "%.0f", count) : "infinitely many"
      throw TensorError(
        "Cannot allocate a range of \(text) values (at most \(maxElements) elements).")
    }
    let n = Int(count)
    let delta = (stop < start && step == 1) ? -1 : step
    var values = [Float](repeating: 0, count: n)
    if n > 0 { values[0] = dtype.convert(Float(start)) }
    for i in stride(from: 1, to: n, by: 1) {
      values[i] = dtype.convert(Float(Double(values[i - 1]) + delta))
    }
    return build(values, [n], dtype)
  }

  /// `tf.linspace(start, stop, num)`: float32, accumulated as TF.js does.
  public static func linspace(_ start: Double, _ stop: Double, _ num: Int) throws -> Tensor {
    if num <= 0 { throw TensorError("The number of values should be positive.") }
    try checkShape([num])
    let step = (stop - start) / Double(num - 1)
    var values = [Float](repeating: 0, count: num)
    values[0] = Float(start)
    for i in stride(from: 1, to: num, by: 1) { values[i] = Float(Double(values[i - 1]) + step) }
    return build(values, [num], .float32)
  }

  /// `tf.eye(numRows, numColumns?, batchShape?, dtype?)`.
  public static func eye(
    _ numRows: Int, numColumns: Int? = nil, batchShape: [Int] = [], dtype: DType = .float32
  ) throws -> Tensor {
    if batchShape.count > 2 {
      throw TensorError(
        "eye() currently supports only 1D and 2D batchShapes, but received "
          + "\(batchShape.count)D.")
    }
    let cols = numColumns ?? numRows
    let shape = batchShape + [numRows, cols]
    try checkShape(shape)
    return filled(shape, dtype) { buf in
      buf.initialize(repeating: 0)
      let matrix = numRows * cols
      guard matrix > 0 else { return }
      for b in 0..<(buf.count / matrix) {
        for i in 0..<Swift.min(numRows, cols) { buf[b * matrix + i * cols + i] = 1 }
      }
    }
  }

  /// `tf.oneHot(indices, depth, onValue = 1, offValue = 0, dtype = int32)`.
  public static func oneHot(
    _ indices: Tensor, depth: Int, onValue: Float = 1, offValue: Float = 0,
    dtype: DType = .int32
  ) throws -> Tensor {
    if depth < 2 { throw TensorError("Error in oneHot: depth must be >=2, but it is \(depth)") }
    try indices.checkAlive()
    try indices.requireDtype(.int32, arg: "indices", op: "oneHot")
    let shape = indices.shape + [depth]
    try checkShape(shape)
    let idx = indices.values
    let on = dtype.convert(onValue)
    let off = dtype.convert(offValue)
    return try Engine.shared.runOp(
      "OneHot", inputs: [indices], attrs: OpAttrs(["depth": .int(depth)])
    ) {
      filled(shape, dtype) { buf in
        buf.initialize(repeating: off)
        for (i, v) in idx.enumerated() where v >= 0 && v < Float(depth) {
          buf[i * depth + Int(v)] = on
        }
      }
    }
  }

  /// `tf.clone(x)`: a new tensor sharing the buffer.
  public func clone() throws -> Tensor {
    try Engine.shared.runOp("Identity", inputs: [self]) { Tensor.sharing(self, shape: shape) }
  }
}

// MARK: - TensorBuffer

/// A mutable buffer to fill before making a tensor (TF.js `tf.buffer`).
public final class TensorBuffer {
  /// Dimensions.
  public let shape: [Int]
  /// Element type.
  public let dtype: DType
  /// The values, row-major.
  public private(set) var values: [Float]
  private let strides: [Int]

  /// `tf.buffer(shape, dtype?, values?)`.
  public init(shape: [Int], dtype: DType = .float32, values: [Float]? = nil) throws {
    try Tensor.checkShape(shape)
    let n = sizeOf(shape)
    if let values, values.count != n {
      throw TensorError(
        "Length of values '\(values.count)' does not match the size inferred by the shape '\(n)'.")
    }
    self.shape = shape
    self.dtype = dtype
    self.values = values.map { $0.map(dtype.convert) } ?? [Float](repeating: 0, count: n)
    self.strides = computeStrides(shape)
  }

  private func offset(_ locs: [Int]) throws -> Int {
    if locs.count != shape.count {
      throw TensorError(
        "The number of provided coordinates (\(locs.count)) must match the rank "
          + "(\(shape.count))")
    }
    var off = 0
    for (i, l) in locs.enumerated() {
      if l < 0 || l >= shape[i] {
        throw TensorError(
          "Requested out of range element at \(shapeText(locs)).   "
            + "Buffer shape=\(shapeText(shape))")
      }
      off += l * strides[i]
    }
    return off
  }

  /// Sets the value at `locs`.
  public func set(_ value: Float, _ locs: [Int]) throws {
    values[try offset(locs)] = dtype.convert(value)
  }

  /// Sets the element at a row-major flat index (TF.js `buffer.values[i] = v`).
  public func set(flat index: Int, _ value: Float) throws {
    if index < 0 || index >= values.count {
      throw TensorError("Index \(index) is out of range for a buffer of size \(values.count).")
    }
    values[index] = dtype.convert(value)
  }

  /// The value at `locs`.
  public func get(_ locs: [Int]) throws -> Float { values[try offset(locs)] }

  /// A tensor with the current values.
  public func toTensor() -> Tensor { Tensor.build(values, shape, dtype) }
}
