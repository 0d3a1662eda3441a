/* util_test.c: the runtime's shared helpers (runtime/util.c): password
 * redaction of every URL form, identifier quoting, SQL part concatenation
 * and the row accessors. Exit 0 when every check passes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"

static int failures;

/* Checks that migc_redact_url(in) is want. */
static void redacts(const char *in, const char *want)
{
    char *got = migc_redact_url(in);
    if (!got || strcmp(got, want)) {
        fprintf(stderr, "redact(%s): got '%s', want '%s'\n", in, got ? got : "(null)", want);
        failures++;
    }
    free(got);
}

int main(void)
{
    redacts("postgres://u:secret@h:5432/db", "postgres://u:****@h:5432/db");
    redacts("postgresql://u@h/db", "postgresql://u@h/db");
    redacts("postgresql://h/db?user=u&password=secret&sslmode=off",
            "postgresql://h/db?user=u&password=****&sslmode=off");
    redacts("postgresql://u:a@b@h/db?password=x", "postgresql://u:****@h/db?password=****");
    redacts("host=h password=secret dbname=d", "host=h password=**** dbname=d");
    redacts("password = 'se cret' host=h", "password=**** host=h");
    redacts("host=h password='it\\'s'", "host=h password=****");
    redacts("sqlite:/tmp/a.db", "sqlite:/tmp/a.db");
    redacts("file:a.db?mode=ro", "file:a.db?mode=ro");
    redacts("", "");

    char *q = migc_quote_ident("we\"ird");
    if (!q || strcmp(q, "\"we\"\"ird\"")) {
        fprintf(stderr, "quote_ident: %s\n", q ? q : "(null)");
        failures++;
    }
    free(q);

    const char *parts[] = {"SELECT ", "1", ""};
    struct migc_sql sql = {3, parts};
    char *t = migc_sql_text(&sql);
    if (!t || strcmp(t, "SELECT 1")) {
        fprintf(stderr, "sql_text: %s\n", t ? t : "(null)");
        failures++;
    }
    free(t);

    struct migc_rows rows = {0};
    if (migc_rows_get(&rows, 0, 0) != NULL)
        failures++;
    migc_rows_free(&rows);
    migc_rows_free(NULL);
    struct migc_saved saved = {0};
    migc_saved_free(&saved);
    struct migc_live_schema live = {0};
    migc_live_schema_free(&live);

    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    else
        puts("ok");
    return failures ? 1 : 0;
}
