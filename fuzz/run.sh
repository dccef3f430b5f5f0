#!/usr/bin/env bash
# Fuzzes the language pipeline (lexer, parser, compiler, evaluator, built-ins)
# with libFuzzer and AddressSanitizer. Usage: fuzz/run.sh [seconds] (default 60).
# New interesting inputs are added to fuzz/corpus/; a crash leaves
# crash-<hash> in the current folder, which reproduces with
#   .build-fuzz/fuzz-script crash-<hash>
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
mkdir -p .build-fuzz
swiftc -sanitize=fuzzer,address -parse-as-library -module-name ScriptCore \
  -swift-version 5 -O -g \
  $(find Sources/ScriptCore -name '*.swift') fuzz/FuzzScript.swift \
  -o .build-fuzz/fuzz-script
# Leaks are not checked: reference cycles between script objects (closures and
# their scopes) are only freed at exit, by design of the ARC-based runtime.
# Swift's backtracer can hang after a crash instead of letting libFuzzer save the input.
ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no .build-fuzz/fuzz-script fuzz/corpus \
  -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=4096 -detect_leaks=0
