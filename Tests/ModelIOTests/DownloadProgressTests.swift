// The download progress line (text, throttling, the size floor, erasing) and
// HTTPClient's byte counts as a body arrives from the loopback server.

import Foundation
import XCTest

@testable import TensorLayers

final class DownloadProgressTests: XCTestCase {
  func testTextWithAndWithoutTotal() {
    XCTAssertEqual(
      DownloadProgressLine.text(name: "group1-shard1of3.bin", received: 3_100_000, expected: 8_000_000),
      "Downloading group1-shard1of3.bin  3.1 MB of 8.0 MB (38%)")
    XCTAssertEqual(
      DownloadProgressLine.text(name: "model.json", received: 2_500_000, expected: nil),
      "Downloading model.json  2.5 MB")
  }

  func testRedrawsInPlaceThrottledAndErases() {
    var out: [String] = []
    var line = DownloadProgressLine(name: "w.bin", minimumBytes: 1000, interval: 0.1) {
      out.append($0)
    }
    line.update(received: 500, expected: 4000, now: 0)  // drawn: the total is large enough
    line.update(received: 1000, expected: 4000, now: 0.05)  // under the interval: skipped
    line.update(received: 2000, expected: 4000, now: 0.2)
    line.update(received: 4000, expected: 4000, now: 0.21)  // complete: always drawn
    line.finish()
    XCTAssertEqual(
      out,
      [
        "\r\u{1B}[KDownloading w.bin  0.0 MB of 0.0 MB (12%)",
        "\r\u{1B}[KDownloading w.bin  0.0 MB of 0.0 MB (50%)",
        "\r\u{1B}[KDownloading w.bin  0.0 MB of 0.0 MB (100%)",
        "\r\u{1B}[K",
      ])
  }

  func testSmallDownloadsDrawNothing() {
    var out: [String] = []
    var line = DownloadProgressLine(name: "model.json", minimumBytes: 1 << 20) { out.append($0) }
    line.update(received: 10_000, expected: 20_000, now: 0)
    line.update(received: 20_000, expected: 20_000, now: 1)
    line.finish()
    XCTAssertEqual(out, [])
  }

  func testHTTPClientReportsBytesAsTheyArrive() throws {
    let body = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    let server = try LoopbackServer(routes: ["/big.bin": .init(status: 200, body: body)])
    defer { server.stop() }
    let lock = NSLock()
    var seen: [(Int64, Int64?)] = []
    let data = try HTTPClient.get(server.baseURL + "/big.bin") { received, expected in
      lock.withLock { seen.append((received, expected)) }
    }
    XCTAssertEqual([UInt8](data), body)
    let counts = lock.withLock { seen }
    XCTAssertFalse(counts.isEmpty)
    XCTAssertEqual(counts.last?.0, Int64(body.count))
    XCTAssertTrue(counts.allSatisfy { $0.1 == Int64(body.count) }, "Content-Length is the total")
    XCTAssertEqual(counts.map(\.0), counts.map(\.0).sorted(), "byte counts only grow")
  }
}
