/*
 * desc.c - validation of the descriptors a guest hands the hypervisor.
 * Pure logic (no hardware access), so host unit tests link it directly.
 *
 * Like the guest-state checks a CPU makes at VM entry: a guest descriptor
 * may never give ring 0 to the guest (a DPL-0 one runs at DPL 1), never
 * reach the hypervisor's linear area, and never be a system descriptor
 * the hardware would act on.
 */
#include "desc.h"

#define LIMIT_4K_SHIFT 12
#define LIMIT_4K_LOW   0xFFFu
#define DESC_HI_RESERVED_L 0x00200000u   /* L (64-bit code) must be 0 */
#define GUEST_NO_RING      2u            /* guests run in rings 1 and 3 only */
#define DESC_DPL_SHIFT     13u           /* DPL: bits 13-14 of the high word */

/* The byte limit a descriptor grants: its raw limit scaled by G. */
uint32_t desc_limit_bytes(struct seg_desc d)
{
    uint32_t raw = DESC_RAWLIMIT(d);
    return DESC_G(d) ? (raw << LIMIT_4K_SHIFT) | LIMIT_4K_LOW : raw;
}

/* Shrink an expand-up segment so that it ends below HR_VIRTUAL_TOP. */
static int truncate_below_top(struct seg_desc *d, const char **why)
{
    uint32_t base = DESC_BASE(*d);
    uint64_t end = (uint64_t)base + desc_limit_bytes(*d);
    if (base >= HR_VIRTUAL_TOP) {
        *why = "segment base inside the hypervisor area";
        return -1;
    }
    if (end < HR_VIRTUAL_TOP)
        return 0;
    uint32_t pages = (HR_VIRTUAL_TOP - base) >> LIMIT_4K_SHIFT;
    if (!pages) {
        *why = "segment too close to the hypervisor area";
        return -1;
    }
    d->lo = (d->lo & 0xFFFF0000u) | ((pages - 1) & 0xFFFFu);
    d->hi = (d->hi & ~DESC_HI_LIMIT_MASK) | ((pages - 1) & DESC_HI_LIMIT_MASK)
          | (1u << 23);                       /* G: count 4 KiB units */
    return 0;
}

/* Check a code or data descriptor; may truncate its limit, and a DPL-0
 * descriptor becomes DPL 1: ring compression, as Xen and VMware ran
 * native kernels in ring 1 (ring 0 belongs to the hypervisor, and the
 * guest's kernel runs where the CPU would have run it at CPL 0). */
static int check_code_data(struct seg_desc *d, const char **why)
{
    uint32_t type = DESC_TYPE(*d);
    if (DESC_DPL(*d) == 0)
        d->hi |= HR_GUEST_CPL << DESC_DPL_SHIFT;
    if (DESC_DPL(*d) == GUEST_NO_RING) {
        *why = "DPL 2 descriptor (ring 2 is not a guest ring: kernel 1, user 3)";
        return -1;
    }
    if (d->hi & DESC_HI_RESERVED_L) {
        *why = "64-bit code descriptor (L bit set)";
        return -1;
    }
    if (!(type & SEG_TYPE_CODE) && (type & SEG_TYPE_EXPDOWN)) {
        *why = "expand-down data segment (not supported)";
        return -1;
    }
    return truncate_below_top(d, why);
}

/* Check a system descriptor: only an LDT or a 32-bit TSS is allowed. */
static int check_system(struct seg_desc *d, const char **why)
{
    uint32_t type = DESC_TYPE(*d);
    if (type != SYS_TYPE_LDT && type != SYS_TYPE_TSS32 &&
        type != SYS_TYPE_TSS32_BUSY) {
        *why = "system descriptor other than LDT or 32-bit TSS (gates are not allowed)";
        return -1;
    }
    uint64_t end = (uint64_t)DESC_BASE(*d) + desc_limit_bytes(*d);
    if (end >= HR_VIRTUAL_TOP) {
        *why = "system segment reaches the hypervisor area";
        return -1;
    }
    return 0;
}

/* 0 when d may enter the guest's GDT or LDT (possibly truncated), else -1
 * with *why naming the problem.  Not-present descriptors are always fine. */
int desc_validate(struct seg_desc *d, const char **why)
{
    if (!DESC_P(*d))
        return 0;
    return DESC_S(*d) ? check_code_data(d, why) : check_system(d, why);
}

/* True for a present code/data descriptor that is flat: base 0, 32-bit,
 * reaching up to (not into) the hypervisor area. */
int desc_is_flat(struct seg_desc d)
{
    return DESC_P(d) && DESC_S(d) && DESC_BASE(d) == 0 && DESC_DB(d) &&
           desc_limit_bytes(d) >= HR_VIRTUAL_TOP - 1 - LIMIT_4K_LOW;
}
