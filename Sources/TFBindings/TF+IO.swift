// Model files from scripts: `tf.loadLayersModel(url, {strict, fromTFHub,
// onProgress})`, `tf.loadGraphModel(url, {fromTFHub, onProgress})`,
// `model.save('file://dir')`, `tf.io.fileSystem(path)` in place of a URL, and the
// GraphModel object (`predict`, `execute`, `executeAsync`, `inputs`,
// `outputs`, `dispose`). All return promises, as in TF.js.
//
// A relative path resolves against the folder of the script being run (so a
// script finds the model beside it wherever it is started from), and against
// the working folder in the REPL.

import Foundation
import ScriptCore
import TensorEngine
import TensorLayers

/// What `tf.io.fileSystem(path)` gives: a path that load and save accept as a URL.
final class FileSystemHandler: JSObject {
  let path: String
  init(prototype: JSObject?, path: String) {
    self.path = path
    super.init(prototype: prototype)
    put("path", .string(path))
  }
  override var className: String { "NodeFileSystem" }
}

/// A `tf.GraphModel` in a script.
final class GraphModelObject: JSObject {
  let model: GraphModel
  init(prototype: JSObject?, model: GraphModel) {
    self.model = model
    super.init(prototype: prototype)
  }
  override var className: String { "GraphModel" }
}

/// Calls a script's `onProgress(fraction)` from a loader; the first error it throws is kept
/// (the loader's callback cannot throw) and makes the load fail once the loader returns.
final class ProgressRelay {
  private(set) var error: Error?
  private let interp: Interpreter
  private let function: Value

  init(_ interp: Interpreter, _ function: Value) {
    self.interp = interp
    self.function = function
  }

  /// The loader's callback, or nil when the script gave no function.
  var callback: ((Double) -> Void)? {
    guard case .object(let f) = function, f is JSFunction else { return nil }
    return { [self] fraction in
      guard error == nil else { return }
      do {
        _ = try interp.call(function, this: .undefined, [.number(fraction)])
      } catch {
        self.error = error
      }
    }
  }
}

extension TFContext {
  /// The folder relative model paths resolve against: the running script's, else nil
  /// (the working folder).
  func scriptDirectory(_ interp: Interpreter) -> String? {
    guard interp.argv.count > 1 else { return nil }
    let file = interp.argv[1]
    guard file.contains("/"), !file.hasPrefix("[") else { return nil }
    let dir = (file as NSString).deletingLastPathComponent
    if dir.hasPrefix("/") { return dir }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
      .appendingPathComponent(dir).path
  }

  /// A URL argument (a string, or an object with a `path`/`url`), named in errors.
  private func urlArgument(_ a: Arguments, _ function: String) throws -> String {
    if case .object(let handler as FileSystemHandler) = a[0] { return handler.path }
    guard case .string(let s) = a[0] else {
      throw argumentError(
        "\(function): the model URL must be a string, but got '\(Arguments.describeKind(a[0]))' "
          + "(tl loads http(s)://, file:// and paths)")
    }
    return s
  }

  /// `tf.io.fileSystem(path)`: tfjs-node's file handler, which load and save take in place
  /// of a `file://` URL.
  var ioNamespaceEntries: [NativeEntry] {
    [
      .function("fileSystem", arity: 1) { [self] call in
        let path = try call.arguments.string(0, name: "path")
        return .object(FileSystemHandler(prototype: realm.objectPrototype, path: path))
      }
    ]
  }

  /// `tf.loadLayersModel`, `tf.loadGraphModel` (installed on `tf`).
  var ioEntries: [NativeEntry] {
    [
      .function("loadLayersModel", arity: 2) { [self] call in
        let interp = call.interpreter
        let url = try urlArgument(call.arguments, "loadLayersModel")
        let o = try Options(
          interp, call.arguments[1],
          keys: [
            "strict", "fromTFHub", "onProgress", "weightPathPrefix",
            "requestInit",
          ],
          function: "loadLayersModel")
        try o.rejectUnknown()
        var options = ModelLoadOptions(
          fromTFHub: o.flag("fromTFHub"), strict: o.flag("strict", default: true))
        options.baseDirectory = scriptDirectory(interp)
        let progress = ProgressRelay(interp, o["onProgress"])
        options.onProgress = progress.callback
        return .object(
          settled(interp) {
            let model = try ModelIO.loadLayersModel(url, options: options)
            if let error = progress.error {
              model.dispose()
              throw error
            }
            return wrapLayer(model)
          })
      },
      .function("loadGraphModel", arity: 2) { [self] call in
        let interp = call.interpreter
        let url = try urlArgument(call.arguments, "loadGraphModel")
        let o = try Options(
          interp, call.arguments[1],
          keys: ["fromTFHub", "onProgress", "weightPathPrefix", "requestInit"],
          function: "loadGraphModel")
        try o.rejectUnknown()
        var options = ModelLoadOptions(fromTFHub: o.flag("fromTFHub"))
        options.baseDirectory = scriptDirectory(interp)
        let progress = ProgressRelay(interp, o["onProgress"])
        options.onProgress = progress.callback
        return .object(
          settled(interp) {
            let model = try ModelIO.loadGraphModel(url, options: options)
            if let error = progress.error {
              model.dispose()
              throw error
            }
            return .object(
              GraphModelObject(prototype: layersState.graphModelPrototype, model: model))
          })
      },
    ]
  }

  // MARK: - model.save

  var saveMethods: [NativeEntry] {
    [
      .function("save", arity: 2) { [self] call in
        let model = try thisModel(call.this, "save")
        let interp = call.interpreter
        let url = try urlArgument(call.arguments, "save")
        let o = try Options(
          interp, call.arguments[1], keys: ["trainableOnly", "includeOptimizer"],
          function: "save")
        try o.rejectUnknown()
        if o.flag("trainableOnly") || o.flag("includeOptimizer") {
          throw argumentError("save: trainableOnly and includeOptimizer are not supported by tl")
        }
        let base = scriptDirectory(interp)
        return .object(
          settled(interp) {
            let info = try ModelIO.save(model, to: url, baseDirectory: base)
            let iso = ISO8601DateFormatter()
            iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return object([
              (
                "modelArtifactsInfo",
                object([
                  ("dateSaved", .string(iso.string(from: info.dateSaved))),
                  ("modelTopologyType", .string(info.modelTopologyType)),
                  ("modelTopologyBytes", .number(Double(info.modelTopologyBytes))),
                  ("weightSpecsBytes", .number(Double(info.weightSpecsBytes))),
                  ("weightDataBytes", .number(Double(info.weightDataBytes))),
                ])
              )
            ])
          })
      }
    ]
  }

  // MARK: - GraphModel

  private func thisGraph(_ this: Value, _ method: String) throws -> GraphModel {
    guard case .object(let o as GraphModelObject) = this else {
      throw ScriptThrow.typeError(
        "GraphModel.prototype.\(method) called on a value that is not a GraphModel")
    }
    return o.model
  }

  /// Graph inputs: a Tensor, an array (positional) or `{name: Tensor}`.
  private func graphRun(
    _ model: GraphModel, _ interp: Interpreter, _ inputs: Value, outputs: [String]?,
    _ function: String
  ) throws -> [Tensor] {
    switch inputs {
    case .object(let t as TensorObject):
      return try engineCall { try model.execute([t.tensor], outputs: outputs) }
    case .object(let list as JSArray):
      let tensors = try list.elements.enumerated().map { i, v in
        try convertToTensor(v, "inputs[\(i)]", function)
      }
      return try engineCall { try model.execute(tensors, outputs: outputs) }
    case .object(let o) where !(o is JSFunction):
      var named: [String: Tensor] = [:]
      for key in o.ownKeys() where o.ownProperty(key)?.enumerable == true {
        named[key] = try convertToTensor(try interp.get(inputs, key), key, function)
      }
      return try engineCall { try model.execute(named, outputs: outputs) }
    default:
      throw argumentError(
        "Argument 'inputs' passed to '\(function)' must be a Tensor, an array of Tensors or a "
          + "map of them, but got '\(Arguments.describeKind(inputs))'")
    }
  }

  private func outputNames(_ v: Value) throws -> [String]? {
    switch v {
    case .undefined, .null: return nil
    case .string(let s): return [s]
    case .object(let list as JSArray):
      return try list.elements.map { e in
        guard case .string(let s) = e else {
          throw argumentError("execute: output names must be strings")
        }
        return s
      }
    default: throw argumentError("execute: outputs must be a node name or an array of names")
    }
  }

  private func tensorInfos(_ infos: [GraphTensorInfo]) -> Value {
    .object(
      realm.newArray(
        infos.map { info in
          object([
            ("name", .string(info.name)),
            (
              "shape",
              info.shape.map { s in
                .object(realm.newArray(s.map { $0 < 0 ? .number(-1) : .number(Double($0)) }))
              } ?? .undefined
            ),
            ("dtype", info.dtype.map { .string($0.rawValue) } ?? .undefined),
          ])
        }))
  }

  var graphModelMethods: [NativeEntry] {
    [
      .function("predict", arity: 2) { [self] call in
        let m = try thisGraph(call.this, "predict")
        let outs = try graphRun(m, call.interpreter, call.arguments[0], outputs: nil, "predict")
        // With structuredOutputKeys TF.js returns {key: tensor} instead (even for one output).
        if let named = m.structuredOutputs(outs) {
          return object(named.map { ($0.key, wrap($0.tensor)) })
        }
        return wrapOutputs(outs)
      },
      .function("execute", arity: 2) { [self] call in
        let m = try thisGraph(call.this, "execute")
        let names = try outputNames(call.arguments[1])
        let outs = try graphRun(m, call.interpreter, call.arguments[0], outputs: names, "execute")
        return wrapOutputs(outs)
      },
      .function("executeAsync", arity: 2) { [self] call in
        let m = try thisGraph(call.this, "executeAsync")
        let names = try outputNames(call.arguments[1])
        let interp = call.interpreter
        return .object(
          settled(interp) {
            wrapOutputs(try graphRun(m, interp, call.arguments[0], outputs: names, "executeAsync"))
          })
      },
      .function("dispose", arity: 0) { [self] call in
        try thisGraph(call.this, "dispose").dispose()
        return .undefined
      },
      .getter("inputs") { [self] _, this in tensorInfos(try thisGraph(this, "inputs").inputs) },
      .getter("outputs") { [self] _, this in tensorInfos(try thisGraph(this, "outputs").outputs) },
      .getter("inputNodes") { [self] _, this in
        .object(realm.newArray(try thisGraph(this, "inputNodes").inputNodes.map { .string($0) }))
      },
      .getter("outputNodes") { [self] _, this in
        .object(realm.newArray(try thisGraph(this, "outputNodes").outputNodes.map { .string($0) }))
      },
    ]
  }
}
