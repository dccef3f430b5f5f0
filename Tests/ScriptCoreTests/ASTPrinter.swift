// A compact S-expression printer for the AST, used by the parser tests:
// `tf.sequential({a: 1})` prints as `(call (. tf sequential) (object (: a 1)))`.

@testable import ScriptCore

enum ASTPrinter {
  static func program(_ p: Program) -> String {
    p.body.map(stmt).joined(separator: " ")
  }

  // MARK: - Statements

  static func stmt(_ s: Stmt) -> String {
    switch s.kind {
    case .expression(let e): return expr(e)
    case .variable(let d): return declaration(d)
    case .function(let f): return function(f)
    case .class(let c): return classNode(c)
    case .return(let e): return e.map { "(return \(expr($0)))" } ?? "(return)"
    case .if(let test, let then, let otherwise):
      return "(if \(expr(test)) \(stmt(then))\(otherwise.map { " " + stmt($0) } ?? ""))"
    case .block(let body): return list("block", body.map(stmt))
    case .for(let initClause, let test, let update, let body):
      var i = "_"
      switch initClause {
      case .declaration(let d)?: i = declaration(d)
      case .expression(let e)?: i = expr(e)
      case nil: break
      }
      return "(for \(i) \(test.map(expr) ?? "_") \(update.map(expr) ?? "_") \(stmt(body)))"
    case .forIn(let head, let obj, let body):
      return "(for-in \(forHead(head)) \(expr(obj)) \(stmt(body)))"
    case .forOf(let head, let obj, let body):
      return "(for-of \(forHead(head)) \(expr(obj)) \(stmt(body)))"
    case .while(let test, let body): return "(while \(expr(test)) \(stmt(body)))"
    case .doWhile(let body, let test): return "(do \(stmt(body)) \(expr(test)))"
    case .break(let l): return l.map { "(break \($0))" } ?? "(break)"
    case .continue(let l): return l.map { "(continue \($0))" } ?? "(continue)"
    case .throw(let e): return "(throw \(expr(e)))"
    case .try(let body, let param, let catchBody, let fin):
      var out = "(try " + list("block", body.map(stmt))
      if let catchBody {
        out += " (catch \(param.map(pattern) ?? "_") \(list("block", catchBody.map(stmt))))"
      }
      if let fin { out += " (finally \(list("block", fin.map(stmt))))" }
      return out + ")"
    case .switch(let d, let cases):
      let cs = cases.map { c in
        list(c.test.map { "case \(expr($0))" } ?? "default", c.body.map(stmt))
      }
      return list("switch \(expr(d))", cs)
    case .labeled(let name, let body): return "(label \(name) \(stmt(body)))"
    case .import(let d):
      var parts = ["\"\(d.source)\""]
      if let def = d.defaultBinding { parts.append(def) }
      if let ns = d.namespaceBinding { parts.append("(* \(ns))") }
      if !d.named.isEmpty {
        parts.append("(" + d.named.map { $0.imported == $0.local ? $0.local : "\($0.imported):\($0.local)" }
          .joined(separator: " ") + ")")
      }
      return list("import", parts)
    case .export(let e):
      switch e {
      case .declaration(let s): return "(export \(stmt(s)))"
      case .defaultExpression(let x): return "(export-default \(expr(x)))"
      case .named(let specs, let from):
        let names = specs.map { $0.local == $0.exported ? $0.local : "\($0.local):\($0.exported)" }
        return "(export (\(names.joined(separator: " ")))\(from.map { " \"\($0)\"" } ?? ""))"
      case .all(let from): return "(export * \"\(from)\")"
      }
    case .empty: return "(empty)"
    }
  }

  static func declaration(_ d: VariableDeclaration) -> String {
    list(d.kind.rawValue, d.declarators.map { decl in
      decl.initializer.map { "(= \(pattern(decl.target)) \(expr($0)))" } ?? pattern(decl.target)
    })
  }

  static func forHead(_ h: ForHead) -> String {
    switch h {
    case .declaration(let k, let p): return "(\(k.rawValue) \(pattern(p)))"
    case .target(let p): return pattern(p)
    }
  }

  // MARK: - Expressions

  static func expr(_ e: Expr) -> String {
    switch e.kind {
    case .number(let v): return formatNumber(v)
    case .string(let s): return quote(s)
    case .template(let quasis, let exprs): return list("template", interleave(quasis, exprs))
    case .regex(let p, let f): return "/\(p)/\(f)"
    case .bool(let b): return b ? "true" : "false"
    case .null: return "null"
    case .identifier(let n): return n
    case .this: return "this"
    case .array(let items):
      return list("array", items.map { item in
        switch item {
        case .hole: return "_"
        case .expr(let x): return expr(x)
        case .spread(let x): return "(... \(expr(x)))"
        }
      })
    case .object(let props): return list("object", props.map(property))
    case .function(let f): return function(f)
    case .class(let c): return classNode(c)
    case .unary(let op, let x): return "(\(op.rawValue) \(expr(x)))"
    case .update(let op, let prefix, let target):
      return prefix ? "(\(op.rawValue)pre \(expr(target)))" : "(post\(op.rawValue) \(expr(target)))"
    case .binary(let op, let a, let b): return "(\(op.rawValue) \(expr(a)) \(expr(b)))"
    case .logical(let op, let a, let b): return "(\(op.rawValue) \(expr(a)) \(expr(b)))"
    case .assign(let op, let target, let value):
      return "(\(op.rawValue) \(pattern(target)) \(expr(value)))"
    case .conditional(let t, let a, let b): return "(? \(expr(t)) \(expr(a)) \(expr(b)))"
    case .call(let callee, let args, let optional):
      return list(optional ? "call?. \(expr(callee))" : "call \(expr(callee))", args.map(argument))
    case .new(let callee, let args): return list("new \(expr(callee))", args.map(argument))
    case .member(let obj, let name, let optional):
      return "(\(optional ? "?." : ".") \(expr(obj)) \(name))"
    case .index(let obj, let idx, let optional):
      return "(\(optional ? "?.[]" : "[]") \(expr(obj)) \(expr(idx)))"
    case .optionalChain(let x): return "(chain \(expr(x)))"
    case .superCall(let args): return list("super", args.map(argument))
    case .superMember(let key): return "(super. \(propertyKey(key)))"
    case .sequence(let items): return list(",", items.map(expr))
    case .await(let x): return "(await \(expr(x)))"
    case .taggedTemplate(let tag, let quasis, _, let exprs):
      return list("tag \(expr(tag))", interleave(quasis.map { $0 ?? "<invalid>" }, exprs))
    }
  }

  static func interleave(_ quasis: [String], _ exprs: [Expr]) -> [String] {
    var out: [String] = []
    for (i, q) in quasis.enumerated() {
      out.append(quote(q))
      if i < exprs.count { out.append(expr(exprs[i])) }
    }
    return out
  }

  static func argument(_ a: Argument) -> String {
    switch a {
    case .expr(let e): return expr(e)
    case .spread(let e): return "(... \(expr(e)))"
    }
  }

  static func property(_ p: ObjectProperty) -> String {
    switch p {
    case .property(let key, let value): return "(: \(propertyKey(key)) \(expr(value)))"
    case .method(let key, let f): return "(method \(propertyKey(key)) \(function(f)))"
    case .getter(let key, let f): return "(get \(propertyKey(key)) \(function(f)))"
    case .setter(let key, let f): return "(set \(propertyKey(key)) \(function(f)))"
    case .spread(let e): return "(... \(expr(e)))"
    }
  }

  static func propertyKey(_ k: PropertyKey) -> String {
    switch k {
    case .named(let n): return n
    case .computed(let e): return "[\(expr(e))]"
    }
  }

  static func function(_ f: FunctionNode) -> String {
    var head = f.isArrow ? "arrow" : "function"
    if f.isAsync { head = "async " + head }
    if let n = f.name { head += " " + n }
    var params = f.params.map(element)
    if let r = f.rest { params.append("(... \(pattern(r)))") }
    head += " (" + params.joined(separator: " ") + ")"
    if f.hasExpressionBody, let first = f.body.first, case .return(let e?) = first.kind {
      return "(\(head) => \(expr(e)))"
    }
    return list(head, f.body.map(stmt))
  }

  static func classNode(_ c: ClassNode) -> String {
    var parts: [String] = []
    if let n = c.name { parts.append(n) }
    if let s = c.superclass { parts.append("(extends \(expr(s)))") }
    if let k = c.constructor { parts.append("(constructor \(function(k)))") }
    for m in c.members {
      let st = m.isStatic ? "static " : ""
      switch m.kind {
      case .method(let f): parts.append("(\(st)method \(propertyKey(m.key)) \(function(f)))")
      case .getter(let f): parts.append("(\(st)get \(propertyKey(m.key)) \(function(f)))")
      case .setter(let f): parts.append("(\(st)set \(propertyKey(m.key)) \(function(f)))")
      case .field(let v):
        parts.append("(\(st)field \(propertyKey(m.key))\(v.map { " " + expr($0) } ?? ""))")
      }
    }
    return list("class", parts)
  }

  // MARK: - Patterns

  static func pattern(_ p: Pattern) -> String {
    switch p {
    case .identifier(let n, _): return n
    case .expression(let e): return expr(e)
    case .array(let elements, let rest, _):
      var parts = elements.map { $0.map(element) ?? "_" }
      if let rest { parts.append("(... \(pattern(rest)))") }
      return "[" + parts.joined(separator: " ") + "]"
    case .object(let props, let rest, _):
      var parts: [String] = props.map { prop in
        if case .named(let k) = prop.key, case .identifier(let n, _) = prop.value.target, k == n {
          return element(prop.value)
        }
        return "(: \(propertyKey(prop.key)) \(element(prop.value)))"
      }
      if let rest { parts.append("(... \(pattern(rest)))") }
      return "{" + parts.joined(separator: " ") + "}"
    }
  }

  static func element(_ e: PatternElement) -> String {
    e.defaultValue.map { "(= \(pattern(e.target)) \(expr($0)))" } ?? pattern(e.target)
  }

  // MARK: - Helpers

  static func list(_ head: String, _ items: [String]) -> String {
    items.isEmpty ? "(\(head))" : "(\(head) \(items.joined(separator: " ")))"
  }

  static func quote(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
      switch c {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if c.value < 0x20 {
          out += "\\u{\(String(c.value, radix: 16))}"
        } else {
          out.unicodeScalars.append(c)
        }
      }
    }
    return out + "\""
  }
}
