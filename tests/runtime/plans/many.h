/* many.h: a plan of n small migrations built at run time (many.c). */
#ifndef MIGC_TEST_MANY_H
#define MIGC_TEST_MANY_H

#include <stdbool.h>

#include "migc/plan.h"

struct many_plan {
    struct migc_plan plan;
    struct migc_migration *migs;
    struct migc_step *steps;      /* 2 per migration: up, down */
    struct migc_sql *sqls;        /* 2 per migration */
    const char **parts;           /* 2 per migration */
    char *text;                   /* descriptions, checksums, SQL */
};

/* Fills mp->plan with n migrations for dialect d run by drv: migration i
 * (version i, from 1) creates table many_i, its checksum is "v1:" and 64
 * digits of i. False when out of memory. Release with many_plan_free. */
bool many_plan_build(struct many_plan *mp, enum migc_dialect d, const struct migc_driver *drv,
                     unsigned n);
void many_plan_free(struct many_plan *mp);

#endif
