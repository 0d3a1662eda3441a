/* diag.h: diagnostics, accumulated and printed the way GCC prints them.
 *
 *   file:line:col: error: message
 *    12 |   add_column users.email text not null
 *       |                                 ^~~~
 *
 * A run reports everything it finds; callers keep going after an error and
 * ask diag_errors() at the end. Messages are lower case after the prefix and
 * name the thing at fault. Notes that attach context to the previous error
 * ("previous definition is here") use diag_note(). With --strict, warnings
 * count as errors (the statement's `allow data_loss` is checked by the caller
 * before it warns). */
#ifndef MIGC_DIAG_H
#define MIGC_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "source.h"

typedef enum diag_level { DIAG_NOTE, DIAG_WARNING, DIAG_ERROR } diag_level;

typedef struct diag_ctx diag_ctx;

/* Creates a context that prints to out as diagnostics arrive. colour: print
 * ANSI colours (callers decide from isatty() and NO_COLOR). strict: warnings
 * are reported as errors. */
diag_ctx *diag_new(arena *a, FILE *out, bool colour, bool strict);

/* Reports a diagnostic at l (l may be NULL or have src == NULL: then only
 * "migc: error: message" is printed). */
void diag_report(diag_ctx *d, diag_level level, const loc *l, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define diag_error(d, l, ...) diag_report((d), DIAG_ERROR, (l), __VA_ARGS__)
#define diag_warning(d, l, ...) diag_report((d), DIAG_WARNING, (l), __VA_ARGS__)
#define diag_note(d, l, ...) diag_report((d), DIAG_NOTE, (l), __VA_ARGS__)

/* The dialects being built, as 1u << enum migc_dialect bits (all by
 * default): notes that concern only one dialect's build ("the sqlite build
 * ignores it") are left out when it is not among them. */
void diag_set_dialects(diag_ctx *d, unsigned mask);
bool diag_wants_dialect(const diag_ctx *d, unsigned dialect);

/* Sends the diagnostics that follow (and the summary) to out instead;
 * returns the stream used until now. Cannot fail. */
FILE *diag_set_output(diag_ctx *d, FILE *out);

/* Counts so far (warnings promoted by strict count as errors). */
unsigned diag_errors(const diag_ctx *d);
unsigned diag_warnings(const diag_ctx *d);

/* Prints the summary line ("2 errors, 1 warning generated.") if anything
 * was reported. */
void diag_summary(diag_ctx *d);

#endif
