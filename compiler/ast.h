/* ast.h: the syntax tree of a migration history.
 *
 * The parser (grammar/parser.y) builds it through the ast_* constructors;
 * the checker annotates expressions with their inferred type (expr.type,
 * expr.nullable); the emitters read it. Every node carries its location.
 * All nodes live in the compilation's arena: nothing here is freed on its
 * own. Names are already folded (unquoted names to lower case) by the lexer;
 * name.quoted records whether the user wrote double quotes. */
#ifndef MIGC_AST_H
#define MIGC_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "source.h"

/* ---- types --------------------------------------------------------------- */

/* X(enum suffix, migc spelling). The order is the widening order within the
 * numeric family; see types.h. */
#define MIGC_TYPES(X)            \
    X(BOOL, "bool")              \
    X(SMALLINT, "smallint")      \
    X(INT, "int")                \
    X(BIGINT, "bigint")          \
    X(REAL, "real")              \
    X(DOUBLE, "double")          \
    X(NUMERIC, "numeric")        \
    X(TEXT, "text")              \
    X(VARCHAR, "varchar")        \
    X(BYTES, "bytes")            \
    X(DATE, "date")              \
    X(TIME, "time")              \
    X(TIMESTAMP, "timestamp")    \
    X(TIMESTAMPTZ, "timestamptz") \
    X(UUID, "uuid")              \
    X(JSON, "json")

typedef enum type_kind {
    TY_UNKNOWN = 0, /* not inferred yet, or an error was already reported */
    TY_NULL,        /* the literal null: assignable to anything */
#define X(e, s) TY_##e,
    MIGC_TYPES(X)
#undef X
    TY__COUNT
} type_kind;

typedef struct sql_type {
    type_kind kind;
    int32_t p; /* numeric precision or varchar length; -1 when not given */
    int32_t s; /* numeric scale; -1 when not given */
} sql_type;

/* ---- names ---------------------------------------------------------------- */

typedef struct name {
    const char *s; /* folded (unquoted) or exact (quoted); never NULL */
    bool quoted;
    loc at;
} name;

typedef struct name_list {
    name *items;
    uint32_t n;
} name_list;

/* ---- expressions ------------------------------------------------------------ */

#define MIGC_EXPR_KINDS(X) \
    X(INT)          /* text: the digits as written */          \
    X(DEC)          /* text: the decimal as written */         \
    X(STR)          /* text: the value, quotes resolved */     \
    X(BOOL)         /* bval */                                 \
    X(NULL)                                                    \
    X(COLUMN)       /* col */                                  \
    X(UNARY)        /* op (OP_NEG, OP_NOT), args[0] */         \
    X(BINARY)       /* op, args[0], args[1] */                 \
    X(IS_NULL)      /* negated, args[0] */                     \
    X(IN)           /* negated, args[0] in (args[1..n-1]) */   \
    X(BETWEEN)      /* negated, args[0] between args[1] and args[2] */ \
    X(LIKE)         /* negated, args[0] like args[1] */        \
    X(CASE)         /* args: when0, then0, when1, then1, ..., [else] ; has_else */ \
    X(CAST)         /* args[0], cast_to */                     \
    X(CALL)         /* fn, args */                             \
    X(CURRENT_DATE)

typedef enum expr_kind {
#define X(e) E_##e,
    MIGC_EXPR_KINDS(X)
#undef X
    E__COUNT
} expr_kind;

#define MIGC_BINOPS(X)                                          \
    X(ADD, "+") X(SUB, "-") X(MUL, "*") X(DIV, "/") X(MOD, "%") \
    X(CONCAT, "||")                                             \
    X(EQ, "=") X(NE, "<>") X(LT, "<") X(LE, "<=") X(GT, ">") X(GE, ">=") \
    X(AND, "and") X(OR, "or")                                   \
    X(NEG, "-") X(NOT, "not")

typedef enum op_kind {
#define X(e, s) OP_##e,
    MIGC_BINOPS(X)
#undef X
    OP__COUNT
} op_kind;

/* The typed functions of DESIGN §1 (now() and gen_random_uuid() take no
 * arguments; current_date is its own expression kind). */
#define MIGC_FUNCS(X)                                     \
    X(NOW, "now") X(GEN_RANDOM_UUID, "gen_random_uuid")   \
    X(LOWER, "lower") X(UPPER, "upper") X(TRIM, "trim")   \
    X(LENGTH, "length") X(SUBSTR, "substr")               \
    X(REPLACE, "replace") X(COALESCE, "coalesce")         \
    X(NULLIF, "nullif") X(ABS, "abs") X(ROUND, "round")

typedef enum func_kind {
#define X(e, s) FN_##e,
    MIGC_FUNCS(X)
#undef X
    FN__COUNT
} func_kind;

typedef struct expr expr;
struct expr {
    expr_kind kind;
    loc at;          /* the whole expression's first token (operators: the operator) */
    const char *text; /* E_INT, E_DEC, E_STR */
    bool bval;        /* E_BOOL */
    bool negated;     /* E_IS_NULL, E_IN, E_BETWEEN, E_LIKE: the `not` form */
    bool has_else;    /* E_CASE */
    op_kind op;       /* E_UNARY, E_BINARY */
    func_kind fn;     /* E_CALL */
    name col;         /* E_COLUMN */
    sql_type cast_to; /* E_CAST */
    expr **args;
    uint32_t nargs;
    uint32_t depth;   /* height of this tree (1 for a leaf); the parser bounds it */
    /* Filled by the checker. */
    sql_type type;
    bool nullable;
};

/* ---- constraints ---------------------------------------------------------- */

typedef enum fk_action {
    FK_NO_ACTION = 0, FK_RESTRICT, FK_CASCADE, FK_SET_NULL, FK_SET_DEFAULT
} fk_action;

typedef enum constraint_kind {
    CON_PRIMARY_KEY, CON_UNIQUE, CON_CHECK, CON_FOREIGN_KEY
} constraint_kind;

/* A constraint written inline on a column or as a table constraint, or by
 * add_foreign_key / add_unique / add_check / alter_table … primary key.
 * Inline constraints have cols = the one column. */
typedef struct constraint {
    constraint_kind kind;
    loc at;                 /* the keyword that starts it */
    name cname;             /* `name x`; cname.s == NULL when unnamed */
    name_list cols;         /* PK, UNIQUE, FK local columns (empty for CHECK) */
    expr *check;            /* CHECK */
    name ref_table;         /* FK */
    name_list ref_cols;     /* FK (empty: the referenced table's primary key) */
    fk_action on_delete, on_update;
    /* Set by catalog_apply(): cname.s, or the name PostgreSQL would choose. */
    const char *resolved_name;
} constraint;

/* ---- columns and index elements ------------------------------------------- */

typedef struct column_def {
    name cname;
    sql_type type;
    loc type_at;
    bool identity;
    bool not_null;      /* `not null` written (or implied by an inline primary key) */
    bool null_written;  /* `null` written explicitly */
    expr *dflt;         /* `default e`, or NULL */
    constraint **cons;  /* inline constraints in the order written */
    uint32_t ncons;
} column_def;

typedef struct index_elem {
    expr *e;            /* a bare column is an E_COLUMN expression */
    bool desc;          /* `desc` written (asc is the default) */
    name opclass;       /* PostgreSQL operator class; opclass.s == NULL when absent */
} index_elem;

/* ---- statements ------------------------------------------------------------- */

#define MIGC_STMT_KINDS(X)                                         \
    X(CREATE_TABLE, "create_table")                                \
    X(DROP_TABLE, "drop_table")                                    \
    X(RENAME_TABLE, "rename_table")                                \
    X(ADD_COLUMN, "add_column")                                    \
    X(DROP_COLUMN, "drop_column")                                  \
    X(RENAME_COLUMN, "rename_column")                              \
    X(SET_NOT_NULL, "alter_column set not null")                   \
    X(DROP_NOT_NULL, "alter_column drop not null")                 \
    X(SET_DEFAULT, "alter_column set default")                     \
    X(DROP_DEFAULT, "alter_column drop default")                   \
    X(ALTER_TYPE, "alter_column type")                             \
    X(CREATE_INDEX, "create_index")                                \
    X(DROP_INDEX, "drop_index")                                    \
    X(ADD_FOREIGN_KEY, "add_foreign_key")                          \
    X(ADD_UNIQUE, "add_unique")                                    \
    X(ADD_CHECK, "add_check")                                      \
    X(DROP_CONSTRAINT, "drop_constraint")                          \
    X(SET_PRIMARY_KEY, "alter_table primary key")                  \
    X(BACKFILL, "backfill")                                        \
    X(INSERT, "insert")                                            \
    X(DELETE, "delete")                                            \
    X(RAW_SQL, "sql")

typedef enum stmt_kind {
#define X(e, s) S_##e,
    MIGC_STMT_KINDS(X)
#undef X
    S__COUNT
} stmt_kind;

typedef enum raw_dialect { RAW_BOTH = 0, RAW_POSTGRES, RAW_SQLITE } raw_dialect;

typedef struct assignment {
    name col;
    expr *value;
} assignment;

typedef struct stmt {
    stmt_kind kind;
    loc at;              /* the statement keyword */
    bool allow_data_loss;
    loc allow_at;        /* `allow data_loss`, when present */

    name table;          /* every statement but DROP_INDEX and RAW_SQL */
    name column;         /* ADD/DROP/RENAME_COLUMN, alter_column forms */
    name new_name;       /* RENAME_TABLE, RENAME_COLUMN */
    name index;          /* CREATE_INDEX, DROP_INDEX */
    name cname;          /* DROP_CONSTRAINT */

    /* CREATE_TABLE: columns and table constraints in the order written
     * (the order matters for constraint naming and emission). */
    column_def **cols;
    uint32_t ncols;
    constraint **cons;
    uint32_t ncons;

    column_def *coldef;  /* ADD_COLUMN */

    expr *value;         /* SET_DEFAULT: the default; ALTER_TYPE: `using` expr or NULL */
    sql_type type;       /* ALTER_TYPE */
    loc type_at;

    /* CREATE_INDEX */
    index_elem *elems;
    uint32_t nelems;
    bool unique, concurrently;
    name method;         /* `using gin`; method.s == NULL when absent */
    expr *where;         /* CREATE_INDEX predicate; BACKFILL and DELETE condition */

    constraint *con;     /* ADD_FOREIGN_KEY, ADD_UNIQUE, ADD_CHECK, SET_PRIMARY_KEY */

    /* BACKFILL */
    assignment *sets;
    uint32_t nsets;
    int64_t batch;       /* 0: not batched */
    loc batch_at;

    /* INSERT: columns, then rows of values (nrows × insert_cols.n) */
    name_list insert_cols;
    expr ***rows;
    uint32_t nrows;
    uint32_t *row_lens;  /* values written in each row (the checker reports a
                            count that differs from insert_cols.n); NULL: every
                            row has insert_cols.n values */

    /* RAW_SQL */
    raw_dialect dialect;
    const char *sql;     /* raw text between the triple quotes, as written */
    bool has_raw_down;
    const char *raw_down;
    bool no_transaction;
} stmt;

typedef struct migration {
    int64_t version;
    const char *slug;        /* file name part after "<version>_" without ".mig" */
    const char *description; /* slug with '_' read as a space */
    const source *src;
    stmt **stmts;            /* up statements, in order */
    uint32_t nstmts;
    bool has_down;           /* an explicit `down { … }` (possibly empty) */
    loc down_at;
    stmt **down;
    uint32_t ndown;
    bool irreversible;
    loc irreversible_at;
    bool parse_failed;       /* the file had syntax errors: its statements are partial */
} migration;

typedef struct history {
    migration **migs;        /* sorted by version */
    uint32_t n;
    bool files_failed;       /* a file could not be named, read or given its own version */
    int64_t failed_from;     /* with files_failed: the lowest version such a file has
                                (from its name's leading digits), or 0 when one of
                                them has none: the order is then unknown */
} history;

/* Names for dumps and messages. */
const char *type_kind_name(type_kind k);
const char *stmt_kind_name(stmt_kind k);
const char *func_name(func_kind f);
const char *op_name(op_kind o);

/* Constructors used by the parser's actions. All allocate in a; none fail. */
expr *ast_expr(arena *a, expr_kind kind, loc at);
expr *ast_expr_add_arg(arena *a, expr *e, expr *arg); /* appends; returns e */
stmt *ast_stmt(arena *a, stmt_kind kind, loc at);
column_def *ast_column(arena *a, name n, sql_type t, loc type_at);
constraint *ast_constraint(arena *a, constraint_kind kind, loc at);

#endif
