/* history_names.h: the rules for migration file names, shared by
 * load_history() (history.c) and `migc new` (cmd_new.c). */
#ifndef MIGC_HISTORY_NAMES_H
#define MIGC_HISTORY_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when the n bytes at slug are a valid slug: letters, digits, '_',
 * '-' and '.' (golang-migrate-style names such as upgrade_users_v6.0),
 * starting with a letter or digit, 1 to 200 bytes. */
bool migration_slug_valid(const char *slug, size_t n);

/* Splits "<version>_<slug>.mig". Returns true and sets *version (1 ..
 * 2^63-1) and the slug; or returns false with *why saying what is wrong
 * ("is not named <version>_<slug>.mig", "has version 0 …"). */
bool migration_name_parse(const char *fname, int64_t *version, const char **slug_start,
                          size_t *slug_len, const char **why);

#endif
