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

static const char sql_usage[] =
    "usage: migc sql [-d DIR] --dialect D [--down] [--to V]\n"
    "                [--format plain|golang-migrate|flyway|dbmate] [-o OUT]\n"
    "\n"
    "Exports the migrations' SQL for one database (postgres or sqlite): without -o,\n"
    "one script on standard output (every up from an empty database, or with --down\n"
    "every down, newest first; --to V stops at V); with -o DIR and --format, one file\n"
    "per migration in that tool's layout.\n"
    "\n"
    "exit status: 0 ok, 1 errors in the migrations, 2 bad usage, 3 I/O failure\n";

int cmd_sql(int argc, char **argv)
{
    const char *dir = "migrations", *dname = NULL, *to_s = NULL, *fmt = "plain", *out = NULL;
    bool down = false, strict = false;
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = cli_opt_value(argc, argv, &i, "-d", &dir)) || (r = cli_opt_value(argc, argv, &i, "-o", &out)) ||
            (r = cli_opt_value(argc, argv, &i, "--dialect", &dname)) ||
            (r = cli_opt_value(argc, argv, &i, "--to", &to_s)) ||
            (r = cli_opt_value(argc, argv, &i, "--format", &fmt))) {
            if (r < 0)
                return usage_error("sql", "option '%s' needs a value", argv[i]);
        } else if (!strcmp(argv[i], "--down")) {
            down = true;
        } else if (!strcmp(argv[i], "--strict")) {
            strict = true;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(sql_usage, stdout);
            return EXIT_OK;
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
    int rc = codegen_frontend(a, dir, strict, 1u << d, &ch);
    if (rc == EXIT_OK) {
        cg_plan *p = codegen_plan(a, ch, 1u << d);
        rc = export_sql(a, p, d, f, down, to, out);
    }
    arena_free(a);
    return rc;
}
