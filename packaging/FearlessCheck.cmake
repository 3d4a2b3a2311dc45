# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# fearless_check(<target> [REPORT_ONLY] [BASELINE <file>] [ARGS <args>...])
#
# Runs fearless-check on the C/C++ sources of <target> once it is built, in
# a target <target>_fearless_check that is part of ALL, so that a finding
# fails the build like a compiler error. The check is a step of its own,
# never a POST_BUILD command of <target>: a failing check must not make the
# build tool delete the freshly built binary (Unix Makefiles' rule for a
# failing command that makes a target). It runs again when <target> or one
# of its sources changes, and until it passes.
#
# REPORT_ONLY: print the findings, never fail the build for them
# (fearless-check --exit-zero); units that cannot be analysed still fail it.
# BASELINE: report only findings not recorded in <file> (see docs/ci.md).
# ARGS: more fearless-check options (--checks=..., --header-filter=...).
# Needs CMAKE_EXPORT_COMPILE_COMMANDS=ON (the compile commands of the
# sources).
function(fearless_check target)
  cmake_parse_arguments(PARSE_ARGV 1 FC "REPORT_ONLY" "BASELINE" "ARGS")
  if(NOT FEARLESS_CHECK_EXECUTABLE)
    message(FATAL_ERROR "fearless_check: fearless-check not found "
                        "(set FEARLESS_CHECK_EXECUTABLE)")
  endif()
  if(NOT CMAKE_EXPORT_COMPILE_COMMANDS)
    message(FATAL_ERROR "fearless_check(${target}) needs "
                        "set(CMAKE_EXPORT_COMPILE_COMMANDS ON) before the targets")
  endif()
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  set(files)
  foreach(src IN LISTS sources)
    if(src MATCHES "^\\$<" OR NOT src MATCHES "\\.(c|cc|cpp|cxx|c\\+\\+|C)$")
      continue() # headers and generator expressions are not units
    endif()
    get_filename_component(abs "${src}" ABSOLUTE BASE_DIR "${source_dir}")
    list(APPEND files "${abs}")
  endforeach()
  if(NOT files)
    message(WARNING "fearless_check(${target}): no C or C++ sources")
    return()
  endif()
  set(options -p "${CMAKE_BINARY_DIR}" -q --root=${PROJECT_SOURCE_DIR})
  set(baseline)
  if(FC_BASELINE)
    get_filename_component(baseline "${FC_BASELINE}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND options "--baseline=${baseline}")
  endif()
  if(FEARLESS_TIDY_PLUGIN AND EXISTS "${FEARLESS_TIDY_PLUGIN}")
    list(APPEND options "--plugin=${FEARLESS_TIDY_PLUGIN}")
  endif()
  if(FC_REPORT_ONLY)
    list(APPEND options --exit-zero)
  endif()
  # A stamp written only when the check passes: the check reruns on the
  # next build until it does, and not at all when nothing changed.
  set(stamp "${CMAKE_CURRENT_BINARY_DIR}/${target}.fearless-check.stamp")
  set(depends ${files} ${baseline})
  get_target_property(type ${target} TYPE)
  if(NOT type STREQUAL "OBJECT_LIBRARY" AND NOT type STREQUAL "INTERFACE_LIBRARY")
    list(APPEND depends $<TARGET_FILE:${target}>)
  endif()
  add_custom_command(OUTPUT "${stamp}"
    COMMAND "${FEARLESS_CHECK_EXECUTABLE}" ${options} ${FC_ARGS} ${files}
    COMMAND "${CMAKE_COMMAND}" -E touch "${stamp}"
    DEPENDS ${depends}
    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
    COMMENT "fearless-check ${target}"
    VERBATIM)
  add_custom_target(${target}_fearless_check ALL DEPENDS "${stamp}")
  add_dependencies(${target}_fearless_check ${target})
endfunction()
