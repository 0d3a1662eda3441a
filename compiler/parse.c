/* parse.c: parses one migration file (frontend.h: parse_migration).
 *
 * Owns the scanner's lifetime for one file; the grammar (grammar/parser.y)
 * does the work and collects statements in the parse_ctx. Also the helpers
 * the scanner and the parser share: error reporting and UTF-8 validation. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"
#include "parse_internal.h"

/* Defined by the generated scanner (prefix migc_yy). */
int migc_yylex_init_extra(parse_ctx *ctx, void **scanner);
int migc_yylex_destroy(void *scanner);
void *migc_yy_scan_bytes(const char *bytes, int len, void *scanner);
/* Defined in parser.y: runs the parser over ctx's scanner. */
int migc_parse(parse_ctx *ctx);

void parse_error(parse_ctx *ctx, const loc *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(ctx->a, fmt, ap);
    va_end(ap);
    diag_error(ctx->d, l, "%s", msg);
    ctx->errors++;
}

/* The scanner's YY_FATAL_ERROR: it only fails when out of memory, which the
 * compiler treats like arena exhaustion (exit status 3). */
_Noreturn void lexer_fatal(const char *msg)
{
    fprintf(stderr, "migc: error: internal failure in the scanner: %s\n", msg);
    exit(3);
}

bool utf8_valid(const char *s, size_t n, size_t *bad)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_seq_len(u + i, n - i);
        if (len == 0) {
            *bad = i;
            return false;
        }
        i += len;
    }
    return true;
}

/* Moves a collected statement list into an array of the migration. */
static stmt **take(arena *a, const ptr_vec *v, uint32_t *n)
{
    *n = (uint32_t)v->n;
    stmt **out = arena_alloc(a, (v->n ? v->n : 1) * sizeof *out);
    for (size_t i = 0; i < v->n; i++)
        out[i] = v->items[i];
    return out;
}

unsigned parse_migration(arena *a, diag_ctx *d, const source *src, migration *mig)
{
    parse_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.a = a;
    ctx.d = d;
    ctx.src = src;
    ctx.mig = mig;
    ctx.line = 1;
    ctx.col = 1;
    mig->src = src;

    void *scanner = NULL;
    if (migc_yylex_init_extra(&ctx, &scanner) != 0)
        lexer_fatal("cannot create the scanner");
    ctx.scanner = scanner;
    migc_yy_scan_bytes(src->text, (int)src->len, scanner);
    int rc = migc_parse(&ctx);
    migc_yylex_destroy(scanner);
    if (rc != 0 && ctx.errors == 0) {
        loc at = {src, 0, 0, 0, 0};
        parse_error(&ctx, &at, "internal error: the parser gave up on this file");
    }
    mig->stmts = take(a, &ctx.stmts, &mig->nstmts);
    mig->down = take(a, &ctx.down, &mig->ndown);
    return ctx.errors;
}
