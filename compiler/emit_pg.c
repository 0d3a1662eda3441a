/* emit_pg.c: what is specific to PostgreSQL in the emitted SQL — which
 * names need quotes (every keyword that is not UNRESERVED in PostgreSQL 15's
 * kwlist.h, as quote_identifier() decides) and the type spellings (DDL and
 * format_type()). Cannot fail. */
#include <stdlib.h>
#include <string.h>

#include "emit.h"

/* Reserved, column-name and type/function-name keywords of PostgreSQL 15,
 * sorted for bsearch. */
static const char *const pg_keywords[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
    "authorization", "between", "bigint", "binary", "bit", "boolean", "both",
    "case", "cast", "char", "character", "check", "coalesce", "collate",
    "collation", "column", "concurrently", "constraint", "create", "cross",
    "current_catalog", "current_date", "current_role", "current_schema",
    "current_time", "current_timestamp", "current_user", "dec", "decimal",
    "default", "deferrable", "desc", "distinct", "do", "else", "end", "except",
    "exists", "extract", "false", "fetch", "float", "for", "foreign", "freeze",
    "from", "full", "grant", "greatest", "group", "grouping", "having", "ilike",
    "in", "initially", "inner", "inout", "int", "integer", "intersect",
    "interval", "into", "is", "isnull", "join", "lateral", "leading", "least",
    "left", "like", "limit", "localtime", "localtimestamp", "national",
    "natural", "nchar", "none", "normalize", "not", "notnull", "null",
    "nullif", "numeric", "offset", "on", "only", "or", "order", "out", "outer",
    "overlaps", "overlay", "placing", "position", "precision", "primary", "real",
    "references", "returning", "right", "row", "select", "session_user",
    "setof", "similar", "smallint", "some", "substring", "symmetric", "table",
    "tablesample", "then", "time", "timestamp", "to", "trailing", "treat",
    "trim", "true", "union", "unique", "user", "using", "values", "varchar",
    "variadic", "verbose", "when", "where", "window", "with", "xmlattributes",
    "xmlconcat", "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces",
    "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable",
};

/* bsearch comparator over const char * entries. */
static int cmp_kw(const void *k, const void *e)
{
    return strcmp((const char *)k, *(const char *const *)e);
}

/* True when name (already lower-case) is a non-unreserved keyword. */
bool pg_keyword_needs_quote(const char *name)
{
    return bsearch(name, pg_keywords, sizeof pg_keywords / sizeof pg_keywords[0],
                   sizeof pg_keywords[0], cmp_kw) != NULL;
}

/* Appends "(p)" or "(p,s)" when given. fmt_zero: spell a missing scale as 0
 * (format_type does for numeric). */
static const char *with_params(arena *a, const char *base, sql_type t, bool fmt_zero)
{
    if (t.p < 0)
        return base;
    if (t.s >= 0)
        return arena_printf(a, "%s(%d,%d)", base, (int)t.p, (int)t.s);
    if (fmt_zero)
        return arena_printf(a, "%s(%d,0)", base, (int)t.p);
    return arena_printf(a, "%s(%d)", base, (int)t.p);
}

/* The DDL spelling of t on PostgreSQL. */
const char *pg_type_sql(arena *a, sql_type t)
{
    switch (t.kind) {
    case TY_BOOL: return "boolean";
    case TY_SMALLINT: return "smallint";
    case TY_INT: return "integer";
    case TY_BIGINT: return "bigint";
    case TY_REAL: return "real";
    case TY_DOUBLE: return "double precision";
    case TY_NUMERIC: return with_params(a, "numeric", t, false);
    case TY_TEXT: return "text";
    case TY_VARCHAR: return with_params(a, "varchar", t, false);
    case TY_BYTES: return "bytea";
    case TY_DATE: return "date";
    case TY_TIME: return "time";
    case TY_TIMESTAMP: return "timestamp";
    case TY_TIMESTAMPTZ: return "timestamptz";
    case TY_UUID: return "uuid";
    case TY_JSON: return "jsonb";
    default: return "text";
    }
}

/* t as format_type() prints it. */
const char *pg_type_reported(arena *a, sql_type t)
{
    switch (t.kind) {
    case TY_NUMERIC: return with_params(a, "numeric", t, true);
    case TY_VARCHAR: return with_params(a, "character varying", t, false);
    case TY_TIME: return "time without time zone";
    case TY_TIMESTAMP: return "timestamp without time zone";
    case TY_TIMESTAMPTZ: return "timestamp with time zone";
    default: return pg_type_sql(a, t);
    }
}
