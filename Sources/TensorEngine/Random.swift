// SPDX-License-Identifier: MIT
import Foundation

// Seeded randomness with the generators TF.js uses, so a seeded script draws
// the same numbers as in TF.js: Baagøe's Alea (through seedrandom, seeded with
// the seed's JavaScript string), the Marsaglia polar method for normals
// (TF.js's MPRandGauss), and Fisher-Yates for `util.shuffle`.

/// Baagøe's Alea generator as seedrandom implements it: uniform doubles in [0, 1).
public struct Alea {
  private var s0: Double
  private var s1: Double
  private var s2: Double
  private var c: Double = 1

  /// Seeds from a string, as `seedrandom.alea(seed)`.
  public init(seed: String) {
    var mash = Mash()
    s0 = mash.hash(" ")
    s1 = mash.hash(" ")
    s2 = mash.hash(" ")
    s0 -= mash.hash(seed)
    if s0 < 0 { s0 += 1 }
    s1 -= mash.hash(seed)
    if s1 < 0 { s1 += 1 }
    s2 -= mash.hash(seed)
    if s2 < 0 { s2 += 1 }
  }

  /// Seeds from a number's JavaScript string (`42` → "42").
  public init(seed: Double) { self.init(seed: jsNumber(seed)) }

  /// The next value in [0, 1).
  public mutating func next() -> Double {
    let t = 2_091_639 * s0 + c * 2.3283064365386963e-10
    s0 = s1
    s1 = s2
    c = t.rounded(.towardZero)  // t | 0, with 0 <= t < 2^31
    s2 = t - c
    return s2
  }

  /// Baagøe's Mash string hash, with JavaScript's uint32 conversions.
  private struct Mash {
    var n: Double = 0xefc8_249d

    mutating func hash(_ data: String) -> Double {
      for unit in data.utf16 {
        n += Double(unit)
        var h = 0.02519603282416938 * n
        n = Mash.uint32(h)
        h -= n
        h *= n
        n = Mash.uint32(h)
        h -= n
        n += h * 4_294_967_296
      }
      return Mash.uint32(n) * 2.3283064365386963e-10
    }

    /// JavaScript's `x >>> 0` for a finite non-negative double.
    static func uint32(_ x: Double) -> Double {
      Double(UInt32(truncatingIfNeeded: Int64(x.rounded(.towardZero))))
    }
  }
}

/// A fresh random seed, for unseeded calls (TF.js uses `Math.random()`).
func randomSeed() -> Double { Double.random(in: 0..<1) }

/// Normal deviates by the Marsaglia polar method, as TF.js's `MPRandGauss`.
struct GaussianSampler {
  private var random: Alea
  private let mean: Double
  private let stdDev: Double
  private let truncated: Bool
  private let roundValues: Bool
  private var spare: Double?

  init(mean: Double, stdDev: Double, truncated: Bool, roundValues: Bool, seed: Double?) {
    self.mean = mean
    self.stdDev = stdDev
    self.truncated = truncated
    self.roundValues = roundValues
    // TF.js treats seed 0 like no seed (`seed ? seed : Math.random()`).
    let s = seed.flatMap { $0 == 0 ? nil : $0 } ?? randomSeed()
    random = Alea(seed: s)
  }

  private func valid(_ v: Double) -> Bool {
    !truncated || (v <= mean + 2 * stdDev && v >= mean - 2 * stdDev)
  }

  private func convert(_ v: Double) -> Double { roundValues ? jsRound(v) : v }

  mutating func next() -> Double {
    if let s = spare {
      spare = nil
      return s
    }
    var x = 0.0
    var y = 0.0
    repeat {
      var v1 = 0.0
      var v2 = 0.0
      var s = 0.0
      repeat {
        v1 = 2 * random.next() - 1
        v2 = 2 * random.next() - 1
        s = v1 * v1 + v2 * v2
      } while s >= 1 || s == 0
      let mul = (-2 * Foundation.log(s) / s).squareRoot()
      x = mean + stdDev * v1 * mul
      y = mean + stdDev * v2 * mul
    } while !valid(x)
    if valid(y) { spare = convert(y) }
    return convert(x)
  }
}

/// JavaScript's `Math.round`: halves round toward +∞.
func jsRound(_ v: Double) -> Double { (v + 0.5).rounded(.down) }

// MARK: - Random ops

extension Tensor {
  /// `tf.randomUniform(shape, minval, maxval, dtype, seed)`.
  public static func randomUniform(
    _ shape: [Int], minval: Double = 0, maxval: Double = 1, dtype: DType = .float32,
    seed: Double? = nil
  ) throws -> Tensor {
    try checkShape(shape)
    var random = Alea(seed: seed ?? randomSeed())
    let range = maxval - minval
    return filled(shape, dtype) { buf in
      for i in 0..<buf.count { buf[i] = dtype.convert(Float(minval + range * random.next())) }
    }
  }

  /// `tf.randomNormal(shape, mean, stdDev, dtype, seed)`; int32 values are rounded.
  public static func randomNormal(
    _ shape: [Int], mean: Double = 0, stdDev: Double = 1, dtype: DType = .float32,
    seed: Double? = nil
  ) throws -> Tensor {
    try gaussian(shape, mean, stdDev, dtype, seed, truncated: false)
  }

  /// `tf.truncatedNormal(shape, mean, stdDev, dtype, seed)`: redraws beyond 2 stdDev.
  public static func truncatedNormal(
    _ shape: [Int], mean: Double = 0, stdDev: Double = 1, dtype: DType = .float32,
    seed: Double? = nil
  ) throws -> Tensor {
    try gaussian(shape, mean, stdDev, dtype, seed, truncated: true)
  }

  /// `tf.randomStandardNormal(shape, dtype, seed)`.
  public static func randomStandardNormal(
    _ shape: [Int], dtype: DType = .float32, seed: Double? = nil
  ) throws -> Tensor {
    try gaussian(shape, 0, 1, dtype, seed, truncated: false)
  }

  private static func gaussian(
    _ shape: [Int], _ mean: Double, _ stdDev: Double, _ dtype: DType, _ seed: Double?,
    truncated: Bool
  ) throws -> Tensor {
    if dtype == .bool { throw TensorError("Unsupported data type bool") }
    try checkShape(shape)
    var sampler = GaussianSampler(
      mean: mean, stdDev: stdDev, truncated: truncated,
      roundValues: dtype == .int32, seed: seed)
    return filled(shape, dtype) { buf in
      for i in 0..<buf.count { buf[i] = dtype.convert(Float(sampler.next())) }
    }
  }

  /// `tf.multinomial(logits, numSamples, seed, normalized)`: int32 draws per row of
  /// a rank-1 or rank-2 tensor of logits (or probabilities when `normalized`).
  public static func multinomial(
    _ logits: Tensor, numSamples: Int, seed: Double? = nil, normalized: Bool = false
  ) throws -> Tensor {
    try logits.checkAlive()
    if logits.size < 2 {
      throw TensorError(
        "Error in multinomial: you need at least 2 outcomes, but got \(logits.size).")
    }
    if logits.rank > 2 {
      throw TensorError("Rank of probabilities must be 1 or 2, but is \(logits.rank)")
    }
    let s = seed.flatMap { $0 == 0 ? nil : $0 } ?? randomSeed()
    return try Engine.shared.tidy {
      let l2 = logits.rank == 1 ? try logits.reshape([1, -1]) : logits
      let probs = try (normalized ? l2 : l2.softmax()).dataSync()
      let (batch, events) = (l2.shape[0], l2.shape[1])
      try checkShape([batch, numSamples])
      var out = [Float](repeating: 0, count: batch * numSamples)
      for b in 0..<batch {
        var cdf = [Float](repeating: 0, count: events - 1)
        cdf[0] = probs[b * events]
        for e in stride(from: 1, to: cdf.count, by: 1) {
          cdf[e] = cdf[e - 1] + probs[b * events + e]
        }
        var random = Alea(seed: s)
        for i in 0..<numSamples {
          let r = random.next()
          out[b * numSamples + i] = Float(cdf.firstIndex { r < Double($0) } ?? cdf.count)
        }
      }
      let res = Tensor.build(out, [batch, numSamples], .int32)
      return logits.rank == 1 ? try res.reshape([numSamples]) : res
    }
  }

  /// TF.js `util.shuffle`: shuffles indices in place (Fisher-Yates from the end).
  public static func shuffle<T>(_ array: inout [T], seed: Double? = nil) {
    var random = Alea(seed: seed ?? randomSeed())
    var counter = array.count
    while counter > 0 {
      let index = Int(random.next() * Double(counter))
      counter -= 1
      array.swapAt(counter, index)
    }
  }
}
