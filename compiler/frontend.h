/* frontend.h: from a migrations directory to a checked history.
 *
 * load_history() lists DIR (no recursion), validates the file names
 * (`<version>_<slug>.mig`, versions 1..2^63-1, no duplicate versions: the
 * error names both files), reads and parses every file, and returns the
 * migrations sorted by version. Every problem becomes a diagnostic; the
 * function keeps going so that one run reports everything.
 *
 * check_history() replays the history into a catalog (checker.h) and
 * reports what DESIGN §2 rejects. */
#ifndef MIGC_FRONTEND_H
#define MIGC_FRONTEND_H

#include "ast.h"
#include "catalog.h"
#include "diag.h"

/* Parses one file's text into mig (statements, down block, irreversible).
 * Returns the number of syntax errors reported (0 on success). */
unsigned parse_migration(arena *a, diag_ctx *d, const source *src, migration *mig);

/* Returns the history (never NULL; possibly with fewer migrations than
 * files when some failed to load). Directory-level failures (missing or
 * unreadable directory) are reported as errors with no location; *io_failed
 * is set when the failure was I/O rather than bad input (exit code 3). */
history *load_history(arena *a, diag_ctx *d, const char *dir, bool *io_failed);

/* The part of h that can still be type-checked after load or parse errors:
 * the migrations before the first one with syntax errors (all of them when
 * none has) and before the version of any file with a file-level problem (a
 * bad name such as 0004-add-x.mig, a duplicate version, an unreadable file).
 * Returns NULL when such a file has no version at all (abc.mig): the order
 * of the history is then unknown. */
const history *history_checkable_prefix(arena *a, const history *h);

#endif
