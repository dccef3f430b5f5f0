// `tf.layers.*` (one factory per TensorLayers layer class, taking TF.js's
// camelCase args object), `tf.input`, `tf.initializers.*`, `tf.regularizers.*`,
// and the classes scripts test with `instanceof` (`tf.layers.Layer`,
// `tf.LayersModel`, `tf.Sequential`, `tf.SymbolicTensor`).
//
// TF.js ignores args it does not know; tl names them instead
// (`Unknown option 'unit' passed to 'dense' (did you mean 'units'?)`), from
// the table of each class's TF.js args below.

import ScriptCore
import TensorEngine
import TensorLayers

/// The args every layer takes (TF.js `LayerArgs`).
let baseLayerArgs: Set<String> = [
  "name", "trainable", "inputShape", "batchInputShape", "batchSize", "dtype", "weights",
  "inputDType", "inputDim",
]

private let convArgs: Set<String> = [
  "filters", "kernelSize", "strides", "padding", "dataFormat", "dilationRate", "activation",
  "useBias", "kernelInitializer", "biasInitializer", "kernelConstraint", "biasConstraint",
  "kernelRegularizer", "biasRegularizer", "activityRegularizer",
]
private let poolingArgs: Set<String> = ["poolSize", "strides", "padding", "dataFormat"]
private let normalizationArgs: Set<String> = [
  "axis", "epsilon", "center", "scale", "betaInitializer", "gammaInitializer",
  "betaRegularizer", "gammaRegularizer", "betaConstraint", "gammaConstraint",
]

/// Each layer class's own TF.js args (besides `baseLayerArgs`).
let layerClassArgs: [String: Set<String>] = [
  "InputLayer": ["sparse"],
  "Dense": [
    "units", "activation", "useBias", "kernelInitializer", "biasInitializer", "kernelConstraint",
    "biasConstraint", "kernelRegularizer", "biasRegularizer", "activityRegularizer",
  ],
  "Flatten": ["dataFormat"],
  "Reshape": ["targetShape"],
  "Dropout": ["rate", "noiseShape", "seed"],
  "Activation": ["activation"],
  "ReLU": ["maxValue"],
  "LeakyReLU": ["alpha"],
  "ELU": ["alpha"],
  "Softmax": ["axis"],
  "Conv1D": convArgs,
  "Conv2D": convArgs,
  "Conv2DTranspose": convArgs,
  "DepthwiseConv2D": convArgs.subtracting([
    "filters", "kernelInitializer", "kernelRegularizer",
    "kernelConstraint",
  ]).union([
    "depthMultiplier", "depthwiseInitializer",
    "depthwiseRegularizer", "depthwiseConstraint",
  ]),
  "SeparableConv2D": convArgs.subtracting([
    "kernelInitializer", "kernelRegularizer",
    "kernelConstraint",
  ]).union([
    "depthMultiplier", "depthwiseInitializer",
    "pointwiseInitializer", "depthwiseRegularizer", "pointwiseRegularizer",
    "depthwiseConstraint", "pointwiseConstraint",
  ]),
  "MaxPooling1D": poolingArgs, "MaxPooling2D": poolingArgs,
  "AveragePooling1D": poolingArgs, "AveragePooling2D": poolingArgs,
  "GlobalAveragePooling1D": ["dataFormat", "keepDims"],
  "GlobalAveragePooling2D": ["dataFormat", "keepDims"],
  "GlobalMaxPooling1D": ["dataFormat", "keepDims"],
  "GlobalMaxPooling2D": ["dataFormat", "keepDims"],
  "BatchNormalization": normalizationArgs.union([
    "momentum", "movingMeanInitializer", "movingVarianceInitializer",
  ]),
  "LayerNormalization": normalizationArgs,
  "ZeroPadding2D": ["padding", "dataFormat"],
  "Cropping2D": ["cropping", "dataFormat"],
  "UpSampling2D": ["size", "dataFormat", "interpolation"],
  "Add": [], "Multiply": [], "Average": [], "Maximum": [], "Minimum": [],
  "Concatenate": ["axis"],
  "Rescaling": ["scale", "offset"],
  "Embedding": [
    "inputDim", "outputDim", "embeddingsInitializer", "embeddingsRegularizer",
    "embeddingsConstraint", "activityRegularizer", "maskZero", "inputLength",
  ],
  "Permute": ["dims"],
  "RepeatVector": ["n"],
]

/// The args `tf.layers.<factory>` accepts.
func knownLayerArgs(factory: String) -> Set<String> {
  let cls = LayerFactory.factories[factory] ?? factory
  return baseLayerArgs.union(layerClassArgs[cls] ?? [])
}

extension TFContext {
  // MARK: - tf.layers

  /// `tf.layers.<factory>(args)` for every TensorLayers factory.
  var layerFactoryEntries: [NativeEntry] {
    LayerFactory.names.map { name in
      let known = knownLayerArgs(factory: name)
      return .function(name, arity: 1) { [self] call in
        let args = try layerArgs(call.interpreter, call.arguments[0], known: known, function: name)
        try rejectConstraints(args, name)
        return wrapLayer(try engineCall { try LayerFactory.make(name, args) })
      }
    }
  }

  /// Weight constraints are TF.js args tl does not implement: null is fine, a value is not.
  private func rejectConstraints(_ args: ConfigObject, _ function: String) throws {
    for key in args.keys where key.hasSuffix("Constraint") && args.has(key) {
      throw argumentError(
        "Option '\(key)' passed to '\(function)' is not supported by tl (weight constraints "
          + "are not implemented)")
    }
  }

  // MARK: - tf.input, tf.initializers, tf.regularizers

  /// `tf.input({shape | batchShape, name?, dtype?})`, installed on `tf`.
  var inputEntry: NativeEntry {
    .function("input", arity: 1) { [self] call in
      let o = try Options(
        call.interpreter, call.arguments[0],
        keys: ["shape", "batchShape", "name", "dtype", "sparse"], function: "input")
      try o.rejectUnknown()
      let args = o.arguments
      let shape = try o["shape"].isNullish ? nil : nullableDims(args, 0, "shape")
      let batchShape = try o["batchShape"].isNullish ? nil : nullableDims(args, 1, "batchShape")
      let dtype = try args.dtype(3) ?? .float32
      return wrapSymbolic(
        try engineCall {
          try TensorLayers.input(
            shape: shape, batchShape: batchShape, name: o.string("name"),
            dtype: dtype)
        })
    }
  }

  /// A shape whose entries may be null (`batchShape: [null, 10]`).
  func nullableDims(_ a: Arguments, _ i: Int, _ name: String) throws -> [Int?] {
    guard case .object(let o as JSArray) = a[i] else {
      throw a.typeError(i, name: name, expected: "an array of numbers")
    }
    return try o.elements.map { v in
      if v.isNullish { return nil }
      guard case .number(let d) = v, d.isFinite, d == d.rounded(), d >= 0, d < 9e15 else {
        throw argumentError(
          "Argument '\(name)' passed to '\(a.function)' must be an array of non-negative "
            + "integers or null")
      }
      return Int(d)
    }
  }

  private func initializerValue(_ i: Initializer) -> Value {
    .object(InitializerObject(prototype: layersState.initializerPrototype, initializer: i))
  }

  /// `tf.initializers.*`: objects that layer args take (`kernelInitializer`).
  var initializerEntries: [NativeEntry] {
    func seeded(_ name: String) -> NativeEntry {
      .function(name, arity: 1) { [self] call in
        let o = try Options(call.interpreter, call.arguments[0], keys: ["seed"], function: name)
        try o.rejectUnknown()
        let seed = try o.optionalNumber("seed")
        return initializerValue(try engineCall { try Initializer.named(name, seed: seed) })
      }
    }
    func configured(
      _ name: String, keys: [String], _ make: @escaping (Options) throws -> Initializer
    )
      -> NativeEntry
    {
      .function(name, arity: 1) { [self] call in
        let o = try Options(call.interpreter, call.arguments[0], keys: keys, function: name)
        try o.rejectUnknown()
        return initializerValue(try engineCall { try make(o) })
      }
    }
    return [
      configured("zeros", keys: []) { _ in Initializer.zeros() },
      configured("ones", keys: []) { _ in Initializer.ones() },
      configured("constant", keys: ["value"]) { o in
        Initializer.constant(try o.number("value", default: 0))
      },
      configured("randomUniform", keys: ["minval", "maxval", "seed"]) { o in
        Initializer.randomUniform(
          minval: try o.number("minval", default: -0.05),
          maxval: try o.number("maxval", default: 0.05), seed: try o.optionalNumber("seed"))
      },
      configured("randomNormal", keys: ["mean", "stddev", "seed"]) { o in
        Initializer.randomNormal(
          mean: try o.number("mean", default: 0), stddev: try o.number("stddev", default: 0.05),
          seed: try o.optionalNumber("seed"))
      },
      configured("truncatedNormal", keys: ["mean", "stddev", "seed"]) { o in
        Initializer.truncatedNormal(
          mean: try o.number("mean", default: 0), stddev: try o.number("stddev", default: 0.05),
          seed: try o.optionalNumber("seed"))
      },
      configured("identity", keys: ["gain"]) { o in
        Initializer.identity(gain: try o.number("gain", default: 1))
      },
      configured("orthogonal", keys: ["gain", "seed"]) { o in
        Initializer.orthogonal(
          gain: try o.number("gain", default: 1),
          seed: try o.optionalNumber("seed"))
      },
      configured("varianceScaling", keys: ["scale", "mode", "distribution", "seed"]) { o in
        try Initializer.varianceScaling(
          scale: try o.number("scale", default: 1), mode: try o.string("mode") ?? "fanIn",
          distribution: try o.string("distribution") ?? "normal",
          seed: try o.optionalNumber("seed"))
      },
      seeded("glorotUniform"), seeded("glorotNormal"), seeded("heNormal"), seeded("heUniform"),
      seeded("leCunNormal"), seeded("leCunUniform"),
    ]
  }

  /// `tf.regularizers.l1({l1})`, `l2({l2})`, `l1l2({l1, l2})`.
  var regularizerEntries: [NativeEntry] {
    func make(_ name: String, _ keys: [String], _ defaults: (Double, Double)) -> NativeEntry {
      .function(name, arity: 1) { [self] call in
        let o = try Options(call.interpreter, call.arguments[0], keys: keys, function: name)
        try o.rejectUnknown()
        let l1 = keys.contains("l1") ? try o.number("l1", default: defaults.0) : 0
        let l2 = keys.contains("l2") ? try o.number("l2", default: defaults.1) : 0
        return .object(
          RegularizerObject(
            prototype: layersState.regularizerPrototype, regularizer: Regularizer(l1: l1, l2: l2)))
      }
    }
    return [
      make("l1", ["l1"], (0.01, 0)), make("l2", ["l2"], (0, 0.01)),
      make("l1l2", ["l1", "l2"], (0.01, 0.01)),
    ]
  }

  // MARK: - Installation

  /// Installs the layer/model/symbolic prototypes, `tf.input` and the classes.
  func installLayersAPI(into ns: JSObject) {
    let state = layersState
    realm.install(layerMethods, into: state.layerPrototype)
    realm.install(modelMethods, into: state.modelPrototype)
    realm.install(sequentialMethods, into: state.sequentialPrototype)
    realm.install(callbackMethods, into: state.callbackPrototype)
    realm.install(graphModelMethods, into: state.graphModelPrototype)
    let getClassName: NativeEntry = .function("getClassName", arity: 0) { call in
      if case .object(let o) = call.this {
        if let i = o as? InitializerObject { return .string(i.initializer.className) }
        if o is RegularizerObject { return .string("L1L2") }
      }
      return .undefined
    }
    realm.install([getClassName], into: state.initializerPrototype)
    realm.install([getClassName], into: state.regularizerPrototype)
    installEnumerable([inputEntry], into: ns)
    installCallbackClasses(into: ns)
    ns.put(
      "LayersModel",
      classConstructor(
        "LayersModel", state.modelPrototype,
        factory: "tf.model() or tf.loadLayersModel()"))
    ns.put(
      "Sequential",
      classConstructor(
        "Sequential", state.sequentialPrototype,
        factory: "tf.sequential()"))
    ns.put(
      "SymbolicTensor",
      classConstructor(
        "SymbolicTensor", state.symbolicPrototype,
        factory: "tf.input()"))
    ns.put(
      "GraphModel",
      classConstructor(
        "GraphModel", state.graphModelPrototype,
        factory: "tf.loadGraphModel()"))
    if let layers = ns.getDataValue("layers").asObject {
      layers.put(
        "Layer",
        classConstructor(
          "Layer", state.layerPrototype,
          factory: "a tf.layers factory"))
    }
  }
}
