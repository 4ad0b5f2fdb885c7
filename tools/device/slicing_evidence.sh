#!/usr/bin/env bash
# GPU evidence for grid slicing, run on the device machine over binaries
# built here and carried in .carry/ (see README "Running on the GPU machine"):
# bitwise equivalence of every sliced variant against its original kernel and
# the one-slice overhead (elastic_check), the DNN layer kernels against their
# CPU reference, and the coordinator's GPU test. Results land in $OUT.
set -u -o pipefail
carry=${CARRY:-.carry}
out=${OUT:-/tmp/miriam-out}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/card.txt"
status=0
"$carry/elastic_check" --specs test_kernels --manifests "$carry/manifests" \
  --out "$out/slicing_equivalence.json" --runs "${RUNS:-50}" --seed "${SEED:-$RANDOM}" \
  --commit "${COMMIT:-unknown}" 2>&1 | tee "$out/elastic_check.log" || status=1
"$carry/dnn_gpu_layers_check" 2>&1 | tee "$out/dnn_layers_check.log" || status=1
"$carry/coordinator_gpu_test" "$out" > "$out/coordinator_gpu_test.log" 2>&1 || status=1
tail -3 "$out/coordinator_gpu_test.log"
exit $status
