// Placeholder: the tensor engine is being written (see the engine branch).
import CBLAS
