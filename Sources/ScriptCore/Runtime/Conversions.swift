// Type conversions and equality with JS semantics (ToNumber, ToString,
// ToPrimitive, ==, ===, SameValueZero) and number formatting as JS prints it.
// First cut: the builtins work refines these.

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
  case (.string(let x), .string(let y)): return x == y
  case (.bool(let x), .bool(let y)): return x == y
  case (.object(let x), .object(let y)): return x === y
  default: return false
  }
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
  return String(digits.first!) + "." + digits.dropFirst() + "e" + sign + String(abs(e))
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
