// Kernel tests for pooling, batch normalization and image resizing: hand-computed
// TensorFlow values plus randomized checks against naive references.

import XCTest
@testable import TensorEngine

final class KernelPoolingTests: XCTestCase {
  func testHandComputedSamePooling() {
    let x: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    let g = Conv2DGeometry(
      poolInShape: [1, 3, 3, 1], filterSize: (2, 2), strides: (1, 1), padding: .same)
    XCTAssertEqual(kernelOutput(9, x) { maxPoolForward($0, $1, g) }, [5, 6, 6, 8, 9, 9, 8, 9, 9])
    // Average excludes the padding from the count (TF): corner (2,2) averages only 9.
    XCTAssertEqual(
      kernelOutput(9, x) { avgPoolForward($0, $1, g) }, [3, 4, 4.5, 6, 7, 7.5, 7.5, 8.5, 9])
  }

  func testMaxPoolPropagatesNaNLikeTFJS() {
    // Channel 0 sees NaN before a larger value; channel 1 has no NaN. 9 channels cover the
    // vector path and the scalar tail.
    var x = [Float](repeating: 1, count: 4 * 9)
    x[0] = .nan
    x[9] = 5
    x[10] = 5
    x[8] = .nan
    let g = Conv2DGeometry(
      poolInShape: [1, 2, 2, 9], filterSize: (2, 2), strides: (2, 2), padding: .valid)
    let y = kernelOutput(9, x) { maxPoolForward($0, $1, g) }
    XCTAssertTrue(y[0].isNaN)
    XCTAssertEqual(y[1], 5)
    XCTAssertTrue(y[8].isNaN)
    XCTAssertEqual(Array(y[2..<8]), [Float](repeating: 1, count: 6))
  }

  func testMaxPoolGradientGoesToFirstMaximum() {
    // One 2×2 window holding a tie: the gradient goes to the first maximum (row-major).
    let x: [Float] = [1, 7, 7, 3]
    let g = Conv2DGeometry(
      poolInShape: [1, 2, 2, 1], filterSize: (2, 2), strides: (2, 2), padding: .valid)
    XCTAssertEqual(kernelOutput(4, x, [5]) { maxPoolBackward($0, $1, $2, g) }, [0, 5, 0, 0])
  }

  static let cases: [(inShape: [Int], size: (Int, Int), strides: (Int, Int), padding: ConvPadding)] = [
    ([2, 7, 7, 8], (3, 3), (2, 2), .same),
    ([1, 8, 9, 5], (2, 2), (2, 2), .valid),
    ([3, 6, 5, 13], (3, 2), (1, 2), .same),
    ([1, 7, 7, 4], (3, 3), (2, 2), .explicit(top: 1, bottom: 1, left: 0, right: 2)),
  ]

  func testPoolingMatchesReferenceAndGradients() {
    var random = TestRandom(seed: 9)
    for threaded in [false, true] {
      for (i, c) in Self.cases.enumerated() {
        let g = Conv2DGeometry(
          poolInShape: c.inShape, filterSize: c.size, strides: c.strides, padding: c.padding)
        let x = random.floats(c.inShape.reduce(1, *))
        let dy = random.floats(g.outShape.reduce(1, *))
        let n = g.outShape.reduce(1, *)
        let compute = {
          (
            kernelOutput(n, x) { maxPoolForward($0, $1, g) },
            kernelOutput(n, x) { avgPoolForward($0, $1, g) },
            kernelOutput(x.count, x, dy) { maxPoolBackward($0, $1, $2, g) },
            kernelOutput(x.count, dy) { avgPoolBackward($0, $1, g) }
          )
        }
        let (maxY, avgY, maxDx, avgDx) = threaded ? withForcedThreading(compute) : compute()
        assertClose(maxY, referencePool(x, g, max: true), "max case \(i)")
        assertClose(avgY, referencePool(x, g, max: false), "avg case \(i)")
        // Average pooling is linear: its gradient is its adjoint.
        XCTAssertEqual(dot(avgY, dy), dot(x, avgDx), accuracy: 1e-3, "avg grad case \(i)")
        assertClose(maxDx, referenceMaxPoolGradient(x, dy, g), "max grad case \(i)")
      }
    }
  }
}

final class KernelBatchNormTests: XCTestCase {
  func testBatchNormPerChannelAndScalarParameters() {
    let x: [Float] = [1, 2, 3, 4, 5, 6]  // [3, 2]: channels last
    let mean: [Float] = [1, 2]
    let variance: [Float] = [4, 0.25]
    let gamma: [Float] = [2, 1]
    let y = mean.withUnsafeBufferPointer { m in
      variance.withUnsafeBufferPointer { v in
        gamma.withUnsafeBufferPointer { s in
          kernelOutput(6, x) { px, py in
            batchNormForward(
              px, py, count: 6, channels: 2, mean: .perChannel(m.baseAddress!),
              variance: .perChannel(v.baseAddress!), scale: .perChannel(s.baseAddress!),
              offset: .scalar(0.5), epsilon: 0)
          }
        }
      }
    }
    // channel 0: (x-1)·2/2 + 0.5; channel 1: (x-2)·1/0.5 + 0.5
    XCTAssertEqual(y, [0.5, 0.5, 2.5, 4.5, 4.5, 8.5])
    let clamped = kernelOutput(6, x) { px, py in
      batchNormForward(
        px, py, count: 6, channels: 2, mean: .scalar(3), variance: .scalar(1 - 1e-3), scale: nil,
        offset: nil, epsilon: 1e-3, lower: 0, upper: 2)
    }
    assertClose(clamped, [0, 0, 0, 1, 2, 2], atol: 1e-6)
  }
}

final class KernelImageTests: XCTestCase {
  let image: [Float] = [1, 2, 3, 4]  // 1×2×2×1

  func resize(
    bilinear: Bool, to size: (Int, Int), alignCorners: Bool = false, halfPixel: Bool = false
  ) -> [Float] {
    kernelOutput(size.0 * size.1, image) { x, y in
      if bilinear {
        resizeBilinearForward(
          x, y, batch: 1, inHeight: 2, inWidth: 2, channels: 1, outHeight: size.0,
          outWidth: size.1, alignCorners: alignCorners, halfPixelCenters: halfPixel)
      } else {
        resizeNearestNeighborForward(
          x, y, batch: 1, inHeight: 2, inWidth: 2, channels: 1, outHeight: size.0,
          outWidth: size.1, alignCorners: alignCorners, halfPixelCenters: halfPixel)
      }
    }
  }

  func testBilinearCoordinateRules() {
    assertClose(
      resize(bilinear: true, to: (3, 3)),
      [1, 5.0 / 3, 2, 7.0 / 3, 3, 10.0 / 3, 3, 11.0 / 3, 4], atol: 1e-6)
    assertClose(
      resize(bilinear: true, to: (3, 3), alignCorners: true),
      [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4], atol: 1e-6)
    assertClose(
      resize(bilinear: true, to: (3, 3), halfPixel: true),
      [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4], atol: 1e-6)
  }

  func testNearestCoordinateRules() {
    XCTAssertEqual(
      resize(bilinear: false, to: (4, 4)), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
    // alignCorners: ratio 1/2, rounds halves up: sources 0, 1 (0.5 → 1), 1.
    XCTAssertEqual(
      resize(bilinear: false, to: (3, 3), alignCorners: true), [1, 2, 2, 3, 4, 4, 3, 4, 4])
    // halfPixelCenters: sources floor(2/3·(o+0.5)) = 0, 1, 1.
    XCTAssertEqual(
      resize(bilinear: false, to: (3, 3), halfPixel: true), [1, 2, 2, 3, 4, 4, 3, 4, 4])
  }

  func testResizeGradientsAreAdjoints() {
    var random = TestRandom(seed: 21)
    let (b, h, w, c, oh, ow) = (2, 5, 4, 3, 7, 3)
    let x = random.floats(b * h * w * c)
    let dy = random.floats(b * oh * ow * c)
    for (align, half) in [(false, false), (true, false), (false, true)] {
      let y = kernelOutput(dy.count, x) {
        resizeBilinearForward(
          $0, $1, batch: b, inHeight: h, inWidth: w, channels: c, outHeight: oh, outWidth: ow,
          alignCorners: align, halfPixelCenters: half)
      }
      let dx = kernelOutput(x.count, dy) {
        resizeBilinearBackward(
          $0, $1, batch: b, inHeight: h, inWidth: w, channels: c, outHeight: oh, outWidth: ow,
          alignCorners: align, halfPixelCenters: half)
      }
      XCTAssertEqual(dot(y, dy), dot(x, dx), accuracy: 1e-4, "bilinear \(align) \(half)")
      let yn = kernelOutput(dy.count, x) {
        resizeNearestNeighborForward(
          $0, $1, batch: b, inHeight: h, inWidth: w, channels: c, outHeight: oh, outWidth: ow,
          alignCorners: align, halfPixelCenters: half)
      }
      let dxn = kernelOutput(x.count, dy) {
        resizeNearestNeighborBackward(
          $0, $1, batch: b, inHeight: h, inWidth: w, channels: c, outHeight: oh, outWidth: ow,
          alignCorners: align, halfPixelCenters: half)
      }
      XCTAssertEqual(dot(yn, dy), dot(x, dxn), accuracy: 1e-4, "nearest \(align) \(half)")
    }
  }

  func testFlipAndCropAndResize() {
    let x: [Float] = [1, 2, 3, 4, 5, 6]  // 1×2×3×1
    XCTAssertEqual(
      kernelOutput(6, x) { flipLeftRight($0, $1, batch: 1, height: 2, width: 3, channels: 1) },
      [3, 2, 1, 6, 5, 4])
    // The whole image at 2×3 reproduces it; a box off the image extrapolates.
    let boxes: [Float] = [0, 0, 1, 1, 0, 0.5, 2, 0.5]
    let crops = kernelOutput(12, x, boxes) { px, pb, py in
      cropAndResize(
        px, boxes: pb, boxIndices: [0, 0], py, imageHeight: 2, imageWidth: 3, channels: 1,
        cropHeight: 2, cropWidth: 3, bilinear: true, extrapolationValue: -1)
    }
    XCTAssertEqual(Array(crops[0..<6]), [1, 2, 3, 4, 5, 6])
    // Second box: x = 0.5·2 = 1 for every column; rows y = 0 and 2 (the latter off-image).
    XCTAssertEqual(Array(crops[6..<12]), [2, 2, 2, -1, -1, -1])
  }
}
