/* emit_c.c: NAME.c and NAME.h, the compiled plan the runtime links
 * (runtime/include/migc/plan.h, DESIGN §3).
 *
 * The source is static, read-only data. Every SQL text becomes an array of
 * string literals of at most 4000 bytes each (C11 only promises 4095-byte
 * literals; -Woverlength-strings), so any length compiles with -std=c11
 * -pedantic. Empty arrays are NULL pointers. write_file_atomic() replaces a
 * file only when its content changes, through a temporary file and rename. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emit.h"
#include "migc_config.h"

enum { PART_MAX = 4000 };

typedef struct memo_entry {
    const char *key;    /* NULL: empty slot */
    const char *value;  /* the C name or initializer defined for key */
} memo_entry;

typedef struct memo {
    memo_entry *slots;
    size_t cap, n;
} memo;

typedef struct cgen {
    arena *a;
    memo shared;     /* schema descriptions already defined (see c_schema) */
    strbuf out;      /* definitions, in dependency order */
    unsigned next;   /* counter for unique static names */
} cgen;

/* Appends bytes [s, s+n) as one C string literal, broken into adjacent
 * literals after each newline for readability. */
static void c_literal(strbuf *b, const char *s, size_t n)
{
    sb_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': sb_puts(b, "\\\""); break;
        case '\\': sb_puts(b, "\\\\"); break;
        case '\n':
            sb_puts(b, "\\n");
            if (i + 1 < n)
                sb_puts(b, "\"\n    \"");
            break;
        case '\t': sb_puts(b, "\\t"); break;
        case '?': sb_puts(b, "\\?"); break; /* no trigraphs */
        default:
            if (c < 0x20 || c >= 0x7f)
                sb_printf(b, "\\%03o", c);
            else
                sb_putc(b, (char)c);
        }
    }
    sb_putc(b, '"');
}

/* A C string literal (or NULL) for a short string such as a name. */
static const char *c_str(arena *a, const char *s)
{
    if (!s)
        return "NULL";
    strbuf b;
    sb_init(&b, a);
    c_literal(&b, s, strlen(s));
    return sb_str(&b);
}

/* Defines the parts array of sql and returns the initializer of its
 * struct migc_sql ("{n, name}"). */
static const char *c_sql(cgen *g, const char *sql)
{
    size_t len = strlen(sql);
    unsigned parts = (unsigned)((len + PART_MAX - 1) / PART_MAX);
    if (parts == 0)
        parts = 1;
    unsigned id = g->next++;
    sb_printf(&g->out, "static const char *const sql_%u[] = {\n", id);
    for (unsigned i = 0; i < parts; i++) {
        size_t off = (size_t)i * PART_MAX, n = len - off < PART_MAX ? len - off : PART_MAX;
        sb_puts(&g->out, "    ");
        c_literal(&g->out, sql + off, n);
        sb_puts(&g->out, ",\n");
    }
    sb_puts(&g->out, "};\n");
    return arena_printf(g->a, "{%u, sql_%u}", parts, id);
}

/* Defines the steps of dir and returns the initializer of its
 * struct migc_direction. */
static const char *c_dir(cgen *g, const cg_dir *dir)
{
    if (!dir->steps.n)
        return "{0, NULL}";
    strbuf steps;
    sb_init(&steps, g->a);
    for (size_t k = 0; k < dir->steps.n; k++) {
        const cg_step *st = dir->steps.items[k];
        const char *stmts = "NULL", *bf = "NULL", *rebuilt = "NULL";
        if (st->stmts.n) {
            strbuf init;
            sb_init(&init, g->a);
            for (size_t i = 0; i < st->stmts.n; i++)
                sb_printf(&init, "    %s,\n", c_sql(g, st->stmts.items[i]));
            unsigned id = g->next++;
            sb_printf(&g->out, "static const struct migc_sql stmts_%u[] = {\n%s};\n", id, sb_str(&init));
            stmts = arena_printf(g->a, "stmts_%u", id);
        }
        if (st->bf) {
            const cg_backfill *b = st->bf;
            const char *fb = c_sql(g, b->first_bound), *nb = c_sql(g, b->next_bound),
                       *fu = c_sql(g, b->first_update), *nu = c_sql(g, b->next_update),
                       *wh = c_sql(g, b->whole);
            unsigned id = g->next++;
            sb_printf(&g->out,
                      "static const struct migc_backfill backfill_%u = {\n"
                      "    .table = %s, .nkeys = %u, .batch_size = %u,\n    .first_bound = %s,\n"
                      "    .next_bound = %s,\n    .first_update = %s,\n    .next_update = %s,\n"
                      "    .whole = %s,\n};\n",
                      id, c_str(g->a, b->table), b->nkeys, b->batch_size, fb, nb, fu, nu, wh);
            bf = arena_printf(g->a, "&backfill_%u", id);
        }
        if (st->rebuilt.n) {
            unsigned id = g->next++;
            sb_printf(&g->out, "static const char *const rebuilt_%u[] = {", id);
            for (size_t i = 0; i < st->rebuilt.n; i++)
                sb_printf(&g->out, "%s%s", i ? ", " : "", c_str(g->a, st->rebuilt.items[i]));
            sb_puts(&g->out, "};\n");
            rebuilt = arena_printf(g->a, "rebuilt_%u", id);
        }
        static const char *const kinds[] = {"MIGC_STEP_TRANSACTION", "MIGC_STEP_NO_TRANSACTION",
                                            "MIGC_STEP_BACKFILL"};
        sb_printf(&steps,
                  "    {.kind = %s, .nstatements = %zu, .statements = %s, .backfill = %s,\n"
                  "     .concurrent_index = %s, .nrebuilt = %zu, .rebuilt_tables = %s},\n",
                  kinds[st->kind], st->stmts.n, stmts, bf, c_str(g->a, st->concurrent_index), st->rebuilt.n,
                  rebuilt);
    }
    unsigned id = g->next++;
    sb_printf(&g->out, "static const struct migc_step steps_%u[] = {\n%s};\n", id, sb_str(&steps));
    return arena_printf(g->a, "{%zu, steps_%u}", dir->steps.n, id);
}

/* ---- schema descriptions, shared between migrations ------------------------
 *
 * Catalog snapshots share unchanged tables (catalog.h: copy-on-write), so a
 * table's column and constraint arrays are defined once per (table, dialect)
 * and every migration that holds the same table points at them; index-name
 * arrays and whole per-migration table arrays are shared by content. */

static size_t memo_hash(const char *k)
{
    size_t h = 1469598103934665603u;
    for (; *k; k++)
        h = (h ^ (unsigned char)*k) * 1099511628211u;
    return h;
}

/* The value stored under key, or NULL. */
static const char *memo_get(const memo *m, const char *key)
{
    if (!m->cap)
        return NULL;
    for (size_t i = memo_hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->slots[i].key)
            return NULL;
        if (!strcmp(m->slots[i].key, key))
            return m->slots[i].value;
    }
}

/* Stores value under key (not present yet); grows the table at half full. */
static void memo_put(arena *a, memo *m, const char *key, const char *value)
{
    if (2 * (m->n + 1) > m->cap) {
        memo old = *m;
        m->cap = old.cap ? old.cap * 2 : 256;
        m->slots = arena_alloc(a, m->cap * sizeof *m->slots);
        m->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].key)
                memo_put(a, m, old.slots[i].key, old.slots[i].value);
    }
    size_t i = memo_hash(key) & (m->cap - 1);
    while (m->slots[i].key)
        i = (i + 1) & (m->cap - 1);
    m->slots[i].key = key;
    m->slots[i].value = value;
    m->n++;
}

/* Defines (once) the columns and constraints of t for d; returns
 * "ncols, columns_N, ..., nconstraints, constraints_N" pieces as
 * "<ncols>|columns_N|<ncons>|constraints_N". */
static const char *c_table_parts(cgen *g, const cat_table *t, dialect d)
{
    const char *key = arena_printf(g->a, "t%p/%d", (const void *)t, (int)d);
    const char *have = memo_get(&g->shared, key);
    if (have)
        return have;
    const cat_constraint *pk = catalog_primary_key(t);
    unsigned id = g->next++;
    sb_printf(&g->out, "static const struct migc_column_desc columns_%u[] = {\n", id);
    for (uint32_t j = 0; j < t->ncols; j++) {
        const cat_column *c = t->cols[j];
        bool in_pk = false;
        for (uint32_t k = 0; pk && k < pk->ncols; k++)
            in_pk |= !strcmp(pk->cols[k], c->name);
        bool autoinc = d == MIGC_SQLITE && c->identity && sqlite_autoincrement(t);
        const char *type = d == MIGC_POSTGRES ? pg_type_reported(g->a, c->type)
                           : autoinc          ? "INTEGER"
                                              : sqlite_type_sql(g->a, c->type);
        sb_printf(&g->out, "    {%s, %s, %s, %s},\n", c_str(g->a, c->name), c_str(g->a, type),
                  c->not_null || c->identity || in_pk ? "true" : "false",
                  c->dflt && !c->identity ? "true" : "false");
    }
    sb_puts(&g->out, "};\n");
    const char *cons = "NULL";
    if (t->ncons) {
        sb_printf(&g->out, "static const char *const constraints_%u[] = {", id);
        for (uint32_t k = 0; k < t->ncons; k++)
            sb_printf(&g->out, "%s%s", k ? ", " : "", c_str(g->a, t->cons[k]->name));
        sb_puts(&g->out, "};\n");
        cons = arena_printf(g->a, "constraints_%u", id);
    }
    const char *parts = arena_printf(g->a, "%u, columns_%u|%u, %s", (unsigned)t->ncols, id,
                                     (unsigned)t->ncons, cons);
    memo_put(g->a, &g->shared, key, parts);
    return parts;
}

/* Defines (once per list) the names of the create_index indexes of table
 * `table` in cat; returns "n, indexes_N" or "0, NULL". */
static const char *c_index_names(cgen *g, const catalog *cat, const char *table)
{
    strbuf key;
    sb_init(&key, g->a);
    sb_puts(&key, "i");
    unsigned n = 0;
    for (uint32_t k = 0; k < cat->nindexes; k++)
        if (!strcmp(cat->indexes[k]->table, table)) {
            sb_putc(&key, '/');
            sb_puts(&key, cat->indexes[k]->name);
            n++;
        }
    if (!n)
        return "0, NULL";
    const char *have = memo_get(&g->shared, sb_str(&key));
    if (have)
        return have;
    unsigned id = g->next++;
    sb_printf(&g->out, "static const char *const indexes_%u[] = {", id);
    unsigned i = 0;
    for (uint32_t k = 0; k < cat->nindexes; k++)
        if (!strcmp(cat->indexes[k]->table, table))
            sb_printf(&g->out, "%s%s", i++ ? ", " : "", c_str(g->a, cat->indexes[k]->name));
    sb_puts(&g->out, "};\n");
    const char *v = arena_printf(g->a, "%u, indexes_%u", n, id);
    memo_put(g->a, &g->shared, sb_str(&key), v);
    return v;
}

/* Defines the schema description of cat for d (sharing what earlier
 * migrations defined); returns its initializer. */
static const char *c_schema(cgen *g, const catalog *cat, dialect d)
{
    if (!cat || !cat->ntables)
        return "{0, NULL}";
    strbuf tables;
    sb_init(&tables, g->a);
    for (uint32_t i = 0; i < cat->ntables; i++) {
        const cat_table *t = cat->tables[i];
        const char *parts = c_table_parts(g, t, d), *bar = strchr(parts, '|');
        sb_printf(&tables, "    {%s, %.*s, %s, %s},\n", c_str(g->a, t->name), (int)(bar - parts), parts,
                  c_index_names(g, cat, t->name), bar + 1);
    }
    const char *key = arena_printf(g->a, "s%d/%s", (int)d, sb_str(&tables));
    const char *have = memo_get(&g->shared, key);
    if (have)
        return have;
    unsigned id = g->next++;
    sb_printf(&g->out, "static const struct migc_table_desc tables_%u[] = {\n%s};\n", id, sb_str(&tables));
    const char *v = arena_printf(g->a, "{%u, tables_%u}", (unsigned)cat->ntables, id);
    memo_put(g->a, &g->shared, key, v);
    return v;
}

const char *emit_c_source(arena *a, const cg_plan *p, const char *name)
{
    cgen g = {.a = a};
    sb_init(&g.out, a);
    sb_printf(&g.out, "/* %s.c: generated by migc %s from the migrations; do not edit. */\n", name,
              MIGC_VERSION);
    sb_printf(&g.out, "#include \"%s.h\"\n", name);
    strbuf migs;
    sb_init(&migs, a);
    for (uint32_t i = 0; i < p->n; i++) {
        const cg_migration *cm = &p->migs[i];
        const char *up[MIGC_DIALECT_COUNT], *down[MIGC_DIALECT_COUNT], *schema[MIGC_DIALECT_COUNT];
        sb_printf(&g.out, "\n/* %lld %s */\n", (long long)cm->m->version, cm->m->description);
        for (int d = 0; d < MIGC_DIALECT_COUNT; d++) {
            bool on = p->dialects & (1u << d);
            up[d] = on ? c_dir(&g, &cm->up[d]) : "{0, NULL}";
            down[d] = on ? c_dir(&g, &cm->down[d]) : "{0, NULL}";
            schema[d] = on ? c_schema(&g, cm->after, (dialect)d) : "{0, NULL}";
        }
        sb_printf(&migs, "    {\n        .version = INT64_C(%lld),\n        .description = %s,\n"
                  "        .checksum = %s,\n", (long long)cm->m->version,
                  c_str(a, cm->m->description), c_str(a, cm->checksum));
        sb_printf(&migs, "        .up = {%s, %s},\n        .down = {%s, %s},\n", up[0], up[1], down[0], down[1]);
        sb_printf(&migs, "        .irreversible = %s,\n        .down_loses_data = %s,\n"
                  "        .schema = {%s, %s},\n    },\n", cm->irreversible ? "true" : "false",
                  cm->down_loses_data ? "true" : "false", schema[0], schema[1]);
    }
    strbuf b = g.out; /* appended to in place: no copy of the whole text */
    if (p->n) {
        sb_puts(&b, "\nstatic const struct migc_migration migrations[] = {\n");
        sb_putn(&b, migs.s ? migs.s : "", migs.n);
        sb_puts(&b, "};\n");
    }
    sb_printf(&b,
              "\nconst struct migc_plan %s = {\n    .name = %s,\n    .migc_version = %s,\n"
              "    .dialects = %uu,\n    .nmigrations = %uu,\n    .migrations = %s,\n    .drivers = {",
              name, c_str(a, name), c_str(a, MIGC_VERSION), p->dialects, (unsigned)p->n,
              p->n ? "migrations" : "NULL");
    if (p->dialects & (1u << MIGC_POSTGRES))
        sb_puts(&b, "[MIGC_POSTGRES] = &migc_driver_postgres");
    if (p->dialects & (1u << MIGC_SQLITE))
        sb_printf(&b, "%s[MIGC_SQLITE] = &migc_driver_sqlite",
                  p->dialects & (1u << MIGC_POSTGRES) ? ", " : "");
    if (!p->dialects)
        sb_puts(&b, "NULL");
    sb_puts(&b, "},\n};\n");
    return sb_str(&b);
}

const char *emit_c_header(arena *a, const cg_plan *p, const char *name)
{
    strbuf up;
    sb_init(&up, a);
    for (const char *s = name; *s; s++)
        sb_putc(&up, (*s >= 'a' && *s <= 'z') ? (char)(*s - 'a' + 'A') : *s);
    const char *u = sb_str(&up);
    int64_t head = p->n ? p->migs[p->n - 1].m->version : 0;
    return arena_printf(a,
                        "/* %s.h: generated by migc %s from the migrations; do not edit. */\n"
                        "#ifndef %s_H_INCLUDED\n#define %s_H_INCLUDED\n\n"
                        "#include <stdint.h>\n#include <migc/plan.h>\n\n"
                        "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
                        "/* The greatest migration version this build knows. */\n"
                        "#define %s_HEAD_VERSION INT64_C(%lld)\n\n"
                        "extern const struct migc_plan %s;\n\n"
                        "#ifdef __cplusplus\n}\n#endif\n\n#endif\n",
                        name, MIGC_VERSION, u, u, u, (long long)head, name);
}

int write_file_atomic(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "rb");
    if (f) {
        bool same = true;
        size_t off = 0;
        char buf[8192];
        size_t n;
        while (same && (n = fread(buf, 1, sizeof buf, f)) > 0) {
            if (off + n > len || memcmp(buf, text + off, n))
                same = false;
            off += n;
        }
        if (ferror(f))
            same = false;
        fclose(f);
        if (same && off == len)
            return 0;
    }
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) {
        fprintf(stderr, "migc: error: out of memory writing '%s'\n", path);
        return -1;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "migc: error: cannot create a temporary file next to '%s': %s\n", path,
                strerror(errno));
        free(tmp);
        return -1;
    }
    f = fdopen(fd, "wb");
    bool ok = f != NULL;
    if (!f)
        close(fd);
    if (ok && len && fwrite(text, 1, len, f) != len)
        ok = false;
    if (f && fclose(f) != 0)
        ok = false;
    mode_t mask = umask(0);
    umask(mask);
    if (ok && chmod(tmp, 0666 & ~mask) != 0)
        ok = false;
    if (ok && rename(tmp, path) != 0)
        ok = false;
    if (!ok) {
        fprintf(stderr, "migc: error: cannot write '%s': %s\n", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}
