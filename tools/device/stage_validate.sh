#!/usr/bin/env bash
# Stages what tools/device/session_validate.sh runs into .carry/v (ignored by
# git; carry it): binaries built here for sm_90 (stripped), the manifests
# beside them, the small and perf spec folders. BASE_BUILD names an earlier
# build folder whose elastic_check is the A/B baseline (optional).
set -euo pipefail
cd "$(dirname "$0")/../.."
b=${BUILD_DIR:-build}
v=.carry/v
rm -rf "$v" && mkdir -p "$v/manifests" "$v/launch" "$v/specs_small" "$v/specs_perf"
cp "$b/test_kernels/elastic_check" "$b/tests/runtime/coordinator_gpu_test" "$b/tests/runtime/coordinator_fault_gpu_test" \
   "$b/tools/runtime_overhead/runtime_overhead" "$v/"
cp "$b"/test_kernels/miriam/elastic_check/*.miriam.json "$v/manifests/"
cp "$b"/tests/runtime/launch/*_gpu_test "$b"/tests/runtime/launch/*.miriam.json "$v/launch/"
# Sanitizers are slow on the DNN layers' full shapes: their small-shape specs instead.
find test_kernels -maxdepth 1 -name '*.launch.json' ! -name dnn_layers.launch.json -exec cp {} "$v/specs_small/" \;
cp test_kernels/specs_dnn_small/*.json "$v/specs_small/"
cp test_kernels/dnn_layers.launch.json test_kernels/gemm_tiled.launch.json test_kernels/transpose.launch.json \
   test_kernels/reduce_shfl.launch.json "$v/specs_perf/"
if [ -n "${BASE_BUILD:-}" ]; then
  mkdir -p "$v/base/manifests"
  cp "$BASE_BUILD/test_kernels/elastic_check" "$v/base/"
  cp "$BASE_BUILD"/test_kernels/miriam/elastic_check/*.miriam.json "$v/base/manifests/"
fi
find "$v" -type f -perm -u+x -exec strip {} + 2>/dev/null || true
du -sh "$v"
