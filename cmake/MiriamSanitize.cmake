# Sanitizer and fuzzer builds of the host (C/C++) code, in a build directory
# of their own (tools/run_sanitizers.sh configures one):
#   -DMIRIAM_SANITIZE=address,undefined   every C/C++ target, and every link
#   -DMIRIAM_FUZZ=ON                      the libFuzzer targets of tests/fuzz
#                                         (needs clang, e.g. CXX=clang++-22)
# CUDA code (nvcc) is never instrumented: the flags are limited to C and C++.
set(MIRIAM_SANITIZE "" CACHE STRING "Sanitizers for host code, e.g. address,undefined (empty: none)")
option(MIRIAM_FUZZ "Build the libFuzzer targets of tests/fuzz (needs clang as the C++ compiler)" OFF)

if(MIRIAM_SANITIZE)
  # No recovery: a report aborts the process, so the test that ran it fails.
  set(_miriam_sanitize_flags -fsanitize=${MIRIAM_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer -g1)
  add_compile_options("$<$<COMPILE_LANGUAGE:C,CXX>:${_miriam_sanitize_flags}>")
  add_link_options("$<$<LINK_LANGUAGE:C,CXX>:-fsanitize=${MIRIAM_SANITIZE}>")
endif()

if(MIRIAM_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "MIRIAM_FUZZ needs clang as the C++ compiler (libFuzzer): configure a separate build "
                        "directory with CC=clang-22 CXX=clang++-22, as tools/run_sanitizers.sh does")
  endif()
  # Coverage instrumentation for the code under test; the fuzz targets link libFuzzer itself.
  add_compile_options("$<$<COMPILE_LANGUAGE:C,CXX>:-fsanitize=fuzzer-no-link>")
endif()
