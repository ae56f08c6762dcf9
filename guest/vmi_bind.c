/*
 * vmi_bind.c - enter the ROM and bind every VMI call (spec sections 5, 6).
 *
 * VMI_Init (jump point at HR_VMI_INIT_OFFSET) asks the hypervisor to take
 * the guest.  GetRelocationInfo (jump point at HR_GET_RELOC_OFFSET) then
 * tells, for each call, where its entry is and how a call site reaches it;
 * vmi.entry[] gets the ROM entry, the native stub (NONE) or a do-nothing
 * stub (NOP).
 *
 * 32-bit only: it calls into the ROM.  Runs at the kernel's privilege
 * level, early, with interrupts off.
 */
#include <stdint.h>
#include "hyperrom.h"
#include "vmi.h"
#include "vmi_impl.h"

/* The jump points' signatures: VMI_Init is a plain C call; the ROM's
 * GetRelocationInfo takes the call number in EAX and returns the
 * struct hyperrom_reloc_info record in EDX:EAX (eip low, type in DL). */
typedef int (*vmi_init_fn)(void);
typedef VMI_REGPARM uint64_t (*vmi_get_reloc_fn)(uint32_t call);

#define RELOC_TYPE_SHIFT 32   /* reloc_info.type is byte 4 of the record */
_Static_assert(offsetof(struct hyperrom_reloc_info, type) * 8 == RELOC_TYPE_SHIFT,
               "type byte position");

/* Every call's native stub, in call order. */
static void *const native_entry[VMI_CALL_COUNT] = VMI_NATIVE_ENTRIES;

/* Counts for the summary line. */
struct bind_counts {
    uint32_t rom, native, nop;
};

/* Every entry its native stub, every type NONE (contract: vmi_impl.h). */
void vmi_bind_native(struct vmi_state *st)
{
    uint32_t i;

    for (i = 0; i < VMI_CALL_COUNT; i++) {
        st->entry[i] = native_entry[i];
        st->reloc_type[i] = HR_RELOC_NONE;
    }
}

/* The ROM's code at offset, as a pointer the kernel can call. */
static uintptr_t rom_code(const struct vmi_rom *rom, uint32_t offset)
{
    return (uintptr_t)(rom->base + offset);
}

/* Call VMI_Init through its jump point; HR_INIT_OK when taken. */
int vmi_rom_init(const struct vmi_rom *rom)
{
    return ((vmi_init_fn)rom_code(rom, HR_VMI_INIT_OFFSET))();
}

/* 1 if linear address eip lies inside the ROM. */
static int in_rom(const struct vmi_rom *rom, uint32_t eip)
{
    return eip - (uint32_t)rom_code(rom, 0) < rom->size;
}

/* Bind call from its relocation record; return the type now in force.
 * A type we do not know, or an entry outside the ROM, is a ROM bug: keep
 * that call native rather than jump somewhere unknown. */
static uint8_t bind_call(struct vmi_state *st, const struct vmi_rom *rom,
                         uint32_t call, uint64_t info, vmi_log_fn log)
{
    uint32_t eip = (uint32_t)info;
    uint8_t type = (uint8_t)(info >> RELOC_TYPE_SHIFT);

    switch (type) {
    case HR_RELOC_CALL_REL:
    case HR_RELOC_JUMP_REL:
        if (!in_rom(rom, eip)) {
            VMI_LOG(log, "VMI: %s: entry 0x%x lies outside the ROM; "
                    "kept native\n", romcheck_call_name(call), eip);
            return HR_RELOC_NONE;
        }
        st->entry[call] = (void *)(uintptr_t)eip;
        return type;
    case HR_RELOC_NOP:
        st->entry[call] = vmi_native_nop;
        return type;
    case HR_RELOC_NONE:
        return type;
    default:
        VMI_LOG(log, "VMI: %s: unknown relocation type %u; kept native\n",
                romcheck_call_name(call), type);
        return HR_RELOC_NONE;
    }
}

/* Bind all calls from GetRelocationInfo; log oddities and a summary. */
void vmi_bind(struct vmi_state *st, const struct vmi_rom *rom, vmi_log_fn log)
{
    vmi_get_reloc_fn get_reloc = (vmi_get_reloc_fn)rom_code(rom, HR_GET_RELOC_OFFSET);
    struct bind_counts n = { 0, 0, 0 };
    uint32_t call;
    uint8_t type;

    vmi_bind_native(st);
    for (call = 0; call < VMI_CALL_COUNT; call++) {
        type = bind_call(st, rom, call, get_reloc(call), log);
        st->reloc_type[call] = type;
        if (type == HR_RELOC_NOP)
            n.nop++;
        else if (type == HR_RELOC_NONE)
            n.native++;
        else
            n.rom++;
    }
    VMI_LOG(log, "VMI: %u calls bound to the ROM, %u native, %u no-op\n",
            n.rom, n.native, n.nop);
}
