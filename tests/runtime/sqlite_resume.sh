#!/usr/bin/env bash
# sqlite_resume.sh: partial states as a failed or killed run leaves them
# (written here by hand): 'applying:K/N' is resumed by up and blocks down;
# 'reverting:K/N' is finished by down and blocks up; repair clears a partial
# state whose first step never completed and reports the others.
. "$(dirname "$0")/lib.sh"
X=$RT_BIN/rt_notx
DB=r.db; U="--database sqlite:$DB"

# applying:1/1 of 2 (the VACUUM step was recorded, then the run died)
run 0 "$X" $U up --to 1
q $DB "INSERT INTO migc_schema_history (version, description, checksum, state) VALUES (2, 'vacuum', 'v1:2', 'applying:1/1')"
run 0 "$X" $U status;          out_has "partial   applying:1/1"
run 1 "$X" $U status --check
run 0 "$X" $U verify;          out_has "note: migration 2 (vacuum) is partly done (applying:1/1)"
run 1 "$X" $U down;            err_has "migration 2 (vacuum) is partly applied (applying:1/1): run 'up' to finish it"
run 2 "$X" $U up --single-transaction; err_has "cannot resume migration 2 (vacuum), which is partly applied"
run 0 "$X" $U up;              err_has "resuming migration 2 (vacuum) at applying:1/1"; err_has "applied 3 create u"
eq "$(q $DB "SELECT group_concat(version || ':' || state) FROM migc_schema_history")" "1:applied,2:applied,3:applied" "after the resume"

# reverting:2/2 of 3: its first down step (DROP TABLE u) is done
q $DB "DROP TABLE u; UPDATE migc_schema_history SET state = 'reverting:2/2' WHERE version = 3"
run 0 "$X" $U verify
run 1 "$X" $U up;              err_has "migration 3 (create u) is partly reverted (reverting:2/2): run 'down' to finish"
run 0 "$X" $U repair;          out_has "is partly reverted (reverting:2/2): steps before 2 are done; run 'down'"
run 0 "$X" $U down;            err_has "resuming the revert of 3 (create u) at reverting:2/2"
eq "$(q $DB "SELECT group_concat(version || ':' || state) FROM migc_schema_history")" "1:applied,2:applied" "after the finished down"
run 0 "$X" $U verify

# a real down of 3 records reverting:2/2 before its non-transactional step
run 0 "$X" $U up
run 0 "$X" $U down --dry-run;  out_has "DROP TABLE u;"; out_has "-- outside a transaction"
run 0 "$X" $U down
run 0 "$X" $U verify

# repair: a partial state whose first step never completed is cleared
q $DB "INSERT INTO migc_schema_history (version, description, checksum, state) VALUES (3, 'create u', 'v1:3', 'applying:1/1')"
run 0 "$X" $U repair;          out_has "migration 3 (create u): cleared 'applying:1/1'"; out_has "it is pending again"
eq "$(q $DB "SELECT group_concat(version) FROM migc_schema_history")" "1,2" "after repair"
run 0 "$X" $U up
q $DB "DROP TABLE u; UPDATE migc_schema_history SET state = 'reverting:1/2' WHERE version = 3"
q $DB "CREATE TABLE u (id INTEGER PRIMARY KEY)"
run 0 "$X" $U repair;          out_has "cleared 'reverting:1/2'"; out_has "it is applied again"
run 0 "$X" $U status --check
run 0 "$X" $U repair;          out_has "nothing to repair"
echo ok
