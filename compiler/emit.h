/* emit.h: the code generators — dialect SQL, steps and downs, checksums,
 * the C plan and SQL export (DESIGN §3).
 *
 * Layers, bottom up:
 *   emit_sql.c     names, literals, types, expressions and DDL for a dialect
 *                  (the dialect specifics live in emit_pg.c / emit_sqlite.c);
 *   steps.c        one migration, one dialect -> ordered steps (up and the
 *                  derived or explicit down), SQLite table rebuilds;
 *   canon.c        canonical form of a migration's up direction + SHA-256;
 *   emit_c.c       NAME.c / NAME.h for the runtime (runtime/include/migc/plan.h);
 *   export.c       `migc sql` scripts and the tool layouts.
 *
 * Everything is allocated in the compilation's arena; SQL strings are
 * NUL-terminated and never NULL. Nothing here prints except through the
 * diag_ctx it is given. */
#ifndef MIGC_EMIT_H
#define MIGC_EMIT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "catalog.h"
#include "checker.h"
#include "diag.h"
#include "migc/plan.h"

typedef enum migc_dialect dialect;

/* ---- dialect specifics (emit_pg.c, emit_sqlite.c) ------------------------ */

/* Is name a keyword that must be quoted when used as an identifier? */
bool pg_keyword_needs_quote(const char *name);
bool sqlite_keyword_needs_quote(const char *name);
/* DDL spelling of a type ("integer", "character varying(20)" / "INTEGER"). */
const char *pg_type_sql(arena *a, sql_type t);
const char *sqlite_type_sql(arena *a, sql_type t);
/* The type as the database reports it (PostgreSQL format_type(); SQLite the
 * declared type, which is the DDL spelling). */
const char *pg_type_reported(arena *a, sql_type t);

/* ---- names, literals, types, expressions (emit_sql.c) --------------------- */

/* Appends name, double-quoted only where the dialect needs it (not all of
 * [a-z_][a-z0-9_]*, or a keyword); embedded quotes are doubled. */
void sb_ident(strbuf *b, dialect d, const char *name);
const char *sql_ident(arena *a, dialect d, const char *name);
/* Appends 'text' with quotes doubled. */
void sb_literal(strbuf *b, const char *text);
const char *sql_type_name(arena *a, dialect d, sql_type t);
/* Appends e rendered for d. target: the column type e is assigned to, or
 * NULL (now() assigned to a timestamp is rendered as UTC). */
void sb_expr(strbuf *b, dialect d, const expr *e, const sql_type *target);
/* A literal (possibly a negated number): what SQLite's ADD COLUMN accepts. */
bool expr_is_constant(const expr *e);
/* Appends every column name e mentions to v (const char *; duplicates kept). */
void expr_columns(arena *a, const expr *e, ptr_vec *v);

/* Appends "CONSTRAINT n PRIMARY KEY (a, b)" and the like. */
void sb_constraint(strbuf *b, dialect d, const cat_constraint *c);
/* Appends a column definition: name, type, identity, NOT NULL, DEFAULT. On
 * SQLite an identity column carries its primary key inline (pk is the
 * table's primary key, or NULL). */
void sb_column_def(strbuf *b, dialect d, const cat_column *col, const cat_constraint *pk);
/* CREATE TABLE for t as the catalog describes it, named as_name (NULL: t's
 * own name). Constraints follow the columns, in declaration order; on
 * PostgreSQL without those pg_key_merged_in_create() names. */
const char *sql_create_table(arena *a, dialect d, const cat_table *t, const char *as_name);
/* PostgreSQL keeps one index per column list among the primary key and
 * unique constraints of a CREATE TABLE: is t->cons[k] a key that an
 * earlier unique (or the primary key) of t has the columns of? (t can hold
 * one after add_unique.) */
bool pg_key_merged_in_create(const cat_table *t, uint32_t k);
/* Appends to out (const char *) an ALTER TABLE ... ADD statement for each
 * such key of t, which sql_create_table() left out (none on SQLite). */
void sql_readd_merged_keys(arena *a, dialect d, const cat_table *t, ptr_vec *out);
/* CREATE [UNIQUE] INDEX [CONCURRENTLY] for ix (PostgreSQL-only options are
 * dropped on SQLite). */
const char *sql_create_index(arena *a, dialect d, const cat_index *ix, bool concurrently);
/* The SQLite rebuild's own columns are "INTEGER PRIMARY KEY AUTOINCREMENT"? */
bool sqlite_autoincrement(const cat_table *t);
/* The column a single-column identity primary key uses, or NULL. */
const cat_column *table_identity(const cat_table *t);

/* ---- steps (steps.c) -------------------------------------------------------- */

typedef struct cg_backfill {
    const char *table;           /* quoted */
    unsigned nkeys, batch_size;
    const char *first_bound, *next_bound, *first_update, *next_update, *whole;
    const char *first_rest, *next_rest;   /* migc_backfill in plan.h says what each is */
} cg_backfill;

typedef struct cg_step {
    enum migc_step_kind kind;
    ptr_vec stmts;               /* const char *: SQL statements */
    cg_backfill *bf;             /* MIGC_STEP_BACKFILL */
    const char *concurrent_index;/* PostgreSQL CREATE INDEX CONCURRENTLY */
    ptr_vec rebuilt;             /* const char *: SQLite tables rebuilt (unquoted) */
} cg_step;

typedef struct cg_dir {
    ptr_vec steps;               /* cg_step * */
} cg_dir;

/* A table as it is after a migration that created or changed it. */
typedef struct cg_table_after {
    const cat_table *t;            /* frozen: never changes afterwards */
    const char *const *indexes;    /* its create_index index names (any order) */
    uint32_t nindexes;
} cg_table_after;

typedef struct cg_migration {
    const migration *m;
    const char *checksum;        /* "v1:<64 hex>" */
    cg_dir up[MIGC_DIALECT_COUNT];
    cg_dir down[MIGC_DIALECT_COUNT];
    bool irreversible;
    bool down_loses_data;
    bool has_no_transaction;     /* some dialect's up has a non-transactional step */
    /* The catalog after the migration: only codegen_plan_snapshots() keeps
     * it (NULL otherwise), as a snapshot per migration costs O(tables). */
    const catalog *after;
    /* What the migration did to the schema (the C plan's delta, plan.h):
     * the tables it created or changed (possibly only in flags the plan
     * does not describe), by their names after it, and the names of tables
     * that are gone after it (dropped, renamed away; possibly created and
     * dropped within it). */
    cg_table_after *changed;
    uint32_t nchanged;
    const char **gone;
    uint32_t ngone;
} cg_migration;

typedef struct cg_plan {
    const checked_history *ch;
    cg_migration *migs;
    uint32_t n;
    unsigned dialects;           /* bit per dialect */
} cg_plan;

/* Compiles every migration of a checked (error-free) history for the
 * dialects in the mask. Never fails: what cannot be derived makes the
 * migration irreversible. Linear in the size of the history (no catalog
 * snapshot per migration: `after` is NULL). */
cg_plan *codegen_plan(arena *a, const checked_history *ch, unsigned dialects);
/* codegen_plan() that also keeps each migration's catalog in `after`
 * (O(migrations x tables) memory: for tests and short histories). */
cg_plan *codegen_plan_snapshots(arena *a, const checked_history *ch, unsigned dialects);

/* ---- checksums (canon.c) --------------------------------------------------- */

/* The canonical text of mig's up direction (DESIGN §3). */
const char *canon_migration(arena *a, const migration *mig);
/* "v1:" + hex SHA-256 of canon_migration(); NULL if libcrypto failed. */
const char *canon_checksum(arena *a, const migration *mig);

/* ---- C plan (emit_c.c) ------------------------------------------------------- */

/* Writes NAME.c to f as it is generated (the whole text is never held in
 * memory; out of memory exits(3) as the arena does). Returns 0, or -1 when
 * a write failed (errno says why). */
int emit_c_source(arena *a, const cg_plan *p, const char *name, FILE *f);
/* NAME.c written to path atomically (a temporary file in the same
 * directory, then rename), the file left untouched when its content would
 * not change. Returns 0, or -1 with a message printed (nothing replaced). */
int write_c_source_atomic(arena *a, const char *path, const cg_plan *p, const char *name);
/* The contents of NAME.h. */
const char *emit_c_header(arena *a, const cg_plan *p, const char *name);
/* Per-dialect schema description lines used by the C plan and tests. */

/* Writes text to path atomically (temp file in the same directory, then
 * rename) unless the file already holds exactly text. Returns 0, or -1 with
 * a message printed to stderr (nothing replaced). */
int write_file_atomic(const char *path, const char *text, size_t len);

/* ---- SQL export (export.c) ---------------------------------------------------- */

typedef enum export_format {
    FMT_PLAIN, FMT_GOLANG_MIGRATE, FMT_FLYWAY, FMT_DBMATE
} export_format;

/* One migration's steps as a script. transactions: wrap transactional steps
 * in BEGIN/COMMIT (and the SQLite rebuild PRAGMAs around them). */
const char *export_script(arena *a, dialect d, const cg_dir *dir, bool transactions);
/* migc sql: writes the scripts. out: NULL (standard output), a file (plain)
 * or a directory (layouts). to: the greatest version to include (INT64_MAX:
 * all). down: the down direction (plain only: newest first). Returns a cli.h
 * exit code, having printed any error. */
int export_sql(arena *a, const cg_plan *p, dialect d, export_format f, bool down,
               int64_t to, const char *out);

/* The schema of catalog c as DDL for d (`migc schema`): tables in creation
 * order (on PostgreSQL a foreign key to a table created later is added by
 * ALTER TABLE afterwards), then the create_index indexes. */
const char *export_schema_ddl(arena *a, const catalog *c, dialect d);

/* ---- the commands' shared front end (codegen.c) -------------------------------- */

/* Loads and checks the history in dir for the dialects being built
 * (1u << dialect bits; notes for other dialects' builds are left out).
 * Returns EXIT_OK with *out set, or the exit code after printing the
 * diagnostics and their summary. */
int codegen_frontend(arena *a, const char *dir, bool strict, unsigned dialects,
                     const checked_history **out);
/* "postgres" / "sqlite" -> dialect; false for anything else. */
bool dialect_from_name(const char *s, dialect *d);

#endif
