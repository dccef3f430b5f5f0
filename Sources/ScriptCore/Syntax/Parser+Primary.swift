// Primary expressions: literals, names, parenthesised expressions and arrow
// functions (through the cover grammar), array literals and templates.

extension Parser {
  // MARK: - Primary expressions

  /// PrimaryExpression := 'this' | Identifier | Literal | ArrayLiteral | ObjectLiteral
  ///   | FunctionExpression | ClassExpression | TemplateLiteral | RegularExpressionLiteral
  ///   | '(' Expression ')' | ArrowFunction | AsyncArrowFunction
  func parsePrimary() throws -> Expr {
    lastWasBareArrow = false
    let e = try parsePrimaryInner()
    if case .function(let f) = e.kind, f.isArrow, !parenthesized.contains(e.range) {
      lastWasBareArrow = true
    } else {
      lastWasBareArrow = false
    }
    return e
  }

  private func parsePrimaryInner() throws -> Expr {
    let start = tok.range.start
    switch tok.kind {
    case .number:
      let v = tok.number
      advance()
      return Expr(.number(v), span(start))
    case .string:
      let v = tok.value
      advance()
      return Expr(.string(v), span(start))
    case .template:
      let (quasis, exprs, _, escapeErrors) = try parseTemplateParts()
      reportErrors(escapeErrors)
      return Expr(.template(quasis: quasis.map { $0 ?? "" }, expressions: exprs), span(start))
    case .regex:
      let (p, f) = (tok.value, tok.flags)
      advance()
      return Expr(.regex(pattern: p, flags: f), span(start))
    case .punct:
      switch tok.text {
      case "/", "/=":
        rescanAsRegex()
        let (p, f) = (tok.value, tok.flags)
        advance()
        return Expr(.regex(pattern: p, flags: f), span(start))
      case "(": return try parseParenthesized()
      case "[": return try parseArrayLiteral()
      case "{": return try parseObjectLiteral()
      default: throw expected("expression")
      }
    case .eof:
      throw error("unexpected end of input")
    case .name:
      return try parseNamePrimary()
    }
  }

  private func parseNamePrimary() throws -> Expr {
    let start = tok.range.start
    let name = tok.text
    if !tok.escaped {
      switch name {
      case "this":
        advance()
        return Expr(.this, span(start))
      case "null":
        advance()
        return Expr(.null, span(start))
      case "true", "false":
        advance()
        return Expr(.bool(name == "true"), span(start))
      case "function":
        let f = try parseFunction(isAsync: false, start: start, requireName: false)
        return Expr(.function(f), span(start))
      case "class":
        let c = try parseClass(requireName: false)
        return Expr(.class(c), span(start))
      case "async":
        let next = peek()
        if !next.newlineBefore {
          if next.isWord("function") {
            advance()
            let f = try parseFunction(isAsync: true, start: start, requireName: false)
            return Expr(.function(f), span(start))
          }
          if next.kind == .name && !reservedWords.contains(next.text) {
            // async x => ...
            advance()
            let paramTok = tok
            advance()
            guard tok.isPunct("=>") && !tok.newlineBefore else {
              throw expected("'=>'", "after async arrow parameter")
            }
            let params = [PatternElement(target: .identifier(paramTok.text, paramTok.range),
                                         defaultValue: nil)]
            return try parseArrowBody(params: params, rest: nil, isAsync: true, start: start)
          }
          if next.isPunct("(") {
            return try parseAsyncCallOrArrow()
          }
        }
      default:
        break
      }
    }
    if reservedWords.contains(name) {
      if tok.escaped {
        throw error("keywords cannot contain escape sequences", incomplete: false)
      }
      throw expected("expression")
    }
    let nameTok = tok
    advance()
    if tok.isPunct("=>") && !tok.newlineBefore {
      let params = [PatternElement(target: .identifier(name, nameTok.range), defaultValue: nil)]
      return try parseArrowBody(params: params, rest: nil, isAsync: false, start: start)
    }
    return Expr(.identifier(name), span(start))
  }

  /// `async(...)`: a call of a function named `async`, or an async arrow's parameters.
  private func parseAsyncCallOrArrow() throws -> Expr {
    let start = tok.range.start
    let asyncTok = tok
    advance()
    let pendingBase = pendingShorthandInits.count
    let args = try parseArguments(cover: true)
    if tok.isPunct("=>") && !tok.newlineBefore {
      pendingShorthandInits.removeSubrange(pendingBase...)
      var items: [Expr] = []
      var rest: Pattern?
      for (i, a) in args.enumerated() {
        switch a {
        case .expr(let e): items.append(e)
        case .spread(let e):
          guard i == args.count - 1 else {
            throw error("a rest parameter must be last", range: e.range)
          }
          rest = try toBindingPattern(e)
        }
      }
      let params = try items.map { try toParameter($0) }
      return try parseArrowBody(params: params, rest: rest, isAsync: true, start: start)
    }
    try checkShorthandInits(since: pendingBase)
    let callee = Expr(.identifier("async"), asyncTok.range)
    return Expr(.call(callee: callee, arguments: args, optional: false), span(start))
  }

  /// '(' Expression ')' or an arrow function's parameter list (cover grammar).
  private func parseParenthesized() throws -> Expr {
    let start = tok.range.start
    try enterNesting()
    defer { depth -= 1 }
    advance()
    if tok.isPunct(")") {
      advance()
      guard tok.isPunct("=>") && !tok.newlineBefore else {
        throw expected("'=>'", "after '()'")
      }
      return try parseArrowBody(params: [], rest: nil, isAsync: false, start: start)
    }
    let pendingBase = pendingShorthandInits.count
    var items: [Expr] = []
    var rest: Pattern?
    var trailingComma: Token?
    try withIn {
      while true {
        if tok.isPunct("...") {
          advance()
          rest = try parseBindingTarget()
          if !tok.isPunct(")") {
            throw error("a rest parameter must be last", at: tok, incomplete: tok.kind == .eof)
          }
          break
        }
        items.append(try parseAssignment(cover: true))
        if tok.isPunct(",") {
          let comma = tok
          advance()
          if tok.isPunct(")") {
            trailingComma = comma
            break
          }
        } else {
          break
        }
      }
    }
    try expect(")", "after expression")
    if tok.isPunct("=>") && !tok.newlineBefore {
      pendingShorthandInits.removeSubrange(pendingBase...)
      let params = try items.map { try toParameter($0) }
      return try parseArrowBody(params: params, rest: rest, isAsync: false, start: start)
    }
    if rest != nil || trailingComma != nil {
      throw expected("'=>'", "after arrow function parameters")
    }
    try checkShorthandInits(since: pendingBase)
    let inner: Expr
    if items.count == 1, let only = items.first {
      inner = only
    } else {
      let first = items.first?.range.start ?? start
      let last = items.last?.range.end ?? start
      inner = Expr(.sequence(items), SourceRange(start: first, end: last))
    }
    parenthesized.insert(inner.range)
    return inner
  }

  /// ArrayLiteral := '[' (AssignmentExpression | '...' AssignmentExpression | hole) ,... ']'
  private func parseArrayLiteral() throws -> Expr {
    let start = tok.range.start
    try enterNesting()
    defer { depth -= 1 }
    advance()
    var elements: [ArrayElement] = []
    try withIn {
      while !tok.isPunct("]") {
        if tok.isPunct(",") {
          advance()
          elements.append(.hole)
          continue
        }
        if tok.isPunct("...") {
          advance()
          elements.append(.spread(try parseAssignment(cover: true)))
        } else {
          elements.append(.expr(try parseAssignment(cover: true)))
        }
        if tok.isPunct(",") {
          advance()
        } else if !tok.isPunct("]") {
          throw expected("',' or ']'", "after array element")
        }
      }
    }
    advance()
    return Expr(.array(elements), span(start))
  }

  // MARK: - Templates

  /// TemplateLiteral := '`' chars ('${' Expression '}' chars)* '`'; the current
  /// token is the head chunk.
  func parseTemplateParts() throws -> (
    cooked: [String?], expressions: [Expr], raw: [String], escapeErrors: [PendingDiagnostic]
  ) {
    let literalStart = tok.range.start
    var quasis: [String?] = [tok.escapeErrors.isEmpty ? tok.value : nil]
    var raws = [tok.raw]
    var escapeErrors = tok.escapeErrors
    var exprs: [Expr] = []
    var chunk = tok
    advance()
    while !chunk.templateTail {
      let e = try nested { try withIn { try parseExpression() } }
      exprs.append(e)
      guard tok.isPunct("}") else {
        throw expected("'}'", "after template substitution")
      }
      rescanAsTemplateContinuation(literalStart: literalStart)
      chunk = tok
      quasis.append(tok.escapeErrors.isEmpty ? tok.value : nil)
      raws.append(tok.raw)
      escapeErrors += tok.escapeErrors
      advance()
    }
    return (quasis, exprs, raws, escapeErrors)
  }
}
