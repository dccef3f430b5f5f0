// Max and average pooling over NHWC data, forward and backward, with TensorFlow's
// conventions: padded positions never take part (max ignores them, average
// divides by the number of real input pixels in the window), and the max-pool
// gradient goes to the first maximum of each window in row-major window order.
// Geometry comes from `Conv2DGeometry(poolInShape:...)` (channels in = out).

// MARK: - Forward

/// Max pooling of NHWC `x` into `y` (`g.outShape`). A NaN in a window makes the result NaN
/// (as TF.js); a window with no input pixel (only with large explicit padding) yields
/// `-infinity`. Each output pixel keeps eight channels' running maximum in a register.
public func maxPoolForward(
  _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ g: Conv2DGeometry
) {
  let c = g.inChannels
  let vectorEnd = c & ~7
  poolRows(g) { row, out in
    let b = row / g.outHeight
    let oh = row - b * g.outHeight
    let image = x + b * g.inHeight * g.inWidth * c
    let ih0 = oh * g.strideH - g.padTop
    let khLo = max(0, ceilDiv(-ih0, g.dilationH))
    let khHi = max(khLo, min(g.filterHeight, ceilDiv(g.inHeight - ih0, g.dilationH)))
    for ow in 0..<g.outWidth {
      let iw0 = ow * g.strideW - g.padLeft
      let kwLo = max(0, ceilDiv(-iw0, g.dilationW))
      let kwHi = max(kwLo, min(g.filterWidth, ceilDiv(g.inWidth - iw0, g.dilationW)))
      let o = out + ow * c
      var c0 = 0
      while c0 < vectorEnd {
        var m = SIMD8<Float>(repeating: -.infinity)
        for kh in khLo..<khHi {
          let line = image + ((ih0 + kh * g.dilationH) * g.inWidth + iw0) * c + c0
          for kw in kwLo..<kwHi {
            let v = UnsafeRawPointer(line + kw * g.dilationW * c).loadUnaligned(as: SIMD8<Float>.self)
            m.replace(with: v, where: (v .> m) .| (v .!= v))
          }
        }
        UnsafeMutableRawPointer(o + c0).storeBytes(of: m, as: SIMD8<Float>.self)
        c0 += 8
      }
      while c0 < c {
        var m = -Float.infinity
        for kh in khLo..<khHi {
          for kw in kwLo..<kwHi {
            let v = image[((ih0 + kh * g.dilationH) * g.inWidth + iw0 + kw * g.dilationW) * c + c0]
            if v > m || v.isNaN { m = v }
          }
        }
        o[c0] = m
        c0 += 1
      }
    }
  } output: { y + $0 * g.outWidth * c }
}

/// Average pooling of NHWC `x` into `y`, dividing by the count of real (unpadded) pixels in
/// each window. A window with no input pixel yields NaN (0/0), as in TF.js.
public func avgPoolForward(
  _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ g: Conv2DGeometry
) {
  let c = g.inChannels
  let widthCounts = windowCounts(g, horizontal: true)
  poolRows(g) { row, out in
    out.update(repeating: 0, count: g.outWidth * c)
    forEachWindowTap(g, outRow: row) { inOffset, ow in
      rowAdd(out + ow * c, x + inOffset, c)
    }
    let oh = row % max(g.outHeight, 1)
    let rowCount = windowCount(oh, g, horizontal: false)
    for ow in 0..<g.outWidth {
      let inverse = 1 / Float(rowCount * widthCounts[ow])
      let o = out + ow * c
      for k in 0..<c { o[k] *= inverse }
    }
  } output: { y + $0 * g.outWidth * c }
}

// MARK: - Backward

/// Gradient of `maxPoolForward`: each `dy` value is added to `dx` at its window's first
/// maximum of `x` (scanning the window row by row). Overwrites `dx`.
public func maxPoolBackward(
  _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
  _ g: Conv2DGeometry
) {
  let c = g.inChannels
  let imageSize = g.inHeight * g.inWidth * c
  guard g.batch > 0, imageSize > 0 else { return }
  dx.update(repeating: 0, count: g.batch * imageSize)
  let work = g.batch * g.outHeight * g.outWidth * c * g.filterHeight * g.filterWidth
  // Windows overlap inside an image, so workers take whole images.
  KernelThreading.forChunks(g.batch, work: work) { _, images in
    let best = UnsafeMutablePointer<Float>.allocate(capacity: max(c, 1))
    let argmax = UnsafeMutablePointer<Int>.allocate(capacity: max(c, 1))
    defer {
      best.deallocate()
      argmax.deallocate()
    }
    for b in images {
      let image = x + b * imageSize
      let dxImage = dx + b * imageSize
      for oh in 0..<g.outHeight {
        for ow in 0..<g.outWidth {
          argmax.update(repeating: -1, count: c)
          scanWindow(g, oh: oh, ow: ow) { offset in
            let v = image + offset
            for k in 0..<c where argmax[k] < 0 || v[k] > best[k] {
              best[k] = v[k]
              argmax[k] = offset + k
            }
          }
          let d = dy + ((b * g.outHeight + oh) * g.outWidth + ow) * c
          for k in 0..<c where argmax[k] >= 0 { dxImage[argmax[k]] += d[k] }
        }
      }
    }
  }
}

/// Gradient of `avgPoolForward`: each `dy` value is spread evenly over the real pixels of
/// its window. Overwrites `dx`.
public func avgPoolBackward(
  _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ g: Conv2DGeometry
) {
  let c = g.inChannels
  let imageSize = g.inHeight * g.inWidth * c
  guard g.batch > 0, imageSize > 0 else { return }
  dx.update(repeating: 0, count: g.batch * imageSize)
  let widthCounts = windowCounts(g, horizontal: true)
  let work = g.batch * g.outHeight * g.outWidth * c * g.filterHeight * g.filterWidth
  KernelThreading.forChunks(g.batch, work: work) { _, images in
    ScratchPool.shared.withScratch(max(c, 1)) { share in
      for b in images {
        let dxImage = dx + b * imageSize
        for oh in 0..<g.outHeight {
          let rows = windowCount(oh, g, horizontal: false)
          for ow in 0..<g.outWidth {
            let d = dy + ((b * g.outHeight + oh) * g.outWidth + ow) * c
            let inverse = 1 / Float(rows * widthCounts[ow])
            for k in 0..<c { share[k] = d[k] * inverse }
            scanWindow(g, oh: oh, ow: ow) { offset in rowAdd(dxImage + offset, share, c) }
          }
        }
      }
    }
  }
}

// MARK: - Window walking

/// Runs `body` for each output row (flattened `batch·outHeight`), split over workers.
private func poolRows(
  _ g: Conv2DGeometry, _ body: (Int, UnsafeMutablePointer<Float>) -> Void,
  output: (Int) -> UnsafeMutablePointer<Float>
) {
  let rowCount = g.batch * g.outHeight
  guard rowCount > 0, g.outWidth > 0, g.inChannels > 0 else { return }
  let work = rowCount * g.outWidth * g.inChannels * g.filterHeight * g.filterWidth
  KernelThreading.forChunks(rowCount, work: work) { _, rows in
    for row in rows { body(row, output(row)) }
  }
}

/// Calls `body(inputOffset, ow)` for every (tap, output column) of output row `outRow`
/// whose input pixel is real; `inputOffset` indexes the whole NHWC input.
@inline(__always)
private func forEachWindowTap(
  _ g: Conv2DGeometry, outRow: Int, _ body: (Int, Int) -> Void
) {
  let b = outRow / g.outHeight
  let oh = outRow - b * g.outHeight
  let c = g.inChannels
  for kh in 0..<g.filterHeight {
    let ih = oh * g.strideH - g.padTop + kh * g.dilationH
    if ih < 0 || ih >= g.inHeight { continue }
    let rowBase = ((b * g.inHeight) + ih) * g.inWidth * c
    for kw in 0..<g.filterWidth {
      let tapOffset = kw * g.dilationW
      let cols = validOutputRange(
        tap: tapOffset, stride: g.strideW, pad: g.padLeft, inSize: g.inWidth,
        outSize: g.outWidth)
      for ow in cols {
        body(rowBase + (ow * g.strideW - g.padLeft + tapOffset) * c, ow)
      }
    }
  }
}

/// Calls `body(offsetInImage)` for the real pixels of window (oh, ow), row by row.
@inline(__always)
private func scanWindow(_ g: Conv2DGeometry, oh: Int, ow: Int, _ body: (Int) -> Void) {
  for kh in 0..<g.filterHeight {
    let ih = oh * g.strideH - g.padTop + kh * g.dilationH
    if ih < 0 || ih >= g.inHeight { continue }
    for kw in 0..<g.filterWidth {
      let iw = ow * g.strideW - g.padLeft + kw * g.dilationW
      if iw < 0 || iw >= g.inWidth { continue }
      body((ih * g.inWidth + iw) * g.inChannels)
    }
  }
}

/// Number of real input positions under window `o` along one axis.
private func windowCount(_ o: Int, _ g: Conv2DGeometry, horizontal: Bool) -> Int {
  let (stride, pad, size, taps, dilation) =
    horizontal
    ? (g.strideW, g.padLeft, g.inWidth, g.filterWidth, g.dilationW)
    : (g.strideH, g.padTop, g.inHeight, g.filterHeight, g.dilationH)
  var count = 0
  for k in 0..<taps {
    let i = o * stride - pad + k * dilation
    if i >= 0 && i < size { count += 1 }
  }
  return count
}

/// `windowCount` for every output column (or row).
private func windowCounts(_ g: Conv2DGeometry, horizontal: Bool) -> [Int] {
  let n = horizontal ? g.outWidth : g.outHeight
  return (0..<n).map { windowCount($0, g, horizontal: horizontal) }
}
