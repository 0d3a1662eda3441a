/* pg_api_test.c: the public C API (migc/migc.h) on PostgreSQL: migc_open
 * with a URL, and migc_wrap_pg over the application's own PGconn, which
 * migc_close must leave open, unlocked and as it was; check_head, status,
 * up, down, verify; errors as values with password-free messages; nothing
 * printed by library code (opts.log NULL); --single-transaction over 250
 * migrations, whose history rows go a hundred to a statement; repair of a
 * migration whose first step, a concurrent index, was built but not
 * recorded (it must stay for up to finish, not be run again).
 *
 *   pg_api_test URL KEYWORDS     (a fresh, empty database; see pg_api_test.sh)
 *
 * Prints "ok - ..." / "not ok - ..."; exits with the number of failures. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc/migc.h"
#include "many.h"
#include "plan_macros.h"

extern const struct migc_plan pg_app;

/* 1 creates ix_t; 2 indexes it concurrently, in its first (only) step */
static const struct migc_migration ix_migrations[] = {
    {.version = 1, .description = "create ix_t",
     .checksum = "v1:1000000000000000000000000000000000000000000000000000000000000000",
     .up = {[MIGC_POSTGRES] = STEPS(TX(SQL("CREATE TABLE ix_t (a int)")))},
     .down = {[MIGC_POSTGRES] = STEPS(TX(SQL("DROP TABLE ix_t")))}},
    {.version = 2, .description = "index ix_t",
     .checksum = "v1:2000000000000000000000000000000000000000000000000000000000000000",
     .up = {[MIGC_POSTGRES] = STEPS({.kind = MIGC_STEP_NO_TRANSACTION, .nstatements = 1,
                                     .statements = (const struct migc_sql[]){SQL(
                                         "CREATE INDEX CONCURRENTLY ix_t_a ON ix_t (a)")},
                                     .concurrent_index = "ix_t_a"})},
     .down = {[MIGC_POSTGRES] = STEPS(NOTX("DROP INDEX CONCURRENTLY ix_t_a"))}},
};
static const struct migc_plan ix_plan = {
    .name = "ix", .migc_version = "test", .dialects = 1u << MIGC_POSTGRES,
    .nmigrations = 2, .migrations = ix_migrations,
    .drivers = {[MIGC_POSTGRES] = &migc_driver_postgres}};
static int failures;

static void check(bool ok, const char *what, const char *why)
{
    if (ok) {
        printf("ok - %s\n", what);
    } else {
        printf("not ok - %s: %s\n", what, why ? why : "");
        failures++;
    }
}

/* One value of a query on conn, into buf ("<error>" on failure). */
static const char *value(PGconn *conn, const char *sql, char *buf, size_t n)
{
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        snprintf(buf, n, "%s", PQgetvalue(res, 0, 0));
    else
        snprintf(buf, n, "<error>");
    PQclear(res);
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: pg_api_test URL KEYWORDS\n");
        return 2;
    }
    const char *url = argv[1], *keywords = argv[2];
    char buf[256];
    struct migc_options opts;
    migc_options_init(&opts);
    opts.log = NULL;

    /* errors are values; no password in the message */
    migc *m = NULL;
    enum migc_rc rc = migc_open(&m, &pg_app, "postgresql://postgres:Hush-Pw@127.0.0.1:1/x?connect_timeout=5",
                                &opts);
    check(rc == MIGC_IO && m, "migc_open of an unreachable server is MIGC_IO", migc_errmsg(m));
    check(!strstr(migc_errmsg(m), "Hush-Pw"), "its message has no password", migc_errmsg(m));
    migc_close(m);

    /* wrapping a connection that failed: MIGC_IO, and the message says so
     * (it is not an allocation failure) */
    PGconn *dead = PQconnectdb("host=127.0.0.1 port=1 dbname=x connect_timeout=5");
    m = NULL;
    rc = migc_wrap_pg(&m, &pg_app, dead, &opts);
    check(rc == MIGC_IO && m, "migc_wrap_pg of a failed PGconn is MIGC_IO", migc_errmsg(m));
    check(strstr(migc_errmsg(m), "not connected") && !strstr(migc_errmsg(m), "out of memory"),
          "its message says the connection is not usable", migc_errmsg(m));
    migc_close(m);
    PQfinish(dead);

    /* a schema that does not exist fails the open after connecting: the
     * handle then refuses every command with the open's rc, rather than
     * migrating the default schema */
    struct migc_options nope = opts;
    nope.schema = "no_such_schema";
    rc = migc_open(&m, &pg_app, url, &nope);
    check(rc == MIGC_IO && strstr(migc_errmsg(m), "no_such_schema"),
          "migc_open with a missing schema is MIGC_IO", migc_errmsg(m));
    rc = migc_up(m, NULL);
    check(rc == MIGC_IO && strstr(migc_errmsg(m), "no_such_schema"),
          "migc_up after that failed open keeps its rc and message", migc_errmsg(m));
    migc_close(m);

    /* migc_open with a URL: up to 2, behind head */
    rc = migc_open(&m, &pg_app, url, &opts);
    check(rc == MIGC_OK, "migc_open", migc_errmsg(m));
    enum migc_head where = MIGC_HEAD_AT;
    rc = migc_check_head(m, &where);
    check(rc == MIGC_OK && where == MIGC_HEAD_BEHIND, "check_head on an empty database: behind",
          migc_errmsg(m));
    struct migc_up_options up = {.to = 2};
    rc = migc_up(m, &up);
    check(rc == MIGC_OK, "migc_up to 2", migc_errmsg(m));
    struct migc_status st;
    rc = migc_status(m, &st);
    check(rc == MIGC_OK && st.current == 2 && st.head == 6 && st.pending == 4,
          "migc_status: at 2 of 6, 4 pending", migc_errmsg(m));
    if (rc == MIGC_OK)
        migc_status_free(&st);
    migc_close(m);

    /* migc_wrap_pg over the application's connection */
    PGconn *conn = PQconnectdb(keywords);
    check(PQstatus(conn) == CONNECTION_OK, "the application connects", PQerrorMessage(conn));
    PQclear(PQexec(conn, "SET application_name = 'the-app'; SET client_min_messages = 'log'"));
    rc = migc_wrap_pg(&m, &pg_app, conn, &opts);
    check(rc == MIGC_OK, "migc_wrap_pg", migc_errmsg(m));
    rc = migc_up(m, NULL);
    check(rc == MIGC_OK, "migc_up on the wrapped connection", migc_errmsg(m));
    rc = migc_check_head(m, &where);
    check(rc == MIGC_OK && where == MIGC_HEAD_AT, "check_head: at head", migc_errmsg(m));
    rc = migc_verify(m, NULL);
    check(rc == MIGC_OK, "migc_verify", migc_errmsg(m));
    struct migc_down_options down = {.steps = 1};
    rc = migc_down(m, &down);
    check(rc == MIGC_REFUSED && strstr(migc_errmsg(m), "allow"),
          "migc_down of a data-losing migration needs allow_data_loss", migc_errmsg(m));
    down.allow_data_loss = true;
    rc = migc_down(m, &down);
    check(rc == MIGC_OK, "migc_down with allow_data_loss", migc_errmsg(m));
    rc = migc_check_head(m, &where);
    check(rc == MIGC_OK && where == MIGC_HEAD_BEHIND, "check_head after down: behind", migc_errmsg(m));
    migc_close(m);
    check(PQstatus(conn) == CONNECTION_OK, "migc_close leaves the connection open", NULL);
    check(!strcmp(value(conn, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                              "AND pid = pg_backend_pid()", buf, sizeof buf), "0"),
          "migc_close releases the migration lock", buf);
    check(!strcmp(value(conn, "SELECT current_setting('application_name')", buf, sizeof buf),
                  "the-app"),
          "the application's settings are kept", buf);
    check(!strcmp(value(conn, "SELECT current_setting('client_min_messages')", buf, sizeof buf),
                  "log"),
          "client_min_messages is given back", buf);
    check(!strcmp(value(conn, "SELECT txid_current_if_assigned() IS NULL", buf, sizeof buf), "t"),
          "no transaction left open", buf);
    check(!strcmp(value(conn, "SELECT count(*) FROM migc_schema_history", buf, sizeof buf), "5"),
          "the application sees the history", buf);

    /* inside the application's own transaction: refused before anything
     * is written into it (not even a history table), and left open */
    PQclear(PQexec(conn, "BEGIN"));
    struct migc_options in_tx = opts;
    in_tx.history_table = "app_tx_history";
    rc = migc_wrap_pg(&m, &pg_app, conn, &in_tx);
    rc = rc ? rc : migc_up(m, NULL);
    check(rc == MIGC_IO && strstr(migc_errmsg(m), "inside a transaction that migc did not open"),
          "up inside the application's transaction is refused", migc_errmsg(m));
    migc_close(m);
    check(PQtransactionStatus(conn) == PQTRANS_INTRANS, "the application's transaction stays open",
          NULL);
    check(!strcmp(value(conn, "SELECT to_regclass('app_tx_history') IS NULL", buf, sizeof buf), "t"),
          "no history table was created in it", buf);
    PQclear(PQexec(conn, "ROLLBACK"));

    /* a database ahead of the binary */
    PQclear(PQexec(conn, "INSERT INTO migc_schema_history (version, description, checksum, state) "
                         "VALUES (99, 'future', 'v1:0', 'applied')"));
    rc = migc_wrap_pg(&m, &pg_app, conn, &opts);
    rc = rc ? rc : migc_check_head(m, &where);
    check(rc == MIGC_OK && where == MIGC_HEAD_AHEAD, "check_head: ahead", migc_errmsg(m));
    rc = migc_up(m, NULL);
    check(rc == MIGC_REFUSED && strstr(migc_errmsg(m), "99"), "up refuses an unknown version",
          migc_errmsg(m));
    migc_close(m);
    PQclear(PQexec(conn, "DELETE FROM migc_schema_history WHERE version = 99"));

    /* ddl_tries and lock_timeout_ms as configured: another session holds a
     * lock on users, which migration 5 alters */
    rc = migc_wrap_pg(&m, &pg_app, conn, &opts);
    struct migc_down_options to4 = {.has_to = true, .to = 4, .allow_data_loss = true};
    rc = rc ? rc : migc_down(m, &to4);
    check(rc == MIGC_OK, "down to 4", migc_errmsg(m));
    migc_close(m);
    PGconn *holder = PQconnectdb(keywords);
    PQclear(PQexec(holder, "BEGIN; LOCK TABLE users IN ACCESS SHARE MODE"));
    char *log = NULL;
    size_t loglen = 0;
    FILE *logf = open_memstream(&log, &loglen);
    struct migc_options o2 = opts;
    o2.ddl_tries = 2;
    o2.lock_timeout_ms = 100;
    o2.log = logf;
    rc = migc_wrap_pg(&m, &pg_app, conn, &o2);
    rc = rc ? rc : migc_up(m, NULL);
    check(rc == MIGC_REFUSED, "up behind a lock fails after the tries", migc_errmsg(m));
    check(strstr(migc_errmsg(m), "gave up after 2 tries (lock_timeout 100 ms)") != NULL,
          "the message gives the configured tries and lock_timeout", migc_errmsg(m));
    fflush(logf);
    unsigned reported = 0;
    for (const char *p = log; p && (p = strstr(p, "lock timeout on try ")); p++)
        reported++;
    check(reported == 1 && strstr(log, "lock timeout on try 1 of 2"),
          "the retried try is reported on the log", log);
    check(!strcmp(value(conn, "SELECT count(*) FROM migc_schema_history WHERE version > 4", buf,
                        sizeof buf), "0"),
          "nothing of it was recorded", buf);
    PQclear(PQexec(holder, "COMMIT"));
    PQfinish(holder);
    rc = migc_up(m, NULL);
    check(rc == MIGC_OK, "up once the lock is gone", migc_errmsg(m));
    check(!strcmp(value(conn, "SELECT lock_timeout FROM seen", buf, sizeof buf), "100ms"),
          "the migration ran with the configured lock_timeout", buf);
    migc_close(m);
    fclose(logf);
    free(log);
    PQfinish(conn);

    /* --single-transaction over 250 migrations (own history table) */
    struct many_plan mp;
    check(many_plan_build(&mp, MIGC_POSTGRES, &migc_driver_postgres, 250), "a plan of 250", "");
    opts.history_table = "many_history";
    rc = migc_open(&m, &mp.plan, url, &opts);
    check(rc == MIGC_OK, "migc_open for the 250", migc_errmsg(m));
    struct migc_up_options single = {.single_transaction = true, .to = 230};
    rc = migc_up(m, &single);
    check(rc == MIGC_OK, "up --single-transaction --to 230 of 250", migc_errmsg(m));
    single.to = 0;
    rc = migc_up(m, &single);
    check(rc == MIGC_OK, "up --single-transaction of the other 20", migc_errmsg(m));
    rc = migc_check_head(m, &where);
    check(rc == MIGC_OK && where == MIGC_HEAD_AT, "at head after them", migc_errmsg(m));
    migc_close(m);
    conn = PQconnectdb(keywords);
    check(!strcmp(value(conn, "SELECT count(*) FROM many_history WHERE state = 'applied' AND "
                              "checksum = 'v1:' || lpad(version::text, 64, '0') AND "
                              "description = 'create many_' || version AND "
                              "execution_ms >= 0 AND applied_at IS NOT NULL",
                        buf, sizeof buf),
                  "250"),
          "250 history rows, each with its own checksum", buf);
    check(!strcmp(value(conn, "SELECT count(*) FROM pg_tables WHERE tablename ~ '^many_[0-9]+$'",
                        buf, sizeof buf),
                  "250"),
          "250 tables", buf);
    PQfinish(conn);
    many_plan_free(&mp);

    /* repair after a concurrent build that finished but was not recorded:
     * the row stays (clearing it would build the index again, which
     * exists), and up finishes the migration */
    opts.history_table = "ix_history";
    rc = migc_open(&m, &ix_plan, url, &opts);
    struct migc_up_options to1 = {.to = 1};
    rc = rc ? rc : migc_up(m, &to1);
    check(rc == MIGC_OK, "ix: up --to 1", migc_errmsg(m));
    conn = PQconnectdb(keywords);
    PQclear(PQexec(conn, "CREATE INDEX ix_t_a ON ix_t (a)"));
    PQclear(PQexec(conn, "INSERT INTO ix_history (version, description, checksum, state) VALUES "
                         "(2, 'index ix_t', 'v1:2000000000000000000000000000000000000000000000000000000000000000', "
                         "'applying:1/1')"));
    char *report = NULL;
    size_t reportlen = 0;
    FILE *reportf = open_memstream(&report, &reportlen);
    rc = reportf ? migc_repair(m, false, 0, reportf) : MIGC_IO;
    if (reportf)
        fclose(reportf);
    check(rc == MIGC_OK, "ix: repair", migc_errmsg(m));
    check(report && strstr(report, "step 1 built the index ix_t_a, which is valid; run 'up'"),
          "ix: repair says the index is built and up finishes", report);
    check(!strcmp(value(conn, "SELECT state FROM ix_history WHERE version = 2", buf, sizeof buf),
                  "applying:1/1"),
          "ix: repair keeps the row", buf);
    rc = migc_up(m, NULL);
    check(rc == MIGC_OK, "ix: up after repair", migc_errmsg(m));
    check(!strcmp(value(conn, "SELECT state FROM ix_history WHERE version = 2", buf, sizeof buf),
                  "applied"),
          "ix: applied", buf);
    migc_close(m);
    PQfinish(conn);
    free(report);

    printf("%d failure%s\n", failures, failures == 1 ? "" : "s");
    return failures > 99 ? 99 : failures;
}
