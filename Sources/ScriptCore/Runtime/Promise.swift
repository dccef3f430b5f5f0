// Promises: states, reactions run as microtasks, and the `Promise` constructor
// and prototype (then/catch/finally, resolve/reject/all/allSettled/race/any).

/// A promise. Reactions run from the microtask queue, never synchronously.
public final class PromiseObject: JSObject {
  public enum State {
    case pending
    case fulfilled(Value)
    case rejected(Value)
  }

  public internal(set) var state: State = .pending
  /// Callbacks waiting for settlement: `(fulfilled?, value)`.
  var reactions: [(Bool, Value) throws -> Void] = []
  /// True once something observes the rejection (a `then`, `catch`, `await`).
  var isHandled = false
  var alreadyResolved = false

  public override var className: String { "Promise" }
}

extension Interpreter {
  // MARK: Settling

  /// Makes a new pending promise.
  public func newPromise() -> PromiseObject {
    PromiseObject(prototype: realm.promisePrototype)
  }

  /// Resolves `promise` with `value`: adopts the state of a thenable, else fulfills.
  public func resolvePromise(_ promise: PromiseObject, with value: Value) {
    if promise.alreadyResolved { return }
    promise.alreadyResolved = true
    resolveUnchecked(promise, with: value)
  }

  func resolveUnchecked(_ promise: PromiseObject, with value: Value) {
    if case .object(let o) = value {
      if o === promise {
        settle(promise, fulfilled: false, makeError(.typeError, "Chaining cycle detected for promise #<Promise>"))
        return
      }
      let then: Value
      do { then = try get(value, "then") } catch {
        settle(promise, fulfilled: false, thrownValue(error))
        return
      }
      if case .object(let tf) = then, let thenFunction = tf as? JSFunction {
        // NewPromiseResolveThenableJob
        enqueueMicrotask { [self] in
          let (res, rej) = resolvingFunctions(promise)
          do {
            _ = try thenFunction.call(self, this: value, arguments: [.object(res), .object(rej)])
          } catch let t as ScriptThrow {
            _ = try rej.call(self, this: .undefined, arguments: [thrownValue(t)])
          }
        }
        return
      }
    }
    settle(promise, fulfilled: true, value)
  }

  public func rejectPromise(_ promise: PromiseObject, with reason: Value) {
    if promise.alreadyResolved { return }
    promise.alreadyResolved = true
    settle(promise, fulfilled: false, reason)
  }

  func settle(_ promise: PromiseObject, fulfilled: Bool, _ value: Value) {
    guard case .pending = promise.state else { return }
    promise.state = fulfilled ? .fulfilled(value) : .rejected(value)
    let reactions = promise.reactions
    promise.reactions = []
    if !fulfilled && !promise.isHandled { pendingRejections.append(promise) }
    for r in reactions { enqueueMicrotask { try r(fulfilled, value) } }
  }

  /// A pair of one-shot `resolve`/`reject` functions for `promise`.
  func resolvingFunctions(_ promise: PromiseObject) -> (JSFunction, JSFunction) {
    var done = false
    let resolve = realm.newFunction("", arity: 1) { [unowned self] call in
      if done { return .undefined }
      done = true
      resolveUnchecked(promise, with: call.arguments[0])
      return .undefined
    }
    let reject = realm.newFunction("", arity: 1) { [unowned self] call in
      if done { return .undefined }
      done = true
      settle(promise, fulfilled: false, call.arguments[0])
      return .undefined
    }
    return (resolve, reject)
  }

  // MARK: Reactions

  /// Calls `reaction(fulfilled, value)` from a microtask once `promise` settles.
  func addReaction(_ promise: PromiseObject, _ reaction: @escaping (Bool, Value) throws -> Void) {
    promise.isHandled = true
    switch promise.state {
    case .pending: promise.reactions.append(reaction)
    case .fulfilled(let v): enqueueMicrotask { try reaction(true, v) }
    case .rejected(let v): enqueueMicrotask { try reaction(false, v) }
    }
  }

  /// `promise.then(onFulfilled, onRejected)`: returns the derived promise.
  public func then(_ promise: PromiseObject, _ onFulfilled: Value, _ onRejected: Value) -> PromiseObject {
    let derived = newPromise()
    addReaction(promise) { [unowned self] fulfilled, value in
      let handler = fulfilled ? onFulfilled : onRejected
      guard case .object(let ho) = handler, let hf = ho as? JSFunction else {
        if fulfilled { resolvePromise(derived, with: value) } else { rejectPromise(derived, with: value) }
        return
      }
      do {
        let r = try hf.call(self, this: .undefined, arguments: [value])
        resolvePromise(derived, with: r)
      } catch let t as ScriptThrow {
        rejectPromise(derived, with: thrownValue(t))
      }
    }
    return derived
  }

  /// PromiseResolve: `value` itself when it is a promise, else a promise resolved with it.
  public func promiseResolve(_ value: Value) -> PromiseObject {
    if case .object(let o) = value, let p = o as? PromiseObject { return p }
    let p = newPromise()
    resolvePromise(p, with: value)
    return p
  }

  // MARK: The Promise constructor and prototype

  func installPromise() {
    let proto = realm.promisePrototype
    let ctor = NativeFunction(
      prototype: realm.functionPrototype, name: "Promise", arity: 1,
      construct: { [unowned self] interp, args, newTarget in
        guard case .object(let eo) = args[0], let executor = eo as? JSFunction else {
          throw ScriptThrow.typeError("Promise resolver \(Arguments.describeKind(args[0])) is not a function")
        }
        let p = newPromise()
        if newTarget !== realm.globalObject.getDataValue("Promise").asObject,
          let np = try get(.object(newTarget), "prototype").asObject
        {
          p.prototype = np
        }
        let (res, rej) = resolvingFunctions(p)
        do {
          _ = try executor.call(interp, this: .undefined, arguments: [.object(res), .object(rej)])
        } catch let t as ScriptThrow {
          _ = try rej.call(interp, this: .undefined, arguments: [thrownValue(t)])
        }
        return .object(p)
      },
      body: { _ in throw ScriptThrow.typeError("Promise constructor cannot be invoked without 'new'") })
    ctor.defineOwn("prototype", Property(.object(proto), enumerable: false, writable: false, configurable: false))
    proto.defineOwn("constructor", Property(.object(ctor), enumerable: false))

    func thisPromise(_ call: NativeCall, _ method: String) throws -> PromiseObject {
      guard case .object(let o) = call.this, let p = o as? PromiseObject else {
        throw ScriptThrow.typeError(
          "Method Promise.prototype.\(method) called on incompatible receiver \(Arguments.describeKind(call.this))")
      }
      return p
    }
    realm.install([
      .function("then", arity: 2) { [unowned self] call in
        .object(then(try thisPromise(call, "then"), call.arguments[0], call.arguments[1]))
      },
      .function("catch", arity: 1) { [unowned self] call in
        .object(then(try thisPromise(call, "catch"), .undefined, call.arguments[0]))
      },
      .function("finally", arity: 1) { [unowned self] call in
        let p = try thisPromise(call, "finally")
        guard case .object(let fo) = call.arguments[0], let f = fo as? JSFunction else {
          return .object(then(p, call.arguments[0], call.arguments[0]))
        }
        let derived = newPromise()
        addReaction(p) { [unowned self] fulfilled, value in
          do {
            let r = try f.call(self, this: .undefined, arguments: [])
            let inner = promiseResolve(r)
            addReaction(inner) { [unowned self] ok, v in
              if !ok { rejectPromise(derived, with: v) } else if fulfilled {
                resolvePromise(derived, with: value)
              } else {
                rejectPromise(derived, with: value)
              }
            }
          } catch let t as ScriptThrow {
            rejectPromise(derived, with: thrownValue(t))
      }
        }
        return .object(derived)
      },
    ], into: proto)

    realm.install([
      .function("resolve", arity: 1) { [unowned self] call in .object(promiseResolve(call.arguments[0])) },
      .function("reject", arity: 1) { [unowned self] call in
        let p = newPromise()
        rejectPromise(p, with: call.arguments[0])
        return .object(p)
      },
      .function("all", arity: 1) { [unowned self] call in .object(try combine(call.arguments[0], mode: .all)) },
      .function("allSettled", arity: 1) { [unowned self] call in
        .object(try combine(call.arguments[0], mode: .allSettled))
      },
      .function("any", arity: 1) { [unowned self] call in .object(try combine(call.arguments[0], mode: .any)) },
      .function("race", arity: 1) { [unowned self] call in
        let result = newPromise()
        try iterate(call.arguments[0]) { item in
          addReaction(promiseResolve(item)) { [unowned self] ok, v in
            if ok { resolvePromise(result, with: v) } else { rejectPromise(result, with: v) }
          }
          return true
        }
        return .object(result)
      },
    ], into: ctor, prefix: "Promise.")
    defineGlobal("Promise", .object(ctor))
  }

  private enum CombineMode { case all, allSettled, any }

  private func combine(_ iterable: Value, mode: CombineMode) throws -> PromiseObject {
    let result = newPromise()
    var items: [Value] = []
    try iterate(iterable) { items.append($0); return true }
    var values = [Value](repeating: .undefined, count: items.count)
    var remaining = items.count
    if remaining == 0 {
      if mode == .any {
        rejectPromise(result, with: makeError(.error, "All promises were rejected"))
      } else {
        resolvePromise(result, with: .object(realm.newArray([])))
      }
      return result
    }
    for (i, item) in items.enumerated() {
      addReaction(promiseResolve(item)) { [unowned self] ok, v in
        switch mode {
        case .all:
          if !ok { rejectPromise(result, with: v); return }
          values[i] = v
        case .any:
          if ok { resolvePromise(result, with: v); return }
          values[i] = v
        case .allSettled:
          let o = realm.newObject()
          o.put("status", .string(ok ? "fulfilled" : "rejected"))
          o.put(ok ? "value" : "reason", v)
          values[i] = .object(o)
        }
        remaining -= 1
        if remaining == 0 {
          if mode == .any {
            let e = makeError(.error, "All promises were rejected")
            if case .object(let eo) = e { eo.defineOwn("errors", Property(.object(realm.newArray(values)), enumerable: false)) }
            rejectPromise(result, with: e)
          } else {
            resolvePromise(result, with: .object(realm.newArray(values)))
          }
        }
      }
    }
    return result
  }
}
