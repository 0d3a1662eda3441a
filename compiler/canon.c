/* canon.c: the canonical form of a migration's up direction and its
 * checksum (DESIGN §3).
 *
 * The canonical form prints the AST of the up statements in one fixed
 * layout: names as folded (always double-quoted, so quoting a lower-case
 * name changes nothing), keywords lower-case, expressions fully
 * parenthesised, no comments, no `;`, no `allow data_loss`, no locations;
 * raw SQL byte-exact with CR LF and lone CR turned into LF and prefixed with
 * its length. The down block, `irreversible`, raw downs and the file name
 * are not part of it: fixing a down or acknowledging data loss keeps the
 * checksum. The checksum is "v1:" + lower-case hex SHA-256 (libcrypto EVP). */
#include <openssl/evp.h>
#include <string.h>

#include "emit.h"

/* Appends a name, always double-quoted (so quoting never changes meaning). */
static void c_name(strbuf *b, const char *s)
{
    sb_putc(b, '"');
    for (; s && *s; s++) {
        if (*s == '"')
            sb_putc(b, '"');
        sb_putc(b, *s);
    }
    sb_putc(b, '"');
}

/* Appends a type with its parameters. */
static void c_type(strbuf *b, sql_type t)
{
    sb_puts(b, type_kind_name(t.kind));
    if (t.p >= 0 && t.s >= 0)
        sb_printf(b, "(%d,%d)", (int)t.p, (int)t.s);
    else if (t.p >= 0)
        sb_printf(b, "(%d)", (int)t.p);
}

/* Appends an expression in prefix form, fully parenthesised. */
static void c_expr(strbuf *b, const expr *e)
{
    if (!e) {
        sb_puts(b, "_");
        return;
    }
    switch (e->kind) {
    case E_INT:
    case E_DEC: sb_puts(b, e->text); return;
    case E_STR: sb_literal(b, e->text); return;
    case E_BOOL: sb_puts(b, e->bval ? "true" : "false"); return;
    case E_NULL: sb_puts(b, "null"); return;
    case E_COLUMN: c_name(b, e->col.s); return;
    case E_CURRENT_DATE: sb_puts(b, "current_date"); return;
    default: break;
    }
    sb_putc(b, '(');
    switch (e->kind) {
    case E_UNARY: sb_puts(b, e->op == OP_NOT ? "not" : "neg"); break;
    case E_BINARY: sb_puts(b, op_name(e->op)); break;
    case E_IS_NULL: sb_puts(b, e->negated ? "is_not_null" : "is_null"); break;
    case E_IN: sb_puts(b, e->negated ? "not_in" : "in"); break;
    case E_BETWEEN: sb_puts(b, e->negated ? "not_between" : "between"); break;
    case E_LIKE: sb_puts(b, e->negated ? "not_like" : "like"); break;
    case E_CASE: sb_puts(b, e->has_else ? "case_else" : "case"); break;
    case E_CAST:
        sb_puts(b, "cast ");
        c_type(b, e->cast_to);
        break;
    case E_CALL: sb_printf(b, "call %s", func_name(e->fn)); break;
    default: sb_puts(b, "?"); break;
    }
    for (uint32_t i = 0; i < e->nargs; i++) {
        sb_putc(b, ' ');
        c_expr(b, e->args[i]);
    }
    sb_putc(b, ')');
}

/* Appends "(a b c)". */
static void c_names(strbuf *b, const name_list *l)
{
    sb_putc(b, '(');
    for (uint32_t i = 0; i < l->n; i++) {
        if (i)
            sb_putc(b, ' ');
        c_name(b, l->items[i].s);
    }
    sb_putc(b, ')');
}

static const char *const con_kinds[] = {"primary_key", "unique", "check", "foreign_key"};
static const char *const fk_actions[] = {"no_action", "restrict", "cascade", "set_null", "set_default"};

/* Appends a constraint as written (its written name only). */
static void c_constraint(strbuf *b, const constraint *c)
{
    sb_printf(b, " (%s", con_kinds[c->kind]);
    if (c->cname.s) {
        sb_puts(b, " name ");
        c_name(b, c->cname.s);
    }
    sb_putc(b, ' ');
    c_names(b, &c->cols);
    if (c->kind == CON_CHECK) {
        sb_putc(b, ' ');
        c_expr(b, c->check);
    }
    if (c->kind == CON_FOREIGN_KEY) {
        sb_puts(b, " references ");
        c_name(b, c->ref_table.s);
        sb_putc(b, ' ');
        c_names(b, &c->ref_cols);
        sb_printf(b, " %s %s", fk_actions[c->on_delete], fk_actions[c->on_update]);
    }
    sb_putc(b, ')');
}

/* Appends a column definition with its inline constraints. */
static void c_column(strbuf *b, const column_def *c)
{
    sb_puts(b, " (column ");
    c_name(b, c->cname.s);
    sb_putc(b, ' ');
    c_type(b, c->type);
    if (c->identity)
        sb_puts(b, " identity");
    if (c->not_null)
        sb_puts(b, " not_null");
    if (c->dflt) {
        sb_puts(b, " default ");
        c_expr(b, c->dflt);
    }
    for (uint32_t i = 0; i < c->ncons; i++)
        c_constraint(b, c->cons[i]);
    sb_putc(b, ')');
}

/* Raw SQL, line endings normalised, length-prefixed. */
static void c_raw(strbuf *b, const char *s)
{
    strbuf t;
    sb_init(&t, b->a);
    for (; s && *s; s++) {
        if (*s == '\r') {
            sb_putc(&t, '\n');
            if (s[1] == '\n')
                s++;
        } else {
            sb_putc(&t, *s);
        }
    }
    sb_printf(b, " %zu:", t.n);
    sb_putn(b, sb_str(&t), t.n);
}

/* Appends one statement and a newline; allow data_loss is left out. */
static void c_stmt(strbuf *b, const stmt *s)
{
    sb_puts(b, stmt_kind_name(s->kind));
    if (s->kind != S_DROP_INDEX && s->kind != S_RAW_SQL) {
        sb_putc(b, ' ');
        c_name(b, s->table.s);
    }
    if (s->column.s) {
        sb_putc(b, '.');
        c_name(b, s->column.s);
    }
    if (s->new_name.s) {
        sb_puts(b, " to ");
        c_name(b, s->new_name.s);
    }
    if (s->index.s) {
        sb_puts(b, " index ");
        c_name(b, s->index.s);
    }
    if (s->cname.s) {
        sb_puts(b, " constraint ");
        c_name(b, s->cname.s);
    }
    for (uint32_t i = 0; i < s->ncols; i++)
        c_column(b, s->cols[i]);
    for (uint32_t i = 0; i < s->ncons; i++)
        c_constraint(b, s->cons[i]);
    if (s->coldef)
        c_column(b, s->coldef);
    switch (s->kind) {
    case S_SET_DEFAULT:
        sb_puts(b, " default ");
        c_expr(b, s->value);
        break;
    case S_ALTER_TYPE:
        sb_puts(b, " type ");
        c_type(b, s->type);
        if (s->value) {
            sb_puts(b, " using ");
            c_expr(b, s->value);
        }
        break;
    case S_CREATE_INDEX:
        sb_puts(b, " (");
        for (uint32_t i = 0; i < s->nelems; i++) {
            sb_puts(b, i ? " (" : "(");
            c_expr(b, s->elems[i].e);
            if (s->elems[i].desc)
                sb_puts(b, " desc");
            if (s->elems[i].opclass.s) {
                sb_puts(b, " opclass ");
                c_name(b, s->elems[i].opclass.s);
            }
            sb_putc(b, ')');
        }
        sb_putc(b, ')');
        if (s->unique)
            sb_puts(b, " unique");
        if (s->method.s) {
            sb_puts(b, " using ");
            c_name(b, s->method.s);
        }
        if (s->concurrently)
            sb_puts(b, " concurrently");
        break;
    case S_BACKFILL:
        for (uint32_t i = 0; i < s->nsets; i++) {
            sb_puts(b, " set ");
            c_name(b, s->sets[i].col.s);
            sb_putc(b, ' ');
            c_expr(b, s->sets[i].value);
        }
        if (s->batch > 0)
            sb_printf(b, " batch %lld", (long long)s->batch);
        break;
    case S_INSERT:
        sb_putc(b, ' ');
        c_names(b, &s->insert_cols);
        for (uint32_t r = 0; r < s->nrows; r++) {
            sb_puts(b, " (");
            for (uint32_t i = 0; i < s->insert_cols.n; i++) {
                if (i)
                    sb_putc(b, ' ');
                c_expr(b, s->rows[r][i]);
            }
            sb_putc(b, ')');
        }
        break;
    case S_RAW_SQL:
        sb_puts(b, s->dialect == RAW_POSTGRES ? " postgres" : s->dialect == RAW_SQLITE ? " sqlite" : " both");
        if (s->no_transaction)
            sb_puts(b, " no_transaction");
        c_raw(b, s->sql);
        break;
    default: break;
    }
    if (s->con)
        c_constraint(b, s->con);
    if (s->where) {
        sb_puts(b, " where ");
        c_expr(b, s->where);
    }
    sb_putc(b, '\n');
}

const char *canon_migration(arena *a, const migration *mig)
{
    strbuf b;
    sb_init(&b, a);
    sb_puts(&b, "migc canonical v1\n");
    for (uint32_t i = 0; i < mig->nstmts; i++)
        c_stmt(&b, mig->stmts[i]);
    return sb_str(&b);
}

/* The canonical text lives in a scratch arena, released once hashed: a
 * checksum per migration then costs its 68 bytes, not the text. */
const char *canon_checksum(arena *a, const migration *mig)
{
    arena *scratch = arena_new();
    const char *text = canon_migration(scratch, mig);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    int ok = EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL);
    arena_free(scratch);
    if (ok != 1)
        return NULL;
    static const char hex[] = "0123456789abcdef";
    char *out = arena_alloc(a, 3 + 2 * mdlen + 1);
    memcpy(out, "v1:", 3);
    for (unsigned i = 0; i < mdlen; i++) {
        out[3 + 2 * i] = hex[md[i] >> 4];
        out[3 + 2 * i + 1] = hex[md[i] & 15];
    }
    out[3 + 2 * mdlen] = '\0';
    return out;
}
