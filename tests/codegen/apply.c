/* apply.c: end-to-end test of the emitted SQL on real databases.
 *
 *   codegen_apply sqlite   MIGRATIONS_DIR DB_FILE
 *   codegen_apply postgres MIGRATIONS_DIR PG_STATE_FILE
 *
 * Compiles the history in MIGRATIONS_DIR (the compiler library, as `migc
 * build` does) and applies it the way the runtime does: transactional steps
 * in BEGIN/COMMIT; SQLite rebuild steps with PRAGMA foreign_keys=OFF before
 * BEGIN, triggers and views saved and re-created, foreign_key_check before
 * COMMIT; non-transactional steps alone; batched backfills batch by batch
 * with the plan's keyset SQL and text parameters. After every step sequence
 * it introspects the live schema (tables, columns with type, NOT NULL and
 * default, create_index indexes; PostgreSQL also constraint names) and
 * compares it with the catalog at that version. Sequence: every up in order
 * (each followed by down and up again), then every down in reverse to an
 * empty schema (stopping at an irreversible migration). Between the two,
 * the data checks of CASE/check.sql and CASE/check.<dialect>.sql run (see
 * run_checks()). Finally, back at an empty schema, the DDL of `migc schema`
 * is run and compared with the catalog at head. PostgreSQL: a fresh
 * database per run, dropped at the end. Exit 0 when everything matched. */
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emit.h"

static dialect D;
static sqlite3 *lite;
static PGconn *pg;
static int failures;

#define FAIL(...) (fprintf(stderr, "FAIL: " __VA_ARGS__), fputc('\n', stderr), failures++)

/* ---- executing ----------------------------------------------------------- */

static int exec_sql(const char *sql)
{
    if (D == MIGC_SQLITE) {
        char *err = NULL;
        if (sqlite3_exec(lite, sql, NULL, NULL, &err) != SQLITE_OK) {
            FAIL("sqlite: %s\n  in: %s", err ? err : "?", sql);
            sqlite3_free(err);
            return -1;
        }
        return 0;
    }
    PGresult *r = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
        FAIL("postgres: %s  in: %s", PQerrorMessage(pg), sql);
        PQclear(r);
        return -1;
    }
    PQclear(r);
    return 0;
}

/* Runs a query with text params; returns the first row's columns (strdup'd,
 * n of them) or NULL when there is no row. *err set on failure. */
static char **query_row(const char *sql, int nparams, char **params, int *ncols, int *err)
{
    *err = 0;
    if (D == MIGC_SQLITE) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(lite, sql, -1, &st, NULL) != SQLITE_OK) {
            FAIL("sqlite prepare: %s\n  in: %s", sqlite3_errmsg(lite), sql);
            *err = 1;
            return NULL;
        }
        for (int i = 0; i < nparams; i++)
            sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        char **row = NULL;
        if (rc == SQLITE_ROW) {
            *ncols = sqlite3_column_count(st);
            row = calloc((size_t)*ncols + 1, sizeof *row);
            for (int i = 0; i < *ncols; i++) {
                const unsigned char *t = sqlite3_column_text(st, i);
                row[i] = strdup(t ? (const char *)t : "");
            }
        } else if (rc != SQLITE_DONE) {
            FAIL("sqlite step: %s\n  in: %s", sqlite3_errmsg(lite), sql);
            *err = 1;
        }
        sqlite3_finalize(st);
        return row;
    }
    PGresult *r = PQexecParams(pg, sql, nparams, NULL, (const char *const *)params, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
        FAIL("postgres: %s  in: %s", PQerrorMessage(pg), sql);
        PQclear(r);
        *err = 1;
        return NULL;
    }
    char **row = NULL;
    if (s == PGRES_TUPLES_OK && PQntuples(r) > 0) {
        *ncols = PQnfields(r);
        row = calloc((size_t)*ncols + 1, sizeof *row);
        for (int i = 0; i < *ncols; i++)
            row[i] = strdup(PQgetvalue(r, 0, i));
    }
    PQclear(r);
    return row;
}

static void free_row(char **row, int n)
{
    if (!row)
        return;
    for (int i = 0; i < n; i++)
        free(row[i]);
    free(row);
}

/* A batched backfill, as the runtime runs it. */
static int run_backfill(const cg_backfill *bf)
{
    int n = 0, err = 0;
    char **last = query_row(bf->first_bound, 0, NULL, &n, &err);
    if (!err && !last)   /* fewer than a batch: where the rest ends */
        last = query_row(bf->first_rest, 0, NULL, &n, &err);
    if (err)
        return -1;
    if (!last)
        return 0;
    int ncols = 0;
    char **bound = last;
    if (exec_sql("BEGIN"))
        return -1;
    free_row(query_row(bf->first_update, (int)bf->nkeys, bound, &ncols, &err), ncols);
    if (err)
        return -1;
    if (exec_sql("COMMIT"))
        return -1;
    for (int guard = 0; guard < 1000000; guard++) {
        char **next = query_row(bf->next_bound, (int)bf->nkeys, last, &n, &err);
        if (!err && !next)
            next = query_row(bf->next_rest, (int)bf->nkeys, last, &n, &err);
        if (err)
            return -1;
        if (!next)
            break;
        char *params[16];
        for (unsigned i = 0; i < bf->nkeys && i < 8; i++) {
            params[i] = last[i];
            params[bf->nkeys + i] = next[i];
        }
        exec_sql("BEGIN");
        free_row(query_row(bf->next_update, 2 * (int)bf->nkeys, params, &ncols, &err), ncols);
        if (err || exec_sql("COMMIT"))
            return -1;
        free_row(last, (int)bf->nkeys);
        last = next;
    }
    free_row(last, (int)bf->nkeys);
    return 0;
}

/* Every trigger on the rebuilt tables and every view, as pairs
 * ("trigger NAME" | "view NAME", its SQL) in *out; returns the pair count. */
static int saved_objects(const cg_step *st, char ***out)
{
    sqlite3_stmt *q;
    int n = 0;
    *out = NULL;
    if (sqlite3_prepare_v2(lite, "SELECT type, name, tbl_name, sql FROM sqlite_schema "
                                 "WHERE type IN ('trigger', 'view') AND sql IS NOT NULL ORDER BY rowid",
                           -1, &q, NULL) != SQLITE_OK)
        return 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(q, 0);
        const char *name = (const char *)sqlite3_column_text(q, 1);
        const char *tbl = (const char *)sqlite3_column_text(q, 2);
        bool keep = !strcmp(type, "view");
        for (size_t i = 0; i < st->rebuilt.n; i++)
            keep |= !strcmp(tbl, st->rebuilt.items[i]);
        if (!keep)
            continue;
        *out = realloc(*out, (size_t)(n + 1) * 2 * sizeof **out);
        (*out)[2 * n] = malloc(strlen(type) + strlen(name) + 2);
        sprintf((*out)[2 * n], "%s %s", type, name);
        (*out)[2 * n + 1] = strdup((const char *)sqlite3_column_text(q, 3));
        n++;
    }
    sqlite3_finalize(q);
    return n;
}

static int apply_dir(const cg_dir *dir)
{
    for (size_t k = 0; k < dir->steps.n; k++) {
        const cg_step *st = dir->steps.items[k];
        if (st->kind == MIGC_STEP_BACKFILL) {
            if (run_backfill(st->bf))
                return -1;
            continue;
        }
        if (st->kind == MIGC_STEP_NO_TRANSACTION) {
            for (size_t i = 0; i < st->stmts.n; i++)
                if (exec_sql(st->stmts.items[i]))
                    return -1;
            continue;
        }
        bool rebuild = D == MIGC_SQLITE && st->rebuilt.n;
        char **saved = NULL;
        int nsaved = 0;
        if (rebuild) {
            exec_sql("PRAGMA foreign_keys = OFF");
            nsaved = saved_objects(st, &saved);
        }
        if (exec_sql(D == MIGC_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN"))
            return -1;
        int rc = 0;
        for (int i = 0; i < nsaved && !rc; i++)
            if (!strncmp(saved[2 * i], "view ", 5)) {
                char *sql = sqlite3_mprintf("DROP VIEW \"%w\"", saved[2 * i] + 5);
                rc = exec_sql(sql);
                sqlite3_free(sql);
            }
        for (size_t i = 0; i < st->stmts.n && !rc; i++)
            rc = exec_sql(st->stmts.items[i]);
        for (int i = 0; i < nsaved && !rc; i++) {
            bool trigger = !strncmp(saved[2 * i], "trigger ", 8);
            int exists = 0, n = 0, err = 0;
            if (trigger) {
                char *p[1] = {saved[2 * i] + 8};
                char **row = query_row("SELECT 1 FROM sqlite_schema WHERE type = 'trigger' AND name = ?1", 1, p, &n, &err);
                exists = row != NULL;
                free_row(row, n);
            }
            if (!exists)
                rc = exec_sql(saved[2 * i + 1]);
        }
        for (size_t i = 0; rebuild && i < st->rebuilt.n && !rc; i++) {
            char *sql = sqlite3_mprintf("PRAGMA foreign_key_check(\"%w\")", (const char *)st->rebuilt.items[i]);
            int n = 0, err = 0;
            char **row = query_row(sql, 0, NULL, &n, &err);
            if (row) {
                FAIL("foreign_key_check(%s) found a violation in table %s", (const char *)st->rebuilt.items[i], row[0]);
                rc = -1;
            }
            free_row(row, n);
            sqlite3_free(sql);
        }
        for (int i = 0; i < 2 * nsaved; i++)
            free(saved[i]);
        free(saved);
        if (rc) {
            exec_sql("ROLLBACK");
            return -1;
        }
        if (exec_sql("COMMIT"))
            return -1;
        if (rebuild)
            exec_sql("PRAGMA foreign_keys = ON");
    }
    return 0;
}

/* ---- introspection --------------------------------------------------------- */

/* Collects the rows of a one-parameter query as "a|b|c" lines, sorted. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct lines {
    char **v;
    size_t n;
} lines;

static void lines_add(lines *l, const char *s)
{
    l->v = realloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = strdup(s);
}

static void lines_free(lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static void live_rows(const char *sql, const char *param, lines *out)
{
    if (D == MIGC_SQLITE) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(lite, sql, -1, &st, NULL) != SQLITE_OK) {
            FAIL("sqlite introspection: %s", sqlite3_errmsg(lite));
            return;
        }
        if (param)
            sqlite3_bind_text(st, 1, param, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(st) == SQLITE_ROW) {
            char buf[1024] = "";
            for (int i = 0; i < sqlite3_column_count(st); i++) {
                const unsigned char *t = sqlite3_column_text(st, i);
                snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "|" : "", t ? (const char *)t : "");
            }
            lines_add(out, buf);
        }
        sqlite3_finalize(st);
        return;
    }
    const char *p[1] = {param};
    PGresult *r = PQexecParams(pg, sql, param ? 1 : 0, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        FAIL("postgres introspection: %s", PQerrorMessage(pg));
        PQclear(r);
        return;
    }
    for (int row = 0; row < PQntuples(r); row++) {
        char buf[1024] = "";
        for (int i = 0; i < PQnfields(r); i++)
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "|" : "", PQgetvalue(r, row, i));
        lines_add(out, buf);
    }
    PQclear(r);
}

static void compare(const char *what, const char *ctx, lines *want, lines *got)
{
    if (want->n)
        qsort(want->v, want->n, sizeof *want->v, cmp_str);
    if (got->n)
        qsort(got->v, got->n, sizeof *got->v, cmp_str);
    bool same = want->n == got->n;
    for (size_t i = 0; same && i < want->n; i++)
        same = !strcmp(want->v[i], got->v[i]);
    if (!same) {
        FAIL("%s: %s differ", ctx, what);
        for (size_t i = 0; i < want->n; i++)
            fprintf(stderr, "    want %s\n", want->v[i]);
        for (size_t i = 0; i < got->n; i++)
            fprintf(stderr, "    got  %s\n", got->v[i]);
    }
    lines_free(want);
    lines_free(got);
}

/* Compares the live schema with catalog c (NULL: empty). */
static void check_schema(arena *a, const catalog *c, const char *ctx)
{
    lines want = {0}, got = {0};
    for (uint32_t i = 0; c && i < c->ntables; i++)
        lines_add(&want, c->tables[i]->name);
    live_rows(D == MIGC_SQLITE ? "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                               : "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
              NULL, &got);
    compare("tables", ctx, &want, &got);
    for (uint32_t i = 0; c && i < c->ntables; i++) {
        const cat_table *t = c->tables[i];
        const cat_constraint *pk = catalog_primary_key(t);
        char tctx[512];
        snprintf(tctx, sizeof tctx, "%s, table %s", ctx, t->name);
        for (uint32_t j = 0; j < t->ncols; j++) {
            const cat_column *col = t->cols[j];
            bool in_pk = false;
            for (uint32_t k = 0; pk && k < pk->ncols; k++)
                in_pk |= !strcmp(pk->cols[k], col->name);
            bool autoinc = D == MIGC_SQLITE && col->identity && sqlite_autoincrement(t);
            const char *type = D == MIGC_POSTGRES ? pg_type_reported(a, col->type)
                               : autoinc          ? "INTEGER"
                                                  : sqlite_type_sql(a, col->type);
            char buf[512];
            snprintf(buf, sizeof buf, "%s|%s|%d|%d", col->name, type, col->not_null || col->identity || in_pk,
                     col->dflt && !col->identity);
            lines_add(&want, buf);
        }
        live_rows(D == MIGC_SQLITE
                      ? "SELECT name, type, \"notnull\", dflt_value IS NOT NULL FROM pragma_table_info(?1)"
                      : "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull::int, "
                        "a.atthasdef::int FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
                        "AND c.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped",
                  t->name, &got);
        compare("columns (name|type|not null|has default)", tctx, &want, &got);
        for (uint32_t k = 0; k < c->nindexes; k++)
            if (!strcmp(c->indexes[k]->table, t->name))
                lines_add(&want, c->indexes[k]->name);
        live_rows(D == MIGC_SQLITE
                      ? "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL"
                      : "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                        "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
                        "WHERE n.nspname = 'public' AND t.relname = $1 AND NOT EXISTS "
                        "(SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.conrelid = t.oid)",
                  t->name, &got);
        compare("indexes", tctx, &want, &got);
        for (uint32_t k = 0; k < t->ncons; k++) {
            if (D == MIGC_POSTGRES)
                lines_add(&want, t->cons[k]->name);
            else if (t->cons[k]->kind == CON_FOREIGN_KEY)
                lines_add(&want, t->cons[k]->ref_table);
        }
        if (D == MIGC_POSTGRES)
            live_rows("SELECT k.conname FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid "
                      "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public' AND t.relname = $1",
                      t->name, &got);
        else
            live_rows("SELECT \"table\" FROM pragma_foreign_key_list(?1) WHERE seq = 0", t->name, &got);
        compare(D == MIGC_POSTGRES ? "constraints" : "foreign keys (referenced tables)", tctx, &want, &got);
    }
}

/* ---- data checks -------------------------------------------------------------- */

/* Runs the checks in file (if it exists), one per line: "SELECT …" must
 * return one row whose first value is true ('1' or 't'); "+SQL" must succeed;
 * "!SQL" must fail (a constraint that is still enforced). Lines starting
 * with "--" and blank lines are skipped. */
static void run_checks(const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return;
    char line[4096];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || !strncmp(line, "--", 2))
            continue;
        if (line[0] == '+') {
            exec_sql(line + 1);
            continue;
        }
        if (line[0] == '!') {
            if (D == MIGC_SQLITE) {
                char *err = NULL;
                if (sqlite3_exec(lite, line + 1, NULL, NULL, &err) == SQLITE_OK)
                    FAIL("%s:%d: succeeded but must fail: %s", file, lineno, line + 1);
                sqlite3_free(err);
            } else {
                PGresult *r = PQexec(pg, line + 1);
                if (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
                    FAIL("%s:%d: succeeded but must fail: %s", file, lineno, line + 1);
                PQclear(r);
            }
            continue;
        }
        int n = 0, err = 0;
        char **row = query_row(line, 0, NULL, &n, &err);
        if (!err && (!row || (strcmp(row[0], "1") && strcmp(row[0], "t"))))
            FAIL("%s:%d: check is false: %s", file, lineno, line);
        free_row(row, n);
    }
    fclose(f);
}

/* ---- driver ---------------------------------------------------------------- */

static const char *state_value(const char *file, const char *key)
{
    static char val[1024];
    FILE *f = fopen(file, "r");
    if (!f)
        return NULL;
    char line[1024];
    size_t kl = strlen(key);
    const char *res = NULL;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, kl) && line[kl] == '=') {
            snprintf(val, sizeof val, "%s", line + kl + 1);
            val[strcspn(val, "\n")] = '\0';
            res = val;
        }
    fclose(f);
    return res;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fputs("usage: codegen_apply sqlite|postgres MIGRATIONS_DIR DB_FILE|PG_STATE\n", stderr);
        return 2;
    }
    if (!dialect_from_name(argv[1], &D))
        return 2;
    arena *a = arena_new();
    const checked_history *ch = NULL;
    if (codegen_frontend(a, argv[2], false, ~0u, &ch) != 0) {
        arena_free(a);
        return 1;
    }
    cg_plan *p = codegen_plan_snapshots(a, ch, 1u << D);
    PGconn *admin = NULL;
    char dbname[64];
    if (D == MIGC_SQLITE) {
        unlink(argv[3]);
        if (sqlite3_open(argv[3], &lite) != SQLITE_OK) {
            fprintf(stderr, "cannot open %s\n", argv[3]);
            return 1;
        }
        exec_sql("PRAGMA foreign_keys = ON");
    } else {
        const char *url = state_value(argv[3], "URL");
        if (!url) {
            fprintf(stderr, "no URL in %s\n", argv[3]);
            return 1;
        }
        char base[1024];
        snprintf(base, sizeof base, "%s", url);
        admin = PQconnectdb(base);
        if (PQstatus(admin) != CONNECTION_OK) {
            fprintf(stderr, "cannot connect: %s", PQerrorMessage(admin));
            return 1;
        }
        snprintf(dbname, sizeof dbname, "migc_cg_%ld", (long)getpid());
        char sql[256];
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", dbname);
        PQclear(PQexec(admin, sql));
        char *slash = strrchr(base, '/');
        snprintf(slash + 1, sizeof base - (size_t)(slash + 1 - base), "%s", dbname);
        pg = PQconnectdb(base);
        if (PQstatus(pg) != CONNECTION_OK) {
            fprintf(stderr, "cannot connect: %s", PQerrorMessage(pg));
            return 1;
        }
        PQclear(PQexec(pg, "SET client_min_messages = warning"));
    }
    char ctx[256];
    for (uint32_t i = 0; i < p->n && !failures; i++) {
        const cg_migration *cm = &p->migs[i];
        const catalog *before = i ? p->migs[i - 1].after : NULL;
        snprintf(ctx, sizeof ctx, "up %lld", (long long)cm->m->version);
        if (apply_dir(&cm->up[D]) == 0)
            check_schema(a, cm->after, ctx);
        if (cm->irreversible || failures)
            continue;
        snprintf(ctx, sizeof ctx, "down %lld (after up)", (long long)cm->m->version);
        if (apply_dir(&cm->down[D]) == 0)
            check_schema(a, before, ctx);
        snprintf(ctx, sizeof ctx, "up %lld again", (long long)cm->m->version);
        if (!failures && apply_dir(&cm->up[D]) == 0)
            check_schema(a, cm->after, ctx);
    }
    if (!failures) {
        char file[4096];
        snprintf(file, sizeof file, "%s/../check.sql", argv[2]);
        run_checks(file);
        snprintf(file, sizeof file, "%s/../check.%s.sql", argv[2], D == MIGC_SQLITE ? "sqlite" : "postgres");
        run_checks(file);
    }
    for (uint32_t i = p->n; i-- > 0 && !failures;) {
        const cg_migration *cm = &p->migs[i];
        if (cm->irreversible) {
            printf("note: %lld is irreversible; full down stops there\n", (long long)cm->m->version);
            break;
        }
        snprintf(ctx, sizeof ctx, "down %lld", (long long)cm->m->version);
        if (apply_dir(&cm->down[D]) == 0)
            check_schema(a, i ? p->migs[i - 1].after : NULL, ctx);
    }
    /* Back at an empty schema: `migc schema` (head) must build the same. */
    bool reversible = true;
    for (uint32_t i = 0; i < p->n; i++) {
        reversible &= !p->migs[i].irreversible;
        for (uint32_t j = 0; j < p->migs[i].m->nstmts; j++)
            reversible &= p->migs[i].m->stmts[j]->kind != S_RAW_SQL; /* raw SQL is not in the schema */
    }
    if (!failures && reversible && p->n) {
        const catalog *head = p->migs[p->n - 1].after;
        if (exec_sql(export_schema_ddl(a, head, D)) == 0)
            check_schema(a, head, "migc schema at head");
        if (!failures)
            printf("ok: migc schema at head builds the catalog's schema\n");
    }
    if (lite)
        sqlite3_close(lite);
    if (pg)
        PQfinish(pg);
    if (admin) {
        char sql[256];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", dbname);
        PQclear(PQexec(admin, sql));
        PQfinish(admin);
    }
    if (!failures)
        printf("ok: %u migrations on %s\n", p->n, argv[1]);
    arena_free(a);
    return failures ? 1 : 0;
}
