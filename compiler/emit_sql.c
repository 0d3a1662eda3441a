/* emit_sql.c: SQL text for both dialects — names, literals, types,
 * expressions, column and constraint definitions, CREATE TABLE / INDEX from
 * the catalog. Dialect specifics come from emit_pg.c and emit_sqlite.c.
 * Everything is appended to arena strings; nothing here can fail. */
#include <string.h>

#include "emit.h"
#include "types.h"

/* True when name can go unquoted on d: [a-z_][a-z0-9_]* and no keyword. */
static bool plain_name(dialect d, const char *name)
{
    if (!name[0] || !((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return d == MIGC_POSTGRES ? !pg_keyword_needs_quote(name) : !sqlite_keyword_needs_quote(name);
}

void sb_ident(strbuf *b, dialect d, const char *name)
{
    if (plain_name(d, name)) {
        sb_puts(b, name);
        return;
    }
    sb_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            sb_putc(b, '"');
        sb_putc(b, *p);
    }
    sb_putc(b, '"');
}

const char *sql_ident(arena *a, dialect d, const char *name)
{
    strbuf b;
    sb_init(&b, a);
    sb_ident(&b, d, name);
    return sb_str(&b);
}

void sb_literal(strbuf *b, const char *text)
{
    sb_putc(b, '\'');
    for (const char *p = text; *p; p++) {
        if (*p == '\'')
            sb_putc(b, '\'');
        sb_putc(b, *p);
    }
    sb_putc(b, '\'');
}

const char *sql_type_name(arena *a, dialect d, sql_type t)
{
    return d == MIGC_POSTGRES ? pg_type_sql(a, t) : sqlite_type_sql(a, t);
}

/* The type a CAST goes to on SQLite: a storage class that keeps the value
 * (CAST AS TIMESTAMP would apply NUMERIC affinity and mangle ISO text). */
static const char *sqlite_cast_type(arena *a, sql_type t)
{
    switch (t.kind) {
    case TY_BOOL:
    case TY_SMALLINT:
    case TY_INT:
    case TY_BIGINT: return "INTEGER";
    case TY_REAL:
    case TY_DOUBLE: return "REAL";
    case TY_NUMERIC: return sqlite_type_sql(a, t);
    case TY_BYTES: return "BLOB";
    default: return "TEXT";
    }
}

/* Expressions that need parentheses when they are an operand. */
static bool compound(const expr *e)
{
    switch (e->kind) {
    case E_UNARY:
        return !(e->op == OP_NEG && e->args[0]->kind != E_UNARY &&
                 (e->args[0]->kind == E_INT || e->args[0]->kind == E_DEC));
    case E_BINARY:
    case E_IS_NULL:
    case E_IN:
    case E_BETWEEN:
    case E_LIKE: return true;
    default: return false;
    }
}

/* Appends e as an operand: parenthesised when compound. */
static void operand(strbuf *b, dialect d, const expr *e, const sql_type *target)
{
    if (compound(e)) {
        sb_putc(b, '(');
        sb_expr(b, d, e, target);
        sb_putc(b, ')');
    } else {
        sb_expr(b, d, e, target);
    }
}

/* Casts whose plain SQLite CAST would differ from PostgreSQL's result:
 * a fractional number to an integer (PostgreSQL rounds half away from zero,
 * CAST truncates), a bool to text ('true'/'false', not '1'/'0'), text to
 * bool (PostgreSQL's spellings; anything else is NULL where PostgreSQL
 * fails) and an integer to bool (non-zero is true). Appends the SQLite
 * form of cast e and returns true, or appends nothing and returns false
 * for a cast that CAST renders faithfully. */
static bool sqlite_cast_special(strbuf *b, const expr *e)
{
    type_kind from = e->args[0]->type.kind, to = e->cast_to.kind;
    const expr *x = e->args[0];
    if (type_is_integer(to) && (from == TY_NUMERIC || from == TY_REAL || from == TY_DOUBLE)) {
        bool rounded = x->kind == E_CALL && x->fn == FN_ROUND && x->nargs == 1;
        sb_puts(b, rounded ? "CAST(" : "CAST(round(");
        sb_expr(b, MIGC_SQLITE, x, NULL);
        sb_puts(b, rounded ? " AS INTEGER)" : ") AS INTEGER)");
        return true;
    }
    if (from == TY_BOOL && type_is_text(to)) {
        sb_puts(b, "CASE ");
        operand(b, MIGC_SQLITE, x, NULL);
        sb_puts(b, " WHEN 1 THEN 'true' WHEN 0 THEN 'false' END");
        return true;
    }
    if (type_is_text(from) && to == TY_BOOL) {
        sb_puts(b, "CASE lower(trim(");
        sb_expr(b, MIGC_SQLITE, x, NULL);
        sb_puts(b, ")) WHEN 't' THEN 1 WHEN 'true' THEN 1 WHEN 'y' THEN 1 WHEN 'yes' THEN 1"
                   " WHEN 'on' THEN 1 WHEN '1' THEN 1 WHEN 'f' THEN 0 WHEN 'false' THEN 0"
                   " WHEN 'n' THEN 0 WHEN 'no' THEN 0 WHEN 'off' THEN 0 WHEN '0' THEN 0 END");
        return true;
    }
    if (type_is_integer(from) && to == TY_BOOL) {
        sb_putc(b, '(');
        operand(b, MIGC_SQLITE, x, NULL);
        sb_puts(b, " <> 0)");
        return true;
    }
    return false;
}

/* now() on d, as the type target wants. */
static void emit_now(strbuf *b, dialect d, const sql_type *target)
{
    if (d == MIGC_SQLITE)
        sb_puts(b, "strftime('%Y-%m-%d %H:%M:%f','now')");
    else if (target && target->kind == TY_TIMESTAMP)
        sb_puts(b, "(now() AT TIME ZONE 'UTC')");
    else
        sb_puts(b, "now()");
}

static const char sqlite_uuid[] =
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || "
    "substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || "
    "substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";

void sb_expr(strbuf *b, dialect d, const expr *e, const sql_type *target)
{
    switch (e->kind) {
    case E_INT:
    case E_DEC: sb_puts(b, e->text); break;
    case E_STR: sb_literal(b, e->text); break;
    case E_BOOL:
        if (d == MIGC_SQLITE)
            sb_puts(b, e->bval ? "1" : "0");
        else
            sb_puts(b, e->bval ? "true" : "false");
        break;
    case E_NULL: sb_puts(b, "NULL"); break;
    case E_COLUMN: sb_ident(b, d, e->col.s); break;
    case E_UNARY:
        if (e->op == OP_NEG && (e->args[0]->kind == E_UNARY ||
                                ((e->args[0]->kind == E_INT || e->args[0]->kind == E_DEC) &&
                                 e->args[0]->text[0] == '-'))) { /* never "--", a comment */
            sb_puts(b, "-(");
            sb_expr(b, d, e->args[0], NULL);
            sb_putc(b, ')');
            break;
        }
        sb_puts(b, e->op == OP_NOT ? "NOT " : "-");
        operand(b, d, e->args[0], NULL);
        break;
    case E_BINARY: {
        /* A timestamp compared with now(): render now() as UTC timestamp. */
        const sql_type *lt = NULL, *rt = NULL;
        if (e->op >= OP_EQ && e->op <= OP_GE) {
            if (e->args[1]->type.kind == TY_TIMESTAMP)
                lt = &e->args[1]->type;
            if (e->args[0]->type.kind == TY_TIMESTAMP)
                rt = &e->args[0]->type;
        } else if (e->op == OP_ADD || e->op == OP_SUB) {
            lt = rt = target;
        }
        operand(b, d, e->args[0], lt);
        sb_printf(b, " %s ", e->op == OP_AND ? "AND" : e->op == OP_OR ? "OR" : op_name(e->op));
        operand(b, d, e->args[1], rt);
        break;
    }
    case E_IS_NULL:
        operand(b, d, e->args[0], NULL);
        sb_puts(b, e->negated ? " IS NOT NULL" : " IS NULL");
        break;
    case E_IN: {
        const sql_type *t = e->args[0]->type.kind == TY_TIMESTAMP ? &e->args[0]->type : NULL;
        operand(b, d, e->args[0], NULL);
        sb_puts(b, e->negated ? " NOT IN (" : " IN (");
        for (uint32_t i = 1; i < e->nargs; i++) {
            if (i > 1)
                sb_puts(b, ", ");
            sb_expr(b, d, e->args[i], t);
        }
        sb_putc(b, ')');
        break;
    }
    case E_BETWEEN: {
        const sql_type *t = e->args[0]->type.kind == TY_TIMESTAMP ? &e->args[0]->type : NULL;
        operand(b, d, e->args[0], NULL);
        sb_puts(b, e->negated ? " NOT BETWEEN " : " BETWEEN ");
        operand(b, d, e->args[1], t);
        sb_puts(b, " AND ");
        operand(b, d, e->args[2], t);
        break;
    }
    case E_LIKE:
        operand(b, d, e->args[0], NULL);
        sb_puts(b, e->negated ? " NOT LIKE " : " LIKE ");
        operand(b, d, e->args[1], NULL);
        break;
    case E_CASE: {
        sb_puts(b, "CASE");
        uint32_t pairs = e->has_else ? (e->nargs - 1) / 2 : e->nargs / 2;
        for (uint32_t i = 0; i < pairs; i++) {
            sb_puts(b, " WHEN ");
            sb_expr(b, d, e->args[2 * i], NULL);
            sb_puts(b, " THEN ");
            sb_expr(b, d, e->args[2 * i + 1], target);
        }
        if (e->has_else) {
            sb_puts(b, " ELSE ");
            sb_expr(b, d, e->args[e->nargs - 1], target);
        }
        sb_puts(b, " END");
        break;
    }
    case E_CAST:
        if (d == MIGC_SQLITE && sqlite_cast_special(b, e))
            break;
        sb_puts(b, "CAST(");
        sb_expr(b, d, e->args[0], e->cast_to.kind == TY_TIMESTAMP ? &e->cast_to : NULL);
        sb_printf(b, " AS %s)", d == MIGC_POSTGRES ? pg_type_sql(b->a, e->cast_to)
                                                   : sqlite_cast_type(b->a, e->cast_to));
        break;
    case E_CALL:
        if (e->fn == FN_NOW) {
            emit_now(b, d, target);
            break;
        }
        if (e->fn == FN_GEN_RANDOM_UUID) {
            sb_puts(b, d == MIGC_POSTGRES ? "gen_random_uuid()" : sqlite_uuid);
            break;
        }
        sb_puts(b, func_name(e->fn));
        sb_putc(b, '(');
        for (uint32_t i = 0; i < e->nargs; i++) {
            if (i)
                sb_puts(b, ", ");
            bool pass = e->fn == FN_COALESCE || (e->fn == FN_NULLIF && i == 0);
            sb_expr(b, d, e->args[i], pass ? target : NULL);
        }
        sb_putc(b, ')');
        break;
    case E_CURRENT_DATE:
        sb_puts(b, d == MIGC_POSTGRES ? "CAST((now() AT TIME ZONE 'UTC') AS date)" : "date('now')");
        break;
    default: sb_puts(b, "NULL"); break;
    }
}

bool expr_is_constant(const expr *e)
{
    switch (e->kind) {
    case E_INT:
    case E_DEC:
    case E_STR:
    case E_BOOL:
    case E_NULL: return true;
    case E_UNARY:
        return e->op == OP_NEG && (e->args[0]->kind == E_INT || e->args[0]->kind == E_DEC);
    default: return false;
    }
}

void expr_columns(arena *a, const expr *e, ptr_vec *v)
{
    if (!e)
        return;
    if (e->kind == E_COLUMN)
        vec_push(a, v, (void *)e->col.s);
    for (uint32_t i = 0; i < e->nargs; i++)
        expr_columns(a, e->args[i], v);
}

/* Appends "(a, b)". */
static void name_list_sql(strbuf *b, dialect d, const char *const *names, uint32_t n)
{
    sb_putc(b, '(');
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            sb_puts(b, ", ");
        sb_ident(b, d, names[i]);
    }
    sb_putc(b, ')');
}

static const char *fk_action_sql(fk_action a)
{
    switch (a) {
    case FK_RESTRICT: return "RESTRICT";
    case FK_CASCADE: return "CASCADE";
    case FK_SET_NULL: return "SET NULL";
    case FK_SET_DEFAULT: return "SET DEFAULT";
    default: return "NO ACTION";
    }
}

void sb_constraint(strbuf *b, dialect d, const cat_constraint *c)
{
    sb_puts(b, "CONSTRAINT ");
    sb_ident(b, d, c->name);
    switch (c->kind) {
    case CON_PRIMARY_KEY:
        sb_puts(b, " PRIMARY KEY ");
        name_list_sql(b, d, c->cols, c->ncols);
        break;
    case CON_UNIQUE:
        sb_puts(b, " UNIQUE ");
        name_list_sql(b, d, c->cols, c->ncols);
        break;
    case CON_CHECK:
        sb_puts(b, " CHECK (");
        sb_expr(b, d, c->check, NULL);
        sb_putc(b, ')');
        break;
    case CON_FOREIGN_KEY:
        sb_puts(b, " FOREIGN KEY ");
        name_list_sql(b, d, c->cols, c->ncols);
        sb_puts(b, " REFERENCES ");
        sb_ident(b, d, c->ref_table);
        if (c->nref_cols) {
            sb_putc(b, ' ');
            name_list_sql(b, d, c->ref_cols, c->nref_cols);
        }
        if (c->on_delete != FK_NO_ACTION)
            sb_printf(b, " ON DELETE %s", fk_action_sql(c->on_delete));
        if (c->on_update != FK_NO_ACTION)
            sb_printf(b, " ON UPDATE %s", fk_action_sql(c->on_update));
        break;
    }
}

/* Is col one of pk's columns? */
static bool in_pk(const cat_constraint *pk, const char *col)
{
    if (!pk)
        return false;
    for (uint32_t i = 0; i < pk->ncols; i++)
        if (!strcmp(pk->cols[i], col))
            return true;
    return false;
}

const cat_column *table_identity(const cat_table *t)
{
    for (uint32_t i = 0; i < t->ncols; i++)
        if (t->cols[i]->identity)
            return t->cols[i];
    return NULL;
}

bool sqlite_autoincrement(const cat_table *t)
{
    const cat_constraint *pk = catalog_primary_key(t);
    const cat_column *id = table_identity(t);
    return id && pk && pk->ncols == 1 && !strcmp(pk->cols[0], id->name);
}

/* Appends DEFAULT e for col: constants as they are, anything else in
 * parentheses where the dialect needs them. */
static void default_sql(strbuf *b, dialect d, const cat_column *col)
{
    sb_puts(b, " DEFAULT ");
    bool parens = !expr_is_constant(col->dflt) &&
                  (d == MIGC_SQLITE || compound(col->dflt) || col->dflt->kind == E_CASE);
    if (parens)
        sb_putc(b, '(');
    sb_expr(b, d, col->dflt, &col->type);
    if (parens)
        sb_putc(b, ')');
}

void sb_column_def(strbuf *b, dialect d, const cat_column *col, const cat_constraint *pk)
{
    sb_ident(b, d, col->name);
    bool autoinc = d == MIGC_SQLITE && col->identity && pk && pk->ncols == 1 &&
                   !strcmp(pk->cols[0], col->name);
    if (autoinc) {
        sb_puts(b, " INTEGER NOT NULL CONSTRAINT ");
        sb_ident(b, d, pk->name);
        sb_puts(b, " PRIMARY KEY AUTOINCREMENT");
        return;
    }
    sb_putc(b, ' ');
    sb_puts(b, sql_type_name(b->a, d, col->type));
    if (col->identity && d == MIGC_POSTGRES)
        sb_puts(b, " GENERATED BY DEFAULT AS IDENTITY");
    if (col->not_null || col->identity || in_pk(pk, col->name))
        sb_puts(b, " NOT NULL");
    if (col->dflt && !col->identity)
        default_sql(b, d, col);
}

bool pg_key_merged_in_create(const cat_table *t, uint32_t k)
{
    /* Same columns is an equivalence: the primary key, else the first
     * unique of a class is kept; every other unique of it is merged. */
    const cat_constraint *c = t->cons[k];
    if (c->kind != CON_UNIQUE)
        return false;
    for (uint32_t j = 0; j < t->ncons; j++) {
        const cat_constraint *o = t->cons[j];
        if (j == k || !(o->kind == CON_PRIMARY_KEY || (o->kind == CON_UNIQUE && j < k)) ||
            o->ncols != c->ncols)
            continue;
        bool same = true;
        for (uint32_t i = 0; i < c->ncols && same; i++)
            same = !strcmp(o->cols[i], c->cols[i]);
        if (same)
            return true;
    }
    return false;
}

const char *sql_create_table(arena *a, dialect d, const cat_table *t, const char *as_name)
{
    strbuf b;
    sb_init(&b, a);
    const cat_constraint *pk = catalog_primary_key(t);
    bool autoinc = d == MIGC_SQLITE && sqlite_autoincrement(t);
    sb_puts(&b, "CREATE TABLE ");
    sb_ident(&b, d, as_name ? as_name : t->name);
    sb_puts(&b, " (");
    bool first = true;
    for (uint32_t i = 0; i < t->ncols; i++) {
        sb_puts(&b, first ? "\n    " : ",\n    ");
        first = false;
        sb_column_def(&b, d, t->cols[i], pk);
    }
    for (uint32_t i = 0; i < t->ncons; i++) {
        if ((autoinc && t->cons[i] == pk) || (d == MIGC_POSTGRES && pg_key_merged_in_create(t, i)))
            continue;
        sb_puts(&b, first ? "\n    " : ",\n    ");
        first = false;
        sb_constraint(&b, d, t->cons[i]);
    }
    sb_puts(&b, "\n)");
    return sb_str(&b);
}

const char *sql_create_index(arena *a, dialect d, const cat_index *ix, bool concurrently)
{
    strbuf b;
    sb_init(&b, a);
    sb_puts(&b, ix->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
    if (concurrently && d == MIGC_POSTGRES)
        sb_puts(&b, "CONCURRENTLY ");
    sb_ident(&b, d, ix->name);
    sb_puts(&b, " ON ");
    sb_ident(&b, d, ix->table);
    if (ix->method && d == MIGC_POSTGRES) {
        sb_puts(&b, " USING ");
        sb_ident(&b, d, ix->method);
    }
    sb_puts(&b, " (");
    for (uint32_t i = 0; i < ix->nelems; i++) {
        const index_elem *el = &ix->elems[i];
        if (i)
            sb_puts(&b, ", ");
        if (el->e->kind == E_COLUMN) {
            sb_ident(&b, d, el->e->col.s);
        } else {
            sb_putc(&b, '(');
            sb_expr(&b, d, el->e, NULL);
            sb_putc(&b, ')');
        }
        if (el->opclass.s && d == MIGC_POSTGRES) {
            sb_putc(&b, ' ');
            sb_ident(&b, d, el->opclass.s);
        }
        if (el->desc)
            sb_puts(&b, " DESC");
    }
    sb_putc(&b, ')');
    if (ix->where) {
        sb_puts(&b, " WHERE ");
        sb_expr(&b, d, ix->where, NULL);
    }
    return sb_str(&b);
}

void sql_readd_merged_keys(arena *a, dialect d, const cat_table *t, ptr_vec *out)
{
    for (uint32_t k = 0; d == MIGC_POSTGRES && k < t->ncons; k++)
        if (pg_key_merged_in_create(t, k)) {
            strbuf b;
            sb_init(&b, a);
            sb_puts(&b, "ALTER TABLE ");
            sb_ident(&b, d, t->name);
            sb_puts(&b, " ADD ");
            sb_constraint(&b, d, t->cons[k]);
            vec_push(a, out, (void *)sb_str(&b));
        }
}
