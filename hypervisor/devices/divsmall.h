/*
 * divsmall.h - 64-bit by 16-bit division for the device models, without
 * the compiler's 64-bit division helpers (the hypervisor links no libgcc).
 */
#ifndef HV_DIVSMALL_H
#define HV_DIVSMALL_H

#include <stdint.h>

/* n mod d for 1 <= d <= 65536, in 16-bit steps (each partial dividend
 * stays below 2^32); the quotient goes to *q unless q is NULL. */
static inline uint32_t div_small(uint64_t n, uint32_t d, uint64_t *q)
{
    uint64_t quot = 0;
    uint32_t r = 0;
    for (int shift = 48; shift >= 0; shift -= 16) {
        uint32_t cur = (r << 16) | (uint32_t)((n >> shift) & 0xFFFFu);
        quot = (quot << 16) | (cur / d);
        r = cur % d;
    }
    if (q)
        *q = quot;
    return r;
}

#endif /* HV_DIVSMALL_H */
