/*
 * romscan-test.c - tests of the guest's option-ROM scan and choice
 * (romcheck_scan and romcheck_pick, spec section 3).
 *
 * Usage: romscan-test ROM      (ROM: the built $(BUILD)/rom/vmi.rom)
 * Prints "PASS: what" or "FAIL: what: why" per check; exits 1 on any FAIL.
 *
 * Each test synthesizes a 128 KiB memory image of C0000h-DFFFFh (zeros)
 * and places copies of the ROM in it, some re-versioned or damaged with
 * their checksums re-fixed, then scans it as a guest would.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hyperrom.h"
#include "romcheck.h"
#include "romtest.h"

#define AREA_BASE  HR_LEGACY_SCAN_START
#define AREA_LEN   (HR_SCAN_END - HR_LEGACY_SCAN_START)     /* 128 KiB */
#define HDR(field) ((uint32_t)offsetof(struct hyperrom_header, field))

static const uint8_t *good;     /* the ROM under test */
static uint32_t good_len;
static uint8_t area[AREA_LEN];
static struct romcheck_found found[ROMCHECK_MAX_FOUND];

/* Empty the memory image. */
static void clear(void)
{
    memset(area, 0, sizeof(area));
}

/* Copy the good ROM to physical address addr (clipped to the image);
 * return a pointer to the copy for further editing. */
static uint8_t *place(uint32_t addr)
{
    uint32_t at = addr - AREA_BASE, n = good_len;

    if (at + n > AREA_LEN)
        n = AREA_LEN - at;
    memcpy(area + at, good, n);
    return area + at;
}

/* Place the ROM at addr with API version major.minor, checksum re-fixed. */
static uint8_t *place_version(uint32_t addr, uint8_t major, uint8_t minor)
{
    uint8_t *rom = place(addr);

    rom[HDR(api_version_major)] = major;
    rom[HDR(api_version_minor)] = minor;
    fix_sum(rom, good_len);
    return rom;
}

/* Scan the whole image from start; return the number of candidates. */
static int scan(uint32_t start)
{
    return romcheck_scan(area, AREA_BASE, AREA_LEN, start, HR_SCAN_END, found,
                         ROMCHECK_MAX_FOUND);
}

/* Index of the candidate at addr among n, or -1. */
static int at(int n, uint32_t addr)
{
    int i;

    for (i = 0; i < n; i++)
        if (found[i].address == addr)
            return i;
    return -1;
}

/* Address picked for need major.minor among n candidates, 0 for none. */
static uint32_t picked(int n, uint8_t major, uint8_t minor)
{
    int i = romcheck_pick(found, n, major, minor);

    return i < 0 ? 0 : found[i].address;
}

/* Field of the first error of the candidate at addr, "" if valid/absent. */
static const char *first_error(int n, uint32_t addr)
{
    int i = at(n, addr);

    return i < 0 || !found[i].errors ? "" : found[i].first_error.field;
}

/* ---------------------------------------------------------------------
 * Where ROMs are found
 * ------------------------------------------------------------------- */

/* No 55 AA anywhere: nothing found, nothing picked. */
static void test_empty(void)
{
    int n;

    clear();
    n = scan(HR_SCAN_START);
    check(n == 0 && romcheck_pick(found, n, HR_API_MAJOR, HR_API_MINOR) == -1,
          "scan: empty image: no candidate, no pick", "%d candidates", n);
}

/* Why the lone ROM at addr, scanned from start, was judged wrongly; NULL
 * if right.  It is found from start on, valid and picked if it fits
 * below E0000h, otherwise invalid for its romLength. */
static const char *slot_problem(uint32_t addr, uint32_t start)
{
    int n;

    clear();
    place(addr);
    n = scan(start);
    if (addr < start)
        return n == 0 ? NULL : "found below the scan start";
    if (n != 1 || found[0].address != addr)
        return "not found at its address";
    if (addr + good_len <= HR_SCAN_END)
        return !found[0].errors && picked(n, HR_API_MAJOR, HR_API_MINOR) == addr
                   ? NULL : "fits but is not valid and picked";
    return !strcmp(first_error(n, addr), "romLength") &&
                   !picked(n, HR_API_MAJOR, HR_API_MINOR)
               ? NULL : "runs past DFFFFh but is not rejected for romLength";
}

/* A ROM at every 2 KiB slot of C0000h-DFFFFh, scanned both ways. */
static void test_slots(void)
{
    static const uint32_t starts[] = { HR_SCAN_START, HR_LEGACY_SCAN_START };
    static const char *const names[] = { "from C8000h", "from C0000h (legacy)" };
    const char *why = NULL;
    uint32_t addr, bad = 0;
    char what[128];
    int s;

    for (s = 0; s < 2; s++) {
        for (addr = AREA_BASE; addr < HR_SCAN_END && !why; addr += HR_SCAN_STEP)
            if ((why = slot_problem(addr, starts[s])) != NULL)
                bad = addr;
        snprintf(what, sizeof(what), "scan %s: a ROM at each of the %u 2 KiB "
                 "slots is found, or rejected past DFFFFh", names[s],
                 AREA_LEN / HR_SCAN_STEP);
        check(!why, what, "slot 0x%05x: %s", bad, why);
        why = NULL;
    }
}

/* ---------------------------------------------------------------------
 * Which ROM a guest picks
 * ------------------------------------------------------------------- */

/* ROMs for API 3.0, 3.1, 2.5 and 4.0: each need picks the right one. */
static void test_versions(void)
{
    static const struct { uint8_t major, minor; uint32_t want; } needs[] = {
        { 3, 0, 0xCC000 }, { 3, 1, 0xCC000 }, { 3, 2, 0 }, { 2, 0, 0xD0000 },
        { 2, 5, 0xD0000 }, { 2, 6, 0 }, { 4, 0, 0xD4000 }, { 5, 0, 0 },
        { 1, 0, 0 },
    };
    char what[128];
    uint32_t got;
    size_t i;
    int n;

    clear();
    place_version(0xC8000, 3, 0);
    place_version(0xCC000, 3, 1);
    place_version(0xD0000, 2, 5);
    place_version(0xD4000, 4, 0);
    n = scan(HR_SCAN_START);
    check(n == 4, "scan: four ROMs of API 3.0, 3.1, 2.5, 4.0 are found",
          "%d candidates", n);
    for (i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
        got = picked(n, needs[i].major, needs[i].minor);
        if (needs[i].want)
            snprintf(what, sizeof(what), "pick: a guest needing %u.%u picks "
                     "0x%05x", needs[i].major, needs[i].minor, needs[i].want);
        else
            snprintf(what, sizeof(what), "pick: a guest needing %u.%u picks "
                     "none", needs[i].major, needs[i].minor);
        check(got == needs[i].want, what, "picked 0x%05x", got);
    }
}

/* Equal versions: the lowest address wins, whatever the scan order. */
static void test_ties(void)
{
    uint32_t got;
    int n;

    clear();
    place_version(0xC8000, 3, 0);
    place_version(0xD8000, 3, 1);
    place_version(0xCC000, 3, 1);
    n = scan(HR_SCAN_START);
    got = picked(n, 3, 0);
    check(got == 0xCC000, "pick: two 3.1 ROMs, the lower address wins",
          "picked 0x%05x", got);
    place_version(0xC0000, 3, 1);
    n = scan(HR_LEGACY_SCAN_START);
    got = picked(n, 3, 0);
    check(got == 0xC0000, "pick: legacy scan also sees the 3.1 ROM at C0000h",
          "picked 0x%05x", got);
    n = scan(HR_SCAN_START);
    got = picked(n, 3, 0);
    check(got == 0xCC000, "pick: default scan ignores the ROM at C0000h",
          "picked 0x%05x", got);
}

/* ---------------------------------------------------------------------
 * Damaged ROMs are skipped, with the reason
 * ------------------------------------------------------------------- */

/* Damage functions: each edits a placed ROM copy (checksum then re-fixed
 * unless the damage is the checksum itself). */
static void flip_byte(uint8_t *r)  { r[HR_CODE_OFFSET + 0x40] ^= 1; }
static void bad_vmi_sig(uint8_t *r) { r[HDR(hyper_signature)] = 'x'; }
static void zero_length(uint8_t *r) { r[HDR(rom_length)] = 0; }
static void pcir_outside(uint8_t *r) { put16(r + HDR(pci_header_offset), 0xFFF0); }
static void license_v3(uint8_t *r)  { r[get16(r + HDR(license_offset)) + 5] = '3'; }
static void bad_jump(uint8_t *r)    { r[HR_VMI_INIT_OFFSET] = 0xCC; }
static void vendor(uint8_t *r)
{
    put16(r + get16(r + HDR(pci_header_offset)) +
          offsetof(struct hyperrom_pcir, vendor_id), 0x1234);
}
static void pnp_checksum(uint8_t *r)  /* a FULL-only problem */
{
    r[get16(r + HDR(pnp_header_offset)) + offsetof(struct hyperrom_pnp, checksum)]++;
}

/* Each damaged ROM at C8000h beside a good one at D0000h. */
static void test_damaged(void)
{
    static const struct {
        const char *what;
        void (*damage)(uint8_t *);
        int refix;
        const char *error;     /* first error's field; NULL: still valid */
    } cases[] = {
        { "bad checksum", flip_byte, 0, "checksum" },
        { "romLength 0", zero_length, 1, "romLength" },
        { "PCIR offset outside the ROM", pcir_outside, 1, "pciHeaderOffset" },
        { "license GPL v3", license_v3, 1, "license" },
        { "VMI_Init jump point broken", bad_jump, 1, "jump VMI_Init" },
        { "PCIR vendor 0x1234 (only a warning)", vendor, 1, NULL },
        { "PnP checksum wrong (not a guest's concern)", pnp_checksum, 1, NULL },
    };
    char what[160];
    uint8_t *rom;
    uint32_t want, got;
    size_t i;
    int n;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        clear();
        place(0xD0000);
        rom = place(0xC8000);
        cases[i].damage(rom);
        if (cases[i].refix)
            fix_sum(rom, good_len);
        n = scan(HR_SCAN_START);
        want = cases[i].error ? 0xD0000 : 0xC8000;
        got = picked(n, HR_API_MAJOR, HR_API_MINOR);
        snprintf(what, sizeof(what), "scan: %s: %s%s, the guest picks 0x%05x",
                 cases[i].what, cases[i].error ? "rejected for " : "valid",
                 cases[i].error ? cases[i].error : "", want);
        check(n == 2 && got == want &&
              !strcmp(first_error(n, 0xC8000), cases[i].error ? cases[i].error : ""),
              what, "%d candidates, first error \"%s\", picked 0x%05x", n,
              first_error(n, 0xC8000), got);
    }
    clear();
    place(0xD0000);
    rom = place(0xC8000);
    bad_vmi_sig(rom);
    fix_sum(rom, good_len);
    n = scan(HR_SCAN_START);
    got = picked(n, HR_API_MAJOR, HR_API_MINOR);
    check(n == 2 && found[0].errors == 0 &&
          found[0].hyper_signature != HR_VMI_SIGNATURE && got == 0xD0000,
          "scan: hyperSignature not cVmi: a valid option ROM, not VMI; the "
          "guest picks 0xd0000", "%d candidates, first error \"%s\", picked "
          "0x%05x", n, first_error(n, 0xC8000), got);
    clear();
    rom = place(0xC8000);
    vendor(rom);
    fix_sum(rom, good_len);
    n = scan(HR_SCAN_START);
    check(n == 1 && found[0].warnings == 1 &&
          !strcmp(found[0].first_warning.field, "PCIR.vendor_id"),
          "scan: the vendor warning is kept as first_warning", "%d warnings",
          n ? found[0].warnings : -1);
}

/* Not 55 AA: not a candidate at all. */
static void test_not_rom(void)
{
    uint8_t *rom;
    int n;

    clear();
    rom = place(0xC8000);
    rom[1] = 0xAB;
    fix_sum(rom, good_len);
    n = scan(HR_SCAN_START);
    check(n == 0, "scan: bytes 55 AB are not a ROM candidate", "%d candidates", n);
}

/* ---------------------------------------------------------------------
 * Extents: the end of the area, the end of the image, overlaps
 * ------------------------------------------------------------------- */

/* 1 if candidate i's first error is about field and its message has s. */
static int error_says(int i, const char *field, const char *s)
{
    return i >= 0 && found[i].errors &&
           !strcmp(found[i].first_error.field, field) &&
           strstr(found[i].first_error.message, s) != NULL;
}

/* ROMs that run past DFFFFh, past the image, or whose header is cut. */
static void test_ends(void)
{
    const uint32_t last_fit = (HR_SCAN_END - good_len) & ~(HR_SCAN_STEP - 1);
    int n;

    clear();
    place(last_fit + HR_SCAN_STEP);
    n = scan(HR_SCAN_START);
    check(n == 1 && error_says(0, "romLength", "option-ROM area") &&
          found[0].first_error.expected == HR_SCAN_END - 1,
          "scan: a ROM running past DFFFFh is rejected for romLength",
          "%d candidates, first error %s", n, first_error(n, found[0].address));
    clear();
    place(last_fit);
    n = scan(HR_SCAN_START);
    check(n == 1 && !found[0].errors, "scan: the last slot where the ROM fits "
          "below E0000h is valid", "first error %s", first_error(n, last_fit));
    clear();
    place(0xCF000);
    n = romcheck_scan(area, AREA_BASE, 0xD0000 - AREA_BASE, HR_SCAN_START,
                      HR_SCAN_END, found, ROMCHECK_MAX_FOUND);
    check(n == 1 && error_says(0, "romLength", "image"),
          "scan: a ROM running past the end of the image is rejected",
          "%d candidates", n);
    n = romcheck_scan(area, AREA_BASE, 0xCF010 - AREA_BASE, HR_SCAN_START,
                      HR_SCAN_END, found, ROMCHECK_MAX_FOUND);
    check(n == 1 && error_says(0, "romLength", "image"),
          "scan: an image ending 16 bytes into a ROM: rejected for romLength",
          "%d candidates, first error %s", n, first_error(n, 0xCF000));
    n = romcheck_scan(area, AREA_BASE, 0xCF002 - AREA_BASE, HR_SCAN_START,
                      HR_SCAN_END, found, ROMCHECK_MAX_FOUND);
    check(n == 1 && error_says(0, "header", "header") && found[0].size == 0,
          "scan: an image ending right after 55 AA: rejected for the header, "
          "no read past it", "%d candidates, first error %s", n,
          first_error(n, 0xCF000));
    n = romcheck_scan(area, AREA_BASE, 0xCF001 - AREA_BASE, HR_SCAN_START,
                      HR_SCAN_END, found, ROMCHECK_MAX_FOUND);
    check(n == 0, "scan: an image ending between 55 and AA: no candidate",
          "%d candidates", n);
}

/* Make the ROM at addr 16 KiB long (zero padding), checksum re-fixed. */
static uint8_t *place_big(uint32_t addr)
{
    const uint32_t big = 16 * 1024;
    uint8_t *rom = place(addr);

    uint8_t *pcir = rom + get16(rom + HDR(pci_header_offset));

    rom[HDR(rom_length)] = big / HR_ROM_UNIT;
    /* the PCIR's image length too: a longer romLength alone is an error */
    put16(pcir + offsetof(struct hyperrom_pcir, image_length), big / HR_ROM_UNIT);
    fix_sum(rom, big);
    return rom;
}

/* Candidates inside a valid ROM's extent are overlaps, not ROMs. */
static void test_overlaps(void)
{
    uint8_t *outer;
    int n;

    clear();
    outer = place_big(0xC8000);
    place(0xCA000);                  /* a whole valid ROM inside it */
    fix_sum(outer, 16 * 1024);
    n = scan(HR_SCAN_START);
    check(n == 2 && !found[0].errors && error_says(1, "romSignature", "inside") &&
          found[1].overlaps == 0xC8000 && picked(n, 3, 0) == 0xC8000,
          "scan: a ROM inside a valid 16 KiB ROM is reported as overlapping it",
          "%d candidates, second: %s overlaps 0x%x", n, first_error(n, 0xCA000),
          n > 1 ? found[1].overlaps : 0);
    put16(outer + 0x1000, HR_ROM_SIGNATURE);   /* stray 55 AA inside */
    fix_sum(outer, 16 * 1024);
    n = scan(HR_SCAN_START);
    check(n == 3 && error_says(1, "romSignature", "inside") &&
          found[1].address == 0xC9000, "scan: stray 55 AA inside a ROM is an "
          "overlapping candidate", "%d candidates", n);
    outer[HR_CODE_OFFSET] ^= 1;               /* now the outer ROM is bad */
    n = scan(HR_SCAN_START);
    check(n == 3 && !strcmp(first_error(n, 0xC8000), "checksum") &&
          picked(n, 3, 0) == 0xCA000 && found[2].overlaps == 0,
          "scan: inside an invalid ROM, a valid ROM is found and picked",
          "picked 0x%05x", picked(n, 3, 0));
}

/* A dump that starts at C8000h, and a result table that is too small. */
static void test_bases_and_limits(void)
{
    int n;

    clear();
    place(0xC8000);
    place(0xD0000);
    n = romcheck_scan(area + (0xC8000 - AREA_BASE), 0xC8000, HR_SCAN_END - 0xC8000,
                      HR_SCAN_START, HR_SCAN_END, found, ROMCHECK_MAX_FOUND);
    check(n == 2 && found[0].address == 0xC8000 && !found[0].errors,
          "scan: a dump starting at C8000h finds its ROMs", "%d candidates", n);
    n = romcheck_scan(area, AREA_BASE, AREA_LEN, HR_SCAN_START, HR_SCAN_END,
                      found, 1);
    check(n == 1, "scan: never fills more entries than it is given",
          "%d entries", n);
    n = romcheck_scan(NULL, AREA_BASE, AREA_LEN, HR_SCAN_START, HR_SCAN_END,
                      found, ROMCHECK_MAX_FOUND);
    check(n == 0, "scan: no image, no candidates", "%d", n);
}

/* Run every scan test with the ROM named by argv[1]. */
int main(int argc, char **argv)
{
    uint8_t *rom;

    if (argc < 2) {
        fprintf(stderr, "usage: %s ROM\n", argv[0]);
        return 2;
    }
    rom = load_file(argv[1], &good_len);
    good = rom;
    clear();
    place(HR_SCAN_START);
    if (!check(scan(HR_SCAN_START) == 1 && !found[0].errors &&
               !found[0].warnings, "scan: the good ROM alone is valid",
               "first error %s", first_error(1, HR_SCAN_START)))
        return 1;
    test_empty();
    test_slots();
    test_versions();
    test_ties();
    test_damaged();
    test_not_rom();
    test_ends();
    test_overlaps();
    test_bases_and_limits();
    free(rom);
    return test_status();
}
