// SPDX-License-Identifier: MIT
import XCTest
@testable import TensorEngine

/// Reductions, scans and the composite ops built on them.
final class GradientReductionTests: XCTestCase {
  let x23 = (values: sampleValues(6, -1, 1, seed: 7), shape: [2, 3])
  let x234 = (values: sampleValues(24, -2, 2, seed: 9), shape: [2, 3, 4])

  func testSumAndMean() throws {
    for axes: [Int]? in [nil, [0], [1], [-1], [0, 2]] {
      for keep in [false, true] {
        try checkGradients([x234]) { try $0[0].sum(axes, keepDims: keep) }
        try checkGradients([x234]) { try $0[0].mean(axes, keepDims: keep) }
      }
    }
  }

  func testMaxMin() throws {
    for axes: [Int]? in [nil, [1], [0, 2]] {
      try checkGradients([x234]) { try $0[0].max(axes) }
      try checkGradients([x234]) { try $0[0].min(axes, keepDims: true) }
    }
  }

  func testMaxTiesShareTheGradientAsTFJS() throws {
    let g = try Autograd.grad { try $0.max() }(try t([3, 1, 3]), nil)
    try assertClose(g, [1, 0, 1])
    g.dispose()
  }

  func testProd() throws {
    try checkGradients([x234]) { try $0[0].prod([1]) }
    try checkGradients([x234]) { try $0[0].prod([0, 2], keepDims: true) }
    try checkGradients([x23]) { try $0[0].prod() }
    // A zero element: the gradient is the product of the others, no division by zero.
    let g = try Autograd.grad { try $0.prod() }(try t([2, 0, 3]), nil)
    try assertClose(g, [0, 6, 0])
    g.dispose()
  }

  func testLogSumExpSoftmaxLogSoftmax() throws {
    try checkGradients([x234]) { try $0[0].logSumExp([2]) }
    try checkGradients([x234]) { try $0[0].logSumExp(nil, keepDims: true) }
    try checkGradients([x23]) { try $0[0].softmax() }
    try checkGradients([x23]) { try $0[0].logSoftmax() }
  }

  func testMomentsAndNorm() throws {
    try checkGradients([x234]) { try $0[0].moments([0, 1]).variance }
    try checkGradients([x234]) { try $0[0].moments([2], keepDims: true).mean }
    try checkGradients([x23]) { try $0[0].norm() }
    try checkGradients([x23]) { try $0[0].norm(ord: .p(1), axes: [1]) }
  }

  func testCumsum() throws {
    for exclusive in [false, true] {
      for reverse in [false, true] {
        try checkGradients([x234]) {
          try $0[0].cumsum(axis: 1, exclusive: exclusive, reverse: reverse)
        }
      }
    }
  }

  func testTopK() throws {
    try checkGradients([x234]) { try $0[0].topk(2).values }
    try checkGradients([x234]) { args in
      try Autograd.grad { try $0.topk(3).values.square().sum() }(args[0], nil).square().sum()
    }
  }

  func testArgMaxIsNotDifferentiable() throws {
    let x = try t([1, 3, 2])
    let g = try Autograd.grad { x in
      try x.argMax().cast(.float32).add(try x.sum().mul(Tensor.scalar(0)))
    }(x, nil)
    try assertClose(g, [0, 0, 0])
    g.dispose()
    x.dispose()
  }

  func testLosses() throws {
    let labels = try t(sampleValues(6, 0, 1, seed: 13), [2, 3])
    defer { labels.dispose() }
    try checkGradients([x23]) { try Losses.meanSquaredError(labels, $0[0]) }
    try checkGradients([x23]) {
      try Losses.meanSquaredError(labels, $0[0], reduction: .none)
    }
  }
}
