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
 * every catalog of the compilation; after rename_column, checks and index
 * expressions are arena copies that use the new column name. Everything is
 * allocated in the arena.
 *
 * Snapshots share structure: catalog_copy() is O(1) and a catalog changes
 * copy-on-write, so an unchanged table is the same cat_table pointer in
 * every snapshot that holds it (emitters may use that to emit it once).
 * Treat every cat_* object reached from a catalog as read-only; change a
 * catalog only through catalog_apply(). Appending a table/column/constraint
 * costs O(1); changing an existing table copies that table's struct and the
 * catalog's table array once per snapshot (O(tables)), so a history of N
 * migrations costs O(N x tables touched), not O(N x whole schema). */
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
    loc at;                 /* where it was defined (for "previous definition" notes) */
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
    loc at;                 /* where it was defined */
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
    bool concurrently;      /* created with `concurrently` */
    loc at;                 /* where it was defined */
    uint32_t slot_;         /* private to catalog.c: position hint */
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
    loc at;                 /* where it was created */
    /* Private to catalog.c: copy-on-write bookkeeping. */
    uint32_t owner_, slot_;
    struct cat_vec *cols_vec_, *cons_vec_;
} cat_table;

typedef struct catalog {
    arena *a;
    cat_table **tables;     /* creation order */
    uint32_t ntables;
    cat_index **indexes;    /* creation order (create_index only; constraints' own
                               indexes are implied by their constraints) */
    uint32_t nindexes;
    struct cat_priv *priv_; /* private to catalog.c: ownership token, name maps */
} catalog;

catalog *catalog_new(arena *a);
/* Deep copy of the catalog's own structures (AST expressions are shared). */
catalog *catalog_copy(const catalog *c);

/* catalog_copy() whose own allocations (name maps, changed objects, the
 * names it chooses) go to arena a instead of c's: a scratch copy whose
 * arena the caller frees once done with it. c must not change while the
 * copy is in use (c keeps changing in place what it owns: no array of c is
 * copied later because of the copy). Nothing reached from c itself ever
 * points into a (shared arrays are only appended to past c's own length),
 * so c stays valid; names the copy chose for unnamed constraints (stmt
 * resolved_name) must not be read after a is freed. */
catalog *catalog_copy_in(const catalog *c, arena *a);

/* Makes every object c holds now immutable, without a copy: pointers to
 * tables, columns, constraints and indexes taken before stay valid and
 * unchanged when c changes later (changed objects are cloned and replaced
 * in c's own arrays). O(1); a cheaper "before" view than catalog_copy() when
 * only some objects (not the whole arrays) need to survive a change. */
void catalog_freeze(catalog *c);

/* Lookups; NULL when absent. */
cat_table *catalog_table(const catalog *c, const char *name);
cat_column *catalog_column(const cat_table *t, const char *name);
cat_index *catalog_index(const catalog *c, const char *name);
cat_constraint *catalog_constraint(const cat_table *t, const char *name);
cat_constraint *catalog_primary_key(const cat_table *t);
/* Is any relation-level name (table, index, constraint) taken? PostgreSQL
 * puts indexes, tables and PK/unique constraints' indexes in one namespace. */
bool catalog_relation_name_taken(const catalog *c, const char *name);
/* Is name used by any constraint of any table (PostgreSQL's
 * ChooseConstraintName avoids every constraint name of the schema)? */
bool catalog_constraint_name_used(const catalog *c, const char *name);
/* The table whose primary-key or unique constraint is named name (that
 * constraint's index takes the relation name), or NULL; *con gets it. */
cat_table *catalog_relcon_owner(const catalog *c, const char *name, cat_constraint **con);
/* Does constraint k use column col (among its columns or in its check)? */
bool catalog_con_uses(const cat_constraint *k, const char *col);
/* Index of the column in t->cols, or -1. */
int catalog_column_index(const cat_table *t, const char *name);

/* Does the raw SQL text name the table (a whole word, case-insensitive)? */
bool raw_sql_names(const char *sql, const char *table);
/* The managed tables that raw SQL names (whole words, case-insensitive), in
 * order of first mention, each once; *n gets the count. O(length of sql). */
const cat_table **catalog_tables_in_sql(const catalog *c, const char *sql, uint32_t *n);
/* The create_index indexes of table, by name (order unspecified), and the
 * tables whose foreign keys reference table (one entry per foreign key, so
 * a table may repeat). Both borrowed: valid until the catalog changes. */
const char *const *catalog_table_index_names(const catalog *c, const char *table, uint32_t *n);
const char *const *catalog_referencing_tables(const catalog *c, const char *table, uint32_t *n);
/* The single column a CHECK expression mentions, however often (PostgreSQL
 * 15 names an unnamed check <table>_<column>_check when the expression's
 * distinct columns are exactly one, else <table>_check), or NULL when it
 * mentions none or several. */
const char *check_single_column(const expr *e);

/* The name PostgreSQL would choose for an unnamed constraint or index
 * (ChooseConstraintName / ChooseIndexName: <table>_<cols>_<pkey|key|check|fkey|idx>,
 * truncated to 63 bytes, with a number appended on collision). */
const char *catalog_choose_name(const catalog *c, const char *table,
                                const char **cols, uint32_t ncols,
                                const char *suffix);

/* Change log, for code generators that describe what each migration
 * changed (the C plan's schema deltas). After catalog_track_changes(c),
 * catalog_apply() records in c the name of every table it creates, drops,
 * renames (both names), changes (columns, constraints, flags) or whose
 * create_index indexes it adds, drops or rewrites. catalog_changed_tables()
 * returns those names, each once, in order of first change since tracking
 * began or the last catalog_changes_clear() (borrowed: valid until the next
 * change or clear); a name may have been dropped since (look it up). A
 * copy of c does not track. O(1) per change. */
void catalog_track_changes(catalog *c);
const char *const *catalog_changed_tables(const catalog *c, uint32_t *n);
void catalog_changes_clear(catalog *c);

/* Moves the catalog past s, which the checker has already accepted (it
 * assumes every name it needs exists). mig is the migration s belongs to.
 * Unnamed constraints get their generated names here, so the checker, the
 * emitters and the C plan all see the same ones. Defensive: whatever does
 * not resolve (a missing table, a duplicate column) is skipped, so the
 * checker may apply a statement that had errors; it never crashes. */
void catalog_apply(catalog *c, const migration *mig, const stmt *s);

#endif
