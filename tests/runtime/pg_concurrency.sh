#!/usr/bin/env bash
# pg_concurrency.sh: 8 migrators started at once on one PostgreSQL database.
# Every migration is applied exactly once and every migrator exits 0; the
# plan has a CREATE INDEX CONCURRENTLY step, which deadlocks with a waiter
# blocked in pg_advisory_lock (the lock is polled instead), a 120,000-row
# seed and a non-idempotent batched backfill (score = score + 1).
# Half of the migrators pass --schema public, half rely on the current
# schema: one lock either way. Environment: MIGC_PG_STATE, PG_APP.
set -u
. "$(dirname "$0")/pg_lib.sh"
pg_begin "$MIGC_PG_STATE" conc

# start_all ARGS...: starts 8 migrators with ARGS at once (each waits for
# the file $WORK/go, so they start together); waits for all of them and sets
# RCS to their exit codes.
start_all() {
  local i pids=()
  rm -f "$WORK/go"
  for i in 1 2 3 4 5 6 7 8; do
    # Odd ones name the schema they migrate, even ones use the current one:
    # both spellings must take the same lock.
    local schema=()
    [ $((i % 2)) = 1 ] && schema=(--schema public)
    ( while [ ! -e "$WORK/go" ]; do sleep 0.01; done
      exec "$PG_APP" --database "$URL" "${schema[@]}" "$@" ) >"$WORK/m$i.out" 2>"$WORK/m$i.err" &
    pids+=($!)
  done
  sleep 0.2
  touch "$WORK/go"
  RCS=""
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}"
    RCS="$RCS$?"
  done
}

for round in 1 2; do
  if [ $round = 1 ]; then
    start_all up --to 2             # history table creation races, seed once
  else
    start_all up                    # concurrent index, backfill, DDL, no_transaction
  fi
  expect_eq "round $round: all 8 migrators exit 0" "$RCS" 00000000
  if [ "$RCS" != 00000000 ]; then
    for i in 1 2 3 4 5 6 7 8; do sed "s/^/#   m$i: /" "$WORK/m$i.err"; done
  fi
  applied=$(cat "$WORK"/m*.err | grep -c '^applied ')
  if [ $round = 1 ]; then
    expect_eq "round 1: each migration applied by exactly one migrator" "$applied" 2
    expect_eq "round 1: history" "$(hist)" "1:applied 2:applied"
    expect_eq "round 1: the seed ran once" "$(q "SELECT count(*) FROM users")" 120000
  else
    expect_eq "round 2: each migration applied by exactly one migrator" "$applied" 4
    for v in 3 4 5 6; do
      expect_eq "round 2: migration $v applied once" "$(cat "$WORK"/m*.err | grep -c "^applied $v ")" 1
    done
  fi
done
expect_eq "history" "$(hist)" "1:applied 2:applied 3:applied 4:applied 5:applied 6:applied"
expect_eq "the backfill ran exactly once" "$(q "SELECT min(score) || ' ' || max(score) || ' ' || count(*) FROM users")" "1 1 120000"
expect_eq "the concurrent index is valid" \
  "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email_idx'::regclass")" t
wait_for "no advisory lock left" "$NO_ADVISORY_LOCK" 0 && ok "no advisory lock left"
run "$PG_APP" --database "$URL" verify >"$WORK/out" 2>&1
expect_rc "verify" $? 0

# Down and up again, 8 at once: down --to 0 reverts once, up applies once.
start_all down --to 2 --allow-data-loss
expect_eq "8 concurrent downs exit 0" "$RCS" 00000000
expect_eq "down: history" "$(hist)" "1:applied 2:applied"
start_all up
expect_eq "8 concurrent ups exit 0" "$RCS" 00000000
expect_eq "up again: scores" "$(q "SELECT min(score) || ' ' || max(score) FROM users")" "2 2"
run "$PG_APP" --database "$URL" verify >"$WORK/out" 2>&1
expect_rc "verify again" $? 0

pg_end
