// Placeholder: layers and models build on TensorEngine (a later issue).
import TensorEngine
