// Size limits that keep a script from exhausting memory or looping without end:
// V8's maximum string length, and checked string concatenation for `+`, `+=`,
// template literals and the built-ins that build strings.

// MARK: - Strings

/// V8's maximum string length in UTF-16 code units (`String::kMaxLength` on 64-bit).
public let maxStringLength = 536_870_888

/// `a + b` for strings, throwing V8's `RangeError: Invalid string length` when the
/// result would be longer than `maxStringLength` code units.
@inline(__always)
func concatStrings(_ a: String, _ b: String) throws -> String {
  // A UTF-8 count is O(1) on native strings and never below the UTF-16 count, so the
  // exact (linear) count is only taken for results near the limit.
  if a.utf8.count &+ b.utf8.count > maxStringLength {
    try checkStringLength(a.utf16.count + b.utf16.count)
  }
  return a + b
}

/// Appends `b` to `a`, with the length check of `concatStrings`.
@inline(__always)
func appendString(_ a: inout String, _ b: String) throws {
  if a.utf8.count &+ b.utf8.count > maxStringLength {
    try checkStringLength(a.utf16.count + b.utf16.count)
  }
  a += b
}

/// Throws `RangeError: Invalid string length` when `units` exceeds `maxStringLength`.
func checkStringLength(_ units: Int) throws {
  if units > maxStringLength { throw ScriptThrow.rangeError("Invalid string length") }
}

// MARK: - Nesting

/// How deeply `join`/`toString` and `flat` follow nested arrays before throwing V8's
/// `RangeError: Maximum call stack size exceeded` (V8 overflows its stack near here).
let maxJoinDepth = 10_000

// MARK: - Loops

/// How many iterations a native loop over user-sized data runs between checks for Ctrl-C.
let interruptCheckInterval = 1 << 16
