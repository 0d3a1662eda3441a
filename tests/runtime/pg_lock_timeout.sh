#!/usr/bin/env bash
# pg_lock_timeout.sh: DDL runs under SET LOCAL lock_timeout (--lock-timeout)
# and is retried with back-off on SQLSTATE 55P03, each try reported.
#   - another session holds a lock on the table: every try times out, each is
#     reported, the run fails with exit 1 and the database is as it was;
#   - the lock is released after the first try: a retry succeeds, and the
#     migration's own session shows the configured lock_timeout (migration 5
#     stores current_setting('lock_timeout') in table seen).
# Asserts tries and settings, never durations.
# Environment: MIGC_PG_STATE, PG_APP (pg_tests.cmake).
set -u
. "$(dirname "$0")/pg_lib.sh"
pg_begin "$MIGC_PG_STATE" lockto

app up --to 4
expect_rc "up --to 4" $? 0
before=$(snapshot)
hist_before=$(history_snapshot)

# ---- the lock is never released: every try times out ----
holder_start hold
holder hold "BEGIN; LOCK TABLE users IN ACCESS SHARE MODE;"
wait_for "the table lock" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'" 1
app --lock-timeout 150ms up
expect_rc "every try times out" $? 1
tries=$(grep -c 'lock timeout on try [0-9]* of 4' "$WORK/err")
expect_eq "each retried try is reported" "$tries" 3
expect_grep "the first try is reported" "migration 5 \(orgs and checks\): lock timeout on try 1 of 4" "$WORK/err"
expect_grep "the last retry is reported" "lock timeout on try 3 of 4" "$WORK/err"
expect_grep "the failure says how many tries and the lock_timeout" "gave up after 4 tries \(lock_timeout 150 ms\)" "$WORK/err"
expect_grep "the failure names the server's error" "canceling statement due to lock timeout" "$WORK/err"
expect_grep "the failure says nothing was applied" "nothing of it was applied" "$WORK/err"
expect_eq "the database is as it was" "$(snapshot)" "$before"
expect_eq "the history is as it was" "$(history_snapshot)" "$hist_before"
wait_for "no advisory lock left" "$NO_ADVISORY_LOCK" 0 && ok "no advisory lock left"

# --lock-timeout is the session's lock_timeout, seen by the blocked backend:
# a run that waits is visible in pg_stat_activity, its DDL waiting on a lock.
app --lock-timeout 1s up >/dev/null 2>&1 &
upid=$!
wait_for "the migrator's DDL to wait for the lock" \
  "SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'migc' AND wait_event_type = 'Lock' AND query LIKE 'ALTER TABLE users%'" t
wait $upid
expect_rc "the second run times out too" $? 1

# ---- released after the first try: a retry succeeds ----
run "$PG_APP" --database "$URL" --lock-timeout 250ms up >"$WORK/out" 2>"$WORK/err" &
upid=$!
wait_file "the first try to time out" "$WORK/err" "lock timeout on try 1 of 4"
holder hold "COMMIT;"
holder_stop hold
wait $upid
expect_rc "a retry succeeds once the lock is released" $? 0
sed 's/^/#   err: /' "$WORK/err"
expect_grep "the first try was reported" "lock timeout on try 1 of 4" "$WORK/err"
expect_nogrep "it did not give up" "gave up" "$WORK/err"
expect_eq "the migration's session ran with the configured lock_timeout" "$(q "SELECT lock_timeout FROM seen")" 250ms
expect_eq "history" "$(hist)" "1:applied 2:applied 3:applied 4:applied 5:applied 6:applied"
expect_eq "lock_timeout was SET LOCAL: other sessions keep the default" "$(q "SHOW lock_timeout")" 0
app verify
expect_rc "verify" $? 0

pg_end
