/* util.c: small helpers shared by the engine and both drivers (driver.h):
 * result and schema release, identifier quoting, password redaction,
 * SQL part concatenation, sleeping and a monotonic clock. No state. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver.h"

/* Frees every cell and the array; zeroes *rows. NULL is a no-op. */
void migc_rows_free(struct migc_rows *rows)
{
    if (!rows)
        return;
    if (rows->cells) {
        size_t n = (size_t)rows->nrows * rows->ncols;
        for (size_t i = 0; i < n; i++)
            free(rows->cells[i]);
        free(rows->cells);
    }
    rows->cells = NULL;
    rows->nrows = rows->ncols = 0;
}

/* The cell at (row, col); NULL for SQL NULL or out of range. */
const char *migc_rows_get(const struct migc_rows *rows, unsigned row, unsigned col)
{
    if (!rows || !rows->cells || row >= rows->nrows || col >= rows->ncols)
        return NULL;
    return rows->cells[(size_t)row * rows->ncols + col];
}

/* Frees a string list of n entries. */
static void free_strings(char **v, unsigned n)
{
    if (!v)
        return;
    for (unsigned i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Frees everything the schema owns; zeroes it. NULL is a no-op. */
void migc_live_schema_free(struct migc_live_schema *schema)
{
    if (!schema)
        return;
    for (unsigned i = 0; i < schema->ntables; i++) {
        struct migc_live_table *t = &schema->tables[i];
        free(t->name);
        for (unsigned c = 0; c < t->ncolumns; c++) {
            free(t->columns[c].name);
            free(t->columns[c].type);
        }
        free(t->columns);
        free_strings(t->indexes, t->nindexes);
        free_strings(t->constraints, t->nconstraints);
    }
    free(schema->tables);
    schema->tables = NULL;
    schema->ntables = 0;
}

/* Frees the saved objects' texts; zeroes *saved. NULL is a no-op. */
void migc_saved_free(struct migc_saved *saved)
{
    if (!saved)
        return;
    for (unsigned i = 0; i < saved->n; i++) {
        free(saved->objects[i].type);
        free(saved->objects[i].name);
        free(saved->objects[i].sql);
    }
    free(saved->objects);
    saved->objects = NULL;
    saved->n = 0;
}

/* "name" with embedded quotes doubled; malloc'd, NULL on OOM. */
char *migc_quote_ident(const char *name)
{
    size_t n = 3;
    for (const char *p = name; *p; p++)
        n += *p == '"' ? 2 : 1;
    char *out = malloc(n);
    if (!out)
        return NULL;
    char *o = out;
    *o++ = '"';
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            *o++ = '"';
        *o++ = *p;
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

/* driver.h. sqlite:///abs names /abs. */
const char *migc_sqlite_url_path(const char *url)
{
    if (!url || strncmp(url, "sqlite:", 7))
        return NULL;
    return url + (strncmp(url, "sqlite://", 9) ? 7 : 9);
}

/* driver.h: sqlite:/file: -> SQLite; postgres://, postgresql:// or a libpq
 * keyword string (has '=') -> PostgreSQL; anything else -> -1. Only the
 * form is read: nothing is opened. */
int migc_url_dialect(const char *url)
{
    if (!url)
        return -1;
    if (!strncmp(url, "sqlite:", 7) || !strncmp(url, "file:", 5))
        return MIGC_SQLITE;
    if (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13) || strchr(url, '='))
        return MIGC_POSTGRES;
    return -1;
}

/* Copies the value starting at *p up to a stop character (or, when quoted,
 * to the closing quote), writing "****" instead; advances *p past it. */
static void mask_value(const char **p, char **o, const char *stops)
{
    const char *q = *p;
    memcpy(*o, "****", 4);
    *o += 4;
    if (*q == '\'') {
        q++;
        while (*q && *q != '\'') {
            if (*q == '\\' && q[1])
                q++;
            q++;
        }
        if (*q)
            q++;
    } else {
        while (*q && !strchr(stops, *q))
            q++;
    }
    *p = q;
}

/* Copies url, masking passwords: in a URL the text between "user:" and the
 * '@' of the authority and any password=... query parameter; in a keyword
 * string the value of password= (quoted values up to their closing quote).
 * The result is never longer than url + 4 bytes per masked value. malloc'd,
 * NULL on OOM. */
char *migc_redact_url(const char *url)
{
    size_t len = strlen(url);
    char *out = malloc(2 * len + 8);   /* every masked value is at least 1 byte */
    if (!out)
        return NULL;
    char *o = out;
    const char *p = url;
    const char *scheme = strstr(url, "://");
    bool is_url = scheme && (size_t)(scheme - url) == strspn(url, "abcdefghijklmnopqrstuvwxyz"
                                                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ+.-");
    if (is_url) {
        const char *auth = scheme + 3;
        const char *end = auth + strcspn(auth, "/?#");
        const char *at = NULL;
        for (const char *c = auth; c < end; c++)
            if (*c == '@')
                at = c;
        const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon) {
            size_t head = (size_t)(colon + 1 - url);
            memcpy(o, url, head);
            o += head;
            memcpy(o, "****", 4);
            o += 4;
            p = at;
        }
        /* query parameters: ...?password=x&... */
        while (*p) {
            if (p > url && (p[-1] == '?' || p[-1] == '&') && !strncmp(p, "password=", 9)) {
                memcpy(o, "password=", 9);
                o += 9;
                p += 9;
                mask_value(&p, &o, "&#");
                continue;
            }
            *o++ = *p++;
        }
        *o = '\0';
        return out;
    }
    while (*p) {
        if ((p == url || p[-1] == ' ' || p[-1] == '\t') && !strncmp(p, "password", 8)) {
            const char *q = p + 8;
            while (*q == ' ')
                q++;
            if (*q == '=') {
                q++;
                while (*q == ' ')
                    q++;
                memcpy(o, "password=", 9);
                o += 9;
                mask_value(&q, &o, " \t");
                p = q;
                continue;
            }
        }
        *o++ = *p++;
    }
    *o = '\0';
    return out;
}

/* The parts of sql concatenated; malloc'd, NULL on OOM. */
char *migc_sql_text(const struct migc_sql *sql)
{
    size_t n = 1;
    for (unsigned i = 0; i < sql->nparts; i++)
        n += strlen(sql->parts[i]);
    char *out = malloc(n);
    if (!out)
        return NULL;
    char *o = out;
    for (unsigned i = 0; i < sql->nparts; i++) {
        size_t k = strlen(sql->parts[i]);
        memcpy(o, sql->parts[i], k);
        o += k;
    }
    *o = '\0';
    return out;
}

/* Sleeps ms milliseconds, resuming after signal interruptions. */
void migc_sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* CLOCK_MONOTONIC in milliseconds. */
int64_t migc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
