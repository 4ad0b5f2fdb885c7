#!/usr/bin/env bash
# compute-sanitizer memcheck, racecheck (shared-memory hazards) and synccheck
# over every elastic variant (sliced, persistent, shrunk) of the DNN layer
# kernels, at the small shapes of test_kernels/specs_dnn_small/ (partial tiles,
# several blocks per grid dimension, the models' strides and padding, batch 2).
# Each spec runs every schedule elastic_check has: 1/2/3/7 slices and one per
# block (in order and shuffled), persistent P = 1, #SMs, 2 x #SMs, more than
# the grid, back-to-back and >= 20 preempt/resume cycles, shrunk f = 1/2/4/8;
# all compared bitwise with the original. memcheck runs with --guard-bytes 0,
# so any access past a buffer's end is out of bounds for it.
#
# Runs on the device machine over binaries built here (the repo's working tree
# is there too, so the spec files travel with it). Stage first, here:
#   cmake --build build --target elastic_check
#   rm -rf .carry/dnn_sanitize && mkdir -p .carry/dnn_sanitize/manifests
#   cp build/test_kernels/elastic_check .carry/dnn_sanitize/
#   cp build/test_kernels/miriam/elastic_check/*.miriam.json .carry/dnn_sanitize/manifests/
# then run (device tool, carry [".carry/dnn_sanitize"]):
#   CARRY=.carry/dnn_sanitize COMMIT=<sha> bash tools/device/dnn_sanitize.sh
#
# Time: the jobs (tool x spec file) run JOBS at a time, each under a timeout,
# all of them inside BUDGET_S seconds; a job cut short is a FAIL, never a pass.
# Writes 4 files to $OUT (the device tool returns at most 8): card.txt,
# summary.txt, summary.json, logs.tar.gz. Exit 0 only when the summary says PASS.
set -u -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
carry=${CARRY:-.carry/dnn_sanitize}
out=${OUT:-/tmp/miriam-dnn-sanitize}
specs=${SPECS:-test_kernels/specs_dnn_small}
tools=${TOOLS:-racecheck memcheck synccheck}  # slowest first
jobs=${JOBS:-6}
budget=${BUDGET_S:-220}  # seconds for all sanitizer jobs together
seed=${SEED:-7}
check="$carry/elastic_check"
manifests="$carry/manifests"
work=$(mktemp -d /tmp/dnn_sanitize.XXXXXX)
mkdir -p "$out" "$work/jobs"

fail() { echo "dnn_sanitize: FAIL: $*" | tee "$out/summary.txt"; exit 1; }
[ -x "$check" ] || fail "$check: not found or not executable (stage it: see the header of $0)"
[ -d "$manifests" ] || fail "$manifests: no manifests folder (stage it: see the header of $0)"
ls "$specs"/*.launch.json > /dev/null 2>&1 || fail "$specs: no *.launch.json"
sanitizer=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
[ -x "$sanitizer" ] || fail "compute-sanitizer not found"

{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  "$sanitizer" --version | tail -n 1
  echo "commit ${COMMIT:-unknown}, seed $seed, tools: $tools, jobs $jobs, budget ${budget}s, $(date -u +%FT%TZ)"
} > "$out/card.txt" 2>&1
cat "$out/card.txt"

# One folder per spec file, so the jobs of one tool run side by side.
stems=()
for f in "$specs"/*.launch.json; do
  stem=$(basename "$f" .launch.json)
  mkdir -p "$work/specs/$stem" && cp "$f" "$work/specs/$stem/"
  stems+=("$stem")
done

# run_job <tool> <stem> <timeout seconds>: one elastic_check run over one spec
# file, under compute-sanitizer unless the tool is "native".
run_job() {
  local tool=$1 stem=$2 limit=$3 job="$work/jobs/$1__$2"
  local args=(--specs "$work/specs/$stem" --manifests "$manifests" --out "$job.json"
              --runs 0 --equivalence-runs 1 --seed "$seed" --commit "${COMMIT:-unknown}")
  local cmd
  case $tool in
    native) cmd=("$check" "${args[@]}" --guard-bytes 0) ;;
    memcheck) cmd=("$sanitizer" --tool memcheck --error-exitcode 9 --print-limit 50 "$check" "${args[@]}" --guard-bytes 0) ;;
    racecheck) cmd=("$sanitizer" --tool racecheck --racecheck-report analysis --error-exitcode 9 --print-limit 50
                    "$check" "${args[@]}") ;;
    synccheck) cmd=("$sanitizer" --tool synccheck --error-exitcode 9 --print-limit 50 "$check" "${args[@]}") ;;
    *) echo "unknown tool $tool" > "$job.log"; echo 2 > "$job.rc"; return ;;
  esac
  local start=$SECONDS
  timeout -k 10 "$limit" "${cmd[@]}" > "$job.log" 2>&1
  echo $? > "$job.rc"
  echo $((SECONDS - start)) > "$job.secs"
}

# The same checks without a sanitizer first: binds every spec to its kernel,
# checks bitwise equivalence and gives the unsanitized time per spec file.
start=$SECONDS
for stem in "${stems[@]}"; do run_job native "$stem" 30; done
echo "native (no sanitizer): $((SECONDS - start)) s for ${#stems[@]} spec files"

deadline=$((SECONDS + budget))
for tool in $tools; do
  for stem in "${stems[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
    left=$((deadline - SECONDS))
    if [ "$left" -le 5 ]; then
      echo "no time left for $tool $stem" > "$work/jobs/${tool}__$stem.log"  # no .rc: FAIL
      continue
    fi
    run_job "$tool" "$stem" "$left" &
  done
done
wait
echo "sanitizers: $((SECONDS - start)) s in all"

python3 "$here/summarize_sanitizer.py" "$work/jobs" "$out/summary.txt" "$out/summary.json"
status=$?
tar -C "$work" -czf "$out/logs.tar.gz" jobs specs
rm -rf "$work"
exit $status
