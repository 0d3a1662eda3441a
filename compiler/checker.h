/* checker.h: what the checker proves (DESIGN §2).
 *
 * check_history() replays every migration in version order into a catalog,
 * reporting each violation at the offending token and carrying on. It
 * annotates every expression of the history with its type and nullability,
 * and, for each migration, records the catalog after it (checked->after[i])
 * for the code generators. Returns the result even when errors were reported
 * (callers look at diag_errors()). */
#ifndef MIGC_CHECKER_H
#define MIGC_CHECKER_H

#include "ast.h"
#include "catalog.h"
#include "diag.h"

typedef struct checked_history {
    const history *h;
    catalog **after;     /* after[i]: the catalog after h->migs[i] */
} checked_history;

checked_history *check_history(arena *a, diag_ctx *d, const history *h);

#endif
