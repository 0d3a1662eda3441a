/* checker.h: what the checker proves (DESIGN §2).
 *
 * check_history() replays every migration in version order into a catalog,
 * reporting each violation at the offending token and carrying on. It
 * annotates every expression of the history with its type and nullability,
 * sets every constraint's resolved_name, and returns the result even when
 * errors were reported (callers look at diag_errors()).
 *
 * Cost: linear in the size of the history. check_history() keeps only the
 * catalog at head (checked->head; checked->after is NULL).
 * check_history_snapshots() also records the catalog after each migration
 * (checked->after[i]); snapshots share unchanged tables, but each migration
 * that changes an existing table copies the table array once, so that costs
 * O(migrations x tables) memory: use it for short histories or when the
 * per-migration catalogs are really needed (the code generators replay the
 * catalog themselves with catalog_apply()). */
#ifndef MIGC_CHECKER_H
#define MIGC_CHECKER_H

#include "ast.h"
#include "catalog.h"
#include "diag.h"

typedef struct checked_history {
    const history *h;
    catalog **after;     /* after[i]: the catalog after h->migs[i]; NULL unless
                            check_history_snapshots() made it */
    catalog *head;       /* the catalog after the last migration */
} checked_history;

checked_history *check_history(arena *a, diag_ctx *d, const history *h);
checked_history *check_history_snapshots(arena *a, diag_ctx *d, const history *h);

#endif
