/* history.c: the history table (DESIGN §5) and the commands that only read
 * or write it: status, check_head, baseline, repair; plus the refusals that
 * come before any change (changed checksum, unknown version).
 *
 * Every query result is released on the path that made it; failures leave
 * the message in m->err and return the rc. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "migc_config.h"

/* Frees the rows; the struct stays usable (empty). */
void history_free(struct history *h)
{
    for (unsigned i = 0; i < h->n; i++) {
        struct hist_row *r = &h->rows[i];
        free(r->description);
        free(r->checksum);
        free(r->applied_at);
        free(r->state);
        free(r->progress);
    }
    free(h->rows);
    h->rows = NULL;
    h->n = 0;
}

/* Parses a state text; K and N (1 <= K <= N) only for the partial ones.
 * HK_BAD for anything else (NULL included). */
enum hist_kind hist_state(const char *state, unsigned *k, unsigned *n)
{
    unsigned kk = 0, nn = 0;
    char tail;
    if (!state)
        return HK_BAD;
    if (!strcmp(state, "applied"))
        return HK_APPLIED;
    if (!strcmp(state, "baseline"))
        return HK_BASELINE;
    enum hist_kind kind;
    const char *p;
    if (!strncmp(state, "applying:", 9)) {
        kind = HK_APPLYING;
        p = state + 9;
    } else if (!strncmp(state, "reverting:", 10)) {
        kind = HK_REVERTING;
        p = state + 10;
    } else {
        return HK_BAD;
    }
    if (sscanf(p, "%u/%u%c", &kk, &nn, &tail) != 2 || kk < 1 || kk > nn)
        return HK_BAD;
    if (k)
        *k = kk;
    if (n)
        *n = nn;
    return kind;
}

/* strdup that keeps NULL; sets *oom on allocation failure. */
static char *dup_or_null(const char *s, bool *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = true;
    return d;
}

/* Moves the cell (row, col) out of r: the caller owns it, r no longer does.
 * Reading the history copies nothing: a no-op `up` on a long history is
 * dominated by this loop. */
static char *take_cell(struct migc_rows *r, unsigned row, unsigned col)
{
    char **cell = &r->cells[(size_t)row * r->ncols + col];
    char *v = *cell;
    *cell = NULL;
    return v;
}

/* Reads every history row in version order; a missing table reads as
 * empty (out->exists false). applied_at and execution_ms are read only
 * for status (with_times); migc_version is never read back. On failure
 * *out is empty. */
enum migc_rc history_read(migc *m, struct history *out, bool with_times)
{
    memset(out, 0, sizeof *out);
    bool exists = false;
    if (m->drv->table_exists(m->h, m->history_table, &exists))
        return engine_fail_drv(m, MIGC_IO, "cannot read the history table %s", m->history_table);
    if (!exists)
        return MIGC_OK;
    out->exists = true;
    char *sql = engine_format("SELECT version, description, checksum, state, progress%s FROM %s "
                              "ORDER BY version",
                              with_times ? ", applied_at, execution_ms" : "", m->qhist);
    if (!sql)
        return engine_fail(m, MIGC_IO, "out of memory");
    struct migc_rows r;
    enum migc_drv_rc drc = m->drv->query(m->h, sql, 0, NULL, &r);
    free(sql);
    if (drc)
        return engine_fail_drv(m, MIGC_IO, "cannot read the history table %s", m->history_table);
    if (r.nrows && r.ncols != (with_times ? 7u : 5u)) {
        migc_rows_free(&r);
        return engine_fail(m, MIGC_IO, "cannot read the history table %s: unexpected columns",
                           m->history_table);
    }
    out->rows = calloc(r.nrows ? r.nrows : 1, sizeof *out->rows);
    if (!out->rows) {
        migc_rows_free(&r);
        return engine_fail(m, MIGC_IO, "out of memory");
    }
    for (unsigned i = 0; i < r.nrows; i++) {
        struct hist_row *h = &out->rows[out->n++];
        const char *v = migc_rows_get(&r, i, 0), *ms = migc_rows_get(&r, i, 6);
        h->version = v ? strtoll(v, NULL, 10) : 0;
        h->execution_ms = ms ? strtoll(ms, NULL, 10) : -1;
        h->description = take_cell(&r, i, 1);
        h->checksum = take_cell(&r, i, 2);
        h->state = take_cell(&r, i, 3);
        h->progress = take_cell(&r, i, 4);
        if (with_times)
            h->applied_at = take_cell(&r, i, 5);
    }
    migc_rows_free(&r);
    return MIGC_OK;
}

/* CREATE TABLE IF NOT EXISTS of the history table. */
enum migc_rc history_ensure(migc *m)
{
    char *ddl = m->drv->history_ddl(m->qhist);
    if (!ddl)
        return engine_fail(m, MIGC_IO, "out of memory");
    enum migc_drv_rc drc = m->drv->exec(m->h, ddl);
    free(ddl);
    if (drc)
        return engine_fail_drv(m, MIGC_IO, "cannot create the history table %s", m->history_table);
    return MIGC_OK;
}

/* The row of version, or NULL. */
const struct hist_row *history_find(const struct history *h, int64_t version)
{
    /* rows ascend (history_read orders by version, which is the key):
     * binary search, so that checking N migrations costs N log N */
    unsigned lo = 0, hi = h->n;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (h->rows[mid].version < version)
            lo = mid + 1;
        else if (h->rows[mid].version > version)
            hi = mid;
        else
            return &h->rows[mid];
    }
    return NULL;
}

/* The upsert of nrows history rows: INSERT ... VALUES (7 parameters per
 * row, numbered from 1) ON CONFLICT (version) DO UPDATE. NULL when out of
 * memory. */
static char *upsert_sql(migc *m, unsigned nrows)
{
    const char *P = m->drv->param_prefix, *now = m->drv->now_sql;
    char *sql = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&sql, &len);
    if (!f)
        return NULL;
    fprintf(f, "INSERT INTO %s (version, description, checksum, applied_at, execution_ms, state, "
               "progress, migc_version) VALUES ", m->qhist);
    for (unsigned r = 0; r < nrows; r++) {
        unsigned b = r * 7;
        fprintf(f, "%s(%s%u, %s%u, %s%u, %s, %s%u, %s%u, %s%u, %s%u)", r ? ", " : "", P, b + 1, P,
                b + 2, P, b + 3, now, P, b + 4, P, b + 5, P, b + 6, P, b + 7);
    }
    fputs(" ON CONFLICT (version) DO UPDATE SET description = excluded.description, "
          "checksum = excluded.checksum, applied_at = excluded.applied_at, "
          "execution_ms = excluded.execution_ms, state = excluded.state, "
          "progress = excluded.progress, migc_version = excluded.migc_version", f);
    bool failed = ferror(f) != 0;
    if (fclose(f) != 0 || failed) {
        free(sql);
        return NULL;
    }
    return sql;
}

/* Upserts one row (ON CONFLICT (version) DO UPDATE), applied_at = now.
 * Runs inside the caller's transaction when there is one. */
enum migc_rc history_put(migc *m, const struct migc_migration *mig, const char *state,
                         const char *progress, int64_t execution_ms)
{
    const struct migc_migration *migs[1] = {mig};
    return history_put_many(m, migs, &execution_ms, 1, state, progress);
}

/* engine.h: rows in statements of at most ROWS_PER_UPSERT rows, so that
 * --single-transaction records 1,000 migrations in 10 round trips, not
 * 1,000, with parameters well under both databases' limits. */
#define ROWS_PER_UPSERT 100u
enum migc_rc history_put_many(migc *m, const struct migc_migration *const *migs,
                              const int64_t *execution_ms, unsigned n, const char *state,
                              const char *progress)
{
    if (!n)
        return MIGC_OK;
    char (*nums)[2][24] = calloc(n < ROWS_PER_UPSERT ? n : ROWS_PER_UPSERT, sizeof *nums);
    const char **params = calloc(7u * (n < ROWS_PER_UPSERT ? n : ROWS_PER_UPSERT), sizeof *params);
    if (!nums || !params) {
        free(nums);
        free(params);
        return engine_fail(m, MIGC_IO, "out of memory");
    }
    enum migc_rc rc = MIGC_OK;
    for (unsigned first = 0; first < n && !rc; first += ROWS_PER_UPSERT) {
        unsigned rows = n - first < ROWS_PER_UPSERT ? n - first : ROWS_PER_UPSERT;
        for (unsigned r = 0; r < rows; r++) {
            const struct migc_migration *mig = migs[first + r];
            int64_t ms = execution_ms[first + r];
            snprintf(nums[r][0], sizeof nums[r][0], "%" PRId64, mig->version);
            snprintf(nums[r][1], sizeof nums[r][1], "%" PRId64, ms);
            const char **p = params + 7u * r;
            p[0] = nums[r][0];
            p[1] = mig->description;
            p[2] = mig->checksum;
            p[3] = ms >= 0 ? nums[r][1] : NULL;
            p[4] = state;
            p[5] = progress;
            p[6] = MIGC_VERSION;
        }
        char *sql = upsert_sql(m, rows);
        if (!sql) {
            rc = engine_fail(m, MIGC_IO, "out of memory");
            break;
        }
        enum migc_drv_rc drc = m->drv->query(m->h, sql, 7u * rows, params, NULL);
        free(sql);
        if (drc && rows == 1)
            rc = engine_fail_drv(m, MIGC_REFUSED, "cannot record migration %" PRId64 " in %s",
                                 migs[first]->version, m->history_table);
        else if (drc)
            rc = engine_fail_drv(m, MIGC_REFUSED,
                                 "cannot record migrations %" PRId64 " to %" PRId64 " in %s",
                                 migs[first]->version, migs[first + rows - 1]->version,
                                 m->history_table);
    }
    free(nums);
    free(params);
    return rc;
}

/* Deletes the row of version (a completed down). */
enum migc_rc history_delete(migc *m, int64_t version)
{
    char *sql = engine_format("DELETE FROM %s WHERE version = %s1", m->qhist, m->drv->param_prefix);
    char v[24];
    snprintf(v, sizeof v, "%" PRId64, version);
    const char *params[1] = {v};
    if (!sql)
        return engine_fail(m, MIGC_IO, "out of memory");
    enum migc_drv_rc drc = m->drv->query(m->h, sql, 1, params, NULL);
    free(sql);
    if (drc)
        return engine_fail_drv(m, MIGC_REFUSED, "cannot remove migration %" PRId64 " from %s",
                               version, m->history_table);
    return MIGC_OK;
}

/* Appends line to a growing newline-separated message; false on OOM. */
static bool append_line(char **msg, const char *line)
{
    size_t old = *msg ? strlen(*msg) : 0;
    char *n = realloc(*msg, old + strlen(line) + 2);
    if (!n)
        return false;
    if (old)
        n[old++] = '\n';
    strcpy(n + old, line);
    *msg = n;
    return true;
}

/* The refusals before any change: every unknown version, changed checksum,
 * unreadable state and partial state whose step count is not this binary's
 * (K/N with N other than the direction's steps), one line each, then
 * "nothing was changed". */
enum migc_rc history_check(migc *m, const struct history *h)
{
    char *msg = NULL;
    bool oom = false;
    for (unsigned i = 0; i < h->n && !oom; i++) {
        const struct hist_row *r = &h->rows[i];
        const struct migc_migration *mig = plan_find(m->plan, r->version);
        char *line = NULL;
        enum hist_kind kind;
        unsigned k = 0, n = 0;
        if (!mig)
            line = engine_format(
                "migration %" PRId64 " (%s) is recorded in %s but this binary does not know it: "
                "run a binary built from migrations that include it",
                r->version, r->description ? r->description : "?", m->history_table);
        else if (!r->checksum || strcmp(r->checksum, mig->checksum))
            line = engine_format(
                "migration %" PRId64 " (%s) was changed after it was applied (database: %s, "
                "binary: %s): restore it as it was applied, or run 'repair --accept-checksum "
                "%" PRId64 "' if the change is harmless",
                r->version, mig->description, r->checksum ? r->checksum : "none", mig->checksum,
                r->version);
        else if ((kind = hist_state(r->state, &k, &n)) == HK_BAD)
            line = engine_format("migration %" PRId64 " (%s) has an unknown state '%s' in %s: "
                                 "fix the row by hand",
                                 r->version, mig->description, r->state ? r->state : "",
                                 m->history_table);
        else if ((kind == HK_APPLYING || kind == HK_REVERTING) &&
                 n != (kind == HK_APPLYING ? &mig->up[m->dialect] : &mig->down[m->dialect])->nsteps) {
            /* Resuming "step K of N" with another N would skip steps or run
             * past the end: a build that splits the migration differently. */
            unsigned have = (kind == HK_APPLYING ? &mig->up[m->dialect] : &mig->down[m->dialect])->nsteps;
            line = engine_format(
                "migration %" PRId64 " (%s) records '%s' but this binary's migration has %u "
                "step%s: finish it with the binary that started it, or fix the row by hand",
                r->version, mig->description, r->state, have, have == 1 ? "" : "s");
        } else
            continue;
        if (!line || !append_line(&msg, line))
            oom = true;
        free(line);
    }
    if (oom) {
        free(msg);
        return engine_fail(m, MIGC_IO, "out of memory");
    }
    if (!msg)
        return MIGC_OK;
    engine_fail(m, MIGC_REFUSED, "%s\nnothing was changed", msg);
    free(msg);
    return MIGC_REFUSED;
}

/* ---- status ---- */

void migc_status_free(struct migc_status *s)
{
    if (!s)
        return;
    for (unsigned i = 0; i < s->n; i++) {
        free(s->entries[i].description);
        free(s->entries[i].raw_state);
        free(s->entries[i].applied_at);
        free(s->entries[i].progress);
    }
    free(s->entries);
    memset(s, 0, sizeof *s);
}

/* migc.h: plan and history merged in version order. */
enum migc_rc migc_status(migc *m, struct migc_status *out)
{
    memset(out, 0, sizeof *out);
    enum migc_rc rc = engine_ready(m);
    if (rc)
        return rc;
    struct history h;
    if ((rc = history_read(m, &h, true)))
        return rc;
    const struct migc_plan *p = m->plan;
    out->entries = calloc((size_t)p->nmigrations + h.n + 1, sizeof *out->entries);
    if (!out->entries) {
        history_free(&h);
        return engine_fail(m, MIGC_IO, "out of memory");
    }
    if (p->nmigrations)
        out->head = p->migrations[p->nmigrations - 1].version;
    unsigned i = 0, j = 0;
    bool oom = false;
    while (i < p->nmigrations || j < h.n) {
        const struct migc_migration *mig = i < p->nmigrations ? &p->migrations[i] : NULL;
        const struct hist_row *r = j < h.n ? &h.rows[j] : NULL;
        struct migc_status_entry *e = &out->entries[out->n++];
        if (mig && (!r || mig->version < r->version)) {
            e->version = mig->version;
            e->description = dup_or_null(mig->description, &oom);
            e->state = MIGC_PENDING;
            e->execution_ms = -1;
            out->pending++;
            i++;
            continue;
        }
        e->version = r->version;
        e->description = dup_or_null(r->description, &oom);
        e->raw_state = dup_or_null(r->state, &oom);
        e->applied_at = dup_or_null(r->applied_at, &oom);
        e->progress = dup_or_null(r->progress, &oom);
        e->execution_ms = r->execution_ms;
        enum hist_kind k = hist_state(r->state, NULL, NULL);
        if (!mig || mig->version != r->version) {
            e->state = MIGC_UNKNOWN;
            out->unknown++;
        } else if (k == HK_APPLYING || k == HK_REVERTING || k == HK_BAD) {
            e->state = MIGC_PARTIAL;
            out->partial++;
        } else if (!r->checksum || strcmp(r->checksum, mig->checksum)) {
            e->state = MIGC_CHANGED;
            out->changed++;
        } else {
            e->state = k == HK_BASELINE ? MIGC_BASELINE : MIGC_APPLIED;
        }
        if (e->state != MIGC_PARTIAL && r->version > out->current)
            out->current = r->version;
        if (mig && mig->version == r->version)
            i++;
        j++;
    }
    history_free(&h);
    if (oom) {
        migc_status_free(out);
        return engine_fail(m, MIGC_IO, "out of memory");
    }
    return MIGC_OK;
}

/* migc.h: AHEAD if the database has versions the plan lacks, BEHIND if
 * anything is pending or partial, else AT. */
enum migc_rc migc_check_head(migc *m, enum migc_head *where)
{
    struct migc_status s;
    enum migc_rc rc = migc_status(m, &s);
    if (rc)
        return rc;
    if (s.unknown)
        *where = MIGC_HEAD_AHEAD;
    else if (s.pending || s.partial)
        *where = MIGC_HEAD_BEHIND;
    else
        *where = MIGC_HEAD_AT;
    migc_status_free(&s);
    return MIGC_OK;
}

/* ---- baseline ---- */

enum migc_rc migc_baseline(migc *m, int64_t v)
{
    enum migc_rc rc = engine_ready(m);
    if (rc)
        return rc;
    if (v < 1)
        return engine_fail(m, MIGC_USAGE, "baseline needs a version >= 1");
    unsigned count = 0;
    for (unsigned i = 0; i < m->plan->nmigrations; i++)
        count += m->plan->migrations[i].version <= v;
    if (!count)
        return engine_fail(m, MIGC_REFUSED,
                           "no migration has a version <= %" PRId64 ": nothing to baseline", v);
    if ((rc = engine_lock(m)) || (rc = history_ensure(m)))
        return rc;
    struct history h;
    if ((rc = history_read(m, &h, false)))
        return rc;
    unsigned rows = h.n;
    history_free(&h);
    if (rows)
        return engine_fail(m, MIGC_REFUSED,
                           "%s already has %u row%s: baseline only adopts a database that migc "
                           "has never migrated; use 'status' to see where it is",
                           m->history_table, rows, rows == 1 ? "" : "s");
    if (m->drv->begin(m->h))
        return engine_fail_drv(m, MIGC_IO, "cannot begin a transaction");
    for (unsigned i = 0; i < m->plan->nmigrations; i++) {
        const struct migc_migration *mig = &m->plan->migrations[i];
        if (mig->version > v)
            break;
        if ((rc = history_put(m, mig, "baseline", NULL, -1))) {
            m->drv->rollback(m->h);
            return rc;
        }
    }
    if (m->drv->commit(m->h)) {
        rc = engine_fail_drv(m, MIGC_IO, "cannot commit the baseline");
        m->drv->rollback(m->h);
        return rc;
    }
    engine_log(m, "baseline: %u migration%s up to %" PRId64 " recorded as 'baseline'", count,
               count == 1 ? "" : "s", v);
    return MIGC_OK;
}

/* ---- repair ---- */

/* Realigns the checksum of v with the binary's. */
static enum migc_rc accept_checksum(migc *m, const struct history *h, int64_t v, FILE *report)
{
    const struct hist_row *r = history_find(h, v);
    const struct migc_migration *mig = plan_find(m->plan, v);
    if (!r)
        return engine_fail(m, MIGC_REFUSED, "migration %" PRId64 " is not recorded in %s: "
                           "nothing to accept", v, m->history_table);
    if (!mig)
        return engine_fail(m, MIGC_REFUSED, "migration %" PRId64 " is unknown to this binary: "
                           "its checksum cannot be accepted", v);
    if (r->checksum && !strcmp(r->checksum, mig->checksum)) {
        if (report)
            fprintf(report, "migration %" PRId64 " (%s): checksum already matches\n", v,
                    mig->description);
        return MIGC_OK;
    }
    const char *P = m->drv->param_prefix;
    char *sql = engine_format("UPDATE %s SET checksum = %s1 WHERE version = %s2", m->qhist, P, P);
    char ver[24];
    snprintf(ver, sizeof ver, "%" PRId64, v);
    const char *params[2] = {mig->checksum, ver};
    if (!sql)
        return engine_fail(m, MIGC_IO, "out of memory");
    enum migc_drv_rc drc = m->drv->query(m->h, sql, 2, params, NULL);
    free(sql);
    if (drc)
        return engine_fail_drv(m, MIGC_IO, "cannot update %s", m->history_table);
    if (report)
        fprintf(report, "migration %" PRId64 " (%s): checksum realigned from %s to %s\n", v,
                mig->description, r->checksum ? r->checksum : "none", mig->checksum);
    return MIGC_OK;
}

/* Clears a partial row whose first step failed (nothing of it is done), and
 * an INVALID index that step's concurrent build left. */
static enum migc_rc repair_partial(migc *m, const struct hist_row *r, FILE *report)
{
    unsigned k = 0, n = 0;
    enum hist_kind kind = hist_state(r->state, &k, &n);
    const struct migc_migration *mig = plan_find(m->plan, r->version);
    const char *desc = mig ? mig->description : (r->description ? r->description : "?");
    if (kind == HK_BAD) {
        if (report)
            fprintf(report, "migration %" PRId64 " (%s): unknown state '%s': fix the row by hand\n",
                    r->version, desc, r->state ? r->state : "");
        return MIGC_OK;
    }
    if (!mig)
        return MIGC_OK;
    const struct migc_direction *dir =
        kind == HK_APPLYING ? &mig->up[m->dialect] : &mig->down[m->dialect];
    const struct migc_step *step = k <= dir->nsteps ? &dir->steps[k - 1] : NULL;
    bool step_done = false;   /* its concurrent index was built: only the record is missing */
    if (step && step->concurrent_index && m->drv->index_state) {
        bool exists = false, invalid = false;
        if (m->drv->index_state(m->h, step->concurrent_index, &exists, &invalid))
            return engine_fail_drv(m, MIGC_IO, "cannot inspect index %s", step->concurrent_index);
        step_done = exists && !invalid;
        if (exists && invalid) {
            if (m->drv->drop_index(m->h, step->concurrent_index))
                return engine_fail_drv(m, MIGC_IO, "cannot drop the invalid index %s",
                                       step->concurrent_index);
            if (report)
                fprintf(report, "migration %" PRId64 " (%s): dropped the invalid index %s\n",
                        r->version, desc, step->concurrent_index);
        }
    }
    if (k > 1 || step_done) {
        /* Clearing the row would run the done steps again (an index built
         * by step 1 would then already exist): leave it for up/down. */
        if (report && step_done)
            fprintf(report,
                    "migration %" PRId64 " (%s) is %s (%s): step %u built the index %s, which "
                    "is valid; run '%s' to finish it\n",
                    r->version, desc, kind == HK_APPLYING ? "partly applied" : "partly reverted",
                    r->state, k, step->concurrent_index, kind == HK_APPLYING ? "up" : "down");
        else if (report)
            fprintf(report,
                    "migration %" PRId64 " (%s) is %s (%s): steps before %u are done; run '%s' "
                    "to finish it\n",
                    r->version, desc, kind == HK_APPLYING ? "partly applied" : "partly reverted",
                    r->state, k, kind == HK_APPLYING ? "up" : "down");
        return MIGC_OK;
    }
    enum migc_rc rc;
    if (kind == HK_APPLYING)
        rc = history_delete(m, r->version);
    else
        rc = history_put(m, mig, "applied", NULL, r->execution_ms);
    if (rc)
        return rc;
    if (report)
        fprintf(report, "migration %" PRId64 " (%s): cleared '%s' (its first step had not "
                "completed); it is %s again\n", r->version, desc, r->state,
                kind == HK_APPLYING ? "pending" : "applied");
    return MIGC_OK;
}

/* migc.h: under the lock; --accept-checksum, or every partial row. */
enum migc_rc migc_repair(migc *m, bool accept, int64_t v, FILE *report)
{
    enum migc_rc rc = engine_ready(m);
    if (rc || (rc = engine_lock(m)))
        return rc;
    struct history h;
    if ((rc = history_read(m, &h, false)))
        return rc;
    if (accept) {
        rc = accept_checksum(m, &h, v, report);
        history_free(&h);
        return rc;
    }
    unsigned found = 0;
    for (unsigned i = 0; i < h.n && !rc; i++) {
        enum hist_kind k = hist_state(h.rows[i].state, NULL, NULL);
        if (k == HK_APPLIED || k == HK_BASELINE)
            continue;
        found++;
        rc = repair_partial(m, &h.rows[i], report);
    }
    history_free(&h);
    if (!rc && !found && report)
        fputs("nothing to repair: no migration is partly applied or reverted\n", report);
    return rc;
}
