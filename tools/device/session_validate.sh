#!/usr/bin/env bash
# One device call that checks a merged tree on the GPU, over binaries built
# here and staged by tools/device/stage_validate.sh into $CARRY (.carry/v):
#  1. elastic_check, every kind and test kernel: bitwise equivalence + overheads;
#  2. compute-sanitizer racecheck, memcheck and synccheck over the small specs,
#     one job per spec file in parallel (tools/device/dnn_sanitize.sh);
#  3. persistent overhead A/B against an earlier elastic_check build ($CARRY/base),
#     by tools/device/persistent_ab.sh;
#  4. the runtime's GPU tests: coordinator, device faults, rewritten launch sites
#     (synchronous and asynchronous);
#  5. runtime_overhead (coordinator cost per launch against <<<>>>).
# STEPS picks a subset (default: all of "elastic sanitize ab runtime overhead").
# Writes summary.txt and validate.tar.gz (every log and JSON) to $OUT.
set -u -o pipefail
carry=${CARRY:-.carry/v}
out=${OUT:-/tmp/miriam-out}
R=/tmp/validate
rm -rf "$R" && mkdir -p "$R" /tmp/traces "$out"
st=$(date +%s)
step() { echo "== $1 ($(( $(date +%s) - st )) s)"; }
want() { [[ " ${STEPS:-elastic sanitize ab runtime overhead} " == *" $1 "* ]]; }
{
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
if want elastic; then
step elastic_check
timeout "${EC_TIMEOUT:-300}" "$carry/elastic_check" --specs test_kernels --manifests "$carry/manifests" \
  --out "$R/elastic_equivalence.json" --runs "${RUNS:-30}" --equivalence-runs 2 --seed "${SEED:-20261128}" \
  --commit "${COMMIT:-unknown}" > "$R/elastic_check.log" 2>&1; echo "rc=$?"
grep -E "RESULT|FAIL|MISMATCH" "$R/elastic_check.log" | head -20
fi
if want sanitize; then
step "compute-sanitizer racecheck, memcheck, synccheck"
CARRY=$carry SPECS=$carry/specs_small OUT=$R/sanitize BUDGET_S="${SANITIZER_BUDGET_S:-240}" JOBS="${SANITIZER_JOBS:-8}" \
  bash "$(dirname "$0")/dnn_sanitize.sh" > "$R/sanitize.log" 2>&1; echo "rc=$?"
tail -6 "$R/sanitize/summary.txt"
fi
if want ab; then
step "persistent A/B (a: $carry/base, b: this tree)"
EC_A=$carry/base EC_B=$carry SPECS=$carry/specs_perf OUT=$R/persistent_ab PROFILE=0 EC_TIMEOUT=150 \
  LABEL_A=base LABEL_B="${COMMIT:-unknown}" bash "$(dirname "$0")/persistent_ab.sh"
fi
if want runtime; then
step coordinator_gpu_test
timeout 150 "$carry/coordinator_gpu_test" /tmp/traces > "$R/coordinator_gpu_test.log" 2>&1; echo "rc=$?"
grep -E "shards|FAIL|passed" "$R/coordinator_gpu_test.log" | tail -12
step coordinator_fault_gpu_test
timeout 120 "$carry/coordinator_fault_gpu_test" > "$R/coordinator_fault_gpu_test.log" 2>&1; echo "rc=$?"
tail -4 "$R/coordinator_fault_gpu_test.log"
step launch_sites
(cd "$carry/launch" && timeout 90 ./launch_sites_gpu_test > "$R/launch_sites.log" 2>&1; echo "rc=$?")
tail -4 "$R/launch_sites.log"
(cd "$carry/launch" && MIRIAM_TEST_WATCHDOG_S=${ASYNC_WATCHDOG_S:-240} timeout 280 ./async_launches_gpu_test > "$R/async_launches.log" 2>&1; echo "rc=$?")
tail -30 "$R/async_launches.log"
fi
if want overhead; then
step runtime_overhead
timeout 90 "$carry/runtime_overhead" --out "$R/runtime_overhead.json" --commit "${COMMIT:-unknown}" \
  > "$R/runtime_overhead.log" 2>&1; echo "rc=$?"
tail -8 "$R/runtime_overhead.log"
fi
cp /tmp/traces/trace_miriam.json "$R/" 2>/dev/null
step done
} 2>&1 | tee "$out/summary.txt"
tar -C /tmp -czf "$out/validate.tar.gz" validate
