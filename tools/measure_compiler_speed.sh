#!/usr/bin/env bash
# Wall time and peak memory of miriamc on every bundled test kernel file
# (and the DNN layers), one file per run, on this machine. Usage:
#   tools/measure_compiler_speed.sh build/tools/miriamc > results/compiler_speed.md
set -euo pipefail
miriamc=${1:-build/tools/miriamc}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "# miriamc speed ($(nproc) cores, $(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD))"
echo
echo "One run per file; the time includes the parse of the input and the verification parse of the output."
echo
echo "| file | lines | wall s | peak MiB |"
echo "|---|---|---|---|"
for f in test_kernels/*.cu test_kernels/dnn/layers.cu; do
  /usr/bin/time -o "$out/time" -f "%e %M" "$miriamc" --quiet "$f" -o "$out" >/dev/null 2>&1
  read -r secs kib <"$out/time"
  echo "| $f | $(wc -l <"$f") | $secs | $((kib / 1024)) |"
done
