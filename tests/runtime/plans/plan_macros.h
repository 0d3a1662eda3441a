/* plan_macros.h: helpers to write struct migc_plan literals by hand for the
 * runtime tests (the code generator writes the same structures). Compound
 * literals at file scope have static storage, so these are constant data. */
#ifndef MIGC_TEST_PLAN_MACROS_H
#define MIGC_TEST_PLAN_MACROS_H

#include "migc/plan.h"

#define COUNT_OF(type, ...) (unsigned)(sizeof((type[]){__VA_ARGS__}) / sizeof(type))
/* One SQL text in one part. */
#define SQL(text) {1, (const char *const[]){text}}
/* A transactional step of statements. */
#define TX(...)                                                                  \
    {.kind = MIGC_STEP_TRANSACTION, .nstatements = COUNT_OF(struct migc_sql, __VA_ARGS__), \
     .statements = (const struct migc_sql[]){__VA_ARGS__}}
/* A transactional step that rebuilds table t (SQLite). */
#define REBUILD(t, ...)                                                          \
    {.kind = MIGC_STEP_TRANSACTION, .nstatements = COUNT_OF(struct migc_sql, __VA_ARGS__), \
     .statements = (const struct migc_sql[]){__VA_ARGS__}, .nrebuilt = 1,        \
     .rebuilt_tables = (const char *const[]){t}}
/* A non-transactional step. */
#define NOTX(text)                                                               \
    {.kind = MIGC_STEP_NO_TRANSACTION, .nstatements = 1,                         \
     .statements = (const struct migc_sql[]){SQL(text)}}
/* A batched backfill step. */
#define BACKFILL(bf) {.kind = MIGC_STEP_BACKFILL, .backfill = &(bf)}
/* A direction of steps. */
#define STEPS(...) {COUNT_OF(struct migc_step, __VA_ARGS__), (const struct migc_step[]){__VA_ARGS__}}
#define NO_STEPS {0, 0}
/* Column descriptions. */
#define COL(n, t, nn, def) {.name = n, .type = t, .not_null = nn, .has_default = def}
#define NAMES(...) COUNT_OF(const char *, __VA_ARGS__), (const char *const[]){__VA_ARGS__}
#define NO_NAMES 0, 0

#endif
