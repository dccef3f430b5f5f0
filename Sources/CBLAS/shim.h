#include <cblas.h>

/* IEEE square root (correctly rounded) without the errno path of sqrtf: loops that
   use it vectorise (vsqrtps), while Swift's Float.squareRoot() on Linux calls sqrtf
   behind a check that keeps every loop scalar. */
static inline float tl_sqrtf(float x) { return __builtin_elementwise_sqrt(x); }
