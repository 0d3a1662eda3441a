#!/usr/bin/env bash
# pg_odd_names.sh: --schema and --history-table names that would break SQL
# pasted as text (quotes, ';', spaces, upper case) are used as identifiers:
# every command works inside that schema and history table, and nothing
# else in the database changes. Environment as pg_cli.sh.
set -u
. "$(dirname "$0")/pg_lib.sh"
pg_begin "$MIGC_PG_STATE" oddnames

S='Odd "sch"; DROP TABLE keep; --'
H='Hist "x"; DROP TABLE keep; --'
q "CREATE TABLE keep (id int); INSERT INTO keep VALUES (1)"
q "CREATE SCHEMA \"Odd \"\"sch\"\"; DROP TABLE keep; --\""
odd() { app --schema "$S" --history-table "$H" "$@"; }

odd up --to 3
expect_rc "up --to 3 with odd names" $? 0
expect_eq "the history table, in the odd schema" \
  "$(q "SELECT n.nspname || '|' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname LIKE 'Hist%' AND c.relkind = 'r'")" \
  "$S|$H"
expect_eq "its rows" "$(q "SELECT string_agg(version || ':' || state, ' ' ORDER BY version) FROM \"Odd \"\"sch\"\"; DROP TABLE keep; --\".\"Hist \"\"x\"\"; DROP TABLE keep; --\"")" \
  "1:applied 2:applied 3:applied"
odd status
expect_rc "status" $? 0
expect_grep "status: at 3" "database at 3" "$WORK/out"
odd status --json
expect_rc "status --json" $? 0
odd verify
expect_rc "verify" $? 0
odd up
expect_rc "up to head" $? 0
odd down --to 2 --allow-data-loss
expect_rc "down --to 2" $? 0
odd repair
expect_rc "repair" $? 0
odd up --dry-run
expect_rc "up --dry-run" $? 0
expect_eq "the table outside the schema is untouched" "$(q "SELECT count(*) FROM keep")" "1"
expect_eq "public has no migration tables" \
  "$(q "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'keep'")" "0"

# baseline into a fresh odd history table refuses a second time
H2='b"; --'
app --schema "$S" --history-table "$H2" baseline 2
expect_rc "baseline 2 into a new odd history table" $? 0
app --schema "$S" --history-table "$H2" baseline 2
expect_rc "baseline again: refused" $? 1
expect_eq "the table outside the schema is still untouched" "$(q "SELECT count(*) FROM keep")" "1"
pg_end
