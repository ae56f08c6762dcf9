/*
 * romcheck.h - the one implementation of option-ROM validation: the
 * firmware-level check any option ROM must pass (what SeaBIOS's
 * src/optionroms.c checks, and the PCI Firmware spec 3.0's structure
 * rules), the VMI check of HyperROM images (spec sections 2-7), and the
 * guest's option-ROM scan.
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
    uint32_t    image;      /* index of the image the field is in, 0 first */
};

/* Receives each problem as it is found; the issue lives only for the call. */
typedef void (*romcheck_report_fn)(void *ctx, const struct romcheck_issue *);

/* ---------------------------------------------------------------------
 * Any option ROM: images, code types, the EFI image header.
 * ------------------------------------------------------------------- */

/* Code types of the PCI data structure (PCI Firmware spec 3.0).     */
#define ROMCHECK_CODE_X86      0x00u  /* Intel x86, PC-AT compatible       */
#define ROMCHECK_CODE_OPENFW   0x01u  /* Open Firmware standard for PCI    */
#define ROMCHECK_CODE_PARISC   0x02u  /* Hewlett-Packard PA-RISC           */
#define ROMCHECK_CODE_EFI      0x03u  /* EFI image                         */
#define ROMCHECK_CODE_NONE     0x100u /* no PCI data structure: legacy x86 */

#define ROMCHECK_ROM_HEADER    0x1Cu  /* 55 AA .. PCIR and PnP pointers    */
#define ROMCHECK_PCIR_POINTER  0x18u  /* every image: offset of its PCIR   */
#define ROMCHECK_PNP_POINTER   0x1Au  /* x86 images: offset of $PnP        */

/* EFI PCI expansion ROM header (UEFI spec 2.x, "PCI Option ROMs"; what
 * iPXE's util/efirom.c writes before the PE32 image). */
#define ROMCHECK_EFI_SIGNATURE 0x0EF1u
#define ROMCHECK_PE_MZ         0x5A4Du   /* bytes "MZ": a PE/COFF image     */
struct romcheck_efi_header {
    uint16_t signature;        /* @0  HR_ROM_SIGNATURE                      */
    uint16_t init_size;        /* @2  in HR_ROM_UNIT units (16 bits here)   */
    uint32_t efi_signature;    /* @4  ROMCHECK_EFI_SIGNATURE                */
    uint16_t subsystem;        /* @8  PE subsystem: 11 boot service driver  */
    uint16_t machine;          /* @10 PE machine: 0x14C IA-32, 0x8664 x64  */
    uint16_t compression;      /* @12 0: none, 1: EFI compression          */
    uint8_t  reserved[8];      /* @14                                       */
    uint16_t image_offset;     /* @22 offset of the EFI (PE32) image        */
    uint16_t pcir_offset;      /* @24 ROMCHECK_PCIR_POINTER                 */
} HR_PACKED;
_Static_assert(sizeof(struct romcheck_efi_header) == 26, "EFI header size");
_Static_assert(offsetof(struct romcheck_efi_header, efi_signature) == 4, "efisig");
_Static_assert(offsetof(struct romcheck_efi_header, machine) == 10, "machine");
_Static_assert(offsetof(struct romcheck_efi_header, image_offset) == 22, "img");
_Static_assert(offsetof(struct romcheck_efi_header, pcir_offset) ==
               ROMCHECK_PCIR_POINTER, "pcir");

/* Where an option ROM is checked: a file holds every image, chained by
 * image length; memory holds what a BIOS copied: the first (x86) image's
 * romLength * 512 bytes, which a ROM may shrink during its init. */
enum romcheck_where { ROMCHECK_IN_FILE, ROMCHECK_IN_MEMORY };

/* One image of an option ROM, as romcheck_option_rom found it.  Offsets
 * of PCIR, PnP and strings are from the image's start; 0 means none. */
struct romcheck_image {
    uint32_t offset;        /* of the image in the ROM                     */
    uint32_t init_size;     /* bytes firmware loads and sums: romLength *
                               512 (x86), InitializationSize * 512 (EFI)  */
    uint32_t length;        /* PCIR image length * 512; init_size without  */
    uint32_t code_type;     /* ROMCHECK_CODE_*                             */
    uint32_t pcir, pnp;     /* the structures, when their signatures match */
    uint32_t manufacturer, product; /* PnP strings, when inside the image  */
    uint16_t vendor_id, device_id;
    uint8_t  class_code[3]; /* as stored: programming interface, sub, base */
    uint8_t  revision;      /* PCIR revision                               */
    int      last;          /* the last image (PCIR indicator, or legacy)  */
};

/* Check the option ROM in the avail bytes at rom the way firmware does:
 * each image's header, PCI data structure, PnP headers, checksum, and (in
 * a file) the chain of images.  Report each problem; store the first max
 * images in images (may be NULL) and their number in *count (may be NULL);
 * return the number of errors. */
int romcheck_option_rom(const uint8_t *rom, uint32_t avail,
                        enum romcheck_where where, romcheck_report_fn report,
                        void *ctx, struct romcheck_image *images, int max,
                        int *count);

/* 1 if the first image carries the VMI signature "cVmi": a VMI ROM. */
int romcheck_is_vmi(const uint8_t *rom, uint32_t avail);

/* The name of a code type ("x86 (PC-AT)", "EFI", "legacy x86"). */
const char *romcheck_code_name(uint32_t code_type);

/* ---------------------------------------------------------------------
 * VMI ROMs (HyperROM spec sections 2-7).
 * ------------------------------------------------------------------- */

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
    int      errors;         /* firmware, then (VMI ROMs) ROMCHECK_GUEST
                                errors; 0 means a valid option ROM       */
    int      warnings;
    uint32_t overlaps;       /* address of the valid ROM it lies in, or 0  */
    struct romcheck_image image; /* what it is: PCI IDs, class, product   */
    struct romcheck_issue first_error;   /* valid when errors > 0          */
    struct romcheck_issue first_warning; /* valid when warnings > 0        */
};

/* Scan area (a copy of memory from physical area_base, area_len bytes) the
 * way a guest does: every HR_SCAN_STEP from scan_start below scan_end; fill
 * at most max entries of out; return how many were filled.  Every
 * candidate gets the firmware check (in memory); a VMI ROM that passes it
 * also gets the GUEST-depth VMI check.  errors counts both. */
int romcheck_scan(const uint8_t *area, uint32_t area_base, uint32_t area_len,
                  uint32_t scan_start, uint32_t scan_end,
                  struct romcheck_found *out, int max);

/* Index of the ROM a guest needing API need_major.need_minor uses: valid,
 * "cVmi", same major, minor >= need; highest minor, then lowest address;
 * -1 if none fits. */
int romcheck_pick(const struct romcheck_found *f, int n,
                  uint8_t need_major, uint8_t need_minor);

#endif /* ROMCHECK_H */
