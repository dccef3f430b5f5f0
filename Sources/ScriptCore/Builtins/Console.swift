// console: log/info/debug to stdout, warn/error/trace/assert to stderr,
// Node's `util.format` substitutions, timers, counters, groups and table.

/// Per-interpreter console state (labels of `time` and `count`, group indent).
final class ConsoleState {
  var timers: [String: Double] = [:]
  var counts: [String: Int] = [:]
  var groupIndent = ""
}

extension Interpreter {
  /// Node's `util.format(...args)`: `%s %d %i %f %j %o %O %c %%` substitutions
  /// in a leading string, then the remaining arguments, strings bare.
  public func formatLogArguments(_ args: [Value]) -> String {
    guard let first = args.first else { return "" }
    var out = ""
    var next = 1
    if case .string(let fmt) = first, args.count > 1, fmt.contains("%") {
      let chars = Array(fmt)
      var i = 0
      while i < chars.count {
        let c = chars[i]
        if c == "%", i + 1 < chars.count {
          let spec = chars[i + 1]
          if spec == "%" {
            out.append("%")
            i += 2
            continue
          }
          if "sdifjoOc".contains(spec) {
            if next >= args.count {
              out.append(c)
              out.append(spec)
              i += 2
              continue
            }
            let arg = args[next]
            next += 1
            out += formatSubstitution(spec, arg)
            i += 2
            continue
          }
        }
        out.append(c)
        i += 1
      }
    } else {
      out = logPiece(first)
    }
    while next < args.count {
      out += " " + logPiece(args[next])
      next += 1
    }
    return out
  }

  private func logPiece(_ v: Value) -> String {
    if case .string(let s) = v { return s }
    return inspect(v, colors: false)
  }

  private func formatSubstitution(_ spec: Character, _ arg: Value) -> String {
    switch spec {
    case "s":
      switch arg {
      case .string(let s): return s
      case .number(let n): return inspectNumber(n)
      case .object(let o):
        if !(o is JSFunction) && !hasOwnToString(o) {
          return inspect(arg, colors: false, depth: 0)
        }
        return (try? toString(arg)) ?? inspect(arg, colors: false, depth: 0)
      default: return (try? toString(arg)) ?? ""
      }
    case "d":
      if case .object = arg { return "NaN" }
      return inspectNumber((try? toNumber(arg)) ?? .nan)
    case "i":
      if case .object = arg { return "NaN" }
      let s = (try? toString(arg)) ?? ""
      return inspectNumber(parseIntJS(s, radix: 0))
    case "f":
      return inspectNumber(parseFloatJS((try? toString(arg)) ?? ""))
    case "j":
      do {
        return try jsonStringify(arg, replacer: .undefined, indent: .undefined) ?? "undefined"
      } catch {
        return "[Circular]"
      }
    case "o": return inspect(arg, colors: false, depth: 4, showHidden: true)
    case "O": return inspect(arg, colors: false)
    default: return ""  // %c: CSS, ignored in a terminal
    }
  }

  /// Whether `toString` is user-defined (a script function), as Node's
  /// `hasBuiltInToString` decides for `%s`.
  private func hasOwnToString(_ o: JSObject) -> Bool {
    guard let p = o.lookup("toString"), case .value(.object(let f)) = p.slot else { return false }
    return f is ScriptFunction
  }
}

extension Builtins {
  static func installConsole(_ realm: Realm) {
    let state = ConsoleState()
    realm.defineGlobal("console", .object(realm.newNamespace(consoleMethods(state), prefix: "console.")))
  }

  private static func emit(_ call: NativeCall, _ state: ConsoleState, _ stream: OutputStream, _ text: String) {
    var line = text
    if !state.groupIndent.isEmpty {
      line = state.groupIndent + text.split(separator: "\n", omittingEmptySubsequences: false)
        .joined(separator: "\n" + state.groupIndent)
    }
    call.interpreter.output.write(line + "\n", to: stream)
  }

  private static func label(_ call: NativeCall) throws -> String {
    call.arguments[0].isUndefined ? "default" : try call.interpreter.toString(call.arguments[0])
  }

  /// Node's `formatTime`: milliseconds with up to three decimals, seconds past 1s.
  static func formatDuration(_ ms: Double) -> String {
    if ms >= 1000 { return formatFixed(ms / 1000, digits: 3) + "s" }
    return formatNumber(stringToNumber(formatFixed(ms, digits: 3))) + "ms"
  }

  static func consoleMethods(_ state: ConsoleState) -> [NativeEntry] {
    let log: NativeBody = { call in
      emit(call, state, .stdout, call.interpreter.formatLogArguments(call.arguments.values))
      return .undefined
    }
    let warn: NativeBody = { call in
      emit(call, state, .stderr, call.interpreter.formatLogArguments(call.arguments.values))
      return .undefined
    }
    return [
      .function("assert", arity: 0) { call in
        if call.arguments[0].isTruthy { return .undefined }
        let rest = Array(call.arguments.values.dropFirst())
        var text = "Assertion failed"
        if !rest.isEmpty {
          var parts = rest
          if case .string(let s) = parts[0] { parts[0] = .string("Assertion failed: " + s) } else {
            parts.insert(.string("Assertion failed:"), at: 0)
          }
          text = call.interpreter.formatLogArguments(parts)
        }
        emit(call, state, .stderr, text)
        return .undefined
      },
      .function("count", arity: 0) { call in
        let l = try label(call)
        let n = (state.counts[l] ?? 0) + 1
        state.counts[l] = n
        emit(call, state, .stdout, "\(l): \(n)")
        return .undefined
      },
      .function("countReset", arity: 0) { call in
        state.counts[try label(call)] = 0
        return .undefined
      },
      .function("debug", arity: 0, log),
      .function("dir", arity: 0) { call in
        var depth: Int? = 2
        if let opts = call.arguments[1].asObject {
          let d = opts.getDataValue("depth")
          if case .number(let n) = d { depth = n.isFinite ? Int(max(0, n)) : nil }
          if case .null = d { depth = nil }
        }
        emit(call, state, .stdout, call.interpreter.inspect(call.arguments[0], colors: false, depth: depth))
        return .undefined
      },
      .function("error", arity: 0, warn),
      .function("group", arity: 0) { call in
        if call.arguments.count > 0 { _ = try log(call) }
        state.groupIndent += "  "
        return .undefined
      },
      .function("groupEnd", arity: 0) { _ in
        state.groupIndent = String(state.groupIndent.dropLast(2))
        return .undefined
      },
      .function("info", arity: 0, log),
      .function("log", arity: 0, log),
      .function("table", arity: 1) { call in
        guard case .object(let o) = call.arguments[0] else { return try log(call) }
        var only: [String]?
        if case .object(let cols as JSArray) = call.arguments[1] {
          only = try cols.elements.map { try call.interpreter.toString($0) }
        }
        emit(call, state, .stdout, renderTable(call.interpreter, o, columns: only))
        return .undefined
      },
      .function("time", arity: 0) { call in
        let l = try label(call)
        if state.timers[l] != nil {
          emit(call, state, .stderr, "Warning: Label '\(l)' already exists for console.time()")
        } else {
          state.timers[l] = monotonicSeconds()
        }
        return .undefined
      },
      .function("timeEnd", arity: 0) { call in
        let l = try label(call)
        guard let start = state.timers.removeValue(forKey: l) else {
          emit(call, state, .stderr, "Warning: No such label '\(l)' for console.timeEnd()")
          return .undefined
        }
        emit(call, state, .stdout, "\(l): \(formatDuration((monotonicSeconds() - start) * 1000))")
        return .undefined
      },
      .function("timeLog", arity: 0) { call in
        let l = try label(call)
        guard let start = state.timers[l] else {
          emit(call, state, .stderr, "Warning: No such label '\(l)' for console.timeLog()")
          return .undefined
        }
        var text = "\(l): \(formatDuration((monotonicSeconds() - start) * 1000))"
        let extra = Array(call.arguments.values.dropFirst())
        if !extra.isEmpty { text += " " + call.interpreter.formatLogArguments(extra) }
        emit(call, state, .stdout, text)
        return .undefined
      },
      .function("trace", arity: 0) { call in
        let message = call.arguments.count == 0 ? "" : ": " + call.interpreter.formatLogArguments(call.arguments.values)
        let frames = call.interpreter.captureStack()
        emit(call, state, .stderr, (["Trace" + message] + frames).joined(separator: "\n"))
        return .undefined
      },
      .function("warn", arity: 0, warn),
    ]
  }

  // MARK: - console.table

  /// Node's box-drawn table: one row per own key (or index), one column per
  /// property of the row values, a `Values` column for primitive rows.
  static func renderTable(_ interp: Interpreter, _ data: JSObject, columns only: [String]? = nil) -> String {
    func cell(_ v: Value) -> String {
      var inspector = Inspector(interpreter: interp, colors: false)
      inspector.depthLimit = 1
      return inspector.format(v, 1)
    }
    var rowKeys: [String] = []
    var rowValues: [Value] = []
    if let a = data as? JSArray {
      for (i, v) in a.elements.enumerated() {
        rowKeys.append(String(i))
        rowValues.append(v)
      }
    } else if let m = data as? JSMap {
      for (i, (k, v)) in m.table.liveEntries.enumerated() {
        rowKeys.append(String(i))
        rowValues.append(.object(interp.realm.newArray([k, v])))
      }
    } else {
      for k in interp.enumerableOwnKeys(data) {
        rowKeys.append(k)
        rowValues.append((try? interp.get(.object(data), k)) ?? .undefined)
      }
    }
    var columns: [String] = []
    var hasValues = false
    var cells: [[String: String]] = []
    var primitive: [String?] = []
    for v in rowValues {
      var row: [String: String] = [:]
      if case .object(let o) = v, !(o is JSFunction) {
        let keys: [String]
        if let a = o as? JSArray { keys = a.elements.indices.map(String.init) } else { keys = interp.enumerableOwnKeys(o) }
        for k in keys {
          if !columns.contains(k) { columns.append(k) }
          row[k] = cell((try? interp.get(v, k)) ?? .undefined)
        }
        primitive.append(nil)
      } else {
        hasValues = true
        primitive.append(cell(v))
      }
      cells.append(row)
    }
    if let only = only { columns = only }
    var header = ["(index)"] + columns
    if hasValues { header.append("Values") }
    var table: [[String]] = []
    for (i, key) in rowKeys.enumerated() {
      var line = [key]
      for c in columns { line.append(cells[i][c] ?? "") }
      if hasValues { line.append(primitive[i] ?? "") }
      table.append(line)
    }
    var widths = header.map { $0.count + 2 }
    for line in table {
      for (j, s) in line.enumerated() { widths[j] = max(widths[j], s.count + 2) }
    }
    func render(_ line: [String]) -> String {
      var out = "│"
      for (j, s) in line.enumerated() {
        let needed = widths[j] - s.count
        let left = needed / 2
        out += String(repeating: " ", count: left) + s + String(repeating: " ", count: needed - left) + "│"
      }
      return out
    }
    func rule(_ l: String, _ m: String, _ r: String) -> String {
      l + widths.map { String(repeating: "─", count: $0) }.joined(separator: m) + r
    }
    var lines = [rule("┌", "┬", "┐"), render(header), rule("├", "┼", "┤")]
    for line in table { lines.append(render(line)) }
    lines.append(rule("└", "┴", "┘"))
    return lines.joined(separator: "\n")
  }
}
