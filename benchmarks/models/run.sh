#!/usr/bin/env bash
# Model-file benchmarks: load times and MobileNetV2 1.30 graph inference,
# beside TensorFlow when it is available ($TL_TF_PYTHON, else /work/tfvenv).
#   benchmarks/models/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
swift build -c release --product tl-bench-models >/dev/null
out="$(.build/release/tl-bench-models "$root/Tests/Fixtures")"
echo "$out"
py="${TL_TF_PYTHON:-}"
if [[ -z "$py" && -x /work/tfvenv/bin/python ]]; then py=/work/tfvenv/bin/python; fi
if [[ -z "$py" ]]; then
  echo "(TensorFlow not found: set TL_TF_PYTHON to a python with tensorflow to compare)"
  exit 0
fi
tf="$("$py" "$here/bench_tf.py" 2>/dev/null | grep '^tf_')"
echo "$tf"
for b in 1 8; do
  ours="$(echo "$out" | awk -v k="graph_mobilenet_v2_1.30_224_batch$b" '$1 == k {print $2}')"
  theirs="$(echo "$tf" | awk -v k="tf_graph_mobilenet_v2_1.30_224_batch$b" '$1 == k {print $2}')"
  if [[ -n "$ours" && -n "$theirs" ]]; then
    awk -v a="$ours" -v b="$theirs" -v n="$b" \
      'BEGIN { printf "ratio_tl_over_tf_batch%d %.2f\n", n, a / b }'
  fi
done
