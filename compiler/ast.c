/* ast.c: names of the AST's enumerations and the constructors the parser's
 * actions use (see ast.h). Everything is allocated in the arena; nothing
 * here can fail (arena_alloc exits on out-of-memory). */
#include "ast.h"

#include <string.h>

/* Returns the migc spelling of a type ("?" for out-of-range values). */
const char *type_kind_name(type_kind k)
{
    static const char *const names[] = {
        [TY_UNKNOWN] = "unknown", [TY_NULL] = "null",
#define X(e, s) [TY_##e] = s,
        MIGC_TYPES(X)
#undef X
    };
    return (unsigned)k < TY__COUNT ? names[k] : "?";
}

/* Returns the statement's name as written ("alter_column type" for forms). */
const char *stmt_kind_name(stmt_kind k)
{
    static const char *const names[] = {
#define X(e, s) [S_##e] = s,
        MIGC_STMT_KINDS(X)
#undef X
    };
    return (unsigned)k < S__COUNT ? names[k] : "?";
}

/* Returns the function's name as written. */
const char *func_name(func_kind f)
{
    static const char *const names[] = {
#define X(e, s) [FN_##e] = s,
        MIGC_FUNCS(X)
#undef X
    };
    return (unsigned)f < FN__COUNT ? names[f] : "?";
}

/* Returns the operator's spelling. */
const char *op_name(op_kind o)
{
    static const char *const names[] = {
#define X(e, s) [OP_##e] = s,
        MIGC_BINOPS(X)
#undef X
    };
    return (unsigned)o < OP__COUNT ? names[o] : "?";
}

/* Returns a new leaf expression of kind at l (depth 1). */
expr *ast_expr(arena *a, expr_kind kind, loc at)
{
    expr *e = arena_alloc(a, sizeof *e);
    e->kind = kind;
    e->at = at;
    e->depth = 1;
    e->type.p = e->type.s = -1;
    e->cast_to.p = e->cast_to.s = -1;
    return e;
}

/* Appends arg to e's arguments (doubling the array at powers of two) and
 * raises e's depth above arg's. Returns e. */
expr *ast_expr_add_arg(arena *a, expr *e, expr *arg)
{
    uint32_t n = e->nargs;
    if ((n & (n - 1)) == 0) { /* 0, 1, 2, 4, 8…: full */
        uint32_t cap = n ? n * 2 : 1;
        expr **args = arena_alloc(a, cap * sizeof *args);
        if (n)
            memcpy(args, e->args, n * sizeof *args);
        e->args = args;
    }
    e->args[e->nargs++] = arg;
    if (arg && arg->depth + 1 > e->depth)
        e->depth = arg->depth + 1;
    return e;
}

/* Returns a new statement of kind at l, every optional part absent. */
stmt *ast_stmt(arena *a, stmt_kind kind, loc at)
{
    stmt *s = arena_alloc(a, sizeof *s);
    s->kind = kind;
    s->at = at;
    s->type.p = s->type.s = -1;
    return s;
}

/* Returns a column definition without attributes. */
column_def *ast_column(arena *a, name n, sql_type t, loc type_at)
{
    column_def *c = arena_alloc(a, sizeof *c);
    c->cname = n;
    c->type = t;
    c->type_at = type_at;
    return c;
}

/* Returns an unnamed constraint of kind at l. */
constraint *ast_constraint(arena *a, constraint_kind kind, loc at)
{
    constraint *c = arena_alloc(a, sizeof *c);
    c->kind = kind;
    c->at = at;
    return c;
}
