// SPDX-License-Identifier: MIT
import XCTest

@testable import TensorEngine

final class FormatTests: XCTestCase {
  func testJSNumber() {
    XCTAssertEqual(jsNumber(1), "1")
    XCTAssertEqual(jsNumber(-0.5), "-0.5")
    XCTAssertEqual(jsNumber(1e-7), "1e-7")
    XCTAssertEqual(jsNumber(1.5e-7), "1.5e-7")
    XCTAssertEqual(jsNumber(0.000001), "0.000001")
    XCTAssertEqual(jsNumber(1e21), "1e+21")
    XCTAssertEqual(jsNumber(1.2345678901234568e20), "123456789012345680000")
    XCTAssertEqual(jsNumber(Double(Float(0.1))), "0.10000000149011612")
    XCTAssertEqual(jsNumber(.nan), "NaN")
    XCTAssertEqual(jsNumber(-.infinity), "-Infinity")
  }

  func testJSToFixed() {
    XCTAssertEqual(jsToFixed(0.5, 0), "1")  // JS rounds ties up, printf to even
    XCTAssertEqual(jsToFixed(2.5, 0), "3")
    XCTAssertEqual(jsToFixed(1.0 / 256, 7), "0.0039063")
    XCTAssertEqual(jsToFixed(-1e-8, 7), "-0.0000000")
    XCTAssertEqual(jsToFixed(1.23456789, 7), "1.2345679")
  }

  func testScalarUsesPlainToString() throws {
    XCTAssertEqual(Tensor.scalar(0.1).toString(), "Tensor\n    0.10000000149011612")
    XCTAssertEqual(Tensor.scalar(3, dtype: .int32).toString(), "Tensor\n    3")
    XCTAssertEqual(Tensor.scalar(1, dtype: .bool).toString(), "Tensor\n    true")
  }

  func testVectorAndMatrix() throws {
    XCTAssertEqual(try t([1, 2, 3]).toString(), "Tensor\n    [1, 2, 3]")
    XCTAssertEqual(try t([0.1, 0.25]).toString(), "Tensor\n    [0.1, 0.25]")
    XCTAssertEqual(try t([1, 2, 3, 4], [2, 2]).toString(), "Tensor\n    [[1, 2],\n     [3, 4]]")
    XCTAssertEqual(
      try t([1, 22, 333, 4], [2, 2]).toString(),
      "Tensor\n    [[1  , 22],\n     [333, 4 ]]")
    XCTAssertEqual(try t([1, 2], [1, 2]).toString(), "Tensor\n     [[1, 2],]")
  }

  func testRank3AndVerbose() throws {
    let x = try t((1...8).map(Float.init), [2, 2, 2])
    XCTAssertEqual(
      x.toString(),
      "Tensor\n    [[[1, 2],\n      [3, 4]],\n\n     [[5, 6],\n      [7, 8]]]")
    XCTAssertEqual(
      try t([1, 0], nil, .bool).toString(verbose: true),
      "Tensor\n  dtype: bool\n  rank: 1\n  shape: [2]\n  values:\n    [true, false]")
  }

  func testTruncation() throws {
    let x = try t((0..<30).map(Float.init))
    XCTAssertEqual(x.toString(), "Tensor\n    [0, 1, 2, ..., 27, 28, 29]")
    let m = try t((0..<50).map(Float.init), [25, 2])
    XCTAssertEqual(
      m.toString(),
      """
      Tensor
          [[0 , 1 ],
           [2 , 3 ],
           [4 , 5 ],
           ...,
           [44, 45],
           [46, 47],
           [48, 49]]
      """)
  }

  func testSevenDigitRounding() throws {
    XCTAssertEqual(
      try t([1.0 / 3, 1e-8, 123.456789]).toString(),
      "Tensor\n    [0.3333333, 0, 123.4567871]")
  }

  func testSpecialValues() throws {
    XCTAssertEqual(
      try t([.nan, .infinity, -.infinity, -0.0, -1e-9]).toString(),
      "Tensor\n    [NaN, Infinity, -Infinity, 0, 0]")
    XCTAssertEqual(
      try t([-1, 2, 3, -4], [2, 2]).toString(),
      "Tensor\n    [[-1, 2 ],\n     [3 , -4]]")
    // As Node prints these float32 values.
    XCTAssertEqual(
      try t([1e21, 2.5e-7]).toString(), "Tensor\n    [1.0000000200408773e+21, 2e-7]")
  }

  /// Float32 values printed by Node.js (Tests/Fixtures/engine/gen_js_number_format.js).
  func testNumberTextMatchesJavaScript() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../Fixtures/engine/js_number_format.txt")
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
    XCTAssertGreaterThan(lines.count, 2000)
    var mismatches = 0
    for line in lines {
      let parts = line.split(separator: " ").map(String.init)
      guard parts.count == 3, let bits = UInt32(parts[0]) else {
        XCTFail("bad fixture line \(line)")
        continue
      }
      let v = Float(bitPattern: bits)
      if formatElement(v, dtype: .float32) != parts[1] || jsNumber(Double(v)) != parts[2] {
        mismatches += 1
        if mismatches < 5 { XCTFail("\(v): want \(parts[1]) / \(parts[2])") }
      }
    }
    XCTAssertEqual(mismatches, 0)
  }

  /// Element-wise results printed as TF.js prints its CPU kernels' results
  /// (Tests/Fixtures/engine/gen_js_unary_ops.js).
  func testElementwiseDigitsMatchTFJSKernels() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../Fixtures/engine/js_unary_ops.txt")
    var byOp: [String: (xs: [Float], want: [String])] = [:]
    for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
      let p = line.split(separator: " ").map(String.init)
      guard p.count == 3, let bits = UInt32(p[1]) else { continue }
      byOp[p[0], default: ([], [])].xs.append(Float(bitPattern: bits))
      byOp[p[0], default: ([], [])].want.append(p[2])
    }
    XCTAssertEqual(byOp.count, 14)
    for (op, c) in byOp {
      let x = try t(c.xs)
      let y: Tensor
      switch op {
      case "exp": y = try x.exp()
      case "sigmoid": y = try x.sigmoid()
      case "tanh": y = try x.tanh()
      case "sin": y = try x.sin()
      case "cos": y = try x.cos()
      case "atan": y = try x.atan()
      case "log1p": y = try x.abs().log1p()
      case "expm1": y = try x.expm1()
      case "softplus": y = try x.softplus()
      case "elu": y = try x.elu()
      case "selu": y = try x.selu()
      case "logAbs": y = try x.abs().log()
      case "sqrtAbs": y = try x.abs().sqrt()
      case "squaredDifference03": y = try x.squaredDifference(Tensor.scalar(0.3))
      default: throw TensorError("unknown op \(op)")
      }
      let got = try y.dataSync().map { formatElement($0, dtype: .float32) }
      XCTAssertEqual(got, c.want, op)
    }
  }
}
