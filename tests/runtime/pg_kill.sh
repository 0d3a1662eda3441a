#!/usr/bin/env bash
# pg_kill.sh: kill -9 of a migrator at many points of an `up` against
# PostgreSQL: inside a transactional step's DDL (migration 5 sleeps inside
# its transaction), inside the 120,000-row seed, inside CREATE INDEX
# CONCURRENTLY, at several points of the batched backfill (120 batches of
# 1000; score = score + 1 must be applied exactly once), and at random
# moments, and inside `down --to 0`. After each kill (once the killed
# session's backend is gone):
# status works and verify passes for what is recorded. Finally `up`
# finishes, and the schema and data equal those of an uninterrupted run in a
# second database. Environment: MIGC_PG_STATE, PG_APP (pg_tests.cmake).
set -u
. "$(dirname "$0")/pg_lib.sh"
pg_begin "$MIGC_PG_STATE" kill

REF="${DB}_ref"
"$PSQL" -X -q -d postgres -c "CREATE DATABASE \"$REF\"" >/dev/null
trap '"$PSQL" -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$REF\" WITH (FORCE)" >/dev/null 2>&1; pg_cleanup' EXIT
"$PG_APP" --database "postgresql://postgres@127.0.0.1:$PGPORT/$REF" up >"$WORK/ref.out" 2>&1
expect_rc "the uninterrupted run" $? 0
want=$(snapshot "$REF")

KILLS=0
FINISHED=0

# after_kill WHAT: once the killed migrator's backend is gone, status and
# verify must work on what the history records.
after_kill() {
  wait_quiet
  run "$PG_APP" --database "$URL" status >"$WORK/st.out" 2>"$WORK/st.err"
  expect_rc "$1: status" $? 0
  run "$PG_APP" --database "$URL" verify >"$WORK/v.out" 2>"$WORK/v.err"
  local rc=$?
  expect_rc "$1: verify passes for what is recorded ($(hist | tr ' ' ','))" $rc 0
  [ $rc = 0 ] || sed 's/^/#   verify: /' "$WORK/v.out" "$WORK/v.err"
}

# kill_when WHAT SQL: starts `up`, and kill -9s it as soon as SQL prints t
# (in this database). When the run ends first, nothing is killed.
kill_when() {
  local what=$1 sql=$2 i
  ( exec "$PG_APP" --database "$URL" up ) >"$WORK/up.out" 2>"$WORK/up.err" &
  local pid=$!
  for i in $(seq 1 3000); do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"
      local rc=$?
      expect_rc "$what: the run ended before the kill point" $rc 0
      FINISHED=1
      return
    fi
    if [ "$(q "$sql" 2>/dev/null)" = t ]; then
      kill -9 "$pid"
      wait "$pid" 2>/dev/null
      KILLS=$((KILLS + 1))
      ok "killed $what"
      after_kill "$what"
      return
    fi
    sleep 0.01
  done
  fail "$what: the kill point never came"
  kill -9 "$pid"; wait "$pid" 2>/dev/null
}

active() {   # SQL: the migrator's backend runs a query LIKE $1
  echo "SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'migc' AND state = 'active' AND query LIKE '$1'"
}
progress_at_least() {
  echo "SELECT coalesce((SELECT progress::bigint >= $1 FROM migc_schema_history WHERE version = 4 AND progress IS NOT NULL), false)"
}

# 1. inside the seed (migration 2, one transaction)
kill_when "inside the 120,000-row seed" \
  "SELECT ($(active 'INSERT INTO users%')) OR ($(active 'SELECT pg_sleep(0.25)%'))"
expect_eq "the killed seed left no row" "$(q "SELECT count(*) FROM users")" 0

# 2. inside CREATE INDEX CONCURRENTLY: an open snapshot holds the build after
# it created the index; the client is killed there; its backend finishes
# the build once the snapshot is gone.
holder_start snap
holder snap "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM pg_class;"
wait_for "the snapshot" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'" 1
kill_when_held() {
  ( exec "$PG_APP" --database "$URL" up ) >"$WORK/up.out" 2>"$WORK/up.err" &
  local pid=$!
  wait_for "the concurrent build to wait" "$(active 'CREATE INDEX CONCURRENTLY%')" t
  kill -9 "$pid"; wait "$pid" 2>/dev/null
  KILLS=$((KILLS + 1))
  ok "killed inside CREATE INDEX CONCURRENTLY"
  holder snap "COMMIT;"
  holder_stop snap
}
kill_when_held
after_kill "inside CREATE INDEX CONCURRENTLY"
expect_eq "the history records the concurrent step as started" "$(hist)" "1:applied 2:applied 3:applying:2/2"

# 3. inside the backfill, at several points
for at in 10000 45000 80000; do
  kill_when "inside the backfill (progress >= $at)" "$(progress_at_least $at)"
done
expect_eq "the backfill is recorded as partly done" "$(q "SELECT state FROM migc_schema_history WHERE version = 4")" "applying:1/1"
p=$(q "SELECT progress FROM migc_schema_history WHERE version = 4")
expect_eq "exactly the recorded batches are updated, once" \
  "$(q "SELECT count(*) FILTER (WHERE score <> CASE WHEN id <= $p THEN 1 ELSE 0 END) || ' ' || count(*) FROM users")" \
  "0 120000"

# 4. inside migration 5's transaction (it sleeps between its DDL statements)
kill_when "inside a DDL transaction" "$(active 'SELECT pg_sleep%')"
expect_eq "nothing of migration 5 is left" "$(q "SELECT to_regclass('orgs') IS NULL")" t

app up
expect_rc "the next up finishes" $? 0
expect_eq "same schema and data as the uninterrupted run" "$(snapshot)" "$want"
expect_eq "history" "$(hist)" "1:applied 2:applied 3:applied 4:applied 5:applied 6:applied"
app verify
expect_rc "verify" $? 0

# 5. at random moments, from an empty database again
q "DROP TABLE users, orgs, seen, tags, migc_schema_history CASCADE" >/dev/null 2>&1
FINISHED=0
for i in $(seq 1 12); do
  [ $FINISHED = 1 ] && break
  d=$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.05 + (r % 120) / 100 }')
  ( exec "$PG_APP" --database "$URL" up ) >"$WORK/up.out" 2>"$WORK/up.err" &
  pid=$!
  sleep "$d"
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
    KILLS=$((KILLS + 1))
    ok "killed after ${d}s"
    after_kill "random kill $i (${d}s)"
  else
    wait "$pid"
    expect_rc "random run $i ended before the kill" $? 0
    FINISHED=1
  fi
done

app up
expect_rc "after the random kills: the next up finishes" $? 0
expect_eq "after the random kills: same schema and data as the uninterrupted run" "$(snapshot)" "$want"
expect_eq "after the random kills: history" "$(hist)" "1:applied 2:applied 3:applied 4:applied 5:applied 6:applied"
app verify
expect_rc "after the random kills: verify" $? 0
# 6. kill -9 inside `down --to 0` at random moments, then finish it and go
# up again: the same result once more.
down_kill_when() {
  local what=$1 sql=$2 i
  ( exec "$PG_APP" --database "$URL" down --to 0 --allow-data-loss ) >"$WORK/down.out" 2>"$WORK/down.err" &
  local pid=$!
  for i in $(seq 1 3000); do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"
      expect_rc "$what: the down ended before the kill point" $? 0
      return
    fi
    if [ "$(q "$sql" 2>/dev/null)" = t ]; then
      kill -9 "$pid"; wait "$pid" 2>/dev/null
      KILLS=$((KILLS + 1))
      ok "killed $what"
      after_kill "$what"
      return
    fi
    sleep 0.01
  done
}
# Between the steps of migration 3's down, deterministically: with 6, 5 and
# 4 reverted, a session holding a lock on users makes DROP INDEX
# CONCURRENTLY (step 1/2) wait while 'reverting:1/2' is recorded; the kill
# lands there. (Polling for the state alone raced with a fast down.)
app down --to 3 --allow-data-loss
expect_rc "down --to 3" $? 0
holder_start rd
holder rd "BEGIN; SELECT count(*) FROM users;"
wait_for "the reader" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'" 1
( exec "$PG_APP" --database "$URL" down --to 0 --allow-data-loss ) >"$WORK/down.out" 2>"$WORK/down.err" &
pid=$!
wait_for "DROP INDEX CONCURRENTLY to wait for the reader" \
  "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'migc' AND query LIKE 'DROP INDEX CONCURRENTLY%' AND wait_event_type = 'Lock'" 1
expect_eq "down, between the steps of migration 3: recorded" \
  "$(q "SELECT state FROM migc_schema_history WHERE version = 3")" "reverting:1/2"
kill -9 "$pid"
wait "$pid" 2>/dev/null
holder rd "COMMIT;"
holder_stop rd
KILLS=$((KILLS + 1))
ok "killed down, between the steps of migration 3"
after_kill "down, between the steps of migration 3"
down_kill_when "down, inside the delete of migration 2" "$(active 'DELETE FROM users%')"
for i in $(seq 1 6); do
  d=$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.01 + (r % 12) / 100 }')
  ( exec "$PG_APP" --database "$URL" down --to 0 --allow-data-loss ) >"$WORK/down.out" 2>"$WORK/down.err" &
  pid=$!
  sleep "$d"
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
    KILLS=$((KILLS + 1))
    after_kill "down, killed after ${d}s"
  else
    wait "$pid"
    expect_rc "down run $i ended before the kill" $? 0
    break
  fi
done
app down --to 0 --allow-data-loss
expect_rc "down --to 0 finishes" $? 0
expect_eq "down --to 0: nothing recorded" "$(hist)" ""
expect_eq "down --to 0: no table left but the history" \
  "$(q "SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'")" migc_schema_history
app up
expect_rc "up after the killed downs" $? 0
expect_eq "after the killed downs: same schema and data" "$(snapshot)" "$want"

[ $KILLS -ge 8 ] && ok "$KILLS kills" || fail "only $KILLS kills"

pg_end
