/* cmd_build.c: `migc build [-d DIR] -o OUTDIR --name NAME [--dialect
 * postgres,sqlite] [--strict]` — writes NAME.c and NAME.h (DESIGN §3, §4).
 * Nothing is written unless the whole history compiles; files whose content did not
 * change are left untouched. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "emit.h"
#include "frontend.h"

/* Is s a C identifier (the plan's variable name)? */
static bool c_identifier(const char *s)
{
    if (!*s || (*s >= '0' && *s <= '9'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static const char build_usage[] =
    "usage: migc build [-d DIR] -o OUTDIR --name NAME [--dialect postgres,sqlite] [--strict]\n"
    "\n"
    "Type-checks the migrations in DIR (default: migrations) and writes OUTDIR/NAME.c\n"
    "and OUTDIR/NAME.h: the compiled plan that a binary links with migc's runtime.\n"
    "Nothing is written when the history has errors; unchanged files are left alone.\n"
    "\n"
    "  -d DIR          the migrations directory\n"
    "  -o OUTDIR       where NAME.c and NAME.h go\n"
    "  --name NAME     a C identifier: the plan's name (and NAME_HEAD_VERSION)\n"
    "  --dialect LIST  postgres, sqlite or both, comma-separated (default: both)\n"
    "  --strict        treat warnings (data loss without `allow data_loss`) as errors\n"
    "\n"
    "exit status: 0 ok, 1 errors in the migrations, 2 bad usage, 3 I/O failure\n";

int cmd_build(int argc, char **argv)
{
    const char *dir = "migrations", *outdir = NULL, *name = NULL, *dialects = "postgres,sqlite";
    bool strict = false;
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = cli_opt_value(argc, argv, &i, "-d", &dir)) || (r = cli_opt_value(argc, argv, &i, "-o", &outdir)) ||
            (r = cli_opt_value(argc, argv, &i, "--name", &name)) ||
            (r = cli_opt_value(argc, argv, &i, "--dialect", &dialects))) {
            if (r < 0)
                return usage_error("build", "option '%s' needs a value", argv[i]);
        } else if (!strcmp(argv[i], "--strict")) {
            strict = true;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(build_usage, stdout);
            return EXIT_OK;
        } else {
            return usage_error("build", "unknown option '%s'", argv[i]);
        }
    }
    if (!outdir)
        return usage_error("build", "missing -o OUTDIR (where NAME.c and NAME.h go)");
    if (!name)
        return usage_error("build", "missing --name NAME (the plan's C name)");
    if (!c_identifier(name))
        return usage_error("build", "--name '%s' is not a C identifier ([A-Za-z_][A-Za-z0-9_]*)", name);
    unsigned mask = 0;
    arena *a = arena_new();
    char *list = arena_strdup(a, dialects);
    for (char *tok = list; tok && *tok;) {
        char *comma = strchr(tok, ',');
        if (comma)
            *comma = '\0';
        dialect d;
        if (!dialect_from_name(tok, &d)) {
            arena_free(a);
            return usage_error("build", "unknown dialect '%s' (expected postgres, sqlite)", tok);
        }
        mask |= 1u << d;
        tok = comma ? comma + 1 : NULL;
    }
    if (!mask) {
        arena_free(a);
        return usage_error("build", "--dialect needs at least one of postgres, sqlite");
    }
    const checked_history *ch = NULL;
    int rc = codegen_frontend(a, dir, strict, mask, &ch);
    if (rc != EXIT_OK) {
        arena_free(a);
        return rc;
    }
    cg_plan *p = codegen_plan(a, ch, mask);
    for (uint32_t i = 0; i < p->n; i++)
        if (!p->migs[i].checksum) {
            fputs("migc: error: computing a checksum failed (libcrypto)\n", stderr);
            arena_free(a);
            return EXIT_IO;
        }
    const char *hdr = emit_c_header(a, p, name);
    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "migc: error: cannot create directory '%s': %s\n", outdir, strerror(errno));
        arena_free(a);
        return EXIT_IO;
    }
    /* NAME.c first: if it cannot be written, NAME.h stays as it was too. */
    rc = EXIT_OK;
    if (write_c_source_atomic(a, arena_printf(a, "%s/%s.c", outdir, name), p, name) != 0 ||
        write_file_atomic(arena_printf(a, "%s/%s.h", outdir, name), hdr, strlen(hdr)) != 0)
        rc = EXIT_IO;
    arena_free(a);
    return rc;
}
