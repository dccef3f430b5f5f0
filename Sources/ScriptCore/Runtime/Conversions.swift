// Type conversions and equality with JS semantics (ToNumber, ToString,
// ToPrimitive, ==, ===, SameValueZero) and number formatting as JS prints it.
// `Number.prototype.toFixed/toPrecision/toExponential/toString(radix)` and
// `parseInt`/`parseFloat` share the digit machinery here.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

public enum PrimitiveHint { case number, string, `default` }

extension Interpreter {
  /// ToPrimitive: calls `valueOf`/`toString` (or `toString`/`valueOf` for the string hint).
  public func toPrimitive(_ v: Value, hint: PrimitiveHint = .default) throws -> Value {
    guard case .object = v else { return v }
    let order = hint == .string ? ["toString", "valueOf"] : ["valueOf", "toString"]
    for name in order {
      let f = try get(v, name)
      if case .object(let fo) = f, fo is JSFunction {
        let r = try call(f, this: v, [])
        if case .object = r { continue }
        return r
      }
    }
    throw ScriptThrow.typeError("Cannot convert object to primitive value")
  }

  public func toNumber(_ v: Value) throws -> Double {
    switch v {
    case .number(let n): return n
    case .undefined: return .nan
    case .null: return 0
    case .bool(let b): return b ? 1 : 0
    case .string(let s): return stringToNumber(s)
    case .object: return try toNumber(toPrimitive(v, hint: .number))
    }
  }

  public func toString(_ v: Value) throws -> String {
    switch v {
    case .string(let s): return s
    case .number(let n): return formatNumber(n)
    case .undefined: return "undefined"
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .object: return try toString(toPrimitive(v, hint: .string))
    }
  }

  /// ToPropertyKey: what `o[k]` uses as the key.
  public func toPropertyKey(_ v: Value) throws -> String {
    if case .string(let s) = v { return s }
    return try toString(v)
  }

  /// `a == b`
  public func looseEquals(_ a: Value, _ b: Value) throws -> Bool {
    switch (a, b) {
    case (.undefined, .undefined), (.null, .null), (.undefined, .null), (.null, .undefined): return true
    case (.undefined, _), (.null, _), (_, .undefined), (_, .null): return false
    case (.number, .number), (.string, .string), (.bool, .bool), (.object, .object):
      return strictEquals(a, b)
    case (.number(let x), .string(let s)): return x == stringToNumber(s)
    case (.string(let s), .number(let y)): return stringToNumber(s) == y
    case (.bool(let x), _): return try looseEquals(.number(x ? 1 : 0), b)
    case (_, .bool(let y)): return try looseEquals(a, .number(y ? 1 : 0))
    case (.object, _): return try looseEquals(toPrimitive(a), b)
    case (_, .object): return try looseEquals(a, toPrimitive(b))
    default: return false
    }
  }
}

/// `a === b`
public func strictEquals(_ a: Value, _ b: Value) -> Bool {
  switch (a, b) {
  case (.undefined, .undefined), (.null, .null): return true
  case (.number(let x), .number(let y)): return x == y
  case (.string(let x), .string(let y)): return sameCodeUnits(x, y)
  case (.bool(let x), .bool(let y)): return x == y
  case (.object(let x), .object(let y)): return x === y
  default: return false
  }
}

/// JS string equality: the same code units. Swift's `==` treats canonically
/// equivalent strings (`'\u00e9'`, `'e\u0301'`) as equal; JS does not.
@inline(__always)
public func sameCodeUnits(_ x: String, _ y: String) -> Bool {
  let a = x.utf8
  let b = y.utf8
  return a.count == b.count && a.elementsEqual(b)
}

/// SameValueZero (`includes`, Map and Set keys): like `===` but NaN equals NaN.
public func sameValueZero(_ a: Value, _ b: Value) -> Bool {
  if case .number(let x) = a, case .number(let y) = b, x.isNaN, y.isNaN { return true }
  return strictEquals(a, b)
}

/// StringToNumber: trims white space; "" is 0; accepts 0x/0o/0b, Infinity.
public func stringToNumber(_ s: String) -> Double {
  let t = s.trimmingJSWhitespace()
  if t.isEmpty { return 0 }
  let lower = t.lowercased()
  for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where lower.hasPrefix(prefix) {
    guard let n = UInt64(lower.dropFirst(2), radix: radix) else { return .nan }
    return Double(n)
  }
  switch t {
  case "Infinity", "+Infinity": return .infinity
  case "-Infinity": return -.infinity
  default: break
  }
  // Swift's Double parser also accepts "inf", "nan" and hex floats: JS does not.
  if lower.contains("inf") || lower.contains("nan") || lower.contains("x") { return .nan }
  return Double(t) ?? .nan
}

/// Number::toString(10) as JS prints it: shortest round-trip digits,
/// exponent form below 1e-6 and from 1e21.
public func formatNumber(_ d: Double) -> String {
  if d.isNaN { return "NaN" }
  if d == 0 { return "0" }
  if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
  if d < 0 { return "-" + formatNumber(-d) }
  if d < 1e21, d == d.rounded(), d < 9_007_199_254_740_992 { return String(Int64(d)) }
  // Swift's description gives the shortest round-trip digits; re-lay them out JS's way.
  let desc = "\(d)"
  var digits = ""
  var exponent = 0
  let parts = desc.split(separator: "e", maxSplits: 1)
  let mantissa = String(parts[0])
  if parts.count == 2 { exponent = Int(parts[1]) ?? 0 }
  var pointPos: Int
  if let dot = mantissa.firstIndex(of: ".") {
    let intPart = mantissa[..<dot]
    let frac = mantissa[mantissa.index(after: dot)...]
    digits = String(intPart) + String(frac)
    pointPos = intPart.count
  } else {
    digits = mantissa
    pointPos = mantissa.count
  }
  // strip leading zeros
  while digits.hasPrefix("0") && digits.count > 1 {
    digits.removeFirst()
    pointPos -= 1
  }
  while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
  let k = digits.count
  let n = pointPos + exponent  // value = 0.digits * 10^n
  if k <= n && n <= 21 {
    return digits + String(repeating: "0", count: n - k)
  }
  if 0 < n && n <= 21 {
    let idx = digits.index(digits.startIndex, offsetBy: n)
    return digits[..<idx] + "." + digits[idx...]
  }
  if -6 < n && n <= 0 {
    return "0." + String(repeating: "0", count: -n) + digits
  }
  let e = n - 1
  let sign = e < 0 ? "-" : "+"
  if k == 1 { return digits + "e" + sign + String(abs(e)) }
  return String(digits.prefix(1)) + "." + digits.dropFirst() + "e" + sign + String(abs(e))
}

extension String {
  /// Trims the white space and line terminators JS's `trim` removes.
  public func trimmingJSWhitespace() -> String {
    let ws: Set<Unicode.Scalar> = [
      " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{A0}", "\u{FEFF}", "\u{2028}", "\u{2029}",
    ]
    let scalars = Array(unicodeScalars)
    var lo = 0
    var hi = scalars.count
    while lo < hi, ws.contains(scalars[lo]) || scalars[lo].properties.generalCategory == .spaceSeparator { lo += 1 }
    while hi > lo, ws.contains(scalars[hi - 1]) || scalars[hi - 1].properties.generalCategory == .spaceSeparator { hi -= 1 }
    var out = String.UnicodeScalarView()
    out.append(contentsOf: scalars[lo..<hi])
    return String(out)
  }
}

// MARK: - Fixed, precision and exponential notation

/// C's `printf` for one double: exact decimal expansion, ties to even.
private func cFormat(_ format: String, _ precision: Int, _ x: Double) -> String {
  var buffer = [CChar](repeating: 0, count: 1200)
  let n = buffer.withUnsafeMutableBufferPointer { p in
    withVaList([Int32(precision), x]) { vsnprintf(p.baseAddress, p.count, format, $0) }
  }
  guard n > 0 else { return "" }
  return String(decoding: buffer.prefix(Int(min(n, 1199))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Whether rounding the positive finite `x` to `digits` significant digits
/// (or, with `fixed`, to `digits` decimals) is an exact tie.
private func isExactTie(_ x: Double, digits: Int, fixed: Bool) -> Bool {
  if fixed {
    // x = M * 2^-k with k fractional bits has exactly k fractional decimal
    // digits, the last one a 5: a tie at `digits` decimals iff k == digits + 1.
    return x.significandWidth - Int(x.exponent) == digits + 1
  }
  let probe = cFormat("%.*e", digits + 30, x)
  guard let eIndex = probe.firstIndex(of: "e") else { return false }
  let mantissa = probe[..<eIndex].filter { $0 != "." }
  let tail = mantissa.dropFirst(digits)
  guard tail.first == "5", tail.dropFirst().allSatisfy({ $0 == "0" }) else { return false }
  let exact = cFormat("%.*e", 800, x)
  guard let e2 = exact.firstIndex(of: "e") else { return false }
  let all = exact[..<e2].filter { $0 != "." }.dropFirst(digits)
  return all.first == "5" && all.dropFirst().allSatisfy { $0 == "0" }
}

/// Adds one unit in the last place to a decimal string of digits and at most
/// one `.` (`"2.49"` → `"2.50"`, `"9.9"` → `"10.0"`).
private func incrementDecimal(_ s: String) -> String {
  var chars = Array(s)
  var i = chars.count - 1
  while i >= 0 {
    if chars[i] == "." {
      i -= 1
      continue
    }
    if chars[i] == "9" {
      chars[i] = "0"
      i -= 1
    } else {
      chars[i] = Character(String((chars[i].wholeNumberValue ?? 0) + 1))
      return String(chars)
    }
  }
  return "1" + String(chars)
}

/// `Number.prototype.toFixed(digits)` (digits already checked to be 0...100).
public func formatFixed(_ value: Double, digits: Int) -> String {
  if !value.isFinite || abs(value) >= 1e21 { return formatNumber(value) }
  if value == 0 { return cFormat("%.*f", digits, 0) }
  let x = abs(value)
  let sign = value < 0 ? "-" : ""
  // JS rounds exact ties away from zero; printf rounds them to even. In a tie
  // the expansion with one more digit is exact and ends in 5: drop it, round up.
  if isExactTie(x, digits: digits, fixed: true) {
    var longer = cFormat("%.*f", digits + 1, x)
    longer.removeLast()
    if longer.hasSuffix(".") { longer.removeLast() }
    return sign + incrementDecimal(longer)
  }
  return sign + cFormat("%.*f", digits, x)
}

/// The `digits` significant decimal digits of positive finite `x` and the
/// decimal exponent of the first, rounded as JS does (ties up).
private func significantDigits(_ x: Double, _ digits: Int) -> (String, Int) {
  func split(_ s: String) -> (String, Int) {
    guard let eIndex = s.firstIndex(of: "e") else { return (s, 0) }
    return (String(s[..<eIndex].filter { $0 != "." }), Int(s[s.index(after: eIndex)...]) ?? 0)
  }
  if isExactTie(x, digits: digits, fixed: false) {
    // One more digit is exact and ends in 5: drop it and round up.
    var (d, e) = split(cFormat("%.*e", digits, x))
    d.removeLast()
    let up = incrementDecimal(d)
    if up.count > digits { return (String(up.prefix(digits)), e + 1) }
    return (up, e)
  }
  return split(cFormat("%.*e", digits - 1, x))
}

/// `Number.prototype.toPrecision(precision)` (precision already checked to be 1...100).
public func formatPrecision(_ value: Double, precision p: Int) -> String {
  if !value.isFinite { return formatNumber(value) }
  if value == 0 { return p == 1 ? "0" : "0." + String(repeating: "0", count: p - 1) }
  let sign = value < 0 ? "-" : ""
  let (digits, e) = significantDigits(abs(value), p)
  if e < -6 || e >= p {
    var out = sign + String(digits.prefix(1))
    if p > 1 { out += "." + digits.dropFirst() }
    return out + "e" + (e >= 0 ? "+" : "-") + String(abs(e))
  }
  if e == p - 1 { return sign + digits }
  if e >= 0 {
    let cut = digits.index(digits.startIndex, offsetBy: e + 1)
    return sign + digits[..<cut] + "." + digits[cut...]
  }
  return sign + "0." + String(repeating: "0", count: -(e + 1)) + digits
}

/// `Number.prototype.toExponential(fractionDigits)`; nil digits = as many as needed.
public func formatExponential(_ value: Double, fractionDigits: Int?) -> String {
  if !value.isFinite { return formatNumber(value) }
  let sign = value < 0 ? "-" : ""
  let x = abs(value)
  var digits: String
  var e: Int
  if x == 0 {
    digits = String(repeating: "0", count: (fractionDigits ?? 0) + 1)
    e = 0
  } else if let f = fractionDigits {
    (digits, e) = significantDigits(x, f + 1)
  } else {
    // Shortest round-trip digits: reuse formatNumber's digit string.
    let shortest = formatNumber(x)
    let (d, exp) = shortestDigits(shortest)
    digits = d
    e = exp
  }
  var out = sign + String(digits.prefix(1))
  if digits.count > 1 { out += "." + digits.dropFirst() }
  return out + "e" + (e >= 0 ? "+" : "-") + String(abs(e))
}

/// Digits and exponent of a JS number string (`"1.5e-7"` → ("15", -7)).
private func shortestDigits(_ s: String) -> (String, Int) {
  var mantissa = s
  var exp = 0
  if let eIndex = s.firstIndex(of: "e") {
    mantissa = String(s[..<eIndex])
    exp = Int(String(s[s.index(after: eIndex)...]).filter { $0 != "+" }) ?? 0
  }
  let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
  let intPart = String(parts[0])
  let frac = parts.count > 1 ? String(parts[1]) : ""
  var digits = intPart + frac
  var pointPos = intPart.count
  while digits.hasPrefix("0") && digits.count > 1 {
    digits.removeFirst()
    pointPos -= 1
  }
  while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
  return (digits, pointPos - 1 + exp)
}


// MARK: - Radix conversion

/// `Number.prototype.toString(radix)` for radix 2...36: exact integer digits,
/// and the shortest fraction digits that read back to the same number.
public func formatRadix(_ value: Double, radix: Int) -> String {
  if radix == 10 || !value.isFinite { return formatNumber(value) }
  if value == 0 { return "0" }
  let chars = Array("0123456789abcdefghijklmnopqrstuvwxyz")
  let negative = value < 0
  let x = abs(value)
  var integer = x.rounded(.down)
  var fraction = x - integer
  let r = Double(radix)
  var fracDigits: [Int] = []
  var delta = max(0.5 * (x.nextUp - x), Double.leastNonzeroMagnitude)
  if fraction >= delta {
    repeat {
      fraction *= r
      delta *= r
      let digit = Int(fraction)
      fracDigits.append(digit)
      fraction -= Double(digit)
      if fraction > 0.5 || (fraction == 0.5 && (digit & 1) == 1) {
        if fraction + delta > 1 {
          // Round up, propagating carries into the integer part.
          var i = fracDigits.count - 1
          while true {
            if i < 0 {
              integer += 1
              fracDigits.removeAll()
              break
            }
            if fracDigits[i] + 1 < radix {
              fracDigits[i] += 1
              fracDigits.removeSubrange((i + 1)...)
              break
            }
            i -= 1
          }
          break
        }
      }
    } while fraction >= delta
  }
  var intDigits: [Character] = []
  // Digits below the double's precision print as zeros, as V8 does.
  while (integer / r) >= 9_007_199_254_740_992 {
    integer = (integer / r).rounded(.down)
    intDigits.append("0")
  }
  repeat {
    let remainder = integer.truncatingRemainder(dividingBy: r)
    intDigits.append(chars[Int(remainder)])
    integer = (integer - remainder) / r
  } while integer > 0
  var out = negative ? "-" : ""
  out += String(intDigits.reversed())
  if !fracDigits.isEmpty { out += "." + String(fracDigits.map { chars[$0] }) }
  return out
}

// MARK: - parseInt and parseFloat

/// The global `parseInt(string, radix)`; radix 0 means "10, or 16 after 0x".
public func parseIntJS(_ input: String, radix radixIn: Int) -> Double {
  var scalars = Substring(input.trimmingJSWhitespace()).unicodeScalars[...]
  var sign = 1.0
  if let f = scalars.first, f == "-" || f == "+" {
    if f == "-" { sign = -1 }
    scalars = scalars.dropFirst()
  }
  var radix = radixIn
  var stripPrefix = true
  if radix != 0 {
    if radix < 2 || radix > 36 { return .nan }
    if radix != 16 { stripPrefix = false }
  } else {
    radix = 10
  }
  if stripPrefix, scalars.count >= 2 {
    let a = scalars[scalars.startIndex]
    let b = scalars[scalars.index(after: scalars.startIndex)]
    if a == "0", b == "x" || b == "X" {
      scalars = scalars.dropFirst(2)
      radix = 16
    }
  }
  var digits: [Int] = []
  for u in scalars {
    let v: Int
    switch u.value {
    case 48...57: v = Int(u.value) - 48
    case 97...122: v = Int(u.value) - 87
    case 65...90: v = Int(u.value) - 55
    default: v = 99
    }
    if v >= radix { break }
    digits.append(v)
  }
  if digits.isEmpty { return .nan }
  if radix == 10 {
    let text = String(digits.map { Character(String($0)) })
    return sign * (Double(text) ?? .nan)
  }
  var n = 0.0
  for d in digits { n = n * Double(radix) + Double(d) }
  return sign * n
}

/// The global `parseFloat(string)`: the longest decimal-literal prefix.
public func parseFloatJS(_ input: String) -> Double {
  let s = Array(input.trimmingJSWhitespace().unicodeScalars)
  var i = 0
  var text = ""
  if i < s.count, s[i] == "+" || s[i] == "-" {
    text.unicodeScalars.append(s[i])
    i += 1
  }
  let rest = String(String.UnicodeScalarView(s[i...]))
  if rest.hasPrefix("Infinity") { return text == "-" ? -.infinity : .infinity }
  func isDigit(_ j: Int) -> Bool { j < s.count && s[j].value >= 48 && s[j].value <= 57 }
  var sawDigits = false
  while isDigit(i) {
    text.unicodeScalars.append(s[i])
    i += 1
    sawDigits = true
  }
  if i < s.count, s[i] == "." {
    var frac = "."
    var j = i + 1
    while isDigit(j) {
      frac.unicodeScalars.append(s[j])
      j += 1
    }
    if frac.count > 1 || sawDigits {
      text += frac.count > 1 ? frac : ""
      sawDigits = sawDigits || frac.count > 1
      i = j
    }
  }
  guard sawDigits else { return .nan }
  if i < s.count, s[i] == "e" || s[i] == "E" {
    var exp = "e"
    var j = i + 1
    if j < s.count, s[j] == "+" || s[j] == "-" {
      exp.unicodeScalars.append(s[j])
      j += 1
    }
    var expDigits = false
    while isDigit(j) {
      exp.unicodeScalars.append(s[j])
      j += 1
      expDigits = true
    }
    if expDigits { text += exp }
  }
  return Double(text) ?? .nan
}
