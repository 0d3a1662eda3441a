/* checksum.c: what changes a migration's checksum (DESIGN §3).
 *
 * Each case is two versions of one migration file; the test writes each to
 * its own directory, compiles it with the library (as `migc build` does) and
 * compares the checksums: reformatting, comments, line endings, a fixed down
 * and an added `allow data_loss` keep it; any change of meaning changes it.
 *
 *   codegen_checksum SCRATCH_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "emit.h"

static const char base[] =
    "create_table users {\n"
    "  id bigint identity primary key,\n"
    "  email text not null,\n"
    "  score int not null default 0 check (score >= 0),\n"
    "}\n"
    "create_index users_email on users (lower(email)) unique\n"
    "sql postgres \"\"\"CREATE EXTENSION IF NOT EXISTS\npg_trgm\"\"\" down \"\"\"DROP EXTENSION pg_trgm\"\"\"\n"
    "insert into users (id, email) values (1, 'a@b.c')\n"
    "delete from users where score > 10\n"
    "down {\n  drop_table users\n}\n";

static const struct {
    const char *what;
    const char *text;
    bool same;
} cases[] = {
    {"identical", base, true},
    {"reformatted, keywords in upper case, semicolons",
     "CREATE_TABLE users { id BIGINT IDENTITY PRIMARY KEY, email TEXT NOT NULL,\n"
     "score INT NOT NULL DEFAULT 0 CHECK ((score >= 0)) };\n"
     "create_index users_email on users (lower(email)) unique;\n"
     "sql postgres \"\"\"CREATE EXTENSION IF NOT EXISTS\npg_trgm\"\"\" down \"\"\"DROP EXTENSION pg_trgm\"\"\";\n"
     "insert into users (id, email) values (1, 'a@b.c');  delete from users where (score > 10)\n"
     "down { drop_table users }\n",
     true},
    {"comments",
     "-- the users\ncreate_table users { /* key */ id bigint identity primary key,\n"
     "  email text not null, -- login\n  score int not null default 0 check (score >= 0),\n}\n"
     "create_index users_email on users (lower(email)) unique\n"
     "sql postgres \"\"\"CREATE EXTENSION IF NOT EXISTS\npg_trgm\"\"\" down \"\"\"DROP EXTENSION pg_trgm\"\"\"\n"
     "insert into users (id, email) values (1, 'a@b.c')\ndelete from users where score > 10\n"
     "down {\n  drop_table users\n}\n",
     true},
    {"quoted lower-case names",
     "create_table \"users\" {\n  \"id\" bigint identity primary key,\n  email text not null,\n"
     "  score int not null default 0 check (score >= 0),\n}\n"
     "create_index users_email on users (lower(email)) unique\n"
     "sql postgres \"\"\"CREATE EXTENSION IF NOT EXISTS\npg_trgm\"\"\" down \"\"\"DROP EXTENSION pg_trgm\"\"\"\n"
     "insert into users (id, email) values (1, 'a@b.c')\ndelete from users where score > 10\n"
     "down {\n  drop_table users\n}\n",
     true},
    {"a fixed down and allow data_loss",
     "create_table users {\n  id bigint identity primary key,\n  email text not null,\n"
     "  score int not null default 0 check (score >= 0),\n}\n"
     "create_index users_email on users (lower(email)) unique\n"
     "sql postgres \"\"\"CREATE EXTENSION IF NOT EXISTS\npg_trgm\"\"\" down \"\"\"DROP EXTENSION IF EXISTS pg_trgm\"\"\"\n"
     "insert into users (id, email) values (1, 'a@b.c')\ndelete from users where score > 10 allow data_loss\n"
     "down {\n  drop_index users_email\n  drop_table users allow data_loss\n}\n",
     true},
    {"a changed default",
     "create_table users {\n  id bigint identity primary key,\n  email text not null,\n"
     "  score int not null default 1 check (score >= 0),\n}\n"
     "create_index users_email on users (lower(email)) unique\n"
     "sql postgres \"\"\"CREATE EXTENSION IF NOT EXISTS\npg_trgm\"\"\" down \"\"\"DROP EXTENSION pg_trgm\"\"\"\n"
     "insert into users (id, email) values (1, 'a@b.c')\ndelete from users where score > 10\n"
     "down {\n  drop_table users\n}\n",
     false},
    {"a changed type",
     "create_table users {\n  id bigint identity primary key,\n  email varchar(200) not null,\n"
     "  score int not null default 0 check (score >= 0),\n}\n"
     "create_index users_email on users (lower(email)) unique\n"
     "sql postgres \"\"\"CREATE EXTENSION IF NOT EXISTS\npg_trgm\"\"\" down \"\"\"DROP EXTENSION pg_trgm\"\"\"\n"
     "insert into users (id, email) values (1, 'a@b.c')\ndelete from users where score > 10\n"
     "down {\n  drop_table users\n}\n",
     false},
    {"an index that is no longer unique",
     "create_table users {\n  id bigint identity primary key,\n  email text not null,\n"
     "  score int not null default 0 check (score >= 0),\n}\n"
     "create_index users_email on users (lower(email))\n"
     "sql postgres \"\"\"CREATE EXTENSION IF NOT EXISTS\npg_trgm\"\"\" down \"\"\"DROP EXTENSION pg_trgm\"\"\"\n"
     "insert into users (id, email) values (1, 'a@b.c')\ndelete from users where score > 10\n"
     "down {\n  drop_table users\n}\n",
     false},
    {"raw SQL changed",
     "create_table users {\n  id bigint identity primary key,\n  email text not null,\n"
     "  score int not null default 0 check (score >= 0),\n}\n"
     "create_index users_email on users (lower(email)) unique\n"
     "sql postgres \"\"\"CREATE EXTENSION IF NOT EXISTS  pg_trgm\"\"\" down \"\"\"DROP EXTENSION pg_trgm\"\"\"\n"
     "insert into users (id, email) values (1, 'a@b.c')\ndelete from users where score > 10\n"
     "down {\n  drop_table users\n}\n",
     false},
    {"a changed condition",
     "create_table users {\n  id bigint identity primary key,\n  email text not null,\n"
     "  score int not null default 0 check (score >= 0),\n}\n"
     "create_index users_email on users (lower(email)) unique\n"
     "sql postgres \"\"\"CREATE EXTENSION IF NOT EXISTS\npg_trgm\"\"\" down \"\"\"DROP EXTENSION pg_trgm\"\"\"\n"
     "insert into users (id, email) values (1, 'a@b.c')\ndelete from users where score >= 10\n"
     "down {\n  drop_table users\n}\n",
     false},
    {"a named constraint",
     "create_table users {\n  id bigint identity primary key,\n  email text not null,\n"
     "  score int not null default 0 check (score >= 0) name users_score_ok,\n}\n"
     "create_index users_email on users (lower(email)) unique\n"
     "sql postgres \"\"\"CREATE EXTENSION IF NOT EXISTS\npg_trgm\"\"\" down \"\"\"DROP EXTENSION pg_trgm\"\"\"\n"
     "insert into users (id, email) values (1, 'a@b.c')\ndelete from users where score > 10\n"
     "down {\n  drop_table users\n}\n",
     false},
    {"raw SQL for another dialect",
     "create_table users {\n  id bigint identity primary key,\n  email text not null,\n"
     "  score int not null default 0 check (score >= 0),\n}\n"
     "create_index users_email on users (lower(email)) unique\n"
     "sql \"\"\"CREATE EXTENSION IF NOT EXISTS\npg_trgm\"\"\" down \"\"\"DROP EXTENSION pg_trgm\"\"\"\n"
     "insert into users (id, email) values (1, 'a@b.c')\ndelete from users where score > 10\n"
     "down {\n  drop_table users\n}\n",
     false},
};

/* Writes text (with CR LF line endings when crlf) as DIR/0001_users.mig. */
static int write_mig(const char *dir, const char *text, bool crlf)
{
    if (mkdir(dir, 0777) != 0) {
        /* exists from an earlier run: fine */
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/0001_users.mig", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    for (const char *p = text; *p; p++) {
        if (crlf && *p == '\n')
            fputc('\r', f);
        fputc(*p, f);
    }
    return fclose(f);
}

/* The checksum of the migration in dir, or NULL on a compile error. */
static char *checksum_of(const char *dir)
{
    arena *a = arena_new();
    const checked_history *ch = NULL;
    char *res = NULL;
    if (codegen_frontend(a, dir, false, ~0u, &ch) == 0) {
        cg_plan *p = codegen_plan(a, ch, 3);
        if (p->n == 1 && p->migs[0].checksum)
            res = strdup(p->migs[0].checksum);
    }
    arena_free(a);
    return res;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: codegen_checksum SCRATCH_DIR\n", stderr);
        return 2;
    }
    int failures = 0;
    char dir[4096];
    mkdir(argv[1], 0777);
    snprintf(dir, sizeof dir, "%s/base", argv[1]);
    if (write_mig(dir, base, false)) {
        perror(dir);
        return 1;
    }
    char *want = checksum_of(dir);
    if (!want || strncmp(want, "v1:", 3) || strlen(want) != 67 || strspn(want + 3, "0123456789abcdef") != 64) {
        fprintf(stderr, "FAIL: base checksum is not v1:<64 hex>: %s\n", want ? want : "(none)");
        return 1;
    }
    for (int crlf = 0; crlf < 2; crlf++)
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            snprintf(dir, sizeof dir, "%s/case%zu%s", argv[1], i, crlf ? "crlf" : "");
            if (write_mig(dir, cases[i].text, crlf)) {
                perror(dir);
                return 1;
            }
            char *got = checksum_of(dir);
            bool same = got && !strcmp(got, want);
            if (!got || same != cases[i].same) {
                fprintf(stderr, "FAIL: %s%s: checksum %s but must %s\n", cases[i].what,
                        crlf ? " (CR LF line endings)" : "", got ? (same ? "kept" : "changed") : "missing",
                        cases[i].same ? "stay" : "change");
                failures++;
            } else {
                printf("ok: %s%s: %s\n", cases[i].what, crlf ? " (CR LF)" : "", same ? "same" : "different");
            }
            free(got);
        }
    free(want);
    return failures ? 1 : 0;
}
