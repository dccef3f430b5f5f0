import XCTest
@testable import ScriptCore

/// Number → string exactly as V8 prints it.
final class BuiltinsNumberFormattingTests: XCTestCase {
  func testFormatNumberTable() {
    let table: [(Double, String)] = [
      (0, "0"), (-0.0, "0"), (1, "1"), (-1, "-1"), (0.1, "0.1"),
      (0.1 + 0.2, "0.30000000000000004"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
      (123456789012345680000, "123456789012345680000"), (1.5e-7, "1.5e-7"), (1e-6, "0.000001"),
      (1e-7, "1e-7"), (0.000001234, "0.000001234"), (1.7976931348623157e308, "1.7976931348623157e+308"),
      (5e-324, "5e-324"), (.nan, "NaN"), (.infinity, "Infinity"), (-.infinity, "-Infinity"),
      (9007199254740992, "9007199254740992"), (9007199254740994, "9007199254740994"),
      (1.0 / 3, "0.3333333333333333"), (2.0 / 3, "0.6666666666666666"), (100, "100"),
      (1e100, "1e+100"), (123.456, "123.456"), (-123.456e-10, "-1.23456e-8"), (4.35, "4.35"),
      (1.0000000000000002, "1.0000000000000002"), (1e-5, "0.00001"), (12e-7, "0.0000012"),
      (1.2e-7, "1.2e-7"), (2147483648, "2147483648"), (18446744073709551616, "18446744073709552000"),
      (0.001, "0.001"), (25e20, "2.5e+21"), (1.5e300, "1.5e+300"),
      (Double.ulpOfOne, "2.220446049250313e-16"), (Double.pi, "3.141592653589793"),
      (2.718281828459045, "2.718281828459045"), (-1e-7, "-1e-7"), (1.1 * 1.1, "1.2100000000000002"),
      (0.000001, "0.000001"), (123e-20, "1.23e-18"), (-5e-324, "-5e-324"),
    ]
    for (d, expected) in table {
      XCTAssertEqual(formatNumber(d), expected, "formatNumber(\(d))")
    }
  }

  func testMinusZeroInInspectOnly() throws {
    let js = JS()
    XCTAssertEqual(try js.log(.number(-0.0)), "-0")
    XCTAssertEqual(js.string(.number(-0.0)), "0")
    XCTAssertEqual(try js.log(js.array([.number(-0.0)])), "[ -0 ]")
  }

  func testToFixed() throws {
    let js = JS()
    let cases: [(Double, Int, String)] = [
      (1.005, 2, "1.00"), (1.45, 1, "1.4"), (2.5, 0, "3"), (0.5, 0, "1"), (1.5, 0, "2"),
      (1.25, 1, "1.3"), (1.35, 1, "1.4"), (-1.5, 0, "-2"), (0, 2, "0.00"), (-0.0, 2, "0.00"),
      (1e21, 2, "1e+21"), (123.456, 2, "123.46"), (0.000001, 7, "0.0000010"),
      (-0.0001, 2, "-0.00"), (10.235, 2, "10.23"), (3.14159, 4, "3.1416"), (42, 0, "42"),
      (0.1, 20, "0.10000000000000000555"), (-2.5, 0, "-3"), (1234.5678, 1, "1234.6"),
      // Exact ties where one ulp is coarser than the last decimal (checked with exact decimals).
      (50158214433093.203125, 5, "50158214433093.20313"), (431505852161999.875, 2, "431505852161999.88"),
      (-431505852161999.875, 2, "-431505852161999.88"), (9.5, 0, "10"), (99.995, 2, "100.00"),
    ]
    for (x, f, expected) in cases {
      XCTAssertEqual(js.string(try js.method(.number(x), "toFixed", .number(Double(f)))), expected, "(\(x)).toFixed(\(f))")
    }
    assertScriptError(.rangeError, "toFixed() digits argument must be between 0 and 100") {
      try js.method(.number(1), "toFixed", .number(101))
    }
  }

  func testToPrecisionAndExponential() throws {
    let js = JS()
    let cases: [(Double, Int, String)] = [
      (123.456, 4, "123.5"), (0.00001234, 2, "0.000012"), (1e-7, 2, "1.0e-7"), (123456, 2, "1.2e+5"),
      (1.25, 2, "1.3"), (0, 3, "0.00"), (5, 1, "5"), (15, 1, "2e+1"), (2.5, 1, "3"), (123, 3, "123"),
      (99.99, 3, "100"), (-1.5, 1, "-2"), (0.5, 3, "0.500"), (1.125, 3, "1.13"), (-1.125, 3, "-1.13"),
      (9.5, 1, "1e+1"), (999.5, 3, "1.00e+3"), (123456789012345.5, 16, "123456789012345.5"),
    ]
    for (x, p, expected) in cases {
      XCTAssertEqual(js.string(try js.method(.number(x), "toPrecision", .number(Double(p)))), expected, "(\(x)).toPrecision(\(p))")
    }
    XCTAssertEqual(js.string(try js.method(.number(123456), "toExponential", .number(2))), "1.23e+5")
    XCTAssertEqual(js.string(try js.method(.number(0), "toExponential")), "0e+0")
    XCTAssertEqual(js.string(try js.method(.number(1.5e-7), "toExponential")), "1.5e-7")
    XCTAssertEqual(js.string(try js.method(.number(12345), "toExponential")), "1.2345e+4")
  }

  func testToStringRadix() throws {
    let js = JS()
    let cases: [(Double, Int, String)] = [
      (255, 16, "ff"), (255, 2, "11111111"), (-255, 36, "-73"), (0.5, 2, "0.1"),
      (0.1, 2, "0.0001100110011001100110011001100110011001100110011001101"), (3.75, 16, "3.c"),
      (1e21, 16, "3635c9adc5dea00000"), (35, 36, "z"), (0, 2, "0"), (8, 8, "10"),
    ]
    for (x, r, expected) in cases {
      XCTAssertEqual(js.string(try js.method(.number(x), "toString", .number(Double(r)))), expected, "(\(x)).toString(\(r))")
    }
    assertScriptError(.rangeError, "toString() radix must be between 2 and 36") {
      try js.method(.number(1), "toString", .number(1))
    }
  }

  func testParseIntAndParseFloat() throws {
    let js = JS()
    let ints: [(String, Double?, Double)] = [
      ("  42px", nil, 42), ("0x1F", nil, 31), ("1e3", nil, 1), ("-12.9", nil, -12), ("101", 2, 5),
      ("z", 36, 35), ("08", nil, 8), ("+7", nil, 7), ("ff", 16, 255), ("0x10", 16, 16),
    ]
    for (s, radix, expected) in ints {
      let r = try js.call("parseInt", .string(s), radix.map { .number($0) } ?? .undefined)
      XCTAssertEqual(r.asNumber, expected, "parseInt(\(s))")
    }
    XCTAssertTrue(try js.call("parseInt", "abc").asNumber?.isNaN == true)
    XCTAssertTrue(try js.call("parseInt", "12", .number(1)).asNumber?.isNaN == true)
    let floats: [(String, Double)] = [
      ("3.14abc", 3.14), (".5", 0.5), ("-Infinityx", -.infinity), ("1e-3", 0.001), ("1.e2", 100),
      ("  -0.25e+2z", -25), ("5.", 5),
    ]
    for (s, expected) in floats {
      XCTAssertEqual(try js.call("parseFloat", .string(s)).asNumber, expected, "parseFloat(\(s))")
    }
    XCTAssertTrue(try js.call("parseFloat", "e5").asNumber?.isNaN == true)
    XCTAssertTrue(try js.call("Number", "12px").asNumber?.isNaN == true)
    XCTAssertEqual(try js.call("Number", " 0x10 ").asNumber, 16)
    XCTAssertEqual(try js.call("Number", "").asNumber, 0)
  }

  func testNumberStatics() throws {
    let js = JS()
    XCTAssertEqual(js.show(try js.call("Number.isInteger", 5.0)), "true")
    XCTAssertEqual(js.show(try js.call("Number.isInteger", 5.5)), "false")
    XCTAssertEqual(js.show(try js.call("Number.isInteger", "5")), "false")
    XCTAssertEqual(js.show(try js.call("Number.isSafeInteger", .number(9007199254740992))), "false")
    XCTAssertEqual(js.show(try js.call("Number.isNaN", "abc")), "false")
    XCTAssertEqual(js.show(try js.call("isNaN", "abc")), "true")
    XCTAssertEqual(js.show(try js.call("isFinite", "12")), "true")
    XCTAssertEqual(js.global("Number.MAX_SAFE_INTEGER").asNumber, 9007199254740991)
    XCTAssertEqual(js.string(try js.method(.number(1234567.891), "toLocaleString")), "1,234,567.891")
  }
}
