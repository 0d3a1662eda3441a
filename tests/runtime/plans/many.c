/* many.c: a plan of n small migrations built at run time, for tests of
 * what only a long history shows (the history rows of --single-transaction
 * are written a hundred to a statement). */
#include "many.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void many_plan_free(struct many_plan *mp)
{
    free(mp->migs);
    free(mp->steps);
    free(mp->sqls);
    free(mp->parts);
    free(mp->text);
    memset(mp, 0, sizeof *mp);
}

/* Formats one string with i into text at *at; returns it. */
static const char *put(char *text, size_t *at, size_t cap, const char *fmt, int64_t i)
{
    char *p = text + *at;
    int n = snprintf(p, cap - *at, fmt, i);
    *at += (size_t)n + 1;
    return p;
}

bool many_plan_build(struct many_plan *mp, enum migc_dialect d, const struct migc_driver *drv,
                     unsigned n)
{
    memset(mp, 0, sizeof *mp);
    size_t cap = (size_t)n * 256;   /* the four strings of a migration take < 200 bytes */
    mp->migs = calloc(n, sizeof *mp->migs);
    mp->steps = calloc(2 * (size_t)n, sizeof *mp->steps);
    mp->sqls = calloc(2 * (size_t)n, sizeof *mp->sqls);
    mp->parts = calloc(2 * (size_t)n, sizeof *mp->parts);
    mp->text = malloc(cap);
    if (!mp->migs || !mp->steps || !mp->sqls || !mp->parts || !mp->text) {
        many_plan_free(mp);
        return false;
    }
    size_t at = 0;
    for (unsigned k = 0; k < n; k++) {
        int64_t i = (int64_t)k + 1;
        struct migc_migration *mig = &mp->migs[k];
        mig->version = i;
        mig->description = put(mp->text, &at, cap, "create many_%" PRId64, i);
        mig->checksum = put(mp->text, &at, cap, "v1:%064" PRId64, i);
        mp->parts[2 * k] = put(mp->text, &at, cap, "CREATE TABLE many_%" PRId64 " (id INTEGER)", i);
        mp->parts[2 * k + 1] = put(mp->text, &at, cap, "DROP TABLE many_%" PRId64, i);
        for (unsigned j = 0; j < 2; j++) {
            mp->sqls[2 * k + j] = (struct migc_sql){1, &mp->parts[2 * k + j]};
            mp->steps[2 * k + j] = (struct migc_step){.kind = MIGC_STEP_TRANSACTION,
                                                       .nstatements = 1,
                                                       .statements = &mp->sqls[2 * k + j]};
        }
        mig->up[d] = (struct migc_direction){1, &mp->steps[2 * k]};
        mig->down[d] = (struct migc_direction){1, &mp->steps[2 * k + 1]};
        mig->down_loses_data = true;
        mig->schema[d].delta = true;
    }
    mp->plan.name = "many";
    mp->plan.migc_version = "test";
    mp->plan.dialects = 1u << d;
    mp->plan.nmigrations = n;
    mp->plan.migrations = mp->migs;
    mp->plan.drivers[d] = drv;
    return true;
}
