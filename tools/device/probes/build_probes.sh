#!/usr/bin/env bash
# Builds the device probes (tools/device/probes/*.cu) for sm_90 into
# .carry/probes, against the generated elastic file of the DNN layers in the
# build tree (cmake --build build first). Run here; carry .carry/probes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${BUILD:-$root/build}
out=$root/.carry/probes
mkdir -p "$out"
for src in "$root"/tools/device/probes/*.cu; do
  name=$(basename "$src" .cu)
  nvcc -arch=sm_90 -std=c++17 -O3 -o "$out/$name" "$src" \
    -I"$build/test_kernels/miriam/elastic_check" -I"$root/runtime/include" -I"$root/tools/elastic_check" -I"$root/test_kernels/dnn" \
    -I"$root/test_kernels" "$build/runtime/libmiriam_runtime.a" "$build/runtime/libmiriam_core.a" -lcuda
  echo "built $out/$name"
done
