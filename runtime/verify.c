/* verify.c: `verify` (DESIGN §5): the recorded checksums and states first,
 * then the live schema against the plan's schema after the last applied
 * version. Every difference is one line on the report: a missing or
 * unexpected table, column, index or constraint, a column whose type,
 * nullability or default differs. Types compare case-insensitively (SQLite
 * keeps declared spellings). A live object the description does not expect
 * is not reported when the history's raw SQL mentions its name (plan.h,
 * raw_names): raw SQL made it. Reads only; takes no lock. */
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

/* The names the raw SQL of migrations 0..upto mentions (plan.h,
 * raw_names), sorted case-insensitively for bsearch. v borrows the plan's
 * strings; the array is malloc'd. */
struct raw_set {
    const char **v;
    size_t n;
};

static int cmp_name(const void *x, const void *y)
{
    return strcasecmp(*(const char *const *)x, *(const char *const *)y);
}

/* Fills *out with the raw names of migrations 0..upto (NULL: none) for d.
 * Returns false when out of memory (*out is then empty). */
static bool raw_set_at(const struct migc_plan *p, const struct migc_migration *upto,
                       enum migc_dialect d, struct raw_set *out)
{
    *out = (struct raw_set){0};
    size_t last = upto ? (size_t)(upto - p->migrations) + 1 : 0, total = 0;
    for (size_t i = 0; i < last; i++)
        total += p->migrations[i].schema[d].nraw_names;
    if (!total)
        return true;
    out->v = malloc(total * sizeof *out->v);
    if (!out->v)
        return false;
    for (size_t i = 0; i < last; i++) {
        const struct migc_schema_desc *s = &p->migrations[i].schema[d];
        for (unsigned k = 0; k < s->nraw_names; k++)
            out->v[out->n++] = s->raw_names[k];
    }
    qsort(out->v, out->n, sizeof *out->v, cmp_name);
    return true;
}

/* Does the history's raw SQL mention name (case-insensitively)? */
static bool raw_has(const struct raw_set *raw, const char *name)
{
    return raw->n && bsearch(&name, raw->v, raw->n, sizeof *raw->v, cmp_name);
}

/* The live table of that name, or NULL. */
static const struct migc_live_table *live_table(const struct migc_live_schema *s, const char *name)
{
    for (unsigned i = 0; i < s->ntables; i++)
        if (!strcmp(s->tables[i].name, name))
            return &s->tables[i];
    return NULL;
}

/* Is name one of v[0..n)? */
static bool in_list(const char *const *v, unsigned n, const char *name)
{
    for (unsigned i = 0; i < n; i++)
        if (!strcmp(v[i], name))
            return true;
    return false;
}

/* Compares one table; returns the number of differences written. */
static unsigned compare_table(FILE *rep, const struct migc_table_desc *want,
                              const struct migc_live_table *have, const struct raw_set *raw)
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
        if (!known && !raw_has(raw, have->columns[j].name)) {
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
        if (!in_list(want->indexes, want->nindexes, have->indexes[j]) &&
            !raw_has(raw, have->indexes[j])) {
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
        if (!in_list(want->constraints, want->nconstraints, have->constraints[j]) &&
            !raw_has(raw, have->constraints[j])) {
            say(rep, "drift: constraint %s on %s is not in the migrations\n",
                    have->constraints[j], want->name);
            n++;
        }
    return n;
}

/* Compares a whole schema; returns the number of differences (written to
 * rep unless NULL). */
static unsigned compare_schema(FILE *rep, const struct migc_schema_desc *want,
                               const struct migc_live_schema *live, const struct raw_set *raw)
{
    unsigned problems = 0;
    for (unsigned i = 0; i < want->ntables; i++) {
        const struct migc_live_table *t = live_table(live, want->tables[i].name);
        if (!t) {
            say(rep, "drift: table %s is missing\n", want->tables[i].name);
            problems++;
        } else {
            problems += compare_table(rep, &want->tables[i], t, raw);
        }
    }
    for (unsigned j = 0; j < live->ntables; j++) {
        bool known = false;
        for (unsigned i = 0; i < want->ntables && !known; i++)
            known = !strcmp(live->tables[j].name, want->tables[i].name);
        if (!known && !raw_has(raw, live->tables[j].name)) {
            say(rep, "drift: table %s is not in the migrations\n", live->tables[j].name);
            problems++;
        }
    }
    return problems;
}

/* ---- a partly applied migration: between two schemas ---- */

/* The described table of that name, or NULL. */
static const struct migc_table_desc *desc_table(const struct migc_schema_desc *s, const char *name)
{
    for (unsigned i = 0; i < s->ntables; i++)
        if (!strcmp(s->tables[i].name, name))
            return &s->tables[i];
    return NULL;
}

/* The described column of that name (t may be NULL), or NULL. */
static const struct migc_column_desc *desc_column(const struct migc_table_desc *t, const char *name)
{
    for (unsigned i = 0; t && i < t->ncolumns; i++)
        if (!strcmp(t->columns[i].name, name))
            return &t->columns[i];
    return NULL;
}

/* Checks one list of names (indexes or constraints) of a table against the
 * lists before (b) and after (a) the migration, either of which may be
 * absent (n = 0): names in both must be there, names in neither must not.
 * Returns the number of differences written. */
static unsigned compare_names_between(FILE *rep, const char *kind, const char *table,
                                      const char *const *b, unsigned nb, const char *const *a,
                                      unsigned na, char *const *have, unsigned nhave,
                                      const struct raw_set *raw)
{
    unsigned n = 0;
    for (unsigned i = 0; i < nb; i++)
        if (in_list(a, na, b[i]) && !in_list((const char *const *)have, nhave, b[i])) {
            say(rep, "drift: %s %s on %s is missing\n", kind, b[i], table);
            n++;
        }
    for (unsigned j = 0; j < nhave; j++)
        if (!in_list(b, nb, have[j]) && !in_list(a, na, have[j]) && !raw_has(raw, have[j])) {
            say(rep, "drift: %s %s on %s is not in the migrations\n", kind, have[j], table);
            n++;
        }
    return n;
}

/* Compares a live table with its descriptions before (b) and after (a) a
 * partly applied migration (either may be NULL): each column, index and
 * constraint, and each column's type, nullability and default, may be as
 * before or as after (a column the migration adds or drops may be in any
 * state between). Returns the number of differences written. */
static unsigned compare_table_between(FILE *rep, const char *name, const struct migc_table_desc *b,
                                      const struct migc_table_desc *a,
                                      const struct migc_live_table *have,
                                      const struct raw_set *raw)
{
    unsigned n = 0;
    for (int pass = 0; pass < 2; pass++) {
        const struct migc_table_desc *t = pass ? a : b;
        for (unsigned i = 0; t && i < t->ncolumns; i++) {
            const char *col = t->columns[i].name;
            if (pass && desc_column(b, col))
                continue;   /* seen in the first pass */
            const struct migc_column_desc *cb = desc_column(b, col), *ca = desc_column(a, col);
            const struct migc_live_column *lc = NULL;
            for (unsigned j = 0; j < have->ncolumns && !lc; j++)
                if (!strcmp(have->columns[j].name, col))
                    lc = &have->columns[j];
            if (!lc) {
                if (cb && ca) {
                    say(rep, "drift: column %s.%s is missing\n", name, col);
                    n++;
                }
                continue;
            }
            if (!cb || !ca)
                continue;   /* added or dropped by the migration: any state between */
            const struct migc_column_desc *w = ca;
            if (!(cb && !strcasecmp(lc->type, cb->type)) && !(ca && !strcasecmp(lc->type, ca->type))) {
                say(rep, "drift: column %s.%s has type %s, expected %s\n", name, col, lc->type,
                    w->type);
                n++;
            }
            if (!(cb && lc->not_null == cb->not_null) && !(ca && lc->not_null == ca->not_null)) {
                say(rep, "drift: column %s.%s is %s, expected %s\n", name, col,
                    lc->not_null ? "not null" : "nullable", w->not_null ? "not null" : "nullable");
                n++;
            }
            if (!(cb && lc->has_default == cb->has_default) &&
                !(ca && lc->has_default == ca->has_default)) {
                say(rep, "drift: column %s.%s %s a default, expected %s\n", name, col,
                    lc->has_default ? "has" : "has no", w->has_default ? "one" : "none");
                n++;
            }
        }
    }
    for (unsigned j = 0; j < have->ncolumns; j++)
        if (!desc_column(b, have->columns[j].name) && !desc_column(a, have->columns[j].name) &&
            !raw_has(raw, have->columns[j].name)) {
            say(rep, "drift: column %s.%s is not in the migrations\n", name, have->columns[j].name);
            n++;
        }
    n += compare_names_between(rep, "index", name, b ? b->indexes : NULL, b ? b->nindexes : 0,
                               a ? a->indexes : NULL, a ? a->nindexes : 0, have->indexes,
                               have->nindexes, raw);
    n += compare_names_between(rep, "constraint", name, b ? b->constraints : NULL,
                               b ? b->nconstraints : 0, a ? a->constraints : NULL,
                               a ? a->nconstraints : 0, have->constraints, have->nconstraints,
                               raw);
    return n;
}

/* The live schema of a database whose migration is partly applied ('applying:K/N'
 * or 'reverting:K/N' after a kill, a lost connection or a failed step):
 * between before (the last applied version's schema) and after (the
 * partial migration's). What both have must be there; what neither has
 * must not; the rest may be either way. Returns the number of differences
 * written. */
static unsigned compare_partial(FILE *rep, const struct migc_schema_desc *before,
                                const struct migc_schema_desc *after,
                                const struct migc_live_schema *live,
                                const struct raw_set *raw)
{
    unsigned problems = 0;
    for (int pass = 0; pass < 2; pass++) {
        const struct migc_schema_desc *s = pass ? after : before;
        for (unsigned i = 0; i < s->ntables; i++) {
            const char *name = s->tables[i].name;
            if (pass && desc_table(before, name))
                continue;   /* seen in the first pass */
            const struct migc_table_desc *b = desc_table(before, name), *a = desc_table(after, name);
            const struct migc_live_table *t = live_table(live, name);
            if (!t) {
                if (b && a) {
                    say(rep, "drift: table %s is missing\n", name);
                    problems++;
                }
                continue;
            }
            problems += compare_table_between(rep, name, b, a, t, raw);
        }
    }
    for (unsigned j = 0; j < live->ntables; j++)
        if (!desc_table(before, live->tables[j].name) && !desc_table(after, live->tables[j].name) &&
            !raw_has(raw, live->tables[j].name)) {
            say(rep, "drift: table %s is not in the migrations\n", live->tables[j].name);
            problems++;
        }
    return problems;
}

/* ---- the schema at a version: replay of the plan's deltas (plan.h) ---- */

/* Sets *out to the whole schema after migration `upto` (an element of
 * p->migrations) for dialect d: the replay of the schema descriptions of
 * migrations 0..upto (from the last full one, delta = false, if any). The
 * table descriptions are the plan's; out->tables is one malloc'd array the
 * caller frees. O(sum of the replayed descriptions). Returns false when out
 * of memory (*out is then empty). */
static bool schema_at(const struct migc_plan *p, const struct migc_migration *upto,
                      enum migc_dialect d, struct migc_schema_desc *out)
{
    *out = (struct migc_schema_desc){0};
    size_t last = (size_t)(upto - p->migrations), first = 0, total = 0;
    for (size_t i = last + 1; i-- > 0;)
        if (!p->migrations[i].schema[d].delta) {
            first = i;
            break;
        }
    for (size_t i = first; i <= last; i++)
        total += p->migrations[i].schema[d].ntables;
    /* slots: the tables in order of addition, NULL once removed; map: open
     * addressing, name -> 1 + its latest slot (0: empty). */
    size_t cap = 16;
    while (cap < 2 * total)
        cap *= 2;
    const struct migc_table_desc **slots = malloc((total ? total : 1) * sizeof *slots);
    size_t *map = calloc(cap, sizeof *map), nslots = 0;
    if (!slots || !map) {
        free(slots);
        free(map);
        return false;
    }
    for (size_t i = first; i <= last; i++) {
        const struct migc_schema_desc *s = &p->migrations[i].schema[d];
        for (unsigned k = 0; s->delta && k < s->ndropped; k++) {
            size_t h = 5381;
            for (const char *c = s->dropped[k]; *c; c++)
                h = h * 33 + (unsigned char)*c;
            for (size_t j = h & (cap - 1); map[j]; j = (j + 1) & (cap - 1))
                if (slots[map[j] - 1] && !strcmp(slots[map[j] - 1]->name, s->dropped[k])) {
                    slots[map[j] - 1] = NULL;
                    break;
                }
        }
        for (unsigned k = 0; k < s->ntables; k++) {
            const struct migc_table_desc *t = &s->tables[k];
            size_t h = 5381, j;
            for (const char *c = t->name; *c; c++)
                h = h * 33 + (unsigned char)*c;
            for (j = h & (cap - 1); map[j]; j = (j + 1) & (cap - 1))
                if (slots[map[j] - 1] && !strcmp(slots[map[j] - 1]->name, t->name))
                    break;
            if (map[j]) {
                slots[map[j] - 1] = t;   /* replaced in place */
            } else {
                slots[nslots] = t;
                map[j] = ++nslots;
            }
        }
    }
    free(map);
    struct migc_table_desc *tables = malloc((nslots ? nslots : 1) * sizeof *tables);
    if (!tables) {
        free(slots);
        return false;
    }
    unsigned n = 0;
    for (size_t i = 0; i < nslots; i++)
        if (slots[i])
            tables[n++] = *slots[i];
    free(slots);
    out->ntables = n;
    out->tables = tables;
    return true;
}

/* migc.h: checksums and states, then the schema; reads only, no lock. */
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
    /* A partly done migration: each of its steps so far has moved the schema
     * part of the way from the one before it to the one after it, so every
     * object and property may be as before or as after (see
     * compare_partial). Otherwise: the last applied version's schema. */
    struct migc_schema_desc want = {0}, after = {0};
    struct raw_set raw = {0};
    bool between = partial && partial->version > (last ? last->version : 0);
    if ((last && !schema_at(m->plan, last, m->dialect, &want)) ||
        (between && !schema_at(m->plan, partial, m->dialect, &after)) ||
        !raw_set_at(m->plan, between ? partial : last, m->dialect, &raw)) {
        free((void *)want.tables);
        free((void *)after.tables);
        migc_live_schema_free(&live);
        if (devnull)
            fclose(devnull);
        return engine_fail(m, MIGC_IO, "out of memory");
    }
    if (between)
        problems += compare_partial(rep, &want, &after, &live, &raw);
    else
        problems += compare_schema(rep, &want, &live, &raw);
    free(raw.v);
    free((void *)want.tables);
    free((void *)after.tables);
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
