#!/usr/bin/env bash
# run_synthetic.sh: a generated history (bench/gen_history.py: every kind of
# statement, at random, with a fixed seed) through codegen_apply on one
# dialect: every up, up->down->up per migration, every down, the live schema
# compared with the catalog each time.
#
#   run_synthetic.sh CODEGEN_APPLY GEN_HISTORY_PY N SEED WORK_DIR sqlite|postgres [PG_STATE]
set -euo pipefail
apply=$1 gen=$2 n=$3 seed=$4 work=$5 dialect=$6
rm -rf "$work/synthetic-$dialect"
mkdir -p "$work"
python3 "$gen" "$n" "$work/synthetic-$dialect" --seed "$seed" >/dev/null
if [ "$dialect" = sqlite ]; then
  exec "$apply" sqlite "$work/synthetic-$dialect" "$work/synthetic.db"
fi
exec "$apply" postgres "$work/synthetic-$dialect" "$7"
