/* migc/migc.h: the runtime's public C API (DESIGN §5).
 *
 * The engine that a generated binary's command line drives, as a library:
 * open a database (or wrap the application's own PGconn * / sqlite3 *),
 * then up, down, status, check_head, verify, baseline, repair. Library code
 * never exits and prints only to the FILE * it is given (NULL: silent).
 * A handle belongs to one thread at a time; separate handles are independent.
 *
 * Results are enum migc_rc values, which are also the generated binary's
 * exit codes. After a failure migc_errmsg() says what happened and what to
 * do, in one or more lower-case lines, never with a password in it.
 *
 *   migc *m;
 *   if (migc_open(&m, &app_migrations, getenv("DATABASE_URL"), NULL) != MIGC_OK)
 *       fprintf(stderr, "%s\n", migc_errmsg(m));
 *   else if (migc_up(m, NULL) != MIGC_OK) ...
 *   migc_close(m);
 */
#ifndef MIGC_MIGC_H
#define MIGC_MIGC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "migc/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct migc migc;   /* one connection to one database, for one plan */
struct sqlite3;             /* sqlite3.h */
struct pg_conn;             /* libpq-fe.h: PGconn */

enum migc_rc {
    MIGC_OK = 0,
    MIGC_REFUSED = 1,     /* refused, drift, or a migration failed */
    MIGC_USAGE = 2,       /* bad arguments, unknown URL, dialect not built */
    MIGC_IO = 3,          /* connection, I/O or internal failure (incl. out of memory) */
    MIGC_LOCK_WAIT = 4    /* the migration lock was not free within lock_wait_ms */
};

struct migc_options {
    const char *history_table;   /* default "migc_schema_history" */
    const char *schema;          /* PostgreSQL: the schema to work in; NULL: current */
    int64_t lock_wait_ms;        /* default 15 min */
    int64_t lock_timeout_ms;     /* PostgreSQL DDL lock_timeout; default 5 s */
    unsigned ddl_tries;          /* tries of a step that hit a lock timeout; default 4 */
    bool create;                 /* SQLite: create a missing database file */
    FILE *log;                   /* reports (applied migrations, retries); NULL: silent */
    bool progress;               /* show backfill progress on log (a terminal) */
};
/* Fills o with the defaults above. */
void migc_options_init(struct migc_options *o);

/* Connects to url (postgres://, postgresql://, libpq keyword string,
 * sqlite:PATH, sqlite://PATH, file: URI) for plan, with opts (NULL:
 * defaults). *out is always set (NULL only when out of memory) and must be
 * released with migc_close, also on failure, when migc_errmsg(*out) says
 * why and every other call on it fails with the same rc (even when the
 * connection was made and only opts->schema failed). Nothing is created in
 * the database, and no SQLite file unless opts->create. */
enum migc_rc migc_open(migc **out, const struct migc_plan *plan, const char *url,
                       const struct migc_options *opts);
/* The same over the application's own connection, borrowed: migc_close
 * leaves it open. The plan must have been built with that dialect. */
enum migc_rc migc_wrap_sqlite(migc **out, const struct migc_plan *plan, struct sqlite3 *db,
                              const struct migc_options *opts);
enum migc_rc migc_wrap_pg(migc **out, const struct migc_plan *plan, struct pg_conn *conn,
                          const struct migc_options *opts);
/* Releases the handle and its lock; NULL is a no-op. */
void migc_close(migc *m);
/* The last failure's message ("" if none); valid until the next call on m.
 * Accepts NULL (then: "out of memory"). */
const char *migc_errmsg(const migc *m);

struct migc_up_options {
    int64_t to;                  /* apply up to and including this version; 0: all */
    bool dry_run;                /* print the SQL it would run to out, change nothing */
    bool single_transaction;     /* everything pending in one transaction */
    bool out_of_order;           /* allow pending versions older than an applied one */
    FILE *out;                   /* dry run output (NULL: stdout) */
};
enum migc_rc migc_up(migc *m, const struct migc_up_options *o);

struct migc_down_options {
    unsigned steps;              /* revert this many (default 1) */
    bool has_to;                 /* revert down to `to` (it stays applied; 0: all) */
    int64_t to;
    bool dry_run;
    bool allow_data_loss;        /* needed for a down with a data-loss mark */
    FILE *out;                   /* dry run output (NULL: stdout) */
};
enum migc_rc migc_down(migc *m, const struct migc_down_options *o);

enum migc_state {
    MIGC_PENDING = 0,            /* in the plan, not in the database */
    MIGC_APPLIED,
    MIGC_BASELINE,
    MIGC_PARTIAL,                /* applying:K/N or reverting:K/N */
    MIGC_CHANGED,                /* applied, with another checksum */
    MIGC_UNKNOWN                 /* in the database, not in the plan */
};

struct migc_status_entry {
    int64_t version;
    char *description;
    enum migc_state state;
    char *raw_state;             /* the history row's state text; NULL if pending */
    char *applied_at;            /* NULL if pending */
    int64_t execution_ms;
    char *progress;              /* a backfill's last key, or NULL */
};
struct migc_status {
    unsigned n;
    struct migc_status_entry *entries;   /* ascending versions */
    int64_t current;             /* greatest applied (or baseline) version, 0 if none */
    int64_t head;                /* the plan's greatest version, 0 if none */
    unsigned pending, changed, unknown, partial;
};
/* Reads the history (without taking the lock; no history table: everything
 * pending). Release *out with migc_status_free. */
enum migc_rc migc_status(migc *m, struct migc_status *out);
void migc_status_free(struct migc_status *s);

enum migc_head {
    MIGC_HEAD_AT = 0,            /* the database is at the plan's head version */
    MIGC_HEAD_BEHIND = 1,        /* migrations are pending */
    MIGC_HEAD_AHEAD = 2          /* the database has versions this build does not know */
};
enum migc_rc migc_check_head(migc *m, enum migc_head *where);

/* Checksums, then the live schema against the plan's schema of the last
 * applied version; each difference is written to report as one line.
 * MIGC_REFUSED when anything differs. */
enum migc_rc migc_verify(migc *m, FILE *report);
/* Records every version <= v as 'baseline'; refused if history has rows. */
enum migc_rc migc_baseline(migc *m, int64_t v);
/* Clears what a failed non-transactional step left (a partial state row,
 * an INVALID index) and, with accept_checksum, writes the binary's checksum
 * for version v. Reports what it did to report. */
enum migc_rc migc_repair(migc *m, bool accept_checksum, int64_t v, FILE *report);

/* Offline: the whole plan's up (or down, from head to empty) SQL for
 * dialect d, to out. MIGC_USAGE if the plan lacks that dialect. */
enum migc_rc migc_write_sql(const struct migc_plan *plan, enum migc_dialect d, bool down, FILE *out);

/* The generated binary's command line (DESIGN §5): a generated main() is
 * `return migc_main(&NAME, argc, argv);`. Returns the exit code. */
int migc_main(const struct migc_plan *plan, int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
