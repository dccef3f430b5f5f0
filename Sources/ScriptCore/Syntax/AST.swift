// The syntax tree the parser produces and the compiler consumes.
//
// Purely syntactic: names are strings, nothing is resolved. The compiler
// (Runtime/) resolves names to slots when it turns the tree into closures.
// Every expression and statement carries its source range for diagnostics
// and stack frames.

/// A whole script, module, `-e` string or REPL entry.
public struct Program {
  public var body: [Stmt]
  public var file: SourceFile
  /// True when the program contains `import`/`export` (or top-level `await`).
  public var isModule: Bool

  public init(body: [Stmt], file: SourceFile, isModule: Bool) {
    self.body = body
    self.file = file
    self.isModule = isModule
  }
}

// MARK: - Expressions

public struct Expr {
  public var kind: Kind
  public var range: SourceRange

  public init(_ kind: Kind, _ range: SourceRange) {
    self.kind = kind
    self.range = range
  }

  public indirect enum Kind {
    case number(Double)
    case string(String)
    /// `` `a${x}b` ``: `quasis.count == expressions.count + 1` (cooked strings).
    case template(quasis: [String], expressions: [Expr])
    case regex(pattern: String, flags: String)
    case bool(Bool)
    case null
    /// Any name, `undefined`, `NaN` and `Infinity` included (they are globals in JS).
    case identifier(String)
    case this
    case array([ArrayElement])
    case object([ObjectProperty])
    /// A function expression or arrow function (`FunctionNode.isArrow`).
    case function(FunctionNode)
    case `class`(ClassNode)
    /// `-x +x !x ~x typeof x void x delete x`
    case unary(UnaryOperator, Expr)
    /// `++x x++ --x x--`; the target is an identifier or member expression.
    case update(UpdateOperator, prefix: Bool, target: Expr)
    case binary(BinaryOperator, Expr, Expr)
    /// `&& || ??` (short-circuiting)
    case logical(LogicalOperator, Expr, Expr)
    /// `target = value`, `target += value`, ... Only `.assign` takes a
    /// destructuring pattern; compound operators take an identifier or member.
    case assign(AssignOperator, target: Pattern, value: Expr)
    case conditional(test: Expr, then: Expr, else: Expr)
    /// `callee(args)`; `optional` is true for `callee?.(args)`.
    case call(callee: Expr, arguments: [Argument], optional: Bool)
    case new(callee: Expr, arguments: [Argument])
    /// `object.name`; `optional` is true for `object?.name`.
    case member(object: Expr, name: String, optional: Bool)
    /// `object[index]`; `optional` is true for `object?.[index]`.
    case index(object: Expr, index: Expr, optional: Bool)
    /// Wraps a whole chain that contains at least one `?.`, so that a
    /// short-circuit ends the whole chain with `undefined` (ESTree's ChainExpression).
    case optionalChain(Expr)
    /// `super(args)` inside a derived constructor.
    case superCall([Argument])
    /// `super.name` / `super[expr]` inside a method.
    case superMember(PropertyKey)
    case sequence([Expr])
    case await(Expr)
    /// `tag`template``: tagged templates; `quasis` are the cooked strings (nil
    /// for a chunk with an invalid escape: undefined), `raws` the same chunks
    /// as written (escapes kept, line ends normalised to `\n`).
    case taggedTemplate(tag: Expr, quasis: [String?], raws: [String], expressions: [Expr])
  }
}

public enum ArrayElement {
  case hole
  case expr(Expr)
  case spread(Expr)
}

public enum Argument {
  case expr(Expr)
  case spread(Expr)
}

public enum PropertyKey {
  /// An identifier, string or numeric key, already converted to its string form
  /// (`{1: x}` has key "1", `{1.50: x}` has key "1.5").
  case named(String)
  case computed(Expr)
}

public enum ObjectProperty {
  /// `key: value`, and shorthand `{ x }` (value is `.identifier("x")`).
  case property(key: PropertyKey, value: Expr)
  /// `name(params) { ... }`, `async name() {}`
  case method(key: PropertyKey, function: FunctionNode)
  case getter(key: PropertyKey, function: FunctionNode)
  case setter(key: PropertyKey, function: FunctionNode)
  /// `...expr`
  case spread(Expr)
}

public enum UnaryOperator: String {
  case minus = "-", plus = "+", not = "!", bitNot = "~"
  case typeof = "typeof", void = "void", delete = "delete"
}

public enum UpdateOperator: String {
  case increment = "++", decrement = "--"
}

public enum BinaryOperator: String {
  case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%", power = "**"
  case equal = "==", notEqual = "!=", strictEqual = "===", strictNotEqual = "!=="
  case less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
  case bitAnd = "&", bitOr = "|", bitXor = "^"
  case shiftLeft = "<<", shiftRight = ">>", unsignedShiftRight = ">>>"
  case `in` = "in", instanceof = "instanceof"
}

public enum LogicalOperator: String {
  case and = "&&", or = "||", nullish = "??"
}

public enum AssignOperator: String {
  case assign = "="
  case add = "+=", subtract = "-=", multiply = "*=", divide = "/=", remainder = "%=", power = "**="
  case bitAnd = "&=", bitOr = "|=", bitXor = "^="
  case shiftLeft = "<<=", shiftRight = ">>=", unsignedShiftRight = ">>>="
  case and = "&&=", or = "||=", nullish = "??="

  /// The binary operator a compound assignment applies (nil for `=` and the logical ones).
  public var binaryOperator: BinaryOperator? {
    switch self {
    case .add: return .add
    case .subtract: return .subtract
    case .multiply: return .multiply
    case .divide: return .divide
    case .remainder: return .remainder
    case .power: return .power
    case .bitAnd: return .bitAnd
    case .bitOr: return .bitOr
    case .bitXor: return .bitXor
    case .shiftLeft: return .shiftLeft
    case .shiftRight: return .shiftRight
    case .unsignedShiftRight: return .unsignedShiftRight
    case .assign, .and, .or, .nullish: return nil
    }
  }
}

// MARK: - Patterns (binding and assignment targets)

public indirect enum Pattern {
  /// A name being bound or assigned.
  case identifier(String, SourceRange)
  /// A member or index expression as an assignment target (`a.b = 1`, `[a.b] = xs`).
  /// Never appears in declarations or parameters.
  case expression(Expr)
  /// `[a, , b = 1, ...rest]`: `nil` elements are holes.
  case array([PatternElement?], rest: Pattern?, SourceRange)
  /// `{a, b: c, d = 1, [k]: e, ...rest}`
  case object([PatternProperty], rest: Pattern?, SourceRange)

  public var range: SourceRange {
    switch self {
    case .identifier(_, let r), .array(_, _, let r), .object(_, _, let r): return r
    case .expression(let e): return e.range
    }
  }
}

/// A pattern with an optional default: `b = 1` in `[a, b = 1]`, or a parameter.
public struct PatternElement {
  public var target: Pattern
  public var defaultValue: Expr?

  public init(target: Pattern, defaultValue: Expr?) {
    self.target = target
    self.defaultValue = defaultValue
  }
}

/// `key: target = default` in an object pattern; `{a}` is key "a", target `a`.
public struct PatternProperty {
  public var key: PropertyKey
  public var value: PatternElement

  public init(key: PropertyKey, value: PatternElement) {
    self.key = key
    self.value = value
  }
}

// MARK: - Functions and classes

/// A function declaration, expression, arrow, method, getter, setter or constructor.
/// A class so that the compiler can cache work per function node.
public final class FunctionNode {
  public var name: String?
  public var params: [PatternElement]
  public var rest: Pattern?
  /// The body. An arrow with an expression body has `[.return(expr)]` here
  /// and `hasExpressionBody == true`.
  public var body: [Stmt]
  public var isArrow: Bool
  public var isAsync: Bool
  public var hasExpressionBody: Bool
  public var range: SourceRange
  /// Scratch space for the compiler (e.g. a cached compiled form). The parser leaves it nil.
  public var compiled: AnyObject?

  public init(
    name: String?, params: [PatternElement], rest: Pattern?, body: [Stmt],
    isArrow: Bool, isAsync: Bool, hasExpressionBody: Bool, range: SourceRange
  ) {
    self.name = name
    self.params = params
    self.rest = rest
    self.body = body
    self.isArrow = isArrow
    self.isAsync = isAsync
    self.hasExpressionBody = hasExpressionBody
    self.range = range
  }

  /// `function.length` as JS computes it: parameters before the first default or rest.
  public var length: Int {
    var n = 0
    for p in params {
      if p.defaultValue != nil { break }
      n += 1
    }
    return n
  }
}

public final class ClassNode {
  public var name: String?
  public var superclass: Expr?
  /// nil when the class has no explicit constructor.
  public var constructor: FunctionNode?
  public var members: [ClassMember]
  public var range: SourceRange

  public init(
    name: String?, superclass: Expr?, constructor: FunctionNode?, members: [ClassMember],
    range: SourceRange
  ) {
    self.name = name
    self.superclass = superclass
    self.constructor = constructor
    self.members = members
    self.range = range
  }
}

public struct ClassMember {
  public enum Kind {
    case method(FunctionNode)
    case getter(FunctionNode)
    case setter(FunctionNode)
    /// `x = 1;` or `x;` (value nil): an instance or static field.
    case field(Expr?)
  }

  public var key: PropertyKey
  public var isStatic: Bool
  public var kind: Kind
  public var range: SourceRange

  public init(key: PropertyKey, isStatic: Bool, kind: Kind, range: SourceRange) {
    self.key = key
    self.isStatic = isStatic
    self.kind = kind
    self.range = range
  }
}

// MARK: - Statements

public enum DeclarationKind: String {
  case `var`, `let`, `const`
}

public struct VariableDeclarator {
  public var target: Pattern
  public var initializer: Expr?

  public init(target: Pattern, initializer: Expr?) {
    self.target = target
    self.initializer = initializer
  }
}

public struct VariableDeclaration {
  public var kind: DeclarationKind
  public var declarators: [VariableDeclarator]
  public var range: SourceRange

  public init(kind: DeclarationKind, declarators: [VariableDeclarator], range: SourceRange) {
    self.kind = kind
    self.declarators = declarators
    self.range = range
  }
}

/// The left side of `for (x of xs)` / `for (const [k, v] of m)` / `for (k in o)`.
public enum ForHead {
  /// `const x`, `let [a, b]`, `var k` (one declarator, no initializer).
  case declaration(DeclarationKind, Pattern)
  /// An existing variable or member: `x`, `o.p`, `[a, b]`.
  case target(Pattern)
}

public enum ForInit {
  case declaration(VariableDeclaration)
  case expression(Expr)
}

public struct SwitchCase {
  /// nil for `default:`.
  public var test: Expr?
  public var body: [Stmt]

  public init(test: Expr?, body: [Stmt]) {
    self.test = test
    self.body = body
  }
}

public struct ImportSpecifier {
  /// The exported name (`default` for a default import).
  public var imported: String
  public var local: String

  public init(imported: String, local: String) {
    self.imported = imported
    self.local = local
  }
}

public struct ImportDeclaration {
  /// The module specifier: `'@tensorflow/tfjs-node'`, `'./util.tl'`, `'fs'`.
  public var source: String
  /// `import x from ...`
  public var defaultBinding: String?
  /// `import * as ns from ...`
  public var namespaceBinding: String?
  /// `import { a, b as c } from ...`
  public var named: [ImportSpecifier]
  public var range: SourceRange

  public init(
    source: String, defaultBinding: String?, namespaceBinding: String?,
    named: [ImportSpecifier], range: SourceRange
  ) {
    self.source = source
    self.defaultBinding = defaultBinding
    self.namespaceBinding = namespaceBinding
    self.named = named
    self.range = range
  }
}

public struct ExportSpecifier {
  public var local: String
  public var exported: String

  public init(local: String, exported: String) {
    self.local = local
    self.exported = exported
  }
}

public enum ExportDeclaration {
  /// `export const x = ...`, `export function f() {}`, `export class C {}`
  case declaration(Stmt)
  /// `export { a, b as c }` and `export { a } from '...'`
  case named([ExportSpecifier], from: String?)
  /// `export default expr` (a function or class declaration is an expression here)
  case defaultExpression(Expr)
  /// `export * from '...'`
  case all(from: String)
}

public struct Stmt {
  public var kind: Kind
  public var range: SourceRange

  public init(_ kind: Kind, _ range: SourceRange) {
    self.kind = kind
    self.range = range
  }

  public indirect enum Kind {
    case expression(Expr)
    case variable(VariableDeclaration)
    case function(FunctionNode)
    case `class`(ClassNode)
    case `return`(Expr?)
    case `if`(test: Expr, then: Stmt, else: Stmt?)
    case block([Stmt])
    case `for`(init: ForInit?, test: Expr?, update: Expr?, body: Stmt)
    case forIn(ForHead, Expr, body: Stmt)
    case forOf(ForHead, Expr, body: Stmt)
    case `while`(test: Expr, body: Stmt)
    case doWhile(body: Stmt, test: Expr)
    case `break`(label: String?)
    case `continue`(label: String?)
    case `throw`(Expr)
    /// `catchParameter` is nil for `catch {}` without a binding; `catchBody`
    /// is nil when there is no catch clause.
    case `try`(body: [Stmt], catchParameter: Pattern?, catchBody: [Stmt]?, finally: [Stmt]?)
    case `switch`(Expr, [SwitchCase])
    case labeled(String, Stmt)
    case `import`(ImportDeclaration)
    case export(ExportDeclaration)
    case empty
  }
}
