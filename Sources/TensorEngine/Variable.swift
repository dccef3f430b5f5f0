// SPDX-License-Identifier: MIT
import Foundation

/// A mutable tensor (TF.js `tf.Variable`): `assign` swaps its buffer.
///
/// Variables are registered by name in `Engine.registeredVariables` and are
/// never disposed by `tidy`.
public final class Variable: Tensor {
  /// Unique name (TF.js gives unnamed variables "0", "1", ...).
  public let name: String
  /// Whether optimizers update it.
  public var trainable: Bool

  private init(sharing initial: Tensor, trainable: Bool, name: String) {
    self.name = name
    self.trainable = trainable
    super.init(storage: initial.storage, shape: initial.shape, dtype: initial.dtype, track: false)
  }

  /// Creates a variable holding `initialValue` (TF.js `tf.variable`), sharing its buffer.
  public static func make(
    _ initialValue: Tensor, trainable: Bool = true, name: String? = nil, dtype: DType? = nil
  ) throws -> Variable {
    try initialValue.checkAlive()
    var initial = initialValue
    if let dtype, dtype != initial.dtype { initial = try initial.cast(dtype) }
    let engine = Engine.shared
    let varName = name ?? engine.nextVariableName()
    if engine.registeredVariables[varName] != nil {
      throw TensorError("Variable with name \(varName) was already registered")
    }
    let v = Variable(sharing: initial, trainable: trainable, name: varName)
    engine.registeredVariables[varName] = v
    return v
  }

  /// Replaces the value with `newValue`'s buffer (same dtype and shape required).
  public func assign(_ newValue: Tensor) throws {
    try newValue.checkAlive()
    guard newValue.dtype == dtype else {
      throw TensorError(
        "dtype of the new value (\(newValue.dtype)) and previous value (\(dtype)) must match")
    }
    guard newValue.shape == shape else {
      throw TensorError(
        "shape of the new value (\(shapeText(newValue.shape))) and previous value "
          + "(\(shapeText(shape))) must match")
    }
    Engine.shared.rebind(self, to: newValue.storage)
  }
}
