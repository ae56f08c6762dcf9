/*
 * detect-test.c - host unit tests of the shim's ROM detection and its
 * "novmi" parsing (guest/vmi_detect.c, spec section 3).
 *
 * Usage: detect-test ROM   (the built ROM, build/rom/vmi.rom)
 *
 * Each test builds a 128 KiB image of the option-ROM area C0000h-DFFFFh,
 * places copies of the real ROM in it (some altered and re-checksummed),
 * runs vmi_detect() on it exactly as the guest does, and checks the ROM
 * it chose and what it logged.  Prints PASS/FAIL lines (tests/run).
 */
#include <stdarg.h>     /* the capture logger */
#include <stdio.h>      /* fopen, vsnprintf */
#include <stdlib.h>     /* exit */
#include <string.h>     /* memcpy, memset, strstr */
#include "hyperrom.h"
#include "romcheck.h"
#include "vmi_impl.h"
#include "check.h"

#define AREA_BASE  HR_LEGACY_SCAN_START
#define AREA_LEN   (HR_SCAN_END - HR_LEGACY_SCAN_START)
#define EMPTY      0xFFu     /* what unpopulated option-ROM space reads as */
#define ADDR_A     0xC8000u  /* slots far enough apart for whole ROMs */
#define ADDR_B     0xD0000u
#define ADDR_C     0xD8000u
#define LAST_SLOT  (HR_SCAN_END - HR_SCAN_STEP)
#define FOREIGN_VENDOR 0x1234u
#define BIG_ROM_UNITS  0x80u /* 64 KiB: from D8000h it runs past DFFFFh */
#define TEST_VIRTUAL_TOP 0xF0000000u

#define HDR(field) offsetof(struct hyperrom_header, field)

static uint8_t  rom[HR_ROM_MAX_SIZE];  /* the real ROM, as read          */
static uint32_t rom_size;
static uint8_t  area[AREA_LEN];        /* the synthesized option-ROM area */
static char     logbuf[1 << 14];       /* what vmi_detect logged          */
static size_t   loglen;
static struct vmi_rom found;           /* what it chose                   */

/* vmi_log_fn that appends to logbuf. */
static void capture(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(logbuf + loglen, sizeof logbuf - loglen, fmt, ap);
    va_end(ap);
    if (n > 0)
        loglen += (size_t)n < sizeof logbuf - loglen ? (size_t)n
                                                     : sizeof logbuf - loglen - 1;
}

/* 1 if the last detection logged s. */
static int logged(const char *s)
{
    return strstr(logbuf, s) != NULL;
}

/* Read the ROM under test into rom[]; exit on failure. */
static void load_rom(const char *path)
{
    FILE *f = fopen(path, "rb");

    if (!f) {
        printf("FAIL: read the ROM: cannot open %s\n", path);
        exit(1);
    }
    rom_size = (uint32_t)fread(rom, 1, sizeof rom, f);
    fclose(f);
}

/* The area byte at physical address addr. */
static uint8_t *at(uint32_t addr)
{
    return area + (addr - AREA_BASE);
}

/* Empty the area: no ROMs anywhere. */
static void clear_area(void)
{
    memset(area, EMPTY, sizeof area);
}

/* Make the size bytes at p sum to zero again through the last byte. */
static void fix_checksum(uint8_t *p, uint32_t size)
{
    p[size - 1] = (uint8_t)(p[size - 1] - romcheck_sum8(p, size));
}

/* Copy the ROM to addr (as much as fits below DFFFFh); return it. */
static uint8_t *place(uint32_t addr)
{
    uint32_t room = HR_SCAN_END - addr;

    memcpy(at(addr), rom, rom_size < room ? rom_size : room);
    return at(addr);
}

/* Copy the ROM to addr with API version major.minor, re-checksummed. */
static uint8_t *place_version(uint32_t addr, uint8_t major, uint8_t minor)
{
    uint8_t *p = place(addr);

    p[HDR(api_version_major)] = major;
    p[HDR(api_version_minor)] = minor;
    fix_checksum(p, rom_size);
    return p;
}

/* Little-endian 16-bit header or structure field at p + off. */
static uint32_t get16(const uint8_t *p, size_t off)
{
    return p[off] | (uint32_t)p[off + 1] << 8;
}

/* Store a little-endian 16-bit value at p + off. */
static void put16(uint8_t *p, size_t off, uint32_t v)
{
    p[off] = (uint8_t)v;
    p[off + 1] = (uint8_t)(v >> 8);
}

/* Run the guest's detection on the area; 1 if it chose a ROM. */
static int detect(void)
{
    loglen = 0;
    logbuf[0] = 0;
    memset(&found, 0, sizeof found);
    return vmi_detect(area, capture, &found);
}

/* Check that detection chose the ROM at addr with API major.minor. */
static void expect_chosen(const char *what, uint32_t addr, uint8_t major,
                          uint8_t minor)
{
    int ok = detect();

    check(ok && found.address == addr && found.base == at(addr) &&
          found.size == rom_size && found.api_major == major &&
          found.api_minor == minor, what,
          "chose %s0x%x API %u.%u, expected 0x%x API %u.%u; log:\n%s",
          ok ? "" : "nothing, not ", found.address, found.api_major,
          found.api_minor, addr, major, minor, logbuf);
}

/* Check that detection chose nothing and logged each string of want. */
static void expect_refused(const char *what, const char *want1, const char *want2)
{
    int ok = detect();

    check(!ok && logged(want1) && (!want2 || logged(want2)), what,
          "%s; expected the log to say \"%s\"%s%s; log:\n%s",
          ok ? "a ROM was chosen" : "nothing chosen", want1,
          want2 ? " and " : "", want2 ? want2 : "", logbuf);
}

/* The ROM under test must itself pass the guest's checks. */
static void test_rom_valid(void)
{
    int errors = romcheck_rom(rom, rom_size, ROMCHECK_GUEST, NULL, NULL);

    if (!check(rom_size >= sizeof(struct hyperrom_header) && errors == 0 &&
               rom_size == rom[HDR(rom_length)] * HR_ROM_UNIT,
               "the ROM under test passes the guest's checks",
               "%u bytes, %d errors", rom_size, errors))
        exit(test_status());
}

/* A ROM at every 2 KiB slot from C8000h on is found at that slot. */
static void test_every_slot(void)
{
    uint32_t addr, slots = 0, bad = 0, first_bad = 0;

    for (addr = HR_SCAN_START; addr + rom_size <= HR_SCAN_END;
         addr += HR_SCAN_STEP, slots++) {
        clear_area();
        place(addr);
        if (!detect() || found.address != addr || found.base != at(addr)) {
            if (!bad++)
                first_bad = addr;
        }
    }
    check(slots > 0 && bad == 0, "a ROM at each 2 KiB slot from 0xc8000 is found there",
          "%u of %u slots wrong, first at 0x%x; log:\n%s", bad, slots,
          first_bad, logbuf);
}

/* The log names the chosen ROM as the kernel's user will read it. */
static void test_chosen_line(void)
{
    char want[128];

    clear_area();
    place(ADDR_B);
    detect();
    snprintf(want, sizeof want, "VMI: ROM at 0x%x, API %u.%u, HyperROM project "
             "HyperROM VMI 3.0 reference ROM\n", ADDR_B, rom[HDR(api_version_major)],
             rom[HDR(api_version_minor)]);
    check(logged(want), "the chosen ROM is logged with address, API, "
          "manufacturer and product", "expected \"%s\"; log:\n%s", want, logbuf);
}

/* C0000h-C7FFFh (where VGA BIOSes live) is outside the default scan. */
static void test_legacy_slots(void)
{
    uint32_t addr, wrong = 0;

    for (addr = HR_LEGACY_SCAN_START; addr < HR_SCAN_START; addr += HR_SCAN_STEP) {
        clear_area();
        place(addr);
        if (detect())
            wrong++;
    }
    check(wrong == 0, "a ROM at 0xc0000-0xc7fff is not found by the default scan",
          "found in %u slots", wrong);
}

/* ROMs broken in one way each are refused, with the reason logged. */
static void test_broken(void)
{
    uint8_t *p;

    clear_area();
    p = place(ADDR_B);
    p[rom_size - 1]++;
    expect_refused("bad checksum: refused", "skipped ROM at 0xd0000: checksum", NULL);

    clear_area();
    p = place(ADDR_B);
    p[HDR(hyper_signature)] ^= 0xFF;
    fix_checksum(p, rom_size);
    expect_refused("wrong hyperSignature: refused", "0xd0000: hyperSignature", NULL);

    clear_area();
    p = place(ADDR_B);
    p[0] = 0;
    check(!detect() && !logged("0xd0000"), "no 55 AA: not a ROM, nothing logged",
          "log:\n%s", logbuf);

    clear_area();
    p = place(ADDR_B);
    p[HDR(rom_length)] = 0;
    expect_refused("romLength 0: refused", "0xd0000: romLength", NULL);

    clear_area();
    place(LAST_SLOT);
    expect_refused("a ROM running past 0xdffff: refused",
                   "skipped ROM at 0xdf800: romLength", "past");

    clear_area();
    p = place(ADDR_C);
    p[HDR(rom_length)] = BIG_ROM_UNITS;
    fix_checksum(p, rom_size);
    expect_refused("a romLength reaching past 0xdffff: refused",
                   "skipped ROM at 0xd8000: romLength", "past");
}

/* Several versions: the highest compatible minor wins, ties by address. */
static void test_versions(void)
{
    clear_area();
    place_version(ADDR_A, 3, 0);
    place_version(ADDR_B, 3, 2);
    place_version(ADDR_C, 3, 1);
    expect_chosen("3.0 + 3.2 + 3.1: 3.2 wins", ADDR_B, 3, 2);
    check(logged("skipped ROM at 0xc8000: API 3.0; the ROM at 0xd0000 with API 3.2")
          && logged("skipped ROM at 0xd8000: API 3.1; the ROM at 0xd0000 with API 3.2"),
          "3.0 + 3.2 + 3.1: both losers logged with address and reason",
          "log:\n%s", logbuf);

    clear_area();
    place_version(ADDR_A, 3, 1);
    place_version(ADDR_B, 3, 0);
    expect_chosen("3.1 + 3.0: 3.1 wins", ADDR_A, 3, 1);

    clear_area();
    place_version(ADDR_A, 3, 0);
    place_version(ADDR_B, 3, 0);
    expect_chosen("3.0 + 3.0: the lower address wins", ADDR_A, 3, 0);

    clear_area();
    place_version(ADDR_A, 2, 0);
    place_version(ADDR_B, 4, 0);
    expect_refused("2.0 + 4.0: both refused as incompatible major",
                   "0xc8000: API 2.0 is incompatible", "0xd0000: API 4.0 is incompatible");

    clear_area();
    place_version(ADDR_A, 2, 0);
    place_version(ADDR_B, 4, 0);
    place_version(ADDR_C, 3, 0);
    expect_chosen("2.0 + 4.0 + 3.0: 3.0 chosen", ADDR_C, 3, 0);
}

/* PCIR offsets that leave the ROM are refused. */
static void test_pcir(void)
{
    uint8_t *p;

    clear_area();
    p = place(ADDR_B);
    put16(p, HDR(pci_header_offset), rom_size - sizeof(struct hyperrom_pcir) / 2);
    fix_checksum(p, rom_size);
    expect_refused("PCIR running past the ROM's end: refused",
                   "0xd0000: pciHeaderOffset", NULL);

    clear_area();
    p = place(ADDR_B);
    put16(p, HDR(pci_header_offset), 0xFFF0u);
    fix_checksum(p, rom_size);
    expect_refused("PCIR offset far outside the ROM: refused",
                   "0xd0000: pciHeaderOffset", NULL);

    clear_area();
    p = place(ADDR_B);
    put16(p, get16(p, HDR(pci_header_offset)) + offsetof(struct hyperrom_pcir, vendor_id),
          FOREIGN_VENDOR);
    fix_checksum(p, rom_size);
    expect_chosen("PCIR vendor mismatch: accepted", ADDR_B,
                  p[HDR(api_version_major)], p[HDR(api_version_minor)]);
    check(logged("warning: ROM at 0xd0000: PCIR.vendor_id"),
          "PCIR vendor mismatch: logged as a warning", "log:\n%s", logbuf);
}

/* Only "GPL" and "GPL v2" licenses are used (as Linux required). */
static void test_license(void)
{
    uint8_t *p;

    clear_area();
    p = place(ADDR_B);
    memcpy(p + get16(p, HDR(license_offset)), "BSD", sizeof "BSD");
    fix_checksum(p, rom_size);
    expect_refused("non-GPL license: refused", "0xd0000: license", NULL);

    clear_area();
    p = place(ADDR_B);
    memcpy(p + get16(p, HDR(license_offset)), HR_LICENSE_GPL, sizeof HR_LICENSE_GPL);
    fix_checksum(p, rom_size);
    expect_chosen("license \"GPL\": accepted", ADDR_B,
                  p[HDR(api_version_major)], p[HDR(api_version_minor)]);
}

/* Other ROMs (a NIC's, say) are skipped; odd but harmless headers pass. */
static void test_neighbours(void)
{
    uint8_t *p;

    clear_area();
    p = place(ADDR_A);
    memset(p + HDR(hyper_signature), 0, sizeof(uint32_t));
    fix_checksum(p, rom_size);
    place(ADDR_B);
    expect_chosen("a non-VMI ROM before the VMI ROM: VMI ROM chosen", ADDR_B,
                  rom[HDR(api_version_major)], rom[HDR(api_version_minor)]);
    check(logged("skipped ROM at 0xc8000: hyperSignature"),
          "a non-VMI ROM: logged as skipped", "log:\n%s", logbuf);

    clear_area();
    p = place(ADDR_B);
    put16(p, HDR(pnp_header_offset), 0);
    fix_checksum(p, rom_size);
    expect_chosen("no PnP header: still accepted", ADDR_B,
                  rom[HDR(api_version_major)], rom[HDR(api_version_minor)]);
    check(logged("(unknown) (unknown)"), "no PnP header: names logged as unknown",
          "log:\n%s", logbuf);

    clear_area();
    p = place(ADDR_B);
    memcpy(p + HDR(virtual_top), &(uint32_t){ TEST_VIRTUAL_TOP }, sizeof(uint32_t));
    fix_checksum(p, rom_size);
    check(detect() && found.virtual_top == TEST_VIRTUAL_TOP,
          "virtual_top is read from the chosen ROM", "got 0x%x", found.virtual_top);

    clear_area();
    check(!detect() && loglen == 0, "an empty area: nothing chosen, nothing logged",
          "log:\n%s", logbuf);
    check(!vmi_detect(NULL, capture, &found), "a NULL area: nothing chosen", "chose one");
}

/* "novmi" counts only as a whole word of the command line. */
static void test_cmdline(void)
{
    check(vmi_cmdline_has("novmi", "novmi"), "novmi: alone", "not seen");
    check(vmi_cmdline_has("mode=native  novmi\tquiet", "novmi"),
          "novmi: among other words", "not seen");
    check(vmi_cmdline_has("console=ttyS0 novmi", "novmi"), "novmi: last word", "not seen");
    check(!vmi_cmdline_has("novmix xnovmi vmi=novmi novm", "novmi"),
          "novmi: parts of other words do not count", "seen");
    check(!vmi_cmdline_has("", "novmi") && !vmi_cmdline_has(NULL, "novmi"),
          "novmi: empty and NULL command lines", "seen");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        printf("FAIL: usage: %s ROM\n", argv[0]);
        return 1;
    }
    load_rom(argv[1]);
    test_rom_valid();
    test_every_slot();
    test_chosen_line();
    test_legacy_slots();
    test_broken();
    test_versions();
    test_pcir();
    test_license();
    test_neighbours();
    test_cmdline();
    return test_status();
}
