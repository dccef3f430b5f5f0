// Training: `tf.variable`, the gradient functions (`tf.grad`, `tf.grads`,
// `tf.valueAndGrad(s)`, `tf.variableGrads`) and the `tf.train.*` optimizers
// with `minimize(f, returnCost?, varList?)`. Script closures become engine
// closures: f's tensors are recorded on the engine tape like any op's.

import ScriptCore
import TensorEngine

/// A `tf.train.Optimizer` in a script.
final class OptimizerObject: JSObject {
  let optimizer: Optimizer

  init(prototype: JSObject?, optimizer: Optimizer) {
    self.optimizer = optimizer
    super.init(prototype: prototype)
  }

  override var className: String { optimizer.className + "Optimizer" }

  /// `SGDOptimizer { learningRate: 0.1 }`: the class and its config.
  override func inspect(_ interpreter: Interpreter, depth: Int, colors: Bool) -> String? {
    let shown = interpreter.realm.newObject()
    for entry in optimizer.configEntries {
      switch entry.value {
      case .number(let d): shown.put(entry.key, .number(d))
      case .bool(let b): shown.put(entry.key, .bool(b))
      }
    }
    return className + " " + interpreter.inspect(.object(shown), colors: colors)
  }
}

extension TFContext {
  // MARK: - Script closures as engine functions

  /// Calls a script function with tensors and reads back a tensor (nil if it returned
  /// something else, which the engine reports in TF.js's words).
  func tensorFunction(_ f: Value, _ interp: Interpreter) -> ([Tensor]) throws -> Tensor? {
    { [self] args in
      let r = try interp.call(f, this: .undefined, args.map(wrap))
      if case .object(let o) = r, let t = o as? TensorObject { return t.tensor }
      return nil
    }
  }

  /// Argument `i` as a function, with TF.js's message for `grad(f)` and friends.
  private func gradFunction(_ a: Arguments, _ i: Int, _ api: String) throws -> Value {
    guard case .object(let o) = a[i], o is JSFunction else {
      throw argumentError("The f passed in \(api) must be a function")
    }
    return a[i]
  }

  /// The list of tensors a `grads(f)` function receives.
  private func argumentTensors(_ a: Arguments, _ api: String) throws -> [Tensor] {
    guard case .object(let o) = a[0], let list = o as? JSArray else {
      throw argumentError(
        "The args passed in \(api) must be an array of `Tensor`s or `TensorLike`s")
    }
    return try list.elements.enumerated().map { i, v in
      try convertToTensor(v, "args[\(i)]", a.function)
    }
  }

  /// A variable list argument (`varList`), or nil.
  func variableList(_ a: Arguments, _ i: Int) throws -> [Variable]? {
    if a[i].isNullish { return nil }
    guard case .object(let o) = a[i], let list = o as? JSArray else {
      throw a.typeError(i, name: "varList", expected: "an array of Variables")
    }
    return try list.elements.map { v in
      guard case .object(let e) = v, let t = e as? TensorObject, let variable = t.tensor as? Variable
      else {
        throw argumentError("varList must contain only tf.Variable objects")
      }
      return variable
    }
  }

  // MARK: - tf.variable and the gradient functions

  var trainEntries: [NativeEntry] {
    [
      OpDef("variable", 4, chain: .none) { [self] _, a in
        wrap(try Variable.make(
          try a.tensor(0, "initialValue"), trainable: a.flag(1, default: true),
          name: try a.optionalString(2, name: "name"), dtype: try a.dtype(3)))
      },
      OpDef("grad", 1, chain: .none) { [self] interp, a in
        let f = try gradFunction(a, 0, "grad(f)")
        let g = Autograd.grad { x in try self.tensorFunction(f, interp)([x]) }
        return .object(realm.newFunction("grad", arity: 2) { call in
          let x = try call.arguments.tensor(0, "x")
          let dy = try call.arguments.optionalTensor(1, "dy")
          return try engineCall { self.wrap(try g(x, dy)) }
        })
      },
      OpDef("grads", 1, chain: .none) { [self] interp, a in
        let f = try gradFunction(a, 0, "grads(f)")
        let g = Autograd.grads { xs in try self.tensorFunction(f, interp)(xs) }
        return .object(realm.newFunction("grads", arity: 2) { call in
          let xs = try self.argumentTensors(call.arguments, "grads(f)(args)")
          let dy = try call.arguments.optionalTensor(1, "dy")
          return try engineCall { self.wrapList(try g(xs, dy)) }
        })
      },
      OpDef("valueAndGrad", 1, chain: .none) { [self] interp, a in
        let f = try gradFunction(a, 0, "valueAndGrad(f)")
        let g = Autograd.valueAndGrad { x in try self.tensorFunction(f, interp)([x]) }
        return .object(realm.newFunction("valueAndGrad", arity: 2) { call in
          let x = try call.arguments.tensor(0, "x")
          let dy = try call.arguments.optionalTensor(1, "dy")
          let r = try engineCall { try g(x, dy) }
          return self.object([("grad", self.wrap(r.grad)), ("value", self.wrap(r.value))])
        })
      },
      OpDef("valueAndGrads", 1, chain: .none) { [self] interp, a in
        let f = try gradFunction(a, 0, "valueAndGrads(f)")
        let g = Autograd.valueAndGrads { xs in try self.tensorFunction(f, interp)(xs) }
        return .object(realm.newFunction("valueAndGrads", arity: 2) { call in
          let xs = try self.argumentTensors(call.arguments, "valueAndGrads(f)(args)")
          let dy = try call.arguments.optionalTensor(1, "dy")
          let r = try engineCall { try g(xs, dy) }
          return self.object([("grads", self.wrapList(r.grads)), ("value", self.wrap(r.value))])
        })
      },
      OpDef("variableGrads", 2, chain: .none) { [self] interp, a in
        let f = try gradFunction(a, 0, "variableGrads(f)")
        let varList = try variableList(a, 1)
        let r = try Autograd.variableGrads({ try self.tensorFunction(f, interp)([]) },
                                           varList: varList)
        return object([("value", wrap(r.value)), ("grads", gradsObject(r))])
      },
      OpDef("customGrad", 1, chain: .none) { [self] interp, a in
        let f = try gradFunction(a, 0, "customGrad(f)")
        let g = Autograd.customGrad { inputs, save in try self.callCustom(f, inputs, save, interp) }
        return .object(realm.newFunction("customGrad", arity: 0) { call in
          let inputs = try call.arguments.values.enumerated().map { i, v in
            try convertToTensor(v, "args[\(i)]", "customGrad")
          }
          return try engineCall { self.wrap(try g(inputs)) }
        })
      },
    ].map(\.namespaceEntry)
  }

  /// `{name: gradient}` in TF.js's key order (null for a variable without a gradient).
  private func gradsObject(_ r: VariableGradients) -> Value {
    object(r.names.map { ($0, r.grads[$0].map(wrap) ?? .null) })
  }

  /// Runs the script side of `tf.customGrad(f)`: `f(...inputs, save)` must return
  /// `{value, gradFunc}`; `gradFunc(dy, saved)` returns a tensor or an array of them.
  private func callCustom(
    _ f: Value, _ inputs: [Tensor], _ save: ([Tensor]) -> Void, _ interp: Interpreter
  ) throws -> (value: Tensor, gradFunc: Autograd.CustomGradientFunction) {
    // `save` may not escape: the script's calls are collected, then handed over once f returns.
    final class SavedBox { var tensors: [Tensor]? }
    let box = SavedBox()
    let saveFunction = realm.newFunction("save", arity: 1) { call in
      guard case .object(let o as JSArray) = call.arguments[0] else {
        throw argumentError("save() in customGrad(f) must be called with an array of tensors")
      }
      box.tensors = try o.elements.enumerated().map { i, v in
        try convertToTensor(v, "saved[\(i)]", "customGrad")
      }
      return .undefined
    }
    let result = try interp.call(f, this: .undefined, inputs.map(wrap) + [.object(saveFunction)])
    if let saved = box.tensors { save(saved) }
    let message = "The function f passed in customGrad(f) must return an object where "
    guard case .object(let value as TensorObject) = try interp.get(result, "value") else {
      throw argumentError(message + "`obj.value` is a tensor")
    }
    let gradValue = try interp.get(result, "gradFunc")
    guard case .object(let gf) = gradValue, gf is JSFunction else {
      throw argumentError(message + "`obj.gradFunc` is a function.")
    }
    let gradFunc: Autograd.CustomGradientFunction = { [self] dy, saved in
      let r = try interp.call(gradValue, this: .undefined, [wrap(dy), wrapList(saved)])
      let items: [Value]
      if case .object(let list as JSArray) = r { items = list.elements } else { items = [r] }
      return try items.map { item in
        guard case .object(let t as TensorObject) = item else {
          throw argumentError(message + "`obj.gradFunc` is a function that returns tensors.")
        }
        return t.tensor
      }
    }
    return (value.tensor, gradFunc)
  }

  // MARK: - tf.train

  var optimizerEntries: [NativeEntry] {
    func lr(_ a: Arguments, _ i: Int = 0) throws -> Double {
      try a.number(i, name: "learningRate")
    }
    return [
      OpDef("sgd", 1, chain: .none) { [self] _, a in
        optimizerValue(SGDOptimizer(learningRate: try lr(a)))
      },
      OpDef("momentum", 3, chain: .none) { [self] _, a in
        optimizerValue(MomentumOptimizer(
          learningRate: try lr(a), momentum: try a.number(1, name: "momentum"),
          useNesterov: a.flag(2)))
      },
      OpDef("adam", 4, chain: .none) { [self] _, a in
        optimizerValue(try AdamOptimizer(
          learningRate: try a.double(0, "learningRate", default: 0.001),
          beta1: try a.double(1, "beta1", default: 0.9),
          beta2: try a.double(2, "beta2", default: 0.999),
          epsilon: try a.optionalNumber(3, name: "epsilon")))
      },
      OpDef("adamax", 5, chain: .none) { [self] _, a in
        optimizerValue(try AdamaxOptimizer(
          learningRate: try a.double(0, "learningRate", default: 0.002),
          beta1: try a.double(1, "beta1", default: 0.9),
          beta2: try a.double(2, "beta2", default: 0.999),
          epsilon: try a.optionalNumber(3, name: "epsilon"),
          decay: try a.double(4, "decay", default: 0)))
      },
      OpDef("rmsprop", 5, chain: .none) { [self] _, a in
        optimizerValue(RMSPropOptimizer(
          learningRate: try lr(a), decay: try a.double(1, "decay", default: 0.9),
          momentum: try a.double(2, "momentum", default: 0),
          epsilon: try a.optionalNumber(3, name: "epsilon"), centered: a.flag(4)))
      },
      OpDef("adagrad", 2, chain: .none) { [self] _, a in
        optimizerValue(AdagradOptimizer(
          learningRate: try lr(a),
          initialAccumulatorValue: try a.double(1, "initialAccumulatorValue", default: 0.1)))
      },
      OpDef("adadelta", 3, chain: .none) { [self] _, a in
        optimizerValue(AdadeltaOptimizer(
          learningRate: try a.double(0, "learningRate", default: 0.001),
          rho: try a.double(1, "rho", default: 0.95),
          epsilon: try a.optionalNumber(2, name: "epsilon")))
      },
    ].map(\.namespaceEntry)
  }

  private func optimizerValue(_ o: Optimizer) -> Value {
    .object(OptimizerObject(prototype: optimizerPrototype, optimizer: o))
  }

  /// The methods of every optimizer.
  var optimizerMethods: [NativeEntry] {
    func this(_ call: NativeCall) throws -> Optimizer {
      guard case .object(let o) = call.this, let opt = o as? OptimizerObject else {
        throw ScriptThrow.typeError("this is not an Optimizer")
      }
      return opt.optimizer
    }
    return [
      .function("minimize", arity: 3) { [self] call in
        let opt = try this(call)
        let a = call.arguments
        let f = try gradFunction(a, 0, "minimize(f)")
        let varList = try variableList(a, 2)
        let cost = try engineCall {
          try opt.minimize({ try self.tensorFunction(f, call.interpreter)([]) },
                           returnCost: a.flag(1), varList: varList)
        }
        return cost.map(wrap) ?? .null
      },
      .function("computeGradients", arity: 2) { [self] call in
        let opt = try this(call)
        let f = try gradFunction(call.arguments, 0, "computeGradients(f)")
        let varList = try variableList(call.arguments, 1)
        let r = try engineCall {
          try opt.computeGradients({ try self.tensorFunction(f, call.interpreter)([]) },
                                   varList: varList)
        }
        return object([("value", wrap(r.value)), ("grads", gradsObject(r))])
      },
      .function("applyGradients", arity: 1) { call in
        let opt = try this(call)
        let interp = call.interpreter
        var named: [NamedGradient] = []
        switch call.arguments[0] {
        case .object(let list as JSArray):
          for item in list.elements {
            let name = try interp.toString(try interp.get(item, "name"))
            let t = try convertToTensor(try interp.get(item, "tensor"), "tensor", "applyGradients")
            named.append((name: name, tensor: t))
          }
          try engineCall { try opt.applyGradients(named) }
        case .object(let map):
          var grads: [String: Tensor] = [:]
          for key in map.ownKeys() where map.ownProperty(key)?.enumerable == true {
            grads[key] = try convertToTensor(try interp.get(.object(map), key), key, "applyGradients")
          }
          try engineCall { try opt.applyGradients(grads) }
        default:
          throw call.arguments.typeError(0, name: "variableGradients", expected: "an object")
        }
        return .undefined
      },
      .function("dispose", arity: 0) { call in
        try this(call).dispose()
        return .undefined
      },
      .function("getConfig", arity: 0) { [self] call in
        object(try this(call).configEntries.map { entry -> (String, Value) in
          switch entry.value {
          case .number(let d): return (entry.key, .number(d))
          case .bool(let b): return (entry.key, .bool(b))
          }
        })
      },
      .function("getClassName", arity: 0) { call in .string(try this(call).className) },
      .function("setLearningRate", arity: 1) { call in
        guard let sgd = try this(call) as? SGDOptimizer else {
          throw ScriptThrow.typeError("setLearningRate is only available on SGD optimizers")
        }
        sgd.setLearningRate(try call.arguments.number(0, name: "learningRate"))
        return .undefined
      },
      .getter("iterations") { _, this in
        guard case .object(let o) = this, let opt = o as? OptimizerObject else { return .undefined }
        return .number(Double(opt.optimizer.iterations))
      },
    ]
  }
}
