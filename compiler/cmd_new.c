/* cmd_new.c: `migc new [-d DIR] SLUG` (DESIGN §4).
 *
 * Creates the next migration file: version max+1 zero-padded to the width
 * the existing files use (0001 in an empty directory), or a 14-digit UTC
 * timestamp (YYYYMMDDHHMMSS) when the existing files use those. Creates DIR
 * when it does not exist (one level). Never overwrites: the file is created
 * with O_EXCL. Prints the new file's path on standard output.
 * Exit: 0 ok, 1 the file exists, 2 bad usage (invalid slug), 3 I/O failure. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "cli.h"
#include "history_names.h"

static const char new_usage[] =
    "usage: migc new [-d DIR] SLUG\n"
    "\n"
    "Creates DIR/<next version>_SLUG.mig (DIR defaults to migrations) and prints its path.\n"
    "SLUG: letters, digits, '_' and '-', starting with a letter or digit;\n"
    "'_' reads as a space in the migration's description.\n";

/* Writes all n bytes of s to fd; returns false on failure (errno set). */
static bool write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        s += w;
        n -= (size_t)w;
    }
    return true;
}

int cmd_new(int argc, char **argv)
{
    const char *dir = "migrations", *slug = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-d") || !strcmp(a, "--dir")) {
            if (i + 1 >= argc)
                return usage_error("new", "option '%s' needs a directory", a);
            dir = argv[++i];
        } else if (!strncmp(a, "--dir=", 6)) {
            dir = a + 6;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(new_usage, stdout);
            return EXIT_OK;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error("new", "unknown option '%s'", a);
        } else if (slug) {
            return usage_error("new", "give one SLUG (got '%s' and '%s')", slug, a);
        } else {
            slug = a;
        }
    }
    if (!slug)
        return usage_error("new", "missing SLUG, the migration's name (e.g. add_users)");
    if (!migration_slug_valid(slug, strlen(slug)))
        return usage_error("new", "invalid slug '%s': use letters, digits, '_', '-' and '.', "
                           "starting with a letter or digit (e.g. add_users)", slug);

    /* The existing versions: the greatest, the widest spelling, timestamps. */
    int64_t max = 0;
    size_t width = 4;
    bool timestamps = false, any = false;
    DIR *dp = opendir(dir);
    if (!dp && errno == ENOENT) {
        if (mkdir(dir, 0777) != 0) {
            fprintf(stderr, "migc: error: cannot create the migrations directory '%s': %s\n",
                    dir, strerror(errno));
            return EXIT_IO;
        }
        dp = opendir(dir);
    }
    if (!dp) {
        fprintf(stderr, "migc: error: cannot open the migrations directory '%s': %s\n", dir,
                strerror(errno));
        return EXIT_IO;
    }
    size_t widest = 0;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(dp);
        if (!de) {
            if (errno) {
                int e = errno;
                closedir(dp);
                fprintf(stderr, "migc: error: cannot read the migrations directory '%s': %s\n",
                        dir, strerror(e));
                return EXIT_IO;
            }
            break;
        }
        int64_t v;
        const char *s, *why;
        size_t sl;
        if (de->d_name[0] == '.' || !migration_name_parse(de->d_name, &v, &s, &sl, &why))
            continue;
        size_t digits = (size_t)(s - 1 - de->d_name);
        any = true;
        if (v > max)
            max = v;
        if (digits > widest)
            widest = digits;
        if (digits == 14 && v >= INT64_C(19000101000000))
            timestamps = true;
    }
    closedir(dp);

    int64_t next;
    if (timestamps) {
        time_t now = time(NULL);
        struct tm tm;
        if (now == (time_t)-1 || !gmtime_r(&now, &tm)) {
            fputs("migc: error: cannot read the clock for a timestamp version\n", stderr);
            return EXIT_IO;
        }
        next = (int64_t)(tm.tm_year + 1900) * INT64_C(10000000000) +
               (int64_t)(tm.tm_mon + 1) * INT64_C(100000000) + (int64_t)tm.tm_mday * 1000000 +
               (int64_t)tm.tm_hour * 10000 + (int64_t)tm.tm_min * 100 + tm.tm_sec;
        if (next <= max)
            next = max + 1; /* keep versions increasing */
        width = 14;
    } else {
        if (max == INT64_MAX) {
            fputs("migc: error: the greatest version is already 9223372036854775807\n", stderr);
            return EXIT_INPUT;
        }
        next = max + 1;
        if (any && widest > 0)
            width = widest;
    }

    arena *a = arena_new();
    size_t dl = strlen(dir);
    const char *sep = dl > 0 && dir[dl - 1] == '/' ? "" : "/";
    char *path = arena_printf(a, "%s%s%0*lld_%s.mig", dir, sep, (int)width, (long long)next, slug);
    char *desc = arena_strdup(a, slug);
    for (char *p = desc; *p; p++)
        if (*p == '_')
            *p = ' ';
    char *text = arena_printf(a,
                              "-- %s\n"
                              "--\n"
                              "-- Write this migration's statements below (see the migc language\n"
                              "-- reference); `migc check` type-checks the whole history.\n",
                              desc);

    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        int e = errno;
        if (e == EEXIST)
            fprintf(stderr, "migc: error: '%s' already exists; not overwriting it\n", path);
        else
            fprintf(stderr, "migc: error: cannot create '%s': %s\n", path, strerror(e));
        arena_free(a);
        return e == EEXIST ? EXIT_INPUT : EXIT_IO;
    }
    bool ok = write_all(fd, text, strlen(text));
    int e = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        fprintf(stderr, "migc: error: cannot write '%s': %s\n", path, strerror(e));
        unlink(path);
        arena_free(a);
        return EXIT_IO;
    }
    printf("%s\n", path);
    int rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_IO;
    arena_free(a);
    return rc;
}
