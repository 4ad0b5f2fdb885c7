#!/usr/bin/env bash
# One device call for split-K convolutions for normal tasks
# (ModelOptions::conv_split_depth, miriam_bench --normal-conv-split-depth),
# over .carry/split (staged by tools/device/stage_split_conv.sh) and .carry/bench:
#  1. the split kernels against the CPU reference, run-to-run bitwise;
#  2. the models with split convs against their CPU reference (DEPTH);
#  3. VGG-16 and AlexNet alone, with and without splits (what splitting costs);
#  4. elastic_check and compute-sanitizer (racecheck, memcheck) on the split
#     kernels' elastic variants at small shapes;
#  5. tools/device/policy_ab.sh: priority and miriam as they are, then miriam
#     with the normal task's convs split, per workload (AB_CASES).
# Writes $OUT/summary.txt, $OUT/ab_tables.txt, $OUT/ab_results.tar.gz, $OUT/logs.tar.gz.
set -u -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
s=${CARRY:-.carry/split}
out=${OUT:-/tmp/miriam-split-out}
depth=${DEPTH:-576}
logs=/tmp/split_logs
rm -rf "$logs" && mkdir -p "$logs" "$out"
st=$(date +%s)
at() { echo "== $1 ($(( $(date +%s) - st )) s)"; }
{
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
at "split kernels vs the CPU reference"
timeout 60 "$s/dnn_gpu_layers_check" > "$logs/layers.log" 2>&1; echo "rc=$?"
grep -E "conv2d_split|checks" "$logs/layers.log" | tail -8
at "models with split convs (depth $depth) vs the CPU reference"
timeout 60 "$s/dnn_gpu_models_check" --check-only --conv-split-depth "$depth" \
  --models alexnet,cifarnet,resnet18,resnet50,vgg16,squeezenet,mobilenet_v2 > "$logs/models_split.log" 2>&1; echo "rc=$?"
tail -9 "$logs/models_split.log"
at "alone: vgg16 x4 and alexnet x4, unsplit then split"
for d in 0 "$depth"; do
  args=(); [ "$d" = 0 ] || args=(--conv-split-depth "$d")
  timeout 45 "$s/dnn_gpu_models_check" --timing-only --models vgg16,alexnet --batch 4 --runs 30 "${args[@]}" \
    > "$logs/timing_$d.log" 2>&1; echo "depth $d rc=$?"; grep -iE "median|vgg16|alexnet" "$logs/timing_$d.log" | head -4
done
at "elastic variants of the split kernels: equivalence, racecheck, memcheck"
CARRY="$s" SPECS="$s/specs" OUT="$logs/sanitize" TOOLS="racecheck memcheck" BUDGET_S=50 JOBS=4 \
  bash "$here/dnn_sanitize.sh" > "$logs/sanitize.log" 2>&1; echo "rc=$?"
head -4 "$logs/sanitize/summary.txt"
at "policy A/B: the normal task's convs split at depth $depth"
OUT="$out" AB_CASES="${AB_CASES:-mobilenet_vgg16:full:--max-run-s=15 cifarnet_alexnet:full:--max-run-s=15 cifarnet_alexnet:8:--max-run-s=15}" \
  AB_VARIANTS="split:--normal-conv-split-depth=$depth" COMMIT="${COMMIT:-unknown}" \
  timeout "${AB_TIMEOUT:-150}" bash "$here/policy_ab.sh" > "$logs/ab_stdout.txt" 2>&1; echo "rc=$?"
grep -E "^miriam |^priority |^---|target miriam critical|\(.* s\)" "$out/ab_tables.txt" | cut -c1-150
at done
} 2>&1 | tee "$out/summary.txt"
tar -C /tmp -czf "$out/logs.tar.gz" split_logs
