/*
 * romtest.h - helpers shared by the romsum test programs: PASS/FAIL
 * reporting, reading the ROM, and locating and re-fixing its fields.
 * The helpers trust the image they are given: tests start from the good
 * ROM, which the first check of each program validates.
 */
#ifndef ROMTEST_H
#define ROMTEST_H

#include <stdint.h>

#include "check.h"   /* check() and test_status(): tests/lib/check.c */

/* Read path whole (malloc'd); exits with a FAIL line if it cannot. */
uint8_t *load_file(const char *path, uint32_t *len);

/* Little-endian loads and stores. */
uint32_t get16(const uint8_t *p);
uint32_t get32(const uint8_t *p);
void put16(uint8_t *p, uint32_t v);
void put32(uint8_t *p, uint32_t v);

/* Make the PnP header sum to zero again (if the header locates one). */
void fix_pnp(uint8_t *rom, uint32_t len);

/* Make the ROM sum to zero again through its last byte; the extent is
 * romLength * 512, or len when that is zero or larger than len. */
void fix_sum(uint8_t *rom, uint32_t len);

/* ROM offset of section header index (from the ELF header). */
uint32_t section_header(const uint8_t *rom, uint32_t index);

/* ROM offset of the symbol-table entry named name, 0 if none. */
uint32_t symbol_entry(const uint8_t *rom, const char *name);

/* ROM offset of relocation-table row call. */
uint32_t reloc_row(const uint8_t *rom, uint32_t call);

#endif /* ROMTEST_H */
