/*
 * romscan.c - scanning the option-ROM area the way a guest does (spec
 * section 3) and picking the HyperROM among what it finds.  Freestanding,
 * like romcheck.c.
 */
#include "romcheck_int.h"

/* Rounding to scan steps uses a mask: no 64-bit division in 32-bit code. */
_Static_assert((HR_SCAN_STEP & (HR_SCAN_STEP - 1)) == 0, "step is 2^n");

/* ---------------------------------------------------------------------
 * Scanning the option-ROM area the way a guest does (spec section 3).
 * ------------------------------------------------------------------- */

/* Copy an issue field by field: a struct assignment may become a call to
 * memcpy, which freestanding guest and hypervisor code does not have. */
static void copy_issue(struct romcheck_issue *to,
                       const struct romcheck_issue *is)
{
    to->level = is->level;
    to->image = is->image;
    to->offset = is->offset;
    to->field = is->field;
    to->message = is->message;
    to->found = is->found;
    to->expected = is->expected;
    to->has_values = is->has_values;
}

/* Reporter for romcheck_scan: count issues and keep the first of each. */
static void keep_first(void *ctx, const struct romcheck_issue *is)
{
    struct romcheck_found *f = ctx;

    if (is->level == ROMCHECK_ERROR) {
        if (f->errors++ == 0)
            copy_issue(&f->first_error, is);
    } else if (f->warnings++ == 0) {
        copy_issue(&f->first_warning, is);
    }
}

/* Record a scan-level error (extent or overlap) for candidate f. */
static void scan_error(struct romcheck_found *f, uint32_t off,
                       const char *field, const char *msg, int has,
                       uint32_t found, uint32_t expected)
{
    struct chk c = { NULL, 0, keep_first, f, 0, 0, 0 };

    rc_issue_at(&c, ROMCHECK_ERROR, off, field, msg, has, found, expected);
}

/* Start candidate f at addr from the header bytes that can be read. */
static void scan_begin(struct romcheck_found *f, uint32_t addr,
                       const uint8_t *p, uint64_t readable)
{
    struct chk c = { p, readable > HR_ROM_MAX_SIZE ? HR_ROM_MAX_SIZE
                                                   : (uint32_t)readable,
                     NULL, NULL, 0, 0, 0 };

    f->address = addr;
    f->size = rd8(&c, HDR(rom_length)) * HR_ROM_UNIT;
    f->hyper_signature = rd32(&c, HDR(hyper_signature));
    f->api_major = (uint8_t)rd8(&c, HDR(api_version_major));
    f->api_minor = (uint8_t)rd8(&c, HDR(api_version_minor));
    f->errors = f->warnings = 0;
    f->overlaps = 0;
    rc_image_clear(&f->image, 0);
}

/* Address of an earlier valid ROM in out[0..n) containing addr, or 0. */
static uint32_t overlapped(const struct romcheck_found *out, int n,
                           uint32_t addr)
{
    int i;

    for (i = 0; i < n; i++)
        if (out[i].errors == 0 && addr >= out[i].address &&
            addr - out[i].address < out[i].size)
            return out[i].address;
    return 0;
}

/* Check the candidate at addr; ends at area_end and scan_end bound it. */
static void scan_one(struct romcheck_found *f,
                     const struct romcheck_found *out, int n,
                     const uint8_t *p, uint32_t addr, uint64_t area_end,
                     uint64_t scan_end)
{
    uint64_t end;

    scan_begin(f, addr, p, area_end - addr);
    f->overlaps = overlapped(out, n, addr);
    if (f->overlaps)
        scan_error(f, HDR(rom_signature), "romSignature",
                   "starts inside the extent of an earlier valid ROM",
                   ROMCHECK_HAS_FOUND, f->overlaps, 0);
    if (f->size && addr + (uint64_t)f->size > scan_end) {
        scan_error(f, HDR(rom_length), "romLength",
                   "ROM ends past the last byte of the option-ROM area",
                   ROMCHECK_HAS_BOTH, (uint32_t)(addr + (uint64_t)f->size - 1),
                   (uint32_t)(scan_end - 1));
        return;
    }
    if (f->size && addr + (uint64_t)f->size > area_end) {
        scan_error(f, HDR(rom_length), "romLength",
                   "ROM runs past the end of the memory image",
                   ROMCHECK_HAS_BOTH, (uint32_t)(addr + (uint64_t)f->size - 1),
                   (uint32_t)(area_end - 1));
        return;
    }
    end = area_end < scan_end ? area_end : scan_end;
    /* a ROM is what firmware accepts; only a VMI ROM is judged as one */
    romcheck_option_rom(p, (uint32_t)(end - addr), ROMCHECK_IN_MEMORY,
                        keep_first, f, &f->image, 1, NULL);
    if (f->errors == 0 && f->hyper_signature == HR_VMI_SIGNATURE)
        romcheck_rom(p, (uint32_t)(end - addr), ROMCHECK_GUEST, keep_first, f);
}

/* Scan area for ROM candidates like a guest; return entries filled. */
int romcheck_scan(const uint8_t *area, uint32_t area_base, uint32_t area_len,
                  uint32_t scan_start, uint32_t scan_end,
                  struct romcheck_found *out, int max)
{
    const uint64_t area_end = (uint64_t)area_base + area_len;
    uint64_t addr = scan_start + (uint64_t)(HR_SCAN_STEP - 1);
    const uint8_t *p;
    int n = 0;

    if (!area)
        return 0;
    addr &= ~(uint64_t)(HR_SCAN_STEP - 1); /* ROMs start on 2 KiB steps */
    for (; addr < scan_end && n < max; addr += HR_SCAN_STEP) {
        if (addr < area_base || addr + 2 > area_end)
            continue;
        p = area + (addr - area_base);
        if (p[0] != (HR_ROM_SIGNATURE & 0xFF) || p[1] != HR_ROM_SIGNATURE >> 8)
            continue;
        scan_one(&out[n], out, n, p, (uint32_t)addr, area_end, scan_end);
        n++;
    }
    return n;
}

/* Index of the ROM a guest needing need_major.need_minor uses, or -1. */
int romcheck_pick(const struct romcheck_found *f, int n,
                  uint8_t need_major, uint8_t need_minor)
{
    int i, best = -1;

    for (i = 0; i < n; i++) {
        if (f[i].errors || f[i].hyper_signature != HR_VMI_SIGNATURE ||
            f[i].api_major != need_major || f[i].api_minor < need_minor)
            continue;
        if (best < 0 || f[i].api_minor > f[best].api_minor ||
            (f[i].api_minor == f[best].api_minor &&
             f[i].address < f[best].address))
            best = i;
    }
    return best;
}
