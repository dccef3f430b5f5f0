// SPDX-License-Identifier: MIT
import Foundation

// `tensor.toString()` / `tensor.print()` exactly as TF.js's tensor_format.ts
// lays it out: at most 20 entries per dimension (first 3, `...`, last 3),
// columns padded to the widest entry, values through `parseFloat(v.toFixed(7))`,
// scalars through plain `String(v)`.

private let formatLimit = 20
private let formatEdge = 3
private let formatDigits = 7

extension Tensor {
  /// TF.js's `tensor.toString(verbose)`: `Tensor\n    [[1, 2],\n     [3, 4]]`.
  public func toString(verbose: Bool = false) -> String {
    if isDisposed { return "Tensor is disposed." }
    return formatTensor(storage.values, shape: shape, dtype: dtype, verbose: verbose)
  }
}

/// Formats values of a tensor as TF.js's `tensorToString`.
public func formatTensor(_ values: [Float], shape: [Int], dtype: DType, verbose: Bool) -> String {
  let pads = columnWidths(values, shape: shape, dtype: dtype)
  var lines = ["Tensor"]
  if verbose {
    lines.append("  dtype: \(dtype)")
    lines.append("  rank: \(shape.count)")
    lines.append("  shape: [\(shapeText(shape))]")
    lines.append("  values:")
  }
  let body = subTensorLines(values[...], shape: shape[...], dtype: dtype, pads: pads, isLast: true)
  lines.append(body.map { "    " + $0 }.joined(separator: "\n"))
  return lines.joined(separator: "\n")
}

/// One element as TF.js prints it inside an array.
func formatElement(_ v: Float, dtype: DType, pad: Int = 0) -> String {
  let text: String
  if dtype == .bool {
    text = v == 0 ? "false" : "true"
  } else if v == v.rounded(.towardZero) && Swift.abs(v) < 1e15 {
    text = String(Int64(v))  // integral: toFixed adds only zeros that parseFloat drops
  } else {
    text = jsNumber(Double(jsToFixed(Double(v), formatDigits)) ?? Double(v))
  }
  return text.count >= pad ? text : text + String(repeating: " ", count: pad - text.count)
}

private func columnWidths(_ values: [Float], shape: [Int], dtype: DType) -> [Int] {
  guard shape.count > 1, let cols = shape.last, cols > 0 else { return [] }
  var pads = [Int](repeating: 0, count: cols)
  for (i, v) in values.enumerated() {
    pads[i % cols] = max(pads[i % cols], formatElement(v, dtype: dtype).count)
  }
  return pads
}

private func subTensorLines(
  _ vals: ArraySlice<Float>, shape: ArraySlice<Int>, dtype: DType, pads: [Int], isLast: Bool
) -> [String] {
  let rank = shape.count
  guard let size = shape.first else {
    guard let v = vals.first else { return [""] }
    return [dtype == .bool ? (v == 0 ? "false" : "true") : jsNumber(Double(v))]
  }
  let pad = { (i: Int) in i < pads.count ? pads[i] : 0 }
  let base = vals.startIndex
  if rank == 1 {
    if size > formatLimit {
      let first = (0..<formatEdge).map {
        formatElement(vals[base + $0], dtype: dtype, pad: pad($0))
      }
      let last = (size - formatEdge..<size).map {
        formatElement(vals[base + $0], dtype: dtype, pad: pad($0))
      }
      return ["[" + first.joined(separator: ", ") + ", ..., " + last.joined(separator: ", ") + "]"]
    }
    let all = (0..<size).map { formatElement(vals[base + $0], dtype: dtype, pad: pad($0)) }
    return ["[" + all.joined(separator: ", ") + "]"]
  }
  let subshape = shape.dropFirst()
  let stride = subshape.reduce(1, *)
  var lines: [String] = []
  func emit(_ i: Int, last: Bool) {
    let start = base + i * stride
    lines += subTensorLines(
      vals[start..<start + stride], shape: subshape, dtype: dtype,
      pads: pads, isLast: last)
  }
  if size > formatLimit {
    for i in 0..<formatEdge { emit(i, last: false) }
    lines.append("...")
    for i in size - formatEdge..<size { emit(i, last: i == size - 1) }
  } else {
    for i in 0..<size { emit(i, last: i == size - 1) }
  }
  let sep = rank == 2 ? "," : ""
  if lines.isEmpty { lines = [""] }
  lines[0] = "[" + (size > 0 ? lines[0] + sep : "")
  if lines.count > 2 {
    for i in 1..<lines.count - 1 { lines[i] = " " + lines[i] + sep }
  }
  let newLineSep = ",\n" + String(repeating: "\n", count: max(0, rank - 2))
  lines[lines.count - 1] = " " + lines[lines.count - 1] + "]" + (isLast ? "" : newLineSep)
  return lines
}
