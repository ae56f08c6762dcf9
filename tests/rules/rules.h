/*
 * rules.h - helpers the rule tests (tests/rules/) share: where the kernel
 * runs, test segments, the hypervisor's exit counter, the test's "case="
 * word and the line a test prints before it breaks a rule on purpose.
 *
 * Each test is one tiny kernel on the guest runtime (guest/rt/); the
 * helpers are static inline so every kernel stays one C file.
 */
#ifndef TESTS_RULES_RULES_H
#define TESTS_RULES_RULES_H

#include "rt.h"     /* report, the runtime's tables and user mode */
#include "vmi.h"    /* the shim */

#define RULES_CASE_MAX   32u
#define HR_SIGNATURE_EBX 0x65707948u   /* "Hype": CPUID 40000000h EBX */

/* Under a HyperROM hypervisor with the ROM bound (mode hv). */
static inline int rules_vmi(void)
{
    return vmi.mode == VMI_MODE_VMI;
}

/* Deprivileged: ring 1 under the hypervisor (modes hv and hv-novmi). */
static inline int rules_ring1(void)
{
    return rt_seg.cpl == HR_GUEST_CPL;
}

/* The value of "case=..." on the command line, or dflt. */
static inline const char *rules_case(const char *dflt)
{
    static char buf[RULES_CASE_MAX];
    return cmdline_get(rt_cmdline, "case", buf, sizeof(buf)) ? buf : dflt;
}

/* Does the hypervisor answer CPUID 40000000h (through the ROM)? */
static inline int rules_have_exit_counter(void)
{
    uint32_t r[4];
    if (!rules_vmi())
        return 0;
    vmi_cpuid(HR_CPUID_SIGNATURE, 0, r);
    return r[1] == HR_SIGNATURE_EBX && r[0] >= HR_CPUID_EXITS;
}

/* All exits so far, this reading included (CPUID 40000001h EAX). */
static inline uint32_t rules_exits(void)
{
    uint32_t r[4];
    vmi_cpuid(HR_CPUID_EXITS, 0, r);
    return r[0];
}

/* Write GDT slot `slot` through the shim: a 32-bit code or data segment
 * (type: DESC_CODE... or DESC_DATA_WRITE) of `pages` 4 KiB pages from
 * base; returns its selector at rpl. */
static inline uint16_t rules_segment(unsigned slot, uint32_t base, uint32_t pages,
                                     unsigned dpl, uint8_t type, unsigned rpl)
{
    uint8_t access = (uint8_t)(DESC_P | (dpl << DESC_DPL_SHIFT) | DESC_S | type);
    struct seg_desc d = desc_make(base, pages - 1, access, DESC_FLAG_G | DESC_FLAG_DB);
    vmi_write_gdt_entry(rt_gdt, slot, desc_lo(&d), desc_hi(&d));
    return SEL(slot, 0, rpl);
}

/* ---- the 8259A PIC and 8254 PIT channel 0 (virtual under the hypervisor) ---- */
#define RULES_PIC1_CMD     0x20u
#define RULES_PIC1_DATA    0x21u
#define RULES_OCW3_READ_IRR 0x0Au   /* the next command-port read gives IRR */
#define RULES_PIT_CH0      0x40u
#define RULES_PIT_CMD      0x43u
#define RULES_PIT_CH0_RATE 0x34u    /* channel 0, lo/hi byte, mode 2: periodic */
#define RULES_PIT_1MS      1193u    /* 1.193182 MHz / 1000 */
#define RULES_PIC_ALL      0xFFu

/* Start PIT channel 0 as a periodic timer of `count` input clocks. */
static inline void rules_pit_periodic(uint16_t count)
{
    vmi_outb(RULES_PIT_CMD, RULES_PIT_CH0_RATE);
    vmi_outb(RULES_PIT_CH0, (uint8_t)count);
    vmi_outb(RULES_PIT_CH0, (uint8_t)(count >> 8));
}

/* Stop channel 0: a new mode word without a count halts the counter. */
static inline void rules_pit_stop(void)
{
    vmi_outb(RULES_PIT_CMD, RULES_PIT_CH0_RATE);
}

/* Set the master PIC's mask register (bit n set: line n masked). */
static inline void rules_pic_mask(uint8_t mask)
{
    vmi_outb(RULES_PIC1_DATA, mask);
}

/* Is line `line` of the master PIC requested (IRR), delivered or not? */
static inline int rules_irq_requested(unsigned line)
{
    vmi_outb(RULES_PIC1_CMD, RULES_OCW3_READ_IRR);
    return (vmi_inb(RULES_PIC1_CMD) >> line) & 1u;
}

/* Poll until line `line` is requested, at most `polls` times; 1 if it is. */
static inline int rules_wait_requested(unsigned line, uint32_t polls)
{
    for (uint32_t i = 0; i < polls; i++)
        if (rules_irq_requested(line))
            return 1;
    return 0;
}

/* Say what comes next when the test expects the hypervisor to stop the
 * guest (tests/lib/boot.sh --expect-terminated checks the reason). */
static inline void rules_expect_termination(const char *rule, const char *how)
{
    printf("rules: expecting termination (%s): %s\n", rule, how);
}

/* Reached only when the hypervisor let a broken rule pass. */
static inline void rules_survived(const char *what)
{
    report(0, "the hypervisor let the guest carry on after %s", what);
}

#endif /* TESTS_RULES_RULES_H */
