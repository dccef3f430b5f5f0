// The `util` module (`require('util')`, `import util from 'node:util'`):
// `inspect` and `format`, the same machinery console.log uses.

extension Builtins {
  static func installUtilModule(_ interpreter: Interpreter) {
    let loader: (Interpreter) throws -> Value = { interp in
      .object(interp.realm.newNamespace(utilEntries, prefix: "util."))
    }
    interpreter.registerModule("util", loader)
    interpreter.registerModule("node:util", loader)
  }

  static let utilEntries: [NativeEntry] = [
    .function("format", arity: 1) { call in
      .string(call.interpreter.formatLogArguments(call.arguments.values))
    },
    .function("inspect", arity: 2) { call in
      var depth: Int? = 2
      var colors = false
      var showHidden = false
      if let opts = call.arguments[1].asObject {
        switch opts.getDataValue("depth") {
        case .number(let n): depth = n.isFinite ? Int(max(0, n)) : nil
        case .null: depth = nil
        default: break
        }
        colors = opts.getDataValue("colors").isTruthy
        showHidden = opts.getDataValue("showHidden").isTruthy
      } else if case .bool(let b) = call.arguments[1] {
        showHidden = b
      }
      return .string(call.interpreter.inspect(call.arguments[0], colors: colors, depth: depth, showHidden: showHidden))
    },
  ]
}
