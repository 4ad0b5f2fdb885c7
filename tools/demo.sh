#!/usr/bin/env bash
# The main job on the bundled inputs: builds miriamc and turns every kernel
# file of test_kernels/ (and the DNN layers) into elastic variants plus a
# manifest in out/, printing what was made and what was refused, and why.
# On a machine with a GPU it then checks every variant against its original
# kernel, bit for bit, and prints the overhead table; then it runs a short
# multi-DNN benchmark (every policy on one workload) and prints its table.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install_deps.sh
export PATH="/usr/local/cuda/bin:$PATH"
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} >/dev/null
cmake --build "$build" --target miriamc -j "$(nproc)"
rm -rf out && mkdir -p out
"$build/tools/miriamc" test_kernels/*.cu test_kernels/dnn/layers.cu -o out 2> out/diagnostics.txt || {
  cat out/diagnostics.txt >&2
  exit 1
}
echo "outputs in out/ ; refusal diagnostics in out/diagnostics.txt"
if nvidia-smi -L >/dev/null 2>&1; then
  cmake --build "$build" --target elastic_check -j "$(nproc)"
  "$build/test_kernels/elastic_check" --specs test_kernels --manifests "$build/test_kernels/miriam/elastic_check" \
    --out out/slicing_equivalence.json
  # A short run of the multi-DNN benchmark (one workload, every policy): its table.
  cmake --build "$build" --target miriam_bench -j "$(nproc)"
  bench="$build/tools/miriam_bench/miriam_bench"
  workload=synthetic_pair
  if [[ "$("$bench" --list)" == *"DNN models: built in"* ]]; then workload=resnet18_resnet50; fi
  "$bench" --short --workload "$workload" --out-dir out/bench --trace-dir out/bench
else
  echo "no GPU here: compile step only (the equivalence check and the benchmark run where nvidia-smi finds a GPU)"
fi
