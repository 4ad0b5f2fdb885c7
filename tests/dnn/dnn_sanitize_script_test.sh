#!/usr/bin/env bash
# tools/device/dnn_sanitize.sh without a GPU: stubs stand in for elastic_check
# and compute-sanitizer, so what is tested is the script's plumbing and its
# verdict. A clean run must say PASS and exit 0; a sanitizer error, a job
# killed by the time budget, or a failing elastic_check must say FAIL and
# exit non-zero.
#   usage: dnn_sanitize_script_test.sh <repository root>
set -u
repo=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/carry/manifests" "$tmp/bin"

# elastic_check stub: one passing launch per spec folder, or a failing one
# when STUB_CHECK_FAILS is set.
cat > "$tmp/carry/elastic_check" <<'EOF'
#!/usr/bin/env bash
while [ $# -gt 0 ]; do
  case $1 in --specs) specs=$2 ;; --out) out=$2 ;; esac
  shift 2
done
file=$(basename "$(ls "$specs"/*.launch.json | head -n 1)")
verdict=pass status=ok rc=0
[ -n "${STUB_CHECK_FAILS:-}" ] && verdict=fail status=fail rc=1
printf '{"launches":[{"kernel":"k","spec":"%s","index":0,"status":"%s","variants":[{"kind":"sliced","verdict":"%s","schedules":[{"runs":1},{"runs":1}]}]}]}\n' \
  "$file" "$status" "$verdict" > "$out"
exit $rc
EOF

# compute-sanitizer stub: runs the program, then reports STUB_ERRORS errors
# (hazards for racecheck) when the tool is STUB_ERROR_TOOL; sleeps
# STUB_SLEEP seconds first.
cat > "$tmp/bin/compute-sanitizer" <<'EOF'
#!/usr/bin/env bash
[ "$1" = --version ] && { echo "stub compute-sanitizer"; exit 0; }
while [[ $1 == --* ]]; do
  [ "$1" = --tool ] && tool=$2
  shift 2
done
echo "========= COMPUTE-SANITIZER"
sleep "${STUB_SLEEP:-0}"
"$@"
rc=$?
errors=0
[ "$tool" = "${STUB_ERROR_TOOL:-}" ] && errors=1
if [ "$tool" = racecheck ]; then
  [ $errors -gt 0 ] && echo "========= Error: Race reported between Write access and Read access"
  echo "========= RACECHECK SUMMARY: $errors hazards displayed ($errors errors, 0 warnings)"
else
  [ $errors -gt 0 ] && echo "========= Invalid __global__ read of size 4 bytes"
  echo "========= ERROR SUMMARY: $errors errors"
fi
[ $errors -gt 0 ] && exit 9
exit $rc
EOF
chmod +x "$tmp/carry/elastic_check" "$tmp/bin/compute-sanitizer"

failures=0
# expect <name> <wanted exit: 0 or nonzero> <regex the summary must match> [VAR=value...]
expect() {
  local name=$1 wanted=$2 pattern=$3
  shift 3
  local out="$tmp/out-$name"
  (cd "$repo" && env PATH="$tmp/bin:$PATH" CARRY="$tmp/carry" OUT="$out" JOBS=4 "$@" \
     bash tools/device/dnn_sanitize.sh > "$tmp/$name.log" 2>&1)
  local rc=$?
  if { [ "$wanted" = 0 ] && [ $rc -ne 0 ]; } || { [ "$wanted" != 0 ] && [ $rc -eq 0 ]; }; then
    echo "FAIL $name: exit $rc, wanted $wanted"; failures=$((failures + 1)); cat "$tmp/$name.log"; return
  fi
  if ! grep -Eq "$pattern" "$out/summary.txt"; then
    echo "FAIL $name: summary does not match /$pattern/"; failures=$((failures + 1)); cat "$out/summary.txt"; return
  fi
  grep -q "^dnn_sanitize: FAIL: " "$out/summary.txt" && { echo "ok   $name (exit $rc, before any job)"; return; }
  for f in card.txt summary.txt summary.json logs.tar.gz; do
    [ -s "$out/$f" ] || { echo "FAIL $name: no $f in OUT"; failures=$((failures + 1)); return; }
  done
  echo "ok   $name (exit $rc)"
}

specs=$(ls "$repo"/test_kernels/specs_dnn_small/*.launch.json | wc -l)
expect clean 0 "^dnn_sanitize: PASS" TOOLS="memcheck racecheck synccheck"
expect clean-counts 0 "^memcheck: PASS: 0 errors found; $specs launch specs, $specs variants, $((2 * specs)) schedule runs"
expect memcheck-error 1 "^memcheck: FAIL: [1-9][0-9]* errors found" STUB_ERROR_TOOL=memcheck
expect racecheck-hazard 1 "^racecheck: FAIL: [1-9][0-9]* errors found" STUB_ERROR_TOOL=racecheck
expect synccheck-error 1 "^dnn_sanitize: FAIL" STUB_ERROR_TOOL=synccheck
expect elastic-check-fails 1 "FAIL: k \(.*\) sliced: fail" STUB_CHECK_FAILS=1
expect over-budget 1 "killed by its time limit|no exit status" TOOLS=racecheck STUB_SLEEP=30 BUDGET_S=8
expect no-binary 1 "^dnn_sanitize: FAIL: .*not found" CARRY="$tmp/nowhere"
[ $failures -eq 0 ] && echo "all passed"
exit $((failures > 0))
