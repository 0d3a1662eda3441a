/* emit_sqlite.c: what is specific to SQLite in the emitted SQL — its
 * keyword list (https://sqlite.org/lang_keywords.html; every keyword is
 * quoted when used as a name) and the declared type names of DESIGN §1.
 * Cannot fail. */
#include <stdlib.h>
#include <string.h>

#include "emit.h"

/* SQLite 3.40's keywords, lower-case, sorted for bsearch. */
static const char *const sqlite_keywords[] = {
    "abort", "action", "add", "after", "all", "alter", "always", "analyze", "and",
    "as", "asc", "attach", "autoincrement", "before", "begin", "between", "by",
    "cascade", "case", "cast", "check", "collate", "column", "commit",
    "conflict", "constraint", "create", "cross", "current", "current_date",
    "current_time", "current_timestamp", "database", "default", "deferrable",
    "deferred", "delete", "desc", "detach", "distinct", "do", "drop", "each",
    "else", "end", "escape", "except", "exclude", "exclusive", "exists",
    "explain", "fail", "filter", "first", "following", "for", "foreign", "from",
    "full", "generated", "glob", "group", "groups", "having", "if", "ignore",
    "immediate", "in", "index", "indexed", "initially", "inner", "insert",
    "instead", "intersect", "into", "is", "isnull", "join", "key", "last",
    "left", "like", "limit", "match", "materialized", "natural", "no", "not",
    "nothing", "notnull", "null", "nulls", "of", "offset", "on", "or", "order",
    "others", "outer", "over", "partition", "plan", "pragma", "preceding",
    "primary", "query", "raise", "range", "recursive", "references", "regexp",
    "reindex", "release", "rename", "replace", "restrict", "returning", "right",
    "rollback", "row", "rows", "savepoint", "select", "set", "table", "temp",
    "temporary", "then", "ties", "to", "transaction", "trigger", "unbounded",
    "union", "unique", "update", "using", "vacuum", "values", "view", "virtual",
    "when", "where", "window", "with", "without",
};

/* bsearch comparator over const char * entries. */
static int cmp_kw(const void *k, const void *e)
{
    return strcmp((const char *)k, *(const char *const *)e);
}

/* True when name (already lower-case) is an SQLite keyword. */
bool sqlite_keyword_needs_quote(const char *name)
{
    return bsearch(name, sqlite_keywords, sizeof sqlite_keywords / sizeof sqlite_keywords[0],
                   sizeof sqlite_keywords[0], cmp_kw) != NULL;
}

/* The declared type of t on SQLite (also what PRAGMA table_info reports). */
const char *sqlite_type_sql(arena *a, sql_type t)
{
    switch (t.kind) {
    case TY_BOOL: return "BOOLEAN";
    case TY_SMALLINT: return "SMALLINT";
    case TY_INT: return "INTEGER";
    case TY_BIGINT: return "BIGINT";
    case TY_REAL: return "REAL";
    case TY_DOUBLE: return "DOUBLE";
    case TY_NUMERIC:
        if (t.p < 0)
            return "NUMERIC";
        if (t.s < 0)
            return arena_printf(a, "NUMERIC(%d)", (int)t.p);
        return arena_printf(a, "NUMERIC(%d,%d)", (int)t.p, (int)t.s);
    case TY_VARCHAR:
        if (t.p < 0)
            return "VARCHAR";
        return arena_printf(a, "VARCHAR(%d)", (int)t.p);
    case TY_BYTES: return "BLOB";
    case TY_DATE: return "DATE";
    case TY_TIME: return "TIME";
    case TY_TIMESTAMP: return "TIMESTAMP";
    case TY_TIMESTAMPTZ: return "TIMESTAMPTZ";
    case TY_TEXT:
    case TY_UUID:
    case TY_JSON:
    default: return "TEXT";
    }
}
