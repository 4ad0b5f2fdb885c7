#!/usr/bin/env bash
# Builds everything and runs every test. GPU tests (label "gpu") skip with
# exit code 77 where no GPU is present. Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install_deps.sh
export PATH="/usr/local/cuda/bin:$PATH"
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release}
cmake --build "$build" -j "$(nproc)"
ctest --test-dir "$build" -j "$(nproc)" --output-on-failure
# ASan + UBSan over the host-side tests and bounded fuzzing, in a build of
# their own (MIRIAM_SANITIZERS=0 skips this stage).
if [ "${MIRIAM_SANITIZERS:-1}" != 0 ]; then
  tools/run_sanitizers.sh
fi
