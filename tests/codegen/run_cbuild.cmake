# run_cbuild.cmake: `migc build` output compiles as strict C11, however long
# the SQL; unchanged outputs are left untouched; a failing run writes nothing.
#
#   cmake -DMIGC=... -DCC=... -DINCLUDE=runtime/include -DCASES=tests/codegen/cases -DOUT=dir -P run_cbuild.cmake
if(NOT MIGC OR NOT CC OR NOT INCLUDE OR NOT CASES OR NOT OUT)
  message(FATAL_ERROR "usage: cmake -DMIGC=... -DCC=... -DINCLUDE=... -DCASES=... -DOUT=... -P run_cbuild.cmake")
endif()
set(ENV{NO_COLOR} 1)
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT}/long/migrations)

# A history with a raw block of more than 5000 bytes (and a quote, a
# backslash, a trigraph-looking ?? and non-ASCII text in it).
string(REPEAT "INSERT INTO big (v) VALUES ('line with \"quotes\", a \\ backslash, ??( and café');\n" 80 long_sql)
file(WRITE ${OUT}/long/migrations/0001_big.mig
  "create_table big {\n  id bigint identity primary key,\n  v text,\n}\n"
  "sql \"\"\"${long_sql}\"\"\" down \"\"\"DELETE FROM big\"\"\"\n")
string(LENGTH "${long_sql}" len)
if(len LESS 5000)
  message(FATAL_ERROR "test bug: the raw block is only ${len} bytes")
endif()

set(errors "")
foreach(case long basic tables raw backfill rebuild_data)
  if(case STREQUAL "long")
    set(dir ${OUT}/long/migrations)
  else()
    set(dir ${CASES}/${case}/migrations)
  endif()
  execute_process(COMMAND ${MIGC} build -d ${dir} -o ${OUT}/gen --name plan_${case}
                  ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(APPEND errors "migc build ${case} failed (${rc}): ${err}\n")
    continue()
  endif()
  execute_process(COMMAND ${CC} -std=c11 -Wall -Wextra -Werror -pedantic -Woverlength-strings
                          -I${OUT}/gen -I${INCLUDE} -c ${OUT}/gen/plan_${case}.c -o ${OUT}/plan_${case}.o
                  ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(APPEND errors "plan_${case}.c does not compile:\n${err}\n")
  endif()
endforeach()

# The header names the head version and the plan.
file(READ ${OUT}/gen/plan_tables.h h)
if(NOT h MATCHES "#define PLAN_TABLES_HEAD_VERSION INT64_C\\(6\\)" OR NOT h MATCHES "extern const struct migc_plan plan_tables;")
  string(APPEND errors "plan_tables.h lacks the head version or the plan declaration:\n${h}\n")
endif()

# Unchanged content: the files are not rewritten.
file(TIMESTAMP ${OUT}/gen/plan_basic.c before "%s")
execute_process(COMMAND ${CMAKE_COMMAND} -E sleep 1.1)
execute_process(COMMAND ${MIGC} build -d ${CASES}/basic/migrations -o ${OUT}/gen --name plan_basic RESULT_VARIABLE rc)
file(TIMESTAMP ${OUT}/gen/plan_basic.c after "%s")
if(NOT rc EQUAL 0 OR NOT before STREQUAL after)
  string(APPEND errors "an unchanged plan_basic.c was rewritten (${before} -> ${after})\n")
endif()
file(GLOB leftovers ${OUT}/gen/*.tmp.*)
if(leftovers)
  string(APPEND errors "temporary files left: ${leftovers}\n")
endif()

# A history with an error writes nothing.
file(MAKE_DIRECTORY ${OUT}/bad/migrations)
file(WRITE ${OUT}/bad/migrations/0001_bad.mig "add_column nosuch.x int\n")
execute_process(COMMAND ${MIGC} build -d ${OUT}/bad/migrations -o ${OUT}/bad/gen --name plan_bad
                ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 1 OR EXISTS ${OUT}/bad/gen)
  string(APPEND errors "a failing build must exit 1 and write nothing (exit ${rc})\n")
endif()

if(errors)
  message(FATAL_ERROR "${errors}")
endif()
