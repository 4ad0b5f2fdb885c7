#!/usr/bin/env bash
# A/B of the miriam policy's critical-timing rules on the device machine, over
# .carry/bench (tools/miriam_bench/stage_carry.sh). Each workload runs
# priority and miriam with the runtime defaults, then miriam again with the
# rules off (--long-blocks pad --drain-ahead off: the policy before them), in
# the same call. Writes $OUT/ab_tables.txt and $OUT/ab_results.tar.gz.
#   AB_CASES="workload:sms:extra-args ..." (sms: full or N) overrides the default cases;
#   AB_VARIANTS="name:args ..." the miriam-only reruns (args: '=' for spaces, ',' between options).
set -u -o pipefail
carry=${CARRY_DIR:-.carry/bench}
out=${OUT:-/tmp/miriam-ab-out}
work=$(mktemp -d /tmp/miriam-ab.XXXXXX)
mkdir -p "$out" "$work/on"
bench="$carry/miriam_bench"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee -a "$out/ab_tables.txt"
cases=${AB_CASES:-"resnet18_resnet50:full: mobilenet_vgg16:full: mobilenet_vgg16:8:--requests=300 cifarnet_alexnet:8:--requests=1000"}
status=0
for c in $cases; do
  IFS=: read -r w sms extra <<<"$c"
  sm_args=()
  [ "$sms" = full ] || sm_args=(--sms "$sms")
  extra=${extra//=/ }
  start=$(date +%s)
  "$bench" --workload "$w" "${sm_args[@]}" --policies priority,miriam --out-dir "$work/on" \
    ${COMMIT:+--commit "$COMMIT"} $extra 2>>"$work/bench.log" | tee -a "$out/ab_tables.txt" || status=1
  for v in ${AB_VARIANTS:-off:--long-blocks=pad,--drain-ahead=off}; do
    name=${v%%:*} args=${v#*:}
    args=${args//,/ } && args=${args//=/ }
    mkdir -p "$work/$name"
    echo "--- $w at $sms SMs, miriam variant $name: $args" | tee -a "$out/ab_tables.txt"
    "$bench" --workload "$w" "${sm_args[@]}" --policies miriam $args --out-dir "$work/$name" \
      ${COMMIT:+--commit "$COMMIT"} $extra 2>>"$work/bench.log" |
      grep -E "^(workload|  miriam planner|  solo|policy|miriam|  target|  miriam counters)" | tee -a "$out/ab_tables.txt" || status=1
  done
  echo "($w at $sms SMs: $(( $(date +%s) - start )) s)" | tee -a "$out/ab_tables.txt"
done
(cd "$work" && tar -czf "$out/ab_results.tar.gz" *)
exit $status
