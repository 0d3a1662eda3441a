/* kill_up.c: runs `up` of the basic plan through the C API on a SQLite file
 * and kills itself with SIGKILL at a chosen point, to test recovery:
 *
 *   kill_up DB stmt N   SIGKILL when the Nth SQL statement starts
 *   kill_up DB ops N    SIGKILL at the Nth progress callback (every 1000
 *                       VM instructions: inside statements)
 *   kill_up DB count 0  run to the end; print "STATEMENTS OPS_CALLS"
 *
 * The connection is the test's own sqlite3 * wrapped with migc_wrap_sqlite
 * (so the wrapping path is exercised too). Exit: migc_up's result. */
#include <signal.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc/migc.h"

extern const struct migc_plan basic;

static long counter, ops_counter, kill_at;

/* sqlite3_trace_v2 callback: counts statements, dies at kill_at. */
static int on_trace(unsigned type, void *ctx, void *p, void *x)
{
    (void)type;
    (void)ctx;
    (void)p;
    (void)x;
    if (++counter == kill_at)
        raise(SIGKILL);
    return 0;
}

/* Progress handler: dies at the kill_at-th call. */
static int on_progress(void *ctx)
{
    (void)ctx;
    if (++ops_counter == kill_at)
        raise(SIGKILL);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fputs("usage: kill_up DB stmt|ops|count N\n", stderr);
        return 2;
    }
    kill_at = atol(argv[3]);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        fprintf(stderr, "kill_up: cannot open %s\n", argv[1]);
        sqlite3_close(db);
        return 3;
    }
    sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
    bool count = !strcmp(argv[2], "count");
    if (count)
        kill_at = -1;
    if (!strcmp(argv[2], "ops") || count)
        sqlite3_progress_handler(db, 1000, on_progress, NULL);
    if (!strcmp(argv[2], "stmt") || count)
        sqlite3_trace_v2(db, SQLITE_TRACE_STMT, on_trace, NULL);
    struct migc_options o;
    migc_options_init(&o);
    o.lock_wait_ms = 60000;
    migc *m = NULL;
    int rc = migc_wrap_sqlite(&m, &basic, db, &o);
    if (rc == MIGC_OK)
        rc = migc_up(m, NULL);
    if (rc != MIGC_OK)
        fprintf(stderr, "kill_up: %s\n", migc_errmsg(m));
    migc_close(m);
    sqlite3_close(db);
    if (count)
        printf("%ld %ld\n", counter, ops_counter);
    return rc;
}
