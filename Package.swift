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
import Foundation
import PackageDescription

// The engine's Swift kernels (GEMM tiles, depthwise, element-wise loops) are
// SIMD code, and Swift has no run-time dispatch, so they are compiled for the
// build machine, as `-march=native` would:
// - x86-64-v3 (AVX2, FMA, BMI, F16C, MOVBE): `-target-cpu haswell` (this LLVM
//   names neither x86-64-v3 nor x86-64-v4);
// - also AVX-512 F/BW/DQ/VL/CD: `-target-cpu skylake-avx512` (those on top of
//   x86-64-v3, plus a few such as CLWB and PKU that compiled Swift does not use)
//   and TL_AVX512, which turns on the 12×32 SIMD16 GEMM tiles (GEMM+AVX512.swift);
// - elsewhere, or with TL_PORTABLE=1 in the environment of `swift build`,
//   baseline x86-64. OpenBLAS picks its own kernels at run time either way.
let hostCPUFlags: Set<String> = {
  #if arch(x86_64) && os(Linux)
  guard ProcessInfo.processInfo.environment["TL_PORTABLE"] == nil,
    let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
    let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
  else { return [] }
  return Set(line.split(separator: " ").map(String.init))
  #else
  return []
  #endif
}()
let hostHasX86_64_v3 = ["avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm", "xsave"]
  .allSatisfy(hostCPUFlags.contains)
let hostHasAVX512 = hostHasX86_64_v3
  && ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"].allSatisfy(hostCPUFlags.contains)
let nativeSIMD: [SwiftSetting] =
  hostHasAVX512
  ? [.unsafeFlags(["-target-cpu", "skylake-avx512"]), .define("TL_AVX512")]
  : hostHasX86_64_v3 ? [.unsafeFlags(["-target-cpu", "haswell"])] : []

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
    .target(name: "TensorEngine", dependencies: ["CBLAS"], swiftSettings: nativeSIMD),
    .target(name: "TensorLayers", dependencies: ["TensorEngine"], swiftSettings: nativeSIMD),
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
    // The TensorFlow fixtures' loader and tolerance check, shared by the layers and
    // model-file tests.
    .target(
      name: "FixtureSupport", dependencies: ["TensorEngine", "TensorLayers"],
      path: "Tests/FixtureSupport"),
    .testTarget(
      name: "ScriptCoreTests", dependencies: ["ScriptCore", "GoldenSupport"], exclude: ["scripts"]),
    .testTarget(name: "TensorEngineTests", dependencies: ["TensorEngine"]),
    .testTarget(
      name: "TFBindingsTests",
      dependencies: ["TFBindings", "ScriptCore", "TensorEngine", "GoldenSupport"],
      exclude: ["scripts"]),
    .testTarget(
      name: "TensorLayersTests", dependencies: ["TensorLayers", "TensorEngine", "FixtureSupport"]),
    .testTarget(
      name: "ModelIOTests", dependencies: ["TensorLayers", "TensorEngine", "FixtureSupport"]),
    // The REPL's terminal-free logic (via @testable import tl) and the runner
    // tests, which spawn the built `tl` binary next to the test bundle.
    .testTarget(name: "CLITests", dependencies: ["tl", "ScriptCore"]),
  ],
  swiftLanguageModes: [.v5]
)
