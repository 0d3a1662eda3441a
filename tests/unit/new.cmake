# new.cmake: `migc new` picks the next version and never overwrites.
#
#   cmake -DMIGC=path/to/migc -DWORK=scratch/dir -P new.cmake
if(NOT MIGC OR NOT WORK)
  message(FATAL_ERROR "usage: cmake -DMIGC=... -DWORK=... -P new.cmake")
endif()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

# run(WANT_RC WANT_STDOUT ARGS...): runs migc in WORK and checks the result.
function(run want_rc want_out)
  execute_process(COMMAND ${MIGC} ${ARGN} WORKING_DIRECTORY ${WORK}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(STRIP "${out}" out)
  if(NOT rc STREQUAL want_rc OR NOT out STREQUAL want_out)
    message(FATAL_ERROR "migc ${ARGN}: exit ${rc}, stdout '${out}' (want ${want_rc}, '${want_out}')\n${err}")
  endif()
endfunction()

# An empty (even missing) directory starts at 0001; the file is a valid
# empty migration.
run(0 "migrations/0001_create_users.mig" new create_users)
run(0 "migrations/0002_add-names.mig" new add-names)
run(0 "2 migrations checked; head version 2" check)
# A golang-migrate style slug with a dot (upgrade_users_v6.0).
run(0 "migrations/0003_upgrade_users_v6.0.mig" new upgrade_users_v6.0)
run(0 "3 migrations checked; head version 3" check)
run(2 "" new .hidden)
file(READ ${WORK}/migrations/0001_create_users.mig header)
if(NOT header MATCHES "^-- create users\n")
  message(FATAL_ERROR "unexpected header: ${header}")
endif()

# Bad usage: invalid slugs, no slug, two slugs.
run(2 "" new "has space")
run(2 "" new _leading)
run(2 "" new "")
run(2 "" new)
run(2 "" new a b)

# The existing width is kept; other files do not count.
file(MAKE_DIRECTORY ${WORK}/w)
file(WRITE ${WORK}/w/007_a.mig "")
file(WRITE ${WORK}/w/notes.txt "")
run(0 "w/008_b.mig" new -d w b)

# Width grows only when it must.
file(MAKE_DIRECTORY ${WORK}/nine)
file(WRITE ${WORK}/nine/9_a.mig "")
run(0 "nine/10_b.mig" new -d nine b)

# 14-digit timestamps: the next one is a UTC timestamp after the greatest.
file(MAKE_DIRECTORY ${WORK}/ts)
file(WRITE ${WORK}/ts/20261121093000_add_names.mig "")
execute_process(COMMAND ${MIGC} new -d ts next WORKING_DIRECTORY ${WORK}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^ts/[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]_next.mig\n$")
  message(FATAL_ERROR "timestamp version: exit ${rc}, '${out}'")
endif()
string(REGEX REPLACE "^ts/([0-9]+)_.*" "\\1" v "${out}")
if(v LESS_EQUAL 20261121093000)
  message(FATAL_ERROR "timestamp version ${v} is not after 20261121093000")
endif()
# A timestamp in the future is followed by +1, keeping versions increasing.
file(MAKE_DIRECTORY ${WORK}/future)
file(WRITE ${WORK}/future/99991231235959_late.mig "")
run(0 "future/99991231235960_after.mig" new -d future after)

# A file where the directory should be: an I/O failure (exit 3).
file(WRITE ${WORK}/plainfile "")
run(3 "" new -d plainfile x)

file(REMOVE_RECURSE ${WORK})
