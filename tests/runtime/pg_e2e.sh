#!/usr/bin/env bash
# pg_e2e.sh: a plan from `migc build` (tests/runtime/pg_e2e/migrations, via
# add_migrations, DIALECTS postgres) against PostgreSQL: every portable
# type, constraints, indexes (unique, expression, partial, descending,
# concurrent), a raw seed, a batched backfill with a NOT NULL proof, renames,
# a type change, drops, a composite primary key and a no_transaction block.
#   - up one version at a time, verify after each: the catalog the compiler
#     embedded matches what PostgreSQL reports (format_type, constraint and
#     index names) at every version;
#   - down one version at a time to 0 (derived downs), verify after each;
#     up again equals the first run;
#   - kill -9 at random moments, then up: the same result;
#   - 8 migrators at once.
# Environment: MIGC_PG_STATE, PG_E2E (the generated binary).
set -u
. "$(dirname "$0")/pg_lib.sh"
pg_begin "$MIGC_PG_STATE" e2e
PG_APP=$PG_E2E

run "$PG_APP" sql --dialect postgres >"$WORK/out" 2>&1
expect_rc "sql, offline" $? 0

for v in 1 2 3 4 5 6 7; do
  app up --to $v
  expect_rc "up --to $v" $? 0
  app verify
  expect_rc "verify at $v" $? 0
done
expect_eq "history" "$(hist)" "1:applied 2:applied 3:applied 4:applied 5:applied 6:applied 7:applied"
expect_eq "the backfill filled every row" "$(q "SELECT count(*) FROM users WHERE display_name = email")" 30000
expect_eq "the identity moved past inserted ids" "$(q "INSERT INTO organizations (name) VALUES ('new') RETURNING id")" 3
q "DELETE FROM organizations WHERE id = 3" >/dev/null
# created_at is now() of each run: pin it before comparing runs
pin() { q "UPDATE organizations SET created_at = '2000-01-01 00:00:00+00'" >/dev/null; }
pin
want=$(snapshot)

for v in 6 5 4 3 2 1 0; do
  app down --to $v --allow-data-loss
  expect_rc "down --to $v" $? 0
  app verify
  expect_rc "verify at $v after down" $? 0
done
expect_eq "down to 0 leaves no table but the history" \
  "$(q "SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'")" migc_schema_history
app up
expect_rc "up again" $? 0
# identities restart differently after down/up: compare without them (snapshot does)
expect_eq "up again: same schema and data" "$(snapshot | grep -v '^organizations\|^users\|^user_tags')" \
  "$(printf '%s\n' "$want" | grep -v '^organizations\|^users\|^user_tags')"

# kill -9 at random moments on a fresh database, then up: same result
REF=$want
q "DROP TABLE user_tags, tags, users, organizations, migc_schema_history CASCADE" >/dev/null 2>&1
kills=0
for d in 0.05 0.1 0.2 0.3 0.4 0.5 0.7 0.9 1.2 1.5; do
  ( exec "$PG_APP" --database "$URL" up ) >/dev/null 2>&1 &
  pid=$!
  sleep "$d"
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null
  wait_quiet
  run "$PG_APP" --database "$URL" verify >"$WORK/v.out" 2>&1
  rc=$?
  expect_rc "verify after a kill at ${d}s ($(hist | tr ' ' ','))" $rc 0
  [ $rc = 0 ] || sed 's/^/#   /' "$WORK/v.out"
done
app up
expect_rc "up after $kills kills" $? 0
pin
expect_eq "after the kills: same schema and data" "$(snapshot)" "$REF"

# 8 migrators at once on an empty database
q "DROP TABLE user_tags, tags, users, organizations, migc_schema_history CASCADE" >/dev/null 2>&1
pids=()
for i in 1 2 3 4 5 6 7 8; do
  ( exec "$PG_APP" --database "$URL" up ) >"$WORK/m$i.out" 2>"$WORK/m$i.err" &
  pids+=($!)
done
rcs=""
for p in "${pids[@]}"; do wait "$p"; rcs="$rcs$?"; done
expect_eq "8 migrators exit 0" "$rcs" 00000000
expect_eq "each migration applied once" "$(cat "$WORK"/m*.err | grep -c '^applied ')" 7
app verify
expect_rc "verify after 8 migrators" $? 0

pg_end
