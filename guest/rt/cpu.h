/*
 * cpu.h - the x86 structures and raw instructions the guest runtime uses.
 * Layouts from the Intel SDM vol. 3A (chapters 2, 3, 6 and 7).
 *
 * The raw instructions here bypass the VMI shim on purpose: tests use them
 * to check what a vmi_* operation really did (EFLAGS.IF after
 * vmi_disable_interrupts, the live GDTR after vmi_set_gdt).  The runtime
 * itself changes machine state only through the shim.  Reading is safe in
 * ring 1 too (PUSHF, SGDT, SIDT, STR, SLDT and segment moves do not fault);
 * the control-register and MSR accessors are ring 0 only.
 */
#ifndef GUEST_RT_CPU_H
#define GUEST_RT_CPU_H

#include <stdint.h>
#include <stddef.h>
#include "hyperrom.h"   /* HR_PACKED */

/* EFLAGS bits (SDM 2.3). */
#define EFLAGS_CF     0x00000001u
#define EFLAGS_FIXED  0x00000002u   /* bit 1 always reads 1 */
#define EFLAGS_ZF     0x00000040u
#define EFLAGS_SF     0x00000080u
#define EFLAGS_IF     0x00000200u
#define EFLAGS_DF     0x00000400u
#define EFLAGS_OF     0x00000800u
#define EFLAGS_IOPL   0x00003000u
#define EFLAGS_IOPL_SHIFT 12
#define EFLAGS_VM     0x00020000u   /* virtual-8086 mode */

/* CR0 and CR4 bits (SDM 2.5). */
#define CR0_PE  0x00000001u
#define CR0_TS  0x00000008u
#define CR0_ET  0x00000010u
#define CR0_PG  0x80000000u
#define CR4_TSD 0x00000004u
#define CR4_DE  0x00000008u

/* Exception vectors (SDM 6.3.1). */
enum {
    T_DE = 0, T_DB = 1, T_NMI = 2, T_BP = 3, T_OF = 4, T_BR = 5, T_UD = 6,
    T_NM = 7, T_DF = 8, T_TS = 10, T_NP = 11, T_SS = 12, T_GP = 13,
    T_PF = 14, T_MF = 16, T_AC = 17, T_MC = 18, T_XM = 19,
    T_EXCEPTIONS = 32,
};

/* Selectors (SDM 3.4.2): index << 3 | table indicator | requested level. */
#define SEL_RPL_MASK  0x3u
#define SEL_TI_LDT    0x4u
#define SEL_SHIFT     3
#define SEL(index, ti, rpl) ((uint16_t)(((index) << SEL_SHIFT) | (ti) | (rpl)))
#define SEL_INDEX(s)  ((uint16_t)(s) >> SEL_SHIFT)

/*
 * A segment descriptor (SDM 3.4.5), byte by byte:
 *
 *   31        24 23 22 21 20 19   16 15 14 13 12 11    8 7           0
 *  | base 31:24 | G|DB| L|AV|lim 19:16| P| DPL | S| type  | base 23:16 |  hi
 *  |        base 15:0               |        limit 15:0               |  lo
 */
struct seg_desc {
    uint16_t limit_lo;
    uint16_t base_lo;
    uint8_t  base_mid;
    uint8_t  access;            /* P | DPL | S | type                    */
    uint8_t  limit_flags;       /* G | D/B | L | AVL | limit 19:16       */
    uint8_t  base_hi;
} HR_PACKED;
_Static_assert(sizeof(struct seg_desc) == 8, "descriptor size");
_Static_assert(offsetof(struct seg_desc, access) == 5, "access byte");

#define DESC_P           0x80u
#define DESC_DPL_SHIFT   5
#define DESC_S           0x10u  /* code or data, not system            */
#define DESC_CODE        0x08u  /* with S: executable                  */
#define DESC_CODE_READ   0x02u  /* code: readable                      */
#define DESC_DATA_WRITE  0x02u  /* data: writable                      */
#define DESC_ACCESSED    0x01u
#define DESC_SYS_LDT     0x02u
#define DESC_SYS_TSS32   0x09u  /* available 32-bit TSS                */
#define DESC_SYS_TSS_BUSY 0x02u /* LTR sets this bit of the type       */
#define DESC_FLAG_G      0x80u  /* limit counts 4 KiB pages            */
#define DESC_FLAG_DB     0x40u  /* 32-bit segment                      */
#define DESC_LIMIT_HI_MASK 0x0Fu
#define DESC_MAX_LIMIT   0xFFFFFu /* 20 bits                            */

/* An interrupt or trap gate in the IDT (SDM 6.11). */
struct gate_desc {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t  zero;
    uint8_t  type_attr;         /* P | DPL | 0 | type                    */
    uint16_t offset_hi;
} HR_PACKED;
_Static_assert(sizeof(struct gate_desc) == 8, "gate size");
#define GATE_INT32       0x0Eu  /* interrupt gate: clears IF on entry   */
#define GATE_TRAP32      0x0Fu  /* trap gate: leaves IF as it was       */

/* The 32-bit TSS (SDM 7.2.1); the I/O permission bitmap follows it. */
struct tss32 {
    uint16_t link, r0;
    uint32_t esp0; uint16_t ss0, r1;    /* @4  stack for traps to ring 0 */
    uint32_t esp1; uint16_t ss1, r2;    /* @12 stack for traps to ring 1 */
    uint32_t esp2; uint16_t ss2, r3;
    uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint16_t es, r4, cs, r5, ss, r6, ds, r7, fs, r8, gs, r9, ldt, r10;
    uint16_t trap, iomap_base;          /* @102 offset of the I/O bitmap */
} HR_PACKED;
_Static_assert(sizeof(struct tss32) == 104, "TSS size");
_Static_assert(offsetof(struct tss32, esp0) == 4, "esp0");
_Static_assert(offsetof(struct tss32, esp1) == 12, "esp1");
_Static_assert(offsetof(struct tss32, cr3) == 28, "cr3");
_Static_assert(offsetof(struct tss32, iomap_base) == 102, "iomap");

/* Raw reads, valid at any privilege level. */
static inline uint32_t read_eflags(void)
{
    uint32_t f;
    __asm__ volatile("pushfl; popl %0" : "=r"(f) :: "memory");
    return f;
}
static inline uint16_t read_cs(void) { uint16_t s; __asm__ volatile("mov %%cs, %0" : "=r"(s)); return s; }
static inline uint16_t read_ds(void) { uint16_t s; __asm__ volatile("mov %%ds, %0" : "=r"(s)); return s; }
static inline uint16_t read_ss(void) { uint16_t s; __asm__ volatile("mov %%ss, %0" : "=r"(s)); return s; }
static inline uint16_t read_fs(void) { uint16_t s; __asm__ volatile("mov %%fs, %0" : "=r"(s)); return s; }
static inline void write_fs(uint16_t s) { __asm__ volatile("mov %0, %%fs" :: "r"(s) : "memory"); }
static inline void sgdt(void *d) { __asm__ volatile("sgdt %0" : "=m"(*(char (*)[6])d)); }
static inline void sidt(void *d) { __asm__ volatile("sidt %0" : "=m"(*(char (*)[6])d)); }
static inline uint16_t str(void) { uint16_t s; __asm__ volatile("str %0" : "=r"(s)); return s; }
static inline uint16_t sldt(void) { uint16_t s; __asm__ volatile("sldt %0" : "=r"(s)); return s; }
/* Raw CPUID is unprivileged: tests compare the shim's answer with it. */
static inline void cpuid_raw(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

/* Ring 0 only: for tests that check the native path against the hardware. */
static inline uint32_t read_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr2(void) { uint32_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline uint32_t read_dr(unsigned n)
{
    uint32_t v = 0;
    switch (n) {
    case 0: __asm__ volatile("mov %%dr0, %0" : "=r"(v)); break;
    case 1: __asm__ volatile("mov %%dr1, %0" : "=r"(v)); break;
    case 2: __asm__ volatile("mov %%dr2, %0" : "=r"(v)); break;
    case 3: __asm__ volatile("mov %%dr3, %0" : "=r"(v)); break;
    }
    return v;
}
static inline uint64_t rdmsr_raw(uint32_t msr)
{
    uint64_t v;
    __asm__ volatile("rdmsr" : "=A"(v) : "c"(msr));
    return v;
}

#endif /* GUEST_RT_CPU_H */
