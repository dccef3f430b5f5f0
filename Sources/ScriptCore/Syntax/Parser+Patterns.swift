// Patterns: binding targets parsed directly (declarations, parameters,
// `catch`), and expressions reinterpreted as patterns (the cover grammar of
// `[a, b] = xs`, `({a}) => a`, `for ([k, v] of m)`).

extension Parser {
  // MARK: - Binding patterns

  /// BindingIdentifier := Identifier (not a reserved word)
  func parseBindingIdentifier() throws -> String {
    guard tok.kind == .name, !reservedWords.contains(tok.text) else {
      throw expected("variable name")
    }
    let n = tok.text
    advance()
    return n
  }

  /// BindingTarget := BindingIdentifier | ArrayBindingPattern | ObjectBindingPattern
  func parseBindingTarget() throws -> Pattern {
    try enterNesting()
    defer { depth -= 1 }
    let start = tok.range.start
    if tok.isPunct("[") { return try parseArrayBindingPattern() }
    if tok.isPunct("{") { return try parseObjectBindingPattern() }
    let name = try parseBindingIdentifier()
    return .identifier(name, span(start))
  }

  /// An optional `= AssignmentExpression` after a binding target.
  private func parseBindingDefault() throws -> Expr? {
    guard tok.isPunct("=") else { return nil }
    advance()
    return try withIn { try parseAssignment() }
  }

  /// ArrayBindingPattern := '[' (BindingElement? ',')* ('...' BindingTarget)? ']'
  private func parseArrayBindingPattern() throws -> Pattern {
    let start = tok.range.start
    advance()
    var elements: [PatternElement?] = []
    var rest: Pattern?
    while !tok.isPunct("]") {
      if tok.isPunct(",") {
        advance()
        elements.append(nil)
        continue
      }
      if tok.isPunct("...") {
        advance()
        rest = try parseBindingTarget()
        if !tok.isPunct("]") {
          if tok.kind == .eof { throw expected("']'", "after rest element") }
          throw error("a rest element must be last", incomplete: false)
        }
        break
      }
      let target = try parseBindingTarget()
      elements.append(PatternElement(target: target, defaultValue: try parseBindingDefault()))
      if tok.isPunct(",") {
        advance()
      } else if !tok.isPunct("]") {
        throw expected("',' or ']'", "in array pattern")
      }
    }
    advance()
    return .array(elements, rest: rest, span(start))
  }

  /// ObjectBindingPattern := '{' (BindingProperty (',' BindingProperty)*)? (',' '...' Identifier)? '}'
  /// BindingProperty := Identifier ('=' default)? | PropertyName ':' BindingTarget ('=' default)?
  private func parseObjectBindingPattern() throws -> Pattern {
    let start = tok.range.start
    advance()
    var props: [PatternProperty] = []
    var rest: Pattern?
    while !tok.isPunct("}") {
      if tok.isPunct("...") {
        advance()
        let restStart = tok.range.start
        let name = try parseBindingIdentifier()
        rest = .identifier(name, span(restStart))
        if !tok.isPunct("}") {
          if tok.kind == .eof { throw expected("'}'", "after rest property") }
          throw error("a rest property must be last", incomplete: false)
        }
        break
      }
      let keyTok = tok
      let key = try parsePropertyKey()
      let target: Pattern
      if tok.isPunct(":") {
        advance()
        target = try parseBindingTarget()
      } else if keyTok.kind == .name {
        guard !reservedWords.contains(keyTok.text) else {
          throw error("expected variable name, found '\(keyTok.text)'", at: keyTok, incomplete: false)
        }
        target = .identifier(keyTok.text, keyTok.range)
      } else {
        throw expected("':'", "after property name in object pattern")
      }
      props.append(PatternProperty(key: key, value: PatternElement(
        target: target, defaultValue: try parseBindingDefault())))
      if tok.isPunct(",") {
        advance()
      } else if !tok.isPunct("}") {
        throw expected("',' or '}'", "in object pattern")
      }
    }
    advance()
    return .object(props, rest: rest, span(start))
  }

  // MARK: - Expressions as patterns

  /// Reinterprets an expression as an assignment target: a name, a member
  /// expression, or an array/object literal read as a destructuring pattern.
  func toAssignmentPattern(_ e: Expr, destructuring: Bool) throws -> Pattern {
    let invalid = destructuring ? "invalid destructuring target" : "invalid assignment target"
    switch e.kind {
    case .identifier(let name):
      return .identifier(name, e.range)
    case .member, .index, .superMember:
      return .expression(e)
    case .array(let items) where !parenthesized.contains(e.range):
      var elements: [PatternElement?] = []
      var rest: Pattern?
      for (i, item) in items.enumerated() {
        switch item {
        case .hole: elements.append(nil)
        case .expr(let x): elements.append(try toPatternElement(x))
        case .spread(let x):
          guard i == items.count - 1 else {
            throw error("a rest element must be last", range: x.range)
          }
          if case .assign = x.kind {
            throw error("a rest element cannot have a default value", range: x.range)
          }
          rest = try toAssignmentPattern(x, destructuring: true)
        }
      }
      return .array(elements, rest: rest, e.range)
    case .object(let items) where !parenthesized.contains(e.range):
      var props: [PatternProperty] = []
      var rest: Pattern?
      for (i, item) in items.enumerated() {
        switch item {
        case .property(let key, let value):
          props.append(PatternProperty(key: key, value: try toPatternElement(value)))
        case .spread(let x):
          guard i == items.count - 1 else {
            throw error("a rest property must be last", range: x.range)
          }
          switch x.kind {
          case .identifier, .member, .index: rest = try toAssignmentPattern(x, destructuring: true)
          default: throw error("invalid rest property target", range: x.range)
          }
        case .method(_, let f), .getter(_, let f), .setter(_, let f):
          throw error("invalid destructuring target", range: f.range)
        }
      }
      return .object(props, rest: rest, e.range)
    default:
      throw error(invalid, range: e.range)
    }
  }

  /// An element of a pattern: `target` or `target = default`.
  private func toPatternElement(_ e: Expr) throws -> PatternElement {
    if case .assign(.assign, let target, let value) = e.kind, !parenthesized.contains(e.range) {
      return PatternElement(target: target, defaultValue: value)
    }
    return PatternElement(target: try toAssignmentPattern(e, destructuring: true), defaultValue: nil)
  }

  /// Reinterprets an expression as a binding pattern (arrow parameters):
  /// like an assignment pattern, but only names may be bound.
  func toBindingPattern(_ e: Expr) throws -> Pattern {
    let p = try toAssignmentPattern(e, destructuring: true)
    try checkBinding(p)
    return p
  }

  /// One arrow parameter from the cover list: `a`, `a = 1`, `{a, b}`, `[x, y] = []`.
  func toParameter(_ e: Expr) throws -> PatternElement {
    if case .assign(.assign, let target, let value) = e.kind, !parenthesized.contains(e.range) {
      try checkBinding(target)
      return PatternElement(target: target, defaultValue: value)
    }
    if case .assign = e.kind { throw error("invalid parameter", range: e.range) }
    return PatternElement(target: try toBindingPattern(e), defaultValue: nil)
  }

  private func checkBinding(_ p: Pattern) throws {
    switch p {
    case .identifier(let name, let r):
      if reservedWords.contains(name) { throw error("'\(name)' cannot be a parameter name", range: r) }
    case .expression(let e):
      throw error("invalid destructuring target", range: e.range)
    case .array(let elements, let rest, _):
      for el in elements { if let el { try checkBinding(el.target) } }
      if let rest { try checkBinding(rest) }
    case .object(let props, let rest, _):
      for prop in props { try checkBinding(prop.value.target) }
      if let rest { try checkBinding(rest) }
    }
  }
}
