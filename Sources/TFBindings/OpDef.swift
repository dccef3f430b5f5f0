// One op, two doors: every op is defined once as an `OpDef` and installed both
// as `tf.name(x, ...)` and, when TF.js chains it, as the tensor method
// `x.name(...)` (the receiver becomes the first argument, so argument errors
// read the same either way: `Argument 'b' passed to 'add' ...`).

import ScriptCore
import TensorEngine

/// An op binding: a name, its arity, whether tensors chain it, and its body.
struct OpDef {
  /// How the op appears on tensors.
  enum Chain {
    /// Only `tf.name(...)`.
    case none
    /// Also `x.name(...)` with `x` as the first argument.
    case receiverFirst
  }

  let name: String
  let arity: Int
  let chain: Chain
  let body: (Interpreter, Arguments) throws -> Value

  init(
    _ name: String, _ arity: Int, chain: Chain = .receiverFirst,
    _ body: @escaping (Interpreter, Arguments) throws -> Value
  ) {
    self.name = name
    self.arity = arity
    self.chain = chain
    self.body = body
  }

  /// The `tf.name` entry.
  var namespaceEntry: NativeEntry {
    let body = self.body
    return .function(name, arity: arity) { call in
      try engineCall { try body(call.interpreter, call.arguments) }
    }
  }

  /// The `x.name(...)` entry, or nil when TF.js does not chain the op.
  var methodEntry: NativeEntry? {
    guard chain == .receiverFirst else { return nil }
    let body = self.body
    return .function(name, arity: max(0, arity - 1)) { call in
      let args = Arguments([call.this] + call.arguments.values, function: call.arguments.function)
      return try engineCall { try body(call.interpreter, args) }
    }
  }
}

/// A tensor method defined directly on the receiver (`print`, `dataSync`, `concat`).
func method(
  _ name: String, _ arity: Int,
  _ body: @escaping (Interpreter, Tensor, Arguments, Value) throws -> Value
) -> NativeEntry {
  .function(name, arity: arity) { call in
    let t = try receiverTensor(call.this, name)
    return try engineCall { try body(call.interpreter, t, call.arguments, call.this) }
  }
}

/// The tensor a method was called on.
func receiverTensor(_ this: Value, _ method: String) throws -> Tensor {
  guard case .object(let o) = this, let t = o as? TensorObject else {
    throw ScriptThrow.typeError("Tensor.prototype.\(method) called on a value that is not a Tensor")
  }
  return t.tensor
}
