# miriam_add_elastic_kernels(<target> SOURCES <file.cu>...
#                            [PASSES <pass>...] [OUTPUT_DIR <dir>] [ARCH <sm_XX>]
#                            [REWRITE_LAUNCHES] [PERSISTENT_LOOP blocks|chunks])
#
# Runs miriamc on each source at build time and compiles the emitted
# <stem>.elastic.cu into <target> instead of the original (which stays listed,
# as a header-only file, so IDEs still show it). The manifests are written to
# OUTPUT_DIR (default: <binary dir>/miriam/<target>), listed in the target
# property MIRIAM_MANIFESTS, and copied next to the target's binary, from where
# the program loads them (KernelCatalog::load). With REWRITE_LAUNCHES the host
# code's k<<<...>>> sites submit to the launching thread's current task
# (miriamc --rewrite-launches, miriam/launch.h; the target links Miriam::runtime). PERSISTENT_LOOP
# is miriamc's --persistent-loop (default blocks; chunks pays off with the runtime's claim budget). The target's include
# directories and definitions reach miriamc as clang flags.
#
# The compiler is the `miriamc` target (in-tree) or the imported Miriam::miriamc
# (after find_package(Miriam)); either way it is built before it runs. A
# miriamc error fails the build with miriamc's diagnostic (file:line:col).
#
# The emitted files include miriam/elastic.cuh from MIRIAM_SUPPORT_INCLUDE_DIR
# (set by Miriam's top-level CMakeLists in-tree, by MiriamConfig.cmake when
# installed; the global property of the same name is the fallback for callers
# outside the scope that set the variable).

# Include directories the compilers search anyway (nlohmann_json's /usr/include,
# the CUDA toolkit's include dir): CMake leaves them off compile lines, and so
# must we; "-I/usr/include" puts it before libstdc++'s dirs and breaks
# #include_next, and clang finds the CUDA headers through --cuda-path.
function(_miriam_implicit_include_regex out_var)
  set(dirs ${CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES} ${CMAKE_CUDA_IMPLICIT_INCLUDE_DIRECTORIES}
           ${CMAKE_CUDA_TOOLKIT_INCLUDE_DIRECTORIES} ${CUDAToolkit_INCLUDE_DIRS})
  set(alternatives "")
  foreach(dir IN LISTS dirs)
    foreach(form IN ITEMS "${dir}" REALPATH)
      if(form STREQUAL "REALPATH")
        file(REAL_PATH "${dir}" form)
      endif()
      string(REGEX REPLACE "/+$" "" form "${form}")
      string(REGEX REPLACE "([][+.*()^$?|\\])" "\\\\\\1" form "${form}")
      list(APPEND alternatives "${form}")
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES alternatives)
  # Empty entries come from $<INSTALL_INTERFACE:...> (empty in the build tree).
  list(APPEND alternatives "")
  list(JOIN alternatives "|" joined)
  set(${out_var} "^(${joined})/*$" PARENT_SCOPE)
endfunction()

function(miriam_add_elastic_kernels target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "REWRITE_LAUNCHES" "OUTPUT_DIR;ARCH;PERSISTENT_LOOP" "SOURCES;PASSES")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "miriam_add_elastic_kernels: unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "miriam_add_elastic_kernels: no SOURCES given for target ${target}")
  endif()
  if(TARGET miriamc)
    set(compiler miriamc)
  elseif(TARGET Miriam::miriamc)
    set(compiler Miriam::miriamc)
  else()
    message(FATAL_ERROR "miriam_add_elastic_kernels: no miriamc target; build Miriam with "
                        "MIRIAM_BUILD_COMPILER=ON or find_package(Miriam) first")
  endif()
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/miriam/${target}")
  endif()
  if(NOT ARG_ARCH)
    list(GET CMAKE_CUDA_ARCHITECTURES 0 first_arch)
    string(REGEX REPLACE "[^0-9a-z].*$" "" first_arch "${first_arch}")
    if(first_arch MATCHES "^[0-9]+[a-z]?$")
      set(ARG_ARCH "sm_${first_arch}")
    else()
      set(ARG_ARCH "sm_90")
    endif()
  endif()
  set(pass_args "")
  if(ARG_PASSES)
    list(JOIN ARG_PASSES "," joined)
    set(pass_args "--passes=${joined}")
  endif()

  # Host k<<<>>> sites submit to the thread's current task (miriam/launch.h; link Miriam::runtime).
  set(rewrite_arg "")
  if(ARG_REWRITE_LAUNCHES)
    set(rewrite_arg "--rewrite-launches")
  endif()
  set(loop_arg "")
  if(ARG_PERSISTENT_LOOP)
    if(NOT ARG_PERSISTENT_LOOP MATCHES "^(blocks|chunks)$")
      message(FATAL_ERROR "miriam_add_elastic_kernels(${target}): PERSISTENT_LOOP must be blocks or chunks, not "
                          "'${ARG_PERSISTENT_LOOP}'")
    endif()
    set(loop_arg "--persistent-loop=${ARG_PERSISTENT_LOOP}")
  endif()

  set(support_dir "${MIRIAM_SUPPORT_INCLUDE_DIR}")
  if(NOT support_dir)
    get_property(support_dir GLOBAL PROPERTY MIRIAM_SUPPORT_INCLUDE_DIR)
  endif()
  if(NOT support_dir)
    message(FATAL_ERROR "miriam_add_elastic_kernels: MIRIAM_SUPPORT_INCLUDE_DIR is not set "
                        "(find_package(Miriam) or add_subdirectory(<miriam>) sets it)")
  endif()
  set(cuda_path_arg "")
  if(CMAKE_CUDA_COMPILER_TOOLKIT_ROOT)
    # Parse against the toolkit nvcc compiles the emitted files with.
    set(cuda_path_arg "--cuda-path=${CMAKE_CUDA_COMPILER_TOOLKIT_ROOT}")
  endif()

  # The target's include directories and definitions, usage requirements of
  # what it links included, evaluated at generate time ($<BUILD_INTERFACE:>
  # parts kept, $<INSTALL_INTERFACE:> parts dropped), become -I/-D for clang.
  _miriam_implicit_include_regex(implicit_regex)
  set(includes "$<REMOVE_DUPLICATES:$<FILTER:$<TARGET_PROPERTY:${target},INCLUDE_DIRECTORIES>,EXCLUDE,${implicit_regex}>>")
  set(defines "$<REMOVE_DUPLICATES:$<FILTER:$<TARGET_PROPERTY:${target},COMPILE_DEFINITIONS>,EXCLUDE,^$>>")
  set(manifests "")
  foreach(source IN LISTS ARG_SOURCES)
    get_filename_component(source_path "${source}" ABSOLUTE)
    get_filename_component(source_dir "${source_path}" DIRECTORY)
    get_filename_component(stem "${source_path}" NAME_WE)
    set(elastic "${ARG_OUTPUT_DIR}/${stem}.elastic.cu")
    set(manifest "${ARG_OUTPUT_DIR}/${stem}.miriam.json")
    set(depfile "${ARG_OUTPUT_DIR}/${stem}.miriam.d")
    add_custom_command(
      OUTPUT "${elastic}" "${manifest}"
      COMMAND "$<TARGET_FILE:${compiler}>" "${source_path}" -o "${ARG_OUTPUT_DIR}" --arch "${ARG_ARCH}"
              --quiet --depfile "${depfile}" ${pass_args} ${rewrite_arg} ${loop_arg} ${cuda_path_arg}
              --
              "$<$<BOOL:${includes}>:-I$<JOIN:${includes},;-I>>"
              "$<$<BOOL:${defines}>:-D$<JOIN:${defines},;-D>>"
      DEPENDS "${source_path}" ${compiler} "$<TARGET_FILE:${compiler}>"
      DEPFILE "${depfile}"
      COMMENT "miriamc: elastic kernels of ${source}"
      COMMAND_EXPAND_LISTS
      VERBATIM)
    set_source_files_properties("${source_path}" TARGET_DIRECTORY ${target} PROPERTIES HEADER_FILE_ONLY ON)
    target_sources(${target} PRIVATE "${elastic}")
    # The emitted file includes the original's headers relative to it.
    set_property(SOURCE "${elastic}" TARGET_DIRECTORY ${target} APPEND PROPERTY INCLUDE_DIRECTORIES "${source_dir}")
    list(APPEND manifests "${manifest}")
  endforeach()
  target_include_directories(${target} PRIVATE "${support_dir}")
  set_property(TARGET ${target} APPEND PROPERTY MIRIAM_MANIFESTS ${manifests})
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND "${CMAKE_COMMAND}" -E copy_if_different ${manifests} "$<TARGET_FILE_DIR:${target}>"
    COMMENT "Copying Miriam manifests next to ${target}"
    VERBATIM)
endfunction()
