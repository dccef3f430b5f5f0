import XCTest

/// Runs the built `tl` binary (found next to the test bundle) and checks its
/// output and exit status.
final class RunnerTests: XCTestCase {
  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  static var binary: URL? {
    var places = [Bundle.main.bundleURL, Bundle(for: RunnerTests.self).bundleURL]
    places.append(URL(fileURLWithPath: CommandLine.arguments[0]))
    for place in places {
      var dir = place
      for _ in 0..<3 {
        dir = dir.deletingLastPathComponent()
        let candidate = dir.appendingPathComponent("tl")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory),
          !isDirectory.boolValue
        {
          return candidate
        }
      }
    }
    return nil
  }

  private var directory = ""

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "tl-runner-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  /// Runs `tl` with `arguments`, feeding `stdin`; `cwd` defaults to the temp directory.
  func tl(
    _ arguments: [String], stdin: String = "", cwd: String? = nil,
    environment: [String: String] = [:]
  ) throws -> Result {
    let binary = try XCTUnwrap(RunnerTests.binary, "the tl binary is not next to the test bundle")
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: cwd ?? directory)
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = nil
    for (k, v) in environment { env[k] = v }
    process.environment = env
    // Output goes to files, so a chatty child can never block on a full pipe.
    let outPath = directory + "/.stdout-\(UUID().uuidString)"
    let errPath = directory + "/.stderr-\(UUID().uuidString)"
    FileManager.default.createFile(atPath: outPath, contents: nil)
    FileManager.default.createFile(atPath: errPath, contents: nil)
    defer {
      try? FileManager.default.removeItem(atPath: outPath)
      try? FileManager.default.removeItem(atPath: errPath)
    }
    let input = Pipe()
    process.standardInput = input
    process.standardOutput = FileHandle(forWritingAtPath: outPath)
    process.standardError = FileHandle(forWritingAtPath: errPath)
    try process.run()
    input.fileHandleForWriting.write(Data(stdin.utf8))
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus,
      stdout: String(decoding: try Data(contentsOf: URL(fileURLWithPath: outPath)), as: UTF8.self),
      stderr: String(decoding: try Data(contentsOf: URL(fileURLWithPath: errPath)), as: UTF8.self))
  }

  func write(_ name: String, _ text: String) throws -> String {
    let path = directory + "/" + name
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  // MARK: - Command line

  func testVersion() throws {
    let r = try tl(["--version"])
    XCTAssertEqual(r.status, 0)
    XCTAssertEqual(r.stdout, "tl 0.1.0\n")
  }

  func testHelp() throws {
    let r = try tl(["--help"])
    XCTAssertEqual(r.status, 0)
    XCTAssertTrue(r.stdout.contains("USAGE: tl"), r.stdout)
    XCTAssertTrue(r.stdout.contains("-e, --eval <CODE>"), r.stdout)
  }

  func testUsageErrorsExit64() throws {
    let unknown = try tl(["--frobnicate"])
    XCTAssertEqual(unknown.status, 64)
    XCTAssertTrue(unknown.stderr.contains("Unknown option '--frobnicate'"), unknown.stderr)
    XCTAssertEqual(try tl(["-e"]).status, 64)
  }

  // MARK: - Programs

  func testEval() throws {
    let r = try tl(["-e", "const xs = [1, 2, 3]\nconsole.log(xs.map(x => x * 2))"])
    XCTAssertEqual(r.status, 0)
    XCTAssertEqual(r.stdout, "[ 2, 4, 6 ]\n")
    XCTAssertEqual(r.stderr, "")
  }

  func testPipedStdinRunsAsAScript() throws {
    let program = "let total = 0\nfor (const x of [1, 2, 3]) total += x\nconsole.log(total)\n"
    let piped = try tl([], stdin: program)
    XCTAssertEqual(piped.status, 0)
    XCTAssertEqual(piped.stdout, "6\n")
    XCTAssertFalse(piped.stdout.contains(">"), "no prompt when stdin is not a terminal")
    let dash = try tl(["-", "arg"], stdin: "console.log(process.argv.slice(2))")
    XCTAssertEqual(dash.stdout, "[ 'arg' ]\n")
  }

  func testFileArgumentsAndArgv() throws {
    _ = try write("args.tl", "console.log(JSON.stringify(process.argv))")
    // A relative path: argv[1] is absolute, as Node lays it out; options after
    // the file belong to the script.
    let r = try tl(["args.tl", "a", "--epochs", "3", "--help"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let real = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
    let expected = [
      "[\"tl\",\"\(directory)/args.tl\",\"a\",\"--epochs\",\"3\",\"--help\"]\n",
      "[\"tl\",\"\(real)/args.tl\",\"a\",\"--epochs\",\"3\",\"--help\"]\n",
    ]
    XCTAssertTrue(expected.contains(r.stdout), r.stdout)
  }

  func testEvalArgvHasNoEntryForTheCode() throws {
    // As `node -e CODE a b`: [execPath, 'a', 'b'].
    let r = try tl(["-e", "console.log(JSON.stringify(process.argv))", "a", "--b"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stdout, "[\"tl\",\"a\",\"--b\"]\n")
  }

  func testProcessExitCode() throws {
    let r = try tl(["-e", "console.log('before'); process.exit(3); console.log('after')"])
    XCTAssertEqual(r.status, 3)
    XCTAssertEqual(r.stdout, "before\n")
  }

  func testTopLevelAwaitAndAsyncOrdering() throws {
    let r = try tl([
      "-e",
      """
      async function f() { console.log(1); await null; console.log(3) }
      f(); console.log(2)
      const v = await new Promise(resolve => setTimeout(() => resolve(4), 1))
      console.log(v)
      """,
    ])
    XCTAssertEqual(r.stdout, "1\n2\n3\n4\n", r.stderr)
  }

  // MARK: - Errors

  func testSyntaxErrorExit65WithCaret() throws {
    let path = try write("bad.tl", "const a = 1\nconst y = f(a b);\n")
    let r = try tl([path])
    XCTAssertEqual(r.status, 65)
    XCTAssertEqual(r.stdout, "")
    let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    XCTAssertTrue(lines[0].hasPrefix("\(path):2:14: error: expected ')'"), r.stderr)
    XCTAssertEqual(lines[1], "  2 | const y = f(a b);")
    XCTAssertEqual(lines[2], "    |              ^")
    XCTAssertFalse(r.stderr.contains("\u{1B}["), "no colour when stderr is not a terminal")
  }

  /// On a terminal (a pty from `script`), diagnostics are coloured unless NO_COLOR is set.
  func testSyntaxErrorColourFollowsTheTerminalAndNoColor() throws {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
      throw XCTSkip("util-linux `script` is not installed")
    }
    let binary = try XCTUnwrap(RunnerTests.binary)
    let path = try write("bad.tl", "const y = f(a b);\n")
    let command = "'\(binary.path)' '\(path)'"
    for (noColor, expectEscapes) in [("", true), ("1", false)] {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
      process.arguments = ["-qec", command, "/dev/null"]
      var env = ProcessInfo.processInfo.environment
      env["NO_COLOR"] = noColor
      process.environment = env
      let out = Pipe()
      process.standardOutput = out
      process.standardInput = FileHandle.nullDevice
      try process.run()
      let data = out.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      let text = String(decoding: data, as: UTF8.self)
      XCTAssertEqual(process.terminationStatus, 65, text)
      XCTAssertTrue(text.contains("error:"), text)
      XCTAssertEqual(text.contains("\u{1B}["), expectEscapes, "NO_COLOR='\(noColor)': \(text)")
    }
  }

  func testMissingFileExit66() throws {
    let r = try tl(["x.tl"])
    XCTAssertEqual(r.status, 66)
    XCTAssertEqual(r.stderr, "tl: cannot open 'x.tl': No such file or directory\n")
    let dir = try tl([directory])
    XCTAssertEqual(dir.status, 66)
    XCTAssertTrue(dir.stderr.hasSuffix("Is a directory\n"), dir.stderr)
  }

  func testUncaughtErrorExit70WithStack() throws {
    let path = try write("throws.tl", "function f() {\n  null.x\n}\nconsole.log('start')\nf()\n")
    let r = try tl([path])
    XCTAssertEqual(r.status, 70)
    XCTAssertEqual(r.stdout, "start\n")
    XCTAssertTrue(
      r.stderr.hasPrefix("TypeError: Cannot read properties of null (reading 'x')\n"), r.stderr)
    XCTAssertTrue(r.stderr.contains("    at f (\(path):2:"), r.stderr)
  }

  func testUnhandledRejectionExit70() throws {
    let r = try tl(["-e", "Promise.reject(new RangeError('nope'))"])
    XCTAssertEqual(r.status, 70)
    XCTAssertTrue(r.stderr.hasPrefix("RangeError: nope"), r.stderr)
  }

  func testInvalidUTF8IsReplacedNotFatal() throws {
    let path = directory + "/latin1.tl"
    var bytes = Array("console.log('caf".utf8)
    bytes += [0xE9, 0xFF]
    bytes += Array("')\n".utf8)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let r = try tl([path])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stdout, "caf\u{FFFD}\u{FFFD}\n")
  }

  // MARK: - Examples

  /// Every examples/NAME.tl prints exactly examples/NAME.expected.
  func testExamples() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let examples = root.appendingPathComponent("examples")
    let names = try FileManager.default.contentsOfDirectory(atPath: examples.path)
      .filter { $0.hasSuffix(".tl") }.sorted()
    XCTAssertFalse(names.isEmpty, "no examples found in \(examples.path)")
    for name in names {
      let script = examples.appendingPathComponent(name)
      let expectedURL = script.deletingPathExtension().appendingPathExtension("expected")
      guard let expected = try? String(contentsOf: expectedURL, encoding: .utf8) else {
        XCTFail("\(name) has no .expected file")
        continue
      }
      let r = try tl([script.path], cwd: examples.path)
      XCTAssertEqual(r.status, 0, "\(name): \(r.stderr)")
      XCTAssertTrue(
        Self.output(r.stdout, matches: expected),
        "\(name): got\n\(r.stdout)\nexpected\n\(expected)")
    }
  }

  /// Whether `output` matches an `.expected` file line by line. In expected
  /// lines, `<any>` stands for any text (timings, and results of training from
  /// unseeded initial weights); everything else must match exactly.
  static func output(_ output: String, matches expected: String) -> Bool {
    let got = output.components(separatedBy: "\n")
    let want = expected.components(separatedBy: "\n")
    guard got.count == want.count else { return false }
    for (g, w) in zip(got, want) where g != w {
      let parts = w.components(separatedBy: "<any>")
      guard parts.count > 1, g.hasPrefix(parts[0]), g.hasSuffix(parts[parts.count - 1]) else {
        return false
      }
      var rest = Substring(g.dropFirst(parts[0].count))
      for middle in parts.dropFirst().dropLast() where !middle.isEmpty {
        guard let r = rest.range(of: middle) else { return false }
        rest = rest[r.upperBound...]
      }
      if rest.count < parts[parts.count - 1].count { return false }
    }
    return true
  }
}
