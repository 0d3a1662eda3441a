/* cmd_check.c: `migc check [-d DIR] [--strict]` (DESIGN §4).
 *
 * Loads and parses the history, then type-checks it with check_history();
 * writes nothing. After syntax errors the checker still runs over the
 * migrations before the first broken file (their errors are real), but not
 * over that file or later ones, so that one syntax error does not cascade
 * into a page of "unknown table" errors in later migrations. Diagnostics come
 * out in file order (the loading phase's are held back until the checker has
 * run). Exit: 0 ok (warnings
 * allowed), 1 errors in the input, 2 bad usage, 3 I/O failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "checker.h"
#include "cli.h"
#include "frontend.h"

static const char check_usage[] =
    "usage: migc check [-d DIR] [--strict]\n"
    "\n"
    "Type-checks every migration in DIR (default: migrations), in version order.\n"
    "Writes nothing.\n"
    "\n"
    "  -d DIR     the migrations directory\n"
    "  --strict   treat warnings (data loss without `allow data_loss`) as errors\n"
    "\n"
    "exit status: 0 ok, 1 errors in the migrations, 2 bad usage, 3 I/O failure\n";

int cmd_check(int argc, char **argv)
{
    const char *dir = "migrations";
    bool strict = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-d") || !strcmp(a, "--dir")) {
            if (i + 1 >= argc)
                return usage_error("check", "option '%s' needs a directory", a);
            dir = argv[++i];
        } else if (!strncmp(a, "--dir=", 6)) {
            dir = a + 6;
        } else if (!strcmp(a, "--strict")) {
            strict = true;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(check_usage, stdout);
            return EXIT_OK;
        } else {
            return usage_error("check", "unknown argument '%s'", a);
        }
    }

    arena *a = arena_new();
    diag_ctx *d = diag_new(a, stderr, diag_colour_wanted(), strict);
    /* The file and syntax errors of loading are held back until the checker
     * has run over the migrations before the first broken file, so that
     * everything comes out in file order: the type errors of 0002 before a
     * syntax error in 0003. (Without memory for that, they are printed as
     * they come.) */
    char *held = NULL;
    size_t held_len = 0;
    FILE *hold = open_memstream(&held, &held_len);
    if (hold)
        diag_set_output(d, hold);
    bool io_failed = false;
    history *h = load_history(a, d, dir, &io_failed);
    if (hold)
        diag_set_output(d, stderr);
    const history *checkable = io_failed ? NULL : history_checkable_prefix(a, h);
    if (checkable && checkable->n)
        check_history(a, d, checkable);
    if (hold) {
        if (fclose(hold) == 0 && held_len)
            fwrite(held, 1, held_len, stderr);
        free(held);
    }
    diag_summary(d);
    int rc = io_failed ? EXIT_IO : diag_errors(d) ? EXIT_INPUT : EXIT_OK;
    if (rc == EXIT_OK) {
        if (h->n)
            printf("%u migration%s checked; head version %lld\n", h->n, h->n == 1 ? "" : "s",
                   (long long)h->migs[h->n - 1]->version);
        else
            printf("no migrations in '%s'\n", dir);
        if (fflush(stdout) != 0)
            rc = EXIT_IO;
    }
    arena_free(a);
    return rc;
}
