/*
 * rule1-eflags.c - rule 1: the EFLAGS image in a trap frame is what the
 * guest would see natively: IF is the guest's (virtual) interrupt flag,
 * although under the hypervisor the real IF is always set, and the
 * arithmetic flags are those of the faulting instruction's context.
 *
 * Each check sets flags right before a ud2 and reads the image from the
 * frame the runtime's #UD handler got (rt_last_fault.eflags).  The PIC is
 * masked, so enabling interrupts lets nothing in.  Runs in every mode:
 * natively the CPU builds the frame itself, for comparison.
 */
#include "rules.h"

#define ARITH_FLAGS (EFLAGS_CF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_OF)

/* The interrupt-flag state the checks run under. */
static const char *if_name(int on)
{
    return on ? "IF on" : "IF off";
}

/* #UD right after `setup`, with the virtual IF on or off: return the
 * frame's EFLAGS image, or 0 if ud2 did not raise #UD. */
#define IMAGE_AFTER(on, setup) ({                                       \
    if (on) vmi_enable_interrupts(); else vmi_disable_interrupts();     \
    int v_ = TRY_ASM(setup "\n\tud2");                                  \
    __asm__ volatile("cld");          /* a setup may have set DF */    \
    vmi_disable_interrupts();                                           \
    v_ == T_UD ? rt_last_fault.eflags : 0u; })

/* The interrupt flag in the image follows the virtual one. */
static void check_if(int on)
{
    uint32_t image = IMAGE_AFTER(on, "nop");
    report(image && !!(image & EFLAGS_IF) == on,
           "%s: the #UD frame's EFLAGS image %08x has IF %s", if_name(on), image,
           on ? "set" : "clear");
}

/* Arithmetic flags and DF set just before the fault are in the image. */
static void check_arith(int on)
{
    uint32_t cf = IMAGE_AFTER(on, "stc");
    report(cf && (cf & EFLAGS_CF), "%s: stc; ud2: CF set in the image (%08x)", if_name(on), cf);
    uint32_t nc = IMAGE_AFTER(on, "clc");
    report(nc && !(nc & EFLAGS_CF), "%s: clc; ud2: CF clear in the image (%08x)", if_name(on), nc);
    uint32_t zf = IMAGE_AFTER(on, "xorl %%eax, %%eax");
    report(zf && (zf & ARITH_FLAGS) == EFLAGS_ZF,
           "%s: xor eax, eax; ud2: ZF alone of CF ZF SF OF (%08x)", if_name(on), zf);
    uint32_t so = IMAGE_AFTER(on, "movl $0x7fffffff, %%eax\n\taddl $1, %%eax");
    report(so && (so & ARITH_FLAGS) == (EFLAGS_SF | EFLAGS_OF),
           "%s: 0x7fffffff + 1; ud2: SF and OF alone (%08x)", if_name(on), so);
    uint32_t df = IMAGE_AFTER(on, "std");
    report(df && (df & EFLAGS_DF), "%s: std; ud2: DF set in the image (%08x)", if_name(on), df);
    report(!!(cf & EFLAGS_IF) == on && !!(so & EFLAGS_IF) == on,
           "%s: IF in those images stays %s", if_name(on), on ? "set" : "clear");
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    printf("rules: ring %u, %s\n", rt_seg.cpl,
           rules_vmi() ? "VMI calls" : rules_ring1() ? "trap-and-emulate" : "native");
    for (int on = 0; on <= 1; on++) {
        check_if(on);
        check_arith(on);
    }
}
