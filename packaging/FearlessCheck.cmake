# fearless_check(<target> [BASELINE <file>] [ARGS <args>...])
#
# Runs fearless-check on the C/C++ sources of <target> after it is built, so
# that a finding fails the build like a compiler error (for an OBJECT
# library: in a target <target>_fearless_check, part of ALL). Needs
# CMAKE_EXPORT_COMPILE_COMMANDS=ON (the compile commands of the sources).
# BASELINE: report only findings not recorded in <file> (see docs/ci.md).
# ARGS: more fearless-check options (--checks=..., --header-filter=...).
function(fearless_check target)
  cmake_parse_arguments(PARSE_ARGV 1 FC "" "BASELINE" "ARGS")
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
  if(FC_BASELINE)
    get_filename_component(baseline "${FC_BASELINE}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND options "--baseline=${baseline}")
  endif()
  if(FEARLESS_TIDY_PLUGIN AND EXISTS "${FEARLESS_TIDY_PLUGIN}")
    list(APPEND options "--plugin=${FEARLESS_TIDY_PLUGIN}")
  endif()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "OBJECT_LIBRARY")
    # Object libraries have no POST_BUILD: a target of its own, in ALL.
    add_custom_target(${target}_fearless_check ALL
      COMMAND "${FEARLESS_CHECK_EXECUTABLE}" ${options} ${FC_ARGS} ${files}
      WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
      COMMENT "fearless-check ${target}"
      VERBATIM)
    add_dependencies(${target}_fearless_check ${target})
    return()
  endif()
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND "${FEARLESS_CHECK_EXECUTABLE}" ${options} ${FC_ARGS} ${files}
    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
    COMMENT "fearless-check ${target}"
    VERBATIM)
endfunction()
