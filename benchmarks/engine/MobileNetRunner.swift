// A MobileNet-style layer chain run straight on the kernels, as an inference
// engine would plan it: Conv2D / DepthwiseConv2D + BatchNormalization + ReLU(6)
// become one kernel call with a folded scale/shift/clamp epilogue, and a
// ZeroPadding2D in front of a 'valid' convolution becomes explicit padding.
// It reads the layer list and weights of a TF.js layers model (float32).

import Foundation
import TensorEngine

/// One planned step of the chain.
enum Step {
  case conv(kernel: [Float], geometry: Conv2DGeometry, depthwise: Bool, scale: [Float]?,
            shift: [Float]?, lower: Float, upper: Float)
  case globalAverage
  case softmax
}

/// Loads a TF.js layers model and runs its (sequential) layer chain on the kernels.
struct MobileNetRunner {
  var layers: [[String: Any]] = []
  var weights: [String: (shape: [Int], values: [Float])] = [:]

  init(modelDirectory: URL) throws {
    let data = try Data(contentsOf: modelDirectory.appendingPathComponent("model.json"))
    guard let model = try JSONSerialization.jsonObject(with: data) as? [String: Any],
      let topology = model["modelTopology"] as? [String: Any],
      let config = (topology["model_config"] as? [String: Any])?["config"] as? [String: Any],
      let layers = config["layers"] as? [[String: Any]],
      let manifest = model["weightsManifest"] as? [[String: Any]]
    else { throw BenchError("unreadable model.json") }
    self.layers = layers
    self.weights = try readManifest(manifest, directory: modelDirectory)
  }

  /// Plans the chain for an input of `inShape`, folding BN/ReLU/padding into convolutions.
  func plan(inShape: [Int]) throws -> (steps: [Step], outShape: [Int]) {
    var steps: [Step] = []
    var shape = inShape
    var pending: (top: Int, bottom: Int, left: Int, right: Int)?
    for layer in layers {
      let kind = layer["class_name"] as? String ?? ""
      let config = layer["config"] as? [String: Any] ?? [:]
      let name = config["name"] as? String ?? ""
      switch kind {
      case "InputLayer", "Dropout", "Reshape":
        continue
      case "ZeroPadding2D":
        let p = config["padding"] as? [[Int]] ?? [[0, 0], [0, 0]]
        pending = (p[0][0], p[0][1], p[1][0], p[1][1])
        shape = [shape[0], shape[1] + p[0][0] + p[0][1], shape[2] + p[1][0] + p[1][1], shape[3]]
      case "Conv2D", "DepthwiseConv2D":
        let depthwise = kind == "DepthwiseConv2D"
        guard let kernel = weights["\(name)/\(depthwise ? "depthwise_kernel" : "kernel")"]
        else { throw BenchError("no kernel for \(name)") }
        let strides = config["strides"] as? [Int] ?? [1, 1]
        var padding: ConvPadding = (config["padding"] as? String) == "same" ? .same : .valid
        var inShape = shape
        if let p = pending, padding == .valid {
          padding = .explicit(top: p.top, bottom: p.bottom, left: p.left, right: p.right)
          inShape = [shape[0], shape[1] - p.top - p.bottom, shape[2] - p.left - p.right, shape[3]]
          pending = nil
        } else if pending != nil {
          throw BenchError("padding before a 'same' convolution is not planned")
        }
        let g = Conv2DGeometry(
          inShape: inShape, filterShape: kernel.shape, strides: (strides[0], strides[1]),
          padding: padding, depthwise: depthwise)
        let bias = weights["\(name)/bias"]?.values
        steps.append(.conv(kernel: kernel.values, geometry: g, depthwise: depthwise, scale: nil,
                           shift: bias, lower: -.infinity, upper: .infinity))
        shape = g.outShape
      case "BatchNormalization":
        guard case .conv(let k, let g, let d, nil, let bias, -.infinity, .infinity)? = steps.last,
          let gamma = weights["\(name)/gamma"]?.values, let beta = weights["\(name)/beta"]?.values,
          let mean = weights["\(name)/moving_mean"]?.values,
          let variance = weights["\(name)/moving_variance"]?.values
        else { throw BenchError("batch norm \(name) does not follow a plain convolution") }
        let epsilon = Float(config["epsilon"] as? Double ?? 1e-3)
        // TensorFlow's inference form: x·inv + (beta - mean·inv), inv = gamma·rsqrt(var + eps).
        let inv = (0..<gamma.count).map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
        let shift = (0..<gamma.count).map { beta[$0] - (mean[$0] - (bias?[$0] ?? 0)) * inv[$0] }
        steps[steps.count - 1] = .conv(
          kernel: k, geometry: g, depthwise: d, scale: inv, shift: shift, lower: -.infinity,
          upper: .infinity)
      case "ReLU":
        guard case .conv(let k, let g, let d, let s, let b, _, _)? = steps.last else {
          throw BenchError("ReLU \(name) does not follow a convolution")
        }
        let upper = Float(config["max_value"] as? Double ?? .infinity)
        steps[steps.count - 1] = .conv(
          kernel: k, geometry: g, depthwise: d, scale: s, shift: b, lower: 0, upper: upper)
      case "GlobalAveragePooling2D":
        steps.append(.globalAverage)
        shape = [shape[0], 1, 1, shape[3]]
      case "Activation":
        steps.append(.softmax)
      default:
        throw BenchError("layer \(kind) is not planned")
      }
    }
    return (steps, [shape[0], shape.reduce(1, *) / shape[0]])
  }

  /// Runs planned steps on `input`, reusing two ping-pong buffers of `capacity` floats.
  static func run(
    _ steps: [Step], input: UnsafePointer<Float>, inShape: [Int],
    buffers: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>),
    probe: ((Int, UnsafePointer<Float>) -> Void)? = nil
  ) -> UnsafePointer<Float> {
    var current = input
    var shape = inShape
    var target = buffers.0
    var spare = buffers.1
    for (index, step) in steps.enumerated() {
      switch step {
      case .conv(let kernel, let g, let depthwise, let scale, let shift, let lower, let upper):
        kernel.withUnsafeBufferPointer { pk in
          scale.withPointer { ps in
            shift.withPointer { pb in
              let epilogue = ChannelEpilogue(scale: ps, shift: pb, lower: lower, upper: upper)
              if depthwise {
                depthwiseConv2dForward(current, pk.baseAddress!, target, g, epilogue: epilogue)
              } else {
                conv2dForward(current, pk.baseAddress!, target, g, epilogue: epilogue)
              }
            }
          }
        }
        shape = g.outShape
      case .globalAverage:
        let g = Conv2DGeometry(
          poolInShape: shape, filterSize: (shape[1], shape[2]), strides: (1, 1), padding: .valid)
        avgPoolForward(current, target, g)
        shape = g.outShape
      case .softmax:
        let width = shape.last ?? 1
        for r in 0..<(shape.reduce(1, *) / width) {
          let row = current + r * width
          let out = target + r * width
          var top = -Float.infinity
          for i in 0..<width { top = max(top, row[i]) }
          var total: Float = 0
          for i in 0..<width {
            out[i] = expf(row[i] - top)
            total += out[i]
          }
          for i in 0..<width { out[i] /= total }
        }
      }
      probe?(index, UnsafePointer(target))
      current = UnsafePointer(target)
      swap(&target, &spare)
    }
    return current
  }
}

extension Optional where Wrapped == [Float] {
  /// Calls `body` with the array's base address, or `nil`.
  func withPointer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
    switch self {
    case .some(let array): return array.withUnsafeBufferPointer { body($0.baseAddress) }
    case .none: return body(nil)
    }
  }
}

/// A benchmark failure with a message.
struct BenchError: Error, CustomStringConvertible {
  var description: String
  init(_ message: String) { description = message }
}

/// Reads a float32 TF.js weights manifest: name → (shape, values).
func readManifest(_ manifest: [[String: Any]], directory: URL) throws
  -> [String: (shape: [Int], values: [Float])]
{
  var result: [String: (shape: [Int], values: [Float])] = [:]
  for group in manifest {
    var bytes = Data()
    for path in group["paths"] as? [String] ?? [] {
      bytes.append(try Data(contentsOf: directory.appendingPathComponent(path)))
    }
    var offset = 0
    for weight in group["weights"] as? [[String: Any]] ?? [] {
      let shape = weight["shape"] as? [Int] ?? []
      let count = shape.reduce(1, *)
      guard (weight["dtype"] as? String) == "float32", offset + 4 * count <= bytes.count else {
        throw BenchError("unsupported or truncated weight \(weight["name"] ?? "?")")
      }
      let values = bytes.withUnsafeBytes { raw in
        (0..<count).map { raw.loadUnaligned(fromByteOffset: offset + 4 * $0, as: Float.self) }
      }
      result[weight["name"] as? String ?? ""] = (shape, values)
      offset += 4 * count
    }
  }
  return result
}
