// SPDX-License-Identifier: MIT
import Foundation

// Gradients of pooling and image resizing: the kernels' backprop ops
// (TF.js MaxPool_grad, AvgPool_grad, ResizeBilinear_grad,
// ResizeNearestNeighbor_grad). AvgPoolGrad is linear in dy, so it
// differentiates to an average pool; a flip is its own gradient.

extension Gradients {
  static func poolingRules() -> [String: GradientRule] {
    var r: [String: GradientRule] = [:]
    r["MaxPool"] = { g in
      guard g.needs(0) else { return [nil] }
      let c = ConvSettings(g.attrs)
      return [try Tensor.maxPoolBackprop(
        dy: g.dy, input: g.input(0), output: g.output,
        filterSize: g.attrs.ints("filterSize") ?? [1, 1],
        strides: c.strides, padding: c.padding, dimRoundingMode: c.rounding)]
    }
    r["AvgPool"] = { g in
      guard g.needs(0) else { return [nil] }
      let c = ConvSettings(g.attrs)
      return [try Tensor.avgPoolBackprop(
        dy: g.dy, input: g.input(0), filterSize: g.attrs.ints("filterSize") ?? [1, 1],
        strides: c.strides, padding: c.padding, dimRoundingMode: c.rounding)]
    }
    r["AvgPoolGrad"] = { g in
      // y = avgPoolGrad(dy, input): linear in dy, constant in input's values.
      let c = ConvSettings(g.attrs)
      let ddy = g.needs(0)
        ? try g.dy.avgPool(
          filterSize: g.attrs.ints("filterSize") ?? [1, 1], strides: c.strides,
          padding: c.padding, dimRoundingMode: c.rounding)
        : nil
      return [ddy, g.needs(1) ? try zeros(g.input(1).shape) : nil]
    }
    r["MaxPoolGrad"] = { g in
      // y = maxPoolGrad(dy, input, output) routes dy to each window's first maximum; the
      // adjoint reads the upstream gradient back at those positions.
      let (dy, input, output) = (g.input(0), g.input(1), g.input(2))
      let c = ConvSettings(g.attrs)
      var ddy: Tensor?
      if g.needs(0) {
        let (geometry, _) = try input.poolGeometry(
          op: "maxPoolGrad", inShape: input.shape,
          filterSize: g.attrs.ints("filterSize") ?? [1, 1], strides: c.strides,
          padding: c.padding, dimRoundingMode: c.rounding)
        ddy = Tensor.build(
          gatherWindowMaxima(input.values, g.dy.values, geometry), dy.shape, .float32)
      }
      return [
        ddy, g.needs(1) ? try zeros(input.shape) : nil, g.needs(2) ? try zeros(output.shape) : nil,
      ]
    }
    let resize: (Bool) -> GradientRule = { bilinear in
      { g in
        guard g.needs(0) else { return [nil] }
        let align = g.attrs.bool("alignCorners") ?? false
        let half = g.attrs.bool("halfPixelCenters") ?? false
        return [bilinear
          ? try Tensor.resizeBilinearBackprop(
            images: g.input(0), dy: g.dy, alignCorners: align, halfPixelCenters: half)
          : try Tensor.resizeNearestNeighborBackprop(
            images: g.input(0), dy: g.dy, alignCorners: align, halfPixelCenters: half)]
      }
    }
    r["ResizeBilinear"] = resize(true)
    r["ResizeNearestNeighbor"] = resize(false)
    let resizeGrad: (Bool) -> GradientRule = { bilinear in
      { g in
        // y = resizeGrad(images, dy) is linear in dy; its adjoint is the resize itself.
        let (images, dy) = (g.input(0), g.input(1))
        let size = [dy.shape[1], dy.shape[2]]
        let align = g.attrs.bool("alignCorners") ?? false
        let half = g.attrs.bool("halfPixelCenters") ?? false
        let ddy = g.needs(1)
          ? (bilinear
            ? try g.dy.resizeBilinear(size: size, alignCorners: align, halfPixelCenters: half)
            : try g.dy.resizeNearestNeighbor(
              size: size, alignCorners: align, halfPixelCenters: half))
          : nil
        return [g.needs(0) ? try zeros(images.shape) : nil, ddy]
      }
    }
    r["ResizeBilinearGrad"] = resizeGrad(true)
    r["ResizeNearestNeighborGrad"] = resizeGrad(false)
    r["FlipLeftRight"] = { g in [g.needs(0) ? try g.dy.flipLeftRight() : nil] }
    return r
  }

  /// For every pooling window of `x`, the value of `upstream` (shaped like `x`) at the
  /// window's first maximum, per channel (the positions MaxPoolGrad routes to).
  static func gatherWindowMaxima(_ x: [Float], _ upstream: [Float], _ g: Conv2DGeometry)
    -> [Float]
  {
    let c = g.inChannels
    let imageSize = g.inHeight * g.inWidth * c
    var out = [Float](repeating: 0, count: g.batch * g.outHeight * g.outWidth * c)
    var best = [Float](repeating: 0, count: c)
    var argmax = [Int](repeating: -1, count: c)
    for b in 0..<g.batch {
      for oh in 0..<g.outHeight {
        for ow in 0..<g.outWidth {
          for k in 0..<c { argmax[k] = -1 }
          for kh in 0..<g.filterHeight {
            let ih = oh * g.strideH - g.padTop + kh * g.dilationH
            if ih < 0 || ih >= g.inHeight { continue }
            for kw in 0..<g.filterWidth {
              let iw = ow * g.strideW - g.padLeft + kw * g.dilationW
              if iw < 0 || iw >= g.inWidth { continue }
              let base = b * imageSize + (ih * g.inWidth + iw) * c
              for k in 0..<c where argmax[k] < 0 || x[base + k] > best[k] {
                best[k] = x[base + k]
                argmax[k] = base + k
              }
            }
          }
          let o = ((b * g.outHeight + oh) * g.outWidth + ow) * c
          for k in 0..<c where argmax[k] >= 0 { out[o + k] = upstream[argmax[k]] }
        }
      }
    }
    return out
  }
}
