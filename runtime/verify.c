/* verify.c: `verify` (DESIGN §5): the recorded checksums and states first,
 * then the live schema against the plan's schema after the last applied
 * version. Every difference is one line on the report: a missing or
 * unexpected table, column, index or constraint, a column whose type,
 * nullability or default differs. Types compare case-insensitively (SQLite
 * keeps declared spellings). Reads only; takes no lock. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <stdarg.h>

#include "engine.h"

/* fprintf that ignores a NULL stream (counting passes). */
static void say(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(FILE *f, const char *fmt, ...)
{
    if (!f)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
}

static const struct migc_live_table *live_table(const struct migc_live_schema *s, const char *name)
{
    for (unsigned i = 0; i < s->ntables; i++)
        if (!strcmp(s->tables[i].name, name))
            return &s->tables[i];
    return NULL;
}

static bool in_list(const char *const *v, unsigned n, const char *name)
{
    for (unsigned i = 0; i < n; i++)
        if (!strcmp(v[i], name))
            return true;
    return false;
}

/* Compares one table; returns the number of differences written. */
static unsigned compare_table(FILE *rep, const struct migc_table_desc *want,
                              const struct migc_live_table *have)
{
    unsigned n = 0;
    for (unsigned i = 0; i < want->ncolumns; i++) {
        const struct migc_column_desc *c = &want->columns[i];
        const struct migc_live_column *lc = NULL;
        for (unsigned j = 0; j < have->ncolumns && !lc; j++)
            if (!strcmp(have->columns[j].name, c->name))
                lc = &have->columns[j];
        if (!lc) {
            say(rep, "drift: column %s.%s is missing\n", want->name, c->name);
            n++;
            continue;
        }
        if (strcasecmp(lc->type, c->type)) {
            say(rep, "drift: column %s.%s has type %s, expected %s\n", want->name, c->name,
                    lc->type, c->type);
            n++;
        }
        if (lc->not_null != c->not_null) {
            say(rep, "drift: column %s.%s is %s, expected %s\n", want->name, c->name,
                    lc->not_null ? "not null" : "nullable", c->not_null ? "not null" : "nullable");
            n++;
        }
        if (lc->has_default != c->has_default) {
            say(rep, "drift: column %s.%s %s a default, expected %s\n", want->name, c->name,
                    lc->has_default ? "has" : "has no", c->has_default ? "one" : "none");
            n++;
        }
    }
    for (unsigned j = 0; j < have->ncolumns; j++) {
        bool known = false;
        for (unsigned i = 0; i < want->ncolumns && !known; i++)
            known = !strcmp(have->columns[j].name, want->columns[i].name);
        if (!known) {
            say(rep, "drift: column %s.%s is not in the migrations\n", want->name,
                    have->columns[j].name);
            n++;
        }
    }
    for (unsigned i = 0; i < want->nindexes; i++)
        if (!in_list((const char *const *)have->indexes, have->nindexes, want->indexes[i])) {
            say(rep, "drift: index %s on %s is missing\n", want->indexes[i], want->name);
            n++;
        }
    for (unsigned j = 0; j < have->nindexes; j++)
        if (!in_list(want->indexes, want->nindexes, have->indexes[j])) {
            say(rep, "drift: index %s on %s is not in the migrations\n", have->indexes[j],
                    want->name);
            n++;
        }
    for (unsigned i = 0; i < want->nconstraints; i++)
        if (!in_list((const char *const *)have->constraints, have->nconstraints,
                     want->constraints[i])) {
            say(rep, "drift: constraint %s on %s is missing\n", want->constraints[i],
                    want->name);
            n++;
        }
    for (unsigned j = 0; j < have->nconstraints; j++)
        if (!in_list(want->constraints, want->nconstraints, have->constraints[j])) {
            say(rep, "drift: constraint %s on %s is not in the migrations\n",
                    have->constraints[j], want->name);
            n++;
        }
    return n;
}

/* Compares a whole schema; returns the number of differences (written to
 * rep unless NULL). */
static unsigned compare_schema(FILE *rep, const struct migc_schema_desc *want,
                               const struct migc_live_schema *live)
{
    unsigned problems = 0;
    for (unsigned i = 0; i < want->ntables; i++) {
        const struct migc_live_table *t = live_table(live, want->tables[i].name);
        if (!t) {
            say(rep, "drift: table %s is missing\n", want->tables[i].name);
            problems++;
        } else {
            problems += compare_table(rep, &want->tables[i], t);
        }
    }
    for (unsigned j = 0; j < live->ntables; j++) {
        bool known = false;
        for (unsigned i = 0; i < want->ntables && !known; i++)
            known = !strcmp(live->tables[j].name, want->tables[i].name);
        if (!known) {
            say(rep, "drift: table %s is not in the migrations\n", live->tables[j].name);
            problems++;
        }
    }
    return problems;
}

enum migc_rc migc_verify(migc *m, FILE *rep)
{
    enum migc_rc rc = engine_ready(m);
    if (rc)
        return rc;
    FILE *devnull = NULL;
    if (!rep) {
        devnull = fopen("/dev/null", "w");
        if (!devnull)
            return engine_fail(m, MIGC_IO, "cannot open /dev/null");
        rep = devnull;
    }
    struct migc_status st;
    if ((rc = migc_status(m, &st))) {
        if (devnull)
            fclose(devnull);
        return rc;
    }
    unsigned problems = 0;
    const struct migc_migration *last = NULL, *partial = NULL;
    for (unsigned i = 0; i < st.n; i++) {
        const struct migc_status_entry *e = &st.entries[i];
        switch (e->state) {
        case MIGC_CHANGED:
            fprintf(rep, "checksum: migration %" PRId64 " (%s) was changed after it was applied\n",
                    e->version, e->description ? e->description : "");
            problems++;
            break;
        case MIGC_UNKNOWN:
            fprintf(rep, "checksum: migration %" PRId64 " (%s) is applied but unknown to this "
                    "binary\n", e->version, e->description ? e->description : "");
            problems++;
            break;
        case MIGC_PARTIAL:
            fprintf(rep, "note: migration %" PRId64 " (%s) is partly done (%s): 'up' or 'down' "
                    "finishes it\n", e->version, e->description ? e->description : "",
                    e->raw_state ? e->raw_state : "partial");
            partial = plan_find(m->plan, e->version);
            break;
        case MIGC_APPLIED:
        case MIGC_BASELINE:
            last = plan_find(m->plan, e->version);
            break;
        default:
            break;
        }
    }
    migc_status_free(&st);
    struct migc_live_schema live;
    if (m->drv->introspect(m->h, m->history_table, &live)) {
        if (devnull)
            fclose(devnull);
        return engine_fail_drv(m, MIGC_IO, "cannot read the database schema");
    }
    /* A partly done migration: the schema may be the one before it or the
     * one after it (its steps so far may all have been backfills); either
     * is what the history records. Otherwise: the last applied version's. */
    static const struct migc_schema_desc empty = {0};
    const struct migc_schema_desc *want = last ? &last->schema[m->dialect] : &empty;
    if (partial && partial->version > (last ? last->version : 0)) {
        const struct migc_schema_desc *after = &partial->schema[m->dialect];
        unsigned before_n = compare_schema(NULL, want, &live);
        unsigned after_n = compare_schema(NULL, after, &live);
        if (after_n <= before_n)
            want = after;
    }
    problems += compare_schema(rep, want, &live);
    migc_live_schema_free(&live);
    if (devnull)
        fclose(devnull);
    else
        fflush(rep);
    if (problems)
        return engine_fail(m, MIGC_REFUSED, "verify found %u problem%s: the database does not "
                           "match its recorded history", problems, problems == 1 ? "" : "s");
    return MIGC_OK;
}
