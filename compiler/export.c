/* export.c: `migc sql` — the compiled steps as SQL scripts for people who
 * apply migrations with other tools (DESIGN §3, §4).
 *
 * plain: one script (standard output or the file -o names); each
 *   transactional step in BEGIN/COMMIT, SQLite rebuilds inside
 *   PRAGMA foreign_keys=OFF/ON with a foreign_key_check before COMMIT,
 *   batched backfills as one UPDATE.
 * golang-migrate: DIR/<stem>.up.sql and .down.sql; refuses a migration with
 *   a non-transactional step (the tool sends a file as one multi-statement
 *   query, in which CREATE INDEX CONCURRENTLY fails).
 * flyway: DIR/V<version>__<slug>.sql and U<version>__<slug>.sql, plus
 *   V….sql.conf with executeInTransaction=false where needed.
 * dbmate: DIR/<stem>.sql with `-- migrate:up` / `-- migrate:down` sections,
 *   `transaction:false` where a direction has a non-transactional step.
 * The tools run each file in their own transaction, so the layouts carry no
 * BEGIN/COMMIT; that makes SQLite's PRAGMA foreign_keys a no-op (docs). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "emit.h"

/* Appends sql and a terminating ";" unless it already ends with one. */
static void put_stmt(strbuf *b, const char *sql)
{
    size_t n = strlen(sql);
    while (n && (sql[n - 1] == ' ' || sql[n - 1] == '\n' || sql[n - 1] == '\t' || sql[n - 1] == '\r'))
        n--;
    sb_putn(b, sql, n);
    if (!n || sql[n - 1] != ';')
        sb_putc(b, ';');
    sb_putc(b, '\n');
}

/* Is sql the rename that ends a SQLite table rebuild (steps.c)? */
static bool is_rebuild_rename(const char *sql)
{
    return !strncmp(sql, "ALTER TABLE _migc_new_", 22) || !strncmp(sql, "ALTER TABLE \"_migc_new_", 23);
}

const char *export_script(arena *a, dialect d, const cg_dir *dir, bool transactions)
{
    strbuf b;
    sb_init(&b, a);
    for (size_t k = 0; k < dir->steps.n; k++) {
        const cg_step *st = dir->steps.items[k];
        bool rebuild = d == MIGC_SQLITE && st->rebuilt.n;
        switch (st->kind) {
        case MIGC_STEP_TRANSACTION:
            if (rebuild)
                sb_puts(&b, "PRAGMA foreign_keys = OFF;\n");
            if (transactions)
                sb_puts(&b, "BEGIN;\n");
            for (size_t i = 0; i < st->stmts.n; i++) {
                /* A script has no runtime to save and re-create views around a
                 * rebuild: the legacy rename keeps them (they name the table). */
                bool swap = rebuild && is_rebuild_rename(st->stmts.items[i]);
                if (swap)
                    sb_puts(&b, "PRAGMA legacy_alter_table = ON;\n");
                put_stmt(&b, st->stmts.items[i]);
                if (swap)
                    sb_puts(&b, "PRAGMA legacy_alter_table = OFF;\n");
            }
            for (size_t i = 0; rebuild && i < st->rebuilt.n; i++)
                sb_printf(&b, "PRAGMA foreign_key_check(%s);\n", sql_ident(a, d, st->rebuilt.items[i]));
            if (transactions)
                sb_puts(&b, "COMMIT;\n");
            if (rebuild)
                sb_puts(&b, "PRAGMA foreign_keys = ON;\n");
            break;
        case MIGC_STEP_NO_TRANSACTION:
            sb_puts(&b, "-- not in a transaction\n");
            for (size_t i = 0; i < st->stmts.n; i++)
                put_stmt(&b, st->stmts.items[i]);
            break;
        case MIGC_STEP_BACKFILL:
            sb_printf(&b, "-- backfill (batches of %u when migc runs it)\n", st->bf->batch_size);
            if (transactions)
                sb_puts(&b, "BEGIN;\n");
            put_stmt(&b, st->bf->whole);
            if (transactions)
                sb_puts(&b, "COMMIT;\n");
            break;
        }
    }
    return sb_str(&b);
}

/* Does dir have a step that must run outside a transaction? */
static bool non_transactional(const cg_dir *dir)
{
    for (size_t k = 0; k < dir->steps.n; k++)
        if (((const cg_step *)dir->steps.items[k])->kind == MIGC_STEP_NO_TRANSACTION)
            return true;
    return false;
}

/* The file's stem "<version>_<slug>" as written (keeps zero padding). */
static const char *stem(arena *a, const migration *m)
{
    const char *path = m->src ? m->src->path : NULL;
    if (path) {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        size_t n = strlen(base);
        if (n > 4 && !strcmp(base + n - 4, ".mig"))
            return arena_strndup(a, base, n - 4);
    }
    return arena_printf(a, "%lld_%s", (long long)m->version, m->slug);
}

/* The version digits as written in the file name. */
static const char *version_text(arena *a, const migration *m)
{
    const char *s = stem(a, m), *u = strchr(s, '_');
    return u ? arena_strndup(a, s, (size_t)(u - s)) : s;
}

/* Writes DIR/FILE atomically; returns a cli.h exit code (message printed). */
static int write_out(arena *a, const char *dir, const char *file, const char *text)
{
    const char *path = arena_printf(a, "%s/%s", dir, file);
    return write_file_atomic(path, text, strlen(text)) == 0 ? EXIT_OK : EXIT_IO;
}

int export_sql(arena *a, const cg_plan *p, dialect d, export_format f, bool down, int64_t to,
               const char *out)
{
    const char *dname = d == MIGC_POSTGRES ? "postgres" : "sqlite";
    if (f == FMT_PLAIN) {
        strbuf b;
        sb_init(&b, a);
        sb_printf(&b, "-- generated by migc for %s; %s\n", dname, down ? "down, newest first" : "up");
        if (d == MIGC_SQLITE) /* as migc's runtime runs them: foreign keys enforced */
            sb_puts(&b, "PRAGMA foreign_keys = ON;\n");
        for (uint32_t j = 0; j < p->n; j++) {
            uint32_t i = down ? p->n - 1 - j : j;
            const cg_migration *cm = &p->migs[i];
            /* up: versions <= to; down --to V: revert what is above V */
            if (down ? (to != INT64_MAX && cm->m->version <= to) : cm->m->version > to)
                continue;
            if (down && cm->irreversible) {
                /* The script reverts what it can and says where it stops. */
                fprintf(stderr, "migc: warning: migration %lld (%s) is irreversible; the down script stops before it\n",
                        (long long)cm->m->version, cm->m->description);
                sb_printf(&b, "\n-- %lld %s is irreversible: the down script stops here\n",
                          (long long)cm->m->version, cm->m->description);
                break;
            }
            sb_printf(&b, "\n-- %lld %s%s\n", (long long)cm->m->version, cm->m->description,
                      down && cm->down_loses_data ? " (this down loses data)" : "");
            sb_puts(&b, export_script(a, d, down ? &cm->down[d] : &cm->up[d], true));
        }
        const char *text = sb_str(&b);
        if (!out) {
            if (fputs(text, stdout) == EOF || fflush(stdout) != 0) {
                fprintf(stderr, "migc: error: cannot write the script: %s\n", strerror(errno));
                return EXIT_IO;
            }
            return EXIT_OK;
        }
        return write_file_atomic(out, text, strlen(text)) == 0 ? EXIT_OK : EXIT_IO;
    }
    if (!out) {
        fprintf(stderr, "migc: error: --format %s writes a directory: give it with -o DIR\n",
                f == FMT_FLYWAY ? "flyway" : f == FMT_DBMATE ? "dbmate" : "golang-migrate");
        return EXIT_USAGE;
    }
    /* Check everything before writing anything. */
    if (f == FMT_GOLANG_MIGRATE) {
        unsigned bad = 0;
        for (uint32_t i = 0; i < p->n; i++) {
            const cg_migration *cm = &p->migs[i];
            if (cm->m->version <= to && (non_transactional(&cm->up[d]) || non_transactional(&cm->down[d]))) {
                fprintf(stderr,
                        "migc: error: migration %lld (%s) has a non-transactional step "
                        "(create_index … concurrently or a no_transaction sql block) that golang-migrate "
                        "cannot run: it sends a file as one multi-statement query; use --format dbmate "
                        "or flyway, or split the step out\n",
                        (long long)cm->m->version, cm->m->description);
                bad++;
            }
        }
        if (bad)
            return EXIT_INPUT;
    }
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "migc: error: cannot create directory '%s': %s\n", out, strerror(errno));
        return EXIT_IO;
    }
    int rc = EXIT_OK;
    for (uint32_t i = 0; i < p->n && rc == EXIT_OK; i++) {
        const cg_migration *cm = &p->migs[i];
        if (cm->m->version > to)
            continue;
        const char *st = stem(a, cm->m);
        const char *up = export_script(a, d, &cm->up[d], false);
        const char *dn = cm->irreversible ? NULL : export_script(a, d, &cm->down[d], false);
        switch (f) {
        case FMT_GOLANG_MIGRATE:
            rc = write_out(a, out, arena_printf(a, "%s.up.sql", st), up);
            if (rc == EXIT_OK && dn)
                rc = write_out(a, out, arena_printf(a, "%s.down.sql", st), dn);
            break;
        case FMT_FLYWAY: {
            const char *v = version_text(a, cm->m);
            rc = write_out(a, out, arena_printf(a, "V%s__%s.sql", v, cm->m->slug), up);
            if (rc == EXIT_OK && non_transactional(&cm->up[d]))
                rc = write_out(a, out, arena_printf(a, "V%s__%s.sql.conf", v, cm->m->slug),
                               "executeInTransaction=false\n");
            if (rc == EXIT_OK && dn)
                rc = write_out(a, out, arena_printf(a, "U%s__%s.sql", v, cm->m->slug), dn);
            if (rc == EXIT_OK && dn && non_transactional(&cm->down[d]))
                rc = write_out(a, out, arena_printf(a, "U%s__%s.sql.conf", v, cm->m->slug),
                               "executeInTransaction=false\n");
            break;
        }
        case FMT_DBMATE: {
            const char *text = arena_printf(
                a, "-- migrate:up%s\n%s\n-- migrate:down%s\n%s",
                non_transactional(&cm->up[d]) ? " transaction:false" : "", up,
                dn && non_transactional(&cm->down[d]) ? " transaction:false" : "",
                dn ? dn : "-- irreversible: this migration has no down\n");
            rc = write_out(a, out, arena_printf(a, "%s.sql", st), text);
            break;
        }
        default: break;
        }
    }
    return rc;
}

const char *export_schema_ddl(arena *a, const catalog *c, dialect d)
{
    strbuf b, later;
    sb_init(&b, a);
    sb_init(&later, a);
    for (uint32_t i = 0; i < c->ntables; i++) {
        const cat_table *t = c->tables[i];
        cat_table copy = *t;
        if (d == MIGC_POSTGRES) {
            copy.cons = arena_alloc(a, (t->ncons ? t->ncons : 1) * sizeof *copy.cons);
            copy.ncons = 0;
            for (uint32_t k = 0; k < t->ncons; k++) {
                cat_constraint *con = t->cons[k];
                bool forward = false;
                if (con->kind == CON_FOREIGN_KEY && strcmp(con->ref_table, t->name)) {
                    forward = true;
                    for (uint32_t j = 0; j < i; j++)
                        if (!strcmp(c->tables[j]->name, con->ref_table))
                            forward = false;
                }
                if (!forward) {
                    copy.cons[copy.ncons++] = con;
                    continue;
                }
                sb_puts(&later, "ALTER TABLE ");
                sb_ident(&later, d, t->name);
                sb_puts(&later, " ADD ");
                sb_constraint(&later, d, con);
                sb_puts(&later, ";\n\n");
            }
        }
        sb_puts(&b, sql_create_table(a, d, &copy, NULL));
        sb_puts(&b, ";\n\n");
        ptr_vec keys = {0};
        sql_readd_merged_keys(a, d, &copy, &keys);
        for (size_t k = 0; k < keys.n; k++) {
            sb_puts(&b, keys.items[k]);
            sb_puts(&b, ";\n\n");
        }
    }
    sb_puts(&b, sb_str(&later));
    for (uint32_t i = 0; i < c->nindexes; i++) {
        sb_puts(&b, sql_create_index(a, d, c->indexes[i], false));
        sb_puts(&b, ";\n\n");
    }
    return sb_str(&b);
}
