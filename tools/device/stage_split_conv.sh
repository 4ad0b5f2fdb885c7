#!/usr/bin/env bash
# Stages what tools/device/split_conv_check.sh runs into .carry/split (ignored
# by git; carry it with .carry/bench from tools/miriam_bench/stage_carry.sh):
# the DNN GPU checks, elastic_check with the manifests, the split kernels' small specs.
set -euo pipefail
cd "$(dirname "$0")/../.."
b=${BUILD_DIR:-build}
s=.carry/split
rm -rf "$s" && mkdir -p "$s/manifests" "$s/specs"
cp "$b/tests/dnn/dnn_gpu_layers_check" "$b/tests/dnn/dnn_gpu_models_check" "$b/test_kernels/elastic_check" "$s/"
cp "$b"/test_kernels/miriam/elastic_check/*.miriam.json "$s/manifests/"
cp test_kernels/specs_dnn_small/dnn_small_conv_split.launch.json "$s/specs/"
strip "$s"/dnn_gpu_* "$s/elastic_check" 2>/dev/null || true
du -sh "$s"
