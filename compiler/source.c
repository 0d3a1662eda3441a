/* source.c: a migration file's text and positions within it (source.h).
 *
 * Loads files whole into the arena (the text outlives every diagnostic of
 * the compilation) and finds the line around a byte offset for the
 * diagnostic's quoted line. */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How far source_line_at() looks either side of the offset: enough for any
 * window a diagnostic shows, and it keeps many errors on one multi-megabyte
 * line from costing quadratic time. */
enum { LINE_REACH = 4096 };

/* Returns the line containing byte off (without its "\n" or "\r\n"); of a
 * line longer than LINE_REACH bytes either side of off, only that part. An
 * offset at or past the end gives the last line. */
void source_line_at(const source *src, uint32_t off, const char **start, size_t *len)
{
    const char *t = src->text ? src->text : "";
    size_t n = src->text ? src->len : 0;
    size_t o = off < n ? off : n;
    size_t b = o, e = o;
    while (b > 0 && t[b - 1] != '\n' && o - b < LINE_REACH)
        b--;
    while (e < n && t[e] != '\n' && e - o < LINE_REACH)
        e++;
    if (e > b && t[e - 1] == '\r')
        e--;
    *start = t + b;
    *len = e - b;
}

/* Returns a source over the n bytes at text (copied), shown as path. */
source *source_from_text(arena *a, const char *path, const char *text, size_t n)
{
    source *s = arena_alloc(a, sizeof *s);
    s->path = arena_strdup(a, path);
    s->text = arena_strndup(a, text, n);
    s->len = n;
    return s;
}

/* Reads the file at path whole. Returns 0, or an errno value (EFBIG when
 * the file is larger than SOURCE_MAX_BYTES) with *out untouched. */
int source_load(arena *a, const char *path, const char *shown, source **out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return e;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return EISDIR;
    }
    if (st.st_size > SOURCE_MAX_BYTES) {
        close(fd);
        return EFBIG;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = arena_alloc(a, cap + 1);
    for (;;) {
        if (n == cap) { /* the file grew while we read it */
            if (cap > (size_t)SOURCE_MAX_BYTES) {
                close(fd);
                return EFBIG;
            }
            char *bigger = arena_alloc(a, cap * 2 + 1);
            memcpy(bigger, buf, n);
            buf = bigger;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            return e;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (close(fd) != 0)
        return errno;
    buf[n] = '\0';
    source *s = arena_alloc(a, sizeof *s);
    s->path = arena_strdup(a, shown);
    s->text = buf;
    s->len = n;
    *out = s;
    return 0;
}

/* Returns the length of the valid UTF-8 sequence at s (at most n bytes
 * available), or 0 when the bytes there are not one. */
size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}
