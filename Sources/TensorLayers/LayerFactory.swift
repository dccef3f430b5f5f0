// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

/// The `tf.layers.*` factories by name, for bindings: each maps to a layer class that
/// takes the factory's args object (camelCase keys) as its `ConfigObject`.
public enum LayerFactory {
  /// Factory name → class name (TF.js exports_layers.ts, with its aliases).
  public static let factories: [String: String] = [
    "inputLayer": "InputLayer", "dense": "Dense", "flatten": "Flatten", "reshape": "Reshape",
    "dropout": "Dropout", "activation": "Activation", "reLU": "ReLU", "leakyReLU": "LeakyReLU",
    "softmax": "Softmax", "elu": "ELU", "conv1d": "Conv1D", "conv2d": "Conv2D",
    "conv2dTranspose": "Conv2DTranspose", "depthwiseConv2d": "DepthwiseConv2D",
    "separableConv2d": "SeparableConv2D", "maxPooling1d": "MaxPooling1D",
    "maxPool1d": "MaxPooling1D",
    "maxPooling2d": "MaxPooling2D", "maxPool2d": "MaxPooling2D",
    "averagePooling1d": "AveragePooling1D", "avgPool1d": "AveragePooling1D",
    "avgPooling1d": "AveragePooling1D", "averagePooling2d": "AveragePooling2D",
    "avgPool2d": "AveragePooling2D", "avgPooling2d": "AveragePooling2D",
    "globalAveragePooling1d": "GlobalAveragePooling1D",
    "globalAveragePooling2d": "GlobalAveragePooling2D",
    "globalMaxPooling1d": "GlobalMaxPooling1D", "globalMaxPooling2d": "GlobalMaxPooling2D",
    "batchNormalization": "BatchNormalization", "zeroPadding2d": "ZeroPadding2D",
    "cropping2D": "Cropping2D", "cropping2d": "Cropping2D", "upSampling2d": "UpSampling2D",
    "add": "Add", "concatenate": "Concatenate", "multiply": "Multiply", "average": "Average",
    "maximum": "Maximum", "minimum": "Minimum", "rescaling": "Rescaling",
    "embedding": "Embedding", "permute": "Permute", "repeatVector": "RepeatVector",
    "layerNormalization": "LayerNormalization",
  ]

  /// The factory names, sorted (for completion).
  public static var names: [String] { factories.keys.sorted() }

  /// `tf.layers.<factory>(args)`.
  public static func make(_ factory: String, _ args: ConfigObject = ConfigObject()) throws -> Layer
  {
    guard let cls = factories[factory], let type = LayerRegistry.classes[cls] else {
      throw valueError("tf.layers.\(factory) is not a function")
    }
    return try type.init(args)
  }
}
