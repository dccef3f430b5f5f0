#!/usr/bin/env bash
# Fuzzes the model-file loaders (model.json parsing, Keras 2/3 topologies, layer
# configs, weights manifests and shards, quantization, training config, graph
# models) with libFuzzer and AddressSanitizer; each model that loads predicts
# once. Usage: fuzz/run-model.sh [seconds] (default 60).
# An input is model.json, optionally followed by a line `--weights--` and the
# bytes every weight file reads as. New interesting inputs go to
# fuzz/corpus-model/; a crash leaves crash-<hash> in the current folder, which
# reproduces with  .build-fuzz/fuzz-model crash-<hash>
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
mkdir -p .build-fuzz/model
flags=(-sanitize=fuzzer,address -parse-as-library -swift-version 5 -O -g)
# TensorEngine as its own module (TensorLayers imports it), instrumented too.
swiftc "${flags[@]}" -module-name TensorEngine -I Sources/CBLAS \
  -emit-module -emit-module-path .build-fuzz/model/TensorEngine.swiftmodule \
  -emit-library -static -o .build-fuzz/model/libTensorEngine.a \
  $(find Sources/TensorEngine -name '*.swift')
# TensorLayers and the entry point as one module, linked against the engine and OpenBLAS.
swiftc "${flags[@]}" -module-name TensorLayers -I .build-fuzz/model -I Sources/CBLAS \
  $(find Sources/TensorLayers -name '*.swift') fuzz/FuzzModel.swift \
  .build-fuzz/model/libTensorEngine.a -lopenblas -o .build-fuzz/fuzz-model
mkdir -p fuzz/corpus-model
# Leaks are not checked (see run.sh); one-thread OpenBLAS keeps runs deterministic.
OPENBLAS_NUM_THREADS=1 ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no \
  .build-fuzz/fuzz-model fuzz/corpus-model \
  -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=65536 -detect_leaks=0
