/* cmd_sql.c: `migc sql [-d DIR] --dialect D [--down] [--to V]
 * [--format plain|golang-migrate|flyway|dbmate] [-o OUT]` (DESIGN §4):
 * exports the compiled SQL (export.c). Exit codes as cli.h. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emit.h"

/* Parses a version 0..2^63-1; false on anything else. */
static bool parse_version(const char *s, int64_t *v)
{
    if (!*s || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *v = x;
    return true;
}

/* Option with a value ("opt VALUE" or "opt=VALUE"): 1 matched, 0 not this
 * option, -1 value missing. */
static int opt_value(int argc, char **argv, int *i, const char *opt, const char **val)
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

int cmd_sql(int argc, char **argv)
{
    const char *dir = "migrations", *dname = NULL, *to_s = NULL, *fmt = "plain", *out = NULL;
    bool down = false, strict = false;
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = opt_value(argc, argv, &i, "-d", &dir)) || (r = opt_value(argc, argv, &i, "-o", &out)) ||
            (r = opt_value(argc, argv, &i, "--dialect", &dname)) ||
            (r = opt_value(argc, argv, &i, "--to", &to_s)) ||
            (r = opt_value(argc, argv, &i, "--format", &fmt))) {
            if (r < 0)
                return usage_error("sql", "option '%s' needs a value", argv[i]);
        } else if (!strcmp(argv[i], "--down")) {
            down = true;
        } else if (!strcmp(argv[i], "--strict")) {
            strict = true;
        } else {
            return usage_error("sql", "unknown option '%s'", argv[i]);
        }
    }
    dialect d;
    if (!dname)
        return usage_error("sql", "missing --dialect postgres|sqlite");
    if (!dialect_from_name(dname, &d))
        return usage_error("sql", "unknown dialect '%s' (expected postgres or sqlite)", dname);
    int64_t to = INT64_MAX;
    if (to_s && !parse_version(to_s, &to))
        return usage_error("sql", "--to needs a version number, not '%s'", to_s);
    export_format f;
    if (!strcmp(fmt, "plain"))
        f = FMT_PLAIN;
    else if (!strcmp(fmt, "golang-migrate"))
        f = FMT_GOLANG_MIGRATE;
    else if (!strcmp(fmt, "flyway"))
        f = FMT_FLYWAY;
    else if (!strcmp(fmt, "dbmate"))
        f = FMT_DBMATE;
    else
        return usage_error("sql", "unknown format '%s' (expected plain, golang-migrate, flyway or dbmate)", fmt);
    if (down && f != FMT_PLAIN)
        return usage_error("sql", "--down goes with --format plain (the layouts hold both directions)");
    arena *a = arena_new();
    const checked_history *ch = NULL;
    int rc = codegen_frontend(a, dir, strict, &ch);
    if (rc == EXIT_OK) {
        cg_plan *p = codegen_plan(a, ch, 1u << d);
        rc = export_sql(a, p, d, f, down, to, out);
    }
    arena_free(a);
    return rc;
}
