#!/usr/bin/env bash
# The full benchmark on the device machine, over .carry/bench (stage_carry.sh):
# every workload at every SM count, then, if ANCHOR names torch_colocation.py
# (copied into .carry), the PyTorch anchor in the same call. The device tool
# returns at most 8 files from $OUT, so results are packed:
#   $OUT/tables.txt        every printed table, with the seconds each workload took
#   $OUT/results.tar.gz    <workload>_<full|smsN>.json/.csv, bench.log
#   $OUT/traces.tar.gz     Chrome traces (TRACE_SMS, default: the first SM count only)
#   $OUT/card.txt, $OUT/torch_colocation.{txt,json}
# Split long runs over calls: SMS="full 16 8", WORKLOADS="resnet18_resnet50 ...",
# EXTRA="--requests 330" (any miriam_bench options), COMMIT=<hash>.
set -u -o pipefail
carry=${CARRY_DIR:-.carry/bench}
out=${OUT:-/tmp/miriam-bench-out}
work=$(mktemp -d /tmp/miriam-bench.XXXXXX)
mkdir -p "$out" "$work/results" "$work/traces"
bench="$carry/miriam_bench"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/card.txt"
if [ -z "${WORKLOADS:-}" ]; then
  if [[ "$("$bench" --list)" == *"DNN models: built in"* ]]; then
    WORKLOADS="resnet18_resnet50 mobilenet_vgg16 two_normal two_critical cifarnet_alexnet"
  else
    WORKLOADS="synthetic_pair"
  fi
fi
sms_list=${SMS:-full 16 8}
trace_sms=${TRACE_SMS:-${sms_list%% *}}
status=0
for sms in $sms_list; do
  sm_args=()
  [ "$sms" = full ] || sm_args=(--sms "$sms")
  trace_args=()
  [[ " $trace_sms " == *" $sms "* ]] && trace_args=(--trace-dir "$work/traces")
  for w in $WORKLOADS; do
    start=$(date +%s)
    "$bench" --workload "$w" "${sm_args[@]}" --out-dir "$work/results" "${trace_args[@]}" \
      ${COMMIT:+--commit "$COMMIT"} ${EXTRA:-} 2>>"$work/results/bench.log" | tee -a "$out/tables.txt" || status=1
    echo "($w at $sms SMs: $(( $(date +%s) - start )) s)" | tee -a "$out/tables.txt"
    # Packed after every workload: a call cut by its time limit keeps what finished.
    tar -C "$work" -czf "$out/results.tar.gz" results
    [ -n "$(ls "$work/traces")" ] && tar -C "$work" -czf "$out/traces.tar.gz" traces
  done
done
tail -n 20 "$work/results/bench.log"
if [ -n "${ANCHOR:-}" ] && [ -f "$ANCHOR" ]; then
  OUT="$out" PYTHONUNBUFFERED=1 python3 "$ANCHOR" 2>&1 | tee "$out/torch_colocation.txt" || status=1
fi
exit $status
