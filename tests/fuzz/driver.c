/* driver.c: replays inputs through LLVMFuzzerTestOneInput without
 * libFuzzer: each argument is a file, or a directory whose regular files
 * are read (not recursively). Exits 0 when every input ran (a crash or a
 * sanitizer report ends the process instead), 1 when an input could not be
 * read. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs the file at path; returns 0, or 1 when it cannot be read. */
static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        fputs("out of memory\n", stderr);
        return 1;
    }
    for (;;) {
        if (n == cap) {
            unsigned char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                fclose(f);
                fputs("out of memory\n", stderr);
                return 1;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        perror(path);
        free(buf);
        return 1;
    }
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 0, count = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            rc = 1;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            rc |= run_file(argv[i]);
            count++;
            continue;
        }
        DIR *dp = opendir(argv[i]);
        if (!dp) {
            perror(argv[i]);
            rc = 1;
            continue;
        }
        struct dirent *de;
        while ((de = readdir(dp))) {
            if (de->d_name[0] == '.')
                continue;
            size_t len = strlen(argv[i]) + strlen(de->d_name) + 2;
            char *path = malloc(len);
            if (!path) {
                closedir(dp);
                fputs("out of memory\n", stderr);
                return 1;
            }
            snprintf(path, len, "%s/%s", argv[i], de->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                rc |= run_file(path);
                count++;
            }
            free(path);
        }
        closedir(dp);
    }
    printf("%d input(s) replayed\n", count);
    return rc;
}
