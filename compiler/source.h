/* source.h: a migration file's text and positions within it.
 *
 * The text is kept for the whole compilation so that a diagnostic can quote
 * the offending line. Locations are 1-based line and column (column counts
 * bytes, as GCC does) plus the byte range of the token. */
#ifndef MIGC_SOURCE_H
#define MIGC_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

typedef struct source {
    const char *path;     /* as shown in diagnostics (the path given + file name) */
    const char *text;     /* NUL-terminated copy; may contain NUL bytes before len */
    size_t len;
} source;

/* A location with line == 0 names a whole file (diagnostics print
 * "path: error: …" without a quoted line). */
typedef struct loc {
    const source *src;    /* NULL for locations that are not in a file */
    uint32_t line, col;   /* 1-based */
    uint32_t off, len;    /* byte range of the token in src->text */
} loc;

/* Returns the line of src that contains byte offset off (without its
 * newline) in *start and *len; of a line longer than 4096 bytes either side
 * of off, only that part (diagnostics show a window of it anyway). */
void source_line_at(const source *src, uint32_t off, const char **start, size_t *len);

/* The largest file migc reads (offsets are 32-bit). */
#define SOURCE_MAX_BYTES (256L * 1024 * 1024)

/* Reads the file at path whole into a new source shown as `shown` in
 * diagnostics. Returns 0 and sets *out, or returns an errno value (EFBIG:
 * larger than SOURCE_MAX_BYTES; EISDIR) and leaves *out alone. */
int source_load(arena *a, const char *path, const char *shown, source **out);

/* Returns a source holding a copy of the n bytes at text (fuzzers, tests). */
source *source_from_text(arena *a, const char *path, const char *text, size_t n);

/* Returns the length of the valid UTF-8 sequence at s (n > 0 bytes
 * available): 1 to 4, or 0 when the bytes there are not one (overlongs,
 * surrogates and code points past U+10FFFF are invalid). */
size_t utf8_seq_len(const unsigned char *s, size_t n);

#endif
