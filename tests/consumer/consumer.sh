#!/usr/bin/env bash
# consumer.sh: builds examples/notes the way a migc user would and runs it.
#
#   consumer.sh install          cmake --install the migc build into a staging
#                                prefix, then move it (the package must be
#                                relocatable) to $PREFIX
#   consumer.sh find_package     configure + build the example against
#                                $PREFIX, run it on SQLite and PostgreSQL
#   consumer.sh add_subdirectory the same, with migc built inside the example
#   consumer.sh fetchcontent     the same, with migc from FetchContent (URL of
#                                an archive of the tracked sources)
#   consumer.sh rebuild          what a .mig change rebuilds; a new file is
#                                noticed; a broken one fails with migc's diagnostic
#   consumer.sh static           the STATIC notes-migrate in an empty root:
#                                SQLite, and PostgreSQL by host name with TLS
#   consumer.sh sqlite_only      a SQLite-only consumer never links libpq (also
#                                STATIC); bad add_migrations() arguments fail
#
# Environment: MIGC_SRC (source tree), MIGC_BIN (its build tree), WORK (a
# scratch directory of this test), PREFIX (where `install` puts migc and the
# others find it), GENERATOR (CMake generator), PG_STATE
# (tests/pg/cluster.sh state file; find_package/add_subdirectory only).
# Prints what it checks; exits non-zero at the first failed check.
set -euo pipefail

: "${MIGC_SRC:?}" "${MIGC_BIN:?}" "${WORK:?}" "${GENERATOR:?}" "${PREFIX:?}"
prefix=$PREFIX
example=$MIGC_SRC/examples/notes
export NO_COLOR=1

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

# expect RC CMD...: runs CMD, prints its output, fails unless it exits RC.
# The output is kept in $out.
expect() {
  local want=$1 rc=0
  shift
  out=$("$@" 2>&1) || rc=$?
  printf '%s\n' "$out" | sed 's/^/    /'
  [ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want"
}

# contains TEXT: the last expect's output contains TEXT (fixed string).
# Whitespace runs compare as one space: CMake wraps long messages (where
# depends on the length of the build path).
flat() { printf '%s' "$1" | tr -s '[:space:]' ' '; }
contains() { grep -qF -- "$(flat "$1")" <<<"$(flat "$out")" || fail "output lacks '$1'"; }
lacks() { if grep -qF -- "$(flat "$1")" <<<"$(flat "$out")"; then fail "output has '$1'"; fi; }

configure() { # configure BUILD SRC ARGS...
  local build=$1 src=$2 flags=()
  shift 2
  if [ "${SANITIZE:-0}" = 1 ]; then
    # The installed libraries need the sanitizer runtimes at link time; with
    # add_subdirectory, migc itself is built as the outer build was.
    flags=(-DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" -DMIGC_SANITIZE=ON --no-warn-unused-cli)
  fi
  expect 0 cmake -S "$src" -B "$build" -G "$GENERATOR" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${flags[@]}" "$@"
}

build() { # build BUILD: fails on a failed build
  expect 0 cmake --build "$1" -j2
}

# psql on the cluster of $PG_STATE, via its Unix socket.
pg() {
  # shellcheck disable=SC1090
  (. "$PG_STATE" && "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U postgres "$@")
}

# scenario BUILD URL SQLCMD...: the example's life on one database. SQLCMD
# runs SQL given as its last argument on that database (for the "newer
# database" refusal).
scenario() {
  local b=$1 url=$2
  shift 2
  local m=("$b/notes-migrate" --database "$url") n=("$b/notes" --database "$url")
  step "scenario on ${url%%:*}"
  expect 0 "${m[@]}" up
  expect 0 "${m[@]}" status --check
  expect 0 "${m[@]}" verify
  expect 0 "${n[@]}" add buy milk
  contains "added note 1"
  expect 0 "${n[@]}" add "call the plumber"
  expect 0 "${n[@]}" tag 2 home
  expect 0 "${n[@]}" done 1
  expect 0 "${n[@]}" list
  contains "[ ] 2  call the plumber"
  contains "[x] 1  buy milk"
  expect 0 "${n[@]}" list home
  contains "call the plumber"
  lacks "buy milk"
  # Revert two migrations (they drop tags and titles: data loss), then the
  # application migrates again at start-up.
  expect 1 "${m[@]}" down --to 2
  expect 0 "${m[@]}" down --to 2 --allow-data-loss
  expect 1 "${m[@]}" status --check
  expect 0 "${n[@]}" list
  contains "migrated the database to version 4"
  contains "[ ] 2  call the plumber"
  expect 0 "${m[@]}" status --check
  # A database that a newer release migrated: the application refuses it.
  "$@" "INSERT INTO migc_schema_history (version, description, checksum, applied_at, execution_ms, state, migc_version)
        VALUES (99, 'from a newer release', 'v1:0000000000000000000000000000000000000000000000000000000000000000',
                '2030-01-01 00:00:00', 0, 'applied', '9.9.9')"
  expect 1 "${n[@]}" list
  contains "newer than this build of notes knows"
}

sqlite_sql() { sqlite3 "$db" "$1"; }
pg_sql() { pg -d "$pgdb" -c "$1"; }

# run_both BUILD NAME: the scenario on a fresh SQLite file and a fresh
# PostgreSQL database.
run_both() {
  local b=$1 name=$2
  db=$WORK/$name.db
  rm -f "$db" "$db-migc.lock"
  scenario "$b" "sqlite:$db" sqlite_sql
  [ -n "${PG_STATE:-}" ] || fail "PG_STATE is not set"
  pgdb=consumer_$name
  pg -d postgres -c "DROP DATABASE IF EXISTS $pgdb" -c "CREATE DATABASE $pgdb"
  # shellcheck disable=SC1090
  local url=$(. "$PG_STATE" && echo "${URL%/*}/$pgdb")
  scenario "$b" "$url" pg_sql
  pg -d postgres -c "DROP DATABASE $pgdb"
}

case "${1:-}" in
install)
  rm -rf "$WORK/stage" "$prefix"
  mkdir -p "$WORK"
  expect 0 cmake --install "$MIGC_BIN" --prefix "$WORK/stage"
  mv "$WORK/stage" "$prefix"
  for f in bin/migc include/migc/migc.h include/migc/plan.h; do
    [ -e "$prefix/$f" ] || fail "the install lacks $f"
  done
  cfg=$(find "$prefix" -name migcConfig.cmake)
  [ -n "$cfg" ] || fail "the install lacks migcConfig.cmake"
  if grep -rqF -- "$WORK/stage" "$(dirname "$cfg")"; then
    fail "the installed package names its install prefix: not relocatable"
  fi
  ;;

find_package)
  b=$WORK/build
  rm -rf "$b"
  step "configure against the installed package"
  configure "$b" "$example" -DCMAKE_PREFIX_PATH="$prefix"
  build "$b"
  contains "[MIGC][notes_migrations]"
  for d in postgres sqlite; do
    grep -qi "create table" "$b/sql/$d/up.sql" || fail "SQL_DIR's $d/up.sql creates no table"
    grep -qi "drop table" "$b/sql/$d/down.sql" || fail "SQL_DIR's $d/down.sql drops no table"
  done
  run_both "$b" find_package
  ;;

add_subdirectory)
  b=$WORK/build
  rm -rf "$b"
  step "configure with migc as a subdirectory"
  configure "$b" "$example" -DMIGC_SOURCE_DIR="$MIGC_SRC"
  build "$b"
  run_both "$b" add_subdirectory
  ;;

fetchcontent)
  # migc as a FetchContent user gets it: a release-like archive of the
  # tracked sources (the working tree's versions of them), declared by URL,
  # with examples/notes next to it in an outer project.
  b=$WORK/build
  src=$WORK/src
  rm -rf "$b" "$src" "$WORK/migc"
  mkdir -p "$src" "$WORK/migc"
  if git -C "$MIGC_SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$MIGC_SRC" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$WORK/migc"
  else
    (cd "$MIGC_SRC" && tar --exclude='./build*' --exclude='./.git' -cf - .) | tar -xf - -C "$WORK/migc"
  fi
  tar -czf "$WORK/migc.tar.gz" -C "$WORK" migc
  cp -R "$example" "$src/notes"
  cat >"$src/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(fetch_notes LANGUAGES C)
include(FetchContent)
FetchContent_Declare(migc URL "file://$WORK/migc.tar.gz")
FetchContent_MakeAvailable(migc)
add_subdirectory(notes)
CMAKE
  step "configure with migc from FetchContent"
  configure "$b" "$src"
  build "$b"
  contains "[MIGC][notes_migrations]"
  [ -x "$b/notes/notes-migrate" ] || fail "no notes-migrate"
  expect 0 ctest --test-dir "$b" -N
  contains "Total Tests: 0"   # migc's own tests stay out of a consumer's build
  run_both "$b/notes" fetchcontent
  ;;

rebuild)
  src=$WORK/src
  b=$WORK/build
  rm -rf "$src" "$b"
  mkdir -p "$WORK"
  cp -R "$example" "$src"
  configure "$b" "$src" -DCMAKE_PREFIX_PATH="$prefix"
  build "$b"
  step "nothing changed: nothing runs"
  build "$b"
  lacks "[MIGC]"
  lacks "Building C object"
  step "a touched migration re-runs migc; the unchanged outputs rebuild nothing"
  sleep 1
  touch "$src/migrations/0002_add_done.mig"
  build "$b"
  contains "[MIGC][notes_migrations]"
  lacks "Building C object"
  lacks "Linking"
  step "a new migration is noticed without re-running cmake by hand"
  cat >"$src/migrations/0005_add_due_dates.mig" <<'MIG'
add_column notes.due date
create_index notes_due_idx on notes (due) where due is not null
MIG
  build "$b"
  contains "[MIGC][notes_migrations]"
  contains "notes_migrations.c.o"
  contains "notes.c.o"     # notes.c includes notes_migrations.h, whose head version changed
  expect 0 "$b/notes-migrate" --database "sqlite:$WORK/rebuild.db" up
  expect 0 "$b/notes-migrate" --database "sqlite:$WORK/rebuild.db" status --check
  expect 0 sqlite3 "$WORK/rebuild.db" "SELECT max(version) FROM migc_schema_history"
  contains "5"
  step "a removed migration is noticed too"
  rm "$src/migrations/0005_add_due_dates.mig"
  build "$b"
  contains "[MIGC][notes_migrations]"
  contains "notes_migrations.c.o"
  expect 1 "$b/notes-migrate" --database "sqlite:$WORK/rebuild.db" status --check
  step "a broken migration fails the build with migc's diagnostic"
  printf 'add_column no_such_table.x int\n' >"$src/migrations/0005_broken.mig"
  expect_fail_build() {
    local rc=0
    out=$(cmake --build "$b" -j2 2>&1) || rc=$?
    printf '%s\n' "$out" | sed 's/^/    /'
    [ "$rc" != 0 ] || fail "the build passed with a broken migration"
  }
  expect_fail_build
  contains "0005_broken.mig:1:"
  contains "error:"
  step "data loss without 'allow data_loss' is an error (--strict by default)"
  printf 'drop_table note_tags\n' >"$src/migrations/0005_broken.mig"
  expect_fail_build
  contains "0005_broken.mig:1:"
  printf 'drop_table note_tags allow data_loss\n' >"$src/migrations/0005_broken.mig"
  build "$b"
  contains "[MIGC][notes_migrations]"
  rm "$src/migrations/0005_broken.mig"
  build "$b"
  ;;

static)
  b=$WORK/build
  rm -rf "$b"
  configure "$b" "$example" -DCMAKE_PREFIX_PATH="$prefix" -DNOTES_STATIC=ON
  expect 0 cmake --build "$b" -j2 --target notes-migrate
  expect 0 file "$b/notes-migrate"
  contains "statically linked"
  lacks "dynamically linked"
  # The empty root: the binary, /etc/hosts and a writable data directory;
  # the same files as the FROM scratch image in examples/notes/Dockerfile.
  root=$WORK/root
  rm -rf "$root"
  mkdir -p "$root/etc" "$root/data"
  cp "$b/notes-migrate" "$root/notes-migrate"
  printf '127.0.0.1\tlocalhost\n127.0.0.1\tdbhost\n' >"$root/etc/hosts"
  chroot_bin=$(PATH=$PATH:/usr/sbin:/sbin command -v chroot) || fail "chroot not found"
  if [ "$(id -u)" = 0 ]; then
    inroot=("$chroot_bin" "$root")
  else
    inroot=("$(command -v unshare)" -r "$chroot_bin" "$root")
  fi
  run() { env -i "${inroot[@]}" /notes-migrate "$@"; }
  step "SQLite in the empty root"
  expect 0 run --database sqlite:/data/notes.db up
  expect 0 run --database sqlite:/data/notes.db status --check
  [ -s "$root/data/notes.db" ] || fail "no database file in the root's data directory"
  step "PostgreSQL by host name, TLS required by the server"
  ssl_state=$WORK/ssl-pg.state
  trap '"$MIGC_SRC/tests/consumer/ssl_cluster.sh" stop "$ssl_state"' EXIT
  "$MIGC_SRC/tests/consumer/ssl_cluster.sh" start "$ssl_state"
  PG_STATE=$ssl_state pg -d postgres -c "CREATE DATABASE notes"
  port=$(. "$ssl_state" && echo "$PGPORT")
  url="postgresql://postgres@dbhost:$port/notes"
  expect 0 run --database "$url?sslmode=require" up
  expect 0 run --database "$url?sslmode=require" status --check
  # The server rejects unencrypted connections: the runs above used TLS.
  expect 3 run --database "$url?sslmode=disable" status
  contains "no encryption"
  step "a package installed without a static libpq: the consumer's build makes one"
  # Seeded with the migc build's copy (the script's stamp makes it a no-op),
  # so this checks the wiring, not the 30-second build again.
  bare=$WORK/prefix-without-libpq
  b2=$WORK/build-own-libpq
  rm -rf "$bare" "$b2"
  cp -R "$prefix" "$bare"
  rm -rf "$bare"/lib*/migc/static
  mkdir -p "$b2"
  cp -R "$MIGC_BIN/cmake/static-libpq" "$b2/migc-static-libpq"
  configure "$b2" "$example" -DCMAKE_PREFIX_PATH="$bare" -DNOTES_STATIC=ON
  expect 0 cmake --build "$b2" -j2 --target notes-migrate
  grep -rqF --include=link.txt --include=build.ninja "migc-static-libpq/prefix/lib/libpq.a" "$b2" \
    || fail "notes-migrate was not linked with the build tree's own static libpq"
  expect 0 file "$b2/notes-migrate"
  contains "statically linked"
  cp "$b2/notes-migrate" "$root/notes-migrate"
  expect 0 run --database "$url?sslmode=require" status --check
  ;;

sqlite_only)
  # A consumer of its own: SQLite only, a dynamic and a static binary.
  src=$WORK/src
  b=$WORK/build
  rm -rf "$src" "$b"
  mkdir -p "$src"
  cp -R "$example/migrations" "$src/migrations"
  cat >"$src/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(lite C)
find_package(migc CONFIG REQUIRED COMPONENTS sqlite)
add_migrations(lite_migrations DIALECTS sqlite EXECUTABLE lite-migrate)
if(NOT LITE_NO_STATIC)
  add_migrations(lite_static_migrations DIALECTS sqlite EXECUTABLE lite-migrate-static STATIC)
endif()
add_executable(lite main.c)
target_link_libraries(lite PRIVATE lite_migrations)
CMAKE
  cat >"$src/main.c" <<'C'
#include <stdio.h>
#include "lite_migrations.h"
int main(void)
{
    printf("%d %lld\n", lite_migrations.nmigrations, (long long)LITE_MIGRATIONS_HEAD_VERSION);
    return 0;
}
C
  # A sanitizer build of migc cannot be linked fully statically.
  no_static=OFF
  [ "${SANITIZE:-0}" = 1 ] && no_static=ON
  configure "$b" "$src" -DCMAKE_PREFIX_PATH="$prefix" -DLITE_NO_STATIC=$no_static
  build "$b"
  lacks "libpq"
  expect 0 "$b/lite"
  contains "4 4"
  step "a SQLite-only binary does not link libpq"
  expect 0 readelf -d "$b/lite-migrate"
  lacks "libpq"
  expect 2 "$b/lite-migrate" --database postgresql://nobody@localhost/none status
  if [ "$no_static" = OFF ]; then
    expect 0 file "$b/lite-migrate-static"
    contains "statically linked"
    expect 0 nm "$b/lite-migrate-static"
    lacks " PQconnectdb"
    contains " sqlite3_open_v2"
    expect 0 "$b/lite-migrate-static" --database "sqlite:$WORK/lite.db" up
  fi
  step "bad arguments are configure errors that say what to do"
  bad() { # bad 'ARGS' EXPECTED-TEXT
    rm -rf "$WORK/bad" "$WORK/bad-build"
    mkdir -p "$WORK/bad"
    cp -R "$example/migrations" "$WORK/bad/migrations"
    printf 'cmake_minimum_required(VERSION 3.25)\nproject(bad C)\nfind_package(migc CONFIG REQUIRED)\nadd_migrations(%s)\n' "$1" \
      >"$WORK/bad/CMakeLists.txt"
    expect 1 cmake -S "$WORK/bad" -B "$WORK/bad-build" -G "$GENERATOR" -DCMAKE_PREFIX_PATH="$prefix"
    contains "$2"
  }
  bad 'm DIALECTS oracle' "unknown dialect 'oracle'"
  bad 'm STATIC' "STATIC makes the EXECUTABLE static"
  bad 'm DIRECTORY nowhere' "is not a directory"
  bad 'my-migrations' "is not a C identifier"
  bad 'm FROBNICATE' "unknown arguments: FROBNICATE"
  ;;

*)
  echo "usage: consumer.sh install|find_package|add_subdirectory|rebuild|static|sqlite_only" >&2
  exit 2
  ;;
esac
echo "ok: consumer.sh $1"
