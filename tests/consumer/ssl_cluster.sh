#!/usr/bin/env bash
# ssl_cluster.sh: a throwaway PostgreSQL cluster that accepts TCP clients
# only over TLS, for the static-binary test (sslmode=require).
#
#   ssl_cluster.sh start STATEFILE   tests/pg/cluster.sh start, then a fresh
#                                    self-signed certificate (CN=dbhost),
#                                    ssl = on, and a pg_hba.conf that trusts
#                                    hostssl on 127.0.0.1 and rejects hostnossl;
#                                    the Unix socket stays trusted for setup
#   ssl_cluster.sh stop STATEFILE    tests/pg/cluster.sh stop
#
# STATEFILE is the one cluster.sh writes (PGDATA, PGHOST, PGPORT, PGBIN, URL).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cluster=$here/../pg/cluster.sh
cmd=${1:?usage: ssl_cluster.sh start|stop STATEFILE}
state=${2:?usage: ssl_cluster.sh start|stop STATEFILE}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  "$cluster" start "$state"
  # shellcheck disable=SC1090
  . "$state"
  openssl req -new -x509 -days 2 -nodes -subj "/CN=dbhost" \
    -keyout "$TMPDIR_PG/server.key" -out "$TMPDIR_PG/server.crt" >/dev/null 2>&1 \
    || { echo "ssl_cluster.sh: openssl could not make a certificate" >&2; "$cluster" stop "$state"; exit 1; }
  chmod 600 "$TMPDIR_PG/server.key"
  [ "$(id -u)" = 0 ] && chown postgres: "$TMPDIR_PG/server.key" "$TMPDIR_PG/server.crt"
  cat >>"$PGDATA/postgresql.conf" <<CONF
ssl = on
ssl_cert_file = '$TMPDIR_PG/server.crt'
ssl_key_file = '$TMPDIR_PG/server.key'
CONF
  cat >"$PGDATA/pg_hba.conf" <<HBA
local     all  all                trust
hostssl   all  all  127.0.0.1/32  trust
hostnossl all  all  127.0.0.1/32  reject
HBA
  as_owner "$PGBIN/pg_ctl" -D "$PGDATA" -l "$TMPDIR_PG/server.log" -w -t 60 restart >/dev/null \
    || { cat "$TMPDIR_PG/server.log" >&2; "$cluster" stop "$state"; exit 1; }
  ;;
stop)
  "$cluster" stop "$state"
  ;;
*)
  echo "usage: ssl_cluster.sh start|stop STATEFILE" >&2
  exit 2
  ;;
esac
