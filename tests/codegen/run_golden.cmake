# run_golden.cmake: golden SQL for one history, both dialects.
#
#   cmake -DMIGC=path/to/migc -DCASE=tests/codegen/cases/NAME [-DUPDATE=1] -P run_golden.cmake
#
# CASE/migrations is the history; CASE/expected.<dialect>.sql holds the exact
# output of `migc sql --dialect D` followed by that of `migc sql --dialect D
# --down` and of `migc schema --dialect D [--at 1]` (or the error text and exit code
# when a command fails; the diagnostics of a successful up export, such as
# notes that concern only that dialect, follow its SQL). A mismatch
# prints a unified diff and fails; -DUPDATE=1 rewrites the expected files.
if(NOT MIGC OR NOT CASE)
  message(FATAL_ERROR "usage: cmake -DMIGC=... -DCASE=... [-DUPDATE=1] -P run_golden.cmake")
endif()
set(ENV{NO_COLOR} 1)
set(failed "")
foreach(dialect postgres sqlite)
  set(actual "")
  foreach(dir up down)
    set(args sql --dialect ${dialect} -d migrations)
    if(dir STREQUAL "down")
      list(APPEND args --down)
    endif()
    execute_process(COMMAND ${MIGC} ${args} WORKING_DIRECTORY ${CASE}
                    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
    string(APPEND actual "${out}")
    if(NOT rc EQUAL 0)
      string(APPEND actual "${err}exit: ${rc}\n")
    elseif(dir STREQUAL "up" AND NOT err STREQUAL "")
      # notes and warnings of a successful export: those for this dialect only
      string(APPEND actual "-- diagnostics of migc sql --dialect ${dialect}\n${err}")
    endif()
  endforeach()
  foreach(at "" "--at=1")
    execute_process(COMMAND ${MIGC} schema --dialect ${dialect} ${at} -d migrations WORKING_DIRECTORY ${CASE}
                    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
    string(APPEND actual "-- migc schema --dialect ${dialect} ${at}\n${out}")
    if(NOT rc EQUAL 0)
      string(APPEND actual "${err}exit: ${rc}\n")
    endif()
  endforeach()
  set(expected_file ${CASE}/expected.${dialect}.sql)
  if(UPDATE)
    file(WRITE ${expected_file} "${actual}")
    message(STATUS "updated ${expected_file}")
    continue()
  endif()
  if(NOT EXISTS ${expected_file})
    message(FATAL_ERROR "${expected_file} is missing; actual output:\n${actual}")
  endif()
  file(READ ${expected_file} expected)
  if(NOT expected STREQUAL actual)
    string(RANDOM LENGTH 8 tag)
    set(tmp ${CMAKE_CURRENT_BINARY_DIR}/actual-${tag}.sql)
    file(WRITE ${tmp} "${actual}")
    execute_process(COMMAND diff -u ${expected_file} ${tmp} OUTPUT_VARIABLE diff)
    file(REMOVE ${tmp})
    string(APPEND failed "SQL for ${dialect} differs from ${expected_file}:\n${diff}\n")
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "${failed}")
endif()
