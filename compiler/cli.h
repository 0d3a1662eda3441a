/* cli.h: the `migc` subcommands (DESIGN §4).
 *
 * main.c dispatches on the first argument; each command parses its own
 * options with the helpers below and returns the process exit code:
 * 0 ok, 1 errors in the input, 2 bad usage, 3 I/O or internal failure. */
#ifndef MIGC_CLI_H
#define MIGC_CLI_H

#include <stdbool.h>
#include <stdio.h>

enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_USAGE = 2, EXIT_IO = 3 };

int cmd_check(int argc, char **argv);   /* migc check  [-d DIR] [--strict] */
int cmd_new(int argc, char **argv);     /* migc new    [-d DIR] SLUG */
int cmd_build(int argc, char **argv);   /* migc build  ... */
int cmd_sql(int argc, char **argv);     /* migc sql    ... */
int cmd_schema(int argc, char **argv);  /* migc schema ... */

/* Prints "migc: error: <msg>" and a hint to run --help; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Matches option opt at argv[*i] as "opt VALUE" or "opt=VALUE" and sets
 * *val (advancing *i past a separate value). Returns 1 on a match, 0 when
 * argv[*i] is not opt, -1 when the value is missing. */
int cli_opt_value(int argc, char **argv, int *i, const char *opt, const char **val);

/* Colour for diagnostics: stderr is a terminal and NO_COLOR is unset. */
bool diag_colour_wanted(void);

#endif
