// Date (UTC-based: local time is taken to be UTC), performance.now and the
// `process` object (argv, env, exit, platform, stdout/stderr.write).

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A `Date` instance: milliseconds since the epoch, NaN when invalid.
public final class JSDate: JSObject {
  public var time: Double

  public init(prototype: JSObject?, time: Double) {
    self.time = time
    super.init(prototype: prototype)
  }

  public override var className: String { "Date" }
}

// MARK: - Calendar arithmetic (proleptic Gregorian, UTC)

/// Days since 1970-01-01 of a civil date (month 1...12).
func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
  let y = month <= 2 ? year - 1 : year
  let era = (y >= 0 ? y : y - 399) / 400
  let yoe = y - era * 400
  let mp = month > 2 ? month - 3 : month + 9
  let doy = (153 * mp + 2) / 5 + day - 1
  let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
  return era * 146_097 + doe - 719_468
}

/// The civil date (year, month 1...12, day) of a day count since 1970-01-01.
func civilFromDays(_ days: Int) -> (Int, Int, Int) {
  let z = days + 719_468
  let era = (z >= 0 ? z : z - 146_096) / 146_097
  let doe = z - era * 146_097
  let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
  let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
  let mp = (5 * doy + 2) / 153
  let day = doy - (153 * mp + 2) / 5 + 1
  let month = mp < 10 ? mp + 3 : mp - 9
  return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
}

/// The parts of a time value: year, month 0...11, day, hours, minutes, seconds, ms, weekday.
struct DateParts {
  var year, month, day, hours, minutes, seconds, milliseconds, weekday: Int

  init(_ t: Double) {
    let ms = Int(t)
    var days = ms / 86_400_000
    var rest = ms % 86_400_000
    if rest < 0 {
      rest += 86_400_000
      days -= 1
    }
    let (y, m, d) = civilFromDays(days)
    year = y
    month = m - 1
    day = d
    hours = rest / 3_600_000
    minutes = rest / 60_000 % 60
    seconds = rest / 1000 % 60
    milliseconds = rest % 1000
    weekday = ((days % 7) + 11) % 7  // 1970-01-01 was a Thursday (4)
  }
}

/// MakeDate from possibly out-of-range parts (month 13 rolls into the next year).
func makeTime(_ year: Double, _ month: Double, _ day: Double, _ h: Double, _ mi: Double, _ s: Double, _ ms: Double) -> Double {
  let parts = [year, month, day, h, mi, s, ms]
  guard parts.allSatisfy({ $0.isFinite }) else { return .nan }
  let ym = year + (month / 12).rounded(.down)
  let mn = month.truncatingRemainder(dividingBy: 12)
  let monthIndex = mn < 0 ? mn + 12 : mn
  guard abs(ym) < 400_000 else { return .nan }
  let days = Double(daysFromCivil(Int(ym), Int(monthIndex) + 1, 1)) + day.rounded(.towardZero) - 1
  let t = days * 86_400_000 + h.rounded(.towardZero) * 3_600_000 + mi.rounded(.towardZero) * 60_000
    + s.rounded(.towardZero) * 1000 + ms.rounded(.towardZero)
  return abs(t) <= 8.64e15 ? t : .nan
}

private func pad(_ n: Int, _ width: Int) -> String {
  let s = String(abs(n))
  return (n < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - s.count)) + s
}

/// `Date.prototype.toISOString` for a valid time value.
func isoString(_ t: Double) -> String {
  let p = DateParts(t)
  let year = p.year >= 0 && p.year <= 9999 ? pad(p.year, 4) : (p.year < 0 ? "-" : "+") + pad(abs(p.year), 6)
  return "\(year)-\(pad(p.month + 1, 2))-\(pad(p.day, 2))T\(pad(p.hours, 2)):\(pad(p.minutes, 2)):\(pad(p.seconds, 2)).\(pad(p.milliseconds, 3))Z"
}

private let weekdayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
private let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

/// Parses the ISO formats JS guarantees (`2024-01-31`, `2024-01-31T10:00:00.000Z`,
/// with or without offset); NaN otherwise.
func parseDate(_ s: String) -> Double {
  let c = Array(s.trimmingJSWhitespace().utf8)
  var i = 0
  func number(_ digits: Int) -> Int? {
    guard i + digits <= c.count else { return nil }
    var n = 0
    for k in i..<(i + digits) {
      guard c[k] >= 48 && c[k] <= 57 else { return nil }
      n = n * 10 + Int(c[k] - 48)
    }
    i += digits
    return n
  }
  func eat(_ ch: UInt8) -> Bool {
    if i < c.count && c[i] == ch {
      i += 1
      return true
    }
    return false
  }
  var sign = 1
  var year: Int?
  if eat(43) { year = number(6) } else if eat(45) { sign = -1; year = number(6) } else { year = number(4) }
  guard let y = year else { return .nan }
  var month = 1, day = 1, h = 0, mi = 0, sec = 0, ms = 0, offset = 0
  if eat(45) {
    guard let m = number(2) else { return .nan }
    month = m
    if eat(45) {
      guard let d = number(2) else { return .nan }
      day = d
    }
  }
  if eat(84) || eat(32) {
    guard let hh = number(2), eat(58), let mm = number(2) else { return .nan }
    h = hh
    mi = mm
    if eat(58) {
      guard let ss = number(2) else { return .nan }
      sec = ss
      if eat(46) {
        var digits = 0
        var frac = 0
        while i < c.count, c[i] >= 48, c[i] <= 57 {
          if digits < 3 { frac = frac * 10 + Int(c[i] - 48) }
          digits += 1
          i += 1
        }
        guard digits > 0 else { return .nan }
        while digits < 3 {
          frac *= 10
          digits += 1
        }
        ms = frac
      }
    }
    if eat(90) {
      offset = 0
    } else if i < c.count, c[i] == 43 || c[i] == 45 {
      let neg = c[i] == 45
      i += 1
      guard let oh = number(2) else { return .nan }
      _ = eat(58)
      guard let om = number(2) else { return .nan }
      offset = (oh * 60 + om) * (neg ? -1 : 1)
    }
  }
  guard i == c.count, (1...12).contains(month), (1...31).contains(day), h <= 24, mi < 60, sec < 60 else { return .nan }
  let t = makeTime(Double(sign * y), Double(month - 1), Double(day), Double(h), Double(mi), Double(sec), Double(ms))
  return t - Double(offset) * 60_000
}

extension Builtins {
  static func installDate(_ realm: Realm) {
    let ctor = realm.defineConstructor(
      "Date", arity: 7, prototype: realm.newObject(),
      call: { _ in .string(dateString(wallClockMilliseconds())) },
      construct: { interp, args, newTarget in
        let proto = interp.realm.prototype(for: newTarget, default: interp.realm.objectPrototype)
        var t: Double
        switch args.count {
        case 0: t = wallClockMilliseconds()
        case 1:
          var v = args[0]
          if case .object(let d as JSDate) = v { v = .number(d.time) }
          v = try interp.toPrimitive(v)
          if case .string(let s) = v { t = parseDate(s) } else { t = try interp.toNumber(v) }
        default:
          var n: [Double] = []
          for k in 0..<7 { n.append(k < args.count ? try interp.toNumber(args[k]) : (k == 2 ? 1 : 0)) }
          if n[0].isFinite, n[0] >= 0, n[0] <= 99, n[0] == n[0].rounded() { n[0] += 1900 }
          t = makeTime(n[0], n[1], n[2], n[3], n[4], n[5], n[6])
        }
        if t.isFinite, abs(t) <= 8.64e15 { t = t.rounded(.towardZero) } else { t = .nan }
        return .object(JSDate(prototype: proto, time: t))
      })
    if let proto = ctor.getDataValue("prototype").asObject {
      realm.install(dateMethods, into: proto, prefix: "Date.prototype.")
    }
    realm.install(dateStatics, into: ctor, prefix: "Date.")
    let start = monotonicSeconds()
    let performance = realm.newNamespace([
      .function("now", arity: 0) { _ in .number((monotonicSeconds() - start) * 1000) }
    ], prefix: "performance.")
    realm.defineGlobal("performance", .object(performance))
  }

  /// `Date.prototype.toString` (local time is UTC).
  static func dateString(_ t: Double) -> String {
    guard t.isFinite else { return "Invalid Date" }
    let p = DateParts(t)
    return "\(weekdayNames[p.weekday]) \(monthNames[p.month]) \(pad(p.day, 2)) \(pad(p.year, 4)) "
      + "\(pad(p.hours, 2)):\(pad(p.minutes, 2)):\(pad(p.seconds, 2)) GMT+0000 (Coordinated Universal Time)"
  }

  private static func thisTime(_ call: NativeCall, _ method: String) throws -> Double {
    if case .object(let o as JSDate) = call.this { return o.time }
    throw ScriptThrow.typeError("this is not a Date object.")
  }

  private static func part(_ name: String, _ get: @escaping (DateParts) -> Int) -> [NativeEntry] {
    let body: NativeBody = { call in
      let t = try thisTime(call, name)
      return t.isNaN ? .number(.nan) : .number(Double(get(DateParts(t))))
    }
    return [.function("get" + name, arity: 0, body), .function("getUTC" + name, arity: 0, body)]
  }

  static let dateStatics: [NativeEntry] = [
    .function("UTC", arity: 7) { call in
      var n: [Double] = []
      for k in 0..<7 { n.append(k < call.arguments.count ? try call.interpreter.toNumber(call.arguments[k]) : (k == 2 ? 1 : 0)) }
      if n[0].isFinite, n[0] >= 0, n[0] <= 99, n[0] == n[0].rounded() { n[0] += 1900 }
      return .number(makeTime(n[0], n[1], n[2], n[3], n[4], n[5], n[6]))
    },
    .function("now", arity: 0) { _ in .number(wallClockMilliseconds()) },
    .function("parse", arity: 1) { call in .number(parseDate(try call.interpreter.toString(call.arguments[0]))) },
  ]

  static let dateMethods: [NativeEntry] =
    part("Date") { $0.day } + part("Day") { $0.weekday } + part("FullYear") { $0.year }
    + part("Hours") { $0.hours } + part("Milliseconds") { $0.milliseconds }
    + part("Minutes") { $0.minutes } + part("Month") { $0.month } + part("Seconds") { $0.seconds }
    + [
      .function("getTime", arity: 0) { call in .number(try thisTime(call, "getTime")) },
      .function("getTimezoneOffset", arity: 0) { call in
        let t = try thisTime(call, "getTimezoneOffset")
        return .number(t.isNaN ? .nan : 0)
      },
      .function("setTime", arity: 1) { call in
        guard case .object(let d as JSDate) = call.this else { throw ScriptThrow.typeError("this is not a Date object.") }
        let t = try call.interpreter.toNumber(call.arguments[0])
        d.time = t.isFinite && abs(t) <= 8.64e15 ? t.rounded(.towardZero) : .nan
        return .number(d.time)
      },
      .function("toDateString", arity: 0) { call in
        let t = try thisTime(call, "toDateString")
        guard t.isFinite else { return .string("Invalid Date") }
        let p = DateParts(t)
        return .string("\(weekdayNames[p.weekday]) \(monthNames[p.month]) \(pad(p.day, 2)) \(pad(p.year, 4))")
      },
      .function("toISOString", arity: 0) { call in
        let t = try thisTime(call, "toISOString")
        guard t.isFinite else { throw ScriptThrow.rangeError("Invalid time value") }
        return .string(isoString(t))
      },
      .function("toJSON", arity: 1) { call in
        let t = try thisTime(call, "toJSON")
        return t.isFinite ? .string(isoString(t)) : .null
      },
      .function("toLocaleDateString", arity: 0) { call in
        let t = try thisTime(call, "toLocaleDateString")
        guard t.isFinite else { return .string("Invalid Date") }
        let p = DateParts(t)
        return .string("\(p.month + 1)/\(p.day)/\(p.year)")
      },
      .function("toLocaleString", arity: 0) { call in
        let t = try thisTime(call, "toLocaleString")
        guard t.isFinite else { return .string("Invalid Date") }
        let p = DateParts(t)
        return .string("\(p.month + 1)/\(p.day)/\(p.year), \(localeTime(p))")
      },
      .function("toLocaleTimeString", arity: 0) { call in
        let t = try thisTime(call, "toLocaleTimeString")
        guard t.isFinite else { return .string("Invalid Date") }
        return .string(localeTime(DateParts(t)))
      },
      .function("toString", arity: 0) { call in .string(dateString(try thisTime(call, "toString"))) },
      .function("toUTCString", arity: 0) { call in
        let t = try thisTime(call, "toUTCString")
        guard t.isFinite else { return .string("Invalid Date") }
        let p = DateParts(t)
        return .string("\(weekdayNames[p.weekday]), \(pad(p.day, 2)) \(monthNames[p.month]) \(pad(p.year, 4)) "
          + "\(pad(p.hours, 2)):\(pad(p.minutes, 2)):\(pad(p.seconds, 2)) GMT")
      },
      .function("valueOf", arity: 0) { call in .number(try thisTime(call, "valueOf")) },
    ]

  private static func localeTime(_ p: DateParts) -> String {
    let h12 = p.hours % 12 == 0 ? 12 : p.hours % 12
    return "\(h12):\(pad(p.minutes, 2)):\(pad(p.seconds, 2)) \(p.hours < 12 ? "AM" : "PM")"
  }

  // MARK: - process

  static func installProcess(_ realm: Realm) {
    let process = realm.newNamespace(processEntries, prefix: "process.")
    process.put("argv", .object(realm.newArray([.string("tl")])))
    let env = realm.newObject()
    #if canImport(Glibc)
      var p = environ
      while let entry = p.pointee {
        let pair = String(cString: entry)
        if let eq = pair.firstIndex(of: "=") {
          env.put(String(pair[..<eq]), .string(String(pair[pair.index(after: eq)...])))
        }
        p += 1
      }
    #endif
    process.put("env", .object(env))
    #if os(macOS)
      process.put("platform", .string("darwin"))
    #else
      process.put("platform", .string("linux"))
    #endif
    process.put("exitCode", .undefined)
    for (name, stream) in [("stdout", OutputStream.stdout), ("stderr", .stderr)] {
      let s = realm.newNamespace([
        .function("write", arity: 1) { call in
          call.interpreter.output.write(try call.interpreter.toString(call.arguments[0]), to: stream)
          return true
        }
      ], prefix: "process.\(name).")
      process.put(name, .object(s))
    }
    realm.defineGlobal("process", .object(process))
  }

  static let processEntries: [NativeEntry] = [
    .function("cwd", arity: 0) { _ in
      var buffer = [CChar](repeating: 0, count: 4096)
      guard getcwd(&buffer, buffer.count) != nil else { return .string(".") }
      return .string(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    },
    .function("exit", arity: 1) { call in
      var code: Int32 = 0
      if case .number(let n) = call.arguments[0], n.isFinite {
        code = Int32(truncatingIfNeeded: Int64(n))
      } else if call.arguments[0].isUndefined, let process = call.this.asObject,
        case .number(let n) = process.getDataValue("exitCode"), n.isFinite
      {
        code = Int32(truncatingIfNeeded: Int64(n))
      }
      throw ProcessExit(code: code)
    },
    .function("hrtime", arity: 0) { call in
      let t = monotonicSeconds()
      let s = t.rounded(.down)
      return .object(call.interpreter.realm.newArray([.number(s), .number(((t - s) * 1e9).rounded())]))
    },
  ]
}
