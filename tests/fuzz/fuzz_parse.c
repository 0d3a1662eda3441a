/* fuzz_parse.c: the libFuzzer entry point over the front end: scanner,
 * parser and (when the input parses) the checker, on one migration.
 *
 * Built two ways (tests/fuzz/CMakeLists.txt): with clang and
 * -fsanitize=fuzzer for real fuzzing, and with driver.c as a plain program
 * that replays the seed corpus in every build, so the target never rots.
 * Diagnostics go to /dev/null; the only failure is a crash or a sanitizer
 * report. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "checker.h"
#include "frontend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink && !(sink = fopen("/dev/null", "w")))
        abort();
    arena *a = arena_new();
    diag_ctx *d = diag_new(a, sink, false, false);
    source *src = source_from_text(a, "fuzz/0001_fuzz.mig", (const char *)data, size);
    migration *m = arena_alloc(a, sizeof *m);
    m->version = 1;
    m->slug = "fuzz";
    m->description = "fuzz";
    if (parse_migration(a, d, src, m) == 0) {
        history h = {.migs = &m, .n = 1};
        check_history(a, d, &h);
    }
    arena_free(a);
    return 0;
}
