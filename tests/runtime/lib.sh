# lib.sh: helpers for the runtime shell tests (sourced).
#   RT_BIN  directory of the test binaries (rt_basic, rt_sqlq, ...)
#   RT_TMP  scratch root; each test works in its own fresh directory below it
#   RT_RUN  optional command prefix for the binaries under test (valgrind ...)
set -u
: "${RT_BIN:?RT_BIN must name the test binary directory}"
: "${RT_TMP:?RT_TMP must name a scratch directory}"
mkdir -p "$RT_TMP"
T=$(mktemp -d "$RT_TMP/$(basename "$0" .sh).XXXXXX")
cd "$T" || exit 1
export NO_COLOR=1
unset DATABASE_URL

fail() { echo "FAIL: $*" >&2; exit 1; }

# run WANT_RC CMD...: runs CMD (under $RT_RUN) with stdout in $T/out, stderr
# in $T/err and fails the test unless it exits WANT_RC.
run() {
  local want=$1; shift
  ${RT_RUN:-} "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  if [ "$rc" != "$want" ]; then
    echo "--- command: $*" >&2; echo "--- stdout:" >&2; cat "$T/out" >&2
    echo "--- stderr:" >&2; cat "$T/err" >&2
    fail "exit $rc, expected $want"
  fi
}
# Fixed-string checks on the last run's output.
err_has() { grep -qF -- "$1" "$T/err" || { cat "$T/err" >&2; fail "stderr lacks: $1"; }; }
out_has() { grep -qF -- "$1" "$T/out" || { cat "$T/out" >&2; fail "stdout lacks: $1"; }; }
out_lacks() { ! grep -qF -- "$1" "$T/out" || { cat "$T/out" >&2; fail "stdout has: $1"; }; }

# q DB SQL: query a SQLite file.
q() { "$RT_BIN/rt_sqlq" "$1" "$2" || fail "query failed: $2"; }
# eq ACTUAL EXPECTED WHAT
eq() { [ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"; }

# dump DB: schema and data (history without times), for comparisons.
dump() {
  q "$1" "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY type, name"
  local t
  for t in $(q "$1" "SELECT name FROM sqlite_schema WHERE type = 'table' AND name <> 'migc_schema_history' ORDER BY name"); do
    echo "== $t"
    q "$1" "SELECT * FROM \"$t\" ORDER BY rowid"
  done
  if [ -n "$(q "$1" "SELECT name FROM sqlite_schema WHERE name = 'migc_schema_history'")" ]; then
    echo "== history"
    q "$1" "SELECT version, description, checksum, state, progress FROM migc_schema_history ORDER BY version"
  fi
}

# seed DB N: N users (and a post for every 10th) through plain SQL.
seed() {
  q "$1" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2)
          INSERT INTO users (email) SELECT 'user' || i || '@example.com' FROM n;
          INSERT INTO posts (user_id, body) SELECT id, 'post of ' || id FROM users WHERE id % 10 = 0;"
}
