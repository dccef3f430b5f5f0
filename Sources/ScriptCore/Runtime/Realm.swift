// The intrinsic objects every script sees: the prototypes of the built-in
// types and the global object. Built-ins (Builtins/) fill them in at start-up.

public final class Realm {
  public let objectPrototype: JSObject
  public let functionPrototype: JSObject
  public let arrayPrototype: JSObject
  public let stringPrototype: JSObject
  public let numberPrototype: JSObject
  public let booleanPrototype: JSObject
  public let errorPrototype: JSObject
  /// `TypeError.prototype` and friends, by kind; each inherits from `errorPrototype`.
  public var errorPrototypes: [ErrorKind: JSObject] = [:]
  public let mapPrototype: JSObject
  public let setPrototype: JSObject
  public let promisePrototype: JSObject
  public let iteratorPrototype: JSObject
  public let globalObject: JSObject

  public init() {
    objectPrototype = JSObject(prototype: nil)
    functionPrototype = JSObject(prototype: objectPrototype)
    arrayPrototype = JSObject(prototype: objectPrototype)
    stringPrototype = JSObject(prototype: objectPrototype)
    numberPrototype = JSObject(prototype: objectPrototype)
    booleanPrototype = JSObject(prototype: objectPrototype)
    errorPrototype = JSObject(prototype: objectPrototype)
    mapPrototype = JSObject(prototype: objectPrototype)
    setPrototype = JSObject(prototype: objectPrototype)
    promisePrototype = JSObject(prototype: objectPrototype)
    iteratorPrototype = JSObject(prototype: objectPrototype)
    globalObject = JSObject(prototype: objectPrototype)
    for kind in [ErrorKind.typeError, .rangeError, .referenceError, .syntaxError, .evalError, .uriError] {
      errorPrototypes[kind] = JSObject(prototype: errorPrototype)
    }
    errorPrototypes[.error] = errorPrototype
  }

  // MARK: Constructing values

  public func newObject() -> JSObject {
    JSObject(prototype: objectPrototype)
  }

  public func newArray(_ elements: [Value] = []) -> JSArray {
    JSArray(prototype: arrayPrototype, elements: elements)
  }

  public func newFunction(_ name: String, arity: Int, _ body: @escaping NativeBody) -> NativeFunction {
    NativeFunction(prototype: functionPrototype, name: name, arity: arity, body: body)
  }

  /// An object holding the table's functions, constants and getters: one
  /// call installs a whole namespace (`Math`, `tf.layers`, a host class's methods).
  public func newNamespace(_ entries: [NativeEntry], prefix: String = "") -> JSObject {
    let ns = newObject()
    install(entries, into: ns, prefix: prefix)
    return ns
  }

  /// Adds the table's entries to `object` as non-enumerable methods and
  /// enumerable constants. `prefix` names the namespace in error messages
  /// (`"tf."` makes `add`'s argument errors say `'tf.add'`).
  public func install(_ entries: [NativeEntry], into object: JSObject, prefix: String = "") {
    for entry in entries {
      switch entry {
      case .function(let name, let arity, let body):
        let qualified = prefix + name  // built once, not on every call
        let f = NativeFunction(prototype: functionPrototype, name: name, arity: arity) { call in
          try body(NativeCall(
            interpreter: call.interpreter, this: call.this,
            arguments: Arguments(call.arguments.values, function: qualified)))
        }
        object.defineOwn(name, Property(.object(f), enumerable: false))
      case .constant(let name, let value):
        object.defineOwn(name, Property(value, enumerable: true, writable: false, configurable: false))
      case .getter(let name, let get):
        let g = NativeFunction(prototype: functionPrototype, name: "get " + name, arity: 0) { call in
          try get(call.interpreter, call.this)
        }
        object.defineOwn(name, Property(getter: g, setter: nil))
      }
    }
  }
}
