/*
 * check.c - PASS/FAIL reporting for host test programs.
 */
#include <stdarg.h>     /* the why_fmt arguments */
#include <stdio.h>      /* printf, vprintf */
#include "check.h"

static int failures;

int check(int ok, const char *what, const char *why_fmt, ...)
{
    if (ok) {
        printf("PASS: %s\n", what);
        return 1;
    }
    va_list ap;
    printf("FAIL: %s: ", what);
    va_start(ap, why_fmt);
    vprintf(why_fmt, ap);
    va_end(ap);
    printf("\n");
    failures++;
    return 0;
}

int test_status(void)
{
    return failures != 0;
}
