// Depthwise 2-D convolution over NHWC data: output channel c·multiplier + m is input
// channel c convolved with filter[:, :, c, m]. The filter slice for one tap
// [kh, kw, :, :] is laid out exactly like an output pixel's channels, so every
// tap is a vector multiply-add over a whole output row (SIMD8 over channels),
// the row staying in L1 while the taps accumulate.
//
// Work is split over rows: output rows for the forward pass and the filter
// gradient (one partial sum per worker), input rows for the input gradient (a
// gather, so workers never write the same row).

// MARK: - Forward

/// Depthwise convolution of NHWC `x` with `filter` `[fh, fw, inC, multiplier]` into `y`
/// (`[batch, outH, outW, inC·multiplier]`), then `epilogue` per output channel.
public func depthwiseConv2dForward(
  _ x: UnsafePointer<Float>, _ filter: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
  _ g: Conv2DGeometry, epilogue: ChannelEpilogue = ChannelEpilogue()
) {
  let cout = g.outChannels
  let rowCount = g.batch * g.outHeight
  guard rowCount > 0, g.outWidth > 0, cout > 0 else { return }
  let work = rowCount * g.outWidth * cout * g.filterHeight * g.filterWidth
  KernelThreading.forChunks(rowCount, work: work) { _, rows in
    if g.channelMultiplier == 1 {
      for row in rows {
        let b = row / g.outHeight
        depthwiseRowInRegisters(
          x + b * g.inHeight * g.inWidth * g.inChannels, filter, y + row * g.outWidth * cout, g,
          oh: row - b * g.outHeight, epilogue: epilogue)
      }
      return
    }
    for row in rows {
      let b = row / g.outHeight
      let oh = row - b * g.outHeight
      let out = y + row * g.outWidth * cout
      out.update(repeating: 0, count: g.outWidth * cout)
      let image = x + b * g.inHeight * g.inWidth * g.inChannels
      for kh in 0..<g.filterHeight {
        let ih = oh * g.strideH - g.padTop + kh * g.dilationH
        if ih < 0 || ih >= g.inHeight { continue }
        let inRow = image + ih * g.inWidth * g.inChannels
        for kw in 0..<g.filterWidth {
          let tap = filter + (kh * g.filterWidth + kw) * cout
          let tapOffset = kw * g.dilationW
          let cols = validOutputRange(
            tap: tapOffset, stride: g.strideW, pad: g.padLeft, inSize: g.inWidth,
            outSize: g.outWidth)
          for ow in cols {
            let iw = ow * g.strideW - g.padLeft + tapOffset
            depthwiseTap(out + ow * cout, inRow + iw * g.inChannels, tap, g)
          }
        }
      }
      epilogue.applyVectorized(out, rows: g.outWidth, channels: cout)
    }
  }
}

/// Output row `oh` of a multiplier-1 depthwise convolution of one image (`image` is its
/// `[inHeight, inWidth, c]` data; only the rows the window reads are touched, so `image` may be
/// a shifted base over a buffer holding just those rows) into `out`: eight channels at a time,
/// each accumulated in a register over all taps of the window, passed through the epilogue
/// and stored once.
@inline(__always)
func depthwiseRowInRegisters(
  _ image: UnsafePointer<Float>, _ filter: UnsafePointer<Float>,
  _ out: UnsafeMutablePointer<Float>, _ g: Conv2DGeometry, oh: Int, epilogue: ChannelEpilogue
) {
  let c = g.inChannels
  let vectorEnd = c & ~7
  // Filter rows whose input row exists.
  let khLo = max(0, ceilDiv(g.padTop - oh * g.strideH, g.dilationH))
  let khHi = min(g.filterHeight, ceilDiv(g.inHeight + g.padTop - oh * g.strideH, g.dilationH))
  let rowStride = g.inWidth * c
  // Columns whose whole window lies inside the image: there four output pixels are
  // computed together, four independent accumulator chains instead of one.
  let fullLo = ceilDiv(g.padLeft, g.strideW)
  let lastTap = (g.filterWidth - 1) * g.dilationW
  let fullHi = g.inWidth - 1 - lastTap + g.padLeft < 0
    ? 0 : (g.inWidth - 1 - lastTap + g.padLeft) / g.strideW + 1
  let tapStep = g.dilationW &* c &* 4
  let pixelStep = g.strideW &* c &* 4
  var ow = 0
  while ow < g.outWidth {
    let iw0 = ow * g.strideW - g.padLeft
    let o = out + ow * c
    if ow >= fullLo && ow + 4 <= fullHi && vectorEnd > 0 {
      let firstRow = image + (oh * g.strideH - g.padTop) * rowStride + iw0 * c
      let rowStep = g.dilationH * rowStride
      var c0 = 0
      while c0 < vectorEnd {
        var (a0, a1, a2, a3) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
        var kh = khLo
        while kh < khHi {
          var p = UnsafeRawPointer(firstRow + kh * rowStep + c0)
          var t = UnsafeRawPointer(filter + kh * g.filterWidth * c + c0)
          for _ in 0..<g.filterWidth {
            let wv = t.loadUnaligned(as: SIMD8<Float>.self)
            a0 += p.loadUnaligned(as: SIMD8<Float>.self) * wv
            a1 += (p + pixelStep).loadUnaligned(as: SIMD8<Float>.self) * wv
            a2 += (p + 2 &* pixelStep).loadUnaligned(as: SIMD8<Float>.self) * wv
            a3 += (p + 3 &* pixelStep).loadUnaligned(as: SIMD8<Float>.self) * wv
            p += tapStep
            t += c &* 4
          }
          kh &+= 1
        }
        let q = UnsafeMutableRawPointer(o + c0)
        q.storeBytes(of: epilogue.apply8(a0, channel: c0), as: SIMD8<Float>.self)
        (q + c &* 4).storeBytes(of: epilogue.apply8(a1, channel: c0), as: SIMD8<Float>.self)
        (q + 2 &* c &* 4).storeBytes(of: epilogue.apply8(a2, channel: c0), as: SIMD8<Float>.self)
        (q + 3 &* c &* 4).storeBytes(of: epilogue.apply8(a3, channel: c0), as: SIMD8<Float>.self)
        c0 &+= 8
      }
      for j in 0..<4 {
        depthwisePixelTail(image, filter, o + j * c, g, oh: oh, iw0: iw0 + j * g.strideW,
                           khLo: khLo, khHi: khHi, from: vectorEnd, epilogue: epilogue)
      }
      ow += 4
      continue
    }
    let kwLo = max(0, ceilDiv(-iw0, g.dilationW))
    let kwHi = min(g.filterWidth, ceilDiv(g.inWidth - iw0, g.dilationW))
    var c0 = 0
    while c0 < vectorEnd {
      var acc = SIMD8<Float>()
      var kh = khLo
      while kh < khHi {
        let ih = oh * g.strideH - g.padTop + kh * g.dilationH
        let inPixel = UnsafeRawPointer(image + ih * rowStride + iw0 * c + c0)
        let tapRow = UnsafeRawPointer(filter + kh * g.filterWidth * c + c0)
        var kw = kwLo
        while kw < kwHi {
          let xv = (inPixel + kw &* tapStep).loadUnaligned(as: SIMD8<Float>.self)
          let wv = (tapRow + (kw &* c &* 4)).loadUnaligned(as: SIMD8<Float>.self)
          acc += xv * wv
          kw &+= 1
        }
        kh &+= 1
      }
      UnsafeMutableRawPointer(o + c0).storeBytes(
        of: epilogue.apply8(acc, channel: c0), as: SIMD8<Float>.self)
      c0 &+= 8
    }
    depthwisePixelTail(image, filter, o, g, oh: oh, iw0: iw0, khLo: khLo, khHi: khHi,
                       from: vectorEnd, epilogue: epilogue)
    ow += 1
  }
}

/// The channels from `from` on (the non-multiple-of-8 tail) of one output pixel, scalar,
/// through the epilogue.
@inline(__always)
private func depthwisePixelTail(
  _ image: UnsafePointer<Float>, _ filter: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>,
  _ g: Conv2DGeometry, oh: Int, iw0: Int, khLo: Int, khHi: Int, from start: Int,
  epilogue: ChannelEpilogue
) {
  let c = g.inChannels
  if start >= c { return }
  let kwLo = max(0, ceilDiv(-iw0, g.dilationW))
  let kwHi = min(g.filterWidth, ceilDiv(g.inWidth - iw0, g.dilationW))
  for c0 in start..<c {
    var acc: Float = 0
    for kh in khLo..<max(khLo, khHi) {
      let ih = oh * g.strideH - g.padTop + kh * g.dilationH
      for kw in kwLo..<max(kwLo, kwHi) {
        let iw = iw0 + kw * g.dilationW
        acc += image[(ih * g.inWidth + iw) * c + c0] * filter[(kh * g.filterWidth + kw) * c + c0]
      }
    }
    o[c0] = epilogue.apply1(acc, channel: c0)
  }
}

/// `out[c·mult + m] += input[c] · tap[c·mult + m]` for one pixel.
@inline(__always)
private func depthwiseTap(
  _ out: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, _ tap: UnsafePointer<Float>,
  _ g: Conv2DGeometry
) {
  let mult = g.channelMultiplier
  if mult == 1 {
    rowMultiplyAdd(out, input, tap, g.inChannels)
    return
  }
  for c in 0..<g.inChannels {
    let v = input[c]
    let o = out + c * mult
    let t = tap + c * mult
    for m in 0..<mult { o[m] += v * t[m] }
  }
}

// MARK: - Backward

/// Gradient of `depthwiseConv2dForward` with respect to its input: `dx` (`g.inShape`) from
/// `dy` (`g.outShape`) and the filter. Overwrites `dx`.
public func depthwiseConv2dBackpropInput(
  _ dy: UnsafePointer<Float>, _ filter: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
  _ g: Conv2DGeometry
) {
  let cin = g.inChannels
  let cout = g.outChannels
  let mult = g.channelMultiplier
  let rowCount = g.batch * g.inHeight
  guard rowCount > 0, g.inWidth > 0, cin > 0 else { return }
  let work = g.batch * g.outHeight * g.outWidth * cout * g.filterHeight * g.filterWidth
  KernelThreading.forChunks(rowCount, work: work) { _, rows in
    for row in rows {
      let b = row / g.inHeight
      let ih = row - b * g.inHeight
      let dxRow = dx + row * g.inWidth * cin
      dxRow.update(repeating: 0, count: g.inWidth * cin)
      for kh in 0..<g.filterHeight {
        // The output row oh that reads input row ih through tap kh, if any.
        let span = ih + g.padTop - kh * g.dilationH
        if span < 0 || span % g.strideH != 0 { continue }
        let oh = span / g.strideH
        if oh >= g.outHeight { continue }
        let dyRow = dy + ((b * g.outHeight) + oh) * g.outWidth * cout
        for kw in 0..<g.filterWidth {
          let tap = filter + (kh * g.filterWidth + kw) * cout
          let tapOffset = kw * g.dilationW
          let cols = validOutputRange(
            tap: tapOffset, stride: g.strideW, pad: g.padLeft, inSize: g.inWidth,
            outSize: g.outWidth)
          for ow in cols {
            let iw = ow * g.strideW - g.padLeft + tapOffset
            let d = dxRow + iw * cin
            let s = dyRow + ow * cout
            if mult == 1 {
              rowMultiplyAdd(d, s, tap, cin)
            } else {
              for c in 0..<cin {
                var acc: Float = 0
                for m in 0..<mult { acc += s[c * mult + m] * tap[c * mult + m] }
                d[c] += acc
              }
            }
          }
        }
      }
    }
  }
}

/// Gradient of `depthwiseConv2dForward` with respect to its filter: `dFilter`
/// (`[fh, fw, inC, multiplier]`) from the input `x` and `dy`. Overwrites `dFilter`.
public func depthwiseConv2dBackpropFilter(
  _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dFilter: UnsafeMutablePointer<Float>,
  _ g: Conv2DGeometry
) {
  let cout = g.outChannels
  let filterCount = g.filterHeight * g.filterWidth * cout
  guard filterCount > 0 else { return }
  dFilter.update(repeating: 0, count: filterCount)
  let rowCount = g.batch * g.outHeight
  guard rowCount > 0 else { return }
  let workers = min(KernelThreading.workerCount, rowCount)
  let work = rowCount * g.outWidth * cout * g.filterHeight * g.filterWidth
  ScratchPool.shared.withScratch(max(1, workers - 1) * filterCount) { partials in
    partials.update(repeating: 0, count: max(1, workers - 1) * filterCount)
    KernelThreading.forChunks(rowCount, work: work) { worker, rows in
      let acc = worker == 0 ? dFilter : partials + (worker - 1) * filterCount
      for row in rows {
        accumulateDepthwiseFilterGradient(x, dy, acc, g, row: row)
      }
    }
    for w in 1..<max(1, workers) {
      rowAdd(dFilter, partials + (w - 1) * filterCount, filterCount)
    }
  }
}

/// Adds one output row's contribution to the depthwise filter gradient.
private func accumulateDepthwiseFilterGradient(
  _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ acc: UnsafeMutablePointer<Float>,
  _ g: Conv2DGeometry, row: Int
) {
  let cin = g.inChannels
  let cout = g.outChannels
  let mult = g.channelMultiplier
  let b = row / g.outHeight
  let oh = row - b * g.outHeight
  let dyRow = dy + row * g.outWidth * cout
  let image = x + b * g.inHeight * g.inWidth * cin
  for kh in 0..<g.filterHeight {
    let ih = oh * g.strideH - g.padTop + kh * g.dilationH
    if ih < 0 || ih >= g.inHeight { continue }
    let inRow = image + ih * g.inWidth * cin
    for kw in 0..<g.filterWidth {
      let tap = acc + (kh * g.filterWidth + kw) * cout
      let tapOffset = kw * g.dilationW
      let cols = validOutputRange(
        tap: tapOffset, stride: g.strideW, pad: g.padLeft, inSize: g.inWidth,
        outSize: g.outWidth)
      for ow in cols {
        let iw = ow * g.strideW - g.padLeft + tapOffset
        let s = inRow + iw * cin
        let d = dyRow + ow * cout
        if mult == 1 {
          rowMultiplyAdd(tap, s, d, cin)
        } else {
          for c in 0..<cin {
            let v = s[c]
            for m in 0..<mult { tap[c * mult + m] += v * d[c * mult + m] }
          }
        }
      }
    }
  }
}
