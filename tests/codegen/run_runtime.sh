#!/usr/bin/env bash
# run_runtime.sh: a plan from `migc build`, linked with the runtime, applied
# to a real database: up, verify, status --check, down to 0, up, verify.
#
#   run_runtime.sh BINARY sqlite DB_FILE
#   run_runtime.sh BINARY postgres PG_STATE_FILE   (a database of its own)
set -euo pipefail
bin=$1 dialect=$2 where=$3
if [ "$dialect" = sqlite ]; then
  rm -f "$where" "$where-migc.lock"
  url="sqlite:$where"
else
  # shellcheck disable=SC1090
  . "$where"
  db="migc_rt_$$"
  psql "$URL" -qXc "CREATE DATABASE $db"
  trap 'psql "$URL" -qXc "DROP DATABASE IF EXISTS $db"' EXIT
  url="${URL%/*}/$db"
fi
run() { echo "+ $*"; "$bin" --database "$url" "$@"; }
run up
run verify
run status --check
run down --to 0 --allow-data-loss
run up
run verify
