# pg_lib.sh: shared pieces of the PostgreSQL runtime tests (sourced).
#
#   pg_begin STATEFILE NAME   reads the cluster state that tests/pg/cluster.sh
#                             wrote, creates a fresh database for this test and
#                             sets DB, URL (postgresql://), KW (libpq keyword
#                             string), PSQL; the database is dropped on exit
#   q SQL                     runs SQL in $DB, prints unaligned rows (fails the
#                             test on an SQL error)
#   ok / fail / expect_eq / expect_rc / expect_grep   TAP-style checks;
#   pg_end                    prints the summary, exits non-zero on failures
set -u

PG_FAILS=0
PG_CHECKS=0

ok()   { PG_CHECKS=$((PG_CHECKS + 1)); echo "ok - $*"; }
fail() { PG_CHECKS=$((PG_CHECKS + 1)); PG_FAILS=$((PG_FAILS + 1)); echo "not ok - $*"; }

# expect_eq WHAT GOT WANT
expect_eq() {
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi
}
# expect_rc WHAT GOT WANT
expect_rc() {
  if [ "$2" = "$3" ]; then ok "$1 (exit $2)"; else fail "$1: exit $2, want $3"; fi
}
# expect_grep WHAT PATTERN FILE   (extended regexp)
expect_grep() {
  if grep -Eq -- "$2" "$3"; then ok "$1"; else fail "$1: no /$2/ in:"; sed 's/^/#   /' "$3"; fi
}
# expect_nogrep WHAT PATTERN FILE
expect_nogrep() {
  if grep -Eq -- "$2" "$3"; then fail "$1: /$2/ found in:"; sed 's/^/#   /' "$3"; else ok "$1"; fi
}

pg_begin() {
  local state=$1 name=$2
  [ -f "$state" ] || { echo "not ok - no cluster state file $state (fixture postgres)"; exit 1; }
  # shellcheck disable=SC1090
  . "$state"
  export PGHOST PGPORT PGUSER
  unset PGDATABASE PGPASSWORD DATABASE_URL
  PSQL="$PGBIN/psql"
  [ -x "$PSQL" ] || PSQL=psql
  DB="migc_${name}_$$"
  URL="postgresql://postgres@127.0.0.1:$PGPORT/$DB"
  KW="host=$PGHOST port=$PGPORT user=postgres dbname=$DB"
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/migc-$name.XXXXXX")
  "$PSQL" -X -q -d postgres -c "CREATE DATABASE \"$DB\"" >/dev/null || { echo "not ok - createdb"; exit 1; }
  trap pg_cleanup EXIT
}

pg_cleanup() {
  local j
  for j in $(jobs -p); do kill -9 "$j" 2>/dev/null; done
  wait 2>/dev/null
  "$PSQL" -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$WORK"
}

q() {
  "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1"
}

# q_db DBNAME SQL
q_db() {
  "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

pg_end() {
  echo "# $PG_CHECKS checks, $PG_FAILS failed"
  [ "$PG_FAILS" = 0 ]
  exit $?
}
