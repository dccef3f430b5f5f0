// Functions, arrows, classes and object literals (everything with methods).

extension Parser {
  // MARK: - Function context

  /// What kind of function body is being entered (decides what `super` may do).
  enum FunctionKind {
    case plain, arrow, method, field
    case constructor(derived: Bool)
  }

  /// Runs `body` as the inside of a function: `return` allowed, `await` only
  /// when `isAsync`, no enclosing loops or labels; arrows keep the `super` rights
  /// of the enclosing function.
  func inFunction<T>(isAsync: Bool, kind: FunctionKind = .plain, _ body: () throws -> T) rethrows -> T {
    let saved = context
    let savedNoIn = noIn
    var inner = FunctionContext(awaitAllowed: isAsync, inFunction: true)
    switch kind {
    case .plain: break
    case .arrow:
      inner.superProperty = saved.superProperty
      inner.superCall = saved.superCall
    case .method, .field:
      inner.superProperty = true
    case .constructor(let derived):
      inner.superProperty = true
      inner.superCall = derived
    }
    context = inner
    noIn = false
    defer {
      context = saved
      noIn = savedNoIn
    }
    return try body()
  }

  // MARK: - Functions

  /// FunctionDeclaration / FunctionExpression :=
  ///   'async'? 'function' Identifier? '(' Parameters ')' '{' FunctionBody '}'
  /// The current token is `function` (`async` already consumed).
  func parseFunction(isAsync: Bool, start: SourceLocation, requireName: Bool) throws -> FunctionNode {
    try enterNesting()
    defer { depth -= 1 }
    advance()
    if tok.isPunct("*") {
      throw error("generator functions are not supported", incomplete: false)
    }
    var name: String?
    if tok.kind == .name {
      name = try parseBindingIdentifier()
    } else if requireName {
      throw expected("function name", "after 'function'")
    }
    let (params, rest, body) = try inFunction(isAsync: isAsync) {
      let (params, rest) = try parseParameters()
      let body = try parseBlock("to close function body")
      return (params, rest, body)
    }
    return FunctionNode(name: name, params: params, rest: rest, body: body, isArrow: false,
                        isAsync: isAsync, hasExpressionBody: false, range: span(start))
  }

  /// Parameters := '(' (BindingElement (',' BindingElement)* (',' '...' BindingTarget)? ','?)? ')'
  func parseParameters() throws -> ([PatternElement], Pattern?) {
    try expect("(", "before parameters")
    var params: [PatternElement] = []
    var rest: Pattern?
    while !tok.isPunct(")") {
      if tok.isPunct("...") {
        advance()
        rest = try parseBindingTarget()
        if !tok.isPunct(")") {
          if tok.kind == .eof { throw expected("')'", "after rest parameter") }
          throw error("a rest parameter must be last", incomplete: false)
        }
        break
      }
      let target = try parseBindingTarget()
      try rejectTypeAnnotation()
      var defaultValue: Expr?
      if tok.isPunct("=") {
        advance()
        defaultValue = try parseAssignment()
      }
      params.append(PatternElement(target: target, defaultValue: defaultValue))
      if tok.isPunct(",") {
        advance()
      } else if !tok.isPunct(")") {
        throw expected("',' or ')'", "after parameter")
      }
    }
    advance()
    try rejectTypeAnnotation()
    return (params, rest)
  }

  /// ArrowFunction := ArrowParameters '=>' (AssignmentExpression | '{' FunctionBody '}');
  /// the current token is `=>`.
  func parseArrowBody(params: [PatternElement], rest: Pattern?, isAsync: Bool,
                      start: SourceLocation) throws -> Expr
  {
    try enterNesting()
    defer { depth -= 1 }
    advance()
    let (body, isExpression) = try inFunction(isAsync: isAsync, kind: .arrow) {
      () throws -> ([Stmt], Bool) in
      if tok.isPunct("{") {
        return (try parseBlock("to close arrow function body"), false)
      }
      let e = try parseAssignment()
      return ([Stmt(.return(e), e.range)], true)
    }
    let f = FunctionNode(name: nil, params: params, rest: rest, body: body, isArrow: true,
                         isAsync: isAsync, hasExpressionBody: isExpression, range: span(start))
    return Expr(.function(f), span(start))
  }

  /// MethodDefinition's tail := '(' Parameters ')' '{' FunctionBody '}'
  private func parseMethod(name: String?, isAsync: Bool, start: SourceLocation,
                           kind: FunctionKind = .method) throws -> FunctionNode
  {
    try enterNesting()
    defer { depth -= 1 }
    let (params, rest, body) = try inFunction(isAsync: isAsync, kind: kind) {
      let (params, rest) = try parseParameters()
      let body = try parseBlock("to close method body")
      return (params, rest, body)
    }
    return FunctionNode(name: name, params: params, rest: rest, body: body, isArrow: false,
                        isAsync: isAsync, hasExpressionBody: false, range: span(start))
  }

  private enum MethodKind { case method, getter, setter }

  /// After `get`, `set`, `async` or `static`: true when the word is a prefix,
  /// false when it is itself the property name (`{ get: 1 }`, `get() {}`).
  private func isModifier(allowNewline: Bool) -> Bool {
    let n = peek()
    if n.kind == .eof { return false }
    if !allowNewline && n.newlineBefore { return false }
    if n.kind == .punct {
      return n.text == "[" || n.text == "*" || n.text == "{"
    }
    return true
  }

  /// Checks getter and setter arity.
  private func checkAccessor(_ kind: MethodKind, _ f: FunctionNode) throws {
    if kind == .getter && (!f.params.isEmpty || f.rest != nil) {
      throw error("a getter must not have parameters", range: f.range)
    }
    if kind == .setter && (f.params.count != 1 || f.rest != nil) {
      throw error("a setter must have exactly one parameter", range: f.range)
    }
  }

  /// PropertyName := IdentifierName | StringLiteral | NumericLiteral | '[' AssignmentExpression ']'
  func parsePropertyKey() throws -> PropertyKey {
    switch tok.kind {
    case .name:
      let n = tok.text
      advance()
      return .named(n)
    case .string:
      let v = tok.value
      advance()
      return .named(v)
    case .number:
      let v = tok.number
      advance()
      return .named(formatNumber(v))
    case .punct where tok.text == "[":
      advance()
      let e = try withIn { try parseAssignment() }
      try expect("]", "after computed property name")
      return .computed(e)
    default:
      throw expected("property name")
    }
  }

  private func keyName(_ key: PropertyKey) -> String? {
    if case .named(let n) = key { return n }
    return nil
  }

  // MARK: - Object literals

  /// ObjectLiteral := '{' (PropertyDefinition (',' PropertyDefinition)* ','?)? '}'
  func parseObjectLiteral() throws -> Expr {
    let start = tok.range.start
    try enterNesting()
    defer { depth -= 1 }
    advance()
    var props: [ObjectProperty] = []
    try withIn {
      while !tok.isPunct("}") {
        if tok.isPunct("...") {
          advance()
          props.append(.spread(try parseAssignment(cover: true)))
        } else {
          props.append(try parseObjectMember())
        }
        if tok.isPunct(",") {
          advance()
        } else if !tok.isPunct("}") {
          throw expected("',' or '}'", "after property")
        }
      }
    }
    advance()
    return Expr(.object(props), span(start))
  }

  /// PropertyDefinition := IdentifierReference ('=' AssignmentExpression)?
  ///   | PropertyName ':' AssignmentExpression | MethodDefinition
  private func parseObjectMember() throws -> ObjectProperty {
    let start = tok.range.start
    var kind = MethodKind.method
    var isAsync = false
    var prefixed = false
    if tok.isWord("get") || tok.isWord("set"), isModifier(allowNewline: true) {
      kind = tok.text == "get" ? .getter : .setter
      prefixed = true
      advance()
    } else if tok.isWord("async"), isModifier(allowNewline: false) {
      isAsync = true
      prefixed = true
      advance()
    }
    if tok.isPunct("*") { throw error("generator methods are not supported", incomplete: false) }
    let keyTok = tok
    let key = try parsePropertyKey()
    if tok.isPunct("(") {
      let f = try parseMethod(name: keyName(key), isAsync: isAsync, start: start)
      try checkAccessor(kind, f)
      switch kind {
      case .method: return .method(key: key, function: f)
      case .getter: return .getter(key: key, function: f)
      case .setter: return .setter(key: key, function: f)
      }
    }
    if prefixed { throw expected("'('", "after method name") }
    if tok.isPunct(":") {
      advance()
      return .property(key: key, value: try parseAssignment(cover: true))
    }
    if keyTok.kind == .name {
      if reservedWords.contains(keyTok.text) || keyTok.escaped && reservedWords.contains(keyTok.text) {
        throw expected("':'", "after property name")
      }
      let ident = Expr(.identifier(keyTok.text), keyTok.range)
      if tok.isPunct("=") {
        advance()
        let value = try parseAssignment()
        pendingShorthandInits.append(keyTok.range)
        let target = Pattern.identifier(keyTok.text, keyTok.range)
        return .property(key: key, value: Expr(.assign(.assign, target: target, value: value),
                                               span(keyTok.range.start)))
      }
      if tok.isPunct(",") || tok.isPunct("}") {
        return .property(key: key, value: ident)
      }
    }
    throw expected("':'", "after property name")
  }

  // MARK: - Classes

  /// ClassDeclaration / ClassExpression := 'class' Identifier? ('extends' LeftHandSide)?
  ///   '{' ClassMember* '}'
  func parseClass(requireName: Bool) throws -> ClassNode {
    try enterNesting()
    defer { depth -= 1 }
    let start = tok.range.start
    advance()
    var name: String?
    if tok.kind == .name && !tok.isWord("extends") {
      name = try parseBindingIdentifier()
    } else if requireName {
      throw expected("class name", "after 'class'")
    }
    var superclass: Expr?
    if tok.isWord("extends") {
      advance()
      superclass = try parseLeftHandSide()
      lastWasBareArrow = false
    }
    try expect("{", "to open class body")
    var constructor: FunctionNode?
    var members: [ClassMember] = []
    while !tok.isPunct("}") {
      if tok.kind == .eof { throw expected("'}'", "to close class body") }
      if tok.isPunct(";") {
        advance()
        continue
      }
      if let m = try parseClassMember(derived: superclass != nil) {
        if case .method(let f) = m.kind, !m.isStatic, case .named("constructor") = m.key {
          if constructor != nil {
            throw error("a class may only have one constructor", range: m.range)
          }
          constructor = f
        } else {
          members.append(m)
        }
      }
    }
    advance()
    return ClassNode(name: name, superclass: superclass, constructor: constructor,
                     members: members, range: span(start))
  }

  /// ClassMember := 'static'? ('get' | 'set' | 'async')? PropertyName
  ///   ('(' Parameters ')' '{' FunctionBody '}' | ('=' AssignmentExpression)? ';')
  private func parseClassMember(derived: Bool) throws -> ClassMember? {
    let start = tok.range.start
    var isStatic = false
    if tok.isWord("static"), isModifier(allowNewline: true) {
      isStatic = true
      advance()
      if tok.isPunct("{") {
        throw error("static initialization blocks are not supported", incomplete: false)
      }
    }
    var kind = MethodKind.method
    var isAsync = false
    var prefixed = false
    if tok.isWord("get") || tok.isWord("set"), isModifier(allowNewline: true) {
      kind = tok.text == "get" ? .getter : .setter
      prefixed = true
      advance()
    } else if tok.isWord("async"), isModifier(allowNewline: false) {
      isAsync = true
      prefixed = true
      advance()
    }
    if tok.isPunct("*") { throw error("generator methods are not supported", incomplete: false) }
    let keyTok = tok
    let key = try parsePropertyKey()
    if tok.isPunct("(") {
      var functionKind = FunctionKind.method
      if !isStatic, case .named("constructor") = key { functionKind = .constructor(derived: derived) }
      let f = try parseMethod(name: keyName(key), isAsync: isAsync, start: start, kind: functionKind)
      try checkAccessor(kind, f)
      if !isStatic, case .named("constructor") = key, kind != .method || isAsync {
        throw error("the class constructor cannot be a getter, setter or async method",
                    at: keyTok, incomplete: false)
      }
      let memberKind: ClassMember.Kind
      switch kind {
      case .method: memberKind = .method(f)
      case .getter: memberKind = .getter(f)
      case .setter: memberKind = .setter(f)
      }
      return ClassMember(key: key, isStatic: isStatic, kind: memberKind, range: span(start))
    }
    if prefixed { throw expected("'('", "after method name") }
    if case .named("constructor") = key {
      throw error("a class field cannot be named 'constructor'", at: keyTok, incomplete: false)
    }
    var value: Expr?
    if tok.isPunct("=") {
      advance()
      value = try inFunction(isAsync: false, kind: .field) { try parseAssignment() }
    }
    try consumeSemicolon(after: "class field")
    return ClassMember(key: key, isStatic: isStatic, kind: .field(value), range: span(start))
  }
}
