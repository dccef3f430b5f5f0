// Memory and backend: `tf.tidy`, `tf.dispose`, `tf.keep`, `tf.memory`,
// `tf.ready`, `tf.getBackend`, `tf.setBackend`, `tf.env`.
//
// A script's tensors are engine tensors, so TF.js's accounting carries over:
// `tidy` opens an engine scope around the script closure and, when it
// returns, disposes every tensor created inside except those found in the
// returned value (a tensor, or arrays/objects holding tensors) and kept ones.

import ScriptCore
import TensorEngine

/// The tensors inside a container value, as TF.js's `getTensorsInContainer`
/// walks it: tensors, arrays and plain objects, each object once.
func tensors(in value: Value) -> [Tensor] {
  var found: [Tensor] = []
  var seen = Set<ObjectIdentifier>()
  func walk(_ v: Value, _ depth: Int) {
    guard case .object(let o) = v, depth < 10_000 else { return }
    if let t = o as? TensorObject {
      found.append(t.tensor)
      return
    }
    guard seen.insert(ObjectIdentifier(o)).inserted else { return }
    if let a = o as? JSArray {
      for e in a.elements { walk(e, depth + 1) }
      return
    }
    // Plain objects and class instances; skip functions, typed arrays, promises, maps.
    if o is JSFunction || o is TypedArrayObject || o is PromiseObject || o is JSMap || o is JSSet {
      return
    }
    for key in o.ownKeys() {
      if let p = o.ownProperty(key), case .value(let inner) = p.slot { walk(inner, depth + 1) }
    }
  }
  walk(value, 0)
  return found
}

extension TFContext {
  // MARK: - tidy, dispose, keep, memory

  var memoryEntries: [NativeEntry] {
    [
      .function("tidy", arity: 2) { call in
        let a = call.arguments
        let interp = call.interpreter
        var name = ""
        let fnValue: Value
        func isFunction(_ v: Value) -> Bool {
          if case .object(let o) = v, o is JSFunction { return true }
          return false
        }
        if a[1].isNullish {
          guard isFunction(a[0]) else { throw argumentError("Please provide a function to tidy()") }
          fnValue = a[0]
        } else {
          guard case .string(let s) = a[0] else {
            throw argumentError(
              "When calling with two arguments, the first argument to tidy() must be a string")
          }
          guard isFunction(a[1]) else {
            throw argumentError(
              "When calling with two arguments, the 2nd argument to tidy() must be a function")
          }
          name = s
          fnValue = a[1]
        }
        let engine = Engine.shared
        engine.startScope(name)
        let result: Value
        do {
          result = try interp.call(fnValue, this: .undefined, [])
        } catch {
          engine.endScope()
          throw error
        }
        if case .object(let o) = result, o is PromiseObject {
          interp.output.write("Cannot return a Promise inside of tidy.\n", to: .stderr)
        }
        engine.endScope(keeping: tensors(in: result))
        return result
      },
      .function("dispose", arity: 1) { call in
        for t in tensors(in: call.arguments[0]) { t.dispose() }
        return .undefined
      },
      .function("keep", arity: 1) { call in
        guard case .object(let o) = call.arguments[0], let t = o as? TensorObject else {
          throw argumentError(
            "Argument 'result' passed to 'keep' must be a Tensor, but got "
              + "'\(Arguments.describeKind(call.arguments[0]))'")
        }
        Engine.shared.keep(t.tensor)
        return call.arguments[0]
      },
      .function("memory", arity: 0) { [self] _ in
        let m = Engine.shared.memory
        return object([
          ("numTensors", .number(Double(m.numTensors))),
          ("numDataBuffers", .number(Double(m.numDataBuffers))),
          ("numBytes", .number(Double(m.numBytes))),
          ("unreliable", .bool(false)),
        ])
      },
      .function("disposeVariables", arity: 0) { _ in
        for v in Array(Engine.shared.registeredVariables.values) { v.dispose() }
        return .undefined
      },
    ]
  }

  // MARK: - Backend

  var backendEntries: [NativeEntry] {
    let env = makeEnvironment()
    return [
      .function("ready", arity: 0) { [self] call in
        .object(resolved(.undefined, call.interpreter))
      },
      .function("getBackend", arity: 0) { [self] _ in .string(backendName) },
      .function("setBackend", arity: 1) { [self] call in
        // Both names run on the same native engine; any other name rejects as in TF.js.
        let name = try call.arguments.string(0, name: "backendName")
        return .object(settled(call.interpreter) {
          guard name == "cpu" || name == "tensorflow" else {
            throw argumentError("Backend name '\(name)' not found in registry")
          }
          backendName = name
          return .true
        })
      },
      .function("env", arity: 0) { _ in .object(env) },
      .function("enableProdMode", arity: 0) { _ in
        env.getDataValue("flags").asObject?.put("PROD", true)
        return .undefined
      },
    ]
  }

  /// `tf.env()`: flags with `get`, `set`, `getBool`, `getNumber`, `getFlags`.
  private func makeEnvironment() -> JSObject {
    let flags = realm.newObject()
    for (k, v) in [("IS_BROWSER", false), ("IS_NODE", true), ("DEBUG", false), ("PROD", false),
                   ("IS_TEST", false)] {
      flags.put(k, .bool(v))
    }
    let env = realm.newObject()
    func flag(_ call: NativeCall) throws -> String { try call.arguments.string(0, name: "flagName") }
    realm.install([
      .function("get", arity: 1) { call in
        let name = try flag(call)
        guard flags.hasProperty(name) else {
          throw argumentError("Cannot evaluate flag '\(name)': no evaluation function found.")
        }
        return flags.getDataValue(name)
      },
      .function("getBool", arity: 1) { call in flags.getDataValue(try flag(call)) },
      .function("getNumber", arity: 1) { call in flags.getDataValue(try flag(call)) },
      .function("set", arity: 2) { call in
        flags.put(try flag(call), call.arguments[1])
        return .undefined
      },
      .function("getFlags", arity: 0) { [self] _ in
        let copy = realm.newObject()
        for k in flags.ownKeys() { copy.put(k, flags.getDataValue(k)) }
        return .object(copy)
      },
    ], into: env)
    env.put("flags", .object(flags))
    return env
  }
}
