#!/usr/bin/env bash
# pg_terminate.sh: the server terminates the migrator's connection
# (pg_terminate_backend) in the middle of a migration: a clean failure
# (exit 3, a message saying the connection was lost), nothing half applied,
# and the rerun succeeds.
#   1. inside a transactional step's DDL (migration 5, waiting for a lock)
#   2. inside CREATE INDEX CONCURRENTLY (migration 3, step 2/2): the build
#      leaves an INVALID index; the rerun drops it and builds it again
#   3. inside a batched backfill (migration 4)
#   4. the concurrent build again, cleared by `repair`, finished by `up`
# Environment: MIGC_PG_STATE, PG_APP (pg_tests.cmake).
set -u
. "$(dirname "$0")/pg_lib.sh"
pg_begin "$MIGC_PG_STATE" term

migc_pid() {   # the pid of the waiting migrator's backend
  q "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'migc' AND $1"
}

# ---- 2: inside CREATE INDEX CONCURRENTLY ----
app up --to 2
expect_rc "up --to 2" $? 0
# An open snapshot makes the concurrent build wait (after it created the
# index) until that transaction ends: a reliable point to terminate it.
holder_start snap
holder snap "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM pg_class;"
wait_for "the snapshot" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'" 1
run "$PG_APP" --database "$URL" up --to 3 >"$WORK/out" 2>"$WORK/err" &
upid=$!
wait_for "the concurrent build to wait" \
  "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'migc' AND query LIKE 'CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock'" 1
expect_eq "terminate the concurrent build" "$(q "SELECT pg_terminate_backend($(migc_pid "query LIKE 'CREATE INDEX%'"))")" t
wait $upid
expect_rc "terminated inside CREATE INDEX CONCURRENTLY" $? 3
sed 's/^/#   err: /' "$WORK/err"
expect_grep "the message says the connection was lost" "connection .*lost|terminat" "$WORK/err"
holder snap "COMMIT;"
holder_stop snap
expect_eq "the history records step 2 of 3 as started" "$(hist)" "1:applied 2:applied 3:applying:2/2"
expect_eq "the build left an INVALID index" \
  "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email_idx'::regclass")" f
app status
expect_grep "status shows it partly applied" "1 partly applied" "$WORK/out"
app verify
expect_rc "verify passes for what is recorded (step 1 of 2 done)" $? 0
app down --allow-data-loss
expect_rc "down refuses while a migration is partly applied" $? 1
expect_eq "down refused: nothing changed" "$(hist)" "1:applied 2:applied 3:applying:2/2"
q "ALTER TABLE users ADD COLUMN bogus int"
app verify
expect_rc "verify still finds drift while partly applied" $? 1
expect_grep "verify names it" "users.bogus" "$WORK/out"
q "ALTER TABLE users DROP COLUMN bogus"
app up --to 3
expect_rc "the rerun resumes" $? 0
expect_grep "the rerun drops the invalid index" "invalid index users_email_idx" "$WORK/err"
expect_eq "the index is valid now" \
  "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email_idx'::regclass")" t
expect_eq "history after the rerun" "$(hist)" "1:applied 2:applied 3:applied"

# ---- 3: inside a batched backfill ----
holder_start rows
holder rows "BEGIN; SELECT 1 FROM users WHERE id = 60000 FOR UPDATE;"
wait_for "the row lock" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'" 1
run "$PG_APP" --database "$URL" --lock-timeout 1h up --to 4 >"$WORK/out" 2>"$WORK/err" &
upid=$!
wait_for "the backfill to wait for the locked row" \
  "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'migc' AND query LIKE 'UPDATE users%' AND wait_event_type = 'Lock'" 1
expect_eq "terminate the backfill" "$(q "SELECT pg_terminate_backend($(migc_pid "query LIKE 'UPDATE users%'"))")" t
wait $upid
expect_rc "terminated inside a backfill batch" $? 3
holder rows "COMMIT;"
holder_stop rows
expect_eq "the history records the batches done" "$(hist)" "1:applied 2:applied 3:applied 4:applying:1/1:59000"
expect_eq "exactly the batches done are updated" \
  "$(q "SELECT count(*) FILTER (WHERE score = 1) || ' ' || count(*) FILTER (WHERE score = 0) || ' ' || max(id) FILTER (WHERE score = 1) FROM users")" \
  "59000 61000 59000"
app up --to 4
expect_rc "the backfill resumes" $? 0
expect_eq "every row updated exactly once" "$(q "SELECT min(score) || ' ' || max(score) FROM users")" "1 1"

# ---- 1: inside a transactional step's DDL ----
before=$(snapshot)
holder_start tbl
holder tbl "BEGIN; LOCK TABLE users IN ACCESS SHARE MODE;"
wait_for "the table lock" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'" 1
run "$PG_APP" --database "$URL" --lock-timeout 1h up >"$WORK/out" 2>"$WORK/err" &
upid=$!
wait_for "migration 5 to wait for the table" \
  "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'migc' AND query LIKE 'ALTER TABLE users%' AND wait_event_type = 'Lock'" 1
expect_eq "terminate the migration's DDL" "$(q "SELECT pg_terminate_backend($(migc_pid "query LIKE 'ALTER TABLE users%'"))")" t
wait $upid
expect_rc "terminated inside a DDL transaction" $? 3
sed 's/^/#   err: /' "$WORK/err"
holder tbl "COMMIT;"
holder_stop tbl
expect_eq "nothing of migration 5 was applied" "$(snapshot)" "$before"
expect_eq "the history is as it was" "$(hist)" "1:applied 2:applied 3:applied 4:applied"
wait_for "no advisory lock left" "$NO_ADVISORY_LOCK" 0 && ok "no advisory lock left"
app up
expect_rc "the rerun succeeds" $? 0
expect_eq "history after the rerun" "$(hist)" "1:applied 2:applied 3:applied 4:applied 5:applied 6:applied"
app verify
expect_rc "verify" $? 0

# ---- repair after a terminated concurrent build, then up ----
app down --to 2 --allow-data-loss
expect_rc "down --to 2" $? 0
holder_start snap2
holder snap2 "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM pg_class;"
wait_for "the snapshot" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'" 1
run "$PG_APP" --database "$URL" up >"$WORK/out" 2>"$WORK/err" &
upid=$!
wait_for "the concurrent build to wait" \
  "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'migc' AND query LIKE 'CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock'" 1
expect_eq "terminate the concurrent build again" "$(q "SELECT pg_terminate_backend($(migc_pid "query LIKE 'CREATE INDEX%'"))")" t
wait $upid
expect_rc "terminated inside CREATE INDEX CONCURRENTLY again" $? 3
holder snap2 "COMMIT;"
holder_stop snap2
app repair
expect_rc "repair" $? 0
expect_grep "repair drops the invalid index" "dropped the invalid index users_email_idx" "$WORK/out"
expect_grep "repair says up finishes the migration" "partly applied .*run 'up'" "$WORK/out"
expect_eq "repair: the invalid index is gone" "$(q "SELECT to_regclass('users_email_idx') IS NULL")" t
expect_eq "repair: the first step stays recorded" "$(hist)" "1:applied 2:applied 3:applying:2/2"
app up
expect_rc "up after repair" $? 0
expect_nogrep "up after repair: no invalid index to drop" "invalid index" "$WORK/err"
expect_eq "up after repair: the index is valid" \
  "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email_idx'::regclass")" t
expect_eq "up after repair: history" "$(hist)" "1:applied 2:applied 3:applied 4:applied 5:applied 6:applied"
app verify
expect_rc "verify after repair and up" $? 0

pg_end
