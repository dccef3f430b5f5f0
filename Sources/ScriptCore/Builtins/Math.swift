// Math: the full ES2023 set. Arguments go through ToNumber as in JS
// (`Math.max('3', 1)` is 3). `random` is xorshift128+, seeded from the clock
// unless the host seeds it (`Builtins.seedRandom`).

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The generator behind `Math.random`.
final class RandomState {
  private var s0: UInt64 = 0
  private var s1: UInt64 = 0

  init() {
    seed(UInt64(bitPattern: Int64(wallClockMilliseconds())) ^ UInt64(monotonicSeconds() * 1e9))
  }

  /// Resets the stream; the same seed gives the same numbers.
  func seed(_ seed: UInt64) {
    // splitmix64 spreads the seed over both state words.
    var z = seed
    func mix() -> UInt64 {
      z &+= 0x9E37_79B9_7F4A_7C15
      var r = z
      r = (r ^ (r >> 30)) &* 0xBF58_476D_1CE4_E5B9
      r = (r ^ (r >> 27)) &* 0x94D0_49BB_1331_11EB
      return r ^ (r >> 31)
    }
    s0 = mix()
    s1 = mix()
    if s0 == 0 && s1 == 0 { s1 = 1 }
  }

  /// A double uniformly in [0, 1).
  func next() -> Double {
    var x = s0
    let y = s1
    s0 = y
    x ^= x << 23
    s1 = x ^ y ^ (x >> 17) ^ (y >> 26)
    return Double((s1 &+ y) >> 11) * 0x1.0p-53
  }
}

/// The `Math` namespace object, holding its generator.
final class MathObject: TaggedNamespace {
  let random = RandomState()
}

extension Builtins {
  static func installMath(_ realm: Realm) {
    let math = MathObject(prototype: realm.objectPrototype, tag: "Math")
    realm.installHidden(mathEntries, into: math, prefix: "Math.")
    let rng = math.random
    realm.install([.function("random", arity: 0) { _ in .number(rng.next()) }], into: math, prefix: "Math.")
    realm.defineGlobal("Math", .object(math))
  }

  private static func unary(_ name: String, _ f: @escaping (Double) -> Double) -> NativeEntry {
    .function(name, arity: 1) { call in .number(f(try call.interpreter.toNumber(call.arguments[0]))) }
  }

  /// JS `Math.round`: halves round toward +Infinity; keeps -0 for [-0.5, -0].
  static func jsRound(_ x: Double) -> Double {
    if !x.isFinite || x == 0 { return x }
    if x < 0 && x >= -0.5 { return -0.0 }
    let f = x.rounded(.down)
    return x - f >= 0.5 ? f + 1 : f
  }

  /// A correctly rounded cube root for exact cubes (`Math.cbrt(27)` is 3):
  /// the platform's cbrt can be an ulp off, so polish it with Newton and
  /// keep the neighbour whose cube is closest.
  static func jsCbrt(_ x: Double) -> Double {
    if !x.isFinite || x == 0 { return x }
    var y = cbrt(x)
    y -= (y * y * y - x) / (3 * y * y)
    var best = y
    var bestError = abs(y * y * y - x)
    for c in [y.nextDown, y.nextUp] where abs(c * c * c - x) < bestError {
      best = c
      bestError = abs(c * c * c - x)
    }
    return best
  }

  /// JS `**` and `Math.pow`: like C's pow except that a base of ±1 with an
  /// infinite exponent, and any NaN exponent, give NaN.
  public static func jsPow(_ base: Double, _ exponent: Double) -> Double {
    if exponent.isNaN { return .nan }
    if exponent == 0 { return 1 }
    if abs(base) == 1 && exponent.isInfinite { return .nan }
    return pow(base, exponent)
  }

  static let mathEntries: [NativeEntry] = [
    .constant("E", .number(M_E)),
    .constant("LN10", .number(M_LN10)),
    .constant("LN2", .number(M_LN2)),
    .constant("LOG10E", .number(M_LOG10E)),
    .constant("LOG2E", .number(M_LOG2E)),
    .constant("PI", .number(Double.pi)),
    .constant("SQRT1_2", .number(0.5.squareRoot())),
    .constant("SQRT2", .number(2.0.squareRoot())),
    unary("abs") { abs($0) },
    unary("acos") { acos($0) },
    unary("acosh") { acosh($0) },
    unary("asin") { asin($0) },
    unary("asinh") { asinh($0) },
    unary("atan") { atan($0) },
    .function("atan2", arity: 2) { call in
      .number(atan2(try call.interpreter.toNumber(call.arguments[0]), try call.interpreter.toNumber(call.arguments[1])))
    },
    unary("atanh") { atanh($0) },
    unary("cbrt") { jsCbrt($0) },
    unary("ceil") { $0.rounded(.up) },
    unary("clz32") { x in
      let n = x.isFinite ? UInt32(truncatingIfNeeded: Int64(x.truncatingRemainder(dividingBy: 4_294_967_296))) : 0
      return Double(n.leadingZeroBitCount)
    },
    unary("cos") { cos($0) },
    unary("cosh") { cosh($0) },
    unary("exp") { exp($0) },
    unary("expm1") { expm1($0) },
    unary("floor") { $0.rounded(.down) },
    unary("fround") { Double(Float($0)) },
    .function("hypot", arity: 2) { call in
      var sum = 0.0
      var sawInfinity = false
      var sawNaN = false
      var values: [Double] = []
      for v in call.arguments.values {
        let d = try call.interpreter.toNumber(v)
        if d.isInfinite { sawInfinity = true }
        if d.isNaN { sawNaN = true }
        values.append(abs(d))
      }
      if sawInfinity { return .number(.infinity) }
      if sawNaN { return .number(.nan) }
      let scale = values.max() ?? 0
      if scale == 0 { return .number(0) }
      for d in values { sum += (d / scale) * (d / scale) }
      return .number(scale * sum.squareRoot())
    },
    .function("imul", arity: 2) { call in
      func toInt32(_ d: Double) -> Int32 {
        guard d.isFinite else { return 0 }
        return Int32(truncatingIfNeeded: Int64(d.truncatingRemainder(dividingBy: 4_294_967_296)))
      }
      let a = toInt32(try call.interpreter.toNumber(call.arguments[0]))
      let b = toInt32(try call.interpreter.toNumber(call.arguments[1]))
      return .number(Double(a &* b))
    },
    unary("log") { log($0) },
    unary("log10") { log10($0) },
    unary("log1p") { log1p($0) },
    unary("log2") { log2($0) },
    .function("max", arity: 2) { call in
      var result = -Double.infinity
      for v in call.arguments.values {
        let d = try call.interpreter.toNumber(v)
        if d.isNaN {
          result = .nan
        } else if !result.isNaN && (d > result || (d == 0 && result == 0 && result.sign == .minus)) {
          result = d
        }
      }
      return .number(result)
    },
    .function("min", arity: 2) { call in
      var result = Double.infinity
      for v in call.arguments.values {
        let d = try call.interpreter.toNumber(v)
        if d.isNaN {
          result = .nan
        } else if !result.isNaN && (d < result || (d == 0 && result == 0 && d.sign == .minus)) {
          result = d
        }
      }
      return .number(result)
    },
    .function("pow", arity: 2) { call in
      .number(jsPow(try call.interpreter.toNumber(call.arguments[0]), try call.interpreter.toNumber(call.arguments[1])))
    },
    unary("round") { jsRound($0) },
    unary("sign") { x in x.isNaN || x == 0 ? x : (x > 0 ? 1 : -1) },
    unary("sin") { sin($0) },
    unary("sinh") { sinh($0) },
    unary("sqrt") { $0.squareRoot() },
    unary("tan") { tan($0) },
    unary("tanh") { tanh($0) },
    unary("trunc") { $0.rounded(.towardZero) },
  ]
}
