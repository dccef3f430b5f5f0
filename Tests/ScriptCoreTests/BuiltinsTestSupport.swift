import XCTest
@testable import ScriptCore

/// Collects what the builtins print.
final class BuiltinsTestSink: OutputSink {
  var stdout = ""
  var stderr = ""

  func write(_ text: String, to stream: ScriptCore.OutputStream) {
    if stream == .stdout { stdout += text } else { stderr += text }
  }
}

/// Drives the natives directly from Swift, without the parser.
struct JS {
  let sink = BuiltinsTestSink()
  let interp: Interpreter

  init() { interp = Interpreter(output: sink) }

  var realm: Realm { interp.realm }

  /// A global or a dotted path from the global object (`Math.max`, `Array.prototype.map`).
  func global(_ path: String) -> Value {
    var v = Value.object(realm.globalObject)
    for part in path.split(separator: ".") {
      v = (try? interp.get(v, String(part))) ?? .undefined
    }
    return v
  }

  /// Calls the function at `path` with `this` = its holder.
  @discardableResult
  func call(_ path: String, _ args: Value...) throws -> Value {
    let parts = path.split(separator: ".")
    let holder = parts.count > 1 ? global(parts.dropLast().joined(separator: ".")) : .object(realm.globalObject)
    return try interp.call(try interp.get(holder, String(parts.last ?? "")), this: holder, args)
  }

  /// `target.name(...args)`.
  @discardableResult
  func method(_ target: Value, _ name: String, _ args: Value...) throws -> Value {
    try interp.call(try interp.get(target, name), this: target, args)
  }

  /// `new Name(...args)`.
  func new(_ path: String, _ args: Value...) throws -> Value {
    try interp.construct(global(path), args)
  }

  func array(_ xs: [Value]) -> Value { .object(realm.newArray(xs)) }

  func object(_ pairs: KeyValuePairs<String, Value>) -> Value {
    let o = realm.newObject()
    for (k, v) in pairs { o.put(k, v) }
    return .object(o)
  }

  /// A native function value for callbacks.
  func function(_ name: String = "", _ body: @escaping ([Value]) throws -> Value) -> Value {
    .object(realm.newFunction(name, arity: 0) { call in try body(call.arguments.values) })
  }

  func show(_ v: Value) -> String { interp.inspect(v, colors: false) }

  /// What `console.log(...args)` prints, without the newline.
  func log(_ args: Value...) throws -> String {
    sink.stdout = ""
    _ = try interp.call(global("console.log"), this: global("console"), args)
    return String(sink.stdout.dropLast())
  }

  func string(_ v: Value) -> String { (try? interp.toString(v)) ?? "<throws>" }
}

/// Asserts that `body` throws a script error of `kind` whose message is `message`.
func assertScriptError(
  _ kind: ErrorKind, _ message: String, file: StaticString = #filePath, line: UInt = #line,
  _ body: () throws -> Any
) {
  do {
    _ = try body()
    XCTFail("expected \(kind.rawValue): \(message)", file: file, line: line)
  } catch ScriptThrow.error(let k, let m) {
    XCTAssertEqual(k, kind, file: file, line: line)
    XCTAssertEqual(m, message, file: file, line: line)
  } catch {
    XCTFail("unexpected error \(error)", file: file, line: line)
  }
}
