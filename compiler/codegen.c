/* codegen.c: the front end as the code-generating commands (build, sql,
 * schema) and the codegen tests use it: load, parse and check a history,
 * reporting diagnostics on stderr. Also the dialect names of the command
 * line. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "emit.h"
#include "frontend.h"

/* cli.h: colour for diagnostics when stderr is a terminal and NO_COLOR is
 * unset. Defined here, in the library, so that the tests linking the code
 * generators without main.c get it too. */
bool diag_colour_wanted(void)
{
    const char *nc = getenv("NO_COLOR");
    return !(nc && *nc) && isatty(STDERR_FILENO) == 1;
}

int cli_opt_value(int argc, char **argv, int *i, const char *opt, const char **val)
{
    size_t n = strlen(opt);
    if (strncmp(argv[*i], opt, n))
        return 0;
    if (argv[*i][n] == '=') {
        *val = argv[*i] + n + 1;
        return 1;
    }
    if (argv[*i][n])
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *val = argv[++*i];
    return 1;
}

int codegen_frontend(arena *a, const char *dir, bool strict, unsigned dialects,
                     const checked_history **out)
{
    diag_ctx *d = diag_new(a, stderr, diag_colour_wanted(), strict);
    diag_set_dialects(d, dialects);
    bool io_failed = false;
    history *h = load_history(a, d, dir, &io_failed);
    if (diag_errors(d)) {
        diag_summary(d);
        return io_failed ? EXIT_IO : EXIT_INPUT;
    }
    checked_history *ch = check_history(a, d, h);
    diag_summary(d);
    if (diag_errors(d))
        return EXIT_INPUT;
    *out = ch;
    return EXIT_OK;
}

bool dialect_from_name(const char *s, dialect *d)
{
    if (!strcmp(s, "postgres") || !strcmp(s, "postgresql") || !strcmp(s, "pg")) {
        *d = MIGC_POSTGRES;
        return true;
    }
    if (!strcmp(s, "sqlite") || !strcmp(s, "sqlite3")) {
        *d = MIGC_SQLITE;
        return true;
    }
    return false;
}

