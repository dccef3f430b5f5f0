// The layers-inference oracle fixtures: load each model.json with its weights,
// run predict, and compare with TensorFlow's outputs and per-layer probes
// (models cut at the probed layer share the loaded layers).

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

final class InferenceFixtureTests: XCTestCase {
  /// Checks outputs, probes and parameter counts of one fixture.
  func checkFixture(_ name: String, modelName: String? = nil) throws {
    let cases = try FixtureCases(name)
    let model = try loadFixtureModel(modelName ?? name)
    let x = try XCTUnwrap(cases.arrays["x"])
    let y = try model.predict([x])[0]
    try assertClose(
      y, try XCTUnwrap(cases.arrays["y"]), atol: cases.atol, rtol: cases.rtol,
      "\(name) output")
    if let probes = cases.json["probes"]?.object {
      for (key, layerValue) in probes.pairs {
        let layer = try model.getLayer(name: try XCTUnwrap(layerValue.string))
        let cut = try LayersModel(inputs: model.inputs, outputs: try layer.output)
        let got = try cut.predict([x])[0]
        try assertClose(
          got, try XCTUnwrap(cases.arrays[key]), atol: cases.atol, rtol: cases.rtol,
          "\(name) \(key)")
        // The cut model shares the layer objects (and so the weights).
        XCTAssertTrue(cut.layers.allSatisfy { l in model.layers.contains { $0 === l } })
      }
    }
    if let params = try cases.json.int("params") {
      XCTAssertEqual(try model.countParams(), params, "\(name) params")
    }
    if let trainable = try cases.json.int("trainableParams") {
      let count = model.trainableWeights.reduce(0) { $0 + $1.shape.reduce(1, *) }
      XCTAssertEqual(count, trainable, "\(name) trainable params")
    }
  }

  func testMobileNetV1QuarterMatchesTensorFlow() throws {
    try checkFixture("mobilenet_v1_0.25_224")
  }

  func testMobileNetV1OldFormatMatchesTensorFlow() throws {
    try checkFixture("mobilenet_v1_0.25_224_oldformat")
  }

  func testSmallConvnetMatchesTensorFlow() throws {
    try checkFixture("small_convnet")
  }

  func testFunctionalBlocksMatchTensorFlow() throws {
    try checkFixture("functional_blocks")
  }

  func testUint8ShardedFunctionalBlocksMatchTensorFlow() throws {
    try checkFixture("functional_blocks_uint8_sharded")
  }

  func testKeras2FunctionalWithNestedSequentialMatchesReference() throws {
    try checkReferenceIO("extra/keras2_functional_layers_model")
  }

  /// The converter's Keras 3 output (rewritten to the Keras 2 form on load) against
  /// Keras 3's own prediction (extra/keras3_reference_io.py).
  func testKeras3ConverterOutputMatchesKeras3() throws {
    try checkReferenceIO("extra/keras3_functional_layers_model_UNLOADABLE_IN_TFJS")
  }

  /// A model folder with reference_io.json: {input_shape, input, output_shape, output}.
  func checkReferenceIO(_ fixture: String, file: StaticString = #filePath, line: UInt = #line)
    throws
  {
    let dir = fixtureURL(fixture)
    let model = try ModelLoader.loadLayersModel(path: dir.appendingPathComponent("model.json").path)
    let ref = try XCTUnwrap(
      ConfigValue.parseJSON(
        try Data(contentsOf: dir.appendingPathComponent("reference_io.json"))
      ).object)
    func floats(_ k: String) -> [Float] {
      ref[k]?.array?.compactMap { $0.number.map(Float.init) } ?? []
    }
    func ints(_ k: String) -> [Int] { ref[k]?.array?.compactMap { $0.number.map(Int.init) } ?? [] }
    let x = try Tensor.tensor(floats("input"), shape: ints("input_shape"))
    let want = try Tensor.tensor(floats("output"), shape: ints("output_shape"))
    XCTAssertFalse(floats("output").isEmpty, fixture, file: file, line: line)
    try assertClose(
      try model.predict([x])[0], want, atol: 1e-4, rtol: 1e-3, fixture, file: file, line: line)
  }
}
