// End-to-end oracle: Keras MobileNet v1 0.25 at 224×224 (the chapter's model
// architecture, seeded weights) run layer by layer on the raw kernels, compared
// with what TensorFlow 2.21 computed (Tests/Fixtures/mobilenet_v1_0.25_224).

import Foundation
import XCTest
@testable import TensorEngine

/// Reads a TF.js weights manifest (`[{paths, weights: [{name, shape, dtype}]}]`) whose
/// entries are float32 or int32 (int32 converted to Float), returning name → (shape, values).
func loadFloatManifest(_ manifest: [[String: Any]], directory: URL) throws
  -> [String: (shape: [Int], values: [Float])]
{
  var result: [String: (shape: [Int], values: [Float])] = [:]
  for group in manifest {
    let paths = group["paths"] as? [String] ?? []
    var bytes = Data()
    for path in paths { bytes.append(try Data(contentsOf: directory.appendingPathComponent(path))) }
    var offset = 0
    for weight in group["weights"] as? [[String: Any]] ?? [] {
      let name = weight["name"] as? String ?? ""
      let shape = weight["shape"] as? [Int] ?? []
      let dtype = weight["dtype"] as? String
      guard dtype == "float32" || dtype == "int32", weight["quantization"] == nil else {
        throw NSError(domain: "fixture", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(name)"])
      }
      let count = shape.reduce(1, *)
      let values = bytes.withUnsafeBytes { raw in
        (0..<count).map { i -> Float in
          dtype == "int32"
            ? Float(raw.loadUnaligned(fromByteOffset: offset + 4 * i, as: Int32.self))
            : raw.loadUnaligned(fromByteOffset: offset + 4 * i, as: Float.self)
        }
      }
      result[name] = (shape, values)
      offset += 4 * count
    }
  }
  return result
}

/// The fixture folder `name` under Tests/Fixtures.
func fixtureURL(_ name: String) -> URL {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").appendingPathComponent(name)
}

/// An NHWC activation flowing through the test's layer interpreter.
struct Activation {
  var shape: [Int]
  var values: [Float]
}

final class KernelMobileNetOracleTests: XCTestCase {
  func testMobileNetV1QuarterMatchesTensorFlow() throws {
    let root = fixtureURL("mobilenet_v1_0.25_224")
    let model = try JSONSerialization.jsonObject(
      with: Data(contentsOf: root.appendingPathComponent("model/model.json"))) as? [String: Any]
    let cases = try JSONSerialization.jsonObject(
      with: Data(contentsOf: root.appendingPathComponent("cases.json"))) as? [String: Any]
    let weights = try loadFloatManifest(
      model?["weightsManifest"] as? [[String: Any]] ?? [],
      directory: root.appendingPathComponent("model"))
    let arrays = try loadFloatManifest(
      cases?["weightsManifest"] as? [[String: Any]] ?? [], directory: root)
    let atol = Float(cases?["atol"] as? Double ?? 1e-4)
    let rtol = Float(cases?["rtol"] as? Double ?? 1e-3)
    let topology = model?["modelTopology"] as? [String: Any]
    let config = (topology?["model_config"] as? [String: Any])?["config"] as? [String: Any]
    let layers = config?["layers"] as? [[String: Any]] ?? []
    XCTAssertEqual(layers.count, 91)
    guard let input = arrays["x"] else { return XCTFail("no input x in cases") }

    var activation = Activation(shape: input.shape, values: input.values)
    var checked = 0
    for layer in layers {
      let kind = layer["class_name"] as? String ?? ""
      let layerConfig = layer["config"] as? [String: Any] ?? [:]
      let name = layerConfig["name"] as? String ?? ""
      activation = try applyLayer(kind, name: name, config: layerConfig, activation, weights)
      if let want = arrays["layer:\(name)"] {
        XCTAssertEqual(activation.shape, want.shape, name)
        assertClose(activation.values, want.values, atol: atol, rtol: rtol, name)
        checked += 1
      }
    }
    XCTAssertEqual(checked, 2)
    guard let y = arrays["y"] else { return XCTFail("no output y in cases") }
    XCTAssertEqual(activation.shape, y.shape)
    assertClose(activation.values, y.values, atol: atol, rtol: rtol, "predictions")
  }

  // MARK: - A tiny layer interpreter over the kernels

  private func applyLayer(
    _ kind: String, name: String, config: [String: Any], _ x: Activation,
    _ weights: [String: (shape: [Int], values: [Float])]
  ) throws -> Activation {
    func weight(_ suffix: String) throws -> (shape: [Int], values: [Float]) {
      guard let w = weights["\(name)/\(suffix)"] else {
        throw NSError(domain: "fixture", code: 2, userInfo: [NSLocalizedDescriptionKey: name])
      }
      return w
    }
    func pair(_ key: String) -> (Int, Int) {
      let v = config[key] as? [Int] ?? [1, 1]
      return (v[0], v[1])
    }
    let padding: ConvPadding = (config["padding"] as? String) == "same" ? .same : .valid
    switch kind {
    case "InputLayer", "Dropout":
      return x
    case "Conv2D", "DepthwiseConv2D":
      let depthwise = kind == "DepthwiseConv2D"
      let kernel = try weight(depthwise ? "depthwise_kernel" : "kernel")
      let g = Conv2DGeometry(
        inShape: x.shape, filterShape: kernel.shape, strides: pair("strides"),
        dilations: pair("dilation_rate"), padding: padding, depthwise: depthwise)
      let bias = (config["use_bias"] as? Bool) == true ? try weight("bias").values : nil
      let y = kernelOutput(g.outShape.reduce(1, *), x.values, kernel.values) { px, pw, py in
        bias.withUnsafeBufferPointerIfPresent { pb in
          let epilogue = ChannelEpilogue(shift: pb)
          if depthwise {
            depthwiseConv2dForward(px, pw, py, g, epilogue: epilogue)
          } else {
            conv2dForward(px, pw, py, g, epilogue: epilogue)
          }
        }
      }
      return Activation(shape: g.outShape, values: y)
    case "BatchNormalization":
      let (gamma, beta) = (try weight("gamma").values, try weight("beta").values)
      let (mean, variance) = (try weight("moving_mean").values, try weight("moving_variance").values)
      let epsilon = Float(config["epsilon"] as? Double ?? 1e-3)
      let channels = x.shape.last ?? 1
      let y = kernelOutput(x.values.count, x.values) { px, py in
        gamma.withUnsafeBufferPointer { pg in
          beta.withUnsafeBufferPointer { pb in
            mean.withUnsafeBufferPointer { pm in
              variance.withUnsafeBufferPointer { pv in
                batchNormForward(
                  px, py, count: x.values.count, channels: channels,
                  mean: .perChannel(pm.baseAddress!), variance: .perChannel(pv.baseAddress!),
                  scale: .perChannel(pg.baseAddress!), offset: .perChannel(pb.baseAddress!),
                  epsilon: epsilon)
              }
            }
          }
        }
      }
      return Activation(shape: x.shape, values: y)
    case "ReLU":
      let upper = Float(config["max_value"] as? Double ?? .infinity)
      return Activation(shape: x.shape, values: x.values.map { min(max($0, 0), upper) })
    case "ZeroPadding2D":
      let pads = config["padding"] as? [[Int]] ?? [[0, 0], [0, 0]]
      return zeroPad(x, top: pads[0][0], bottom: pads[0][1], left: pads[1][0], right: pads[1][1])
    case "GlobalAveragePooling2D":
      let g = Conv2DGeometry(
        poolInShape: x.shape, filterSize: (x.shape[1], x.shape[2]), strides: (1, 1),
        padding: .valid)
      let y = kernelOutput(g.outShape.reduce(1, *), x.values) { avgPoolForward($0, $1, g) }
      let keep = config["keepdims"] as? Bool ?? false
      return Activation(shape: keep ? g.outShape : [x.shape[0], x.shape[3]], values: y)
    case "Reshape":
      // Keras gives target_shape without the batch axis.
      let target = config["target_shape"] as? [Int] ?? []
      if target.count == 3 { return Activation(shape: [x.shape[0]] + target, values: x.values) }
      return Activation(shape: [x.shape[0], x.values.count / x.shape[0]], values: x.values)
    case "Activation":
      XCTAssertEqual(config["activation"] as? String, "softmax")
      let width = x.shape.last ?? 1
      var y = x.values
      for r in 0..<(y.count / width) {
        let row = y[(r * width)..<((r + 1) * width)]
        let top = row.max() ?? 0
        let exps = row.map { exp($0 - top) }
        let total = exps.reduce(0, +)
        for (i, e) in exps.enumerated() { y[r * width + i] = e / total }
      }
      return Activation(shape: x.shape, values: y)
    default:
      throw NSError(domain: "fixture", code: 3, userInfo: [NSLocalizedDescriptionKey: kind])
    }
  }

  private func zeroPad(_ x: Activation, top: Int, bottom: Int, left: Int, right: Int)
    -> Activation
  {
    let (b, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (nh, nw) = (h + top + bottom, w + left + right)
    var y = [Float](repeating: 0, count: b * nh * nw * c)
    for n in 0..<b {
      for i in 0..<h {
        for j in 0..<w {
          for k in 0..<c {
            y[((n * nh + i + top) * nw + j + left) * c + k] = x.values[((n * h + i) * w + j) * c + k]
          }
        }
      }
    }
    return Activation(shape: [b, nh, nw, c], values: y)
  }
}

extension Optional where Wrapped == [Float] {
  /// Calls `body` with the array's base address, or `nil` when there is no array.
  func withUnsafeBufferPointerIfPresent<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
    switch self {
    case .some(let array): return array.withUnsafeBufferPointer { body($0.baseAddress) }
    case .none: return body(nil)
    }
  }
}
