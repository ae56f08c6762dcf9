/*
 * romcheck.c - HyperROM image validation and the guest's option-ROM scan.
 *
 * Freestanding C11 (only <stdint.h>, <stddef.h> and hyperrom.h, no libc):
 * the guest shim and the hypervisor link this same file.  The image is
 * untrusted, so every read goes through rd8/rd16/rd32, which check bounds,
 * and every offset, length and count taken from the image is checked
 * against the ROM's extent (in 64-bit arithmetic) before it is followed.
 */
#include <stdint.h>
#include <stddef.h>
#include "hyperrom.h"
#include "romcheck.h"

#define HDR(field)  ((uint32_t)offsetof(struct hyperrom_header, field))
#define PCIR(field) ((uint32_t)offsetof(struct hyperrom_pcir, field))
#define PNP(field)  ((uint32_t)offsetof(struct hyperrom_pnp, field))
#define EHDR(field) \
    (HR_ELF_BASE + (uint32_t)offsetof(struct hr_elf32_ehdr, field))
#define SHDR(field) ((uint32_t)offsetof(struct hr_elf32_shdr, field))
#define SYM(field)  ((uint32_t)offsetof(struct hr_elf32_sym, field))
#define RELOC(field) ((uint32_t)offsetof(struct hyperrom_reloc_entry, field))

#define OPCODE_JMP_REL32  0xE9u   /* jump point forms the spec allows */
#define OPCODE_JMP_REL8   0xEBu
#define EI_CLASS          4u      /* e_ident indexes (System V gABI)  */
#define EI_DATA           5u
#define EI_VERSION        6u
#define PNP_LENGTH_UNIT   16u     /* the PnP length field counts these */

/* Rounding to scan steps uses a mask: no 64-bit division in 32-bit code. */
_Static_assert((HR_SCAN_STEP & (HR_SCAN_STEP - 1)) == 0, "step is 2^n");

/* Names of the calls, and the field names issues about them carry. */
#define CALL_NAME_(num, name)  [num] = #name,
#define SYM_FIELD_(num, name)  [num] = "symbol " HR_SYMBOL_PREFIX #name,
#define RELOC_OFF_(num, name)  [num] = "reloc[" #name "].offset",
#define RELOC_TYPE_(num, name) [num] = "reloc[" #name "].type",
static const char *const call_names[VMI_CALL_COUNT] = {
    HR_VMI_CALLS(CALL_NAME_)
};
static const char *const sym_fields[VMI_CALL_COUNT] = {
    HR_VMI_CALLS(SYM_FIELD_)
};
static const char *const reloc_off_fields[VMI_CALL_COUNT] = {
    HR_VMI_CALLS(RELOC_OFF_)
};
static const char *const reloc_type_fields[VMI_CALL_COUNT] = {
    HR_VMI_CALLS(RELOC_TYPE_)
};

/* One check in progress: the image, its checked extent and the reporter. */
struct chk {
    const uint8_t     *rom;
    uint32_t           size;   /* bytes that may be read: never past avail */
    romcheck_report_fn report; /* NULL: count silently                      */
    void              *ctx;
    int                errors;
    uint32_t           reloc_rows; /* usable rows of the relocation table   */
    uint32_t           image;      /* index of the image being checked      */
};

/* Where the ROM's symbol and string tables lie (ROM offsets and sizes). */
struct elf_tabs {
    uint32_t symtab, symsize, strtab, strsize;
};

/* 1 if len bytes at off lie inside size bytes; no overflow for any input. */
static int inside(uint32_t size, uint64_t off, uint64_t len)
{
    return len <= size && off <= size - len;
}

/* The byte at off, or 0 outside the extent (callers check first; this is
 * the last line of defence against reading past the image). */
static uint32_t rd8(const struct chk *c, uint64_t off)
{
    return inside(c->size, off, 1) ? c->rom[off] : 0;
}

/* Little-endian 16-bit field at off, 0 outside the extent. */
static uint32_t rd16(const struct chk *c, uint64_t off)
{
    return rd8(c, off) | rd8(c, off + 1) << 8;
}

/* Little-endian 32-bit field at off, 0 outside the extent. */
static uint32_t rd32(const struct chk *c, uint64_t off)
{
    return rd16(c, off) | rd16(c, off + 2) << 16;
}

/* Hand one issue to the reporter; count it if it is an error. */
static void issue_at(struct chk *c, enum romcheck_level level, uint64_t off,
                     const char *field, const char *msg, int has,
                     uint32_t found, uint32_t expected)
{
    struct romcheck_issue is;

    is.level = level;
    is.image = c->image;
    is.offset = (uint32_t)off;
    is.field = field;
    is.message = msg;
    is.found = found;
    is.expected = expected;
    is.has_values = has;
    if (level == ROMCHECK_ERROR)
        c->errors++;
    if (c->report)
        c->report(c->ctx, &is);
}

/* An error without values. */
static void err(struct chk *c, uint64_t off, const char *field, const char *msg)
{
    issue_at(c, ROMCHECK_ERROR, off, field, msg, 0, 0, 0);
}

/* An error showing the value found and the value expected. */
static void err_val(struct chk *c, uint64_t off, const char *field,
                    const char *msg, uint32_t found, uint32_t expected)
{
    issue_at(c, ROMCHECK_ERROR, off, field, msg, ROMCHECK_HAS_BOTH, found,
             expected);
}

/* An error showing only the (bad) value found, e.g. an offset. */
static void err_found(struct chk *c, uint64_t off, const char *field,
                      const char *msg, uint32_t found)
{
    issue_at(c, ROMCHECK_ERROR, off, field, msg, ROMCHECK_HAS_FOUND, found, 0);
}

/* Error unless the field at off (width 1, 2 or 4 bytes) equals want. */
static int expect(struct chk *c, uint32_t off, unsigned width,
                  const char *field, const char *msg, uint32_t want)
{
    uint32_t v = width == 1 ? rd8(c, off) : width == 2 ? rd16(c, off)
                                                       : rd32(c, off);
    if (v == want)
        return 1;
    err_val(c, off, field, msg, v, want);
    return 0;
}

/* The 8-bit sum of len bytes at p. */
uint8_t romcheck_sum8(const uint8_t *p, uint32_t len)
{
    uint8_t sum = 0;

    while (len--)
        sum = (uint8_t)(sum + *p++);
    return sum;
}

/* The string at offset if a NUL ends it before size, else NULL. */
const char *romcheck_string(const uint8_t *rom, uint32_t size, uint32_t offset)
{
    uint32_t i;

    for (i = offset; i < size; i++)
        if (rom[i] == 0)
            return (const char *)rom + offset;
    return NULL;
}

/* Name of call number call, NULL past the last call. */
const char *romcheck_call_name(uint32_t call)
{
    return call < VMI_CALL_COUNT ? call_names[call] : NULL;
}

/* 1 if NUL-terminated s equals a; both are in bounds by contract. */
static int str_eq(const char *s, const char *a)
{
    while (*s && *s == *a)
        s++, a++;
    return *s == *a;
}

/* 1 if the bytes at off, before end, spell prefix then name then NUL. */
static int name_is(const struct chk *c, uint64_t off, uint64_t end,
                   const char *prefix, const char *name)
{
    const char *parts[2] = { prefix, name };
    const char *p;
    int i;

    for (i = 0; i < 2; i++)
        for (p = parts[i]; *p; p++, off++)
            if (off >= end || rd8(c, off) != (uint8_t)*p)
                return 0;
    return off < end && rd8(c, off) == 0;
}

/* ---------------------------------------------------------------------
 * BIOS depth: what the firmware checks before it runs a ROM.
 * ------------------------------------------------------------------- */

/* Establish c->size from romLength; 0 if the rest can be checked. */
static int check_extent(struct chk *c, uint32_t avail, enum romcheck_depth d)
{
    uint32_t units, size;

    c->size = avail;
    if (avail < sizeof(struct hyperrom_header)) {
        err_val(c, 0, "header", "fewer bytes than the ROM header",
                avail, (uint32_t)sizeof(struct hyperrom_header));
        return -1;
    }
    expect(c, HDR(rom_signature), 2, "romSignature", "not an option ROM",
           HR_ROM_SIGNATURE);
    units = rd8(c, HDR(rom_length));
    size = units * HR_ROM_UNIT;
    if (units == 0) {
        err(c, HDR(rom_length), "romLength", "zero: the ROM has no extent");
        return -1;
    }
    if (size > avail) {
        err_val(c, HDR(rom_length), "romLength",
                "romLength * 512 runs past the available bytes", size, avail);
        return -1;
    }
    if (d == ROMCHECK_FULL && size != avail)
        err_val(c, HDR(rom_length), "romLength",
                "romLength * 512 differs from the file size", size, avail);
    if (d == ROMCHECK_FULL && size > HR_ROM_MAX_SIZE)
        err_val(c, HDR(rom_length), "romLength",
                "larger than the option-ROM area", size, HR_ROM_MAX_SIZE);
    c->size = size;
    if (romcheck_sum8(c->rom, size) != 0)
        err_val(c, size - 1, "checksum", "8-bit sum of the ROM is not zero",
                romcheck_sum8(c->rom, size), 0);
    return 0;
}

/* ---------------------------------------------------------------------
 * GUEST depth: what a guest checks before it calls into the ROM.
 * ------------------------------------------------------------------- */

/* Check the 8-byte jump point at off: jmp rel32/rel8 into the ROM code. */
static void check_jump(struct chk *c, uint32_t off, const char *field)
{
    uint32_t op = rd8(c, off), rel;
    int64_t target;

    if (op == OPCODE_JMP_REL32) {
        rel = rd32(c, off + 1);
        /* sign-extend without relying on implementation-defined casts */
        target = (int64_t)off + 5 + (int64_t)rel -
                 (rel >> 31 ? 0x100000000 : 0);
    } else if (op == OPCODE_JMP_REL8) {
        rel = rd8(c, off + 1);
        target = (int64_t)off + 2 + (int64_t)rel - (rel >> 7 ? 0x100 : 0);
    } else {
        err_val(c, off, field, "not a jmp rel32 (E9) or jmp rel8 (EB)", op,
                OPCODE_JMP_REL32);
        return;
    }
    if (target < HR_VMI_INIT_OFFSET || target >= c->size)
        err_found(c, off, field, "jump target outside the ROM code",
                  (uint32_t)target);
}

/* Check the license string: present, terminated, "GPL" or "GPL v2". */
static void check_license(struct chk *c)
{
    uint32_t off = rd16(c, HDR(license_offset));
    const char *s;

    if (off == 0) {
        err(c, HDR(license_offset), "license_offset", "no license string");
        return;
    }
    if (off >= c->size) {
        err_found(c, HDR(license_offset), "license_offset",
                  "points outside the ROM", off);
        return;
    }
    s = romcheck_string(c->rom, c->size, off);
    if (!s)
        err(c, off, "license", "not NUL-terminated inside the ROM");
    else if (!str_eq(s, HR_LICENSE_GPL) && !str_eq(s, HR_LICENSE_GPL_V2))
        err(c, off, "license", "must read \"GPL\" or \"GPL v2\" for Linux");
}

/* The length a PCI data structure of revision rev has (PCI Firmware spec
 * 3.0): 0x18 for revision 0, 0x1C for revision 3; for revisions no
 * spec defines, the revision-0 length, the least a reader relies on. */
static uint32_t pcir_length(uint32_t rev)
{
    return rev == HR_PCIR_REVISION ? HR_PCIR_REV3_LENGTH : HR_PCIR_REV0_LENGTH;
}

/* Check the PCI data structure; the FULL depth checks every field. */
static void check_pcir(struct chk *c, enum romcheck_depth d)
{
    uint32_t p = rd16(c, HDR(pci_header_offset));
    uint32_t units = rd8(c, HDR(rom_length));

    if (p == 0) {
        err(c, HDR(pci_header_offset), "pciHeaderOffset",
            "no PCI data structure");
        return;
    }
    if (!inside(c->size, p, sizeof(struct hyperrom_pcir))) {
        err_found(c, HDR(pci_header_offset), "pciHeaderOffset",
                  "PCI data structure runs outside the ROM", p);
        return;
    }
    if (!expect(c, p + PCIR(signature), 4, "PCIR.signature", "not \"PCIR\"",
                HR_PCIR_SIGNATURE))
        return;
    if (rd16(c, p + PCIR(vendor_id)) != HR_PCI_VENDOR_VMWARE)
        issue_at(c, ROMCHECK_WARNING, p + PCIR(vendor_id), "PCIR.vendor_id",
                 "not the vendor Linux expects", ROMCHECK_HAS_BOTH,
                 rd16(c, p + PCIR(vendor_id)), HR_PCI_VENDOR_VMWARE);
    if (rd16(c, p + PCIR(device_id)) != HR_PCI_DEVICE_VMI)
        issue_at(c, ROMCHECK_WARNING, p + PCIR(device_id), "PCIR.device_id",
                 "not the device Linux expects", ROMCHECK_HAS_BOTH,
                 rd16(c, p + PCIR(device_id)), HR_PCI_DEVICE_VMI);
    if (d < ROMCHECK_FULL)
        return;
    expect(c, p + PCIR(length), 2, "PCIR.length",
           "not the size of a structure of this revision",
           pcir_length(rd8(c, p + PCIR(revision))));
    expect(c, p + PCIR(code_type), 1, "PCIR.code_type", "not x86 (PC-AT)",
           HR_PCIR_CODE_X86);
    if (!(rd8(c, p + PCIR(indicator)) & HR_PCIR_LAST_IMAGE))
        err_found(c, p + PCIR(indicator), "PCIR.indicator",
                  "last-image bit is clear", rd8(c, p + PCIR(indicator)));
    expect(c, p + PCIR(image_length), 2, "PCIR.image_length",
           "differs from romLength", units);
    if (rd8(c, p + PCIR(revision)) == HR_PCIR_REVISION &&
        rd16(c, p + PCIR(max_runtime_length)) != units)
        issue_at(c, ROMCHECK_WARNING, p + PCIR(max_runtime_length),
                 "PCIR.max_runtime_length", "differs from romLength",
                 ROMCHECK_HAS_BOTH, rd16(c, p + PCIR(max_runtime_length)),
                 units);
}

/* The checks of the GUEST depth, after the extent is known. */
static void check_guest(struct chk *c, enum romcheck_depth d)
{
    expect(c, HDR(hyper_signature), 4, "hyperSignature", "not \"cVmi\"",
           HR_VMI_SIGNATURE);
    if (rd8(c, HDR(jump_slots)) < HR_JUMP_SLOTS)
        err_val(c, HDR(jump_slots), "jump_slots",
                "fewer than the API's jump points", rd8(c, HDR(jump_slots)),
                HR_JUMP_SLOTS);
    check_jump(c, HR_VMI_INIT_OFFSET, "jump VMI_Init");
    check_jump(c, HR_GET_RELOC_OFFSET, "jump VMI_GetRelocationInfo");
    check_license(c);
    check_pcir(c, d);
}

/* ---------------------------------------------------------------------
 * FULL depth: everything else the spec promises about a HyperROM image.
 * ------------------------------------------------------------------- */

/* Check one PnP string offset at field_off: nonzero, terminated inside. */
static void check_pnp_string(struct chk *c, uint32_t field_off,
                             const char *field)
{
    uint32_t s = rd16(c, field_off);

    if (s == 0)
        err(c, field_off, field, "no string");
    else if (!romcheck_string(c->rom, c->size, s))
        err_found(c, field_off, field,
                  "not a NUL-terminated string inside the ROM", s);
}

/* Check the PnP expansion header: place, signature, length, checksum. */
static void check_pnp(struct chk *c)
{
    uint32_t p = rd16(c, HDR(pnp_header_offset)), len;

    if (p == 0) {
        err(c, HDR(pnp_header_offset), "pnpHeaderOffset",
            "no PnP expansion header");
        return;
    }
    if (!inside(c->size, p, sizeof(struct hyperrom_pnp))) {
        err_found(c, HDR(pnp_header_offset), "pnpHeaderOffset",
                  "PnP header runs outside the ROM", p);
        return;
    }
    if (!expect(c, p + PNP(signature), 4, "PnP.signature", "not \"$PnP\"",
                HR_PNP_SIGNATURE))
        return;
    len = rd8(c, p + PNP(length)) * PNP_LENGTH_UNIT;
    if (len < sizeof(struct hyperrom_pnp) || !inside(c->size, p, len)) {
        err_val(c, p + PNP(length), "PnP.length",
                "not a whole header inside the ROM", rd8(c, p + PNP(length)),
                HR_PNP_LENGTH_UNITS);
        return;
    }
    if (romcheck_sum8(c->rom + p, len) != 0)
        err_val(c, p + PNP(checksum), "PnP.checksum",
                "8-bit sum of the header is not zero",
                romcheck_sum8(c->rom + p, len), 0);
    check_pnp_string(c, p + PNP(manufacturer), "PnP.manufacturer");
    check_pnp_string(c, p + PNP(product), "PnP.product");
}

/* Check row i of the relocation table at row offset r. */
static void check_reloc_row(struct chk *c, uint32_t i, uint32_t r)
{
    uint32_t type = rd8(c, r + RELOC(type)), eip = rd16(c, r + RELOC(offset));

    if (type > HR_RELOC_TYPE_MAX) {
        err_found(c, r + RELOC(type), reloc_type_fields[i],
                  "not a relocation type", type);
        return;
    }
    if ((type == HR_RELOC_CALL_REL || type == HR_RELOC_JUMP_REL) &&
        (eip < HR_VMI_INIT_OFFSET || eip >= c->size))
        err_found(c, r + RELOC(offset), reloc_off_fields[i],
                  "entry point outside the ROM code", eip);
}

/* Check the static relocation table; set c->reloc_rows to usable rows. */
static void check_relocs(struct chk *c)
{
    uint32_t t = rd16(c, HDR(reloc_table_offset));
    uint32_t n = rd16(c, HDR(reloc_table_count)), i;
    const uint32_t row = sizeof(struct hyperrom_reloc_entry);

    if (t == 0 && n == 0) {
        issue_at(c, ROMCHECK_WARNING, HDR(reloc_table_offset),
                 "reloc_table_offset",
                 "no relocation table: entry points not checked", 0, 0, 0);
        return;
    }
    if (n != VMI_CALL_COUNT)
        err_val(c, HDR(reloc_table_count), "reloc_table_count",
                "not one row per call", n, VMI_CALL_COUNT);
    if (t == 0 || !inside(c->size, t, (uint64_t)n * row)) {
        err_found(c, HDR(reloc_table_offset), "reloc_table_offset",
                  "table runs outside the ROM", t);
        return;
    }
    c->reloc_rows = n < VMI_CALL_COUNT ? n : VMI_CALL_COUNT;
    for (i = 0; i < c->reloc_rows; i++)
        check_reloc_row(c, i, t + i * row);
}

/* Check the ELF32 header at HR_ELF_BASE; on success set *table to the ROM
 * offset of the section headers and *count to their number, return 1. */
static int check_ehdr(struct chk *c, uint32_t *table, uint32_t *count)
{
    const uint32_t id = EHDR(e_ident), shsize = sizeof(struct hr_elf32_shdr);
    uint32_t shoff = rd32(c, EHDR(e_shoff)), shnum = rd16(c, EHDR(e_shnum));
    uint32_t strndx = rd16(c, EHDR(e_shstrndx));
    int ok;

    if (!expect(c, id, 4, "ELF.magic", "not an ELF header", HR_ELF_MAGIC))
        return 0;
    expect(c, id + EI_CLASS, 1, "ELF.class", "not ELFCLASS32", HR_ELFCLASS32);
    expect(c, id + EI_DATA, 1, "ELF.data", "not little-endian", HR_ELFDATA2LSB);
    expect(c, id + EI_VERSION, 1, "ELF.ei_version", "not EV_CURRENT",
           HR_EV_CURRENT);
    expect(c, EHDR(e_type), 2, "ELF.e_type", "not ET_EXEC", HR_ET_EXEC);
    expect(c, EHDR(e_machine), 2, "ELF.e_machine", "not EM_386", HR_EM_386);
    expect(c, EHDR(e_version), 4, "ELF.e_version", "not EV_CURRENT",
           HR_EV_CURRENT);
    expect(c, EHDR(e_ehsize), 2, "ELF.e_ehsize", "not the ELF32 header size",
           sizeof(struct hr_elf32_ehdr));
    ok = expect(c, EHDR(e_shentsize), 2, "ELF.e_shentsize",
                "not the ELF32 section header size", shsize);
    if (shnum == 0) {
        err(c, EHDR(e_shnum), "ELF.e_shnum", "no section headers");
        return 0;
    }
    if (!inside(c->size, (uint64_t)HR_ELF_BASE + shoff,
                (uint64_t)shnum * shsize)) {
        err_found(c, EHDR(e_shoff), "ELF.e_shoff",
                  "section headers run outside the ROM", shoff);
        return 0;
    }
    *table = HR_ELF_BASE + shoff;
    *count = shnum;
    if (strndx >= shnum)
        err_val(c, EHDR(e_shstrndx), "ELF.e_shstrndx", "no such section",
                strndx, shnum - 1);
    else if (rd32(c, *table + strndx * shsize + SHDR(sh_type)) != HR_SHT_STRTAB)
        err_found(c, EHDR(e_shstrndx), "ELF.e_shstrndx",
                  "not a string table", strndx);
    return ok;
}

/* Check that section header sh lies inside the ROM; its start and size. */
static int section_extent(struct chk *c, uint32_t sh, const char *off_field,
                          const char *size_field, uint32_t *start,
                          uint32_t *size)
{
    uint32_t off = rd32(c, sh + SHDR(sh_offset));
    uint32_t len = rd32(c, sh + SHDR(sh_size));
    uint64_t at = (uint64_t)HR_ELF_BASE + off;

    if (!inside(c->size, at, 0)) {
        err_found(c, sh + SHDR(sh_offset), off_field,
                  "section starts outside the ROM", off);
        return 0;
    }
    if (!inside(c->size, at, len)) {
        err_found(c, sh + SHDR(sh_size), size_field,
                  "section runs past the end of the ROM", len);
        return 0;
    }
    *start = (uint32_t)at;
    *size = len;
    return 1;
}

/* Locate the first SYMTAB in sections[count] at table and the STRTAB its
 * sh_link names; report what is wrong; 1 if both are usable. */
static int find_tables(struct chk *c, uint32_t table, uint32_t count,
                       struct elf_tabs *e)
{
    const uint32_t shsize = sizeof(struct hr_elf32_shdr);
    uint32_t i, sh = 0, link;

    for (i = 0; i < count && !sh; i++)
        if (rd32(c, table + i * shsize + SHDR(sh_type)) == HR_SHT_SYMTAB)
            sh = table + i * shsize;
    if (!sh) {
        err(c, EHDR(e_shoff), "ELF.symtab", "no SYMTAB section");
        return 0;
    }
    if (!expect(c, sh + SHDR(sh_entsize), 4, "symtab.sh_entsize",
                "not the ELF32 symbol size", sizeof(struct hr_elf32_sym)) ||
        !section_extent(c, sh, "symtab.sh_offset", "symtab.sh_size",
                        &e->symtab, &e->symsize))
        return 0;
    if (e->symsize % sizeof(struct hr_elf32_sym) != 0)
        err_found(c, sh + SHDR(sh_size), "symtab.sh_size",
                  "not a whole number of symbols", e->symsize);
    link = rd32(c, sh + SHDR(sh_link));
    if (link >= count ||
        rd32(c, table + link * shsize + SHDR(sh_type)) != HR_SHT_STRTAB) {
        err_found(c, sh + SHDR(sh_link), "symtab.sh_link",
                  "does not name a STRTAB section", link);
        return 0;
    }
    return section_extent(c, table + link * shsize, "strtab.sh_offset",
                          "strtab.sh_size", &e->strtab, &e->strsize);
}

/* Check the ELF header and find the symbol tables; 1 if usable. */
static int check_elf(struct chk *c, struct elf_tabs *e)
{
    uint32_t table, count;

    if (!check_ehdr(c, &table, &count))
        return 0;
    return find_tables(c, table, count, e);
}

/* Every symbol's name must be a NUL-terminated string in the string table. */
static void check_symbol_names(struct chk *c, const struct elf_tabs *e)
{
    const uint32_t symsz = sizeof(struct hr_elf32_sym);
    uint32_t k, s, name;

    for (k = 0; k < e->symsize / symsz; k++) {
        s = e->symtab + k * symsz;
        name = rd32(c, s + SYM(st_name));
        if (name >= e->strsize ||
            !romcheck_string(c->rom, e->strtab + e->strsize, e->strtab + name))
            err_found(c, s + SYM(st_name), "symtab.st_name",
                      "name is not a string in the string table", name);
    }
}

/* ROM offset of the symbol named prefix+name, or 0 if there is none. */
static uint32_t find_symbol(const struct chk *c, const struct elf_tabs *e,
                            const char *prefix, const char *name)
{
    const uint32_t symsz = sizeof(struct hr_elf32_sym);
    uint32_t k, s, n;

    for (k = 0; k < e->symsize / symsz; k++) {
        s = e->symtab + k * symsz;
        n = rd32(c, s + SYM(st_name));
        if (n < e->strsize &&
            name_is(c, (uint64_t)e->strtab + n,
                    (uint64_t)e->strtab + e->strsize, prefix, name))
            return s;
    }
    return 0;
}

/* Error unless symbol prefix+name exists and has value want. */
static void expect_symbol(struct chk *c, const struct elf_tabs *e,
                          const char *name, const char *field, uint32_t want)
{
    uint32_t s = find_symbol(c, e, HR_SYMBOL_PREFIX, name);

    if (!s)
        err(c, e->symtab, field, "no such symbol");
    else
        expect(c, s + SYM(st_value), 4, field,
               "symbol value differs from the entry point", want);
}

/* The jump points and every call have symbols matching the reloc table. */
static void check_symbols(struct chk *c, const struct elf_tabs *e)
{
    const uint32_t t = rd16(c, HDR(reloc_table_offset));
    const uint32_t row = sizeof(struct hyperrom_reloc_entry);
    uint32_t i, s;

    check_symbol_names(c, e);
    expect_symbol(c, e, "Init", "symbol VMI_Init", HR_VMI_INIT_OFFSET);
    expect_symbol(c, e, "GetRelocationInfo", "symbol VMI_GetRelocationInfo",
                  HR_GET_RELOC_OFFSET);
    for (i = 0; i < VMI_CALL_COUNT; i++) {
        if (i < c->reloc_rows) {
            expect_symbol(c, e, call_names[i], sym_fields[i],
                          rd16(c, t + i * row + RELOC(offset)));
            continue;
        }
        s = find_symbol(c, e, HR_SYMBOL_PREFIX, call_names[i]);
        if (!s)
            err(c, e->symtab, sym_fields[i], "no such symbol");
    }
}

/* The checks only the FULL depth makes. */
static void check_full(struct chk *c)
{
    struct elf_tabs e;

    expect(c, HDR(api_version_major), 1, "APIVersionMajor",
           "not the API major version this tool checks", HR_API_MAJOR);
    check_pnp(c);
    check_relocs(c);
    if (check_elf(c, &e))
        check_symbols(c, &e);
}

/* Check rom (avail bytes) to depth; report issues; return the errors. */
int romcheck_rom(const uint8_t *rom, uint32_t avail, enum romcheck_depth depth,
                 romcheck_report_fn report, void *ctx)
{
    struct chk c;

    c.rom = rom;
    c.size = 0;
    c.report = report;
    c.ctx = ctx;
    c.errors = 0;
    c.reloc_rows = 0;
    c.image = 0;
    if (!rom)
        avail = 0;
    if (check_extent(&c, avail, depth) != 0)
        return c.errors;
    if (depth >= ROMCHECK_GUEST)
        check_guest(&c, depth);
    if (depth >= ROMCHECK_FULL)
        check_full(&c);
    return c.errors;
}

/* ---------------------------------------------------------------------
 * Firmware level: what any option ROM must be, image by image.  The
 * errors are what SeaBIOS refuses (src/optionroms.c: 55 AA, a nonzero
 * romLength, a zero 8-bit sum; images chained by PCIR image length and
 * the last-image bit) and what breaks the PCI Firmware spec 3.0's
 * structure rules; what firmware tolerates is a warning.
 * ------------------------------------------------------------------- */

#define EFI(field)   ((uint32_t)offsetof(struct romcheck_efi_header, field))
#define PNP_MAX_CHAIN     16u      /* $PnP headers followed before a loop */
#define PCIR_ALIGN_MASK   3u       /* the PCIR is DWORD-aligned (PCI FW)  */
#define PCIR_INDICATOR_RESERVED 0x7Fu /* indicator bits below last-image  */

/* Code type names, indexed by ROMCHECK_CODE_*. */
static const char *const code_names[] = {
    [ROMCHECK_CODE_X86] = "x86 (PC-AT)",
    [ROMCHECK_CODE_OPENFW] = "Open Firmware",
    [ROMCHECK_CODE_PARISC] = "HP PA-RISC",
    [ROMCHECK_CODE_EFI] = "EFI",
};

/* Name of code type t. */
const char *romcheck_code_name(uint32_t t)
{
    if (t == ROMCHECK_CODE_NONE)
        return "legacy x86";
    return t <= ROMCHECK_CODE_EFI ? code_names[t] : "reserved code type";
}

/* 1 if the first image carries "cVmi" at the VMI header's place. */
int romcheck_is_vmi(const uint8_t *rom, uint32_t avail)
{
    struct chk c = { rom, rom ? avail : 0, NULL, NULL, 0, 0, 0 };

    return rd16(&c, HDR(rom_signature)) == HR_ROM_SIGNATURE &&
           inside(c.size, HDR(hyper_signature), 4) &&
           rd32(&c, HDR(hyper_signature)) == HR_VMI_SIGNATURE;
}

/* Zero every field of im, without a struct assignment (memset/memcpy are
 * not there in freestanding code), and set its offset. */
static void image_clear(struct romcheck_image *im, uint32_t offset)
{
    im->offset = offset;
    im->init_size = im->length = 0;
    im->code_type = ROMCHECK_CODE_NONE;
    im->pcir = im->pnp = im->manufacturer = im->product = 0;
    im->vendor_id = im->device_id = 0;
    im->class_code[0] = im->class_code[1] = im->class_code[2] = 0;
    im->revision = 0;
    im->last = 1;
}

/* Copy image from to to, field by field. */
static void image_copy(struct romcheck_image *to,
                       const struct romcheck_image *from)
{
    image_clear(to, from->offset);
    to->init_size = from->init_size;
    to->length = from->length;
    to->code_type = from->code_type;
    to->pcir = from->pcir;
    to->pnp = from->pnp;
    to->manufacturer = from->manufacturer;
    to->product = from->product;
    to->vendor_id = from->vendor_id;
    to->device_id = from->device_id;
    to->class_code[0] = from->class_code[0];
    to->class_code[1] = from->class_code[1];
    to->class_code[2] = from->class_code[2];
    to->revision = from->revision;
    to->last = from->last;
}

/* Image offset of the image's PCIR if pointer @0x18 finds "PCIR" inside
 * the lim bytes readable from o, else 0 (no PCI data: a legacy ROM). */
static uint32_t fw_find_pcir(const struct chk *c, uint32_t o, uint32_t lim)
{
    uint32_t p = rd16(c, (uint64_t)o + ROMCHECK_PCIR_POINTER);

    if (p == 0 || !inside(lim, p, 4))
        return 0;
    return rd32(c, (uint64_t)o + p) == HR_PCIR_SIGNATURE ? p : 0;
}

/* x86 image at im->offset: romLength, extent and checksum; 0 if usable. */
static int fw_x86(struct chk *c, struct romcheck_image *im)
{
    uint32_t o = im->offset, units = rd8(c, (uint64_t)o + HDR(rom_length));
    uint32_t size = units * HR_ROM_UNIT;

    if (units == 0) {
        err(c, o + HDR(rom_length), "romLength", "zero: the ROM has no extent");
        return -1;
    }
    if (!inside(c->size, o, size)) {
        err_val(c, o + HDR(rom_length), "romLength",
                "romLength * 512 runs past the available bytes", size,
                c->size - o);
        return -1;
    }
    im->init_size = size;
    if (romcheck_sum8(c->rom + o, size) != 0)
        err_val(c, (uint64_t)o + size - 1, "checksum",
                "8-bit sum of the romLength * 512 bytes is not zero",
                romcheck_sum8(c->rom + o, size), 0);
    return 0;
}

/* EFI image header at im->offset (UEFI "PCI Option ROMs"); 0 if usable. */
static int fw_efi(struct chk *c, struct romcheck_image *im)
{
    uint32_t o = im->offset, size, at;

    if (!expect(c, o + EFI(efi_signature), 4, "EFI.signature",
                "not an EFI image header (0EF1h)", ROMCHECK_EFI_SIGNATURE))
        return -1;
    size = rd16(c, (uint64_t)o + EFI(init_size)) * HR_ROM_UNIT;
    if (size == 0 || !inside(c->size, o, size)) {
        err_found(c, o + EFI(init_size), "EFI.init_size",
                  "zero or past the available bytes", size / HR_ROM_UNIT);
        return -1;
    }
    im->init_size = size;
    if (romcheck_sum8(c->rom + o, size) != 0)
        issue_at(c, ROMCHECK_WARNING, (uint64_t)o + size - 1, "checksum",
                 "8-bit sum of the initialization size is not zero",
                 ROMCHECK_HAS_BOTH, romcheck_sum8(c->rom + o, size), 0);
    at = rd16(c, (uint64_t)o + EFI(image_offset));
    if (at < sizeof(struct romcheck_efi_header) || !inside(size, at, 2))
        err_found(c, o + EFI(image_offset), "EFI.image_offset",
                  "EFI image outside the initialization size", at);
    else if (rd16(c, (uint64_t)o + EFI(compression)) == 0 &&
             rd16(c, (uint64_t)o + at) != ROMCHECK_PE_MZ)
        issue_at(c, ROMCHECK_WARNING, o + EFI(image_offset),
                 "EFI.image_offset", "uncompressed image does not start "
                 "with \"MZ\"", ROMCHECK_HAS_FOUND, at, 0);
    return 0;
}

/* Rev-3 pointer field at p+field: 0 or an offset (from base) inside ext. */
static void fw_pointer(struct chk *c, uint32_t o, uint32_t p, uint32_t field,
                       uint32_t base, uint32_t ext, const char *name)
{
    uint32_t v = rd16(c, (uint64_t)o + p + field);

    if (v != 0 && (uint64_t)base + v >= ext)
        err_found(c, (uint64_t)o + p + field, name,
                  "points outside the image", v);
}

/* The rev-3 device list at PCIR+list: 16-bit IDs ending with 0 (PCI FW
 * 3.0); it must end inside the lim readable bytes of the image. */
static void fw_device_list(struct chk *c, uint32_t o, uint32_t p,
                           uint32_t lim)
{
    uint32_t list = rd16(c, (uint64_t)o + p + PCIR(device_list)), at;

    if (list == 0)
        return;
    for (at = p + list; inside(lim, at, 2); at += 2)
        if (rd16(c, (uint64_t)o + at) == 0)
            return;
    err_found(c, (uint64_t)o + p + PCIR(device_list), "PCIR.device_list",
              "list does not end (0000h) inside the image", list);
}

/* Identity and rev-3 fields of the PCI data structure at im->pcir. */
static void fw_pcir_fields(struct chk *c, struct romcheck_image *im,
                           uint32_t lim)
{
    uint32_t o = im->offset, p = im->pcir;
    uint64_t f = (uint64_t)o + p;
    uint32_t runtime = rd16(c, f + PCIR(max_runtime_length));

    im->vendor_id = (uint16_t)rd16(c, f + PCIR(vendor_id));
    im->device_id = (uint16_t)rd16(c, f + PCIR(device_id));
    im->class_code[0] = (uint8_t)rd8(c, f + PCIR(class_code));
    im->class_code[1] = (uint8_t)rd8(c, f + PCIR(class_code) + 1);
    im->class_code[2] = (uint8_t)rd8(c, f + PCIR(class_code) + 2);
    im->revision = (uint8_t)rd8(c, f + PCIR(revision));
    im->last = (rd8(c, f + PCIR(indicator)) & HR_PCIR_LAST_IMAGE) != 0;
    if (im->code_type > ROMCHECK_CODE_EFI)
        issue_at(c, ROMCHECK_WARNING, f + PCIR(code_type), "PCIR.code_type",
                 "a code type the PCI Firmware spec reserves",
                 ROMCHECK_HAS_FOUND, im->code_type, 0);
    if (rd8(c, f + PCIR(indicator)) & PCIR_INDICATOR_RESERVED)
        issue_at(c, ROMCHECK_WARNING, f + PCIR(indicator), "PCIR.indicator",
                 "reserved bits set", ROMCHECK_HAS_FOUND,
                 rd8(c, f + PCIR(indicator)), 0);
    if (im->revision != HR_PCIR_REVISION)
        return;     /* the fields below are reserved before revision 3 */
    if ((uint64_t)runtime * HR_ROM_UNIT > im->length)
        issue_at(c, ROMCHECK_WARNING, f + PCIR(max_runtime_length),
                 "PCIR.max_runtime_length", "larger than the image",
                 ROMCHECK_HAS_BOTH, runtime, im->length / HR_ROM_UNIT);
    fw_device_list(c, o, p, lim);
    fw_pointer(c, o, p, PCIR(config_utility), 0, im->length,
               "PCIR.config_utility");
    fw_pointer(c, o, p, PCIR(clp_entry), 0, im->length, "PCIR.clp_entry");
}

/* The PCI data structure at im->pcir (PCI Firmware spec 3.0):
 * revision and length, image length, identity. */
static void fw_pcir(struct chk *c, struct romcheck_image *im,
                    enum romcheck_where where)
{
    uint32_t o = im->offset, p = im->pcir, lim;
    uint64_t f = (uint64_t)o + p;
    uint32_t rev = rd8(c, f + PCIR(revision)), want = pcir_length(rev);
    uint32_t units = rd16(c, f + PCIR(image_length));
    int stop = 0;   /* the length cannot lead to a next image */

    im->length = units * HR_ROM_UNIT;
    if (p & PCIR_ALIGN_MASK)
        issue_at(c, ROMCHECK_WARNING, o + ROMCHECK_PCIR_POINTER,
                 "pciHeaderOffset", "PCI data structure not DWORD-aligned",
                 ROMCHECK_HAS_FOUND, p, 0);
    if (rev != HR_PCIR_REV0 && rev != HR_PCIR_REVISION)
        issue_at(c, ROMCHECK_WARNING, f + PCIR(revision), "PCIR.revision",
                 "neither 0 (PCI 2.x) nor 3 (PCI Firmware 3.0)",
                 ROMCHECK_HAS_FOUND, rev, 0);
    if (rd16(c, f + PCIR(length)) != want)
        err_val(c, f + PCIR(length), "PCIR.length",
                rev == HR_PCIR_REVISION
                    ? "not the size of a revision-3 structure"
                    : "not the size of a revision-0 structure",
                rd16(c, f + PCIR(length)), want);
    if (units == 0) {
        err(c, f + PCIR(image_length), "PCIR.image_length",
            "zero: the image has no extent");
        im->length = im->init_size;
        stop = 1;
    } else if (where == ROMCHECK_IN_FILE && !inside(c->size, o, im->length)) {
        err_val(c, f + PCIR(image_length), "PCIR.image_length",
                "image runs past the end of the file", im->length,
                c->size - o);
        im->length = c->size - o;
        stop = 1;
    } else if (im->init_size > im->length) {
        err_val(c, f + PCIR(image_length), "PCIR.image_length",
                "shorter than the initialization size", units,
                im->init_size / HR_ROM_UNIT);
    }
    /* what can be read of this image: in memory, what the BIOS copied */
    lim = where == ROMCHECK_IN_FILE ? im->length : im->init_size;
    if (!inside(lim, p, want))
        err_found(c, o + ROMCHECK_PCIR_POINTER, "pciHeaderOffset",
                  "PCI data structure runs past the image", p);
    fw_pcir_fields(c, im, lim);
    if (stop)
        im->last = 1;
}

/* One $PnP header at image offset p, inside the image's lim bytes. */
static void fw_pnp_one(struct chk *c, struct romcheck_image *im, uint32_t p,
                       uint32_t lim)
{
    static const struct { uint32_t at; const char *name; } vectors[] = {
        { PNP(bcv), "PnP.bcv" }, { PNP(dv), "PnP.dv" }, { PNP(bev), "PnP.bev" },
    };
    uint64_t f = (uint64_t)im->offset + p;
    uint32_t len = rd8(c, f + PNP(length)) * PNP_LENGTH_UNIT, i, v;

    if (rd8(c, f + PNP(revision)) != HR_PNP_REVISION)
        issue_at(c, ROMCHECK_WARNING, f + PNP(revision), "PnP.revision",
                 "not revision 1 (PnP BIOS 1.0A)", ROMCHECK_HAS_BOTH,
                 rd8(c, f + PNP(revision)), HR_PNP_REVISION);
    if (len < sizeof(struct hyperrom_pnp) || !inside(lim, p, len))
        err_val(c, f + PNP(length), "PnP.length",
                "not a whole header inside the ROM", rd8(c, f + PNP(length)),
                HR_PNP_LENGTH_UNITS);
    else if (romcheck_sum8(c->rom + f, len) != 0)
        issue_at(c, ROMCHECK_WARNING, f + PNP(checksum), "PnP.checksum",
                 "8-bit sum of the header is not zero (SeaBIOS ignores it)",
                 ROMCHECK_HAS_BOTH, romcheck_sum8(c->rom + f, len), 0);
    for (i = 0; i < 2; i++) {
        uint32_t at = i ? PNP(product) : PNP(manufacturer);
        v = rd16(c, f + at);
        if (v && !romcheck_string(c->rom + im->offset, lim, v))
            err_found(c, f + at, i ? "PnP.product" : "PnP.manufacturer",
                      "not a NUL-terminated string inside the ROM", v);
        else if (v && im->pnp == p)
            *(i ? &im->product : &im->manufacturer) = v;
    }
    for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        v = rd16(c, f + vectors[i].at);
        if (v && v >= lim)
            err_found(c, f + vectors[i].at, vectors[i].name,
                      "entry point outside the ROM", v);
    }
}

/* The chain of $PnP headers of an x86 image (PnP BIOS spec 1.0A, 3.2):
 * the first is optional, as for SeaBIOS; a next pointer must find one. */
static void fw_pnp(struct chk *c, struct romcheck_image *im)
{
    const uint32_t o = im->offset, lim = im->init_size;
    uint64_t link = (uint64_t)o + ROMCHECK_PNP_POINTER;
    uint32_t p = rd16(c, link), n;

    for (n = 0; p != 0; n++) {
        if (!inside(lim, p, sizeof(struct hyperrom_pnp)) ||
            rd32(c, (uint64_t)o + p) != HR_PNP_SIGNATURE) {
            if (n > 0)
                err_found(c, link, "PnP.next",
                          "does not point at a $PnP header inside the ROM", p);
            return;
        }
        if (n == PNP_MAX_CHAIN) {
            err_found(c, link, "PnP.next", "more than 16 headers: a loop", p);
            return;
        }
        if (n == 0)
            im->pnp = p;
        fw_pnp_one(c, im, p, lim);
        link = (uint64_t)o + p + PNP(next);
        p = rd16(c, link);
    }
}

/* The header of the image at im->offset by its code type; 0 if usable. */
static int fw_header(struct chk *c, struct romcheck_image *im)
{
    if (im->code_type == ROMCHECK_CODE_X86 ||
        im->code_type == ROMCHECK_CODE_NONE)
        return fw_x86(c, im);
    if (im->code_type == ROMCHECK_CODE_EFI)
        return fw_efi(c, im);
    return 0;   /* Open Firmware, PA-RISC: nothing defined at the start */
}

/* After the last image of a file: a chain that goes nowhere is an error,
 * bytes nothing points at a warning.  1 if another image follows. */
static int fw_next(struct chk *c, const struct romcheck_image *im)
{
    uint64_t end = (uint64_t)im->offset + im->length;
    uint64_t ind = (uint64_t)im->offset + im->pcir + PCIR(indicator);

    if (!im->last) {
        if (end < c->size)
            return 1;
        err_found(c, ind, "PCIR.indicator",
                  "last-image bit clear, but no image follows", rd8(c, ind));
    } else if (end < c->size) {
        issue_at(c, ROMCHECK_WARNING, end, "size",
                 "bytes after the last image: firmware ignores them",
                 ROMCHECK_HAS_FOUND, (uint32_t)(c->size - end), 0);
    }
    return 0;
}

/* Check the image at offset o, number n; fill im; 1 if another follows. */
static int fw_image(struct chk *c, uint32_t o, uint32_t n,
                    enum romcheck_where where, struct romcheck_image *im)
{
    image_clear(im, o);
    c->image = n;
    if (!inside(c->size, o, ROMCHECK_ROM_HEADER)) {
        err_val(c, o, "header", "fewer bytes than an option ROM header",
                c->size - o, ROMCHECK_ROM_HEADER);
        return 0;
    }
    if (rd16(c, o) != HR_ROM_SIGNATURE) {
        err_val(c, o, "romSignature", n ? "the next image does not start "
                "with 55 AA" : "not an option ROM (55 AA)", rd16(c, o),
                HR_ROM_SIGNATURE);
        return 0;
    }
    im->pcir = fw_find_pcir(c, o, c->size - o);
    if (im->pcir)
        im->code_type = rd8(c, (uint64_t)o + im->pcir + PCIR(code_type));
    else if (n > 0) {
        err_found(c, o + ROMCHECK_PCIR_POINTER, "pciHeaderOffset",
                  "a chained image needs a PCI data structure",
                  rd16(c, o + ROMCHECK_PCIR_POINTER));
        return 0;
    }
    /* in memory, whatever the code type, the BIOS judged the copy by
     * romLength and its 8-bit sum (SeaBIOS is_valid_rom) */
    if ((where == ROMCHECK_IN_MEMORY ? fw_x86(c, im) : fw_header(c, im)) != 0)
        return 0;
    if (im->pcir)
        fw_pcir(c, im, where);
    else
        im->length = im->init_size;
    if (im->code_type == ROMCHECK_CODE_X86 ||
        im->code_type == ROMCHECK_CODE_NONE)
        fw_pnp(c, im);
    return where == ROMCHECK_IN_FILE ? fw_next(c, im) : 0;
}

/* Check every image of the option ROM at rom; see romcheck.h. */
int romcheck_option_rom(const uint8_t *rom, uint32_t avail,
                        enum romcheck_where where, romcheck_report_fn report,
                        void *ctx, struct romcheck_image *images, int max,
                        int *count)
{
    struct chk c = { rom, rom ? avail : 0, report, ctx, 0, 0, 0 };
    struct romcheck_image im;
    uint32_t o = 0;
    int n = 0, more;

    do {
        more = fw_image(&c, o, (uint32_t)n, where, &im);
        if (images && n < max)
            image_copy(&images[n], &im);
        n++;
        o += im.length;
    } while (more);
    if (count)
        *count = n;
    return c.errors;
}

/* ---------------------------------------------------------------------
 * Lookups for tools, the guest and the hypervisor.
 * ------------------------------------------------------------------- */

/* Value of symbol prefix+name in the ROM's symbol table; 1 if found. */
int romcheck_symbol(const uint8_t *rom, uint32_t size, const char *prefix,
                    const char *name, uint32_t *value)
{
    struct chk c = { rom, size, NULL, NULL, 0, 0, 0 };
    struct elf_tabs e;
    uint32_t s;

    if (!rom || size < sizeof(struct hyperrom_header) || !check_elf(&c, &e))
        return 0;
    s = find_symbol(&c, &e, prefix, name);
    if (!s)
        return 0;
    *value = rd32(&c, s + SYM(st_value));
    return 1;
}

/* Row call of the static relocation table; 1 if it lies in the ROM. */
int romcheck_reloc(const uint8_t *rom, uint32_t size, uint32_t call,
                   uint32_t *offset, uint8_t *type)
{
    struct chk c = { rom, size, NULL, NULL, 0, 0, 0 };
    const uint32_t row = sizeof(struct hyperrom_reloc_entry);
    uint32_t t, n;

    if (!rom || size < sizeof(struct hyperrom_header))
        return 0;
    t = rd16(&c, HDR(reloc_table_offset));
    n = rd16(&c, HDR(reloc_table_count));
    if (t == 0 || call >= n ||
        !inside(size, (uint64_t)t + (uint64_t)call * row, row))
        return 0;
    *offset = rd16(&c, t + call * row + RELOC(offset));
    *type = (uint8_t)rd8(&c, t + call * row + RELOC(type));
    return 1;
}

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

    issue_at(&c, ROMCHECK_ERROR, off, field, msg, has, found, expected);
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
    image_clear(&f->image, 0);
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
