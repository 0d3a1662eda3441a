#!/usr/bin/env bash
# sqlite_tamper.sh: the refusals before any change (DESIGN §5): a changed
# applied migration, a version the binary does not know, an out-of-order
# pending version. Each is refused naming the migration and the way out,
# and the database is left exactly as it was.
. "$(dirname "$0")/lib.sh"
B=$RT_BIN/rt_basic

# changed checksum: migration 2 was applied by a binary where it differed
DB=changed.db; U="--database sqlite:$DB"
run 0 "$RT_BIN/rt_basic_changed" $U up --to 4
seed $DB 100
before=$(dump $DB)
run 1 "$B" $U up
err_has "migration 2 (create posts) was changed after it was applied"
err_has "run 'repair --accept-checksum 2' if the change is harmless"; err_has "nothing was changed"
eq "$(dump $DB)" "$before" "a refused up changed the database"
run 1 "$B" $U down --allow-data-loss; err_has "migration 2 (create posts) was changed"
run 1 "$B" $U up --dry-run;           err_has "migration 2 (create posts) was changed"
eq "$(dump $DB)" "$before" "a refused down changed the database"
run 0 "$B" $U status;                 out_has "changed"; out_has "1 changed"
run 1 "$B" $U status --check
run 0 "$B" $U status --json;          out_has '"changed":1'
run 1 "$B" $U verify;                 out_has "checksum: migration 2 (create posts) was changed after it was applied"
run 0 "$B" $U repair --accept-checksum 2
out_has "migration 2 (create posts): checksum realigned from v1:f"
run 1 "$B" $U repair --accept-checksum 7; err_has "migration 7 is not recorded"
run 0 "$B" $U verify
run 0 "$B" $U up
run 0 "$B" $U verify

# unknown version: the database is ahead of this binary
DB=ahead.db; U="--database sqlite:$DB"
run 0 "$B" $U up
before=$(dump $DB)
S=$RT_BIN/rt_basic_short
run 1 "$S" $U up
err_has "migration 8 (seed admin) is recorded in migc_schema_history but this binary does not know it"
err_has "run a binary built from migrations that include it"
run 1 "$S" $U down --allow-data-loss; err_has "migration 8 (seed admin) is recorded"
eq "$(dump $DB)" "$before" "a refusal changed the database"
run 0 "$S" $U status;                 out_has "unknown"
run 1 "$S" $U status --check
run 1 "$S" $U verify;                 out_has "checksum: migration 8 (seed admin) is applied but unknown to this binary"

# out of order: 3 is pending but 4..8 are applied
DB=gap.db; U="--database sqlite:$DB"
run 0 "$RT_BIN/rt_basic_gap" $U up
seed $DB 50
before=$(dump $DB)
run 1 "$B" $U up
err_has "migration 3 (create tags) is pending but older than the applied migration 8"
err_has "rerun with --out-of-order to apply it anyway"
eq "$(dump $DB)" "$before" "a refused out-of-order up changed the database"
run 1 "$B" $U status --check;         out_has "1 pending"
run 0 "$B" $U up --out-of-order;      err_has "applied 3 create tags"
eq "$(q $DB "SELECT count(*) FROM tags")" 0 "tags"
run 0 "$B" $U verify
run 0 "$B" $U status --check

# a history row with a state no migc writes
DB=odd.db; U="--database sqlite:$DB"
run 0 "$B" $U up --to 2
q $DB "UPDATE migc_schema_history SET state = 'half-done' WHERE version = 2"
run 1 "$B" $U up; err_has "migration 2 (create posts) has an unknown state 'half-done'"
echo ok
