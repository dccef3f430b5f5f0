// `fs.Stats` (from `statSync`/`lstatSync`) and `fs.Dirent` (from
// `readdirSync(dir, {withFileTypes: true})`): plain objects whose prototypes
// carry `isFile()`, `isDirectory()` and `isSymbolicLink()`.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension FileSystemModule {
  /// The file type bits (`S_IFMT`) of a Stats (`mode`) or a Dirent (hidden `type`, a `DT_*`).
  private static func fileType(_ interp: Interpreter, _ this: Value) throws -> UInt32 {
    guard case .object(let o) = this else { return 0 }
    if case .number(let mode) = o.getDataValue("mode") { return UInt32(mode) & UInt32(S_IFMT) }
    if case .number(let type) = o.getDataValue("type") { return UInt32(type) << 12 }
    return 0
  }

  private static func typeTest(_ name: String, _ bits: mode_t) -> NativeEntry {
    .function(name, arity: 0) { call in
      .bool(try fileType(call.interpreter, call.this) == UInt32(bits))
    }
  }

  func installStatsPrototypes() {
    let tests = [
      FileSystemModule.typeTest("isDirectory", S_IFDIR),
      FileSystemModule.typeTest("isFile", S_IFREG),
      FileSystemModule.typeTest("isSymbolicLink", S_IFLNK),
    ]
    let realm = interpreter.realm
    for (proto, name) in [(statsPrototype, "Stats"), (direntPrototype, "Dirent")] {
      realm.install(tests, into: proto, prefix: name + ".prototype.")
      let ctor = realm.newFunction(name, arity: 0) { _ in
        throw ScriptThrow.typeError("Class constructor \(name) cannot be invoked without 'new'")
      }
      ctor.defineOwn("prototype", Property(.object(proto), enumerable: false, writable: false))
      proto.defineOwn("constructor", Property(.object(ctor), enumerable: false))
    }
  }

  /// A `Stats` object with Node's fields (times in milliseconds and as Dates).
  func makeStats(_ info: stat) -> Value {
    let s = JSObject(prototype: statsPrototype)
    func milliseconds(_ t: timespec) -> Double {
      Double(t.tv_sec) * 1000 + Double(t.tv_nsec) / 1_000_000
    }
    let fields: [(String, Double)] = [
      ("dev", Double(info.st_dev)), ("mode", Double(info.st_mode)),
      ("nlink", Double(info.st_nlink)),
      ("uid", Double(info.st_uid)), ("gid", Double(info.st_gid)), ("rdev", Double(info.st_rdev)),
      ("blksize", Double(info.st_blksize)), ("ino", Double(info.st_ino)),
      ("size", Double(info.st_size)), ("blocks", Double(info.st_blocks)),
    ]
    for (key, value) in fields { s.put(key, .number(value)) }
    #if canImport(Darwin)
      let times = [
        ("atime", info.st_atimespec), ("mtime", info.st_mtimespec),
        ("ctime", info.st_ctimespec), ("birthtime", info.st_birthtimespec),
      ]
    #else
      let times = [
        ("atime", info.st_atim), ("mtime", info.st_mtim),
        ("ctime", info.st_ctim), ("birthtime", info.st_ctim),
      ]
    #endif
    for (key, t) in times { s.put(key + "Ms", .number(milliseconds(t))) }
    let dateConstructor = interpreter.realm.globalObject.getDataValue("Date")
    for (key, t) in times {
      let ms = milliseconds(t).rounded(.down)
      if let date = try? interpreter.construct(dateConstructor, [.number(ms)]) { s.put(key, date) }
    }
    return .object(s)
  }
}
