# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# Writes OUTPUT, a C++ fragment with one {name, markdown} entry per doc page in
# DOCS (a |-separated list of docs/checks/<check>.md files). Run with
# cmake -P.
string(REPLACE "|" ";" DOCS "${DOCS}")
set(out "// Generated from docs/checks by EmbedDocs.cmake; do not edit.\n")
foreach(doc ${DOCS})
  get_filename_component(name ${doc} NAME_WE)
  file(READ ${doc} text)
  string(APPEND out "{\"${name}\", R\"fearless_doc(${text})fearless_doc\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "${out}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUTPUT}.tmp ${OUTPUT})
