/* parse_internal.h: what the scanner (grammar/lexer.l), the parser
 * (grammar/parser.y) and the driver (parse.c) share; nothing outside the
 * front end includes it.
 *
 * One parse_ctx per file: it owns the scanner, the position the scanner has
 * reached, and the statements collected so far. Everything it points to
 * lives in the compilation's arena, so error recovery frees nothing. */
#ifndef MIGC_PARSE_INTERNAL_H
#define MIGC_PARSE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "source.h"

/* The deepest expression tree the parser builds (an operator, call, case or
 * cast over its operands counts one level). Deeper input is reported as
 * "expressions nested too deeply", so later passes may recurse over an
 * expression without risking the C stack. */
#define MIGC_MAX_EXPR_DEPTH 200
/* The deepest bison stack accepted (parentheses and prefix operators push
 * states without building nodes); well below bison's YYMAXDEPTH (10000). */
#define MIGC_MAX_PARSE_STACK 1000
/* PostgreSQL's NAMEDATALEN - 1. */
#define MIGC_MAX_NAME_BYTES 63

typedef struct parse_ctx {
    arena *a;
    diag_ctx *d;
    const source *src;
    migration *mig;
    void *scanner;           /* yyscan_t */

    /* Where the scanner is (the start of the next token). */
    uint32_t line, col, off;
    loc tok_start;           /* the opening quote of a string, comment or raw block */
    strbuf buf;              /* the value of the string being scanned */

    unsigned errors;         /* syntax and lexical errors reported for this file */
    bool quiet_eof;          /* an unterminated token ate the file: no "unexpected end" */
    bool prev_starts_item;   /* the last token was a statement keyword (parser.y: lex) */

    /* The brackets ('(' and '{') open so far, innermost last, for the note
     * "to match this '{'" under an unexpected end of file. */
    loc opens[32];
    uint32_t nopen;

    /* One token of lookahead for `not in|between|like` (see parser.y). */
    void *la;

    /* Statements, collected by the grammar's actions. */
    ptr_vec stmts;
    ptr_vec down;
    bool in_down;            /* inside `down { }`: statements go to down */
} parse_ctx;

/* Reports a lexical or syntax error at l and counts it. */
void parse_error(parse_ctx *ctx, const loc *l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Returns true when the n bytes at s are valid UTF-8 (no overlongs,
 * surrogates or code points above U+10FFFF); *bad receives the offset of the
 * first invalid byte otherwise. */
bool utf8_valid(const char *s, size_t n, size_t *bad);

#endif
