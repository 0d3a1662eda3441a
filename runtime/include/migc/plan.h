/* migc/plan.h: the compiled migration plan, as `migc build` writes it.
 *
 * This is the contract between the compiler's C emitter and the runtime.
 * Everything is static, read-only data: a generated NAME.c defines
 * `const struct migc_plan NAME = {...};` and the runtime only reads it.
 *
 * SQL text is split into parts of at most 4000 bytes (C compilers need only
 * accept string literals of 4095 bytes with -pedantic); the runtime
 * concatenates a migc_sql's parts before sending one statement. Names inside
 * SQL are already quoted for the dialect. */
#ifndef MIGC_PLAN_H
#define MIGC_PLAN_H

#include <stdbool.h>
#include <stddef.h>   /* NULL, which generated plans use */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum migc_dialect {
    MIGC_POSTGRES = 0,
    MIGC_SQLITE = 1,
    MIGC_DIALECT_COUNT
};

/* One SQL statement (or, for raw SQL, one raw block that may hold several
 * statements: the drivers run such text with a multi-statement call). */
struct migc_sql {
    unsigned nparts;
    const char *const *parts;
};

enum migc_step_kind {
    /* Statements run in one transaction together with the history update. */
    MIGC_STEP_TRANSACTION = 0,
    /* One statement that must run outside a transaction (CREATE INDEX
     * CONCURRENTLY, a `no_transaction` raw block). */
    MIGC_STEP_NO_TRANSACTION = 1,
    /* A batched backfill: keyset pagination over the primary key, one
     * transaction per batch together with the progress update. */
    MIGC_STEP_BACKFILL = 2
};

/* A batched backfill, per dialect. Key values travel as text: progress
 * stores the last key done (one value as text; several as a JSON array of
 * strings). Parameters are positional ($1.. on PostgreSQL, ?1.. on SQLite). */
struct migc_backfill {
    const char *table;            /* quoted, for messages */
    unsigned nkeys;               /* primary-key columns */
    unsigned batch_size;
    /* SELECT of the last key (nkeys columns) of the next full batch in key
     * order, i.e. the batch_size-th key after the previous batch (LIMIT 1
     * OFFSET batch_size - 1): first_bound has no parameter; next_bound takes
     * the previous batch's last key as $1..$nkeys. No row: fewer than
     * batch_size rows are left, and the rest query below says where they end. */
    struct migc_sql first_bound;
    struct migc_sql next_bound;
    /* UPDATE of one batch. first_update takes the batch's last key as
     * $1..$nkeys; next_update takes the previous last key as $1..$nkeys and
     * the batch's last key as $nkeys+1..$2*nkeys. */
    struct migc_sql first_update;
    struct migc_sql next_update;
    /* The whole backfill as one UPDATE (for --single-transaction). */
    struct migc_sql whole;
    /* SELECT of the last key of the rows left (fewer than batch_size), same
     * parameters as first_bound/next_bound. No row: nothing left to do.
     * Optional: with nparts 0 the bound's "no row" means done, for plans
     * whose bound returns the last key of a short batch itself. */
    struct migc_sql first_rest;
    struct migc_sql next_rest;
};

struct migc_step {
    enum migc_step_kind kind;
    unsigned nstatements;
    const struct migc_sql *statements;       /* TRANSACTION, NO_TRANSACTION */
    const struct migc_backfill *backfill;    /* BACKFILL */
    /* PostgreSQL NO_TRANSACTION steps that build an index concurrently:
     * the index name (unquoted), so a resumed run can drop an INVALID index
     * that its own failed build left. NULL otherwise. */
    const char *concurrent_index;
    /* SQLite: tables this step rebuilds. The runtime turns foreign_keys off
     * before BEGIN and back on after COMMIT, saves and re-creates triggers
     * and views that raw SQL made, and runs foreign_key_check before COMMIT. */
    unsigned nrebuilt;
    const char *const *rebuilt_tables;
};

struct migc_direction {
    unsigned nsteps;
    const struct migc_step *steps;
};

/* The schema after a migration, as verify compares it with the database.
 * Types are spelled as the database reports them: PostgreSQL as
 * format_type() prints them ("bigint", "character varying(20)",
 * "timestamp with time zone"); SQLite as declared (PRAGMA table_info).
 *
 * A schema description is a delta (delta = true; what `migc build` writes,
 * so that a plan grows with the number of changes, not migrations x
 * tables):
 *   tables   every table the migration created or changed, each with its
 *            whole description after the migration (a table it did not
 *            change is not listed; nor is one whose description came out
 *            the same);
 *   dropped  the names of the tables that existed before the migration and
 *            do not after it (dropped, or renamed away: a rename lists the
 *            old name here and the table under its new name in tables).
 * The schema after migration i is the replay of migrations 0..i, starting
 * from no table: for each, remove the dropped names, then put each table
 * of tables in place of the one of that name (or add it). A migration that
 * changed no table is {0, NULL, 0, NULL, true, 0, NULL}.
 * delta = false (the zero value, for hand-written plans): tables is the
 * whole schema after the migration and dropped is ignored; a replay
 * restarts from it.
 *
 * raw_names is always a delta, whatever delta says: the names (sorted,
 * without duplicates) that this migration's up raw `sql` blocks for the
 * dialect mention and no earlier migration's did: every identifier-like
 * word of the text folded to lower case, every quoted identifier as
 * written; comments left out. The names up to a version are the union of
 * raw_names of migrations 0..that one. verify does not report a live table,
 * column, index or constraint that the description does not expect when its
 * name is one of them (compared case-insensitively): raw SQL made it, and
 * the compiler cannot describe it. What the description expects is still
 * checked exactly. {0, NULL}: no raw SQL (hand-written plans). */
struct migc_column_desc {
    const char *name;
    const char *type;
    bool not_null;
    bool has_default;
};

struct migc_table_desc {
    const char *name;
    unsigned ncolumns;
    const struct migc_column_desc *columns;
    unsigned nindexes;                 /* create_index indexes, by name */
    const char *const *indexes;
    unsigned nconstraints;             /* constraints, by name */
    const char *const *constraints;
};

struct migc_schema_desc {
    unsigned ntables;
    const struct migc_table_desc *tables;
    unsigned ndropped;
    const char *const *dropped;
    bool delta;
    unsigned nraw_names;
    const char *const *raw_names;
};

struct migc_migration {
    int64_t version;
    const char *description;
    const char *checksum;                /* "v1:<64 hex>" */
    struct migc_direction up[MIGC_DIALECT_COUNT];
    struct migc_direction down[MIGC_DIALECT_COUNT];
    bool irreversible;                   /* no down at all */
    bool down_loses_data;                /* the down drops tables/columns, deletes rows
                                            or narrows a type: needs --allow-data-loss */
    struct migc_schema_desc schema[MIGC_DIALECT_COUNT];  /* after this migration: a delta */
};

/* The driver libraries, one constant vtable each (runtime/driver.h). A
 * generated plan points at the drivers of its dialects, which is what links
 * them: the engine never names them, so a SQLite-only binary never links
 * libpq. */
struct migc_driver;
extern const struct migc_driver migc_driver_postgres;
extern const struct migc_driver migc_driver_sqlite;

struct migc_plan {
    const char *name;                    /* the --name given to migc build */
    const char *migc_version;            /* the compiler that wrote it */
    unsigned dialects;                   /* bit (1u << enum migc_dialect) per dialect built */
    unsigned nmigrations;
    const struct migc_migration *migrations;   /* ascending versions */
    /* Per dialect built: &migc_driver_postgres / &migc_driver_sqlite; NULL
     * for a dialect not built (the binary then says it lacks that dialect).
     * Emit with designated initializers:
     *   .drivers = {[MIGC_POSTGRES] = &migc_driver_postgres,
     *               [MIGC_SQLITE] = &migc_driver_sqlite}, */
    const struct migc_driver *drivers[MIGC_DIALECT_COUNT];
};

#ifdef __cplusplus
}
#endif

#endif
