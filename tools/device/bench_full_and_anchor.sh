#!/usr/bin/env bash
# Full-GPU benchmark: every workload under every policy (runtime defaults),
# then the miriam policy alone with the profile and a hold-over-budget critical
# budget of 50 us, then the PyTorch anchor.
set -u
SMS=${SMS:-full}
st=$(date +%s)
COMMIT=$COMMIT SMS="$SMS" TRACE_SMS="${TRACE_SMS:-$SMS}" ANCHOR=${ANCHOR:-} EXTRA="${EXTRA_DEFAULT:-}" bash tools/miriam_bench/device_run.sh > /tmp/default_stdout.txt 2>&1; echo "default rc=$? $(( $(date +%s)-st ))s"
mkdir -p /tmp/tuned
OUT=/tmp/tuned COMMIT=$COMMIT SMS="$SMS" TRACE_SMS=none EXTRA="--policies miriam --profile .carry/profile.json --critical-budget-us 50 --hold-over-budget ${EXTRA_DEFAULT:-}" bash tools/miriam_bench/device_run.sh > /tmp/tuned_stdout.txt 2>&1; echo "tuned rc=$? $(( $(date +%s)-st ))s"
tar -C /tmp -czf $OUT/tuned.tar.gz tuned tuned_stdout.txt default_stdout.txt
grep -E "^(policy|sequential|multistream|priority|ib|miriam) |^\(|target|solo" $OUT/tables.txt | cut -c1-160
echo "--- tuned"; grep -E "^miriam |^\(|target" /tmp/tuned/tables.txt | cut -c1-160
tail -15 $OUT/torch_colocation.txt 2>/dev/null
