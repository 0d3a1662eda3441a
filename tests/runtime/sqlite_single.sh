#!/usr/bin/env bash
# sqlite_single.sh: up --single-transaction (DESIGN §5): refused (exit 2, no
# change) when a pending migration has a non-transactional step; otherwise
# everything pending in one transaction, backfills as one UPDATE, foreign
# keys off for the whole run with foreign_key_check before COMMIT, and a
# SQLite table rebuild inside it.
. "$(dirname "$0")/lib.sh"
N=$RT_BIN/rt_basic_novac

# refused for a plan with a non-transactional step
DB=notx.db; U="--database sqlite:$DB"
run 0 "$RT_BIN/rt_notx" $U up --to 1
before=$(dump $DB)
run 2 "$RT_BIN/rt_notx" $U up --single-transaction
err_has "--single-transaction cannot run migration 2 (vacuum): its step 1/1 must run outside a transaction"
eq "$(dump $DB)" "$before" "a refused --single-transaction changed the database"
run 2 "$RT_BIN/rt_basic" --database sqlite:fresh.db up --single-transaction
err_has "--single-transaction cannot run migration 5 (bump scores): its step 3/3"
[ -e fresh.db ] && fail "a refused run created the database file"
[ -e fresh.db-migc.lock ] && fail "a refused run created the lock file"
run 0 "$RT_BIN/rt_basic" --database sqlite:fresh.db up --single-transaction --to 4
eq "$(q fresh.db "SELECT max(version) FROM migc_schema_history")" 4 "--to 4 in one transaction"
# without it the non-transactional step runs on its own
run 0 "$RT_BIN/rt_notx" $U up
run 0 "$RT_BIN/rt_notx" $U verify

# dry run: one BEGIN, one COMMIT, the backfill as one UPDATE
DB=single.db; U="--database sqlite:$DB"
run 0 "$N" $U up --to 4
seed $DB 3000
run 0 "$N" $U up --single-transaction --dry-run
eq "$(grep -c '^BEGIN' "$T/out")" 1 "BEGINs in the dry run"
eq "$(grep -c '^COMMIT' "$T/out")" 1 "COMMITs in the dry run"
out_has "UPDATE users SET score = score + 1, bonus = bonus + 2;"
out_has "PRAGMA foreign_keys=OFF;"; out_has "PRAGMA foreign_key_check;"

# a failing migration late in the run: nothing of the run is applied
before=$(dump $DB)
q $DB "CREATE TABLE trap (x); CREATE TRIGGER trap_seed AFTER INSERT ON users BEGIN SELECT RAISE(ABORT, 'no admin here'); END"
before=$(dump $DB)
run 1 "$N" $U up --single-transaction
err_has "migration 8 (seed admin) failed"; err_has "no admin here"
eq "$(dump $DB)" "$before" "a failed single transaction left changes"
q $DB "DROP TABLE trap; DROP TRIGGER trap_seed"

# an orphan row: foreign_key_check before COMMIT refuses the whole run
q $DB "INSERT INTO posts (user_id, body) VALUES (999999, 'orphan')"
before=$(dump $DB)
run 1 "$N" $U up --single-transaction
err_has "foreign key violation"
eq "$(dump $DB)" "$before" "a run with a foreign key violation left changes"
q $DB "DELETE FROM posts WHERE user_id = 999999"

# the real run: backfill (whole), rebuild (6) with posts kept, all in one transaction
run 0 "$N" $U up --single-transaction
err_has "applied 4 migrations in one transaction; the database is at 8"
eq "$(q $DB "SELECT count(*) FROM posts")" 300 "posts kept through the rebuild"
eq "$(q $DB "SELECT min(score), max(score), min(bonus), max(bonus) FROM users WHERE email <> 'admin@example.com'")" "1|1|2|2" "backfill once"
eq "$(q $DB "SELECT dflt_value FROM pragma_table_info('users') WHERE name = 'score'")" 10 "rebuilt"
eq "$(q $DB "SELECT count(*) FROM sqlite_schema WHERE name IN ('user_emails', 'users_touch')")" 2 "view and trigger kept"
eq "$(q $DB "SELECT group_concat(state) FROM migc_schema_history")" "applied,applied,applied,applied,applied,applied,applied,applied" "history"
eq "$(q $DB "PRAGMA foreign_key_check")" "" "foreign keys"
run 0 "$N" $U verify
run 0 "$N" $U up --single-transaction; err_has "nothing to apply"
echo ok
