/*
 * vmi_patch.c - rewrite the kernel's VMI call sites in place.
 *
 * Each VMI_SITE in the kernel holds the native instruction, padded with
 * nops to at least HR_PATCH_MIN bytes, and a struct vmi_site record in
 * the .vmi_sites section.  Once the ROM is bound, each site becomes what
 * the ROM's relocation type for its call asks for (spec section 6):
 *
 *   CALL_REL   E8 rel32, then 90 ... : call the ROM entry
 *   JUMP_REL   E9 rel32, then 90 ... : jump to it (IRET, SYSEXIT)
 *   NOP        90 90 90 ...          : the operation is not needed
 *   NONE       unchanged             : the native instruction stays
 *
 * Runs once, early, at the kernel's privilege level with interrupts off,
 * so no CPU can be executing a site while it changes.  The patched bytes
 * are executed only after vmi_setup() returns, and that return is a
 * branch, which is all x86 needs after modifying its own code.
 *
 * Portable freestanding C: the host unit tests run it on buffers.
 */
#include <stdint.h>
#include "hyperrom.h"
#include "vmi.h"
#include "vmi_impl.h"

#define OPCODE_CALL_REL32  0xE8u
#define OPCODE_JMP_REL32   0xE9u
#define OPCODE_NOP         0x90u
#define REL32_INSN_LEN     5u     /* opcode byte + 32-bit displacement */
_Static_assert(HR_PATCH_MIN >= REL32_INSN_LEN, "sites fit a rel32 insn");

/* Fill len bytes at p with single-byte nops. */
static void fill_nops(uint8_t *p, uint32_t len)
{
    while (len--)
        *p++ = OPCODE_NOP;
}

/* Write "opcode rel32" at code (executed at address) to reach target,
 * then nops to the end of the site. */
static void put_rel32(uint8_t *code, uint32_t address, uint32_t length,
                      uint8_t opcode, uint32_t target)
{
    /* The displacement counts from the end of the instruction; unsigned
     * arithmetic wraps, which is exactly the CPU's modulo-2^32 sum. */
    uint32_t rel = target - (address + REL32_INSN_LEN);

    fill_nops(code + REL32_INSN_LEN, length - REL32_INSN_LEN);
    code[1] = (uint8_t)rel;
    code[2] = (uint8_t)(rel >> 8);
    code[3] = (uint8_t)(rel >> 16);
    code[4] = (uint8_t)(rel >> 24);
    code[0] = (uint8_t)opcode;
}

/* Rewrite one site for its relocation type; 1 if its bytes changed. */
int vmi_patch_site(uint8_t *code, uint32_t address, uint32_t length,
                   uint8_t type, uint32_t target)
{
    switch (type) {
    case HR_RELOC_CALL_REL:
    case HR_RELOC_JUMP_REL:
        if (length < REL32_INSN_LEN)
            return 0;
        put_rel32(code, address, length, type == HR_RELOC_CALL_REL
                  ? OPCODE_CALL_REL32 : OPCODE_JMP_REL32, target);
        return 1;
    case HR_RELOC_NOP:
        fill_nops(code, length);
        return 1;
    default:                      /* NONE, or a type vmi_bind refused */
        return 0;
    }
}

/* Rewrite every usable site in [begin, end); return how many changed. */
uint32_t vmi_patch_sites(const struct vmi_state *st, const struct vmi_site *begin,
                         const struct vmi_site *end, vmi_log_fn log)
{
    const struct vmi_site *s;
    uint32_t patched = 0;
    uint8_t type;

    for (s = begin; s && s < end; s++) {
        if (s->call >= VMI_CALL_COUNT) {
            VMI_LOG(log, "VMI: site at 0x%x names call %u, which does not "
                    "exist; left native\n", s->address, s->call);
            continue;
        }
        type = st->reloc_type[s->call];
        if ((type == HR_RELOC_CALL_REL || type == HR_RELOC_JUMP_REL) &&
            s->length < REL32_INSN_LEN) {
            VMI_LOG(log, "VMI: site at 0x%x (call %u) has %u bytes, too few "
                    "for rel32; left native\n", s->address, s->call, s->length);
            continue;
        }
        patched += (uint32_t)vmi_patch_site((uint8_t *)(uintptr_t)s->address,
                                            s->address, s->length, type,
                                            (uint32_t)(uintptr_t)st->entry[s->call]);
    }
    return patched;
}
