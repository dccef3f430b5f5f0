// Kernel tests: geometry by TensorFlow's padding rules, hand-computed small
// cases, and randomized comparisons against the naive references for
// convolution, depthwise convolution and GEMM (forward and backward).

import XCTest
@testable import TensorEngine

final class KernelGeometryTests: XCTestCase {
  func testSamePaddingPutsOddPixelAtTheEnd() {
    let g = Conv2DGeometry(
      inShape: [1, 224, 224, 3], filterShape: [3, 3, 3, 8], strides: (2, 2), padding: .same)
    XCTAssertEqual(g.outShape, [1, 112, 112, 8])
    XCTAssertEqual([g.padTop, g.padBottom, g.padLeft, g.padRight], [0, 1, 0, 1])

    let odd = Conv2DGeometry(
      inShape: [1, 5, 5, 1], filterShape: [3, 3, 1, 1], strides: (2, 2), padding: .same)
    XCTAssertEqual(odd.outShape, [1, 3, 3, 1])
    XCTAssertEqual([odd.padTop, odd.padBottom], [1, 1])

    let stride1 = Conv2DGeometry(
      inShape: [1, 3, 3, 1], filterShape: [2, 2, 1, 1], strides: (1, 1), padding: .same)
    XCTAssertEqual([stride1.padTop, stride1.padBottom, stride1.outHeight], [0, 1, 3])
  }

  func testValidAndDilatedGeometry() {
    let g = Conv2DGeometry(
      inShape: [2, 7, 9, 4], filterShape: [3, 3, 4, 5], strides: (2, 3), padding: .valid)
    XCTAssertEqual(g.outShape, [2, 3, 3, 5])
    let dilated = Conv2DGeometry(
      inShape: [1, 10, 10, 1], filterShape: [3, 3, 1, 1], strides: (1, 1), dilations: (2, 2),
      padding: .valid)
    XCTAssertEqual(dilated.effectiveFilterHeight, 5)
    XCTAssertEqual(dilated.outShape, [1, 6, 6, 1])
    let dilatedSame = Conv2DGeometry(
      inShape: [1, 10, 10, 1], filterShape: [3, 3, 1, 1], strides: (1, 1), dilations: (2, 2),
      padding: .same)
    XCTAssertEqual([dilatedSame.padTop, dilatedSame.padBottom, dilatedSame.outHeight], [2, 2, 10])
  }

  func testExplicitAndNumericPadding() {
    let g = Conv2DGeometry(
      inShape: [1, 5, 5, 1], filterShape: [3, 3, 1, 2], strides: (2, 2),
      padding: .explicit(top: 1, bottom: 0, left: 2, right: 1))
    XCTAssertEqual(g.outShape, [1, 2, 3, 2])  // trunc((5-3+1)/2+1)=2, trunc((5-3+3)/2+1)=3
    let rounded = Conv2DGeometry(
      poolInShape: [1, 6, 6, 1], filterSize: (3, 3), strides: (2, 2), padding: .uniform(0),
      roundingMode: .ceil)
    XCTAssertEqual(rounded.outShape, [1, 3, 3, 1])  // ceil(3/2 + 1)
    let truncated = Conv2DGeometry(
      poolInShape: [1, 6, 6, 1], filterSize: (3, 3), strides: (2, 2), padding: .uniform(0))
    XCTAssertEqual(truncated.outShape, [1, 2, 2, 1])
  }

  func testDepthwiseGeometry() {
    let g = Conv2DGeometry(
      inShape: [1, 8, 8, 3], filterShape: [3, 3, 3, 2], strides: (1, 1), padding: .same,
      depthwise: true)
    XCTAssertEqual(g.outShape, [1, 8, 8, 6])
    XCTAssertEqual(g.channelMultiplier, 2)
    XCTAssertEqual(g.filterShape, [3, 3, 3, 2])
  }
}

final class KernelConvolutionTests: XCTestCase {
  func testHandComputedConvolution() {
    let x: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    let w: [Float] = [1, 1, 1, 1]
    let valid = Conv2DGeometry(
      inShape: [1, 3, 3, 1], filterShape: [2, 2, 1, 1], strides: (1, 1), padding: .valid)
    XCTAssertEqual(kernelOutput(4, x, w) { conv2dForward($0, $1, $2, valid) }, [12, 16, 24, 28])
    let same = Conv2DGeometry(
      inShape: [1, 3, 3, 1], filterShape: [2, 2, 1, 1], strides: (1, 1), padding: .same)
    XCTAssertEqual(
      kernelOutput(9, x, w) { conv2dForward($0, $1, $2, same) }, [12, 16, 9, 24, 28, 15, 15, 17, 9])
  }

  func testEpilogueAppliesScaleShiftAndClamp() {
    let x: [Float] = [1, -2, 3, 10]  // 1×2×2×1 → pointwise to 1 channel (identity filter)
    let g = Conv2DGeometry(
      inShape: [1, 2, 2, 1], filterShape: [1, 1, 1, 1], strides: (1, 1), padding: .valid)
    var scale: Float = 2
    var shift: Float = 1
    let y = kernelOutput(4, x, [1]) { px, pw, py in
      conv2dForward(px, pw, py, g, epilogue: ChannelEpilogue(scale: &scale, shift: &shift, lower: 0, upper: 6))
    }
    XCTAssertEqual(y, [3, 0, 6, 6])
  }

  /// Geometries covering pointwise, strided, dilated, padded and odd channel counts.
  static let convCases: [(inShape: [Int], filter: [Int], strides: (Int, Int),
                          dilations: (Int, Int), padding: ConvPadding)] = [
    ([2, 6, 6, 5], [1, 1, 5, 7], (1, 1), (1, 1), .same),
    ([1, 7, 5, 3], [3, 3, 3, 4], (1, 1), (1, 1), .same),
    ([3, 9, 8, 2], [3, 3, 2, 5], (2, 2), (1, 1), .same),
    ([2, 8, 9, 3], [3, 2, 3, 6], (2, 3), (1, 1), .valid),
    ([1, 10, 10, 3], [3, 3, 3, 2], (1, 1), (2, 2), .same),
    ([2, 6, 7, 4], [2, 3, 4, 3], (1, 2), (1, 1), .explicit(top: 1, bottom: 2, left: 0, right: 3)),
    ([2, 5, 5, 9], [1, 1, 9, 4], (2, 2), (1, 1), .valid),
    ([1, 4, 4, 1], [5, 5, 1, 1], (1, 1), (1, 1), .same),
    ([2, 9, 9, 3], [3, 3, 3, 12], (2, 2), (1, 1), .same),  // direct path, vector + tail
    ([1, 8, 7, 4], [3, 2, 4, 16], (1, 1), (2, 1), .valid),
    ([1, 6, 6, 2], [3, 3, 2, 8], (1, 1), (1, 1), .explicit(top: 2, bottom: 0, left: 1, right: 1)),
    ([2, 8, 20, 3], [3, 3, 3, 16], (2, 2), (1, 1), .same),  // RGB stem: 4-pixel blocks
    ([1, 9, 15, 3], [2, 3, 3, 8], (1, 1), (1, 2), .valid),
  ]

  func testConvolutionMatchesReference() {
    var random = TestRandom(seed: 7)
    for threaded in [false, true] {
      for (i, c) in Self.convCases.enumerated() {
        let g = Conv2DGeometry(
          inShape: c.inShape, filterShape: c.filter, strides: c.strides, dilations: c.dilations,
          padding: c.padding)
        let x = random.floats(c.inShape.reduce(1, *))
        let w = random.floats(c.filter.reduce(1, *))
        let want = referenceConv(x, w, g)
        let body = { kernelOutput(want.count, x, w) { conv2dForward($0, $1, $2, g) } }
        let got = threaded ? withForcedThreading(body) : body()
        assertClose(got, want, "case \(i) threaded \(threaded)")
      }
    }
  }

  /// The backward kernels are the adjoints of the forward one:
  /// <conv(x, w), dy> = <x, dx(dy, w)> = <w, dw(x, dy)>.
  func testConvolutionBackpropsAreAdjoints() {
    var random = TestRandom(seed: 11)
    for threaded in [false, true] {
      for (i, c) in Self.convCases.enumerated() {
        let g = Conv2DGeometry(
          inShape: c.inShape, filterShape: c.filter, strides: c.strides, dilations: c.dilations,
          padding: c.padding)
        let x = random.floats(c.inShape.reduce(1, *))
        let w = random.floats(c.filter.reduce(1, *))
        let dy = random.floats(g.outShape.reduce(1, *))
        let y = referenceConv(x, w, g)
        let compute = {
          (
            kernelOutput(x.count, dy, w) { conv2dBackpropInput($0, $1, $2, g) },
            kernelOutput(w.count, x, dy) { conv2dBackpropFilter($0, $1, $2, g) }
          )
        }
        let (dx, dw) = threaded ? withForcedThreading(compute) : compute()
        let forward = dot(y, dy)
        XCTAssertEqual(dot(x, dx), forward, accuracy: 1e-3 * max(1, abs(forward)), "dx case \(i)")
        XCTAssertEqual(dot(w, dw), forward, accuracy: 1e-3 * max(1, abs(forward)), "dw case \(i)")
        // And element-wise: dx[j] = <conv(e_j, w), dy> for a few unit inputs.
        for j in stride(from: 0, to: x.count, by: max(1, x.count / 5)) {
          var unit = [Float](repeating: 0, count: x.count)
          unit[j] = 1
          XCTAssertEqual(
            Double(dx[j]), dot(referenceConv(unit, w, g), dy), accuracy: 1e-4,
            "dx[\(j)] case \(i)")
        }
      }
    }
  }
}

final class KernelDepthwiseTests: XCTestCase {
  static let cases: [(inShape: [Int], filter: [Int], strides: (Int, Int),
                      dilations: (Int, Int), padding: ConvPadding)] = [
    ([2, 7, 7, 8], [3, 3, 8, 1], (1, 1), (1, 1), .same),
    ([1, 9, 8, 13], [3, 3, 13, 1], (2, 2), (1, 1), .valid),
    ([2, 6, 6, 3], [3, 3, 3, 2], (1, 1), (1, 1), .same),
    ([1, 8, 7, 5], [2, 3, 5, 3], (2, 1), (1, 1), .explicit(top: 0, bottom: 1, left: 2, right: 1)),
    ([1, 9, 9, 16], [3, 3, 16, 1], (1, 1), (2, 2), .same),
    ([3, 5, 5, 17], [5, 5, 17, 1], (2, 2), (1, 1), .same),
    ([2, 10, 9, 24], [3, 3, 24, 1], (1, 2), (2, 1), .explicit(top: 1, bottom: 2, left: 0, right: 3)),
    ([1, 6, 21, 11], [3, 3, 11, 1], (2, 2), (1, 1), .same),  // 4-pixel blocks + channel tail
    ([2, 4, 30, 8], [1, 5, 8, 1], (1, 3), (1, 1), .valid),
  ]

  func testDepthwiseMatchesReferenceAndBackpropsAreAdjoints() {
    var random = TestRandom(seed: 3)
    for threaded in [false, true] {
      for (i, c) in Self.cases.enumerated() {
        let g = Conv2DGeometry(
          inShape: c.inShape, filterShape: c.filter, strides: c.strides, dilations: c.dilations,
          padding: c.padding, depthwise: true)
        let x = random.floats(c.inShape.reduce(1, *))
        let w = random.floats(c.filter.reduce(1, *))
        let dy = random.floats(g.outShape.reduce(1, *))
        let want = referenceConv(x, w, g)
        let compute = {
          (
            kernelOutput(want.count, x, w) { depthwiseConv2dForward($0, $1, $2, g) },
            kernelOutput(x.count, dy, w) { depthwiseConv2dBackpropInput($0, $1, $2, g) },
            kernelOutput(w.count, x, dy) { depthwiseConv2dBackpropFilter($0, $1, $2, g) }
          )
        }
        let (y, dx, dw) = threaded ? withForcedThreading(compute) : compute()
        assertClose(y, want, "case \(i)")
        let forward = dot(want, dy)
        XCTAssertEqual(dot(x, dx), forward, accuracy: 1e-3 * max(1, abs(forward)), "dx case \(i)")
        XCTAssertEqual(dot(w, dw), forward, accuracy: 1e-3 * max(1, abs(forward)), "dw case \(i)")
        for j in stride(from: 0, to: w.count, by: max(1, w.count / 7)) {
          var unit = [Float](repeating: 0, count: w.count)
          unit[j] = 1
          XCTAssertEqual(
            Double(dw[j]), dot(referenceConv(x, unit, g), dy), accuracy: 1e-3,
            "dw[\(j)] case \(i)")
        }
      }
    }
  }
}

final class KernelGEMMTests: XCTestCase {
  func testGEMMWithZeroBetaIgnoresGarbageInC() {
    for (m, n, k) in [(1, 200, 30), (40, 20, 10)] {
      let a = [Float](repeating: 1, count: m * k)
      let b = [Float](repeating: 2, count: k * n)
      let c = kernelOutput(m * n, a, b) { pa, pb, pc in
        withForcedThreading {
          gemm(transA: false, transB: false, M: m, N: n, K: k, pa, lda: k, pb, ldb: n, pc, ldc: n)
        }
      }
      XCTAssertEqual(c, [Float](repeating: Float(2 * k), count: m * n), "m\(m)")
    }
  }

  func testGEMMAllTransposesAgainstNaive() {
    var random = TestRandom(seed: 5)
    let shapes = [(1, 1, 1), (3, 5, 4), (70, 9, 33), (5, 130, 17), (200, 40, 3), (64, 64, 0),
                  (1, 300, 70), (1, 5, 200)]
    for threaded in [false, true] {
      for (m, n, k) in shapes {
        for transA in [false, true] {
          for transB in [false, true] {
            let a = random.floats(m * k)
            let b = random.floats(k * n)
            let c0 = random.floats(m * n)
            var want = [Float](repeating: 0, count: m * n)
            for i in 0..<m {
              for j in 0..<n {
                var acc: Double = 0
                for p in 0..<k {
                  let av = transA ? a[p * m + i] : a[i * k + p]
                  let bv = transB ? b[j * k + p] : b[p * n + j]
                  acc += Double(av) * Double(bv)
                }
                want[i * n + j] = Float(2 * acc) + 0.5 * c0[i * n + j]
              }
            }
            var got = c0
            let call = {
              a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                  got.withUnsafeMutableBufferPointer { pc in
                    gemm(
                      transA: transA, transB: transB, M: m, N: n, K: k, alpha: 2,
                      pa.baseAddress ?? UnsafePointer(pc.baseAddress!), lda: transA ? m : k,
                      pb.baseAddress ?? UnsafePointer(pc.baseAddress!), ldb: transB ? k : n,
                      beta: 0.5, pc.baseAddress!, ldc: n)
                  }
                }
              }
            }
            if threaded { withForcedThreading(call) } else { call() }
            assertClose(got, want, "m\(m) n\(n) k\(k) tA \(transA) tB \(transB)")
          }
        }
      }
    }
  }
}
