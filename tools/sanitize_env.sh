# Sourced by tools/run_sanitizers.sh and tools/run_fuzz.sh: the sanitizer
# build directory (clang-22, ASan + UBSan, libFuzzer targets, no CUDA parts)
# and the sanitizer options the runs use.
sanitize_build=${SANITIZE_BUILD_DIR:-build-sanitize}
# A report aborts (so lit's `not` cannot mistake it for an expected failure).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:abort_on_error=1}

configure_sanitize_build() {
  CC=clang-22 CXX=clang++-22 cmake -S . -B "$sanitize_build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DMIRIAM_BUILD_CUDA=OFF -DMIRIAM_SANITIZE=address,undefined -DMIRIAM_FUZZ=ON "$@" ${CMAKE_CACHE_ARGS:-}
}
