// Loading models over HTTP from a loopback server started by the test:
// fromTFHub URLs, shard URLs with the query, the download cache (a second
// load works with the server gone), and HTTP failures named clearly.

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

final class HTTPLoadingTests: XCTestCase {
  private func routes(_ fixture: String, prefix: String, query: String = "")
    throws -> [String: LoopbackServer.Response]
  {
    let dir = fixturePath(fixture + "/model")
    var r: [String: LoopbackServer.Response] = [:]
    for f in try FileManager.default.contentsOfDirectory(atPath: dir) {
      r[prefix + "/" + f + query] = .init(
        status: 200, body: try bytes(dir + "/" + f),
        contentType: f.hasSuffix(".json") ? "application/json" : "application/octet-stream")
    }
    return r
  }

  func testGraphModelFromTFHubThenOfflineFromCache() throws {
    let fixture = "mobilenet_v2_0.35_feature_graph"
    let server = try LoopbackServer(
      routes: try routes(fixture, prefix: "/tfhub/feature/1", query: "?tfjs-format=file"))
    let cache = DownloadCache(directory: try temporaryFolder(self) + "/cache")
    let options = ModelLoadOptions(fromTFHub: true, cache: cache)
    let url = server.baseURL + "/tfhub/feature/1"
    let x = try Tensor.randomUniform([1, 224, 224, 3], seed: 7)
    let local = try ModelIO.loadGraphModel(fixturePath(fixture + "/model/model.json"))
    let want = try local.predict([x])[0].dataSync()
    local.dispose()

    let model = try ModelIO.loadGraphModel(url, options: options)
    XCTAssertEqual(try model.predict([x])[0].dataSync(), want)
    model.dispose()
    XCTAssertEqual(
      server.requests,
      [
        "/tfhub/feature/1/model.json?tfjs-format=file",
        "/tfhub/feature/1/group1-shard1of1.bin?tfjs-format=file",
      ])

    server.stop()
    let again = try ModelIO.loadGraphModel(url, options: options)
    XCTAssertEqual(try again.predict([x])[0].dataSync(), want, "served from the cache")
    again.dispose()
    XCTAssertEqual(server.requests.count, 2)
    // Without the cache the server's absence is an error naming the URL.
    assertThrows(["Request to \(url)/model.json?tfjs-format=file failed"]) {
      try ModelIO.loadGraphModel(url, options: ModelLoadOptions(fromTFHub: true, cache: nil))
    }
  }

  func testShardedLayersModelOverHTTP() throws {
    let fixture = "functional_blocks_uint8_sharded"
    let server = try LoopbackServer(routes: try routes(fixture, prefix: "/m"))
    defer { server.stop() }
    let cases = try FixtureCases(fixture)
    var progress: [Double] = []
    let model = try ModelIO.loadLayersModel(
      server.baseURL + "/m/model.json",
      options: ModelLoadOptions(cache: nil, onProgress: { progress.append($0) }))
    XCTAssertEqual(progress, [1.0 / 3, 2.0 / 3, 1])
    let y = try model.predict(try XCTUnwrap(cases.arrays["x"]))
    try assertClose(
      y, try XCTUnwrap(cases.arrays["y"]), atol: cases.atol, rtol: cases.rtol, fixture)
    XCTAssertEqual(
      server.requests.sorted(),
      ["/m/group1-shard1of2.bin", "/m/group1-shard2of2.bin", "/m/model.json"])
  }

  func testWeightPathPrefix() throws {
    let fixture = "functional_blocks_uint8_sharded"
    var r = try routes(fixture, prefix: "/shards")
    r["/json/model.json"] = r["/shards/model.json"]
    let server = try LoopbackServer(routes: r)
    defer { server.stop() }
    var options = ModelLoadOptions(cache: nil)
    options.weightPathPrefix = server.baseURL + "/shards/"
    _ = try ModelIO.loadLayersModel(server.baseURL + "/json/model.json", options: options)
    XCTAssertEqual(
      server.requests.sorted(),
      ["/json/model.json", "/shards/group1-shard1of2.bin", "/shards/group1-shard2of2.bin"])
  }

  func testHTTPFailuresAreNamed() throws {
    let fixture = "mobilenet_v2_0.35_feature_graph"
    var r = try routes(fixture, prefix: "/ok")
    r["/page/model.json"] = .init(
      status: 200, body: Array("  <!DOCTYPE html><html>hi</html>".utf8), contentType: "text/html")
    r["/bad/model.json"] = .init(status: 200, body: Array("{\"format\": ".utf8))
    r["/broken/model.json"] = r["/ok/model.json"]
    r["/broken/group1-shard1of1.bin"] = .init(status: 500, body: [])
    let server = try LoopbackServer(routes: r)
    defer { server.stop() }
    let cacheDir = try temporaryFolder(self) + "/cache"
    let options = ModelLoadOptions(cache: DownloadCache(directory: cacheDir))
    let base = server.baseURL
    assertThrows([
      "Request to \(base)/missing/model.json failed with status code 404. Please verify this URL "
        + "points to the model JSON of the model to load."
    ]) {
      try ModelIO.loadGraphModel(base + "/missing/model.json", options: options)
    }
    assertThrows(["\(base)/page/model.json is an HTML page"]) {
      try ModelIO.loadGraphModel(base + "/page/model.json", options: options)
    }
    assertThrows(["Failed to parse model JSON of \(base)/bad/model.json"]) {
      try ModelIO.loadGraphModel(base + "/bad/model.json", options: options)
    }
    assertThrows([
      "Request to \(base)/broken/group1-shard1of1.bin failed with status code 500",
      "weight group 1",
    ]) {
      try ModelIO.loadGraphModel(base + "/broken/model.json", options: options)
    }
    // A shard of the wrong size is an error, and is not kept in the cache.
    r["/short/model.json"] = r["/ok/model.json"]
    server.set("/short/model.json", r["/ok/model.json"])
    server.set("/short/group1-shard1of1.bin", .init(status: 200, body: [1, 2, 3]))
    assertThrows(["group1-shard1of1.bin", "hold 3 bytes"]) {
      try ModelIO.loadGraphModel(base + "/short/model.json", options: options)
    }
    server.set("/short/group1-shard1of1.bin", r["/ok/group1-shard1of1.bin"])
    try ModelIO.loadGraphModel(base + "/short/model.json", options: options).dispose()
    // Failed responses are not cached: once the server is fixed, the page loads.
    server.set("/page/model.json", r["/ok/model.json"])
    server.set("/page/group1-shard1of1.bin", r["/ok/group1-shard1of1.bin"])
    let m = try ModelIO.loadGraphModel(base + "/page/model.json", options: options)
    XCTAssertEqual(m.outputNodes, ["feature_vector"])
    m.dispose()
  }

  func testCacheLocationAndKeys() throws {
    let c = DownloadCache(directory: "/tmp/x")
    let a = c.path(for: "https://host/a/model.json?tfjs-format=file")
    let b = c.path(for: "https://host/b/model.json?tfjs-format=file")
    XCTAssertNotEqual(a, b)
    XCTAssertTrue(a.hasPrefix("/tmp/x/") && a.hasSuffix("-model.json"))
    XCTAssertTrue(DownloadCache.standard.directory.hasSuffix("/tl"))
  }
}
