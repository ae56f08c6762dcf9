/*
 * lib.c - the few C library routines the hypervisor needs (freestanding),
 * and command-line parsing.
 */
#include "hv.h"

/* Fill n bytes at d with c: a doubleword at a time ("rep stosl") for the
 * bulk, bytes for the ends.  Guest memory is cleared with it at boot, so
 * byte stores here would cost four times the instructions (tens of
 * millions for 32 MiB). */
void *memset(void *d, int c, size_t n)
{
    uint8_t *p = d;
    uint32_t word = (uint8_t)c * 0x01010101u;
    while (n && ((uintptr_t)p & 3u)) {
        *p++ = (uint8_t)c;
        n--;
    }
    size_t words = n / 4;
    __asm__ volatile("rep stosl" : "+D"(p), "+c"(words) : "a"(word) : "memory");
    for (n &= 3u; n; n--)
        *p++ = (uint8_t)c;
    return d;
}

/* Copy n bytes from s to d (no overlap): doublewords ("rep movsl"), then
 * the odd bytes; every struct copy the compiler makes comes here. */
void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;
    size_t words = n / 4;
    __asm__ volatile("rep movsl" : "+D"(dp), "+S"(sp), "+c"(words) :: "memory");
    for (n &= 3u; n; n--)
        *dp++ = *sp++;
    return d;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (uint8_t)*a - (uint8_t)*b;
        if (!*a)
            return 0;
    }
    return 0;
}

/* The value of "key=value" (or "" for a bare "key") in a space-separated
 * command line, or NULL when the key is absent. */
const char *cmdline_get(const char *cmdline, const char *key)
{
    size_t n = strlen(key);
    const char *p = cmdline;
    while (p && *p) {
        while (*p == ' ')
            p++;
        if (!strncmp(p, key, n) && (p[n] == '=' || p[n] == ' ' || !p[n]))
            return p[n] == '=' ? p + n + 1 : p + n;
        while (*p && *p != ' ')
            p++;
    }
    return NULL;
}

/* Decimal or 0x hex, with an optional K or M suffix; stops at a space. */
uint32_t parse_uint(const char *s)
{
    uint32_t v = 0, base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { base = 16; s += 2; }
    for (;; s++) {
        uint32_t d;
        if (*s >= '0' && *s <= '9') d = (uint32_t)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f') d = (uint32_t)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F') d = (uint32_t)(*s - 'A' + 10);
        else break;
        v = v * base + d;
    }
    if (*s == 'K' || *s == 'k') v <<= 10;
    if (*s == 'M' || *s == 'm') v <<= 20;
    return v;
}

/* 64-by-64-bit unsigned division, bit by bit (no libgcc in ring 0); d
 * may pass 2^32: a TSC may tick faster than that (QEMU's TCG under load
 * has measured 13 GHz). */
uint64_t udiv64(uint64_t n, uint64_t d)
{
    uint64_t q = 0, r = 0;
    for (int i = 63; i >= 0; i--) {
        r = (r << 1) | ((n >> i) & 1u);
        if (r >= d) {
            r -= d;
            q |= 1ull << i;
        }
    }
    return q;
}
