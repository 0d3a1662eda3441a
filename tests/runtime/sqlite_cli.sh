#!/usr/bin/env bash
# sqlite_cli.sh: every command, flag, URL form and exit code of a generated
# binary on real SQLite files (the basic plan, tests/runtime/plans/basic.c).
. "$(dirname "$0")/lib.sh"
B=$RT_BIN/rt_basic
S=$RT_BIN/rt_basic_short

# --help, --version, usage errors (exit 2)
run 0 "$B" --help;            out_has "usage: rt_basic [options] <command>"; out_has "--lock-wait"
run 0 "$B" --version;         out_has "8 migrations, head version 8, dialects: sqlite"
run 2 "$B";                   err_has "no command given"
run 2 "$B" status;            err_has "no database given: pass --database URL or set DATABASE_URL"
run 2 "$B" --database sqlite:a.db frobnicate; err_has "unknown command 'frobnicate'"
run 2 "$B" --database sqlite:a.db up --bogus;  err_has "unknown option '--bogus'"
run 2 "$B" --database sqlite:a.db up --to x;   err_has "--to 'x' is not a version"
run 2 "$B" --database sqlite:a.db up --to 0;   err_has "is not a version"
run 2 "$B" --database sqlite:a.db status --dry-run; err_has "--dry-run is not an option of 'status'"
run 2 "$B" --database sqlite:a.db down --steps 1 --to 1; err_has "give --steps or --to, not both"
run 2 "$B" --database sqlite:a.db --lock-wait 5x up; err_has "--lock-wait '5x' is not a duration"
run 2 "$B" --database sqlite:a.db --lock-timeout up; err_has "is not a duration"
run 2 "$B" --database sqlite:a.db baseline;    err_has "baseline needs a version"
run 2 "$B" --database mysql://u:secret@h/db status; err_has "unrecognised database url"
grep -q secret "$T/err" && fail "a password was printed"
run 2 "$B" --database sqlite:a.db --schema app status; err_has "--schema is for PostgreSQL"
run 2 "$RT_BIN/rt_nodialect" --database sqlite:a.db status
err_has "this binary was built without sqlite support (its dialects: none)"
[ -e a.db ] && fail "a usage error created the database file"

# only up and baseline create a SQLite file
run 0 "$B" --database sqlite:missing.db up --dry-run
err_has "'missing.db' does not exist yet; the dry run starts from an empty database"
out_has "CREATE TABLE users"
for cmd in status verify "down" repair "down --dry-run"; do
  run 3 "$B" --database sqlite:missing.db $cmd
  err_has "sqlite database 'missing.db' does not exist (only 'up' and 'baseline' create it)"
done
[ -e missing.db ] && fail "a read-only command created the database file"
# the same through a file: URI (authority, query and %XX escapes as SQLite reads them)
run 0 "$B" --database "file:missing.db?mode=rwc" up --dry-run
err_has "'missing.db' does not exist yet; the dry run starts from an empty database"
out_has "CREATE TABLE users"
run 0 "$B" --database "file://localhost$T/miss%69ng.db" up --dry-run
err_has "'$T/missing.db' does not exist yet"
run 3 "$B" --database "file:missing.db" status
err_has "(if it does not exist: only 'up' and 'baseline' create it)"
[ -e missing.db ] && fail "a dry run through a file: URI created the database file"

# URL forms: sqlite:PATH, sqlite://PATH, sqlite:///abs, file: URI, DATABASE_URL
run 0 "$B" --database sqlite:rel1.db up --to 1;     [ -f rel1.db ] || fail "sqlite:PATH"
run 0 "$B" --database sqlite://rel2.db up --to 1;   [ -f rel2.db ] || fail "sqlite://PATH"
run 0 "$B" --database "sqlite://$T/abs.db" up --to 1; [ -f abs.db ] || fail "sqlite:///abs"
run 0 "$B" --database "file:$T/uri.db?mode=rwc" up --to 1; [ -f uri.db ] || fail "file: URI"
run 0 "$B" --database=sqlite:eq.db up --to 1;       [ -f eq.db ] || fail "--database=URL"
DATABASE_URL=sqlite:env.db run 0 "$B" up --to 1;    [ -f env.db ] || fail "DATABASE_URL"
DATABASE_URL=sqlite:env.db run 0 "$B" status;       out_has "database at 1, head 8"

DB=main.db
U="--database sqlite:$DB"
# up --dry-run on an empty database: prints SQL, changes nothing
q $DB "CREATE TABLE keep_me (x)"
run 0 "$B" $U up --dry-run
out_has "CREATE TABLE users"; out_has "BEGIN IMMEDIATE;"; out_has "-- outside a transaction"
out_has "VACUUM;"; out_has "PRAGMA foreign_keys=OFF;"
eq "$(q $DB "SELECT count(*) FROM sqlite_schema WHERE name <> 'keep_me'")" 0 "dry run changed the database"
q $DB "DROP TABLE keep_me"

# up --to, status, --check, --json
run 0 "$B" $U up --to 4;     err_has "applied 4 index and view"
run 0 "$B" $U status;        out_has "database at 4, head 8: 4 pending"
run 1 "$B" $U status --check
run 0 "$B" $U status --json; out_has '"current":4,"head":8,"pending":4'; out_has '"version":5,"description":"bump scores","state":"pending"'
run 0 "$B" $U verify;        out_has "verify: ok"
seed $DB 2500
# the rebuild (6) must keep posts (ON DELETE CASCADE with foreign keys on would empty them),
# the raw view and trigger; the backfill (5) runs exactly once
run 0 "$B" $U up --to 3;     err_has "nothing to apply"
run 0 "$B" $U up
eq "$(q $DB "SELECT count(*) FROM posts")" 250 "posts after the rebuild"
eq "$(q $DB "SELECT min(score), max(score), min(bonus), max(bonus) FROM users WHERE email <> 'admin@example.com'")" "1|1|2|2" "backfill result"
eq "$(q $DB "SELECT score FROM users WHERE email = 'admin@example.com'")" 10 "rebuilt default"
eq "$(q $DB "SELECT type || ':' || name FROM sqlite_schema WHERE type IN ('view', 'trigger') ORDER BY name")" \
   "view:user_emails
trigger:users_touch" "view and trigger after the rebuild"
eq "$(q $DB "SELECT group_concat(version || ':' || state, ' ') FROM migc_schema_history")" \
   "1:applied 2:applied 3:applied 4:applied 5:applied 6:applied 7:applied 8:applied" "history"
eq "$(q $DB "SELECT count(*) FROM migc_schema_history WHERE checksum LIKE 'v1:%' AND applied_at IS NOT NULL AND execution_ms >= 0 AND migc_version IS NOT NULL AND progress IS NULL")" 8 "history columns"
run 0 "$B" $U status --check
run 0 "$B" $U verify
run 0 "$B" $U up;            err_has "nothing to apply: the database is at version 8"

# down: irreversible refused, nothing changed
before=$(dump $DB)
run 1 "$B" $U down;          err_has "migration 8 (seed admin) is irreversible"; err_has "nothing was changed"
run 1 "$B" $U down --to 0 --allow-data-loss; err_has "irreversible"
eq "$(dump $DB)" "$before" "a refused down changed the database"

# down on a plan without the irreversible migration
D2=down.db
V="--database sqlite:$D2"
run 0 "$S" $V up;  seed $D2 300
run 1 "$S" $V down;  err_has "reverting migration 7 (add nick) loses data"; err_has "--allow-data-loss"
run 0 "$S" $V down --dry-run; out_has "ALTER TABLE users DROP COLUMN nick;"
eq "$(q $D2 "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'nick'")" 1 "dry run reverted"
run 0 "$S" $V down --allow-data-loss; err_has "reverted 7 add nick"
eq "$(q $D2 "SELECT max(version) FROM migc_schema_history")" 6 "after down"
run 0 "$S" $V verify
run 0 "$S" $V down --steps 1   # 6 (rebuild back to default 0) loses no data
eq "$(q $D2 "SELECT count(*) FROM posts")" 30 "posts after the down rebuild"
eq "$(q $D2 "SELECT dflt_value FROM pragma_table_info('users') WHERE name = 'score'")" 0 "down rebuild"
run 0 "$S" $V verify
run 1 "$S" $V down --to 3;     err_has "reverting migration 5 (bump scores) loses data"
run 0 "$S" $V down --to 3 --allow-data-loss
eq "$(q $D2 "SELECT group_concat(version) FROM migc_schema_history")" "1,2,3" "down --to 3"
run 0 "$S" $V verify
run 0 "$S" $V down --to 3;     err_has "nothing to revert"
run 0 "$S" $V down --steps 2 --allow-data-loss
eq "$(q $D2 "SELECT group_concat(version) FROM migc_schema_history")" "1" "down --steps 2"
run 0 "$S" $V down --to 0 --allow-data-loss
eq "$(q $D2 "SELECT count(*) FROM migc_schema_history")" 0 "down --to 0"
eq "$(q $D2 "SELECT group_concat(name) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'")" "migc_schema_history" "everything reverted"
run 0 "$S" $V up;  run 0 "$S" $V verify

# baseline: adopt a database migrated by something else (here: another history table)
BL=base.db
run 0 "$B" --database sqlite:$BL --history-table other_history up --to 3
eq "$(q $BL "SELECT count(*) FROM other_history")" 3 "--history-table"
run 0 "$B" --database sqlite:$BL status; out_has "database at 0, head 8: 8 pending"
run 0 "$B" --database sqlite:$BL baseline 3
eq "$(q $BL "SELECT group_concat(version || ':' || state) FROM migc_schema_history")" "1:baseline,2:baseline,3:baseline" "baseline rows"
run 1 "$B" --database sqlite:$BL baseline 3; err_has "already has 3 rows"
run 0 "$B" --database sqlite:$BL status;   out_has "baseline"
run 0 "$B" --database sqlite:$BL up
run 1 "$B" --database sqlite:$BL verify; out_has "drift: table other_history is not in the migrations"
q $BL "DROP TABLE other_history"
run 0 "$B" --database sqlite:$BL verify
run 0 "$B" --database sqlite:new_base.db baseline 2; [ -f new_base.db ] || fail "baseline creates the file"
run 2 "$B" --database sqlite:new_base2.db baseline 0; err_has "is not a version"

# repair with nothing to do
run 0 "$B" $U repair;  out_has "nothing to repair"

# verify names drift
q $DB "CREATE TABLE stray (x); ALTER TABLE posts ADD COLUMN extra TEXT; DROP INDEX users_email_idx; CREATE INDEX posts_x ON posts (body)"
run 1 "$B" $U verify
out_has "drift: table stray is not in the migrations"
out_has "drift: column posts.extra is not in the migrations"
out_has "drift: index users_email_idx on users is missing"
out_has "drift: index posts_x on posts is not in the migrations"
err_has "verify found 4 problems"
# a hand-made rebuild of tags: column type, nullability, default and a constraint drift
q $DB "CREATE TABLE tags2 (id BIGINT PRIMARY KEY, name TEXT NOT NULL DEFAULT '', CONSTRAINT tags_name_key UNIQUE (name));
       DROP TABLE tags; ALTER TABLE tags2 RENAME TO tags"
run 1 "$B" $U verify
out_has "drift: column tags.id has type BIGINT, expected INTEGER"
out_has "drift: column tags.name is not null, expected nullable"
out_has "drift: column tags.name has a default, expected none"
out_has "drift: constraint tags_name_key on tags is not in the migrations"
err_has "verify found 8 problems"
q $DB "DROP TABLE posts"
run 1 "$B" $U verify
out_has "drift: table posts is missing"

# sql: offline, no URL needed
run 0 "$B" sql;            out_has "CREATE TABLE users"; out_has "-- 8 seed admin (up)"
run 0 "$B" sql up --dialect sqlite
run 1 "$B" sql down;       err_has "migration 8 (seed admin) is irreversible"
run 0 "$S" sql down;       out_has "DROP TABLE users;"
run 2 "$B" sql --dialect postgres; err_has "built without postgres"
run 2 "$B" sql sideways;   err_has "sql takes 'up' or 'down'"

# --lock-wait: another process holds <db>-migc.lock
# (flock -o: the lock is flock's own, so killing it releases the lock)
flock -o "$DB-migc.lock" sleep 120 >/dev/null 2>&1 &
holder=$!
sleep 0.5
run 4 "$B" $U --lock-wait 200ms up;  err_has "another migrator is running"
run 4 "$B" $U --lock-wait 0 down --allow-data-loss
kill $holder; wait $holder 2>/dev/null
run 0 "$B" $U --lock-wait 1s repair
for d in 500ms 5s 15m 1h 7; do run 0 "$B" $U --lock-wait $d --lock-timeout $d status; done
echo "ok"
