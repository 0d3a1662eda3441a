/* notx.c: a hand-written SQLite plan with a non-transactional step (VACUUM
 * cannot run inside a transaction), for --single-transaction's refusal and
 * for resuming partly applied and partly reverted migrations. */
#include "plan_macros.h"

static const struct migc_column_desc t_cols[] = {COL("id", "INTEGER", true, false)};
#define T {"t", 1, t_cols, NO_NAMES, NO_NAMES}
#define U {"u", 1, t_cols, NO_NAMES, NO_NAMES}
#define SCHEMA(...) {[MIGC_SQLITE] = {COUNT_OF(struct migc_table_desc, __VA_ARGS__), (const struct migc_table_desc[]){__VA_ARGS__}}}

static const struct migc_migration migrations[] = {
    {.version = 1, .description = "create t", .checksum = "v1:1",
     .up = {[MIGC_SQLITE] = STEPS(TX(SQL("CREATE TABLE t (id INTEGER PRIMARY KEY)")))},
     .down = {[MIGC_SQLITE] = STEPS(TX(SQL("DROP TABLE t")))},
     .schema = SCHEMA(T)},
    {.version = 2, .description = "vacuum", .checksum = "v1:2",
     .up = {[MIGC_SQLITE] = STEPS(NOTX("VACUUM"))},
     .down = {[MIGC_SQLITE] = NO_STEPS},
     .schema = SCHEMA(T)},
    {.version = 3, .description = "create u", .checksum = "v1:3",
     .up = {[MIGC_SQLITE] = STEPS(TX(SQL("CREATE TABLE u (id INTEGER PRIMARY KEY)")))},
     .down = {[MIGC_SQLITE] = STEPS(TX(SQL("DROP TABLE u")), NOTX("VACUUM"))},
     .schema = SCHEMA(T, U)},
};

const struct migc_plan PLAN_NAME = {
    .name = "notx",
    .migc_version = "test",
    .dialects = 1u << MIGC_SQLITE,
    .nmigrations = sizeof migrations / sizeof migrations[0],
    .migrations = migrations,
    .drivers = {[MIGC_SQLITE] = &migc_driver_sqlite},
};
