#!/usr/bin/env bash
# pg_tamper.sh: the refusals before any change, against PostgreSQL. Each is
# refused (exit 1) naming the migration and the way out, and changes
# nothing (schema, data and history compared before and after):
#   - an applied migration whose checksum differs from the binary's
#     (pg_app_tamper: version 2 changed); repair --accept-checksum realigns it
#   - applied versions the binary lacks (pg_app_old: versions 1..3 only)
#   - a pending version older than an applied one (pg_app_gap applied 5, 6
#     without 4), accepted with --out-of-order
# Environment: MIGC_PG_STATE, PG_APP, PG_APP_TAMPER, PG_APP_OLD, PG_APP_GAP.
set -u
. "$(dirname "$0")/pg_lib.sh"
pg_begin "$MIGC_PG_STATE" tamper

# unchanged WHAT: the database and its history are what they were at `mark`.
mark() { BEFORE=$(snapshot); HBEFORE=$(history_snapshot); }
unchanged() {
  expect_eq "$1: schema and data unchanged" "$(snapshot)" "$BEFORE"
  expect_eq "$1: history unchanged" "$(history_snapshot)" "$HBEFORE"
}

app up --to 3
expect_rc "up --to 3" $? 0

# ---- a changed applied migration ----
mark
app_bin "$PG_APP_TAMPER" up
expect_rc "changed checksum: up refused" $? 1
expect_grep "changed checksum: names the migration" "migration 2 \(seed users\)" "$WORK/err"
expect_grep "changed checksum: says what to do" "repair --accept-checksum" "$WORK/err"
unchanged "changed checksum"
app_bin "$PG_APP_TAMPER" down --allow-data-loss
expect_rc "changed checksum: down refused" $? 1
unchanged "changed checksum, down"
app_bin "$PG_APP_TAMPER" status --check
expect_rc "changed checksum: status --check" $? 1
expect_grep "changed checksum: status shows it" "changed" "$WORK/out"
app_bin "$PG_APP_TAMPER" verify
expect_rc "changed checksum: verify" $? 1
unchanged "changed checksum, status and verify"

# ---- versions the binary lacks ----
app up --to 5
expect_rc "up --to 5" $? 0
mark
app_bin "$PG_APP_OLD" up
expect_rc "unknown versions: up refused" $? 1
expect_grep "unknown versions: names them" "migration 4|version 4" "$WORK/err"
unchanged "unknown versions"
app_bin "$PG_APP_OLD" down --allow-data-loss
expect_rc "unknown versions: down refused" $? 1
unchanged "unknown versions, down"
app_bin "$PG_APP_OLD" status --check
expect_rc "unknown versions: status --check" $? 1

# ---- repair --accept-checksum for the changed one ----
app_bin "$PG_APP_TAMPER" repair --accept-checksum 2
expect_rc "repair --accept-checksum 2" $? 0
expect_eq "the binary's checksum was written" \
  "$(q "SELECT checksum FROM migc_schema_history WHERE version = 2")" "v1:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
app_bin "$PG_APP_TAMPER" verify
expect_rc "after repair the tampered binary agrees (verify)" $? 0
app up
expect_rc "now the original binary sees a changed checksum" $? 1
app repair --accept-checksum 2
expect_rc "repair back" $? 0
app up
expect_rc "up to head" $? 0

# ---- out of order ----
q "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null
app_bin "$PG_APP_GAP" up
expect_rc "the gap binary applies 1, 2, 3, 5, 6" $? 0
expect_eq "history without 4" "$(hist)" "1:applied 2:applied 3:applied 5:applied 6:applied"
mark
app up
expect_rc "out of order: up refused" $? 1
expect_grep "out of order: names the migration" "migration 4 \(backfill score\)" "$WORK/err"
expect_grep "out of order: says what to do" "--out-of-order" "$WORK/err"
unchanged "out of order"
app up --out-of-order
expect_rc "up --out-of-order" $? 0
expect_eq "4 applied" "$(hist)" "1:applied 2:applied 3:applied 4:applied 5:applied 6:applied"
expect_eq "its backfill ran once" "$(q "SELECT min(score) || ' ' || max(score) FROM users")" "1 1"

pg_end
