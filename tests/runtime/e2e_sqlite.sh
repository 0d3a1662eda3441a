#!/usr/bin/env bash
# e2e_sqlite.sh: a plan from `migc build` (tests/runtime/e2e/migrations,
# via add_migrations) on SQLite: kill -9 from outside at arbitrary moments
# of an `up` over 100,000 rows (two non-idempotent batched backfills and a
# rebuild of a table with ON DELETE CASCADE children), then rerun: verify
# passes and the result equals an uninterrupted run; then 8 migrators at
# once; then down to 0 and up again.
#   E2E_BIN   the generated migration binary
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  RT_TMP=$(mktemp -d /dev/shm/migc-rt-e2e.XXXXXX)
  trap 'rm -rf "$RT_TMP"' EXIT
fi
. "$(dirname "$0")/lib.sh"
B=${E2E_BIN:?E2E_BIN must name the generated binary}

run 0 "$B" --database sqlite:template.db up --to 1
q template.db "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
               INSERT INTO accounts (email) SELECT 'a' || i || '@example.com' FROM n;
               INSERT INTO orders (account_id) SELECT id FROM accounts WHERE id % 4 = 0;"
cp template.db ref.db
run 0 "$B" --database sqlite:ref.db up
dump ref.db >ref.txt
eq "$(q ref.db "SELECT min(score), max(score), count(*) FROM accounts")" "1|1|100000" "reference scores"
eq "$(q ref.db "SELECT min(total), max(total), count(*) FROM orders")" "5|5|25000" "reference orders"
run 0 "$B" --database sqlite:ref.db verify

interrupted=0
for d in 0.01 0.02 0.04 0.06 0.08 0.1 0.13 0.16 0.2 0.25 0.3 0.35 0.4 0.5 0.6 0.8; do
  cp template.db k.db
  (timeout -s KILL "$d" "$B" --database sqlite:k.db up; true) >/dev/null 2>&1
  [ "$(q k.db "SELECT count(*) FROM migc_schema_history WHERE state = 'applied'")" = 4 ] ||
    interrupted=$((interrupted + 1))
  run 0 "$B" --database sqlite:k.db verify
  run 0 "$B" --database sqlite:k.db up
  dump k.db >k.txt
  cmp -s ref.txt k.txt || { diff ref.txt k.txt | head -20 >&2; fail "killed after ${d}s: final state differs"; }
  run 0 "$B" --database sqlite:k.db verify
done

echo "$interrupted of 16 runs were killed before the end"

# A batch that fails: in the first batch nothing is recorded (the migration
# is pending as before); in a later one the committed batches and their
# progress stay, the message says so, and the rerun resumes: every row is
# still bumped exactly once.
cp template.db f.db
q f.db "CREATE TRIGGER boom BEFORE UPDATE ON accounts WHEN old.id = 5 BEGIN SELECT raise(ABORT, 'boom'); END"
run 1 "$B" --database sqlite:f.db up
err_has "migration 2 (bump scores), step 1/1: backfill of accounts failed: boom"
! grep -q "the database records" "$T/err" || fail "a first batch that failed recorded nothing, yet the message says it did"
eq "$(q f.db "SELECT count(*) FROM migc_schema_history WHERE version = 2")" 0 "first batch failed: no row for 2"
eq "$(q f.db "SELECT max(score) FROM accounts")" 0 "first batch failed: nothing bumped"
q f.db "DROP TRIGGER boom; CREATE TRIGGER boom BEFORE UPDATE ON accounts WHEN old.id = 2500 BEGIN SELECT raise(ABORT, 'boom'); END"
run 1 "$B" --database sqlite:f.db up
err_has "the database records 'applying:1/1' for it"
eq "$(q f.db "SELECT state || ' ' || progress FROM migc_schema_history WHERE version = 2")" "applying:1/1 1994" \
  "third batch failed: two batches of 997 recorded"
eq "$(q f.db "SELECT count(*) FROM accounts WHERE score = 1")" 1994 "third batch failed: two batches bumped"
q f.db "DROP TRIGGER boom"
run 0 "$B" --database sqlite:f.db up
dump f.db >f.txt
cmp -s ref.txt f.txt || { diff ref.txt f.txt | head -20 >&2; fail "failed batches, then up: final state differs"; }

cp template.db c.db
pids=()
for i in 1 2 3 4 5 6 7 8; do
  "$B" --database sqlite:c.db up >"$T/c$i.out" 2>&1 &
  pids+=($!)
done
for i in 0 1 2 3 4 5 6 7; do wait "${pids[$i]}" || { cat "$T/c$((i + 1)).out" >&2; fail "migrator $((i + 1)) failed"; }; done
dump c.db >c.txt
cmp -s ref.txt c.txt || { diff ref.txt c.txt | head -20 >&2; fail "8 migrators: final state differs"; }

run 0 "$B" --database sqlite:ref.db down --to 0 --allow-data-loss
eq "$(q ref.db "SELECT count(*) FROM sqlite_schema WHERE name IN ('accounts', 'orders')")" 0 "down to 0"
run 0 "$B" --database sqlite:ref.db up
run 0 "$B" --database sqlite:ref.db verify
run 0 "$B" --database sqlite:ref.db status --check
echo ok
