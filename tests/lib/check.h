/*
 * check.h - PASS/FAIL reporting for host test programs (tests/run reads
 * the lines).  Link tests/lib/check.c.
 */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

/* Print "PASS: what" if ok, else "FAIL: what: why..."; return ok. */
int check(int ok, const char *what, const char *why_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Exit status for main: 1 if any check failed. */
int test_status(void);

#endif /* TESTS_CHECK_H */
