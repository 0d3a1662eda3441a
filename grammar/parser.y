/* parser.y: the grammar of a migration file (DESIGN §1).
 *
 * A pure, reentrant LALR(1) parser with locations, no conflicts (%expect 0)
 * and one parameter: the file's parse_ctx (parse_internal.h), which also
 * holds the scanner. Actions build the AST of ast.h in the compilation's
 * arena through the ast_* constructors, so error recovery has nothing to
 * free (hence no %destructor: arena ownership covers every semantic value).
 *
 * Error recovery: a syntax error abandons the statement it is in and the
 * parser resynchronises at the next statement keyword, `;`, `down` or
 * `irreversible` (rules `item: error`, `down_item: error`), so every
 * statement with a problem is reported in one run.
 *
 * Keywords: the reserved words of DESIGN §1 are never names; every other
 * keyword is a name wherever the grammar expects one (rule `name`).
 *
 * Depth: expression trees deeper than MIGC_MAX_EXPR_DEPTH and parser stacks
 * deeper than MIGC_MAX_PARSE_STACK are reported as "expressions nested too
 * deeply" at the offending token, long before bison's own limit. */

%code requires {
#include "parse_internal.h"

/* Index options (`unique`, `using`, `where`, `concurrently`), each once. */
typedef struct idx_opts {
    bool unique, concurrently;
    loc unique_at, concurrently_at, method_at, where_at;
    name method;
    expr *where;
} idx_opts;

/* Backfill options (`where`, `batch`), each once. */
typedef struct bf_opts {
    expr *where;
    loc where_at;
    int64_t batch;
    loc batch_at;
} bf_opts;

/* Foreign key actions, each once, and the constraint's name, which may
 * come before, between or after them. */
typedef struct fk_acts {
    fk_action on_delete, on_update;
    bool has_delete, has_update;
    loc delete_at, update_at;   /* of each `on` */
    name cname;
} fk_acts;

/* A growable list of names (name_list with a power-of-two capacity). */
typedef struct name_vec {
    name_list l;
} name_vec;
}

%define api.pure full
%define api.location.type {loc}
%define parse.error custom
%define parse.lac full
%locations
%param {parse_ctx *ctx}
%expect 0

%code {
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int migc_yylex(YYSTYPE *lval, YYLTYPE *lloc, void *scanner);

/* bison's own error hook, used only for "memory exhausted" (the stack
 * bound of lex() keeps that from happening). */
static void yyerror(const YYLTYPE *l, parse_ctx *ctx, const char *msg)
{
    parse_error(ctx, l, "%s", msg);
}

/* A location spanning from the first to the last symbol of a rule. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                         \
    do {                                                                    \
        if (N) {                                                            \
            (Cur) = YYRHSLOC(Rhs, 1);                                       \
            uint32_t end_ = YYRHSLOC(Rhs, N).off + YYRHSLOC(Rhs, N).len;   \
            (Cur).len = end_ > (Cur).off ? end_ - (Cur).off : 0;            \
        } else {                                                            \
            (Cur) = YYRHSLOC(Rhs, 0);                                       \
            (Cur).off += (Cur).len;                                         \
            (Cur).len = 0;                                                  \
        }                                                                   \
    } while (0)

/* One token of lookahead kept by lex() to tell `not in|between|like` (the
 * infix negations, token K_NOT_LA) from the prefix `not`. */
typedef struct lookahead {
    bool has;
    int tok;
    YYSTYPE val;
    YYLTYPE at;
} lookahead;

/* True for the keywords that start a statement or a migration-level item:
 * where error recovery resynchronises. */
static bool starts_item(int t)
{
    switch (t) {
    case K_CREATE_TABLE: case K_DROP_TABLE: case K_RENAME_TABLE: case K_ADD_COLUMN:
    case K_DROP_COLUMN: case K_RENAME_COLUMN: case K_ALTER_COLUMN: case K_CREATE_INDEX:
    case K_DROP_INDEX: case K_ADD_FOREIGN_KEY: case K_ADD_UNIQUE: case K_ADD_CHECK:
    case K_DROP_CONSTRAINT: case K_ALTER_TABLE: case K_BACKFILL: case K_INSERT: case K_DELETE:
    case K_SQL: case K_DOWN: case K_IRREVERSIBLE:
        return true;
    default:
        return false;
    }
}

/* The token source of the parser: the scanner plus the `not` lookahead and
 * the parser-stack bound. depth is the number of states on bison's stack;
 * beyond MIGC_MAX_PARSE_STACK the token is reported and replaced by
 * K_TOO_DEEP, which no rule accepts, so the statement is abandoned.
 * *errstatus is bison's error-recovery countdown: a statement keyword ends
 * recovery at once, so the next statement's first error is reported even
 * when it comes within three tokens of the previous one. */
static int lex(YYSTYPE *v, YYLTYPE *l, parse_ctx *ctx, size_t depth, int *errstatus)
{
    lookahead *la = ctx->la;
    int t;
    if (la->has) {
        la->has = false;
        *v = la->val;
        *l = la->at;
        t = la->tok;
    } else {
        t = migc_yylex(v, l, ctx->scanner);
    }
    if (depth > MIGC_MAX_PARSE_STACK && t != YYEOF) {
        parse_error(ctx, l, "expressions nested too deeply (the limit is %d levels)",
                    MIGC_MAX_EXPR_DEPTH);
        return K_TOO_DEEP;
    }
    /* A statement keyword ends error recovery, and so does the token after
     * one: the keyword may itself have been the token that failed, then
     * shifted by recovery as the start of a new statement. */
    if (*errstatus && (starts_item(t) || ctx->prev_starts_item))
        *errstatus = 0;
    ctx->prev_starts_item = starts_item(t);
    if (t == '(' || t == '{') {
        if (ctx->nopen < sizeof ctx->opens / sizeof ctx->opens[0])
            ctx->opens[ctx->nopen] = *l;
        ctx->nopen++;
    } else if ((t == ')' || t == '}') && ctx->nopen > 0) {
        ctx->nopen--;
    }
    if (t == K_NOT) {
        la->tok = migc_yylex(&la->val, &la->at, ctx->scanner);
        la->has = true;
        if (la->tok == K_IN || la->tok == K_BETWEEN || la->tok == K_LIKE)
            t = K_NOT_LA;
    }
    return t;
}
/* yacc.c calls yylex() inside yyparse(), where yyss/yyssp delimit the state
 * stack and yyerrstatus counts down error recovery: that is how lex() sees
 * them (bison's yacc.c skeleton has used these names since 1.x). */
#define yylex(v, l, c) lex((v), (l), (c), (size_t)(yyssp - yyss), &yyerrstatus)

/* Appends x to the array *arr of *n elements of size sz (capacity: the next
 * power of two, so growth is amortised). */
static void grow_push(arena *a, void **arr, uint32_t *n, size_t sz, const void *x)
{
    if ((*n & (*n - 1)) == 0) { /* n is 0 or a power of two: full */
        size_t cap = *n ? (size_t)*n * 2 : 4;
        void *bigger = arena_alloc(a, cap * sz);
        if (*n)
            memcpy(bigger, *arr, (size_t)*n * sz);
        *arr = bigger;
    }
    memcpy((char *)*arr + (size_t)*n * sz, x, sz);
    (*n)++;
}
#define PUSH(a, arr, n, x) grow_push((a), (void **)&(arr), &(n), sizeof *(arr), &(x))

/* Returns e after checking its depth; reports and returns NULL when it is
 * deeper than MIGC_MAX_EXPR_DEPTH (the action then abandons the statement). */
static expr *depth_ok(parse_ctx *ctx, expr *e)
{
    if (e->depth > MIGC_MAX_EXPR_DEPTH) {
        parse_error(ctx, &e->at, "expressions nested too deeply (the limit is %d levels)",
                    MIGC_MAX_EXPR_DEPTH);
        return NULL;
    }
    return e;
}
#define CHECKED(x) do { if (!((x) = depth_ok(ctx, (x)))) YYERROR; } while (0)

/* Builds kind(op) over a and b (b may be NULL), located at `at`. */
static expr *op_expr(parse_ctx *ctx, expr_kind kind, op_kind op, loc at, expr *a, expr *b)
{
    expr *e = ast_expr(ctx->a, kind, at);
    e->op = op;
    ast_expr_add_arg(ctx->a, e, a);
    if (b)
        ast_expr_add_arg(ctx->a, e, b);
    return e;
}

/* A literal with the text as written (or its value for strings). */
static expr *lit_expr(parse_ctx *ctx, expr_kind kind, loc at, const char *text)
{
    expr *e = ast_expr(ctx->a, kind, at);
    e->text = text;
    return e;
}

/* Adds every element of list (a ptr_vec of expr*) to e as arguments. */
static void add_args(parse_ctx *ctx, expr *e, ptr_vec *list)
{
    for (size_t i = 0; list && i < list->n; i++)
        ast_expr_add_arg(ctx->a, e, list->items[i]);
}

static ptr_vec *vec1(parse_ctx *ctx, void *x)
{
    ptr_vec *v = arena_alloc(ctx->a, sizeof *v);
    vec_push(ctx->a, v, x);
    return v;
}

/* A call of one of the typed functions; an unknown function is reported
 * and becomes a null literal so that checking can go on. */
static expr *call_expr(parse_ctx *ctx, name fn, ptr_vec *args)
{
    static const char *const names[] = {
#define X(e, s) s,
        MIGC_FUNCS(X)
#undef X
    };
    for (int f = 0; f < FN__COUNT; f++) {
        if (!strcmp(fn.s, names[f])) {
            expr *e = ast_expr(ctx->a, E_CALL, fn.at);
            e->fn = (func_kind)f;
            add_args(ctx, e, args);
            return e;
        }
    }
    parse_error(ctx, &fn.at,
                "unknown function '%s' (the functions are now, gen_random_uuid, lower, upper, "
                "trim, length, substr, replace, coalesce, nullif, abs and round)", fn.s);
    expr *e = ast_expr(ctx->a, E_NULL, fn.at);
    add_args(ctx, e, args);
    return e;
}

/* Parses the decimal integer s for a type argument or a batch size; reports
 * and returns -1 when it is not in [lo, hi]. */
static int64_t int_arg(parse_ctx *ctx, const char *s, const loc *at, int64_t lo, int64_t hi,
                       const char *what)
{
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < (unsigned long long)lo || v > (unsigned long long)hi) {
        parse_error(ctx, at, "%s must be between %" PRId64 " and %" PRId64, what, lo, hi);
        return -1;
    }
    return (int64_t)v;
}

/* The closed set of types, with hints for the spellings of other systems. */
static sql_type make_type(parse_ctx *ctx, name n, const loc *at, const char *p, const loc *p_at,
                          const char *s, const loc *s_at)
{
    static const char *const names[] = {
#define X(e, str) str,
        MIGC_TYPES(X)
#undef X
    };
    static const struct { const char *alias, *type; } hints[] = {
        {"integer", "int"}, {"int4", "int"}, {"int8", "bigint"}, {"int2", "smallint"},
        {"boolean", "bool"}, {"float8", "double"}, {"float4", "real"}, {"float", "double"},
        {"bytea", "bytes"}, {"blob", "bytes"}, {"jsonb", "json"}, {"decimal", "numeric"},
        {"string", "text"}, {"datetime", "timestamp"}, {"serial", "int identity"},
        {"bigserial", "bigint identity"}, {"character", "varchar(n)"}, {"char", "varchar(n)"},
    };
    sql_type t = {TY_UNKNOWN, -1, -1};
    if (n.quoted) {
        parse_error(ctx, at, "type names are written without double quotes");
        return t;
    }
    for (int k = 0; k < TY__COUNT - TY_BOOL; k++)
        if (!n.quoted && !strcmp(n.s, names[k]))
            t.kind = (type_kind)(TY_BOOL + k);
    if (t.kind == TY_UNKNOWN) {
        for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
            if (!n.quoted && !strcmp(n.s, hints[i].alias)) {
                parse_error(ctx, at, "unknown type '%s' (did you mean '%s'?)", n.s, hints[i].type);
                return t;
            }
        }
        parse_error(ctx, at, "unknown type '%s' (the types are bool, smallint, int, bigint, real, "
                    "double, numeric(p,s), text, varchar(n), bytes, date, time, timestamp, "
                    "timestamptz, uuid and json)", n.s);
        return t;
    }
    if (t.kind == TY_VARCHAR) {
        if (!p) {
            parse_error(ctx, at, "varchar needs a length: varchar(n)");
        } else if (s) {
            parse_error(ctx, s_at, "varchar takes one argument, its length");
        } else {
            t.p = (int32_t)int_arg(ctx, p, p_at, 1, 10485760, "the length of varchar");
        }
    } else if (t.kind == TY_NUMERIC) {
        if (p)
            t.p = (int32_t)int_arg(ctx, p, p_at, 1, 1000, "the precision of numeric");
        if (s) {
            t.s = (int32_t)int_arg(ctx, s, s_at, 0, t.p > 0 ? t.p : 1000,
                                   "the scale of numeric (at most its precision)");
        }
    } else if (p) {
        parse_error(ctx, p_at, "type '%s' takes no arguments", names[t.kind - TY_BOOL]);
    }
    return t;
}

/* Appends a statement to the migration's up list or its down block. */
static void add_stmt(parse_ctx *ctx, stmt *s)
{
    vec_push(ctx->a, ctx->in_down ? &ctx->down : &ctx->stmts, s);
}

/* `down {` opens the migration's explicit down block (at most one). */
static void begin_down(parse_ctx *ctx, loc at)
{
    migration *m = ctx->mig;
    if (m->has_down) {
        parse_error(ctx, &at, "a migration has at most one down { } block");
        diag_note(ctx->d, &m->down_at, "the first down { } block is here");
    } else if (m->irreversible) {
        parse_error(ctx, &at, "a migration marked irreversible cannot have a down { } block");
        diag_note(ctx->d, &m->irreversible_at, "it is marked irreversible here");
    } else {
        m->has_down = true;
        m->down_at = at;
    }
    ctx->in_down = true;
}

/* `irreversible` marks the migration as having no down. */
static void set_irreversible(parse_ctx *ctx, loc at)
{
    migration *m = ctx->mig;
    if (m->irreversible) {
        parse_error(ctx, &at, "'irreversible' is written twice");
        diag_note(ctx->d, &m->irreversible_at, "the first one is here");
    } else if (m->has_down) {
        parse_error(ctx, &at, "a migration with a down { } block cannot be irreversible");
        diag_note(ctx->d, &m->down_at, "the down { } block is here");
    } else {
        m->irreversible = true;
        m->irreversible_at = at;
    }
}

/* Reports an option of a statement that was written twice. */
static void twice(parse_ctx *ctx, const loc *at, const char *what)
{
    parse_error(ctx, at, "'%s' is given twice", what);
}

/* Combines the index options written before and after the column list. */
static idx_opts merge_idx(parse_ctx *ctx, idx_opts a, idx_opts b)
{
    if (b.unique) {
        if (a.unique)
            twice(ctx, &b.unique_at, "unique");
        a.unique = true;
        a.unique_at = b.unique_at;
    }
    if (b.concurrently) {
        if (a.concurrently)
            twice(ctx, &b.concurrently_at, "concurrently");
        a.concurrently = true;
        a.concurrently_at = b.concurrently_at;
    }
    if (b.method.s) {
        if (a.method.s)
            twice(ctx, &b.method_at, "using");
        a.method = b.method;
        a.method_at = b.method_at;
    }
    if (b.where) {
        a.where = b.where;
        a.where_at = b.where_at;
    }
    return a;
}

/* Sets the inline constraints of a column to that column and applies what
 * they imply (an inline primary key makes the column NOT NULL). */
static void finish_column(parse_ctx *ctx, column_def *c)
{
    for (uint32_t i = 0; i < c->ncons; i++) {
        constraint *k = c->cons[i];
        if (k->kind != CON_CHECK) {
            k->cols.items = arena_alloc(ctx->a, sizeof(name));
            k->cols.items[0] = c->cname;
            k->cols.n = 1;
        }
        if (k->kind == CON_PRIMARY_KEY)
            c->not_null = true;
    }
    if (c->null_written && c->not_null) {
        for (uint32_t i = 0; i < c->ncons; i++)
            if (c->cons[i]->kind == CON_PRIMARY_KEY)
                parse_error(ctx, &c->cons[i]->at,
                            "column '%s' is declared null but is part of the primary key",
                            c->cname.s);
    }
}

static stmt *col_stmt(parse_ctx *ctx, stmt_kind k, loc at, name t, name c)
{
    stmt *s = ast_stmt(ctx->a, k, at);
    s->table = t;
    s->column = c;
    return s;
}

static constraint *fk_constraint(parse_ctx *ctx, loc at, name_list cols, name ref, name_list ref_cols,
                                 fk_acts acts)
{
    constraint *k = ast_constraint(ctx->a, CON_FOREIGN_KEY, at);
    k->cols = cols;
    k->ref_table = ref;
    k->ref_cols = ref_cols;
    k->on_delete = acts.on_delete;
    k->on_update = acts.on_update;
    k->cname = acts.cname;
    return k;
}
}

%union {
    name nm;
    const char *str;
    expr *e;
    stmt *st;
    column_def *col;
    constraint *con;
    sql_type ty;
    name_vec names;
    ptr_vec *vec;
    fk_acts fk;
    fk_action act;
    idx_opts io;
    bf_opts bo;
    index_elem *ie;
    raw_dialect dia;
    bool b;
    struct { name t, c; } qn;
}

/* Literals and names. */
%token <nm>  T_IDENT      "identifier"
%token <str> T_INT        "integer"
%token <str> T_DEC        "decimal number"
%token <str> T_STRING     "string"
%token <str> T_RAW        "raw sql block"
%token <str> T_UNKNOWN    "character"
%token       K_TOO_DEEP   "nested expression"
%token       K_LE "<=" K_GE ">=" K_NE "<>" K_CONCAT "||"

/* Reserved words. */
%token <nm> K_ALLOW "allow" K_AND "and" K_BETWEEN "between" K_CASE "case" K_CAST "cast"
%token <nm> K_CHECK "check" K_CURRENT_DATE "current_date" K_ELSE "else" K_END "end"
%token <nm> K_FALSE "false" K_FOREIGN "foreign" K_IN "in" K_IS "is" K_LIKE "like"
%token <nm> K_NOT "not" K_NOT_LA "not " K_NULL "null" K_OR "or" K_PRIMARY "primary"
%token <nm> K_REFERENCES "references" K_THEN "then" K_TRUE "true" K_UNIQUE "unique" K_WHEN "when"

/* Contextual keywords: names wherever a name is expected. */
%token <nm> K_ACTION "action" K_ADD_CHECK "add_check" K_ADD_COLUMN "add_column"
%token <nm> K_ADD_FOREIGN_KEY "add_foreign_key" K_ADD_UNIQUE "add_unique"
%token <nm> K_ALTER_COLUMN "alter_column" K_ALTER_TABLE "alter_table" K_AS "as" K_ASC "asc"
%token <nm> K_BACKFILL "backfill" K_BATCH "batch" K_CASCADE "cascade"
%token <nm> K_CONCURRENTLY "concurrently" K_CREATE_INDEX "create_index"
%token <nm> K_CREATE_TABLE "create_table" K_DATA_LOSS "data_loss" K_DEFAULT "default"
%token <nm> K_DELETE "delete" K_DESC "desc" K_DOWN "down" K_DROP "drop"
%token <nm> K_DROP_COLUMN "drop_column" K_DROP_CONSTRAINT "drop_constraint"
%token <nm> K_DROP_INDEX "drop_index" K_DROP_TABLE "drop_table" K_FROM "from"
%token <nm> K_IDENTITY "identity" K_INSERT "insert" K_INTO "into"
%token <nm> K_IRREVERSIBLE "irreversible" K_KEY "key" K_NAME "name" K_NO "no"
%token <nm> K_NO_TRANSACTION "no_transaction" K_ON "on" K_POSTGRES "postgres"
%token <nm> K_RENAME_COLUMN "rename_column" K_RENAME_TABLE "rename_table"
%token <nm> K_RESTRICT "restrict" K_SET "set" K_SQL "sql" K_SQLITE "sqlite" K_TO "to"
%token <nm> K_TYPE "type" K_UPDATE "update" K_USING "using" K_VALUES "values" K_WHERE "where"

/* After a raw block, `down` is always shifted; then `"""` or `{` decides. */
%precedence P_SQL_ALONE
%precedence K_DOWN

%left K_OR
%left K_AND
%precedence K_NOT
%precedence K_IS
%nonassoc '<' '>' '=' K_LE K_GE K_NE
%nonassoc K_BETWEEN K_IN K_LIKE K_NOT_LA
%left K_CONCAT
%left '+' '-'
%left '*' '/' '%'
%precedence P_UMINUS

%type <nm> name unreserved_keyword con_name_opt opclass_opt
%type <qn> qname
%type <st> stmt stmt_full raw_stmt sql_head table_body table_elems
%type <col> column_def col_attrs
%type <con> table_constraint
%type <ty> type
%type <names> name_list cols_opt ref_cols_opt
%type <e> a_expr b_expr c_expr when_list
%type <vec> expr_list index_elems assignments rows
%type <fk> fk_actions fk_tail
%type <act> fk_action
%type <io> idx_pre idx_post
%type <bo> bf_opts
%type <ie> index_elem
%type <dia> dialect_opt
%type <b> allow_opt notx_opt desc_opt

%%

file:
    items
    ;

items:
    %empty
  | items item
    ;

/* A complete statement ends error recovery (yyerrok): the next error is
 * reported even when it comes right after the previous one. */
item:
    stmt_full                   { add_stmt(ctx, $1); yyerrok; }
  | ';'
  | K_DOWN '{'                  { begin_down(ctx, @1); }
    down_items '}'              { ctx->in_down = false; }
  | sql_head K_DOWN '{'         { add_stmt(ctx, $1); begin_down(ctx, @2); }
    down_items '}'              { ctx->in_down = false; }
  | K_IRREVERSIBLE              { set_irreversible(ctx, @1); }
  | error
    ;

down_items:
    %empty
  | down_items down_item
    ;

down_item:
    stmt_full                   { add_stmt(ctx, $1); yyerrok; }
  | ';'
  | error
    ;

stmt_full:
    stmt allow_opt              { $$ = $1; if ($2) { $$->allow_data_loss = true; $$->allow_at = @2; } }
    ;

allow_opt:
    %empty                      { $$ = false; }
  | K_ALLOW K_DATA_LOSS         { $$ = true; }
    ;

/* ---- statements ---------------------------------------------------------- */

stmt:
    K_CREATE_TABLE name '{' table_body '}'
        { $$ = $4; $$->at = @1; $$->table = $2; }
  | K_DROP_TABLE name
        { $$ = ast_stmt(ctx->a, S_DROP_TABLE, @1); $$->table = $2; }
  | K_RENAME_TABLE name K_TO name
        { $$ = ast_stmt(ctx->a, S_RENAME_TABLE, @1); $$->table = $2; $$->new_name = $4; }
  | K_ADD_COLUMN qname type col_attrs
        {
            $$ = col_stmt(ctx, S_ADD_COLUMN, @1, $2.t, $2.c);
            $4->cname = $2.c;
            $4->type = $3;
            $4->type_at = @3;
            finish_column(ctx, $4);
            $$->coldef = $4;
        }
  | K_DROP_COLUMN qname
        { $$ = col_stmt(ctx, S_DROP_COLUMN, @1, $2.t, $2.c); }
  | K_RENAME_COLUMN qname K_TO name
        { $$ = col_stmt(ctx, S_RENAME_COLUMN, @1, $2.t, $2.c); $$->new_name = $4; }
  | K_ALTER_COLUMN qname K_SET K_NOT K_NULL
        { $$ = col_stmt(ctx, S_SET_NOT_NULL, @1, $2.t, $2.c); }
  | K_ALTER_COLUMN qname K_DROP K_NOT K_NULL
        { $$ = col_stmt(ctx, S_DROP_NOT_NULL, @1, $2.t, $2.c); }
  | K_ALTER_COLUMN qname K_SET K_DEFAULT b_expr
        { $$ = col_stmt(ctx, S_SET_DEFAULT, @1, $2.t, $2.c); $$->value = $5; }
  | K_ALTER_COLUMN qname K_DROP K_DEFAULT
        { $$ = col_stmt(ctx, S_DROP_DEFAULT, @1, $2.t, $2.c); }
  | K_ALTER_COLUMN qname K_TYPE type
        { $$ = col_stmt(ctx, S_ALTER_TYPE, @1, $2.t, $2.c); $$->type = $4; $$->type_at = @4; }
  | K_ALTER_COLUMN qname K_TYPE type K_USING a_expr
        {
            $$ = col_stmt(ctx, S_ALTER_TYPE, @1, $2.t, $2.c);
            $$->type = $4;
            $$->type_at = @4;
            $$->value = $6;
        }
  | K_CREATE_INDEX name K_ON name idx_pre '(' index_elems ')' idx_post
        {
            $$ = ast_stmt(ctx->a, S_CREATE_INDEX, @1);
            $$->index = $2;
            $$->table = $4;
            $$->nelems = (uint32_t)$7->n;
            $$->elems = arena_alloc(ctx->a, $7->n * sizeof *$$->elems);
            for (size_t i = 0; i < $7->n; i++)
                $$->elems[i] = *(index_elem *)$7->items[i];
            idx_opts o = merge_idx(ctx, $5, $9);
            $$->unique = o.unique;
            $$->concurrently = o.concurrently;
            $$->method = o.method;
            $$->where = o.where;
        }
  | K_DROP_INDEX name
        { $$ = ast_stmt(ctx->a, S_DROP_INDEX, @1); $$->index = $2; }
  | K_ADD_FOREIGN_KEY name '(' name_list ')' K_REFERENCES name ref_cols_opt fk_tail
        {
            $$ = ast_stmt(ctx->a, S_ADD_FOREIGN_KEY, @1);
            $$->table = $2;
            $$->con = fk_constraint(ctx, @1, $4.l, $7, $8.l, $9);
        }
  | K_ADD_UNIQUE name '(' name_list ')' con_name_opt
        {
            $$ = ast_stmt(ctx->a, S_ADD_UNIQUE, @1);
            $$->table = $2;
            $$->con = ast_constraint(ctx->a, CON_UNIQUE, @1);
            $$->con->cols = $4.l;
            $$->con->cname = $6;
        }
  | K_ADD_CHECK name '(' a_expr ')' con_name_opt
        {
            $$ = ast_stmt(ctx->a, S_ADD_CHECK, @1);
            $$->table = $2;
            $$->con = ast_constraint(ctx->a, CON_CHECK, @1);
            $$->con->check = $4;
            $$->con->cname = $6;
        }
  | K_DROP_CONSTRAINT qname
        { $$ = ast_stmt(ctx->a, S_DROP_CONSTRAINT, @1); $$->table = $2.t; $$->cname = $2.c; }
  | K_ALTER_TABLE name K_PRIMARY K_KEY '(' name_list ')' con_name_opt
        {
            $$ = ast_stmt(ctx->a, S_SET_PRIMARY_KEY, @1);
            $$->table = $2;
            $$->con = ast_constraint(ctx->a, CON_PRIMARY_KEY, @3);
            $$->con->cols = $6.l;
            $$->con->cname = $8;
        }
  | K_BACKFILL name K_SET assignments bf_opts
        {
            $$ = ast_stmt(ctx->a, S_BACKFILL, @1);
            $$->table = $2;
            $$->nsets = (uint32_t)$4->n;
            $$->sets = arena_alloc(ctx->a, $4->n * sizeof *$$->sets);
            for (size_t i = 0; i < $4->n; i++)
                $$->sets[i] = *(assignment *)$4->items[i];
            $$->where = $5.where;
            $$->batch = $5.batch;
            $$->batch_at = $5.batch_at;
        }
  | K_INSERT K_INTO name cols_opt K_VALUES rows
        {
            $$ = ast_stmt(ctx->a, S_INSERT, @1);
            $$->table = $3;
            if ($4.l.n == 0)
                parse_error(ctx, &@5, "insert needs its column list: insert into %s (column, ...) "
                            "values (...)", $3.s);
            $$->insert_cols = $4.l;
            $$->nrows = (uint32_t)$6->n;
            $$->rows = arena_alloc(ctx->a, $6->n * sizeof *$$->rows);
            $$->row_lens = arena_alloc(ctx->a, $6->n * sizeof *$$->row_lens);
            for (size_t i = 0; i < $6->n; i++) {
                ptr_vec *row = $6->items[i];
                $$->rows[i] = (expr **)row->items;
                $$->row_lens[i] = (uint32_t)row->n;
            }
        }
  | K_DELETE K_FROM name
        { $$ = ast_stmt(ctx->a, S_DELETE, @1); $$->table = $3; }
  | K_DELETE K_FROM name K_WHERE a_expr
        { $$ = ast_stmt(ctx->a, S_DELETE, @1); $$->table = $3; $$->where = $5; }
  | raw_stmt
    ;

raw_stmt:
    sql_head %prec P_SQL_ALONE
  | sql_head K_DOWN T_RAW
        { $$ = $1; $$->has_raw_down = true; $$->raw_down = $3; }
    ;

sql_head:
    K_SQL dialect_opt T_RAW notx_opt
        {
            $$ = ast_stmt(ctx->a, S_RAW_SQL, @1);
            $$->dialect = $2;
            $$->sql = $3;
            $$->no_transaction = $4;
        }
    ;

dialect_opt:
    %empty                      { $$ = RAW_BOTH; }
  | K_POSTGRES                  { $$ = RAW_POSTGRES; }
  | K_SQLITE                    { $$ = RAW_SQLITE; }
    ;

notx_opt:
    %empty                      { $$ = false; }
  | K_NO_TRANSACTION            { $$ = true; }
    ;

qname:
    name '.' name               { $$.t = $1; $$.c = $3; }
    ;

/* ---- create_table ---------------------------------------------------------- */

table_body:
    %empty                      { $$ = ast_stmt(ctx->a, S_CREATE_TABLE, @$); }
  | table_elems
  | table_elems ','
    ;

table_elems:
    column_def
        { $$ = ast_stmt(ctx->a, S_CREATE_TABLE, @1); PUSH(ctx->a, $$->cols, $$->ncols, $1); }
  | table_constraint
        { $$ = ast_stmt(ctx->a, S_CREATE_TABLE, @1); PUSH(ctx->a, $$->cons, $$->ncons, $1); }
  | table_elems ',' column_def
        { $$ = $1; PUSH(ctx->a, $$->cols, $$->ncols, $3); }
  | table_elems ',' table_constraint
        { $$ = $1; PUSH(ctx->a, $$->cons, $$->ncons, $3); }
    ;

column_def:
    name type col_attrs
        {
            $$ = $3;
            $$->cname = $1;
            $$->type = $2;
            $$->type_at = @2;
            finish_column(ctx, $$);
        }
    ;

/* The attributes of a column, in any order; $$ collects them into a
 * column_def whose name and type the enclosing rule fills in. */
col_attrs:
    %empty
        { name none = {"", false, @$}; sql_type t = {TY_UNKNOWN, -1, -1}; $$ = ast_column(ctx->a, none, t, @$); }
  | col_attrs K_NOT K_NULL
        {
            $$ = $1;
            if ($$->null_written)
                parse_error(ctx, &@2, "a column cannot be both null and not null");
            else if ($$->not_null)
                twice(ctx, &@2, "not null");
            $$->not_null = true;
        }
  | col_attrs K_NULL
        {
            $$ = $1;
            if ($$->not_null)
                parse_error(ctx, &@2, "a column cannot be both null and not null");
            $$->null_written = true;
        }
  | col_attrs K_IDENTITY
        { $$ = $1; if ($$->identity) twice(ctx, &@2, "identity"); $$->identity = true; }
  | col_attrs K_DEFAULT b_expr
        { $$ = $1; if ($$->dflt) twice(ctx, &@2, "default"); $$->dflt = $3; }
  | col_attrs K_PRIMARY K_KEY con_name_opt
        {
            $$ = $1;
            constraint *k = ast_constraint(ctx->a, CON_PRIMARY_KEY, @2);
            k->cname = $4;
            for (uint32_t i = 0; i < $$->ncons; i++)
                if ($$->cons[i]->kind == CON_PRIMARY_KEY)
                    twice(ctx, &@2, "primary key");
            PUSH(ctx->a, $$->cons, $$->ncons, k);
        }
  | col_attrs K_UNIQUE con_name_opt
        {
            $$ = $1;
            constraint *k = ast_constraint(ctx->a, CON_UNIQUE, @2);
            k->cname = $3;
            PUSH(ctx->a, $$->cons, $$->ncons, k);
        }
  | col_attrs K_CHECK '(' a_expr ')' con_name_opt
        {
            $$ = $1;
            constraint *k = ast_constraint(ctx->a, CON_CHECK, @2);
            k->check = $4;
            k->cname = $6;
            PUSH(ctx->a, $$->cons, $$->ncons, k);
        }
  | col_attrs K_REFERENCES name ref_cols_opt fk_tail
        {
            $$ = $1;
            name_list none = {NULL, 0};
            constraint *k = fk_constraint(ctx, @2, none, $3, $4.l, $5);
            PUSH(ctx->a, $$->cons, $$->ncons, k);
        }
    ;

table_constraint:
    K_PRIMARY K_KEY '(' name_list ')' con_name_opt
        { $$ = ast_constraint(ctx->a, CON_PRIMARY_KEY, @1); $$->cols = $4.l; $$->cname = $6; }
  | K_UNIQUE '(' name_list ')' con_name_opt
        { $$ = ast_constraint(ctx->a, CON_UNIQUE, @1); $$->cols = $3.l; $$->cname = $5; }
  | K_CHECK '(' a_expr ')' con_name_opt
        { $$ = ast_constraint(ctx->a, CON_CHECK, @1); $$->check = $3; $$->cname = $5; }
  | K_FOREIGN K_KEY '(' name_list ')' K_REFERENCES name ref_cols_opt fk_tail
        { $$ = fk_constraint(ctx, @1, $4.l, $7, $8.l, $9); }
    ;

con_name_opt:
    %empty                      { $$.s = NULL; $$.quoted = false; $$.at = @$; }
  | K_NAME name                 { $$ = $2; }
    ;

ref_cols_opt:
    %empty                      { $$.l.items = NULL; $$.l.n = 0; }
  | '(' name_list ')'           { $$ = $2; }
    ;

/* `name x` goes after the actions (as DESIGN writes it), or before or
 * between them: people write it both ways. */
fk_tail:
    fk_actions                  { $$ = $1; }
  | fk_actions K_NAME name fk_actions
        {
            $$ = $1;
            if ($4.has_delete) {
                if ($$.has_delete)
                    twice(ctx, &$4.delete_at, "on delete");
                $$.has_delete = true;
                $$.on_delete = $4.on_delete;
            }
            if ($4.has_update) {
                if ($$.has_update)
                    twice(ctx, &$4.update_at, "on update");
                $$.has_update = true;
                $$.on_update = $4.on_update;
            }
            $$.cname = $3;
        }
    ;

fk_actions:
    %empty                      { memset(&$$, 0, sizeof $$); }
  | fk_actions K_ON K_DELETE fk_action
        {
            $$ = $1;
            if ($$.has_delete)
                twice(ctx, &@2, "on delete");
            $$.has_delete = true;
            $$.on_delete = $4;
            $$.delete_at = @2;
        }
  | fk_actions K_ON K_UPDATE fk_action
        {
            $$ = $1;
            if ($$.has_update)
                twice(ctx, &@2, "on update");
            $$.has_update = true;
            $$.on_update = $4;
            $$.update_at = @2;
        }
    ;

fk_action:
    K_CASCADE                   { $$ = FK_CASCADE; }
  | K_RESTRICT                  { $$ = FK_RESTRICT; }
  | K_SET K_NULL                { $$ = FK_SET_NULL; }
  | K_SET K_DEFAULT             { $$ = FK_SET_DEFAULT; }
  | K_NO K_ACTION               { $$ = FK_NO_ACTION; }
    ;

type:
    name
        { $$ = make_type(ctx, $1, &@1, NULL, NULL, NULL, NULL); }
  | name '(' T_INT ')'
        { $$ = make_type(ctx, $1, &@1, $3, &@3, NULL, NULL); }
  | name '(' T_INT ',' T_INT ')'
        { $$ = make_type(ctx, $1, &@1, $3, &@3, $5, &@5); }
    ;

name_list:
    name                        { $$.l.items = NULL; $$.l.n = 0; PUSH(ctx->a, $$.l.items, $$.l.n, $1); }
  | name_list ',' name          { $$ = $1; PUSH(ctx->a, $$.l.items, $$.l.n, $3); }
    ;

/* ---- create_index ------------------------------------------------------------ */

/* Before the column list: no `where` (its expression could swallow the list). */
idx_pre:
    %empty                      { memset(&$$, 0, sizeof $$); }
  | idx_pre K_UNIQUE
        { $$ = $1; if ($$.unique) twice(ctx, &@2, "unique"); $$.unique = true; $$.unique_at = @2; }
  | idx_pre K_CONCURRENTLY
        {
            $$ = $1;
            if ($$.concurrently)
                twice(ctx, &@2, "concurrently");
            $$.concurrently = true;
            $$.concurrently_at = @2;
        }
  | idx_pre K_USING name
        { $$ = $1; if ($$.method.s) twice(ctx, &@2, "using"); $$.method = $3; $$.method_at = @2; }
    ;

idx_post:
    %empty                      { memset(&$$, 0, sizeof $$); }
  | idx_post K_UNIQUE
        { $$ = $1; if ($$.unique) twice(ctx, &@2, "unique"); $$.unique = true; $$.unique_at = @2; }
  | idx_post K_CONCURRENTLY
        {
            $$ = $1;
            if ($$.concurrently)
                twice(ctx, &@2, "concurrently");
            $$.concurrently = true;
            $$.concurrently_at = @2;
        }
  | idx_post K_USING name
        { $$ = $1; if ($$.method.s) twice(ctx, &@2, "using"); $$.method = $3; $$.method_at = @2; }
  | idx_post K_WHERE a_expr
        { $$ = $1; if ($$.where) twice(ctx, &@2, "where"); $$.where = $3; $$.where_at = @2; }
    ;

index_elems:
    index_elem                  { $$ = vec1(ctx, $1); }
  | index_elems ',' index_elem  { $$ = $1; vec_push(ctx->a, $$, $3); }
    ;

index_elem:
    a_expr opclass_opt desc_opt
        {
            $$ = arena_alloc(ctx->a, sizeof *$$);
            $$->e = $1;
            $$->opclass = $2;
            $$->desc = $3;
        }
    ;

/* An operator class is an ordinary name, never a keyword (`asc`/`desc` follow). */
opclass_opt:
    %empty                      { $$.s = NULL; $$.quoted = false; $$.at = @$; }
  | T_IDENT
    ;

desc_opt:
    %empty                      { $$ = false; }
  | K_ASC                       { $$ = false; }
  | K_DESC                      { $$ = true; }
    ;

/* ---- backfill, insert ------------------------------------------------------------ */

assignments:
    name '=' a_expr
        {
            assignment *as = arena_alloc(ctx->a, sizeof *as);
            as->col = $1;
            as->value = $3;
            $$ = vec1(ctx, as);
        }
  | assignments ',' name '=' a_expr
        {
            assignment *as = arena_alloc(ctx->a, sizeof *as);
            as->col = $3;
            as->value = $5;
            $$ = $1;
            vec_push(ctx->a, $$, as);
        }
    ;

bf_opts:
    %empty                      { memset(&$$, 0, sizeof $$); }
  | bf_opts K_WHERE a_expr
        { $$ = $1; if ($$.where) twice(ctx, &@2, "where"); $$.where = $3; $$.where_at = @2; }
  | bf_opts K_BATCH T_INT
        {
            $$ = $1;
            if ($$.batch)
                twice(ctx, &@2, "batch");
            int64_t n = int_arg(ctx, $3, &@3, 1, INT32_MAX, "the batch size");
            $$.batch = n > 0 ? n : 1;
            $$.batch_at = @2;
        }
    ;

cols_opt:
    %empty                      { $$.l.items = NULL; $$.l.n = 0; }
  | '(' name_list ')'           { $$ = $2; }
    ;

rows:
    '(' expr_list ')'           { $$ = vec1(ctx, $2); }
  | rows ',' '(' expr_list ')'  { $$ = $1; vec_push(ctx->a, $$, $4); }
    ;

/* ---- expressions --------------------------------------------------------------- */

expr_list:
    a_expr                      { $$ = vec1(ctx, $1); }
  | expr_list ',' a_expr        { $$ = $1; vec_push(ctx->a, $$, $3); }
    ;

a_expr:
    c_expr
  | '-' a_expr %prec P_UMINUS   { $$ = op_expr(ctx, E_UNARY, OP_NEG, @1, $2, NULL); CHECKED($$); }
  | K_NOT a_expr                { $$ = op_expr(ctx, E_UNARY, OP_NOT, @1, $2, NULL); CHECKED($$); }
  | a_expr '+' a_expr           { $$ = op_expr(ctx, E_BINARY, OP_ADD, @2, $1, $3); CHECKED($$); }
  | a_expr '-' a_expr           { $$ = op_expr(ctx, E_BINARY, OP_SUB, @2, $1, $3); CHECKED($$); }
  | a_expr '*' a_expr           { $$ = op_expr(ctx, E_BINARY, OP_MUL, @2, $1, $3); CHECKED($$); }
  | a_expr '/' a_expr           { $$ = op_expr(ctx, E_BINARY, OP_DIV, @2, $1, $3); CHECKED($$); }
  | a_expr '%' a_expr           { $$ = op_expr(ctx, E_BINARY, OP_MOD, @2, $1, $3); CHECKED($$); }
  | a_expr K_CONCAT a_expr      { $$ = op_expr(ctx, E_BINARY, OP_CONCAT, @2, $1, $3); CHECKED($$); }
  | a_expr '=' a_expr           { $$ = op_expr(ctx, E_BINARY, OP_EQ, @2, $1, $3); CHECKED($$); }
  | a_expr K_NE a_expr          { $$ = op_expr(ctx, E_BINARY, OP_NE, @2, $1, $3); CHECKED($$); }
  | a_expr '<' a_expr           { $$ = op_expr(ctx, E_BINARY, OP_LT, @2, $1, $3); CHECKED($$); }
  | a_expr K_LE a_expr          { $$ = op_expr(ctx, E_BINARY, OP_LE, @2, $1, $3); CHECKED($$); }
  | a_expr '>' a_expr           { $$ = op_expr(ctx, E_BINARY, OP_GT, @2, $1, $3); CHECKED($$); }
  | a_expr K_GE a_expr          { $$ = op_expr(ctx, E_BINARY, OP_GE, @2, $1, $3); CHECKED($$); }
  | a_expr K_AND a_expr         { $$ = op_expr(ctx, E_BINARY, OP_AND, @2, $1, $3); CHECKED($$); }
  | a_expr K_OR a_expr          { $$ = op_expr(ctx, E_BINARY, OP_OR, @2, $1, $3); CHECKED($$); }
  | a_expr K_IS K_NULL %prec K_IS
        { $$ = op_expr(ctx, E_IS_NULL, OP_EQ, @2, $1, NULL); CHECKED($$); }
  | a_expr K_IS K_NOT K_NULL %prec K_IS
        { $$ = op_expr(ctx, E_IS_NULL, OP_NE, @2, $1, NULL); $$->negated = true; CHECKED($$); }
  | a_expr K_IN '(' expr_list ')'
        { $$ = op_expr(ctx, E_IN, OP_EQ, @2, $1, NULL); add_args(ctx, $$, $4); CHECKED($$); }
  | a_expr K_NOT_LA K_IN '(' expr_list ')' %prec K_NOT_LA
        {
            $$ = op_expr(ctx, E_IN, OP_NE, @2, $1, NULL);
            $$->negated = true;
            add_args(ctx, $$, $5);
            CHECKED($$);
        }
  | a_expr K_LIKE a_expr
        { $$ = op_expr(ctx, E_LIKE, OP_EQ, @2, $1, $3); CHECKED($$); }
  | a_expr K_NOT_LA K_LIKE a_expr %prec K_NOT_LA
        { $$ = op_expr(ctx, E_LIKE, OP_NE, @2, $1, $4); $$->negated = true; CHECKED($$); }
  | a_expr K_BETWEEN b_expr K_AND b_expr %prec K_BETWEEN
        {
            $$ = op_expr(ctx, E_BETWEEN, OP_EQ, @2, $1, $3);
            ast_expr_add_arg(ctx->a, $$, $5);
            CHECKED($$);
        }
  | a_expr K_NOT_LA K_BETWEEN b_expr K_AND b_expr %prec K_NOT_LA
        {
            $$ = op_expr(ctx, E_BETWEEN, OP_NE, @2, $1, $4);
            $$->negated = true;
            ast_expr_add_arg(ctx->a, $$, $6);
            CHECKED($$);
        }
    ;

/* The restricted expression of `default` and of `between` bounds: no
 * `not`, `is`, `like`, `in`, `between`, `and`, `or` unless parenthesised. */
b_expr:
    c_expr
  | '-' b_expr %prec P_UMINUS   { $$ = op_expr(ctx, E_UNARY, OP_NEG, @1, $2, NULL); CHECKED($$); }
  | b_expr '+' b_expr           { $$ = op_expr(ctx, E_BINARY, OP_ADD, @2, $1, $3); CHECKED($$); }
  | b_expr '-' b_expr           { $$ = op_expr(ctx, E_BINARY, OP_SUB, @2, $1, $3); CHECKED($$); }
  | b_expr '*' b_expr           { $$ = op_expr(ctx, E_BINARY, OP_MUL, @2, $1, $3); CHECKED($$); }
  | b_expr '/' b_expr           { $$ = op_expr(ctx, E_BINARY, OP_DIV, @2, $1, $3); CHECKED($$); }
  | b_expr '%' b_expr           { $$ = op_expr(ctx, E_BINARY, OP_MOD, @2, $1, $3); CHECKED($$); }
  | b_expr K_CONCAT b_expr      { $$ = op_expr(ctx, E_BINARY, OP_CONCAT, @2, $1, $3); CHECKED($$); }
  | b_expr '=' b_expr           { $$ = op_expr(ctx, E_BINARY, OP_EQ, @2, $1, $3); CHECKED($$); }
  | b_expr K_NE b_expr          { $$ = op_expr(ctx, E_BINARY, OP_NE, @2, $1, $3); CHECKED($$); }
  | b_expr '<' b_expr           { $$ = op_expr(ctx, E_BINARY, OP_LT, @2, $1, $3); CHECKED($$); }
  | b_expr K_LE b_expr          { $$ = op_expr(ctx, E_BINARY, OP_LE, @2, $1, $3); CHECKED($$); }
  | b_expr '>' b_expr           { $$ = op_expr(ctx, E_BINARY, OP_GT, @2, $1, $3); CHECKED($$); }
  | b_expr K_GE b_expr          { $$ = op_expr(ctx, E_BINARY, OP_GE, @2, $1, $3); CHECKED($$); }
    ;

c_expr:
    T_INT                       { $$ = lit_expr(ctx, E_INT, @1, $1); }
  | T_DEC                       { $$ = lit_expr(ctx, E_DEC, @1, $1); }
  | T_STRING                    { $$ = lit_expr(ctx, E_STR, @1, $1); }
  | K_TRUE                      { $$ = ast_expr(ctx->a, E_BOOL, @1); $$->bval = true; }
  | K_FALSE                     { $$ = ast_expr(ctx->a, E_BOOL, @1); $$->bval = false; }
  | K_NULL                      { $$ = ast_expr(ctx->a, E_NULL, @1); }
  | K_CURRENT_DATE              { $$ = ast_expr(ctx->a, E_CURRENT_DATE, @1); }
  | name                        { $$ = ast_expr(ctx->a, E_COLUMN, @1); $$->col = $1; }
  | name '(' ')'                { $$ = call_expr(ctx, $1, NULL); }
  | name '(' expr_list ')'      { $$ = call_expr(ctx, $1, $3); CHECKED($$); }
  | '(' a_expr ')'              { $$ = $2; }
  | K_CASE when_list K_END      { $$ = $2; $$->at = @1; }
  | K_CASE when_list K_ELSE a_expr K_END
        { $$ = $2; $$->at = @1; $$->has_else = true; ast_expr_add_arg(ctx->a, $$, $4); CHECKED($$); }
  | K_CAST '(' a_expr K_AS type ')'
        {
            $$ = ast_expr(ctx->a, E_CAST, @1);
            ast_expr_add_arg(ctx->a, $$, $3);
            $$->cast_to = $5;
            CHECKED($$);
        }
    ;

when_list:
    K_WHEN a_expr K_THEN a_expr
        {
            $$ = ast_expr(ctx->a, E_CASE, @1);
            ast_expr_add_arg(ctx->a, $$, $2);
            ast_expr_add_arg(ctx->a, $$, $4);
            CHECKED($$);
        }
  | when_list K_WHEN a_expr K_THEN a_expr
        {
            $$ = $1;
            ast_expr_add_arg(ctx->a, $$, $3);
            ast_expr_add_arg(ctx->a, $$, $5);
            CHECKED($$);
        }
    ;

/* ---- names ------------------------------------------------------------------ */

name:
    T_IDENT
  | unreserved_keyword
    ;

unreserved_keyword:
    K_ACTION | K_ADD_CHECK | K_ADD_COLUMN | K_ADD_FOREIGN_KEY | K_ADD_UNIQUE
  | K_ALTER_COLUMN | K_ALTER_TABLE | K_AS | K_ASC | K_BACKFILL | K_BATCH | K_CASCADE
  | K_CONCURRENTLY | K_CREATE_INDEX | K_CREATE_TABLE | K_DATA_LOSS | K_DEFAULT
  | K_DELETE | K_DESC | K_DOWN | K_DROP | K_DROP_COLUMN | K_DROP_CONSTRAINT
  | K_DROP_INDEX | K_DROP_TABLE | K_FROM | K_IDENTITY | K_INSERT | K_INTO
  | K_IRREVERSIBLE | K_KEY | K_NAME | K_NO | K_NO_TRANSACTION | K_ON | K_POSTGRES
  | K_RENAME_COLUMN | K_RENAME_TABLE | K_RESTRICT | K_SET | K_SQL | K_SQLITE | K_TO
  | K_TYPE | K_UPDATE | K_USING | K_VALUES | K_WHERE
    ;

%%

/* Runs the parser over ctx->scanner; returns yyparse()'s result. */
int migc_parse(parse_ctx *ctx)
{
    lookahead la;
    memset(&la, 0, sizeof la);
    ctx->la = &la;
    int rc = yyparse(ctx);
    ctx->la = NULL;
    return rc;
}

/* Describes the token at l for "unexpected …" (its text, shortened). */
static void describe_token(parse_ctx *ctx, strbuf *b, yysymbol_kind_t tok, const YYLTYPE *l)
{
    const char *text = l->src && l->src->text ? l->src->text + l->off : "";
    size_t n = l->len;
    switch (tok) {
    case YYSYMBOL_YYEOF:
        sb_puts(b, "end of file");
        return;
    case YYSYMBOL_T_STRING:
        sb_puts(b, "string ");
        break;
    case YYSYMBOL_T_RAW:
        sb_puts(b, "raw sql block");
        return;
    case YYSYMBOL_T_INT:
    case YYSYMBOL_T_DEC:
        sb_puts(b, "number ");
        break;
    case YYSYMBOL_T_UNKNOWN: {
        unsigned char c = (unsigned char)text[0];
        if (c == 0)
            sb_puts(b, "nul byte");
        else if (c >= 0x80)
            sb_printf(b, "byte 0x%02x (non-ascii text belongs in 'strings' or \"quoted names\")", c);
        else if (c < 0x20 || c == 0x7f)
            sb_printf(b, "control character 0x%02x", c);
        else
            sb_printf(b, "character '%c'", c);
        return;
    }
    default:
        break;
    }
    (void)ctx;
    /* The token as written, at most 40 bytes of its first line. */
    size_t k = 0;
    while (k < n && k < 40 && text[k] != '\n' && text[k] != '\0')
        k++;
    if (tok != YYSYMBOL_T_STRING && text[0] != '"')
        sb_putc(b, '\'');
    sb_putn(b, text, k);
    if (k < n)
        sb_puts(b, "...");
    if (tok != YYSYMBOL_T_STRING && text[0] != '"')
        sb_putc(b, '\'');
}

/* True for the tokens that can serve as names. */
static bool is_name_token(yysymbol_kind_t s)
{
    return s == YYSYMBOL_T_IDENT || (s >= YYSYMBOL_K_ACTION && s <= YYSYMBOL_K_WHERE);
}

/* True for the tokens that can start an expression. */
static bool is_expr_start(yysymbol_kind_t s)
{
    const char *n = yysymbol_name(s);
    return s == YYSYMBOL_T_INT || s == YYSYMBOL_T_DEC || s == YYSYMBOL_T_STRING ||
           s == YYSYMBOL_K_TRUE || s == YYSYMBOL_K_FALSE || s == YYSYMBOL_K_NULL ||
           s == YYSYMBOL_K_CASE || s == YYSYMBOL_K_CAST || s == YYSYMBOL_K_NOT ||
           s == YYSYMBOL_K_CURRENT_DATE || is_name_token(s) || !strcmp(n, "'('") ||
           !strcmp(n, "'-'");
}

/* True for the tokens that start a statement. */
static bool is_stmt_token(yysymbol_kind_t s)
{
    switch (s) {
    case YYSYMBOL_K_CREATE_TABLE: case YYSYMBOL_K_DROP_TABLE: case YYSYMBOL_K_RENAME_TABLE:
    case YYSYMBOL_K_ADD_COLUMN: case YYSYMBOL_K_DROP_COLUMN: case YYSYMBOL_K_RENAME_COLUMN:
    case YYSYMBOL_K_ALTER_COLUMN: case YYSYMBOL_K_CREATE_INDEX: case YYSYMBOL_K_DROP_INDEX:
    case YYSYMBOL_K_ADD_FOREIGN_KEY: case YYSYMBOL_K_ADD_UNIQUE: case YYSYMBOL_K_ADD_CHECK:
    case YYSYMBOL_K_DROP_CONSTRAINT: case YYSYMBOL_K_ALTER_TABLE: case YYSYMBOL_K_BACKFILL:
    case YYSYMBOL_K_INSERT: case YYSYMBOL_K_DELETE: case YYSYMBOL_K_SQL:
        return true;
    default:
        return false;
    }
}

/* Appends the display form of an expected token. */
static void describe_expected(strbuf *b, yysymbol_kind_t s)
{
    switch (s) {
    case YYSYMBOL_YYEOF: sb_puts(b, "end of file"); return;
    case YYSYMBOL_T_IDENT: sb_puts(b, "a name"); return;
    case YYSYMBOL_T_INT: sb_puts(b, "an integer"); return;
    case YYSYMBOL_T_DEC: sb_puts(b, "a number"); return;
    case YYSYMBOL_T_STRING: sb_puts(b, "a string"); return;
    case YYSYMBOL_T_RAW: sb_puts(b, "a \"\"\"raw sql\"\"\" block"); return;
    case YYSYMBOL_K_NOT_LA: sb_puts(b, "'not'"); return;
    default: break;
    }
    const char *n = yysymbol_name(s);
    size_t len = strlen(n);
    if (len >= 2 && (n[0] == '"' || n[0] == '\'') && n[len - 1] == n[0]) {
        n++;
        len -= 2;
    }
    sb_putc(b, '\'');
    sb_putn(b, n, len);
    sb_putc(b, '\'');
}

/* bison's hook for syntax errors (parse.error custom): "unexpected X,
 * expected A, B or C", the expected list shortened to what helps (a name,
 * a statement, an expression); quiet for a token the scanner or the depth
 * bound already reported. */
static int yyreport_syntax_error(const yypcontext_t *yyctx, parse_ctx *ctx)
{
    yysymbol_kind_t tok = yypcontext_token(yyctx);
    const YYLTYPE *l = yypcontext_location(yyctx);
    if (tok == YYSYMBOL_K_TOO_DEEP) /* lex() reported it */
        return 0;
    if (tok == YYSYMBOL_YYEOF && ctx->quiet_eof)
        return 0;

    enum { MAX_EXPECTED = 96 };
    yysymbol_kind_t exp[MAX_EXPECTED];
    int n = yypcontext_expected_tokens(yyctx, exp, MAX_EXPECTED);
    if (n < 0)
        n = 0;
    bool names = false, stmts = false, exprs = false;
    for (int i = 0; i < n; i++) {
        if (exp[i] == YYSYMBOL_T_IDENT)
            names = true;
        if (exp[i] == YYSYMBOL_K_CREATE_TABLE)
            stmts = true;
        if (exp[i] == YYSYMBOL_K_CASE)
            exprs = true;
    }
    const char *shown[16];
    strbuf items[16];
    int k = 0;
    bool too_many = false;
    if (exprs) {
        sb_init(&items[k], ctx->a);
        sb_puts(&items[k++], "an expression");
    } else if (names) {
        sb_init(&items[k], ctx->a);
        sb_puts(&items[k++], "a name");
    } else if (stmts) {
        sb_init(&items[k], ctx->a);
        sb_puts(&items[k++], "a statement");
    }
    for (int i = 0; i < n; i++) {
        yysymbol_kind_t s = exp[i];
        if (exprs && is_expr_start(s))
            continue;
        if ((names || exprs) && is_name_token(s))
            continue;
        if (stmts && (is_stmt_token(s) || s == YYSYMBOL_YYEOF || s == YYSYMBOL_K_DOWN ||
                      s == YYSYMBOL_K_IRREVERSIBLE || !strcmp(yysymbol_name(s), "';'")))
            continue;
        if (k == 16) {
            too_many = true;
            break;
        }
        sb_init(&items[k], ctx->a);
        describe_expected(&items[k++], s);
    }
    for (int i = 0; i < k; i++)
        shown[i] = sb_str(&items[i]);

    strbuf msg;
    sb_init(&msg, ctx->a);
    sb_puts(&msg, "unexpected ");
    describe_token(ctx, &msg, tok, l);
    if (names && tok >= YYSYMBOL_K_ALLOW && tok <= YYSYMBOL_K_WHEN && tok != YYSYMBOL_K_NOT_LA) {
        const char *w = yysymbol_name(tok);
        size_t wl = strlen(w);
        if (wl >= 2 && w[0] == '"') {
            w++;
            wl -= 2;
        }
        sb_printf(&msg, ", expected a name ('%.*s' is a reserved word: write \"%.*s\" to use it "
                  "as a name)", (int)wl, w, (int)wl, w);
    } else if (k > 0 && k <= 6 && !too_many) {
        sb_puts(&msg, ", expected ");
        for (int i = 0; i < k; i++) {
            if (i > 0)
                sb_puts(&msg, i == k - 1 ? " or " : ", ");
            sb_puts(&msg, shown[i]);
        }
    }
    unsigned before = ctx->errors;
    parse_error(ctx, l, "%s", sb_str(&msg));
    if (tok == YYSYMBOL_YYEOF && before == 0 && ctx->nopen > 0 &&
        ctx->nopen <= sizeof ctx->opens / sizeof ctx->opens[0]) {
        const loc *o = &ctx->opens[ctx->nopen - 1];
        diag_note(ctx->d, o, "to match this '%c'", o->src->text[o->off]);
    }
    return 0;
}
