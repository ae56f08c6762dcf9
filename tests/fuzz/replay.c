/*
 * replay.c - run a fuzz harness on stored inputs, without libFuzzer, so
 * that make test replays the seed corpus and every regression input with
 * any C compiler (gcc here).
 *
 * Usage: replay-NAME PATH...   each PATH a file, or a directory whose
 * files (not those starting with '.') are each an input, in name order.
 * Prints "PASS: NAME: FILE" after each input the harness accepts; a
 * broken invariant aborts in the harness, which names it (tests/run then
 * counts the failure).  A PATH that cannot be read, or no input at all,
 * is a FAIL line and exit status 1.
 */
#define _POSIX_C_SOURCE 200809L   /* opendir, scandir */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz.h"

#ifndef FUZZ_NAME
#error "build with -DFUZZ_NAME=\"harness name\""
#endif

static int inputs;      /* inputs run so far */

/* Feed the file at path to the harness; 0, or 1 if it cannot be read. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    long len;

    if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) ||
        !(data = malloc(len ? (size_t)len : 1)) ||
        fread(data, 1, (size_t)len, f) != (size_t)len) {
        printf("FAIL: %s: %s: cannot read\n", FUZZ_NAME, path);
        if (f)
            fclose(f);
        free(data);
        return 1;
    }
    fclose(f);
    fflush(stdout);     /* our lines before anything the harness prints */
    LLVMFuzzerTestOneInput(data, (size_t)len);
    free(data);
    printf("PASS: %s: %s\n", FUZZ_NAME, path);
    inputs++;
    return 0;
}

/* 1 for directory entries that are inputs: not hidden, not . or .. */
static int visible(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/* Feed every input file in directory dir; the number that failed. */
static int replay_dir(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, visible, alphasort), i, bad = 0;
    char *path;

    if (n < 0) {
        printf("FAIL: %s: %s: cannot list\n", FUZZ_NAME, dir);
        return 1;
    }
    for (i = 0; i < n; i++) {
        path = malloc(strlen(dir) + strlen(names[i]->d_name) + 2);
        if (path) {
            sprintf(path, "%s/%s", dir, names[i]->d_name);
            bad += replay_file(path);
        }
        free(path);
        free(names[i]);
    }
    free(names);
    return bad;
}

/* Replay every PATH; exit 1 if any could not be read or none ran. */
int main(int argc, char **argv)
{
    struct stat st;
    int i, bad = 0;

    for (i = 1; i < argc; i++)
        bad += stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)
                   ? replay_dir(argv[i]) : replay_file(argv[i]);
    if (!inputs && !bad)
        printf("FAIL: %s: no inputs given\n", FUZZ_NAME);
    return bad || !inputs;
}
