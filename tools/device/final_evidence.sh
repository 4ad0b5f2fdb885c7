#!/usr/bin/env bash
# Final evidence: elastic variants (all kinds) + sanitizers, models, runtime.
set -u
C=${COMMIT:-unknown}; R=/tmp/f1; mkdir -p $R/elastic $R/rt /tmp/traces
B=.carry/bin
st=$(date +%s)
OUT=$R/elastic COMMIT=$C SEED=20261128 RUNS=50 SANITIZER_TIMEOUT=75 SANITIZER_SPECS=.carry/specs_small bash tools/device/elastic_evidence.sh > $R/elastic/evidence_stdout.log 2>&1; echo "elastic_evidence rc=$? $(( $(date +%s)-st ))s"
grep -E "compute-sanitizer|ERROR SUMMARY|passed|failed|FAIL" $R/elastic/evidence_stdout.log | tail -20
s() { echo "== $1 ($(( $(date +%s)-st ))s)"; }
s models; timeout 100 $B/dnn_gpu_models_check --batch 8 --runs 30 --out $R/rt/dnn_models.json > $R/rt/dnn_models.log 2>&1; echo rc=$?; tail -2 $R/rt/dnn_models.log
s torch; timeout 120 python3 tools/bench/torch_models_latency.py --batch 8 --runs 30 --ours $R/rt/dnn_models.json --check-outputs --out $R/rt/torch_models.json > $R/rt/torch_models.log 2>&1; echo rc=$?; tail -25 $R/rt/torch_models.log
s launch; (cd .carry/launch && timeout 60 ./launch_sites_gpu_test > $R/rt/launch_sites.log 2>&1; echo rc=$?); tail -2 $R/rt/launch_sites.log
s overhead; timeout 60 $B/runtime_overhead --out $R/rt/runtime_overhead.json --commit $C > $R/rt/runtime_overhead.log 2>&1; echo rc=$?; tail -10 $R/rt/runtime_overhead.log
s coord-memcheck; timeout 60 compute-sanitizer --tool memcheck --error-exitcode 9 $B/coordinator_gpu_test /tmp/traces --quick > $R/rt/coord_memcheck.log 2>&1; echo rc=$?; tail -2 $R/rt/coord_memcheck.log
s coord-racecheck; timeout 60 compute-sanitizer --tool racecheck --error-exitcode 9 $B/coordinator_gpu_test /tmp/traces --quick > $R/rt/coord_racecheck.log 2>&1; echo rc=$?; tail -2 $R/rt/coord_racecheck.log
cp /tmp/traces/trace_miriam.json $R/rt/ 2>/dev/null
s profile; timeout 60 $B/miriam_profile --specs test_kernels --manifests .carry/profile_manifests --out $R/rt/profile.json > $R/rt/profile.log 2>&1; echo rc=$?; tail -1 $R/rt/profile.log
s done
tar -C /tmp -czf $OUT/f1.tar.gz f1
cp $R/rt/profile.json $OUT/ 2>/dev/null
