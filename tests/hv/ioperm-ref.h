/*
 * ioperm-ref.h - an independent model of the I/O permission check (Intel
 * SDM vol. 1, 19.5), for tests/hv/ioperm-test.c and tests/fuzz/fuzz-ioperm.c
 * to compare hypervisor/ioperm.c against.  Written from the SDM, bit by
 * bit, over a TSS image in a plain byte array, sharing no code with
 * ioperm.c.
 */
#ifndef TESTS_IOPERM_REF_H
#define TESTS_IOPERM_REF_H

#include <stdint.h>

#define REF_TSS_IOMAP_FIELD 0x66u    /* SDM vol. 3A figure 8-2: I/O map base */
#define REF_PAGE_UNITS      4096u    /* a G=1 limit counts 4 KiB pages       */

/* A 32-bit TSS as the model sees it: its descriptor's fields, and its
 * bytes from offset 0 (image_len of them; the rest is unreadable). */
struct ref_tss {
    int loaded;                /* TR holds a selector                  */
    uint32_t type, present;    /* descriptor type (S=0) and P          */
    uint32_t raw_limit, g;     /* 20-bit limit and granularity         */
    const uint8_t *image;
    uint32_t image_len;
};

/* The TSS's last byte offset: raw limit, or raw pages ending at 4 KiB - 1. */
static inline uint64_t ref_limit(const struct ref_tss *t)
{
    return t->g ? ((uint64_t)t->raw_limit + 1) * REF_PAGE_UNITS - 1 : t->raw_limit;
}

/* Byte at offset off of the TSS if the CPU may read it (inside the limit
 * and the image): 0 with *v, else -1. */
static inline int ref_byte(const struct ref_tss *t, uint64_t off, uint32_t *v)
{
    if (off > ref_limit(t) || off >= t->image_len)
        return -1;
    *v = t->image[off];
    return 0;
}

/* The model's verdict: 1 if the access is allowed, 0 for #GP. */
static inline int ref_allows(uint32_t cpl, uint32_t iopl, const struct ref_tss *t,
                             uint32_t port, uint32_t size)
{
    uint32_t lo, hi, b, i;
    if (size != 1 && size != 2 && size != 4)
        return 0;
    if (cpl <= iopl)
        return 1;
    if (!t->loaded || !t->present || (t->type != 9 && t->type != 11))
        return 0;                              /* available or busy 32-bit TSS */
    if (ref_byte(t, REF_TSS_IOMAP_FIELD, &lo) || ref_byte(t, REF_TSS_IOMAP_FIELD + 1, &hi))
        return 0;
    uint64_t map = lo | hi << 8;
    /* The CPU reads the byte holding the first port's bit and the next. */
    if (ref_byte(t, map + port / 8, &b) || ref_byte(t, map + port / 8 + 1, &b))
        return 0;
    for (i = 0; i < size; i++) {
        uint64_t p = (uint64_t)port + i;       /* past 65535: the byte after */
        if (ref_byte(t, map + p / 8, &b) || ((b >> (p % 8)) & 1u))
            return 0;
    }
    return 1;
}

#endif /* TESTS_IOPERM_REF_H */
