/* api_test.c: the public C API (migc/migc.h) on a real SQLite file, with the
 * hand-written basic plan: open (and its failures), check_head, status, up
 * with --to, down, verify, baseline refusal, the offline SQL writer, and
 * wrapping the application's own sqlite3 *, and --single-transaction over
 * 250 migrations (their history rows are written a hundred to a statement:
 * every row must be there, once, with its own checksum and a time). Library
 * code must print nothing
 * unless given a FILE: the log stays NULL throughout.
 *
 *   api_test DIR     (a scratch directory; exit 0 when every check passes) */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migc/migc.h"
#include "many.h"

extern const struct migc_plan basic;

static int failures;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                              \
        }                                                                            \
    } while (0)

/* One integer from a query on db. */
static long long scalar(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 2 || chdir(argv[1]) != 0) {
        fputs("usage: api_test SCRATCH_DIR\n", stderr);
        return 2;
    }
    unlink("api.db");
    unlink("api.db-migc.lock");
    unlink("wrap.db");
    struct migc_options o;
    migc_options_init(&o);
    CHECK(!strcmp(o.history_table, "migc_schema_history"));
    CHECK(o.lock_wait_ms == 15 * 60 * 1000 && o.lock_timeout_ms == 5000);
    CHECK(!strcmp(migc_errmsg(NULL), "out of memory"));

    migc *m = NULL;
    /* open failures keep a message on the handle */
    CHECK(migc_open(&m, &basic, NULL, &o) == MIGC_USAGE);
    CHECK(strstr(migc_errmsg(m), "no database given") != NULL);
    migc_close(m);
    CHECK(migc_open(&m, &basic, "sqlite:api.db", &o) == MIGC_IO);   /* no create */
    CHECK(strstr(migc_errmsg(m), "does not exist") != NULL);
    /* an unopened handle refuses work with the open's own rc and message */
    CHECK(migc_up(m, NULL) == MIGC_IO);
    CHECK(strstr(migc_errmsg(m), "does not exist") != NULL);
    struct migc_status st0;
    CHECK(migc_status(m, &st0) == MIGC_IO);
    enum migc_head w0;
    CHECK(migc_check_head(m, &w0) == MIGC_IO);
    CHECK(migc_verify(m, NULL) == MIGC_IO);
    migc_close(m);
    CHECK(access("api.db", F_OK) != 0);
    CHECK(migc_open(&m, &basic, "postgres://u:hunter2@localhost/x", &o) == MIGC_USAGE);
    CHECK(strstr(migc_errmsg(m), "built without postgres") != NULL);
    CHECK(strstr(migc_errmsg(m), "hunter2") == NULL);
    migc_close(m);

    o.create = true;
    CHECK(migc_open(&m, &basic, "sqlite:api.db", &o) == MIGC_OK);
    enum migc_head where = MIGC_HEAD_AT;
    CHECK(migc_check_head(m, &where) == MIGC_OK && where == MIGC_HEAD_BEHIND);
    struct migc_up_options up = {.to = 2};
    CHECK(migc_up(m, &up) == MIGC_OK);
    struct migc_status s;
    CHECK(migc_status(m, &s) == MIGC_OK);
    CHECK(s.current == 2 && s.head == 8 && s.pending == 6 && s.n == 8);
    CHECK(s.entries[0].state == MIGC_APPLIED && s.entries[2].state == MIGC_PENDING);
    CHECK(s.entries[0].applied_at != NULL && s.entries[2].applied_at == NULL);
    migc_status_free(&s);
    CHECK(migc_up(m, NULL) == MIGC_OK);
    CHECK(migc_check_head(m, &where) == MIGC_OK && where == MIGC_HEAD_AT);
    CHECK(migc_verify(m, NULL) == MIGC_OK);
    struct migc_down_options down = {.steps = 1};
    CHECK(migc_down(m, &down) == MIGC_REFUSED);       /* 8 is irreversible */
    CHECK(strstr(migc_errmsg(m), "irreversible") != NULL);
    CHECK(migc_baseline(m, 3) == MIGC_REFUSED);       /* history has rows */
    CHECK(migc_repair(m, false, 0, NULL) == MIGC_OK);
    migc_close(m);

    /* the application's own connection, borrowed */
    sqlite3 *db = NULL;
    CHECK(sqlite3_open("wrap.db", &db) == SQLITE_OK);
    CHECK(migc_wrap_sqlite(&m, &basic, db, NULL) == MIGC_OK);
    up.to = 4;
    CHECK(migc_up(m, &up) == MIGC_OK);
    CHECK(migc_check_head(m, &where) == MIGC_OK && where == MIGC_HEAD_BEHIND);
    down.allow_data_loss = false;
    down.steps = 2;
    CHECK(migc_down(m, &down) == MIGC_REFUSED);       /* 3 drops a table */
    down.allow_data_loss = true;
    CHECK(migc_down(m, &down) == MIGC_OK);
    migc_close(m);
    CHECK(scalar(db, "SELECT max(version) FROM migc_schema_history") == 2);   /* still open */
    /* inside the application's own transaction: refused, and neither the
     * failure nor migc_close rolls the application's work back */
    CHECK(sqlite3_exec(db, "BEGIN; INSERT INTO users (email) VALUES ('app@x')", NULL, NULL,
                       NULL) == SQLITE_OK);
    CHECK(migc_wrap_sqlite(&m, &basic, db, NULL) == MIGC_OK);
    CHECK(migc_up(m, NULL) != MIGC_OK);
    CHECK(strstr(migc_errmsg(m), "inside a transaction that migc did not open") != NULL);
    down.steps = 1;
    CHECK(migc_down(m, &down) != MIGC_OK);
    CHECK(migc_baseline(m, 1) != MIGC_OK);
    migc_close(m);
    CHECK(!sqlite3_get_autocommit(db));
    CHECK(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(scalar(db, "SELECT count(*) FROM users WHERE email = 'app@x'") == 1);
    CHECK(scalar(db, "SELECT max(version) FROM migc_schema_history") == 2);
    CHECK(migc_wrap_pg(&m, &basic, (struct pg_conn *)db, NULL) == MIGC_USAGE);
    migc_close(m);
    sqlite3_close(db);

    /* --single-transaction over 250 migrations, then at head, then down */
    unlink("many.db");
    unlink("many.db-migc.lock");
    struct many_plan mp;
    CHECK(many_plan_build(&mp, MIGC_SQLITE, &migc_driver_sqlite, 250));
    CHECK(migc_open(&m, &mp.plan, "sqlite:many.db", &o) == MIGC_OK);
    struct migc_up_options single = {.single_transaction = true, .to = 230};
    CHECK(migc_up(m, &single) == MIGC_OK);
    single.to = 0;
    CHECK(migc_up(m, &single) == MIGC_OK);
    CHECK(migc_up(m, &single) == MIGC_OK);                 /* nothing to do */
    CHECK(migc_check_head(m, &where) == MIGC_OK && where == MIGC_HEAD_AT);
    CHECK(migc_status(m, &s) == MIGC_OK);
    CHECK(s.n == 250 && s.current == 250 && s.pending == 0 && s.unknown == 0);
    for (unsigned i = 0; i < s.n; i++)
        CHECK(s.entries[i].version == (int64_t)i + 1 && s.entries[i].state == MIGC_APPLIED &&
              s.entries[i].execution_ms >= 0 && s.entries[i].applied_at != NULL);
    migc_status_free(&s);
    down.steps = 3;
    CHECK(migc_down(m, &down) == MIGC_OK);
    migc_close(m);
    CHECK(sqlite3_open("many.db", &db) == SQLITE_OK);
    CHECK(scalar(db, "SELECT count(*) FROM migc_schema_history") == 247);
    CHECK(scalar(db, "SELECT count(*) FROM migc_schema_history WHERE checksum = 'v1:' || "
                     "substr('0000000000000000000000000000000000000000000000000000000000000000' "
                     "|| version, -64) AND description = 'create many_' || version "
                     "AND state = 'applied'") == 247);
    CHECK(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name GLOB 'many_*'") == 247);
    sqlite3_close(db);
    many_plan_free(&mp);

    /* offline SQL */
    FILE *f = tmpfile();
    CHECK(f && migc_write_sql(&basic, MIGC_SQLITE, false, f) == MIGC_OK);
    CHECK(f && migc_write_sql(&basic, MIGC_SQLITE, true, f) == MIGC_REFUSED);
    CHECK(f && migc_write_sql(&basic, MIGC_POSTGRES, false, f) == MIGC_USAGE);
    if (f)
        fclose(f);
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    else
        puts("ok");
    return failures ? 1 : 0;
}
