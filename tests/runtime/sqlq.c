/* sqlq.c: a tiny SQLite shell for the runtime tests (no dependency on the
 * sqlite3 CLI): `sqlq DB SQL` runs SQL (several statements allowed) and
 * prints each result row as values joined by '|', NULL as "NULL".
 * Exit 0 ok, 1 on an SQL error (message on stderr). */
#include <sqlite3.h>
#include <stdio.h>

/* Prints one row. */
static int print_row(void *unused, int n, char **values, char **names)
{
    (void)unused;
    (void)names;
    for (int i = 0; i < n; i++)
        printf("%s%s", i ? "|" : "", values[i] ? values[i] : "NULL");
    putchar('\n');
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: sqlq DB SQL\n", stderr);
        return 2;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK) {
        fprintf(stderr, "sqlq: %s\n", db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return 1;
    }
    sqlite3_busy_timeout(db, 10000);
    char *err = NULL;
    int rc = sqlite3_exec(db, argv[2], print_row, NULL, &err);
    if (rc != SQLITE_OK)
        fprintf(stderr, "sqlq: %s\n", err ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : 1;
}
