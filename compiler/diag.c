/* diag.c: diagnostics printed the way GCC prints them (diag.h).
 *
 *   migrations/0002_x.mig:3:12: error: unknown type 'integr'
 *       3 |   add_column users.age integr
 *         |                        ^~~~~~
 *
 * Each diagnostic is printed as it arrives (so a crash later still leaves
 * the earlier ones on screen) and counted; diag_summary() prints the count.
 * The quoted line is made printable (control bytes and invalid UTF-8 become
 * spaces and '?') and, when very long, shown as a window around the token,
 * so that hostile input cannot garble a terminal or a golden file. */
#include "diag.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

struct diag_ctx {
    arena *a;
    FILE *out;
    bool colour, strict;
    unsigned errors, warnings;
    unsigned dialects;   /* diag_set_dialects(); ~0u: all */
};

/* GCC's default colours (GCC_COLORS). */
#define C_LOCUS "\33[01m"
#define C_ERROR "\33[01;31m"
#define C_WARNING "\33[01;35m"
#define C_NOTE "\33[01;36m"
#define C_CARET "\33[01;32m"
#define C_RESET "\33[m\33[K"

/* The widest part of a line quoted around a token. */
enum { WINDOW_BEFORE = 80, WINDOW_MAX = 240 };

diag_ctx *diag_new(arena *a, FILE *out, bool colour, bool strict)
{
    diag_ctx *d = arena_alloc(a, sizeof *d);
    d->a = a;
    d->out = out;
    d->colour = colour;
    d->strict = strict;
    d->dialects = ~0u;
    return d;
}

void diag_set_dialects(diag_ctx *d, unsigned mask)
{
    d->dialects = mask;
}

bool diag_wants_dialect(const diag_ctx *d, unsigned dialect)
{
    return dialect < 32 && (d->dialects >> dialect & 1u);
}

/* Prints the quoted line of l and the caret line under its token. */
static void print_excerpt(diag_ctx *d, const loc *l)
{
    const char *line;
    size_t len;
    source_line_at(l->src, l->off, &line, &len);
    size_t lo = (size_t)(l->src->text + l->off - line); /* token offset within the line */
    if (lo > len)
        lo = len;
    size_t from = 0, to = len;
    if (len > WINDOW_MAX) { /* a window around the token */
        from = lo > WINDOW_BEFORE ? lo - WINDOW_BEFORE : 0;
        while (from > 0 && ((unsigned char)line[from] & 0xc0) == 0x80)
            from--;
        to = from + WINDOW_MAX < len ? from + WINDOW_MAX : len;
        while (to < len && ((unsigned char)line[to] & 0xc0) == 0x80)
            to++;
    }
    /* Caret span: the token, clipped to the line. */
    size_t span = l->len ? l->len : 1;
    if (lo + span > to)
        span = to > lo ? to - lo : 1;

    char num[24];
    int w = snprintf(num, sizeof num, "%u", l->line);
    if (w < 5)
        w = 5;
    fprintf(d->out, " %*u | ", w, l->line);
    /* The line, made printable; widths[] is not needed: the caret line
     * below walks the same bytes. */
    for (size_t i = from; i < to;) {
        unsigned char c = (unsigned char)line[i];
        size_t k = utf8_seq_len((const unsigned char *)line + i, to - i);
        if (c == '\t') {
            fputc('\t', d->out);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            fputc(' ', d->out);
            i++;
        } else if (k == 0) {
            fputc('?', d->out);
            i++;
        } else {
            fwrite(line + i, 1, k, d->out);
            i += k;
        }
    }
    fputc('\n', d->out);
    fprintf(d->out, " %*s | ", w, "");
    /* Padding that keeps the caret under the token (tabs stay tabs; a
     * multi-byte character takes one column). */
    for (size_t i = from; i < lo && i < to;) {
        size_t k = utf8_seq_len((const unsigned char *)line + i, to - i);
        fputc(line[i] == '\t' ? '\t' : ' ', d->out);
        i += k ? k : 1;
    }
    if (d->colour)
        fputs(C_CARET, d->out);
    fputc('^', d->out);
    for (size_t i = lo + 1; i < lo + span && i < to;) {
        size_t k = utf8_seq_len((const unsigned char *)line + i, to - i);
        fputc('~', d->out);
        i += k ? k : 1;
    }
    if (d->colour)
        fputs(C_RESET, d->out);
    fputc('\n', d->out);
}

void diag_report(diag_ctx *d, diag_level level, const loc *l, const char *fmt, ...)
{
    if (level == DIAG_WARNING && d->strict)
        level = DIAG_ERROR;
    if (level == DIAG_ERROR)
        d->errors++;
    else if (level == DIAG_WARNING)
        d->warnings++;

    /* The diagnostic is composed in memory and written at once: stderr is
     * unbuffered, and a byte per system call is slow for many errors. */
    char *text = NULL;
    size_t text_len = 0;
    FILE *final = d->out;
    FILE *mem = open_memstream(&text, &text_len);
    if (mem)
        d->out = mem;

    static const char *const words[] = {"note", "warning", "error"};
    static const char *const colours[] = {C_NOTE, C_WARNING, C_ERROR};
    const bool in_file = l && l->src;
    if (d->colour)
        fputs(C_LOCUS, d->out);
    if (!in_file)
        fputs("migc:", d->out);
    else if (l->line == 0)
        fprintf(d->out, "%s:", l->src->path);
    else
        fprintf(d->out, "%s:%u:%u:", l->src->path, l->line, l->col);
    if (d->colour)
        fputs(C_RESET, d->out);
    fputc(' ', d->out);
    if (d->colour)
        fputs(colours[level], d->out);
    fprintf(d->out, "%s:", words[level]);
    if (d->colour)
        fputs(C_RESET, d->out);
    fputc(' ', d->out);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(d->out, fmt, ap);
    va_end(ap);
    fputc('\n', d->out);
    if (in_file && l->line > 0 && l->src->text)
        print_excerpt(d, l);
    if (mem) {
        d->out = final;
        if (fclose(mem) == 0)
            fwrite(text, 1, text_len, final);
        free(text);
    }
    fflush(d->out);
}

FILE *diag_set_output(diag_ctx *d, FILE *out)
{
    FILE *was = d->out;
    d->out = out;
    return was;
}

unsigned diag_errors(const diag_ctx *d) { return d->errors; }
unsigned diag_warnings(const diag_ctx *d) { return d->warnings; }

void diag_summary(diag_ctx *d)
{
    if (!d->errors && !d->warnings)
        return;
    if (d->errors)
        fprintf(d->out, "%u error%s", d->errors, d->errors == 1 ? "" : "s");
    if (d->errors && d->warnings)
        fputs(", ", d->out);
    if (d->warnings)
        fprintf(d->out, "%u warning%s", d->warnings, d->warnings == 1 ? "" : "s");
    fputs(" generated.\n", d->out);
    fflush(d->out);
}
