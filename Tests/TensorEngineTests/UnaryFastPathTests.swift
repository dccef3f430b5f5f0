// The unary ops' specialised loops (UnaryLoops.swift) against their per-element
// definitions, bit for bit: NaN, signed zeros, infinities, subnormals, odd lengths,
// and sizes over the two-worker threshold (where the halves meet mid-vector).

import Foundation
import XCTest

@testable import TensorEngine

final class UnaryFastPathTests: XCTestCase {
  /// Awkward values: NaN (both signs), ±0, ±inf, subnormals, rounding ties, large and
  /// overflowing magnitudes, values near the softplus thresholds.
  let awkward: [Float] = [
    .nan, -.nan, -0.0, 0.0, -.infinity, .infinity, -1, 1, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5,
    1e-45, -1e-45, 1e-38, -1e-38, 3, -3, 88.7, 89, -104, -87.3, 1e30, -1e30,
    .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 13.9, -13.9, 14, -14, 0.999, -0.999,
    1e-7, -1e-7, 6, 7.25,
  ]

  /// Bit patterns, so NaN == NaN and -0 != +0.
  func bits(_ v: [Float]) -> [UInt32] { v.map(\.bitPattern) }

  func viaD(_ x: Float, _ f: (Double) -> Double) -> Float { Float(f(Double(x))) }

  /// Each op with its per-element definition, written independently of the loops.
  func cases() -> [(String, (Tensor) throws -> Tensor, (Float) -> Float)] {
    let threshold = Foundation.log(1.1920928955078125e-7) + 2
    let scale = 1.0507009873554804934193349852946
    let scaleAlpha = 1.7580993408473768599402175208123
    return [
      ("neg", { try $0.neg() }, { -$0 }),
      ("abs", { try $0.abs() }, { Swift.abs($0) }),
      ("sign", { try $0.sign() }, { $0 < 0 ? -1 : ($0 > 0 ? 1 : 0) }),
      ("square", { try $0.square() }, { $0 * $0 }),
      ("reciprocal", { try $0.reciprocal() }, { 1 / $0 }),
      ("sqrt", { try $0.sqrt() }, { $0.squareRoot() }),
      ("rsqrt", { try $0.rsqrt() }, { 1 / $0.squareRoot() }),
      ("exp", { try $0.exp() }, { self.viaD($0, Foundation.exp) }),
      ("expm1", { try $0.expm1() }, { self.viaD($0, Foundation.expm1) }),
      ("log", { try $0.log() }, { self.viaD($0, Foundation.log) }),
      ("log1p", { try $0.log1p() }, { self.viaD($0, Foundation.log1p) }),
      ("floor", { try $0.floor() }, { $0.rounded(.down) }),
      ("ceil", { try $0.ceil() }, { $0.rounded(.up) }),
      ("round", { try $0.round() }, { $0.rounded(.toNearestOrEven) }),
      ("sin", { try $0.sin() }, { self.viaD($0, Foundation.sin) }),
      ("cos", { try $0.cos() }, { self.viaD($0, Foundation.cos) }),
      ("tan", { try $0.tan() }, { self.viaD($0, Foundation.tan) }),
      ("asin", { try $0.asin() }, { self.viaD($0, Foundation.asin) }),
      ("acos", { try $0.acos() }, { self.viaD($0, Foundation.acos) }),
      ("atan", { try $0.atan() }, { self.viaD($0, Foundation.atan) }),
      ("sinh", { try $0.sinh() }, { self.viaD($0, Foundation.sinh) }),
      ("cosh", { try $0.cosh() }, { self.viaD($0, Foundation.cosh) }),
      ("tanh", { try $0.tanh() }, { self.viaD($0, Foundation.tanh) }),
      ("asinh", { try $0.asinh() }, { self.viaD($0, Foundation.asinh) }),
      ("acosh", { try $0.acosh() }, { self.viaD($0, Foundation.acosh) }),
      ("atanh", { try $0.atanh() }, { self.viaD($0, Foundation.atanh) }),
      ("erf", { try $0.erf() }, { self.viaD($0, Foundation.erf) }),
      ("sigmoid", { try $0.sigmoid() }, { self.viaD($0) { 1 / (1 + Foundation.exp(-$0)) } }),
      ("elu", { try $0.elu() }, { $0 >= 0 ? $0 : self.viaD($0) { Foundation.exp($0) - 1 } }),
      (
        "selu", { try $0.selu() },
        { self.viaD($0) { $0 >= 0 ? scale * $0 : scaleAlpha * (Foundation.exp($0) - 1) } }
      ),
      (
        "softplus", { try $0.softplus() },
        {
          self.viaD($0) { x in
            if x < threshold { return Foundation.exp(x) }
            if x > -threshold { return x }
            return Foundation.log(1 + Foundation.exp(x))
          }
        }
      ),
      (
        "leakyRelu", { try $0.leakyRelu(alpha: 0.3) },
        { $0 < 0 ? Float(Double(Float(0.3)) * Double($0)) : $0 }
      ),
      ("step", { try $0.step(alpha: -0.25) }, { $0.isNaN ? .nan : ($0 > 0 ? 1 : -0.25) }),
      ("isNaN", { try $0.isNaN() }, { $0.isNaN ? 1 : 0 }),
      ("isFinite", { try $0.isFinite() }, { $0.isFinite ? 1 : 0 }),
      ("isInf", { try $0.isInf() }, { $0.isInfinite ? 1 : 0 }),
    ]
  }

  /// `values` of every length in `lengths`, each checked op by op against its definition.
  func check(_ values: [Float], lengths: [Int]) throws {
    for length in lengths {
      let input = Array(values.prefix(length))
      let x = try Tensor.tensor(input, shape: [length])
      defer { x.dispose() }
      for (name, op, definition) in cases() {
        let y = try op(x)
        defer { y.dispose() }
        let got = bits(try y.dataSync())
        let want = bits(input.map(definition))
        XCTAssertEqual(got.count, want.count, name)
        // The first differing element only: the arrays are too long to print.
        if got.count == want.count, let i = got.indices.first(where: { got[$0] != want[$0] }) {
          XCTFail("\(name), length \(length): at \(i), x = \(input[i]): \(got[i]) != \(want[i])")
        }
      }
    }
  }

  func testSmallInputsMatchDefinitionsBitForBit() throws {
    try check(awkward, lengths: [1, 7, 8, 9, 17, awkward.count])
  }

  func testInputsOverTheWorkerThresholdMatchDefinitionsBitForBit() throws {
    // Odd lengths over the threshold: the awkward values repeated, then a sweep.
    let n = parallelThreshold * 2 + 3
    var values = [Float]()
    values.reserveCapacity(n)
    for i in 0..<n {
      values.append(
        i % 3 == 0 ? awkward[(i / 3) % awkward.count] : Float(i % 2001 - 1000) * 0.0137)
    }
    try check(values, lengths: [parallelThreshold + 1, n])
  }

  func testDtypesAndErrorsAreUnchanged() throws {
    let ints = try Tensor.tensor([-3, 0, 4, 9], shape: [4], dtype: .int32)
    XCTAssertEqual(try ints.neg().dtype, .int32)
    XCTAssertEqual(try ints.square().dataSync(), [9, 0, 16, 81])
    // exp is always float32; int32 results are truncated.
    XCTAssertEqual(try ints.exp().dtype, .float32)
    XCTAssertEqual(try ints.asinh().dataSync(), [-1, 0, 2, 2])
    XCTAssertEqual(try ints.isNaN().dtype, .bool)
    XCTAssertEqual(try ints.leakyRelu(alpha: 0.5).dataSync(), [-1.5, 0, 4, 9])
    XCTAssertThrowsError(try ints.sqrt())
    let flags = try Tensor.tensor([1, 0, 1], shape: [3], dtype: .bool)
    XCTAssertEqual(try flags.logicalNot().dataSync(), [0, 1, 0])
    XCTAssertEqual(try flags.logicalNot().dtype, .bool)
    XCTAssertThrowsError(try ints.logicalNot())
  }

  func testScalarDefinitionAgreesWithTheLoops() throws {
    let kernels: [UnaryKernel] = [.neg, .exp, .sigmoid, .softplus, .leakyRelu(alpha: 0.2)]
    for kernel in kernels {
      XCTAssertEqual(bits(awkward.map(kernel.scalar)), bits(kernel.values(awkward)), "\(kernel)")
    }
  }
}
