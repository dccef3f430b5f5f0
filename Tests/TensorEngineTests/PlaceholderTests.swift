import XCTest
@testable import TensorEngine

final class PlaceholderTests: XCTestCase {
  func testModuleLinks() { XCTAssertTrue(true) }
}
