// Error objects: the Error constructors, stacks captured from the call frames,
// and turning Swift-side `ScriptThrow.error` into real Error objects.

/// An instance of `Error` or one of its subclasses. Its `stack` is formatted
/// on first read, from the frames captured at construction, so that a
/// subclass setting `this.name` in its constructor shows that name (as V8 does).
public final class ErrorObject: JSObject {
  /// `    at f (file:3:7)` lines, innermost first.
  public internal(set) var stackFrames: [String] = []
  private var stackMaterialized = false

  public override var className: String { "Error" }

  public override func ownProperty(_ key: String) -> Property? {
    if key == "stack" && !stackMaterialized { materializeStack() }
    return super.ownProperty(key)
  }

  public override func ownKeys() -> [String] {
    if !stackMaterialized { materializeStack() }
    return super.ownKeys()
  }

  @discardableResult
  public override func defineOwn(_ key: String, _ property: Property) -> Bool {
    if key == "stack" { stackMaterialized = true }
    return super.defineOwn(key, property)
  }

  /// `Name: message` as `Error.prototype.toString` would say (without running getters).
  public var header: String {
    let name: String
    if case .string(let n) = getDataValue("name") { name = n } else { name = "Error" }
    var message = ""
    if case .string(let m) = getDataValue("message") { message = m }
    if message.isEmpty { return name }
    if name.isEmpty { return message }
    return name + ": " + message
  }

  /// Puts `stack` first among the own keys, as V8 does; its text comes later.
  func reserveStackSlot() {
    storage.set("stack", Property(.undefined, enumerable: false))
  }

  private func materializeStack() {
    stackMaterialized = true
    let text = ([header] + stackFrames).joined(separator: "\n")
    storage.set("stack", Property(.string(text), enumerable: false))
  }
}

extension Interpreter {
  /// A new Error object of `kind` with the current stack.
  public func makeError(_ kind: ErrorKind, _ message: String) -> Value {
    let proto = realm.errorPrototypes[kind] ?? realm.errorPrototype
    let e = ErrorObject(prototype: proto)
    e.reserveStackSlot()
    e.defineOwn("message", Property(.string(message), enumerable: false))
    e.stackFrames = captureStack()
    return .object(e)
  }

  /// The value a caught Swift error stands for: the thrown value, or a new
  /// Error object for `ScriptThrow.error` and other Swift errors.
  public func thrownValue(_ error: Error) -> Value {
    switch error {
    case ScriptThrow.value(let v): return v
    case ScriptThrow.error(let kind, let message): return makeError(kind, message)
    default: return makeError(.error, "\(error)")
    }
  }

  /// Stack lines for the current frames, innermost first (at most 10, as V8).
  func captureStack() -> [String] {
    var lines: [String] = []
    var at = position
    var i = frameCount - 1
    while i >= 0 && lines.count < 10 {
      let f = frame(at: i)
      let place = "\(f.file.name):\(at.line):\(at.column)"
      lines.append(f.name.isEmpty ? "    at \(place)" : "    at \(f.name) (\(place))")
      at = f.callerPosition
      i -= 1
    }
    return lines
  }

  /// The text shown for an uncaught exception: an error's stack, or `Uncaught value`.
  public func renderUncaught(_ value: Value) -> String {
    if case .object(let o) = value, o is ErrorObject || o.hasProperty("stack") {
      if case .string(let s) = (try? get(value, "stack")) ?? .undefined { return s }
    }
    return "Uncaught " + displayString(value)
  }

  /// A short, side-effect-free rendering (strings quoted) for messages.
  func displayString(_ v: Value) -> String {
    switch v {
    case .string(let s): return "'" + s + "'"
    case .object(let o):
      if let e = o as? ErrorObject { return e.header }
      if let f = o as? JSFunction { return "[Function: \(f.name)]" }
      if o is JSArray { return (try? toString(v)) ?? "[object Array]" }
      return "[object \(o.className)]"
    default: return (try? toString(v)) ?? "?"
    }
  }

  // MARK: Constructors

  func installErrors() {
    let base = makeErrorConstructor(.error, prototype: realm.errorPrototype, parent: nil)
    realm.install([
      .function("toString", arity: 0) { [unowned self] call in
        guard case .object = call.this else {
          throw ScriptThrow.typeError("Error.prototype.toString requires that 'this' be an Object")
        }
        let n = try get(call.this, "name")
        let m = try get(call.this, "message")
        let name = n.isUndefined ? "Error" : try toString(n)
        let message = m.isUndefined ? "" : try toString(m)
        if message.isEmpty { return .string(name) }
        if name.isEmpty { return .string(message) }
        return .string(name + ": " + message)
      },
    ], into: realm.errorPrototype)
    base.defineOwn("captureStackTrace", Property(.object(realm.newFunction("captureStackTrace", arity: 1) { [unowned self] call in
      if case .object(let o) = call.arguments[0] {
        let text = ([displayString(call.arguments[0])] + captureStack()).joined(separator: "\n")
        o.defineOwn("stack", Property(.string(text), enumerable: false))
      }
      return .undefined
    }), enumerable: false))
    for kind in [ErrorKind.typeError, .rangeError, .referenceError, .syntaxError, .evalError, .uriError] {
      guard let proto = realm.errorPrototypes[kind] else { continue }
      _ = makeErrorConstructor(kind, prototype: proto, parent: base)
    }
  }

  private func makeErrorConstructor(_ kind: ErrorKind, prototype proto: JSObject, parent: JSObject?) -> NativeFunction {
    let name = kind.rawValue
    let construct: (Interpreter, Arguments, JSObject) throws -> Value = { [unowned self] _, args, newTarget in
      var p = proto
      if let np = try get(.object(newTarget), "prototype").asObject { p = np }
      let e = ErrorObject(prototype: p)
      e.reserveStackSlot()
      if !args[0].isUndefined {
        e.defineOwn("message", Property(.string(try toString(args[0])), enumerable: false))
      }
      if case .object(let options) = args[1], options.hasProperty("cause") {
        e.defineOwn("cause", Property(try get(args[1], "cause"), enumerable: false))
      }
      e.stackFrames = captureStack()
      return .object(e)
    }
    let ctor = NativeFunction(
      prototype: parent ?? realm.functionPrototype, name: name, arity: 1, construct: construct
    ) { call in
      guard case .object(let f) = call.interpreter.realm.globalObject.getDataValue(name) else { return .undefined }
      return try construct(call.interpreter, call.arguments, f)
    }
    ctor.defineOwn("prototype", Property(.object(proto), enumerable: false, writable: false, configurable: false))
    proto.defineOwn("constructor", Property(.object(ctor), enumerable: false))
    proto.defineOwn("name", Property(.string(name), enumerable: false))
    proto.defineOwn("message", Property(.string(""), enumerable: false))
    defineGlobal(name, .object(ctor))
    return ctor
  }
}
