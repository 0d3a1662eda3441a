#!/usr/bin/env bash
# pg_driver_test.sh STATEFILE PROGRAM [WRAPPER...]: runs pg_driver_test.c's
# PROGRAM (optionally under WRAPPER, e.g. valgrind) against a fresh database.
set -u
. "$(dirname "$0")/pg_lib.sh"
state=$1; shift
prog=$1; shift
pg_begin "$state" driver
"$@" "$prog" "$URL" "$KW"
rc=$?
expect_rc "pg_driver_test" "$rc" 0
pg_end
