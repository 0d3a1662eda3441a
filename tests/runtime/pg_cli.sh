#!/usr/bin/env bash
# pg_cli.sh: every command and flag of a generated binary (DESIGN §5)
# against a real PostgreSQL database, with the hand-written plan
# plans/pg_app.c. Environment (set by pg_tests.cmake): MIGC_PG_STATE, PG_APP;
# PG_RUN runs the binary under a wrapper (valgrind).
set -u
. "$(dirname "$0")/pg_lib.sh"
pg_begin "$MIGC_PG_STATE" cli

# ---- no database, help, version, offline sql ----
run "$PG_APP" status >"$WORK/out" 2>"$WORK/err"
expect_rc "no url" $? 2
expect_grep "no url: says what to do" "DATABASE_URL" "$WORK/err"
run "$PG_APP" --help >"$WORK/out" 2>&1
expect_rc "--help" $? 0
expect_grep "--help lists the commands" "baseline" "$WORK/out"
run "$PG_APP" --version >"$WORK/out" 2>&1
expect_rc "--version" $? 0
run "$PG_APP" sql >"$WORK/out" 2>"$WORK/err"
expect_rc "sql needs no connection" $? 0
expect_grep "sql: the concurrent index" "CREATE INDEX CONCURRENTLY users_email_idx" "$WORK/out"
run "$PG_APP" sql --dialect postgres down >"$WORK/out" 2>"$WORK/err"
expect_rc "sql --dialect postgres down" $? 0
expect_grep "sql down: the concurrent index drop" "DROP INDEX CONCURRENTLY IF EXISTS users_email_idx" "$WORK/out"
run "$PG_APP" sql --dialect sqlite >"$WORK/out" 2>"$WORK/err"
expect_rc "sql --dialect sqlite from a postgres-only binary" $? 2
run "$PG_APP" --database "$URL" bogus >"$WORK/out" 2>"$WORK/err"
expect_rc "an unknown command" $? 2

# ---- status on an empty database; dry run changes nothing ----
app status
expect_rc "status, empty database" $? 0
expect_grep "status: everything pending" "6 pending" "$WORK/out"
app status --check
expect_rc "status --check with pending migrations" $? 1
app status --json
expect_rc "status --json" $? 0
expect_grep "status --json: versions" '"version": *6' "$WORK/out"
app up --dry-run
expect_rc "up --dry-run" $? 0
expect_grep "up --dry-run prints the SQL" "CREATE TABLE users" "$WORK/out"
expect_eq "up --dry-run creates nothing" "$(q "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 0

# ---- the URL forms; passwords never printed ----
run "$PG_APP" --database "$KW" status >"$WORK/out" 2>"$WORK/err"
expect_rc "a libpq keyword string" $? 0
DATABASE_URL="$URL" run "$PG_APP" status >"$WORK/out" 2>"$WORK/err"
expect_rc "DATABASE_URL" $? 0
run "$PG_APP" --database "postgres://postgres:Pa55w0rdX@127.0.0.1:$PGPORT/$DB" status >"$WORK/out" 2>"$WORK/err"
expect_rc "postgres:// with a password" $? 0
run "$PG_APP" --database "postgresql://postgres:Pa55w0rdX@127.0.0.1:1/$DB?connect_timeout=5" up >"$WORK/out" 2>"$WORK/err"
expect_rc "an unreachable server" $? 3
expect_grep "an unreachable server: says so" "cannot connect" "$WORK/err"
expect_nogrep "the password is never printed" "Pa55w0rdX" "$WORK/err"
run "$PG_APP" --database "host=127.0.0.1 port=1 password=Pa55w0rdX connect_timeout=5" up >"$WORK/out" 2>"$WORK/err"
expect_rc "an unreachable server (keywords)" $? 3
expect_nogrep "the password is never printed (keywords)" "Pa55w0rdX" "$WORK/err"
run "$PG_APP" --database "postgresql://postgres:Pa55w0rdX@[::1/$DB" up >"$WORK/out" 2>"$WORK/err"
expect_rc "a malformed url" $? 3
expect_nogrep "a malformed url: the password is never printed" "Pa55w0rdX" "$WORK/err"
run "$PG_APP" --database "sqlite:$WORK/x.db" status >"$WORK/out" 2>"$WORK/err"
expect_rc "a dialect this binary lacks" $? 2
expect_grep "a dialect this binary lacks: says so" "without sqlite" "$WORK/err"

# ---- up --to, never down ----
app up --to 2
expect_rc "up --to 2" $? 0
expect_eq "up --to 2: history" "$(hist)" "1:applied 2:applied"
expect_eq "up --to 2: rows" "$(q "SELECT count(*) FROM users")" 120000
app up --to 1
expect_rc "up --to 1 below the current version" $? 0
expect_eq "up --to never goes down" "$(hist)" "1:applied 2:applied"
app verify
expect_rc "verify at 2" $? 0

# ---- --single-transaction refused with a non-transactional step ----
before=$(snapshot)
app up --single-transaction
expect_rc "--single-transaction with CREATE INDEX CONCURRENTLY pending" $? 2
expect_grep "--single-transaction: names the migration" "migration 3" "$WORK/err"
expect_eq "--single-transaction refused: no change" "$(snapshot)" "$before"
expect_eq "--single-transaction refused: history" "$(hist)" "1:applied 2:applied"
app up --to 3
expect_rc "up --to 3 (concurrent index)" $? 0
expect_eq "the concurrent index is valid" \
  "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email_idx'::regclass")" t
app up --single-transaction --to 5
expect_rc "--single-transaction of transactional steps and a backfill" $? 0
expect_eq "--single-transaction: history" "$(hist)" "1:applied 2:applied 3:applied 4:applied 5:applied"
expect_eq "--single-transaction: the backfill ran once" "$(q "SELECT min(score) || ' ' || max(score) FROM users")" "1 1"
app up --single-transaction
expect_rc "--single-transaction with a no_transaction block pending" $? 2
app up
expect_rc "up" $? 0
expect_eq "up: history" "$(hist)" "1:applied 2:applied 3:applied 4:applied 5:applied 6:applied"
expect_eq "DDL ran under the default lock_timeout" "$(q "SELECT lock_timeout FROM seen")" 5s
app up
expect_rc "up with nothing pending" $? 0
app status --check
expect_rc "status --check, up to date" $? 0

# ---- verify: each drift named ----
app verify
expect_rc "verify at head" $? 0
q "ALTER TABLE users ADD COLUMN extra int; DROP INDEX users_email_idx; ALTER TABLE users DROP CONSTRAINT users_score_pos; ALTER TABLE tags ALTER COLUMN label TYPE varchar(10)"
app verify
expect_rc "verify with drift" $? 1
expect_grep "verify names an unexpected column" "users.extra" "$WORK/out" 
expect_grep "verify names a missing index" "users_email_idx" "$WORK/out"
expect_grep "verify names a missing constraint" "users_score_pos" "$WORK/out"
expect_grep "verify names a changed type" "label.*character varying\(10\)" "$WORK/out"
q "DROP INDEX IF EXISTS users_email_idx; ALTER TABLE users DROP COLUMN extra"
q "CREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON users (score)" 2>/dev/null
app verify
expect_rc "verify with an INVALID index left by a failed build" $? 1
expect_grep "verify: an INVALID index is no index" "index users_email_idx on users is missing" "$WORK/out"
q "DROP INDEX users_email_idx; CREATE INDEX users_email_idx ON users (email); ALTER TABLE users ADD CONSTRAINT users_score_pos CHECK (score >= 0); ALTER TABLE tags ALTER COLUMN label TYPE text"
app verify
expect_rc "verify after the drift was undone" $? 0

# ---- down ----
before=$(snapshot)
app down
expect_rc "down of a data-losing migration without --allow-data-loss" $? 1
expect_grep "down: asks for --allow-data-loss" "allow-data-loss" "$WORK/err"
expect_eq "down refused: no change" "$(snapshot)" "$before"
app down --dry-run --allow-data-loss
expect_rc "down --dry-run" $? 0
expect_grep "down --dry-run prints the SQL" "DROP TABLE tags" "$WORK/out"
expect_eq "down --dry-run: no change" "$(snapshot)" "$before"
app down --allow-data-loss
expect_rc "down" $? 0
expect_eq "down reverts one" "$(hist)" "1:applied 2:applied 3:applied 4:applied 5:applied"
expect_eq "down dropped tags" "$(q "SELECT to_regclass('tags') IS NULL")" t
app down --steps 2 --allow-data-loss
expect_rc "down --steps 2" $? 0
expect_eq "down --steps 2: history" "$(hist)" "1:applied 2:applied 3:applied"
expect_eq "down --steps 2: orgs gone" "$(q "SELECT to_regclass('orgs') IS NULL")" t
app down --to 1 --allow-data-loss
expect_rc "down --to 1 (a concurrent index drop inside)" $? 0
expect_eq "down --to 1: history" "$(hist)" "1:applied"
expect_eq "down --to 1: index and column gone" \
  "$(q "SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'name'") $(q "SELECT to_regclass('users_email_idx') IS NULL")" "0 t"
app verify
expect_rc "verify at 1" $? 0
app down --to 0 --allow-data-loss
expect_rc "down --to 0" $? 0
expect_eq "down --to 0: nothing applied" "$(hist)" ""
app up
expect_rc "up again from empty" $? 0
expect_eq "up again: the backfill ran once" "$(q "SELECT min(score) || ' ' || max(score) || ' ' || count(*) FROM users")" "1 1 120000"
app verify
expect_rc "verify after up again" $? 0

# ---- --history-table and --schema ----
q "CREATE SCHEMA app"
app --schema app --history-table my_history up --to 3
expect_rc "up --schema app --history-table my_history" $? 0
expect_eq "--schema: tables and history in the schema" \
  "$(q "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'app'")" "my_history,users"
expect_eq "--schema: the history" "$(q "SELECT string_agg(version || ':' || state, ' ' ORDER BY version) FROM app.my_history")" \
  "1:applied 2:applied 3:applied"
expect_eq "--schema: the index in the schema" "$(q "SELECT schemaname FROM pg_indexes WHERE indexname = 'users_email_idx' ORDER BY 1")" "app
public"
app --schema app --history-table my_history status
expect_grep "--schema status" "database at 3" "$WORK/out"
app --schema app --history-table my_history verify
expect_rc "--schema verify" $? 0
app --schema app status
expect_grep "--schema with the default history table: nothing applied" "6 pending" "$WORK/out"
app --schema nosuch status
rc=$?
[ "$rc" != 0 ] && ok "--schema of a missing schema fails (exit $rc)" || fail "--schema of a missing schema: exit 0"
expect_grep "--schema of a missing schema: says so" 'schema "nosuch" does not exist' "$WORK/err"
expect_eq "the public schema was left alone" "$(hist)" "1:applied 2:applied 3:applied 4:applied 5:applied 6:applied"

q 'CREATE SCHEMA "Odd Schema"'
app --schema "Odd Schema" --history-table "Hist Table" up --to 1
expect_rc "--schema and --history-table that need quoting" $? 0
expect_eq "they are used as given" "$(q 'SELECT count(*) FROM "Odd Schema"."Hist Table"') $(q "SELECT to_regclass('\"Odd Schema\".users') IS NOT NULL")" "1 t"
app --schema "Odd Schema" --history-table "Hist Table" verify
expect_rc "verify there" $? 0

# ---- baseline ----
q "CREATE SCHEMA legacy; SET search_path = legacy;
   CREATE TABLE legacy.users (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, email text NOT NULL,
                              score integer NOT NULL DEFAULT 0, name text);
   INSERT INTO legacy.users (email) VALUES ('a@example.com'), ('b@example.com');
   CREATE INDEX users_email_idx ON legacy.users (email)"
app --schema legacy baseline 3
expect_rc "baseline 3" $? 0
expect_eq "baseline rows" "$(q "SELECT string_agg(version || ':' || state, ' ' ORDER BY version) FROM legacy.migc_schema_history")" \
  "1:baseline 2:baseline 3:baseline"
app --schema legacy baseline 3
expect_rc "baseline again is refused" $? 1
app --schema legacy verify
expect_rc "verify after baseline" $? 0
app --schema legacy up
expect_rc "up after baseline" $? 0
expect_eq "up after baseline: the backfill ran on the adopted rows" "$(q "SELECT string_agg(score || name, ',' ORDER BY id) FROM legacy.users")" "1n:a@example.com,1n:b@example.com"

# ---- --lock-wait: another migrator holds the lock ----
holder_start blocker
holder blocker "BEGIN; LOCK TABLE tags IN ACCESS SHARE MODE;"
wait_for "the table lock" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'" 1
app down --allow-data-loss --lock-timeout 1h >/dev/null 2>&1 &
downpid=$!
wait_for "the first migrator to wait for its DDL" \
  "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'migc' AND wait_event_type = 'Lock'" 1
run "$PG_APP" --database "$URL" --lock-wait 300ms up >"$WORK/out2" 2>"$WORK/err2"
expect_rc "--lock-wait expires" $? 4
expect_grep "--lock-wait: says another migrator runs" "another migrator" "$WORK/err2"
holder blocker "COMMIT;"
wait $downpid
expect_rc "the first migrator finishes once the table is free" $? 0
holder_stop blocker
expect_eq "after the lock wait" "$(hist)" "1:applied 2:applied 3:applied 4:applied 5:applied"

# ---- repair ----
app repair
expect_rc "repair with nothing to repair" $? 0

pg_end
