#!/usr/bin/env bash
# 1) full GPU: the miriam policy with the profile and a 50 us hold-over-budget
#    critical budget (330 requests); 2) 8 and 16 SMs (green contexts), every
#    policy, runtime defaults, 100 counted requests per critical task.
set -u
st=$(date +%s)
run() { local tag=$1 sms=$2 extra=$3; mkdir -p /tmp/f4/$tag
  OUT=/tmp/f4/$tag COMMIT=$COMMIT SMS="$sms" TRACE_SMS=none EXTRA="$extra" timeout ${4:-200} bash tools/miriam_bench/device_run.sh > /tmp/f4/$tag/stdout.txt 2>&1
  echo "$tag rc=$? $(( $(date +%s)-st ))s"; tar -C /tmp -czf $OUT/f4_$tag.tar.gz f4/$tag; }
run tuned_full full "--policies miriam --profile .carry/profile.json --critical-budget-us 50 --hold-over-budget" 150
run sms8 8 "--requests 100" 200
run sms16 16 "--requests 100" 150
for t in tuned_full sms8 sms16; do echo "--- $t"; grep -E "^(policy|sequential|multistream|priority|ib|miriam|  solo|\() " /tmp/f4/$t/tables.txt | cut -c1-150; done
