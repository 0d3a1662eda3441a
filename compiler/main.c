/* main.c: `migc`, the migration compiler's command line (DESIGN §4). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "migc_config.h"

static const char usage_text[] =
    "usage: migc <command> [options]\n"
    "\n"
    "Type-checks a history of database migrations and compiles it to C and SQL.\n"
    "\n"
    "commands:\n"
    "  check  [-d DIR] [--strict]           type-check the migrations, write nothing\n"
    "  build  [-d DIR] -o OUTDIR --name NAME [--dialect postgres,sqlite] [--strict]\n"
    "                                       write NAME.c and NAME.h for the runtime\n"
    "  sql    [-d DIR] --dialect D [--down] [--to V]\n"
    "         [--format plain|golang-migrate|flyway|dbmate] [-o OUT]\n"
    "                                       export SQL scripts for other tools\n"
    "  schema [-d DIR] --dialect D [--at V] print the schema at head (or at V) as DDL\n"
    "  new    [-d DIR] SLUG                 create the next migration file\n"
    "\n"
    "options:\n"
    "  -d DIR     the migrations directory (default: migrations)\n"
    "  --strict   treat warnings (data loss without `allow data_loss`) as errors\n"
    "  --help     show this help;  --version  show the version\n"
    "\n"
    "exit status: 0 ok, 1 errors in the migrations, 2 bad usage, 3 I/O or internal failure\n"
    "colour: on when stderr is a terminal, unless NO_COLOR is set\n";

int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fputs("migc: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "\nrun 'migc %s --help' for its usage\n", cmd);
    else
        fputs("\nrun 'migc --help' for usage\n", stderr);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("migc %s\n", MIGC_VERSION);
        return EXIT_OK;
    }
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {
        {"check", cmd_check}, {"build", cmd_build}, {"sql", cmd_sql},
        {"schema", cmd_schema}, {"new", cmd_new},
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    return usage_error(NULL, "unknown command '%s'", cmd);
}
