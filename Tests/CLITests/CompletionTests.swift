import XCTest
@testable import tl

final class CompletionAnalysisTests: XCTestCase {
  func testGlobalWord() {
    XCTAssertEqual(
      Completer.analyze("const x = co"), CompletionRequest(receiver: nil, prefix: "co", start: 10))
  }
}
