/* basic.c: a hand-written SQLite plan for the runtime tests.
 *
 *   1 create users         users(id, email unique, score)
 *   2 create posts         posts(user_id -> users ON DELETE CASCADE)
 *   3 create tags          independent (left out by VARIANT_GAP)
 *   4 index and view       create_index + a raw view and trigger on users
 *   5 bump scores          add bonus (tx), batched backfill score+1/bonus+2,
 *                          VACUUM (no transaction)
 *   6 score default 10     a SQLite table rebuild of users
 *   7 add nick             its down drops a column: data loss
 *   8 seed admin           irreversible (left out by VARIANT_SHORT)
 *
 * Variants (compile definitions): VARIANT_GAP (no 3), VARIANT_SHORT (no 8),
 * VARIANT_CHANGED (2 has another checksum), VARIANT_NOVACUUM (5 without
 * its non-transactional VACUUM: a plan --single-transaction accepts). */
#include "plan_macros.h"

#define CK(n) "v1:" n "000000000000000000000000000000000000000000000000000000000000000"

static const struct migc_column_desc users_cols1[] = {
    COL("id", "INTEGER", true, false), COL("email", "TEXT", true, false),
    COL("score", "INTEGER", true, true)};
static const struct migc_column_desc users_cols5[] = {
    COL("id", "INTEGER", true, false), COL("email", "TEXT", true, false),
    COL("score", "INTEGER", true, true), COL("bonus", "INTEGER", true, true)};
static const struct migc_column_desc users_cols7[] = {
    COL("id", "INTEGER", true, false), COL("email", "TEXT", true, false),
    COL("score", "INTEGER", true, true), COL("bonus", "INTEGER", true, true),
    COL("nick", "TEXT", false, false)};
static const struct migc_column_desc posts_cols[] = {
    COL("id", "INTEGER", true, false), COL("user_id", "INTEGER", true, false),
    COL("body", "TEXT", false, false)};
#ifndef VARIANT_GAP
static const struct migc_column_desc tags_cols[] = {
    COL("id", "INTEGER", true, false), COL("name", "TEXT", false, false)};
#endif

#define USERS(cols, ...) {"users", sizeof cols / sizeof cols[0], cols, __VA_ARGS__, NAMES("users_email_key")}
#define POSTS {"posts", 3, posts_cols, NO_NAMES, NAMES("posts_user_id_fkey")}
#define TAGS {"tags", 2, tags_cols, NO_NAMES, NO_NAMES}
#ifdef VARIANT_GAP
#define TAGS_ENTRY
#else
#define TAGS_ENTRY , TAGS
#endif
#ifdef VARIANT_NOVACUUM
#define VACUUM_STEP
#else
#define VACUUM_STEP , NOTX("VACUUM")
#endif
#define SCHEMA(...) {[MIGC_SQLITE] = {COUNT_OF(struct migc_table_desc, __VA_ARGS__), (const struct migc_table_desc[]){__VA_ARGS__}}}

/* A bound that returns the last key of a short batch itself, and no rest
 * query: the form plan.h keeps working for plans without first_rest. */
static const struct migc_backfill bump = {
    .table = "users",
    .nkeys = 1,
    .batch_size = 1000,
    .first_bound = SQL("SELECT id FROM (SELECT id FROM users ORDER BY id LIMIT 1000) ORDER BY id DESC LIMIT 1"),
    .next_bound = SQL("SELECT id FROM (SELECT id FROM users WHERE id > ?1 ORDER BY id LIMIT 1000) ORDER BY id DESC LIMIT 1"),
    .first_update = SQL("UPDATE users SET score = score + 1, bonus = bonus + 2 WHERE id <= ?1"),
    .next_update = SQL("UPDATE users SET score = score + 1, bonus = bonus + 2 WHERE id > ?1 AND id <= ?2"),
    .whole = SQL("UPDATE users SET score = score + 1, bonus = bonus + 2"),
};

#define USERS_DDL(tbl, dflt)                                                         \
    "CREATE TABLE " tbl " (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL, " \
    "score INTEGER NOT NULL DEFAULT " dflt ", bonus INTEGER NOT NULL DEFAULT 0, "      \
    "CONSTRAINT users_email_key UNIQUE (email))"
#define USERS_REBUILD(dflt)                                                          \
    REBUILD("users", SQL(USERS_DDL("users__new", dflt)),                             \
            SQL("INSERT INTO users__new (id, email, score, bonus) SELECT id, email, score, bonus FROM users"), \
            SQL("UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'users') WHERE name = 'users__new'"), \
            SQL("DROP TABLE users"), SQL("ALTER TABLE users__new RENAME TO users"),  \
            SQL("CREATE INDEX users_email_idx ON users (email)"))

static const struct migc_migration migrations[] = {
    {.version = 1, .description = "create users", .checksum = CK("1"),
     .up = {[MIGC_SQLITE] = STEPS(TX(SQL(
                "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL, "
                "score INTEGER NOT NULL DEFAULT 0, CONSTRAINT users_email_key UNIQUE (email))")))},
     .down = {[MIGC_SQLITE] = STEPS(TX(SQL("DROP TABLE users")))},
     .down_loses_data = true,
     .schema = SCHEMA(USERS(users_cols1, NO_NAMES))},
    {.version = 2, .description = "create posts",
#ifdef VARIANT_CHANGED
     .checksum = CK("f"),
#else
     .checksum = CK("2"),
#endif
     .up = {[MIGC_SQLITE] = STEPS(TX(SQL(
                "CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL, "
                "body TEXT, CONSTRAINT posts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) "
                "ON DELETE CASCADE)")))},
     .down = {[MIGC_SQLITE] = STEPS(TX(SQL("DROP TABLE posts")))},
     .down_loses_data = true,
     .schema = SCHEMA(USERS(users_cols1, NO_NAMES), POSTS)},
#ifndef VARIANT_GAP
    {.version = 3, .description = "create tags", .checksum = CK("3"),
     .up = {[MIGC_SQLITE] = STEPS(TX(SQL("CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT)")))},
     .down = {[MIGC_SQLITE] = STEPS(TX(SQL("DROP TABLE tags")))},
     .down_loses_data = true,
     .schema = SCHEMA(USERS(users_cols1, NO_NAMES), POSTS, TAGS)},
#endif
    {.version = 4, .description = "index and view", .checksum = CK("4"),
     .up = {[MIGC_SQLITE] = STEPS(TX(SQL("CREATE INDEX users_email_idx ON users (email)"),
                                     SQL("CREATE VIEW user_emails AS SELECT id, email FROM users;\n"
                                         "CREATE TRIGGER users_touch AFTER UPDATE OF email ON users "
                                         "BEGIN SELECT 1; END;")))},
     .down = {[MIGC_SQLITE] = STEPS(TX(SQL("DROP TRIGGER users_touch; DROP VIEW user_emails"),
                                       SQL("DROP INDEX users_email_idx")))},
     .schema = SCHEMA(USERS(users_cols1, NAMES("users_email_idx")), POSTS TAGS_ENTRY)},
    {.version = 5, .description = "bump scores", .checksum = CK("5"),
     .up = {[MIGC_SQLITE] = STEPS(TX(SQL("ALTER TABLE users ADD COLUMN bonus INTEGER NOT NULL DEFAULT 0")),
                                  BACKFILL(bump) VACUUM_STEP)},
     .down = {[MIGC_SQLITE] = STEPS(TX(SQL("ALTER TABLE users DROP COLUMN bonus")))},
     .down_loses_data = true,
     .schema = SCHEMA(USERS(users_cols5, NAMES("users_email_idx")), POSTS TAGS_ENTRY)},
    {.version = 6, .description = "score default 10", .checksum = CK("6"),
     .up = {[MIGC_SQLITE] = STEPS(USERS_REBUILD("10"))},
     .down = {[MIGC_SQLITE] = STEPS(USERS_REBUILD("0"))},
     .schema = SCHEMA(USERS(users_cols5, NAMES("users_email_idx")), POSTS TAGS_ENTRY)},
    {.version = 7, .description = "add nick", .checksum = CK("7"),
     .up = {[MIGC_SQLITE] = STEPS(TX(SQL("ALTER TABLE users ADD COLUMN nick TEXT")))},
     .down = {[MIGC_SQLITE] = STEPS(TX(SQL("ALTER TABLE users DROP COLUMN nick")))},
     .down_loses_data = true,
     .schema = SCHEMA(USERS(users_cols7, NAMES("users_email_idx")), POSTS TAGS_ENTRY)},
#ifndef VARIANT_SHORT
    {.version = 8, .description = "seed admin", .checksum = CK("8"),
     .up = {[MIGC_SQLITE] = STEPS(TX(SQL("INSERT INTO users (email) VALUES ('admin@example.com')")))},
     .down = {[MIGC_SQLITE] = NO_STEPS},
     .irreversible = true,
     .schema = SCHEMA(USERS(users_cols7, NAMES("users_email_idx")), POSTS TAGS_ENTRY)},
#endif
};

const struct migc_plan PLAN_NAME = {
    .name = "basic",
    .migc_version = "test",
    .dialects = 1u << MIGC_SQLITE,
    .nmigrations = sizeof migrations / sizeof migrations[0],
    .migrations = migrations,
    .drivers = {[MIGC_SQLITE] = &migc_driver_sqlite},
};
