// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

/// Maps integer indices to dense vectors (TF.js `Embedding`): weight `embeddings`
/// `[inputDim, outputDim]`.
public final class Embedding: Layer {
  override public class var className: String { "Embedding" }
  /// Vocabulary size.
  public let inputDim: Int
  /// Vector size.
  public let outputDim: Int
  let inputLength: [Int]?
  let maskZero: Bool
  let embeddingsInitializer: Initializer
  let embeddingsRegularizer: Regularizer?
  var embeddings: LayerVariable?

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    guard let i = try args.int("inputDim"), i > 0, let o = try args.int("outputDim"), o > 0 else {
      throw valueError("Embedding needs positive integer inputDim and outputDim.")
    }
    inputDim = i
    outputDim = o
    inputLength = try args.ints("inputLength")
    maskZero = try args.bool("maskZero") ?? false
    embeddingsInitializer = try Initializer.from(
      args["embeddingsInitializer"], default: "randomUniform")
    embeddingsRegularizer = try Regularizer.from(args["embeddingsRegularizer"])
    var a = args
    if !a.has("batchInputShape") && !a.has("inputShape"), let len = inputLength {
      a["inputShape"] = .ints(len)
    }
    try super.init(a)
  }

  override public func build(_ inputShapes: [[Int?]]) throws {
    embeddings = try addWeight(
      "embeddings", shape: [inputDim, outputDim], initializer: embeddingsInitializer,
      regularizer: embeddingsRegularizer)
    built = true
  }

  override public func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] {
    let s = inputShapes[0]
    guard let len = inputLength else { return [s + [outputDim]] }
    return [[s.first ?? nil] + len.map { Optional($0) } + [outputDim]]
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    guard let embeddings else {
      throw LayersError(.runtimeError, "Embedding \(name) is not built.")
    }
    let x = inputs[0]
    return [
      try Engine.shared.tidy {
        let ids = x.dtype == .int32 ? x : try x.cast(.int32)
        let out = try embeddings.read().gather(try ids.reshape([-1]))
        return try out.reshape(x.shape + [outputDim])
      }
    ]
  }

  override public func layerConfig() -> ConfigObject {
    ConfigObject([
      ("inputDim", .int(inputDim)), ("outputDim", .int(outputDim)),
      ("embeddingsInitializer", embeddingsInitializer.serialized),
      ("embeddingsRegularizer", embeddingsRegularizer?.serialized ?? .null),
      ("maskZero", .bool(maskZero)), ("inputLength", inputLength.map { .ints($0) } ?? .null),
    ])
  }
}
