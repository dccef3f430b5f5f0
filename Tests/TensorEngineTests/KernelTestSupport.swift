// Naive reference loops and helpers for the kernel tests. The references are
// written straight from the definitions (one output element at a time, bounds
// checked per tap) so they share no code with the kernels they check.

import XCTest
@testable import TensorEngine

/// A small deterministic generator (SplitMix64) for test data.
struct TestRandom {
  var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [-1, 1).
  mutating func float() -> Float {
    Float(next() >> 40) / Float(1 << 24) * 2 - 1
  }

  mutating func floats(_ count: Int) -> [Float] {
    (0..<count).map { _ in float() }
  }
}

/// Direct convolution (or depthwise convolution when `g.isDepthwise`).
func referenceConv(_ x: [Float], _ w: [Float], _ g: Conv2DGeometry) -> [Float] {
  var y = [Float](repeating: 0, count: g.outShape.reduce(1, *))
  let mult = g.channelMultiplier
  for b in 0..<g.batch {
    for oh in 0..<g.outHeight {
      for ow in 0..<g.outWidth {
        for oc in 0..<g.outChannels {
          var acc: Double = 0
          for kh in 0..<g.filterHeight {
            let ih = oh * g.strideH - g.padTop + kh * g.dilationH
            guard ih >= 0 && ih < g.inHeight else { continue }
            for kw in 0..<g.filterWidth {
              let iw = ow * g.strideW - g.padLeft + kw * g.dilationW
              guard iw >= 0 && iw < g.inWidth else { continue }
              let xBase = ((b * g.inHeight + ih) * g.inWidth + iw) * g.inChannels
              if g.isDepthwise {
                let ic = oc / mult
                let m = oc % mult
                let wv = w[((kh * g.filterWidth + kw) * g.inChannels + ic) * mult + m]
                acc += Double(x[xBase + ic]) * Double(wv)
              } else {
                for ic in 0..<g.inChannels {
                  let wv = w[((kh * g.filterWidth + kw) * g.inChannels + ic) * g.outChannels + oc]
                  acc += Double(x[xBase + ic]) * Double(wv)
                }
              }
            }
          }
          y[((b * g.outHeight + oh) * g.outWidth + ow) * g.outChannels + oc] = Float(acc)
        }
      }
    }
  }
  return y
}

/// Direct pooling; `max` selects max pooling, otherwise the average over real pixels.
func referencePool(_ x: [Float], _ g: Conv2DGeometry, max isMax: Bool) -> [Float] {
  var y = [Float](repeating: 0, count: g.outShape.reduce(1, *))
  let c = g.inChannels
  for b in 0..<g.batch {
    for oh in 0..<g.outHeight {
      for ow in 0..<g.outWidth {
        for k in 0..<c {
          var best = -Float.infinity
          var sum: Double = 0
          var count = 0
          for kh in 0..<g.filterHeight {
            let ih = oh * g.strideH - g.padTop + kh * g.dilationH
            guard ih >= 0 && ih < g.inHeight else { continue }
            for kw in 0..<g.filterWidth {
              let iw = ow * g.strideW - g.padLeft + kw * g.dilationW
              guard iw >= 0 && iw < g.inWidth else { continue }
              let v = x[((b * g.inHeight + ih) * g.inWidth + iw) * c + k]
              best = Swift.max(best, v)
              sum += Double(v)
              count += 1
            }
          }
          y[((b * g.outHeight + oh) * g.outWidth + ow) * c + k] =
            isMax ? best : Float(sum / Double(count))
        }
      }
    }
  }
  return y
}

/// Max-pool gradient by definition: each dy goes to the first maximum of its window,
/// scanning the window row by row.
func referenceMaxPoolGradient(_ x: [Float], _ dy: [Float], _ g: Conv2DGeometry) -> [Float] {
  var dx = [Float](repeating: 0, count: x.count)
  let c = g.inChannels
  for b in 0..<g.batch {
    for oh in 0..<g.outHeight {
      for ow in 0..<g.outWidth {
        for k in 0..<c {
          var best = -Float.infinity
          var at = -1
          for kh in 0..<g.filterHeight {
            for kw in 0..<g.filterWidth {
              let ih = oh * g.strideH - g.padTop + kh * g.dilationH
              let iw = ow * g.strideW - g.padLeft + kw * g.dilationW
              guard ih >= 0 && ih < g.inHeight && iw >= 0 && iw < g.inWidth else { continue }
              let index = ((b * g.inHeight + ih) * g.inWidth + iw) * c + k
              if at < 0 || x[index] > best { (best, at) = (x[index], index) }
            }
          }
          if at >= 0 { dx[at] += dy[((b * g.outHeight + oh) * g.outWidth + ow) * c + k] }
        }
      }
    }
  }
  return dx
}

/// Dot product in double precision.
func dot(_ a: [Float], _ b: [Float]) -> Double {
  zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) }
}

/// Asserts `|got - want| <= atol + rtol·|want|` element-wise, reporting the worst element.
func assertClose(
  _ got: [Float], _ want: [Float], atol: Float = 1e-4, rtol: Float = 1e-4,
  _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) {
  XCTAssertEqual(got.count, want.count, "count \(message)", file: file, line: line)
  guard got.count == want.count else { return }
  var worst = -1
  var worstExcess: Float = 0
  for i in 0..<got.count {
    let excess = abs(got[i] - want[i]) - (atol + rtol * abs(want[i]))
    if excess > worstExcess || got[i].isNaN != want[i].isNaN {
      worst = i
      worstExcess = max(excess, worstExcess)
      if got[i].isNaN != want[i].isNaN { break }
    }
  }
  if worst >= 0 {
    XCTFail(
      "element \(worst): got \(got[worst]), want \(want[worst]) \(message)",
      file: file, line: line)
  }
}

/// Runs `body` with every kernel forced onto the parallel path (and then restores).
func withForcedThreading<R>(_ body: () throws -> R) rethrows -> R {
  let saved = (KernelThreading.minimumParallelWork, KernelThreading.workerCount)
  KernelThreading.minimumParallelWork = 0
  KernelThreading.workerCount = 3
  defer { (KernelThreading.minimumParallelWork, KernelThreading.workerCount) = saved }
  return try body()
}

/// Calls a kernel that reads `inputs` and writes `count` floats, returning them.
func kernelOutput(
  _ count: Int, _ a: [Float], _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void
) -> [Float] {
  var out = [Float](repeating: .nan, count: count)
  a.withUnsafeBufferPointer { pa in
    out.withUnsafeMutableBufferPointer { po in
      body(pa.baseAddress!, po.baseAddress!)
    }
  }
  return out
}

/// Calls a kernel that reads two inputs and writes `count` floats, returning them.
func kernelOutput(
  _ count: Int, _ a: [Float], _ b: [Float],
  _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void
) -> [Float] {
  var out = [Float](repeating: .nan, count: count)
  a.withUnsafeBufferPointer { pa in
    b.withUnsafeBufferPointer { pb in
      out.withUnsafeMutableBufferPointer { po in
        body(pa.baseAddress!, pb.baseAddress!, po.baseAddress!)
      }
    }
  }
  return out
}
