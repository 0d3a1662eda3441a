/* catalog.c: the schema model and how each statement moves it (catalog.h).
 *
 * Structure sharing. A catalog holds an ownership token; a cat_table whose
 * owner_ equals it may be changed in place, any other is cloned first and the
 * clone replaces it. Pointer arrays live in a cat_vec shared between the
 * catalogs that hold them: appending at the tip of a vec (the holder's length
 * equals vec->used) is done in place even when shared, because the other
 * holders only look at their own, shorter, prefix; replacing or removing an
 * element needs a vec the catalog owns, otherwise the array is copied first.
 * catalog_copy() gives both catalogs fresh tokens, so neither owns anything
 * any more, and costs O(1).
 *
 * Name lookups go through hash maps (name -> slot / count) that belong to
 * one catalog; they are kept up to date by additions and renames, dropped by
 * removals, and rebuilt on the next lookup (snapshots build theirs only if
 * somebody looks something up in them).
 *
 * Nothing here reports errors: the checker validates first; catalog_apply()
 * skips whatever does not resolve. All memory is in the catalog's arena. */
#include "catalog.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "types.h"

#define NAMEDATALEN 64 /* PostgreSQL: names are at most 63 bytes */

/* ---- shared pointer vectors ------------------------------------------------ */

typedef struct cat_vec {
    void **items;
    uint32_t used, cap;
    uint32_t owner;
} cat_vec;

/* Makes *vp a vec owned by owner that holds exactly the holder's n items
 * (copying them when the vec is shared or the holder is not at its tip). */
static void vec_own(arena *a, cat_vec **vp, void ***items, uint32_t *n, uint32_t owner)
{
    cat_vec *v = *vp;
    if (v && v->owner == owner && v->items == *items && v->used == *n)
        return;
    cat_vec *nv = arena_alloc(a, sizeof *nv);
    nv->cap = *n < 4 ? 4 : *n * 2;
    nv->items = arena_alloc(a, nv->cap * sizeof(void *));
    if (*n)
        memcpy(nv->items, *items, *n * sizeof(void *));
    nv->used = *n;
    nv->owner = owner;
    *vp = nv;
    *items = nv->items;
}

/* Appends x for a holder (items, n); in place at a shared vec's tip. */
static void vec_append(arena *a, cat_vec **vp, void ***items, uint32_t *n, void *x, uint32_t owner)
{
    cat_vec *v = *vp;
    if (!v || v->items != *items || v->used != *n) {
        vec_own(a, vp, items, n, owner);
        v = *vp;
    }
    if (v->used == v->cap) {
        uint32_t cap = v->cap * 2;
        void **ni = arena_alloc(a, cap * sizeof(void *));
        memcpy(ni, v->items, v->used * sizeof(void *));
        v->items = ni;
        v->cap = cap;
    }
    v->items[v->used++] = x;
    *items = v->items;
    *n = v->used;
}

/* Removes element i for a holder that owns the vec (call vec_own first). */
static void vec_remove(cat_vec *v, void ***items, uint32_t *n, uint32_t i)
{
    memmove(&(*items)[i], &(*items)[i + 1], (*n - i - 1) * sizeof(void *));
    (*n)--;
    v->used = *n;
}

/* ---- string maps ------------------------------------------------------------ */

static const char map_tomb[] = "";

/* Open addressing, name -> non-NULL pointer (or a count cast to one). Keys
 * are borrowed: they must live as long as the map (arena strings do). */
typedef struct smap {
    const char **keys; /* NULL: empty; map_tomb: deleted */
    void **vals;
    uint32_t cap, live, filled;
} smap;

/* FNV-1a. */
static uint32_t str_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Returns the slot of key or -1. */
static int64_t smap_find(const smap *m, const char *key)
{
    if (!m->cap)
        return -1;
    uint32_t mask = m->cap - 1;
    for (uint32_t i = str_hash(key) & mask;; i = (i + 1) & mask) {
        const char *k = m->keys[i];
        if (!k)
            return -1;
        if (k != map_tomb && !strcmp(k, key))
            return i;
    }
}

/* Returns the value of key, or NULL when absent. */
static void *smap_get(const smap *m, const char *key)
{
    int64_t i = key ? smap_find(m, key) : -1;
    return i < 0 ? NULL : m->vals[i];
}

static void smap_put(arena *a, smap *m, const char *key, void *val);

/* Doubles the table (or more, to stay under half full) and rehashes the
 * live keys, dropping tombstones. Cannot fail (the arena exits on OOM). */
static void smap_grow(arena *a, smap *m)
{
    smap old = *m;
    m->cap = old.cap ? old.cap * 2 : 16;
    while (old.live * 2 >= m->cap)
        m->cap *= 2;
    m->keys = arena_alloc(a, m->cap * sizeof *m->keys);
    m->vals = arena_alloc(a, m->cap * sizeof *m->vals);
    m->live = m->filled = 0;
    for (uint32_t i = 0; i < old.cap; i++)
        if (old.keys[i] && old.keys[i] != map_tomb)
            smap_put(a, m, old.keys[i], old.vals[i]);
}

/* Sets key to val (non-NULL). */
static void smap_put(arena *a, smap *m, const char *key, void *val)
{
    int64_t f = smap_find(m, key);
    if (f >= 0) {
        m->vals[f] = val;
        return;
    }
    if ((m->filled + 1) * 4 >= m->cap * 3)
        smap_grow(a, m);
    uint32_t mask = m->cap - 1;
    uint32_t i = str_hash(key) & mask;
    while (m->keys[i] && m->keys[i] != map_tomb)
        i = (i + 1) & mask;
    if (!m->keys[i])
        m->filled++;
    m->keys[i] = key;
    m->vals[i] = val;
    m->live++;
}

/* Removes key (a tombstone keeps probe chains intact); absent: no-op. */
static void smap_del(smap *m, const char *key)
{
    int64_t i = smap_find(m, key);
    if (i >= 0) {
        m->keys[i] = map_tomb;
        m->live--;
    }
}

/* A map used as a multiset of names. */
static void smap_inc(arena *a, smap *m, const char *key)
{
    uintptr_t v = (uintptr_t)smap_get(m, key);
    smap_put(a, m, key, (void *)(v + 1));
}

/* Decrements key's count, removing it at zero; absent: no-op. */
static void smap_dec(smap *m, const char *key)
{
    uintptr_t v = (uintptr_t)smap_get(m, key);
    if (v > 1) {
        int64_t i = smap_find(m, key);
        m->vals[i] = (void *)(v - 1);
    } else if (v == 1) {
        smap_del(m, key);
    }
}

/* A map used as a multimap: key -> list of names. */
typedef struct nlist {
    const char **v;
    uint32_t n, cap;
} nlist;

/* Appends nm to key's list, creating the list when needed. */
static void nl_add(arena *a, smap *m, const char *key, const char *nm)
{
    nlist *l = smap_get(m, key);
    if (!l) {
        l = arena_alloc(a, sizeof *l);
        smap_put(a, m, key, l);
    }
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 4;
        const char **v = arena_alloc(a, cap * sizeof *v);
        if (l->n)
            memcpy(v, l->v, l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = nm;
}

/* Removes one occurrence of nm from key's list. */
static void nl_remove(smap *m, const char *key, const char *nm)
{
    nlist *l = smap_get(m, key);
    if (!l)
        return;
    for (uint32_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], nm)) {
            memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof *l->v);
            l->n--;
            return;
        }
}

/* Replaces every occurrence of from by to in key's list. */
static void nl_rename(smap *m, const char *key, const char *from, const char *to)
{
    nlist *l = smap_get(m, key);
    for (uint32_t i = 0; l && i < l->n; i++)
        if (!strcmp(l->v[i], from))
            l->v[i] = to;
}

/* Moves key's list to a new key. */
static void nl_move(arena *a, smap *m, const char *from, const char *to)
{
    nlist *l = smap_get(m, from);
    if (!l)
        return;
    smap_del(m, from);
    nlist *have = smap_get(m, to);
    if (!have) {
        smap_put(a, m, to, l);
        return;
    }
    for (uint32_t i = 0; i < l->n; i++)
        nl_add(a, m, to, l->v[i]);
}

/* ---- the catalog ------------------------------------------------------------- */

typedef struct cat_maps {
    smap tables;   /* table name -> cat_table* */
    smap indexes;  /* index name -> cat_index* */
    smap cons;     /* every constraint name -> count */
    smap relcons;  /* PK/unique constraint name -> count (relation namespace) */
    smap tindexes; /* table name -> nlist of its create_index index names */
    smap fkrefs;   /* table name -> nlist of the tables whose foreign keys
                      reference it (one entry per foreign key) */
} cat_maps;

typedef struct cat_priv {
    uint32_t owner;       /* may change tables (and their vecs) it owns in place */
    uint32_t arr_owner;   /* may change the tables/indexes arrays it owns in place */
    uint32_t *next_owner; /* shared by every catalog copied from one catalog_new() */
    cat_vec *tables_vec, *indexes_vec;
    cat_maps *maps;       /* NULL: not built (yet) */
    uint32_t lookups;     /* lookups answered without maps */
    struct cat_changes *changes; /* NULL: not tracking (catalog_track_changes) */
} cat_priv;

/* The change log: names of the tables changed, each once, in order. */
typedef struct cat_changes {
    smap seen;            /* name -> (void *)1 */
    ptr_vec names;        /* const char * */
} cat_changes;

/* Records that table `name` changed, when c tracks changes. */
static void note_change(catalog *c, const char *name)
{
    cat_changes *ch = c->priv_->changes;
    if (!ch || !name || smap_get(&ch->seen, name))
        return;
    smap_put(c->a, &ch->seen, name, (void *)1);
    vec_push(c->a, &ch->names, (void *)name);
}

/* See catalog.h. */
void catalog_track_changes(catalog *c)
{
    if (!c->priv_->changes)
        c->priv_->changes = arena_alloc(c->a, sizeof *c->priv_->changes);
}

const char *const *catalog_changed_tables(const catalog *c, uint32_t *n)
{
    const cat_changes *ch = c->priv_->changes;
    *n = ch ? (uint32_t)ch->names.n : 0;
    return ch ? (const char *const *)ch->names.items : NULL;
}

/* Keeps the arrays' memory when they are small (the usual migration). */
void catalog_changes_clear(catalog *c)
{
    cat_changes *ch = c->priv_->changes;
    if (!ch)
        return;
    if (ch->seen.cap > 64)
        ch->seen = (smap){0};
    else if (ch->seen.cap) {
        memset(ch->seen.keys, 0, ch->seen.cap * sizeof *ch->seen.keys);
        ch->seen.live = ch->seen.filled = 0;
    }
    ch->names.n = 0;
}

/* See catalog.h. The ownership counter is shared by every copy. */
catalog *catalog_new(arena *a)
{
    catalog *c = arena_alloc(a, sizeof *c);
    c->a = a;
    c->priv_ = arena_alloc(a, sizeof *c->priv_);
    c->priv_->next_owner = arena_alloc(a, sizeof(uint32_t));
    *c->priv_->next_owner = 2;
    c->priv_->owner = 1;
    c->priv_->arr_owner = 1;
    return c;
}

/* See catalog.h: O(1); both catalogs get fresh tokens, so neither may
 * change anything it holds now in place. The copy builds its maps lazily. */
catalog *catalog_copy(const catalog *c)
{
    catalog *n = arena_alloc(c->a, sizeof *n);
    *n = *c;
    n->priv_ = arena_alloc(c->a, sizeof *n->priv_);
    *n->priv_ = *c->priv_;
    n->priv_->maps = NULL;
    n->priv_->changes = NULL;
    n->priv_->owner = (*c->priv_->next_owner)++;
    c->priv_->owner = (*c->priv_->next_owner)++;
    n->priv_->arr_owner = (*c->priv_->next_owner)++;
    c->priv_->arr_owner = (*c->priv_->next_owner)++;
    return n;
}

/* See catalog.h: catalog_copy() whose own allocations go to a; c keeps
 * its tokens (it does not change while the copy lives), so it goes on
 * changing in place what it owned and no array of it is copied. */
catalog *catalog_copy_in(const catalog *c, arena *a)
{
    uint32_t owner = c->priv_->owner, arr_owner = c->priv_->arr_owner;
    catalog *n = catalog_copy(c);
    c->priv_->owner = owner;
    c->priv_->arr_owner = arr_owner;
    n->a = a;
    return n;
}

/* See catalog.h: objects become immutable, the arrays stay c's own. */
void catalog_freeze(catalog *c)
{
    c->priv_->owner = (*c->priv_->next_owner)++;
}

/* Records constraint k of table t in the maps. */
static void maps_add_con(arena *a, cat_maps *m, const cat_table *t, const cat_constraint *k)
{
    smap_inc(a, &m->cons, k->name);
    if (k->kind == CON_PRIMARY_KEY || k->kind == CON_UNIQUE)
        smap_inc(a, &m->relcons, k->name);
    if (k->kind == CON_FOREIGN_KEY && k->ref_table)
        nl_add(a, &m->fkrefs, k->ref_table, t->name);
}

/* Forgets constraint k of table t in the maps. */
static void maps_remove_con(cat_maps *m, const cat_table *t, const cat_constraint *k)
{
    smap_dec(&m->cons, k->name);
    if (k->kind == CON_PRIMARY_KEY || k->kind == CON_UNIQUE)
        smap_dec(&m->relcons, k->name);
    if (k->kind == CON_FOREIGN_KEY && k->ref_table)
        nl_remove(&m->fkrefs, k->ref_table, t->name);
}

/* Returns the catalog's maps, building them when needed (O(schema) once per
 * catalog; kept up to date by every change after that). */
static cat_maps *maps_of(const catalog *c)
{
    cat_priv *p = c->priv_;
    if (p->maps)
        return p->maps;
    cat_maps *m = arena_alloc(c->a, sizeof *m);
    for (uint32_t i = 0; i < c->ntables; i++) {
        const cat_table *t = c->tables[i];
        smap_put(c->a, &m->tables, t->name, (void *)t);
        for (uint32_t j = 0; j < t->ncons; j++)
            maps_add_con(c->a, m, t, t->cons[j]);
    }
    for (uint32_t i = 0; i < c->nindexes; i++) {
        const cat_index *ix = c->indexes[i];
        smap_put(c->a, &m->indexes, ix->name, (void *)ix);
        nl_add(c->a, &m->tindexes, ix->table, ix->name);
    }
    p->maps = m;
    return m;
}

/* The maps for a lookup: a catalog that is changed (or looked up often)
 * has them; a snapshot that is only asked a few questions answers them by
 * scanning, so that taking a snapshot per statement stays O(1) for callers
 * (the code generators) that look little up in each. NULL: scan. */
static cat_maps *maps_for_lookup(const catalog *c)
{
    cat_priv *p = c->priv_;
    if (p->maps || ++p->lookups > 32)
        return maps_of(c);
    return NULL;
}

cat_table *catalog_table(const catalog *c, const char *name)
{
    if (!name)
        return NULL;
    cat_maps *m = maps_for_lookup(c);
    if (m)
        return smap_get(&m->tables, name);
    for (uint32_t i = 0; i < c->ntables; i++)
        if (!strcmp(c->tables[i]->name, name))
            return c->tables[i];
    return NULL;
}

int catalog_column_index(const cat_table *t, const char *name)
{
    if (!t || !name)
        return -1;
    for (uint32_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i]->name, name))
            return (int)i;
    return -1;
}

cat_column *catalog_column(const cat_table *t, const char *name)
{
    int i = catalog_column_index(t, name);
    return i < 0 ? NULL : t->cols[i];
}

cat_index *catalog_index(const catalog *c, const char *name)
{
    if (!name)
        return NULL;
    cat_maps *m = maps_for_lookup(c);
    if (m)
        return smap_get(&m->indexes, name);
    for (uint32_t i = 0; i < c->nindexes; i++)
        if (!strcmp(c->indexes[i]->name, name))
            return c->indexes[i];
    return NULL;
}

/* Scans every constraint for name; relation_only: PK/unique only. */
static bool scan_con_name(const catalog *c, const char *name, bool relation_only)
{
    for (uint32_t i = 0; i < c->ntables; i++) {
        const cat_constraint *k = catalog_constraint(c->tables[i], name);
        if (k && (!relation_only || k->kind == CON_PRIMARY_KEY || k->kind == CON_UNIQUE))
            return true;
    }
    return false;
}

cat_constraint *catalog_constraint(const cat_table *t, const char *name)
{
    if (!t || !name)
        return NULL;
    for (uint32_t i = 0; i < t->ncons; i++)
        if (!strcmp(t->cons[i]->name, name))
            return t->cons[i];
    return NULL;
}

cat_constraint *catalog_primary_key(const cat_table *t)
{
    if (!t)
        return NULL;
    for (uint32_t i = 0; i < t->ncons; i++)
        if (t->cons[i]->kind == CON_PRIMARY_KEY)
            return t->cons[i];
    return NULL;
}

bool catalog_relation_name_taken(const catalog *c, const char *name)
{
    cat_maps *m = maps_for_lookup(c);
    if (!m)
        return catalog_table(c, name) || catalog_index(c, name) || scan_con_name(c, name, true);
    return smap_get(&m->tables, name) || smap_get(&m->indexes, name) || smap_get(&m->relcons, name);
}

bool catalog_constraint_name_used(const catalog *c, const char *name)
{
    cat_maps *m = maps_for_lookup(c);
    return m ? smap_get(&m->cons, name) != NULL : scan_con_name(c, name, false);
}

cat_table *catalog_relcon_owner(const catalog *c, const char *name, cat_constraint **con)
{
    if (con)
        *con = NULL;
    cat_maps *m = maps_for_lookup(c);
    if (m && !smap_get(&m->relcons, name))
        return NULL;
    for (uint32_t i = 0; i < c->ntables; i++) {
        cat_constraint *k = catalog_constraint(c->tables[i], name);
        if (k && (k->kind == CON_PRIMARY_KEY || k->kind == CON_UNIQUE)) {
            if (con)
                *con = k;
            return c->tables[i];
        }
    }
    return NULL;
}

const char *const *catalog_table_index_names(const catalog *c, const char *table, uint32_t *n)
{
    cat_maps *m = maps_for_lookup(c);
    if (!m) {
        const char **v = arena_alloc(c->a, (c->nindexes ? c->nindexes : 1) * sizeof *v);
        *n = 0;
        for (uint32_t i = 0; i < c->nindexes; i++)
            if (!strcmp(c->indexes[i]->table, table))
                v[(*n)++] = c->indexes[i]->name;
        return v;
    }
    const nlist *l = smap_get(&m->tindexes, table);
    *n = l ? l->n : 0;
    return l ? l->v : NULL;
}

const char *const *catalog_referencing_tables(const catalog *c, const char *table, uint32_t *n)
{
    cat_maps *m = maps_for_lookup(c);
    if (!m) {
        ptr_vec v = {0};
        for (uint32_t i = 0; i < c->ntables; i++) {
            const cat_table *t = c->tables[i];
            for (uint32_t j = 0; j < t->ncons; j++)
                if (t->cons[j]->kind == CON_FOREIGN_KEY && t->cons[j]->ref_table &&
                    !strcmp(t->cons[j]->ref_table, table))
                    vec_push(c->a, &v, (void *)t->name);
        }
        *n = (uint32_t)v.n;
        return (const char *const *)v.items;
    }
    const nlist *l = smap_get(&m->fkrefs, table);
    *n = l ? l->n : 0;
    return l ? l->v : NULL;
}

/* ---- PostgreSQL's names for unnamed objects ------------------------------------ */

/* Length of the longest prefix of s of at most n bytes that does not end in
 * the middle of a UTF-8 character (PostgreSQL's pg_mbcliplen). */
static size_t utf8_clip(const char *s, size_t n)
{
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* PostgreSQL's makeObjectName: name1[_name2][_label], name1 and name2
 * shortened (the longer one first) so that the result fits in 63 bytes. */
static char *make_object_name(arena *a, const char *name1, const char *name2, const char *label)
{
    size_t n1 = strlen(name1), n2 = name2 ? strlen(name2) : 0;
    int overhead = (name2 ? 1 : 0) + (label ? (int)strlen(label) + 1 : 0);
    int avail = NAMEDATALEN - 1 - overhead;
    while ((int)(n1 + n2) > avail) {
        if (n1 > n2)
            n1--;
        else
            n2--;
    }
    n1 = utf8_clip(name1, n1);
    if (name2)
        n2 = utf8_clip(name2, n2);
    strbuf b;
    sb_init(&b, a);
    sb_putn(&b, name1, n1);
    if (name2) {
        sb_putc(&b, '_');
        sb_putn(&b, name2, n2);
    }
    if (label) {
        sb_putc(&b, '_');
        sb_puts(&b, label);
    }
    return (char *)sb_str(&b);
}

/* PostgreSQL's ChooseIndexNameAddition / ChooseForeignKeyConstraintNameAddition:
 * the column names joined by '_', cut off once 63 bytes are reached. */
static char *name_addition(arena *a, const char **cols, uint32_t ncols)
{
    char buf[NAMEDATALEN];
    size_t len = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < ncols; i++) {
        if (len > 0)
            buf[len++] = '_';
        size_t room = NAMEDATALEN - len; /* strlcpy(buf + len, name, room) */
        size_t cl = strlen(cols[i]);
        if (cl > room - 1)
            cl = room - 1;
        memcpy(buf + len, cols[i], cl);
        len += cl;
        buf[len] = '\0';
        if (len >= NAMEDATALEN - 1)
            break;
    }
    return arena_strndup(a, buf, len);
}

const char *catalog_choose_name(const catalog *c, const char *table,
                                const char **cols, uint32_t ncols,
                                const char *suffix)
{
    const char *name2 = NULL;
    bool relation = false, constraint = false;
    if (!strcmp(suffix, "pkey")) {
        relation = constraint = true;
    } else if (!strcmp(suffix, "key")) {
        relation = constraint = true;
        name2 = ncols ? name_addition(c->a, cols, ncols) : NULL;
    } else if (!strcmp(suffix, "idx")) {
        relation = true;
        name2 = ncols ? name_addition(c->a, cols, ncols) : NULL;
    } else { /* check, fkey: ChooseConstraintName */
        constraint = true;
        name2 = ncols ? name_addition(c->a, cols, ncols) : NULL;
    }
    char label[NAMEDATALEN];
    snprintf(label, sizeof label, "%s", suffix);
    for (int pass = 1;; pass++) {
        char *nm = make_object_name(c->a, table, name2, label);
        bool taken = (relation && catalog_relation_name_taken(c, nm)) ||
                     (constraint && catalog_constraint_name_used(c, nm));
        if (!taken)
            return nm;
        snprintf(label, sizeof label, "%s%d", suffix, pass);
    }
}

/* ---- expression helpers ---------------------------------------------------------- */

/* Calls fn for every column reference in e (depth-first, in order). */
static void expr_columns(const expr *e, void (*fn)(const expr *col, void *ctx), void *ctx)
{
    if (!e)
        return;
    /* An explicit stack would be needed for 100,000-deep trees; the parser
     * bounds nesting depth, so recursion here is bounded too. */
    if (e->kind == E_COLUMN)
        fn(e, ctx);
    for (uint32_t i = 0; i < e->nargs; i++)
        expr_columns(e->args[i], fn, ctx);
}

typedef struct single_col_ctx {
    const char *name;   /* the first column mentioned */
    bool several;       /* another column is mentioned too */
} single_col_ctx;

/* expr_columns() callback: remembers the first column, notes another. */
static void count_cols(const expr *col, void *ctx)
{
    single_col_ctx *s = ctx;
    if (!s->name)
        s->name = col->col.s;
    else if (strcmp(s->name, col->col.s))
        s->several = true;
}

/* PostgreSQL 15 (AddRelationNewConstraints): the expression's Vars with
 * duplicates removed; exactly one names the check after its column. */
const char *check_single_column(const expr *e)
{
    single_col_ctx s = {NULL, false};
    expr_columns(e, count_cols, &s);
    return s.name && !s.several ? s.name : NULL;
}

/* Returns e with every reference to column from renamed to, copying only
 * the nodes on the way to a changed reference. */
static expr *expr_rename(arena *a, expr *e, const char *from, const char *to)
{
    if (!e)
        return NULL;
    if (e->kind == E_COLUMN) {
        if (strcmp(e->col.s, from))
            return e;
        expr *n = arena_alloc(a, sizeof *n);
        *n = *e;
        n->col.s = to;
        return n;
    }
    expr **args = NULL;
    for (uint32_t i = 0; i < e->nargs; i++) {
        expr *r = expr_rename(a, e->args[i], from, to);
        if (r != e->args[i] && !args) {
            args = arena_alloc(a, e->nargs * sizeof *args);
            memcpy(args, e->args, e->nargs * sizeof *args);
        }
        if (args)
            args[i] = r;
    }
    if (!args)
        return e;
    expr *n = arena_alloc(a, sizeof *n);
    *n = *e;
    n->args = args;
    return n;
}

/* Part of an SQL word (identifier characters, and any non-ASCII byte)? */
static bool is_word_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || (unsigned char)ch >= 0x80;
}

bool raw_sql_names(const char *sql, const char *table)
{
    if (!sql || !table || !*table)
        return false;
    size_t tl = strlen(table);
    for (const char *p = sql; *p; p++) {
        if (is_word_char(*p) && (p == sql || !is_word_char(p[-1]))) {
            if (!strncasecmp(p, table, tl) && !is_word_char(p[tl]))
                return true;
            while (is_word_char(p[1]))
                p++;
        }
    }
    return false;
}

/* ---- writable views --------------------------------------------------------------- */

/* Position of p in items[0..n), trying the hint first (objects remember
 * where they were last placed; removals shift later ones by one). */
static uint32_t find_slot(void *const *items, uint32_t n, const void *p, uint32_t *hint)
{
    uint32_t h = *hint;
    if (h < n && items[h] == p)
        return h;
    if (h > 0 && h - 1 < n && items[h - 1] == p)
        return *hint = h - 1;
    for (uint32_t i = 0; i < n; i++)
        if (items[i] == p)
            return *hint = i;
    return UINT32_MAX; /* not reached: p is always an element */
}

/* Returns a version of table t (an element of c->tables) that the catalog
 * may change in place, cloning it when it is shared. */
static cat_table *table_w(catalog *c, cat_table *t)
{
    cat_priv *p = c->priv_;
    note_change(c, t->name);
    if (t->owner_ == p->owner)
        return t;
    uint32_t slot = find_slot((void *const *)c->tables, c->ntables, t, &t->slot_);
    cat_table *n = arena_alloc(c->a, sizeof *n);
    *n = *t;
    n->owner_ = p->owner;
    n->slot_ = slot;
    vec_own(c->a, &p->tables_vec, (void ***)&c->tables, &c->ntables, p->arr_owner);
    c->tables[slot] = n;
    smap_put(c->a, &maps_of(c)->tables, n->name, n);
    return n;
}

/* Looks a table up by name for writing; NULL when absent. */
static cat_table *table_w_named(catalog *c, const char *name)
{
    cat_table *t = catalog_table(c, name);
    return t ? table_w(c, t) : NULL;
}

/* Returns a private copy of column i of the writable table t, put in place. */
static cat_column *col_w(catalog *c, cat_table *t, uint32_t i)
{
    cat_column *n = arena_alloc(c->a, sizeof *n);
    *n = *t->cols[i];
    vec_own(c->a, &t->cols_vec_, (void ***)&t->cols, &t->ncols, c->priv_->owner);
    t->cols[i] = n;
    return n;
}

/* col_w() by name; NULL when t has no such column. */
static cat_column *col_w_named(catalog *c, cat_table *t, const char *name)
{
    int i = catalog_column_index(t, name);
    return i < 0 ? NULL : col_w(c, t, (uint32_t)i);
}

/* A private copy of constraint i of the writable table t (the maps do not
 * change: only names and kinds are in them, and callers keep those). */
static cat_constraint *con_w(catalog *c, cat_table *t, uint32_t i)
{
    cat_constraint *n = arena_alloc(c->a, sizeof *n);
    *n = *t->cons[i];
    vec_own(c->a, &t->cons_vec_, (void ***)&t->cons, &t->ncons, c->priv_->owner);
    t->cons[i] = n;
    return n;
}

/* A private copy of index ix (an element of c->indexes), put in place. */
static cat_index *index_w(catalog *c, cat_index *ix)
{
    cat_priv *p = c->priv_;
    note_change(c, ix->table);
    uint32_t slot = find_slot((void *const *)c->indexes, c->nindexes, ix, &ix->slot_);
    cat_index *n = arena_alloc(c->a, sizeof *n);
    *n = *ix;
    n->slot_ = slot;
    vec_own(c->a, &p->indexes_vec, (void ***)&c->indexes, &c->nindexes, p->arr_owner);
    c->indexes[slot] = n;
    smap_put(c->a, &maps_of(c)->indexes, n->name, n);
    return n;
}

/* Removes index ix (an element of c->indexes) and its map entries. */
static void remove_index(catalog *c, cat_index *ix)
{
    cat_priv *p = c->priv_;
    cat_maps *m = maps_of(c);
    note_change(c, ix->table);
    uint32_t slot = find_slot((void *const *)c->indexes, c->nindexes, ix, &ix->slot_);
    smap_del(&m->indexes, ix->name);
    nl_remove(&m->tindexes, ix->table, ix->name);
    vec_own(c->a, &p->indexes_vec, (void ***)&c->indexes, &c->nindexes, p->arr_owner);
    vec_remove(p->indexes_vec, (void ***)&c->indexes, &c->nindexes, slot);
}

/* Removes constraint i of the writable table t and its map entries. */
static void remove_con_at(catalog *c, cat_table *t, uint32_t i)
{
    maps_remove_con(maps_of(c), t, t->cons[i]);
    vec_own(c->a, &t->cons_vec_, (void ***)&t->cons, &t->ncons, c->priv_->owner);
    vec_remove(t->cons_vec_, (void ***)&t->cons, &t->ncons, i);
}

/* The indexes of table `table`, copied (callers may remove them). */
static cat_index **indexes_of(catalog *c, const char *table, uint32_t *n)
{
    const char *const *names = catalog_table_index_names(c, table, n);
    cat_index **v = arena_alloc(c->a, (*n ? *n : 1) * sizeof *v);
    for (uint32_t i = 0; i < *n; i++)
        v[i] = catalog_index(c, names[i]);
    return v;
}

/* The distinct tables whose foreign keys reference `table`. */
static const char **referencing_of(catalog *c, const char *table, uint32_t *n)
{
    uint32_t m;
    const char *const *names = catalog_referencing_tables(c, table, &m);
    const char **v = arena_alloc(c->a, (m ? m : 1) * sizeof *v);
    *n = 0;
    for (uint32_t i = 0; i < m; i++) {
        bool dup = false;
        for (uint32_t j = 0; j < *n && !dup; j++)
            dup = !strcmp(v[j], names[i]);
        if (!dup)
            v[(*n)++] = names[i];
    }
    return v;
}

/* ---- building blocks of catalog_apply ------------------------------------------------ */

static const char **names_of(arena *a, const name_list *l)
{
    const char **v = arena_alloc(a, (l->n ? l->n : 1) * sizeof *v);
    for (uint32_t i = 0; i < l->n; i++)
        v[i] = l->items[i].s;
    return v;
}

/* Is s one of v[0..n)? */
static bool str_in(const char *s, const char **v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return true;
    return false;
}

/* Adds the column def to the writable table t (skipped when the name is
 * taken). */
static void add_column(catalog *c, const migration *mig, cat_table *t, const column_def *d)
{
    if (catalog_column_index(t, d->cname.s) >= 0)
        return;
    cat_column *col = arena_alloc(c->a, sizeof *col);
    col->name = d->cname.s;
    col->quoted = d->cname.quoted;
    col->type = d->type;
    col->identity = d->identity;
    col->not_null = d->not_null || d->identity;
    col->dflt = d->dflt;
    col->proven_non_null = col->not_null ||
                           (d->dflt && !d->dflt->nullable && d->dflt->type.kind != TY_NULL);
    col->added_version = mig ? mig->version : 0;
    col->at = d->cname.at;
    vec_append(c->a, &t->cols_vec_, (void ***)&t->cols, &t->ncols, col, c->priv_->owner);
}

/* Makes the named columns of t NOT NULL (a primary key's columns). */
static void set_not_null(catalog *c, cat_table *t, const char **cols, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        int ci = catalog_column_index(t, cols[i]);
        if (ci < 0 || t->cols[ci]->not_null)
            continue;
        cat_column *col = col_w(c, t, (uint32_t)ci);
        col->not_null = true;
        col->proven_non_null = true;
    }
}

static void add_constraint_as(catalog *c, cat_table *t, constraint *k, const char *inline_col,
                              const char *as_name);

/* Adds constraint k (from the AST) to the writable table t, choosing its
 * name when unnamed and recording it in k->resolved_name. inline_col: the
 * column it was written on, or NULL. */
static void add_constraint(catalog *c, cat_table *t, constraint *k, const char *inline_col)
{
    add_constraint_as(c, t, k, inline_col, NULL);
}

/* add_constraint(), named as_name when k is unnamed and as_name is set (a
 * name taken over from a duplicate, see apply_create_table). */
static void add_constraint_as(catalog *c, cat_table *t, constraint *k, const char *inline_col,
                              const char *as_name)
{
    if (k->kind == CON_PRIMARY_KEY && catalog_primary_key(t))
        return; /* the checker reported the second primary key */
    cat_constraint *cc = arena_alloc(c->a, sizeof *cc);
    cc->kind = k->kind;
    cc->at = k->at;
    cc->inline_on_column = inline_col != NULL;
    if (inline_col && k->cols.n == 0) {
        cc->cols = arena_alloc(c->a, sizeof *cc->cols);
        cc->cols[0] = inline_col;
        cc->ncols = 1;
    } else {
        cc->cols = names_of(c->a, &k->cols);
        cc->ncols = k->cols.n;
    }
    cc->check = k->check;
    if (k->kind == CON_FOREIGN_KEY) {
        cc->ref_table = k->ref_table.s;
        cc->ref_cols = names_of(c->a, &k->ref_cols);
        cc->nref_cols = k->ref_cols.n;
        if (cc->nref_cols == 0) {
            /* References the primary key (of t itself for a self-reference). */
            const cat_table *rt = cc->ref_table && !strcmp(cc->ref_table, t->name)
                                      ? t : catalog_table(c, cc->ref_table);
            const cat_constraint *pk = catalog_primary_key(rt);
            if (pk) {
                cc->ref_cols = pk->cols;
                cc->nref_cols = pk->ncols;
            }
        }
    }
    cc->on_delete = k->on_delete;
    cc->on_update = k->on_update;
    if (k->cname.s || as_name) {
        cc->name = k->cname.s ? k->cname.s : as_name;
    } else {
        const char *one = NULL;
        switch (k->kind) {
        case CON_PRIMARY_KEY:
            cc->name = catalog_choose_name(c, t->name, NULL, 0, "pkey");
            break;
        case CON_UNIQUE:
            cc->name = catalog_choose_name(c, t->name, cc->cols, cc->ncols, "key");
            break;
        case CON_CHECK:
            one = check_single_column(k->check);
            cc->name = catalog_choose_name(c, t->name, one ? &one : NULL, one ? 1 : 0, "check");
            break;
        case CON_FOREIGN_KEY:
            cc->name = catalog_choose_name(c, t->name, cc->cols, cc->ncols, "fkey");
            break;
        }
    }
    k->resolved_name = cc->name;
    vec_append(c->a, &t->cons_vec_, (void ***)&t->cons, &t->ncons, cc, c->priv_->owner);
    maps_add_con(c->a, maps_of(c), t, cc);
    if (k->kind == CON_PRIMARY_KEY)
        set_not_null(c, t, cc->cols, cc->ncols);
}

/* Primary keys first would change the declaration order, so foreign keys
 * that reference a primary key declared later in the same create_table get
 * their referenced columns here. */
static void fix_self_references(catalog *c, cat_table *t)
{
    const cat_constraint *pk = catalog_primary_key(t);
    if (!pk)
        return;
    for (uint32_t i = 0; i < t->ncons; i++) {
        const cat_constraint *k = t->cons[i];
        if (k->kind == CON_FOREIGN_KEY && k->nref_cols == 0 && k->ref_table &&
            !strcmp(k->ref_table, t->name)) {
            cat_constraint *w = con_w(c, t, i);
            w->ref_cols = pk->cols;
            w->nref_cols = pk->ncols;
        }
    }
}

static void add_columns_of_expr(const expr *col, void *ctx);

typedef struct name_acc {
    arena *a;
    ptr_vec v;
} name_acc;

/* expr_columns() callback: collects distinct column names. */
static void add_columns_of_expr(const expr *col, void *ctx)
{
    name_acc *acc = ctx;
    if (!str_in(col->col.s, (const char **)acc->v.items, (uint32_t)acc->v.n))
        vec_push(acc->a, &acc->v, (void *)col->col.s);
}

/* Fills the index's column list from its elements and predicate. */
static void index_collect_cols(arena *a, cat_index *ix)
{
    name_acc acc = {a, {0}};
    for (uint32_t i = 0; i < ix->nelems; i++)
        expr_columns(ix->elems[i].e, add_columns_of_expr, &acc);
    expr_columns(ix->where, add_columns_of_expr, &acc);
    ix->cols = (const char **)acc.v.items;
    ix->ncols = (uint32_t)acc.v.n;
}

/* The columns of a primary key / unique constraint as written (inline_col:
 * the column it was written on, for `col ... unique`). */
static void key_columns(const constraint *k, const char *inline_col, const name **v, uint32_t *n,
                        const char **one)
{
    if (inline_col && k->cols.n == 0) {
        *one = inline_col;
        *v = NULL;
        *n = 1;
    } else {
        *v = k->cols.items;
        *n = k->cols.n;
    }
}

/* Do two key constraints name the same columns in the same order? */
static bool same_key_columns(const constraint *a, const char *ia, const constraint *b, const char *ib)
{
    const name *va, *vb;
    uint32_t na, nb;
    const char *oa = NULL, *ob = NULL;
    key_columns(a, ia, &va, &na, &oa);
    key_columns(b, ib, &vb, &nb, &ob);
    if (na != nb)
        return false;
    for (uint32_t i = 0; i < na; i++)
        if (strcmp(va ? va[i].s : oa, vb ? vb[i].s : ob))
            return false;
    return true;
}

/* A new table, owned by c, with its columns and then its constraints in
 * declaration order (inline ones first), names chosen as PostgreSQL would. */
static void apply_create_table(catalog *c, const migration *mig, const stmt *s)
{
    if (catalog_table(c, s->table.s) || catalog_relation_name_taken(c, s->table.s))
        return;
    cat_priv *p = c->priv_;
    cat_table *t = arena_alloc(c->a, sizeof *t);
    t->name = s->table.s;
    t->quoted = s->table.quoted;
    t->created_version = mig ? mig->version : 0;
    t->maybe_has_rows = false;
    t->at = s->table.at;
    t->owner_ = p->owner;
    note_change(c, t->name);
    vec_append(c->a, &p->tables_vec, (void ***)&c->tables, &c->ntables, t, p->arr_owner);
    t->slot_ = c->ntables - 1;
    smap_put(c->a, &maps_of(c)->tables, t->name, t);
    for (uint32_t i = 0; i < s->ncols; i++)
        add_column(c, mig, t, s->cols[i]);
    /* Every constraint in declaration order (inline ones first). */
    uint32_t n = s->ncons;
    for (uint32_t i = 0; i < s->ncols; i++)
        n += s->cols[i]->ncons;
    constraint **ks = arena_alloc(c->a, (n ? n : 1) * sizeof *ks);
    const char **inl = arena_alloc(c->a, (n ? n : 1) * sizeof *inl);
    uint32_t m = 0;
    for (uint32_t i = 0; i < s->ncols; i++)
        for (uint32_t j = 0; j < s->cols[i]->ncons; j++) {
            ks[m] = s->cols[i]->cons[j];
            inl[m++] = s->cols[i]->cname.s;
        }
    for (uint32_t i = 0; i < s->ncons; i++) {
        ks[m] = s->cons[i];
        inl[m++] = NULL;
    }
    /* PostgreSQL (transformIndexConstraints) keeps one index per column
     * list among the primary key and unique constraints of a CREATE TABLE:
     * the primary key, else the first; a duplicate goes away, giving its
     * name to the one kept if that one is unnamed. keep[i]: the constraint
     * i was merged into (i itself when kept). */
    uint32_t *keep = arena_alloc(c->a, (n ? n : 1) * sizeof *keep);
    const char **as = arena_alloc(c->a, (n ? n : 1) * sizeof *as);
    int64_t pk = -1;
    for (uint32_t i = 0; i < m; i++) {
        keep[i] = i;
        if (ks[i]->kind == CON_PRIMARY_KEY && pk < 0)
            pk = i;
    }
    for (uint32_t i = 0; i < m; i++) {
        if (ks[i]->kind != CON_UNIQUE)
            continue;
        for (int64_t j = -1; j < (int64_t)i; j++) {
            uint32_t o = j < 0 ? (uint32_t)pk : (uint32_t)j;
            if ((j < 0 && pk < 0) || (j >= 0 && (ks[o]->kind != CON_UNIQUE || keep[o] != o)))
                continue;
            if (!same_key_columns(ks[o], inl[o], ks[i], inl[i]))
                continue;
            keep[i] = o;
            if (!ks[o]->cname.s && !as[o] && ks[i]->cname.s)
                as[o] = ks[i]->cname.s;
            break;
        }
    }
    for (uint32_t i = 0; i < m; i++)
        if (keep[i] == i)
            add_constraint_as(c, t, ks[i], inl[i], as[i]);
    for (uint32_t i = 0; i < m; i++)
        if (keep[i] != i)
            ks[i]->resolved_name = ks[keep[i]]->resolved_name;
    fix_self_references(c, t);
}

/* Removes the table with its own indexes and constraints. */
static void apply_drop_table(catalog *c, const stmt *s)
{
    cat_table *t = catalog_table(c, s->table.s);
    if (!t)
        return;
    cat_priv *p = c->priv_;
    cat_maps *m = maps_of(c);
    note_change(c, t->name);
    uint32_t n;
    cat_index **ixs = indexes_of(c, t->name, &n);
    for (uint32_t i = 0; i < n; i++)
        if (ixs[i])
            remove_index(c, ixs[i]);
    for (uint32_t j = 0; j < t->ncons; j++)
        maps_remove_con(m, t, t->cons[j]);
    uint32_t slot = find_slot((void *const *)c->tables, c->ntables, t, &t->slot_);
    smap_del(&m->tables, t->name);
    smap_del(&m->tindexes, t->name);
    vec_own(c->a, &p->tables_vec, (void ***)&c->tables, &c->ntables, p->arr_owner);
    vec_remove(p->tables_vec, (void ***)&c->tables, &c->ntables, slot);
}

/* Renames the table and every reference to it: foreign keys of other
 * tables, its indexes, and the reverse lists. Constraint names stay. */
static void apply_rename_table(catalog *c, const stmt *s)
{
    const char *from = s->table.s, *to = s->new_name.s;
    cat_table *t = catalog_table(c, from);
    if (!t || catalog_table(c, to))
        return;
    t = table_w(c, t); /* notes `from` */
    note_change(c, to);
    cat_maps *m = maps_of(c);
    t->name = to;
    t->quoted = s->new_name.quoted;
    smap_del(&m->tables, from);
    smap_put(c->a, &m->tables, to, t);
    /* Its own foreign keys: the referenced tables' lists name it. */
    for (uint32_t j = 0; j < t->ncons; j++)
        if (t->cons[j]->kind == CON_FOREIGN_KEY && t->cons[j]->ref_table)
            nl_rename(&m->fkrefs, t->cons[j]->ref_table, from, to);
    /* Foreign keys that reference it (its own self-references included). */
    uint32_t nref;
    const char **refs = referencing_of(c, from, &nref);
    for (uint32_t i = 0; i < nref; i++) {
        cat_table *o = table_w_named(c, refs[i]);
        for (uint32_t j = 0; o && j < o->ncons; j++)
            if (o->cons[j]->kind == CON_FOREIGN_KEY && o->cons[j]->ref_table &&
                !strcmp(o->cons[j]->ref_table, from))
                con_w(c, o, j)->ref_table = to;
    }
    nl_move(c->a, &m->fkrefs, from, to);
    uint32_t n;
    cat_index **ixs = indexes_of(c, from, &n);
    for (uint32_t i = 0; i < n; i++)
        if (ixs[i])
            index_w(c, ixs[i])->table = to;
    nl_move(c->a, &m->tindexes, from, to);
}

/* Does e mention column col? */
static bool expr_mentions(const expr *e, const char *col)
{
    if (!e)
        return false;
    if (e->kind == E_COLUMN && !strcmp(e->col.s, col))
        return true;
    for (uint32_t i = 0; i < e->nargs; i++)
        if (expr_mentions(e->args[i], col))
            return true;
    return false;
}

bool catalog_con_uses(const cat_constraint *k, const char *col)
{
    return str_in(col, k->cols, k->ncols) || (k->kind == CON_CHECK && expr_mentions(k->check, col));
}

/* Appends the column and its inline constraints. */
static void apply_add_column(catalog *c, const migration *mig, const stmt *s)
{
    cat_table *t = table_w_named(c, s->table.s);
    if (!t || !s->coldef || catalog_column_index(t, s->coldef->cname.s) >= 0)
        return;
    add_column(c, mig, t, s->coldef);
    for (uint32_t j = 0; j < s->coldef->ncons; j++)
        add_constraint(c, t, s->coldef->cons[j], s->coldef->cname.s);
}

/* Removes the column with every constraint and index that uses it. */
static void apply_drop_column(catalog *c, const stmt *s)
{
    cat_table *t = table_w_named(c, s->table.s);
    int ci = catalog_column_index(t, s->column.s);
    if (ci < 0)
        return;
    const char *col = s->column.s;
    for (uint32_t i = t->ncons; i-- > 0;)
        if (catalog_con_uses(t->cons[i], col))
            remove_con_at(c, t, i);
    uint32_t n;
    cat_index **ixs = indexes_of(c, t->name, &n);
    for (uint32_t i = 0; i < n; i++)
        if (ixs[i] && str_in(col, ixs[i]->cols, ixs[i]->ncols))
            remove_index(c, ixs[i]);
    vec_own(c->a, &t->cols_vec_, (void ***)&t->cols, &t->ncols, c->priv_->owner);
    vec_remove(t->cols_vec_, (void ***)&t->cols, &t->ncols, (uint32_t)ci);
}

/* Returns a copy of names with from replaced by to, or names itself when
 * from is absent. */
static const char **rename_in(arena *a, const char **names, uint32_t n, const char *from, const char *to)
{
    if (!str_in(from, names, n))
        return names;
    const char **v = arena_alloc(a, n * sizeof *v);
    for (uint32_t i = 0; i < n; i++)
        v[i] = strcmp(names[i], from) ? names[i] : to;
    return v;
}

/* Renames the column in the table, its constraints (checks rewritten),
 * foreign keys that reference it, and its indexes (expressions rewritten). */
static void apply_rename_column(catalog *c, const stmt *s)
{
    cat_table *t = table_w_named(c, s->table.s);
    const char *from = s->column.s, *to = s->new_name.s;
    if (!t || catalog_column_index(t, from) < 0 || catalog_column_index(t, to) >= 0)
        return;
    cat_column *col = col_w_named(c, t, from);
    col->name = to;
    col->quoted = s->new_name.quoted;
    for (uint32_t i = 0; i < t->ncons; i++) {
        if (!catalog_con_uses(t->cons[i], from))
            continue;
        cat_constraint *k = con_w(c, t, i);
        k->cols = rename_in(c->a, k->cols, k->ncols, from, to);
        if (k->check)
            k->check = expr_rename(c->a, (expr *)k->check, from, to);
    }
    /* Foreign keys (of any table, this one included) that reference it. */
    uint32_t nref;
    const char **refs = referencing_of(c, t->name, &nref);
    for (uint32_t i = 0; i < nref; i++) {
        cat_table *o = catalog_table(c, refs[i]);
        for (uint32_t j = 0; o && j < o->ncons; j++) {
            const cat_constraint *k = o->cons[j];
            if (k->kind != CON_FOREIGN_KEY || !k->ref_table || strcmp(k->ref_table, t->name) ||
                !str_in(from, k->ref_cols, k->nref_cols))
                continue;
            o = table_w(c, o);
            cat_constraint *kw = con_w(c, o, j);
            kw->ref_cols = rename_in(c->a, kw->ref_cols, kw->nref_cols, from, to);
        }
    }
    uint32_t n;
    cat_index **ixs = indexes_of(c, t->name, &n);
    for (uint32_t i = 0; i < n; i++) {
        cat_index *ix = ixs[i];
        if (!ix || !str_in(from, ix->cols, ix->ncols))
            continue;
        cat_index *w = index_w(c, ix);
        index_elem *el = arena_alloc(c->a, (w->nelems ? w->nelems : 1) * sizeof *el);
        for (uint32_t j = 0; j < w->nelems; j++) {
            el[j] = w->elems[j];
            el[j].e = expr_rename(c->a, el[j].e, from, to);
        }
        w->elems = el;
        w->where = expr_rename(c->a, (expr *)w->where, from, to);
        w->cols = rename_in(c->a, w->cols, w->ncols, from, to);
    }
}

/* Is e `col is null` for the named column? */
static bool is_col_is_null(const expr *e, const char *col)
{
    return e && e->kind == E_IS_NULL && !e->negated && e->nargs == 1 &&
           e->args[0]->kind == E_COLUMN && !strcmp(e->args[0]->col.s, col);
}

/* The alter_column forms: nullability (the NOT NULL proof follows),
 * default, type. */
static void apply_alter_column(catalog *c, const stmt *s)
{
    cat_table *t = table_w_named(c, s->table.s);
    cat_column *col = t ? col_w_named(c, t, s->column.s) : NULL;
    if (!col)
        return;
    switch (s->kind) {
    case S_SET_NOT_NULL:
        col->not_null = true;
        col->proven_non_null = true;
        break;
    case S_DROP_NOT_NULL:
        col->not_null = false;
        break;
    /* A default only concerns rows written later, which applications may
     * write anyway: the rows already there keep whatever proof they had. */
    case S_SET_DEFAULT:
        col->dflt = s->value;
        break;
    case S_DROP_DEFAULT:
        col->dflt = NULL;
        break;
    case S_ALTER_TYPE:
        col->type = s->type;
        if (s->value && s->value->nullable && !col->not_null)
            col->proven_non_null = false;
        break;
    default:
        break;
    }
}

/* Appends the index (skipped when the table is missing or the name taken). */
static void apply_create_index(catalog *c, const stmt *s)
{
    if (!catalog_table(c, s->table.s) || catalog_relation_name_taken(c, s->index.s))
        return;
    cat_priv *p = c->priv_;
    cat_index *ix = arena_alloc(c->a, sizeof *ix);
    ix->name = s->index.s;
    ix->table = s->table.s;
    ix->unique = s->unique;
    ix->method = s->method.s;
    ix->elems = s->elems;
    ix->nelems = s->nelems;
    ix->where = s->where;
    ix->concurrently = s->concurrently;
    ix->at = s->index.at;
    index_collect_cols(c->a, ix);
    vec_append(c->a, &p->indexes_vec, (void ***)&c->indexes, &c->nindexes, ix, p->arr_owner);
    ix->slot_ = c->nindexes - 1;
    note_change(c, ix->table);
    cat_maps *m = maps_of(c);
    smap_put(c->a, &m->indexes, ix->name, ix);
    nl_add(c->a, &m->tindexes, ix->table, ix->name);
}

/* Removes the index when it exists. */
static void apply_drop_index(catalog *c, const stmt *s)
{
    cat_index *ix = catalog_index(c, s->index.s);
    if (ix)
        remove_index(c, ix);
}

/* add_foreign_key / add_unique / add_check / alter_table primary key (which
 * replaces the existing primary key). */
static void apply_add_constraint(catalog *c, const stmt *s)
{
    cat_table *t = table_w_named(c, s->table.s);
    if (!t || !s->con)
        return;
    if (s->kind == S_SET_PRIMARY_KEY) {
        for (uint32_t i = 0; i < t->ncons; i++)
            if (t->cons[i]->kind == CON_PRIMARY_KEY) {
                remove_con_at(c, t, i);
                break;
            }
    }
    add_constraint(c, t, s->con, NULL);
}

/* Removes the named constraint of the table when it exists. */
static void apply_drop_constraint(catalog *c, const stmt *s)
{
    cat_table *t = table_w_named(c, s->table.s);
    if (!t)
        return;
    for (uint32_t i = 0; i < t->ncons; i++)
        if (!strcmp(t->cons[i]->name, s->cname.s)) {
            remove_con_at(c, t, i);
            return;
        }
}

/* A covering backfill with a non-null value proves its column free of
 * NULLs; a value that may be NULL takes the proof away. */
static void apply_backfill(catalog *c, const stmt *s)
{
    cat_table *t = table_w_named(c, s->table.s);
    if (!t)
        return;
    for (uint32_t i = 0; i < s->nsets; i++) {
        const assignment *as = &s->sets[i];
        cat_column *col = col_w_named(c, t, as->col.s);
        if (!col || !as->value)
            continue;
        if (as->value->nullable || as->value->type.kind == TY_NULL)
            col->proven_non_null = col->not_null;
        else if (!s->where || is_col_is_null(s->where, col->name))
            col->proven_non_null = true;
    }
}

/* Value of an integer literal expression, when it is one. */
static bool literal_int(const expr *e, int64_t *v)
{
    bool neg = false;
    if (e && e->kind == E_UNARY && e->op == OP_NEG && e->nargs == 1) {
        neg = true;
        e = e->args[0];
    }
    if (!e || e->kind != E_INT || !e->text)
        return false;
    int64_t acc = 0;
    for (const char *p = e->text; *p; p++) {
        if (*p < '0' || *p > '9')
            continue;
        if (acc > (INT64_MAX - (*p - '0')) / 10)
            return false;
        acc = acc * 10 + (*p - '0');
    }
    *v = neg ? -acc : acc;
    return true;
}

/* The table may now have rows; columns that may have received a NULL lose
 * their proof; identity_floor follows the inserted ids. */
static void apply_insert(catalog *c, const migration *mig, const stmt *s)
{
    cat_table *t = table_w_named(c, s->table.s);
    if (!t)
        return;
    /* Into a table this migration created and nothing filled yet: the
     * inserted rows are all there is. */
    bool was_empty = !t->maybe_has_rows && mig && t->created_version == mig->version;
    t->maybe_has_rows = true;
    for (uint32_t ci = 0; ci < t->ncols; ci++) {
        const cat_column *col = t->cols[ci];
        int pos = -1;
        for (uint32_t k = 0; k < s->insert_cols.n; k++)
            if (!strcmp(s->insert_cols.items[k].s, col->name))
                pos = (int)k;
        bool may_null = false;
        int64_t maxid = t->identity_floor;
        if (pos < 0) {
            may_null = !col->identity && (!col->dflt || col->dflt->nullable ||
                                          col->dflt->type.kind == TY_NULL);
        } else {
            for (uint32_t r = 0; r < s->nrows; r++) {
                const expr *v = s->rows[r][pos];
                int64_t iv;
                if (!v)
                    continue;
                if (v->nullable || v->type.kind == TY_NULL)
                    may_null = true;
                if (col->identity && literal_int(v, &iv) && iv > maxid)
                    maxid = iv;
            }
        }
        if (col->identity)
            t->identity_floor = maxid;
        if (may_null && col->proven_non_null && !col->not_null)
            col_w(c, t, ci)->proven_non_null = false;
        else if (!may_null && was_empty && !col->proven_non_null)
            col_w(c, t, ci)->proven_non_null = true;
    }
}

const cat_table **catalog_tables_in_sql(const catalog *c, const char *sql, uint32_t *n)
{
    ptr_vec found = {0};
    char buf[NAMEDATALEN];
    for (const char *p = sql ? sql : ""; *p; p++) {
        if (!is_word_char(*p))
            continue;
        const char *w = p;
        while (is_word_char(p[1]))
            p++;
        size_t len = (size_t)(p - w) + 1;
        if (len >= sizeof buf)
            continue;
        memcpy(buf, w, len);
        buf[len] = '\0';
        const cat_table *t = catalog_table(c, buf);
        if (!t) {
            for (size_t i = 0; i < len; i++)
                buf[i] = (char)tolower((unsigned char)buf[i]);
            t = catalog_table(c, buf);
        }
        bool dup = false;
        for (size_t i = 0; t && i < found.n && !dup; i++)
            dup = found.items[i] == t;
        if (t && !dup)
            vec_push(c->a, &found, (void *)t);
    }
    *n = (uint32_t)found.n;
    return (const cat_table **)found.items;
}

/* Tables the raw SQL names may now have rows. */
static void apply_raw_sql(catalog *c, const stmt *s)
{
    uint32_t n;
    const cat_table **ts = catalog_tables_in_sql(c, s->sql, &n);
    for (uint32_t i = 0; i < n; i++)
        if (!ts[i]->maybe_has_rows)
            table_w(c, (cat_table *)ts[i])->maybe_has_rows = true;
}

/* See catalog.h. */
void catalog_apply(catalog *c, const migration *mig, const stmt *s)
{
    (void)maps_of(c); /* built before anything changes, then kept up to date */
    switch (s->kind) {
    case S_CREATE_TABLE: apply_create_table(c, mig, s); break;
    case S_DROP_TABLE: apply_drop_table(c, s); break;
    case S_RENAME_TABLE: apply_rename_table(c, s); break;
    case S_ADD_COLUMN: apply_add_column(c, mig, s); break;
    case S_DROP_COLUMN: apply_drop_column(c, s); break;
    case S_RENAME_COLUMN: apply_rename_column(c, s); break;
    case S_SET_NOT_NULL:
    case S_DROP_NOT_NULL:
    case S_SET_DEFAULT:
    case S_DROP_DEFAULT:
    case S_ALTER_TYPE: apply_alter_column(c, s); break;
    case S_CREATE_INDEX: apply_create_index(c, s); break;
    case S_DROP_INDEX: apply_drop_index(c, s); break;
    case S_ADD_FOREIGN_KEY:
    case S_ADD_UNIQUE:
    case S_ADD_CHECK:
    case S_SET_PRIMARY_KEY: apply_add_constraint(c, s); break;
    case S_DROP_CONSTRAINT: apply_drop_constraint(c, s); break;
    case S_BACKFILL: apply_backfill(c, s); break;
    case S_INSERT: apply_insert(c, mig, s); break;
    case S_DELETE: break;
    case S_RAW_SQL: apply_raw_sql(c, s); break;
    case S__COUNT: break;
    }
}
