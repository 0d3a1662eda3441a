/* composite.c: a hand-written SQLite plan whose backfill walks a composite
 * primary key, so its recorded progress is a JSON array of two keys.
 *
 *   1 create pairs         pairs(a, b, v), PRIMARY KEY (a, b), 30 rows
 *   2 bump v               batched backfill v = v + 1 over (a, b) */
#include "plan_macros.h"

#define CK(n) "v1:" n "000000000000000000000000000000000000000000000000000000000000000"

static const struct migc_column_desc pairs_cols[] = {
    COL("a", "INTEGER", true, false), COL("b", "INTEGER", true, false),
    COL("v", "INTEGER", true, true)};
#define SCHEMA(...) {[MIGC_SQLITE] = {COUNT_OF(struct migc_table_desc, __VA_ARGS__), (const struct migc_table_desc[]){__VA_ARGS__}}}
#define PAIRS {"pairs", 3, pairs_cols, NO_NAMES, NO_NAMES}

static const struct migc_backfill bump = {
    .table = "pairs",
    .nkeys = 2,
    .batch_size = 7,
    .first_bound = SQL("SELECT a, b FROM pairs ORDER BY a, b LIMIT 1 OFFSET 6"),
    .next_bound = SQL("SELECT a, b FROM pairs WHERE (a, b) > (?1, ?2) ORDER BY a, b LIMIT 1 OFFSET 6"),
    .first_update = SQL("UPDATE pairs SET v = v + 1 WHERE (a, b) <= (?1, ?2)"),
    .next_update = SQL("UPDATE pairs SET v = v + 1 WHERE (a, b) > (?1, ?2) AND (a, b) <= (?3, ?4)"),
    .whole = SQL("UPDATE pairs SET v = v + 1"),
    /* 30 rows in batches of 7: the last 2 are found by the rest query */
    .first_rest = SQL("SELECT a, b FROM (SELECT a, b FROM pairs ORDER BY a, b LIMIT 7) ORDER BY a DESC, b DESC LIMIT 1"),
    .next_rest = SQL("SELECT a, b FROM (SELECT a, b FROM pairs WHERE (a, b) > (?1, ?2) ORDER BY a, b LIMIT 7) ORDER BY a DESC, b DESC LIMIT 1"),
};

static const struct migc_migration migrations[] = {
    {.version = 1, .description = "create pairs", .checksum = CK("1"),
     .up = {[MIGC_SQLITE] = STEPS(TX(SQL(
                "CREATE TABLE pairs (a INTEGER NOT NULL, b INTEGER NOT NULL, "
                "v INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (a, b));\n"
                "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 29) "
                "INSERT INTO pairs (a, b) SELECT i / 5, i % 5 FROM n")))},
     .down = {[MIGC_SQLITE] = STEPS(TX(SQL("DROP TABLE pairs")))},
     .down_loses_data = true,
     .schema = SCHEMA(PAIRS)},
    {.version = 2, .description = "bump v", .checksum = CK("2"),
     .up = {[MIGC_SQLITE] = STEPS(BACKFILL(bump))},
     .down = {[MIGC_SQLITE] = NO_STEPS},
     .schema = SCHEMA(PAIRS)},
};

const struct migc_plan PLAN_NAME = {
    .name = "composite",
    .migc_version = "test",
    .dialects = 1u << MIGC_SQLITE,
    .nmigrations = sizeof migrations / sizeof migrations[0],
    .migrations = migrations,
    .drivers = {[MIGC_SQLITE] = &migc_driver_sqlite},
};
