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

# run BIN ARGS...: runs a migrator binary (under $PG_RUN, e.g. valgrind, when
# set), output as it comes.
run() {
  local bin=$1; shift
  # shellcheck disable=SC2086
  ${PG_RUN:-} "$bin" "$@"
}

# app ARGS...: pg_app against this test's database; stdout and stderr go to
# $WORK/out and $WORK/err (also echoed, indented); returns its exit code.
app_bin() {
  local bin=$1; shift
  run "$bin" --database "$URL" "$@" >"$WORK/out" 2>"$WORK/err"
  local rc=$?
  sed 's/^/#   out: /' "$WORK/out"; sed 's/^/#   err: /' "$WORK/err"
  return $rc
}
app() { app_bin "$PG_APP" "$@"; }

# The history as "version:state:progress" lines.
hist() {
  q "SELECT string_agg(version || ':' || state || coalesce(':' || progress, ''), ' ' ORDER BY version) FROM migc_schema_history"
}

# Everything a migration run can change, for "no change" and "same result"
# comparisons: the schema without the history table, then every table's rows
# as one md5 digest. Identity columns are left out of the rows: a killed
# transaction burns sequence values (PostgreSQL never hands them back).
snapshot() {
  local db=${1:-$DB} t ids expr
  "$PGBIN/pg_dump" -s -x -O -T migc_schema_history -d "$db" | grep -Ev '^(--|\\restrict|\\unrestrict|$)'
  for t in $(q_db "$db" "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace
                         AND relkind = 'r' AND relname <> 'migc_schema_history' ORDER BY 1"); do
    ids=$(q_db "$db" "SELECT string_agg(quote_literal(attname), ',') FROM pg_attribute
                      WHERE attrelid = 'public.\"$t\"'::regclass AND attidentity <> ''")
    expr="to_jsonb(t)"
    [ -n "$ids" ] && expr="(to_jsonb(t) - ARRAY[$ids]::text[])"
    echo "$t $(q_db "$db" "SELECT count(*) || ' ' || md5(coalesce(string_agg($expr::text, '|' ORDER BY $expr::text), '')) FROM public.\"$t\" t")"
  done
}
history_snapshot() {
  q "SELECT version, description, checksum, state, progress, migc_version FROM migc_schema_history ORDER BY version" 2>&1
}

# wait_for WHAT SQL WANT: polls until SQL prints WANT (gives up after 3000
# polls, at least a minute,
# which fails the test; no timing is asserted).
wait_for() {
  local what=$1 sql=$2 want=$3 i
  for i in $(seq 1 3000); do
    [ "$(q "$sql" 2>/dev/null)" = "$want" ] && return 0
    sleep 0.02
  done
  fail "waiting for $what"
  return 1
}

# wait_file WHAT FILE PATTERN: polls until FILE matches PATTERN (3000 polls).
wait_file() {
  local what=$1 file=$2 pat=$3 i
  for i in $(seq 1 3000); do
    grep -Eq -- "$pat" "$file" 2>/dev/null && return 0
    sleep 0.02
  done
  fail "waiting for $what"
  return 1
}

# A psql session kept open in the background, fed through a fifo:
#   holder_start NAME; holder NAME "SQL;"; holder_stop NAME
holder_start() {
  local name=$1
  mkfifo "$WORK/$name.fifo"
  "$PSQL" -X -q -At -d "$DB" <"$WORK/$name.fifo" >"$WORK/$name.log" 2>&1 &
  eval "HOLDER_PID_$name=\$!"
  exec {fd}>"$WORK/$name.fifo"
  eval "HOLDER_FD_$name=\$fd"
}
holder() {
  local fd
  eval "fd=\$HOLDER_FD_$1"
  printf '%s\n' "$2" >&"$fd"
}
holder_stop() {
  local fd pid
  eval "fd=\$HOLDER_FD_$1; pid=\$HOLDER_PID_$1"
  printf '\\q\n' >&"$fd"
  exec {fd}>&-
  wait "$pid" 2>/dev/null
}

# Advisory locks held in this database (pg_locks covers the whole cluster).
NO_ADVISORY_LOCK="SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"

# Waits until no other session is connected to $DB (killed migrators'
# backends finish their statement first).
wait_quiet() {
  wait_for "the database to be quiet" \
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" 0
}
