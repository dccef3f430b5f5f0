// The channel epilogue (bias, folded batch norm, ReLU/ReLU6 clamp) eight channels at a
// time, for kernels that apply it to values still in registers (depthwise) or to a
// just-written output block (the GEMM-based convolutions). Same float32 arithmetic as
// `ChannelEpilogue.apply`: one multiply, one add, then the clamp (`max` then `min`, NaN
// passing through, -0 raised to +0 by a 0 lower bound as `Swift.max` does).

extension ChannelEpilogue {
  /// The epilogue of channels `c..<c+8` applied to `v`.
  @inline(__always)
  func apply8(_ v: SIMD8<Float>, channel c: Int) -> SIMD8<Float> {
    var r = v
    if let scale {
      r = r * UnsafeRawPointer(scale + c).loadUnaligned(as: SIMD8<Float>.self)
    }
    if let shift {
      r = r + UnsafeRawPointer(shift + c).loadUnaligned(as: SIMD8<Float>.self)
    }
    // A lane loop, which LLVM turns into compare/blend + minps; the SIMD mask operators
    // (`.<=`, `replace(with:where:)`) compile to a per-lane branchy loop here.
    let (lo, hi) = (lower, upper)
    for i in 0..<8 { r[i] = Swift.min(Swift.max(r[i], lo), hi) }
    return r
  }

  /// The epilogue of channel `c` applied to one value.
  @inline(__always)
  func apply1(_ v: Float, channel c: Int) -> Float {
    var r = v
    if let scale { r = r * scale[c] }
    if let shift { r = r + shift[c] }
    return Swift.min(Swift.max(r, lower), upper)
  }

  /// The epilogue of `channels` (a column block) of `rows` rows `rowStride` floats apart.
  func applyColumns(
    _ data: UnsafeMutablePointer<Float>, rows: Int, rowStride: Int, channels: Range<Int>
  ) {
    if isIdentity { return }
    for r in 0..<rows {
      let row = data + r * rowStride
      var c = channels.lowerBound
      while c + 8 <= channels.upperBound {
        let p = UnsafeMutableRawPointer(row + c)
        p.storeBytes(of: apply8(p.loadUnaligned(as: SIMD8<Float>.self), channel: c),
                     as: SIMD8<Float>.self)
        c &+= 8
      }
      while c < channels.upperBound {
        row[c] = apply1(row[c], channel: c)
        c &+= 1
      }
    }
  }

  /// `apply(data, rows:, channels:)` vectorised over channels.
  func applyVectorized(_ data: UnsafeMutablePointer<Float>, rows: Int, channels: Int) {
    if isIdentity { return }
    let vectorEnd = channels & ~7
    for r in 0..<rows {
      let row = data + r * channels
      var c = 0
      while c < vectorEnd {
        let p = UnsafeMutableRawPointer(row + c)
        p.storeBytes(of: apply8(p.loadUnaligned(as: SIMD8<Float>.self), channel: c),
                     as: SIMD8<Float>.self)
        c &+= 8
      }
      while c < channels {
        row[c] = apply1(row[c], channel: c)
        c &+= 1
      }
    }
  }
}
