# run_export.cmake: `migc sql` layouts (DESIGN §3): file names, up/down split,
# dbmate markers, Flyway's non-transactional config, golang-migrate's refusal.
#
#   cmake -DMIGC=path/to/migc -DCASES=tests/codegen/cases -DOUT=scratch-dir -P run_export.cmake
if(NOT MIGC OR NOT CASES OR NOT OUT)
  message(FATAL_ERROR "usage: cmake -DMIGC=... -DCASES=... -DOUT=... -P run_export.cmake")
endif()
set(ENV{NO_COLOR} 1)
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
set(errors "")

function(migc_sql case)   # migc_sql(CASE args...) -> rc, out, err in parent scope
  execute_process(COMMAND ${MIGC} sql -d ${CASES}/${case}/migrations ${ARGN}
                  OUTPUT_VARIABLE o ERROR_VARIABLE e RESULT_VARIABLE r)
  set(rc ${r} PARENT_SCOPE)
  set(out "${o}" PARENT_SCOPE)
  set(err "${e}" PARENT_SCOPE)
endfunction()

macro(expect_files dir)    # the exact set of file names in dir
  file(GLOB got RELATIVE ${dir} ${dir}/*)
  list(SORT got)
  set(want ${ARGN})
  list(SORT want)
  if(NOT got STREQUAL want)
    string(APPEND errors "${dir}: files\n  want ${want}\n  got  ${got}\n")
  endif()
endmacro()

macro(expect_contains file text)
  file(READ ${file} content)
  string(FIND "${content}" "${text}" pos)
  if(pos EQUAL -1)
    string(APPEND errors "${file} lacks '${text}':\n${content}\n")
  endif()
endmacro()

macro(expect_lacks file text)
  file(READ ${file} content)
  string(FIND "${content}" "${text}" pos)
  if(NOT pos EQUAL -1)
    string(APPEND errors "${file} must not hold '${text}'\n")
  endif()
endmacro()

# golang-migrate: N_slug.up.sql / N_slug.down.sql
migc_sql(backfill --dialect postgres --format golang-migrate -o ${OUT}/gm)
if(NOT rc EQUAL 0)
  string(APPEND errors "golang-migrate export failed: ${err}\n")
endif()
expect_files(${OUT}/gm 0001_items.up.sql 0001_items.down.sql 0002_fill.up.sql 0002_fill.down.sql
             0003_more.up.sql 0003_more.down.sql)
expect_contains(${OUT}/gm/0001_items.up.sql "CREATE TABLE items")
expect_contains(${OUT}/gm/0001_items.down.sql "DROP TABLE items;")
expect_lacks(${OUT}/gm/0001_items.up.sql "BEGIN;")

# golang-migrate cannot carry a non-transactional step: an error naming it, nothing written
migc_sql(raw --dialect postgres --format golang-migrate -o ${OUT}/gm-raw)
if(NOT rc EQUAL 1 OR NOT err MATCHES "migration 2 \\(no tx\\) has a non-transactional step")
  string(APPEND errors "golang-migrate with CONCURRENTLY: want exit 1 naming migration 2, got ${rc}: ${err}\n")
endif()
if(EXISTS ${OUT}/gm-raw)
  string(APPEND errors "golang-migrate refusal still wrote ${OUT}/gm-raw\n")
endif()
# ...while on SQLite the same history has no such step (its index is an ordinary one)
migc_sql(raw --dialect sqlite --format golang-migrate -o ${OUT}/gm-raw-sqlite)
if(NOT rc EQUAL 0)
  string(APPEND errors "golang-migrate for sqlite failed: ${err}\n")
endif()
# the irreversible migration has no down file
expect_files(${OUT}/gm-raw-sqlite 0001_base.up.sql 0001_base.down.sql 0002_no_tx.up.sql 0002_no_tx.down.sql
             0003_cleanup.up.sql 0003_cleanup.down.sql 0004_rebuild_with_view.up.sql
             0004_rebuild_with_view.down.sql 0005_irreversible.up.sql)

# Flyway: VN__slug.sql, UN__slug.sql, executeInTransaction=false beside a non-transactional one
migc_sql(raw --dialect postgres --format flyway -o ${OUT}/fw)
if(NOT rc EQUAL 0)
  string(APPEND errors "flyway export failed: ${err}\n")
endif()
expect_files(${OUT}/fw V0001__base.sql U0001__base.sql V0002__no_tx.sql V0002__no_tx.sql.conf U0002__no_tx.sql
             V0003__cleanup.sql U0003__cleanup.sql V0004__rebuild_with_view.sql U0004__rebuild_with_view.sql
             U0004__rebuild_with_view.sql.conf
             V0005__irreversible.sql)
expect_contains(${OUT}/fw/V0002__no_tx.sql.conf "executeInTransaction=false")
expect_contains(${OUT}/fw/V0002__no_tx.sql "CREATE INDEX CONCURRENTLY sessions_user ON sessions (user_name);")

# dbmate: one file, -- migrate:up / -- migrate:down, transaction:false where needed
migc_sql(raw --dialect postgres --format dbmate -o ${OUT}/dbmate)
if(NOT rc EQUAL 0)
  string(APPEND errors "dbmate export failed: ${err}\n")
endif()
expect_files(${OUT}/dbmate 0001_base.sql 0002_no_tx.sql 0003_cleanup.sql 0004_rebuild_with_view.sql
             0005_irreversible.sql)
expect_contains(${OUT}/dbmate/0002_no_tx.sql "-- migrate:up transaction:false\n")
expect_contains(${OUT}/dbmate/0002_no_tx.sql "\n-- migrate:down\n")
expect_contains(${OUT}/dbmate/0001_base.sql "-- migrate:up\nCREATE TABLE sessions")
expect_lacks(${OUT}/dbmate/0001_base.sql "transaction:false")

# plain: one script to a file; --to stops at a version
migc_sql(basic --dialect sqlite --to 1 -o ${OUT}/plain.sql)
expect_contains(${OUT}/plain.sql "CREATE TABLE users")
expect_lacks(${OUT}/plain.sql "nickname")
# a layout needs a directory
migc_sql(basic --dialect sqlite --format dbmate)
if(NOT rc EQUAL 2)
  string(APPEND errors "dbmate without -o: want exit 2, got ${rc}\n")
endif()

if(errors)
  message(FATAL_ERROR "${errors}")
endif()
