// SPDX-License-Identifier: MIT
import Foundation

// Batch normalization in inference form (TF.js ops/batchnorm.ts and the cpu
// FusedBatchNorm kernel):  (x - mean) · scale / sqrt(variance + ε) + offset.
// As TF.js's cpu kernel does, each parameter is applied cyclically along the
// flattened x (parameter i % length), which is per-channel broadcasting when
// the parameters have the size of the last axis (or are scalars).
//
// Tape name FusedBatchNorm, inputs [x, mean, variance, offset?, scale?], attrs
// "varianceEpsilon" (float), "hasOffset", "hasScale" (bool).

extension Tensor {
  /// `tf.batchNorm(x, mean, variance, offset?, scale?, varianceEpsilon = 0.001)`.
  public func batchNorm(
    mean: Tensor, variance: Tensor, offset: Tensor? = nil, scale: Tensor? = nil,
    varianceEpsilon: Float = 0.001
  ) throws -> Tensor {
    try checkAlive()
    for t in [mean, variance] + [offset, scale].compactMap({ $0 }) { try t.checkAlive() }
    if mean.rank != variance.rank {
      throw TensorError("Batch normalization gradient requires mean and variance to have equal ranks.")
    }
    if let offset, offset.rank != mean.rank {
      throw TensorError("Batch normalization gradient requires mean and offset to have equal ranks.")
    }
    if let scale, scale.rank != mean.rank {
      throw TensorError("Batch normalization gradient requires mean and scale to have equal ranks.")
    }
    for t in [mean, variance] + [offset, scale].compactMap({ $0 }) where t.size == 0 && size > 0 {
      throw TensorError("Error in batchNorm: parameters must not be empty, but got shape [\(shapeText(t.shape))].")
    }
    let x = self
    let inputs = [x, mean, variance] + [offset, scale].compactMap { $0 }
    let attrs = OpAttrs([
      "varianceEpsilon": .float(Double(varianceEpsilon)), "hasOffset": .bool(offset != nil),
      "hasScale": .bool(scale != nil),
    ])
    return try Engine.shared.runOp("FusedBatchNorm", inputs: inputs, attrs: attrs) {
      Tensor.filled(x.shape, .float32) { out in
        guard let base = out.baseAddress else { return }
        batchNormValues(
          x.values, mean.values, variance.values, offset?.values, scale?.values,
          epsilon: varianceEpsilon, into: base)
      }
    }
  }
}

/// Batch norm over flat values with cyclic parameters, on the fused kernel when every
/// parameter has length 1 or one common length dividing `x.count`.
private func batchNormValues(
  _ x: [Float], _ mean: [Float], _ variance: [Float], _ offset: [Float]?, _ scale: [Float]?,
  epsilon: Float, into out: UnsafeMutablePointer<Float>
) {
  let params = [mean, variance] + [offset, scale].compactMap { $0 }
  let lengths = Set(params.map(\.count)).subtracting([1])
  let period = lengths.first ?? 1
  if x.isEmpty { return }
  if lengths.count <= 1 && x.count % period == 0 {
    withPointers([x] + params) { p in
      func parameter(_ index: Int) -> ChannelParameter {
        params[index].count == 1 ? .scalar(params[index][0]) : .perChannel(p[index + 1])
      }
      // params is [mean, variance, offset?, scale?].
      let offsetIndex: Int? = offset == nil ? nil : 2
      let scaleIndex: Int? = scale == nil ? nil : (offset == nil ? 2 : 3)
      batchNormForward(
        p[0], out, count: x.count, channels: period, mean: parameter(0), variance: parameter(1),
        scale: scaleIndex.map(parameter), offset: offsetIndex.map(parameter), epsilon: epsilon)
    }
    return
  }
  // Mixed parameter lengths: TF.js's element loop, each parameter cycling on its own.
  for i in 0..<x.count {
    let m = mean[i % mean.count]
    let v = variance[i % variance.count]
    let s = scale.map { $0[i % $0.count] } ?? 1
    let o = offset.map { $0[i % $0.count] } ?? 0
    out[i] = o + (x[i] - m) * s / (v + epsilon).squareRoot()
  }
}
