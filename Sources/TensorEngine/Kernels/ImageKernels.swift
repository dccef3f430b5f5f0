// Image resizing and flipping over NHWC data, with the coordinate rules of TF.js's
// cpu kernels (ResizeBilinear.ts, ResizeNearestNeighbor.ts, CropAndResize.ts):
//
//   ratio  = (alignCorners && out > 1 ? in - 1 : in) / (alignCorners && out > 1 ? out - 1 : out)
//   source = halfPixelCenters ? ratio·(o + 0.5) - 0.5 : ratio·o          (bilinear)
//   source = halfPixelCenters ? ratio·(o + 0.5)       : ratio·o          (nearest)
//
// Bilinear takes floor (clamped at 0) and ceil (clamped at in - 1) and lerps;
// nearest takes round (alignCorners) or floor, clamped to the image. Coordinates
// are computed in double precision as JavaScript does.

// MARK: - Coordinates

/// The two source indices and the lerp weight of one output coordinate.
struct BilinearTap {
  var low: Int
  var high: Int
  var fraction: Float
}

/// The size ratio TF.js uses for a resize from `inSize` to `outSize`.
func resizeRatio(inSize: Int, outSize: Int, alignCorners: Bool) -> Double {
  let effectiveIn = alignCorners && outSize > 1 ? inSize - 1 : inSize
  let effectiveOut = alignCorners && outSize > 1 ? outSize - 1 : outSize
  return Double(effectiveIn) / Double(effectiveOut)
}

/// Bilinear taps for every output position along one axis.
func bilinearTaps(inSize: Int, outSize: Int, alignCorners: Bool, halfPixelCenters: Bool)
  -> [BilinearTap]
{
  let ratio = resizeRatio(inSize: inSize, outSize: outSize, alignCorners: alignCorners)
  return (0..<outSize).map { o in
    let source = halfPixelCenters ? ratio * (Double(o) + 0.5) - 0.5 : ratio * Double(o)
    let low = max(0, Int(source.rounded(.down)))
    let high = min(inSize - 1, Int(source.rounded(.up)))
    return BilinearTap(low: low, high: high, fraction: Float(source - Double(low)))
  }
}

/// Nearest-neighbour source index for every output position along one axis.
func nearestIndices(inSize: Int, outSize: Int, alignCorners: Bool, halfPixelCenters: Bool)
  -> [Int]
{
  let ratio = resizeRatio(inSize: inSize, outSize: outSize, alignCorners: alignCorners)
  return (0..<outSize).map { o in
    let source = halfPixelCenters ? ratio * (Double(o) + 0.5) : ratio * Double(o)
    // JavaScript Math.round rounds halves up.
    let picked = alignCorners ? (source + 0.5).rounded(.down) : source.rounded(.down)
    var index = min(inSize - 1, Int(picked))
    if halfPixelCenters { index = max(0, index) }
    return index
  }
}

// MARK: - Resize

/// Bilinear resize of NHWC `images` (`[batch, inH, inW, channels]`) to `[batch, outH, outW,
/// channels]` in `output`.
public func resizeBilinearForward(
  _ images: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
  batch: Int, inHeight: Int, inWidth: Int, channels: Int, outHeight: Int, outWidth: Int,
  alignCorners: Bool, halfPixelCenters: Bool
) {
  guard batch > 0, outHeight > 0, outWidth > 0, channels > 0, inHeight > 0, inWidth > 0
  else { return }
  let rowsTaps = bilinearTaps(
    inSize: inHeight, outSize: outHeight, alignCorners: alignCorners,
    halfPixelCenters: halfPixelCenters)
  let colsTaps = bilinearTaps(
    inSize: inWidth, outSize: outWidth, alignCorners: alignCorners,
    halfPixelCenters: halfPixelCenters)
  let rowCount = batch * outHeight
  KernelThreading.forChunks(rowCount, work: rowCount * outWidth * channels * 4) { _, rows in
    for row in rows {
      let b = row / outHeight
      let r = rowsTaps[row - b * outHeight]
      let image = images + b * inHeight * inWidth * channels
      let top = image + r.low * inWidth * channels
      let bottom = image + r.high * inWidth * channels
      var out = output + row * outWidth * channels
      for t in colsTaps {
        let tl = top + t.low * channels
        let tr = top + t.high * channels
        let bl = bottom + t.low * channels
        let br = bottom + t.high * channels
        for c in 0..<channels {
          let upper = tl[c] + (tr[c] - tl[c]) * t.fraction
          let lower = bl[c] + (br[c] - bl[c]) * t.fraction
          out[c] = upper + (lower - upper) * r.fraction
        }
        out += channels
      }
    }
  }
}

/// Gradient of `resizeBilinearForward` with respect to the images: spreads each `dy` value
/// over its four source pixels with the forward weights. Overwrites `dx`.
public func resizeBilinearBackward(
  _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
  batch: Int, inHeight: Int, inWidth: Int, channels: Int, outHeight: Int, outWidth: Int,
  alignCorners: Bool, halfPixelCenters: Bool
) {
  let imageSize = inHeight * inWidth * channels
  dx.update(repeating: 0, count: batch * imageSize)
  guard batch > 0, outHeight > 0, outWidth > 0, imageSize > 0 else { return }
  let rowsTaps = bilinearTaps(
    inSize: inHeight, outSize: outHeight, alignCorners: alignCorners,
    halfPixelCenters: halfPixelCenters)
  let colsTaps = bilinearTaps(
    inSize: inWidth, outSize: outWidth, alignCorners: alignCorners,
    halfPixelCenters: halfPixelCenters)
  let work = batch * outHeight * outWidth * channels * 4
  KernelThreading.forChunks(batch, work: work) { _, images in
    for b in images {
      let image = dx + b * imageSize
      for (oh, r) in rowsTaps.enumerated() {
        let top = image + r.low * inWidth * channels
        let bottom = image + r.high * inWidth * channels
        var d = dy + ((b * outHeight + oh) * outWidth) * channels
        for t in colsTaps {
          let wy = r.fraction
          let wx = t.fraction
          for c in 0..<channels {
            let g = d[c]
            let upper = g * (1 - wy)
            let lower = g * wy
            top[t.low * channels + c] += upper * (1 - wx)
            top[t.high * channels + c] += upper * wx
            bottom[t.low * channels + c] += lower * (1 - wx)
            bottom[t.high * channels + c] += lower * wx
          }
          d += channels
        }
      }
    }
  }
}

/// Nearest-neighbour resize of NHWC `images` to `[batch, outH, outW, channels]`.
public func resizeNearestNeighborForward(
  _ images: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
  batch: Int, inHeight: Int, inWidth: Int, channels: Int, outHeight: Int, outWidth: Int,
  alignCorners: Bool, halfPixelCenters: Bool
) {
  guard batch > 0, outHeight > 0, outWidth > 0, channels > 0, inHeight > 0, inWidth > 0
  else { return }
  let rowIndex = nearestIndices(
    inSize: inHeight, outSize: outHeight, alignCorners: alignCorners,
    halfPixelCenters: halfPixelCenters)
  let colIndex = nearestIndices(
    inSize: inWidth, outSize: outWidth, alignCorners: alignCorners,
    halfPixelCenters: halfPixelCenters)
  let rowCount = batch * outHeight
  KernelThreading.forChunks(rowCount, work: rowCount * outWidth * channels) { _, rows in
    for row in rows {
      let b = row / outHeight
      let source = images + (b * inHeight + rowIndex[row - b * outHeight]) * inWidth * channels
      var out = output + row * outWidth * channels
      for col in colIndex {
        out.update(from: source + col * channels, count: channels)
        out += channels
      }
    }
  }
}

/// Gradient of `resizeNearestNeighborForward`: each `dy` value is added to its source pixel.
/// Overwrites `dx`.
public func resizeNearestNeighborBackward(
  _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
  batch: Int, inHeight: Int, inWidth: Int, channels: Int, outHeight: Int, outWidth: Int,
  alignCorners: Bool, halfPixelCenters: Bool
) {
  let imageSize = inHeight * inWidth * channels
  dx.update(repeating: 0, count: batch * imageSize)
  guard batch > 0, outHeight > 0, outWidth > 0, imageSize > 0 else { return }
  let rowIndex = nearestIndices(
    inSize: inHeight, outSize: outHeight, alignCorners: alignCorners,
    halfPixelCenters: halfPixelCenters)
  let colIndex = nearestIndices(
    inSize: inWidth, outSize: outWidth, alignCorners: alignCorners,
    halfPixelCenters: halfPixelCenters)
  for b in 0..<batch {
    for (oh, ih) in rowIndex.enumerated() {
      let target = dx + (b * inHeight + ih) * inWidth * channels
      var d = dy + (b * outHeight + oh) * outWidth * channels
      for iw in colIndex {
        rowAdd(target + iw * channels, d, channels)
        d += channels
      }
    }
  }
}

// MARK: - Flip and crop

/// Mirrors each NHWC image left to right (`tf.image.flipLeftRight`).
public func flipLeftRight(
  _ images: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
  batch: Int, height: Int, width: Int, channels: Int
) {
  for row in 0..<(batch * height) {
    let source = images + row * width * channels
    let target = output + row * width * channels
    for w in 0..<width {
      (target + w * channels).update(from: source + (width - 1 - w) * channels, count: channels)
    }
  }
}

/// Crops boxes out of NHWC images and resizes each to `cropHeight × cropWidth`
/// (`tf.image.cropAndResize`). `boxes` holds `[y1, x1, y2, x2]` per box in normalized
/// coordinates, `boxIndices` the image of each box (already validated to be in range).
/// Samples outside the image take `extrapolationValue`.
public func cropAndResize(
  _ images: UnsafePointer<Float>, boxes: UnsafePointer<Float>, boxIndices: [Int],
  _ output: UnsafeMutablePointer<Float>, imageHeight: Int, imageWidth: Int, channels: Int,
  cropHeight: Int, cropWidth: Int, bilinear: Bool, extrapolationValue: Float
) {
  let h1 = Double(imageHeight - 1)
  let w1 = Double(imageWidth - 1)
  var out = output
  for (box, imageIndex) in boxIndices.enumerated() {
    let y1 = Double(boxes[box * 4]), x1 = Double(boxes[box * 4 + 1])
    let y2 = Double(boxes[box * 4 + 2]), x2 = Double(boxes[box * 4 + 3])
    let image = images + imageIndex * imageHeight * imageWidth * channels
    let heightScale = cropHeight > 1 ? (y2 - y1) * h1 / Double(cropHeight - 1) : 0
    let widthScale = cropWidth > 1 ? (x2 - x1) * w1 / Double(cropWidth - 1) : 0
    for y in 0..<cropHeight {
      let yIn = cropHeight > 1 ? y1 * h1 + Double(y) * heightScale : 0.5 * (y1 + y2) * h1
      for x in 0..<cropWidth {
        let xIn = cropWidth > 1 ? x1 * w1 + Double(x) * widthScale : 0.5 * (x1 + x2) * w1
        // Written so that NaN coordinates (from NaN boxes) also extrapolate.
        if !(yIn >= 0 && yIn <= h1 && xIn >= 0 && xIn <= w1) {
          out.update(repeating: extrapolationValue, count: channels)
        } else if bilinear {
          let top = Int(yIn.rounded(.down)), bottom = Int(yIn.rounded(.up))
          let left = Int(xIn.rounded(.down)), right = Int(xIn.rounded(.up))
          let yLerp = Float(yIn - Double(top)), xLerp = Float(xIn - Double(left))
          for c in 0..<channels {
            let tl = image[(top * imageWidth + left) * channels + c]
            let tr = image[(top * imageWidth + right) * channels + c]
            let bl = image[(bottom * imageWidth + left) * channels + c]
            let br = image[(bottom * imageWidth + right) * channels + c]
            let upper = tl + (tr - tl) * xLerp
            let lower = bl + (br - bl) * xLerp
            out[c] = upper + (lower - upper) * yLerp
          }
        } else {
          let cy = Int((yIn + 0.5).rounded(.down)), cx = Int((xIn + 0.5).rounded(.down))
          out.update(from: image + (cy * imageWidth + cx) * channels, count: channels)
        }
        out += channels
      }
    }
  }
}
