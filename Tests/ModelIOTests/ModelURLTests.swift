// Parsing model locations and deriving weight URLs as TF.js's loaders do.

import Foundation
import XCTest

@testable import TensorLayers

final class ModelURLTests: XCTestCase {
  func testTFHubAndWeightURLs() throws {
    let hub = try ModelURL.parse("https://tfhub.dev/google/tfjs-model/x/1", fromTFHub: true)
    XCTAssertEqual(
      hub, .http("https://tfhub.dev/google/tfjs-model/x/1/model.json?tfjs-format=file"))
    XCTAssertEqual(
      try ModelURL.parse("https://www.kaggle.com/m/x/3/", fromTFHub: true).text,
      "https://www.kaggle.com/m/x/3/model.json?tfjs-format=file")
    XCTAssertEqual(
      hub.weightLocation("group1-shard1of2.bin"),
      .http("https://tfhub.dev/google/tfjs-model/x/1/group1-shard1of2.bin?tfjs-format=file"))
    XCTAssertEqual(
      ModelURL.http("http://h/a/model.json").weightLocation("w.bin"), .http("http://h/a/w.bin"))
    XCTAssertEqual(
      hub.weightLocation("w.bin", prefix: "https://cdn/w/"),
      .http("https://cdn/w/w.bin?tfjs-format=file"))
    XCTAssertEqual(
      ModelURL.file("/a/b/model.json").weightLocation("w.bin", prefix: "../shards/"),
      .file("/a/shards/w.bin"))
    XCTAssertEqual(
      ModelURL.file("/a/b/model.json").weightLocation("w.bin", prefix: "file:///c/"),
      .file("/c/w.bin"))
  }

  func testPaths() throws {
    XCTAssertEqual(try ModelURL.parse("file:///a/b/model.json"), .file("/a/b/model.json"))
    XCTAssertEqual(
      try ModelURL.parse("m/model.json", base: "/base/dir"), .file("/base/dir/m/model.json"))
    XCTAssertEqual(try ModelURL.parse("file://../m.json", base: "/base/dir"), .file("/base/m.json"))
    let home = FileManager.default.homeDirectoryForCurrentUser.path
    XCTAssertEqual(try ModelURL.parse("~/m/model.json"), .file(home + "/m/model.json"))
    XCTAssertEqual(ModelURL.file("/a/b/model.json").weightLocation("g1"), .file("/a/b/g1"))
    assertThrows(["indexeddb://"]) { try ModelURL.parse("indexeddb://my-model") }
    assertThrows(["fromTFHub needs an http"]) { try ModelURL.parse("/m.json", fromTFHub: true) }
    assertThrows(["empty"]) { try ModelURL.parse("file://") }
  }
}
