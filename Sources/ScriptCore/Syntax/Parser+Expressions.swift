// Expressions, from the comma operator down to primary expressions.

extension Parser {
  // MARK: - Comma, assignment, conditional

  /// Expression := AssignmentExpression (',' AssignmentExpression)*
  func parseExpression() throws -> Expr {
    let first = try parseAssignment()
    guard tok.isPunct(",") else { return first }
    var items = [first]
    while tok.isPunct(",") {
      advance()
      items.append(try parseAssignment())
    }
    return Expr(.sequence(items), span(first.range.start))
  }

  /// AssignmentExpression := ArrowFunction | ConditionalExpression
  ///   | LeftHandSide AssignmentOperator AssignmentExpression
  ///
  /// `cover` is true where the expression may still turn into a pattern
  /// (array elements, property values, parenthesised lists); `{a = 1}` is
  /// then left for the enclosing rule to accept or reject.
  func parseAssignment(cover: Bool = false) throws -> Expr {
    let start = tok.range.start
    let pendingBase = pendingShorthandInits.count
    let left = try parseConditional()
    if lastWasBareArrow { return left }
    if tok.kind == .punct, let op = AssignOperator(rawValue: tok.text) {
      let target: Pattern
      if op == .assign {
        target = try toAssignmentPattern(left, destructuring: false)
        pendingShorthandInits.removeSubrange(pendingBase...)
      } else {
        guard isSimpleAssignmentTarget(left) else {
          throw error("invalid assignment target", range: left.range)
        }
        target = try toAssignmentPattern(left, destructuring: false)
      }
      advance()
      let value = try nested { try parseAssignment() }
      return Expr(.assign(op, target: target, value: value), span(start))
    }
    if !cover { try checkShorthandInits(since: pendingBase) }
    return left
  }

  /// Reports a `{a = 1}` that did not become a destructuring pattern.
  func checkShorthandInits(since base: Int) throws {
    if pendingShorthandInits.count > base {
      let r = pendingShorthandInits[base]
      pendingShorthandInits.removeSubrange(base...)
      throw error("invalid shorthand property initializer ('=' is only valid in destructuring)",
                  range: r)
    }
  }

  /// An identifier or a member/index expression (not an optional chain).
  func isSimpleAssignmentTarget(_ e: Expr) -> Bool {
    switch e.kind {
    case .identifier, .member, .index, .superMember: return true
    default: return false
    }
  }

  /// ConditionalExpression := ShortCircuitExpression ('?' AssignmentExpression ':' AssignmentExpression)?
  private func parseConditional() throws -> Expr {
    let start = tok.range.start
    let test = try parseBinary(0)
    if lastWasBareArrow || !tok.isPunct("?") { return test }
    advance()
    let then = try nested { try withIn { try parseAssignment() } }
    try expect(":", "in conditional expression")
    let otherwise = try nested { try parseAssignment() }
    return Expr(.conditional(test: test, then: then, else: otherwise), span(start))
  }

  // MARK: - Binary operators

  private enum BinaryKind {
    case binary(BinaryOperator)
    case logical(LogicalOperator)
  }

  /// The precedence of the binary operator at the current token (higher binds tighter).
  private func binaryOperatorInfo() -> (Int, BinaryKind)? {
    switch tok.kind {
    case .punct:
      switch tok.text {
      case "??": return (1, .logical(.nullish))
      case "||": return (1, .logical(.or))
      case "&&": return (2, .logical(.and))
      case "|": return (3, .binary(.bitOr))
      case "^": return (4, .binary(.bitXor))
      case "&": return (5, .binary(.bitAnd))
      case "==", "!=", "===", "!==":
        return (6, .binary(BinaryOperator(rawValue: tok.text) ?? .equal))
      case "<", ">", "<=", ">=": return (7, .binary(BinaryOperator(rawValue: tok.text) ?? .less))
      case "<<", ">>", ">>>": return (8, .binary(BinaryOperator(rawValue: tok.text) ?? .shiftLeft))
      case "+", "-": return (9, .binary(tok.text == "+" ? .add : .subtract))
      case "*", "/", "%":
        return (10, .binary(BinaryOperator(rawValue: tok.text) ?? .multiply))
      case "**": return (11, .binary(.power))
      default: return nil
      }
    case .name where !tok.escaped:
      if tok.text == "instanceof" { return (7, .binary(.instanceof)) }
      if tok.text == "in" && !noIn { return (7, .binary(.in)) }
      return nil
    default:
      return nil
    }
  }

  /// BinaryExpression := UnaryExpression (BinaryOperator UnaryExpression)*, by
  /// precedence climbing; `**` is right-associative.
  private func parseBinary(_ minPrecedence: Int) throws -> Expr {
    let start = tok.range.start
    var left = try parseUnary()
    var chain = 0
    while !lastWasBareArrow, let (prec, kind) = binaryOperatorInfo(), prec >= minPrecedence {
      let opTok = tok
      if prec == 11, isUnparenthesizedUnary(left, start: start) {
        throw error("unary operator before '**' needs parentheses", range: left.range)
      }
      if case .logical(let op) = kind, mixesNullish(op, left) {
        throw error("cannot mix '??' with '||' or '&&' without parentheses", at: opTok,
                    incomplete: false)
      }
      advance()
      let right = prec == 11 ? try nested { try parseBinary(prec) } : try parseBinary(prec + 1)
      chain += 1
      if depth + chain > Self.maxDepth {
        throw error("nesting is too deep", at: opTok, incomplete: false)
      }
      switch kind {
      case .binary(let op):
        left = Expr(.binary(op, left, right), span(start))
      case .logical(let op):
        if mixesNullish(op, right) {
          throw error("cannot mix '??' with '||' or '&&' without parentheses", at: opTok,
                      incomplete: false)
        }
        left = Expr(.logical(op, left, right), span(start))
      }
    }
    return left
  }

  /// True when `e` is an unparenthesised logical expression that cannot be
  /// combined with `op` (`??` with `||` or `&&`).
  private func mixesNullish(_ op: LogicalOperator, _ e: Expr) -> Bool {
    guard case .logical(let o, _, _) = e.kind, !parenthesized.contains(e.range) else {
      return false
    }
    return op == .nullish ? o != .nullish : o == .nullish
  }

  private func isUnparenthesizedUnary(_ e: Expr, start: SourceLocation) -> Bool {
    switch e.kind {
    case .unary, .await: return !parenthesized.contains(e.range)
    default: return false
    }
  }

  // MARK: - Unary and update

  /// UnaryExpression := ('delete' | 'void' | 'typeof' | '+' | '-' | '~' | '!' | 'await')
  ///   UnaryExpression | UpdateExpression
  /// UpdateExpression := ('++' | '--') UnaryExpression | LeftHandSide ('++' | '--')?
  private func parseUnary() throws -> Expr {
    let start = tok.range.start
    if tok.kind == .punct {
      switch tok.text {
      case "!", "~", "+", "-":
        let op = UnaryOperator(rawValue: tok.text) ?? .not
        advance()
        let operand = try nested { try parseUnary() }
        return Expr(.unary(op, operand), span(start))
      case "++", "--":
        let op: UpdateOperator = tok.text == "++" ? .increment : .decrement
        advance()
        let operand = try nested { try parseUnary() }
        guard isSimpleAssignmentTarget(operand) else {
          throw error("invalid target for '\(op.rawValue)'", range: operand.range)
        }
        return Expr(.update(op, prefix: true, target: operand), span(start))
      default:
        break
      }
    } else if tok.kind == .name && !tok.escaped {
      switch tok.text {
      case "typeof", "void", "delete":
        let op = UnaryOperator(rawValue: tok.text) ?? .typeof
        advance()
        let operand = try nested { try parseUnary() }
        if op == .delete, case .identifier = operand.kind {
          throw error("cannot delete a variable ('delete' needs a property)", range: operand.range)
        }
        return Expr(.unary(op, operand), span(start))
      case "await":
        let kw = tok
        if !context.awaitAllowed {
          throw error("'await' is only valid in async functions and at the top level", at: kw,
                      incomplete: false)
        }
        advance()
        if !context.inFunction { isModule = true }
        let operand = try nested { try parseUnary() }
        return Expr(.await(operand), span(start))
      default:
        break
      }
    }
    let expr = try parseLeftHandSide()
    if lastWasBareArrow { return expr }
    if tok.kind == .punct && (tok.text == "++" || tok.text == "--") && !tok.newlineBefore {
      let op: UpdateOperator = tok.text == "++" ? .increment : .decrement
      guard isSimpleAssignmentTarget(expr) else {
        throw error("invalid target for '\(op.rawValue)'", range: expr.range)
      }
      advance()
      return Expr(.update(op, prefix: false, target: expr), span(start))
    }
    return expr
  }

  // MARK: - Calls and members

  /// LeftHandSide := (NewExpression | 'super' ... | PrimaryExpression)
  ///   ('.' Name | '?.' ... | '[' Expression ']' | Arguments | Template)*
  func parseLeftHandSide() throws -> Expr {
    let start = tok.range.start
    var e: Expr
    if tok.isWord("new") {
      e = try parseNew()
      lastWasBareArrow = false
    } else if tok.isWord("super") {
      e = try parseSuper()
      lastWasBareArrow = false
    } else {
      e = try parsePrimary()
      if lastWasBareArrow { return e }
    }
    var optional = false
    var chain = 0
    while true {
      if tok.isPunct(".") {
        advance()
        let name = try parsePropertyNameAfterDot()
        e = Expr(.member(object: e, name: name, optional: false), span(start))
      } else if tok.isPunct("?.") {
        advance()
        optional = true
        if tok.isPunct("(") {
          let args = try parseArguments()
          e = Expr(.call(callee: e, arguments: args, optional: true), span(start))
        } else if tok.isPunct("[") {
          advance()
          let index = try nested { try withIn { try parseExpression() } }
          try expect("]", "after index")
          e = Expr(.index(object: e, index: index, optional: true), span(start))
        } else if tok.kind == .template {
          throw error("tagged templates cannot be used in an optional chain", incomplete: false)
        } else {
          let name = try parsePropertyNameAfterDot()
          e = Expr(.member(object: e, name: name, optional: true), span(start))
        }
      } else if tok.isPunct("[") {
        advance()
        let index = try nested { try withIn { try parseExpression() } }
        try expect("]", "after index")
        e = Expr(.index(object: e, index: index, optional: false), span(start))
      } else if tok.isPunct("(") {
        let args = try parseArguments()
        e = Expr(.call(callee: e, arguments: args, optional: false), span(start))
      } else if tok.kind == .template {
        if optional {
          throw error("tagged templates cannot be used in an optional chain", incomplete: false)
        }
        let (quasis, exprs, raws, _) = try parseTemplateParts()
        e = Expr(.taggedTemplate(tag: e, quasis: quasis, raws: raws, expressions: exprs), span(start))
      } else {
        break
      }
      lastWasBareArrow = false
      chain += 1
      if depth + chain > Self.maxDepth { throw error("nesting is too deep", incomplete: false) }
    }
    if optional { e = Expr(.optionalChain(e), e.range) }
    return e
  }

  /// The name after `.` or `?.`: any identifier name, keywords included.
  private func parsePropertyNameAfterDot() throws -> String {
    guard tok.kind == .name else {
      if tok.kind == .eof { throw error("expected property name after '.', found end of input") }
      throw expected("property name", "after '.'")
    }
    let name = tok.text
    advance()
    return name
  }

  /// NewExpression := 'new' (NewExpression | MemberExpression) Arguments?
  private func parseNew() throws -> Expr {
    try enterNesting()
    defer { depth -= 1 }
    let start = tok.range.start
    advance()
    if tok.isPunct(".") { throw error("'new.target' is not supported", incomplete: false) }
    var callee: Expr
    if tok.isWord("new") {
      callee = try parseNew()
    } else if tok.isWord("super") {
      throw error("'new super' is not allowed", incomplete: false)
    } else {
      callee = try parsePrimary()
      if lastWasBareArrow { throw error("an arrow function cannot be called with 'new'", range: callee.range) }
    }
    while true {
      if tok.isPunct(".") {
        advance()
        let name = try parsePropertyNameAfterDot()
        callee = Expr(.member(object: callee, name: name, optional: false), span(callee.range.start))
      } else if tok.isPunct("[") {
        advance()
        let index = try nested { try withIn { try parseExpression() } }
        try expect("]", "after index")
        callee = Expr(.index(object: callee, index: index, optional: false), span(callee.range.start))
      } else if tok.kind == .template {
        let (quasis, exprs, raws, _) = try parseTemplateParts()
        callee = Expr(.taggedTemplate(tag: callee, quasis: quasis, raws: raws, expressions: exprs),
                      span(callee.range.start))
      } else if tok.isPunct("?.") {
        throw error("optional chaining is not allowed in a 'new' expression", incomplete: false)
      } else {
        break
      }
    }
    let args = tok.isPunct("(") ? try parseArguments() : []
    return Expr(.new(callee: callee, arguments: args), span(start))
  }

  /// SuperCall := 'super' Arguments    SuperProperty := 'super' ('.' Name | '[' Expression ']')
  private func parseSuper() throws -> Expr {
    let start = tok.range.start
    let kw = tok
    advance()
    if tok.isPunct("(") {
      if !context.superCall {
        throw error("'super()' is only valid in the constructor of a class that extends another",
                    at: kw, incomplete: false)
      }
      let args = try parseArguments()
      return Expr(.superCall(args), span(start))
    }
    if !context.superProperty {
      throw error("'super' is only valid inside methods", at: kw, incomplete: false)
    }
    if tok.isPunct(".") {
      advance()
      let name = try parsePropertyNameAfterDot()
      return Expr(.superMember(.named(name)), span(start))
    }
    if tok.isPunct("[") {
      advance()
      let index = try nested { try withIn { try parseExpression() } }
      try expect("]", "after index")
      return Expr(.superMember(.computed(index)), span(start))
    }
    throw expected("'(', '.' or '['", "after 'super'")
  }

  /// Arguments := '(' (('...')? AssignmentExpression (',' ...)* ','?)? ')'
  func parseArguments(cover: Bool = false) throws -> [Argument] {
    try enterNesting()
    defer { depth -= 1 }
    advance()
    var args: [Argument] = []
    try withIn {
      while !tok.isPunct(")") {
        if tok.isPunct("...") {
          advance()
          args.append(.spread(try parseAssignment(cover: cover)))
        } else {
          args.append(.expr(try parseAssignment(cover: cover)))
        }
        if tok.isPunct(",") {
          advance()
        } else if !tok.isPunct(")") {
          throw expected("')'", "after arguments")
        }
      }
    }
    advance()
    return args
  }
}
