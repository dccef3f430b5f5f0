// SPDX-License-Identifier: MIT
import XCTest
@testable import TensorEngine

/// Convolution, pooling, batch-norm and resize gradients against central differences.
final class GradientConvolutionTests: XCTestCase {
  let x552 = (values: sampleValues(50, -1, 1, seed: 61), shape: [1, 5, 5, 2])
  let x2442 = (values: sampleValues(64, -1, 1, seed: 67), shape: [2, 4, 4, 2])

  func testConv2D() throws {
    let w = (values: sampleValues(54, -0.5, 0.5, seed: 71), shape: [3, 3, 2, 3])
    try checkGradients([x552, w]) { try $0[0].conv2d($0[1], strides: [1], padding: .same) }
    try checkGradients([x552, w]) { try $0[0].conv2d($0[1], strides: [2, 2], padding: .valid) }
    try checkGradients([x552, w]) {
      try $0[0].conv2d(
        $0[1], strides: [2, 1], padding: .explicit(top: 1, bottom: 0, left: 2, right: 1))
    }
    try checkGradients([x552, w]) {
      try $0[0].conv2d($0[1], strides: [1, 1], padding: .same, dilations: [2, 2])
    }
    let w1 = (values: sampleValues(6, -0.5, 0.5, seed: 73), shape: [1, 1, 2, 3])
    try checkGradients([x2442, w1]) { try $0[0].conv2d($0[1], strides: [1], padding: .valid) }
  }

  func testConv1DAndRank3Input() throws {
    let x = (values: sampleValues(12, seed: 79), shape: [6, 2])
    let w = (values: sampleValues(12, seed: 83), shape: [3, 2, 2])
    try checkGradients([x, w]) { try $0[0].conv1d($0[1], stride: 1, padding: .same) }
    let x3 = (values: sampleValues(32, seed: 89), shape: [4, 4, 2])
    let w4 = (values: sampleValues(8, seed: 97), shape: [2, 2, 2, 1])
    try checkGradients([x3, w4]) { try $0[0].conv2d($0[1], strides: [1], padding: .valid) }
  }

  func testConv2DTranspose() throws {
    // dy [1, 3, 3, 3] with filter [3, 3, 2, 3] gives a [1, 5, 5, 2] output ('same', stride 2).
    let dy = (values: sampleValues(27, seed: 101), shape: [1, 3, 3, 3])
    let w = (values: sampleValues(54, -0.5, 0.5, seed: 103), shape: [3, 3, 2, 3])
    try checkGradients([dy, w]) {
      try $0[0].conv2dTranspose($0[1], outputShape: [1, 5, 5, 2], strides: [2], padding: .same)
    }
  }

  func testDepthwiseAndSeparable() throws {
    let w = (values: sampleValues(36, -0.5, 0.5, seed: 107), shape: [3, 3, 2, 2])
    try checkGradients([x552, w]) {
      try $0[0].depthwiseConv2d($0[1], strides: [1], padding: .same)
    }
    try checkGradients([x552, w]) {
      try $0[0].depthwiseConv2d($0[1], strides: [2], padding: .valid)
    }
    try checkGradients([x552, w]) {
      try $0[0].depthwiseConv2d($0[1], strides: [1], padding: .valid, dilations: [2])
    }
    let pw = (values: sampleValues(12, -0.5, 0.5, seed: 109), shape: [1, 1, 4, 3])
    try checkGradients([x552, w, pw]) {
      try $0[0].separableConv2d(
        depthwiseFilter: $0[1], pointwiseFilter: $0[2], strides: [1], padding: .same)
    }
  }

  func testFusedConvUnderTapeComposesRecordedOps() throws {
    let w = (values: sampleValues(54, -0.5, 0.5, seed: 71), shape: [3, 3, 2, 3])
    let bias = (values: [0.1, -0.2, 0.3] as [Float], shape: [3])
    try checkGradients([x552, w, bias]) {
      try $0[0].fusedConv2d($0[1], strides: [1], padding: .same, bias: $0[2], activation: .elu)
    }
  }

  func testSecondOrderThroughConvolutionBackprops() throws {
    let w = (values: sampleValues(18, -0.5, 0.5, seed: 113), shape: [3, 3, 2, 1])
    try checkGradients([x552, w]) { args in
      let grads = try Autograd.grads { try $0[0].conv2d($0[1], strides: [1], padding: .same)
        .square().sum() }(args, nil)
      return try grads[0].sum().add(try grads[1].square().sum())
    }
    let dw = (values: sampleValues(18, -0.5, 0.5, seed: 127), shape: [3, 3, 2, 1])
    try checkGradients([x552, dw]) { args in
      let grads = try Autograd.grads {
        try $0[0].depthwiseConv2d($0[1], strides: [1], padding: .same).square().sum()
      }(args, nil)
      return try grads[0].square().sum().add(try grads[1].sum())
    }
  }

  /// Values of `shape` that are a permutation of multiples of 0.1 (no near ties for max).
  private func spaced(_ shape: [Int]) -> [Float] {
    let n = sizeOf(shape)
    return (0..<n).map { Float(($0 * 37) % n) * 0.1 - Float(n) * 0.05 }
  }

  func testPooling() throws {
    let x = (values: spaced([2, 5, 5, 2]), shape: [2, 5, 5, 2])
    try checkGradients([x]) { try $0[0].maxPool(filterSize: [2], strides: [2], padding: .same) }
    try checkGradients([x]) { try $0[0].maxPool(filterSize: [3], strides: [1], padding: .valid) }
    try checkGradients([x]) { try $0[0].avgPool(filterSize: [3], strides: [2], padding: .same) }
    try checkGradients([x]) { try $0[0].avgPool(filterSize: [2, 3], strides: [1], padding: .valid) }
    try checkGradients([x]) { args in
      let g = try Autograd.grad { try $0.maxPool(filterSize: [3], strides: [2], padding: .same)
        .square().sum() }(args[0], nil)
      return try g.square().sum()
    }
    try checkGradients([x]) { args in
      let g = try Autograd.grad { try $0.avgPool(filterSize: [2], strides: [1], padding: .same)
        .square().sum() }(args[0], nil)
      return try g.square().sum()
    }
  }

  func testBatchNorm() throws {
    let x = (values: sampleValues(24, -1, 1, seed: 131), shape: [2, 2, 2, 3])
    let mean = (values: [0.1, -0.2, 0.05] as [Float], shape: [3])
    let variance = (values: [0.5, 1.2, 0.8] as [Float], shape: [3])
    let offset = (values: [0.3, 0, -0.1] as [Float], shape: [3])
    let scale = (values: [1.5, 0.7, -0.4] as [Float], shape: [3])
    try checkGradients([x, mean, variance, offset, scale]) {
      try $0[0].batchNorm(mean: $0[1], variance: $0[2], offset: $0[3], scale: $0[4])
    }
    try checkGradients([x, mean, variance, scale]) {
      try $0[0].batchNorm(mean: $0[1], variance: $0[2], scale: $0[3], varianceEpsilon: 0.01)
    }
    try checkGradients([x, (values: [0.2], shape: []), (values: [0.9], shape: [])]) {
      try $0[0].batchNorm(mean: $0[1], variance: $0[2])
    }
  }

  func testResizeAndFlip() throws {
    let x = (values: sampleValues(18, seed: 137), shape: [1, 3, 3, 2])
    for (align, half) in [(false, false), (true, false), (false, true)] {
      try checkGradients([x]) {
        try $0[0].resizeBilinear(size: [5, 4], alignCorners: align, halfPixelCenters: half)
      }
      try checkGradients([x]) {
        try $0[0].resizeNearestNeighbor(size: [4, 6], alignCorners: align, halfPixelCenters: half)
      }
    }
    try checkGradients([x]) { try $0[0].flipLeftRight() }
    // Second order through the resize backprops.
    for bilinear in [true, false] {
      try checkGradients([x]) { args in
        try Autograd.grad { x in
          let y = bilinear
            ? try x.resizeBilinear(size: [5, 4]) : try x.resizeNearestNeighbor(size: [5, 4])
          return try y.square().sum()
        }(args[0], nil).square().sum()
      }
    }
  }
}
