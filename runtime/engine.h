/* engine.h: internals shared by the engine's modules (not installed).
 *
 * engine.c   the handle: open/wrap/close, errors, the lock, URL dialects
 * history.c  the history table: read, write, the checks before any change,
 *            status, check_head, baseline, repair
 * steps.c    running steps: transactions with DDL retries, SQLite rebuild
 *            hooks, non-transactional steps, batched backfills; up and down
 * verify.c   verify: checksums, then live schema against the plan's
 * sqlout.c   dry-run and offline SQL text
 *
 * All state lives in struct migc; nothing is global. Functions return enum
 * migc_rc and leave the message in m->err (engine_fail). */
#ifndef MIGC_ENGINE_H
#define MIGC_ENGINE_H

#include <stdio.h>

#include "driver.h"
#include "migc/migc.h"

struct migc {
    const struct migc_plan *plan;
    enum migc_dialect dialect;
    const struct migc_driver *drv;   /* NULL until a driver was chosen */
    struct migc_drv *h;              /* NULL until connected */
    struct migc_options opts;
    char *history_table;             /* unquoted */
    char *qhist;                     /* quoted, for SQL */
    char *lock_key;
    bool locked;
    char *err;                       /* malloc'd; NULL: none */
    enum migc_rc open_rc;            /* why open/wrap failed; MIGC_OK when it did not */
};

/* One row of the history table. */
struct hist_row {
    int64_t version;
    char *description, *checksum, *applied_at, *state, *progress;
    int64_t execution_ms;
};
struct history {
    bool exists;                     /* the table exists */
    unsigned n;
    struct hist_row *rows;           /* ascending versions */
};
void history_free(struct history *h);

/* A parsed state: 'applied', 'baseline', 'applying:K/N', 'reverting:K/N'. */
enum hist_kind { HK_APPLIED, HK_BASELINE, HK_APPLYING, HK_REVERTING, HK_BAD };
enum hist_kind hist_state(const char *state, unsigned *k, unsigned *n);

/* Sets m->err from a format; returns rc. */
enum migc_rc engine_fail(migc *m, enum migc_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* engine_fail with ": <driver message>" appended; MIGC_IO when the driver
 * says the connection is gone or an allocation failed, else rc. */
enum migc_rc engine_fail_drv(migc *m, enum migc_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* printf into a fresh malloc'd string; NULL on OOM. */
char *engine_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes a report line to opts.log (if any). */
void engine_log(migc *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* MIGC_OK when m is connected; otherwise the open failure's rc (its
 * message stays in m->err). */
enum migc_rc engine_ready(migc *m);

/* Takes the migration lock (opts.lock_wait_ms); MIGC_LOCK_WAIT on expiry. */
enum migc_rc engine_lock(migc *m);
void engine_unlock(migc *m);

/* The plan's migration of that version, or NULL. */
const struct migc_migration *plan_find(const struct migc_plan *p, int64_t version);

/* history.c */
enum migc_rc history_read(migc *m, struct history *out, bool with_times);
enum migc_rc history_ensure(migc *m);
const struct hist_row *history_find(const struct history *h, int64_t version);
/* Upserts the row of mig with state (and progress, NULL for none);
 * execution_ms < 0 leaves it NULL. */
enum migc_rc history_put(migc *m, const struct migc_migration *mig, const char *state,
                         const char *progress, int64_t execution_ms);
/* The same for n migrations at once (--single-transaction), in a few
 * statements; each row gets its own execution_ms. */
enum migc_rc history_put_many(migc *m, const struct migc_migration *const *migs,
                              const int64_t *execution_ms, unsigned n, const char *state,
                              const char *progress);
enum migc_rc history_delete(migc *m, int64_t version);
/* The refusals before any change: changed checksums and unknown versions. */
enum migc_rc history_check(migc *m, const struct history *h);

/* steps.c */
/* Applies (or reverts) mig. first_step 0: a fresh start; K >= 1: resume at
 * step K as the history row records, with its backfill progress (or NULL). */
enum migc_rc steps_run(migc *m, const struct migc_migration *mig, bool down,
                       unsigned first_step, const char *progress);
/* All of migs (only transactional steps and backfills) in one transaction. */
enum migc_rc steps_single_transaction(migc *m, const struct migc_migration *const *migs,
                                      unsigned n);

/* sqlout.c: the SQL of one direction of a migration as a script. */
enum migc_rc sqlout_migration(FILE *out, const struct migc_migration *mig,
                              enum migc_dialect d, bool down, bool in_transaction);

#endif
