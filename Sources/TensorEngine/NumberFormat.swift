// SPDX-License-Identifier: MIT
import Foundation

// JavaScript's number-to-text rules, which TF.js's printing relies on:
// `Number.prototype.toString()` (shortest round-trip digits, exponent form
// outside 1e-7 ..< 1e21) and `Number.prototype.toFixed(f)` (exact decimal
// value, ties away from zero).

/// Formats a number as JavaScript's `String(x)` does (`1`, `0.5`, `1e-7`, `1.5e+21`).
public func jsNumber(_ x: Double) -> String {
  if x.isNaN { return "NaN" }
  if x.isInfinite { return x < 0 ? "-Infinity" : "Infinity" }
  if x == 0 { return "0" }
  let sign = x < 0 ? "-" : ""
  let (digits, n) = shortestDigits(Swift.abs(x))
  let k = digits.count
  if k <= n && n <= 21 {
    return sign + digits + String(repeating: "0", count: n - k)
  }
  if 0 < n && n <= 21 {
    let cut = digits.index(digits.startIndex, offsetBy: n)
    return sign + digits[..<cut] + "." + digits[cut...]
  }
  if -6 < n && n <= 0 {
    return sign + "0." + String(repeating: "0", count: -n) + digits
  }
  let e = n - 1
  let expText = e < 0 ? "-\(-e)" : "+\(e)"
  if k == 1 { return sign + digits + "e" + expText }
  return sign + String(digits.prefix(1)) + "." + digits.dropFirst() + "e" + expText
}

/// The shortest round-trip decimal digits of a positive finite `x`, and the
/// exponent `n` such that `x = 0.d1d2...dk × 10^n`.
private func shortestDigits(_ x: Double) -> (String, Int) {
  let text = x.description  // Swift prints shortest round-trip digits, e.g. "1.5e-07"
  var mantissa = Substring(text)
  var exponent = 0
  if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
    mantissa = text[..<e]
    exponent = Int(text[text.index(after: e)...]) ?? 0
  }
  var intPart = mantissa
  var fracPart: Substring = ""
  if let dot = mantissa.firstIndex(of: ".") {
    intPart = mantissa[..<dot]
    fracPart = mantissa[mantissa.index(after: dot)...]
  }
  var digits = Array(intPart + fracPart)
  var point = intPart.count + exponent
  while digits.first == "0" {
    digits.removeFirst()
    point -= 1
  }
  while digits.last == "0" { digits.removeLast() }
  return (String(digits), point)
}

/// Formats as JavaScript's `x.toFixed(f)` does, for `0 <= f <= 20`.
public func jsToFixed(_ x: Double, _ f: Int) -> String {
  if !x.isFinite || Swift.abs(x) >= 1e21 { return jsNumber(x) }
  let magnitude = Swift.abs(x)
  var body = String(format: "%.\(f)f", magnitude)
  // printf rounds exact ties to even; JavaScript picks the larger integer.
  let scale = Foundation.pow(2.0, Double(f + 1))
  let scaled = magnitude * scale
  if scaled < 9e15 && scaled == scaled.rounded() && Int64(scaled) % 2 == 1 {
    let up = magnitude + 0.5 * Foundation.pow(10.0, Double(-f))
    body = String(format: "%.\(f)f", up.nextUp)
  }
  return (x < 0 ? "-" : "") + body
}
