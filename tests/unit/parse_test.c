/* parse_test.c: unit tests of the parser (parse_migration) on the AST level:
 * precedence, the restricted expressions of `default` and `between`,
 * contextual keywords, index and backfill options, raw blocks and downs,
 * names (folding, quoting), error recovery counts, and the location of
 * every node. Each check prints what differed; the exit status is the
 * number of failed checks (0: all passed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "diag.h"
#include "frontend.h"

static int failures;
static FILE *sink;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                          \
        }                                                                        \
    } while (0)

/* Parses text as one migration; returns it and stores the error count. */
static migration *parse(arena *a, const char *text, unsigned *errors)
{
    diag_ctx *d = diag_new(a, sink, false, false);
    source *src = source_from_text(a, "test.mig", text, strlen(text));
    migration *m = arena_alloc(a, sizeof *m);
    m->version = 1;
    *errors = parse_migration(a, d, src, m);
    return m;
}

/* Prints an expression in a fully parenthesised form into b. */
static void show(strbuf *b, const expr *e)
{
    switch (e->kind) {
    case E_INT: case E_DEC: sb_puts(b, e->text); return;
    case E_STR: sb_printf(b, "'%s'", e->text); return;
    case E_BOOL: sb_puts(b, e->bval ? "true" : "false"); return;
    case E_NULL: sb_puts(b, "null"); return;
    case E_COLUMN: sb_puts(b, e->col.s); return;
    case E_CURRENT_DATE: sb_puts(b, "current_date"); return;
    case E_UNARY:
        sb_printf(b, "(%s ", op_name(e->op));
        show(b, e->args[0]);
        sb_putc(b, ')');
        return;
    case E_BINARY:
        sb_putc(b, '(');
        show(b, e->args[0]);
        sb_printf(b, " %s ", op_name(e->op));
        show(b, e->args[1]);
        sb_putc(b, ')');
        return;
    case E_IS_NULL:
        sb_putc(b, '(');
        show(b, e->args[0]);
        sb_puts(b, e->negated ? " is not null)" : " is null)");
        return;
    case E_IN: case E_LIKE: case E_BETWEEN:
        sb_putc(b, '(');
        show(b, e->args[0]);
        sb_puts(b, e->negated ? " not" : "");
        sb_puts(b, e->kind == E_IN ? " in" : e->kind == E_LIKE ? " like" : " between");
        for (uint32_t i = 1; i < e->nargs; i++) {
            sb_putc(b, ' ');
            show(b, e->args[i]);
        }
        sb_putc(b, ')');
        return;
    case E_CASE:
        sb_puts(b, "(case");
        for (uint32_t i = 0; i < e->nargs; i++) {
            sb_putc(b, ' ');
            show(b, e->args[i]);
        }
        sb_puts(b, e->has_else ? " has_else)" : ")");
        return;
    case E_CAST:
        sb_puts(b, "(cast ");
        show(b, e->args[0]);
        sb_printf(b, " %s)", type_kind_name(e->cast_to.kind));
        return;
    case E_CALL:
        sb_printf(b, "%s(", func_name(e->fn));
        for (uint32_t i = 0; i < e->nargs; i++) {
            if (i)
                sb_puts(b, ", ");
            show(b, e->args[i]);
        }
        sb_putc(b, ')');
        return;
    default:
        sb_puts(b, "?");
    }
}

/* Parses `delete from t where <src>` and compares the printed condition. */
static void expect_expr(const char *src, const char *want)
{
    arena *a = arena_new();
    char *text = arena_printf(a, "delete from t where %s", src);
    unsigned errors;
    migration *m = parse(a, text, &errors);
    if (errors || m->nstmts != 1 || !m->stmts[0]->where) {
        fprintf(stderr, "expression '%s': %u errors\n", src, errors);
        failures++;
    } else {
        strbuf b;
        sb_init(&b, a);
        show(&b, m->stmts[0]->where);
        if (strcmp(sb_str(&b), want)) {
            fprintf(stderr, "expression '%s': got %s, want %s\n", src, sb_str(&b), want);
            failures++;
        }
    }
    arena_free(a);
}

static void test_expressions(void)
{
    expect_expr("a + b * c - d", "((a + (b * c)) - d)");
    expect_expr("a || b || c", "((a || b) || c)");
    expect_expr("a = 1 and b = 2 or not c", "(((a = 1) and (b = 2)) or (not c))");
    expect_expr("not a = b", "(not (a = b))");
    expect_expr("a is not null and b is null", "((a is not null) and (b is null))");
    expect_expr("a not in (1, 2) or b in (3)", "((a not in 1 2) or (b in 3))");
    expect_expr("a between 1 and 2 and b", "((a between 1 2) and b)");
    expect_expr("a not between 1 + 1 and 2 * 3", "(a not between (1 + 1) (2 * 3))");
    expect_expr("name not like 'x%' ", "(name not like 'x%')");
    expect_expr("a = b not in (1)", "(a = (b not in 1))");
    expect_expr("- a * - 2", "((- a) * (- 2))");
    expect_expr("case when a then 1 when b then 2 else 3 end",
                "(case a 1 b 2 3 has_else)");
    expect_expr("cast(a as bigint) > 2.5", "((cast a bigint) > 2.5)");
    expect_expr("lower(trim(s)) = 'it''s'", "(lower(trim(s)) = 'it's')");
    expect_expr("now() > current_date", "(now() > current_date)");
    expect_expr("coalesce(a, b, c) % 2 <> 0", "((coalesce(a, b, c) % 2) <> 0)");
    expect_expr("type = key and value >= batch and \"Where\" != status",
                "(((type = key) and (value >= batch)) and (Where <> status))");
    expect_expr("A = \"A\"", "(a = A)");
    expect_expr("(((a)))", "a");
}

static void test_statements(void)
{
    arena *a = arena_new();
    unsigned errors;
    migration *m = parse(a,
        "CREATE_TABLE Users {\n"
        "  id bigint identity primary key name users_pk,\n"
        "  score numeric(10, 2) default 0 not null check (score >= 0),\n"
        "  email varchar(200) null unique references emails (addr) on update cascade on delete set null,\n"
        "  foreign key (score, email) references other name fk_x,\n"
        "}\n"
        "add_column users.active bool not null default true allow data_loss;\n"
        "create_index i on users using gin (email gin_trgm_ops, score desc) where score > 0 unique\n"
        "backfill users set score = 1, email = 'x' batch 500 where score is null\n"
        "insert into users (id, score) values (1), (2, 3)\n"
        "sql sqlite \"\"\"SELECT \"x\" \"\"\" no_transaction down \"\"\"\"\"\"\n"
        "alter_column users.score type bigint using cast(score as bigint)\n"
        "down {\n  drop_table users\n}\n",
        &errors);
    CHECK(errors == 0);
    CHECK(m->nstmts == 7);
    CHECK(m->has_down && m->ndown == 1 && m->down[0]->kind == S_DROP_TABLE);
    CHECK(m->down_at.line == 13 && m->down_at.col == 1);
    if (m->nstmts == 7) {
        stmt *ct = m->stmts[0];
        CHECK(ct->kind == S_CREATE_TABLE && !strcmp(ct->table.s, "users"));
        CHECK(ct->ncols == 3 && ct->ncons == 1);
        column_def *id = ct->cols[0];
        CHECK(id->identity && id->not_null && id->ncons == 1);
        CHECK(id->cons[0]->kind == CON_PRIMARY_KEY && !strcmp(id->cons[0]->cname.s, "users_pk"));
        CHECK(id->cons[0]->cols.n == 1 && !strcmp(id->cons[0]->cols.items[0].s, "id"));
        column_def *score = ct->cols[1];
        CHECK(score->type.kind == TY_NUMERIC && score->type.p == 10 && score->type.s == 2);
        CHECK(score->not_null && score->dflt && score->dflt->kind == E_INT);
        CHECK(score->ncons == 1 && score->cons[0]->kind == CON_CHECK);
        CHECK(score->type_at.line == 3 && score->type_at.col == 9);
        column_def *email = ct->cols[2];
        CHECK(email->type.kind == TY_VARCHAR && email->type.p == 200 && email->null_written);
        CHECK(email->ncons == 2 && email->cons[1]->kind == CON_FOREIGN_KEY);
        CHECK(email->cons[1]->on_update == FK_CASCADE && email->cons[1]->on_delete == FK_SET_NULL);
        CHECK(email->cons[1]->ref_cols.n == 1 && !email->cons[1]->cname.s);
        CHECK(ct->cons[0]->kind == CON_FOREIGN_KEY && ct->cons[0]->cols.n == 2 &&
              ct->cons[0]->ref_cols.n == 0);

        stmt *ac = m->stmts[1];
        CHECK(ac->kind == S_ADD_COLUMN && ac->allow_data_loss && ac->allow_at.line == 7);
        CHECK(ac->coldef && !strcmp(ac->coldef->cname.s, "active") && ac->coldef->not_null);

        stmt *ix = m->stmts[2];
        CHECK(ix->kind == S_CREATE_INDEX && ix->unique && !ix->concurrently);
        CHECK(ix->method.s && !strcmp(ix->method.s, "gin") && ix->nelems == 2);
        CHECK(ix->elems[0].opclass.s && !strcmp(ix->elems[0].opclass.s, "gin_trgm_ops"));
        CHECK(ix->elems[1].desc && !ix->elems[0].desc && ix->where);

        stmt *bf = m->stmts[3];
        CHECK(bf->kind == S_BACKFILL && bf->nsets == 2 && bf->batch == 500 && bf->where);

        stmt *ins = m->stmts[4];
        CHECK(ins->kind == S_INSERT && ins->nrows == 2 && ins->insert_cols.n == 2);
        CHECK(ins->row_lens && ins->row_lens[0] == 1 && ins->row_lens[1] == 2);

        stmt *raw = m->stmts[5];
        CHECK(raw->kind == S_RAW_SQL && raw->dialect == RAW_SQLITE && raw->no_transaction);
        CHECK(!strcmp(raw->sql, "SELECT \"x\" ") && raw->has_raw_down && !strcmp(raw->raw_down, ""));

        stmt *at = m->stmts[6];
        CHECK(at->kind == S_ALTER_TYPE && at->type.kind == TY_BIGINT && at->value &&
              at->value->kind == E_CAST);
    }
    arena_free(a);

    /* `sql … down {` is the migration's down; irreversible alone. */
    a = arena_new();
    m = parse(a, "sql \"\"\"x\"\"\" down { } ;;", &errors);
    CHECK(errors == 0 && m->nstmts == 1 && m->has_down && m->ndown == 0);
    CHECK(!m->stmts[0]->has_raw_down);
    m = parse(a, "irreversible", &errors);
    CHECK(errors == 0 && m->irreversible && m->nstmts == 0);
    m = parse(a, "-- nothing\n/* at all */", &errors);
    CHECK(errors == 0 && m->nstmts == 0 && !m->has_down && !m->irreversible);
    arena_free(a);
}

static void test_recovery(void)
{
    arena *a = arena_new();
    unsigned errors;
    /* One error per broken statement; the good ones are kept. */
    migration *m = parse(a,
                         "drop_table a\n"
                         "create_table b { x int, }\n"
                         "create_table c { x }\n"
                         "drop_table d\n"
                         "rename_table e f\n"
                         "drop_index g\n"
                         "add_column h.i int default ,\n"
                         "drop_table j\n",
                         &errors);
    CHECK(errors == 3);
    CHECK(m->nstmts == 5);
    arena_free(a);
}

int main(void)
{
    sink = fopen("/dev/null", "w");
    if (!sink) {
        perror("/dev/null");
        return 1;
    }
    test_expressions();
    test_statements();
    test_recovery();
    if (fclose(sink) != 0)
        failures++;
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
