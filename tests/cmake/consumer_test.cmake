# Drives the CMake-package tests (cmake -P). Modes:
#   install       cmake --install MIRIAM_BUILD_DIR into PREFIX (a fresh dir).
#   build         build consumer/ against PREFIX; check the emitted files, the
#                 link, and that touching model.cuh re-runs miriamc (and that a
#                 no-op rebuild does not).
#   syntax_error  the same project with a broken kernel: the build must fail
#                 and show miriamc's "file:line:col: error:" diagnostic.
# Any failed check ends in message(FATAL_ERROR), which fails the test.
cmake_minimum_required(VERSION 3.25)

foreach(var MODE PREFIX WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "consumer_test.cmake: -D${var}=... missing")
  endif()
endforeach()

function(fail)
  list(JOIN ARGN "" text)
  message(FATAL_ERROR "FAILED: ${text}")
endfunction()

# Runs a command; sets <prefix>_rc and <prefix>_out (stdout and stderr together).
function(run prefix)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  set(${prefix}_rc "${rc}" PARENT_SCOPE)
  set(${prefix}_out "${out}" PARENT_SCOPE)
endfunction()

function(run_ok what)
  run(r ${ARGN})
  if(NOT r_rc EQUAL 0)
    fail("${what} (exit ${r_rc}):\n${r_out}")
  endif()
  set(out "${r_out}" PARENT_SCOPE)
endfunction()

if(MODE STREQUAL "install")
  file(REMOVE_RECURSE "${PREFIX}")
  run_ok("cmake --install ${MIRIAM_BUILD_DIR}" "${CMAKE_COMMAND}" --install "${MIRIAM_BUILD_DIR}" --prefix "${PREFIX}")
  foreach(f bin/miriamc include/miriam/elastic.cuh include/miriam/registry.h include/miriam/coordinator.h
            lib/cmake/Miriam/MiriamConfig.cmake lib/cmake/Miriam/MiriamConfigVersion.cmake
            lib/cmake/Miriam/MiriamTargets.cmake lib/cmake/Miriam/MiriamElastic.cmake
            share/miriam/manifest.schema.json)
    if(NOT EXISTS "${PREFIX}/${f}")
      fail("cmake --install did not install ${f} (prefix ${PREFIX})")
    endif()
  endforeach()
  file(GLOB libs "${PREFIX}/lib/libmiriam_core.*" "${PREFIX}/lib/libmiriam_runtime.*")
  list(LENGTH libs n)
  if(NOT n EQUAL 2)
    fail("expected libmiriam_core and libmiriam_runtime under ${PREFIX}/lib, found: ${libs}")
  endif()
  # The installed compiler runs, and finds its support headers in the prefix.
  run_ok("installed miriamc --version" "${PREFIX}/bin/miriamc" --version)
  return()
endif()

# A fresh copy of the consumer, so touching its header leaves the source tree alone.
set(src "${WORK_DIR}/src")
set(bin "${WORK_DIR}/build")
file(REMOVE_RECURSE "${WORK_DIR}")
file(COPY "${CONSUMER_DIR}/" DESTINATION "${src}")
if(MODE STREQUAL "syntax_error")
  file(COPY_FILE "${BROKEN_SOURCE}" "${src}/model.cu")
endif()

set(configure_args -S "${src}" -B "${bin}" -G "${GENERATOR}" "-DCMAKE_PREFIX_PATH=${PREFIX}"
    "-DCMAKE_CUDA_ARCHITECTURES=${CUDA_ARCHITECTURES}" -DCMAKE_BUILD_TYPE=Release)
if(CUDA_COMPILER)
  list(APPEND configure_args "-DCMAKE_CUDA_COMPILER=${CUDA_COMPILER}")
endif()
if(CXX_COMPILER)
  list(APPEND configure_args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
run_ok("configure the consumer against ${PREFIX}" "${CMAKE_COMMAND}" ${configure_args})
if(NOT out MATCHES "Build files have been written")
  fail("unexpected configure output:\n${out}")
endif()

set(out_dir "${bin}/miriam/app")
set(elastic "${out_dir}/model.elastic.cu")
set(manifest "${out_dir}/model.miriam.json")

if(MODE STREQUAL "syntax_error")
  run(b "${CMAKE_COMMAND}" --build "${bin}")
  message(STATUS "build output:\n${b_out}")
  if(b_rc EQUAL 0)
    fail("the build of a kernel with a syntax error succeeded")
  endif()
  # clang-style location (nvcc would write model.cu(5): error), on the broken line.
  if(NOT b_out MATCHES "model\\.cu:5:[0-9]+: error: expected ';'")
    fail("the failed build does not show miriamc's diagnostic model.cu:5:<col>: error: ...")
  endif()
  if(NOT b_out MATCHES "miriamc: error:")
    fail("the failed build does not show miriamc's own summary line")
  endif()
  if(EXISTS "${elastic}" OR EXISTS "${manifest}")
    fail("miriamc failed but left outputs behind in ${out_dir}")
  endif()
  return()
endif()

if(NOT MODE STREQUAL "build")
  fail("unknown MODE ${MODE}")
endif()

run_ok("build the consumer" "${CMAKE_COMMAND}" --build "${bin}")
foreach(f "${elastic}" "${manifest}" "${bin}/app" "${bin}/model.miriam.json")
  if(NOT EXISTS "${f}")
    fail("after the build, ${f} is missing; build output:\n${out}")
  endif()
endforeach()
file(READ "${manifest}" manifest_text)
if(NOT manifest_text MATCHES "scale_kernel")
  fail("${manifest} does not describe scale_kernel")
endif()

# Nothing changed: miriamc must not run again.
run_ok("no-op rebuild" "${CMAKE_COMMAND}" --build "${bin}")
if(out MATCHES "miriamc: elastic kernels of")
  fail("a no-op rebuild re-ran miriamc:\n${out}")
endif()

# Edit a header the kernel file includes: the depfile must make miriamc re-run.
file(TIMESTAMP "${elastic}" before "%s")
execute_process(COMMAND "${CMAKE_COMMAND}" -E sleep 1.1)
file(APPEND "${src}/model.cuh" "// edited by the test\n")
run_ok("rebuild after editing model.cuh" "${CMAKE_COMMAND}" --build "${bin}")
if(NOT out MATCHES "miriamc: elastic kernels of model\\.cu")
  fail("editing model.cuh did not re-run miriamc; rebuild output:\n${out}")
endif()
file(TIMESTAMP "${elastic}" after "%s")
if(NOT after GREATER before)
  fail("${elastic} was not rewritten after editing model.cuh (mtime ${before} -> ${after})")
endif()
message(STATUS "consumer build against ${PREFIX}: OK")
