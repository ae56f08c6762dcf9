/*
 * romcheck.h - the one implementation of HyperROM image validation and of
 * the guest's option-ROM scan (spec sections 2-7).
 *
 * Shared by the host tool romsum, the guest shim and the hypervisor, so it
 * is freestanding C11: no libc, no allocation.  Every problem is handed to a
 * caller-supplied callback as a struct romcheck_issue; nothing is printed.
 * Inputs are untrusted: no function here reads outside the bytes it is told
 * it may read, whatever offsets, lengths or counts the image contains.
 */
#ifndef ROMCHECK_H
#define ROMCHECK_H

#include <stdint.h>
#include "hyperrom.h"

/* Enough romcheck_found slots for every 2 KiB step from C0000h to DFFFFh. */
#define ROMCHECK_MAX_FOUND \
    ((HR_SCAN_END - HR_LEGACY_SCAN_START) / HR_SCAN_STEP)

enum romcheck_level {
    ROMCHECK_ERROR,     /* the ROM must not be used                        */
    ROMCHECK_WARNING,   /* usable, but something is unusual                */
};

enum romcheck_depth {
    ROMCHECK_BIOS,   /* what SeaBIOS checks: 55 AA, romLength, checksum    */
    ROMCHECK_GUEST,  /* + what a guest checks before calling into the ROM:
                        hyperSignature, jump points, PCIR, license.  The
                        API version is not judged here: romcheck_pick
                        matches it against what the guest needs         */
    ROMCHECK_FULL,   /* + everything romsum check does: exact file size,
                        API major, PCIR and PnP fields, relocation table,
                        ELF header, sections and symbols                   */
};

/* Which of an issue's values mean something (bits of has_values). */
#define ROMCHECK_HAS_FOUND     1   /* found holds the value in the image   */
#define ROMCHECK_HAS_EXPECTED  2   /* expected holds the value it must have */
#define ROMCHECK_HAS_BOTH      (ROMCHECK_HAS_FOUND | ROMCHECK_HAS_EXPECTED)

struct romcheck_issue {
    enum romcheck_level level;
    uint32_t    offset;     /* ROM offset of the field                     */
    const char *field;      /* static: "romLength", "PCIR.vendor_id", ...  */
    const char *message;    /* static: what is wrong, in words             */
    uint32_t    found;      /* valid with ROMCHECK_HAS_FOUND               */
    uint32_t    expected;   /* valid with ROMCHECK_HAS_EXPECTED            */
    int         has_values; /* ROMCHECK_HAS_* bits, 0 for neither         */
};

/* Receives each problem as it is found; the issue lives only for the call. */
typedef void (*romcheck_report_fn)(void *ctx, const struct romcheck_issue *);

/* Check the ROM at rom (avail bytes readable there; for FULL, avail is the
 * file size) to depth; report each problem (report may be NULL: only
 * count); return the number of errors. */
int romcheck_rom(const uint8_t *rom, uint32_t avail, enum romcheck_depth depth,
                 romcheck_report_fn report, void *ctx);

/* The 8-bit sum of len bytes at p (a valid ROM sums to zero). */
uint8_t romcheck_sum8(const uint8_t *p, uint32_t len);

/* The NUL-terminated string at offset, or NULL unless it ends before size. */
const char *romcheck_string(const uint8_t *rom, uint32_t size, uint32_t offset);

/* The name of VMI call number call ("SetGDT"), or NULL if there is none. */
const char *romcheck_call_name(uint32_t call);

/* Find ELF symbol prefix+name in the ROM's symbol table; 1 and *value if
 * found, 0 if absent or the ELF structures are unusable. */
int romcheck_symbol(const uint8_t *rom, uint32_t size, const char *prefix,
                    const char *name, uint32_t *value);

/* Read row call of the static relocation table; 1 if it lies in the ROM. */
int romcheck_reloc(const uint8_t *rom, uint32_t size, uint32_t call,
                   uint32_t *offset, uint8_t *type);

/* One 55 AA candidate met by romcheck_scan. */
struct romcheck_found {
    uint32_t address;        /* physical address of the 55 AA bytes        */
    uint32_t size;           /* romLength * 512; 0 if unreadable           */
    uint32_t hyper_signature;
    uint8_t  api_major, api_minor;
    int      errors;         /* ROMCHECK_GUEST errors; 0 means usable      */
    int      warnings;
    uint32_t overlaps;       /* address of the valid ROM it lies in, or 0  */
    struct romcheck_issue first_error;   /* valid when errors > 0          */
    struct romcheck_issue first_warning; /* valid when warnings > 0        */
};

/* Scan area (a copy of memory from physical area_base, area_len bytes) the
 * way a guest does: every HR_SCAN_STEP from scan_start below scan_end; fill
 * at most max entries of out; return how many were filled. */
int romcheck_scan(const uint8_t *area, uint32_t area_base, uint32_t area_len,
                  uint32_t scan_start, uint32_t scan_end,
                  struct romcheck_found *out, int max);

/* Index of the ROM a guest needing API need_major.need_minor uses: valid,
 * "cVmi", same major, minor >= need; highest minor, then lowest address;
 * -1 if none fits. */
int romcheck_pick(const struct romcheck_found *f, int n,
                  uint8_t need_major, uint8_t need_minor);

#endif /* ROMCHECK_H */
