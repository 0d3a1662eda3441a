/* checker.c: what the checker proves (DESIGN §2; see checker.h).
 *
 * The history is replayed migration by migration into one catalog. Each
 * statement is validated against the catalog as it stands (names, types,
 * the NOT NULL proof, the data-loss rules), annotating every expression with
 * its type and nullability, and is then applied with catalog_apply() unless
 * the object it works on is missing or already exists; the catalog stays
 * sensible after an error, so later statements do not report follow-on
 * errors. Statements of `down { }` are checked against a copy of the catalog
 * after the migration's up (names and types only: no NOT NULL proof, no
 * data-loss acknowledgement). Every diagnostic goes to diag_ctx at the
 * offending token; nothing here stops early. */
#include "checker.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "migc/plan.h"   /* enum migc_dialect, for notes that concern one dialect */
#include "types.h"

typedef struct ck {
    arena *a;
    diag_ctx *d;
    catalog *c;
    const migration *mig;
    bool in_down;
} ck;

/* Where column references resolve while typing an expression. */
typedef struct scope {
    const cat_table *t;   /* the table whose columns are visible, or NULL */
    const char *no_cols;  /* when t == NULL: "a default", "inserted values" */
    bool immutable;       /* an index: now(), current_date and gen_random_uuid() are refused */
} scope;

/* ---- small helpers ------------------------------------------------------------ */

#define TS(t, buf) type_str((t), (buf), sizeof(buf))

/* Adds "previous definition is here" at at (when it is in a file). */
static void note_previous(ck *k, const loc *at)
{
    if (at && at->src)
        diag_note(k->d, at, "previous definition is here");
}

/* Points at the definition of something the error depends on. */
static void note_defined(ck *k, const loc *at, const char *what, const char *nm)
{
    if (at && at->src)
        diag_note(k->d, at, "%s '%s' is defined here", what, nm);
}

/* The null literal's type, or a type not inferred (already reported)? */
static bool null_or_unknown(sql_type t)
{
    return t.kind == TY_NULL || t.kind == TY_UNKNOWN;
}

/* Operand classes that also accept null and already-reported operands. */
static bool texty(const expr *e)
{
    return type_is_text(e->type.kind) || null_or_unknown(e->type);
}

static bool numericy(const expr *e)
{
    return type_is_numeric(e->type.kind) || null_or_unknown(e->type);
}

static bool booly(const expr *e)
{
    return e->type.kind == TY_BOOL || null_or_unknown(e->type);
}

/* May the table hold rows? Tables of earlier migrations may; a table
 * created in this migration may once an insert or raw SQL touched it. */
static bool may_have_rows(const ck *k, const cat_table *t)
{
    return t->maybe_has_rows || !k->mig || t->created_version != k->mig->version;
}

/* ---- expressions ------------------------------------------------------------------ */

static void type_expr(ck *k, expr *e, const scope *sc);

/* Annotates e with an unparameterised type. */
static void set_type(expr *e, type_kind kind, bool nullable)
{
    e->type = type_of(kind);
    e->nullable = nullable;
}

/* Is any argument of e nullable? */
static bool any_nullable(const expr *e)
{
    for (uint32_t i = 0; i < e->nargs; i++)
        if (e->args[i]->nullable)
            return true;
    return false;
}

/* An integer literal is int when it fits, else bigint, else numeric. */
static void type_literal_int(expr *e)
{
    type_kind kind = type_literal_fits(e, TY_INT) ? TY_INT
                     : type_literal_fits(e, TY_BIGINT) ? TY_BIGINT : TY_NUMERIC;
    set_type(e, kind, false);
}

/* Is e a numeric literal other than zero (a divisor that cannot make
 * SQLite's division NULL)? */
static bool nonzero_literal(const expr *e)
{
    if (e->kind == E_UNARY && e->op == OP_NEG && e->nargs == 1)
        e = e->args[0];
    if ((e->kind != E_INT && e->kind != E_DEC) || !e->text)
        return false;
    for (const char *p = e->text; *p; p++)
        if (*p >= '1' && *p <= '9')
            return true;
    return false;
}

/* Types a binary operator over already-typed operands (see types.h for
 * widening and literal adaptation). */
static void type_binary(ck *k, expr *e)
{
    expr *l = e->args[0], *r = e->args[1];
    char a[48], b[48];
    const char *op = op_name(e->op);
    bool nullable = l->nullable || r->nullable;
    sql_type t;
    switch (e->op) {
    case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: case OP_MOD:
        if (!numericy(l) || !numericy(r)) {
            diag_error(k->d, &e->at, "operator %s needs numeric operands, but got %s and %s",
                       op, TS(l->type, a), TS(r->type, b));
            set_type(e, TY_UNKNOWN, nullable);
            return;
        }
        type_unify(l->type, l, r->type, r, &t);
        if (t.kind == TY_NULL)
            t = type_of(TY_INT);
        e->type = t;
        e->nullable = nullable;
        /* SQLite gives NULL for a division by zero. */
        if ((e->op == OP_DIV || e->op == OP_MOD) && !nonzero_literal(r))
            e->nullable = true;
        return;
    case OP_CONCAT:
        if ((!texty(l) && l->kind != E_STR) || (!texty(r) && r->kind != E_STR)) {
            const expr *bad = texty(l) ? r : l;
            diag_error(k->d, &e->at, "operator || takes text, but got %s; write cast(... as text)",
                       TS(bad->type, a));
            set_type(e, TY_TEXT, nullable);
            return;
        }
        set_type(e, TY_TEXT, nullable);
        return;
    case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
        if (!type_unify(l->type, l, r->type, r, &t))
            diag_error(k->d, &e->at, "cannot compare %s with %s", TS(l->type, a), TS(r->type, b));
        set_type(e, TY_BOOL, nullable);
        return;
    case OP_AND: case OP_OR:
        if (!booly(l) || !booly(r)) {
            const expr *bad = booly(l) ? r : l;
            diag_error(k->d, &bad->at, "operand of %s must be bool, but has type %s",
                       op, TS(bad->type, a));
        }
        set_type(e, TY_BOOL, nullable);
        return;
    default:
        set_type(e, TY_UNKNOWN, nullable);
        return;
    }
}

/* Checks that every argument of e from `from` on unifies with the running
 * type; returns it. what: "in list", "case branches"... */
static sql_type unify_args(ck *k, expr *e, uint32_t first, uint32_t step, const char *what)
{
    sql_type acc = type_of(TY_NULL);
    const expr *acc_e = NULL;
    char a[48], b[48];
    for (uint32_t i = first; i < e->nargs; i += step) {
        expr *x = e->args[i];
        sql_type t;
        if (!type_unify(acc, acc_e, x->type, x, &t)) {
            diag_error(k->d, &x->at, "%s mixes %s and %s", what, TS(acc, a), TS(x->type, b));
            break;
        }
        acc_e = (acc.kind == TY_NULL) ? x : NULL;
        acc = t;
    }
    return acc;
}

/* Reports a call with the wrong number of arguments. */
static void arity_error(ck *k, expr *e, const char *want)
{
    diag_error(k->d, &e->at, "%s() takes %s, but %u %s given", func_name(e->fn), want,
               (unsigned)e->nargs, e->nargs == 1 ? "was" : "were");
}

/* Reports argument i of a call when !ok (what: the type wanted). */
static void want_arg(ck *k, expr *e, uint32_t i, bool ok, const char *what)
{
    char a[48];
    if (!ok)
        diag_error(k->d, &e->args[i]->at, "argument %u of %s() must be %s, but has type %s",
                   (unsigned)i + 1, func_name(e->fn), what, TS(e->args[i]->type, a));
}

static bool integery(const expr *e)
{
    return type_is_integer(e->type.kind) || null_or_unknown(e->type);
}

/* The typed functions of DESIGN §1: arity, argument types, result type
 * and nullability. */
static void type_call(ck *k, expr *e, const scope *sc)
{
    bool nullable = any_nullable(e);
    switch (e->fn) {
    case FN_NOW:
    case FN_GEN_RANDOM_UUID:
        if (e->nargs != 0)
            arity_error(k, e, "no arguments");
        if (sc->immutable)
            diag_error(k->d, &e->at, "%s() changes from call to call; index expressions must be immutable",
                       func_name(e->fn));
        set_type(e, e->fn == FN_NOW ? TY_TIMESTAMPTZ : TY_UUID, false);
        return;
    case FN_LOWER: case FN_UPPER: case FN_TRIM:
        if (e->nargs != 1)
            arity_error(k, e, "1 argument");
        else
            want_arg(k, e, 0, texty(e->args[0]), "text");
        set_type(e, TY_TEXT, nullable);
        return;
    case FN_LENGTH:
        if (e->nargs != 1)
            arity_error(k, e, "1 argument");
        else
            want_arg(k, e, 0, texty(e->args[0]) || e->args[0]->type.kind == TY_BYTES, "text or bytes");
        set_type(e, TY_INT, nullable);
        return;
    case FN_SUBSTR:
        if (e->nargs != 2 && e->nargs != 3) {
            arity_error(k, e, "2 or 3 arguments");
        } else {
            want_arg(k, e, 0, texty(e->args[0]), "text");
            for (uint32_t i = 1; i < e->nargs; i++)
                want_arg(k, e, i, integery(e->args[i]), "an integer");
        }
        set_type(e, TY_TEXT, nullable);
        return;
    case FN_REPLACE:
        if (e->nargs != 3)
            arity_error(k, e, "3 arguments");
        else
            for (uint32_t i = 0; i < 3; i++)
                want_arg(k, e, i, texty(e->args[i]), "text");
        set_type(e, TY_TEXT, nullable);
        return;
    case FN_COALESCE: {
        if (e->nargs < 1) {
            arity_error(k, e, "at least 1 argument");
            set_type(e, TY_UNKNOWN, true);
            return;
        }
        sql_type t = unify_args(k, e, 0, 1, "coalesce()");
        bool all_nullable = true;
        for (uint32_t i = 0; i < e->nargs; i++)
            if (!e->args[i]->nullable && e->args[i]->type.kind != TY_NULL)
                all_nullable = false;
        e->type = t;
        e->nullable = all_nullable;
        return;
    }
    case FN_NULLIF: {
        if (e->nargs != 2) {
            arity_error(k, e, "2 arguments");
            set_type(e, TY_UNKNOWN, true);
            return;
        }
        (void)unify_args(k, e, 0, 1, "nullif()");
        e->type = e->args[0]->type;
        e->nullable = true;
        return;
    }
    case FN_ABS:
        if (e->nargs != 1) {
            arity_error(k, e, "1 argument");
            set_type(e, TY_UNKNOWN, nullable);
            return;
        }
        want_arg(k, e, 0, numericy(e->args[0]), "numeric");
        e->type = numericy(e->args[0]) && e->args[0]->type.kind != TY_NULL ? e->args[0]->type
                                                                             : type_of(TY_UNKNOWN);
        e->nullable = nullable;
        return;
    case FN_ROUND:
        if (e->nargs != 1 && e->nargs != 2) {
            arity_error(k, e, "1 or 2 arguments");
        } else {
            want_arg(k, e, 0, numericy(e->args[0]), "numeric");
            if (e->nargs == 2)
                want_arg(k, e, 1, integery(e->args[1]), "an integer");
        }
        if (e->nargs == 1 && e->args[0]->type.kind >= TY_REAL && e->args[0]->type.kind <= TY_DOUBLE)
            set_type(e, TY_DOUBLE, nullable);
        else
            set_type(e, TY_NUMERIC, nullable);
        return;
    case FN__COUNT:
        break;
    }
    set_type(e, TY_UNKNOWN, nullable);
}

/* Annotates e (and everything under it) with type and nullability,
 * reporting what does not type-check. Recursion depth is bounded by the
 * parser's nesting limit. */
static void type_expr(ck *k, expr *e, const scope *sc)
{
    if (!e)
        return;
    for (uint32_t i = 0; i < e->nargs; i++)
        if (e->args[i])
            type_expr(k, e->args[i], sc);
    uint32_t need = e->kind == E_BINARY || e->kind == E_LIKE ? 2
                    : e->kind == E_BETWEEN ? 3
                    : e->kind == E_UNARY || e->kind == E_CAST || e->kind == E_IS_NULL || e->kind == E_IN ? 1 : 0;
    for (uint32_t i = 0; i < e->nargs && i < need; i++)
        if (!e->args[i])
            need = UINT32_MAX;
    if (e->nargs < need) { /* never built by the parser; defensive */
        set_type(e, TY_UNKNOWN, true);
        return;
    }
    char a[48], b[48];
    switch (e->kind) {
    case E_INT:
        type_literal_int(e);
        return;
    case E_DEC:
        set_type(e, TY_NUMERIC, false);
        return;
    case E_STR:
        set_type(e, TY_TEXT, false);
        return;
    case E_BOOL:
        set_type(e, TY_BOOL, false);
        return;
    case E_NULL:
        set_type(e, TY_NULL, true);
        return;
    case E_CURRENT_DATE:
        if (sc->immutable)
            diag_error(k->d, &e->at, "current_date changes from day to day; index expressions must be immutable");
        set_type(e, TY_DATE, false);
        return;
    case E_COLUMN: {
        if (!sc->t) {
            diag_error(k->d, &e->at, "column references are not allowed in %s", sc->no_cols);
            set_type(e, TY_UNKNOWN, true);
            return;
        }
        const cat_column *col = catalog_column(sc->t, e->col.s);
        if (!col) {
            diag_error(k->d, &e->at, "column '%s' does not exist in table '%s'", e->col.s, sc->t->name);
            set_type(e, TY_UNKNOWN, true);
            return;
        }
        e->type = col->type;
        e->nullable = !(col->not_null || col->proven_non_null);
        return;
    }
    case E_UNARY: {
        expr *x = e->args[0];
        if (e->op == OP_NEG) {
            if (!numericy(x)) {
                diag_error(k->d, &e->at, "unary - needs a numeric operand, but got %s", TS(x->type, a));
                set_type(e, TY_UNKNOWN, x->nullable);
            } else if (x->kind == E_INT) {
                type_literal_int(e);
            } else {
                e->type = x->type.kind == TY_NULL ? type_of(TY_INT) : x->type;
                e->nullable = x->nullable;
            }
        } else {
            if (!booly(x))
                diag_error(k->d, &e->at, "operand of not must be bool, but has type %s", TS(x->type, a));
            set_type(e, TY_BOOL, x->nullable);
        }
        return;
    }
    case E_BINARY:
        type_binary(k, e);
        return;
    case E_IS_NULL:
        set_type(e, TY_BOOL, false);
        return;
    case E_IN:
        (void)unify_args(k, e, 0, 1, "in list");
        set_type(e, TY_BOOL, any_nullable(e));
        return;
    case E_BETWEEN:
        (void)unify_args(k, e, 0, 1, "between");
        set_type(e, TY_BOOL, any_nullable(e));
        return;
    case E_LIKE:
        for (uint32_t i = 0; i < e->nargs; i++)
            if (!texty(e->args[i]))
                diag_error(k->d, &e->args[i]->at, "like compares text, but this operand has type %s",
                           TS(e->args[i]->type, a));
        set_type(e, TY_BOOL, any_nullable(e));
        return;
    case E_CASE: {
        uint32_t npairs = (e->nargs - (e->has_else ? 1 : 0)) / 2;
        bool nullable = !e->has_else;
        for (uint32_t i = 0; i < npairs; i++) {
            expr *w = e->args[2 * i];
            if (!booly(w))
                diag_error(k->d, &w->at, "case condition must be bool, but has type %s", TS(w->type, a));
        }
        sql_type acc = type_of(TY_NULL);
        const expr *acc_e = NULL;
        for (uint32_t i = 0; i < e->nargs; i++) {
            bool is_then = i < 2 * npairs ? (i % 2 == 1) : true;
            if (!is_then)
                continue;
            expr *x = e->args[i];
            if (x->nullable)
                nullable = true;
            sql_type t;
            if (!type_unify(acc, acc_e, x->type, x, &t)) {
                diag_error(k->d, &x->at, "case branches mix %s and %s", TS(acc, a), TS(x->type, b));
                continue;
            }
            acc_e = acc.kind == TY_NULL ? x : NULL;
            acc = t;
        }
        e->type = acc;
        e->nullable = nullable;
        return;
    }
    case E_CAST: {
        expr *x = e->args[0];
        if (!type_castable(x->type, e->cast_to))
            diag_error(k->d, &e->at, "cannot cast %s to %s", TS(x->type, a), TS(e->cast_to, b));
        e->type = e->cast_to;
        e->nullable = x->nullable;
        return;
    }
    case E_CALL:
        type_call(k, e, sc);
        return;
    case E__COUNT:
        break;
    }
    set_type(e, TY_UNKNOWN, true);
}

/* Types e and checks it is a bool (a `where`, a check, a predicate). */
static void check_bool(ck *k, expr *e, const scope *sc, const char *what)
{
    if (!e)
        return;
    type_expr(k, e, sc);
    char a[48];
    if (!booly(e))
        diag_error(k->d, &e->at, "%s must be bool, but has type %s", what, TS(e->type, a));
}

/* Reports when the annotated e cannot be assigned to column col of type to.
 * what: "default", "value", "backfill value". */
static void check_assign(ck *k, const expr *e, sql_type to, const char *what, const char *col)
{
    if (!e || type_assignable(to, e))
        return;
    char a[48], b[48];
    TS(e->type, a);
    TS(to, b);
    if (expr_is_literal(e) && type_is_numeric(e->type.kind) && type_is_numeric(to.kind))
        diag_error(k->d, &e->at, "%s for column '%s' is out of range for type %s", what, col, b);
    else if (e->kind == E_STR && type_is_text(to.kind))
        diag_error(k->d, &e->at, "%s for column '%s' is longer than %s allows", what, col, b);
    else if (e->kind == E_STR && (to.kind == TY_UUID || to.kind == TY_DATE || to.kind == TY_TIME ||
                                  to.kind == TY_TIMESTAMP || to.kind == TY_TIMESTAMPTZ))
        diag_error(k->d, &e->at, "%s for column '%s' is not a valid %s literal; write %s", what, col, b,
                   to.kind == TY_UUID ? "8-4-4-4-12 hex digits" :
                   to.kind == TY_DATE ? "an ISO-8601 date, 'YYYY-MM-DD'" :
                   to.kind == TY_TIME ? "an ISO-8601 time, 'HH:MM[:SS[.fff]]'" :
                   "an ISO-8601 timestamp, 'YYYY-MM-DD HH:MM[:SS[.fff]]' with an optional zone");
    else if (type_castable(e->type, to) && (type_is_numeric(e->type.kind) && type_is_numeric(to.kind)))
        diag_error(k->d, &e->at, "%s for column '%s' has type %s, which does not fit %s without a cast; "
                   "write cast(... as %s)", what, col, a, b, b);
    else
        diag_error(k->d, &e->at, "%s for column '%s' has type %s, but the column is %s", what, col, a, b);
}

/* ---- names ------------------------------------------------------------------------ */

static cat_table *need_table(ck *k, const name *n)
{
    cat_table *t = catalog_table(k->c, n->s);
    if (!t)
        diag_error(k->d, &n->at, "table '%s' does not exist", n->s);
    return t;
}

/* The column n of t, or NULL after reporting it missing. */
static cat_column *need_column(ck *k, const cat_table *t, const name *n)
{
    cat_column *col = catalog_column(t, n->s);
    if (!col)
        diag_error(k->d, &n->at, "column '%s' does not exist in table '%s'", n->s, t->name);
    return col;
}

/* Reports that n, wanted for a new `kind` ("table", "index", "constraint"),
 * is taken in the relation namespace; returns whether it was. */
static bool relation_name_taken(ck *k, const name *n, const char *kind)
{
    const cat_table *t = catalog_table(k->c, n->s);
    if (t) {
        if (!strcmp(kind, "table"))
            diag_error(k->d, &n->at, "table '%s' already exists", n->s);
        else
            diag_error(k->d, &n->at, "%s name '%s' is already used by table '%s'", kind, n->s, n->s);
        note_previous(k, &t->at);
        return true;
    }
    const cat_index *ix = catalog_index(k->c, n->s);
    if (ix) {
        if (!strcmp(kind, "index"))
            diag_error(k->d, &n->at, "index '%s' already exists", n->s);
        else
            diag_error(k->d, &n->at, "%s name '%s' is already used by index '%s'", kind, n->s, n->s);
        note_previous(k, &ix->at);
        return true;
    }
    cat_constraint *con;
    const cat_table *ot = catalog_relcon_owner(k->c, n->s, &con);
    if (ot) {
        diag_error(k->d, &n->at, "%s name '%s' is already used by constraint '%s' of table '%s'",
                   kind, n->s, n->s, ot->name);
        note_previous(k, &con->at);
        return true;
    }
    return false;
}

/* Is s one of v[0..n)? */
static bool str_in(const char *s, const char **v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return true;
    return false;
}

/* Same column sets (order-insensitive)? */
static bool same_set(const char **a, uint32_t na, const char **b, uint32_t nb)
{
    if (na != nb)
        return false;
    for (uint32_t i = 0; i < na; i++)
        if (!str_in(a[i], b, nb))
            return false;
    return true;
}

/* The distinct tables whose foreign keys reference table tname (tname
 * itself when it references itself). */
static const cat_table **fk_owners(const catalog *c, const char *tname, uint32_t *n)
{
    uint32_t m;
    const char *const *names = catalog_referencing_tables(c, tname, &m);
    const cat_table **v = arena_alloc(c->a, (m ? m : 1) * sizeof *v);
    *n = 0;
    for (uint32_t i = 0; i < m; i++) {
        const cat_table *o = catalog_table(c, names[i]);
        bool dup = !o;
        for (uint32_t j = 0; j < *n && !dup; j++)
            dup = v[j] == o;
        if (!dup)
            v[(*n)++] = o;
    }
    return v;
}

/* The create_index indexes of table tname. */
static const cat_index **table_indexes(const catalog *c, const char *tname, uint32_t *n)
{
    uint32_t m;
    const char *const *names = catalog_table_index_names(c, tname, &m);
    const cat_index **v = arena_alloc(c->a, (m ? m : 1) * sizeof *v);
    *n = 0;
    for (uint32_t i = 0; i < m; i++) {
        const cat_index *ix = catalog_index(c, names[i]);
        if (ix)
            v[(*n)++] = ix;
    }
    return v;
}

/* The names of l as an array (never NULL). */
static const char **names_of(ck *k, const name_list *l)
{
    const char **v = arena_alloc(k->a, (l->n ? l->n : 1) * sizeof *v);
    for (uint32_t i = 0; i < l->n; i++)
        v[i] = l->items[i].s;
    return v;
}

/* Reports a column named twice in one list. */
static void check_distinct(ck *k, const name_list *l)
{
    for (uint32_t i = 0; i < l->n; i++)
        for (uint32_t j = 0; j < i; j++)
            if (!strcmp(l->items[i].s, l->items[j].s)) {
                diag_error(k->d, &l->items[i].at, "column '%s' is listed more than once", l->items[i].s);
                break;
            }
}

/* Do the columns of t form its primary key, a unique constraint, or a
 * plain unique index? */
static bool is_unique_key(const catalog *c, const cat_table *t, const char **cols, uint32_t n)
{
    for (uint32_t i = 0; i < t->ncons; i++) {
        const cat_constraint *u = t->cons[i];
        if ((u->kind == CON_PRIMARY_KEY || u->kind == CON_UNIQUE) && same_set(u->cols, u->ncols, cols, n))
            return true;
    }
    uint32_t nix;
    const cat_index **ixs = table_indexes(c, t->name, &nix);
    for (uint32_t i = 0; i < nix; i++) {
        const cat_index *ix = ixs[i];
        if (!ix->unique || ix->where || ix->nelems != n)
            continue;
        bool plain = true;
        for (uint32_t j = 0; j < ix->nelems; j++)
            if (ix->elems[j].e->kind != E_COLUMN)
                plain = false;
        if (plain && same_set(ix->cols, ix->ncols, cols, n))
            return true;
    }
    return false;
}

/* Checks a foreign key of table t (already in the catalog, so a
 * self-reference resolves). cols: its local columns (with locations). */
static void check_fk(ck *k, const cat_table *t, const constraint *con, const name_list *cols)
{
    for (uint32_t i = 0; i < cols->n; i++)
        if (!catalog_column(t, cols->items[i].s)) {
            need_column(k, t, &cols->items[i]);
            return;
        }
    const cat_table *rt = need_table(k, &con->ref_table);
    if (!rt)
        return;
    const char **rcols;
    uint32_t nr;
    const loc *rat = &con->ref_table.at;
    if (con->ref_cols.n) {
        for (uint32_t i = 0; i < con->ref_cols.n; i++)
            if (!catalog_column(rt, con->ref_cols.items[i].s)) {
                need_column(k, rt, &con->ref_cols.items[i]);
                return;
            }
        rcols = names_of(k, &con->ref_cols);
        nr = con->ref_cols.n;
        rat = &con->ref_cols.items[0].at;
    } else {
        const cat_constraint *pk = catalog_primary_key(rt);
        if (!pk) {
            diag_error(k->d, rat, "table '%s' has no primary key for the foreign key to reference; "
                       "name the referenced columns", rt->name);
            return;
        }
        rcols = pk->cols;
        nr = pk->ncols;
    }
    if (nr != cols->n) {
        diag_error(k->d, rat, "foreign key has %u column%s but references %u", (unsigned)cols->n,
                   cols->n == 1 ? "" : "s", (unsigned)nr);
        return;
    }
    for (uint32_t i = 0; i < nr; i++) {
        const cat_column *lc = catalog_column(t, cols->items[i].s);
        const cat_column *rc = catalog_column(rt, rcols[i]);
        if (lc && rc && lc->type.kind != rc->type.kind) {
            char a[48], b[48];
            diag_error(k->d, &cols->items[i].at,
                       "foreign key column '%s' has type %s, but the referenced column '%s.%s' is %s",
                       lc->name, TS(lc->type, a), rt->name, rc->name, TS(rc->type, b));
        }
    }
    if (!is_unique_key(k->c, rt, rcols, nr)) {
        strbuf b;
        sb_init(&b, k->a);
        for (uint32_t i = 0; i < nr; i++)
            sb_printf(&b, "%s%s", i ? ", " : "", rcols[i]);
        diag_error(k->d, rat, "the referenced columns %s(%s) are not a primary key or unique; "
                   "add_unique %s (%s) first", rt->name, sb_str(&b), rt->name, sb_str(&b));
    }
}

/* ---- data loss and notes ------------------------------------------------------------- */

static void destructive(ck *k, const stmt *s, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Warns about a statement that loses data, unless acknowledged or in a down. */
static void destructive(ck *k, const stmt *s, const char *fmt, ...)
{
    if (k->in_down || s->allow_data_loss)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(k->a, fmt, ap);
    va_end(ap);
    diag_warning(k->d, &s->at, "%s; add `allow data_loss` to confirm", msg);
}

/* ---- statements ------------------------------------------------------------------------ */

static void check_column_type(ck *k, const column_def *d)
{
    sql_type t = d->type;
    if (t.kind == TY_VARCHAR && t.p == 0)
        diag_error(k->d, &d->type_at, "varchar length must be at least 1");
    if (t.kind == TY_NUMERIC && t.p == 0)
        diag_error(k->d, &d->type_at, "numeric precision must be at least 1");
    if (t.kind == TY_NUMERIC && t.p > 1000)
        diag_error(k->d, &d->type_at, "numeric precision must be at most 1000");
    if (t.kind == TY_NUMERIC && t.p > 0 && t.s > t.p)
        diag_error(k->d, &d->type_at, "numeric scale %d is greater than its precision %d", (int)t.s, (int)t.p);
}

/* The column def's inline primary key, if any. */
static const constraint *inline_pk(const column_def *d)
{
    for (uint32_t j = 0; j < d->ncons; j++)
        if (d->cons[j]->kind == CON_PRIMARY_KEY)
            return d->cons[j];
    return NULL;
}

/* Checks what a column definition holds by itself (type, default,
 * identity); table_pk: the table-level primary key of a create_table
 * (NULL otherwise). Types the default. */
static void check_column_def(ck *k, const column_def *d, const constraint *table_pk)
{
    check_column_type(k, d);
    if (d->null_written && (d->not_null || inline_pk(d)))
        diag_error(k->d, &d->cname.at, "column '%s' is declared both null and not null", d->cname.s);
    if (d->dflt) {
        scope sc = {NULL, "a default", false};
        type_expr(k, d->dflt, &sc);
        check_assign(k, d->dflt, d->type, "default", d->cname.s);
    }
    if (d->identity) {
        bool single_pk = inline_pk(d) ||
                         (table_pk && table_pk->cols.n == 1 && !strcmp(table_pk->cols.items[0].s, d->cname.s));
        if (!single_pk)
            diag_error(k->d, &d->cname.at, "identity is allowed only on a single-column primary key; "
                       "'%s' is not one", d->cname.s);
        else if (!type_is_integer(d->type.kind)) {
            char a[48];
            diag_error(k->d, &d->type_at, "identity column '%s' must be smallint, int or bigint, not %s",
                       d->cname.s, TS(d->type, a));
        }
        if (d->dflt)
            diag_error(k->d, &d->dflt->at, "identity column '%s' cannot also have a default", d->cname.s);
    }
}

/* Explicit constraint names: PK/unique take a relation name; check and
 * foreign-key names must be unique on their table. Checks k against the
 * catalog and against the earlier constraints of the same statement. */
static void check_con_name(ck *k, const cat_table *t, const constraint *con,
                           constraint *const *earlier, uint32_t nearlier, const char *new_table)
{
    if (!con->cname.s)
        return;
    const name *n = &con->cname;
    for (uint32_t i = 0; i < nearlier; i++)
        if (earlier[i]->cname.s && !strcmp(earlier[i]->cname.s, n->s)) {
            diag_error(k->d, &n->at, "constraint '%s' is defined more than once", n->s);
            note_previous(k, &earlier[i]->cname.at);
            return;
        }
    if (con->kind == CON_PRIMARY_KEY || con->kind == CON_UNIQUE) {
        if (new_table && !strcmp(new_table, n->s)) {
            diag_error(k->d, &n->at, "constraint name '%s' is the name of its own table", n->s);
            return;
        }
        if (relation_name_taken(k, n, "constraint"))
            return;
    }
    const cat_constraint *old = catalog_constraint(t, n->s);
    if (old) {
        diag_error(k->d, &n->at, "constraint '%s' already exists on table '%s'", n->s, t->name);
        note_previous(k, &old->at);
    }
}

/* Columns named by a PK/unique constraint exist in t (and differ). */
static void check_key_cols(ck *k, const cat_table *t, const constraint *con)
{
    check_distinct(k, &con->cols);
    for (uint32_t i = 0; i < con->cols.n; i++)
        if (!catalog_column(t, con->cols.items[i].s))
            need_column(k, t, &con->cols.items[i]);
}

/* After the constraint con was added to t: its check and foreign key. */
static void check_con_body(ck *k, const cat_table *t, constraint *con, const column_def *on)
{
    if (con->kind == CON_CHECK) {
        scope sc = {t, NULL, false};
        check_bool(k, con->check, &sc, "a check constraint");
    } else if (con->kind == CON_FOREIGN_KEY) {
        name_list one = {NULL, 0};
        name colname;
        if (con->cols.n == 0 && on) {
            colname = on->cname;
            one.items = &colname;
            one.n = 1;
        }
        check_fk(k, t, con, con->cols.n ? &con->cols : &one);
    }
}

/* create_table: the name, each column, constraint names and columns;
 * then the table is applied and checks and foreign keys are checked
 * against it (so a table may reference itself). */
static void check_create_table(ck *k, const stmt *s)
{
    if (relation_name_taken(k, &s->table, "table"))
        return;
    const constraint *table_pk = NULL;
    const constraint *first_pk = NULL;
    ptr_vec all = {0}; /* every constraint, in order, for name checks */
    for (uint32_t i = 0; i < s->ncols; i++) {
        const column_def *d = s->cols[i];
        for (uint32_t j = 0; j < i; j++)
            if (!strcmp(s->cols[j]->cname.s, d->cname.s)) {
                diag_error(k->d, &d->cname.at, "column '%s' is defined more than once", d->cname.s);
                note_previous(k, &s->cols[j]->cname.at);
                break;
            }
    }
    for (uint32_t i = 0; i < s->ncons; i++)
        if (s->cons[i]->kind == CON_PRIMARY_KEY && !table_pk)
            table_pk = s->cons[i];
    for (uint32_t i = 0; i < s->ncols; i++) {
        const column_def *d = s->cols[i];
        check_column_def(k, d, table_pk);
        for (uint32_t j = 0; j < d->ncons; j++)
            vec_push(k->a, &all, d->cons[j]);
    }
    for (uint32_t i = 0; i < s->ncons; i++)
        vec_push(k->a, &all, s->cons[i]);
    /* A throwaway table with the new columns, for the column checks. */
    cat_table shape = {0};
    shape.name = s->table.s;
    cat_column *cols = arena_alloc(k->a, (s->ncols ? s->ncols : 1) * sizeof *cols);
    shape.cols = arena_alloc(k->a, (s->ncols ? s->ncols : 1) * sizeof *shape.cols);
    for (uint32_t i = 0; i < s->ncols; i++) {
        cols[i].name = s->cols[i]->cname.s;
        cols[i].type = s->cols[i]->type;
        shape.cols[i] = &cols[i];
    }
    shape.ncols = s->ncols;
    for (uint32_t i = 0; i < all.n; i++) {
        constraint *con = all.items[i];
        if (con->kind == CON_PRIMARY_KEY) {
            if (first_pk) {
                diag_error(k->d, &con->at, "table '%s' has more than one primary key", s->table.s);
                note_previous(k, &first_pk->at);
            } else {
                first_pk = con;
            }
        }
        check_con_name(k, &shape, con, (constraint *const *)all.items, i, s->table.s);
        if (con->kind != CON_CHECK && con->cols.n)
            check_key_cols(k, &shape, con);
    }
    catalog_apply(k->c, k->mig, s);
    const cat_table *t = catalog_table(k->c, s->table.s);
    if (!t)
        return;
    for (uint32_t i = 0; i < s->ncols; i++)
        for (uint32_t j = 0; j < s->cols[i]->ncons; j++)
            check_con_body(k, t, s->cols[i]->cons[j], s->cols[i]);
    for (uint32_t i = 0; i < s->ncons; i++)
        check_con_body(k, t, s->cons[i], NULL);
}

/* drop_table: refused while another table's foreign key references it. */
static void check_drop_table(ck *k, const stmt *s)
{
    const cat_table *t = need_table(k, &s->table);
    if (!t)
        return;
    bool refused = false;
    uint32_t nown;
    const cat_table **own = fk_owners(k->c, t->name, &nown);
    for (uint32_t i = 0; i < nown; i++) {
        const cat_table *o = own[i];
        if (o == t)
            continue;
        for (uint32_t j = 0; j < o->ncons; j++) {
            const cat_constraint *fk = o->cons[j];
            if (fk->kind == CON_FOREIGN_KEY && fk->ref_table && !strcmp(fk->ref_table, t->name)) {
                diag_error(k->d, &s->table.at, "cannot drop table '%s': foreign key '%s' of table '%s' "
                           "references it; drop that constraint first", t->name, fk->name, o->name);
                note_defined(k, &fk->at, "foreign key", fk->name);
                refused = true;
            }
        }
    }
    destructive(k, s, "drop_table deletes table '%s' and all its rows", t->name);
    if (!refused)
        catalog_apply(k->c, k->mig, s);
}

/* rename_table: the table exists and the new name is free. */
static void check_rename_table(ck *k, const stmt *s)
{
    if (!need_table(k, &s->table))
        return;
    if (relation_name_taken(k, &s->new_name, "table"))
        return;
    catalog_apply(k->c, k->mig, s);
}

/* add_column: the column is new; not null needs a default unless the
 * table cannot have rows yet. */
static void check_add_column(ck *k, const stmt *s)
{
    const cat_table *t = need_table(k, &s->table);
    const column_def *d = s->coldef;
    if (!t || !d)
        return;
    const cat_column *old = catalog_column(t, d->cname.s);
    if (old) {
        diag_error(k->d, &d->cname.at, "column '%s' already exists in table '%s'", d->cname.s, t->name);
        note_previous(k, &old->at);
        return;
    }
    check_column_def(k, d, NULL);
    const constraint *pk = inline_pk(d);
    if (pk && catalog_primary_key(t)) {
        diag_error(k->d, &pk->at, "table '%s' already has a primary key", t->name);
        note_previous(k, &catalog_primary_key(t)->at);
    }
    bool not_null = d->not_null || pk || d->identity;
    bool non_null_default = d->dflt && !d->dflt->nullable && d->dflt->type.kind != TY_NULL;
    if (!k->in_down && not_null && !non_null_default && !d->identity && may_have_rows(k, t))
        diag_error(k->d, &d->cname.at, "column '%s' is not null without a default, but table '%s' may "
                   "already have rows; add a default, or add it nullable, backfill it and then set not null",
                   d->cname.s, t->name);
    for (uint32_t j = 0; j < d->ncons; j++)
        check_con_name(k, t, d->cons[j], d->cons, j, NULL);
    catalog_apply(k->c, k->mig, s);
    t = catalog_table(k->c, s->table.s);
    for (uint32_t j = 0; j < d->ncons; j++)
        check_con_body(k, t, d->cons[j], d);
}

/* drop_column: refused while an index, a multi-column constraint or a
 * foreign key (of another column) uses the column. */
static void check_drop_column(ck *k, const stmt *s)
{
    const cat_table *t = need_table(k, &s->table);
    if (!t || !need_column(k, t, &s->column))
        return;
    const char *col = s->column.s;
    unsigned before = diag_errors(k->d);
    uint32_t nix;
    const cat_index **ixs = table_indexes(k->c, t->name, &nix);
    for (uint32_t i = 0; i < nix; i++) {
        const cat_index *ix = ixs[i];
        if (str_in(col, ix->cols, ix->ncols)) {
            diag_error(k->d, &s->column.at, "column '%s' is used by index '%s'; drop_index %s first",
                       col, ix->name, ix->name);
            note_defined(k, &ix->at, "index", ix->name);
        }
    }
    for (uint32_t i = 0; i < t->ncons; i++) {
        const cat_constraint *con = t->cons[i];
        if (!catalog_con_uses(con, col))
            continue;
        bool multi = con->kind == CON_CHECK ? check_single_column(con->check) == NULL : con->ncols > 1;
        if (multi) {
            diag_error(k->d, &s->column.at, "column '%s' is used by constraint '%s' together with other "
                       "columns; drop_constraint %s.%s first", col, con->name, t->name, con->name);
            note_defined(k, &con->at, "constraint", con->name);
        }
    }
    uint32_t nown;
    const cat_table **own = fk_owners(k->c, t->name, &nown);
    for (uint32_t i = 0; i < nown; i++) {
        const cat_table *o = own[i];
        for (uint32_t j = 0; j < o->ncons; j++) {
            const cat_constraint *fk = o->cons[j];
            if (fk->kind != CON_FOREIGN_KEY || !fk->ref_table || strcmp(fk->ref_table, t->name) ||
                !str_in(col, fk->ref_cols, fk->nref_cols))
                continue;
            if (o == t && str_in(col, fk->cols, fk->ncols))
                continue; /* references itself: goes with the column */
            diag_error(k->d, &s->column.at, "column '%s' is referenced by foreign key '%s' of table '%s'; "
                       "drop that constraint first", col, fk->name, o->name);
            note_defined(k, &fk->at, "foreign key", fk->name);
        }
    }
    bool refused = diag_errors(k->d) != before;
    destructive(k, s, "drop_column deletes column '%s.%s' and its data", t->name, col);
    if (!refused)
        catalog_apply(k->c, k->mig, s);
}

/* rename_column: the column exists and the new name is free. */
static void check_rename_column(ck *k, const stmt *s)
{
    const cat_table *t = need_table(k, &s->table);
    if (!t || !need_column(k, t, &s->column))
        return;
    const cat_column *old = catalog_column(t, s->new_name.s);
    if (old) {
        diag_error(k->d, &s->new_name.at, "column '%s' already exists in table '%s'", s->new_name.s, t->name);
        note_previous(k, &old->at);
        return;
    }
    catalog_apply(k->c, k->mig, s);
}

/* Is column col of t part of a foreign key, on either side? Returns the
 * first such constraint (and its table in *owner). */
static const cat_constraint *fk_touching(ck *k, const cat_table *t, const char *col, const cat_table **owner)
{
    for (uint32_t j = 0; j < t->ncons; j++) {
        const cat_constraint *fk = t->cons[j];
        if (fk->kind == CON_FOREIGN_KEY && str_in(col, fk->cols, fk->ncols)) {
            *owner = t;
            return fk;
        }
    }
    uint32_t nown;
    const cat_table **own = fk_owners(k->c, t->name, &nown);
    for (uint32_t i = 0; i < nown; i++) {
        const cat_table *o = own[i];
        for (uint32_t j = 0; j < o->ncons; j++) {
            const cat_constraint *fk = o->cons[j];
            if (fk->kind != CON_FOREIGN_KEY)
                continue;
            if ((o == t && str_in(col, fk->cols, fk->ncols)) ||
                (fk->ref_table && !strcmp(fk->ref_table, t->name) && str_in(col, fk->ref_cols, fk->nref_cols))) {
                *owner = o;
                return fk;
            }
        }
    }
    return NULL;
}

/* The alter_column forms: notes for what already holds, the NOT NULL
 * proof, default types, and type changes (widening, or using + data loss). */
static void check_alter_column(ck *k, const stmt *s)
{
    const cat_table *t = need_table(k, &s->table);
    if (!t)
        return;
    const cat_column *col = need_column(k, t, &s->column);
    if (!col)
        return;
    char a[48], b[48];
    const loc *at = &s->column.at;
    switch (s->kind) {
    case S_SET_NOT_NULL:
        if (col->not_null) {
            diag_note(k->d, at, "column '%s.%s' is already not null; this statement changes nothing",
                      t->name, col->name);
        } else if (!k->in_down && !col->proven_non_null && may_have_rows(k, t)) {
            diag_error(k->d, at, "cannot prove that column '%s.%s' holds no nulls; give it a non-null default "
                       "when adding it, or first backfill %s set %s = <value> where %s is null",
                       t->name, col->name, t->name, col->name, col->name);
            return; /* the database would refuse it too: the column stays nullable */
        }
        break;
    case S_DROP_NOT_NULL: {
        const cat_constraint *pk = catalog_primary_key(t);
        if (pk && str_in(col->name, pk->cols, pk->ncols))
            diag_error(k->d, at, "column '%s.%s' is part of the primary key '%s', which needs not null",
                       t->name, col->name, pk->name);
        else if (!col->not_null)
            diag_note(k->d, at, "column '%s.%s' is already nullable; this statement changes nothing",
                      t->name, col->name);
        break;
    }
    case S_SET_DEFAULT:
        if (s->value) {
            scope sc = {NULL, "a default", false};
            type_expr(k, s->value, &sc);
            check_assign(k, s->value, col->type, "default", col->name);
        }
        if (col->identity)
            diag_error(k->d, at, "column '%s.%s' is an identity column; it cannot have a default",
                       t->name, col->name);
        break;
    case S_DROP_DEFAULT:
        if (!col->dflt)
            diag_note(k->d, at, "column '%s.%s' has no default; this statement changes nothing",
                      t->name, col->name);
        break;
    case S_ALTER_TYPE: {
        sql_type to = s->type;
        column_def shape = {0};
        shape.type = to;
        shape.type_at = s->type_at;
        check_column_type(k, &shape);
        if (type_equal(col->type, to) && !s->value) {
            diag_note(k->d, &s->type_at, "column '%s.%s' already has type %s; this statement changes nothing",
                      t->name, col->name, TS(to, a));
            break;
        }
        bool lossless = type_alter_lossless(col->type, to);
        if (s->value) {
            scope sc = {t, NULL, false};
            type_expr(k, s->value, &sc);
            if (!type_assignable(to, s->value))
                diag_error(k->d, &s->value->at, "the using expression has type %s, but the new type is %s; "
                           "write cast(... as %s)", TS(s->value->type, a), TS(to, b), b);
        } else if (!lossless) {
            diag_error(k->d, &s->type_at, "changing column '%s.%s' from %s to %s may lose data; write "
                       "`using cast(%s as %s)` and `allow data_loss`", t->name, col->name,
                       TS(col->type, a), TS(to, b), col->name, b);
        }
        if (col->identity && !type_is_integer(to.kind))
            diag_error(k->d, &s->type_at, "identity column '%s.%s' must stay smallint, int or bigint",
                       t->name, col->name);
        const cat_table *owner = NULL;
        const cat_constraint *fk = type_equal(col->type, to) ? NULL : fk_touching(k, t, col->name, &owner);
        if (fk) {
            diag_error(k->d, &s->type_at, "column '%s.%s' is part of foreign key '%s' of table '%s', whose "
                       "column types must match; drop the constraint first", t->name, col->name,
                       fk->name, owner->name);
            note_defined(k, &fk->at, "foreign key", fk->name);
        }
        if (col->dflt && !type_assignable(to, col->dflt))
            diag_error(k->d, &s->type_at, "the default of column '%s.%s' has type %s, which does not fit %s; "
                       "drop or change the default first", t->name, col->name, TS(col->dflt->type, a),
                       TS(to, b));
        if (!lossless && s->value)
            destructive(k, s, "changing column '%s.%s' from %s to %s may lose data", t->name, col->name,
                        TS(col->type, a), TS(to, b));
        break;
    }
    default:
        break;
    }
    catalog_apply(k->c, k->mig, s);
}

/* create_index: the name is free, elements and predicate type-check
 * (immutable), PostgreSQL-only options get notes. */
static void check_create_index(ck *k, const stmt *s)
{
    bool taken = relation_name_taken(k, &s->index, "index");
    const cat_table *t = need_table(k, &s->table);
    if (!t)
        return;
    scope sc = {t, NULL, true};
    bool sqlite_built = diag_wants_dialect(k->d, MIGC_SQLITE);
    if (s->method.s && sqlite_built)
        diag_note(k->d, &s->method.at, "`using %s` is postgresql-only; the sqlite build ignores it",
                  s->method.s);
    for (uint32_t i = 0; i < s->nelems; i++) {
        type_expr(k, s->elems[i].e, &sc);
        if (s->elems[i].opclass.s && sqlite_built)
            diag_note(k->d, &s->elems[i].opclass.at, "operator class '%s' is postgresql-only; "
                      "the sqlite build ignores it", s->elems[i].opclass.s);
    }
    check_bool(k, s->where, &sc, "an index predicate");
    if (!taken)
        catalog_apply(k->c, k->mig, s);
}

/* A foreign key (other than of table t itself when t goes too) that needs
 * the unique key cols of table t. */
static const cat_constraint *fk_needing(ck *k, const cat_table *t, const char **cols, uint32_t n,
                                        const cat_table **owner)
{
    uint32_t nown;
    const cat_table **own = fk_owners(k->c, t->name, &nown);
    for (uint32_t i = 0; i < nown; i++) {
        const cat_table *o = own[i];
        for (uint32_t j = 0; j < o->ncons; j++) {
            const cat_constraint *fk = o->cons[j];
            if (fk->kind == CON_FOREIGN_KEY && fk->ref_table && !strcmp(fk->ref_table, t->name) &&
                same_set(fk->ref_cols, fk->nref_cols, cols, n)) {
                *owner = o;
                return fk;
            }
        }
    }
    return NULL;
}

/* Would dropping the unique key cols of t (a constraint or an index) leave a
 * foreign key without its unique key? Counts the other keys over the same
 * columns. */
static bool check_key_still_needed(ck *k, const cat_table *t, const char **cols, uint32_t n,
                                   const char *what, const loc *at)
{
    const cat_table *owner = NULL;
    const cat_constraint *fk = fk_needing(k, t, cols, n, &owner);
    if (!fk)
        return false;
    unsigned keys = 0;
    for (uint32_t i = 0; i < t->ncons; i++)
        if ((t->cons[i]->kind == CON_PRIMARY_KEY || t->cons[i]->kind == CON_UNIQUE) &&
            same_set(t->cons[i]->cols, t->cons[i]->ncols, cols, n))
            keys++;
    uint32_t nix;
    const cat_index **ixs = table_indexes(k->c, t->name, &nix);
    for (uint32_t i = 0; i < nix; i++) {
        const cat_index *ix = ixs[i];
        if (ix->unique && !ix->where && same_set(ix->cols, ix->ncols, cols, n))
            keys++;
    }
    if (keys > 1)
        return false;
    diag_error(k->d, at, "%s is needed by foreign key '%s' of table '%s'; drop that constraint first",
               what, fk->name, owner->name);
    note_defined(k, &fk->at, "foreign key", fk->name);
    return true;
}

/* drop_index: a create_index index that no foreign key needs. */
static void check_drop_index(ck *k, const stmt *s)
{
    const cat_index *ix = catalog_index(k->c, s->index.s);
    if (!ix) {
        cat_constraint *con;
        const cat_table *ot = catalog_relcon_owner(k->c, s->index.s, &con);
        if (ot)
            diag_error(k->d, &s->index.at, "'%s' is the index of constraint '%s' of table '%s'; "
                       "use drop_constraint %s.%s", s->index.s, con->name, ot->name, ot->name, con->name);
        else
            diag_error(k->d, &s->index.at, "index '%s' does not exist", s->index.s);
        return;
    }
    const cat_table *t = catalog_table(k->c, ix->table);
    if (t && ix->unique && !ix->where) {
        char *what = arena_printf(k->a, "unique index '%s'", ix->name);
        if (check_key_still_needed(k, t, ix->cols, ix->ncols, what, &s->index.at))
            return;
    }
    catalog_apply(k->c, k->mig, s);
}

/* add_foreign_key, add_unique, add_check, alter_table primary key. */
static void check_add_constraint(ck *k, const stmt *s)
{
    const cat_table *t = need_table(k, &s->table);
    constraint *con = s->con;
    if (!t || !con)
        return;
    check_con_name(k, t, con, NULL, 0, NULL);
    if (con->kind == CON_PRIMARY_KEY || con->kind == CON_UNIQUE) {
        check_key_cols(k, t, con);
    }
    if (s->kind == S_SET_PRIMARY_KEY) {
        const cat_constraint *old = catalog_primary_key(t);
        if (old) {
            char *what = arena_printf(k->a, "the primary key '%s'", old->name);
            if (!same_set(old->cols, old->ncols, names_of(k, &con->cols), con->cols.n))
                (void)check_key_still_needed(k, t, old->cols, old->ncols, what, &s->at);
        }
    }
    catalog_apply(k->c, k->mig, s);
    t = catalog_table(k->c, s->table.s);
    if (t)
        check_con_body(k, t, con, NULL);
}

/* drop_constraint: exists, and no foreign key needs it. */
static void check_drop_constraint(ck *k, const stmt *s)
{
    const cat_table *t = need_table(k, &s->table);
    if (!t)
        return;
    const cat_constraint *con = catalog_constraint(t, s->cname.s);
    if (!con) {
        diag_error(k->d, &s->cname.at, "constraint '%s' does not exist on table '%s'", s->cname.s, t->name);
        return;
    }
    if (con->kind == CON_UNIQUE || con->kind == CON_PRIMARY_KEY) {
        char *what = arena_printf(k->a, "%s '%s'", con->kind == CON_UNIQUE ? "unique constraint"
                                                                            : "primary key", con->name);
        if (check_key_still_needed(k, t, con->cols, con->ncols, what, &s->cname.at))
            return;
    }
    catalog_apply(k->c, k->mig, s);
}

/* backfill: columns, assignment types, where, and batch needs a key. */
static void check_backfill(ck *k, const stmt *s)
{
    const cat_table *t = need_table(k, &s->table);
    if (!t)
        return;
    scope sc = {t, NULL, false};
    const cat_constraint *pk = catalog_primary_key(t);
    for (uint32_t i = 0; i < s->nsets; i++) {
        const assignment *as = &s->sets[i];
        for (uint32_t j = 0; j < i; j++)
            if (!strcmp(s->sets[j].col.s, as->col.s)) {
                diag_error(k->d, &as->col.at, "column '%s' is assigned more than once", as->col.s);
                break;
            }
        const cat_column *col = need_column(k, t, &as->col);
        type_expr(k, as->value, &sc);
        if (!col)
            continue;
        check_assign(k, as->value, col->type, "backfill value", col->name);
        if (col->not_null && as->value && as->value->type.kind == TY_NULL)
            diag_error(k->d, &as->value->at, "column '%s.%s' is not null; it cannot be set to null",
                       t->name, col->name);
        if (s->batch && pk && str_in(col->name, pk->cols, pk->ncols))
            diag_error(k->d, &as->col.at, "a batched backfill pages through the primary key, so it "
                       "cannot assign primary-key column '%s'", col->name);
    }
    check_bool(k, s->where, &sc, "the where condition");
    if (s->batch && !pk)
        diag_error(k->d, s->batch_at.src ? &s->batch_at : &s->at,
                   "a batched backfill needs a primary key to page through, and table '%s' has none; "
                   "add one or drop `batch`", t->name);
    catalog_apply(k->c, k->mig, s);
}

/* insert: columns, value counts and types, NOT NULL columns covered. */
static void check_insert(ck *k, const stmt *s)
{
    const cat_table *t = need_table(k, &s->table);
    if (!t)
        return;
    check_distinct(k, &s->insert_cols);
    const cat_column **cols = arena_alloc(k->a, (s->insert_cols.n ? s->insert_cols.n : 1) * sizeof *cols);
    for (uint32_t i = 0; i < s->insert_cols.n; i++)
        cols[i] = need_column(k, t, &s->insert_cols.items[i]);
    for (uint32_t ci = 0; ci < t->ncols; ci++) {
        const cat_column *col = t->cols[ci];
        bool given = false;
        for (uint32_t i = 0; i < s->insert_cols.n; i++)
            if (!strcmp(s->insert_cols.items[i].s, col->name))
                given = true;
        if (!given && col->not_null && !col->dflt && !col->identity)
            diag_error(k->d, &s->table.at, "column '%s.%s' is not null and has no default; "
                       "give it a value in the insert", t->name, col->name);
    }
    scope sc = {NULL, "inserted values", false};
    for (uint32_t r = 0; r < s->nrows; r++) {
        uint32_t n = s->row_lens ? s->row_lens[r] : s->insert_cols.n;
        if (n != s->insert_cols.n) {
            const loc *at = (n && s->rows[r][0]) ? &s->rows[r][0]->at : &s->at;
            diag_error(k->d, at, "row %u has %u value%s, but %u column%s listed", (unsigned)r + 1,
                       (unsigned)n, n == 1 ? "" : "s", (unsigned)s->insert_cols.n,
                       s->insert_cols.n == 1 ? " is" : "s are");
        }
        for (uint32_t i = 0; i < n; i++) {
            expr *v = s->rows[r][i];
            type_expr(k, v, &sc);
            if (i >= s->insert_cols.n || !cols[i] || !v)
                continue;
            check_assign(k, v, cols[i]->type, "value", cols[i]->name);
            if (cols[i]->not_null && v->type.kind == TY_NULL)
                diag_error(k->d, &v->at, "column '%s.%s' is not null; it cannot take null", t->name,
                           cols[i]->name);
        }
    }
    catalog_apply(k->c, k->mig, s);
}

/* delete: where is bool; loses data. */
static void check_delete(ck *k, const stmt *s)
{
    const cat_table *t = need_table(k, &s->table);
    if (!t)
        return;
    scope sc = {t, NULL, false};
    check_bool(k, s->where, &sc, "the where condition");
    destructive(k, s, s->where ? "delete removes rows from table '%s'" : "delete without where removes "
                "every row of table '%s'", t->name);
    catalog_apply(k->c, k->mig, s);
}

/* sql: notes for managed tables it names; needs a down somewhere. */
static void check_raw_sql(ck *k, const stmt *s)
{
    uint32_t nt;
    const cat_table **ts = catalog_tables_in_sql(k->c, s->sql, &nt);
    /* a block for one dialect concerns only that dialect's build */
    if ((s->dialect == RAW_POSTGRES && !diag_wants_dialect(k->d, MIGC_POSTGRES)) ||
        (s->dialect == RAW_SQLITE && !diag_wants_dialect(k->d, MIGC_SQLITE)))
        nt = 0;
    for (uint32_t i = 0; i < nt; i++) {
        const cat_table *t = ts[i];
        diag_note(k->d, &s->at, "raw sql names table '%s'; the checker cannot see what it does, so "
                      "keep the table's declared shape in step by hand", t->name);
    }
    if (!k->in_down && !s->has_raw_down && !k->mig->has_down && !k->mig->irreversible)
        diag_error(k->d, &s->at, "raw sql has no down; add `down \"\"\"...\"\"\"` (empty when there is "
                   "nothing to undo), give the migration a `down { }` block, or mark it `irreversible`");
    catalog_apply(k->c, k->mig, s);
}

/* Checks one statement and moves k->c past it. */
static void check_stmt(ck *k, const stmt *s)
{
    switch (s->kind) {
    case S_CREATE_TABLE: check_create_table(k, s); break;
    case S_DROP_TABLE: check_drop_table(k, s); break;
    case S_RENAME_TABLE: check_rename_table(k, s); break;
    case S_ADD_COLUMN: check_add_column(k, s); break;
    case S_DROP_COLUMN: check_drop_column(k, s); break;
    case S_RENAME_COLUMN: check_rename_column(k, s); break;
    case S_SET_NOT_NULL:
    case S_DROP_NOT_NULL:
    case S_SET_DEFAULT:
    case S_DROP_DEFAULT:
    case S_ALTER_TYPE: check_alter_column(k, s); break;
    case S_CREATE_INDEX: check_create_index(k, s); break;
    case S_DROP_INDEX: check_drop_index(k, s); break;
    case S_ADD_FOREIGN_KEY:
    case S_ADD_UNIQUE:
    case S_ADD_CHECK:
    case S_SET_PRIMARY_KEY: check_add_constraint(k, s); break;
    case S_DROP_CONSTRAINT: check_drop_constraint(k, s); break;
    case S_BACKFILL: check_backfill(k, s); break;
    case S_INSERT: check_insert(k, s); break;
    case S_DELETE: check_delete(k, s); break;
    case S_RAW_SQL: check_raw_sql(k, s); break;
    case S__COUNT: break;
    }
}

/* Replays h; records after[i] when snapshots is set. */
static checked_history *check_all(arena *a, diag_ctx *d, const history *h, bool snapshots)
{
    checked_history *ch = arena_alloc(a, sizeof *ch);
    ch->h = h;
    if (snapshots)
        ch->after = arena_alloc(a, (h->n ? h->n : 1) * sizeof *ch->after);
    catalog *c = catalog_new(a);
    for (uint32_t i = 0; i < h->n; i++) {
        const migration *mig = h->migs[i];
        ck k = {a, d, c, mig, false};
        for (uint32_t j = 0; j < mig->nstmts; j++)
            check_stmt(&k, mig->stmts[j]);
        if (mig->has_down && mig->ndown) {
            /* The down is checked on a scratch copy: its name maps and
             * changes are freed with it, so a history of downs stays linear
             * in memory. */
            arena *scratch = arena_new();
            ck kd = {a, d, catalog_copy_in(c, scratch), mig, true};
            for (uint32_t j = 0; j < mig->ndown; j++)
                check_stmt(&kd, mig->down[j]);
            arena_free(scratch);
        }
        if (snapshots)
            ch->after[i] = catalog_copy(c);
    }
    ch->head = c;
    return ch;
}

/* See checker.h. */
checked_history *check_history(arena *a, diag_ctx *d, const history *h)
{
    return check_all(a, d, h, false);
}

checked_history *check_history_snapshots(arena *a, diag_ctx *d, const history *h)
{
    return check_all(a, d, h, true);
}
