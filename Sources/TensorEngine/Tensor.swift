// SPDX-License-Identifier: MIT
import Foundation

/// The shared, reference-counted value buffer behind one or more tensors.
///
/// `reshape`, `clone` and variables share a storage; `liveTensors` counts the
/// undisposed tensors that use it, which is what `tf.memory().numDataBuffers` counts.
public final class TensorStorage {
  /// The element values (int32 and bool stored as exact floats).
  public internal(set) var values: [Float]
  /// Undisposed tensors currently using this buffer.
  var liveTensors = 0

  init(_ values: [Float]) { self.values = values }
}

/// An immutable n-dimensional array of numbers, as `tf.Tensor` in TF.js.
///
/// Identity matters: memory accounting, `dispose` and the gradient tape all
/// work on tensor objects. Ops never mutate a tensor; a `Variable` may swap
/// its buffer with `assign`.
public class Tensor: CustomStringConvertible {
  /// Unique id, in creation order.
  public let id: Int
  /// Dimensions, outermost first; `[]` for a scalar.
  public let shape: [Int]
  /// Element type.
  public let dtype: DType
  /// The value buffer (shared by reshapes and variables).
  public internal(set) var storage: TensorStorage
  /// True once `dispose()` has run; any later use is an error.
  public internal(set) var isDisposed = false
  /// Set by `Engine.keep`: survives every enclosing `tidy`.
  public internal(set) var isKept = false
  /// The scope that tracks this tensor (0 = none).
  var scopeId = 0

  /// Creates and registers a tensor over a storage. Use the factory methods instead.
  init(storage: TensorStorage, shape: [Int], dtype: DType, track: Bool = true) {
    self.id = Engine.shared.nextTensorId()
    self.shape = shape
    self.dtype = dtype
    self.storage = storage
    Engine.shared.register(self, track: track)
  }

  /// Number of elements (1 for a scalar).
  public var size: Int { shape.reduce(1, *) }
  /// Number of dimensions.
  public var rank: Int { shape.count }

  /// The values without a disposal check, for kernels inside the engine.
  public var values: [Float] { storage.values }

  /// Throws `Tensor is disposed.` if the tensor was disposed.
  public func checkAlive() throws {
    if isDisposed { throw TensorError("Tensor is disposed.") }
  }

  /// The values in row-major order (TF.js `dataSync`).
  public func dataSync() throws -> [Float] {
    try checkAlive()
    return storage.values
  }

  /// The single value of a size-1 tensor.
  public func scalarValue() throws -> Float {
    try checkAlive()
    guard size == 1 else {
      throw TensorError("The tensor must have exactly one element, but has \(size)")
    }
    return storage.values[0]
  }

  /// Releases the tensor (TF.js `dispose`). Disposing twice does nothing.
  public func dispose() {
    Engine.shared.disposeTensor(self)
  }

  /// A short description; use `toString(verbose:)` for TF.js's printout.
  public var description: String { toString() }
}

// MARK: - Shape helpers

/// Row-major strides of a shape (element counts, innermost stride 1).
func computeStrides(_ shape: [Int]) -> [Int] {
  var strides = [Int](repeating: 1, count: shape.count)
  var acc = 1
  for i in stride(from: shape.count - 1, through: 0, by: -1) {
    strides[i] = acc
    acc *= shape[i]
  }
  return strides
}

/// Product of the dimensions.
func sizeOf(_ shape: [Int]) -> Int { shape.reduce(1, *) }
