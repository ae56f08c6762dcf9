/*
 * vmi_impl.h - what the shim's files tell each other (not for kernels).
 *
 * The shim is split by concern:
 *   vmi_detect.c  find and check the ROM in the option-ROM area   (portable)
 *   vmi_patch.c   rewrite call sites                              (portable)
 *   vmi_bind.c    VMI_Init, GetRelocationInfo, vmi.entry[]        (32-bit)
 *   vmi_setup.c   vmi_setup(): the order of the steps, the state  (32-bit)
 *   native.asm    the native stub of every call                   (32-bit)
 * "Portable" files are plain freestanding C with no inline assembly, so
 * the host unit tests (tests/shim/) compile and run them as they are.
 */
#ifndef GUEST_VMI_IMPL_H
#define GUEST_VMI_IMPL_H

#include <stdint.h>
#include "hyperrom.h"
#include "romcheck.h"
#include "vmi.h"

/* Call a vmi_log_fn that may be NULL. */
#define VMI_LOG(log, ...) do { if (log) (log)(__VA_ARGS__); } while (0)

/* The ROM vmi_detect() chose. */
struct vmi_rom {
    const volatile uint8_t *base; /* its first byte, as the kernel sees it */
    uint32_t address;             /* its physical address                  */
    uint32_t size;                /* romLength * 512                       */
    uint8_t  api_major, api_minor;
    uint32_t virtual_top;         /* the header field, as found            */
};

/* ---- vmi_detect.c ---- */

/* 1 if word occurs in cmdline as a whole blank-separated word; 0 if not or
 * if cmdline is NULL. */
int vmi_cmdline_has(const char *cmdline, const char *word);

/* Scan area (the kernel's view of physical HR_LEGACY_SCAN_START up to
 * HR_SCAN_END) in HR_SCAN_STEP steps from HR_SCAN_START; log each ROM
 * skipped and why, then the one chosen and its warnings.  1 and *rom if a
 * ROM fits API HR_API_MAJOR.HR_API_MINOR, else 0. */
int vmi_detect(const volatile uint8_t *area, vmi_log_fn log, struct vmi_rom *rom);

/* ---- vmi_patch.c ---- */

/* Rewrite the length bytes at code, which the CPU executes at linear
 * address, for relocation type to reach target: 1 if rewritten, 0 if the
 * site stays as it is (NONE, an unknown type, or too short for rel32). */
int vmi_patch_site(uint8_t *code, uint32_t address, uint32_t length,
                   uint8_t type, uint32_t target);

/* Patch every site in [begin, end) by st->reloc_type[] and st->entry[];
 * return how many were rewritten.  Logs sites that cannot be patched. */
uint32_t vmi_patch_sites(const struct vmi_state *st, const struct vmi_site *begin,
                         const struct vmi_site *end, vmi_log_fn log);

/* ---- vmi_bind.c ---- */

/* Point every entry at its native stub, every type NONE. */
void vmi_bind_native(struct vmi_state *st);

/* Call the ROM's VMI_Init: HR_INIT_OK when the hypervisor took us. */
int vmi_rom_init(const struct vmi_rom *rom);

/* Fetch every call's relocation from the ROM and bind st->entry[] and
 * st->reloc_type[]; log anything odd and a summary. */
void vmi_bind(struct vmi_state *st, const struct vmi_rom *rom, vmi_log_fn log);

/* ---- native.asm: vmi_native_<Name> per call, and vmi_native_nop ---- */
#define VMI_NATIVE_DECL_(num, name) extern char vmi_native_##name[];
HR_VMI_CALLS(VMI_NATIVE_DECL_)
#undef VMI_NATIVE_DECL_
extern char vmi_native_nop[];

/* An initializer for entry[VMI_CALL_COUNT]: every call's native stub. */
#define VMI_NATIVE_ENTRY_(num, name) [num] = vmi_native_##name,
#define VMI_NATIVE_ENTRIES { HR_VMI_CALLS(VMI_NATIVE_ENTRY_) }

#endif /* GUEST_VMI_IMPL_H */
