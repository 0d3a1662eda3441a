#!/usr/bin/env bash
# sqlite_odd_states.sh: history rows that no run of this binary wrote, as a
# hand edit or another build leaves them: up and down refuse them with
# exit 1 and change nothing (never exit 0 with the row still partial, never
# read outside the recorded text).
. "$(dirname "$0")/lib.sh"

# A partial state naming more steps than this binary's migration has (an
# older build split migration 5 in three steps; this one has two). Resuming
# "step 3 of 2" would run nothing and report success with the row partial.
B=$RT_BIN/rt_basic; NV=$RT_BIN/rt_basic_novac
DB=s.db; U="--database sqlite:$DB"
run 0 "$B" $U up --to 4
q $DB "ALTER TABLE users ADD COLUMN bonus INTEGER NOT NULL DEFAULT 0;
       INSERT INTO migc_schema_history (version, description, checksum, state)
       VALUES (5, 'bump scores', (SELECT replace(checksum, 'v1:4', 'v1:5') FROM migc_schema_history WHERE version = 4), 'applying:3/3')"
before=$(dump $DB)
run 1 "$NV" $U up
err_has "migration 5 (bump scores) records 'applying:3/3' but this binary's migration has 2 steps"
err_has "nothing was changed"
eq "$(dump $DB)" "$before" "database after the refused up"
run 1 "$NV" $U status --check
out_has "partial"
# the binary that wrote it resumes it
run 0 "$B" $U up --to 5
eq "$(q $DB "SELECT state FROM migc_schema_history WHERE version = 5")" "applied" "after the resume"

# The same for a revert: 'reverting:2/2' of a migration whose down has one step.
q $DB "UPDATE migc_schema_history SET state = 'reverting:2/2' WHERE version = 5"
before=$(dump $DB)
run 1 "$NV" $U down --allow-data-loss
err_has "migration 5 (bump scores) records 'reverting:2/2' but this binary's migration has 1 step"
eq "$(dump $DB)" "$before" "database after the refused down"

# A composite-key backfill whose recorded progress is cut inside a \u
# escape: refused as malformed (no read past the text; under valgrind an
# over-read exits 66).
C=$RT_BIN/rt_composite; DB2=c.db; U2="--database sqlite:$DB2"
run 0 "$C" $U2 up --to 1
q $DB2 "INSERT INTO migc_schema_history (version, description, checksum, state, progress)
        VALUES (2, 'bump v', (SELECT replace(checksum, 'v1:1', 'v1:2') FROM migc_schema_history WHERE version = 1),
                'applying:1/1', '[\"\\u1')"
eq "$(q $DB2 "SELECT progress FROM migc_schema_history WHERE version = 2")" '["\u1' "tampered progress"
before=$(dump $DB2)
run 1 "$C" $U2 up
err_has "the recorded backfill progress"
err_has "is malformed"
eq "$(dump $DB2)" "$before" "database after the refused resume"
# a well-formed composite progress resumes after (2, 1): rows up to it stay as they were
q $DB2 "UPDATE migc_schema_history SET progress = '[\"2\",\"1\"]' WHERE version = 2"
run 0 "$C" $U2 up
eq "$(q $DB2 "SELECT group_concat(v, '') FROM (SELECT v FROM pairs ORDER BY a, b)")" \
   "000000000000111111111111111111" "values after the resumed backfill"
eq "$(q $DB2 "SELECT state || ',' || ifnull(progress, 'null') FROM migc_schema_history WHERE version = 2")" \
   "applied,null" "history after the resume"
echo ok
