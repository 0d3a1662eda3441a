# hostile.cmake: hostile input is a clean error, never a crash.
#
#   cmake -DMIGC=path/to/migc -DWORK=scratch/dir -P hostile.cmake
#
# Generates inputs too large for the repository (expressions nested 100,000
# deep in every form the grammar nests, a left-deep chain of 100,000
# operators, files of several megabytes) and checks that `migc check`
# answers each with the expected exit status and message.
if(NOT MIGC OR NOT WORK)
  message(FATAL_ERROR "usage: cmake -DMIGC=... -DWORK=... -P hostile.cmake")
endif()
file(REMOVE_RECURSE ${WORK})
set(failures 0)

# expect(NAME EXIT REGEX TEXT): runs migc check on a directory holding one
# migration with TEXT; the exit status must be EXIT and stderr must match REGEX.
function(expect name want_rc regex text)
  set(dir ${WORK}/${name})
  file(MAKE_DIRECTORY ${dir})
  file(WRITE ${dir}/0001_${name}.mig "${text}")
  set(ENV{NO_COLOR} 1)
  execute_process(COMMAND ${MIGC} check -d ${dir} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(LENGTH "${err}" errlen)
  if(NOT rc STREQUAL want_rc OR NOT err MATCHES "${regex}")
    if(errlen GREATER 2000)
      string(SUBSTRING "${err}" 0 2000 err)
    endif()
    message(SEND_ERROR "${name}: exit ${rc} (want ${want_rc}), stderr does not match '${regex}':\n${err}")
    math(EXPR n "${failures} + 1")
    set(failures ${n} PARENT_SCOPE)
  else()
    message(STATUS "ok: ${name} (exit ${rc})")
  endif()
endfunction()

set(table "create_table t { id bigint identity primary key, a int, s text }\n")
set(deep "expressions nested too deeply")
set(N 100000)

string(REPEAT "(" ${N} open)
string(REPEAT ")" ${N} close)
expect(deep_parens 1 "${deep}" "${table}backfill t set a = ${open}1${close}\n")
string(REPEAT "not " ${N} nots)
expect(deep_not 1 "${deep}" "${table}delete from t where ${nots}true\n")
string(REPEAT "- " ${N} minus)
expect(deep_minus 1 "${deep}" "${table}backfill t set a = ${minus}1\n")
string(REPEAT " + 1" ${N} chain)
expect(deep_chain 1 "${deep}" "${table}backfill t set a = 1${chain}\n")
string(REPEAT " || 'x'" ${N} concat)
expect(deep_concat 1 "${deep}" "${table}backfill t set s = 'x'${concat}\n")
string(REPEAT "abs(" ${N} calls)
expect(deep_calls 1 "${deep}" "${table}backfill t set a = ${calls}1${close}\n")
string(REPEAT "case when true then " ${N} cases)
string(REPEAT " end" ${N} ends)
expect(deep_case 1 "${deep}" "${table}backfill t set a = ${cases}1${ends}\n")
string(REPEAT "cast(" ${N} casts)
string(REPEAT " as int)" ${N} as_int)
expect(deep_cast 1 "${deep}" "${table}backfill t set a = ${casts}1${as_int}\n")
string(REPEAT "a in (" ${N} ins)
expect(deep_in 1 "${deep}" "${table}delete from t where ${ins}1${close}\n")
string(REPEAT "(" ${N} default_open)
expect(deep_default 1 "${deep}" "create_table u { id int primary key, a int default ${default_open}1${close} }\n")
# Deep nesting in two statements: both are reported, and parsing goes on.
expect(deep_twice 1 "1:[0-9]+: error: ${deep}.*2:[0-9]+: error: ${deep}.*3:14: error: unexpected .t.*3 errors generated"
       "backfill t set a = ${open}1${close}\nbackfill t set a = 1${chain}\ndrop_table t t\n")

# Nesting within the bound is fine.
string(REPEAT "(" 150 open150)
string(REPEAT ")" 150 close150)
string(REPEAT " + 1" 150 chain150)
expect(nesting_within_bound 0 "^$" "${table}backfill t set a = ${open150}1${close150}${chain150}\n")

# Multi-megabyte inputs: one long string, one long raw block, many statements.
string(REPEAT "x" 1000 kx)
string(REPEAT "${kx}" 4000 fourmb)
expect(big_string 0 "^$" "create_table u { id int primary key, s text default '${fourmb}' }\n")
expect(big_raw 0 "^$" "sql \"\"\"SELECT '${fourmb}'\"\"\" down \"\"\"\"\"\"\n")
string(REPEAT "insert into t (a, s) values (1, 'row'), (2, 'row')\n" 40000 inserts)
expect(many_statements 0 "^$" "${table}${inserts}")
# An unterminated string that swallows megabytes is one error at its quote.
expect(big_unterminated 1 "1:23: error: unterminated string starting here\n.*1 error generated" "insert into t values ('${fourmb}\n")

file(REMOVE_RECURSE ${WORK})
if(failures GREATER 0)
  message(FATAL_ERROR "${failures} hostile input case(s) failed")
endif()
