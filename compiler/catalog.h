/* catalog.h: the model of the schema at one point of the history.
 *
 * The checker validates a statement against the catalog and then calls
 * catalog_apply() to move the catalog past it; the emitters replay the same
 * way (catalog before a statement: what a rebuild or a derived down needs).
 * catalog_copy() gives the snapshot after each migration that the C plan
 * embeds (so `verify` works at any version) and that `migc schema --at`
 * prints.
 *
 * Names stored here are the folded/exact names of the AST; lookups compare
 * them exactly (folding already happened in the lexer). Expressions
 * (defaults, checks, index predicates) point into the AST, which outlives
 * every catalog of the compilation. Everything is allocated in the arena. */
#ifndef MIGC_CATALOG_H
#define MIGC_CATALOG_H

#include "ast.h"

typedef struct cat_column {
    const char *name;
    bool quoted;            /* written in double quotes (emitters quote when needed anyway) */
    sql_type type;
    bool not_null;
    bool identity;
    const expr *dflt;       /* NULL: no default */
    /* For the checker's NOT NULL proof: the column holds no NULL now
     * (non-null default since it was added, or a covering backfill since). */
    bool proven_non_null;
    int64_t added_version;  /* the migration that added it */
} cat_column;

typedef struct cat_constraint {
    constraint_kind kind;
    const char *name;       /* always set: the written name or the generated one */
    const char **cols;      /* PK, UNIQUE, FK local columns */
    uint32_t ncols;
    const expr *check;      /* CHECK */
    const char *ref_table;  /* FK */
    const char **ref_cols;
    uint32_t nref_cols;
    fk_action on_delete, on_update;
    bool inline_on_column;  /* written on a column: goes with that column */
} cat_constraint;

typedef struct cat_index {
    const char *name;
    const char *table;
    bool unique;
    const char *method;     /* NULL: default (btree) */
    const index_elem *elems;
    uint32_t nelems;
    const expr *where;
    const char **cols;      /* every column the index uses (elements and predicate) */
    uint32_t ncols;
} cat_index;

typedef struct cat_table {
    const char *name;
    bool quoted;
    cat_column **cols;      /* declaration order */
    uint32_t ncols;
    cat_constraint **cons;  /* declaration order; at most one PRIMARY KEY */
    uint32_t ncons;
    /* For the checker's "table may have rows" rule: created earlier in the
     * migration being checked, with no insert or raw SQL touching it since. */
    int64_t created_version;
    bool maybe_has_rows;
    int64_t identity_floor; /* greatest id inserted into its identity column, 0 if none */
} cat_table;

typedef struct catalog {
    arena *a;
    cat_table **tables;     /* creation order */
    uint32_t ntables;
    cat_index **indexes;    /* creation order (create_index only; constraints' own
                               indexes are implied by their constraints) */
    uint32_t nindexes;
} catalog;

catalog *catalog_new(arena *a);
/* Deep copy of the catalog's own structures (AST expressions are shared). */
catalog *catalog_copy(const catalog *c);

/* Lookups; NULL when absent. */
cat_table *catalog_table(const catalog *c, const char *name);
cat_column *catalog_column(const cat_table *t, const char *name);
cat_index *catalog_index(const catalog *c, const char *name);
cat_constraint *catalog_constraint(const cat_table *t, const char *name);
cat_constraint *catalog_primary_key(const cat_table *t);
/* Is any relation-level name (table, index, constraint) taken? PostgreSQL
 * puts indexes, tables and PK/unique constraints' indexes in one namespace. */
bool catalog_relation_name_taken(const catalog *c, const char *name);

/* The name PostgreSQL would choose for an unnamed constraint or index
 * (ChooseConstraintName / ChooseIndexName: <table>_<cols>_<pkey|key|check|fkey|idx>,
 * truncated to 63 bytes, with a number appended on collision). */
const char *catalog_choose_name(const catalog *c, const char *table,
                                const char **cols, uint32_t ncols,
                                const char *suffix);

/* Moves the catalog past s, which the checker has already accepted (it
 * assumes every name it needs exists). mig is the migration s belongs to.
 * Unnamed constraints get their generated names here, so the checker, the
 * emitters and the C plan all see the same ones. */
void catalog_apply(catalog *c, const migration *mig, const stmt *s);

#endif
