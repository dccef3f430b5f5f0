// SPDX-License-Identifier: MIT
import XCTest

@testable import TensorEngine

final class EngineTests: XCTestCase {
  func testTidyDisposesIntermediatesKeepsResult() throws {
    let engine = Engine.shared
    let before = engine.memory
    let a = try t([1, 2, 3])
    let result = try engine.tidy { () throws -> Tensor in
      let b = try a.mul(Tensor.scalar(2))
      return try b.add(a)
    }
    XCTAssertEqual(engine.numTensors, before.numTensors + 2)  // a and result
    XCTAssertEqual(try result.dataSync(), [3, 6, 9])
    a.dispose()
    result.dispose()
    XCTAssertEqual(engine.memory, before)
  }

  func testDisposedTensorErrorsOnUse() throws {
    let a = try t([1, 2])
    a.dispose()
    assertThrows("Tensor is disposed.") { try a.dataSync() }
    assertThrows("Tensor is disposed.") { try a.add(a) }
    a.dispose()  // twice is harmless
  }

  func testReshapeSharesBufferInCounts() throws {
    let engine = Engine.shared
    let before = engine.memory
    let a = try t([1, 2, 3, 4])
    let b = try a.reshape([2, 2])
    XCTAssertEqual(engine.numTensors, before.numTensors + 2)
    XCTAssertEqual(engine.numDataBuffers, before.numDataBuffers + 1)
    XCTAssertEqual(engine.numBytes, before.numBytes + 32)
    a.dispose()
    XCTAssertEqual(engine.numDataBuffers, before.numDataBuffers + 1)
    b.dispose()
    XCTAssertEqual(engine.memory, before)
  }

  func testKeepSurvivesTidy() throws {
    let engine = Engine.shared
    var kept: Tensor?
    try engine.tidy {
      let x = try t([1])
      kept = engine.keep(try x.add(x))
      _ = try x.mul(x)
    }
    XCTAssertEqual(try kept?.dataSync(), [2])
    kept?.dispose()
  }

  func testNestedTidyMovesResultToParentScope() throws {
    let engine = Engine.shared
    let before = engine.numTensors
    try engine.tidy {
      let inner = try engine.tidy { try t([1, 2]).add(Tensor.scalar(1)) }
      XCTAssertFalse(inner.isDisposed)
      XCTAssertEqual(engine.numTensors, before + 1)
    }
    XCTAssertEqual(engine.numTensors, before)
  }

  func testTidyDisposesOnThrow() {
    let engine = Engine.shared
    let before = engine.numTensors
    struct Boom: Error {}
    XCTAssertThrowsError(
      try engine.tidy { () throws -> Int in
        _ = try t([1, 2, 3])
        throw Boom()
      })
    XCTAssertEqual(engine.numTensors, before)
  }

  func testVariableAssignAndRegistry() throws {
    let engine = Engine.shared
    let v = try Variable.make(try t([1, 2]), name: "engine_test_v")
    XCTAssertTrue(engine.registeredVariables["engine_test_v"] === v)
    try v.assign(try t([3, 4]))
    XCTAssertEqual(try v.dataSync(), [3, 4])
    assertThrows("shape of the new value (3) and previous value (2) must match") {
      try v.assign(try t([1, 2, 3]))
    }
    assertThrows("Variable with name engine_test_v was already registered") {
      try Variable.make(try t([1]), name: "engine_test_v")
    }
    v.dispose()
    XCTAssertNil(engine.registeredVariables["engine_test_v"])
  }

  func testVariablesSurviveTidy() throws {
    let v = try Engine.shared.tidy { try Variable.make(try t([1]), name: "engine_test_tidy") }
    let _: Tensor = try Engine.shared.tidy { try v.add(v) }
    XCTAssertFalse(v.isDisposed)
    v.dispose()
  }

  func testTapeRecordsOnlyWhenActiveAndOnlyOuterOps() throws {
    let engine = Engine.shared
    let a = try t([1, 2])
    _ = try a.add(a)
    XCTAssertTrue(engine.tape.isEmpty)
    engine.tapeDepth += 1
    let before = engine.numTensors
    defer { engine.tapeDepth -= 1 }
    let y = try a.mul(a)
    let w = try Tensor.where(try a.greater(Tensor.scalar(1)), y, a)  // uses broadcastTo inside
    XCTAssertEqual(engine.tape.map(\.name), ["Multiply", "Greater", "Select"])
    XCTAssertTrue(engine.tape[0].inputs[0] === a)
    XCTAssertTrue(engine.tape[2].output === w)
    engine.clearTape()
    XCTAssertEqual(engine.numTensors, before + 4)  // y, the scalar, the comparison, w
  }

  func testSavedTensorsOutliveTidy() throws {
    let engine = Engine.shared
    engine.tapeDepth += 1
    defer { engine.tapeDepth -= 1 }
    let x = try t([1, 2])
    let y = try engine.tidy { try x.mul(x).exp() }
    let mulNode = engine.tape[0]
    XCTAssertTrue(mulNode.outputs[0].isDisposed)
    XCTAssertEqual(try mulNode.savedOutputs[0].dataSync(), [1, 4])
    XCTAssertEqual(try mulNode.savedOutputs[0].add(x).dataSync(), [2, 6])
    engine.clearTape()
    XCTAssertTrue(mulNode.savedOutputs[0].isDisposed)
    x.dispose()
    y.dispose()
  }
}
