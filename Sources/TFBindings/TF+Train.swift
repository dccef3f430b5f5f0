// Training: `tf.variable` and `variable.assign` here; gradients
// (`tf.grad`, `tf.valueAndGrad`, `tf.variableGrads`) and `tf.train.*`
// optimizers bind the autograd engine.

import ScriptCore
import TensorEngine

extension TFContext {
  var trainEntries: [NativeEntry] {
    [
      OpDef("variable", 4, chain: .none) { [self] _, a in
        wrap(try Variable.make(
          try a.tensor(0, "initialValue"), trainable: a.flag(1, default: true),
          name: try a.optionalString(2, name: "name"), dtype: try a.dtype(3)))
      }.namespaceEntry,
    ]
  }

  var optimizerEntries: [NativeEntry] { [] }
}
