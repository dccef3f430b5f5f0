// Statements and declarations.

extension Parser {
  // MARK: - Statements

  /// Statement := Block | VariableStatement | FunctionDeclaration | ClassDeclaration
  ///   | IfStatement | loops | ... | LabelledStatement | ExpressionStatement
  ///   | ImportDeclaration | ExportDeclaration (top level only)
  func parseStatement(topLevel: Bool = false) throws -> Stmt {
    try enterNesting()
    defer { depth -= 1 }
    let start = tok.range.start
    switch tok.kind {
    case .punct:
      if tok.isPunct("{") { return Stmt(.block(try parseBlock("to close block")), span(start)) }
      if tok.isPunct(";") {
        advance()
        return Stmt(.empty, span(start))
      }
    case .name where !tok.escaped:
      switch tok.text {
      case "var", "const":
        let kind: DeclarationKind = tok.text == "var" ? .var : .const
        let decl = try parseVariableDeclaration(kind, inForHead: false)
        try consumeSemicolon(after: "variable declaration")
        return Stmt(.variable(decl), span(start))
      case "let":
        let next = peek()
        if next.kind == .name || next.isPunct("[") || next.isPunct("{") {
          let decl = try parseVariableDeclaration(.let, inForHead: false)
          try consumeSemicolon(after: "variable declaration")
          return Stmt(.variable(decl), span(start))
        }
      case "function":
        let f = try parseFunction(isAsync: false, start: start, requireName: true)
        return Stmt(.function(f), span(start))
      case "async":
        let next = peek()
        if next.isWord("function") && !next.newlineBefore {
          advance()
          let f = try parseFunction(isAsync: true, start: start, requireName: true)
          return Stmt(.function(f), span(start))
        }
      case "class":
        let c = try parseClass(requireName: true)
        return Stmt(.class(c), span(start))
      case "if": return try parseIf()
      case "for": return try parseFor()
      case "while":
        advance()
        try expect("(", "after 'while'")
        let test = try withIn { try parseExpression() }
        try expect(")", "after while condition")
        let body = try parseLoopBody()
        return Stmt(.while(test: test, body: body), span(start))
      case "do":
        advance()
        let body = try parseLoopBody()
        try expectWord("while", "after do-while body")
        try expect("(", "after 'while'")
        let test = try withIn { try parseExpression() }
        try expect(")", "after do-while condition")
        // A `;` after `do ... while (x)` is optional even on the same line.
        if tok.isPunct(";") { advance() }
        return Stmt(.doWhile(body: body, test: test), span(start))
      case "return":
        let kw = tok
        advance()
        if !context.inFunction {
          throw error("'return' is only valid inside functions", at: kw, incomplete: false)
        }
        var value: Expr?
        if !(tok.isPunct(";") || tok.isPunct("}") || tok.kind == .eof || tok.newlineBefore) {
          value = try parseExpression()
        }
        try consumeSemicolon(after: "return statement")
        return Stmt(.return(value), span(start))
      case "break", "continue":
        return try parseBreakContinue()
      case "throw":
        advance()
        if tok.newlineBefore {
          throw error("no line break is allowed after 'throw'", incomplete: tok.kind == .eof)
        }
        let value = try parseExpression()
        try consumeSemicolon(after: "throw statement")
        return Stmt(.throw(value), span(start))
      case "try": return try parseTry()
      case "switch": return try parseSwitch()
      case "import":
        let next = peek()
        if !next.isPunct("(") && !next.isPunct(".") {
          guard topLevel else {
            throw error("import declarations may only appear at the top level", incomplete: false)
          }
          return try parseImport()
        }
      case "export":
        guard topLevel else {
          throw error("export declarations may only appear at the top level", incomplete: false)
        }
        return try parseExport()
      case "debugger":
        advance()
        try consumeSemicolon(after: "debugger statement")
        return Stmt(.empty, span(start))
      case "with":
        throw error("'with' statements are not allowed", incomplete: false)
      default:
        if !reservedWords.contains(tok.text), peek().isPunct(":") {
          return try parseLabeled()
        }
      }
    default:
      break
    }
    // ExpressionStatement := Expression ';'
    let expr = try parseExpression()
    try consumeSemicolon(after: "expression")
    return Stmt(.expression(expr), span(start))
  }

  /// Block := '{' Statement* '}'
  func parseBlock(_ context: String) throws -> [Stmt] {
    let open = tok
    try expect("{", "")
    let body = parseStatementList(topLevel: false)
    guard tok.isPunct("}") else {
      if tok.kind == .eof {
        throw error("expected '}' \(context), found end of input")
      }
      throw error("expected '}' \(context) opened at \(open.range.start.line):\(open.range.start.column)")
    }
    advance()
    return body
  }

  /// The body of a loop: counts as inside a loop for `break` and `continue`.
  func parseLoopBody() throws -> Stmt {
    context.loopDepth += 1
    context.breakableDepth += 1
    defer {
      context.loopDepth -= 1
      context.breakableDepth -= 1
    }
    return try parseSubStatement()
  }

  /// The body of an `if`, a loop or a label: any statement but `let`, `const`
  /// and `class` declarations, whose scope would be unclear.
  private func parseSubStatement() throws -> Stmt {
    let isLexical = tok.isWord("const") || tok.isWord("class")
      || tok.isWord("let") && (peek().kind == .name || peek().isPunct("[") || peek().isPunct("{"))
    if isLexical {
      throw error("a '\(tok.text)' declaration cannot be the body of an if, loop or label",
                  incomplete: false)
    }
    return try parseStatement()
  }

  /// IfStatement := 'if' '(' Expression ')' Statement ('else' Statement)?
  private func parseIf() throws -> Stmt {
    let start = tok.range.start
    advance()
    try expect("(", "after 'if'")
    let test = try withIn { try parseExpression() }
    try expect(")", "after if condition")
    let then = try parseSubStatement()
    var otherwise: Stmt?
    if tok.isWord("else") {
      advance()
      otherwise = try parseSubStatement()
    }
    return Stmt(.if(test: test, then: then, else: otherwise), span(start))
  }

  /// ForStatement := 'for' '(' (ForInit? ';' Expression? ';' Expression?
  ///   | ForHead ('of' AssignmentExpression | 'in' Expression)) ')' Statement
  private func parseFor() throws -> Stmt {
    let start = tok.range.start
    advance()
    if tok.isWord("await") { throw error("'for await' loops are not supported", incomplete: false) }
    try expect("(", "after 'for'")
    var initClause: ForInit?
    if tok.isPunct(";") {
      // no initialiser
    } else if isDeclarationStart() {
      let kind: DeclarationKind = tok.text == "var" ? .var : tok.text == "let" ? .let : .const
      let decl = try withNoIn { try parseVariableDeclaration(kind, inForHead: true) }
      if tok.isWord("of") || tok.isWord("in") {
        let isOf = tok.isWord("of")
        guard decl.declarators.count == 1, let only = decl.declarators.first else {
          throw error("only one variable may be declared in a for-\(isOf ? "of" : "in") loop",
                      range: decl.range)
        }
        if only.initializer != nil {
          throw error("for-\(isOf ? "of" : "in") loop variable declaration may not have an initializer",
                      range: decl.range)
        }
        return try parseForInOfRest(.declaration(kind, only.target), isOf: isOf, start: start)
      }
      for d in decl.declarators where d.initializer == nil {
        if kind == .const {
          throw error("missing initializer in const declaration", range: d.target.range)
        }
        if case .identifier = d.target {} else {
          throw error("missing initializer in destructuring declaration", range: d.target.range)
        }
      }
      initClause = .declaration(decl)
    } else {
      let pendingBase = pendingShorthandInits.count
      let first = try withNoIn { try parseAssignment(cover: true) }
      if !lastWasBareArrow && (tok.isWord("of") || tok.isWord("in")) {
        let isOf = tok.isWord("of")
        let target = try toAssignmentPattern(first, destructuring: false)
        pendingShorthandInits.removeSubrange(pendingBase...)
        return try parseForInOfRest(.target(target), isOf: isOf, start: start)
      }
      try checkShorthandInits(since: pendingBase)
      var expr = first
      if tok.isPunct(",") {
        var items = [first]
        while tok.isPunct(",") {
          advance()
          items.append(try withNoIn { try parseAssignment() })
        }
        expr = Expr(.sequence(items), span(first.range.start))
      }
      initClause = .expression(expr)
    }
    try expect(";", "after for loop initializer")
    let test = tok.isPunct(";") ? nil : try withIn { try parseExpression() }
    try expect(";", "after for loop condition")
    let update = tok.isPunct(")") ? nil : try withIn { try parseExpression() }
    try expect(")", "after for loop clauses")
    let body = try parseLoopBody()
    return Stmt(.for(init: initClause, test: test, update: update, body: body), span(start))
  }

  private func parseForInOfRest(_ head: ForHead, isOf: Bool, start: SourceLocation) throws -> Stmt {
    advance()
    let right = try withIn { isOf ? try parseAssignment() : try parseExpression() }
    try expect(")", "after for-\(isOf ? "of" : "in") clause")
    let body = try parseLoopBody()
    return Stmt(isOf ? .forOf(head, right, body: body) : .forIn(head, right, body: body), span(start))
  }

  /// True at `var`, `const`, or `let` followed by a name or pattern.
  private func isDeclarationStart() -> Bool {
    if tok.isWord("var") || tok.isWord("const") { return true }
    if tok.isWord("let") {
      let n = peek()
      return n.kind == .name && !n.isWord("in") && !n.isWord("of") || n.isPunct("[") || n.isPunct("{")
    }
    return false
  }

  func withNoIn<T>(_ body: () throws -> T) rethrows -> T {
    let saved = noIn
    noIn = true
    defer { noIn = saved }
    return try body()
  }

  /// BreakStatement := 'break' Label? ';'   ContinueStatement := 'continue' Label? ';'
  private func parseBreakContinue() throws -> Stmt {
    let start = tok.range.start
    let kw = tok
    let isBreak = tok.text == "break"
    advance()
    var label: String?
    if tok.kind == .name && !tok.newlineBefore && !reservedWords.contains(tok.text) {
      let l = tok
      label = tok.text
      advance()
      if !context.labels.contains(l.text) {
        throw error("undefined label '\(l.text)'", at: l, incomplete: false)
      }
    } else if isBreak && context.breakableDepth == 0 {
      throw error("'break' is only valid inside a loop or switch", at: kw, incomplete: false)
    } else if !isBreak && context.loopDepth == 0 {
      throw error("'continue' is only valid inside a loop", at: kw, incomplete: false)
    }
    try consumeSemicolon(after: isBreak ? "break statement" : "continue statement")
    return Stmt(isBreak ? .break(label: label) : .continue(label: label), span(start))
  }

  /// LabelledStatement := Identifier ':' Statement
  private func parseLabeled() throws -> Stmt {
    let start = tok.range.start
    let name = tok.text
    if context.labels.contains(name) {
      throw error("label '\(name)' is already declared", incomplete: false)
    }
    advance()
    advance()  // ':'
    context.labels.append(name)
    defer { context.labels.removeLast() }
    let body = try parseSubStatement()
    return Stmt(.labeled(name, body), span(start))
  }

  /// TryStatement := 'try' Block ('catch' ('(' BindingTarget ')')? Block)? ('finally' Block)?
  private func parseTry() throws -> Stmt {
    let start = tok.range.start
    advance()
    let body = try parseBlock("to close try block")
    var param: Pattern?
    var catchBody: [Stmt]?
    var finallyBody: [Stmt]?
    if tok.isWord("catch") {
      advance()
      if tok.isPunct("(") {
        advance()
        param = try parseBindingTarget()
        try expect(")", "after catch parameter")
      }
      catchBody = try parseBlock("to close catch block")
    }
    if tok.isWord("finally") {
      advance()
      finallyBody = try parseBlock("to close finally block")
    }
    if catchBody == nil && finallyBody == nil {
      throw expected("'catch' or 'finally'", "after try block")
    }
    return Stmt(.try(body: body, catchParameter: param, catchBody: catchBody, finally: finallyBody),
                span(start))
  }

  /// SwitchStatement := 'switch' '(' Expression ')' '{' (('case' Expression | 'default') ':' Statement*)* '}'
  private func parseSwitch() throws -> Stmt {
    let start = tok.range.start
    advance()
    try expect("(", "after 'switch'")
    let discriminant = try withIn { try parseExpression() }
    try expect(")", "after switch value")
    try expect("{", "to open switch body")
    var cases: [SwitchCase] = []
    var sawDefault = false
    context.breakableDepth += 1
    defer { context.breakableDepth -= 1 }
    while !tok.isPunct("}") {
      var test: Expr?
      if tok.isWord("case") {
        advance()
        test = try withIn { try parseExpression() }
      } else if tok.isWord("default") {
        if sawDefault {
          throw error("more than one default clause in switch statement", incomplete: false)
        }
        sawDefault = true
        advance()
      } else {
        throw expected("'case', 'default' or '}'", "in switch body")
      }
      try expect(":", test == nil ? "after 'default'" : "after case value")
      let body = parseStatementList(topLevel: false, inSwitchCase: true)
      if tok.kind == .eof { throw expected("'}'", "to close switch body") }
      cases.append(SwitchCase(test: test, body: body))
    }
    advance()
    return Stmt(.switch(discriminant, cases), span(start))
  }

  // MARK: - Variable declarations

  /// VariableDeclaration := ('var' | 'let' | 'const') BindingTarget ('=' AssignmentExpression)?
  ///   (',' BindingTarget ('=' AssignmentExpression)?)*
  func parseVariableDeclaration(_ kind: DeclarationKind, inForHead: Bool) throws
    -> VariableDeclaration
  {
    let start = tok.range.start
    advance()
    var declarators: [VariableDeclarator] = []
    repeat {
      if !declarators.isEmpty { advance() }
      if kind != .var && tok.isWord("let") {
        throw error("'let' cannot be used as a variable name", incomplete: false)
      }
      let target = try parseBindingTarget()
      try rejectTypeAnnotation()
      var initializer: Expr?
      if tok.isPunct("=") {
        advance()
        initializer = try parseAssignment()
      } else if !inForHead {
        if case .identifier = target {} else {
          throw error("missing initializer in destructuring declaration", range: target.range)
        }
        if kind == .const {
          throw error("missing initializer in const declaration", range: target.range)
        }
      }
      declarators.append(VariableDeclarator(target: target, initializer: initializer))
    } while tok.isPunct(",")
    return VariableDeclaration(kind: kind, declarators: declarators, range: span(start))
  }

  /// `x: number` pasted from TypeScript: say so instead of a puzzling error.
  func rejectTypeAnnotation() throws {
    if tok.isPunct(":") {
      throw error("type annotations are not supported (tl runs JavaScript, not TypeScript)",
                  incomplete: false)
    }
  }

  // MARK: - Modules

  /// ImportDeclaration := 'import' ModuleSpecifier ';'
  ///   | 'import' (Identifier (',' (NameSpaceImport | NamedImports))? | NameSpaceImport
  ///   | NamedImports) 'from' ModuleSpecifier ';'
  private func parseImport() throws -> Stmt {
    let start = tok.range.start
    advance()
    isModule = true
    if tok.kind == .string {
      let source = tok.value
      advance()
      try consumeSemicolon(after: "import declaration")
      let decl = ImportDeclaration(source: source, defaultBinding: nil, namespaceBinding: nil,
                                   named: [], range: span(start))
      return Stmt(.import(decl), span(start))
    }
    var defaultBinding: String?
    var namespace: String?
    var named: [ImportSpecifier] = []
    var needsMore = true
    if tok.kind == .name {
      defaultBinding = try parseBindingIdentifier()
      needsMore = false
      if tok.isPunct(",") {
        advance()
        needsMore = true
      }
    }
    if needsMore || tok.isPunct("*") || tok.isPunct("{") {
      if tok.isPunct("*") {
        advance()
        try expectWord("as", "after '*' in import")
        namespace = try parseBindingIdentifier()
      } else if tok.isPunct("{") {
        advance()
        while !tok.isPunct("}") {
          let imported = try parseModuleExportName()
          var local = imported
          if tok.isWord("as") {
            advance()
            local = try parseBindingIdentifier()
          } else if reservedWords.contains(imported) {
            throw error("'\(imported)' must be renamed with 'as' in an import", range: SourceRange(prevEnd))
          }
          named.append(ImportSpecifier(imported: imported, local: local))
          if !tok.isPunct("}") { try expect(",", "between imported names") }
        }
        advance()
      } else {
        throw expected("import clause", "after 'import'")
      }
    }
    try expectWord("from", "after import clause")
    guard tok.kind == .string else { throw expected("module name string", "after 'from'") }
    let source = tok.value
    advance()
    try consumeSemicolon(after: "import declaration")
    let decl = ImportDeclaration(source: source, defaultBinding: defaultBinding,
                                 namespaceBinding: namespace, named: named, range: span(start))
    return Stmt(.import(decl), span(start))
  }

  /// A name in `{ a as b }`: any word or a string.
  private func parseModuleExportName() throws -> String {
    if tok.kind == .name || tok.kind == .string {
      let n = tok.kind == .name ? tok.text : tok.value
      advance()
      return n
    }
    throw expected("name", "in import or export list")
  }

  /// ExportDeclaration := 'export' (VariableStatement | FunctionDeclaration | ClassDeclaration
  ///   | 'default' AssignmentExpression | NamedExports ('from' ModuleSpecifier)?
  ///   | '*' 'from' ModuleSpecifier)
  private func parseExport() throws -> Stmt {
    let start = tok.range.start
    advance()
    isModule = true
    if tok.isWord("default") {
      advance()
      let exprStart = tok.range.start
      var value: Expr
      if tok.isWord("function") {
        let f = try parseFunction(isAsync: false, start: exprStart, requireName: false)
        value = Expr(.function(f), span(exprStart))
      } else if tok.isWord("async") && peek().isWord("function") && !peek().newlineBefore {
        advance()
        let f = try parseFunction(isAsync: true, start: exprStart, requireName: false)
        value = Expr(.function(f), span(exprStart))
      } else if tok.isWord("class") {
        let c = try parseClass(requireName: false)
        value = Expr(.class(c), span(exprStart))
      } else {
        value = try parseAssignment()
        try consumeSemicolon(after: "export default")
      }
      return Stmt(.export(.defaultExpression(value)), span(start))
    }
    if tok.isPunct("*") {
      advance()
      if tok.isWord("as") { throw error("'export * as' is not supported", incomplete: false) }
      try expectWord("from", "after 'export *'")
      guard tok.kind == .string else { throw expected("module name string", "after 'from'") }
      let source = tok.value
      advance()
      try consumeSemicolon(after: "export declaration")
      return Stmt(.export(.all(from: source)), span(start))
    }
    if tok.isPunct("{") {
      advance()
      var specs: [ExportSpecifier] = []
      while !tok.isPunct("}") {
        let local = try parseModuleExportName()
        var exported = local
        if tok.isWord("as") {
          advance()
          exported = try parseModuleExportName()
        }
        specs.append(ExportSpecifier(local: local, exported: exported))
        if !tok.isPunct("}") { try expect(",", "between exported names") }
      }
      advance()
      var from: String?
      if tok.isWord("from") {
        advance()
        guard tok.kind == .string else { throw expected("module name string", "after 'from'") }
        from = tok.value
        advance()
      }
      try consumeSemicolon(after: "export declaration")
      return Stmt(.export(.named(specs, from: from)), span(start))
    }
    if tok.isWord("var") || tok.isWord("let") || tok.isWord("const") || tok.isWord("function")
      || tok.isWord("class") || tok.isWord("async")
    {
      let decl = try parseStatement()
      switch decl.kind {
      case .variable, .function, .class: break
      default: throw error("expected declaration after 'export'", range: decl.range)
      }
      return Stmt(.export(.declaration(decl)), span(start))
    }
    throw expected("declaration, 'default', '{' or '*'", "after 'export'")
  }
}
