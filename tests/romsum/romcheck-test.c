/*
 * romcheck-test.c - tests of the shared ROM checker (tools/romsum/romcheck.c).
 *
 * Usage: romcheck-test ROM      (ROM: the built $(BUILD)/rom/vmi.rom)
 * Prints "PASS: what" or "FAIL: what: why" per check; exits 1 on any FAIL.
 *
 * The good ROM must pass with no issue at all; then every field the FULL
 * check covers is corrupted in turn (with the checksums re-fixed, so the
 * error must be that field's); then synthesized 128 KiB memory images are
 * scanned the way a guest does.  Built with sanitizers, the fuzz loop at
 * the end proves the checker never reads outside what it is given.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hyperrom.h"
#include "romcheck.h"
#include "romtest.h"

/* ---------------------------------------------------------------------
 * Issue collection
 * ------------------------------------------------------------------- */

#define MAX_ISSUES 512
#define HDR(field) ((uint32_t)offsetof(struct hyperrom_header, field))

struct issues {
    int n, errors, warnings;
    struct romcheck_issue is[MAX_ISSUES];
};

/* Reporter: keep every issue (up to MAX_ISSUES) and count by level. */
static void collect(void *ctx, const struct romcheck_issue *is)
{
    struct issues *l = ctx;

    if (is->level == ROMCHECK_ERROR)
        l->errors++;
    else
        l->warnings++;
    if (l->n < MAX_ISSUES)
        l->is[l->n++] = *is;
}

/* Check len bytes at rom to depth into l; return romcheck_rom's count. */
static int run_check(const uint8_t *rom, uint32_t len, enum romcheck_depth d,
                     struct issues *l)
{
    memset(l, 0, sizeof(*l));
    return romcheck_rom(rom, len, d, collect, l);
}

/* 1 if l holds an issue of level about field. */
static int has_issue(const struct issues *l, enum romcheck_level level,
                     const char *field)
{
    int i;

    for (i = 0; i < l->n; i++)
        if (l->is[i].level == level && !strcmp(l->is[i].field, field))
            return 1;
    return 0;
}

/* 1 if every error in l is about field. */
static int only_errors_about(const struct issues *l, const char *field)
{
    int i;

    for (i = 0; i < l->n; i++)
        if (l->is[i].level == ROMCHECK_ERROR && strcmp(l->is[i].field, field))
            return 0;
    return 1;
}

/* Describe the issues in l into buf (for FAIL lines). */
static const char *describe(const struct issues *l)
{
    static char buf[2048];
    size_t used = 0;
    int i;

    buf[0] = 0;
    for (i = 0; i < l->n && used < sizeof(buf) - 100; i++)
        used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s%s@0x%x",
                                 i ? ", " : "", l->is[i].level ? "warning " : "",
                                 l->is[i].field, l->is[i].offset);
    return l->n ? buf : "no issues";
}

/* ---------------------------------------------------------------------
 * The good ROM
 * ------------------------------------------------------------------- */

/* The built ROM passes every depth with no issue, and the lookups work. */
static int test_good(const uint8_t *rom, uint32_t len)
{
    static const enum romcheck_depth depths[] = {
        ROMCHECK_BIOS, ROMCHECK_GUEST, ROMCHECK_FULL };
    static const char *const names[] = { "BIOS", "GUEST", "FULL" };
    struct issues l;
    uint32_t v = 0, off = 0;
    uint8_t type = 0;
    char what[96];
    int d, ok = 1;

    for (d = 0; d < 3; d++) {
        int errors = run_check(rom, len, depths[d], &l);
        snprintf(what, sizeof(what), "good ROM: %s check reports no issue",
                 names[d]);
        ok &= check(errors == 0 && l.n == 0, what, "%d errors: %s", errors,
                    describe(&l));
    }
    check(romcheck_symbol(rom, len, HR_SYMBOL_PREFIX, "Init", &v) &&
          v == HR_VMI_INIT_OFFSET, "romcheck_symbol finds VMI_Init at 0x80",
          "got 0x%x", v);
    check(romcheck_reloc(rom, len, VMI_CALL_SetGDT, &off, &type) &&
          romcheck_symbol(rom, len, HR_SYMBOL_PREFIX, "SetGDT", &v) && v == off &&
          type == HR_RELOC_CALL_REL,
          "romcheck_reloc row SetGDT agrees with symbol VMI_SetGDT",
          "row 0x%x type %u, symbol 0x%x", off, type, v);
    check(romcheck_reloc(rom, len, VMI_CALL_IRET, &off, &type) &&
          type == HR_RELOC_JUMP_REL, "IRET is JUMP_REL", "type %u", type);
    check(!romcheck_reloc(rom, len, VMI_CALL_COUNT, &off, &type),
          "romcheck_reloc has no row past the last call", "it found one");
    check(!strcmp(romcheck_call_name(0), "CPUID") &&
          !strcmp(romcheck_call_name(VMI_CALL_COUNT - 1), "SetLazyMode") &&
          romcheck_call_name(VMI_CALL_COUNT) == NULL,
          "romcheck_call_name covers calls 0-73 and no more", "wrong names");
    return ok;
}

/* ---------------------------------------------------------------------
 * One field at a time
 * ------------------------------------------------------------------- */

enum base {           /* what a corruption's offset counts from */
    B_ROM, B_PCIR, B_PNP, B_LICENSE, B_ELF, B_SH_SYMTAB, B_SH_STRTAB,
    B_SYM_INIT, B_SYM_GETRELOC, B_SYM_SETGDT, B_RELOC_SETGDT,
    B_END,            /* counts back from the end of the ROM */
};
enum how { SET, ADD, SIZE_PLUS };   /* value replaces, adds, or size + value */

#define F_ONLY      1   /* every error must be about the field           */
#define F_WARNING   2   /* a warning about the field and no error at all */
#define F_CLEAN     4   /* an allowed variation: no issue at all         */
#define F_NO_PNP    8   /* do not re-fix the PnP checksum                */
#define F_NO_SUM   16   /* do not re-fix the ROM checksum                */

struct corruption {
    const char *what;
    enum base base;
    uint32_t off;
    int width;            /* 1, 2 or 4 bytes, little-endian */
    enum how how;
    int64_t value;
    const char *field;    /* the field the issue must name */
    int flags;
};

static const struct corruption corruptions[] = {
    { "romSignature", B_ROM, 0, 2, SET, 0xAB55, "romSignature", F_ONLY },
    { "romLength zero", B_ROM, 2, 1, SET, 0, "romLength", F_ONLY },
    { "romLength past the file", B_ROM, 2, 1, ADD, 1, "romLength", F_ONLY },
    { "romLength short of the file", B_ROM, 2, 1, ADD, -1, "romLength", 0 },
    { "hyperSignature", B_ROM, 8, 4, SET, 0x696d5664, "hyperSignature", F_ONLY },
    { "APIVersionMajor 4", B_ROM, 13, 1, SET, 4, "APIVersionMajor", F_ONLY },
    { "APIVersionMinor 7 is allowed", B_ROM, 12, 1, SET, 7, "-", F_CLEAN },
    { "jump_slots 1", B_ROM, 14, 1, SET, 1, "jump_slots", F_ONLY },
    { "VMI_Init jump opcode", B_ROM, 0x80, 1, SET, 0x90, "jump VMI_Init", F_ONLY },
    { "VMI_Init jump target", B_ROM, 0x81, 4, SET, 0x100000, "jump VMI_Init", F_ONLY },
    { "VMI_Init jump into the header", B_ROM, 0x81, 4, SET, -0x10, "jump VMI_Init", F_ONLY },
    { "VMI_Init jmp rel8 is allowed", B_ROM, 0x80, 2, SET, 0x0EEB, "-", F_CLEAN },
    { "VMI_Init jmp rel8 backwards out", B_ROM, 0x80, 2, SET, 0x80EB, "jump VMI_Init", F_ONLY },
    { "GetRelocationInfo jump opcode", B_ROM, 0x88, 1, SET, 0xC3,
      "jump VMI_GetRelocationInfo", F_ONLY },
    { "license_offset zero", B_ROM, 22, 2, SET, 0, "license_offset", F_ONLY },
    { "license_offset outside", B_ROM, 22, 2, SET, 0xFFFF, "license_offset", F_ONLY },
    { "license \"GPL v3\"", B_LICENSE, 5, 1, SET, '3', "license", F_ONLY },
    { "license \"GPL\" is allowed", B_LICENSE, 3, 1, SET, 0, "-", F_CLEAN },
    { "license \"gPL v2\"", B_LICENSE, 0, 1, SET, 'g', "license", F_ONLY },
    { "pciHeaderOffset zero", B_ROM, 24, 2, SET, 0, "pciHeaderOffset", F_ONLY },
    { "pciHeaderOffset near the end", B_ROM, 24, 2, SIZE_PLUS, -8, "pciHeaderOffset", F_ONLY },
    { "pciHeaderOffset outside", B_ROM, 24, 2, SET, 0xFFFF, "pciHeaderOffset", F_ONLY },
    { "PCIR.signature", B_PCIR, 0, 1, SET, 'X', "PCIR.signature", F_ONLY },
    { "PCIR.vendor_id", B_PCIR, 4, 2, SET, 0x1234, "PCIR.vendor_id", F_WARNING },
    { "PCIR.device_id", B_PCIR, 6, 2, SET, 0x0802, "PCIR.device_id", F_WARNING },
    { "PCIR.length", B_PCIR, 10, 2, SET, 32, "PCIR.length", F_ONLY },
    { "PCIR.code_type", B_PCIR, 20, 1, SET, 1, "PCIR.code_type", F_ONLY },
    { "PCIR.indicator", B_PCIR, 21, 1, SET, 0, "PCIR.indicator", F_ONLY },
    { "PCIR.image_length", B_PCIR, 16, 2, ADD, 1, "PCIR.image_length", F_ONLY },
    { "PCIR.max_runtime_length", B_PCIR, 22, 2, ADD, 1, "PCIR.max_runtime_length",
      F_WARNING },
    { "pnpHeaderOffset zero", B_ROM, 26, 2, SET, 0, "pnpHeaderOffset", F_ONLY },
    { "pnpHeaderOffset near the end", B_ROM, 26, 2, SIZE_PLUS, -16, "pnpHeaderOffset", F_ONLY },
    { "PnP.signature", B_PNP, 1, 1, SET, 'p', "PnP.signature", F_ONLY },
    { "PnP.length zero", B_PNP, 5, 1, SET, 0, "PnP.length", F_ONLY },
    { "PnP.length 1 (shorter than the header)", B_PNP, 5, 1, SET, 1, "PnP.length", F_ONLY },
    { "PnP.length outside", B_PNP, 5, 1, SET, 0xFF, "PnP.length", F_ONLY },
    { "PnP.checksum", B_PNP, 9, 1, ADD, 1, "PnP.checksum", F_ONLY | F_NO_PNP },
    { "PnP.manufacturer zero", B_PNP, 14, 2, SET, 0, "PnP.manufacturer", F_ONLY },
    { "PnP.manufacturer outside", B_PNP, 14, 2, SET, 0xFFFF, "PnP.manufacturer", F_ONLY },
    { "PnP.product zero", B_PNP, 16, 2, SET, 0, "PnP.product", F_ONLY },
    { "PnP.product outside", B_PNP, 16, 2, SIZE_PLUS, 0, "PnP.product", F_ONLY },
    { "reloc_table_offset outside", B_ROM, 32, 2, SIZE_PLUS, -8, "reloc_table_offset", F_ONLY },
    { "reloc_table_count 73", B_ROM, 34, 2, SET, 73, "reloc_table_count", F_ONLY },
    { "reloc_table_count 0", B_ROM, 34, 2, SET, 0, "reloc_table_count", F_ONLY },
    { "reloc_table_count huge", B_ROM, 34, 2, SET, 0xFFFF, "reloc_table_count", 0 },
    { "no relocation table (warning)", B_ROM, 32, 4, SET, 0, "reloc_table_offset", F_WARNING },
    { "reloc[SetGDT].type", B_RELOC_SETGDT, 2, 1, SET, 9, "reloc[SetGDT].type", F_ONLY },
    { "reloc[SetGDT].offset into the header", B_RELOC_SETGDT, 0, 2, SET, 0x10,
      "reloc[SetGDT].offset", 0 },
    { "reloc[SetGDT].offset outside", B_RELOC_SETGDT, 0, 2, SET, 0xFFFF,
      "reloc[SetGDT].offset", 0 },
    { "reloc[SetGDT].offset differs from its symbol", B_RELOC_SETGDT, 0, 2, ADD, 1,
      "symbol VMI_SetGDT", F_ONLY },
    { "ELF.magic", B_ELF, 1, 1, SET, 'e', "ELF.magic", F_ONLY },
    { "ELF.class", B_ELF, 4, 1, SET, 2, "ELF.class", F_ONLY },
    { "ELF.data", B_ELF, 5, 1, SET, 2, "ELF.data", F_ONLY },
    { "ELF.ei_version", B_ELF, 6, 1, SET, 0, "ELF.ei_version", F_ONLY },
    { "ELF.e_type", B_ELF, 16, 2, SET, 1, "ELF.e_type", F_ONLY },
    { "ELF.e_machine", B_ELF, 18, 2, SET, 62, "ELF.e_machine", F_ONLY },
    { "ELF.e_version", B_ELF, 20, 4, SET, 2, "ELF.e_version", F_ONLY },
    { "ELF.e_ehsize", B_ELF, 40, 2, SET, 64, "ELF.e_ehsize", F_ONLY },
    { "ELF.e_shentsize", B_ELF, 46, 2, SET, 0, "ELF.e_shentsize", F_ONLY },
    { "ELF.e_shnum zero", B_ELF, 48, 2, SET, 0, "ELF.e_shnum", F_ONLY },
    { "ELF.e_shoff outside", B_ELF, 32, 4, SET, 0xFFFFFF00, "ELF.e_shoff", F_ONLY },
    { "ELF.e_shnum too many", B_ELF, 48, 2, SET, 0xFFFF, "ELF.e_shoff", F_ONLY },
    { "ELF.e_shstrndx past the sections", B_ELF, 50, 2, SET, 9, "ELF.e_shstrndx", F_ONLY },
    { "ELF.e_shstrndx not a STRTAB", B_ELF, 50, 2, SET, HR_SEC_SYMTAB, "ELF.e_shstrndx", F_ONLY },
    { "no SYMTAB section", B_SH_SYMTAB, 4, 4, SET, HR_SHT_PROGBITS, "ELF.symtab", F_ONLY },
    { "symtab.sh_entsize", B_SH_SYMTAB, 36, 4, SET, 8, "symtab.sh_entsize", F_ONLY },
    { "symtab.sh_offset outside", B_SH_SYMTAB, 16, 4, SET, 0xFFFFF000, "symtab.sh_offset", F_ONLY },
    { "symtab.sh_size outside", B_SH_SYMTAB, 20, 4, SET, 0x100000, "symtab.sh_size", F_ONLY },
    { "symtab.sh_size not whole symbols", B_SH_SYMTAB, 20, 4, ADD, -4, "symtab.sh_size", 0 },
    { "symtab.sh_link to .text", B_SH_SYMTAB, 24, 4, SET, HR_SEC_TEXT, "symtab.sh_link", F_ONLY },
    { "symtab.sh_link past the sections", B_SH_SYMTAB, 24, 4, SET, 99, "symtab.sh_link", F_ONLY },
    { "strtab.sh_offset outside", B_SH_STRTAB, 16, 4, SET, 0xFFFFF000, "strtab.sh_offset", F_ONLY },
    { "strtab.sh_size outside", B_SH_STRTAB, 20, 4, SET, 0x100000, "strtab.sh_size", F_ONLY },
    { "symbol name outside its table", B_SYM_SETGDT, 0, 4, SET, 0xFFFFFF, "symtab.st_name", 0 },
    { "symbol VMI_Init value", B_SYM_INIT, 4, 4, SET, 0x90, "symbol VMI_Init", F_ONLY },
    { "symbol VMI_GetRelocationInfo value", B_SYM_GETRELOC, 4, 4, ADD, 1,
      "symbol VMI_GetRelocationInfo", F_ONLY },
    { "symbol VMI_SetGDT value", B_SYM_SETGDT, 4, 4, ADD, 1, "symbol VMI_SetGDT", F_ONLY },
    { "one byte flipped in the code", B_ROM, HR_CODE_OFFSET + 0x20, 1, ADD, 1, "checksum",
      F_ONLY | F_NO_SUM },
    { "one byte flipped in the padding", B_END, 2, 1, ADD, 1, "checksum",
      F_ONLY | F_NO_SUM },
};

/* ROM offset that base b stands for in the good ROM rom of len bytes. */
static uint32_t base_offset(const uint8_t *rom, uint32_t len, enum base b)
{
    switch (b) {
    case B_ROM:          return 0;
    case B_PCIR:         return get16(rom + HDR(pci_header_offset));
    case B_PNP:          return get16(rom + HDR(pnp_header_offset));
    case B_LICENSE:      return get16(rom + HDR(license_offset));
    case B_ELF:          return HR_ELF_BASE;
    case B_SH_SYMTAB:    return section_header(rom, HR_SEC_SYMTAB);
    case B_SH_STRTAB:    return section_header(rom, HR_SEC_STRTAB);
    case B_SYM_INIT:     return symbol_entry(rom, "VMI_Init");
    case B_SYM_GETRELOC: return symbol_entry(rom, "VMI_GetRelocationInfo");
    case B_SYM_SETGDT:   return symbol_entry(rom, "VMI_SetGDT");
    case B_RELOC_SETGDT: return reloc_row(rom, VMI_CALL_SetGDT);
    case B_END:          return len;
    }
    return 0;
}

/* Apply corruption c to rom (len bytes), then re-fix what c allows. */
static void corrupt(uint8_t *rom, uint32_t len, const struct corruption *c)
{
    uint32_t at = c->base == B_END ? len - c->off
                                   : base_offset(rom, len, c->base) + c->off;
    uint32_t old = c->width == 1 ? rom[at] : c->width == 2 ? get16(rom + at)
                                                           : get32(rom + at);
    uint32_t v = (uint32_t)(c->how == SET ? c->value
                            : c->how == ADD ? old + c->value : len + c->value);

    if (c->width == 1)
        rom[at] = (uint8_t)v;
    else if (c->width == 2)
        put16(rom + at, v);
    else
        put32(rom + at, v);
    if (!(c->flags & F_NO_PNP))
        fix_pnp(rom, len);
    if (!(c->flags & F_NO_SUM))
        fix_sum(rom, len);
}

/* Judge the issues l that corruption c produced; print one line. */
static void judge(const struct corruption *c, const struct issues *l)
{
    char what[160];
    int ok;

    if (c->flags & F_CLEAN) {
        snprintf(what, sizeof(what), "%s: no issue", c->what);
        ok = l->n == 0;
    } else if (c->flags & F_WARNING) {
        snprintf(what, sizeof(what), "%s: a warning naming %s, no error",
                 c->what, c->field);
        ok = l->errors == 0 && has_issue(l, ROMCHECK_WARNING, c->field);
    } else {
        snprintf(what, sizeof(what), "%s: an error naming %s%s", c->what,
                 c->field, c->flags & F_ONLY ? " and no other" : "");
        ok = has_issue(l, ROMCHECK_ERROR, c->field) &&
             (strcmp(c->field, "checksum") == 0 ||
              !has_issue(l, ROMCHECK_ERROR, "checksum")) &&
             (!(c->flags & F_ONLY) || only_errors_about(l, c->field));
    }
    check(ok, what, "got %s", describe(l));
}

/* Every corruption in the table, each on a fresh copy of the good ROM. */
static void test_corruptions(const uint8_t *good, uint32_t len)
{
    uint8_t *rom = malloc(len);
    struct issues l;
    size_t i;

    for (i = 0; i < sizeof(corruptions) / sizeof(corruptions[0]); i++) {
        memcpy(rom, good, len);
        corrupt(rom, len, &corruptions[i]);
        run_check(rom, len, ROMCHECK_FULL, &l);
        judge(&corruptions[i], &l);
    }
    free(rom);
}

/* ---------------------------------------------------------------------
 * Corruptions a table row cannot express
 * ------------------------------------------------------------------- */

/* Run FULL on rom and judge it as corruption what expecting field. */
static void expect_field(const uint8_t *rom, uint32_t len, const char *what,
                         const char *field, int flags)
{
    struct corruption c = { what, B_ROM, 0, 1, SET, 0, field, flags };
    struct issues l;

    run_check(rom, len, ROMCHECK_FULL, &l);
    judge(&c, &l);
}

/* A license string that runs into the end of the ROM without a NUL. */
static void test_license_unterminated(const uint8_t *good, uint32_t len)
{
    uint8_t *rom = malloc(len);
    uint8_t fill;

    memcpy(rom, good, len);
    put16(rom + HDR(license_offset), len - 2);
    /* the last byte is the checksum byte: choose the byte before it so
     * that the checksum byte is not zero, i.e. no NUL before the end */
    for (fill = 'G'; fill < 'Z'; fill++) {
        rom[len - 2] = fill;
        fix_sum(rom, len);
        if (rom[len - 1] != 0)
            break;
    }
    expect_field(rom, len, "license not NUL-terminated in the ROM", "license",
                 F_ONLY);
    free(rom);
}

/* A call's symbol renamed: VMI_SetGDT becomes VMI_SetGDX. */
static void test_symbol_renamed(const uint8_t *good, uint32_t len)
{
    uint8_t *rom = malloc(len);
    uint32_t sym, str, name;

    memcpy(rom, good, len);
    sym = symbol_entry(rom, "VMI_SetGDT");
    str = HR_ELF_BASE + get32(rom + section_header(rom, HR_SEC_STRTAB) +
                              offsetof(struct hr_elf32_shdr, sh_offset));
    name = str + get32(rom + sym);
    rom[name + strlen("VMI_SetGD")] = 'X';
    fix_sum(rom, len);
    expect_field(rom, len, "symbol VMI_SetGDT renamed", "symbol VMI_SetGDT", F_ONLY);
    free(rom);
}

/* Images shorter, longer or larger than they should be. */
static void test_extents(const uint8_t *good, uint32_t len)
{
    const uint32_t big = (HR_ROM_MAX_SIZE / HR_ROM_UNIT + 8) * HR_ROM_UNIT;
    uint8_t *rom = calloc(big, 1);
    uint32_t pcir = get16(good + HDR(pci_header_offset));
    struct issues l;

    check(run_check(good, 0, ROMCHECK_FULL, &l) == 1 && has_issue(&l, ROMCHECK_ERROR, "header"),
          "no bytes at all: one error naming header", "got %s", describe(&l));
    check(run_check(NULL, len, ROMCHECK_GUEST, &l) == 1,
          "NULL image: one error", "got %s", describe(&l));
    check(run_check(good, sizeof(struct hyperrom_header) - 1, ROMCHECK_BIOS, &l) == 1 &&
          has_issue(&l, ROMCHECK_ERROR, "header"), "127 bytes: error naming header",
          "got %s", describe(&l));
    expect_field(good, len - 1, "file one byte short", "romLength", F_ONLY);
    expect_field(good, len / 2, "file truncated to half", "romLength", F_ONLY);
    memcpy(rom, good, len);
    expect_field(rom, len + HR_ROM_UNIT, "file 512 bytes longer than romLength",
                 "romLength", F_ONLY);
    check(run_check(rom, len + HR_ROM_UNIT, ROMCHECK_GUEST, &l) == 0,
          "GUEST depth accepts bytes after the ROM (memory)", "got %s",
          describe(&l));
    /* a ROM larger than the option-ROM area, consistent otherwise */
    rom[HDR(rom_length)] = (uint8_t)(big / HR_ROM_UNIT);
    put16(rom + pcir + offsetof(struct hyperrom_pcir, image_length), big / HR_ROM_UNIT);
    put16(rom + pcir + offsetof(struct hyperrom_pcir, max_runtime_length),
          big / HR_ROM_UNIT);
    fix_sum(rom, big);
    expect_field(rom, big, "ROM larger than the 96 KiB area", "romLength", F_ONLY);
    free(rom);
}

/* Move the structure of n bytes that the header field at hdr locates so
 * that it ends `over` bytes past the end of the ROM (0: exactly at it). */
static void move_to_end(uint8_t *rom, uint32_t len, uint32_t hdr, uint32_t n,
                        uint32_t over)
{
    uint32_t from = get16(rom + hdr), to = len - n + over;

    memmove(rom + to, rom + from, n - over);
    put16(rom + hdr, to);
    fix_pnp(rom, len);
    fix_sum(rom, len);
}

/* Structures ending exactly at the end of the ROM are inside it; one
 * byte further they are not (catches off-by-one bounds). */
static void test_edges(const uint8_t *good, uint32_t len)
{
    static const struct {
        const char *name, *field;
        uint32_t hdr, size;
    } s[] = {
        { "PCIR", "pciHeaderOffset", HDR(pci_header_offset),
          sizeof(struct hyperrom_pcir) },
        { "PnP header", "pnpHeaderOffset", HDR(pnp_header_offset),
          sizeof(struct hyperrom_pnp) },
    };
    uint8_t *rom = malloc(len);
    struct issues l;
    char what[128];
    size_t i;

    for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
        memcpy(rom, good, len);
        move_to_end(rom, len, s[i].hdr, s[i].size, 0);
        run_check(rom, len, ROMCHECK_FULL, &l);
        snprintf(what, sizeof(what), "%s ending at the last byte: no %s error",
                 s[i].name, s[i].field);
        check(!has_issue(&l, ROMCHECK_ERROR, s[i].field), what, "got %s",
              describe(&l));
        memcpy(rom, good, len);
        move_to_end(rom, len, s[i].hdr, s[i].size, 1);
        snprintf(what, sizeof(what), "%s one byte past the end", s[i].name);
        expect_field(rom, len, what, s[i].field, F_ONLY);
    }
    for (i = 0; i < 2; i++) {   /* .strtab ending at the end, then past it */
        uint32_t sh = section_header(good, HR_SEC_STRTAB);
        uint32_t off = get32(good + sh + offsetof(struct hr_elf32_shdr, sh_offset));

        memcpy(rom, good, len);
        put32(rom + sh + offsetof(struct hr_elf32_shdr, sh_size),
              len - HR_ELF_BASE - off + (uint32_t)i);
        fix_sum(rom, len);
        run_check(rom, len, ROMCHECK_FULL, &l);
        check(i ? has_issue(&l, ROMCHECK_ERROR, "strtab.sh_size") && l.errors == 1
                : l.errors == 0,
              i ? ".strtab one byte past the end: error naming strtab.sh_size"
                : ".strtab ending at the last byte: no error", "got %s",
              describe(&l));
    }
    free(rom);
}

/* ---------------------------------------------------------------------
 * Fuzzing: garbage must give issues, never a crash or a stray read
 * ------------------------------------------------------------------- */

#define FUZZ_ROUNDS 8000

/* What the fuzz reporter verifies about each issue. */
struct fuzz_ctx {
    uint32_t avail;
    int errors, bad;
};

/* Deterministic xorshift32: the same run every time. */
static uint32_t rnd(void)
{
    static uint32_t x = 0x2545F491u;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
}

/* Reporter: each issue must be well formed and point inside the image. */
static void fuzz_report(void *ctx, const struct romcheck_issue *is)
{
    struct fuzz_ctx *f = ctx;

    if (is->level == ROMCHECK_ERROR)
        f->errors++;
    if (!is->field || !is->message || !*is->field || !*is->message ||
        (is->offset >= f->avail && is->offset != 0))
        f->bad++;
}

/* Point one offset field of the good ROM just before, at or after the end
 * of the ROM: off-by-one reads past the image show up here first. */
static void mutate_edge(uint8_t *rom, uint32_t len)
{
    const uint32_t pnp = get16(rom + HDR(pnp_header_offset));
    const uint32_t sh = section_header(rom, rnd() % 2 ? HR_SEC_SYMTAB
                                                      : HR_SEC_STRTAB);
    const uint32_t near = len - rnd() % 48 + rnd() % 2;  /* len-47 .. len */
    const uint32_t fields[] = {
        HDR(license_offset), HDR(pci_header_offset), HDR(pnp_header_offset),
        HDR(reloc_table_offset), pnp + offsetof(struct hyperrom_pnp, manufacturer),
        pnp + offsetof(struct hyperrom_pnp, product),
    };
    uint32_t pick = rnd() % (sizeof(fields) / sizeof(fields[0]) + 2);

    if (pick < sizeof(fields) / sizeof(fields[0]))
        put16(rom + fields[pick], near);
    else if (pick == sizeof(fields) / sizeof(fields[0]))  /* section start */
        put32(rom + sh + offsetof(struct hr_elf32_shdr, sh_offset),
              near - HR_ELF_BASE);
    else                                                  /* section end */
        put32(rom + sh + offsetof(struct hr_elf32_shdr, sh_size),
              near - HR_ELF_BASE -
              get32(rom + sh + offsetof(struct hr_elf32_shdr, sh_offset)));
}

/* Mutate a copy of good: an offset pushed to the edge, or a few random
 * bytes biased towards the header; often re-fix the checksums so that
 * the deeper checks run on the garbage too. */
static void mutate(uint8_t *rom, uint32_t len)
{
    int k, n = 1 + (int)(rnd() % 6);

    if (rnd() % 3 == 0)
        mutate_edge(rom, len);
    else
        for (k = 0; k < n; k++) {
            uint32_t at = rnd() % 3 ? rnd() % len : rnd() % (HR_CODE_OFFSET + 16);
            rom[at] = (uint8_t)(rnd() % 4 ? rnd() : rnd() % 2 ? 0xFF : 0);
        }
    if (rnd() % 4) {
        fix_pnp(rom, len);
        fix_sum(rom, len);
    }
}

/* Check one fuzzed image of n bytes (a malloc of exactly n, so that the
 * sanitizers see any read past it); return 1 if the results are sane. */
static int fuzz_one(const uint8_t *src, uint32_t n)
{
    uint8_t *img = malloc(n ? n : 1);
    struct fuzz_ctx f = { n, 0, 0 };
    uint32_t v, off;
    uint8_t type;
    int d, sane = 1;

    memcpy(img, src, n);
    for (d = ROMCHECK_BIOS; d <= ROMCHECK_FULL; d++) {
        f.errors = 0;
        sane &= romcheck_rom(img, n, (enum romcheck_depth)d, fuzz_report, &f) ==
                f.errors;
    }
    romcheck_symbol(img, n, HR_SYMBOL_PREFIX, "SetGDT", &v);
    romcheck_reloc(img, n, rnd() % (VMI_CALL_COUNT + 2), &off, &type);
    if (n)
        romcheck_string(img, n, rnd() % n);
    free(img);
    return sane && f.bad == 0;
}

/* Mutated and truncated copies of the good ROM, and pure garbage. */
static void test_fuzz(const uint8_t *good, uint32_t len)
{
    uint8_t *rom = malloc(len);
    int i, insane = 0;
    uint32_t k, n;

    for (i = 0; i < FUZZ_ROUNDS; i++) {
        memcpy(rom, good, len);
        mutate(rom, len);
        n = rnd() % 8 ? len : rnd() % (len + 1);
        insane += !fuzz_one(rom, n);
    }
    for (i = 0; i < FUZZ_ROUNDS / 4; i++) {
        n = rnd() % (len + 1);
        for (k = 0; k < n; k++)
            rom[k] = (uint8_t)rnd();
        if (n >= 3) {   /* look like a ROM often enough to get past 55 AA */
            put16(rom, HR_ROM_SIGNATURE);
            rom[HDR(rom_length)] = (uint8_t)(rnd() % (n / HR_ROM_UNIT + 2));
        }
        insane += !fuzz_one(rom, n);
    }
    check(insane == 0, "fuzz: mutated, truncated and random images give "
          "well-formed issues and error counts", "%d insane results", insane);
    free(rom);
}

/* Run every test on the ROM named by argv[1]. */
int main(int argc, char **argv)
{
    uint32_t len;
    uint8_t *good;

    if (argc < 2) {
        fprintf(stderr, "usage: %s ROM\n", argv[0]);
        return 2;
    }
    good = load_file(argv[1], &len);
    if (!test_good(good, len))
        return 1;   /* every other test starts from the good ROM */
    test_corruptions(good, len);
    test_license_unterminated(good, len);
    test_symbol_renamed(good, len);
    test_extents(good, len);
    test_edges(good, len);
    test_fuzz(good, len);
    free(good);
    return test_status();
}
