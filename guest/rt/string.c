/*
 * string.c - the few C library routines a freestanding kernel needs, and
 * command-line parsing.  GCC may emit calls to memcpy/memset/memmove/memcmp
 * for structure copies even with -fno-builtin, so these must exist.
 * Runs at the kernel's privilege level; touches no hardware.
 */
#include "rt.h"   /* the declarations */

/* Fill n bytes at d with c. */
void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

/* Copy n bytes; the areas must not overlap. */
void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    while (n--)
        *dp++ = *sp++;
    return d;
}

/* Copy n bytes; the areas may overlap. */
void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    if (dp <= sp)
        return memcpy(d, s, n);
    while (n--)
        dp[n] = sp[n];
    return d;
}

/* Compare n bytes: <0, 0, >0 like the C library. */
int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

/* Length of a NUL-terminated string. */
size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* Compare at most n characters: <0, 0, >0. */
int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            return 0;
    }
    return 0;
}

/* Compare two strings: <0, 0, >0. */
int strcmp(const char *a, const char *b)
{
    return strncmp(a, b, (size_t)-1);
}

/* First occurrence of needle in hay, or NULL. */
char *strstr(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!strncmp(hay, needle, n))
            return (char *)hay;
    return n ? NULL : (char *)hay;
}

/* Step to the next space-separated word; sets *len to its length. */
static const char *next_word(const char *s, size_t *len)
{
    while (*s == ' ')
        s++;
    *len = 0;
    while (s[*len] && s[*len] != ' ')
        (*len)++;
    return *len ? s : NULL;
}

/* 1 if the command line holds word as a whole word. */
int cmdline_has(const char *cmdline, const char *word)
{
    size_t len, n = strlen(word);
    for (const char *w = next_word(cmdline, &len); w; w = next_word(w + len, &len))
        if (len == n && !strncmp(w, word, n))
            return 1;
    return 0;
}

/* Find "key=value" and copy value (truncated to n - 1 bytes) into out. */
int cmdline_get(const char *cmdline, const char *key, char *out, size_t n)
{
    size_t len, k = strlen(key);
    for (const char *w = next_word(cmdline, &len); w; w = next_word(w + len, &len)) {
        if (len > k && w[k] == '=' && !strncmp(w, key, k)) {
            size_t v = len - k - 1;
            if (n == 0)
                return 1;
            if (v > n - 1)
                v = n - 1;
            memcpy(out, w + k + 1, v);
            out[v] = '\0';
            return 1;
        }
    }
    return 0;
}
