/* cmd_schema.c: `migc schema [-d DIR] --dialect D [--at V]` — the schema at
 * head, or after the greatest version <= V, as DDL for the dialect (DESIGN
 * §4), from export_schema_ddl(). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emit.h"

static const char schema_usage[] =
    "usage: migc schema [-d DIR] --dialect D [--at V]\n"
    "\n"
    "Prints the schema at head (or after the greatest version <= V) as DDL for one\n"
    "database (postgres or sqlite).\n"
    "\n"
    "exit status: 0 ok, 1 errors in the migrations, 2 bad usage, 3 I/O failure\n";

int cmd_schema(int argc, char **argv)
{
    const char *dir = "migrations", *dname = NULL, *at_s = NULL;
    bool strict = false;
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = cli_opt_value(argc, argv, &i, "-d", &dir)) || (r = cli_opt_value(argc, argv, &i, "--dialect", &dname)) ||
            (r = cli_opt_value(argc, argv, &i, "--at", &at_s))) {
            if (r < 0)
                return usage_error("schema", "option '%s' needs a value", argv[i]);
        } else if (!strcmp(argv[i], "--strict")) {
            strict = true;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(schema_usage, stdout);
            return EXIT_OK;
        } else {
            return usage_error("schema", "unknown option '%s'", argv[i]);
        }
    }
    dialect d;
    if (!dname)
        return usage_error("schema", "missing --dialect postgres|sqlite");
    if (!dialect_from_name(dname, &d))
        return usage_error("schema", "unknown dialect '%s' (expected postgres or sqlite)", dname);
    int64_t at = INT64_MAX;
    if (at_s) {
        char *end;
        errno = 0;
        long long v = strtoll(at_s, &end, 10);
        if (!*at_s || *end || errno || v < 0)
            return usage_error("schema", "--at needs a version number, not '%s'", at_s);
        at = v;
    }
    arena *a = arena_new();
    const checked_history *ch = NULL;
    int rc = codegen_frontend(a, dir, strict, 1u << d, &ch);
    if (rc == EXIT_OK) {
        /* The catalog replayed up to `at` (linear: no snapshot per migration). */
        catalog *c = NULL;
        for (uint32_t i = 0; i < ch->h->n && ch->h->migs[i]->version <= at; i++) {
            const migration *m = ch->h->migs[i];
            if (!c)
                c = catalog_new(a);
            for (uint32_t j = 0; j < m->nstmts; j++)
                catalog_apply(c, m, m->stmts[j]);
        }
        const char *text = c ? export_schema_ddl(a, c, d) : "";
        if (fputs(text, stdout) == EOF || fflush(stdout) != 0) {
            fprintf(stderr, "migc: error: cannot write the schema: %s\n", strerror(errno));
            rc = EXIT_IO;
        }
    }
    arena_free(a);
    return rc;
}
