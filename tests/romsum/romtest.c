/*
 * romtest.c - helpers shared by the romsum test programs (see romtest.h).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hyperrom.h"
#include "romcheck.h"
#include "romtest.h"

/* Read path whole; a file we cannot read is a failed check, and fatal. */
uint8_t *load_file(const char *path, uint32_t *len)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *buf = malloc(HR_ROM_MAX_SIZE + 1);
    size_t n = 0;

    if (fp && buf)
        n = fread(buf, 1, HR_ROM_MAX_SIZE + 1, fp);
    if (!fp || !buf || n == 0 || n > HR_ROM_MAX_SIZE) {
        check(0, "read the ROM", "%s: cannot read it, or empty or too large",
              path);
        exit(1);
    }
    fclose(fp);
    *len = (uint32_t)n;
    return buf;
}

/* Little-endian 16-bit load. */
uint32_t get16(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8;
}

/* Little-endian 32-bit load. */
uint32_t get32(const uint8_t *p)
{
    return get16(p) | get16(p + 2) << 16;
}

/* Little-endian 16-bit store. */
void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* Little-endian 32-bit store. */
void put32(uint8_t *p, uint32_t v)
{
    put16(p, v & 0xFFFF);
    put16(p + 2, v >> 16);
}

/* Re-fix the PnP checksum where the header (still) locates the PnP. */
void fix_pnp(uint8_t *rom, uint32_t len)
{
    uint32_t p = get16(rom + offsetof(struct hyperrom_header, pnp_header_offset));
    uint32_t n;

    if (!p || p + sizeof(struct hyperrom_pnp) > len)
        return;
    n = rom[p + offsetof(struct hyperrom_pnp, length)] * 16u;
    if (n < sizeof(struct hyperrom_pnp) || p + n > len)
        return;
    rom[p + offsetof(struct hyperrom_pnp, checksum)] = 0;
    rom[p + offsetof(struct hyperrom_pnp, checksum)] =
        (uint8_t)-romcheck_sum8(rom + p, n);
}

/* Re-fix the ROM checksum through the last byte of its extent. */
void fix_sum(uint8_t *rom, uint32_t len)
{
    uint32_t n = rom[offsetof(struct hyperrom_header, rom_length)] * HR_ROM_UNIT;

    if (n == 0 || n > len)
        n = len;
    rom[n - 1] = 0;
    rom[n - 1] = (uint8_t)-romcheck_sum8(rom, n);
}

/* ROM offset of section header index. */
uint32_t section_header(const uint8_t *rom, uint32_t index)
{
    const uint8_t *eh = rom + HR_ELF_BASE;

    return HR_ELF_BASE + get32(eh + offsetof(struct hr_elf32_ehdr, e_shoff)) +
           index * (uint32_t)sizeof(struct hr_elf32_shdr);
}

/* ROM offset of the section's data (sh_offset counts from HR_ELF_BASE). */
static uint32_t section_data(const uint8_t *rom, uint32_t index)
{
    return HR_ELF_BASE + get32(rom + section_header(rom, index) +
                               offsetof(struct hr_elf32_shdr, sh_offset));
}

/* ROM offset of the symbol entry named name, 0 if none. */
uint32_t symbol_entry(const uint8_t *rom, const char *name)
{
    uint32_t sh = section_header(rom, HR_SEC_SYMTAB);
    uint32_t size = get32(rom + sh + offsetof(struct hr_elf32_shdr, sh_size));
    uint32_t link = get32(rom + sh + offsetof(struct hr_elf32_shdr, sh_link));
    uint32_t syms = section_data(rom, HR_SEC_SYMTAB), str = section_data(rom, link);
    uint32_t s;

    for (s = syms; s < syms + size; s += sizeof(struct hr_elf32_sym))
        if (!strcmp((const char *)rom + str + get32(rom + s), name))
            return s;
    return 0;
}

/* ROM offset of relocation-table row call. */
uint32_t reloc_row(const uint8_t *rom, uint32_t call)
{
    return get16(rom + offsetof(struct hyperrom_header, reloc_table_offset)) +
           call * (uint32_t)sizeof(struct hyperrom_reloc_entry);
}
