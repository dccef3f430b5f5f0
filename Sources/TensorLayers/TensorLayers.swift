// SPDX-License-Identifier: MIT
//
// TensorLayers: the TF.js Layers API on TensorEngine. It knows nothing of the
// scripting language; TFBindings maps the JavaScript API onto it one to one.
//
// Map for bindings (JavaScript → Swift):
//   tf.layers.<factory>(args)      LayerFactory.make("<factory>", ConfigObject(args))
//                                  (args camelCase; Initializer/Regularizer/Activation
//                                  instances and Tensors go in as ConfigValue.opaque)
//   tf.input({shape, batchShape})  input(shape:batchShape:name:dtype:) → SymbolicTensor
//   layer.apply(symbolic | tensor) Layer.apply([SymbolicTensor]) / Layer.apply([Tensor])
//   tf.sequential({layers, name})  Sequential(layers:name:), model.add(layer)
//   tf.model({inputs, outputs})    LayersModel(inputs:outputs:name:)
//   model.getLayer(name | index)   getLayer(name:) / getLayer(index:)
//   model.summary()                summary(lineLength:positions:) → lines to print
//   model.compile({...})           compile(optimizer:loss:metrics:) (LossArg, MetricArg;
//                                  LayersModel.optimizer(named:) for strings)
//   model.fit(x, y, args)          fit([x], [y], FitArgs) → History (callbacks: Callback,
//                                  CustomCallback, EarlyStopping; shouldInterrupt, progress)
//   model.evaluate / predict       evaluate(_:_:batchSize:) / predict(_:batchSize:)
//   model.trainOnBatch, predictOnBatch, getWeights, setWeights, countParams, toJSON
//   tf.loadLayersModel('file://…') ModelLoader.loadLayersModel(path:strict:)
//   tf.loadLayersModel('http…')    ModelLoader.loadLayersModel(json:source:strict:fetchWeights:)
//   model.save('file://dir')       ModelSaver.save(_:directory:)
//   tf.models.modelFromJSON        LayerRegistry.modelFromTopology(_:)
// Errors are `LayersError` (kind = TF.js error class) or the engine's `TensorError`.
import TensorEngine
