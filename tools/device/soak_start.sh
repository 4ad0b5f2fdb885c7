#!/usr/bin/env bash
# Starts the soak run of issue 8 on the device machine in the background and
# returns at once (the soak outlasts one device command). It runs in a new
# session (setsid), so the device tool does not end it when this command
# returns. Needs .carry/bench (tools/miriam_bench/stage_carry.sh, carry .carry).
# Then run tools/device/soak_collect.sh (again while it says "still running").
#   SOAK_SECONDS (660)  WINDOW_SECONDS (30)  WATCHDOG_SECONDS (10)
#   WORKLOAD (soak_dnn when the binary has the DNN models, else soak_synthetic)
#   EXTRA (more miriam_bench options, e.g. "--sms 16")  COMMIT (recorded hash)
# Everything goes to /tmp/miriam_soak: stdout.log, stderr.log, exit_status
# (written when it ends), results/soak_<workload>_<tag>.{json,md} (rewritten
# after every window).
set -u -o pipefail
carry=${CARRY_DIR:-.carry/bench}
dir=/tmp/miriam_soak
[ -x "$carry/miriam_bench" ] || { echo "error: $carry/miriam_bench missing (stage_carry.sh, then carry .carry)" >&2; exit 1; }
if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null && [ ! -f "$dir/exit_status" ]; then
  echo "error: a soak is already running (pid $(cat "$dir/pid")); collect it first" >&2
  exit 1
fi
rm -rf "$dir" && mkdir -p "$dir/results"
# Its own copy of the binary, manifests and workloads: a later call may replace the carried tree.
cp -r "$carry" "$dir/bin"
if [ -z "${WORKLOAD:-}" ]; then
  if [[ "$("$dir/bin/miriam_bench" --list)" == *"DNN models: built in"* ]]; then WORKLOAD=soak_dnn; else WORKLOAD=soak_synthetic; fi
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$dir/card.txt" 2>&1
args=(--workload "$WORKLOAD" --soak-seconds "${SOAK_SECONDS:-660}" --soak-window-seconds "${WINDOW_SECONDS:-30}"
      --soak-watchdog-seconds "${WATCHDOG_SECONDS:-10}" --out-dir "$dir/results" ${COMMIT:+--commit "$COMMIT"} ${EXTRA:-})
echo "${args[*]}" > "$dir/command.txt"
setsid nohup bash -c 'echo $$ > "$0/pid"; "$0/bin/miriam_bench" "$@" > "$0/stdout.log" 2> "$0/stderr.log"; echo $? > "$0/exit_status.tmp"; mv "$0/exit_status.tmp" "$0/exit_status"' \
  "$dir" "${args[@]}" < /dev/null > /dev/null 2>&1 &
sleep 3
if [ -f "$dir/exit_status" ]; then
  echo "error: the soak ended at once (exit $(cat "$dir/exit_status")):" >&2
  cat "$dir/stdout.log" "$dir/stderr.log" >&2
  exit 1
fi
echo "soak started (pid $(cat "$dir/pid" 2>/dev/null)): $WORKLOAD for ${SOAK_SECONDS:-660} s on $(cat "$dir/card.txt")"
echo "collect with: bash tools/device/soak_collect.sh"
