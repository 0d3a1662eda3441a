#!/usr/bin/env bash
# run_plan_delta.sh: the C plan's schema deltas (migc/plan.h) replayed by
# verify at every version of a history that drops, renames and re-creates
# tables (cases/plan_delta): up one version at a time with verify after
# each, then down one version at a time with verify after each; a table
# made by hand under a dropped table's name is drift, and so is a table
# missing that the replay must still hold.
#
#   run_plan_delta.sh BINARY sqlite DB_FILE
#   run_plan_delta.sh BINARY postgres PG_STATE_FILE   (a database of its own)
set -euo pipefail
bin=$1 dialect=$2 where=$3
fail() { echo "FAIL [plan_delta/$dialect]: $*" >&2; exit 1; }
if [ "$dialect" = sqlite ]; then
  rm -f "$where" "$where-migc.lock"
  url="sqlite:$where"
  sql() { sqlite3 "$where" "$1"; }
else
  # shellcheck disable=SC1090
  . "$where"
  db="migc_plan_delta_$$"
  psql "$URL" -qXc "CREATE DATABASE $db"
  trap 'psql "$URL" -qXc "DROP DATABASE IF EXISTS $db"' EXIT
  url="${URL%/*}/$db"
  sql() { psql "$url" -qXc "$1"; }
fi
run() { echo "+ $*"; "$bin" --database "$url" "$@"; }
head=8
for v in $(seq 1 $head); do
  run up --to "$v" || fail "up --to $v"
  run verify || fail "verify at version $v (up)"
done
# At head: posts and users_old were dropped, scratch is the renamed users.
sql "CREATE TABLE posts (id integer)"
if run verify >verify.$dialect.out 2>&1; then fail "verify accepts a table the migrations dropped"; fi
grep -q "table posts is not in the migrations" verify.$dialect.out || { cat verify.$dialect.out; fail "verify does not name posts"; }
sql "DROP TABLE posts"
run verify || fail "verify after dropping the hand-made table"
for v in $(seq $((head - 1)) -1 0); do
  run down --to "$v" --allow-data-loss || fail "down --to $v"
  run verify || fail "verify at version $v (down)"
done
# At 3: scratch exists (created by 3, dropped by 5); dropping it by hand is drift.
run up --to 3 || fail "up --to 3 again"
sql "DROP TABLE scratch"
if run verify >verify.$dialect.out 2>&1; then fail "verify accepts a missing table"; fi
grep -q "table scratch is missing" verify.$dialect.out || { cat verify.$dialect.out; fail "verify does not name scratch"; }
rm -f verify.$dialect.out
echo "ok - verify at every version, up and down"
