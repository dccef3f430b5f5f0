import XCTest

/// Runs tests/repl/run.sh, which drives the REPL in a real terminal (tmux).
final class REPLTerminalTests: XCTestCase {
  func testREPLInTmux() throws {
    let tmux = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"]
      .first { FileManager.default.isExecutableFile(atPath: $0) }
    guard tmux != nil else {
      throw XCTSkip("tmux is not installed: the terminal REPL test is skipped")
    }
    let binary = try XCTUnwrap(RunnerTests.binary, "the tl binary is not next to the test bundle")
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let script = root.appendingPathComponent("tests/repl/run.sh")

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [script.path, binary.path]
    let log = FileManager.default.temporaryDirectory
      .appendingPathComponent("tl-repl-test-\(UUID().uuidString).log")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: log) }
    let handle = try FileHandle(forWritingTo: log)
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    process.waitUntilExit()
    try handle.close()
    let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    XCTAssertEqual(process.terminationStatus, 0, output)
    XCTAssertTrue(output.contains("repl test: all passed"), output)
  }
}
