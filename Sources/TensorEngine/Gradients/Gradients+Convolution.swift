// SPDX-License-Identifier: MIT
import Foundation

// Gradients of the convolutions (TF.js Conv2D_grad, Conv2DBackpropInput_grad,
// DepthwiseConv2dNative_grad): each forward op's gradient is the matching
// backprop op, and each backprop op (bilinear in its two inputs) differentiates
// to a forward op or the other backprop, so gradients of gradients work.
// Dilations are passed through (TF.js refuses dilated gradients; the kernels
// here support them).

/// The convolution settings recorded in a node's attributes.
struct ConvSettings {
  let strides: [Int]
  let dilations: [Int]
  let padding: ConvPadding
  let rounding: DimRoundingMode?

  init(_ attrs: OpAttrs) {
    strides = attrs.ints("strides") ?? [1, 1]
    dilations = attrs.ints("dilations") ?? [1, 1]
    padding = attrs.padding ?? .valid
    rounding = attrs.dimRoundingMode
  }
}

extension Gradients {
  static func convolutionRules() -> [String: GradientRule] {
    var r: [String: GradientRule] = [:]
    r["Conv2D"] = { g in
      let (x, filter, dy, c) = (g.input(0), g.input(1), g.dy, ConvSettings(g.attrs))
      return [
        g.needs(0) ? try Tensor.conv2dBackpropInput(
          inputShape: x.shape, dy: dy, filter: filter, strides: c.strides, padding: c.padding,
          dilations: c.dilations, dimRoundingMode: c.rounding) : nil,
        g.needs(1) ? try Tensor.conv2dBackpropFilter(
          x: x, dy: dy, filterShape: filter.shape, strides: c.strides, padding: c.padding,
          dilations: c.dilations, dimRoundingMode: c.rounding) : nil,
      ]
    }
    r["Conv2DBackpropInput"] = { g in
      // y = backpropInput(dy, filter); upstream ddx has the conv input's shape.
      let (dy, filter, ddx, c) = (g.input(0), g.input(1), g.dy, ConvSettings(g.attrs))
      return [
        g.needs(0) ? try ddx.conv2d(
          filter, strides: c.strides, padding: c.padding, dilations: c.dilations,
          dimRoundingMode: c.rounding) : nil,
        g.needs(1) ? try Tensor.conv2dBackpropFilter(
          x: ddx, dy: dy, filterShape: filter.shape, strides: c.strides, padding: c.padding,
          dilations: c.dilations, dimRoundingMode: c.rounding) : nil,
      ]
    }
    r["Conv2DBackpropFilter"] = { g in
      // y = backpropFilter(x, dy); upstream df has the filter's shape.
      let (x, dy, df, c) = (g.input(0), g.input(1), g.dy, ConvSettings(g.attrs))
      return [
        g.needs(0) ? try Tensor.conv2dBackpropInput(
          inputShape: x.shape, dy: dy, filter: df, strides: c.strides, padding: c.padding,
          dilations: c.dilations, dimRoundingMode: c.rounding) : nil,
        g.needs(1) ? try x.conv2d(
          df, strides: c.strides, padding: c.padding, dilations: c.dilations,
          dimRoundingMode: c.rounding) : nil,
      ]
    }
    r["DepthwiseConv2dNative"] = { g in
      let (x, filter, dy, c) = (g.input(0), g.input(1), g.dy, ConvSettings(g.attrs))
      return [
        g.needs(0) ? try Tensor.depthwiseConv2dBackpropInput(
          inputShape: x.shape, dy: dy, filter: filter, strides: c.strides, padding: c.padding,
          dilations: c.dilations, dimRoundingMode: c.rounding) : nil,
        g.needs(1) ? try Tensor.depthwiseConv2dBackpropFilter(
          x: x, dy: dy, filterShape: filter.shape, strides: c.strides, padding: c.padding,
          dilations: c.dilations, dimRoundingMode: c.rounding) : nil,
      ]
    }
    r["DepthwiseConv2dNativeBackpropInput"] = { g in
      let (dy, filter, ddx, c) = (g.input(0), g.input(1), g.dy, ConvSettings(g.attrs))
      return [
        g.needs(0) ? try ddx.depthwiseConv2d(
          filter, strides: c.strides, padding: c.padding, dilations: c.dilations,
          dimRoundingMode: c.rounding) : nil,
        g.needs(1) ? try Tensor.depthwiseConv2dBackpropFilter(
          x: ddx, dy: dy, filterShape: filter.shape, strides: c.strides, padding: c.padding,
          dilations: c.dilations, dimRoundingMode: c.rounding) : nil,
      ]
    }
    r["DepthwiseConv2dNativeBackpropFilter"] = { g in
      let (x, dy, df, c) = (g.input(0), g.input(1), g.dy, ConvSettings(g.attrs))
      return [
        g.needs(0) ? try Tensor.depthwiseConv2dBackpropInput(
          inputShape: x.shape, dy: dy, filter: df, strides: c.strides, padding: c.padding,
          dilations: c.dilations, dimRoundingMode: c.rounding) : nil,
        g.needs(1) ? try x.depthwiseConv2d(
          df, strides: c.strides, padding: c.padding, dilations: c.dilations,
          dimRoundingMode: c.rounding) : nil,
      ]
    }
    return r
  }
}
