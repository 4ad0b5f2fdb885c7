#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer over every host-side test
# (compiler unit and lit tests, runtime CPU tests), then each libFuzzer target
# for MIRIAM_FUZZ_SECONDS (default 60) from its committed seeds, in a build
# directory of its own (tools/sanitize_env.sh). Exits non-zero when a test
# fails, a sanitizer reports or a fuzzer finds a crash or a hang (the input is
# kept under <build>/tests/fuzz/artifacts/). Longer fuzzing: tools/run_fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/sanitize_env.sh
configure_sanitize_build -DMIRIAM_FUZZ_SECONDS="${MIRIAM_FUZZ_SECONDS:-60}"
cmake --build "$sanitize_build" -j "$(nproc)"
ctest --test-dir "$sanitize_build" -j "$(nproc)" --output-on-failure
