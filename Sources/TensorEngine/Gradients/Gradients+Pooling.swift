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
}
