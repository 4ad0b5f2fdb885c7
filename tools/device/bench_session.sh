#!/usr/bin/env bash
# One device call for the benchmark evidence of a session, over .carry/bench
# (tools/miriam_bench/stage_carry.sh, with torch_colocation.py copied in) and
# .carry/v/launch (tools/device/stage_validate.sh):
#   async   the asynchronous launch-site GPU test;
#   full    every workload on the whole GPU (a trace of mobilenet_vgg16 only:
#           the traces of all of them would not come back);
#   anchor  the PyTorch anchor, in the same call as the full-GPU run;
#   s8, s16 workloads at 8 and 16 SMs (S8_WORKLOADS within S8_LIMIT seconds,
#           S16_WORKLOADS; S16_WORKLOADS=none skips 16 SMs).
# Each section runs under its own time limit, ending by DEADLINE_S seconds
# after the start, and everything is packed after each one, so a section cut
# short costs only itself: $OUT/tables.txt, $OUT/bench.tar.gz (JSON, CSV,
# logs), $OUT/traces.tar.gz, $OUT/summary.txt. MAX_RUN_S caps a policy run.
set -u -o pipefail
out=${OUT:-/tmp/miriam-bench-session}
work=/tmp/bench_session
rm -rf "$work" && mkdir -p "$work" "$out"
st=$(date +%s)
deadline=${DEADLINE_S:-570}
left() { echo $(( deadline - ($(date +%s) - st) )); }
limit() { local l; l=$(left); [ "$1" -lt "$l" ] && echo "$1" || echo "$l"; }
pack() {
  cat "$work"/*/tables.txt > "$out/tables.txt" 2>/dev/null
  tar -C "$work" -czf "$out/bench.tar.gz" --exclude='*/traces.tar.gz' .
  [ -f "$work/full_traced/traces.tar.gz" ] && cp "$work/full_traced/traces.tar.gz" "$out/"
  echo "== packed at $(( $(date +%s) - st )) s"
}
bench() {  # bench <section> <seconds> <SMS> <workloads> [TRACE_SMS]
  local t; t=$(limit "$2")
  [ "$t" -gt 10 ] || { echo "== $1: no time left"; return; }
  echo "== $1 ($3 SMs: $4), limit $t s, at $(( $(date +%s) - st )) s"
  mkdir -p "$work/$1"
  OUT="$work/$1" SMS="$3" WORKLOADS="$4" TRACE_SMS="${5:-none}" EXTRA="--max-run-s ${MAX_RUN_S:-15} ${EXTRA:-}" \
    COMMIT="${COMMIT:-unknown}" timeout "$t" bash tools/miriam_bench/device_run.sh > "$work/$1/stdout.txt" 2>&1
  echo "rc=$?"
  grep -E "^miriam |target|\(.* s\)" "$work/$1/tables.txt" | cut -c1-170
  pack
}
{
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
echo "== async launch sites"
mkdir -p "$work/async"
(cd .carry/v/launch && MIRIAM_TEST_WATCHDOG_S=60 timeout "$(limit 75)" ./async_launches_gpu_test > "$work/async/async_launches.log" 2>&1; echo "rc=$?")
grep -E "FAIL|miriam|all passed" "$work/async/async_launches.log" | cut -c1-200 | head -20
bench full_traced 60 full mobilenet_vgg16 full
bench full 150 full "resnet18_resnet50 two_normal two_critical cifarnet_alexnet"
echo "== anchor at $(( $(date +%s) - st )) s"
mkdir -p "$work/anchor"
OUT="$work/anchor" PYTHONUNBUFFERED=1 timeout "$(limit "${ANCHOR_LIMIT:-150}")" python3 .carry/bench/torch_colocation.py \
  > "$work/anchor/torch_colocation.txt" 2>&1; echo "rc=$?"
tail -12 "$work/anchor/torch_colocation.txt"
pack
bench s8 "${S8_LIMIT:-60}" 8 "${S8_WORKLOADS:-cifarnet_alexnet}"
[ "${S16_WORKLOADS:-}" = none ] ||
  bench s16 9999 16 "${S16_WORKLOADS:-resnet18_resnet50 mobilenet_vgg16 two_normal cifarnet_alexnet two_critical}"
echo "== done at $(( $(date +%s) - st )) s"
} 2>&1 | tee "$out/summary.txt"
