/* cli.c: the command line of a generated binary (DESIGN §5):
 * `return migc_main(&NAME, argc, argv);` is its whole main().
 *
 * Parses options (global ones may come before or after the command), picks
 * the database URL (--database, else DATABASE_URL), opens it only for
 * commands that need it, runs the command through the public API and prints
 * results to stdout, reports and errors to stderr. Returns the exit code:
 * 0 ok, 1 refused/drift/failed, 2 usage, 3 connection/I/O, 4 lock wait. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "migc/migc.h"
#include "migc_config.h"

struct cli {
    const struct migc_plan *plan;
    const char *prog;
    const char *cmd;
    const char *url;
    struct migc_options opts;
    /* command options */
    const char *to, *steps, *accept, *dialect, *positional;
    bool dry_run, single, out_of_order, allow_loss, json, check;
    int64_t to_v, steps_v, accept_v, baseline_v;   /* parsed values */
};

static const char usage_fmt[] =
    "usage: %s [options] <command> [command options]\n"
    "\n"
    "Applies the migrations built into this binary (%s) to a database.\n"
    "\n"
    "commands:\n"
    "  up [--to V] [--dry-run] [--single-transaction] [--out-of-order]\n"
    "                          apply pending migrations (--to V: up to V; never goes down)\n"
    "  down [--steps N | --to V] [--dry-run] [--allow-data-loss]\n"
    "                          revert one migration, N of them, or down to V (V stays applied;\n"
    "                          --to 0 reverts all); data-losing downs need --allow-data-loss\n"
    "  status [--json] [--check]\n"
    "                          show every migration's state; --check: exit 1 if anything is\n"
    "                          pending, changed, unknown or partly applied\n"
    "  verify                  checksums, then the live schema against the last applied version\n"
    "  sql [--dialect D] [up|down]\n"
    "                          print the whole plan's SQL (offline, no connection)\n"
    "  baseline V              adopt an existing database as being at version V\n"
    "  repair [--accept-checksum V]\n"
    "                          clear what a failed non-transactional step left; accept the\n"
    "                          binary's checksum for V (only if you vouch for the change)\n"
    "\n"
    "options:\n"
    "  --database URL          postgres://..., postgresql://..., a libpq keyword string,\n"
    "                          sqlite:PATH, sqlite://PATH (sqlite:///abs) or file:URI;\n"
    "                          default: $DATABASE_URL\n"
    "  --lock-wait DURATION    how long to wait for another migrator (default 15m)\n"
    "  --lock-timeout DURATION PostgreSQL lock_timeout for DDL (default 5s)\n"
    "  --history-table NAME    default migc_schema_history\n"
    "  --schema NAME           PostgreSQL schema to migrate (default: the current one)\n"
    "  --help, --version\n"
    "durations: 500ms, 5s, 15m, 1h (a bare number is seconds)\n"
    "exit status: 0 ok, 1 refused, drift or a failed migration, 2 bad usage,\n"
    "             3 connection, I/O or internal failure, 4 --lock-wait expired\n";

/* Prints "<prog>: error: msg" and the help hint; returns 2. */
static int usage_error(const struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int usage_error(const struct cli *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: error: ", c->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nrun '%s --help' for usage\n", c->prog);
    return MIGC_USAGE;
}

/* Prints the handle's error (every line) and returns rc. */
static int report(const struct cli *c, migc *m, int rc)
{
    if (rc != MIGC_OK)
        fprintf(stderr, "%s: error: %s\n", c->prog, migc_errmsg(m));
    return rc;
}

/* "500ms", "5s", "15m", "1h", "7" (seconds) -> ms; false if malformed. */
static bool parse_duration(const char *s, int64_t *ms)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9')
        return false;
    long long v = strtoll(s, &end, 10);
    if (errno)
        return false;
    int64_t mul;
    if (!strcmp(end, "ms"))
        mul = 1;
    else if (!strcmp(end, "s") || !*end)
        mul = 1000;
    else if (!strcmp(end, "m"))
        mul = 60000;
    else if (!strcmp(end, "h"))
        mul = 3600000;
    else
        return false;
    if (v > INT64_MAX / mul)
        return false;
    *ms = v * mul;
    return true;
}

/* A version: decimal, min..2^63-1; false if malformed. */
static bool parse_version(const char *s, int64_t min, int64_t *v)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9')
        return false;
    long long x = strtoll(s, &end, 10);
    if (errno || *end || x < min)
        return false;
    *v = x;
    return true;
}

/* Matches "--name VALUE" or "--name=VALUE" at argv[*i]; advances *i.
 * Returns 1 matched, 0 not this option, -1 value missing. */
static int opt_value(int argc, char **argv, int *i, const char *name, const char **val)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n))
        return 0;
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (a[n])
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *val = argv[++*i];
    return 1;
}

/* Parses argv into c; returns -1 on success, else the exit code. */
static int parse(struct cli *c, int argc, char **argv)
{
    static const char *const globals[] = {"--database", "--lock-wait", "--lock-timeout",
                                          "--history-table", "--schema"};
    static const char *const valued[] = {"--to", "--steps", "--accept-checksum", "--dialect"};
    const char *gv[5] = {0};
    const char *vv[4] = {0};
    bool help = false, version = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int hit = 0;
        for (int g = 0; g < 5 && !hit; g++) {
            hit = opt_value(argc, argv, &i, globals[g], &gv[g]);
            if (hit < 0)
                return usage_error(c, "%s needs a value", globals[g]);
        }
        for (int g = 0; g < 4 && !hit; g++) {
            hit = opt_value(argc, argv, &i, valued[g], &vv[g]);
            if (hit < 0)
                return usage_error(c, "%s needs a value", valued[g]);
        }
        if (hit)
            continue;
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            help = true;
        else if (!strcmp(a, "--version"))
            version = true;
        else if (!strcmp(a, "--dry-run"))
            c->dry_run = true;
        else if (!strcmp(a, "--single-transaction"))
            c->single = true;
        else if (!strcmp(a, "--out-of-order"))
            c->out_of_order = true;
        else if (!strcmp(a, "--allow-data-loss"))
            c->allow_loss = true;
        else if (!strcmp(a, "--json"))
            c->json = true;
        else if (!strcmp(a, "--check"))
            c->check = true;
        else if (a[0] == '-' && a[1])
            return usage_error(c, "unknown option '%s'", a);
        else if (!c->cmd)
            c->cmd = a;
        else if (!c->positional)
            c->positional = a;
        else
            return usage_error(c, "unexpected argument '%s'", a);
    }
    if (help) {
        printf(usage_fmt, c->prog, c->plan->name ? c->plan->name : "migrations");
        return fflush(stdout) || ferror(stdout) ? MIGC_IO : MIGC_OK;
    }
    if (version) {
        const struct migc_plan *p = c->plan;
        printf("%s (migc %s), %u migration%s, head version %" PRId64 ", dialects:%s%s\n", c->prog,
               MIGC_VERSION, p->nmigrations, p->nmigrations == 1 ? "" : "s",
               p->nmigrations ? p->migrations[p->nmigrations - 1].version : (int64_t)0,
               p->drivers[MIGC_POSTGRES] ? " postgres" : "",
               p->drivers[MIGC_SQLITE] ? " sqlite" : "");
        return fflush(stdout) || ferror(stdout) ? MIGC_IO : MIGC_OK;
    }
    c->url = gv[0];
    if (gv[1] && !parse_duration(gv[1], &c->opts.lock_wait_ms))
        return usage_error(c, "--lock-wait '%s' is not a duration (like 500ms, 5s, 15m)", gv[1]);
    if (gv[2] && !parse_duration(gv[2], &c->opts.lock_timeout_ms))
        return usage_error(c, "--lock-timeout '%s' is not a duration (like 500ms, 5s, 15m)", gv[2]);
    if (gv[3]) {
        if (!*gv[3])
            return usage_error(c, "--history-table needs a name");
        c->opts.history_table = gv[3];
    }
    if (gv[4]) {
        if (!*gv[4])
            return usage_error(c, "--schema needs a name");
        c->opts.schema = gv[4];
    }
    c->to = vv[0];
    c->steps = vv[1];
    c->accept = vv[2];
    c->dialect = vv[3];
    if (!c->cmd)
        return usage_error(c, "no command given (up, down, status, verify, sql, baseline, repair)");
    /* which command options go with which command */
    struct {
        const char *cmd;
        bool to, steps, accept, dialect, dry, single, ooo, loss, json, check, positional;
    } allowed[] = {
        {"up", 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0},
        {"down", 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0},
        {"status", 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0},
        {"verify", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {"sql", 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1},
        {"baseline", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
        {"repair", 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0},
    };
    int k = -1;
    for (int i = 0; i < (int)(sizeof allowed / sizeof allowed[0]); i++)
        if (!strcmp(c->cmd, allowed[i].cmd))
            k = i;
    if (k < 0)
        return usage_error(c, "unknown command '%s' (up, down, status, verify, sql, baseline, "
                              "repair)", c->cmd);
#define ONLY(flag, present, text)                                                       \
    if ((present) && !allowed[k].flag)                                                 \
        return usage_error(c, "%s is not an option of '%s'", text, c->cmd);
    ONLY(to, c->to, "--to")
    ONLY(steps, c->steps, "--steps")
    ONLY(accept, c->accept, "--accept-checksum")
    ONLY(dialect, c->dialect, "--dialect")
    ONLY(dry, c->dry_run, "--dry-run")
    ONLY(single, c->single, "--single-transaction")
    ONLY(ooo, c->out_of_order, "--out-of-order")
    ONLY(loss, c->allow_loss, "--allow-data-loss")
    ONLY(json, c->json, "--json")
    ONLY(check, c->check, "--check")
#undef ONLY
    if (c->positional && !allowed[k].positional)
        return usage_error(c, "unexpected argument '%s'", c->positional);
    if (c->steps && c->to)
        return usage_error(c, "give --steps or --to, not both");
    if (!strcmp(c->cmd, "baseline") && !c->positional)
        return usage_error(c, "baseline needs a version: baseline V");
    bool up = !strcmp(c->cmd, "up");
    if (c->to && !parse_version(c->to, up ? 1 : 0, &c->to_v))
        return usage_error(c, "--to '%s' is not a version (%s to 2^63-1)", c->to, up ? "1" : "0");
    if (c->steps && (!parse_version(c->steps, 1, &c->steps_v) || c->steps_v > 1000000000))
        return usage_error(c, "--steps '%s' is not a positive count", c->steps);
    if (c->accept && !parse_version(c->accept, 1, &c->accept_v))
        return usage_error(c, "--accept-checksum '%s' is not a version", c->accept);
    if (!strcmp(c->cmd, "baseline") && !parse_version(c->positional, 1, &c->baseline_v))
        return usage_error(c, "baseline: '%s' is not a version (1 to 2^63-1)", c->positional);
    return -1;
}

/* Writes s as a JSON string. */
static void json_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* The status word of a state, as status and --json print it. */
static const char *state_name(enum migc_state s)
{
    switch (s) {
    case MIGC_PENDING: return "pending";
    case MIGC_APPLIED: return "applied";
    case MIGC_BASELINE: return "baseline";
    case MIGC_PARTIAL: return "partial";
    case MIGC_CHANGED: return "changed";
    case MIGC_UNKNOWN: return "unknown";
    }
    return "?";
}

/* status [--json] [--check]: the table or one JSON object on stdout;
 * --check turns anything pending, changed, unknown or partial into exit 1. */
static int cmd_status(struct cli *c, migc *m)
{
    struct migc_status s;
    int rc = migc_status(m, &s);
    if (rc)
        return report(c, m, rc);
    if (c->json) {
        printf("{\"current\":%" PRId64 ",\"head\":%" PRId64 ",\"pending\":%u,\"changed\":%u,"
               "\"unknown\":%u,\"partial\":%u,\"migrations\":[",
               s.current, s.head, s.pending, s.changed, s.unknown, s.partial);
        for (unsigned i = 0; i < s.n; i++) {
            const struct migc_status_entry *e = &s.entries[i];
            printf("%s{\"version\":%" PRId64 ",\"description\":", i ? "," : "", e->version);
            json_string(stdout, e->description);
            printf(",\"state\":\"%s\",\"recorded_state\":", state_name(e->state));
            json_string(stdout, e->raw_state);
            fputs(",\"applied_at\":", stdout);
            json_string(stdout, e->applied_at);
            if (e->execution_ms >= 0)
                printf(",\"execution_ms\":%" PRId64, e->execution_ms);
            else
                fputs(",\"execution_ms\":null", stdout);
            fputs(",\"progress\":", stdout);
            json_string(stdout, e->progress);
            fputc('}', stdout);
        }
        puts("]}");
    } else {
        printf("%-20s %-9s %-16s %-26s %s\n", "version", "state", "recorded", "applied at",
               "description");
        for (unsigned i = 0; i < s.n; i++) {
            const struct migc_status_entry *e = &s.entries[i];
            printf("%-20" PRId64 " %-9s %-16s %-26s %s\n", e->version, state_name(e->state),
                   e->raw_state ? e->raw_state : "-", e->applied_at ? e->applied_at : "-",
                   e->description ? e->description : "");
        }
        printf("database at %" PRId64 ", head %" PRId64 ": %u pending, %u changed, %u unknown, "
               "%u partly applied\n", s.current, s.head, s.pending, s.changed, s.unknown,
               s.partial);
    }
    bool dirty = s.pending || s.changed || s.unknown || s.partial;
    migc_status_free(&s);
    if (fflush(stdout) || ferror(stdout))
        return MIGC_IO;
    return c->check && dirty ? MIGC_REFUSED : MIGC_OK;
}

/* The offline `sql` command. */
static int cmd_sql(struct cli *c)
{
    const struct migc_plan *p = c->plan;
    int d = -1;
    if (c->dialect) {
        if (!strcmp(c->dialect, "postgres") || !strcmp(c->dialect, "postgresql"))
            d = MIGC_POSTGRES;
        else if (!strcmp(c->dialect, "sqlite"))
            d = MIGC_SQLITE;
        else
            return usage_error(c, "--dialect must be postgres or sqlite, not '%s'", c->dialect);
    } else {
        for (int i = 0; i < MIGC_DIALECT_COUNT; i++)
            if (p->dialects & (1u << i))
                d = d < 0 ? i : -2;
        /* several: the database URL's form (read, never opened) chooses */
        const char *env = getenv("DATABASE_URL");
        const char *url = c->url ? c->url : env && *env ? env : NULL;
        if (d == -2 && migc_url_dialect(url) >= 0)
            d = migc_url_dialect(url);
        if (d == -2)
            return usage_error(c, "this binary has several dialects: choose one with --dialect "
                                  "postgres or --dialect sqlite (or give --database URL)");
        if (d < 0)
            return usage_error(c, "this binary has no dialect");
    }
    if (!(p->dialects & (1u << d)))
        return usage_error(c, "this binary was built without %s",
                           d == MIGC_POSTGRES ? "postgres" : "sqlite");
    bool down = false;
    if (c->positional) {
        if (!strcmp(c->positional, "down"))
            down = true;
        else if (strcmp(c->positional, "up"))
            return usage_error(c, "sql takes 'up' or 'down', not '%s'", c->positional);
    }
    int rc = migc_write_sql(p, (enum migc_dialect)d, down, stdout);
    if (rc == MIGC_REFUSED) {
        for (unsigned i = 0; i < p->nmigrations; i++)
            if (p->migrations[i].irreversible) {
                fprintf(stderr, "%s: error: migration %" PRId64 " (%s) is irreversible: there is "
                        "no down script from head to empty\n", c->prog, p->migrations[i].version,
                        p->migrations[i].description);
                break;
            }
    } else if (rc) {
        fprintf(stderr, "%s: error: cannot write the sql: %s\n", c->prog, strerror(errno));
    }
    return rc;
}

/* The file a SQLite URL names, for the dry run's "does it exist" test:
 * sqlite:PATH and sqlite://PATH verbatim; file:URI without its query or
 * fragment, authority ("//" or "//localhost") and %XX escapes, as SQLite
 * reads it. NULL for other URLs, an in-memory database (":memory:",
 * mode=memory) or when out of memory; else malloc'd. */
static char *sqlite_url_file(const char *url)
{
    const char *plain = migc_sqlite_url_path(url);
    if (plain)
        return strdup(plain);
    if (strncmp(url, "file:", 5))
        return NULL;
    const char *p = url + 5, *end = p + strcspn(p, "?#");
    if (strstr(end, "mode=memory"))
        return NULL;
    if (!strncmp(p, "//", 2)) {
        p += 2;
        if (!strncmp(p, "localhost/", 10))
            p += 9;
        else if (*p != '/')
            return NULL;   /* another authority: SQLite refuses it anyway */
    }
    char *out = malloc((size_t)(end - p) + 1), *o = out;
    if (!out)
        return NULL;
    for (; p < end; p++) {
        if (*p == '%' && end - p > 2 && isxdigit((unsigned char)p[1]) &&
            isxdigit((unsigned char)p[2]) && (p[1] != '0' || p[2] != '0')) {
            char hex[3] = {p[1], p[2], '\0'};
            *o++ = (char)strtol(hex, NULL, 16);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    if (!strcmp(out, ":memory:")) {
        free(out);
        return NULL;
    }
    return out;
}

/* Runs a database command on an open handle. */
static int run(struct cli *c, migc *m)
{
    int rc;
    if (!strcmp(c->cmd, "up")) {
        struct migc_up_options o = {.dry_run = c->dry_run, .single_transaction = c->single,
                                    .out_of_order = c->out_of_order, .out = stdout,
                                    .to = c->to ? c->to_v : 0};
        return report(c, m, migc_up(m, &o));
    }
    if (!strcmp(c->cmd, "down")) {
        struct migc_down_options o = {.dry_run = c->dry_run, .allow_data_loss = c->allow_loss,
                                      .out = stdout, .steps = c->steps ? (unsigned)c->steps_v : 1,
                                      .has_to = c->to != NULL, .to = c->to_v};
        return report(c, m, migc_down(m, &o));
    }
    if (!strcmp(c->cmd, "status"))
        return cmd_status(c, m);
    if (!strcmp(c->cmd, "verify")) {
        rc = migc_verify(m, stdout);
        if (!rc)
            printf("verify: ok\n");
        return report(c, m, rc);
    }
    if (!strcmp(c->cmd, "baseline"))
        return report(c, m, migc_baseline(m, c->baseline_v));
    return report(c, m, migc_repair(m, c->accept != NULL, c->accept_v, stdout));
}

/* The refusals that `up --single-transaction` and `baseline` can make on a
 * SQLite file that does not exist yet depend on the plan alone; they are
 * tried on an empty in-memory database first, so that a refused command
 * leaves no empty file behind ("no change"). Returns MIGC_OK to go on,
 * else the refusal's rc (reported). */
static int refuse_before_create(struct cli *c)
{
    bool up = !strcmp(c->cmd, "up");
    if (!(up && c->single) && strcmp(c->cmd, "baseline"))
        return MIGC_OK;
    char *path = sqlite_url_file(c->url);
    bool missing = path && *path && access(path, F_OK) != 0;
    free(path);
    if (!missing)
        return MIGC_OK;
    struct migc_options o = c->opts;
    o.log = NULL;
    o.create = false;
    migc *m = NULL;
    FILE *devnull = fopen("/dev/null", "w");
    int rc = devnull ? migc_open(&m, c->plan, "file::memory:", &o) : MIGC_IO;
    if (rc == MIGC_OK && up) {
        struct migc_up_options uo = {.dry_run = true, .single_transaction = true,
                                     .out_of_order = c->out_of_order, .out = devnull,
                                     .to = c->to ? c->to_v : 0};
        rc = migc_up(m, &uo);
    } else if (rc == MIGC_OK) {
        rc = migc_baseline(m, c->baseline_v);
    }
    /* only a refusal counts; anything else is left to the real run */
    rc = rc == MIGC_USAGE || rc == MIGC_REFUSED ? report(c, m, rc) : MIGC_OK;
    migc_close(m);
    if (devnull)
        fclose(devnull);
    return rc;
}

/* migc.h: parse, then `sql` offline or open the URL and run the command. */
int migc_main(const struct migc_plan *plan, int argc, char **argv)
{
    struct cli c = {.plan = plan};
    const char *slash = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;
    c.prog = slash ? slash + 1 : (argc > 0 && argv[0] ? argv[0] : (plan->name ? plan->name : "migrate"));
    migc_options_init(&c.opts);
    int rc = parse(&c, argc, argv);
    if (rc >= 0)
        return rc;
    if (!strcmp(c.cmd, "sql"))
        return cmd_sql(&c);
    if (!c.url) {
        const char *env = getenv("DATABASE_URL");
        c.url = env && *env ? env : NULL;
    }
    if (!c.url)
        return usage_error(&c, "no database given: pass --database URL or set DATABASE_URL");
    c.opts.create = (!strcmp(c.cmd, "up") && !c.dry_run) || !strcmp(c.cmd, "baseline");
    if (!strcmp(c.cmd, "up") && c.dry_run) {
        /* a dry run creates nothing: a missing file reads as an empty database */
        char *path = sqlite_url_file(c.url);
        if (path && *path && access(path, F_OK) != 0) {
            fprintf(stderr, "%s: note: '%s' does not exist yet; the dry run starts from an "
                    "empty database\n", c.prog, path);
            c.url = "file::memory:";
        }
        free(path);
    }
    if (c.opts.create && (rc = refuse_before_create(&c)) != MIGC_OK)
        return rc;
    c.opts.log = stderr;
    c.opts.progress = isatty(STDERR_FILENO) == 1;
    migc *m = NULL;
    rc = migc_open(&m, plan, c.url, &c.opts);
    if (rc == MIGC_OK)
        rc = run(&c, m);
    else
        rc = report(&c, m, rc);
    migc_close(m);
    if ((fflush(stdout) || ferror(stdout)) && rc == MIGC_OK)
        rc = MIGC_IO;
    return rc;
}
