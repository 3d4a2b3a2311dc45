# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# Compiles SOURCE and expects it to fail with the text of its
# "// EXPECT-ERROR: <text>" lines in the compiler output.
file(STRINGS ${SOURCE} expectations REGEX "// EXPECT-ERROR: ")
if(NOT expectations)
  message(FATAL_ERROR "${SOURCE}: no // EXPECT-ERROR: line")
endif()
set(include_flags)
foreach(dir ${INCLUDES})
  list(APPEND include_flags -I${dir})
endforeach()
execute_process(
  COMMAND ${COMPILER} -std=c++20 -fsyntax-only ${include_flags} ${SOURCE}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but it must not")
endif()
foreach(line ${expectations})
  string(REGEX REPLACE ".*// EXPECT-ERROR: " "" text "${line}")
  string(FIND "${out}${err}" "${text}" pos)
  if(pos EQUAL -1)
    message(FATAL_ERROR "${SOURCE}: expected error text '${text}' not found in:\n${err}")
  endif()
endforeach()
message(STATUS "${SOURCE}: fails to compile as expected")
