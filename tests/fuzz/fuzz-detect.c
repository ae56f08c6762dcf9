/*
 * fuzz-detect.c - libFuzzer harness for the shim's ROM detection,
 * guest/vmi_detect.c (with tools/romsum/romcheck.c, as libvmi.a has it).
 *
 * The input fills a fake option-ROM area.  It is a list of records:
 *   byte 0  slot: the record goes to C8000h + (slot % 48) * 2 KiB
 *   byte 1  flags: bit 0 set: make the romLength * 512 bytes there sum to
 *           zero afterwards (through their last byte)
 *   byte 2-3 length, little-endian; then that many bytes (cut at the end
 *           of the input and of the area)
 * on a background of FFh (empty ROM space).  The area buffer covers
 * C0000h-DFFFFh as vmi_detect expects, but under ASan C0000h-C7FFFh is
 * poisoned and the heap redzone follows DFFFFh: detection may read only
 * C8000h-DFFFFh.  Invariants:
 *   vmi_detect returns 0 or 1, and the same on a second run;
 *   a chosen ROM is on a 2 KiB step inside C8000h-DFFFFh, its base is its
 *     bytes, its size romLength * 512 ends inside the area, it starts
 *     55 AA, its bytes sum to zero (recomputed here), it says "cVmi" with
 *     API major 3 and minor >= 0 as its header does, and romcheck's GUEST
 *     check finds no error in it;
 *   every log line starts "VMI: " and ends with a newline;
 *   vmi_cmdline_has agrees with a reference word splitter on the input
 *     read as a command line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>      /* vsnprintf */
#include <stdlib.h>     /* malloc */
#include <string.h>     /* memset, memcpy, strncmp */
#include "hyperrom.h"
#include "romcheck.h"
#include "vmi_impl.h"
#include "fuzz.h"

#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#ifdef FUZZ_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#endif

#define AREA_BASE   HR_LEGACY_SCAN_START   /* what vmi_detect's area covers */
#define AREA_LEN    (HR_SCAN_END - HR_LEGACY_SCAN_START)
#define SCAN_OFF    (HR_SCAN_START - AREA_BASE)  /* first byte it may read */
#define SLOTS       ((HR_SCAN_END - HR_SCAN_START) / HR_SCAN_STEP)
#define EMPTY       0xFFu                  /* unpopulated ROM space reads so */
#define REC_HDR     4u
#define FLAG_FIX_SUM 1u
/* A log line holds fixed text and at most two strings from one ROM (its
 * PnP manufacturer and product, which the shim does not shorten). */
#define LINE_MAX_LEN (2 * HR_ROM_MAX_SIZE + 512u)
#define LOG_PREFIX  "VMI: "
#define CMDLINE_MAX 64u
#define HDR(field)  offsetof(struct hyperrom_header, field)

static uint8_t *area;       /* AREA_LEN bytes, the first SCAN_OFF poisoned */

/* vmi_log_fn: format the line and check its shape. */
static void log_line(const char *fmt, ...)
{
    static char line[LINE_MAX_LEN];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    FUZZ_REQUIRE(n > 0 && (size_t)n < sizeof line, "log line size");
    FUZZ_REQUIRE(!strncmp(line, LOG_PREFIX, strlen(LOG_PREFIX)) &&
                 line[n - 1] == '\n', "log line not \"VMI: ...\\n\"");
}

/* The 8-bit sum of n bytes at p, computed here without romcheck.c. */
FUZZ_UNCOVERED static uint8_t ref_sum(const uint8_t *p, uint32_t n)
{
    uint32_t s = 0;

    while (n--)
        s += *p++;
    return (uint8_t)s;
}

/* Make the romLength * 512 bytes at slot offset off sum to zero, if they
 * lie inside the area. */
static void fix_sum(uint32_t off)
{
    uint32_t size = area[off + HDR(rom_length)] * HR_ROM_UNIT;

    if (!size || off + size > AREA_LEN)
        return;
    area[off + size - 1] = (uint8_t)-ref_sum(area + off, size - 1);
}

/* Fill the scanned part of the area from the input's records. */
static void fill_area(const uint8_t *data, size_t size)
{
    size_t at = 0;
    uint32_t off, len;

    memset(area + SCAN_OFF, EMPTY, AREA_LEN - SCAN_OFF);
    while (at + REC_HDR <= size) {
        off = SCAN_OFF + (data[at] % SLOTS) * HR_SCAN_STEP;
        len = fuzz_le16(data + at + 2);
        if (len > size - at - REC_HDR)
            len = (uint32_t)(size - at - REC_HDR);
        if (len > AREA_LEN - off)
            len = AREA_LEN - off;
        memcpy(area + off, data + at + REC_HDR, len);
        if (data[at + 1] & FLAG_FIX_SUM)
            fix_sum(off);
        at += REC_HDR + len;
    }
}

/* The ROM vmi_detect chose, checked against its bytes in the area. */
static void check_chosen(const struct vmi_rom *rom)
{
    const uint8_t *p = area + (rom->address - AREA_BASE);

    FUZZ_REQUIRE(rom->address >= HR_SCAN_START && rom->address < HR_SCAN_END &&
                 rom->address % HR_SCAN_STEP == 0, "chosen ROM off the steps");
    FUZZ_REQUIRE(rom->base == p, "chosen base is not the ROM's bytes");
    FUZZ_REQUIRE(rom->size && rom->size == p[HDR(rom_length)] * HR_ROM_UNIT &&
                 (uint64_t)rom->address + rom->size <= HR_SCAN_END,
                 "chosen ROM's size is not romLength or runs past DFFFFh");
    FUZZ_REQUIRE(fuzz_le16(p) == HR_ROM_SIGNATURE, "chosen ROM without 55 AA");
    FUZZ_REQUIRE(ref_sum(p, rom->size) == 0,
                 "chosen ROM's checksum is not zero");
    FUZZ_REQUIRE(fuzz_le32(p + HDR(hyper_signature)) == HR_VMI_SIGNATURE,
                 "chosen ROM is not \"cVmi\"");
    FUZZ_REQUIRE(rom->api_major == p[HDR(api_version_major)] &&
                 rom->api_minor == p[HDR(api_version_minor)] &&
                 rom->api_major == HR_API_MAJOR &&
                 rom->api_minor >= HR_API_MINOR, "chosen ROM's API version");
    FUZZ_REQUIRE(rom->virtual_top == fuzz_le32(p + HDR(virtual_top)),
                 "chosen ROM's virtual_top");
    FUZZ_REQUIRE(romcheck_rom(p, rom->size, ROMCHECK_GUEST, NULL, NULL) == 0,
                 "chosen ROM fails the GUEST check");
}

/* 1 if c separates command-line words (vmi_detect.c's blanks). */
static int ref_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Reference: 1 if word is a whole blank-separated word of s. */
static int ref_has(const char *s, const char *word)
{
    size_t n = strlen(word), i = 0, start;

    while (s[i]) {
        while (s[i] && ref_blank(s[i]))
            i++;
        for (start = i; s[i] && !ref_blank(s[i]); i++)
            ;
        if (i - start == n && n && !strncmp(s + start, word, n))
            return 1;
    }
    return 0;
}

/* The input's first bytes as a command line, against the reference. */
static void check_cmdline(const uint8_t *data, size_t size)
{
    static const char *const words[] = { "novmi", "vmi", "a" };
    char line[CMDLINE_MAX + 1];
    size_t n = size < CMDLINE_MAX ? size : CMDLINE_MAX, i;

    memcpy(line, data, n);
    line[n] = 0;
    for (i = 0; i < sizeof words / sizeof words[0]; i++)
        FUZZ_REQUIRE(vmi_cmdline_has(line, words[i]) == ref_has(line, words[i]),
                     "vmi_cmdline_has disagrees with the reference");
    FUZZ_REQUIRE(!vmi_cmdline_has(NULL, "novmi") && !vmi_cmdline_has(line, ""),
                 "vmi_cmdline_has on NULL or an empty word");
}

/* Fill the area, detect twice, check the choice. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vmi_rom rom, again;
    int r;

    if (!area) {
        area = malloc(AREA_LEN);
        FUZZ_REQUIRE(area != NULL, "out of memory");
        POISON(area, SCAN_OFF);     /* never unpoisoned: never freed */
    }
    fill_area(data, size);
    memset(&rom, 0, sizeof rom);
    memset(&again, 0, sizeof again);
    r = vmi_detect(area, log_line, &rom);
    FUZZ_REQUIRE(r == 0 || r == 1, "vmi_detect returned neither 0 nor 1");
    FUZZ_REQUIRE(vmi_detect(area, NULL, &again) == r &&
                 (!r || !memcmp(&rom, &again, sizeof rom)),
                 "a second detection chose differently");
    if (r)
        check_chosen(&rom);
    check_cmdline(data, size);
    return 0;
}
