// Placeholder: the `tf` object binds TensorEngine and TensorLayers into ScriptCore.
import ScriptCore
import TensorEngine
