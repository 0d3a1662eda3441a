/* commands.c: migc_up and migc_down: the checks before any change, then the
 * migrations in order (steps.c does each one). Both take the migration lock
 * and read the history again under it; dry runs take no lock and change
 * nothing (not even the history table). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* Appends a line to *msg (newline separated); false on OOM. */
static bool add_line(char **msg, char *line)
{
    if (!line)
        return false;
    size_t old = *msg ? strlen(*msg) : 0;
    char *n = realloc(*msg, old + strlen(line) + 2);
    if (!n) {
        free(line);
        return false;
    }
    if (old)
        n[old++] = '\n';
    strcpy(n + old, line);
    free(line);
    *msg = n;
    return true;
}

/* Fails with the collected refusal lines (rc), or OK when there are none. */
static enum migc_rc refuse_lines(migc *m, enum migc_rc rc, char *msg, bool oom)
{
    if (oom) {
        free(msg);
        return engine_fail(m, MIGC_IO, "out of memory");
    }
    if (!msg)
        return MIGC_OK;
    engine_fail(m, rc, "%s\nnothing was changed", msg);
    free(msg);
    return rc;
}

/* Reads the history for a command, under the lock unless dry, and makes
 * the checks that come before any change. */
static enum migc_rc load(migc *m, bool dry, struct history *h)
{
    enum migc_rc rc;
    memset(h, 0, sizeof *h);
    if (!dry && (rc = engine_lock(m)))
        return rc;
    if ((rc = history_read(m, h, false)))
        return rc;
    if ((rc = history_check(m, h))) {
        history_free(h);
        return rc;
    }
    return MIGC_OK;
}

/* migc.h. Refusals (exit 1) and --single-transaction refusals (exit 2) come
 * before any write; the history table is created only when something is
 * applied; partly applied migrations are resumed first in version order. */
enum migc_rc migc_up(migc *m, const struct migc_up_options *o)
{
    struct migc_up_options defaults = {0};
    if (!o)
        o = &defaults;
    enum migc_rc rc = engine_ready(m);
    if (rc)
        return rc;
    struct history h;
    if ((rc = load(m, o->dry_run, &h)))
        return rc;
    const struct migc_plan *p = m->plan;
    int64_t max_done = 0;
    char *msg = NULL, *usage = NULL;
    bool oom = false;
    for (unsigned i = 0; i < h.n; i++) {
        const struct hist_row *r = &h.rows[i];
        enum hist_kind k = hist_state(r->state, NULL, NULL);
        if (k == HK_REVERTING)
            oom |= !add_line(&msg, engine_format(
                "migration %" PRId64 " (%s) is partly reverted (%s): run 'down' to finish "
                "reverting it before 'up'", r->version, r->description, r->state));
        if (r->version > max_done)
            max_done = r->version;
    }
    /* pending: not recorded, or recorded as applying (resumed) */
    const struct migc_migration **todo = calloc(p->nmigrations + 1, sizeof *todo);
    unsigned ntodo = 0;
    if (!todo)
        oom = true;
    for (unsigned i = 0; todo && i < p->nmigrations; i++) {
        const struct migc_migration *mig = &p->migrations[i];
        if (o->to > 0 && mig->version > o->to)
            break;
        const struct hist_row *r = history_find(&h, mig->version);
        if (r && hist_state(r->state, NULL, NULL) != HK_APPLYING)
            continue;
        if (!r && mig->version < max_done && !o->out_of_order)
            oom |= !add_line(&msg, engine_format(
                "migration %" PRId64 " (%s) is pending but older than the applied migration "
                "%" PRId64 ": rerun with --out-of-order to apply it anyway, or give it a "
                "version above %" PRId64, mig->version, mig->description, max_done, max_done));
        const struct migc_direction *dir = &mig->up[m->dialect];
        for (unsigned k = 0; k < dir->nsteps; k++)
            if (dir->steps[k].kind == MIGC_STEP_NO_TRANSACTION) {
                if (o->single_transaction)
                    oom |= !add_line(&usage, engine_format(
                        "--single-transaction cannot run migration %" PRId64 " (%s): its step "
                        "%u/%u must run outside a transaction (concurrently or no_transaction); "
                        "run 'up' without --single-transaction", mig->version, mig->description,
                        k + 1, dir->nsteps));
            }
        if (r && o->single_transaction)
            oom |= !add_line(&usage, engine_format(
                "--single-transaction cannot resume migration %" PRId64 " (%s), which is partly "
                "applied (%s): run 'up' without --single-transaction", mig->version,
                mig->description, r->state));
        todo[ntodo++] = mig;
    }
    if (usage || oom) {
        free(msg);
        msg = NULL;
    }
    if ((rc = refuse_lines(m, MIGC_USAGE, usage, oom)) ||
        (rc = refuse_lines(m, MIGC_REFUSED, msg, false)))
        goto done;
    if (!ntodo) {
        engine_log(m, "nothing to apply: the database is at version %" PRId64, max_done);
        goto done;
    }
    if (o->dry_run) {
        FILE *out = o->out ? o->out : stdout;
        if (o->single_transaction)
            fputs(m->dialect == MIGC_SQLITE ? "PRAGMA foreign_keys=OFF;\nBEGIN IMMEDIATE;\n" : "BEGIN;\n", out);
        for (unsigned i = 0; i < ntodo && !rc; i++)
            rc = sqlout_migration(out, todo[i], m->dialect, false, o->single_transaction);
        if (!rc && o->single_transaction)
            fputs(m->dialect == MIGC_SQLITE ? "PRAGMA foreign_key_check;\nCOMMIT;\nPRAGMA foreign_keys=ON;\n" : "COMMIT;\n", out);
        if (!rc && (fflush(out) || ferror(out)))
            rc = MIGC_IO;
        if (rc)
            engine_fail(m, rc, "cannot write the dry run");
        goto done;
    }
    if ((rc = history_ensure(m)))   /* created on first use, after the checks */
        goto done;
    if (o->single_transaction) {
        if (!(rc = steps_single_transaction(m, todo, ntodo)))
            engine_log(m, "applied %u migration%s in one transaction; the database is at %" PRId64,
                       ntodo, ntodo == 1 ? "" : "s", todo[ntodo - 1]->version);
        goto done;
    }
    for (unsigned i = 0; i < ntodo && !rc; i++) {
        const struct migc_migration *mig = todo[i];
        const struct hist_row *r = history_find(&h, mig->version);
        unsigned k = 0;
        if (r)
            hist_state(r->state, &k, NULL);
        if (r)
            engine_log(m, "resuming migration %" PRId64 " (%s) at %s", mig->version,
                       mig->description, r->state);
        int64_t t0 = migc_now_ms();
        rc = steps_run(m, mig, false, k, r ? r->progress : NULL);
        if (!rc)
            engine_log(m, "applied %" PRId64 " %s (%" PRId64 " ms)", mig->version,
                       mig->description, migc_now_ms() - t0);
    }
done:
    free(todo);
    history_free(&h);
    return rc;
}

/* migc.h. Refused while anything is partly applied, for an irreversible
 * migration, and for a data-losing down without allow_data_loss (a dry run
 * only notes it); a partly reverted migration is finished first. */
enum migc_rc migc_down(migc *m, const struct migc_down_options *o)
{
    struct migc_down_options defaults = {0};
    if (!o)
        o = &defaults;
    enum migc_rc rc = engine_ready(m);
    if (rc)
        return rc;
    if (o->has_to && o->to < 0)
        return engine_fail(m, MIGC_USAGE, "down --to needs a version >= 0");
    struct history h;
    if ((rc = load(m, o->dry_run, &h)))
        return rc;
    char *msg = NULL;
    bool oom = false;
    for (unsigned i = 0; i < h.n; i++)
        if (hist_state(h.rows[i].state, NULL, NULL) == HK_APPLYING)
            oom |= !add_line(&msg, engine_format(
                "migration %" PRId64 " (%s) is partly applied (%s): run 'up' to finish it, or "
                "'repair', before reverting anything", h.rows[i].version, h.rows[i].description,
                h.rows[i].state));
    if ((rc = refuse_lines(m, MIGC_REFUSED, msg, oom)))
        goto out;
    msg = NULL;
    unsigned want = o->steps ? o->steps : 1, ntodo = 0;
    const struct hist_row **todo = calloc(h.n + 1, sizeof *todo);
    if (!todo) {
        rc = engine_fail(m, MIGC_IO, "out of memory");
        goto out;
    }
    for (unsigned j = h.n; j-- > 0;) {
        const struct hist_row *r = &h.rows[j];
        if (o->has_to ? r->version <= o->to : ntodo >= want)
            break;
        todo[ntodo++] = r;
        const struct migc_migration *mig = plan_find(m->plan, r->version);
        if (mig->irreversible)
            oom |= !add_line(&msg, engine_format(
                "migration %" PRId64 " (%s) is irreversible: it has no down, so it and "
                "everything before it stay applied", mig->version, mig->description));
        else if (mig->down_loses_data && !o->allow_data_loss && o->dry_run)
            engine_log(m, "note: reverting migration %" PRId64 " (%s) loses data: the real run "
                       "needs --allow-data-loss", mig->version, mig->description);
        else if (mig->down_loses_data && !o->allow_data_loss)
            oom |= !add_line(&msg, engine_format(
                "reverting migration %" PRId64 " (%s) loses data (it drops tables or columns, "
                "deletes rows or narrows a type): rerun with --allow-data-loss if that is "
                "intended", mig->version, mig->description));
    }
    if ((rc = refuse_lines(m, MIGC_REFUSED, msg, oom)))
        goto done;
    if (!ntodo) {
        engine_log(m, "nothing to revert");
        goto done;
    }
    if (o->dry_run) {
        FILE *out = o->out ? o->out : stdout;
        for (unsigned i = 0; i < ntodo && !rc; i++)
            rc = sqlout_migration(out, plan_find(m->plan, todo[i]->version), m->dialect, true, false);
        if (!rc && (fflush(out) || ferror(out)))
            rc = MIGC_IO;
        if (rc)
            engine_fail(m, rc, "cannot write the dry run");
        goto done;
    }
    for (unsigned i = 0; i < ntodo && !rc; i++) {
        const struct migc_migration *mig = plan_find(m->plan, todo[i]->version);
        unsigned k = 0;
        if (hist_state(todo[i]->state, &k, NULL) != HK_REVERTING)
            k = 0;
        else
            engine_log(m, "resuming the revert of %" PRId64 " (%s) at %s", mig->version,
                       mig->description, todo[i]->state);
        int64_t t0 = migc_now_ms();
        rc = steps_run(m, mig, true, k, k ? todo[i]->progress : NULL);
        if (!rc)
            engine_log(m, "reverted %" PRId64 " %s (%" PRId64 " ms)", mig->version,
                       mig->description, migc_now_ms() - t0);
    }
done:
    free(todo);
out:
    history_free(&h);
    return rc;
}
