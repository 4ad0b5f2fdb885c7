#!/usr/bin/env bash
# GPU evidence for the elastic variants, run on the device machine over
# binaries built here and carried in .carry/ (see README "Running on the GPU
# machine"): bitwise equivalence of every sliced and persistent variant with
# its original kernel, overheads and preemption latency (elastic_check), the
# same under compute-sanitizer memcheck and racecheck (no timing), the DNN
# layer kernels against their CPU reference, and the coordinator's GPU test.
# Writes 8 files into $OUT (the device tool's limit).
set -u -o pipefail
carry=${CARRY:-.carry}
out=${OUT:-/tmp/miriam-out}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/card.txt"
check=("$carry/elastic_check" --specs test_kernels --manifests "$carry/manifests")
status=0
"${check[@]}" --out "$out/elastic_equivalence.json" --runs "${RUNS:-50}" --equivalence-runs 2 \
  --seed "${SEED:-$RANDOM}" --commit "${COMMIT:-unknown}" > "$out/elastic_check.log" 2>&1 || status=1
tail -n 80 "$out/elastic_check.log"
# Sanitizers are slow on the large DNN layer shapes: SANITIZER_SPECS can name
# a folder of specs without them.
for tool in memcheck racecheck synccheck; do
  timeout "${SANITIZER_TIMEOUT:-150}" compute-sanitizer --tool "$tool" --error-exitcode 9 \
    "$carry/elastic_check" --specs "${SANITIZER_SPECS:-test_kernels}" --manifests "$carry/manifests" \
    --out "/tmp/$tool.json" --runs 0 --equivalence-runs 1 --seed 7 > "$out/$tool.log" 2>&1
  echo "compute-sanitizer $tool: exit $?"; tail -n 4 "$out/$tool.log"
done
"$carry/dnn_gpu_layers_check" > "$out/dnn_layers_check.log" 2>&1 || status=1
tail -n 1 "$out/dnn_layers_check.log"
mkdir -p /tmp/traces
"$carry/coordinator_gpu_test" /tmp/traces > "$out/coordinator_gpu_test.log" 2>&1 || status=1
tail -n 3 "$out/coordinator_gpu_test.log"
exit $status
