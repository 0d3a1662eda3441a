/* test_catalog.c: unit tests of the catalog and the checker's type
 * inference, below the level of diagnostics: the names PostgreSQL would
 * give unnamed constraints (labels, column additions, 63-byte truncation,
 * collision numbering in the relation and constraint namespaces), snapshots
 * that share structure yet stay independent, the NOT NULL proof state,
 * rename_column rewriting stored expressions, raw-SQL table detection, and
 * the type and nullability annotated on expressions. Each failed check is
 * printed; the exit status is 1 when any failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "catalog.h"
#include "checker.h"
#include "diag.h"
#include "frontend.h"
#include "types.h"

static int failures;
static FILE *sink;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
            failures++;                                                               \
        }                                                                             \
    } while (0)

#define CHECK_STR(got, want)                                                          \
    do {                                                                              \
        const char *g_ = (got), *w_ = (want);                                         \
        if (!g_ || strcmp(g_, w_)) {                                                  \
            fprintf(stderr, "%s:%d: got '%s', want '%s'\n", __FILE__, __LINE__,        \
                    g_ ? g_ : "(null)", w_);                                          \
            failures++;                                                               \
        }                                                                             \
    } while (0)

/* Parses each text as migration 1, 2, ... and checks the history with
 * snapshots. *errors gets the number of errors reported. */
static checked_history *check_texts(arena *a, const char *const *texts, unsigned n, unsigned *errors)
{
    diag_ctx *d = diag_new(a, sink, false, false);
    history *h = arena_alloc(a, sizeof *h);
    h->migs = arena_alloc(a, n * sizeof *h->migs);
    h->n = n;
    for (unsigned i = 0; i < n; i++) {
        char *path = arena_printf(a, "%04u_m.mig", i + 1);
        source *src = source_from_text(a, path, texts[i], strlen(texts[i]));
        migration *m = arena_alloc(a, sizeof *m);
        m->version = (int64_t)i + 1;
        m->src = src;
        unsigned perr = parse_migration(a, d, src, m);
        CHECK(perr == 0);
        h->migs[i] = m;
    }
    checked_history *ch = check_history_snapshots(a, d, h);
    *errors = diag_errors(d);
    return ch;
}

static const char *con_name(const catalog *c, const char *table, unsigned i)
{
    const cat_table *t = catalog_table(c, table);
    return t && i < t->ncons ? t->cons[i]->name : NULL;
}

static void test_generated_names(void)
{
    arena *a = arena_new();
    static const char *const texts[] = {
        "create_table orgs { id bigint primary key }\n"
        "create_table users {\n"
        "  id int primary key,\n"
        "  email text unique,\n"
        "  score int check (score >= 0),\n"
        "  org_id bigint references orgs(id),\n"
        "  name text,\n"
        "  unique (org_id, name),\n"
        "  check (score < 10 and score > -1),\n"
        "  check (score <> 5 or name is null),\n"
        "}\n",
        /* A table whose name is what an unnamed unique would get. */
        "create_table t_a_key { id int }\n"
        "create_table t { a int unique }\n"
        /* Check names are unique in the schema: t_a_check is taken. */
        "create_table t_a { id int, k int, check (id > k) }\n"
        "add_check t (a > 0)\n",
        /* 63-byte truncation: name1 and name2 shortened alternately. */
        "create_table aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa {\n"
        "  bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb int unique,\n"
        "  c int unique,\n"
        "}\n",
    };
    unsigned errors;
    checked_history *ch = check_texts(a, texts, 3, &errors);
    CHECK(errors == 0);
    const catalog *c = ch->after[0];
    CHECK_STR(con_name(c, "orgs", 0), "orgs_pkey");
    CHECK_STR(con_name(c, "users", 0), "users_pkey");
    CHECK_STR(con_name(c, "users", 1), "users_email_key");
    CHECK_STR(con_name(c, "users", 2), "users_score_check");
    CHECK_STR(con_name(c, "users", 3), "users_org_id_fkey");
    CHECK_STR(con_name(c, "users", 4), "users_org_id_name_key");
    /* PostgreSQL 15: one distinct column (however often) names the check. */
    CHECK_STR(con_name(c, "users", 5), "users_score_check1");
    CHECK_STR(con_name(c, "users", 6), "users_check");
    /* The AST carries the same names for the emitters. */
    CHECK_STR(ch->h->migs[0]->stmts[1]->cols[1]->cons[0]->resolved_name, "users_email_key");

    c = ch->after[1];
    CHECK_STR(con_name(c, "t", 0), "t_a_key1");
    CHECK_STR(con_name(c, "t_a", 0), "t_a_check");
    CHECK_STR(con_name(c, "t", 1), "t_a_check1");

    c = ch->after[2];
    const char *t60 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const char *n0 = con_name(c, t60, 0);
    CHECK(n0 && strlen(n0) == 63);
    CHECK_STR(n0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbb_key");
    CHECK_STR(con_name(c, t60, 1), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_c_key");
    arena_free(a);
}

static void test_snapshots(void)
{
    arena *a = arena_new();
    static const char *const texts[] = {
        "create_table users { id int primary key, name text }\n"
        "create_table logs { id int primary key }\n",
        "add_column users.email text default 'x'\n"
        "rename_column users.name to full_name\n"
        "create_index users_name_idx on users (lower(full_name)) where full_name is not null\n"
        "add_check users (full_name <> '')\n",
        "drop_table logs allow data_loss\n"
        "rename_column users.full_name to display_name\n",
    };
    unsigned errors;
    checked_history *ch = check_texts(a, texts, 3, &errors);
    CHECK(errors == 0);
    const catalog *c0 = ch->after[0], *c1 = ch->after[1], *c2 = ch->after[2];
    CHECK(c0->ntables == 2 && c1->ntables == 2 && c2->ntables == 1);
    const cat_table *u0 = catalog_table(c0, "users"), *u1 = catalog_table(c1, "users");
    CHECK(u0 && u0->ncols == 2 && catalog_column(u0, "name") && !catalog_column(u0, "email"));
    CHECK(u1 && u1->ncols == 3 && catalog_column(u1, "full_name") && catalog_column(u1, "email"));
    /* An unchanged table is shared between snapshots. */
    CHECK(catalog_table(c0, "logs") == catalog_table(c1, "logs"));
    CHECK(!catalog_table(c2, "logs") && catalog_table(c1, "logs"));
    CHECK(c0->nindexes == 0 && c1->nindexes == 1 && c2->nindexes == 1);
    /* rename_column rewrote the stored index expression and check. */
    const cat_index *ix = catalog_index(c2, "users_name_idx");
    CHECK(ix && ix->ncols == 1 && !strcmp(ix->cols[0], "display_name"));
    CHECK(ix && ix->elems[0].e->kind == E_CALL && !strcmp(ix->elems[0].e->args[0]->col.s, "display_name"));
    CHECK(ix && ix->where && !strcmp(ix->where->args[0]->col.s, "display_name"));
    const cat_index *ix1 = catalog_index(c1, "users_name_idx");
    CHECK(ix1 && !strcmp(ix1->elems[0].e->args[0]->col.s, "full_name"));
    const cat_table *u2 = catalog_table(c2, "users");
    const cat_constraint *chk = u2 ? catalog_constraint(u2, "users_full_name_check") : NULL;
    CHECK(chk && chk->check && !strcmp(chk->check->args[0]->col.s, "display_name"));
    CHECK(ch->head == NULL || catalog_table(ch->head, "users") != NULL);
    arena_free(a);
}

/* catalog_freeze(): objects taken before a change stay as they were, while
 * the catalog changes its own arrays in place. */
static void test_freeze(void)
{
    arena *a = arena_new();
    diag_ctx *d = diag_new(a, sink, false, false);
    const char *text = "create_table users { id int primary key, name text }\n"
                       "create_table logs { id int primary key }\n"
                       "add_column users.email text\n"
                       "alter_column users.name set not null\n"
                       "drop_table logs allow data_loss\n";
    source *src = source_from_text(a, "0001_m.mig", text, strlen(text));
    migration *m = arena_alloc(a, sizeof *m);
    m->version = 1;
    m->src = src;
    CHECK(parse_migration(a, d, src, m) == 0 && m->nstmts == 5);
    if (m->nstmts != 5) {
        arena_free(a);
        return;
    }
    catalog *c = catalog_new(a);
    catalog_apply(c, m, m->stmts[0]);
    catalog_apply(c, m, m->stmts[1]);
    catalog_freeze(c);
    const cat_table *before = catalog_table(c, "users");
    cat_table *const *array = c->tables;
    catalog_apply(c, m, m->stmts[2]);
    catalog_apply(c, m, m->stmts[3]);
    const cat_table *after = catalog_table(c, "users");
    CHECK(before && after && before != after);
    CHECK(before && before->ncols == 2 && !catalog_column(before, "name")->not_null);
    CHECK(after && after->ncols == 3 && catalog_column(after, "name")->not_null);
    CHECK(c->tables == array); /* changed in place: no copy of the array */
    catalog_apply(c, m, m->stmts[4]);
    CHECK(c->ntables == 1 && catalog_table(c, "users") == after && !catalog_table(c, "logs"));
    arena_free(a);
}

static void test_not_null_proof_state(void)
{
    arena *a = arena_new();
    static const char *const texts[] = {
        "create_table users { id int primary key, a text, b text default 'x', c text }\n",
        "backfill users set a = 'v' where a is null\n"
        "backfill users set c = 'v' where id > 3\n"
        "insert into users (id) values (1)\n",
    };
    unsigned errors;
    checked_history *ch = check_texts(a, texts, 2, &errors);
    CHECK(errors == 0);
    const cat_table *u0 = catalog_table(ch->after[0], "users");
    const cat_table *u1 = catalog_table(ch->after[1], "users");
    CHECK(u0 && !catalog_column(u0, "a")->proven_non_null);
    CHECK(u0 && catalog_column(u0, "b")->proven_non_null);
    CHECK(u0 && !u0->maybe_has_rows && u0->created_version == 1);
    /* The insert left a NULL in a (no default): its proof is gone again. */
    CHECK(u1 && !catalog_column(u1, "a")->proven_non_null);
    CHECK(u1 && catalog_column(u1, "b")->proven_non_null);
    CHECK(u1 && !catalog_column(u1, "c")->proven_non_null);
    CHECK(u1 && u1->maybe_has_rows);
    arena_free(a);
}

/* Returns the type kind and nullability of the value of the first
 * backfill assignment of the last statement. */
static const expr *backfill_value(arena *a, const char *stmt)
{
    const char *texts[2] = {
        "create_table t { id bigint primary key, s smallint not null, i int, b bigint not null,\n"
        "  d double, n numeric(10,2), x text, v varchar(5) not null, ts timestamp, dt date }\n",
        stmt,
    };
    unsigned errors;
    checked_history *ch = check_texts(a, texts, 2, &errors);
    CHECK(errors == 0);
    const migration *m = ch->h->migs[1];
    if (errors || !m->nstmts || m->stmts[m->nstmts - 1]->kind != S_BACKFILL)
        return NULL;
    return m->stmts[m->nstmts - 1]->sets[0].value;
}

static void expect_type(const char *stmt, type_kind kind, bool nullable)
{
    arena *a = arena_new();
    const expr *e = backfill_value(a, stmt);
    if (!e || e->type.kind != kind || e->nullable != nullable) {
        fprintf(stderr, "%s:%d: %s: got %s%s, want %s%s\n", __FILE__, __LINE__, stmt,
                e ? type_kind_name(e->type.kind) : "(none)", e && e->nullable ? " null" : "",
                type_kind_name(kind), nullable ? " null" : "");
        failures++;
    }
    arena_free(a);
}

static void test_expression_types(void)
{
    expect_type("backfill t set s = s + 1", TY_SMALLINT, false);
    expect_type("backfill t set b = s * b", TY_BIGINT, false);
    expect_type("backfill t set n = i + n", TY_NUMERIC, true);
    expect_type("backfill t set d = i + d", TY_DOUBLE, true);
    expect_type("backfill t set d = n + d", TY_DOUBLE, true);
    expect_type("backfill t set b = b / 2", TY_BIGINT, false);
    expect_type("backfill t set b = b / s", TY_BIGINT, true); /* NULL on SQLite for 0 */
    expect_type("backfill t set b = s + 100000", TY_INT, false);
    expect_type("backfill t set x = x || 'a'", TY_TEXT, true);
    expect_type("backfill t set x = coalesce(x, v)", TY_TEXT, false);
    expect_type("backfill t set x = nullif(v, 'a')", TY_VARCHAR, true);
    expect_type("backfill t set ts = now()", TY_TIMESTAMPTZ, false);
    expect_type("backfill t set dt = current_date", TY_DATE, false);
    expect_type("backfill t set i = length(v)", TY_INT, false);
    expect_type("backfill t set x = case when i > 1 then 'a' else v end", TY_VARCHAR, false);
    expect_type("backfill t set x = case when i > 1 then 'a' end", TY_TEXT, true);
    expect_type("backfill t set i = cast(x as int)", TY_INT, true);
    expect_type("backfill t set n = round(n, 1)", TY_NUMERIC, true);
    expect_type("backfill t set s = abs(s)", TY_SMALLINT, false);
}

static void test_types_module(void)
{
    CHECK(type_widens(type_of(TY_INT), type_of(TY_BIGINT)));
    CHECK(!type_widens(type_of(TY_BIGINT), type_of(TY_INT)));
    sql_type v10 = {TY_VARCHAR, 10, -1}, v20 = {TY_VARCHAR, 20, -1};
    CHECK(type_widens(v10, v20) && !type_widens(v20, v10));
    CHECK(type_widens(v10, type_of(TY_TEXT)) && !type_widens(type_of(TY_TEXT), v10));
    sql_type n102 = {TY_NUMERIC, 10, 2}, n122 = {TY_NUMERIC, 12, 2}, n103 = {TY_NUMERIC, 10, 3};
    CHECK(type_widens(n102, n122) && !type_widens(n122, n102) && !type_widens(n102, n103));
    CHECK(type_widens(type_of(TY_INT), n122) && !type_widens(type_of(TY_BIGINT), n122));
    CHECK(type_alter_lossless(type_of(TY_INT), type_of(TY_TEXT)));
    CHECK(!type_castable(type_of(TY_BOOL), type_of(TY_DATE)));
    CHECK(type_castable(type_of(TY_TEXT), type_of(TY_UUID)));
    char buf[32];
    CHECK_STR(type_str(n102, buf, sizeof buf), "numeric(10,2)");
    CHECK_STR(type_str(v20, buf, sizeof buf), "varchar(20)");
    CHECK(raw_sql_names("UPDATE Users SET a = 1", "users"));
    CHECK(!raw_sql_names("UPDATE users_old SET a = 1", "users"));
}

int main(void)
{
    sink = fopen("/dev/null", "w");
    if (!sink) {
        perror("/dev/null");
        return 1;
    }
    test_generated_names();
    test_snapshots();
    test_freeze();
    test_not_null_proof_state();
    test_expression_types();
    test_types_module();
    if (fclose(sink) != 0)
        failures++;
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
