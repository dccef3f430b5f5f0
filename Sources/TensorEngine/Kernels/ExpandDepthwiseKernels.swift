// A pointwise expansion followed by a depthwise convolution (MobileNetV2's inverted
// residual: 1×1 conv + bias + ReLU6, then 3×3 depthwise + bias + ReLU6) without
// materialising the expanded tensor. At batch 8 the 112×112×144 expansion of
// MobileNetV2 1.30 is 58 MB: written by the GEMM and read back by the depthwise
// pass it goes through main memory twice. Here each worker expands only the input
// rows its depthwise output rows read, one row per GEMM call, into a ring of rows
// that stays in L2, and runs the depthwise rows from the ring.
//
// The ring holds each expanded row twice (slots s and s + R, R = the window's height
// in input rows), so the rows of any window are contiguous and the depthwise row
// kernel reads them as if they were the image.

/// `depthwise(clamp1(x · expand + ...)) → epilogue`: `x` is NHWC `[n, h, w, cin]`, `expand`
/// the `[cin, e]` pointwise filter with `expandEpilogue`, `filter` the `[fh, fw, e, 1]`
/// depthwise filter and `g` the depthwise geometry (input `[n, h, w, e]`, multiplier 1);
/// `y` is `g.outShape`.
public func expandDepthwiseForward(
  _ x: UnsafePointer<Float>, inChannels cin: Int, _ expand: UnsafePointer<Float>,
  expandEpilogue: ChannelEpilogue, _ filter: UnsafePointer<Float>,
  _ y: UnsafeMutablePointer<Float>, _ g: Conv2DGeometry, epilogue: ChannelEpilogue
) {
  prepareBLAS()
  let e = g.inChannels
  let rowCount = g.batch * g.outHeight
  guard rowCount > 0, g.outWidth > 0, e > 0, g.inWidth > 0, cin > 0 else { return }
  let window = g.effectiveFilterHeight
  let rowSize = g.inWidth * e
  let work =
    rowCount * g.outWidth * e * g.filterHeight * g.filterWidth
    + g.batch * g.inHeight * g.inWidth * cin * e
  KernelThreading.forChunks(rowCount, work: work) { _, rows in
    ScratchPool.shared.withScratch(2 * window * rowSize) { ring in
      // The (image, input row) each ring slot holds; -1 = empty.
      var held = [Int](repeating: -1, count: window)
      for row in rows {
        let b = row / g.outHeight
        let oh = row - b * g.outHeight
        let top = oh * g.strideH - g.padTop
        let image = x + b * g.inHeight * g.inWidth * cin
        for kh in 0..<g.filterHeight {
          let ih = top + kh * g.dilationH
          if ih < 0 || ih >= g.inHeight { continue }
          let slot = ih % window
          let tag = b * g.inHeight + ih
          if held[slot] == tag { continue }
          let dst = ring + slot * rowSize
          sgemmRaw(
            false, false, g.inWidth, e, cin, 1, image + ih * g.inWidth * cin, cin, expand, e, 0,
            dst, e)
          expandEpilogue.applyVectorized(dst, rows: g.inWidth, channels: e)
          (dst + window * rowSize).update(from: dst, count: rowSize)
          held[slot] = tag
        }
        // Input row `top` (possibly a padding row, never read) sits at slot top mod window.
        let first = ((top % window) + window) % window
        let base = UnsafePointer(ring + first * rowSize) - top * rowSize
        depthwiseRowInRegisters(
          base, filter, y + row * g.outWidth * e, g, oh: oh, epilogue: epilogue)
      }
    }
  }
}
