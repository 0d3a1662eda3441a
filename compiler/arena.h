/* arena.h: one bump allocator per compilation.
 *
 * Everything the compiler builds for one run (source text, AST, catalog
 * snapshots, emitted SQL) lives in one arena and is released at once by
 * arena_free(). That keeps the parser's error recovery and every early return
 * leak-free without per-node ownership. Allocation failure is not recoverable
 * in the compiler: arena_alloc() reports it and exits with status 3 (I/O or
 * internal failure), which is the documented exit code for it. */
#ifndef MIGC_ARENA_H
#define MIGC_ARENA_H

#include <stddef.h>
#include <stdarg.h>

typedef struct arena arena;

/* Returns a new, empty arena; exits(3) when out of memory. */
arena *arena_new(void);
/* Releases the arena and everything allocated in it. NULL is a no-op. */
void arena_free(arena *a);

/* Returns n zeroed bytes aligned for any type; never NULL. */
void *arena_alloc(arena *a, size_t n);
/* Returns a copy of the n bytes at p, plus a terminating NUL. */
char *arena_strndup(arena *a, const char *p, size_t n);
char *arena_strdup(arena *a, const char *s);
/* printf into the arena. */
char *arena_printf(arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *arena_vprintf(arena *a, const char *fmt, va_list ap);

/* A growable array of pointers whose storage lives in an arena. */
typedef struct ptr_vec {
    void **items;
    size_t n, cap;
} ptr_vec;
void vec_push(arena *a, ptr_vec *v, void *item);

/* A growable string in an arena (for emitters). */
typedef struct strbuf {
    arena *a;
    char *s;
    size_t n, cap;
} strbuf;
void sb_init(strbuf *b, arena *a);
void sb_putn(strbuf *b, const char *s, size_t n);
void sb_puts(strbuf *b, const char *s);
void sb_putc(strbuf *b, char c);
void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the NUL-terminated contents (never NULL; "" when empty). */
const char *sb_str(strbuf *b);

#endif
