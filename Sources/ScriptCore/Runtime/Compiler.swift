// The compiler: turns the syntax tree into nested Swift closures, once.
// Every local name is resolved here to a (depth, slot) pair; globals are
// looked up by name at their site. Statements return a `Completion` so that
// break/continue/return never use Swift exceptions; a JS `throw` is a Swift
// `throw ScriptThrow.value(...)`.
//
// Files: Compiler.swift (programs, declarations, hoisting), +Statements,
// +Expressions, +Calls, +Patterns, +Functions (functions and classes).

/// How a program's top level binds its names.
enum ProgramMode {
  /// A script or module file: top-level names are slots of the top scope.
  case script
  /// A REPL entry: top-level names are global bindings that persist and may be redeclared.
  case repl
}

/// A compiled program, ready to run once.
final class CompiledProgram {
  let file: SourceFile
  let slotCount: Int
  let body: StmtCode
  /// Runs before the body: imports, hoisted functions, TDZ markers.
  let prologue: (Env) throws -> Void
  /// True when the top level contains `await`: it then runs as a coroutine.
  let usesAwait: Bool
  /// `exported name → reads the current value from the module's environment`.
  let exports: [(String, (Env) throws -> Value)]
  /// `export * from '...'` specifiers.
  let reexportAll: [String]
  /// Stands for the top level in stack frames.
  let topLevelCode: FunctionCode

  init(
    file: SourceFile, slotCount: Int, body: @escaping StmtCode, prologue: @escaping (Env) throws -> Void,
    usesAwait: Bool, exports: [(String, (Env) throws -> Value)], reexportAll: [String]
  ) {
    self.file = file
    self.slotCount = slotCount
    self.body = body
    self.prologue = prologue
    self.usesAwait = usesAwait
    self.exports = exports
    self.reexportAll = reexportAll
    self.topLevelCode = FunctionCode(name: "", file: file, length: 0, isArrow: false, isAsync: false, isMethod: false)
  }
}

final class Compiler {
  unowned let interp: Interpreter
  let file: SourceFile
  let mode: ProgramMode
  var scope: Scope
  /// Labels that apply to the loop statement being compiled next.
  var pendingLabels: [String] = []
  /// Set when `await` appears at the top level.
  var topLevelAwait = false
  var exports: [(String, (Env) throws -> Value)] = []
  var reexportAll: [String] = []

  init(interp: Interpreter, file: SourceFile, mode: ProgramMode) {
    self.interp = interp
    self.file = file
    self.mode = mode
    let info = FunctionInfo(parent: nil, isArrow: false, isAsync: true, name: "", isTopLevel: true)
    scope = Scope(parent: nil, function: info, isFunctionScope: true)
    info.scope = scope
  }

  /// True when `scope` is the REPL's top level, whose names live in `lexicalGlobals`.
  var atReplTop: Bool { mode == .repl && scope.parent == nil }

  /// True for code of the REPL entry itself (blocks included, functions not):
  /// its expression statements set the completion value the REPL echoes.
  var inReplTopCode: Bool { mode == .repl && scope.function.isTopLevel }

  // MARK: - Programs

  func compileProgram(_ program: Program) -> CompiledProgram {
    let top = scope
    var prologueSteps: [(Env) throws -> Void] = []
    // Imports first: hoisted and evaluated before the body.
    for stmt in program.body {
      if case .import(let decl) = stmt.kind { prologueSteps.append(compileImport(decl)) }
    }
    prologueSteps.append(contentsOf: declareHoisted(program.body, functionTop: true))
    let body = compileStatements(program.body)
    let steps = prologueSteps
    return CompiledProgram(
      file: file, slotCount: top.slotCount, body: body,
      prologue: { env in for s in steps { try s(env) } },
      usesAwait: topLevelAwait, exports: exports, reexportAll: reexportAll)
  }

  // MARK: - Declarations and hoisting

  /// Declares the names a statement list introduces in the current scope and
  /// returns the steps that run when the scope is entered: TDZ markers for
  /// `let`/`const`/`class`, closures for function declarations. With
  /// `functionTop`, `var`s of the whole function body are hoisted here too.
  /// `noTDZReset` names lexical bindings whose slots need no reset to the
  /// TDZ marker on entry (see `bindingsWithoutEarlyUse`).
  func declareHoisted(
    _ stmts: [Stmt], functionTop: Bool, noTDZReset: Set<String> = []
  ) -> [(Env) throws -> Void] {
    var steps: [(Env) throws -> Void] = []
    if functionTop {
      var names: [String] = []
      for s in stmts { collectVarNames(s, into: &names) }
      for n in names {
        if atReplTop {
          steps.append { [unowned(unsafe) interp] _ in
            if interp.lexicalGlobals[n] == nil { interp.lexicalGlobals[n] = GlobalBinding(value: .undefined, isConst: false) }
          }
        } else {
          scope.declare(n, .variable)
        }
      }
    }
    var functions: [FunctionNode] = []
    for s in stmts {
      var stmt = s
      if case .export(.declaration(let inner)) = s.kind { stmt = inner }
      // `export default function f() {}` / `export default class C {}` also bind the name.
      if case .export(.defaultExpression(let e)) = s.kind {
        if case .function(let node) = e.kind, node.name != nil, !node.isArrow { stmt = Stmt(.function(node), s.range) }
        if case .class(let node) = e.kind, node.name != nil { stmt = Stmt(.class(node), s.range) }
      }
      switch stmt.kind {
      case .variable(let decl) where decl.kind != .var:
        var names: [String] = []
        for d in decl.declarators { patternNames(d.target, into: &names) }
        for n in names {
          declareLexical(
            n, const: decl.kind == .const, steps: &steps, at: decl.range.end.offset,
            reset: !noTDZReset.contains(n))
        }
      case .class(let node):
        if let n = node.name { declareLexical(n, const: false, steps: &steps, at: node.range.end.offset) }
      case .function(let node):
        if let n = node.name {
          if atReplTop {
            steps.append { [unowned(unsafe) interp] _ in
              if interp.lexicalGlobals[n] == nil { interp.lexicalGlobals[n] = GlobalBinding(value: .undefined, isConst: false) }
            }
          } else {
            scope.declare(n, functionTop ? .variable : .letBinding)
          }
          functions.append(node)
        }
      default:
        break
      }
    }
    // Function declarations are instantiated on entry, after every name is known.
    for node in functions {
      guard let name = node.name else { continue }
      let make = compileFunction(node, nameHint: name, isDeclaration: true)
      if atReplTop {
        steps.append { [unowned(unsafe) interp] env in
          let f = try make(env)
          if let b = interp.lexicalGlobals[name] { b.value = f; b.isConst = false } else {
            interp.lexicalGlobals[name] = GlobalBinding(value: f, isConst: false)
          }
        }
      } else if case .local(_, let b, _) = scope.resolve(name) {
        let slot = b.slot
        steps.append { env in env[slot] = try make(env) }
      }
    }
    return steps
  }

  private func declareLexical(
    _ name: String, const: Bool, steps: inout [(Env) throws -> Void], at offset: Int, reset: Bool = true
  ) {
    if atReplTop {
      // REPL: a redeclaration replaces the old binding's value (Node allows it).
      steps.append { [unowned(unsafe) interp] _ in
        if let b = interp.lexicalGlobals[name] {
          b.value = uninitialized
          b.isConst = const
        } else {
          interp.lexicalGlobals[name] = GlobalBinding(value: uninitialized, isConst: const)
        }
      }
      return
    }
    let b = scope.declare(name, const ? .constBinding : .letBinding, at: offset)
    let slot = b.slot
    if reset { steps.append { env in env[slot] = uninitialized } }
  }

  /// The `let`/`const` names of a closure-free block that nothing in the
  /// block mentions before (or inside) their declaration. Every read of
  /// such a name then comes after its declaration ran in the same entry
  /// and skips the TDZ check (see `compileIdentifier`), so its slot need
  /// not be reset to the TDZ marker each time the block is entered (a
  /// loop body's `const p = ...`). Conservative: any occurrence of the
  /// word in the source text before the declaration ends, even in a
  /// string or as a property name, other than the declared name itself,
  /// keeps the reset.
  func bindingsWithoutEarlyUse(_ stmts: [Stmt]) -> Set<String> {
    guard let first = stmts.first else { return [] }
    let start = first.range.start.offset
    var out: Set<String> = []
    for s in stmts {
      guard case .variable(let d) = s.kind, d.kind != .var, d.declarators.count == 1,
        case .identifier(let n, _) = d.declarators[0].target
      else { continue }
      if wordCount(n, from: start, to: d.range.end.offset) == 1 { out.insert(n) }
    }
    return out
  }

  /// How often `word` occurs as a whole identifier in the source between two offsets.
  private func wordCount(_ word: String, from lo: Int, to hi: Int) -> Int {
    let text = file.scalars
    let w = Array(word.unicodeScalars)
    guard lo >= 0, hi <= text.count, !w.isEmpty else { return Int.max }
    // Scalars that continue an identifier: a match next to one is part of
    // another name. Anything else next to a match counts it.
    func isWordScalar(_ c: Unicode.Scalar) -> Bool {
      c == "$" || c == "_" || c.value == 0x200C || c.value == 0x200D || c.properties.isIDContinue
    }
    var count = 0
    var i = lo
    while i < hi {
      // `\u0070` can spell a name: give up (keep the reset) on any escape.
      if text[i] == "\\" { return Int.max }
      i += 1
    }
    i = lo
    while i + w.count <= hi {
      if text[i] == w[0], Array(text[i..<(i + w.count)]) == w,
        i == 0 || !isWordScalar(text[i - 1]),
        i + w.count >= text.count || !isWordScalar(text[i + w.count])
      {
        count += 1
        i += w.count
      } else {
        i += 1
      }
    }
    return count
  }

  /// True when a block must get its own environment.
  func hasLexicalDeclarations(_ stmts: [Stmt]) -> Bool {
    for s in stmts {
      switch s.kind {
      case .variable(let d) where d.kind != .var: return true
      case .class, .function: return true
      default: continue
      }
    }
    return false
  }

  /// The `var` names declared anywhere in `stmt`, not looking into nested functions.
  func collectVarNames(_ stmt: Stmt, into names: inout [String]) {
    switch stmt.kind {
    case .variable(let d) where d.kind == .var:
      for decl in d.declarators { patternNames(decl.target, into: &names) }
    case .if(_, let then, let els):
      collectVarNames(then, into: &names)
      if let e = els { collectVarNames(e, into: &names) }
    case .block(let body):
      for s in body { collectVarNames(s, into: &names) }
    case .for(let initializer, _, _, let body):
      if case .declaration(let d)? = initializer, d.kind == .var {
        for decl in d.declarators { patternNames(decl.target, into: &names) }
      }
      collectVarNames(body, into: &names)
    case .forIn(let head, _, let body), .forOf(let head, _, let body):
      if case .declaration(.var, let p) = head { patternNames(p, into: &names) }
      collectVarNames(body, into: &names)
    case .while(_, let body), .doWhile(let body, _), .labeled(_, let body):
      collectVarNames(body, into: &names)
    case .try(let body, _, let catchBody, let finally):
      for s in body { collectVarNames(s, into: &names) }
      for s in catchBody ?? [] { collectVarNames(s, into: &names) }
      for s in finally ?? [] { collectVarNames(s, into: &names) }
    case .switch(_, let cases):
      for c in cases { for s in c.body { collectVarNames(s, into: &names) } }
    case .export(.declaration(let inner)):
      collectVarNames(inner, into: &names)
    default:
      break
    }
  }

  func patternNames(_ p: Pattern, into names: inout [String]) {
    switch p {
    case .identifier(let n, _): names.append(n)
    case .expression: break
    case .array(let elements, let rest, _):
      for e in elements { if let e { patternNames(e.target, into: &names) } }
      if let r = rest { patternNames(r, into: &names) }
    case .object(let props, let rest, _):
      for prop in props { patternNames(prop.value.target, into: &names) }
      if let r = rest { patternNames(r, into: &names) }
    }
  }

  // MARK: - Scopes

  /// Compiles `body` in a new block scope; returns the code and the scope's slot count.
  /// With `transparent`, the scope's names live in the enclosing environment
  /// (callers pass `!ClosureScan...` for the code the scope covers).
  func withBlockScope<T>(transparent: Bool = false, _ body: () -> T) -> (T, Scope) {
    let s = Scope(parent: scope, function: scope.function, isFunctionScope: false, transparent: transparent)
    let saved = scope
    scope = s
    defer { scope = saved }
    return (body(), s)
  }

  /// Enters a new block scope (see `withBlockScope`); `endBlockScope(saved)`
  /// leaves it. Hot code uses this pair rather than the generic
  /// `withBlockScope`: closures returned through a generic are re-abstracted,
  /// and every later call of them pays for a pair of thunks.
  func beginBlockScope(transparent: Bool) -> (scope: Scope, saved: Scope) {
    let s = Scope(parent: scope, function: scope.function, isFunctionScope: false, transparent: transparent)
    let saved = scope
    scope = s
    return (s, saved)
  }

  func endBlockScope(_ saved: Scope) { scope = saved }

  /// Statements (at most a handful) compiled in order into a chain of pairs:
  /// no array of closures (whose elements are called through thunks).
  private func compileChain(_ stmts: ArraySlice<Stmt>) -> StmtCode {
    guard let first = stmts.first else { return { _ in .normal } }
    let code = compileStatement(first)
    if stmts.count == 1 { return code }
    let rest = compileChain(stmts.dropFirst())
    return { env in
      let c = try code(env)
      if case .normal = c { return try rest(env) }
      return c
    }
  }

  /// A statement list with its own lexical declarations.
  func compileBlock(_ stmts: [Stmt]) -> StmtCode {
    if !hasLexicalDeclarations(stmts) { return compileStatements(stmts) }
    let transparent = !ClosureScan.any(stmts)
    let (s, saved) = beginBlockScope(transparent: transparent)
    let steps = declareHoisted(
      stmts, functionTop: false,
      noTDZReset: s.isTransparent && !atReplTop ? bindingsWithoutEarlyUse(stmts) : [])
    let body = compileStatements(stmts)
    endBlockScope(saved)
    if s.isTransparent {
      if steps.isEmpty { return body }
      return { env in
        for step in steps { try step(env) }
        return try body(env)
      }
    }
    let count = s.slotCount
    return { env in
      let e = Env.make(parent: env, count: count)
      for step in steps { try step(e) }
      return try body(e)
    }
  }

  func compileStatements(_ stmts: [Stmt]) -> StmtCode {
    let live = stmts.filter { s in
      switch s.kind {
      case .empty, .import, .function: return false  // functions are hoisted
      default: return true
      }
    }
    if live.count <= 6 { return compileChain(live[...]) }
    let codes = live.map { compileStatement($0) }
    return { env in
      for code in codes {
        let c = try code(env)
        if case .normal = c { continue }
        return c
      }
      return .normal
    }
  }
}
