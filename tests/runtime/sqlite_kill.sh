#!/usr/bin/env bash
# sqlite_kill.sh: kill -9 at many points of an `up` (DDL steps, the batched
# backfill of 100,000 rows with a non-idempotent assignment, the VACUUM
# step, the table rebuild): afterwards `verify` passes for what is recorded,
# and the next `up` ends with the same schema and data as an uninterrupted
# run (so every batch was applied exactly once).
#
# kill_up (tests/runtime/kill_up.c) kills itself when the Nth statement
# starts, or at the Nth progress callback (inside statements); then the
# binary is also killed from outside at a few arbitrary moments.
# A kill -9 (unlike a power cut) keeps what was written to the page cache,
# so the files may live in memory: /dev/shm when there is one (fsyncs there
# cost nothing, which makes the ~50 recoveries fast).
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  RT_TMP=$(mktemp -d /dev/shm/migc-rt-kill.XXXXXX)
  trap 'rm -rf "$RT_TMP"' EXIT
fi
. "$(dirname "$0")/lib.sh"
B=$RT_BIN/rt_basic
K=$RT_BIN/rt_kill_up

run 0 "$B" --database sqlite:template.db up --to 4
seed template.db 100000
cp template.db ref.db
run 0 "$B" --database sqlite:ref.db up
dump ref.db >ref.txt
cp template.db count.db
run 0 "$K" count.db count 0
read -r stmts ops <"$T/out"
[ "$stmts" -gt 400 ] || fail "expected hundreds of statements, counted $stmts"
echo "uninterrupted up: $stmts statements, $ops progress calls"

# killed CMD...: runs CMD, expected to die of SIGKILL (the subshell keeps
# bash's "Killed" notice out of the log); fails unless it exited 137.
killed() {
  ("$@"; echo $? >"$T/rc") >/dev/null 2>&1
  [ "$(cat "$T/rc")" = 137 ] || fail "$*: exit $(cat "$T/rc"), expected to be killed (137)"
}

# check_after_kill HOW: verify, rerun up, compare with the reference
check_after_kill() {
  run 0 "$B" --database sqlite:k.db verify
  run 0 "$B" --database sqlite:k.db up
  dump k.db >k.txt
  cmp -s ref.txt k.txt || { diff ref.txt k.txt | head -20 >&2; fail "after $1: final state differs"; }
  run 0 "$B" --database sqlite:k.db verify
}

kills=0
# statement points: dense at the start and the end (DDL, rebuild), spread through the backfill
points="1 2 3 4 5 6 7 8 9 10 11 12 14 17 20 25"
for i in $(seq 1 9); do points="$points $((stmts * i / 10 + i))"; done
for i in 0 1 2 3 4 5 7 9 12; do points="$points $((stmts - i))"; done
for n in $points; do
  [ "$n" -ge 1 ] && [ "$n" -le "$stmts" ] || continue
  cp template.db k.db
  killed "$K" k.db stmt "$n"
  kills=$((kills + 1))
  check_after_kill "statement $n"
done
# inside statements: progress callbacks spread over the run
for i in $(seq 1 6); do
  n=$((ops * i / 7))
  [ "$n" -ge 1 ] || continue
  cp template.db k.db
  killed "$K" k.db ops "$n"
  kills=$((kills + 1))
  check_after_kill "progress call $n"
done
# killed twice in a row, then finished
cp template.db k.db
killed "$K" k.db stmt $((stmts / 3))
killed "$K" k.db stmt $((stmts / 4))
check_after_kill "two kills"
# the real binary, killed from outside at arbitrary moments
for d in 0.05 0.2 0.5; do
  cp template.db k.db
  (timeout -s KILL "$d" "$B" --database sqlite:k.db up; true) >/dev/null 2>&1
  check_after_kill "an outside kill after ${d}s"
done
echo "ok: $kills kills recovered"
