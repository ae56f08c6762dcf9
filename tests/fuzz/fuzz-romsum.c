/*
 * fuzz-romsum.c - libFuzzer harness for romsum's parser and checker:
 * tools/romsum/romcheck.c (linked) and tools/romsum/romsum.c (included
 * below, its main renamed, so that its static info, check and build steps
 * run on the fuzzer's bytes exactly as the command runs them on a file).
 *
 * The input is a ROM image of any length.  Invariants:
 *   romcheck_rom: every issue has a level, a field, a message, value bits
 *     0..3 and an offset inside the image; the returned count is the
 *     errors reported, and a silent run counts the same (deterministic;
 *     FULL: romsum info's own run must agree);
 *     BIOS <= GUEST <= FULL errors; the GUEST verdict is the same, issue
 *     for issue, when run again;
 *   checksum: reported exactly when a recomputed 8-bit sum over
 *     romLength * 512 bytes is not zero, with that sum and the last
 *     byte's offset;
 *   romcheck_reloc finds only rows inside the image, with their bytes;
 *     romcheck_string returns only strings ending inside the image;
 *   romcheck_scan (image at C8000h): candidates on 2 KiB steps inside the
 *     image, in order; a valid one lies inside the image and the area and
 *     sums to zero; romcheck_pick chooses only a valid "cVmi" ROM of the
 *     API major asked for;
 *   romcheck_option_rom (firmware level, in a file and in memory): the
 *     same invariants for its issues; at least one image, each starting
 *     inside the input after the one before;
 *   romsum info and check (each on one length in four) exit 0 exactly
 *     when the firmware check has no error and, for a "cVmi" ROM, the
 *     FULL check has none either;
 *     romsum build's image is whole 512-byte units, sums to zero, and has
 *     romLength set.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>     /* memchr, strcmp */
#include "fuzz.h"

/* romsum prints what it finds; send all of it to /dev/null, fully
 * buffered, and keep stderr for libFuzzer and the sanitizers. */
static FILE *fuzz_sink;
#undef printf
#undef puts
#undef putchar
#undef stdout
#undef stderr
#define stdout fuzz_sink
#define printf(...) fprintf(fuzz_sink, __VA_ARGS__)
#define puts(s) (fputs((s), fuzz_sink), fputc('\n', fuzz_sink))
#define putchar(c) fputc((c), fuzz_sink)
#define stderr fuzz_sink
#define main romsum_main
#include "romsum.c"
#undef main
#undef stderr
#undef putchar
#undef puts
#undef printf
#undef stdout
#define stdout stdout   /* back to <stdio.h>'s own definitions */
#define stderr stderr

#define HDR_SIZE   ((uint32_t)sizeof(struct hyperrom_header))
#define RELOC_ROW  ((uint32_t)sizeof(struct hyperrom_reloc_entry))
#define FNV_OFFSET 0xcbf29ce484222325ull    /* FNV-1a, 64-bit */
#define FNV_PRIME  0x100000001b3ull
#define SCAN_BASE  HR_SCAN_START            /* where the image "lies"  */
#define NAME       "fuzz.rom"               /* the name romsum prints  */
#define TOOL_EVERY 4u       /* romsum info and check run on 1 length in 4 */
#define TOOL_INFO  0u       /* ... lengths that are multiples of 4 (ROMs) */
#define TOOL_CHECK 1u

/* What one romcheck_rom run reported. */
struct tally {
    uint32_t avail;          /* bytes the image has              */
    int      errors, issues;
    uint64_t hash;           /* of every issue, in order         */
    int      sum_seen;       /* a "checksum" issue was reported  */
    uint32_t sum_found, sum_offset;
};

/* Fold the n bytes at p into hash h (FNV-1a). */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;

    while (n--)
        h = (h ^ *b++) * FNV_PRIME;
    return h;
}

/* The 8-bit sum of n bytes at p, computed here without romcheck.c. */
static uint8_t ref_sum(const uint8_t *p, uint32_t n)
{
    uint32_t s = 0;

    while (n--)
        s += *p++;
    return (uint8_t)s;
}

/* romcheck reporter: check the issue and fold it into the tally. */
static void collect(void *ctx, const struct romcheck_issue *is)
{
    struct tally *t = ctx;

    FUZZ_REQUIRE(is->level == ROMCHECK_ERROR || is->level == ROMCHECK_WARNING,
                 "issue with no level");
    FUZZ_REQUIRE(is->field && *is->field && is->message && *is->message,
                 "issue without a field or message");
    FUZZ_REQUIRE(is->has_values >= 0 && is->has_values <= ROMCHECK_HAS_BOTH,
                 "issue value bits");
    FUZZ_REQUIRE(is->offset == 0 || is->offset < t->avail,
                 "issue offset outside the image");
    t->issues++;
    t->errors += is->level == ROMCHECK_ERROR;
    t->hash = fnv(t->hash, is, offsetof(struct romcheck_issue, field));
    t->hash = fnv(t->hash, is->field, strlen(is->field));
    t->hash = fnv(t->hash, is->message, strlen(is->message));
    t->hash = fnv(t->hash, &is->found, sizeof is->found);
    t->hash = fnv(t->hash, &is->expected, sizeof is->expected);
    if (!strcmp(is->field, "checksum")) {
        t->sum_seen++;
        t->sum_found = is->found, t->sum_offset = is->offset;
    }
}

/* Run romcheck_rom at depth into t; check the count it returns, and that
 * a silent run counts the same (not at FULL: the slowest depth, and
 * romsum info repeats it below). */
static void run_check(const uint8_t *rom, uint32_t len,
                      enum romcheck_depth depth, struct tally *t)
{
    int errors;

    memset(t, 0, sizeof *t);
    t->avail = len, t->hash = FNV_OFFSET;
    errors = romcheck_rom(rom, len, depth, collect, t);
    FUZZ_REQUIRE(errors == t->errors, "returned count differs from errors");
    if (depth != ROMCHECK_FULL)
        FUZZ_REQUIRE(romcheck_rom(rom, len, depth, NULL, NULL) == errors,
                     "silent check counts differently");
}

/* The checksum issue of t, against a sum recomputed over romLength units. */
static void check_checksum(const uint8_t *rom, uint32_t len,
                           const struct tally *t)
{
    uint32_t size = len >= HDR_SIZE ? rom[offsetof(struct hyperrom_header,
                                                  rom_length)] * HR_ROM_UNIT
                                   : 0;
    uint8_t sum;

    if (len < HDR_SIZE || size == 0 || size > len) {
        FUZZ_REQUIRE(!t->sum_seen, "checksum judged without an extent");
        return;
    }
    sum = ref_sum(rom, size);
    FUZZ_REQUIRE(t->sum_seen == (sum != 0),
                 "checksum issue disagrees with the recomputed sum");
    if (sum)
        FUZZ_REQUIRE(t->sum_found == sum && t->sum_offset == size - 1,
                     "checksum issue reports another sum or offset");
}

/* romcheck_option_rom in a file and in memory: issue invariants, silent
 * counts, images in order inside the input; the file's error count. */
static int check_firmware(const uint8_t *rom, uint32_t len)
{
    struct romcheck_image im[4];
    struct tally t;
    int where, errors, n, i, file_errors = 0;

    for (where = ROMCHECK_IN_FILE; where <= ROMCHECK_IN_MEMORY; where++) {
        memset(&t, 0, sizeof t);
        t.avail = len, t.hash = FNV_OFFSET;
        errors = romcheck_option_rom(rom, len, (enum romcheck_where)where,
                                     collect, &t, im, 4, &n);
        FUZZ_REQUIRE(errors == t.errors, "firmware: count differs from errors");
        FUZZ_REQUIRE(romcheck_option_rom(rom, len, (enum romcheck_where)where,
                                         NULL, NULL, NULL, 0, NULL) == errors,
                     "firmware: silent check counts differently");
        FUZZ_REQUIRE(n >= 1 && (where == ROMCHECK_IN_FILE || n == 1),
                     "firmware: image count");
        for (i = 1; i < n && i < 4; i++)
            FUZZ_REQUIRE(im[i].offset > im[i - 1].offset && im[i].offset < len,
                         "firmware: images out of order or outside the input");
        if (where == ROMCHECK_IN_FILE)
            file_errors = errors;
    }
    return file_errors;
}

/* romcheck_rom at every depth: counts, order of depths, determinism. */
static int check_verdicts(const uint8_t *rom, uint32_t len)
{
    struct tally bios, guest, full, again;

    run_check(rom, len, ROMCHECK_BIOS, &bios);
    run_check(rom, len, ROMCHECK_GUEST, &guest);
    run_check(rom, len, ROMCHECK_GUEST, &again);
    run_check(rom, len, ROMCHECK_FULL, &full);
    FUZZ_REQUIRE(bios.errors <= guest.errors && guest.errors <= full.errors,
                 "a deeper check found fewer errors");
    FUZZ_REQUIRE(guest.issues == again.issues && guest.hash == again.hash,
                 "the GUEST verdict is not deterministic");
    check_checksum(rom, len, &bios);
    check_checksum(rom, len, &full);
    FUZZ_REQUIRE(romcheck_rom(NULL, len, ROMCHECK_FULL, NULL, NULL) > 0,
                 "no image passes");
    return full.errors;
}

/* romcheck_reloc, romcheck_string and romcheck_call_name on the image. */
static void check_lookups(const uint8_t *rom, uint32_t len)
{
    uint32_t call, t, off, at;
    uint8_t type;
    const char *s;

    FUZZ_REQUIRE(!romcheck_call_name(VMI_CALL_COUNT), "a call past the last");
    t = len >= HDR_SIZE ? fuzz_le16(rom + offsetof(struct hyperrom_header,
                                                   reloc_table_offset)) : 0;
    for (call = 0; call <= VMI_CALL_COUNT; call++) {
        if (!romcheck_reloc(rom, len, call, &off, &type))
            continue;
        at = t + call * RELOC_ROW;
        FUZZ_REQUIRE(t && at + RELOC_ROW <= len, "reloc row outside the image");
        FUZZ_REQUIRE(off == fuzz_le16(rom + at) &&
                     type == rom[at + offsetof(struct hyperrom_reloc_entry,
                                               type)],
                     "reloc row read wrongly");
    }
    for (at = 0; at + sizeof(uint16_t) <= len && at < HDR_SIZE;
         at += sizeof(uint16_t)) {
        off = fuzz_le16(rom + at);
        s = romcheck_string(rom, len, off);
        FUZZ_REQUIRE(s ? s == (const char *)rom + off &&
                         memchr(rom + off, 0, len - off)
                       : off >= len || !memchr(rom + off, 0, len - off),
                     "romcheck_string disagrees with the bytes");
    }
}

/* Candidate f of a scan of the image placed at SCAN_BASE. */
static void check_candidate(const uint8_t *rom, uint32_t len,
                            const struct romcheck_found *f, uint32_t prev)
{
    uint32_t at = f->address - SCAN_BASE;

    FUZZ_REQUIRE(f->address % HR_SCAN_STEP == 0 && f->address > prev &&
                 f->address >= SCAN_BASE && f->address < HR_SCAN_END &&
                 (uint64_t)at + 2 <= len, "candidate off the 2 KiB steps");
    FUZZ_REQUIRE(fuzz_le16(rom + at) == HR_ROM_SIGNATURE,
                 "candidate without 55 AA");
    if (f->errors)
        return;
    FUZZ_REQUIRE(f->size && (uint64_t)at + f->size <= len &&
                 (uint64_t)f->address + f->size <= HR_SCAN_END,
                 "valid candidate outside the image or the area");
    FUZZ_REQUIRE(ref_sum(rom + at, f->size) == 0 && !f->overlaps,
                 "valid candidate with a bad checksum or overlapping");
}

/* romcheck_scan and romcheck_pick with the image at SCAN_BASE. */
static void check_scan(const uint8_t *rom, uint32_t len)
{
    static struct romcheck_found found[ROMCHECK_MAX_FOUND];
    int n = romcheck_scan(rom, SCAN_BASE, len, HR_LEGACY_SCAN_START,
                          HR_SCAN_END, found, ROMCHECK_MAX_FOUND), i, pick;
    uint32_t prev = 0;

    FUZZ_REQUIRE(n >= 0 && n <= (int)ROMCHECK_MAX_FOUND, "scan count");
    for (i = 0; i < n; i++) {
        check_candidate(rom, len, &found[i], prev);
        prev = found[i].address;
    }
    pick = romcheck_pick(found, n, HR_API_MAJOR, HR_API_MINOR);
    FUZZ_REQUIRE(pick >= -1 && pick < n, "pick out of range");
    if (pick >= 0)
        FUZZ_REQUIRE(!found[pick].errors &&
                     found[pick].hyper_signature == HR_VMI_SIGNATURE &&
                     found[pick].api_major == HR_API_MAJOR &&
                     found[pick].api_minor >= HR_API_MINOR,
                     "picked an invalid or incompatible ROM");
}

/* romsum check's exit status on the image (its judge and verdict line). */
static int tool_check(const uint8_t *rom, uint32_t len)
{
    struct verdict v;

    judge(NAME, rom, len, &v);
    return verdict_line(NAME, rom, &v, 0);
}

/* romsum's own info, check and build steps on the image. */
static void check_tool(const uint8_t *rom, uint32_t len, int full_errors,
                       int fw_errors)
{
    struct file f = { (uint8_t *)(uintptr_t)rom, len };
    int ok = fw_errors == 0 && (!romcheck_is_vmi(rom, len) ||
                                (full_errors == 0 && len <= HR_ROM_MAX_SIZE));
    uint32_t size;
    uint8_t *built;

    /* info and check each repeat the FULL check, the slowest step (every
     * call's symbol is looked up among all symbols): run info on one
     * length in TOOL_EVERY and check on another, to keep the executions
     * per second high; the fuzzer varies lengths all the time */
    if (len % TOOL_EVERY == TOOL_INFO)
        FUZZ_REQUIRE((info_image(NAME, rom, len) == EXIT_OK) == ok,
                     "romsum info's verdict differs from the checks");
    if (len % TOOL_EVERY == TOOL_CHECK)
        FUZZ_REQUIRE((tool_check(rom, len) == EXIT_OK) == ok,
                     "romsum check's verdict differs from the checks");
    if (build_refuses(NAME, &f, EXIT_OK))
        return;
    built = build_image(rom, len, &size);
    FUZZ_REQUIRE(built != NULL, "out of memory");
    FUZZ_REQUIRE(size % HR_ROM_UNIT == 0 && size > len &&
                 size - len <= HR_ROM_UNIT && size <= BUILD_MAX,
                 "built image is not whole units just past the input");
    FUZZ_REQUIRE(built[offsetof(struct hyperrom_header, rom_length)] ==
                 size / HR_ROM_UNIT, "built image's romLength");
    FUZZ_REQUIRE(ref_sum(built, size) == 0, "built image does not sum to 0");
    free(built);
}

/* Every check above on one image. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t len = size > CHECK_MAX ? CHECK_MAX : (uint32_t)size;
    int full_errors, fw_errors;

    if (!fuzz_sink)
        fuzz_sink = fopen("/dev/null", "w");
    FUZZ_REQUIRE(fuzz_sink != NULL, "cannot open /dev/null");
    full_errors = check_verdicts(data, len);
    fw_errors = check_firmware(data, len);
    check_lookups(data, len);
    check_scan(data, len);
    check_tool(data, len, full_errors, fw_errors);
    return 0;
}
