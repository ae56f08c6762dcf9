/*
 * multiboot.h - the Multiboot v1 hand-off the runtime relies on.
 * From the Multiboot Specification 0.6.96, section 3.3 ("Boot information
 * format").  Only the fields up to the boot loader name are declared: the
 * runtime reads the flags and the command line, nothing later.
 */
#ifndef GUEST_RT_MULTIBOOT_H
#define GUEST_RT_MULTIBOOT_H

#include <stdint.h>
#include <stddef.h>
#include "hyperrom.h"   /* HR_PACKED, HR_MULTIBOOT_MAGIC */

#define MB_HEADER_MAGIC   0x1BADB002u  /* in the kernel image's header     */
#define MB_BOOT_MAGIC     0x2BADB002u  /* in EAX when the loader enters us */
_Static_assert(MB_BOOT_MAGIC == HR_MULTIBOOT_MAGIC, "spec agrees");

/* Header flags (section 3.1.2). */
#define MB_HDR_MEMORY_INFO 0x00000002u /* give us mem_lower/mem_upper      */

/* Info flags (section 3.3): which fields below are valid. */
#define MB_INFO_MEMORY    0x00000001u
#define MB_INFO_CMDLINE   0x00000004u
#define MB_INFO_MODULES   0x00000008u

struct multiboot_info {
    uint32_t flags;             /* @0  MB_INFO_*                         */
    uint32_t mem_lower;         /* @4  KiB below 1 MiB                   */
    uint32_t mem_upper;         /* @8  KiB above 1 MiB                   */
    uint32_t boot_device;       /* @12                                   */
    uint32_t cmdline;           /* @16 physical address, NUL-terminated  */
    uint32_t mods_count;        /* @20                                   */
    uint32_t mods_addr;         /* @24                                   */
    uint32_t syms[4];           /* @28 a.out or ELF symbol information   */
    uint32_t mmap_length;       /* @44                                   */
    uint32_t mmap_addr;         /* @48                                   */
    uint32_t drives_length;     /* @52                                   */
    uint32_t drives_addr;       /* @56                                   */
    uint32_t config_table;      /* @60                                   */
    uint32_t boot_loader_name;  /* @64                                   */
} HR_PACKED;
_Static_assert(sizeof(struct multiboot_info) == 68, "multiboot info size");
_Static_assert(offsetof(struct multiboot_info, cmdline) == 16, "cmdline");
_Static_assert(offsetof(struct multiboot_info, mmap_length) == 44, "mmap");
_Static_assert(offsetof(struct multiboot_info, boot_loader_name) == 64, "name");

#endif /* GUEST_RT_MULTIBOOT_H */
