// 2-D convolution over NHWC data with HWIO filters, forward and backward.
//
// A 1×1 stride-1 unpadded convolution is one GEMM: [batch·H·W, inC] × [inC, outC].
// Anything else goes through im2col: the patches of a tile of output rows are
// laid out as a [tileRows·outW, fh·fw·inC] matrix (the filter, flattened HWIO,
// is already [fh·fw·inC, outC]), then one GEMM per tile. Tiles keep the patch
// matrix near L2 size; each worker owns a scratch buffer from `ScratchPool`.
// Inputs with at most 4 channels (RGB stems) and few outputs use a direct register kernel.

// MARK: - Shared helpers

extension Conv2DGeometry {
  /// True when the convolution is a plain matrix product (1×1, stride 1, no padding).
  public var isPointwise: Bool {
    filterHeight == 1 && filterWidth == 1 && strideH == 1 && strideW == 1
      && padTop == 0 && padLeft == 0 && padBottom == 0 && padRight == 0
  }

  /// Length of one im2col patch row: `filterHeight · filterWidth · inChannels`.
  var patchSize: Int { filterHeight * filterWidth * inChannels }

  /// Output rows (of `outWidth` pixels) per im2col tile, bounding the patch matrix.
  func im2colTileRows(budget: Int = 1 << 18) -> Int {
    let perRow = max(1, outWidth * patchSize)
    return max(1, min(batch * outHeight, budget / perRow))
  }
}

/// Writes the im2col patches of output rows `rows` (indices into the flattened
/// `batch·outHeight` row space) to `patches`, one `patchSize` row per output pixel.
func im2col(
  _ x: UnsafePointer<Float>, _ g: Conv2DGeometry, rows: Range<Int>,
  into patches: UnsafeMutablePointer<Float>
) {
  let cin = g.inChannels
  let fwc = g.filterWidth * cin
  let k = g.patchSize
  var p = patches
  for row in rows {
    let b = row / g.outHeight
    let oh = row - b * g.outHeight
    let image = x + b * g.inHeight * g.inWidth * cin
    for ow in 0..<g.outWidth {
      let iw0 = ow * g.strideW - g.padLeft
      for kh in 0..<g.filterHeight {
        let ih = oh * g.strideH - g.padTop + kh * g.dilationH
        let dst = p + kh * fwc
        if ih < 0 || ih >= g.inHeight {
          dst.update(repeating: 0, count: fwc)
          continue
        }
        let src = image + ih * g.inWidth * cin
        for kw in 0..<g.filterWidth {
          let iw = iw0 + kw * g.dilationW
          if iw < 0 || iw >= g.inWidth {
            (dst + kw * cin).update(repeating: 0, count: cin)
          } else {
            (dst + kw * cin).update(from: src + iw * cin, count: cin)
          }
        }
      }
      p += k
    }
  }
}

/// Adds patch gradients back onto the input gradient (the adjoint of `im2col`).
func col2imAdd(
  _ patches: UnsafePointer<Float>, _ g: Conv2DGeometry, rows: Range<Int>,
  into dx: UnsafeMutablePointer<Float>
) {
  let cin = g.inChannels
  let fwc = g.filterWidth * cin
  var p = patches
  for row in rows {
    let b = row / g.outHeight
    let oh = row - b * g.outHeight
    let image = dx + b * g.inHeight * g.inWidth * cin
    for ow in 0..<g.outWidth {
      let iw0 = ow * g.strideW - g.padLeft
      for kh in 0..<g.filterHeight {
        let ih = oh * g.strideH - g.padTop + kh * g.dilationH
        if ih < 0 || ih >= g.inHeight { continue }
        let dstRow = image + ih * g.inWidth * cin
        let src = p + kh * fwc
        for kw in 0..<g.filterWidth {
          let iw = iw0 + kw * g.dilationW
          if iw < 0 || iw >= g.inWidth { continue }
          rowAdd(dstRow + iw * cin, src + kw * cin, cin)
        }
      }
      p += g.patchSize
    }
  }
}

// MARK: - Forward

/// Convolves NHWC `x` (`g.inShape`) with the HWIO `filter` into `y` (`g.outShape`), then
/// applies `epilogue` per output channel (bias, folded batch norm, ReLU/ReLU6).
public func conv2dForward(
  _ x: UnsafePointer<Float>, _ filter: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
  _ g: Conv2DGeometry, epilogue: ChannelEpilogue = ChannelEpilogue()
) {
  prepareBLAS()
  let cout = g.outChannels
  let pixels = g.batch * g.outHeight * g.outWidth
  guard pixels > 0, cout > 0 else { return }
  let work = pixels * cout * max(1, g.patchSize)
  if g.patchSize == 0 {
    y.update(repeating: 0, count: pixels * cout)
    epilogue.apply(y, rows: pixels, channels: cout)
    return
  }
  if g.isPointwise {
    if pixels < 512 && g.inChannels * cout >= 1 << 16 {
      // Few pixels and a large filter (MobileNetV2's 7×7 layers: 49 rows per image, up to
      // 416×1664 weights): split the output channels, so each worker packs only its share
      // of the filter; split by rows, every worker would pack all of it.
      KernelThreading.forChunks(cout, work: work, minimumChunk: 16) { _, cols in
        sgemmRaw(
          false, false, pixels, cols.count, g.inChannels, 1, x, g.inChannels,
          filter + cols.lowerBound, cout, 0, y + cols.lowerBound, cout)
        epilogue.applyColumns(y, rows: pixels, rowStride: cout, channels: cols)
      }
      return
    }
    // Blocks of rows small enough that the epilogue runs on cache-resident output.
    let block = max(64, (1 << 16) / cout)
    KernelThreading.forChunks(pixels, work: work, minimumChunk: 8) { _, range in
      var start = range.lowerBound
      while start < range.upperBound {
        let m = min(block, range.upperBound - start)
        sgemmRaw(
          false, false, m, cout, g.inChannels, 1, x + start * g.inChannels, g.inChannels,
          filter, cout, 0, y + start * cout, cout)
        epilogue.apply(y + start * cout, rows: m, channels: cout)
        start += m
      }
    }
    return
  }
  // Direct only for narrow outputs: from 32 output channels up (MobileNetV2 1.30's 3→40
  // stem) im2col + OpenBLAS measured 0.58 ms against 0.92 ms for the direct kernel in a
  // default (SSE) build, whose twelve SIMD8 accumulators spill there.
  if g.inChannels >= 1 && g.inChannels <= 4 && cout < 32 {
    conv2dDirect(x, filter, y, g, epilogue: epilogue)
    return
  }
  let k = g.patchSize
  let tileRows = g.im2colTileRows()
  let rowPixels = g.outWidth
  KernelThreading.forChunks(g.batch * g.outHeight, work: work) { _, range in
    ScratchPool.shared.withScratch(tileRows * rowPixels * k) { patches in
      var start = range.lowerBound
      while start < range.upperBound {
        let end = min(start + tileRows, range.upperBound)
        im2col(x, g, rows: start..<end, into: patches)
        let m = (end - start) * rowPixels
        let out = y + start * rowPixels * cout
        sgemmRaw(false, false, m, cout, k, 1, patches, k, filter, cout, 0, out, cout)
        epilogue.apply(out, rows: m, channels: cout)
        start = end
      }
    }
  }
}

/// Direct convolution for few (≤ 4) input channels, e.g. an RGB stem, where im2col would
/// copy 3-float runs and the GEMM would be too skinny: each output pixel accumulates its
/// taps in registers, eight output channels per SIMD register, one accumulator per input
/// channel; 3-channel inputs do four pixels at once inside the image.
func conv2dDirect(
  _ x: UnsafePointer<Float>, _ filter: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
  _ g: Conv2DGeometry, epilogue: ChannelEpilogue
) {
  let cin = g.inChannels
  let cout = g.outChannels
  let rowCount = g.batch * g.outHeight
  let work = rowCount * g.outWidth * cout * g.patchSize
  let vectorCount = cout / 8
  // Output columns whose whole window is inside the image.
  let fullLo = ceilDiv(g.padLeft, g.strideW)
  let span = g.inWidth - 1 - (g.filterWidth - 1) * g.dilationW + g.padLeft
  let fullHi = span < 0 ? 0 : span / g.strideW + 1
  KernelThreading.forChunks(rowCount, work: work) { _, rows in
    for row in rows {
      let b = row / g.outHeight
      let oh = row - b * g.outHeight
      let out = y + row * g.outWidth * cout
      let image = x + b * g.inHeight * g.inWidth * cin
      var ow = 0
      while ow < g.outWidth {
        let iw0 = ow * g.strideW - g.padLeft
        if cin == 3 && vectorCount * 8 == cout && ow >= fullLo && ow + 4 <= fullHi {
          rgbStemBlock(image, filter, out + ow * cout, g, oh: oh, iw0: iw0)
          ow += 4
        } else {
          directPixel(image, filter, out + ow * cout, g, oh: oh, iw0: iw0)
          ow += 1
        }
      }
      epilogue.apply(out, rows: g.outWidth, channels: cout)
    }
  }
}

/// One output pixel of the direct convolution (any window position, bounds-checked taps).
@inline(__always)
private func directPixel(
  _ image: UnsafePointer<Float>, _ filter: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>,
  _ g: Conv2DGeometry, oh: Int, iw0: Int
) {
  let cin = g.inChannels
  let cout = g.outChannels
  let vectorCount = cout / 8
  // Eight output channels at a time, accumulated in a register over every tap.
  // One accumulator per input channel (at most 4) so the adds are independent chains.
  for v in 0..<vectorCount {
    var (a0, a1, a2, a3) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
    for kh in 0..<g.filterHeight {
      let ih = oh * g.strideH - g.padTop + kh * g.dilationH
      if ih < 0 || ih >= g.inHeight { continue }
      let inRow = image + ih * g.inWidth * cin
      for kw in 0..<g.filterWidth {
        let iw = iw0 + kw * g.dilationW
        if iw < 0 || iw >= g.inWidth { continue }
        let pixel = inRow + iw * cin
        let t = UnsafeRawPointer(filter + ((kh * g.filterWidth + kw) * cin) * cout + v * 8)
        let step = cout &* 4
        a0 += SIMD8(repeating: pixel[0]) * t.loadUnaligned(as: SIMD8<Float>.self)
        if cin > 1 {
          a1 += SIMD8(repeating: pixel[1]) * (t + step).loadUnaligned(as: SIMD8<Float>.self)
        }
        if cin > 2 {
          a2 += SIMD8(repeating: pixel[2])
            * (t + 2 &* step).loadUnaligned(as: SIMD8<Float>.self)
        }
        if cin > 3 {
          a3 += SIMD8(repeating: pixel[3])
            * (t + 3 &* step).loadUnaligned(as: SIMD8<Float>.self)
        }
      }
    }
    let acc = (a0 + a1) + (a2 + a3)
    UnsafeMutableRawPointer(o + v * 8).storeBytes(of: acc, as: SIMD8<Float>.self)
  }
  for oc in (vectorCount * 8)..<cout {
    var acc: Float = 0
    for kh in 0..<g.filterHeight {
      let ih = oh * g.strideH - g.padTop + kh * g.dilationH
      if ih < 0 || ih >= g.inHeight { continue }
      for kw in 0..<g.filterWidth {
        let iw = iw0 + kw * g.dilationW
        if iw < 0 || iw >= g.inWidth { continue }
        let pixel = image + (ih * g.inWidth + iw) * cin
        let taps = filter + ((kh * g.filterWidth + kw) * cin) * cout + oc
        for ci in 0..<cin { acc += pixel[ci] * taps[ci * cout] }
      }
    }
    o[oc] = acc
  }
}

/// Four adjacent output pixels of a 3-channel (RGB) convolution whose windows lie inside the
/// image horizontally: twelve accumulators (pixel × input channel) per eight output
/// channels, so the multiply-adds form independent short chains.
@inline(__always)
private func rgbStemBlock(
  _ image: UnsafePointer<Float>, _ filter: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>,
  _ g: Conv2DGeometry, oh: Int, iw0: Int
) {
  let cout = g.outChannels
  let step = cout &* 4
  let pixelStep = g.strideW &* 3
  for v in 0..<(cout / 8) {
    var (a0, a1, a2, a3) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
    var (b0, b1, b2, b3) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
    var (c0, c1, c2, c3) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
    for kh in 0..<g.filterHeight {
      let ih = oh * g.strideH - g.padTop + kh * g.dilationH
      if ih < 0 || ih >= g.inHeight { continue }
      var p = image + (ih * g.inWidth + iw0) * 3
      var t = UnsafeRawPointer(filter + kh * g.filterWidth * 3 * cout + v * 8)
      for _ in 0..<g.filterWidth {
        let w0 = t.loadUnaligned(as: SIMD8<Float>.self)
        let w1 = (t + step).loadUnaligned(as: SIMD8<Float>.self)
        let w2 = (t + 2 &* step).loadUnaligned(as: SIMD8<Float>.self)
        let q1 = p + pixelStep
        let q2 = p + 2 &* pixelStep
        let q3 = p + 3 &* pixelStep
        a0 += SIMD8(repeating: p[0]) * w0
        b0 += SIMD8(repeating: p[1]) * w1
        c0 += SIMD8(repeating: p[2]) * w2
        a1 += SIMD8(repeating: q1[0]) * w0
        b1 += SIMD8(repeating: q1[1]) * w1
        c1 += SIMD8(repeating: q1[2]) * w2
        a2 += SIMD8(repeating: q2[0]) * w0
        b2 += SIMD8(repeating: q2[1]) * w1
        c2 += SIMD8(repeating: q2[2]) * w2
        a3 += SIMD8(repeating: q3[0]) * w0
        b3 += SIMD8(repeating: q3[1]) * w1
        c3 += SIMD8(repeating: q3[2]) * w2
        p += g.dilationW &* 3
        t += 3 &* step
      }
    }
    let q = UnsafeMutableRawPointer(o + v * 8)
    q.storeBytes(of: (a0 + b0) + c0, as: SIMD8<Float>.self)
    (q + step).storeBytes(of: (a1 + b1) + c1, as: SIMD8<Float>.self)
    (q + 2 &* step).storeBytes(of: (a2 + b2) + c2, as: SIMD8<Float>.self)
    (q + 3 &* step).storeBytes(of: (a3 + b3) + c3, as: SIMD8<Float>.self)
  }
}

// MARK: - Backward

/// Gradient of `conv2dForward` with respect to its input (also TF's conv2dTranspose):
/// `dx` (`g.inShape`) from `dy` (`g.outShape`) and the HWIO `filter`. Overwrites `dx`.
public func conv2dBackpropInput(
  _ dy: UnsafePointer<Float>, _ filter: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
  _ g: Conv2DGeometry
) {
  prepareBLAS()
  let cin = g.inChannels
  let cout = g.outChannels
  let inCount = g.batch * g.inHeight * g.inWidth * cin
  guard inCount > 0 else { return }
  if g.isPointwise {
    gemm(
      transA: false, transB: true, M: g.batch * g.inHeight * g.inWidth, N: cin, K: cout,
      dy, lda: cout, filter, ldb: cout, dx, ldc: cin)
    return
  }
  dx.update(repeating: 0, count: inCount)
  let outPixels = g.batch * g.outHeight * g.outWidth
  guard outPixels > 0, cout > 0 else { return }
  let k = g.patchSize
  let tileRows = min(g.im2colTileRows(), g.outHeight)
  let work = outPixels * cout * k
  // Patch gradients of different images never overlap, so workers take whole images.
  let byImage = g.batch >= KernelThreading.workerCount
  KernelThreading.forChunks(g.batch, work: byImage ? work : 0) { _, images in
    ScratchPool.shared.withScratch(tileRows * g.outWidth * k) { patches in
      for b in images {
        var start = b * g.outHeight
        let stop = start + g.outHeight
        while start < stop {
          let end = min(start + tileRows, stop)
          let m = (end - start) * g.outWidth
          let dyTile = dy + start * g.outWidth * cout
          if byImage {
            sgemmRaw(false, true, m, k, cout, 1, dyTile, cout, filter, cout, 0, patches, k)
          } else {
            gemm(
              transA: false, transB: true, M: m, N: k, K: cout, dyTile, lda: cout,
              filter, ldb: cout, patches, ldc: k)
          }
          col2imAdd(patches, g, rows: start..<end, into: dx)
          start = end
        }
      }
    }
  }
}

/// Gradient of `conv2dForward` with respect to its filter: `dFilter` (HWIO,
/// `[fh, fw, inC, outC]`) from the input `x` and `dy`. Overwrites `dFilter`.
public func conv2dBackpropFilter(
  _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dFilter: UnsafeMutablePointer<Float>,
  _ g: Conv2DGeometry
) {
  prepareBLAS()
  let cout = g.outChannels
  let k = g.patchSize
  let filterCount = k * cout
  guard filterCount > 0 else { return }
  let pixels = g.batch * g.outHeight * g.outWidth
  if pixels == 0 {
    dFilter.update(repeating: 0, count: filterCount)
    return
  }
  if g.isPointwise {
    gemm(
      transA: true, transB: false, M: g.inChannels, N: cout, K: pixels, x, lda: g.inChannels,
      dy, ldb: cout, dFilter, ldc: cout)
    return
  }
  let tileRows = g.im2colTileRows()
  let rowCount = g.batch * g.outHeight
  let workers = min(KernelThreading.workerCount, rowCount)
  let work = pixels * cout * k
  // Each worker accumulates into its own partial filter gradient; worker 0 into dFilter.
  ScratchPool.shared.withScratch(max(1, workers - 1) * filterCount) { partials in
    // A worker that gets no rows leaves its partial at zero.
    partials.update(repeating: 0, count: max(1, workers - 1) * filterCount)
    KernelThreading.forChunks(rowCount, work: work) { worker, range in
      let acc = worker == 0 ? dFilter : partials + (worker - 1) * filterCount
      ScratchPool.shared.withScratch(tileRows * g.outWidth * k) { patches in
        var start = range.lowerBound
        var beta: Float = 0
        while start < range.upperBound {
          let end = min(start + tileRows, range.upperBound)
          im2col(x, g, rows: start..<end, into: patches)
          let m = (end - start) * g.outWidth
          sgemmRaw(
            true, false, k, cout, m, 1, patches, k, dy + start * g.outWidth * cout, cout,
            beta, acc, cout)
          beta = 1
          start = end
        }
      }
    }
    for w in 1..<max(1, workers) {
      let partial = partials + (w - 1) * filterCount
      for i in 0..<filterCount { dFilter[i] += partial[i] }
    }
  }
}
