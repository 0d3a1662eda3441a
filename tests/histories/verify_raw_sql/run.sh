#!/usr/bin/env bash
# run.sh: verify and the objects a history's own raw SQL made.
#
#   run.sh MIGC CC "LINK ARGS" DUMP WORK_DIR PG_STATE_FILE
#
# history/ makes an index, a table and a column with raw `sql` blocks, which
# the catalog does not know, and an index with a quoted mixed-case name. On
# both databases: up, then verify passes (those objects are the history's
# own, not drift); an index made by hand is still reported as drift (exit 1,
# naming it), though a comment in a raw block mentions its name; once it is
# dropped, verify passes again.
set -euo pipefail
migc=$1 cc=$2 link=$3 dump=$4 work=$5 pg_state=$6
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "FAIL [verify_raw_sql]: $*" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work/gen"
"$migc" build --strict -d "$here/history" -o "$work/gen" --name hist_plan || fail "migc build failed"
printf '#include "migc/migc.h"\n#include "hist_plan.h"\nint main(int argc, char **argv) { return migc_main(&hist_plan, argc, argv); }\n' >"$work/gen/main.c"
# shellcheck disable=SC2086
"$cc" -std=c11 -O0 -I"$work/gen" -o "$work/migrate" "$work/gen/main.c" "$work/gen/hist_plan.c" $link \
  || fail "the generated plan does not compile or link"

check() { # check DIALECT URL TARGET
  local d=$1 url=$2 target=$3
  "$work/migrate" --database "$url" up || fail "[$d] up failed"
  "$work/migrate" --database "$url" verify || fail "[$d] verify reports the history's own raw SQL objects as drift"
  printf 'CREATE INDEX hand_made_idx ON links (url);\n' >"$work/hand.sql"
  "$dump" "$d" "$target" --exec "$work/hand.sql" || fail "[$d] cannot create the hand-made index"
  if "$work/migrate" --database "$url" verify >"$work/verify.out" 2>&1; then
    fail "[$d] verify does not report an index made by hand"
  fi
  grep -q 'hand_made_idx' "$work/verify.out" || { cat "$work/verify.out"; fail "[$d] verify's report does not name hand_made_idx"; }
  printf 'DROP INDEX hand_made_idx;\n' >"$work/hand.sql"
  "$dump" "$d" "$target" --exec "$work/hand.sql" || fail "[$d] cannot drop the hand-made index"
  "$work/migrate" --database "$url" verify || fail "[$d] verify fails after the hand-made index is gone"
  "$work/migrate" --database "$url" down --to 0 --allow-data-loss || fail "[$d] down --to 0 failed"
}

check sqlite "sqlite:$work/v.db" "$work/v.db"
# shellcheck disable=SC1090
. "$pg_state"
db="hist_verify_raw_sql_$$"
psql "$URL" -qXc "CREATE DATABASE $db" || fail "cannot create database $db"
trap 'psql "$URL" -qXc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT
check postgres "${URL%/*}/$db" "${URL%/*}/$db"
echo "ok [verify_raw_sql]"
