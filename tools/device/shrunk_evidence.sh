#!/usr/bin/env bash
# GPU evidence for sliced+shrunk launches, run on the device machine over
# binaries built here and carried in .carry/:
#   mkdir -p .carry/manifests
#   cp build/test_kernels/elastic_check build/tests/runtime/coordinator_gpu_test .carry/
#   cp build/test_kernels/miriam/elastic_check/*.miriam.json .carry/manifests/
# 1. elastic_check --kinds shrunk: every shrunk variant bitwise equal to its
#    original at f = 1, 2, 4, 8 (where allowed), as the whole grid and as 3
#    and 7 slices (shuffled where order-independent);
# 2. coordinator_gpu_test: every policy bitwise equal, and under miriam
#    shrunk shards beside critical kernels that fill every SM (shrunk > 0).
set -u -o pipefail
carry=${CARRY:-.carry}
out=${OUT:-/tmp/miriam-out}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$out/card.txt"
status=0
"$carry/elastic_check" --specs test_kernels --manifests "$carry/manifests" --kinds shrunk \
  --out "$out/shrunk_equivalence.json" --runs "${RUNS:-5}" --equivalence-runs 2 --seed "${SEED:-$RANDOM}" \
  --commit "${COMMIT:-unknown}" > "$out/shrunk_check.log" 2>&1 || status=1
tail -n 30 "$out/shrunk_check.log"
mkdir -p /tmp/traces
"$carry/coordinator_gpu_test" /tmp/traces > "$out/coordinator_gpu_test.log" 2>&1 || status=1
grep -E "critical request GPU span|FAIL|passed|FAILURES" "$out/coordinator_gpu_test.log"
exit $status
