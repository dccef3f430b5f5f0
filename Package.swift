// swift-tools-version:6.0
// tl: a terminal for learning and teaching neural networks, in a small
// JavaScript-like language whose standard library is the TensorFlow.js API.
//
// Module layering (dependencies point one way only):
//   CBLAS, CEditLine      system libraries (OpenBLAS, libedit)
//   TensorEngine          tensors, kernels, ops, gradients. Knows no language.
//   TensorLayers          layers, models, training, model files. Engine only.
//   ScriptCore            lexer, parser, interpreter, embedding API. Knows no tensors.
//   TFBindings            the `tf` object: the only module that sees both worlds.
//   tl (executable)       runner + REPL, a thin client of the embedding API.
import PackageDescription

let package = Package(
  name: "tl",
  products: [
    .executable(name: "tl", targets: ["tl"]),
    .library(name: "ScriptCore", targets: ["ScriptCore"]),
    .library(name: "TensorEngine", targets: ["TensorEngine"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(
      name: "CEditLine", path: "Sources/CEditLine", pkgConfig: "libedit",
      providers: [.apt(["libedit-dev"])]),
    .target(name: "TensorEngine", dependencies: ["CBLAS"]),
    .target(name: "TensorLayers", dependencies: ["TensorEngine"]),
    // The interpreter's hot paths: no dynamic exclusivity checks (its mutable
    // state is touched by one thread at a time; measured in benchmarks/lang).
    .target(
      name: "ScriptCore",
      swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
    .target(name: "TFBindings", dependencies: ["ScriptCore", "TensorEngine", "TensorLayers"]),
    .executableTarget(
      name: "tl",
      dependencies: [
        "ScriptCore", "TFBindings", "CEditLine",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    // Release benchmark of the kernels (not part of `swift test`):
    //   swift run -c release tl-bench-engine
    .executableTarget(
      name: "tl-bench-engine", dependencies: ["TensorEngine"], path: "benchmarks/engine",
      exclude: ["README.md"]),
    // Model-file load times and graph-model inference: benchmarks/models/run.sh
    .executableTarget(
      name: "tl-bench-models", dependencies: ["TensorEngine", "TensorLayers"],
      path: "benchmarks/models", exclude: ["run.sh", "bench_tf.py", "README.md"]),
    // Release benchmark of a loaded layers model (MobileNet predict, the chapter's head fit)
    // beside TensorFlow/Keras: swift run -c release tl-bench-layers
    .executableTarget(
      name: "tl-bench-layers", dependencies: ["TensorEngine", "TensorLayers"],
      path: "benchmarks/layers", exclude: ["README.md"]),
    // The golden-script runner the test targets share.
    .target(name: "GoldenSupport", dependencies: ["ScriptCore"], path: "Tests/GoldenSupport"),
    .testTarget(
      name: "ScriptCoreTests", dependencies: ["ScriptCore", "GoldenSupport"], exclude: ["scripts"]),
    .testTarget(name: "TensorEngineTests", dependencies: ["TensorEngine"]),
    .testTarget(
      name: "TFBindingsTests",
      dependencies: ["TFBindings", "ScriptCore", "TensorEngine", "GoldenSupport"],
      exclude: ["scripts"]),
    .testTarget(name: "TensorLayersTests", dependencies: ["TensorLayers", "TensorEngine"]),
    .testTarget(name: "ModelIOTests", dependencies: ["TensorLayers", "TensorEngine"]),
    // The REPL's terminal-free logic (via @testable import tl) and the runner
    // tests, which spawn the built `tl` binary next to the test bundle.
    .testTarget(name: "CLITests", dependencies: ["tl", "ScriptCore"]),
  ],
  swiftLanguageModes: [.v5]
)
