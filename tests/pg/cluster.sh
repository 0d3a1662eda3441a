#!/usr/bin/env bash
# cluster.sh: a throwaway PostgreSQL cluster for the test suite.
#
#   cluster.sh start STATEFILE   initdb + pg_ctl start in a new temp dir; writes
#                                STATEFILE with PGDATA, PGHOST (a socket dir),
#                                PGPORT (a free TCP port on 127.0.0.1) and URL
#   cluster.sh stop STATEFILE    pg_ctl stop -m immediate and remove the temp dir
#
# PostgreSQL refuses to run as root: as root the server runs as `postgres`.
# Tests connect as the `postgres` superuser with trust authentication; each
# test creates its own database so tests can run in parallel.
set -euo pipefail

find_bin() {
  local b
  for b in "$(command -v pg_ctl 2>/dev/null || true)" /usr/lib/postgresql/*/bin/pg_ctl; do
    [ -x "$b" ] && { dirname "$(readlink -f "$b")"; return; }
  done
  echo "cluster.sh: PostgreSQL server binaries (initdb, pg_ctl) not found" >&2
  exit 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 - <<'PY' 2>/dev/null || echo $(( 20000 + RANDOM % 20000 ))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

cmd=${1:?usage: cluster.sh start|stop STATEFILE}
state=${2:?usage: cluster.sh start|stop STATEFILE}
bin=$(find_bin)

case "$cmd" in
start)
  if [ -f "$state" ]; then "$0" stop "$state" || true; fi
  dir=$(mktemp -d /tmp/migc-pg.XXXXXX)
  chmod 755 "$dir"
  mkdir "$dir/data" "$dir/sock"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir/data" "$dir/sock"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  port=$(free_port)
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
shared_buffers = 64MB
CONF
  [ "$(id -u)" = 0 ] && touch "$dir/server.log" && chown postgres: "$dir/server.log"
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  {
    echo "PGDATA=$dir/data"
    echo "PGHOST=$dir/sock"
    echo "PGPORT=$port"
    echo "PGUSER=postgres"
    echo "PGBIN=$bin"
    echo "TMPDIR_PG=$dir"
    echo "URL=postgresql://postgres@127.0.0.1:$port/postgres"
  } >"$state"
  ;;
stop)
  [ -f "$state" ] || exit 0
  # shellcheck disable=SC1090
  . "$state"
  as_owner "$bin/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$TMPDIR_PG"
  rm -f "$state"
  ;;
*)
  echo "usage: cluster.sh start|stop STATEFILE" >&2
  exit 2
  ;;
esac
