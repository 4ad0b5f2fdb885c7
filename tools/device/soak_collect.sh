#!/usr/bin/env bash
# Waits (at most WAIT_SECONDS, default 540) for the soak soak_start.sh began,
# then packs /tmp/miriam_soak (without the binaries) into $OUT/soak.tar.gz,
# copies the summary to $OUT, prints it and exits with the soak's status:
# 0 passed, 1 a criterion failed, 3 deadlock suspected (watchdog).
# Exit 5: still running (call again; the last windows are printed);
# exit 6: no soak here, or its process is gone without an exit status.
set -u -o pipefail
dir=/tmp/miriam_soak
out=${OUT:-/tmp/miriam-soak-out}
limit=${WAIT_SECONDS:-540}
mkdir -p "$out"
[ -d "$dir" ] || { echo "no soak on this machine ($dir missing: a fresh machine?); start one with soak_start.sh"; exit 6; }
alive() { [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; }
start=$(date +%s)
while [ ! -f "$dir/exit_status" ] && [ $(( $(date +%s) - start )) -lt "$limit" ]; do
  alive || { sleep 2; [ -f "$dir/exit_status" ] || break; }
  sleep 5
done
pack() {
  tar -C /tmp --exclude miriam_soak/bin -czf "$out/soak.tar.gz" miriam_soak
  cp "$dir"/results/*.md "$out/" 2>/dev/null
}
if [ ! -f "$dir/exit_status" ]; then
  pack
  if alive; then
    echo "soak still running after ${limit} s of waiting (call soak_collect.sh again); latest windows:"
    grep '^window' "$dir/stdout.log" | tail -n 5
    exit 5
  fi
  echo "the soak process is gone without an exit status (killed?); what it left:"
  tail -n 30 "$dir/stdout.log" "$dir/stderr.log"
  exit 6
fi
pack
status=$(cat "$dir/exit_status")
echo "card: $(cat "$dir/card.txt")"
echo "command: miriam_bench $(cat "$dir/command.txt")"
tail -n 15 "$dir/stderr.log"
grep -v '^window' "$dir/stdout.log" | tail -n 40
echo "--- summary"
cat "$dir"/results/*.md 2>/dev/null | head -n 80
echo "soak exit status: $status"
exit "$status"
