// The embedding API's host side (a shell: the evaluator is being written).
//
//   let interp = Interpreter(output: sink)
//   interp.realm.install([...], into: someObject)
//   let result = interp.run(source: text, file: "script.tl")

/// Where `console.log` and friends write. The CLI passes stdout/stderr; tests pass a buffer.
public protocol OutputSink: AnyObject {
  func write(_ text: String, to stream: OutputStream)
}

public enum OutputStream: Sendable { case stdout, stderr }

public final class Interpreter {
  public let output: OutputSink
  public let realm: Realm

  public init(output: OutputSink) {
    self.output = output
    self.realm = Realm()
    Builtins.install(into: self)
  }
}
