// model.save('file://dir') as tfjs-node writes it, atomically, and loading
// the saved files back gives bit-identical predictions.

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

final class SaveTests: XCTestCase {
  func testSaveThenLoadIsBitIdentical() throws {
    for fixture in ["small_convnet", "functional_blocks_uint8_sharded"] {
      let dir = try temporaryFolder(self) + "/saved"
      let cases = try FixtureCases(fixture)
      let x = try XCTUnwrap(cases.arrays["x"])
      let model = try ModelIO.loadLayersModel(fixturePath(fixture + "/model/model.json"))
      let want = try model.predict(x).dataSync()
      let info = try ModelIO.save(model, to: "file://" + dir)

      let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
      XCTAssertEqual(files, ["model.json", "weights.bin"], "no temporary files left")
      let json = try bytes(dir + "/model.json")
      let root = try XCTUnwrap(try ConfigValue.parseJSON(Data(json)).object)
      XCTAssertEqual(
        root.keys, ["modelTopology", "weightsManifest", "format", "generatedBy", "convertedBy"])
      XCTAssertEqual(try root.string("format"), "layers-model")
      XCTAssertTrue(
        try root.string("generatedBy")?.hasPrefix("TensorFlow.js tfjs-layers v") == true)
      XCTAssertEqual(root["convertedBy"]?.isNull, true)
      let groups = try XCTUnwrap(root["weightsManifest"]?.array)
      XCTAssertEqual(groups.count, 1)
      XCTAssertEqual(groups[0].object?["paths"]?.array?.compactMap(\.string), ["weights.bin"])
      XCTAssertEqual(info.weightDataBytes, try bytes(dir + "/weights.bin").count)
      XCTAssertEqual(info.modelTopologyBytes, root["modelTopology"]?.jsText.utf8.count)
      XCTAssertEqual(info.weightSpecsBytes, groups[0].object?["weights"]?.jsText.utf8.count)
      XCTAssertEqual(info.modelTopologyType, "JSON")
      XCTAssertLessThan(abs(info.dateSaved.timeIntervalSinceNow), 60)

      let back = try ModelIO.loadLayersModel(dir + "/model.json")
      XCTAssertEqual(try back.predict(x).dataSync(), want, "\(fixture): bit-identical")
      // Saving again replaces both files in place.
      try ModelIO.save(back, to: dir)
      XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), files)
      XCTAssertEqual(try bytes(dir + "/model.json").count, json.count)
    }
  }

  /// Every layers fixture: save, load back, predict bit-identically (the converter's files,
  /// the 2018 layout, uint8 quantization, Keras 3 output; saved weights are float32).
  func testEveryLayersFixtureRoundTrips() throws {
    let withCases = [
      "small_convnet", "functional_blocks", "functional_blocks_uint8_sharded",
      "mobilenet_v1_0.25_224", "mobilenet_v1_0.25_224_oldformat", "train_dense_adam",
      "train_dense_sgd",
    ]
    let extras = [
      "extra/keras2_functional_layers_model", "extra/keras2_functional_uint8_quantized",
      "extra/keras3_functional_layers_model_UNLOADABLE_IN_TFJS",
    ]
    for fixture in withCases + extras {
      let path = fixture + (withCases.contains(fixture) ? "/model/model.json" : "/model.json")
      let model = try ModelIO.loadLayersModel(fixturePath(path))
      let xs: [Tensor]
      if withCases.contains(fixture) {
        xs = [try XCTUnwrap(try FixtureCases(fixture).arrays["x"], fixture)]
      } else {
        xs = try model.inputs.enumerated().map { i, input in
          try Tensor.randomUniform(
            input.shape.map { $0 ?? 2 }, minval: -1, maxval: 1, seed: Double(i + 1))
        }
      }
      let want = try model.predict(xs).map { try $0.dataSync() }
      let dir = try temporaryFolder(self) + "/saved"
      try ModelIO.save(model, to: dir)
      let back = try ModelIO.loadLayersModel(dir + "/model.json")
      XCTAssertEqual(back.layers.map(\.name), model.layers.map(\.name), fixture)
      let got = try back.predict(xs).map { try $0.dataSync() }
      XCTAssertEqual(got.count, want.count, fixture)
      for (g, w) in zip(got, want) {
        XCTAssertFalse(w.isEmpty, fixture)
        XCTAssertEqual(g, w, "\(fixture): bit-identical after save and load")
      }
      model.dispose()
      back.dispose()
    }
  }

  func testSaveErrors() throws {
    let model = try ModelIO.loadLayersModel(fixturePath("small_convnet/model/model.json"))
    let tmp = try temporaryFolder(self)
    assertThrows(["Cannot create directory", "\(tmp)/no/such"]) {
      try ModelIO.save(model, to: "file://\(tmp)/no/such")
    }
    XCTAssertTrue(FileManager.default.createFile(atPath: tmp + "/file", contents: Data([1])))
    assertThrows(["exists as a file"]) { try ModelIO.save(model, to: tmp + "/file") }
    assertThrows(["Saving to http://h/m is not supported"]) {
      try ModelIO.save(model, to: "http://h/m")
    }
  }

  func testAtomicFileWrite() throws {
    let tmp = try temporaryFolder(self)
    try AtomicFile.write(Data("one".utf8), to: tmp + "/f")
    try AtomicFile.write(Data("two!".utf8), to: tmp + "/f")
    XCTAssertEqual(String(decoding: try bytes(tmp + "/f"), as: UTF8.self), "two!")
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp), ["f"])
    assertThrows(["Cannot create", "\(tmp)/missing/"]) {
      try AtomicFile.write(Data(), to: tmp + "/missing/f")
    }
  }
}
