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
      let cases = try GraphCases(fixture)
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
