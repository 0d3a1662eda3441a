# run_invalid.cmake: one invalid acceptance history.
#
#   cmake -DMIGC=path/to/migc -DCASE=tests/histories/invalid/NAME -P run_invalid.cmake
#
# A case directory holds `migrations/` (a history with one realistic
# mistake), optionally `args` (one line: the command and its options,
# default `check`), and `expect`: a first line `FILE:LINE:COL` (FILE as
# migc prints it, e.g. migrations/0003_add_x.mig) and an optional second
# line, a piece of text the error message must contain. The test passes when
# `migc <args> -d migrations` exits 1 and its FIRST `error:` diagnostic is at
# exactly FILE:LINE:COL (and contains the text).
if(NOT MIGC OR NOT CASE)
  message(FATAL_ERROR "usage: cmake -DMIGC=... -DCASE=... -P run_invalid.cmake")
endif()

set(args check)
if(EXISTS ${CASE}/args)
  file(READ ${CASE}/args args)
  string(STRIP "${args}" args)
  separate_arguments(args UNIX_COMMAND "${args}")
endif()
file(STRINGS ${CASE}/expect expect)
list(GET expect 0 where)
set(text "")
list(LENGTH expect n)
if(n GREATER 1)
  list(GET expect 1 text)
endif()

set(ENV{NO_COLOR} 1)
execute_process(COMMAND ${MIGC} ${args} -d migrations
                WORKING_DIRECTORY ${CASE}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "expected exit 1, got ${rc}; stderr:\n${err}")
endif()
string(REGEX MATCH "[^\n]*: error: [^\n]*" first "${err}")
if(NOT first)
  message(FATAL_ERROR "no error diagnostic; stderr:\n${err}")
endif()
string(FIND "${first}" "${where}: error: " at)
if(NOT at EQUAL 0)
  message(FATAL_ERROR "the first error is not at ${where}:\n  ${first}\nstderr:\n${err}")
endif()
if(text)
  string(FIND "${first}" "${text}" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "the first error does not mention '${text}':\n  ${first}")
  endif()
endif()
