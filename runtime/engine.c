/* engine.c: the migc handle (migc/migc.h): choosing a driver from a URL,
 * opening or wrapping a connection, the last error, the report log and the
 * migration lock. See engine.h for the module map. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* Fills o with the documented defaults. */
void migc_options_init(struct migc_options *o)
{
    memset(o, 0, sizeof *o);
    o->history_table = "migc_schema_history";
    o->schema = NULL;
    o->lock_wait_ms = 15 * 60 * 1000;
    o->lock_timeout_ms = 5000;
    o->ddl_tries = 4;
}

/* vsnprintf into a fresh malloc'd string; NULL on OOM. */
static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

/* printf into a fresh malloc'd string; NULL on OOM (engine.h). */
char *engine_format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    return s;
}

/* Replaces m->err with the formatted message (NULL on OOM, which
 * migc_errmsg reads as "out of memory"); returns rc unchanged. */
enum migc_rc engine_fail(migc *m, enum migc_rc rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    free(m->err);
    m->err = s;   /* NULL reads as "out of memory" */
    return rc;
}

/* The formatted message + ": " + the driver's message. Returns MIGC_IO when
 * the driver reports a lost connection or an allocation failure, else rc. */
enum migc_rc engine_fail_drv(migc *m, enum migc_rc rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *head = vformat(fmt, ap);
    va_end(ap);
    const char *dm = m->drv && m->h ? m->drv->errmsg(m->h) : "";
    if (m->drv && m->h && m->drv->connection_lost && m->drv->connection_lost(m->h))
        rc = MIGC_IO;
    /* Both drivers say "out of memory" (last) for an allocation failure:
     * an internal failure (migc.h), never a refusal or a failed migration. */
    size_t dn = strlen(dm), oom = sizeof "out of memory" - 1;
    if (dn >= oom && !strcmp(dm + dn - oom, "out of memory"))
        rc = MIGC_IO;
    free(m->err);
    m->err = NULL;
    if (!head)
        return rc;
    size_t n = strlen(head) + strlen(dm) + 3;
    m->err = malloc(n);
    if (m->err)
        snprintf(m->err, n, "%s%s%s", head, *dm ? ": " : "", dm);
    free(head);
    return rc;
}

/* One report line on opts.log; nothing without a log. */
void engine_log(migc *m, const char *fmt, ...)
{
    if (!m->opts.log)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(m->opts.log, fmt, ap);
    va_end(ap);
    fputc('\n', m->opts.log);
    fflush(m->opts.log);
}

/* migc.h: the last failure's text; "" if none; NULL handle: out of memory. */
const char *migc_errmsg(const migc *m)
{
    if (!m)
        return "out of memory";
    return m->err ? m->err : "";
}

/* Binary search of the plan's ascending versions; NULL when absent. */
const struct migc_migration *plan_find(const struct migc_plan *p, int64_t version)
{
    unsigned lo = 0, hi = p->nmigrations;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (p->migrations[mid].version < version)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->nmigrations && p->migrations[lo].version == version ? &p->migrations[lo] : NULL;
}

/* "postgres" or "sqlite", for messages. */
static const char *dialect_name(int d)
{
    return d == MIGC_POSTGRES ? "postgres" : "sqlite";
}

/* Allocates the handle with copied options; NULL on OOM. */
static migc *handle_new(const struct migc_plan *plan, const struct migc_options *opts)
{
    migc *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->plan = plan;
    if (opts)
        m->opts = *opts;
    else
        migc_options_init(&m->opts);
    if (!m->opts.history_table || !*m->opts.history_table)
        m->opts.history_table = "migc_schema_history";
    if (!m->opts.ddl_tries)
        m->opts.ddl_tries = 1;
    m->history_table = strdup(m->opts.history_table);
    m->qhist = migc_quote_ident(m->opts.history_table);
    const char *schema = m->opts.schema ? m->opts.schema : "";
    size_t n = strlen(schema) + strlen(m->opts.history_table) + 8;
    m->lock_key = malloc(n);
    if (!m->history_table || !m->qhist || !m->lock_key) {
        migc_close(m);
        return NULL;
    }
    snprintf(m->lock_key, n, "migc:%s.%s", schema, m->opts.history_table);
    m->opts.history_table = m->history_table;
    m->opts.schema = NULL;   /* applied once, below; not kept (borrowed) */
    return m;
}

/* Picks the plan's driver for dialect d, or fails naming what was built. */
static enum migc_rc choose_driver(migc *m, int d)
{
    const struct migc_driver *drv = m->plan->drivers[d];
    if (!drv) {
        char built[64] = "";
        for (int i = 0; i < MIGC_DIALECT_COUNT; i++)
            if (m->plan->drivers[i]) {
                if (*built)
                    strcat(built, ", ");
                strcat(built, dialect_name(i));
            }
        return engine_fail(m, MIGC_USAGE,
                           "this binary was built without %s support (its dialects: %s); "
                           "rebuild it with DIALECTS %s",
                           dialect_name(d), *built ? built : "none", dialect_name(d));
    }
    m->dialect = (enum migc_dialect)d;
    m->drv = drv;
    return MIGC_OK;
}

/* Applies --schema after connecting (PostgreSQL only). */
static enum migc_rc apply_schema(migc *m, const char *schema)
{
    if (!schema || !*schema)
        return MIGC_OK;
    if (!m->drv->set_schema)
        return engine_fail(m, MIGC_USAGE, "--schema is for PostgreSQL; %s has no schemas",
                           m->drv->name);
    if (m->drv->set_schema(m->h, schema))
        return engine_fail_drv(m, MIGC_IO, "cannot use schema '%s'", schema);
    return MIGC_OK;
}

/* migc.h. Picks the dialect from the URL (never naming a driver: the plan
 * supplies it), opens, then applies --schema. *out is set even on failure. */
static enum migc_rc open_url(migc *m, const char *url, const struct migc_options *opts);

enum migc_rc migc_open(migc **out, const struct migc_plan *plan, const char *url,
                       const struct migc_options *opts)
{
    migc *m = *out = handle_new(plan, opts);
    if (!m)
        return MIGC_IO;
    enum migc_rc rc = open_url(m, url, opts);
    if (rc)
        m->open_rc = rc;   /* later calls on m answer with it (engine_ready) */
    return rc;
}

/* migc_open's work on the fresh handle m. */
static enum migc_rc open_url(migc *m, const char *url, const struct migc_options *opts)
{
    if (!url || !*url)
        return engine_fail(m, MIGC_USAGE,
                           "no database given: pass --database URL or set DATABASE_URL");
    int d = migc_url_dialect(url);
    if (d < 0) {
        /* Quote only what cannot hold a password: a URL of an unknown
         * shape ("jdbc:postgresql://u:pw@h", "u:pw@h/db") defeats
         * migc_redact_url, so anything with ':' or '@' is shown up to its
         * first ':' (its scheme) and a plain name (a file) as it is. */
        size_t shown = strcspn(url, ":@");
        const char *more = "";
        if (url[shown] == ':') {
            shown++;   /* "scheme:" */
            more = "...";
        } else if (url[shown] == '@') {
            shown = 0;
            more = "...";
        }
        engine_fail(m, MIGC_USAGE,
                    "unrecognised database url '%.*s%s': use postgres://..., postgresql://..., "
                    "a libpq keyword string, sqlite:PATH or file:URI",
                    (int)shown, url, more);
        return MIGC_USAGE;
    }
    enum migc_rc rc = choose_driver(m, d);
    if (rc)
        return rc;
    if (opts && opts->schema && *opts->schema && !m->drv->set_schema)
        return engine_fail(m, MIGC_USAGE, "--schema is for PostgreSQL; %s has no schemas",
                           m->drv->name);
    struct migc_drv_open_opts oo = {.create = m->opts.create,
                                    .busy_timeout_ms = m->opts.lock_wait_ms};
    char buf[1024] = "";
    enum migc_drv_rc drc = m->drv->open(url, &oo, &m->h, buf, sizeof buf);
    if (drc != MIGC_DRV_OK)
        return engine_fail(m, drc == MIGC_DRV_CONNECTION ? MIGC_IO : MIGC_USAGE, "%s",
                           *buf ? buf : "cannot connect");
    return apply_schema(m, opts ? opts->schema : NULL);
}

static enum migc_rc wrap_native(migc *m, int d, void *native, const struct migc_options *opts);

/* Shared by the two wrap functions; a failure's rc is kept as migc_open's. */
static enum migc_rc wrap(migc **out, const struct migc_plan *plan, int d, void *native,
                         const struct migc_options *opts)
{
    migc *m = *out = handle_new(plan, opts);
    if (!m)
        return MIGC_IO;
    enum migc_rc rc = wrap_native(m, d, native, opts);
    if (rc)
        m->open_rc = rc;
    return rc;
}

/* wrap's work on the fresh handle m. */
static enum migc_rc wrap_native(migc *m, int d, void *native, const struct migc_options *opts)
{
    if (!native)
        return engine_fail(m, MIGC_USAGE, "no connection given to wrap");
    enum migc_rc rc = choose_driver(m, d);
    if (rc)
        return rc;
    struct migc_drv_open_opts oo = {.create = false, .busy_timeout_ms = m->opts.lock_wait_ms};
    enum migc_drv_rc drc = m->drv->wrap(native, &oo, &m->h);
    if (drc == MIGC_DRV_CONNECTION)
        return engine_fail(m, MIGC_IO, "the %s connection given to wrap is not connected: "
                           "connect it (and check its status) before handing it to migc",
                           m->drv->name);
    if (drc != MIGC_DRV_OK)
        return engine_fail(m, MIGC_IO, "out of memory");
    return apply_schema(m, opts ? opts->schema : NULL);
}

/* migc.h: a borrowed sqlite3 *. */
enum migc_rc migc_wrap_sqlite(migc **out, const struct migc_plan *plan, struct sqlite3 *db,
                              const struct migc_options *opts)
{
    return wrap(out, plan, MIGC_SQLITE, db, opts);
}

/* migc.h: a borrowed PGconn *. */
enum migc_rc migc_wrap_pg(migc **out, const struct migc_plan *plan, struct pg_conn *conn,
                          const struct migc_options *opts)
{
    return wrap(out, plan, MIGC_POSTGRES, conn, opts);
}

/* migc.h: releases the lock, the connection (unless borrowed) and m. */
void migc_close(migc *m)
{
    if (!m)
        return;
    if (m->h) {
        engine_unlock(m);
        m->drv->close(m->h);
    }
    free(m->history_table);
    free(m->qhist);
    free(m->lock_key);
    free(m->err);
    free(m);
}

/* Takes the migration lock once per handle; MIGC_LOCK_WAIT when another
 * migrator keeps it past lock_wait_ms, MIGC_IO on other failures. */
enum migc_rc engine_lock(migc *m)
{
    if (m->locked)
        return MIGC_OK;
    enum migc_drv_rc rc = m->drv->lock_acquire(m->h, m->lock_key, m->opts.lock_wait_ms);
    if (rc == MIGC_DRV_LOCK_TIMEOUT)
        return engine_fail_drv(m, MIGC_LOCK_WAIT,
                               "another migrator is running (waited %lld ms, --lock-wait); "
                               "try again when it has finished",
                               (long long)m->opts.lock_wait_ms);
    if (rc != MIGC_DRV_OK)
        return engine_fail_drv(m, MIGC_IO, "cannot take the migration lock");
    m->locked = true;
    return MIGC_OK;
}

/* Releases the migration lock if held; cannot fail. */
void engine_unlock(migc *m)
{
    if (m->locked) {
        m->drv->lock_release(m->h);
        m->locked = false;
    }
}

/* Checks that a handle is usable for a database command. */
enum migc_rc engine_ready(migc *m)
{
    if (!m)
        return MIGC_IO;
    if (m->open_rc)   /* even connected: --schema may have failed after connecting */
        return m->open_rc;
    if (!m->h)
        return engine_fail(m, MIGC_USAGE, "not connected");
    return MIGC_OK;
}
