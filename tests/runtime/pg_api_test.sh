#!/usr/bin/env bash
# pg_api_test.sh STATEFILE PROGRAM [WRAPPER...]: runs pg_api_test.c's PROGRAM
# (optionally under WRAPPER, e.g. valgrind) against a fresh database; library
# code must print nothing.
set -u
. "$(dirname "$0")/pg_lib.sh"
state=$1; shift
prog=$1; shift
pg_begin "$state" api
"$@" "$prog" "$URL" "$KW" 2>"$WORK/stderr"
rc=$?
expect_rc "pg_api_test" "$rc" 0
expect_eq "library code printed nothing on stderr" "$(grep -v '^==' "$WORK/stderr")" ""
pg_end
