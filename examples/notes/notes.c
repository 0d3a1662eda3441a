/* notes.c: a small to-do/notes command line on SQLite or PostgreSQL.
 *
 * What it shows: an application that carries its own migrations. At
 * start-up it opens its database, wraps that connection with the migc
 * runtime (migc_wrap_sqlite / migc_wrap_pg), refuses to run against a
 * database that is newer than this build knows (migc_check_head), applies
 * whatever is pending (migc_up), and then does its own work with its own
 * connection. The schema lives in migrations/ and is compiled into the
 * binary by add_migrations(notes_migrations ...) in CMakeLists.txt.
 *
 *   notes [--database URL] add TEXT...   add a note, print its id
 *   notes [--database URL] list [TAG]    open notes first; only TAG's if given
 *   notes [--database URL] done ID       mark a note done
 *   notes [--database URL] tag ID TAG    tag a note
 *
 * URL (or DATABASE_URL): sqlite:PATH, sqlite://PATH, or a PostgreSQL URL
 * (postgres://user@host/db?sslmode=require) or keyword string.
 * Exit status: 0 ok, 1 refused or failed, 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "migc/migc.h"
#include "notes_migrations.h"

enum { NOTES_OK = 0, NOTES_FAILED = 1, NOTES_USAGE = 2 };
enum { MAX_COLS = 4 };

/* The application's connection: exactly one of the two is set. */
struct db {
    sqlite3 *lite;
    PGconn *pg;
};

/* Called once per result row with the row's values as text (NULL for SQL
 * NULL). Returns 0 to go on; anything else stops the query with failure. */
typedef int (*row_fn)(void *ctx, const char *const *values);

static const char usage_text[] =
    "usage: notes [--database URL] <command>\n"
    "\n"
    "  add TEXT...    add a note\n"
    "  list [TAG]     list notes, open ones first (only those tagged TAG)\n"
    "  done ID        mark note ID done\n"
    "  tag ID TAG     tag note ID with TAG\n"
    "\n"
    "URL (or DATABASE_URL): sqlite:PATH, or a PostgreSQL URL such as\n"
    "postgres://user@host/notes. The database is migrated at start-up.\n";

/* Returns the path of a sqlite: or sqlite:// URL, or NULL for any other URL
 * (then it is a PostgreSQL one). Borrows url; cannot fail. */
static const char *sqlite_path(const char *url)
{
    if (strncmp(url, "sqlite://", 9) == 0)
        return url + 9;
    if (strncmp(url, "sqlite:", 7) == 0)
        return url + 7;
    return NULL;
}

/* libpq notice processor that drops notices (such as "relation ... already
 * exists, skipping" from the history table's CREATE TABLE IF NOT EXISTS):
 * they are not the user's business. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Opens the application's own connection to url. Returns 0 and fills *db,
 * or prints why it failed and returns -1 with nothing left open. */
static int db_open(struct db *db, const char *url)
{
    const char *path = sqlite_path(url);
    db->lite = NULL;
    db->pg = NULL;
    if (path) {
        int rc = sqlite3_open_v2(path, &db->lite, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
        if (rc != SQLITE_OK) {
            fprintf(stderr, "notes: error: cannot open %s: %s\n", path,
                    db->lite ? sqlite3_errmsg(db->lite) : sqlite3_errstr(rc));
            sqlite3_close(db->lite);
            db->lite = NULL;
            return -1;
        }
        sqlite3_busy_timeout(db->lite, 5000);
        if (sqlite3_exec(db->lite, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK) {
            fprintf(stderr, "notes: error: %s\n", sqlite3_errmsg(db->lite));
            sqlite3_close(db->lite);
            db->lite = NULL;
            return -1;
        }
        return 0;
    }
    db->pg = PQconnectdb(url);
    if (!db->pg) {
        fputs("notes: error: out of memory\n", stderr);
        return -1;
    }
    if (PQstatus(db->pg) != CONNECTION_OK) {
        /* libpq's message names host and port, never the password. */
        fprintf(stderr, "notes: error: cannot connect: %s", PQerrorMessage(db->pg));
        PQfinish(db->pg);
        db->pg = NULL;
        return -1;
    }
    PQsetNoticeProcessor(db->pg, ignore_notice, NULL);
    return 0;
}

/* Closes whichever connection is open; cannot fail. */
static void db_close(struct db *db)
{
    sqlite3_close(db->lite);
    if (db->pg)
        PQfinish(db->pg);
    db->lite = NULL;
    db->pg = NULL;
}

/* Runs one statement with nparams text parameters written $1, $2, ... in
 * order of first use (SQLite numbers `$N` parameters that way too), calling
 * fn (if not NULL) per row. Sets *changes (if not NULL) to the rows the
 * statement changed. Returns 0, or prints the database's message and
 * returns -1. Borrows everything. */
static int db_query(struct db *db, const char *sql, int nparams, const char *const *params,
                    row_fn fn, void *ctx, long *changes)
{
    const char *values[MAX_COLS];
    if (db->lite) {
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(db->lite, sql, -1, &st, NULL);
        for (int i = 0; rc == SQLITE_OK && i < nparams; i++)
            rc = sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_TRANSIENT);
        int failed = rc != SQLITE_OK;
        while (!failed && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            int n = sqlite3_column_count(st);
            for (int c = 0; c < n && c < MAX_COLS; c++)
                values[c] = (const char *)sqlite3_column_text(st, c);
            if (fn && fn(ctx, values) != 0)
                failed = 1;
        }
        if (!failed && rc != SQLITE_DONE)
            failed = 1;
        if (failed && rc != SQLITE_ROW)
            fprintf(stderr, "notes: error: %s\n", sqlite3_errmsg(db->lite));
        sqlite3_finalize(st);
        if (!failed && changes)
            *changes = sqlite3_changes(db->lite);
        return failed ? -1 : 0;
    }
    PGresult *res = PQexecParams(db->pg, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fprintf(stderr, "notes: error: %s", PQerrorMessage(db->pg));
        PQclear(res);
        return -1;
    }
    int failed = 0;
    for (int r = 0; !failed && r < PQntuples(res); r++) {
        for (int c = 0; c < PQnfields(res) && c < MAX_COLS; c++)
            values[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
        if (fn && fn(ctx, values) != 0)
            failed = 1;
    }
    if (!failed && changes)
        *changes = strtol(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return failed ? -1 : 0;
}

/* Migrates db to this build's head through the migc runtime, over the
 * application's own connection (borrowed: migc_close leaves it open).
 * Refuses a database newer than this build. Returns NOTES_OK or
 * NOTES_FAILED after printing why. */
static int migrate(struct db *db)
{
    struct migc_options opts;
    migc_options_init(&opts);
    migc *m = NULL;
    enum migc_rc rc = db->lite ? migc_wrap_sqlite(&m, &notes_migrations, db->lite, &opts)
                               : migc_wrap_pg(&m, &notes_migrations, db->pg, &opts);
    enum migc_head where = MIGC_HEAD_AT;
    if (rc == MIGC_OK)
        rc = migc_check_head(m, &where);
    if (rc == MIGC_OK && where == MIGC_HEAD_AHEAD) {
        fprintf(stderr,
                "notes: error: the database has migrations newer than this build of notes knows "
                "(it knows up to version %lld)\n"
                "notes: upgrade notes, or run the notes-migrate that matches the database\n",
                (long long)NOTES_MIGRATIONS_HEAD_VERSION);
        migc_close(m);
        return NOTES_FAILED;
    }
    if (rc == MIGC_OK && where == MIGC_HEAD_BEHIND) {
        rc = migc_up(m, NULL);
        if (rc == MIGC_OK)
            fprintf(stderr, "notes: migrated the database to version %lld\n",
                    (long long)NOTES_MIGRATIONS_HEAD_VERSION);
    }
    if (rc != MIGC_OK) {
        fprintf(stderr, "notes: error: cannot migrate the database: %s\n", migc_errmsg(m));
        migc_close(m);
        return NOTES_FAILED;
    }
    migc_close(m);
    return NOTES_OK;
}

/* Checks that text is a positive decimal id; prints a usage error if not. */
static int valid_id(const char *text)
{
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v <= 0) {
        fprintf(stderr, "notes: error: '%s' is not a note id (a positive number, as `notes list` shows)\n",
                text);
        return 0;
    }
    return 1;
}

/* row_fn for add: prints the new id. */
static int print_added(void *ctx, const char *const *v)
{
    (void)ctx;
    printf("added note %s\n", v[0] ? v[0] : "?");
    return 0;
}

/* row_fn for list: "[ ] 3  buy milk" or "[x] ...". */
static int print_note(void *ctx, const char *const *v)
{
    int *count = ctx;
    int done = v[1] && (v[1][0] == 't' || v[1][0] == '1');
    printf("[%c] %s  %s\n", done ? 'x' : ' ', v[0] ? v[0] : "?", v[2] ? v[2] : "");
    (*count)++;
    return 0;
}

/* The title of a note: its first line, at most 60 bytes (not splitting a
 * UTF-8 sequence). Writes into buf (61 bytes). */
static void title_of(const char *body, char *buf)
{
    size_t n = strcspn(body, "\n");
    if (n > 60) {
        n = 60;
        while (n > 0 && ((unsigned char)body[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(buf, body, n);
    buf[n] = '\0';
}

/* add TEXT...: stores the words joined by spaces as a new note and prints
 * its id. Returns NOTES_OK, or NOTES_FAILED after printing why. */
static int cmd_add(struct db *db, int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *body = malloc(len);
    if (!body) {
        fputs("notes: error: out of memory\n", stderr);
        return NOTES_FAILED;
    }
    body[0] = '\0';
    for (int i = 0; i < argc; i++) {
        if (i)
            strcat(body, " ");
        strcat(body, argv[i]);
    }
    char title[61];
    title_of(body, title);
    const char *params[] = {body, title};
    int rc = db_query(db, "INSERT INTO notes (body, title) VALUES ($1, $2) RETURNING id", 2, params,
                      print_added, NULL, NULL);
    free(body);
    return rc ? NOTES_FAILED : NOTES_OK;
}

/* list [TAG]: open notes first, then done ones, oldest first; only those
 * tagged TAG when tag is not NULL. Returns NOTES_OK or NOTES_FAILED. */
static int cmd_list(struct db *db, const char *tag)
{
    int count = 0;
    int rc;
    if (tag) {
        const char *params[] = {tag};
        rc = db_query(db,
                      "SELECT n.id, n.done, n.title FROM notes n"
                      " JOIN note_tags nt ON nt.note_id = n.id JOIN tags t ON t.id = nt.tag_id"
                      " WHERE t.name = $1 ORDER BY n.done, n.created_at, n.id",
                      1, params, print_note, &count, NULL);
    } else {
        rc = db_query(db, "SELECT id, done, title FROM notes ORDER BY done, created_at, id", 0, NULL,
                      print_note, &count, NULL);
    }
    if (rc)
        return NOTES_FAILED;
    if (count == 0)
        puts(tag ? "no notes with that tag" : "no notes yet: add one with `notes add TEXT`");
    return NOTES_OK;
}

/* done ID: marks a note done. NOTES_USAGE for a malformed id,
 * NOTES_FAILED for a database error or a note that does not exist. */
static int cmd_done(struct db *db, const char *id)
{
    if (!valid_id(id))
        return NOTES_USAGE;
    const char *params[] = {id};
    long changed = 0;
    if (db_query(db, "UPDATE notes SET done = true WHERE id = CAST($1 AS BIGINT)", 1, params, NULL, NULL,
                 &changed))
        return NOTES_FAILED;
    if (changed == 0) {
        fprintf(stderr, "notes: error: there is no note %s (see `notes list`)\n", id);
        return NOTES_FAILED;
    }
    printf("note %s done\n", id);
    return NOTES_OK;
}

/* tag ID TAG: creates the tag if needed and links it to the note (a no-op
 * when already linked). NOTES_USAGE for a malformed id, NOTES_FAILED for a
 * database error. */
static int cmd_tag(struct db *db, const char *id, const char *tag)
{
    if (!valid_id(id))
        return NOTES_USAGE;
    const char *tag_param[] = {tag};
    const char *link_params[] = {id, tag};
    long changed = 0;
    if (db_query(db, "INSERT INTO tags (name) VALUES ($1) ON CONFLICT (name) DO NOTHING", 1, tag_param,
                 NULL, NULL, NULL))
        return NOTES_FAILED;
    if (db_query(db,
                 "INSERT INTO note_tags (note_id, tag_id)"
                 " SELECT n.id, t.id FROM notes n, tags t WHERE n.id = CAST($1 AS BIGINT) AND t.name = $2"
                 " ON CONFLICT DO NOTHING",
                 2, link_params, NULL, NULL, &changed))
        return NOTES_FAILED;
    if (changed)
        printf("note %s tagged %s\n", id, tag);
    else
        printf("note %s was already tagged %s (or does not exist)\n", id, tag);
    return NOTES_OK;
}

/* Parses the command line, opens and migrates the database, runs one
 * command. Returns the exit status (see the top of this file). */
int main(int argc, char **argv)
{
    const char *url = getenv("DATABASE_URL");
    int i = 1;
    if (i < argc && (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))) {
        fputs(usage_text, stdout);
        return NOTES_OK;
    }
    if (i + 1 < argc && !strcmp(argv[i], "--database")) {
        url = argv[i + 1];
        i += 2;
    }
    if (i >= argc) {
        fputs(usage_text, stderr);
        return NOTES_USAGE;
    }
    if (!url || !*url) {
        fputs("notes: error: no database: pass --database URL or set DATABASE_URL"
              " (for example sqlite:notes.db)\n", stderr);
        return NOTES_USAGE;
    }
    const char *cmd = argv[i++];
    int nargs = argc - i;
    char **args = argv + i;
    int ok_usage = (!strcmp(cmd, "add") && nargs >= 1) || (!strcmp(cmd, "list") && nargs <= 1) ||
                   (!strcmp(cmd, "done") && nargs == 1) || (!strcmp(cmd, "tag") && nargs == 2);
    if (!ok_usage) {
        fprintf(stderr, "notes: error: bad command line for '%s'\n%s", cmd, usage_text);
        return NOTES_USAGE;
    }

    struct db db;
    if (db_open(&db, url))
        return NOTES_FAILED;
    int rc = migrate(&db);
    if (rc == NOTES_OK) {
        if (!strcmp(cmd, "add"))
            rc = cmd_add(&db, nargs, args);
        else if (!strcmp(cmd, "list"))
            rc = cmd_list(&db, nargs ? args[0] : NULL);
        else if (!strcmp(cmd, "done"))
            rc = cmd_done(&db, args[0]);
        else
            rc = cmd_tag(&db, args[0], args[1]);
    }
    db_close(&db);
    return rc;
}
