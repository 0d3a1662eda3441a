# run_case.cmake: one golden diagnostics test.
#
#   cmake -DMIGC=path/to/migc -DCASE=tests/check/cases/NAME [-DUPDATE=1] -P run_case.cmake
#
# A case directory holds `migrations/` (the history), optionally `args` (one
# line: the command and its options, default `check`), and `expected`: the
# exact standard error of `migc <args> -d migrations` with NO_COLOR set,
# followed by a last line `exit: N`. On a mismatch the test prints a unified
# diff and fails; with -DUPDATE=1 it rewrites `expected` instead.
if(NOT MIGC OR NOT CASE)
  message(FATAL_ERROR "usage: cmake -DMIGC=... -DCASE=... [-DUPDATE=1] -P run_case.cmake")
endif()

set(args check)
if(EXISTS ${CASE}/args)
  file(READ ${CASE}/args args)
  string(STRIP "${args}" args)
  separate_arguments(args UNIX_COMMAND "${args}")
endif()

set(ENV{NO_COLOR} 1)
execute_process(COMMAND ${MIGC} ${args} -d migrations
                WORKING_DIRECTORY ${CASE}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
set(actual "${err}exit: ${rc}\n")

if(UPDATE)
  file(WRITE ${CASE}/expected "${actual}")
  message(STATUS "updated ${CASE}/expected")
  return()
endif()

if(NOT EXISTS ${CASE}/expected)
  message(FATAL_ERROR "${CASE}/expected is missing; actual output:\n${actual}")
endif()
file(READ ${CASE}/expected expected)
if(NOT expected STREQUAL actual)
  string(RANDOM LENGTH 8 tag)
  set(tmp ${CMAKE_CURRENT_BINARY_DIR}/actual-${tag}.txt)
  file(WRITE ${tmp} "${actual}")
  execute_process(COMMAND diff -u ${CASE}/expected ${tmp} OUTPUT_VARIABLE diff)
  file(REMOVE ${tmp})
  message(FATAL_ERROR "diagnostics differ from ${CASE}/expected:\n${diff}")
endif()
