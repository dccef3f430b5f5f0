// Inference batch normalization as one fused pass:
//   y = (x - mean) · gamma / sqrt(variance + epsilon) + beta
// with every parameter either one value per channel (the last axis) or a single
// value for all. TF.js's cpu kernel computes exactly this expression element by
// element; here the per-channel factor gamma / sqrt(variance + epsilon) is
// computed once per channel.

/// One batch-norm parameter: a vector over the last axis, a single value, or absent.
public enum ChannelParameter {
  /// `channels` values, one per position of the last axis.
  case perChannel(UnsafePointer<Float>)
  /// One value for every channel.
  case scalar(Float)

  @inline(__always)
  func value(_ c: Int) -> Float {
    switch self {
    case .perChannel(let p): return p[c]
    case .scalar(let v): return v
    }
  }
}

/// Batch normalization in inference form over `count` floats of `x` whose last axis has
/// `channels` values: `y = (x - mean) · scale / sqrt(variance + epsilon) + offset`,
/// optionally clamped to `[lower, upper]` (ReLU6 fused). `scale`/`offset` `nil` mean 1/0.
public func batchNormForward(
  _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, channels: Int,
  mean: ChannelParameter, variance: ChannelParameter, scale: ChannelParameter?,
  offset: ChannelParameter?, epsilon: Float, lower: Float = -.infinity, upper: Float = .infinity
) {
  guard count > 0, channels > 0 else { return }
  let table = UnsafeMutablePointer<Float>.allocate(capacity: 3 * channels)
  defer { table.deallocate() }
  let fp = table
  let mp = table + channels
  let sp = table + 2 * channels
  for c in 0..<channels {
    fp[c] = (scale?.value(c) ?? 1) / (variance.value(c) + epsilon).squareRoot()
    mp[c] = mean.value(c)
    sp[c] = offset?.value(c) ?? 0
  }
  let rows = count / channels
  KernelThreading.forChunks(rows, work: count * 2, minimumChunk: 16) { _, range in
    for r in range {
      let xi = x + r * channels
      let yo = y + r * channels
      for c in 0..<channels {
        let v = (xi[c] - mp[c]) * fp[c] + sp[c]
        yo[c] = Swift.min(Swift.max(v, lower), upper)
      }
    }
  }
}
