/* emit_c.c: NAME.c and NAME.h, the compiled plan the runtime links
 * (runtime/include/migc/plan.h, DESIGN §3).
 *
 * The source is static, read-only data. Every SQL text becomes an array of
 * string literals of at most 4000 bytes each (C11 only promises 4095-byte
 * literals; -Woverlength-strings), so any length compiles with -std=c11
 * -pedantic. Empty arrays are NULL pointers. write_file_atomic() replaces a
 * file only when its content changes, through a temporary file and rename.
 *
 * Cost: linear in the size of the plan. The text is appended to buffers
 * grown with realloc (no copy of the whole text per growth step in the
 * arena), numbers and names are appended without printf, and each
 * migration's schema is the delta of plan.h, built from what codegen_plan()
 * recorded that the migration changed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "emit.h"
#include "migc_config.h"

enum { PART_MAX = 4000 };

/* A growable text in malloc'd memory (realloc grows large blocks in place).
 * Out of memory exits(3), as the arena does (arena.h). */
typedef struct obuf {
    char *s;
    size_t n, cap;
    FILE *f;        /* set: the text goes to f in pieces of about FLUSH_AT */
    bool failed;    /* a write to f failed */
} obuf;

enum { FLUSH_AT = 1 << 20 };

/* Writes what b holds to b->f (when set) and empties it. */
static void ob_flush(obuf *b)
{
    if (!b->f || !b->n)
        return;
    if (fwrite(b->s, 1, b->n, b->f) != b->n)
        b->failed = true;
    b->n = 0;
}

/* Makes room for n more bytes (and a NUL). */
static void ob_reserve(obuf *b, size_t n)
{
    if (b->f && b->n + n > FLUSH_AT)
        ob_flush(b);
    if (b->n + n + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + n + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        fputs("migc: error: out of memory\n", stderr);
        exit(3);
    }
    b->s = s;
    b->cap = cap;
}

static void ob_putn(obuf *b, const char *s, size_t n)
{
    ob_reserve(b, n);
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void ob_puts(obuf *b, const char *s) { ob_putn(b, s, strlen(s)); }

/* Appends a decimal number. */
static void ob_num(obuf *b, unsigned long long v)
{
    char buf[24];
    size_t i = sizeof buf;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    ob_putn(b, buf + i, sizeof buf - i);
}

/* Appends a signed decimal number. */
static void ob_snum(obuf *b, long long v)
{
    if (v < 0)
        ob_putn(b, "-", 1);
    ob_num(b, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v);
}

/* Appends prefix immediately followed by the number (a static name). */
static void ob_id(obuf *b, const char *prefix, unsigned id)
{
    ob_puts(b, prefix);
    ob_num(b, id);
}

typedef struct memo_entry {
    const char *key;    /* NULL: empty slot */
    size_t hash;        /* of key: compared before the (long) keys */
    const void *value;
} memo_entry;

/* A string-keyed hash map (keys borrowed; they live in the arena). */
typedef struct memo {
    memo_entry *slots;
    size_t cap, n;
} memo;

/* Per dialect: what the plan's replay holds for a table name so far. */
typedef struct table_seen {
    const char *desc;       /* its last description line (NULL: gone) */
} table_seen;

/* Per (cat_table, dialect): its columns and constraints arrays. */
typedef struct table_arrays {
    const cat_table *t;
    int d;
    const char *cols, *cons;   /* array names or "NULL" */
} table_arrays;

typedef struct cgen {
    arena *a;
    memo shared;        /* array content -> its name (arrays defined once) */
    memo seen[MIGC_DIALECT_COUNT];  /* table name -> table_seen */
    memo raw_seen[MIGC_DIALECT_COUNT];  /* names raw SQL mentioned so far -> "" */
    table_arrays *tab;  /* open addressing by cat_table pointer */
    size_t tab_cap, tab_n;
    obuf out;           /* definitions, in dependency order */
    obuf tmp;           /* scratch for one array's body */
    obuf key;           /* scratch for a memo key */
    unsigned next;      /* counter for unique static names */
} cgen;

/* Appends bytes [s, s+n) as one C string literal, broken into adjacent
 * literals after each newline for readability. */
static void c_literal(obuf *b, const char *s, size_t n)
{
    ob_putn(b, "\"", 1);
    size_t run = 0; /* start of the pending run of plain characters */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '?')
            continue;
        ob_putn(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': ob_puts(b, "\\\""); break;
        case '\\': ob_puts(b, "\\\\"); break;
        case '\n':
            ob_puts(b, "\\n");
            if (i + 1 < n)
                ob_puts(b, "\"\n    \"");
            break;
        case '\t': ob_puts(b, "\\t"); break;
        case '?': ob_puts(b, "\\?"); break; /* no trigraphs */
        default: {
            char oct[5] = {'\\', (char)('0' + (c >> 6)), (char)('0' + ((c >> 3) & 7)),
                           (char)('0' + (c & 7)), 0};
            ob_putn(b, oct, 4);
        }
        }
    }
    ob_putn(b, s + run, n - run);
    ob_putn(b, "\"", 1);
}

/* Appends a C string literal for a short string such as a name, or NULL. */
static void c_str(obuf *b, const char *s)
{
    if (s)
        c_literal(b, s, strlen(s));
    else
        ob_puts(b, "NULL");
}

/* Defines the parts array of sql; returns its id (the struct migc_sql is
 * "{parts, sql_<id>}", see sql_parts()). */
static unsigned c_sql(cgen *g, const char *sql)
{
    size_t len = strlen(sql);
    unsigned id = g->next++;
    ob_id(&g->out, "static const char *const sql_", id);
    ob_puts(&g->out, "[] = {\n");
    size_t off = 0;
    do {
        size_t n = len - off < PART_MAX ? len - off : PART_MAX;
        ob_puts(&g->out, "    ");
        c_literal(&g->out, sql + off, n);
        ob_puts(&g->out, ",\n");
        off += n;
    } while (off < len);
    ob_puts(&g->out, "};\n");
    return id;
}

/* The number of parts c_sql() splits sql into. */
static unsigned sql_parts(const char *sql)
{
    size_t len = strlen(sql);
    return len ? (unsigned)((len + PART_MAX - 1) / PART_MAX) : 1;
}

/* Appends "{parts, sql_<id>}" for sql defined as id. */
static void sql_init(obuf *b, const char *sql, unsigned id)
{
    ob_putn(b, "{", 1);
    ob_num(b, sql_parts(sql));
    ob_id(b, ", sql_", id);
    ob_putn(b, "}", 1);
}

/* Defines the steps of dir and appends the initializer of its struct
 * migc_direction to init. Zero fields of a step are left out (designated
 * initializers: they are zero). */
static void c_dir(cgen *g, const cg_dir *dir, obuf *init)
{
    if (!dir->steps.n) {
        ob_puts(init, "{0, NULL}");
        return;
    }
    size_t n = dir->steps.n;
    unsigned *stmts = arena_alloc(g->a, n * sizeof *stmts), *bf = arena_alloc(g->a, n * sizeof *bf),
             *rebuilt = arena_alloc(g->a, n * sizeof *rebuilt);
    for (size_t k = 0; k < n; k++) {
        const cg_step *st = dir->steps.items[k];
        if (st->stmts.n) {
            unsigned *ids = arena_alloc(g->a, st->stmts.n * sizeof *ids);
            for (size_t i = 0; i < st->stmts.n; i++)
                ids[i] = c_sql(g, st->stmts.items[i]);
            stmts[k] = g->next++;
            ob_id(&g->out, "static const struct migc_sql stmts_", stmts[k]);
            ob_puts(&g->out, "[] = {\n");
            for (size_t i = 0; i < st->stmts.n; i++) {
                ob_puts(&g->out, "    ");
                sql_init(&g->out, st->stmts.items[i], ids[i]);
                ob_puts(&g->out, ",\n");
            }
            ob_puts(&g->out, "};\n");
        }
        if (st->bf) {
            const cg_backfill *b = st->bf;
            const char *sqls[7] = {b->first_bound, b->next_bound, b->first_update, b->next_update,
                                   b->whole, b->first_rest, b->next_rest};
            static const char *const fields[7] = {"    .first_bound = ", "    .next_bound = ",
                                                  "    .first_update = ", "    .next_update = ",
                                                  "    .whole = ", "    .first_rest = ",
                                                  "    .next_rest = "};
            unsigned ids[7];
            for (int i = 0; i < 7; i++)
                ids[i] = c_sql(g, sqls[i]);
            bf[k] = g->next++;
            obuf *o = &g->out;
            ob_id(o, "static const struct migc_backfill backfill_", bf[k]);
            ob_puts(o, " = {\n    .table = ");
            c_str(o, b->table);
            ob_puts(o, ", .nkeys = ");
            ob_num(o, b->nkeys);
            ob_puts(o, ", .batch_size = ");
            ob_num(o, b->batch_size);
            ob_puts(o, ",\n");
            for (int i = 0; i < 7; i++) {
                ob_puts(o, fields[i]);
                sql_init(o, sqls[i], ids[i]);
                ob_puts(o, ",\n");
            }
            ob_puts(o, "};\n");
        }
        if (st->rebuilt.n) {
            rebuilt[k] = g->next++;
            ob_id(&g->out, "static const char *const rebuilt_", rebuilt[k]);
            ob_puts(&g->out, "[] = {");
            for (size_t i = 0; i < st->rebuilt.n; i++) {
                if (i)
                    ob_puts(&g->out, ", ");
                c_str(&g->out, st->rebuilt.items[i]);
            }
            ob_puts(&g->out, "};\n");
        }
    }
    static const char *const kinds[] = {"MIGC_STEP_TRANSACTION", "MIGC_STEP_NO_TRANSACTION",
                                        "MIGC_STEP_BACKFILL"};
    unsigned id = g->next++;
    obuf *o = &g->out;
    ob_id(o, "static const struct migc_step steps_", id);
    ob_puts(o, "[] = {\n");
    for (size_t k = 0; k < n; k++) {
        const cg_step *st = dir->steps.items[k];
        ob_puts(o, "    {.kind = ");
        ob_puts(o, kinds[st->kind]);
        if (st->stmts.n) {
            ob_puts(o, ", .nstatements = ");
            ob_num(o, st->stmts.n);
            ob_id(o, ", .statements = stmts_", stmts[k]);
        }
        if (st->bf)
            ob_id(o, ", .backfill = &backfill_", bf[k]);
        if (st->concurrent_index) {
            ob_puts(o, ", .concurrent_index = ");
            c_str(o, st->concurrent_index);
        }
        if (st->rebuilt.n) {
            ob_puts(o, ", .nrebuilt = ");
            ob_num(o, st->rebuilt.n);
            ob_id(o, ", .rebuilt_tables = rebuilt_", rebuilt[k]);
        }
        ob_puts(o, "},\n");
    }
    ob_puts(o, "};\n");
    ob_putn(init, "{", 1);
    ob_num(init, n);
    ob_id(init, ", steps_", id);
    ob_putn(init, "}", 1);
}

/* ---- schema descriptions: one delta per migration ---------------------------
 *
 * plan.h: a migration's schema holds only the tables it created or changed
 * (each whole, as after it) and the names of the tables it dropped or
 * renamed away. codegen_plan() recorded both (cg_migration.changed, .gone)
 * from the catalog's change log, so the work here is proportional to what
 * each migration changed, never to the whole schema. A table whose
 * description (columns, constraints, indexes) came out as it was is left
 * out (a backfill or an insert changes the catalog, not the description).
 * A table's columns and constraints are rendered once per cat_table (and
 * dialect); every array is defined once per content and shared. */

static size_t str_hash(const char *k)
{
    size_t h = 1469598103934665603u;
    for (; *k; k++)
        h = (h ^ (unsigned char)*k) * 1099511628211u;
    return h;
}

/* The slot of key (of hash h), or the empty slot where it would go
 * (m->cap > 0). */
static memo_entry *memo_slot(const memo *m, const char *key, size_t h)
{
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1))
        if (!m->slots[i].key || (m->slots[i].hash == h && !strcmp(m->slots[i].key, key)))
            return &m->slots[i];
}

/* The value stored under key, or NULL. */
static const void *memo_get(const memo *m, const char *key)
{
    return m->cap ? memo_slot(m, key, str_hash(key))->value : NULL;
}

/* Stores value under key (replacing any); grows the table at half full.
 * key must live as long as the map. */
static void memo_put(arena *a, memo *m, const char *key, const void *value)
{
    if (2 * (m->n + 1) > m->cap) {
        memo old = *m;
        m->cap = old.cap ? old.cap * 2 : 256;
        m->slots = arena_alloc(a, m->cap * sizeof *m->slots);
        m->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].key) {
                memo_entry *e = memo_slot(m, old.slots[i].key, old.slots[i].hash);
                *e = old.slots[i];
                m->n++;
            }
    }
    size_t h = str_hash(key);
    memo_entry *e = memo_slot(m, key, h);
    if (!e->key) {
        e->key = key;
        e->hash = h;
        m->n++;
    }
    e->value = value;
}

/* Defines (once per content) an array `static const <type> <kind>_N[]`
 * whose element lines are body; returns its name, or "NULL" for an empty
 * body. Arrays of different types never share a kind. */
static const char *c_shared_array(cgen *g, const char *kind, const char *type, const char *body,
                                  size_t len)
{
    if (!len)
        return "NULL";
    /* The key: the content itself when short, else its SHA-256 (a long
     * content is not kept in memory twice). */
    obuf *k = &g->key;
    k->n = 0;
    ob_puts(k, kind);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (len > 80 && EVP_Digest(body, len, md, &mdlen, EVP_sha256(), NULL) == 1) {
        static const char hex[] = "0123456789abcdef";
        ob_putn(k, "#", 1);
        for (unsigned i = 0; i < mdlen; i++) {
            char x[2] = {hex[md[i] >> 4], hex[md[i] & 15]};
            ob_putn(k, x, 2);
        }
    } else {
        ob_putn(k, "\n", 1);
        ob_putn(k, body, len);
    }
    const char *have = memo_get(&g->shared, k->s);
    if (have)
        return have;
    unsigned id = g->next++;
    obuf *o = &g->out;
    ob_puts(o, "static const ");
    ob_puts(o, type);
    ob_putn(o, " ", 1);
    ob_puts(o, kind);
    ob_id(o, "_", id);
    ob_puts(o, "[] = {\n");
    ob_putn(o, body, len);
    ob_puts(o, "};\n");
    const char *v = arena_printf(g->a, "%s_%u", kind, id);
    memo_put(g->a, &g->shared, arena_strndup(g->a, k->s, k->n), v);
    return v;
}

/* A names array for n names (shared by content). */
static const char *c_names(cgen *g, const char *const *names, uint32_t n)
{
    g->tmp.n = 0;
    for (uint32_t k = 0; k < n; k++) {
        ob_puts(&g->tmp, "    ");
        c_str(&g->tmp, names[k]);
        ob_puts(&g->tmp, ",\n");
    }
    return c_shared_array(g, "names", "char *const", g->tmp.s, g->tmp.n);
}

/* The columns and constraints arrays of t for d, rendered once per
 * (cat_table, dialect). */
static const table_arrays *c_table_arrays(cgen *g, const cat_table *t, dialect d)
{
    if (2 * (g->tab_n + 1) > g->tab_cap) {
        table_arrays *old = g->tab;
        size_t oc = g->tab_cap;
        g->tab_cap = oc ? oc * 2 : 256;
        g->tab = arena_alloc(g->a, g->tab_cap * sizeof *g->tab);
        for (size_t i = 0; i < oc; i++)
            if (old[i].t) {
                size_t j = ((size_t)old[i].t / 16 * 2 + (size_t)old[i].d) & (g->tab_cap - 1);
                while (g->tab[j].t)
                    j = (j + 1) & (g->tab_cap - 1);
                g->tab[j] = old[i];
            }
    }
    size_t j = ((size_t)t / 16 * 2 + (size_t)d) & (g->tab_cap - 1);
    for (; g->tab[j].t; j = (j + 1) & (g->tab_cap - 1))
        if (g->tab[j].t == t && g->tab[j].d == (int)d)
            return &g->tab[j];
    table_arrays *ta = &g->tab[j];
    g->tab_n++;
    const cat_constraint *pk = catalog_primary_key(t);
    obuf *o = &g->tmp;
    o->n = 0;
    for (uint32_t k = 0; k < t->ncols; k++) {
        const cat_column *c = t->cols[k];
        bool in_pk = false;
        for (uint32_t i = 0; pk && i < pk->ncols; i++)
            in_pk |= !strcmp(pk->cols[i], c->name);
        bool autoinc = d == MIGC_SQLITE && c->identity && sqlite_autoincrement(t);
        const char *type = d == MIGC_POSTGRES ? pg_type_reported(g->a, c->type)
                           : autoinc          ? "INTEGER"
                                              : sqlite_type_sql(g->a, c->type);
        ob_puts(o, "    {");
        c_str(o, c->name);
        ob_puts(o, ", ");
        c_str(o, type);
        ob_puts(o, c->not_null || c->identity || in_pk ? ", true" : ", false");
        ob_puts(o, c->dflt && !c->identity ? ", true},\n" : ", false},\n");
    }
    const char *cols = c_shared_array(g, "columns", "struct migc_column_desc", o->s, o->n);
    const char **cons = arena_alloc(g->a, (t->ncons ? t->ncons : 1) * sizeof *cons);
    for (uint32_t k = 0; k < t->ncons; k++)
        cons[k] = t->cons[k]->name;
    ta->t = t;
    ta->d = (int)d;
    ta->cols = cols;
    ta->cons = c_names(g, (const char *const *)cons, t->ncons);
    return ta;
}

/* The description line of table ta for d (defining its arrays). */
static const char *c_table_desc(cgen *g, const cg_table_after *ta, dialect d)
{
    const cat_table *t = ta->t;
    const table_arrays *arr = c_table_arrays(g, t, d);
    const char *ix = c_names(g, ta->indexes, ta->nindexes);
    obuf *o = &g->tmp;
    o->n = 0;
    ob_puts(o, "    {");
    c_str(o, t->name);
    ob_puts(o, ", ");
    ob_num(o, t->ncols);
    ob_puts(o, ", ");
    ob_puts(o, arr->cols);
    ob_puts(o, ", ");
    ob_num(o, ta->nindexes);
    ob_puts(o, ", ");
    ob_puts(o, ix);
    ob_puts(o, ", ");
    ob_num(o, t->ncons);
    ob_puts(o, ", ");
    ob_puts(o, arr->cons);
    ob_puts(o, "},\n");
    return arena_strndup(g->a, o->s, o->n);
}

/* ---- names raw SQL mentions (plan.h: migc_schema_desc.raw_names) ----------
 *
 * verify does not report as extra a live object whose name the history's
 * raw `sql` blocks mention: the catalog cannot know what raw SQL made. A
 * name is every identifier-like word of a block's text ([A-Za-z_] or a
 * non-ASCII byte, then those, digits and '$'), folded to lower case, and
 * every quoted identifier ("..." or `...`, doubled quotes undone) as
 * written. Comments (-- and block) are skipped. Words inside string
 * literals are kept: dynamic SQL (EXECUTE '...', DO blocks) can create
 * objects. PostgreSQL names are cut to 63 bytes, as the server cuts them. */

static bool raw_word_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (unsigned char)c >= 0x80;
}

static bool raw_word_char(char c)
{
    return raw_word_start(c) || (c >= '0' && c <= '9') || c == '$';
}

/* Appends (as a NUL-terminated copy in g->a) the name [s, s+n), folded to
 * lower case unless quoted and cut for d, to v. */
static void raw_add(cgen *g, ptr_vec *v, const char *s, size_t n, bool fold, dialect d)
{
    if (d == MIGC_POSTGRES && n > 63) {
        n = 63;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;   /* not inside a UTF-8 character */
    }
    if (!n)
        return;
    char *w = arena_strndup(g->a, s, n);
    for (char *c = w; fold && *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    vec_push(g->a, v, w);
}

/* Appends to v the names raw SQL text sql mentions (see above). */
static void raw_scan(cgen *g, ptr_vec *v, const char *sql, dialect d)
{
    const char *p = sql ? sql : "";
    while (*p) {
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            p = e ? e + 2 : p + strlen(p);
        } else if (*p == '"' || *p == '`') {
            char q = *p++;
            obuf *k = &g->key;
            k->n = 0;
            for (; *p; p++) {
                if (*p == q && p[1] == q)
                    p++;
                else if (*p == q)
                    break;
                ob_putn(k, p, 1);
            }
            if (*p)
                p++;
            raw_add(g, v, k->n ? k->s : "", k->n, false, d);
        } else if (*p == '\'') {
            /* A string literal: its words are names too, but a quote or a
             * comment marker inside it is text. E'...' takes backslash
             * escapes. */
            bool esc = p > sql && (p[-1] == 'e' || p[-1] == 'E') &&
                       (p - 1 == sql || !raw_word_char(p[-2]));
            for (p++; *p; p++) {
                if (esc && *p == '\\' && p[1]) {
                    p++;
                } else if (*p == '\'' && p[1] == '\'') {
                    p++;
                } else if (*p == '\'') {
                    break;
                } else if (raw_word_start(*p) && !raw_word_char(p[-1])) {
                    const char *w = p;
                    while (raw_word_char(p[1]))
                        p++;
                    raw_add(g, v, w, (size_t)(p - w) + 1, true, d);
                }
            }
            if (*p)
                p++;
        } else if (raw_word_start(*p)) {
            const char *w = p;
            while (raw_word_char(*p))
                p++;
            raw_add(g, v, w, (size_t)(p - w), true, d);
        } else if (raw_word_char(*p)) {
            while (raw_word_char(*p))
                p++;   /* a number, or a $1 parameter */
        } else {
            p++;
        }
    }
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The names array of the names m's up raw SQL blocks for d mention that no
 * earlier migration's did (g->raw_seen[d]), sorted; sets *n to their
 * number. Returns "NULL" when there are none. */
static const char *c_raw_names(cgen *g, const migration *m, dialect d, uint32_t *n)
{
    ptr_vec v = {0};
    raw_dialect want = d == MIGC_POSTGRES ? RAW_POSTGRES : RAW_SQLITE;
    for (uint32_t k = 0; k < m->nstmts; k++) {
        const stmt *s = m->stmts[k];
        if (s->kind == S_RAW_SQL && (s->dialect == RAW_BOTH || s->dialect == want))
            raw_scan(g, &v, s->sql, d);
    }
    *n = 0;
    if (!v.n)
        return "NULL";
    const char **names = (const char **)v.items;
    qsort(names, v.n, sizeof *names, cmp_str);
    uint32_t kept = 0;
    for (size_t k = 0; k < v.n; k++) {
        if ((kept && !strcmp(names[kept - 1], names[k])) || memo_get(&g->raw_seen[d], names[k]))
            continue;
        names[kept++] = names[k];
    }
    for (uint32_t k = 0; k < kept; k++)
        memo_put(g->a, &g->raw_seen[d], names[k], "");
    *n = kept;
    return kept ? c_names(g, (const char *const *)names, kept) : "NULL";
}

/* Defines the schema delta of cm for d and appends its initializer to
 * init. g->seen[d] holds each table's last description in the replay so
 * far, which decides what is left out. */
static void c_schema(cgen *g, const cg_migration *cm, dialect d, obuf *init)
{
    memo *seen = &g->seen[d];
    const char **gone = arena_alloc(g->a, (cm->ngone ? cm->ngone : 1) * sizeof *gone);
    const char **descs = arena_alloc(g->a, (cm->nchanged ? cm->nchanged : 1) * sizeof *descs);
    uint32_t ng = 0, nt = 0;
    for (uint32_t k = 0; k < cm->ngone; k++) {
        table_seen *ts = (table_seen *)memo_get(seen, cm->gone[k]);
        if (!ts || !ts->desc)
            continue; /* created and dropped within the migration */
        ts->desc = NULL;
        gone[ng++] = cm->gone[k];
    }
    for (uint32_t k = 0; k < cm->nchanged; k++) {
        const cg_table_after *ta = &cm->changed[k];
        table_seen *ts = (table_seen *)memo_get(seen, ta->t->name);
        const char *desc = c_table_desc(g, ta, d);
        if (ts && ts->desc && !strcmp(ts->desc, desc))
            continue; /* the same description as before */
        if (!ts) {
            ts = arena_alloc(g->a, sizeof *ts);
            memo_put(g->a, seen, ta->t->name, ts);
        }
        ts->desc = desc;
        descs[nt++] = desc;
    }
    const char *gv = "NULL";
    if (ng)
        gv = c_names(g, gone, ng);
    uint32_t nr = 0;
    const char *rv = c_raw_names(g, cm->m, d, &nr);
    unsigned id = 0;
    if (nt) {
        id = g->next++;
        ob_id(&g->out, "static const struct migc_table_desc tables_", id);
        ob_puts(&g->out, "[] = {\n");
        for (uint32_t k = 0; k < nt; k++)
            ob_puts(&g->out, descs[k]);
        ob_puts(&g->out, "};\n");
    }
    ob_putn(init, "{", 1);
    ob_num(init, nt);
    if (nt)
        ob_id(init, ", tables_", id);
    else
        ob_puts(init, ", NULL");
    ob_puts(init, ", ");
    ob_num(init, ng);
    ob_puts(init, ", ");
    ob_puts(init, gv);
    ob_puts(init, ", true, ");
    ob_num(init, nr);
    ob_puts(init, ", ");
    ob_puts(init, rv);
    ob_puts(init, "}");
}

/* Appends the migration comment (a star-slash in the description is left
 * out: it would end the comment). */
static void c_comment(obuf *b, long long version, const char *text)
{
    ob_puts(b, "\n/* ");
    ob_snum(b, version);
    ob_putn(b, " ", 1);
    for (const char *s = text ? text : ""; *s; s++)
        if (!(s[0] == '*' && s[1] == '/') && (unsigned char)*s >= 0x20)
            ob_putn(b, s, 1);
    ob_puts(b, " */\n");
}

int emit_c_source(arena *a, const cg_plan *p, const char *name, FILE *f)
{
    cgen g = {.a = a, .out = {.f = f}};
    obuf migs = {0};
    ob_puts(&g.out, "/* ");
    ob_puts(&g.out, name);
    ob_puts(&g.out, ".c: generated by migc " MIGC_VERSION " from the migrations; do not edit. */\n");
    ob_puts(&g.out, "#include \"");
    ob_puts(&g.out, name);
    ob_puts(&g.out, ".h\"\n");
    for (uint32_t i = 0; i < p->n; i++) {
        const cg_migration *cm = &p->migs[i];
        c_comment(&g.out, (long long)cm->m->version, cm->m->description);
        ob_puts(&migs, "    {\n        .version = INT64_C(");
        ob_snum(&migs, (long long)cm->m->version);
        ob_puts(&migs, "),\n        .description = ");
        c_str(&migs, cm->m->description);
        ob_puts(&migs, ",\n        .checksum = ");
        c_str(&migs, cm->checksum);
        static const char *const fields[3] = {",\n        .up = {", ",\n        .down = {",
                                              ",\n        .schema = {"};
        for (int f = 0; f < 3; f++) {
            ob_puts(&migs, fields[f]);
            for (int d = 0; d < MIGC_DIALECT_COUNT; d++) {
                if (d)
                    ob_puts(&migs, ", ");
                bool on = p->dialects & (1u << d);
                if (!on)
                    ob_puts(&migs, f < 2 ? "{0, NULL}" : "{0, NULL, 0, NULL, true, 0, NULL}");
                else if (f == 0)
                    c_dir(&g, &cm->up[d], &migs);
                else if (f == 1)
                    c_dir(&g, &cm->down[d], &migs);
                else
                    c_schema(&g, cm, (dialect)d, &migs);
            }
            ob_puts(&migs, "}");
        }
        ob_puts(&migs, cm->irreversible ? ",\n        .irreversible = true" : "");
        ob_puts(&migs, cm->down_loses_data ? ",\n        .down_loses_data = true" : "");
        ob_puts(&migs, ",\n    },\n");
    }
    obuf *b = &g.out;
    if (p->n) {
        ob_puts(b, "\nstatic const struct migc_migration migrations[] = {\n");
        if (migs.n)
            ob_putn(b, migs.s, migs.n);
        ob_puts(b, "};\n");
    }
    free(migs.s);
    free(g.tmp.s);
    free(g.key.s);
    ob_puts(b, "\nconst struct migc_plan ");
    ob_puts(b, name);
    ob_puts(b, " = {\n    .name = ");
    c_str(b, name);
    ob_puts(b, ",\n    .migc_version = ");
    c_str(b, MIGC_VERSION);
    ob_puts(b, ",\n    .dialects = ");
    ob_num(b, p->dialects);
    ob_puts(b, "u,\n    .nmigrations = ");
    ob_num(b, p->n);
    ob_puts(b, p->n ? "u,\n    .migrations = migrations,\n    .drivers = {"
                    : "u,\n    .migrations = NULL,\n    .drivers = {");
    if (p->dialects & (1u << MIGC_POSTGRES))
        ob_puts(b, "[MIGC_POSTGRES] = &migc_driver_postgres");
    if (p->dialects & (1u << MIGC_SQLITE))
        ob_puts(b, p->dialects & (1u << MIGC_POSTGRES) ? ", [MIGC_SQLITE] = &migc_driver_sqlite"
                                                       : "[MIGC_SQLITE] = &migc_driver_sqlite");
    if (!p->dialects)
        ob_puts(b, "NULL");
    ob_puts(b, "},\n};\n");
    ob_flush(b);
    free(b->s);
    return b->failed ? -1 : 0;
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

/* Do the files at paths a and b hold the same bytes? (false when either
 * cannot be read). */
static bool same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fa ? fopen(b, "rb") : NULL;
    bool same = fa && fb;
    char x[8192], y[8192];
    while (same) {
        size_t nx = fread(x, 1, sizeof x, fa), ny = fread(y, 1, sizeof y, fb);
        if (nx != ny || memcmp(x, y, nx))
            same = false;
        if (nx < sizeof x)
            break;
    }
    if (same && (ferror(fa) || ferror(fb)))
        same = false;
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

int write_c_source_atomic(arena *a, const char *path, const cg_plan *p, const char *name)
{
    char *tmp = arena_printf(a, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "migc: error: cannot create a temporary file next to '%s': %s\n", path,
                strerror(errno));
        return -1;
    }
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        unlink(tmp);
        fprintf(stderr, "migc: error: cannot write '%s': %s\n", path, strerror(errno));
        return -1;
    }
    bool ok = emit_c_source(a, p, name, f) == 0;
    int err = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (ok && same_file(tmp, path)) {
        unlink(tmp); /* unchanged: the file is left untouched */
        return 0;
    }
    mode_t mask = umask(0);
    umask(mask);
    if (ok && chmod(tmp, 0666 & ~mask) != 0) {
        ok = false;
        err = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        fprintf(stderr, "migc: error: cannot write '%s': %s\n", path, strerror(err));
        unlink(tmp);
        return -1;
    }
    return 0;
}
