// The embedding surface of TFBindings: what `install(into:)` defines, how the
// REPL echoes and completes tensors, and how engine errors reach scripts.

import ScriptCore
import TFBindings
import XCTest

final class InstallTests: XCTestCase {
  /// Runs `source` as a script and returns stdout, failing on uncaught errors.
  private func run(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> String {
    let (interp, out) = makeTFInterpreter()
    if case .uncaught(_, let text) = interp.run(source: source, file: "test.tl") {
      XCTFail("uncaught: \(text)", file: file, line: line)
    }
    return out.stdout
  }

  func testGlobalAndModulesAreTheSameObject() {
    let out = run("""
      const a = require('@tensorflow/tfjs-node');
      const b = require('@tensorflow/tfjs');
      console.log(a === tf, b === tf, typeof tf.tensor);
      """)
    XCTAssertEqual(out, "true true function\n")
  }

  func testREPLEchoShowsTensorToString() {
    let (interp, _) = makeTFInterpreter()
    guard case .ok(let v) = interp.evaluateREPL("tf.tensor([[1, 2], [3, 4]])") else {
      return XCTFail("entry failed")
    }
    XCTAssertEqual(interp.inspect(v, colors: false), "Tensor\n    [[1, 2],\n     [3, 4]]")
    guard case .ok(let d) = interp.evaluateREPL("tf.tensor([1.5, 2]).dataSync()") else {
      return XCTFail("entry failed")
    }
    XCTAssertEqual(interp.inspect(d, colors: false), "Float32Array(2) [ 1.5, 2 ]")
  }

  func testCompletionListsNamespaceAndTensorMembers() {
    let (interp, _) = makeTFInterpreter()
    XCTAssertTrue(interp.globalNames().contains("tf"))
    let tfMembers = interp.completions(for: "tf.ma")
    for name in ["tf.matMul", "tf.max", "tf.maximum", "tf.maxPool"] {
      XCTAssertTrue(tfMembers.contains(name), "\(name) missing from \(tfMembers)")
    }
    XCTAssertTrue(interp.completions(for: "tf.train.a").contains("tf.train.adam"))
    XCTAssertTrue(interp.completions(for: "tf.losses.mean").contains("tf.losses.meanSquaredError"))
    _ = interp.evaluateREPL("const t = tf.ones([2, 2])")
    let tensorMembers = interp.completions(for: "t.")
    for name in ["t.reshape", "t.dataSync", "t.shape", "t.dtype", "t.print", "t.matMul"] {
      XCTAssertTrue(tensorMembers.contains(name), "\(name) missing")
    }
  }

  func testUnknownMemberSuggestsTheTFName() {
    let (interp, _) = makeTFInterpreter()
    guard case .uncaught(_, let text) = interp.run(source: "tf.matmul(1, 2)", file: "x.tl") else {
      return XCTFail("expected an error")
    }
    XCTAssertTrue(text.hasPrefix("TypeError: tf.matmul is not a function (did you mean matMul?)"),
                  text)
  }

  func testEngineErrorsBecomeCatchableErrors() {
    let out = run("""
      try { tf.ones([2]).reshape([3]); } catch (e) {
        console.log(e instanceof Error, e.name, e.message);
      }
      """)
    XCTAssertEqual(out, "true Error Size(2) must match the product of shape 3\n")
    let (interp, _) = makeTFInterpreter()
    guard case .uncaught(_, let text) = interp.run(source: "tf.ones([2]).reshape([3])", file: "x.tl")
    else { return XCTFail("expected an uncaught error") }
    XCTAssertTrue(text.hasPrefix("Error: Size(2) must match the product of shape 3"), text)
  }

  func testTidyReleasesScriptTensors() {
    let out = run("""
      const before = tf.memory().numTensors;
      for (let i = 0; i < 100; i++) {
        tf.tidy(() => { tf.ones([10, 10]).matMul(tf.ones([10, 10])).sum(); });
      }
      console.log(tf.memory().numTensors - before);
      const kept = tf.tidy(() => tf.ones([3]).add(1));
      console.log(tf.memory().numTensors - before, kept.isDisposed);
      """)
    XCTAssertEqual(out, "0\n1 false\n")
  }

  func testTensorPropertiesAreReadOnlyAndFresh() {
    let out = run("""
      const t = tf.zeros([2, 3]);
      const s = t.shape; s[0] = 99;
      try { t.shape = [1]; } catch (e) { console.log(e.name); }
      console.log(t.shape, t.size, Object.keys(t).includes('dtype'));
      """)
    XCTAssertEqual(out, "TypeError\n[ 2, 3 ] 6 true\n")
  }
}
