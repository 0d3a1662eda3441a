/* types.c: the type rules of migc's expressions (see types.h). Pure
 * functions over sql_type and annotated expressions; nothing here fails or
 * allocates. */
#include "types.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

sql_type type_of(type_kind k)
{
    sql_type t = {k, -1, -1};
    return t;
}

bool type_is_integer(type_kind k)
{
    return k == TY_SMALLINT || k == TY_INT || k == TY_BIGINT;
}

bool type_is_numeric(type_kind k)
{
    return type_is_integer(k) || k == TY_REAL || k == TY_DOUBLE || k == TY_NUMERIC;
}

bool type_is_text(type_kind k)
{
    return k == TY_TEXT || k == TY_VARCHAR;
}

bool type_is_temporal(type_kind k)
{
    return k == TY_DATE || k == TY_TIME || k == TY_TIMESTAMP || k == TY_TIMESTAMPTZ;
}

bool type_equal(sql_type a, sql_type b)
{
    return a.kind == b.kind && a.p == b.p && a.s == b.s;
}

const char *type_str(sql_type t, char *buf, size_t n)
{
    const char *base = t.kind == TY_NULL ? "null"
                       : t.kind == TY_UNKNOWN ? "unknown"
                                              : type_kind_name(t.kind);
    if (t.kind == TY_VARCHAR && t.p >= 0)
        snprintf(buf, n, "%s(%d)", base, (int)t.p);
    else if (t.kind == TY_NUMERIC && t.p >= 0 && t.s >= 0)
        snprintf(buf, n, "%s(%d,%d)", base, (int)t.p, (int)t.s);
    else if (t.kind == TY_NUMERIC && t.p >= 0)
        snprintf(buf, n, "%s(%d)", base, (int)t.p);
    else
        snprintf(buf, n, "%s", base);
    return buf;
}

bool expr_is_literal(const expr *e)
{
    if (!e)
        return false;
    switch (e->kind) {
    case E_INT: case E_DEC: case E_STR: case E_BOOL: case E_NULL:
        return true;
    case E_UNARY:
        return e->op == OP_NEG && e->nargs == 1 &&
               (e->args[0]->kind == E_INT || e->args[0]->kind == E_DEC);
    default:
        return false;
    }
}

/* Parses the integer literal e (E_INT, or OP_NEG over E_INT) into *v.
 * Returns false when e is not one or its value does not fit in int64. */
static bool int_literal_value(const expr *e, long long *v)
{
    bool neg = false;
    if (e->kind == E_UNARY && e->op == OP_NEG && e->nargs == 1) {
        neg = true;
        e = e->args[0];
    }
    if (e->kind != E_INT || !e->text)
        return false;
    unsigned long long acc = 0;
    for (const char *p = e->text; *p; p++) {
        if (*p < '0' || *p > '9')
            continue; /* tolerate separators the lexer may keep */
        unsigned d = (unsigned)(*p - '0');
        if (acc > (ULLONG_MAX - d) / 10)
            return false;
        acc = acc * 10 + d;
    }
    if (neg) {
        if (acc > (unsigned long long)LLONG_MAX + 1ULL)
            return false;
        *v = acc == (unsigned long long)LLONG_MAX + 1ULL ? LLONG_MIN : -(long long)acc;
    } else {
        if (acc > (unsigned long long)LLONG_MAX)
            return false;
        *v = (long long)acc;
    }
    return true;
}

bool type_literal_fits(const expr *e, type_kind k)
{
    if (!e)
        return false;
    const expr *inner = e;
    if (e->kind == E_UNARY && e->op == OP_NEG && e->nargs == 1)
        inner = e->args[0];
    if (inner->kind == E_DEC)
        return k == TY_REAL || k == TY_DOUBLE || k == TY_NUMERIC;
    if (inner->kind != E_INT)
        return false;
    if (k == TY_REAL || k == TY_DOUBLE || k == TY_NUMERIC)
        return true;
    long long v;
    if (!int_literal_value(e, &v))
        return false;
    switch (k) {
    case TY_SMALLINT: return v >= -32768 && v <= 32767;
    case TY_INT: return v >= INT_MIN && v <= INT_MAX;
    case TY_BIGINT: return true;
    default: return false;
    }
}

/* Number of decimal digits an integer type needs. */
static int int_digits(type_kind k)
{
    return k == TY_SMALLINT ? 5 : k == TY_INT ? 10 : 19;
}

bool type_widens(sql_type from, sql_type to)
{
    if (from.kind == TY_UNKNOWN || from.kind == TY_NULL || to.kind == TY_UNKNOWN)
        return true;
    if (from.kind == to.kind) {
        if (to.kind == TY_VARCHAR)
            return to.p < 0 || (from.p >= 0 && to.p >= from.p);
        if (to.kind == TY_NUMERIC) {
            if (to.p < 0)
                return true;
            if (from.p < 0)
                return false;
            int fs = from.s < 0 ? 0 : from.s, ts = to.s < 0 ? 0 : to.s;
            return ts >= fs && to.p - ts >= from.p - fs;
        }
        return true;
    }
    if (type_is_numeric(from.kind) && type_is_numeric(to.kind)) {
        if (to.kind == TY_NUMERIC) {
            if (!type_is_integer(from.kind))
                return to.p < 0;
            int ts = to.s < 0 ? 0 : to.s;
            return to.p < 0 || to.p - ts >= int_digits(from.kind);
        }
        return from.kind < to.kind && from.kind != TY_NUMERIC;
    }
    if (from.kind == TY_VARCHAR && to.kind == TY_TEXT)
        return true;
    if (from.kind == TY_DATE && (to.kind == TY_TIMESTAMP || to.kind == TY_TIMESTAMPTZ))
        return true;
    if ((from.kind == TY_TIMESTAMP && to.kind == TY_TIMESTAMPTZ) ||
        (from.kind == TY_TIMESTAMPTZ && to.kind == TY_TIMESTAMP))
        return true;
    return false;
}

bool type_alter_lossless(sql_type from, sql_type to)
{
    if (type_widens(from, to))
        return true;
    return to.kind == TY_TEXT && from.kind != TY_BYTES;
}

/* Number of UTF-8 characters in s (continuation bytes not counted). */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* Reads exactly n decimal digits at *p into *v and advances *p; false
 * when any of them is not a digit. */
static bool digits(const char **p, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9')
            return false;
        *v = *v * 10 + (**p - '0');
    }
    return true;
}

/* Parses an ISO date YYYY-MM-DD at *p (day checked against the month,
 * leap years included) and advances *p past it. */
static bool iso_date(const char **p)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;
    if (!digits(p, 4, &y) || *(*p)++ != '-' || !digits(p, 2, &m) || *(*p)++ != '-' ||
        !digits(p, 2, &d))
        return false;
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    return !(m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

/* Parses HH:MM[:SS[.fraction]] at *p (24:00:00 allowed, as PostgreSQL). */
static bool iso_time(const char **p)
{
    int h, m, sec = 0;
    if (!digits(p, 2, &h) || *(*p)++ != ':' || !digits(p, 2, &m))
        return false;
    if (**p == ':') {
        (*p)++;
        if (!digits(p, 2, &sec))
            return false;
        if (**p == '.') {
            (*p)++;
            if (**p < '0' || **p > '9')
                return false;
            while (**p >= '0' && **p <= '9')
                (*p)++;
        }
    }
    return (h < 24 && m < 60 && sec < 60) || (h == 24 && m == 0 && sec == 0);
}

/* Parses an optional zone at *p: Z, +HH, +HH:MM or +HHMM (or -). */
static bool iso_zone(const char **p)
{
    int h, m;
    if (**p == 'Z' || **p == 'z') {
        (*p)++;
        return true;
    }
    if (**p != '+' && **p != '-')
        return true;
    (*p)++;
    if (!digits(p, 2, &h))
        return false;
    if (**p == ':')
        (*p)++;
    if (**p >= '0' && **p <= '9' && !digits(p, 2, &m))
        return false;
    return h <= 15;
}

/* Is string literal s a value of type k that both databases read alike?
 * Dates, times and timestamps must be ISO-8601 (SQLite stores the text as
 * written and compares it as text; PostgreSQL rejects what is no date at
 * all), uuids 8-4-4-4-12 hex digits. Other types: always true. */
static bool literal_text_valid(type_kind k, const char *s)
{
    const char *p = s;
    switch (k) {
    case TY_DATE: return iso_date(&p) && !*p;
    case TY_TIME: return iso_time(&p) && !*p;
    case TY_TIMESTAMP:
    case TY_TIMESTAMPTZ:
        if (!iso_date(&p))
            return false;
        if (!*p)
            return true;
        if (*p != ' ' && *p != 'T')
            return false;
        p++;
        return iso_time(&p) && iso_zone(&p) && !*p;
    case TY_UUID:
        for (int i = 0; i < 36; i++, p++) {
            bool dash = i == 8 || i == 13 || i == 18 || i == 23;
            bool hex = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F');
            if (dash ? *p != '-' : !hex)
                return false;
        }
        return !*p;
    default: return true;
    }
}

bool type_assignable(sql_type to, const expr *e)
{
    sql_type from = e->type;
    if (from.kind == TY_UNKNOWN || from.kind == TY_NULL || to.kind == TY_UNKNOWN)
        return true;
    if (e->kind == E_STR) {
        if (type_is_numeric(to.kind) || to.kind == TY_BOOL)
            return false;
        if (to.kind == TY_VARCHAR && to.p >= 0 && e->text && utf8_chars(e->text) > (size_t)to.p)
            return false;
        return !e->text || literal_text_valid(to.kind, e->text);
    }
    if (expr_is_literal(e) && type_is_numeric(from.kind) && type_is_numeric(to.kind))
        return type_literal_fits(e, to.kind);
    if (from.kind == TY_NUMERIC && from.p < 0 && to.kind == TY_NUMERIC)
        return true; /* an unconstrained computed numeric: rounded on store */
    if (type_is_text(from.kind) && to.kind == TY_VARCHAR)
        return true; /* as PostgreSQL: the length is checked when the row is written */
    if (from.kind == TY_NUMERIC && (to.kind == TY_REAL || to.kind == TY_DOUBLE))
        return true; /* PostgreSQL casts numeric to a float implicitly */
    return type_widens(from, to);
}

bool type_castable(sql_type from, sql_type to)
{
    type_kind f = from.kind, t = to.kind;
    if (f == TY_UNKNOWN || f == TY_NULL || t == TY_UNKNOWN || f == t)
        return true;
    if (type_is_text(f) || type_is_text(t))
        return true;
    if (type_is_numeric(f) && type_is_numeric(t))
        return true;
    if ((type_is_integer(f) && t == TY_BOOL) || (f == TY_BOOL && type_is_integer(t)))
        return true;
    bool fdt = f == TY_DATE || f == TY_TIMESTAMP || f == TY_TIMESTAMPTZ;
    bool tdt = t == TY_DATE || t == TY_TIMESTAMP || t == TY_TIMESTAMPTZ;
    if (fdt && tdt)
        return true;
    if ((f == TY_TIMESTAMP || f == TY_TIMESTAMPTZ) && t == TY_TIME)
        return true;
    return false;
}

/* The wider of two numeric types (PostgreSQL: numeric with a float gives
 * double precision). */
static type_kind numeric_wider(type_kind a, type_kind b)
{
    if ((a == TY_NUMERIC && (b == TY_REAL || b == TY_DOUBLE)) ||
        (b == TY_NUMERIC && (a == TY_REAL || a == TY_DOUBLE)))
        return TY_DOUBLE;
    return a > b ? a : b;
}

/* Rank of date/time types that mix (date < timestamp < timestamptz); -1
 * for time and everything else. */
static int datetime_rank(type_kind k)
{
    return k == TY_DATE ? 0 : k == TY_TIMESTAMP ? 1 : k == TY_TIMESTAMPTZ ? 2 : -1;
}

bool type_unify(sql_type ta, const expr *ea, sql_type tb, const expr *eb, sql_type *out)
{
    *out = type_of(TY_UNKNOWN);
    if (ta.kind == TY_UNKNOWN) { *out = tb; return true; }
    if (tb.kind == TY_UNKNOWN) { *out = ta; return true; }
    if (ta.kind == TY_NULL) { *out = tb; return true; }
    if (tb.kind == TY_NULL) { *out = ta; return true; }
    bool la = ea && expr_is_literal(ea), lb = eb && expr_is_literal(eb);
    if (type_is_numeric(ta.kind) && type_is_numeric(tb.kind)) {
        if (la && !lb && type_literal_fits(ea, tb.kind)) { *out = tb; return true; }
        if (lb && !la && type_literal_fits(eb, ta.kind)) { *out = ta; return true; }
        if (ta.kind == tb.kind) {
            *out = type_equal(ta, tb) ? ta : type_of(ta.kind);
            return true;
        }
        *out = type_of(numeric_wider(ta.kind, tb.kind));
        return true;
    }
    /* A string literal adapts to any non-numeric, non-boolean type. */
    if (ea && ea->kind == E_STR && !type_is_numeric(tb.kind) && tb.kind != TY_BOOL) {
        *out = (eb && eb->kind == E_STR) ? type_of(TY_TEXT) : tb;
        return true;
    }
    if (eb && eb->kind == E_STR && !type_is_numeric(ta.kind) && ta.kind != TY_BOOL) {
        *out = ta;
        return true;
    }
    if (type_is_text(ta.kind) && type_is_text(tb.kind)) {
        *out = type_equal(ta, tb) ? ta : type_of(TY_TEXT);
        return true;
    }
    int ra = datetime_rank(ta.kind), rb = datetime_rank(tb.kind);
    if (ra >= 0 && rb >= 0) {
        *out = type_of(ra > rb ? ta.kind : tb.kind);
        return true;
    }
    if (ta.kind == tb.kind) {
        *out = type_equal(ta, tb) ? ta : type_of(ta.kind);
        return true;
    }
    return false;
}
