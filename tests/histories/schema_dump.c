/* schema_dump.c: a normalized, line-oriented dump of a live schema, for the
 * acceptance histories' golden files (tests/histories/<name>/expected.*).
 *
 *   schema_dump sqlite DB_FILE | postgres URL                  the schema
 *   schema_dump sqlite DB_FILE | postgres URL --exec FILE      run FILE's SQL
 *   schema_dump sqlite DB_FILE | postgres URL --query FILE     print rows
 *
 * --exec runs the whole file (several statements allowed) in one go, for
 * the data a history's test puts in between migrations. --query runs each
 * non-empty line of FILE that does not start with "--" as one query and
 * prints its rows, values joined by '|', NULL as "NULL".
 *
 * Prints every table but the migration history table (migc_schema_history),
 * by name, each followed by its columns in order (type, nullability,
 * default, identity/primary key), its constraints, indexes and triggers, read
 * from the database's own catalog (PostgreSQL: pg_catalog; SQLite:
 * sqlite_schema and the table_info / foreign_key_list / index_list
 * pragmas, plus the CHECK clauses of the CREATE TABLE text, which no pragma
 * reports). An empty schema prints nothing.
 * Exit 0 ok, 1 on a database error (message on stderr), 2 on bad usage. */
#include <ctype.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HISTORY_TABLE "migc_schema_history"

/* ---- PostgreSQL ------------------------------------------------------ */

/* Runs QUERY (with at most one text parameter, ARG, or none when NULL) and
 * returns its result, or NULL after printing the error. The caller clears
 * the result. */
static PGresult *pg_query(PGconn *conn, const char *query, const char *arg)
{
    const char *params[1] = {arg};
    PGresult *res = PQexecParams(conn, query, arg ? 1 : 0, NULL, arg ? params : NULL, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        fprintf(stderr, "schema_dump: %s", PQerrorMessage(conn));
        PQclear(res);
        return NULL;
    }
    return res;
}

/* Prints every row of QUERY (parameter: the table's oid as text) as
 * PREFIX followed by its columns joined by spaces (empty values skipped).
 * Returns 0, or 1 on a query error. */
static int pg_print_rows(PGconn *conn, const char *prefix, const char *query, const char *oid)
{
    PGresult *res = pg_query(conn, query, oid);
    if (!res)
        return 1;
    for (int r = 0; r < PQntuples(res); r++) {
        fputs(prefix, stdout);
        for (int c = 0; c < PQnfields(res); c++) {
            const char *v = PQgetvalue(res, r, c);
            if (*v)
                printf(" %s", v);
        }
        putchar('\n');
    }
    PQclear(res);
    return 0;
}

/* Dumps the current schema of the PostgreSQL database at URL. Returns the
 * exit code. */
static int dump_postgres(const char *url)
{
    PGconn *conn = PQconnectdb(url);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "schema_dump: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return 1;
    }
    int rc = 0;
    PGresult *tables = pg_query(conn,
        "SELECT c.oid::text, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname <> '" HISTORY_TABLE "' "
        "ORDER BY c.relname COLLATE \"C\"", NULL);
    if (!tables) {
        PQfinish(conn);
        return 1;
    }
    for (int t = 0; t < PQntuples(tables) && rc == 0; t++) {
        const char *oid = PQgetvalue(tables, t, 0);
        printf("table %s\n", PQgetvalue(tables, t, 1));
        rc |= pg_print_rows(conn, "  column",
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), "
            "CASE WHEN a.attnotnull THEN 'not null' ELSE '' END, "
            "COALESCE('default ' || pg_get_expr(d.adbin, d.adrelid), ''), "
            "CASE a.attidentity WHEN 'd' THEN 'identity by default' WHEN 'a' THEN 'identity always' ELSE '' END "
            "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", oid);
        rc |= pg_print_rows(conn, "  constraint",
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = $1::oid ORDER BY conname COLLATE \"C\"", oid);
        rc |= pg_print_rows(conn, "  index",
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = $1::oid AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid "
            "AND k.conrelid = x.indrelid) ORDER BY i.relname COLLATE \"C\"", oid);
        rc |= pg_print_rows(conn, "  trigger",
            "SELECT tgname FROM pg_trigger WHERE tgrelid = $1::oid AND NOT tgisinternal "
            "ORDER BY tgname COLLATE \"C\"", oid);
    }
    PQclear(tables);
    PQfinish(conn);
    return rc;
}

/* ---- SQLite ---------------------------------------------------------- */

/* Prints every row of SQL (one parameter bound as text, ARG) as PREFIX and
 * the row's columns joined by spaces, NULL shown as "-", empty text skipped. Returns 0, or 1 on
 * an SQLite error. */
static int sq_print_rows(sqlite3 *db, const char *prefix, const char *sql, const char *arg)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "schema_dump: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    if (arg && sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC) != SQLITE_OK) {
        fprintf(stderr, "schema_dump: %s\n", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return 1;
    }
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        fputs(prefix, stdout);
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const unsigned char *v = sqlite3_column_text(st, c);
            if (!v || *v)
                printf(" %s", v ? (const char *)v : "-");
        }
        putchar('\n');
    }
    int rc = step == SQLITE_DONE ? 0 : 1;
    if (rc)
        fprintf(stderr, "schema_dump: %s\n", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

/* Prints each CHECK clause of the CREATE TABLE text SQL, with the
 * `CONSTRAINT name` in front of it when there is one, whitespace runs
 * folded to one space. Quotes are skipped whole. Cannot fail. */
static void sq_print_checks(const char *sql)
{
    const char *p = sql;
    const char *last_constraint = NULL;
    while (*p) {
        if (*p == '\'' || *p == '"' || *p == '`' || *p == '[') {
            char close = *p == '[' ? ']' : *p;
            for (p++; *p && *p != close; p++)
                ;
            if (*p)
                p++;
            continue;
        }
        int word_start = p == sql || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
        if (word_start && strncasecmp(p, "constraint", 10) == 0 && !isalnum((unsigned char)p[10])) {
            last_constraint = p;
            p += 10;
            continue;
        }
        if (word_start && strncasecmp(p, "check", 5) == 0 && !(isalnum((unsigned char)p[5]) || p[5] == '_')) {
            const char *q = p + 5;
            while (isspace((unsigned char)*q))
                q++;
            if (*q == '(') {
                int depth = 0;
                const char *end = q;
                for (; *end; end++) {
                    if (*end == '\'') {
                        for (end++; *end && *end != '\''; end++)
                            ;
                        if (!*end)
                            break;
                    } else if (*end == '(') {
                        depth++;
                    } else if (*end == ')' && --depth == 0) {
                        end++;
                        break;
                    }
                }
                const char *from = last_constraint && last_constraint > p - 200 ? last_constraint : p;
                fputs("  check", stdout);
                int space = 1;
                for (const char *s = from; s < end; s++) {
                    if (isspace((unsigned char)*s)) {
                        space = 1;
                        continue;
                    }
                    if (space)
                        putchar(' ');
                    space = 0;
                    putchar(*s);
                }
                putchar('\n');
                last_constraint = NULL;
                p = end;
                continue;
            }
        }
        if (*p == ',')
            last_constraint = NULL;
        p++;
    }
}

/* Dumps the schema of the SQLite file PATH (opened read-only). Returns the
 * exit code. */
static int dump_sqlite(const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "schema_dump: %s: %s\n", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return 1;
    }
    sqlite3_stmt *tables = NULL;
    if (sqlite3_prepare_v2(db,
            "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "AND name <> '" HISTORY_TABLE "' ORDER BY name", -1, &tables, NULL) != SQLITE_OK) {
        fprintf(stderr, "schema_dump: %s\n", sqlite3_errmsg(db));
        sqlite3_close(db);
        return 1;
    }
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(tables)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(tables, 0);
        const char *sql = (const char *)sqlite3_column_text(tables, 1);
        printf("table %s%s\n", name, sql && strstr(sql, "AUTOINCREMENT") ? " autoincrement" : "");
        rc |= sq_print_rows(db, "  column",
            "SELECT name, type, CASE WHEN \"notnull\" THEN 'not null' ELSE 'null' END, "
            "'default=' || COALESCE(dflt_value, '-'), 'pk=' || pk FROM pragma_table_info(?1) ORDER BY cid", name);
        if (sql)
            sq_print_checks(sql);
        rc |= sq_print_rows(db, "  foreign key",
            "SELECT '(' || group_concat(\"from\", ', ') || ') references ' || \"table\" || "
            "'(' || group_concat(\"to\", ', ') || ')', 'on update ' || on_update, 'on delete ' || on_delete "
            "FROM (SELECT * FROM pragma_foreign_key_list(?1) ORDER BY id, seq) GROUP BY id "
            "ORDER BY \"table\", group_concat(\"from\", ', ')", name);
        rc |= sq_print_rows(db, "  index",
            "SELECT l.name, CASE WHEN l.\"unique\" THEN 'unique' ELSE 'non-unique' END, 'origin=' || l.origin, "
            "(SELECT '(' || group_concat(COALESCE(i.name, '<expr>'), ', ') || ')' "
            " FROM (SELECT * FROM pragma_index_xinfo(l.name) WHERE key ORDER BY seqno) i), "
            "COALESCE((SELECT s.sql FROM sqlite_schema s WHERE s.type = 'index' AND s.name = l.name), '') "
            "FROM pragma_index_list(?1) l ORDER BY l.name", name);
    }
    if (rc == 0 && step != SQLITE_DONE) {
        fprintf(stderr, "schema_dump: %s\n", sqlite3_errmsg(db));
        rc = 1;
    }
    sqlite3_finalize(tables);
    /* Triggers and views that raw SQL made are part of the schema too. */
    if (rc == 0)
        rc = sq_print_rows(db, "other",
            "SELECT type, name, tbl_name FROM sqlite_schema WHERE type IN ('view', 'trigger') ORDER BY type, name",
            NULL);
    sqlite3_close(db);
    return rc;
}

/* Reads the whole file PATH into a NUL-terminated malloc'd buffer, or
 * returns NULL after printing why. The caller frees it. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "schema_dump: cannot open %s\n", path);
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        fprintf(stderr, "schema_dump: cannot read %s\n", path);
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

/* Runs SQL (--exec, which creates the file if needed) or each query line of
 * SQL (--query, QUERY set) on the SQLite file PATH. Returns the exit code. */
static int run_sqlite(const char *path, const char *sql, int query)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | (query ? 0 : SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        fprintf(stderr, "schema_dump: %s: %s\n", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return 1;
    }
    int rc = 0;
    if (!query) {
        char *err = NULL;
        if (sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, &err) != SQLITE_OK
            || sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
            fprintf(stderr, "schema_dump: %s\n", err ? err : "out of memory");
            rc = 1;
        }
        sqlite3_free(err);
    } else {
        for (const char *line = sql; *line && rc == 0;) {
            const char *end = strchr(line, '\n');
            size_t len = end ? (size_t)(end - line) : strlen(line);
            if (len > 0 && strncmp(line, "--", 2) != 0) {
                sqlite3_stmt *st = NULL;
                if (sqlite3_prepare_v2(db, line, (int)len, &st, NULL) != SQLITE_OK) {
                    fprintf(stderr, "schema_dump: %s\n", sqlite3_errmsg(db));
                    rc = 1;
                    break;
                }
                int step;
                while ((step = sqlite3_step(st)) == SQLITE_ROW) {
                    for (int c = 0; c < sqlite3_column_count(st); c++) {
                        const unsigned char *v = sqlite3_column_text(st, c);
                        printf("%s%s", c ? "|" : "", v ? (const char *)v : "NULL");
                    }
                    putchar('\n');
                }
                if (step != SQLITE_DONE) {
                    fprintf(stderr, "schema_dump: %s\n", sqlite3_errmsg(db));
                    rc = 1;
                }
                sqlite3_finalize(st);
            }
            line += len + (end ? 1 : 0);
        }
    }
    sqlite3_close(db);
    return rc;
}

/* Runs SQL (--exec) or each query line of SQL (--query) on the PostgreSQL
 * database at URL. Returns the exit code. */
static int run_postgres(const char *url, const char *sql, int query)
{
    PGconn *conn = PQconnectdb(url);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "schema_dump: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return 1;
    }
    int rc = 0;
    if (!query) {
        PGresult *res = PQexec(conn, sql);
        if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
            fprintf(stderr, "schema_dump: %s", PQerrorMessage(conn));
            rc = 1;
        }
        PQclear(res);
    } else {
        for (const char *line = sql; *line && rc == 0;) {
            const char *end = strchr(line, '\n');
            size_t len = end ? (size_t)(end - line) : strlen(line);
            if (len > 0 && strncmp(line, "--", 2) != 0) {
                char *one = malloc(len + 1);
                if (!one) {
                    rc = 1;
                    break;
                }
                memcpy(one, line, len);
                one[len] = '\0';
                PGresult *res = PQexec(conn, one);
                free(one);
                if (PQresultStatus(res) != PGRES_TUPLES_OK) {
                    fprintf(stderr, "schema_dump: %s", PQerrorMessage(conn));
                    rc = 1;
                } else {
                    for (int r = 0; r < PQntuples(res); r++) {
                        for (int c = 0; c < PQnfields(res); c++)
                            printf("%s%s", c ? "|" : "", PQgetisnull(res, r, c) ? "NULL" : PQgetvalue(res, r, c));
                        putchar('\n');
                    }
                }
                PQclear(res);
            }
            line += len + (end ? 1 : 0);
        }
    }
    PQfinish(conn);
    return rc;
}

int main(int argc, char **argv)
{
    int ok_dialect = argc >= 3 && (strcmp(argv[1], "sqlite") == 0 || strcmp(argv[1], "postgres") == 0);
    int mode = 0; /* 0 dump, 1 exec, 2 query */
    if (ok_dialect && argc == 5 && strcmp(argv[3], "--exec") == 0)
        mode = 1;
    else if (ok_dialect && argc == 5 && strcmp(argv[3], "--query") == 0)
        mode = 2;
    else if (!ok_dialect || argc != 3) {
        fputs("usage: schema_dump sqlite DB_FILE | postgres URL [--exec FILE | --query FILE]\n", stderr);
        return 2;
    }
    int sqlite = strcmp(argv[1], "sqlite") == 0;
    int rc;
    if (mode == 0) {
        rc = sqlite ? dump_sqlite(argv[2]) : dump_postgres(argv[2]);
    } else {
        char *sql = read_file(argv[4]);
        if (!sql)
            return 1;
        rc = sqlite ? run_sqlite(argv[2], sql, mode == 2) : run_postgres(argv[2], sql, mode == 2);
        free(sql);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("schema_dump: cannot write the dump\n", stderr);
        return 1;
    }
    return rc;
}
