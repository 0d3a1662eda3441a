/* types.h: the type rules of migc's expressions (DESIGN §1, "Expressions
 * and their types").
 *
 * Types follow PostgreSQL: numeric operands widen along
 * smallint < int < bigint < real < double < numeric (numeric mixed with a
 * float gives double, as in PostgreSQL); integer literals adapt to the other
 * operand when they fit; string literals adapt to any non-numeric,
 * non-boolean type (as PostgreSQL's `unknown` does); assignment widens
 * implicitly and narrowing needs a cast. Every function here is pure and
 * cannot fail. */
#ifndef MIGC_TYPES_H
#define MIGC_TYPES_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"

/* A type with no precision/length. */
sql_type type_of(type_kind k);

bool type_is_integer(type_kind k);   /* smallint, int, bigint */
bool type_is_numeric(type_kind k);   /* integers, real, double, numeric */
bool type_is_text(type_kind k);      /* text, varchar */
bool type_is_temporal(type_kind k);  /* date, time, timestamp, timestamptz */

/* Same kind and same parameters. */
bool type_equal(sql_type a, sql_type b);

/* Writes "int", "varchar(20)", "numeric(10,2)", "null" into buf (always
 * NUL-terminated, truncated to n bytes) and returns buf. */
const char *type_str(sql_type t, char *buf, size_t n);

/* Is the value of e (already annotated) assignable to a column of type to
 * without a cast? Widening numeric conversions, varchar into text (or a
 * longer varchar), null into anything, integer literals that fit, decimal
 * literals into any non-integer numeric type, string literals into any
 * non-numeric type (dates, times and timestamps only in ISO-8601, uuids only
 * as 8-4-4-4-12 hex), text into varchar (the length is checked on write, as
 * PostgreSQL does), numeric into a float. Returns false for narrowing. */
bool type_assignable(sql_type to, const expr *e);

/* Is changing a column from `from` to `to` a widening (no data can be lost,
 * no `using` needed)? Equal types count as widening. */
bool type_widens(sql_type from, sql_type to);

/* Does cast(e as to) make sense (both directions through text, numeric
 * among numeric, int <-> bool, among date/timestamp/timestamptz, ...)? */
bool type_castable(sql_type from, sql_type to);

/* The common type of two operands (comparison, case branches, coalesce,
 * in-lists, arithmetic) taking literal adaptation into account. ea/eb are
 * the operand expressions when there is one (for literal adaptation), or
 * NULL for a running type that came from several operands. Returns false
 * when the two cannot be mixed (*out is then TY_UNKNOWN). The null type
 * gives way to the other; TY_UNKNOWN (already reported) too, without error. */
bool type_unify(sql_type ta, const expr *ea, sql_type tb, const expr *eb, sql_type *out);

/* Can a column of type from be changed to type to without `using` and
 * without losing data (widening, or anything into text)? */
bool type_alter_lossless(sql_type from, sql_type to);

/* Is e an integer literal (possibly negated) whose value fits in type k?
 * Also true for a decimal literal when k is real/double/numeric. */
bool type_literal_fits(const expr *e, type_kind k);

/* Is e a literal (number, string, null, boolean; a negated number too)? */
bool expr_is_literal(const expr *e);

#endif
