/* history.c: from a migrations directory to parsed migrations
 * (frontend.h: load_history).
 *
 * Lists DIR without recursing, ignores everything that is not a regular
 * `*.mig` file (and dot files: editors' lock and backup files), checks each
 * name against `<version>_<slug>.mig`, reads and parses every file, reports
 * duplicate versions naming both files, and returns the migrations sorted by
 * version. Problems are diagnostics; the function goes on so that one run
 * shows all of them. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "frontend.h"
#include "history_names.h"

/* A file-level location (no line): "path: error: …". */
static loc file_loc(arena *a, const char *shown)
{
    source *s = arena_alloc(a, sizeof *s);
    s->path = shown;
    loc l = {s, 0, 0, 0, 0};
    return l;
}

/* Records a file-level failure of a file named fname in h: the lowest such
 * version (the name's leading digits, when they make a version) bounds what
 * can still be checked; a name without one makes the order unknown. */
static void note_failed_file(history *h, const char *fname)
{
    int64_t v = 0;
    for (const char *p = fname; *p >= '0' && *p <= '9'; p++) {
        if (v > (INT64_MAX - (*p - '0')) / 10) {
            v = 0;
            break;
        }
        v = v * 10 + (*p - '0');
    }
    if (!h->files_failed)
        h->failed_from = v;
    else if (h->failed_from != 0 && (v == 0 || v < h->failed_from))
        h->failed_from = v;
    h->files_failed = true;
}

bool migration_name_parse(const char *fname, int64_t *version, const char **slug_start,
                          size_t *slug_len, const char **why)
{
    size_t n = strlen(fname);
    *why = NULL;
    if (n < 4 || strcmp(fname + n - 4, ".mig") != 0) {
        *why = "does not end in .mig";
        return false;
    }
    size_t i = 0;
    while (i < n && fname[i] >= '0' && fname[i] <= '9')
        i++;
    if (i == 0 || fname[i] != '_') {
        *why = "is not named <version>_<slug>.mig, like 0001_create_users.mig";
        return false;
    }
    size_t digits = i;
    const char *slug = fname + i + 1;
    size_t sl = n - 4 - (i + 1);
    if (!migration_slug_valid(slug, sl)) {
        *why = sl == 0 ? "has no slug after the version: name it like 0001_create_users.mig"
                       : "has an invalid slug: after <version>_ use letters, digits, '_', '-' and '.', "
                         "starting with a letter or digit, like 0001_create_users.mig";
        return false;
    }
    /* The version: leading zeros are fine; 1 .. 2^63-1. */
    uint64_t v = 0;
    bool overflow = false;
    for (size_t k = 0; k < digits; k++) {
        unsigned dgt = (unsigned)(fname[k] - '0');
        if (v > (UINT64_C(0x7fffffffffffffff) - dgt) / 10)
            overflow = true;
        else
            v = v * 10 + dgt;
    }
    if (overflow) {
        *why = "has a version above 9223372036854775807 (2^63-1)";
        return false;
    }
    if (v == 0) {
        *why = "has version 0; versions start at 1";
        return false;
    }
    *version = (int64_t)v;
    *slug_start = slug;
    *slug_len = sl;
    return true;
}

bool migration_slug_valid(const char *slug, size_t n)
{
    if (n == 0 || n > 200)
        return false;
    if (!((slug[0] >= 'a' && slug[0] <= 'z') || (slug[0] >= 'A' && slug[0] <= 'Z') ||
          (slug[0] >= '0' && slug[0] <= '9')))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = slug[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

/* qsort comparators. */
static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}
static int cmp_version(const void *x, const void *y)
{
    const migration *a = *(const migration *const *)x, *b = *(const migration *const *)y;
    return (a->version > b->version) - (a->version < b->version);
}

/* Joins dir and a file name for reading and for diagnostics. */
static char *join(arena *a, const char *dir, const char *fname)
{
    size_t n = strlen(dir);
    if (n > 0 && dir[n - 1] == '/')
        return arena_printf(a, "%s%s", dir, fname);
    return arena_printf(a, "%s/%s", dir, fname);
}

history *load_history(arena *a, diag_ctx *d, const char *dir, bool *io_failed)
{
    history *h = arena_alloc(a, sizeof *h);
    h->migs = arena_alloc(a, sizeof *h->migs);
    *io_failed = false;

    DIR *dp = opendir(dir);
    if (!dp) {
        int e = errno;
        if (e == ENOENT)
            diag_error(d, NULL, "the migrations directory '%s' does not exist (give another one "
                       "with -d DIR, or create it with 'migc new -d %s SLUG')", dir, dir);
        else if (e == ENOTDIR)
            diag_error(d, NULL, "'%s' is not a directory (give the migrations directory with "
                       "-d DIR)", dir);
        else
            diag_error(d, NULL, "cannot open the migrations directory '%s': %s", dir,
                       strerror(e));
        *io_failed = true;
        return h;
    }
    ptr_vec names = {0};
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(dp);
        if (!de) {
            if (errno) {
                diag_error(d, NULL, "cannot read the migrations directory '%s': %s", dir,
                           strerror(errno));
                *io_failed = true;
            }
            break;
        }
        const char *fn = de->d_name;
        size_t n = strlen(fn);
        if (fn[0] == '.' || n < 4 || strcmp(fn + n - 4, ".mig") != 0)
            continue;
        vec_push(a, &names, arena_strdup(a, fn));
    }
    closedir(dp);
    if (names.n)
        qsort(names.items, names.n, sizeof names.items[0], cmp_str);

    ptr_vec migs = {0};
    for (size_t i = 0; i < names.n; i++) {
        const char *fn = names.items[i];
        char *path = join(a, dir, fn);
        struct stat st;
        if (stat(path, &st) != 0) {
            loc l = file_loc(a, path);
            diag_error(d, &l, "cannot read this file: %s", strerror(errno));
            *io_failed = true;
            note_failed_file(h, fn);
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue; /* a directory named *.mig: not a migration, no recursion */
        int64_t version;
        const char *slug, *why;
        size_t sl;
        if (!migration_name_parse(fn, &version, &slug, &sl, &why)) {
            loc l = file_loc(a, path);
            diag_error(d, &l, "'%s' %s", fn, why);
            note_failed_file(h, fn);
            continue;
        }
        source *src = NULL;
        int e = source_load(a, path, path, &src);
        if (e) {
            loc l = file_loc(a, path);
            if (e == EFBIG)
                diag_error(d, &l, "this file is larger than %ld bytes", (long)SOURCE_MAX_BYTES);
            else
                diag_error(d, &l, "cannot read this file: %s", strerror(e));
            *io_failed = e != EFBIG;
            note_failed_file(h, fn);
            continue;
        }
        migration *m = arena_alloc(a, sizeof *m);
        m->version = version;
        m->slug = arena_strndup(a, slug, sl);
        char *desc = arena_strndup(a, slug, sl);
        for (char *p = desc; *p; p++)
            if (*p == '_')
                *p = ' ';
        m->description = desc;
        m->src = src;
        m->parse_failed = parse_migration(a, d, src, m) != 0;
        vec_push(a, &migs, m);
    }

    if (migs.n)
        qsort(migs.items, migs.n, sizeof migs.items[0], cmp_version);
    /* Duplicate versions: one error naming both files; the first is kept. */
    h->migs = arena_alloc(a, (migs.n ? migs.n : 1) * sizeof *h->migs);
    for (size_t i = 0; i < migs.n; i++) {
        migration *m = migs.items[i];
        if (h->n > 0 && h->migs[h->n - 1]->version == m->version) {
            const migration *first = h->migs[h->n - 1];
            loc l = file_loc(a, m->src->path);
            diag_error(d, &l, "version %lld is used by two files: '%s' and '%s' (give "
                       "each migration its own version)", (long long)m->version,
                       first->src->path, m->src->path);
            if (!h->files_failed || (h->failed_from != 0 && m->version < h->failed_from))
                h->failed_from = m->version;
            h->files_failed = true;
            continue;
        }
        h->migs[h->n++] = m;
    }
    return h;
}

const history *history_checkable_prefix(arena *a, const history *h)
{
    if (h->files_failed && h->failed_from == 0)
        return NULL;
    uint32_t n = 0;
    while (n < h->n && !h->migs[n]->parse_failed &&
           !(h->files_failed && h->migs[n]->version >= h->failed_from))
        n++;
    if (n == h->n)
        return h;
    history *prefix = arena_alloc(a, sizeof *prefix);
    prefix->migs = h->migs;
    prefix->n = n;
    return prefix;
}
