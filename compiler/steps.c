/* steps.c: one migration, one dialect -> ordered steps (DESIGN §3).
 *
 * codegen_plan() replays the history into its own catalog (catalog_apply()),
 * keeping the catalog before and after every statement, and compiles:
 *   - the up direction: each statement's SQL for the dialect, grouped into
 *     transactional steps, with `concurrently` indexes and `no_transaction`
 *     raw blocks as their own non-transactional steps and batched backfills
 *     as backfill steps;
 *   - the down direction: the explicit `down { }` compiled like an up
 *     against the catalog after the migration, or else the inverse of every
 *     statement in reverse order, derived from the catalogs; a statement
 *     without an inverse makes the migration irreversible;
 *   - on SQLite, what 3.40 cannot alter in place becomes a table rebuild
 *     generated from the catalog (CREATE TABLE "_migc_new_<t>", INSERT ...
 *     SELECT, DROP, RENAME, indexes, sqlite_sequence), and the step records
 *     the table in `rebuilt` so the runtime turns foreign_keys off before
 *     BEGIN and runs foreign_key_check(<t>) before COMMIT.
 * The catalog is copy-on-write and read-only here: only catalog_apply()
 * changes it (it also rewrites checks and index expressions on renames).
 * Everything is allocated in the arena; nothing here fails. */
#include <string.h>

#include "emit.h"

typedef struct gen {
    arena *a;
    dialect d;
    cg_dir *dir;
    cg_step *txn;          /* the open transactional step, or NULL */
    bool loses_data;       /* a statement emitted drops, deletes or narrows */
    /* The last SQLite rebuild, so that an immediately following rebuild of
     * the same table replaces it (one copy of the data instead of several). */
    cg_step *rb_step;
    size_t rb_start, rb_end;   /* its statements in rb_step */
    const char *rb_table;      /* the table it rebuilt */
    ptr_vec rb_cols;           /* the columns it copied from the live table
                                  (names: catalogs change in place later) */
    bool rb_override;          /* it computed a column (alter type using) */
    ptr_vec rb_to_cols;        /* the rebuilt table's columns */
    bool rb_fills;             /* it added a column that existing rows got by its default:
                                  not foldable (a later default change must not apply) */
    size_t rb_insert;          /* index of its INSERT … SELECT in rb_step, or NO_INSERT */
} gen;

enum { NO_INSERT = -1 };

/* ---- step building -------------------------------------------------------- */

static cg_step *new_step(gen *g, enum migc_step_kind k)
{
    cg_step *s = arena_alloc(g->a, sizeof *s);
    s->kind = k;
    vec_push(g->a, &g->dir->steps, s);
    return s;
}

/* Appends sql to the open transactional step (opening one if needed). */
static void emit(gen *g, const char *sql)
{
    if (!g->txn)
        g->txn = new_step(g, MIGC_STEP_TRANSACTION);
    vec_push(g->a, &g->txn->stmts, (void *)sql);
}

/* sql as its own non-transactional step. */
static void emit_alone(gen *g, const char *sql, const char *concurrent_index)
{
    cg_step *s = new_step(g, MIGC_STEP_NO_TRANSACTION);
    vec_push(g->a, &s->stmts, (void *)sql);
    s->concurrent_index = concurrent_index;
    g->txn = NULL;
}

/* Records that the open step rebuilds table (once). */
static void mark_rebuilt(gen *g, const char *table)
{
    if (!g->txn)
        g->txn = new_step(g, MIGC_STEP_TRANSACTION);
    for (size_t i = 0; i < g->txn->rebuilt.n; i++)
        if (!strcmp(g->txn->rebuilt.items[i], table))
            return;
    vec_push(g->a, &g->txn->rebuilt, (void *)table);
}

/* printf into the arena with the dialect's quoting helpers at hand. */
#define ID(name) sql_ident(g->a, g->d, (name))

/* "ALTER TABLE <t> " */
static void alter_prefix(gen *g, strbuf *b, const char *table)
{
    sb_init(b, g->a);
    sb_puts(b, "ALTER TABLE ");
    sb_ident(b, g->d, table);
    sb_putc(b, ' ');
}

/* ---- catalog helpers ------------------------------------------------------- */

static bool has_name(const char *const *names, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return true;
    return false;
}

/* Does constraint c involve column col (its columns or its check)? */
static bool constraint_uses(arena *a, const cat_constraint *c, const char *col)
{
    if (has_name(c->cols, c->ncols, col))
        return true;
    if (c->kind == CON_CHECK) {
        ptr_vec v = {0};
        expr_columns(a, c->check, &v);
        for (size_t i = 0; i < v.n; i++)
            if (!strcmp(v.items[i], col))
                return true;
    }
    return false;
}

/* ---- SQLite table rebuild ---------------------------------------------------- */

/* The INSERT … SELECT that copies the columns of to_cols that src (the live
 * table's columns) has from `table` into tmp; NULL when none. */
static const char *copy_sql(gen *g, const char *tmp, const char *table, const ptr_vec *to_cols,
                            const ptr_vec *src)
{
    strbuf cols;
    sb_init(&cols, g->a);
    for (size_t i = 0; i < to_cols->n; i++) {
        bool live = false;
        for (size_t k = 0; k < src->n && !live; k++)
            live = !strcmp(src->items[k], to_cols->items[i]);
        if (!live)
            continue;
        if (cols.n)
            sb_puts(&cols, ", ");
        sb_ident(&cols, g->d, to_cols->items[i]);
    }
    if (!cols.n)
        return NULL;
    return arena_printf(g->a, "INSERT INTO %s (%s)\n    SELECT %s FROM %s", ID(tmp), sb_str(&cols),
                        sb_str(&cols), ID(table));
}

/* Emits CREATE INDEX for every create_index index of table in c, in
 * creation order; O(indexes of that table) through the catalog's
 * per-table list (never a scan of every index). */
static void create_table_indexes(gen *g, const catalog *c, const char *table)
{
    uint32_t n;
    const char *const *names = catalog_table_index_names(c, table, &n);
    for (uint32_t i = 0; i < n; i++) {
        const cat_index *ix = catalog_index(c, names[i]);
        if (ix)
            emit(g, sql_create_index(g->a, g->d, ix, false));
    }
}

/* Rebuilds table `to` (as described by catalog tgt) from the live table
 * `from` (the same name): new table, rows copied column by column (columns
 * `to` has and `from` lacks get their default; override_col is filled from
 * override_e instead), sqlite_sequence carried over, old table dropped, new
 * one renamed, every create_index index of the table re-created. */
static void sqlite_rebuild(gen *g, const catalog *tgt, const cat_table *to, const cat_table *from,
                           const char *override_col, const expr *override_e)
{
    bool over = override_col && override_e;
    ptr_vec src = {0}; /* the columns the live table has when this runs */
    if (g->txn && g->txn == g->rb_step && g->txn->stmts.n == g->rb_end && !over && !g->rb_override &&
        !g->rb_fills && !strcmp(g->rb_table, from->name)) {
        g->txn->stmts.n = g->rb_start; /* fold into the rebuild just before */
        src = g->rb_cols;
    } else {
        for (uint32_t i = 0; i < from->ncols; i++)
            vec_push(g->a, &src, (void *)from->cols[i]->name);
    }
    size_t start = g->txn ? g->txn->stmts.n : 0;
    const char *tmp = arena_printf(g->a, "_migc_new_%s", to->name);
    emit(g, sql_create_table(g->a, g->d, to, tmp));
    ptr_vec to_cols = {0};
    for (uint32_t i = 0; i < to->ncols; i++)
        vec_push(g->a, &to_cols, (void *)to->cols[i]->name);
    size_t insert_at = (size_t)NO_INSERT;
    if (!over) {
        const char *copy = copy_sql(g, tmp, from->name, &to_cols, &src);
        if (copy) {
            insert_at = g->txn->stmts.n;
            emit(g, copy);
        }
    }
    strbuf cols, vals;
    sb_init(&cols, g->a);
    sb_init(&vals, g->a);
    for (uint32_t i = 0; over && i < to->ncols; i++) {
        const cat_column *c = to->cols[i];
        bool computed = !strcmp(c->name, override_col);
        bool live = false;
        for (size_t k = 0; k < src.n && !live; k++)
            live = !strcmp(src.items[k], c->name);
        if (!computed && !live)
            continue;
        if (cols.n) {
            sb_puts(&cols, ", ");
            sb_puts(&vals, ", ");
        }
        sb_ident(&cols, g->d, c->name);
        if (computed)
            sb_expr(&vals, g->d, override_e, &c->type);
        else
            sb_ident(&vals, g->d, c->name);
    }
    if (over && cols.n)
        emit(g, arena_printf(g->a, "INSERT INTO %s (%s)\n    SELECT %s FROM %s", ID(tmp),
                             sb_str(&cols), sb_str(&vals), ID(from->name)));
    if (sqlite_autoincrement(to)) {
        strbuf b;
        sb_init(&b, g->a);
        sb_puts(&b, "DELETE FROM sqlite_sequence WHERE name = ");
        sb_literal(&b, tmp);
        emit(g, sb_str(&b));
        sb_init(&b, g->a);
        sb_puts(&b, "INSERT INTO sqlite_sequence (name, seq)\n    SELECT ");
        sb_literal(&b, tmp);
        sb_puts(&b, ", seq FROM sqlite_sequence WHERE name = ");
        sb_literal(&b, from->name);
        emit(g, sb_str(&b));
    }
    emit(g, arena_printf(g->a, "DROP TABLE %s", ID(from->name)));
    emit(g, arena_printf(g->a, "ALTER TABLE %s RENAME TO %s", ID(tmp), ID(to->name)));
    create_table_indexes(g, tgt, to->name);
    mark_rebuilt(g, to->name);
    g->rb_step = g->txn;
    g->rb_start = start;
    g->rb_end = g->txn->stmts.n;
    g->rb_table = to->name;
    /* A later rebuild folded into this one copies only what this one copied
     * (a column dropped here and added back later must not come back). */
    g->rb_cols = (ptr_vec){0};
    for (size_t i = 0; i < to_cols.n; i++)
        for (size_t k = 0; k < src.n; k++)
            if (!strcmp(src.items[k], to_cols.items[i])) {
                vec_push(g->a, &g->rb_cols, to_cols.items[i]);
                break;
            }
    g->rb_override = over;
    g->rb_to_cols = to_cols;
    g->rb_insert = insert_at;
    g->rb_fills = false;
    for (size_t i = 0; i < to_cols.n && !g->rb_fills; i++) {
        bool live = false;
        for (size_t k = 0; k < src.n && !live; k++)
            live = !strcmp(src.items[k], to_cols.items[i]);
        g->rb_fills = !live && !(over && !strcmp(to_cols.items[i], override_col));
    }
}

/* Rebuild of table `name` from its state in cur to its state in tgt. */
static void rebuild(gen *g, const catalog *cur, const catalog *tgt, const char *name,
                    const char *override_col, const expr *override_e)
{
    const cat_table *to = catalog_table(tgt, name), *from = catalog_table(cur, name);
    if (to && from)
        sqlite_rebuild(g, tgt, to, from, override_col, override_e);
}

/* ---- statements shared by up and down ------------------------------------------ */

/* Appends a column constraint for SQLite's ADD COLUMN (CHECK or REFERENCES). */
static void sqlite_column_constraint(strbuf *b, const cat_constraint *k)
{
    if (k->kind == CON_CHECK) {
        sb_putc(b, ' ');
        sb_constraint(b, MIGC_SQLITE, k);
        return;
    }
    strbuf t;
    sb_init(&t, b->a);
    sb_constraint(&t, MIGC_SQLITE, k);
    /* "CONSTRAINT n FOREIGN KEY (c) REFERENCES ..." -> "CONSTRAINT n REFERENCES ..." */
    const char *s = sb_str(&t), *fk = strstr(s, " FOREIGN KEY ("), *ref = strstr(s, " REFERENCES ");
    sb_putc(b, ' ');
    if (fk && ref) {
        sb_putn(b, s, (size_t)(fk - s));
        sb_puts(b, ref);
    } else {
        sb_puts(b, s);
    }
}

/* Adds column col of table (as catalog tgt has it) to the live table as
 * catalog cur has it, with the constraints tgt has and cur lacks. */
static void add_column(gen *g, const catalog *cur, const catalog *tgt, const char *table,
                       const char *col)
{
    const cat_table *tt = catalog_table(tgt, table), *ft = catalog_table(cur, table);
    const cat_column *c = tt ? catalog_column(tt, col) : NULL;
    if (!c || !ft)
        return;
    ptr_vec added = {0};
    bool sqlite_ok = !c->identity;
    for (uint32_t i = 0; i < tt->ncons; i++) {
        const cat_constraint *k = tt->cons[i];
        if (catalog_constraint(ft, k->name))
            continue;
        vec_push(g->a, &added, (void *)k);
        if (k->kind == CON_PRIMARY_KEY || k->kind == CON_UNIQUE || k->ncols > 1)
            sqlite_ok = false;
        if (k->kind == CON_FOREIGN_KEY && c->dflt && c->dflt->kind != E_NULL)
            sqlite_ok = false;
    }
    if (c->dflt && !expr_is_constant(c->dflt))
        sqlite_ok = false;
    if (c->not_null && (!c->dflt || c->dflt->kind == E_NULL))
        sqlite_ok = false;
    if (g->d == MIGC_SQLITE && !sqlite_ok) {
        rebuild(g, cur, tgt, table, NULL, NULL);
        return;
    }
    strbuf b;
    alter_prefix(g, &b, table);
    sb_puts(&b, "ADD COLUMN ");
    sb_column_def(&b, g->d, c, g->d == MIGC_POSTGRES ? catalog_primary_key(tt) : NULL);
    for (size_t i = 0; i < added.n; i++) {
        if (g->d == MIGC_POSTGRES) {
            sb_puts(&b, ",\n    ADD ");
            sb_constraint(&b, g->d, added.items[i]);
        } else {
            sqlite_column_constraint(&b, added.items[i]);
        }
    }
    emit(g, sb_str(&b));
}

/* Drops column col of table: live state cur, target state tgt. */
static void drop_column(gen *g, const catalog *cur, const catalog *tgt, const char *table,
                        const char *col)
{
    const cat_table *ft = catalog_table(cur, table);
    if (!ft)
        return;
    bool in_place = true;
    for (uint32_t i = 0; i < ft->ncons; i++)
        if (constraint_uses(g->a, ft->cons[i], col))
            in_place = false;
    uint32_t nix;
    const char *const *ixs = catalog_table_index_names(cur, table, &nix);
    for (uint32_t i = 0; i < nix && in_place; i++) {
        const cat_index *ix = catalog_index(cur, ixs[i]);
        if (ix && has_name(ix->cols, ix->ncols, col))
            in_place = false;
    }
    if (g->d == MIGC_SQLITE && !in_place) {
        rebuild(g, cur, tgt, table, NULL, NULL);
        return;
    }
    emit(g, arena_printf(g->a, "ALTER TABLE %s DROP COLUMN %s", ID(table), ID(col)));
}

/* PostgreSQL ALTER COLUMN with the given action text. */
static void pg_alter_column(gen *g, const char *table, const char *col, const char *action)
{
    emit(g, arena_printf(g->a, "ALTER TABLE %s ALTER COLUMN %s %s", ID(table), ID(col), action));
}

/* Sets column col's default to what tgt has (or drops it). */
static void pg_default(gen *g, const catalog *tgt, const char *table, const char *col)
{
    const cat_table *t = catalog_table(tgt, table);
    const cat_column *c = t ? catalog_column(t, col) : NULL;
    if (!c)
        return;
    if (!c->dflt) {
        pg_alter_column(g, table, col, "DROP DEFAULT");
        return;
    }
    strbuf b;
    sb_init(&b, g->a);
    sb_puts(&b, "SET DEFAULT ");
    sb_expr(&b, g->d, c->dflt, &c->type);
    pg_alter_column(g, table, col, sb_str(&b));
}

/* Makes table's constraints on PostgreSQL go from cur's to tgt's: drops what
 * tgt lacks, adds what cur lacks (in tgt's order), in one ALTER TABLE. */
/* Do the columns of foreign key k (referencing table `table`) rest on key
 * constraint c (the same column set, or no columns and c is the primary key)? */
static bool fk_rests_on(const cat_constraint *k, const cat_constraint *c)
{
    if (!k->nref_cols)
        return c->kind == CON_PRIMARY_KEY;
    if (k->nref_cols != c->ncols)
        return false;
    for (uint32_t i = 0; i < k->nref_cols; i++)
        if (!has_name(c->cols, c->ncols, k->ref_cols[i]))
            return false;
    return true;
}

static void pg_constraints(gen *g, const catalog *cur, const catalog *tgt, const char *table)
{
    const cat_table *ft = catalog_table(cur, table), *tt = catalog_table(tgt, table);
    if (!ft || !tt)
        return;
    /* PostgreSQL will not drop a key that a foreign key's index rests on:
     * such foreign keys (kept by tgt, e.g. when the primary key is replaced)
     * are dropped first and added back after. */
    ptr_vec dep_tables = {0}, dep_cons = {0};
    for (uint32_t i = 0; i < ft->ncons; i++) {
        const cat_constraint *c = ft->cons[i];
        if ((c->kind != CON_PRIMARY_KEY && c->kind != CON_UNIQUE) || catalog_constraint(tt, c->name))
            continue;
        /* The tables whose foreign keys reference it (one entry per
         * foreign key: each table once, in the order of first mention). */
        uint32_t nref;
        const char *const *refs = catalog_referencing_tables(cur, table, &nref);
        for (uint32_t r = 0; r < nref; r++) {
            bool dup = false;
            for (uint32_t q = 0; q < r && !dup; q++)
                dup = !strcmp(refs[q], refs[r]);
            const cat_table *rt = dup ? NULL : catalog_table(cur, refs[r]);
            for (uint32_t j = 0; rt && j < rt->ncons; j++) {
                const cat_constraint *k = rt->cons[j];
                const cat_table *ut = catalog_table(tgt, rt->name);
                if (k->kind != CON_FOREIGN_KEY || strcmp(k->ref_table, table) || !fk_rests_on(k, c) ||
                    !ut || !catalog_constraint(ut, k->name))
                    continue;
                vec_push(g->a, &dep_tables, (void *)rt->name);
                vec_push(g->a, &dep_cons, (void *)k->name);
            }
        }
    }
    for (size_t i = 0; i < dep_cons.n; i++)
        emit(g, arena_printf(g->a, "ALTER TABLE %s DROP CONSTRAINT %s", ID(dep_tables.items[i]),
                             ID(dep_cons.items[i])));
    strbuf b;
    alter_prefix(g, &b, table);
    bool any = false;
    for (uint32_t i = 0; i < ft->ncons; i++)
        if (!catalog_constraint(tt, ft->cons[i]->name)) {
            sb_puts(&b, any ? ",\n    DROP CONSTRAINT " : "DROP CONSTRAINT ");
            sb_ident(&b, g->d, ft->cons[i]->name);
            any = true;
        }
    for (uint32_t i = 0; i < tt->ncons; i++)
        if (!catalog_constraint(ft, tt->cons[i]->name)) {
            sb_puts(&b, any ? ",\n    ADD " : "ADD ");
            sb_constraint(&b, g->d, tt->cons[i]);
            any = true;
        }
    /* A dropped primary key leaves its columns NOT NULL on PostgreSQL. */
    const cat_constraint *fpk = catalog_primary_key(ft), *tpk = catalog_primary_key(tt);
    for (uint32_t i = 0; fpk && i < fpk->ncols; i++) {
        const cat_column *c = catalog_column(tt, fpk->cols[i]);
        if (!c || c->not_null || c->identity || (tpk && has_name(tpk->cols, tpk->ncols, c->name)))
            continue;
        sb_puts(&b, any ? ",\n    ALTER COLUMN " : "ALTER COLUMN ");
        sb_ident(&b, g->d, c->name);
        sb_puts(&b, " DROP NOT NULL");
        any = true;
    }
    if (any)
        emit(g, sb_str(&b));
    for (size_t i = 0; i < dep_cons.n; i++) {
        const cat_table *ut = catalog_table(tgt, dep_tables.items[i]);
        strbuf add;
        alter_prefix(g, &add, dep_tables.items[i]);
        sb_puts(&add, "ADD ");
        sb_constraint(&add, g->d, catalog_constraint(ut, dep_cons.items[i]));
        emit(g, sb_str(&add));
    }
}

/* A table dropped inside the open step is no longer checked there. */
static void unmark_rebuilt(gen *g, const char *table)
{
    for (size_t i = 0; g->txn && i < g->txn->rebuilt.n; i++)
        if (!strcmp(g->txn->rebuilt.items[i], table)) {
            g->txn->rebuilt.items[i] = g->txn->rebuilt.items[--g->txn->rebuilt.n];
            return;
        }
}

/* A table renamed inside the open step: its rebuild marks follow the name. */
static void rename_rebuilt(gen *g, const char *from, const char *to)
{
    for (size_t i = 0; g->txn && i < g->txn->rebuilt.n; i++)
        if (!strcmp(g->txn->rebuilt.items[i], from))
            g->txn->rebuilt.items[i] = (void *)to;
}

/* Changes of one table's definition that SQLite can only do by a rebuild
 * (nullability, defaults, constraints, primary key): cur -> tgt. */
static void table_change(gen *g, const catalog *cur, const catalog *tgt, const stmt *s)
{
    const char *table = s->table.s, *col = s->column.s;
    if (g->d == MIGC_SQLITE) {
        rebuild(g, cur, tgt, table, NULL, NULL);
        return;
    }
    switch (s->kind) {
    case S_SET_NOT_NULL:
    case S_DROP_NOT_NULL: {
        /* The target's nullability (a restated `set not null` inverts to
         * nothing that would loosen the column). */
        const cat_table *t = catalog_table(tgt, table);
        const cat_column *c = t ? catalog_column(t, col) : NULL;
        const cat_constraint *pk = t ? catalog_primary_key(t) : NULL;
        bool nn = c && (c->not_null || c->identity || (pk && has_name(pk->cols, pk->ncols, col)));
        pg_alter_column(g, table, col, nn ? "SET NOT NULL" : "DROP NOT NULL");
        break;
    }
    case S_SET_DEFAULT:
    case S_DROP_DEFAULT: pg_default(g, tgt, table, col); break;
    default: pg_constraints(g, cur, tgt, table); break;
    }
}

/* Does a change of type from -> to keep every value? */
static bool type_widens(sql_type from, sql_type to)
{
    if (from.kind == to.kind && from.p == to.p && from.s == to.s)
        return true;
    int rank_from = 0, rank_to = 0;
    switch (from.kind) {
    case TY_SMALLINT: rank_from = 1; break;
    case TY_INT: rank_from = 2; break;
    case TY_BIGINT: rank_from = 3; break;
    default: break;
    }
    switch (to.kind) {
    case TY_SMALLINT: rank_to = 1; break;
    case TY_INT: rank_to = 2; break;
    case TY_BIGINT: rank_to = 3; break;
    case TY_NUMERIC: rank_to = (to.p < 0 || to.p - (to.s < 0 ? 0 : to.s) >= 19) ? 4 : 0; break;
    default: break;
    }
    if (rank_from && rank_to)
        return rank_to >= rank_from;
    if (from.kind == TY_REAL && to.kind == TY_DOUBLE)
        return true;
    if (from.kind == TY_NUMERIC && to.kind == TY_NUMERIC)
        return to.p < 0 || (from.p >= 0 && to.p - to.s >= from.p - (from.s < 0 ? 0 : from.s) &&
                            to.s >= (from.s < 0 ? 0 : from.s));
    if ((from.kind == TY_VARCHAR || from.kind == TY_TEXT) && to.kind == TY_TEXT)
        return true;
    if (from.kind == TY_VARCHAR && to.kind == TY_VARCHAR)
        return to.p < 0 || (from.p >= 0 && to.p >= from.p);
    if (from.kind == TY_TIMESTAMP && to.kind == TY_TIMESTAMPTZ)
        return true;
    return false;
}

/* Changes column col's type from cur's to tgt's; using: how to compute the
 * new values (NULL: a cast of the column). */
static void alter_type(gen *g, const catalog *cur, const catalog *tgt, const char *table,
                       const char *col, const expr *using_e)
{
    const cat_table *ft = catalog_table(cur, table), *tt = catalog_table(tgt, table);
    const cat_column *fc = ft ? catalog_column(ft, col) : NULL, *tc = tt ? catalog_column(tt, col) : NULL;
    if (!fc || !tc)
        return;
    if (!type_widens(fc->type, tc->type))
        g->loses_data = true;
    if (g->d == MIGC_SQLITE) {
        type_kind fk = fc->type.kind, tk = tc->type.kind;
        bool ftext = fk == TY_TEXT || fk == TY_VARCHAR, ttext = tk == TY_TEXT || tk == TY_VARCHAR;
        bool fint = fk == TY_SMALLINT || fk == TY_INT || fk == TY_BIGINT;
        bool tint = tk == TY_SMALLINT || tk == TY_INT || tk == TY_BIGINT;
        bool ffrac = fk == TY_NUMERIC || fk == TY_REAL || fk == TY_DOUBLE;
        if (!using_e && ((fk == TY_BOOL && ttext) || (ftext && tk == TY_BOOL) ||
                         (fint && tk == TY_BOOL) || (ffrac && tint))) {
            /* As PostgreSQL's cast, which copying the value into a column
             * of the new affinity would not be (see sqlite_cast_special):
             * 'true'/'false' for a bool, rounding to an integer. */
            expr *c = ast_expr(g->a, E_CAST, (loc){0});
            expr *v = ast_expr(g->a, E_COLUMN, (loc){0});
            v->col.s = col;
            v->type = fc->type;
            c->cast_to = tc->type;
            c->type = tc->type;
            using_e = ast_expr_add_arg(g->a, c, v);
        }
        rebuild(g, cur, tgt, table, col, using_e);
        return;
    }
    strbuf b;
    sb_init(&b, g->a);
    sb_printf(&b, "TYPE %s", pg_type_sql(g->a, tc->type));
    if (using_e) {
        sb_puts(&b, " USING ");
        sb_expr(&b, g->d, using_e, &tc->type);
    } else if (!type_widens(fc->type, tc->type)) {
        sb_puts(&b, " USING CAST(");
        sb_ident(&b, g->d, col);
        sb_printf(&b, " AS %s)", pg_type_sql(g->a, tc->type));
    }
    pg_alter_column(g, table, col, sb_str(&b));
}

/* "SET a = e, b = f" for a backfill on table t (catalog types as targets). */
static const char *set_list(gen *g, const cat_table *t, const stmt *s)
{
    strbuf b;
    sb_init(&b, g->a);
    sb_puts(&b, "SET ");
    for (uint32_t i = 0; i < s->nsets; i++) {
        const cat_column *c = t ? catalog_column(t, s->sets[i].col.s) : NULL;
        if (i)
            sb_puts(&b, ", ");
        sb_ident(&b, g->d, s->sets[i].col.s);
        sb_puts(&b, " = ");
        sb_expr(&b, g->d, s->sets[i].value, c ? &c->type : NULL);
    }
    return sb_str(&b);
}

/* "(k1, k2)" or "k1"; params: "($1, $2)" numbered from first. */
static const char *key_tuple(gen *g, const cat_constraint *pk)
{
    strbuf b;
    sb_init(&b, g->a);
    if (pk->ncols > 1)
        sb_putc(&b, '(');
    for (uint32_t i = 0; i < pk->ncols; i++) {
        if (i)
            sb_puts(&b, ", ");
        sb_ident(&b, g->d, pk->cols[i]);
    }
    if (pk->ncols > 1)
        sb_putc(&b, ')');
    return sb_str(&b);
}

static const char *param_tuple(gen *g, unsigned n, unsigned first)
{
    strbuf b;
    sb_init(&b, g->a);
    if (n > 1)
        sb_putc(&b, '(');
    for (unsigned i = 0; i < n; i++)
        sb_printf(&b, "%s%s%u", i ? ", " : "", g->d == MIGC_POSTGRES ? "$" : "?", first + i);
    if (n > 1)
        sb_putc(&b, ')');
    return sb_str(&b);
}

/* The backfill statement(s): one UPDATE, or a batched backfill step. */
static void backfill(gen *g, const catalog *cur, const stmt *s)
{
    const cat_table *t = catalog_table(cur, s->table.s);
    const char *tq = ID(s->table.s), *sets = set_list(g, t, s);
    const char *where = NULL, *whole = arena_printf(g->a, "UPDATE %s %s", tq, sets);
    if (s->where) {
        strbuf w;
        sb_init(&w, g->a);
        sb_expr(&w, g->d, s->where, NULL);
        whole = arena_printf(g->a, "%s WHERE %s", whole, sb_str(&w));
        where = arena_printf(g->a, "(%s)", sb_str(&w)); /* ANDed with the key range */
    }
    const cat_constraint *pk = t ? catalog_primary_key(t) : NULL;
    if (s->batch <= 0 || !pk) {
        emit(g, whole);
        return;
    }
    cg_backfill *bf = arena_alloc(g->a, sizeof *bf);
    bf->table = tq;
    bf->nkeys = pk->ncols;
    bf->batch_size = (unsigned)(s->batch > 1000000000 ? 1000000000 : s->batch);
    strbuf keys, desc;
    sb_init(&keys, g->a);
    sb_init(&desc, g->a);
    for (uint32_t i = 0; i < pk->ncols; i++) {
        sb_printf(&keys, "%s%s", i ? ", " : "", ID(pk->cols[i]));
        sb_printf(&desc, "%s%s DESC", i ? ", " : "", ID(pk->cols[i]));
    }
    const char *kt = key_tuple(g, pk), *and_w = where ? arena_printf(g->a, " AND %s", where) : "";
    const char *p1 = param_tuple(g, pk->ncols, 1), *p2 = param_tuple(g, pk->ncols, pk->ncols + 1);
    /* The bound is the batch_size-th key after the previous batch, found by
     * walking the key index (OFFSET) rather than by sorting the batch's
     * keys again; only the last, shorter batch needs the sort (rest). */
    bf->first_bound = arena_printf(g->a, "SELECT %s FROM %s%s%s ORDER BY %s LIMIT 1 OFFSET %u",
                                   sb_str(&keys), tq, where ? " WHERE " : "", where ? where : "",
                                   sb_str(&keys), bf->batch_size - 1);
    bf->next_bound = arena_printf(g->a, "SELECT %s FROM %s WHERE %s > %s%s ORDER BY %s LIMIT 1 OFFSET %u",
                                  sb_str(&keys), tq, kt, p1, and_w, sb_str(&keys),
                                  bf->batch_size - 1);
    bf->first_rest = arena_printf(
        g->a, "SELECT %s FROM (SELECT %s FROM %s%s%s ORDER BY %s LIMIT %u) AS b ORDER BY %s LIMIT 1",
        sb_str(&keys), sb_str(&keys), tq, where ? " WHERE " : "", where ? where : "", sb_str(&keys),
        bf->batch_size, sb_str(&desc));
    bf->next_rest = arena_printf(
        g->a, "SELECT %s FROM (SELECT %s FROM %s WHERE %s > %s%s ORDER BY %s LIMIT %u) AS b ORDER BY %s LIMIT 1",
        sb_str(&keys), sb_str(&keys), tq, kt, p1, and_w, sb_str(&keys), bf->batch_size, sb_str(&desc));
    bf->first_update = arena_printf(g->a, "UPDATE %s %s WHERE %s <= %s%s", tq, sets, kt, p1, and_w);
    bf->next_update = arena_printf(g->a, "UPDATE %s %s WHERE %s > %s AND %s <= %s%s", tq, sets, kt,
                                   p1, kt, p2, and_w);
    bf->whole = whole;
    cg_step *st = new_step(g, MIGC_STEP_BACKFILL);
    st->bf = bf;
    g->txn = NULL;
}

/* INSERT, and on PostgreSQL the identity sequence moved past the rows. */
static void insert(gen *g, const catalog *cur, const stmt *s)
{
    const cat_table *t = catalog_table(cur, s->table.s);
    strbuf b;
    sb_init(&b, g->a);
    sb_puts(&b, "INSERT INTO ");
    sb_ident(&b, g->d, s->table.s);
    sb_puts(&b, " (");
    for (uint32_t i = 0; i < s->insert_cols.n; i++) {
        if (i)
            sb_puts(&b, ", ");
        sb_ident(&b, g->d, s->insert_cols.items[i].s);
    }
    sb_puts(&b, ") VALUES");
    for (uint32_t r = 0; r < s->nrows; r++) {
        sb_puts(&b, r ? ",\n    (" : "\n    (");
        for (uint32_t i = 0; i < s->insert_cols.n; i++) {
            const cat_column *c = t ? catalog_column(t, s->insert_cols.items[i].s) : NULL;
            if (i)
                sb_puts(&b, ", ");
            sb_expr(&b, g->d, s->rows[r][i], c ? &c->type : NULL);
        }
        sb_putc(&b, ')');
    }
    emit(g, sb_str(&b));
    const cat_column *id = t ? table_identity(t) : NULL;
    if (!id || g->d != MIGC_POSTGRES)
        return;
    bool named = false;
    for (uint32_t i = 0; i < s->insert_cols.n; i++)
        named |= !strcmp(s->insert_cols.items[i].s, id->name);
    if (!named)
        return;
    sb_init(&b, g->a);
    sb_puts(&b, "SELECT setval(pg_get_serial_sequence(");
    sb_literal(&b, ID(s->table.s));
    sb_puts(&b, ", ");
    sb_literal(&b, id->name);
    sb_printf(&b, "), (SELECT max(%s) FROM %s))", ID(id->name), ID(s->table.s));
    emit(g, sb_str(&b));
}

/* Is e a value that identifies the row it was inserted with? */
static bool stable_value(const expr *e)
{
    if (expr_is_constant(e))
        return e->kind != E_NULL;
    if (e->kind == E_CAST)
        return stable_value(e->args[0]);
    return false;
}

/* The inverse of an insert: a delete of the inserted rows, by primary key
 * when every row names it with constant values, else by every constant
 * value written. Returns false when the rows cannot be identified. */
static bool insert_down(gen *g, const catalog *cur, const stmt *s)
{
    const cat_table *t = catalog_table(cur, s->table.s);
    const cat_constraint *pk = t ? catalog_primary_key(t) : NULL;
    uint32_t *keyidx = NULL;
    if (pk) {
        keyidx = arena_alloc(g->a, pk->ncols * sizeof *keyidx);
        for (uint32_t k = 0; k < pk->ncols && keyidx; k++) {
            bool found = false;
            for (uint32_t i = 0; i < s->insert_cols.n; i++)
                if (!strcmp(s->insert_cols.items[i].s, pk->cols[k])) {
                    keyidx[k] = i;
                    found = true;
                    for (uint32_t r = 0; r < s->nrows; r++)
                        found &= stable_value(s->rows[r][i]);
                }
            if (!found)
                keyidx = NULL;
        }
    }
    strbuf b;
    sb_init(&b, g->a);
    sb_puts(&b, "DELETE FROM ");
    sb_ident(&b, g->d, s->table.s);
    sb_puts(&b, " WHERE ");
    if (keyidx) {
        sb_puts(&b, key_tuple(g, pk));
        sb_puts(&b, " IN (");
        for (uint32_t r = 0; r < s->nrows; r++) {
            sb_puts(&b, r ? ", " : "");
            if (pk->ncols > 1)
                sb_putc(&b, '(');
            for (uint32_t k = 0; k < pk->ncols; k++) {
                const cat_column *c = catalog_column(t, pk->cols[k]);
                sb_puts(&b, k ? ", " : "");
                sb_expr(&b, g->d, s->rows[r][keyidx[k]], c ? &c->type : NULL);
            }
            if (pk->ncols > 1)
                sb_putc(&b, ')');
        }
        sb_putc(&b, ')');
        emit(g, sb_str(&b));
        return true;
    }
    for (uint32_t r = 0; r < s->nrows; r++) {
        sb_puts(&b, r ? "\n    OR (" : "(");
        bool any = false;
        for (uint32_t i = 0; i < s->insert_cols.n; i++) {
            const expr *v = s->rows[r][i];
            if (!stable_value(v))
                continue;
            const cat_column *c = t ? catalog_column(t, s->insert_cols.items[i].s) : NULL;
            sb_puts(&b, any ? " AND " : "");
            sb_ident(&b, g->d, s->insert_cols.items[i].s);
            sb_puts(&b, " = ");
            sb_expr(&b, g->d, v, c ? &c->type : NULL);
            any = true;
        }
        if (!any)
            return false;
        sb_putc(&b, ')');
    }
    emit(g, sb_str(&b));
    return true;
}

/* Is the raw block for dialect d? */
static bool raw_for(const stmt *s, dialect d)
{
    return s->dialect == RAW_BOTH || (s->dialect == RAW_POSTGRES) == (d == MIGC_POSTGRES);
}

/* Is s only white space (an empty raw block)? */
static bool blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

/* ---- up ------------------------------------------------------------------------ */

/* Emits statement s going from catalog cur to catalog tgt (the catalog after s). */
static void compile_up(gen *g, const catalog *cur, const catalog *tgt, const stmt *s)
{
    const char *table = s->table.s;
    switch (s->kind) {
    case S_CREATE_TABLE: {
        const cat_table *t = catalog_table(tgt, table);
        if (t)
            emit(g, sql_create_table(g->a, g->d, t, NULL));
        break;
    }
    case S_DROP_TABLE:
        emit(g, arena_printf(g->a, "DROP TABLE %s", ID(table)));
        unmark_rebuilt(g, table);
        g->loses_data = true;
        break;
    case S_RENAME_TABLE:
        emit(g, arena_printf(g->a, "ALTER TABLE %s RENAME TO %s", ID(table), ID(s->new_name.s)));
        rename_rebuilt(g, table, s->new_name.s);
        break;
    case S_ADD_COLUMN: add_column(g, cur, tgt, table, s->coldef->cname.s); break;
    case S_DROP_COLUMN:
        drop_column(g, cur, tgt, table, s->column.s);
        g->loses_data = true;
        break;
    case S_RENAME_COLUMN:
        emit(g, arena_printf(g->a, "ALTER TABLE %s RENAME COLUMN %s TO %s", ID(table),
                             ID(s->column.s), ID(s->new_name.s)));
        break;
    case S_SET_NOT_NULL:
    case S_DROP_NOT_NULL:
    case S_SET_DEFAULT:
    case S_DROP_DEFAULT:
    case S_ADD_FOREIGN_KEY:
    case S_ADD_UNIQUE:
    case S_ADD_CHECK:
    case S_DROP_CONSTRAINT:
    case S_SET_PRIMARY_KEY: table_change(g, cur, tgt, s); break;
    case S_ALTER_TYPE: alter_type(g, cur, tgt, table, s->column.s, s->value); break;
    case S_CREATE_INDEX: {
        const cat_index *ix = catalog_index(tgt, s->index.s);
        if (!ix)
            break;
        if (s->concurrently && g->d == MIGC_POSTGRES)
            emit_alone(g, sql_create_index(g->a, g->d, ix, true), ix->name);
        else
            emit(g, sql_create_index(g->a, g->d, ix, false));
        break;
    }
    case S_DROP_INDEX: emit(g, arena_printf(g->a, "DROP INDEX %s", ID(s->index.s))); break;
    case S_BACKFILL: backfill(g, cur, s); break;
    case S_INSERT: insert(g, cur, s); break;
    case S_DELETE: {
        strbuf b;
        sb_init(&b, g->a);
        sb_puts(&b, "DELETE FROM ");
        sb_ident(&b, g->d, table);
        if (s->where) {
            sb_puts(&b, " WHERE ");
            sb_expr(&b, g->d, s->where, NULL);
        }
        emit(g, sb_str(&b));
        g->loses_data = true;
        break;
    }
    case S_RAW_SQL:
        if (!raw_for(s, g->d) || blank(s->sql))
            break;
        if (s->no_transaction)
            emit_alone(g, s->sql, NULL);
        else
            emit(g, s->sql);
        break;
    default: break;
    }
}

/* ---- derived down --------------------------------------------------------------- */

/* Emits the inverse of s: cur is the catalog after s (the live state when the
 * down runs), tgt the catalog before it. Returns false when s has none. */
static bool compile_inverse(gen *g, const catalog *cur, const catalog *tgt, const stmt *s)
{
    const char *table = s->table.s;
    switch (s->kind) {
    case S_CREATE_TABLE:
        emit(g, arena_printf(g->a, "DROP TABLE %s", ID(table)));
        unmark_rebuilt(g, table);
        g->loses_data = true;
        return true;
    case S_DROP_TABLE: {
        const cat_table *t = catalog_table(tgt, table);
        if (!t)
            return false;
        emit(g, sql_create_table(g->a, g->d, t, NULL));
        ptr_vec keys = {0};
        sql_readd_merged_keys(g->a, g->d, t, &keys);
        for (size_t i = 0; i < keys.n; i++)
            emit(g, keys.items[i]);
        create_table_indexes(g, tgt, table);
        return true;
    }
    case S_RENAME_TABLE:
        emit(g, arena_printf(g->a, "ALTER TABLE %s RENAME TO %s", ID(s->new_name.s), ID(table)));
        rename_rebuilt(g, s->new_name.s, table);
        return true;
    case S_ADD_COLUMN:
        drop_column(g, cur, tgt, table, s->coldef->cname.s);
        g->loses_data = true;
        return true;
    case S_DROP_COLUMN: {
        const cat_table *t = catalog_table(tgt, table);
        const cat_column *c = t ? catalog_column(t, s->column.s) : NULL;
        if (!c || (c->not_null && !c->dflt && !c->identity))
            return false;
        add_column(g, cur, tgt, table, s->column.s);
        return true;
    }
    case S_RENAME_COLUMN:
        emit(g, arena_printf(g->a, "ALTER TABLE %s RENAME COLUMN %s TO %s", ID(table),
                             ID(s->new_name.s), ID(s->column.s)));
        return true;
    case S_SET_NOT_NULL:
    case S_DROP_NOT_NULL:
    case S_SET_DEFAULT:
    case S_DROP_DEFAULT:
    case S_ADD_FOREIGN_KEY:
    case S_ADD_UNIQUE:
    case S_ADD_CHECK:
    case S_DROP_CONSTRAINT:
    case S_SET_PRIMARY_KEY: table_change(g, cur, tgt, s); return true;
    case S_ALTER_TYPE: alter_type(g, cur, tgt, table, s->column.s, NULL); return true;
    case S_CREATE_INDEX: emit(g, arena_printf(g->a, "DROP INDEX %s", ID(s->index.s))); return true;
    case S_DROP_INDEX: {
        const cat_index *ix = catalog_index(tgt, s->index.s);
        if (!ix)
            return false;
        if (ix->concurrently && g->d == MIGC_POSTGRES) /* built without blocking writes: rebuilt so too */
            emit_alone(g, sql_create_index(g->a, g->d, ix, true), ix->name);
        else
            emit(g, sql_create_index(g->a, g->d, ix, false));
        return true;
    }
    case S_BACKFILL: return true;
    case S_INSERT:
        g->loses_data = true;
        return insert_down(g, cur, s);
    case S_DELETE: return false;
    case S_RAW_SQL:
        if (!raw_for(s, g->d))
            return true;
        if (!s->has_raw_down)
            return false;
        if (blank(s->raw_down))
            return true;
        if (s->no_transaction)
            emit_alone(g, s->raw_down, NULL);
        else
            emit(g, s->raw_down);
        return true;
    default: return false;
    }
}

/* ---- the plan ------------------------------------------------------------------ */

/* One statement's inverse for one dialect, compiled while the catalogs
 * before and after it are at hand; assembled in reverse order later. */
typedef struct inverse {
    cg_dir dir;
    bool ok;           /* the statement has an inverse */
    bool loses_data;
    /* The inverse is exactly one SQLite rebuild without computed columns:
     * what assemble_down() needs to fold it into a rebuild just before. */
    bool pure_rebuild;
    const char *table;
    ptr_vec src, to_cols;
    size_t insert_at;
} inverse;

/* Records in inv whether g (which compiled only inv's statement) emitted
 * exactly one plain SQLite rebuild. */
static void note_pure_rebuild(const gen *g, inverse *inv)
{
    cg_step *only = inv->dir.steps.n == 1 ? inv->dir.steps.items[0] : NULL;
    inv->pure_rebuild = only && only == g->rb_step && g->rb_start == 0 && g->rb_end == only->stmts.n &&
                        !g->rb_override && !g->rb_fills && g->rb_insert != (size_t)NO_INSERT;
    if (!inv->pure_rebuild)
        return;
    inv->table = g->rb_table;
    inv->src = g->rb_cols;
    inv->to_cols = g->rb_to_cols;
    inv->insert_at = g->rb_insert;
}

/* Appends the inverses of m's statements, last statement first, to out:
 * transactional pieces join one transactional step (with their rebuild
 * marks), the others stay steps of their own. Returns whether any piece
 * loses data. */
static bool assemble_down(arena *a, cg_dir *out, dialect d, const migration *m, inverse *inv)
{
    gen g = {.a = a, .d = d, .dir = out};
    bool loses = false;
    /* The last piece appended, when it was a plain rebuild. */
    const inverse *prev = NULL;
    size_t prev_start = 0, prev_end = 0;
    cg_step *prev_step = NULL;
    for (uint32_t j = m->nstmts; j-- > 0;) {
        const stmt *s = m->stmts[j];
        inverse *iv = &inv[j];
        loses |= iv->loses_data;
        if (iv->pure_rebuild && prev && g.txn && g.txn == prev_step && g.txn->stmts.n == prev_end &&
            !strcmp(prev->table, iv->table)) {
            /* Fold: one copy from the table as the earlier rebuild found it. */
            cg_step *st = iv->dir.steps.items[0];
            g.txn->stmts.n = prev_start;
            const char *tmp = arena_printf(a, "_migc_new_%s", iv->table);
            const char *copy = copy_sql(&g, tmp, iv->table, &iv->to_cols, &prev->src);
            for (size_t i = 0; i < st->stmts.n; i++) {
                if (i == iv->insert_at) {
                    if (copy)
                        vec_push(a, &g.txn->stmts, (void *)copy);
                    continue;
                }
                vec_push(a, &g.txn->stmts, st->stmts.items[i]);
            }
            prev_end = g.txn->stmts.n; /* prev (its src) stays the first rebuild's */
            continue;
        }
        if (iv->dir.steps.n) /* an inverse that emits nothing keeps the fold open */
            prev = NULL;
        for (size_t k = 0; k < iv->dir.steps.n; k++) {
            cg_step *st = inv[j].dir.steps.items[k];
            if (st->kind != MIGC_STEP_TRANSACTION) {
                vec_push(a, &out->steps, st);
                g.txn = NULL;
                continue;
            }
            if (!g.txn)
                g.txn = new_step(&g, MIGC_STEP_TRANSACTION);
            if (iv->pure_rebuild) {
                prev = iv;
                prev_start = g.txn->stmts.n;
                prev_step = g.txn;
            }
            for (size_t i = 0; i < st->stmts.n; i++)
                vec_push(a, &g.txn->stmts, st->stmts.items[i]);
            for (size_t i = 0; i < st->rebuilt.n; i++)
                mark_rebuilt(&g, st->rebuilt.items[i]);
            prev_end = g.txn->stmts.n;
        }
        /* The marks of the open step follow what this inverse did to names. */
        if (s->kind == S_RENAME_TABLE)
            rename_rebuilt(&g, s->new_name.s, s->table.s);
        else if (s->kind == S_CREATE_TABLE)
            unmark_rebuilt(&g, s->table.s);
    }
    return loses;
}

/* Compiles m's explicit `down { }` for every dialect into out[d], like an
 * up, from the catalog after m (two scratch copies of it in a, shared by
 * the dialects). Returns whether it loses data. */
static bool compile_explicit_down(arena *a, cg_dir *out, const migration *m, const catalog *after)
{
    gen g[MIGC_DIALECT_COUNT];
    for (int d = 0; d < MIGC_DIALECT_COUNT; d++)
        g[d] = (gen){.a = a, .d = (dialect)d, .dir = &out[d]};
    /* Two live catalogs, one statement apart: lookups stay incremental. */
    catalog *before = catalog_copy_in(after, a), *cur = catalog_copy_in(after, a);
    for (uint32_t j = 0; j < m->ndown; j++) {
        catalog_apply(cur, m, m->down[j]);
        for (int d = 0; d < MIGC_DIALECT_COUNT; d++)
            compile_up(&g[d], before, cur, m->down[j]);
        catalog_apply(before, m, m->down[j]);
    }
    bool loses = false;
    for (int d = 0; d < MIGC_DIALECT_COUNT; d++)
        loses |= g[d].loses_data;
    return loses;
}

/* Records in cm what the migration just replayed into cur changed (from
 * cur's change log), then freezes cur so that the tables recorded stay as
 * they are now, and clears the log. O(tables changed + their indexes). */
static void record_delta(arena *a, cg_migration *cm, catalog *cur)
{
    uint32_t n;
    const char *const *names = catalog_changed_tables(cur, &n);
    cm->changed = arena_alloc(a, (n ? n : 1) * sizeof *cm->changed);
    cm->gone = arena_alloc(a, (n ? n : 1) * sizeof *cm->gone);
    for (uint32_t k = 0; k < n; k++) {
        const cat_table *t = catalog_table(cur, names[k]);
        if (!t) {
            cm->gone[cm->ngone++] = names[k];
            continue;
        }
        cg_table_after *ta = &cm->changed[cm->nchanged++];
        ta->t = t;
        uint32_t ni;
        const char *const *ix = catalog_table_index_names(cur, t->name, &ni);
        const char **copy = arena_alloc(a, (ni ? ni : 1) * sizeof *copy);
        if (ni)
            memcpy(copy, ix, ni * sizeof *copy);
        ta->indexes = copy;
        ta->nindexes = ni;
    }
    catalog_changes_clear(cur);
    catalog_freeze(cur);
}

/* A copy of the string in a (NULL stays NULL). */
static const char *keep_str(arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

/* A copy of the strings of v in a. */
static ptr_vec keep_strs(arena *a, const ptr_vec *v)
{
    ptr_vec out = {0};
    if (v->n) {
        out.items = arena_alloc(a, v->n * sizeof *out.items);
        out.n = out.cap = v->n;
        for (size_t i = 0; i < v->n; i++)
            out.items[i] = (void *)keep_str(a, v->items[i]);
    }
    return out;
}

/* Moves dir (built in a scratch arena) into a: steps, statements, backfills
 * and names copied, exactly as large as they are. */
static void keep_dir(arena *a, cg_dir *dir)
{
    ptr_vec steps = {0};
    if (dir->steps.n) {
        steps.items = arena_alloc(a, dir->steps.n * sizeof *steps.items);
        steps.n = steps.cap = dir->steps.n;
    }
    for (size_t k = 0; k < dir->steps.n; k++) {
        const cg_step *st = dir->steps.items[k];
        cg_step *n = arena_alloc(a, sizeof *n);
        n->kind = st->kind;
        n->stmts = keep_strs(a, &st->stmts);
        n->rebuilt = keep_strs(a, &st->rebuilt);
        n->concurrent_index = keep_str(a, st->concurrent_index);
        if (st->bf) {
            cg_backfill *b = arena_alloc(a, sizeof *b);
            *b = *st->bf;
            b->table = keep_str(a, b->table);
            b->first_bound = keep_str(a, b->first_bound);
            b->next_bound = keep_str(a, b->next_bound);
            b->first_update = keep_str(a, b->first_update);
            b->next_update = keep_str(a, b->next_update);
            b->whole = keep_str(a, b->whole);
            b->first_rest = keep_str(a, b->first_rest);
            b->next_rest = keep_str(a, b->next_rest);
            n->bf = b;
        }
        steps.items[k] = n;
    }
    dir->steps = steps;
}

/* codegen_plan(); snapshots: keep each migration's catalog in cm->after.
 * Each migration's steps are built in a scratch arena (the SQL builders'
 * intermediate strings, the per-statement inverses) and only the result is
 * copied into a, so memory grows with the plan, not with the work. */
static cg_plan *plan_all(arena *a, const checked_history *ch, unsigned dialects, bool snapshots)
{
    const history *h = ch->h;
    cg_plan *p = arena_alloc(a, sizeof *p);
    p->ch = ch;
    p->n = h->n;
    p->dialects = dialects;
    p->migs = arena_alloc(a, (h->n ? h->n : 1) * sizeof *p->migs);
    /* Two live catalogs replayed one statement apart ("before" and "after"
     * the statement being compiled): their name maps are kept up to date
     * incrementally, where a snapshot per statement would rebuild them. */
    catalog *before = catalog_new(a), *cur = catalog_new(a);
    catalog_track_changes(cur);
    for (uint32_t i = 0; i < h->n; i++) {
        const migration *m = h->migs[i];
        cg_migration *cm = &p->migs[i];
        cm->m = m;
        cm->irreversible = m->irreversible;
        bool derive = !m->irreversible && !m->has_down;
        arena *tmp = arena_new();
        gen up[MIGC_DIALECT_COUNT];
        inverse *inv[MIGC_DIALECT_COUNT];
        for (int d = 0; d < MIGC_DIALECT_COUNT; d++) {
            up[d] = (gen){.a = tmp, .d = (dialect)d, .dir = &cm->up[d]};
            inv[d] = arena_alloc(tmp, (m->nstmts ? m->nstmts : 1) * sizeof *inv[d]);
        }
        for (uint32_t j = 0; j < m->nstmts; j++) {
            const stmt *s = m->stmts[j];
            catalog_apply(cur, m, s);
            for (int d = 0; d < MIGC_DIALECT_COUNT; d++) {
                compile_up(&up[d], before, cur, s);
                if (!derive || cm->irreversible)
                    continue;
                gen ig = {.a = tmp, .d = (dialect)d, .dir = &inv[d][j].dir};
                inv[d][j].ok = compile_inverse(&ig, cur, before, s);
                inv[d][j].loses_data = ig.loses_data;
                note_pure_rebuild(&ig, &inv[d][j]);
                if (!inv[d][j].ok)
                    cm->irreversible = true;
            }
            catalog_apply(before, m, s);
        }
        for (int d = 0; d < MIGC_DIALECT_COUNT; d++)
            for (size_t k = 0; k < cm->up[d].steps.n; k++)
                if (((cg_step *)cm->up[d].steps.items[k])->kind != MIGC_STEP_TRANSACTION)
                    cm->has_no_transaction = true;
        record_delta(a, cm, cur);
        if (snapshots)
            cm->after = catalog_copy(cur);
        if (!cm->irreversible && m->has_down)
            cm->down_loses_data = compile_explicit_down(tmp, cm->down, m, cur);
        for (int d = 0; d < MIGC_DIALECT_COUNT && !cm->irreversible && !m->has_down; d++)
            cm->down_loses_data |= assemble_down(tmp, &cm->down[d], (dialect)d, m, inv[d]);
        if (cm->irreversible)
            cm->down_loses_data = false;
        for (int d = 0; d < MIGC_DIALECT_COUNT; d++) {
            keep_dir(a, &cm->up[d]);
            keep_dir(a, &cm->down[d]);
        }
        arena_free(tmp);
        cm->checksum = canon_checksum(a, m);
    }
    return p;
}

cg_plan *codegen_plan(arena *a, const checked_history *ch, unsigned dialects)
{
    return plan_all(a, ch, dialects, false);
}

cg_plan *codegen_plan_snapshots(arena *a, const checked_history *ch, unsigned dialects)
{
    return plan_all(a, ch, dialects, true);
}
