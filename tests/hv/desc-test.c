/*
 * desc-test.c - host unit tests of hypervisor/segments/desc.c: which descriptors a
 * guest may install, and how they are truncated below the hypervisor.
 */
#include <stdio.h>      /* snprintf */
#include "check.h"
#include "desc.h"

#define ACC_CODE(dpl) SEG_ACCESS(1, dpl, 1, SEG_TYPE_CODE | 0x2)
#define ACC_DATA(dpl) SEG_ACCESS(1, dpl, 1, SEG_TYPE_WRITE)
#define FLAT_4G 0xFFFFFu

/* Validate d; return 0/-1 and leave the reason in *why. */
static int validate(struct seg_desc d, struct seg_desc *out, const char **why)
{
    *why = "";
    *out = d;
    return desc_validate(out, why);
}

/* Ring compression: a kernel's DPL-0 code and data run at DPL 1, the
 * rest of the descriptor as it was (truncated below the top). */
static void ring_compression(void)
{
    const char *why;
    struct seg_desc out;
    int r = validate(seg_make(0, FLAT_4G, ACC_CODE(0), SEG_FLAGS_32_4K), &out, &why);
    check(r == 0 && DESC_DPL(out) == 1 && DESC_TYPE(out) == (SEG_TYPE_CODE | 0x2) &&
          desc_is_flat(out), "DPL 0 code runs as flat DPL 1 code", "r %d DPL %u: %s", r,
          DESC_DPL(out), why);
    r = validate(seg_make(0x1000, 0xFFF, ACC_DATA(0), 0x4), &out, &why);
    check(r == 0 && DESC_DPL(out) == 1 && DESC_BASE(out) == 0x1000 && desc_limit_bytes(out) == 0xFFF,
          "DPL 0 data runs as DPL 1 data, base and limit kept", "r %d DPL %u", r, DESC_DPL(out));
}

/* A flat 4 GiB ring-1 segment is accepted but ends below the top. */
static void flat_segments_truncated(void)
{
    const char *why;
    struct seg_desc out;
    int r = validate(seg_make(0, FLAT_4G, ACC_CODE(1), SEG_FLAGS_32_4K), &out, &why);
    check(r == 0, "flat ring-1 code accepted", "refused: %s", why);
    check(desc_limit_bytes(out) == HR_VIRTUAL_TOP - 1, "flat code truncated to virtual_top - 1",
          "limit %#x", desc_limit_bytes(out));
    check(desc_is_flat(out), "truncated code counts as flat", "not flat");
    r = validate(seg_make(0, FLAT_4G, ACC_DATA(3), SEG_FLAGS_32_4K), &out, &why);
    check(r == 0 && desc_limit_bytes(out) == HR_VIRTUAL_TOP - 1,
          "flat ring-3 data accepted and truncated", "r %d limit %#x", r, desc_limit_bytes(out));
    r = validate(seg_make(0x1000, 0xFFFF, ACC_DATA(1), 0x4), &out, &why);
    check(r == 0 && out.lo == seg_make(0x1000, 0xFFFF, ACC_DATA(1), 0x4).lo &&
          !desc_is_flat(out), "small segment kept as is, not flat", "r %d", r);
}

/* Descriptors a guest must never install. */
static void refused(void)
{
    const struct { const char *what; struct seg_desc d; } bad[] = {
        { "DPL 2 code refused (no ring 2)", seg_make(0, FLAT_4G, ACC_CODE(2), SEG_FLAGS_32_4K) },
        { "DPL 2 data refused (no ring 2)", seg_make(0, FLAT_4G, ACC_DATA(2), SEG_FLAGS_32_4K) },
        { "DPL 2 conforming code refused",
          seg_make(0, FLAT_4G, SEG_ACCESS(1, 2, 1, SEG_TYPE_CODE | SEG_TYPE_CONFORM), SEG_FLAGS_32_4K) },
        { "base inside the hypervisor area refused",
          seg_make(HR_VIRTUAL_TOP, 0xFF, ACC_DATA(1), SEG_FLAGS_32_4K) },
        { "64-bit code refused", seg_make(0, FLAT_4G, ACC_CODE(1), 0xA) },   /* G and L */
        { "expand-down data refused",
          seg_make(0, 0xFFFF, SEG_ACCESS(1, 1, 1, SEG_TYPE_WRITE | SEG_TYPE_EXPDOWN), 0x4) },
        { "call gate refused", seg_make(0, 0, SEG_ACCESS(1, 1, 0, 0xC), 0) },
        { "TSS reaching the hypervisor refused",
          seg_make(HR_VIRTUAL_TOP - 0x10, 0x67, SEG_ACCESS(1, 1, 0, SYS_TYPE_TSS32), 0) },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *why;
        struct seg_desc out;
        int r = validate(bad[i].d, &out, &why);
        check(r == -1 && why && why[0], bad[i].what, "accepted (%08x %08x)", bad[i].d.hi, bad[i].d.lo);
    }
}

/* What stays allowed: not-present entries, LDT and TSS descriptors. */
static void allowed(void)
{
    const char *why = "";
    struct seg_desc out;
    check(validate((struct seg_desc){ 0, 0 }, &out, &why) == 0, "null descriptor accepted", "%s", why);
    check(validate(seg_make(0, FLAT_4G, SEG_ACCESS(0, 0, 1, SEG_TYPE_CODE), SEG_FLAGS_32_4K),
                   &out, &why) == 0, "not-present DPL 0 descriptor accepted", "%s", why);
    check(validate(seg_make(0x2000, 0xFF, SEG_ACCESS(1, 0, 0, SYS_TYPE_LDT), 0), &out, &why) == 0,
          "LDT descriptor accepted", "%s", why);
    check(validate(seg_make(0x3000, 0x67, SEG_ACCESS(1, 0, 0, SYS_TYPE_TSS32), 0), &out, &why) == 0,
          "32-bit TSS descriptor accepted", "%s", why);
}

int main(void)
{
    flat_segments_truncated();
    ring_compression();
    refused();
    allowed();
    return test_status();
}
