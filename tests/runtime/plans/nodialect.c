/* nodialect.c: a plan built for PostgreSQL only, linked without any driver:
 * pointed at SQLite it must say it lacks that dialect. */
#include "plan_macros.h"

static const struct migc_migration migrations[] = {
    {.version = 1, .description = "create t", .checksum = "v1:1",
     .up = {[MIGC_POSTGRES] = STEPS(TX(SQL("CREATE TABLE t (id bigint PRIMARY KEY)")))},
     .down = {[MIGC_POSTGRES] = STEPS(TX(SQL("DROP TABLE t")))}},
};

const struct migc_plan PLAN_NAME = {
    .name = "nodialect",
    .migc_version = "test",
    .dialects = 1u << MIGC_POSTGRES,
    .nmigrations = 1,
    .migrations = migrations,
};
