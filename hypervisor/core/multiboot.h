/*
 * multiboot.h - the multiboot v1 information structures (Multiboot
 * Specification 0.6.96, section 3.3) the hypervisor reads from its loader
 * and writes for its guest.
 */
#ifndef HV_MULTIBOOT_H
#define HV_MULTIBOOT_H

#include <stdint.h>
#include <stddef.h>
#include "hyperrom.h"

#define MB_INFO_MEMORY   0x001u   /* mem_lower/mem_upper valid */
#define MB_INFO_CMDLINE  0x004u
#define MB_INFO_MODS     0x008u
#define MB_INFO_MMAP     0x040u
#define MB_INFO_LOADER_NAME 0x200u /* boot_loader_name valid */
#define MB_MMAP_AVAILABLE 1u
#define MB_MMAP_RESERVED  2u

struct mb_info {
    uint32_t flags;             /* @0  */
    uint32_t mem_lower;         /* @4  KiB below 1 MiB */
    uint32_t mem_upper;         /* @8  KiB above 1 MiB */
    uint32_t boot_device;       /* @12 */
    uint32_t cmdline;           /* @16 physical address of a C string */
    uint32_t mods_count;        /* @20 */
    uint32_t mods_addr;         /* @24 */
    uint32_t syms[4];           /* @28 */
    uint32_t mmap_length;       /* @44 */
    uint32_t mmap_addr;         /* @48 */
    uint32_t drives_length;     /* @52 */
    uint32_t drives_addr;       /* @56 */
    uint32_t config_table;      /* @60 */
    uint32_t boot_loader_name;  /* @64 physical address of a C string */
} HR_PACKED;
_Static_assert(sizeof(struct mb_info) == 68, "mb_info size");
_Static_assert(offsetof(struct mb_info, mmap_addr) == 48, "mmap_addr");
_Static_assert(offsetof(struct mb_info, boot_loader_name) == 64, "boot_loader_name");

struct mb_module {
    uint32_t start, end;        /* physical [start, end) */
    uint32_t string;            /* its command line */
    uint32_t reserved;
} HR_PACKED;
_Static_assert(sizeof(struct mb_module) == 16, "module size");

/* One memory-map entry; size counts the bytes after the size field. */
struct mb_mmap {
    uint32_t size;
    uint64_t addr, len;
    uint32_t type;
} HR_PACKED;
_Static_assert(sizeof(struct mb_mmap) == 24, "mmap entry size");

#endif /* HV_MULTIBOOT_H */
