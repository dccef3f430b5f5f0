// The parts of the library written in tl (stdlib/, shipped inside the binary
// through Stdlib.generated.swift) and the names of packages that TF.js
// scripts import but tl does not provide yet.

import ScriptCore

extension TFBindings {
  /// Packages that scripts import which tl does not provide yet: importing
  /// one fails with `Cannot find module` and says so.
  public static let unprovidedPackages = [
    "@tensorflow-models/mobilenet", "danfojs", "danfojs-node",
  ]

  /// Registers every stdlib/ module under its import name, and the
  /// explanation for the packages tl does not provide.
  static func installStdlib(into interpreter: Interpreter) {
    for module in StdlibSources.modules {
      interpreter.registerSourceModule(module.name, source: module.source)
    }
    let provided = Set(StdlibSources.modules.map(\.name))
    for name in unprovidedPackages where !provided.contains(name) {
      interpreter.registerUnavailableModule(name, note: "tl does not provide this package yet")
    }
  }
}
