// SPDX-License-Identifier: MIT
import XCTest

@testable import TensorEngine

/// Builds a float32 tensor from flat values, failing the test on error.
func t(_ values: [Float], _ shape: [Int]? = nil, _ dtype: DType = .float32) throws -> Tensor {
  try Tensor.tensor(values, shape: shape, dtype: dtype)
}

/// Asserts values are element-wise within `tol` (NaN matches NaN).
func assertClose(
  _ got: Tensor, _ want: [Float], shape: [Int]? = nil, tol: Float = 1e-5,
  file: StaticString = #filePath, line: UInt = #line
) throws {
  let values = try got.dataSync()
  if let shape { XCTAssertEqual(got.shape, shape, "shape", file: file, line: line) }
  XCTAssertEqual(values.count, want.count, "count", file: file, line: line)
  for (i, (g, w)) in zip(values, want).enumerated() {
    if g.isNaN && w.isNaN { continue }
    if g.isInfinite || w.isInfinite {
      XCTAssertEqual(g, w, "at \(i)", file: file, line: line)
      continue
    }
    XCTAssertLessThanOrEqual(
      Swift.abs(g - w), tol + tol * Swift.abs(w),
      "at \(i): got \(g), want \(w)", file: file, line: line)
  }
}

/// Asserts that `body` throws a TensorError with exactly `message`.
func assertThrows(
  _ message: String, file: StaticString = #filePath, line: UInt = #line,
  _ body: () throws -> Any
) {
  do {
    _ = try body()
    XCTFail("expected error: \(message)", file: file, line: line)
  } catch let error as TensorError {
    XCTAssertEqual(error.message, message, file: file, line: line)
  } catch {
    XCTFail("unexpected error \(error)", file: file, line: line)
  }
}
