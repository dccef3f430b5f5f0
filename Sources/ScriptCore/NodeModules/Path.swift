// Node's `path` module, POSIX flavour (`path.posix` is the module itself):
// the string algorithms of Node's lib/path.js, restated over Swift strings.
// Paths are split on `/` only; no file system access except `process.cwd()`
// in `resolve` and `relative`.

/// The path algorithms, as pure functions (the module's natives call these).
enum PathOps {
  /// Resolves `.` and `..` segments; `..` above the start is kept only when
  /// `allowAboveRoot` (relative paths).
  static func normalizeSegments(_ path: String, allowAboveRoot: Bool) -> String {
    var out: [Substring] = []
    for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
      if segment == "." { continue }
      if segment == ".." {
        if let last = out.last, last != ".." {
          out.removeLast()
        } else if allowAboveRoot {
          out.append("..")
        }
        continue
      }
      out.append(segment)
    }
    return out.joined(separator: "/")
  }

  static func normalize(_ path: String) -> String {
    if path.isEmpty { return "." }
    let absolute = path.hasPrefix("/")
    let trailingSlash = path.hasSuffix("/")
    var p = normalizeSegments(path, allowAboveRoot: !absolute)
    if p.isEmpty {
      if absolute { return "/" }
      return trailingSlash ? "./" : "."
    }
    if trailingSlash { p += "/" }
    return absolute ? "/" + p : p
  }

  static func join(_ parts: [String]) -> String {
    let joined = parts.filter { !$0.isEmpty }.joined(separator: "/")
    return joined.isEmpty ? "." : normalize(joined)
  }

  /// Resolves right to left until a path is absolute, then against `cwd`.
  static func resolve(_ parts: [String], cwd: String) -> String {
    var resolved = ""
    var absolute = false
    for part in ([cwd] + parts).reversed() where !part.isEmpty {
      resolved = resolved.isEmpty ? part : part + "/" + resolved
      if part.hasPrefix("/") {
        absolute = true
        break
      }
    }
    let p = normalizeSegments(resolved, allowAboveRoot: !absolute)
    if absolute { return "/" + p }
    return p.isEmpty ? "." : p
  }

  static func relative(from: String, to: String, cwd: String) -> String {
    let a = resolve([from], cwd: cwd).split(separator: "/")
    let b = resolve([to], cwd: cwd).split(separator: "/")
    var common = 0
    while common < a.count, common < b.count, a[common] == b[common] { common += 1 }
    let ups = [Substring](repeating: "..", count: a.count - common)
    return (ups + b[common...]).joined(separator: "/")
  }

  /// The path without its trailing slashes (`/` stays `/`).
  private static func trimmingTrailingSlashes(_ path: String) -> Substring {
    var p = Substring(path)
    while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
    return p
  }

  static func dirname(_ path: String) -> String {
    if path.isEmpty { return "." }
    let p = trimmingTrailingSlashes(path)
    guard let slash = p.lastIndex(of: "/") else { return "." }
    // As Node: `/a//b` gives `/a/`, and a leading `//` stays (POSIX leaves
    // its meaning to the system).
    let dir = p[..<slash]
    if dir.isEmpty { return "/" }
    if dir == "/" { return "//" }
    return String(dir)
  }

  static func basename(_ path: String, suffix: String? = nil) -> String {
    if let s = suffix, !s.isEmpty, s == path { return "" }
    let p = trimmingTrailingSlashes(path)
    if p == "/" { return "" }
    let base = p.lastIndex(of: "/").map { p[p.index(after: $0)...] } ?? p
    if let s = suffix, !s.isEmpty, base.hasSuffix(s), base != s {
      return String(base.dropLast(s.count))
    }
    return String(base)
  }

  /// From the last `.` of the last segment; empty for none, a leading dot
  /// (`.bashrc`) and `..`.
  static func extname(_ path: String) -> String {
    let base = basename(path)
    guard let dot = base.lastIndex(of: "."), dot != base.startIndex, base != ".." else { return "" }
    return String(base[dot...])
  }

  /// `{root, dir, base, ext, name}`.
  static func parse(_ path: String) -> (
    root: String, dir: String, base: String, ext: String, name: String
  ) {
    if path.isEmpty { return ("", "", "", "", "") }
    let root = path.hasPrefix("/") ? "/" : ""
    let p = trimmingTrailingSlashes(path)
    if p == "/" { return ("/", "/", "", "", "") }
    let base = basename(path)
    let ext = extname(path)
    let name = String(base.dropLast(ext.count))
    var dir = ""
    if let slash = p.lastIndex(of: "/") {
      dir = slash == p.startIndex ? "/" : String(p[..<slash])
    }
    return (root, dir, base, ext, name)
  }

  static func format(dir: String?, root: String?, base: String?, name: String?, ext: String?)
    -> String
  {
    let directory = (dir?.isEmpty == false ? dir : root) ?? ""
    var e = ext ?? ""
    if !e.isEmpty, !e.hasPrefix(".") { e = "." + e }
    let b = base?.isEmpty == false ? base ?? "" : (name ?? "") + e
    if directory.isEmpty { return b }
    return directory == root ? directory + b : directory + "/" + b
  }
}

// MARK: - The module object

extension NodeModules {
  /// A fresh `path` object (`path.posix === path`).
  static func makePathModule(_ realm: Realm) -> JSObject {
    let path = realm.newNamespace(pathEntries, prefix: "path.")
    path.defineOwn("sep", Property(.string("/")))
    path.defineOwn("delimiter", Property(.string(":")))
    path.defineOwn("posix", Property(.object(path)))
    path.makeOwnPropertiesEnumerable()
    return path
  }

  /// The string argument `name` at `i`, or Node's ERR_INVALID_ARG_TYPE.
  static func pathString(_ call: NativeCall, _ i: Int, name: String = "path") throws -> String {
    if case .string(let s) = call.arguments[i] { return s }
    throw call.interpreter.invalidArgType(name, expected: "of type string", got: call.arguments[i])
  }

  static func allPathStrings(_ call: NativeCall) throws -> [String] {
    try (0..<call.arguments.count).map { try pathString(call, $0) }
  }

  static let pathEntries: [NativeEntry] = [
    .function("basename", arity: 2) { call in
      let suffix = call.arguments[1].isUndefined ? nil : try pathString(call, 1, name: "suffix")
      return .string(PathOps.basename(try pathString(call, 0), suffix: suffix))
    },
    .function("dirname", arity: 1) { call in .string(PathOps.dirname(try pathString(call, 0))) },
    .function("extname", arity: 1) { call in .string(PathOps.extname(try pathString(call, 0))) },
    .function("format", arity: 1) { call in
      guard case .object(let o) = call.arguments[0] else {
        throw call.interpreter.invalidArgType(
          "pathObject", expected: "of type object", got: call.arguments[0])
      }
      func field(_ key: String) throws -> String? {
        let v = try call.interpreter.get(.object(o), key)
        return v.isNullish ? nil : try call.interpreter.toString(v)
      }
      return .string(
        PathOps.format(
          dir: try field("dir"), root: try field("root"), base: try field("base"),
          name: try field("name"), ext: try field("ext")))
    },
    .function("isAbsolute", arity: 1) { call in .bool(try pathString(call, 0).hasPrefix("/")) },
    .function("join", arity: 0) { call in .string(PathOps.join(try allPathStrings(call))) },
    .function("normalize", arity: 1) { call in .string(PathOps.normalize(try pathString(call, 0)))
    },
    .function("parse", arity: 1) { call in
      let p = PathOps.parse(try pathString(call, 0))
      let o = call.interpreter.realm.newObject()
      o.put("root", .string(p.root))
      o.put("dir", .string(p.dir))
      o.put("base", .string(p.base))
      o.put("ext", .string(p.ext))
      o.put("name", .string(p.name))
      return .object(o)
    },
    .function("relative", arity: 2) { call in
      let from = try pathString(call, 0, name: "from")
      let to = try pathString(call, 1, name: "to")
      return .string(PathOps.relative(from: from, to: to, cwd: currentDirectory()))
    },
    .function("resolve", arity: 0) { call in
      .string(PathOps.resolve(try allPathStrings(call), cwd: currentDirectory()))
    },
    .function("toNamespacedPath", arity: 1) { call in call.arguments[0] },
  ]
}
