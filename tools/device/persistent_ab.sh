#!/usr/bin/env bash
# Same-call A/B of two elastic_check builds (e.g. before/after a change to the
# persistent loop), in $EC_A and $EC_B (default $CARRY/ec_a and $CARRY/ec_b;
# each: elastic_check + manifests/), on the specs in $SPECS (default
# $CARRY/specs_perf): persistent_{a,b}.json in $OUT, labelled $LABEL_A and
# $LABEL_B (default $COMMIT_LABEL, else a and b). Unless PROFILE=0, also
# profiles one GEMM launch of each with ncu (original and whole-grid
# persistent, B build; NCU=0 skips it) and dumps the SASS of the kernels
# matching $SASS_MATCH when cuobjdump is there. Writes at most 8 files to $OUT.
set -u -o pipefail
carry=${CARRY:-.carry}
out=${OUT:-/tmp/miriam-out}
ec_a=${EC_A:-$carry/ec_a}
ec_b=${EC_B:-$carry/ec_b}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$out/card.txt"
for side in a b; do
  dir=$ec_a label=${LABEL_A:-${COMMIT_LABEL:-a}}
  [ "$side" = b ] && dir=$ec_b label=${LABEL_B:-${COMMIT_LABEL:-b}}
  timeout "${EC_TIMEOUT:-300}" "$dir/elastic_check" --specs "${SPECS:-$carry/specs_perf}" --manifests "$dir/manifests" \
    --kinds persistent --out "$out/persistent_$side.json" --runs "${RUNS:-50}" --equivalence-runs 1 \
    --seed "${SEED:-11}" --commit "$label" > "/tmp/ec_$side.log" 2>&1
  echo "elastic_check $side: exit $?"; grep -E "FAIL|error" "/tmp/ec_$side.log" | head -5
done
cat /tmp/ec_a.log /tmp/ec_b.log | tail -n 400 > "$out/elastic_check_ab.log"
[ "${PROFILE:-1}" = 1 ] || exit 0
if [ "${NCU:-1}" = 1 ] && command -v ncu > /dev/null; then
  timeout 150 ncu --kernel-name-base function -k "regex:^dnn_gemm_bias_act" --launch-count 12 \
    --metrics gpu__time_duration.sum,launch__grid_size,launch__registers_per_thread,sm__inst_executed.sum,smsp__warps_issue_stalled_long_scoreboard_per_warp_active.pct,smsp__warps_issue_stalled_barrier_per_warp_active.pct,lts__t_sector_hit_rate.pct,dram__bytes_read.sum,smsp__average_warps_issue_stalled_long_scoreboard_per_issue_active.ratio \
    "$ec_b/elastic_check" --specs "$carry/specs_gemm" --manifests "$ec_b/manifests" --kinds persistent \
    --out /tmp/ncu_ec.json --runs 1 --warmup 0 --equivalence-runs 1 > "$out/ncu_gemm.txt" 2>&1
  echo "ncu: exit $?"
fi
if command -v cuobjdump > /dev/null; then
  cuobjdump -sass "$ec_b/elastic_check" 2> /dev/null |
    awk -v m="${SASS_MATCH:-dnn_gemm_bias_act}" '/Function : /{on = ($0 ~ m)} on' > "$out/sass.txt"
  wc -l "$out/sass.txt"
fi
exit 0
