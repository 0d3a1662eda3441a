# pg_tests.cmake: the PostgreSQL runtime tests (included from
# tests/runtime/CMakeLists.txt). Every test needs the
# `postgres` fixture (tests/pg/cluster.sh) and makes its own database.
#
#   pg_driver            the driver's vtable against a real server
#   pg_api               the public C API: migc_open, migc_wrap_pg, ...
#   pg_cli               every command and flag of a generated binary
#   pg_concurrency       8 migrators at once, CREATE INDEX CONCURRENTLY inside
#   pg_kill              kill -9 at many points of an up; verify; same result
#   pg_terminate         pg_terminate_backend mid-migration; rerun resumes
#   pg_lock_timeout      lock_timeout shown, tries reported, clean failure
#   pg_tamper            changed / unknown / out-of-order: refused, no change
#   pg_e2e               a plan from `migc build`: verify at every version
#                        up and down, kills, 8 migrators
#   pg_link_check        no libpq in the runtime or a SQLite-only binary (no
#                        server needed)
# With valgrind installed, pg_driver, pg_api and pg_cli also run under it
# (pg_*_valgrind). Under MIGC_SANITIZE=ON every binary runs with ASan.
if(NOT TARGET migc_driver_postgres)
  return()
endif()

set(MIGC_PG_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR})

add_executable(pg_driver_test pg_driver_test.c)
target_include_directories(pg_driver_test PRIVATE ${PROJECT_SOURCE_DIR}/runtime)
target_link_libraries(pg_driver_test PRIVATE migc_driver_postgres migc_warnings)

add_executable(pg_api_test pg_api_test.c plans/pg_app.c plans/many.c)
target_compile_definitions(pg_api_test PRIVATE PG_APP_NO_MAIN)
target_include_directories(pg_api_test PRIVATE plans)
target_link_libraries(pg_api_test PRIVATE migc_runtime migc_driver_postgres migc_warnings)

# The hand-written plan, as four binaries (see plans/pg_app.c).
foreach(variant pg_app pg_app_tamper pg_app_old pg_app_gap)
  add_executable(${variant} plans/pg_app.c)
  target_link_libraries(${variant} PRIVATE migc_runtime migc_driver_postgres migc_warnings)
  string(TOUPPER ${variant} def)
  if(NOT variant STREQUAL "pg_app")
    target_compile_definitions(${variant} PRIVATE ${def})
  endif()
endforeach()

function(migc_pg_test name)
  add_test(NAME ${name} COMMAND ${ARGN})
  set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED postgres
    ENVIRONMENT "MIGC_PG_STATE=${MIGC_PG_STATE};PG_APP=$<TARGET_FILE:pg_app>;PG_APP_TAMPER=$<TARGET_FILE:pg_app_tamper>;PG_APP_OLD=$<TARGET_FILE:pg_app_old>;PG_APP_GAP=$<TARGET_FILE:pg_app_gap>"
    TIMEOUT 600)
endfunction()

migc_pg_test(pg_driver ${MIGC_PG_TEST_DIR}/pg_driver_test.sh ${MIGC_PG_STATE} $<TARGET_FILE:pg_driver_test>)
migc_pg_test(pg_api ${MIGC_PG_TEST_DIR}/pg_api_test.sh ${MIGC_PG_STATE} $<TARGET_FILE:pg_api_test>)
foreach(t cli concurrency kill terminate lock_timeout tamper odd_names)
  if(EXISTS ${MIGC_PG_TEST_DIR}/pg_${t}.sh)
    migc_pg_test(pg_${t} ${MIGC_PG_TEST_DIR}/pg_${t}.sh)
  endif()
endforeach()

# A plan from `migc build`, as a consumer builds it.
if(COMMAND add_migrations)
  add_migrations(pg_e2e DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/pg_e2e/migrations DIALECTS postgres
                 EXECUTABLE pg_e2e_migrate)
  migc_pg_test(pg_e2e ${MIGC_PG_TEST_DIR}/pg_e2e.sh)
  set_property(TEST pg_e2e APPEND PROPERTY ENVIRONMENT "PG_E2E=$<TARGET_FILE:pg_e2e_migrate>")
endif()

# The drivers are separate libraries: no libpq in a SQLite-only binary.
if(TARGET rt_basic)
  set(sqlite_only $<TARGET_FILE:rt_basic>)
endif()
add_test(NAME pg_link_check COMMAND ${MIGC_PG_TEST_DIR}/pg_link_check.sh
         $<TARGET_FILE:migc_runtime> $<TARGET_FILE:pg_app> ${sqlite_only})
set_tests_properties(pg_link_check PROPERTIES ENVIRONMENT "NM=${CMAKE_NM}")

find_program(MIGC_VALGRIND valgrind)
if(MIGC_VALGRIND AND NOT MIGC_SANITIZE)
  set(vg ${MIGC_VALGRIND} -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible
         --show-leak-kinds=definite,indirect,possible --error-exitcode=66)
  migc_pg_test(pg_driver_valgrind ${MIGC_PG_TEST_DIR}/pg_driver_test.sh ${MIGC_PG_STATE}
               $<TARGET_FILE:pg_driver_test> ${vg})
  migc_pg_test(pg_api_valgrind ${MIGC_PG_TEST_DIR}/pg_api_test.sh ${MIGC_PG_STATE}
               $<TARGET_FILE:pg_api_test> ${vg})
  migc_pg_test(pg_cli_valgrind ${MIGC_PG_TEST_DIR}/pg_cli.sh)
  string(JOIN " " vg_line ${vg})
  set_property(TEST pg_cli_valgrind APPEND PROPERTY ENVIRONMENT "PG_RUN=${vg_line}")
  set_tests_properties(pg_cli_valgrind PROPERTIES TIMEOUT 1500)
endif()
