/* driver.h: the internal interface between the engine and a database driver.
 *
 * Each dialect has one driver, in its own static library
 * (migc_driver_sqlite: driver_sqlite.c; migc_driver_postgres: driver_pg.c),
 * exporting one constant vtable: `migc_driver_sqlite` or
 * `migc_driver_postgres` (declared in migc/plan.h). The engine never names
 * them: a generated plan points at the drivers of its dialects
 * (struct migc_plan.drivers), so a binary links exactly those libraries and
 * a SQLite-only binary never links libpq.
 *
 * Ownership: a driver handle (struct migc_drv, opaque, defined by each
 * driver) is created by open() or wrap() and released by close(). A wrapped
 * native connection is borrowed: close() leaves it open. Every result a
 * driver hands out (rows, schemas, saved objects, strings) is malloc'd and
 * released with the matching free function below (migc_rows_free, …, which
 * live in the runtime library, so drivers link migc_runtime, never the other
 * way round).
 *
 * Errors: every function that can fail returns enum migc_drv_rc; on failure
 * the driver keeps a lower-case, one-line message (without the "error:"
 * prefix) that errmsg() returns until the next call on that handle.
 * Messages never contain a password (a driver redacts its URL before quoting
 * it). No driver function prints, sleeps longer than asked, or exits.
 *
 * Parameters in SQL are positional: the engine writes them with the
 * driver's param_prefix ("$" for PostgreSQL: $1, $2; "?" for SQLite: ?1, ?2).
 * Values travel as text; NULL means SQL NULL. */
#ifndef MIGC_DRIVER_H
#define MIGC_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "migc/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

struct migc_drv;    /* a driver's connection handle; each driver defines it */

enum migc_drv_rc {
    MIGC_DRV_OK = 0,
    MIGC_DRV_ERROR = 1,        /* the statement or operation failed; errmsg() says why */
    MIGC_DRV_LOCK_TIMEOUT = 2, /* lock_acquire: wait_ms passed without the lock */
    MIGC_DRV_CONNECTION = 3    /* cannot connect / open, or the connection is gone */
};

/* Options for open(). */
struct migc_drv_open_opts {
    /* SQLite: create the database file if it does not exist (only `up` and
     * `baseline` ask for it). Without it a missing file is MIGC_DRV_CONNECTION
     * with a message naming the path. PostgreSQL ignores it. */
    bool create;
    /* SQLite: busy timeout for each transaction (sqlite3_busy_timeout), ms. */
    int64_t busy_timeout_ms;
};

/* Rows of a query, every value as text. cells[r * ncols + c]; NULL is SQL
 * NULL. Release with migc_rows_free (which also accepts a zeroed struct). */
struct migc_rows {
    unsigned nrows;
    unsigned ncols;
    char **cells;
};
void migc_rows_free(struct migc_rows *rows);
/* The value at (row, col), or NULL for SQL NULL or out of range. */
const char *migc_rows_get(const struct migc_rows *rows, unsigned row, unsigned col);

/* The live schema, as introspected for `verify`. Same spelling conventions
 * as struct migc_schema_desc in migc/plan.h (PostgreSQL types as
 * format_type() prints them; SQLite types as declared). Tables of the
 * current schema only, without the history table and without internal
 * tables (sqlite_%). indexes: indexes that no constraint owns (on SQLite:
 * sqlite_schema indexes with SQL text, i.e. CREATE INDEX ones; on
 * PostgreSQL valid ones only: an INVALID index is not there), by name.
 * constraints: named constraints (PK, UNIQUE, CHECK, FK; on SQLite the
 * `CONSTRAINT name` clauses of the CREATE TABLE text), by name. Lists are
 * sorted by name (strcmp), columns in table order. Release with
 * migc_live_schema_free. */
struct migc_live_column {
    char *name;
    char *type;
    bool not_null;
    bool has_default;
};
struct migc_live_table {
    char *name;
    unsigned ncolumns;
    struct migc_live_column *columns;
    unsigned nindexes;
    char **indexes;
    unsigned nconstraints;
    char **constraints;
};
struct migc_live_schema {
    unsigned ntables;
    struct migc_live_table *tables;
};
void migc_live_schema_free(struct migc_live_schema *schema);

/* Objects a SQLite rebuild must carry over (triggers and views raw SQL made,
 * which the catalog does not know): their names, types and CREATE text, in
 * creation order. Release with migc_saved_free. */
struct migc_saved_object {
    char *type;    /* "trigger" | "view" */
    char *name;
    char *sql;
};
struct migc_saved {
    unsigned n;
    struct migc_saved_object *objects;
};
void migc_saved_free(struct migc_saved *saved);

struct migc_driver {
    enum migc_dialect dialect;
    const char *name;             /* "postgres" | "sqlite", for messages */
    const char *param_prefix;     /* "$" or "?" */

    /* Does this driver take url? (PostgreSQL: postgres://, postgresql://,
     * or a libpq keyword string; SQLite: sqlite:, file:.) Pure. */
    bool (*accepts_url)(const char *url);

    /* Connects. On success *out is a new handle. On failure *out is NULL,
     * the return is MIGC_DRV_CONNECTION (or MIGC_DRV_ERROR) and, when errbuf
     * is not NULL, a message (password-free) is written there. */
    enum migc_drv_rc (*open)(const char *url, const struct migc_drv_open_opts *opts,
                             struct migc_drv **out, char *errbuf, unsigned errbuf_size);
    /* Wraps an application's own connection (PGconn * / sqlite3 *), borrowed:
     * close() does not close it. Fails only on allocation failure. */
    enum migc_drv_rc (*wrap)(void *native, const struct migc_drv_open_opts *opts,
                             struct migc_drv **out);
    /* Releases the handle (rolls back an open transaction, releases a held
     * migration lock, closes an owned connection). NULL is a no-op. */
    void (*close)(struct migc_drv *d);
    /* The last error message; "" when none. Valid until the next call. */
    const char *(*errmsg)(struct migc_drv *d);

    /* Runs SQL text that may hold several statements, without results. */
    enum migc_drv_rc (*exec)(struct migc_drv *d, const char *sql);
    /* Runs one statement with nparams text parameters; fills *out (which may
     * be NULL to discard rows). On failure *out is zeroed. */
    enum migc_drv_rc (*query)(struct migc_drv *d, const char *sql, unsigned nparams,
                              const char *const *params, struct migc_rows *out);

    /* Transactions. SQLite begins with BEGIN IMMEDIATE (the busy timeout of
     * the open options applies). */
    enum migc_drv_rc (*begin)(struct migc_drv *d);
    enum migc_drv_rc (*commit)(struct migc_drv *d);
    /* Never makes things worse: without an open transaction it is a no-op. */
    enum migc_drv_rc (*rollback)(struct migc_drv *d);

    /* The migration lock, held for the whole run. key names what is locked
     * (the history table, schema-qualified when a schema was given); the
     * driver derives its lock from it (PostgreSQL: a hash for
     * pg_try_advisory_lock, polled; SQLite: flock on "<db>-migc.lock", polled;
     * an in-memory SQLite database needs no lock). Polls for at most wait_ms
     * (0: try once): MIGC_DRV_LOCK_TIMEOUT when it expires. */
    enum migc_drv_rc (*lock_acquire)(struct migc_drv *d, const char *key, int64_t wait_ms);
    enum migc_drv_rc (*lock_release)(struct migc_drv *d);

    /* begin, for a transaction that runs DDL: PostgreSQL sends BEGIN and
     * SET LOCAL lock_timeout = '<ms>ms' in one message (one round trip per
     * migration less). NULL for SQLite, whose begin is used instead. */
    enum migc_drv_rc (*begin_ddl)(struct migc_drv *d, int64_t lock_timeout_ms);
    /* Was the last failure a lock timeout (PostgreSQL SQLSTATE 55P03)? The
     * engine retries such a step with back-off. */
    bool (*last_error_is_lock_timeout)(struct migc_drv *d);
    /* Is the connection gone (the engine exits 3 instead of 1)? */
    bool (*connection_lost)(struct migc_drv *d);

    /* PostgreSQL --schema: makes schema the current schema of the session
     * (search_path), so migrations and the history table live there. NULL
     * for SQLite (the engine refuses --schema there). */
    enum migc_drv_rc (*set_schema)(struct migc_drv *d, const char *schema);

    /* Does a table of that name exist in the current schema? */
    enum migc_drv_rc (*table_exists)(struct migc_drv *d, const char *table, bool *exists);
    /* The CREATE TABLE IF NOT EXISTS text of the history table (DESIGN §5:
     * version BIGINT PRIMARY KEY, description TEXT, checksum TEXT, applied_at
     * TIMESTAMPTZ (SQLite: TEXT, UTC), execution_ms BIGINT, state TEXT,
     * progress TEXT, migc_version TEXT) for the already-quoted table name.
     * malloc'd; NULL on allocation failure. */
    char *(*history_ddl)(const char *quoted_table);
    /* SQL expression for the current time as stored in applied_at
     * (PostgreSQL: now(); SQLite: UTC ISO-8601 text). */
    const char *now_sql;

    /* Introspects the current schema for `verify`; skip_table (the history
     * table) is left out. */
    enum migc_drv_rc (*introspect)(struct migc_drv *d, const char *skip_table,
                                   struct migc_live_schema *out);

    /* PostgreSQL: does an index of that (unquoted) name exist in the current
     * schema, and is it INVALID (a failed CREATE INDEX CONCURRENTLY left it)?
     * A resumed step drops an invalid one (drop_index: DROP INDEX
     * CONCURRENTLY IF EXISTS, outside a transaction) and rebuilds it, and
     * skips the build when a valid one exists. NULL for SQLite. */
    enum migc_drv_rc (*index_state)(struct migc_drv *d, const char *index, bool *exists,
                                    bool *invalid);
    enum migc_drv_rc (*drop_index)(struct migc_drv *d, const char *index);

    /* SQLite rebuilds (NULL on PostgreSQL). Outside a transaction:
     * foreign_keys_off turns the pragma off and reports whether it was on;
     * foreign_keys_restore turns it back on when was_on. Inside:
     * foreign_key_check fails (MIGC_DRV_ERROR, naming table, rowid and parent)
     * if PRAGMA foreign_key_check(table) (table NULL: all) returns rows.
     * save_dependents reads the triggers on the given tables and every view
     * from sqlite_schema and drops them; restore_dependents re-creates
     * them in their original order. */
    enum migc_drv_rc (*foreign_keys_off)(struct migc_drv *d, bool *was_on);
    enum migc_drv_rc (*foreign_keys_restore)(struct migc_drv *d, bool was_on);
    enum migc_drv_rc (*foreign_key_check)(struct migc_drv *d, const char *table);
    enum migc_drv_rc (*save_dependents)(struct migc_drv *d, const char *const *tables,
                                        unsigned ntables, struct migc_saved *out);
    enum migc_drv_rc (*restore_dependents)(struct migc_drv *d, const struct migc_saved *saved);

    /* Optional (NULL: unknown): rows changed by the last successful query()
     * (an UPDATE), for the backfill progress display. */
    int64_t (*changes)(struct migc_drv *d);
};

/* Helpers shared by both drivers (in migc_runtime). */
/* Double-quotes an identifier ("" doubled); malloc'd, NULL on OOM. */
char *migc_quote_ident(const char *name);
/* Copies url with any password replaced by "****" (URL user:pass@ and the
 * keyword form password=...). malloc'd, NULL on OOM. */
char *migc_redact_url(const char *url);
/* The file a sqlite:PATH or sqlite://PATH URL names (verbatim, a pointer
 * into url), or NULL for any other form (file: URIs included). */
const char *migc_sqlite_url_path(const char *url);
/* The dialect a database URL's form names (enum migc_dialect), or -1 for
 * an unknown form (or NULL). Reads the text only. */
int migc_url_dialect(const char *url);
/* Concatenates a migc_sql's parts; malloc'd, NULL on OOM. */
char *migc_sql_text(const struct migc_sql *sql);
/* Sleeps ms milliseconds (nanosleep; resumes after signals). */
void migc_sleep_ms(int64_t ms);
/* Monotonic clock in ms. */
int64_t migc_now_ms(void);

#ifdef __cplusplus
}
#endif

#endif
