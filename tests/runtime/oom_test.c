/* oom_test.c: allocation failures in the runtime (the engine, the CLI-free
 * API and the SQLite driver), SQLite's style: for every N, the Nth
 * malloc/calloc/realloc/strdup made by migc's own code fails during a run
 * of open, up, status, verify and down on a real file. Every such run must
 * fail cleanly (an error code, a message or "out of memory", no crash;
 * leaks are caught by ASan/valgrind on this process), and afterwards a
 * normal run must bring the database to head with `verify` passing: a
 * failure never leaves it inside a step.
 *
 * Linked with -Wl,--wrap=malloc,... so only calls from our objects are
 * counted (SQLite's and libc's own allocations are not).
 *
 *   oom_test DIR      (scratch directory; exit 0 when every run behaved) */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migc/migc.h"

extern const struct migc_plan basic;

static long fail_at, calls;

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);

/* Counts an allocation; true when this one must fail. */
static bool must_fail(void)
{
    return fail_at > 0 && ++calls == fail_at;
}

void *__wrap_malloc(size_t n)
{
    return must_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return must_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return must_fail() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return must_fail() ? NULL : __real_strdup(s);
}

/* Copies file from to to; false on failure. */
static bool copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    bool ok = in && out;
    char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    ok = ok && !ferror(in);
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = false;
    return ok;
}

/* One run of the API; returns the first non-OK result (or MIGC_OK). */
static int one_run(const char *url)
{
    struct migc_options o;
    migc_options_init(&o);
    o.create = true;
    migc *m = NULL;
    int rc = migc_open(&m, &basic, url, &o);
    struct migc_status s;
    struct migc_up_options up = {.to = 7};
    struct migc_down_options down = {.steps = 1, .allow_data_loss = true};
    if (!rc)
        rc = migc_up(m, &up);
    if (!rc && !(rc = migc_status(m, &s)))
        migc_status_free(&s);
    if (!rc)
        rc = migc_verify(m, NULL);
    if (!rc)
        rc = migc_down(m, &down);
    if (!rc)
        rc = migc_up(m, NULL);
    if (rc && !*migc_errmsg(m))
        rc = -1;   /* a failure must say something */
    migc_close(m);
    return rc;
}

/* After a failure: a plain up to head, then verify. */
static int recover_run(const char *url)
{
    migc *m = NULL;
    int rc = migc_open(&m, &basic, url, NULL);
    if (!rc)
        rc = migc_up(m, NULL);
    if (!rc)
        rc = migc_verify(m, NULL);
    migc_close(m);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: oom_test SCRATCH_DIR\n", stderr);
        return 2;
    }
    /* Hundreds of runs: in memory (/dev/shm) when there is one, where
     * SQLite's fsyncs cost nothing. */
    char shm[] = "/dev/shm/migc-oom.XXXXXX";
    const char *dir = access("/dev/shm", W_OK) == 0 && mkdtemp(shm) ? shm : argv[1];
    if (chdir(dir) != 0) {
        fprintf(stderr, "oom_test: cannot use %s\n", dir);
        return 2;
    }
    unlink("tpl.db");
    unlink("tpl.db-migc.lock");
    /* the template: at version 4, with 2,500 users for the backfill's batches */
    struct migc_options o;
    migc_options_init(&o);
    o.create = true;
    migc *m = NULL;
    struct migc_up_options to4 = {.to = 4};
    int rc = migc_open(&m, &basic, "sqlite:tpl.db", &o);
    if (!rc)
        rc = migc_up(m, &to4);
    migc_close(m);
    sqlite3 *db = NULL;
    if (rc || sqlite3_open("tpl.db", &db) != SQLITE_OK ||
        sqlite3_exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                         "WHERE i < 2500) INSERT INTO users (email) SELECT 'u' || i FROM n",
                     NULL, NULL, NULL) != SQLITE_OK) {
        fputs("oom_test: cannot make the template database\n", stderr);
        sqlite3_close(db);
        return 1;
    }
    sqlite3_close(db);
    int bad = 0;
    long n;
    for (n = 1;; n++) {
        unlink("t.db");
        unlink("t.db-journal");
        if (!copy_file("tpl.db", "t.db"))
            return 1;
        calls = 0;
        fail_at = n;
        rc = one_run("sqlite:t.db");
        fail_at = 0;
        bool hit = calls >= n;
        if (hit && rc == MIGC_OK) {
            /* a failed allocation the code recovered from is fine */
        } else if (rc == -1) {
            fprintf(stderr, "allocation %ld: a failure without a message\n", n);
            bad++;
        } else if (rc != MIGC_OK && rc != MIGC_IO) {
            /* out of memory is an internal failure (exit 3), never a
             * usage error or a refusal */
            fprintf(stderr, "allocation %ld: out of memory gave result %d, not MIGC_IO\n", n, rc);
            bad++;
        }
        /* afterwards: a normal run reaches head and verify passes */
        if (recover_run("sqlite:t.db") != MIGC_OK) {
            fprintf(stderr, "allocation %ld: the database is not usable after the failure\n", n);
            bad++;
        }
        if (!hit)
            break;
    }
    unlink("t.db");
    unlink("t.db-migc.lock");
    unlink("tpl.db");
    unlink("tpl.db-migc.lock");
    if (dir == shm)
        rmdir(shm);
    printf("%ld allocation points failed one by one, %d problem(s)\n", n - 1, bad);
    return bad ? 1 : 0;
}
