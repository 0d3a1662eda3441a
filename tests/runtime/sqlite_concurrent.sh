#!/usr/bin/env bash
# sqlite_concurrent.sh: 8 migrators started at once on one SQLite file
# (which does not exist yet, then one with 20,000 rows to backfill): all
# exit 0, each migration is applied exactly once (the non-idempotent
# backfill too), and the history shows each version once.
. "$(dirname "$0")/lib.sh"
B=$RT_BIN/rt_basic

race() {
  local db=$1 i pids=()
  for i in 1 2 3 4 5 6 7 8; do
    "$B" --database "sqlite:$db" --lock-wait 2m up >"$T/race$i.out" 2>&1 &
    pids+=($!)
  done
  for i in 0 1 2 3 4 5 6 7; do
    wait "${pids[$i]}" || { cat "$T/race$((i + 1)).out" >&2; fail "migrator $((i + 1)) failed"; }
  done
}

race fresh.db
eq "$(q fresh.db "SELECT group_concat(version || ':' || state, ' ') FROM migc_schema_history")" \
   "1:applied 2:applied 3:applied 4:applied 5:applied 6:applied 7:applied 8:applied" "history"
eq "$(q fresh.db "SELECT count(*) FROM users")" 1 "the seed migration ran once"
eq "$(cat "$T"/race*.out | grep -c '^applied 8 seed admin')" 1 "one migrator applied 8"
run 0 "$B" --database sqlite:fresh.db verify

run 0 "$B" --database sqlite:rows.db up --to 4
seed rows.db 20000
race rows.db
eq "$(q rows.db "SELECT min(score), max(score), min(bonus), max(bonus) FROM users WHERE email <> 'admin@example.com'")" "1|1|2|2" "the backfill ran exactly once"
eq "$(cat "$T"/race*.out | grep -c '^applied 5 bump scores')" 1 "one migrator applied 5"
run 0 "$B" --database sqlite:rows.db verify
echo ok
