#!/usr/bin/env bash
# Where the persistent loop's overhead goes: for each kernel in $KERNELS,
# ncu (SpeedOfLight, LaunchStats, Occupancy, WarpStateStats, InstructionStats)
# over the timed launches of `elastic_check --timing-only` (the original and
# the persistent variant in every claim mode, at P = all resident blocks;
# launch order: the original 13 times (the runner's calibration, since
# c1db20d), then twice, then original/variant pairs in the order of the
# timing table's columns), and the SASS of both kernels. Runs over
# .carry/v (tools/device/stage_validate.sh). Writes $OUT/ncu.tar.gz and
# $OUT/sass.txt.
set -u -o pipefail
carry=${CARRY:-.carry/v}
out=${OUT:-/tmp/miriam-out}
kernels=${KERNELS:-dnn_gemm_bias_act dnn_lstm_cell dnn_depthwise_conv2d matmul_tiled}
work=/tmp/persistent_profile
rm -rf "$work" && mkdir -p "$work" "$out"
command -v ncu > /dev/null || { echo "no ncu on this machine"; exit 1; }
for k in $kernels; do
  timeout "${NCU_TIMEOUT:-90}" ncu --kernel-name-base function -k "regex:^${k}(__miriam_persistent)?\$" --csv --page raw \
    --section SpeedOfLight --section LaunchStats --section Occupancy --section WarpStateStats \
    --section InstructionStats --section MemoryWorkloadAnalysis \
    "$carry/elastic_check" --specs "$carry/specs_perf" --manifests "$carry/manifests" --kinds persistent \
    --only "$k" --timing-only --runs 1 --warmup 0 --equivalence-runs 1 --out "$work/$k.json" \
    > "$work/ncu_$k.csv" 2> "$work/ncu_$k.err"
  echo "ncu $k: exit $?, $(grep -c '"' "$work/ncu_$k.csv") csv lines"
done
tar -C "$work" -czf "$out/ncu.tar.gz" .
if command -v cuobjdump > /dev/null; then
  pattern=$(echo "$kernels" | tr ' ' '|')
  cuobjdump -sass "$carry/elastic_check" 2> /dev/null |
    awk -v m="($pattern)" '/Function : /{on = ($0 ~ m)} on' > "$out/sass.txt"
  echo "sass: $(wc -l < "$out/sass.txt") lines"
fi
