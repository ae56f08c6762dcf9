/*
 * romcheck.c - HyperROM image validation and lookups in a HyperROM.
 *
 * Freestanding C11 (only <stdint.h>, <stddef.h> and hyperrom.h, no libc):
 * the guest shim and the hypervisor link it, with romfw.c and romscan.c
 * (romcheck_int.h holds what the three share).  The image is
 * untrusted, so every read goes through rd8/rd16/rd32, which check bounds,
 * and every offset, length and count taken from the image is checked
 * against the ROM's extent (in 64-bit arithmetic) before it is followed.
 */
#include "romcheck_int.h"

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
/* Where the ROM's symbol and string tables lie (ROM offsets and sizes). */
struct elf_tabs {
    uint32_t symtab, symsize, strtab, strsize;
};
/* Hand one issue to the reporter; count it if it is an error (its
 * contract is in romcheck_int.h, with the others the three files share). */
void rc_issue_at(struct chk *c, enum romcheck_level level, uint64_t off,
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

/* Error unless the field at off (width 1, 2 or 4 bytes) equals want. */
int rc_expect(struct chk *c, uint32_t off, unsigned width,
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
    rc_expect(c, HDR(rom_signature), 2, "romSignature", "not an option ROM",
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
uint32_t rc_pcir_length(uint32_t rev)
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
    if (!rc_expect(c, p + PCIR(signature), 4, "PCIR.signature", "not \"PCIR\"",
                HR_PCIR_SIGNATURE))
        return;
    if (rd16(c, p + PCIR(vendor_id)) != HR_PCI_VENDOR_VMWARE)
        rc_issue_at(c, ROMCHECK_WARNING, p + PCIR(vendor_id), "PCIR.vendor_id",
                 "not the vendor Linux expects", ROMCHECK_HAS_BOTH,
                 rd16(c, p + PCIR(vendor_id)), HR_PCI_VENDOR_VMWARE);
    if (rd16(c, p + PCIR(device_id)) != HR_PCI_DEVICE_VMI)
        rc_issue_at(c, ROMCHECK_WARNING, p + PCIR(device_id), "PCIR.device_id",
                 "not the device Linux expects", ROMCHECK_HAS_BOTH,
                 rd16(c, p + PCIR(device_id)), HR_PCI_DEVICE_VMI);
    if (d < ROMCHECK_FULL)
        return;
    rc_expect(c, p + PCIR(length), 2, "PCIR.length",
           "not the size of a structure of this revision",
           rc_pcir_length(rd8(c, p + PCIR(revision))));
    rc_expect(c, p + PCIR(code_type), 1, "PCIR.code_type", "not x86 (PC-AT)",
           HR_PCIR_CODE_X86);
    if (!(rd8(c, p + PCIR(indicator)) & HR_PCIR_LAST_IMAGE))
        err_found(c, p + PCIR(indicator), "PCIR.indicator",
                  "last-image bit is clear", rd8(c, p + PCIR(indicator)));
    rc_expect(c, p + PCIR(image_length), 2, "PCIR.image_length",
           "differs from romLength", units);
    if (rd8(c, p + PCIR(revision)) == HR_PCIR_REVISION &&
        rd16(c, p + PCIR(max_runtime_length)) != units)
        rc_issue_at(c, ROMCHECK_WARNING, p + PCIR(max_runtime_length),
                 "PCIR.max_runtime_length", "differs from romLength",
                 ROMCHECK_HAS_BOTH, rd16(c, p + PCIR(max_runtime_length)),
                 units);
}

/* The checks of the GUEST depth, after the extent is known. */
static void check_guest(struct chk *c, enum romcheck_depth d)
{
    rc_expect(c, HDR(hyper_signature), 4, "hyperSignature", "not \"cVmi\"",
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
    if (!rc_expect(c, p + PNP(signature), 4, "PnP.signature", "not \"$PnP\"",
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
        rc_issue_at(c, ROMCHECK_WARNING, HDR(reloc_table_offset),
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

    if (!rc_expect(c, id, 4, "ELF.magic", "not an ELF header", HR_ELF_MAGIC))
        return 0;
    rc_expect(c, id + EI_CLASS, 1, "ELF.class", "not ELFCLASS32", HR_ELFCLASS32);
    rc_expect(c, id + EI_DATA, 1, "ELF.data", "not little-endian", HR_ELFDATA2LSB);
    rc_expect(c, id + EI_VERSION, 1, "ELF.ei_version", "not EV_CURRENT",
           HR_EV_CURRENT);
    rc_expect(c, EHDR(e_type), 2, "ELF.e_type", "not ET_EXEC", HR_ET_EXEC);
    rc_expect(c, EHDR(e_machine), 2, "ELF.e_machine", "not EM_386", HR_EM_386);
    rc_expect(c, EHDR(e_version), 4, "ELF.e_version", "not EV_CURRENT",
           HR_EV_CURRENT);
    rc_expect(c, EHDR(e_ehsize), 2, "ELF.e_ehsize", "not the ELF32 header size",
           sizeof(struct hr_elf32_ehdr));
    ok = rc_expect(c, EHDR(e_shentsize), 2, "ELF.e_shentsize",
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
    if (!rc_expect(c, sh + SHDR(sh_entsize), 4, "symtab.sh_entsize",
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
        rc_expect(c, s + SYM(st_value), 4, field,
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

    rc_expect(c, HDR(api_version_major), 1, "APIVersionMajor",
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
