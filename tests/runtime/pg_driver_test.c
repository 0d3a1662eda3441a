/* pg_driver_test.c: the PostgreSQL driver (runtime/driver_pg.c) through its
 * vtable, against a real server.
 *
 *   pg_driver_test URL KEYWORDS
 *
 * URL is a postgresql:// URL and KEYWORDS a libpq keyword string, both of
 * one empty database that the test may fill (pg_driver_test.sh makes and
 * drops it). Each check prints "ok - what" or "not ok - what: why"; the
 * exit status is the number of failures (0: all passed). */
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"

static const struct migc_driver *D = &migc_driver_postgres;
static int failures;

/* Reports one check. */
static void check(bool ok, const char *what, const char *why)
{
    if (ok) {
        printf("ok - %s\n", what);
    } else {
        printf("not ok - %s: %s\n", what, why ? why : "");
        failures++;
    }
}

/* Opens url or aborts the test (nothing else can be checked without it). */
static struct migc_drv *open_or_die(const char *url)
{
    struct migc_drv *h = NULL;
    char buf[512];
    if (D->open(url, NULL, &h, buf, sizeof buf) != MIGC_DRV_OK) {
        printf("not ok - open: %s\n", buf);
        exit(100);
    }
    return h;
}

/* Runs sql on h, which must succeed. */
static void must_exec(struct migc_drv *h, const char *sql)
{
    enum migc_drv_rc rc = D->exec(h, sql);
    if (rc != MIGC_DRV_OK) {
        printf("not ok - exec %s: %s\n", sql, D->errmsg(h));
        failures++;
    }
}

/* The one value a query returns, malloc'd ("<null>" for NULL, "<error>"). */
static char *value(struct migc_drv *h, const char *sql, const char *param)
{
    struct migc_rows r;
    const char *p[1] = {param};
    if (D->query(h, sql, param ? 1 : 0, p, &r) != MIGC_DRV_OK)
        return strdup("<error>");
    const char *v = migc_rows_get(&r, 0, 0);
    char *out = strdup(v ? v : "<null>");
    migc_rows_free(&r);
    return out;
}

/* Does value(h, sql, param) equal want? */
static void check_value(struct migc_drv *h, const char *what, const char *sql, const char *param,
                        const char *want)
{
    char *got = value(h, sql, param);
    char why[256];
    snprintf(why, sizeof why, "got '%s', want '%s' (%s)", got, want, D->errmsg(h));
    check(!strcmp(got, want), what, why);
    free(got);
}

static void test_urls(void)
{
    check(D->accepts_url("postgres://u@h/db"), "accepts postgres://", NULL);
    check(D->accepts_url("postgresql://h:5432/db?sslmode=disable"), "accepts postgresql://", NULL);
    check(D->accepts_url("host=/tmp dbname=x"), "accepts a keyword string", NULL);
    check(D->accepts_url(" dbname = x"), "accepts a keyword string with spaces", NULL);
    check(!D->accepts_url("sqlite:x.db"), "refuses sqlite:", NULL);
    check(!D->accepts_url("file:x.db?mode=ro"), "refuses file:", NULL);
    check(!D->accepts_url("mydb"), "refuses a bare word", NULL);
    check(!D->accepts_url(""), "refuses an empty url", NULL);
}

static void test_connect_failure(void)
{
    struct migc_drv *h = (struct migc_drv *)1;
    char buf[512] = "";
    enum migc_drv_rc rc = D->open("postgresql://postgres:s3cr3t-pw@127.0.0.1:1/nodb?connect_timeout=5",
                                  NULL, &h, buf, sizeof buf);
    check(rc == MIGC_DRV_CONNECTION && h == NULL, "a closed port is a connection failure", buf);
    check(strstr(buf, "cannot connect to postgresql") != NULL, "the message says it cannot connect",
          buf);
    check(strstr(buf, "s3cr3t") == NULL, "the message has no password", buf);
    check(strchr(buf, '\n') == NULL, "the message is one line", buf);
    rc = D->open("host=127.0.0.1 port=1 password=s3cr3t-pw connect_timeout=5", NULL, &h, buf,
                 sizeof buf);
    check(rc == MIGC_DRV_CONNECTION && strstr(buf, "s3cr3t") == NULL,
          "a keyword string's password is not shown", buf);
    /* libpq quotes the URL, or the token, it cannot parse */
    static const char *const bad[] = {
        "postgresql://u:s3cr3t-pw@[::1/db",
        "postgresql://u:s3cr3t%zz@host/db",
        "postgresql://u:s3cr3t-pw@host/db%zz",
        "host=x password=s3cr3t-pw port=abc",
        "postgresql://u:s3cr3t-a@[::1/db?password=s3cr3t-b",
        "postgresql://u@host/db%zz?password=s3cr3t-pw",
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rc = D->open(bad[i], NULL, &h, buf, sizeof buf);
        char what[128];
        snprintf(what, sizeof what, "a malformed url (%u) fails without showing its password", i);
        check(rc != MIGC_DRV_OK && buf[0] && strstr(buf, "s3cr3t") == NULL, what, buf);
    }
}

static void test_exec_query(struct migc_drv *h)
{
    check(D->exec(h, "CREATE TABLE t (id int PRIMARY KEY, v text); "
                     "INSERT INTO t VALUES (1, 'a'), (2, NULL), (3, 'it''s')") == MIGC_DRV_OK,
          "exec runs several statements", D->errmsg(h));
    struct migc_rows r;
    const char *p[1] = {"2"};
    enum migc_drv_rc rc = D->query(h, "SELECT id, v FROM t WHERE id >= $1 ORDER BY id", 1, p, &r);
    check(rc == MIGC_DRV_OK && r.nrows == 2 && r.ncols == 2, "query with a parameter", D->errmsg(h));
    check(migc_rows_get(&r, 0, 1) == NULL, "SQL NULL is a NULL cell", NULL);
    check(migc_rows_get(&r, 1, 1) && !strcmp(migc_rows_get(&r, 1, 1), "it's"), "text cells", NULL);
    migc_rows_free(&r);
    const char *np[1] = {NULL};
    rc = D->query(h, "SELECT $1::text IS NULL", 1, np, &r);
    check(rc == MIGC_DRV_OK && !strcmp(migc_rows_get(&r, 0, 0), "t"), "a NULL parameter is SQL NULL",
          D->errmsg(h));
    migc_rows_free(&r);
    check(D->query(h, "UPDATE t SET v = 'b' WHERE id = 2", 0, NULL, NULL) == MIGC_DRV_OK,
          "query without rows wanted", D->errmsg(h));
    check(D->changes && D->changes(h) == 1, "changes: the rows an UPDATE changed", NULL);
    check(D->query(h, "UPDATE t SET v = v WHERE id > 100", 0, NULL, NULL) == MIGC_DRV_OK &&
              D->changes(h) == 0,
          "changes: none", D->errmsg(h));

    rc = D->exec(h, "SELEC 1");
    check(rc == MIGC_DRV_ERROR && strstr(D->errmsg(h), "syntax error"),
          "a bad statement is an error with the server's message", D->errmsg(h));
    check(!D->connection_lost(h), "a bad statement does not lose the connection", NULL);
    D->begin(h);
    rc = D->exec(h, "INSERT INTO t VALUES (9, 'x'); INSERT INTO t VALUES (1, 'dup')");
    check(rc == MIGC_DRV_ERROR && strstr(D->errmsg(h), "duplicate key"),
          "a failing multi-statement in a transaction", D->errmsg(h));
    D->rollback(h);
    check_value(h, "rolled back, it left none of it", "SELECT count(*) FROM t WHERE id = 9", NULL, "0");
    check(D->exec(h, "") == MIGC_DRV_OK, "an empty text is fine", D->errmsg(h));
    rc = D->exec(h, "COPY t FROM STDIN");
    check(rc == MIGC_DRV_ERROR, "COPY FROM STDIN is refused", D->errmsg(h));
    check_value(h, "the connection works after a refused COPY", "SELECT 41 + 1", NULL, "42");
    rc = D->exec(h, "COPY t TO STDOUT");
    check(rc == MIGC_DRV_ERROR, "COPY TO STDOUT is refused", D->errmsg(h));
    check_value(h, "the connection works after it", "SELECT 40 + 2", NULL, "42");
    check_value(h, "COPY FROM STDIN added no row", "SELECT count(*) FROM t", NULL, "3");
}

/* exec outside a transaction runs each statement of the text on its own
 * (a no_transaction raw block with several statements). */
static void test_exec_split(struct migc_drv *h)
{
    check(D->exec(h, "CREATE TABLE \"we;ird\" (v text);\n"
                     "INSERT INTO \"we;ird\" VALUES ('a;b'), (E'c\\';d'), ($$e;f$$), "
                     "($x$g;$$;h$x$), ('it''s;');\n"
                     "/* one; /* nested; */ comment; */ -- and; this\n"
                     "CREATE INDEX CONCURRENTLY weird_a ON \"we;ird\" (v);\n"
                     "CREATE INDEX CONCURRENTLY weird_b ON \"we;ird\" (lower(v));;  ;\n") ==
              MIGC_DRV_OK,
          "several statements with CREATE INDEX CONCURRENTLY outside a transaction", D->errmsg(h));
    check_value(h, "every statement ran, quotes and comments kept whole",
                "SELECT string_agg(v, '|' ORDER BY v) FROM \"we;ird\"", NULL,
                "a;b|c';d|e;f|g;$$;h|it's;");
    check_value(h, "both concurrent indexes are valid",
                "SELECT count(*) FROM pg_index WHERE indisvalid AND indrelid = '\"we;ird\"'::regclass",
                NULL, "2");
    enum migc_drv_rc rc = D->exec(h, "INSERT INTO \"we;ird\" VALUES ('kept'); INSERT INTO nosuch VALUES (1)");
    check(rc == MIGC_DRV_ERROR && !strncmp(D->errmsg(h), "statement 2 of 2: ", 18) &&
              strstr(D->errmsg(h), "nosuch"),
          "a failing statement is named", D->errmsg(h));
    check_value(h, "the statements before it stay done",
                "SELECT count(*) FROM \"we;ird\" WHERE v = 'kept'", NULL, "1");
    check(D->exec(h, "CREATE FUNCTION weird_f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; "
                     "SELECT 2; END; SELECT weird_f()") == MIGC_DRV_OK,
          "BEGIN ATOMIC bodies are not split", D->errmsg(h));
    must_exec(h, "SET standard_conforming_strings = off");
    check(D->exec(h, "INSERT INTO \"we;ird\" VALUES ('x\\';y'); INSERT INTO \"we;ird\" VALUES ('z')") ==
              MIGC_DRV_OK,
          "with standard_conforming_strings off, backslashes escape quotes", D->errmsg(h));
    must_exec(h, "SET standard_conforming_strings = on");
    check_value(h, "and the statements split where PostgreSQL splits them",
                "SELECT count(*) FROM \"we;ird\" WHERE v IN ('x'';y', 'z')", NULL, "2");
    check(D->exec(h, "SELECT 1; -- only a comment after") == MIGC_DRV_OK,
          "a trailing comment is no statement", D->errmsg(h));
    check(D->exec(h, "SELECT $1") == MIGC_DRV_ERROR, "a parameter is no dollar quote", NULL);
}

static void test_transactions(struct migc_drv *h)
{
    check(D->rollback(h) == MIGC_DRV_OK, "rollback without a transaction is a no-op", D->errmsg(h));
    check(D->begin(h) == MIGC_DRV_OK, "begin", D->errmsg(h));
    must_exec(h, "INSERT INTO t VALUES (10, 'tx')");
    check(D->rollback(h) == MIGC_DRV_OK, "rollback", D->errmsg(h));
    check_value(h, "rollback undoes", "SELECT count(*) FROM t WHERE id = 10", NULL, "0");
    D->begin(h);
    must_exec(h, "INSERT INTO t VALUES (10, 'tx')");
    check(D->commit(h) == MIGC_DRV_OK, "commit", D->errmsg(h));
    check_value(h, "commit keeps", "SELECT count(*) FROM t WHERE id = 10", NULL, "1");

    D->begin(h);
    must_exec(h, "INSERT INTO t VALUES (11, 'tx')");
    D->exec(h, "SELECT 1/0");
    check(D->commit(h) == MIGC_DRV_ERROR, "commit of a failed transaction is an error", D->errmsg(h));
    check_value(h, "and it committed nothing", "SELECT count(*) FROM t WHERE id = 11", NULL, "0");

    D->begin(h);
    D->exec(h, "SELECT 1/0");
    char before[512];
    snprintf(before, sizeof before, "%s", D->errmsg(h));
    check(D->rollback(h) == MIGC_DRV_OK && !strcmp(before, D->errmsg(h)) &&
              strstr(before, "division by zero"),
          "rollback keeps the last error", D->errmsg(h));
}

static void test_lock(const char *url)
{
    struct migc_drv *a = open_or_die(url), *b = open_or_die(url);
    check(D->lock_acquire(a, "public.migc_schema_history", 0) == MIGC_DRV_OK, "lock: first taker",
          D->errmsg(a));
    check(D->lock_acquire(a, "public.migc_schema_history", 0) == MIGC_DRV_OK,
          "lock: taking it again is fine", D->errmsg(a));
    enum migc_drv_rc rc = D->lock_acquire(b, "public.migc_schema_history", 0);
    check(rc == MIGC_DRV_LOCK_TIMEOUT, "lock: second taker, no wait", D->errmsg(b));
    check(strstr(D->errmsg(b), "another migrator") && strstr(D->errmsg(b), "server process"),
          "lock: the message names the holder", D->errmsg(b));
    rc = D->lock_acquire(b, "public.migc_schema_history", 300);
    check(rc == MIGC_DRV_LOCK_TIMEOUT, "lock: second taker, wait expires", D->errmsg(b));
    check(D->lock_acquire(b, "s.migc_schema_history", 0) == MIGC_DRV_OK,
          "lock: another key is another lock", D->errmsg(b));
    D->lock_release(b);
    check_value(a, "lock: the waiter was never inside a blocked transaction",
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()", NULL, "0");
    check(D->lock_release(a) == MIGC_DRV_OK, "lock: release", D->errmsg(a));
    check(D->lock_acquire(b, "public.migc_schema_history", 0) == MIGC_DRV_OK,
          "lock: free after release", D->errmsg(b));
    D->close(b);   /* close releases */
    check(D->lock_acquire(a, "public.migc_schema_history", 0) == MIGC_DRV_OK,
          "lock: free after close", D->errmsg(a));
    D->close(a);

    /* The engine's names: "migc:.<table>" without --schema and
     * "migc:<schema>.<table>" with it are one lock when <schema> is the
     * current one, and another lock for another schema. */
    a = open_or_die(url);
    b = open_or_die(url);
    must_exec(a, "CREATE SCHEMA IF NOT EXISTS other");
    check(D->lock_acquire(a, "migc:.migc_schema_history", 0) == MIGC_DRV_OK,
          "lock: without --schema", D->errmsg(a));
    check(D->set_schema(b, "public") == MIGC_DRV_OK, "lock: --schema public", D->errmsg(b));
    check(D->lock_acquire(b, "migc:public.migc_schema_history", 0) == MIGC_DRV_LOCK_TIMEOUT,
          "lock: --schema of the current schema is the same lock", D->errmsg(b));
    check(D->set_schema(b, "other") == MIGC_DRV_OK, "lock: --schema other", D->errmsg(b));
    check(D->lock_acquire(b, "migc:other.migc_schema_history", 0) == MIGC_DRV_OK,
          "lock: another schema's history is another lock", D->errmsg(b));
    D->close(b);
    D->close(a);
}

static void test_lock_timeout(const char *url)
{
    struct migc_drv *a = open_or_die(url), *b = open_or_die(url);
    D->begin(a);
    must_exec(a, "LOCK TABLE t IN ACCESS SHARE MODE");
    check(D->begin_ddl(b, 150) == MIGC_DRV_OK, "begin_ddl", D->errmsg(b));
    check_value(b, "the session shows the lock_timeout", "SELECT current_setting('lock_timeout')",
                NULL, "150ms");
    enum migc_drv_rc rc = D->exec(b, "ALTER TABLE t ADD COLUMN x int");
    check(rc == MIGC_DRV_ERROR && D->last_error_is_lock_timeout(b),
          "DDL behind a lock fails with a lock timeout", D->errmsg(b));
    D->rollback(b);
    check(D->last_error_is_lock_timeout(b), "the lock timeout is still known after rollback", NULL);
    check_value(b, "SET LOCAL ended with the transaction", "SELECT current_setting('lock_timeout')",
                NULL, "0");
    D->exec(b, "SELECT 1/0");
    check(!D->last_error_is_lock_timeout(b), "other errors are no lock timeout", NULL);
    D->commit(a);
    D->begin_ddl(b, 150);
    check(D->exec(b, "ALTER TABLE t ADD COLUMN x int") == MIGC_DRV_OK && D->commit(b) == MIGC_DRV_OK,
          "the DDL passes once the lock is gone", D->errmsg(b));
    D->close(a);
    D->close(b);
}

static void test_schema(struct migc_drv *h)
{
    enum migc_drv_rc rc = D->set_schema(h, "nosuch");
    check(rc == MIGC_DRV_ERROR && strstr(D->errmsg(h), "schema \"nosuch\" does not exist"),
          "set_schema refuses a missing schema", D->errmsg(h));
    must_exec(h, "CREATE SCHEMA \"App Schema\"");
    check(D->set_schema(h, "App Schema") == MIGC_DRV_OK, "set_schema", D->errmsg(h));
    check_value(h, "current_schema() is it", "SELECT current_schema()", NULL, "App Schema");
    bool exists = true;
    check(D->table_exists(h, "t", &exists) == MIGC_DRV_OK && !exists,
          "table_exists looks in the current schema only", D->errmsg(h));
    char *ddl = D->history_ddl("\"migc_schema_history\"");
    must_exec(h, ddl);
    must_exec(h, ddl);   /* IF NOT EXISTS, quietly */
    free(ddl);
    check(D->table_exists(h, "migc_schema_history", &exists) == MIGC_DRV_OK && exists,
          "the history table is in the schema", D->errmsg(h));
    check_value(h, "history table columns",
                "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' "
                "ORDER BY attnum) FROM pg_attribute WHERE attrelid = "
                "'\"App Schema\".migc_schema_history'::regclass AND attnum > 0",
                NULL,
                "version bigint, description text, checksum text, applied_at timestamp with time "
                "zone, execution_ms bigint, state text, progress text, migc_version text");
    check_value(h, "history table primary key",
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = "
                "'\"App Schema\".migc_schema_history'::regclass AND contype = 'p'",
                NULL, "PRIMARY KEY (version)");
}

/* Finds a table of the live schema by name. */
static const struct migc_live_table *find_table(const struct migc_live_schema *s, const char *name)
{
    for (unsigned i = 0; i < s->ntables; i++)
        if (!strcmp(s->tables[i].name, name))
            return &s->tables[i];
    return NULL;
}

/* Joins a string list with ','. */
static void join(char *buf, size_t n, char **v, unsigned k)
{
    buf[0] = '\0';
    for (unsigned i = 0; i < k; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, n - len, "%s%s", i ? "," : "", v[i]);
    }
}

static void test_introspect(struct migc_drv *h)
{
    /* in "App Schema" (test_schema set it) */
    must_exec(h,
              "CREATE TABLE orgs (id bigint GENERATED BY DEFAULT AS IDENTITY "
              "CONSTRAINT orgs_pkey PRIMARY KEY, name text);"
              "CREATE TABLE users (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
              " org_id bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,"
              " email varchar(20) NOT NULL UNIQUE,"
              " score int NOT NULL DEFAULT 0 CHECK (score >= 0),"
              " price numeric(10,2), created_at timestamptz DEFAULT now(), \"Odd\" text);"
              "CREATE INDEX users_score_idx ON users (score);"
              "CREATE UNIQUE INDEX users_lower_email ON users (lower(email)) WHERE score > 0;"
              "ALTER TABLE users DROP COLUMN price;"
              "CREATE TABLE public.elsewhere (id int);");
    struct migc_live_schema s;
    enum migc_drv_rc rc = D->introspect(h, "migc_schema_history", &s);
    check(rc == MIGC_DRV_OK, "introspect", D->errmsg(h));
    if (rc != MIGC_DRV_OK)
        return;
    check(s.ntables == 2 && !strcmp(s.tables[0].name, "orgs") && !strcmp(s.tables[1].name, "users"),
          "introspect: tables of the schema, by name, without the history table", NULL);
    const struct migc_live_table *u = find_table(&s, "users");
    char buf[512], why[600];
    if (u) {
        buf[0] = '\0';
        for (unsigned i = 0; i < u->ncolumns; i++) {
            size_t len = strlen(buf);
            snprintf(buf + len, sizeof buf - len, "%s%s:%s:%s%s", i ? "|" : "", u->columns[i].name,
                     u->columns[i].type, u->columns[i].not_null ? "nn" : "",
                     u->columns[i].has_default ? "d" : "");
        }
        const char *want = "id:bigint:nn|org_id:bigint:nn|email:character varying(20):nn|"
                           "score:integer:nnd|created_at:timestamp with time zone:d|Odd:text:";
        snprintf(why, sizeof why, "got %s", buf);
        check(!strcmp(buf, want), "introspect: columns in order, format_type types", why);
        join(buf, sizeof buf, u->indexes, u->nindexes);
        snprintf(why, sizeof why, "got %s", buf);
        check(!strcmp(buf, "users_lower_email,users_score_idx"),
              "introspect: indexes no constraint owns", why);
        join(buf, sizeof buf, u->constraints, u->nconstraints);
        snprintf(why, sizeof why, "got %s", buf);
        check(!strcmp(buf, "users_email_key,users_org_id_fkey,users_pkey,users_score_check"),
              "introspect: named constraints, sorted", why);
    } else {
        check(false, "introspect: users", "missing");
    }
    migc_live_schema_free(&s);
}

static void test_index_state(const char *url, struct migc_drv *h)
{
    bool exists = true, invalid = true;
    must_exec(h, "CREATE TABLE dup (id int PRIMARY KEY, v int); INSERT INTO dup VALUES (1, 7), (2, 7)");
    check(D->index_state(h, "dup_v_idx", &exists, &invalid) == MIGC_DRV_OK && !exists && !invalid,
          "index_state: no index", D->errmsg(h));
    check(D->exec(h, "CREATE UNIQUE INDEX CONCURRENTLY dup_v_idx ON dup (v)") == MIGC_DRV_ERROR,
          "a failing concurrent build", NULL);
    check(D->index_state(h, "dup_v_idx", &exists, &invalid) == MIGC_DRV_OK && exists && invalid,
          "index_state: the failed build left an INVALID index", D->errmsg(h));
    struct migc_live_schema live;
    if (D->introspect(h, NULL, &live) == MIGC_DRV_OK) {
        const struct migc_live_table *t = find_table(&live, "dup");
        check(t && t->nindexes == 0, "introspect leaves an INVALID index out", NULL);
        migc_live_schema_free(&live);
    } else {
        check(false, "introspect with an INVALID index", D->errmsg(h));
    }
    check(D->drop_index(h, "dup_v_idx") == MIGC_DRV_OK, "drop_index", D->errmsg(h));
    check(D->index_state(h, "dup_v_idx", &exists, &invalid) == MIGC_DRV_OK && !exists,
          "drop_index: gone", D->errmsg(h));
    check(D->drop_index(h, "dup_v_idx") == MIGC_DRV_OK, "drop_index of a missing index is fine",
          D->errmsg(h));
    must_exec(h, "CREATE INDEX CONCURRENTLY dup_v_idx ON dup (v)");
    check(D->index_state(h, "dup_v_idx", &exists, &invalid) == MIGC_DRV_OK && exists && !invalid,
          "index_state: a valid index", D->errmsg(h));
    /* An index of that name in another schema is not ours. */
    struct migc_drv *o = open_or_die(url);
    check(D->index_state(o, "dup_v_idx", &exists, &invalid) == MIGC_DRV_OK && !exists,
          "index_state: only the current schema", D->errmsg(o));
    D->close(o);
}

static void test_connection_lost(const char *url)
{
    struct migc_drv *c = open_or_die(url);
    D->begin(c);
    must_exec(c, "CREATE TABLE half (id int)");
    enum migc_drv_rc rc = D->exec(c, "SELECT pg_terminate_backend(pg_backend_pid())");
    check(rc == MIGC_DRV_CONNECTION && D->connection_lost(c),
          "a connection the server terminates is lost", D->errmsg(c));
    check(strstr(D->errmsg(c), "connection") != NULL, "the message says so", D->errmsg(c));
    check(D->rollback(c) == MIGC_DRV_OK, "rollback on a lost connection is a no-op", D->errmsg(c));
    rc = D->exec(c, "SELECT 1");
    check(rc == MIGC_DRV_CONNECTION, "later statements fail as lost", D->errmsg(c));
    D->close(c);
    c = open_or_die(url);
    bool exists = true;
    check(D->table_exists(c, "half", &exists) == MIGC_DRV_OK && !exists,
          "the terminated transaction left nothing", D->errmsg(c));
    /* terminated from another session while idle */
    struct migc_drv *killer = open_or_die(url);
    char *pid = value(c, "SELECT pg_backend_pid()::text", NULL);
    check_value(killer, "terminate another backend", "SELECT pg_terminate_backend($1::int)", pid, "t");
    free(pid);
    rc = D->exec(c, "SELECT 1");
    check(rc == MIGC_DRV_CONNECTION && D->connection_lost(c), "an idle terminated session is lost",
          D->errmsg(c));
    D->close(c);
    D->close(killer);
}

static void test_wrap(const char *keywords)
{
    PGconn *conn = PQconnectdb(keywords);
    if (PQstatus(conn) != CONNECTION_OK) {
        check(false, "wrap: connect", PQerrorMessage(conn));
        PQfinish(conn);
        return;
    }
    struct migc_drv *w = NULL;
    check(D->wrap(conn, NULL, &w) == MIGC_DRV_OK, "wrap", NULL);
    PQclear(PQexec(conn, "BEGIN; CREATE TABLE app_work (id int)"));
    check(D->begin(w) == MIGC_DRV_ERROR && strstr(D->errmsg(w), "inside a transaction"),
          "wrap: begin refuses to join the application's transaction", D->errmsg(w));
    D->rollback(w);
    check(PQtransactionStatus(conn) == PQTRANS_INTRANS,
          "wrap: rollback leaves the application's transaction alone", NULL);
    PQclear(PQexec(conn, "ROLLBACK"));
    check(D->set_schema(w, "App Schema") == MIGC_DRV_OK, "wrap: set_schema", D->errmsg(w));
    check(D->lock_acquire(w, "k", 0) == MIGC_DRV_OK, "wrap: lock", D->errmsg(w));
    D->close(w);
    PGresult *res = PQexec(conn, "SELECT current_setting('search_path'), "
                                 "(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                 "AND pid = pg_backend_pid())");
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    check(ok, "wrap: the connection stays open after close", PQerrorMessage(conn));
    if (ok) {
        check(!strcmp(PQgetvalue(res, 0, 0), "\"$user\", public"), "wrap: search_path given back",
              PQgetvalue(res, 0, 0));
        check(!strcmp(PQgetvalue(res, 0, 1), "0"), "wrap: the lock is released", NULL);
    }
    PQclear(res);
    PQfinish(conn);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: pg_driver_test URL KEYWORDS\n");
        return 2;
    }
    const char *url = argv[1], *keywords = argv[2];
    test_urls();
    test_connect_failure();
    struct migc_drv *h = open_or_die(url);
    test_exec_query(h);
    test_exec_split(h);
    test_transactions(h);
    test_lock(url);
    test_lock_timeout(url);
    D->close(h);
    h = open_or_die(keywords);
    check_value(h, "a keyword string connects", "SELECT current_database() <> 'postgres'", NULL, "t");
    check_value(h, "the session is named migc", "SELECT current_setting('application_name')", NULL,
                "migc");
    test_schema(h);
    test_introspect(h);
    test_index_state(url, h);
    D->close(h);
    test_connection_lost(url);
    test_wrap(keywords);
    D->close(NULL);
    printf("%d failure%s\n", failures, failures == 1 ? "" : "s");
    return failures > 99 ? 99 : failures;
}
