// Array: the constructor, isArray/from/of, and the prototype methods.
// Arrays are dense (`JSArray.elements`); holes read as `undefined`.
// Callbacks get (value, index, array) and see the array as it changes.

/// Arrays currently being joined, so `a.push(a); a.join()` ends instead of recursing.
final class JoinState {
  var active: [ObjectIdentifier] = []
}

extension Builtins {
  static func installArray(_ realm: Realm) {
    let ctor = realm.defineConstructor(
      "Array", arity: 1, prototype: realm.arrayPrototype,
      call: { call in try constructArray(call.interpreter, call.arguments, prototype: call.interpreter.realm.arrayPrototype) },
      construct: { interp, args, newTarget in
        try constructArray(interp, args, prototype: interp.realm.prototype(for: newTarget, default: interp.realm.arrayPrototype))
      })
    realm.install(arrayStatics, into: ctor, prefix: "Array.")
    realm.install(arrayMethods(JoinState()), into: realm.arrayPrototype, prefix: "Array.prototype.")
  }

  private static func constructArray(_ interp: Interpreter, _ args: Arguments, prototype: JSObject) throws -> Value {
    if args.count == 1, case .number(let n) = args[0] {
      guard n >= 0, n == n.rounded(), n < 4_294_967_296 else { throw ScriptThrow.rangeError("Invalid array length") }
      guard n <= 50_000_000 else { throw ScriptThrow.rangeError("Invalid array length") }
      return .object(JSArray(prototype: prototype, elements: Array(repeating: .undefined, count: Int(n))))
    }
    return .object(JSArray(prototype: prototype, elements: args.values))
  }

  /// `this` as an array. Array-likes (`{length: 2, 0: 'a'}`) are copied, so
  /// only the read-only methods accept them.
  static func thisArray(_ call: NativeCall, _ method: String, mutating: Bool = false) throws -> JSArray {
    if case .object(let o) = call.this {
      if let a = o as? JSArray { return a }
      if !mutating {
        let interp = call.interpreter
        let n = try interp.toInteger(interp.get(call.this, "length"))
        var elements: [Value] = []
        var i = 0
        while Double(i) < n && i < 50_000_000 {
          if i & (interruptCheckInterval - 1) == 0 { try interp.checkInterrupt() }
          elements.append(try interp.get(call.this, String(i)))
          i += 1
        }
        return interp.realm.newArray(elements)
      }
    }
    if call.this.isNullish {
      throw ScriptThrow.typeError("Array.prototype.\(method) called on null or undefined")
    }
    throw ScriptThrow.typeError("Array.prototype.\(method) called on a value that is not an array")
  }

  private static func callback(_ call: NativeCall, _ method: String) throws -> JSFunction {
    guard case .object(let o) = call.arguments[0], let f = o as? JSFunction else {
      throw ScriptThrow.typeError("\(describeForCall(call.interpreter, call.arguments[0])) is not a function")
    }
    return f
  }

  /// How V8 names a non-callable value in "x is not a function".
  static func describeForCall(_ interp: Interpreter, _ v: Value) -> String {
    switch v {
    case .string(let s): return quoteJSString(s).replacingQuotes()
    case .object(let o): return o is JSArray ? interp.inspect(v, colors: false) : "#<\(o.className)>"
    default: return (try? interp.toString(v)) ?? "value"
    }
  }

  /// Calls `f(value, index, array)` for each index below the starting length
  /// that still exists; `body` gets the callback's result and returns false to stop.
  private static func forEachElement(
    _ call: NativeCall, _ a: JSArray, _ f: JSFunction, reverse: Bool = false,
    _ body: (Int, Value, Value) throws -> Bool
  ) throws {
    let thisArg = call.arguments[1]
    let length = a.elements.count
    let this = Value.object(a)
    if reverse {
      var i = length - 1
      while i >= 0 {
        let v = i < a.elements.count ? a.elements[i] : .undefined
        if try !body(i, v, f.call(call.interpreter, this: thisArg, v, .number(Double(i)), this)) { return }
        i -= 1
      }
    } else {
      var i = 0
      while i < length {
        let v = i < a.elements.count ? a.elements[i] : .undefined
        if try !body(i, v, f.call(call.interpreter, this: thisArg, v, .number(Double(i)), this)) { return }
        i += 1
      }
    }
  }

  static let arrayStatics: [NativeEntry] = [
    .function("from", arity: 1) { call in
      let interp = call.interpreter
      let source = call.arguments[0]
      let mapFn = call.arguments[1].asObject as? JSFunction
      if !call.arguments[1].isUndefined && mapFn == nil {
        throw ScriptThrow.typeError("\(describeForCall(interp, call.arguments[1])) is not a function")
      }
      var values: [Value]
      switch source {
      case .undefined, .null:
        throw ScriptThrow.typeError("\(source.isUndefined ? "undefined" : "null") is not iterable")
      case .string: values = try interp.collect(source)
      case .object(let o):
        if o is JSArray || o is IteratorObject || o is JSMap || o is JSSet || o.hasProperty("next")
          || o.hasProperty("@@iterator") || o.makeIterator(interp) != nil
        {
          values = try interp.collect(source)
        } else {
          let n = try interp.toInteger(interp.get(source, "length"))
          guard n <= 50_000_000 else { throw ScriptThrow.rangeError("Invalid array length") }
          values = []
          var i = 0
          while Double(i) < n {
            if i & (interruptCheckInterval - 1) == 0 { try interp.checkInterrupt() }
            values.append(try interp.get(source, String(i)))
            i += 1
          }
        }
      default: values = []
      }
      if let f = mapFn {
        for i in values.indices {
          values[i] = try f.call(interp, this: call.arguments[2], arguments: [values[i], .number(Double(i))])
        }
      }
      return .object(interp.realm.newArray(values))
    },
    .function("isArray", arity: 1) { call in
      guard case .object(let o) = call.arguments[0] else { return false }
      return .bool(o is JSArray)
    },
    .function("of", arity: 0) { call in .object(call.interpreter.realm.newArray(call.arguments.values)) },
  ]

  static func arrayMethods(_ joins: JoinState) -> [NativeEntry] {
    func join(_ interp: Interpreter, _ a: JSArray, _ sep: String) throws -> String {
      let id = ObjectIdentifier(a)
      if joins.active.contains(id) { return "" }
      // Arrays nested deeper than any script recursion could go: V8 runs out of stack here.
      if joins.active.count >= maxJoinDepth {
        throw ScriptThrow.rangeError("Maximum call stack size exceeded")
      }
      if a.elements.count > 1 {
        try checkStringLength((a.elements.count - 1) * sep.utf16.count)
      }
      joins.active.append(id)
      defer { joins.active.removeLast() }
      var out = ""
      for (i, v) in a.elements.enumerated() {
        if i & (interruptCheckInterval - 1) == interruptCheckInterval - 1 { try interp.checkInterrupt() }
        if i > 0 { try appendString(&out, sep) }
        if !v.isNullish { try appendString(&out, try interp.toString(v)) }
      }
      return out
    }
    return [
      .function("at", arity: 1) { call in
        let a = try thisArray(call, "at")
        let d = try call.interpreter.toInteger(call.arguments[0])
        let i = d < 0 ? Double(a.elements.count) + d : d
        guard i >= 0, i < Double(a.elements.count) else { return .undefined }
        return a.elements[Int(i)]
      },
      .function("concat", arity: 1) { call in
        let a = try thisArray(call, "concat")
        var out = a.elements
        for v in call.arguments.values {
          if case .object(let o) = v, let other = o as? JSArray { out += other.elements } else { out.append(v) }
        }
        return .object(call.interpreter.realm.newArray(out))
      },
      .function("copyWithin", arity: 2) { call in
        let a = try thisArray(call, "copyWithin", mutating: true)
        let n = a.elements.count
        let target = try call.interpreter.relativeIndex(call.arguments[0], length: n, default: 0)
        let start = try call.interpreter.relativeIndex(call.arguments[1], length: n, default: 0)
        let end = try call.interpreter.relativeIndex(call.arguments[2], length: n, default: n)
        let count = min(end - start, n - target)
        if count > 0 {
          let slice = Array(a.elements[start..<(start + count)])
          a.elements.replaceSubrange(target..<(target + count), with: slice)
        }
        return call.this
      },
      .function("entries", arity: 0) { call in
        let a = try thisArray(call, "entries")
        let realm = call.interpreter.realm
        return .object(realm.arrayIterator(a) { i, v in .object(realm.newArray([.number(Double(i)), v])) })
      },
      .function("every", arity: 1) { call in
        let a = try thisArray(call, "every")
        var result = true
        try forEachElement(call, a, try callback(call, "every")) { _, _, r in
          if !r.isTruthy { result = false }
          return result
        }
        return .bool(result)
      },
      .function("fill", arity: 1) { call in
        let a = try thisArray(call, "fill", mutating: true)
        if a.isFrozen { throw ScriptThrow.typeError("Cannot assign to read only property '0' of object '[object Array]'") }
        let n = a.elements.count
        let start = try call.interpreter.relativeIndex(call.arguments[1], length: n, default: 0)
        let end = try call.interpreter.relativeIndex(call.arguments[2], length: n, default: n)
        var i = start
        while i < end {
          a.elements[i] = call.arguments[0]
          i += 1
        }
        return call.this
      },
      .function("filter", arity: 1) { call in
        let a = try thisArray(call, "filter")
        var out: [Value] = []
        try forEachElement(call, a, try callback(call, "filter")) { _, v, r in
          if r.isTruthy { out.append(v) }
          return true
        }
        return .object(call.interpreter.realm.newArray(out))
      },
      .function("find", arity: 1) { call in
        let a = try thisArray(call, "find")
        var found = Value.undefined
        try forEachElement(call, a, try callback(call, "find")) { _, v, r in
          if r.isTruthy { found = v; return false }
          return true
        }
        return found
      },
      .function("findIndex", arity: 1) { call in
        let a = try thisArray(call, "findIndex")
        var found = -1
        try forEachElement(call, a, try callback(call, "findIndex")) { i, _, r in
          if r.isTruthy { found = i; return false }
          return true
        }
        return .number(Double(found))
      },
      .function("findLast", arity: 1) { call in
        let a = try thisArray(call, "findLast")
        var found = Value.undefined
        try forEachElement(call, a, try callback(call, "findLast"), reverse: true) { _, v, r in
          if r.isTruthy { found = v; return false }
          return true
        }
        return found
      },
      .function("findLastIndex", arity: 1) { call in
        let a = try thisArray(call, "findLastIndex")
        var found = -1
        try forEachElement(call, a, try callback(call, "findLastIndex"), reverse: true) { i, _, r in
          if r.isTruthy { found = i; return false }
          return true
        }
        return .number(Double(found))
      },
      .function("flat", arity: 0) { call in
        let a = try thisArray(call, "flat")
        let depth = call.arguments[0].isUndefined ? 1 : try call.interpreter.toInteger(call.arguments[0])
        var out: [Value] = []
        var level = 0
        func flatten(_ xs: [Value], _ d: Double) throws {
          for v in xs {
            if d > 0, case .object(let o) = v, let inner = o as? JSArray {
              // An array that contains itself would recurse until the stack overflows.
              level += 1
              defer { level -= 1 }
              if level > maxJoinDepth { throw ScriptThrow.rangeError("Maximum call stack size exceeded") }
              try flatten(inner.elements, d - 1)
            } else {
              out.append(v)
            }
          }
        }
        try flatten(a.elements, depth)
        return .object(call.interpreter.realm.newArray(out))
      },
      .function("flatMap", arity: 1) { call in
        let a = try thisArray(call, "flatMap")
        var out: [Value] = []
        try forEachElement(call, a, try callback(call, "flatMap")) { _, _, r in
          if case .object(let o) = r, let inner = o as? JSArray { out += inner.elements } else { out.append(r) }
          return true
        }
        return .object(call.interpreter.realm.newArray(out))
      },
      .function("forEach", arity: 1) { call in
        let a = try thisArray(call, "forEach")
        try forEachElement(call, a, try callback(call, "forEach")) { _, _, _ in true }
        return .undefined
      },
      .function("includes", arity: 1) { call in
        let a = try thisArray(call, "includes")
        let start = try call.interpreter.relativeIndex(call.arguments[1], length: a.elements.count, default: 0)
        let target = call.arguments[0]
        return .bool(a.elements[start...].contains { sameValueZero($0, target) })
      },
      .function("indexOf", arity: 1) { call in
        let a = try thisArray(call, "indexOf")
        let start = try call.interpreter.relativeIndex(call.arguments[1], length: a.elements.count, default: 0)
        let target = call.arguments[0]
        var i = start
        while i < a.elements.count {
          if strictEquals(a.elements[i], target) { return .number(Double(i)) }
          i += 1
        }
        return .number(-1)
      },
      .function("join", arity: 1) { call in
        let a = try thisArray(call, "join")
        let sep = call.arguments[0].isUndefined ? "," : try call.interpreter.toString(call.arguments[0])
        return .string(try join(call.interpreter, a, sep))
      },
      .function("keys", arity: 0) { call in
        let a = try thisArray(call, "keys")
        return .object(call.interpreter.realm.arrayIterator(a) { i, _ in .number(Double(i)) })
      },
      .function("lastIndexOf", arity: 1) { call in
        let a = try thisArray(call, "lastIndexOf")
        let n = a.elements.count
        var i = n - 1
        if call.arguments.count > 1 {
          let d = try call.interpreter.toInteger(call.arguments[1])
          i = d < 0 ? Int(max(-1, Double(n) + d)) : Int(min(d, Double(n - 1)))
        }
        while i >= 0 {
          if strictEquals(a.elements[i], call.arguments[0]) { return .number(Double(i)) }
          i -= 1
        }
        return .number(-1)
      },
      .function("map", arity: 1) { call in
        let a = try thisArray(call, "map")
        var out: [Value] = []
        out.reserveCapacity(a.elements.count)
        try forEachElement(call, a, try callback(call, "map")) { _, _, r in
          out.append(r)
          return true
        }
        return .object(call.interpreter.realm.newArray(out))
      },
      .function("pop", arity: 0) { call in
        let a = try thisArray(call, "pop", mutating: true)
        try checkWritable(a)
        return a.elements.popLast() ?? .undefined
      },
      .function("push", arity: 1) { call in
        let a = try thisArray(call, "push", mutating: true)
        if a.isFrozen || !a.isExtensible {
          throw ScriptThrow.typeError("Cannot add property \(a.elements.count), object is not extensible")
        }
        a.elements.append(contentsOf: call.arguments.values)
        return .number(Double(a.elements.count))
      },
      .function("reduce", arity: 1) { call in try reduce(call, right: false) },
      .function("reduceRight", arity: 1) { call in try reduce(call, right: true) },
      .function("reverse", arity: 0) { call in
        let a = try thisArray(call, "reverse", mutating: true)
        try checkWritable(a)
        a.elements.reverse()
        return call.this
      },
      .function("shift", arity: 0) { call in
        let a = try thisArray(call, "shift", mutating: true)
        try checkWritable(a)
        return a.elements.isEmpty ? .undefined : a.elements.removeFirst()
      },
      .function("slice", arity: 2) { call in
        let a = try thisArray(call, "slice")
        let n = a.elements.count
        let start = try call.interpreter.relativeIndex(call.arguments[0], length: n, default: 0)
        let end = try call.interpreter.relativeIndex(call.arguments[1], length: n, default: n)
        return .object(call.interpreter.realm.newArray(start < end ? Array(a.elements[start..<end]) : []))
      },
      .function("some", arity: 1) { call in
        let a = try thisArray(call, "some")
        var result = false
        try forEachElement(call, a, try callback(call, "some")) { _, _, r in
          if r.isTruthy { result = true }
          return !result
        }
        return .bool(result)
      },
      .function("sort", arity: 1) { call in
        let a = try thisArray(call, "sort", mutating: true)
        try checkWritable(a)
        a.elements = try sortedElements(call.interpreter, a.elements, call.arguments[0])
        return call.this
      },
      .function("splice", arity: 2) { call in
        let a = try thisArray(call, "splice", mutating: true)
        try checkWritable(a)
        let n = a.elements.count
        let start = try call.interpreter.relativeIndex(call.arguments[0], length: n, default: 0)
        var deleteCount = 0
        if call.arguments.count == 1 {
          deleteCount = n - start
        } else if call.arguments.count > 1 {
          deleteCount = Int(max(0, min(Double(n - start), try call.interpreter.toInteger(call.arguments[1]))))
        }
        let removed = Array(a.elements[start..<(start + deleteCount)])
        a.elements.replaceSubrange(start..<(start + deleteCount), with: call.arguments.values.dropFirst(2))
        return .object(call.interpreter.realm.newArray(removed))
      },
      .function("toLocaleString", arity: 0) { call in
        .string(try join(call.interpreter, try thisArray(call, "toLocaleString"), ","))
      },
      .function("toReversed", arity: 0) { call in
        .object(call.interpreter.realm.newArray(try thisArray(call, "toReversed").elements.reversed()))
      },
      .function("toSorted", arity: 1) { call in
        let a = try thisArray(call, "toSorted")
        return .object(call.interpreter.realm.newArray(try sortedElements(call.interpreter, a.elements, call.arguments[0])))
      },
      .function("toSpliced", arity: 2) { call in
        var elements = try thisArray(call, "toSpliced").elements
        let n = elements.count
        let start = try call.interpreter.relativeIndex(call.arguments[0], length: n, default: 0)
        var deleteCount = 0
        if call.arguments.count == 1 {
          deleteCount = n - start
        } else if call.arguments.count > 1 {
          deleteCount = Int(max(0, min(Double(n - start), try call.interpreter.toInteger(call.arguments[1]))))
        }
        elements.replaceSubrange(start..<(start + deleteCount), with: call.arguments.values.dropFirst(2))
        return .object(call.interpreter.realm.newArray(elements))
      },
      .function("toString", arity: 0) { call in
        guard case .object(let o) = call.this, let a = o as? JSArray else { return .string("[object Object]") }
        return .string(try join(call.interpreter, a, ","))
      },
      .function("unshift", arity: 1) { call in
        let a = try thisArray(call, "unshift", mutating: true)
        try checkWritable(a)
        a.elements.insert(contentsOf: call.arguments.values, at: 0)
        return .number(Double(a.elements.count))
      },
      .function("with", arity: 2) { call in
        var elements = try thisArray(call, "with").elements
        let d = try call.interpreter.toInteger(call.arguments[0])
        let i = d < 0 ? Double(elements.count) + d : d
        guard i >= 0, i < Double(elements.count) else { throw ScriptThrow.rangeError("Invalid index : \(formatNumber(d))") }
        elements[Int(i)] = call.arguments[1]
        return .object(call.interpreter.realm.newArray(elements))
      },
      .function("values", arity: 0) { call in
        let a = try thisArray(call, "values")
        return .object(call.interpreter.realm.arrayIterator(a) { _, v in v })
      },
    ]
  }

  private static func checkWritable(_ a: JSArray) throws {
    if a.isFrozen { throw ScriptThrow.typeError("Cannot assign to read only property '0' of object '[object Array]'") }
  }

  private static func reduce(_ call: NativeCall, right: Bool) throws -> Value {
    let name = right ? "reduceRight" : "reduce"
    let a = try thisArray(call, name)
    let f = try callback(call, name)
    let n = a.elements.count
    var indices = Array(0..<n)
    if right { indices.reverse() }
    var k = 0
    var acc: Value
    if call.arguments.count >= 2 {
      acc = call.arguments[1]
    } else {
      guard n > 0 else { throw ScriptThrow.typeError("Reduce of empty array with no initial value") }
      acc = a.elements[indices[0]]
      k = 1
    }
    while k < indices.count {
      let i = indices[k]
      let v = i < a.elements.count ? a.elements[i] : .undefined
      acc = try f.call(call.interpreter, this: .undefined, arguments: [acc, v, .number(Double(i)), call.this])
      k += 1
    }
    return acc
  }

  /// Array.prototype.sort: `undefined`s last; the comparator's sign decides,
  /// otherwise UTF-16 order of the string forms. Stable.
  static func sortedElements(_ interp: Interpreter, _ elements: [Value], _ comparator: Value) throws -> [Value] {
    var defined: [Value] = []
    defined.reserveCapacity(elements.count)
    var undefinedCount = 0
    for v in elements {
      if v.isUndefined { undefinedCount += 1 } else { defined.append(v) }
    }
    switch comparator {
    case .undefined:
      var keyed: [([UInt16], Value)] = []
      keyed.reserveCapacity(defined.count)
      for v in defined { keyed.append((units(try interp.toString(v)), v)) }
      keyed.sort { $0.0.lexicographicallyPrecedes($1.0) }
      defined = keyed.map { $0.1 }
    case .object(let o as JSFunction):
      if let ascending = numericComparatorDirection(o), defined.allSatisfy({ $0.asNumber != nil }) {
        // `(a, b) => a - b` over numbers: the same predicate (`x - y < 0`)
        // evaluated natively, so the result is identical, call for call.
        var numbers = defined.map { $0.asNumber ?? 0 }
        if ascending { numbers.sort { $0 - $1 < 0 } } else { numbers.sort { $1 - $0 < 0 } }
        defined = numbers.map { .number($0) }
        break
      }
      try defined.sort { x, y in
        let r = try o.call(interp, this: .undefined, arguments: [x, y])
        if case .number(let d) = r { return d < 0 }
        return try interp.toNumber(r) < 0
      }
    default:
      throw ScriptThrow.typeError("The comparison function must be either a function or undefined")
    }
    defined.append(contentsOf: repeatElement(Value.undefined, count: undefinedCount))
    return defined
  }
}

/// Recognises the comparators `(a, b) => a - b` and `(a, b) => b - a` (also
/// written with braces and `return`, or as a `function`): true for ascending,
/// false for descending, nil for anything else. Such a comparator has no free
/// variables, so for number elements its result is exactly `x - y` (`y - x`).
func numericComparatorDirection(_ f: JSFunction) -> Bool? {
  guard let source = f.sourceText else { return nil }
  var t = Substring(String(source.unicodeScalars.filter { !$0.properties.isWhitespace }))
  func eat(_ s: String) -> Bool {
    guard t.hasPrefix(s) else { return false }
    t = t.dropFirst(s.count)
    return true
  }
  func identifier() -> String? {
    let id = t.prefix { $0.isLetter || $0 == "_" || $0 == "$" || $0.isNumber }
    guard let first = id.first, !first.isNumber else { return nil }
    t = t.dropFirst(id.count)
    return String(id)
  }
  let isFunction = eat("function")
  if isFunction { _ = identifier() }
  guard eat("("), let p1 = identifier(), eat(","), let p2 = identifier(), eat(")"), p1 != p2 else { return nil }
  if !isFunction && !eat("=>") { return nil }
  let braces = eat("{")
  if isFunction && !braces { return nil }
  if braces && !eat("return") { return nil }
  guard let x = identifier(), eat("-"), let y = identifier() else { return nil }
  if braces {
    _ = eat(";")
    guard eat("}") else { return nil }
  }
  guard t.isEmpty else { return nil }
  if x == p1 && y == p2 { return true }
  if x == p2 && y == p1 { return false }
  return nil
}

extension String {
  /// `'abc'` → `"abc"` as V8 quotes strings in "is not a function" messages.
  fileprivate func replacingQuotes() -> String {
    guard hasPrefix("'"), hasSuffix("'"), count >= 2 else { return self }
    return "\"" + dropFirst().dropLast() + "\""
  }
}
