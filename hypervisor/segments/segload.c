/*
 * segload.c - the instructions that load the segment tables: LGDT with
 * the far jump and data-register reloads that follow it, LLDT and LTR.
 * Ring 0.  They are the only hardware access of the segment code, kept
 * here so that segments.c is pure C that a host harness can build
 * (tests/fuzz/fuzz-segments.c provides its own three).
 */
#include "hv.h"

/* Load GDT register d and reload every segment register from it: CS with
 * HV_CS by a far jump, DS, ES, SS, FS and GS with HV_DS. */
void segload_gdt(const struct dtr *d)
{
    lgdt(d);
    __asm__ volatile("ljmp %0, $1f\n1:\n\t"
                     "mov %1, %%ds\n\tmov %1, %%es\n\tmov %1, %%ss\n\t"
                     "mov %1, %%fs\n\tmov %1, %%gs"
                     :: "i"(HV_CS), "r"((uint32_t)HV_DS) : "memory");
}

/* Load the LDT register with sel (0: no LDT). */
void segload_ldt(uint16_t sel)
{
    lldt(sel);
}

/* Load the task register with sel. */
void segload_tr(uint16_t sel)
{
    ltr(sel);
}
