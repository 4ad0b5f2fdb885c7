#!/usr/bin/env bash
# Runs one libFuzzer target for longer than CI does, by hand:
#   tools/run_fuzz.sh compiler 3600            # an hour on the compiler
#   tools/run_fuzz.sh manifest 600 -jobs=2     # extra arguments go to libFuzzer
# Builds it in the sanitizer build directory (tools/run_sanitizers.sh's,
# default build-sanitize) if needed. New interesting inputs collect in
# <build>/tests/fuzz/<target>/corpus; a crash leaves its input in
# <build>/tests/fuzz/artifacts/ (re-run one with: <build>/tests/fuzz/<target>_fuzzer <file>).
# To keep new seeds, minimise them into the committed corpus:
#   <build>/tests/fuzz/<target>_fuzzer -merge=1 tests/fuzz/corpus/<target> <build>/tests/fuzz/<target>/corpus
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: tools/run_fuzz.sh compiler|manifest [seconds] [libFuzzer args...]}
seconds=${2:-600}
shift $(($# < 2 ? $# : 2))
source tools/sanitize_env.sh
build=$sanitize_build
[ -f "$build/CMakeCache.txt" ] || configure_sanitize_build
cmake --build "$build" -j "$(nproc)" --target "${target}_fuzzer"
work="$build/tests/fuzz/$target"
mkdir -p "$work/corpus" "$build/tests/fuzz/artifacts"
timeout=$([ "$target" = compiler ] && echo 60 || echo 10)
exec "$build/tests/fuzz/${target}_fuzzer" -max_total_time="$seconds" -timeout="$timeout" -report_slow_units="$timeout" -close_fd_mask=3 \
  -print_final_stats=1 -dict="tests/fuzz/$target.dict" -artifact_prefix="$build/tests/fuzz/artifacts/$target-" \
  "$@" "$work/corpus" "tests/fuzz/corpus/$target"
