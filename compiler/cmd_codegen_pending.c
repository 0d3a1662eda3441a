/* cmd_codegen_pending.c: placeholder until the code generators land. */
#include <stdio.h>
#include "cli.h"
static int pending(const char *what)
{
    fprintf(stderr, "migc: error: '%s' is not implemented in this build yet\n", what);
    return EXIT_IO;
}
int cmd_build(int argc, char **argv) { (void)argc; (void)argv; return pending("build"); }
int cmd_sql(int argc, char **argv) { (void)argc; (void)argv; return pending("sql"); }
int cmd_schema(int argc, char **argv) { (void)argc; (void)argv; return pending("schema"); }
