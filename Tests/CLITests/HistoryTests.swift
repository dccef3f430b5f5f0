import XCTest

@testable import tl

final class HistoryTests: XCTestCase {
  private var directory = ""

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "tl-history-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  func testMultiLineEntryIsOneLine() {
    let entry = "function f() {\n  return '\\n'\n}\r\nf()"
    let line = HistoryCoding.encode(entry)
    XCTAssertFalse(line.contains("\n"))
    XCTAssertFalse(line.contains("\r"))
    XCTAssertEqual(HistoryCoding.decode(line), entry)
  }

  func testBackslashesRoundTrip() {
    for entry in ["a\\b", "\\n", "\\", "x\\\\\ny", "é ☃ \u{1F600}", ""] {
      XCTAssertEqual(HistoryCoding.decode(HistoryCoding.encode(entry)), entry, entry)
    }
    XCTAssertEqual(HistoryCoding.encode("a\\nb"), "a\\\\nb")
  }

  func testDecodingKeepsUnknownEscapes() {
    XCTAssertEqual(HistoryCoding.decode("a\\tb"), "a\\tb")
    XCTAssertEqual(HistoryCoding.decode("end\\"), "end\\")
  }

  func testAppendThenLoad() {
    let file = HistoryFile(path: directory + "/h")
    XCTAssertEqual(file.load(), [])
    file.append("1 + 1")
    file.append("const a = [\n  1,\n  2\n]")
    XCTAssertEqual(
      HistoryFile(path: directory + "/h").load(), ["1 + 1", "const a = [\n  1,\n  2\n]"])
  }

  func testLoadKeepsTheNewestEntriesAndTrimsTheFile() throws {
    let path = directory + "/h"
    let file = HistoryFile(path: path, limit: 3)
    for i in 1...5 { file.append("x\(i)\nmore") }
    XCTAssertEqual(file.load(), ["x3\nmore", "x4\nmore", "x5\nmore"])
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    XCTAssertEqual(lines.count, 3)
  }

  func testDefaultPathHonoursHome() {
    XCTAssertEqual(HistoryFile.defaultPath(environment: ["HOME": "/h/u"]), "/h/u/.tl_history")
    XCTAssertEqual(HistoryFile.defaultPath(environment: ["HOME": "/h/u/"]), "/h/u/.tl_history")
    XCTAssertNil(HistoryFile.defaultPath(environment: [:]))
  }

  func testAtomicWriteReplacesTheFile() throws {
    let path = directory + "/out.tl"
    try writeFileAtomically(path, "one\n")
    try writeFileAtomically(path, "two\n")
    XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "two\n")
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory)
    XCTAssertEqual(leftovers, ["out.tl"])
    XCTAssertThrowsError(try writeFileAtomically(directory + "/no/such/dir/x", "x"))
  }
}

final class DotCommandTests: XCTestCase {
  func testCommands() {
    XCTAssertEqual(DotCommand.parse(".help"), .help)
    XCTAssertEqual(DotCommand.parse("  .exit  "), .exit)
    XCTAssertEqual(DotCommand.parse(".clear"), .clear)
    XCTAssertEqual(DotCommand.parse(".break"), .break)
    XCTAssertEqual(DotCommand.parse(".editor"), .editor)
    XCTAssertEqual(DotCommand.parse(".load  my file.tl "), .load("my file.tl"))
    XCTAssertEqual(DotCommand.parse(".save out.tl"), .save("out.tl"))
    XCTAssertEqual(DotCommand.parse(".save"), .save(""))
    XCTAssertEqual(DotCommand.parse(".frobnicate"), .unknown("frobnicate"))
  }

  func testCodeIsNotACommand() {
    XCTAssertNil(DotCommand.parse(".5 * 2"))
    XCTAssertNil(DotCommand.parse("...a"))
    XCTAssertNil(DotCommand.parse("x.help"))
    XCTAssertNil(DotCommand.parse("."))
    XCTAssertNil(DotCommand.parse(""))
  }
}
