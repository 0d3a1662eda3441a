/* steps.c: applying and reverting migrations (DESIGN §3 steps, §5 recovery).
 *
 * A migration of transactional steps only runs in one transaction together
 * with its history row. Otherwise each step is recorded: a transactional
 * step commits with the history update that moves the state past it; a
 * non-transactional step writes 'applying:K/N' (or 'reverting:K/N') before
 * it starts; a batched backfill commits each batch with its progress. A
 * rerun resumes from the recorded state and progress.
 *
 * Transactions run under the driver's DDL lock timeout and are retried with
 * back-off on lock timeouts (opts.ddl_tries tries), each try reported. SQLite
 * steps that rebuild tables get foreign_keys off before BEGIN, triggers and
 * views carried over, and foreign_key_check before COMMIT. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"

typedef enum migc_rc (*tx_body)(migc *m, void *ctx);

/* Runs body in a transaction with retries on lock timeouts. fk_off: turn
 * SQLite foreign keys off around it. what names the work in messages. On
 * failure everything of the transaction is rolled back. */
static enum migc_rc in_transaction(migc *m, bool fk_off, const char *what, tx_body body, void *ctx)
{
    const struct migc_driver *drv = m->drv;
    bool was_on = false;
    fk_off = fk_off && drv->foreign_keys_off;
    if (fk_off && drv->foreign_keys_off(m->h, &was_on))
        return engine_fail_drv(m, MIGC_IO, "%s: cannot turn foreign keys off", what);
    enum migc_rc rc = MIGC_OK;
    int64_t backoff = 100;
    for (unsigned attempt = 1;; attempt++) {
        if (drv->begin_ddl ? drv->begin_ddl(m->h, m->opts.lock_timeout_ms) : drv->begin(m->h)) {
            rc = engine_fail_drv(m, MIGC_IO, "%s: cannot begin a transaction", what);
            drv->rollback(m->h);   /* BEGIN may have passed and SET LOCAL failed */
            break;
        }
        rc = body(m, ctx);
        if (!rc && drv->commit(m->h))
            rc = engine_fail_drv(m, MIGC_REFUSED, "%s: commit failed", what);
        if (!rc)
            break;
        bool lock_timeout = drv->last_error_is_lock_timeout && drv->last_error_is_lock_timeout(m->h);
        drv->rollback(m->h);
        if (!lock_timeout)
            break;
        if (attempt >= m->opts.ddl_tries) {
            char *msg = engine_format("%s\ngave up after %u tr%s (lock_timeout %" PRId64
                                      " ms); nothing of it was applied; retry when the "
                                      "tables are free, or raise --lock-timeout",
                                      migc_errmsg(m), attempt, attempt == 1 ? "y" : "ies",
                                      m->opts.lock_timeout_ms);
            if (msg) {
                free(m->err);
                m->err = msg;
            }
            break;
        }
        engine_log(m, "%s: lock timeout on try %u of %u; retrying in %" PRId64 " ms", what,
                   attempt, m->opts.ddl_tries, backoff);
        migc_sleep_ms(backoff);
        backoff *= 2;
    }
    if (fk_off && drv->foreign_keys_restore(m->h, was_on) && !rc)
        rc = engine_fail_drv(m, MIGC_IO, "%s: cannot turn foreign keys back on", what);
    return rc;
}

/* The first line of sql, at most 120 bytes, for messages. */
static void sql_excerpt(const char *sql, char *buf, size_t size)
{
    while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '\r')
        sql++;
    size_t n = strcspn(sql, "\n");
    if (n > 120)
        n = 120;
    if (n >= size)
        n = size - 1;
    memcpy(buf, sql, n);
    buf[n] = '\0';
}

/* Runs one SQL text, failing with the statement's first line in the message. */
static enum migc_rc run_sql(migc *m, const char *what, const struct migc_sql *s)
{
    char *text = migc_sql_text(s);
    if (!text)
        return engine_fail(m, MIGC_IO, "out of memory");
    enum migc_rc rc = MIGC_OK;
    if (m->drv->exec(m->h, text)) {
        char ex[128];
        sql_excerpt(text, ex, sizeof ex);
        rc = engine_fail_drv(m, MIGC_REFUSED, "%s failed in \"%s\"", what, ex);
    }
    free(text);
    return rc;
}

/* Runs a transactional step's statements (inside a transaction), with the
 * SQLite rebuild hooks around them. */
static enum migc_rc run_tx_step(migc *m, const char *what, const struct migc_step *st)
{
    const struct migc_driver *drv = m->drv;
    struct migc_saved saved = {0};
    bool rebuild = st->nrebuilt && drv->save_dependents;
    if (rebuild && drv->save_dependents(m->h, st->rebuilt_tables, st->nrebuilt, &saved))
        return engine_fail_drv(m, MIGC_REFUSED, "%s: cannot save triggers and views", what);
    enum migc_rc rc = MIGC_OK;
    for (unsigned i = 0; i < st->nstatements && !rc; i++)
        rc = run_sql(m, what, &st->statements[i]);
    if (!rc && rebuild && drv->restore_dependents(m->h, &saved))
        rc = engine_fail_drv(m, MIGC_REFUSED, "%s", what);
    for (unsigned i = 0; i < st->nrebuilt && !rc && drv->foreign_key_check; i++)
        if (drv->foreign_key_check(m->h, st->rebuilt_tables[i]))
            rc = engine_fail_drv(m, MIGC_REFUSED, "%s: rebuilding %s", what, st->rebuilt_tables[i]);
    migc_saved_free(&saved);
    return rc;
}

/* ---- progress of a backfill: one text value, or a JSON array of strings ---- */

/* Encodes keys as progress text; malloc'd, NULL on OOM. */
static char *progress_encode(const char *const *keys, unsigned n)
{
    if (n == 1)
        return strdup(keys[0] ? keys[0] : "");
    size_t cap = 3;
    for (unsigned i = 0; i < n; i++)
        cap += 3 + 6 * strlen(keys[i] ? keys[i] : "");
    char *out = malloc(cap), *o = out;
    if (!out)
        return NULL;
    *o++ = '[';
    for (unsigned i = 0; i < n; i++) {
        if (i)
            *o++ = ',';
        *o++ = '"';
        for (const unsigned char *p = (const unsigned char *)(keys[i] ? keys[i] : ""); *p; p++) {
            if (*p == '"' || *p == '\\') {
                *o++ = '\\';
                *o++ = (char)*p;
            } else if (*p < 0x20) {
                o += sprintf(o, "\\u%04x", *p);
            } else {
                *o++ = (char)*p;
            }
        }
        *o++ = '"';
    }
    *o++ = ']';
    *o = '\0';
    return out;
}

/* Decodes progress text into n malloc'd keys; false if malformed or OOM
 * (keys already decoded stay for free_keys). Never reads past the NUL. */
static bool progress_decode(const char *text, char **keys, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        keys[i] = NULL;
    if (n == 1)
        return (keys[0] = strdup(text)) != NULL;
    const char *p = text;
    if (*p++ != '[')
        return false;
    for (unsigned i = 0; i < n; i++) {
        if (i && *p++ != ',')
            return false;
        if (*p++ != '"')
            return false;
        char *k = malloc(strlen(p) + 1), *o = k;
        if (!k)
            return false;
        keys[i] = k;
        while (*p && *p != '"') {
            if (*p == '\\') {
                p++;
                if (*p == 'u') {
                    /* exactly four hex digits (a shorter escape at the end
                     * of the text must not move p past its NUL), of a
                     * character the encoder writes this way: 1..0x7f */
                    unsigned v = 0;
                    for (unsigned j = 1; j <= 4; j++) {
                        char h = p[j];
                        unsigned d = h >= '0' && h <= '9'   ? (unsigned)(h - '0')
                                     : h >= 'a' && h <= 'f' ? (unsigned)(h - 'a' + 10)
                                     : h >= 'A' && h <= 'F' ? (unsigned)(h - 'A' + 10)
                                                            : 16u;
                        if (d == 16u)
                            return false;
                        v = v * 16 + d;
                    }
                    if (v == 0 || v > 0x7f)
                        return false;
                    *o++ = (char)v;
                    p += 5;
                    continue;
                }
                if (!*p)
                    return false;
            }
            *o++ = *p++;
        }
        if (*p++ != '"')
            return false;
        *o = '\0';
    }
    return *p == ']' && p[1] == '\0';
}

/* Frees n keys and NULLs them; the array stays. */
static void free_keys(char **keys, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        free(keys[i]);
        keys[i] = NULL;
    }
}

/* Writes the state that follows the steps: the next partial state, or the
 * end ('applied' / row deleted). */
static enum migc_rc write_next_state(migc *m, const struct migc_migration *mig, bool down,
                                     const char *next_state, int64_t started)
{
    if (next_state)
        return history_put(m, mig, next_state, NULL, -1);
    if (down)
        return history_delete(m, mig->version);
    return history_put(m, mig, "applied", NULL, migc_now_ms() - started);
}

struct backfill_ctx {
    const struct migc_migration *mig;
    const struct migc_backfill *bf;
    const char *what;     /* "migration V (description), step K/N", for messages */
    const char *state;
    /* what follows the step, written by the transaction that ends it */
    bool down;
    const char *next_state;
    int64_t started;
    char *sql_first_bound, *sql_next_bound, *sql_first_update, *sql_next_update;
    char *sql_first_rest, *sql_next_rest;   /* NULL: the plan has none */
    char **prev;          /* nkeys; prev[0] == NULL: at the start */
    char **bound;         /* nkeys, the batch's last key */
    bool done;            /* the step is over, and its end recorded */
    bool updated;         /* this transaction updated a batch */
    int64_t batch_rows;   /* rows the last batch changed; -1: unknown */
};

/* One batch: find its last key, update it, record progress. The batch
 * that ends the step (the last, shorter one, or none when nothing is left)
 * records the state that follows the step instead, so that finishing costs
 * no commit of its own. */
static enum migc_rc backfill_batch(migc *m, void *vctx)
{
    struct backfill_ctx *c = vctx;
    const struct migc_backfill *bf = c->bf;
    unsigned nk = bf->nkeys;
    bool start = c->prev[0] == NULL, last = false;
    c->done = c->updated = false;   /* again on a retried transaction */
    struct migc_rows r;
    if (m->drv->query(m->h, start ? c->sql_first_bound : c->sql_next_bound, start ? 0 : nk,
                      (const char *const *)c->prev, &r))
        return engine_fail_drv(m, MIGC_REFUSED, "%s: backfill of %s: cannot find the next batch",
                               c->what, bf->table);
    if (r.nrows == 0 && (start ? c->sql_first_rest : c->sql_next_rest)) {
        /* fewer than a batch left: where do they end? */
        migc_rows_free(&r);
        if (m->drv->query(m->h, start ? c->sql_first_rest : c->sql_next_rest, start ? 0 : nk,
                          (const char *const *)c->prev, &r))
            return engine_fail_drv(m, MIGC_REFUSED,
                                   "%s: backfill of %s: cannot find the last batch", c->what,
                                   bf->table);
        last = true;
    }
    if (r.nrows == 0) {
        migc_rows_free(&r);
        c->done = true;
        return write_next_state(m, c->mig, c->down, c->next_state, c->started);
    }
    free_keys(c->bound, nk);
    for (unsigned i = 0; i < nk; i++) {
        const char *v = migc_rows_get(&r, 0, i);
        if (v && !(c->bound[i] = strdup(v))) {
            migc_rows_free(&r);
            return engine_fail(m, MIGC_IO, "out of memory");
        }
    }
    migc_rows_free(&r);
    const char **params = calloc(2 * nk, sizeof *params);
    if (!params)
        return engine_fail(m, MIGC_IO, "out of memory");
    unsigned np = 0;
    if (!start)
        for (unsigned i = 0; i < nk; i++)
            params[np++] = c->prev[i];
    for (unsigned i = 0; i < nk; i++)
        params[np++] = c->bound[i];
    enum migc_drv_rc drc = m->drv->query(m->h, start ? c->sql_first_update : c->sql_next_update,
                                         np, params, NULL);
    free(params);
    if (drc)
        return engine_fail_drv(m, MIGC_REFUSED, "%s: backfill of %s failed", c->what, bf->table);
    c->batch_rows = m->drv->changes ? m->drv->changes(m->h) : -1;
    c->updated = true;
    if (last) {
        c->done = true;
        return write_next_state(m, c->mig, c->down, c->next_state, c->started);
    }
    char *prog = progress_encode((const char *const *)c->bound, nk);
    if (!prog)
        return engine_fail(m, MIGC_IO, "out of memory");
    enum migc_rc rc = history_put(m, c->mig, c->state, prog, -1);
    free(prog);
    return rc;
}

/* Prints "backfill t: N rows, R rows/s, eta" on the log (a terminal). rows:
 * the rows updated so far (exact when the driver counts changes, else
 * batches times the batch size). */
static void show_progress(migc *m, const struct migc_backfill *bf, uint64_t rows,
                          int64_t total, int64_t started, bool last)
{
    if (!m->opts.progress || !m->opts.log)
        return;
    if (total >= 0 && rows > (uint64_t)total)
        rows = (uint64_t)total;
    int64_t ms = migc_now_ms() - started;
    double rate = ms > 0 ? (double)rows * 1000.0 / (double)ms : 0.0;
    fprintf(m->opts.log, "\r  backfill %s: %" PRIu64 " rows", bf->table, rows);
    if (total >= 0)
        fprintf(m->opts.log, " of %" PRId64, total);
    fprintf(m->opts.log, ", %.0f rows/s", rate);
    if (total >= 0 && rate > 0 && !last)
        fprintf(m->opts.log, ", eta %.0fs", (double)((uint64_t)total - rows) / rate);
    fputs(last ? "\n" : "   ", m->opts.log);
    fflush(m->opts.log);
}

/* Counts the rows of the table for the progress display; -1 if unknown. */
static int64_t count_rows(migc *m, const struct migc_backfill *bf)
{
    char *sql = engine_format("SELECT count(*) FROM %s", bf->table);
    struct migc_rows r;
    int64_t n = -1;
    if (sql && !m->drv->query(m->h, sql, 0, NULL, &r)) {
        const char *v = migc_rows_get(&r, 0, 0);
        n = v ? strtoll(v, NULL, 10) : -1;
        migc_rows_free(&r);
    }
    free(sql);
    return n;
}

/* Runs a batched backfill from progress (NULL: the start); its last
 * transaction records next_state (NULL: the migration is done). *batches:
 * the batches committed. */
static enum migc_rc run_backfill(migc *m, const struct migc_migration *mig, const char *what,
                                 const struct migc_backfill *bf, const char *state,
                                 const char *progress, bool down, const char *next_state,
                                 int64_t started_migration, uint64_t *batches)
{
    unsigned nk = bf->nkeys ? bf->nkeys : 1;
    struct backfill_ctx c = {.mig = mig, .bf = bf, .what = what, .state = state, .down = down,
                             .next_state = next_state, .started = started_migration};
    c.prev = calloc(nk, sizeof *c.prev);
    c.bound = calloc(nk, sizeof *c.bound);
    c.sql_first_bound = migc_sql_text(&bf->first_bound);
    c.sql_next_bound = migc_sql_text(&bf->next_bound);
    c.sql_first_update = migc_sql_text(&bf->first_update);
    c.sql_next_update = migc_sql_text(&bf->next_update);
    bool has_rest = bf->first_rest.nparts && bf->next_rest.nparts;
    if (has_rest) {
        c.sql_first_rest = migc_sql_text(&bf->first_rest);
        c.sql_next_rest = migc_sql_text(&bf->next_rest);
    }
    enum migc_rc rc = MIGC_OK;
    if (!c.prev || !c.bound || !c.sql_first_bound || !c.sql_next_bound || !c.sql_first_update ||
        !c.sql_next_update || (has_rest && (!c.sql_first_rest || !c.sql_next_rest)))
        rc = engine_fail(m, MIGC_IO, "out of memory");
    else if (progress && !progress_decode(progress, c.prev, nk))
        rc = engine_fail(m, MIGC_REFUSED,
                         "%s: the recorded backfill progress '%s' is malformed; fix the row "
                         "by hand or run 'repair'", what, progress);
    int64_t total = !rc && m->opts.progress ? count_rows(m, bf) : -1;
    int64_t started = migc_now_ms();
    uint64_t rows = 0;
    *batches = 0;
    while (!rc && !c.done) {
        rc = in_transaction(m, false, what, backfill_batch, &c);
        if (rc || !c.updated)
            break;
        char **t = c.prev;   /* the batch's last key is the next batch's start */
        c.prev = c.bound;
        c.bound = t;
        free_keys(c.bound, nk);
        (*batches)++;
        rows += c.batch_rows >= 0 ? (uint64_t)c.batch_rows : bf->batch_size;
        if (!c.done)
            show_progress(m, bf, rows, total, started, false);
    }
    if (!rc && *batches)
        show_progress(m, bf, rows, total, started, true);
    if (c.prev)
        free_keys(c.prev, nk);
    if (c.bound)
        free_keys(c.bound, nk);
    free(c.prev);
    free(c.bound);
    free(c.sql_first_bound);
    free(c.sql_next_bound);
    free(c.sql_first_update);
    free(c.sql_next_update);
    free(c.sql_first_rest);
    free(c.sql_next_rest);
    return rc;
}

/* ---- one migration ---- */

struct tx_steps_ctx {
    const struct migc_migration *mig;
    const struct migc_direction *dir;
    unsigned from, to;        /* steps [from, to), 0-based */
    bool down;
    const char *next_state;   /* NULL with finish: the migration is done */
    bool finish;
    int64_t started;
    const char *what;
};

/* tx_body: steps [from, to) then the state that follows them. */
static enum migc_rc tx_steps_body(migc *m, void *vctx)
{
    struct tx_steps_ctx *c = vctx;
    enum migc_rc rc = MIGC_OK;
    for (unsigned i = c->from; i < c->to && !rc; i++)
        rc = run_tx_step(m, c->what, &c->dir->steps[i]);
    if (!rc)
        rc = write_next_state(m, c->mig, c->down, c->next_state, c->started);
    return rc;
}

/* Does any step in [from, to) rebuild a table? */
static bool any_rebuild(const struct migc_direction *dir, unsigned from, unsigned to)
{
    for (unsigned i = from; i < to; i++)
        if (dir->steps[i].nrebuilt)
            return true;
    return false;
}

/* Runs a non-transactional step k (1-based) after recording it. */
static enum migc_rc run_notx_step(migc *m, const struct migc_migration *mig, const char *what,
                                  const struct migc_step *st, const char *state, bool resumed)
{
    enum migc_rc rc;
    if (!resumed && (rc = history_put(m, mig, state, NULL, -1)))
        return rc;
    if (resumed && st->concurrent_index && m->drv->index_state) {
        bool exists = false, invalid = false;
        if (m->drv->index_state(m->h, st->concurrent_index, &exists, &invalid))
            return engine_fail_drv(m, MIGC_IO, "%s: cannot inspect index %s", what,
                                   st->concurrent_index);
        if (exists && invalid) {
            engine_log(m, "%s: dropping the invalid index %s that an interrupted build left",
                       what, st->concurrent_index);
            if (m->drv->drop_index(m->h, st->concurrent_index))
                return engine_fail_drv(m, MIGC_IO, "%s: cannot drop the invalid index %s", what,
                                       st->concurrent_index);
        } else if (exists) {
            return MIGC_OK;   /* the interrupted run built it; only the record was missing */
        }
    }
    for (unsigned i = 0; i < st->nstatements; i++)
        if ((rc = run_sql(m, what, &st->statements[i])))
            return rc;
    return MIGC_OK;
}

/* engine.h: one migration, fresh or resumed. A failure of a
 * non-transactional or backfill step leaves its partial state recorded and
 * says so in the message. */
enum migc_rc steps_run(migc *m, const struct migc_migration *mig, bool down,
                       unsigned first_step, const char *progress)
{
    const struct migc_direction *dir = down ? &mig->down[m->dialect] : &mig->up[m->dialect];
    unsigned n = dir->nsteps;
    const char *verb = down ? "reverting" : "applying";
    int64_t started = migc_now_ms();
    bool all_tx = true;
    for (unsigned i = 0; i < n; i++)
        all_tx = all_tx && dir->steps[i].kind == MIGC_STEP_TRANSACTION;
    char *what = engine_format("migration %" PRId64 " (%s)", mig->version, mig->description);
    if (!what)
        return engine_fail(m, MIGC_IO, "out of memory");
    enum migc_rc rc = MIGC_OK;
    bool fresh = first_step == 0;
    unsigned start = fresh ? 1 : first_step;
    if (all_tx && fresh) {
        struct tx_steps_ctx c = {.mig = mig, .dir = dir, .from = 0, .to = n, .down = down,
                                 .next_state = NULL, .started = started, .what = what};
        rc = in_transaction(m, any_rebuild(dir, 0, n), what, tx_steps_body, &c);
        free(what);
        return rc;
    }
    for (unsigned k = start; k <= n && !rc; k++) {
        const struct migc_step *st = &dir->steps[k - 1];
        bool resumed = !fresh && k == start;
        char state[64], next[64], stepwhat[32];
        snprintf(state, sizeof state, "%s:%u/%u", verb, k, n);
        snprintf(next, sizeof next, "%s:%u/%u", verb, k + 1, n);
        snprintf(stepwhat, sizeof stepwhat, ", step %u/%u", k, n);
        char *w = engine_format("%s%s", what, stepwhat);
        if (!w) {
            rc = engine_fail(m, MIGC_IO, "out of memory");
            break;
        }
        const char *next_state = k == n ? NULL : next;
        bool nothing_recorded = false;   /* a first step that failed before any commit */
        switch (st->kind) {
        case MIGC_STEP_TRANSACTION: {
            struct tx_steps_ctx c = {.mig = mig, .dir = dir, .from = k - 1, .to = k,
                                     .down = down, .next_state = next_state,
                                     .started = started, .what = w};
            rc = in_transaction(m, st->nrebuilt > 0, w, tx_steps_body, &c);
            break;
        }
        case MIGC_STEP_NO_TRANSACTION:
            rc = run_notx_step(m, mig, w, st, state, resumed);
            if (!rc)
                rc = write_next_state(m, mig, down, next_state, started);
            break;
        case MIGC_STEP_BACKFILL: {
            /* Not recorded before it starts: each batch commits its state
             * and progress itself, and the last one the state after it. */
            uint64_t batches = 0;
            rc = run_backfill(m, mig, w, st->backfill, state, resumed ? progress : NULL, down,
                              next_state, started, &batches);
            if (rc && k == 1 && !resumed && !batches)
                nothing_recorded = true;
            break;
        }
        default:
            rc = engine_fail(m, MIGC_IO, "%s: unknown step kind %d", w, (int)st->kind);
        }
        if (rc && st->kind != MIGC_STEP_TRANSACTION && !nothing_recorded) {
            char *msg = engine_format("%s\nthe database records '%s' for it: fix the cause and "
                                      "run '%s' again to resume, or 'repair'",
                                      migc_errmsg(m), state, down ? "down" : "up");
            if (msg) {
                free(m->err);
                m->err = msg;
            }
        }
        free(w);
    }
    free(what);
    return rc;
}

/* ---- --single-transaction ---- */

struct single_ctx {
    const struct migc_migration *const *migs;
    unsigned n;
    int64_t started;
};

/* tx_body of --single-transaction: every migration's steps (backfills as
 * their whole UPDATE), its history row, then foreign_key_check of all. */
static enum migc_rc single_body(migc *m, void *vctx)
{
    struct single_ctx *c = vctx;
    /* the history rows are written together at the end: one statement per
     * hundred migrations instead of a round trip each */
    int64_t *ms = calloc(c->n ? c->n : 1, sizeof *ms);
    if (!ms)
        return engine_fail(m, MIGC_IO, "out of memory");
    enum migc_rc rc = MIGC_OK;
    for (unsigned i = 0; i < c->n && !rc; i++) {
        const struct migc_migration *mig = c->migs[i];
        const struct migc_direction *dir = &mig->up[m->dialect];
        int64_t t0 = migc_now_ms();
        char *what = engine_format("migration %" PRId64 " (%s)", mig->version, mig->description);
        if (!what) {
            free(ms);
            return engine_fail(m, MIGC_IO, "out of memory");
        }
        for (unsigned k = 0; k < dir->nsteps && !rc; k++) {
            const struct migc_step *st = &dir->steps[k];
            if (st->kind == MIGC_STEP_BACKFILL)
                rc = run_sql(m, what, &st->backfill->whole);
            else
                rc = run_tx_step(m, what, st);
        }
        ms[i] = migc_now_ms() - t0;
        free(what);
    }
    if (!rc)
        rc = history_put_many(m, c->migs, ms, c->n, "applied", NULL);
    free(ms);
    if (!rc && m->drv->foreign_key_check && m->drv->foreign_key_check(m->h, NULL))
        rc = engine_fail_drv(m, MIGC_REFUSED, "--single-transaction: nothing was applied");
    return rc;
}

/* engine.h: with foreign keys off around the one transaction. */
enum migc_rc steps_single_transaction(migc *m, const struct migc_migration *const *migs,
                                      unsigned n)
{
    struct single_ctx c = {.migs = migs, .n = n, .started = migc_now_ms()};
    return in_transaction(m, true, "--single-transaction", single_body, &c);
}
