/*
 * x86.h - the hardware structures and instructions the hypervisor uses.
 * Layouts from the Intel SDM vol. 3A (chapters 3, 4, 6 and 7).
 */
#ifndef HV_X86_H
#define HV_X86_H

#include <stdint.h>
#include <stddef.h>
#include "hyperrom.h"

/* EFLAGS bits (SDM 2.3). */
#define EFLAGS_CF     0x00000001u
#define EFLAGS_FIXED  0x00000002u   /* bit 1 always reads 1 */
#define EFLAGS_TF     0x00000100u
#define EFLAGS_IF     0x00000200u
#define EFLAGS_DF     0x00000400u
#define EFLAGS_IOPL   0x00003000u
#define EFLAGS_IOPL_SHIFT 12
#define EFLAGS_NT     0x00004000u
#define EFLAGS_RF     0x00010000u
#define EFLAGS_VM     0x00020000u
#define EFLAGS_AC     0x00040000u
#define EFLAGS_VIF    0x00080000u
#define EFLAGS_VIP    0x00100000u
#define EFLAGS_ID     0x00200000u
/* What a guest may set through an EFLAGS image: arithmetic, TF, DF, AC, ID. */
#define EFLAGS_GUEST_MASK 0x00240FD5u

/* CR0 / CR4 bits (SDM 2.5). */
#define CR0_PE 0x00000001u
#define CR0_MP 0x00000002u
#define CR0_EM 0x00000004u
#define CR0_TS 0x00000008u
#define CR0_ET 0x00000010u
#define CR0_NE 0x00000020u
#define CR0_WP 0x00010000u
#define CR0_AM 0x00040000u
#define CR0_NW 0x20000000u
#define CR0_CD 0x40000000u
#define CR0_PG 0x80000000u
#define CR4_TSD 0x00000004u       /* RDTSC only at CPL 0 (SDM vol. 3, 2.5) */
#define CR4_PSE 0x00000010u
#define CR4_PGE 0x00000080u

/* Page-table entry bits (SDM 4.3). */
#define PTE_P    0x001u
#define PTE_W    0x002u
#define PTE_U    0x004u
#define PTE_A    0x020u   /* accessed: the CPU (here: mmu.c) sets it */
#define PTE_D    0x040u   /* dirty: set on the first write */
#define PTE_PS   0x080u
#define PTE_G    0x100u
#define PAGE_SIZE 4096u
#define PAGE_SHIFT 12
#define PDE_SHIFT 22
#define PT_ENTRIES 1024u

/* Exception vectors (SDM 6.3.1). */
enum {
    T_DE = 0, T_DB = 1, T_NMI = 2, T_BP = 3, T_OF = 4, T_BR = 5, T_UD = 6,
    T_NM = 7, T_DF = 8, T_TS = 10, T_NP = 11, T_SS = 12, T_GP = 13,
    T_PF = 14, T_MF = 16, T_AC = 17, T_MC = 18, T_XM = 19,
    T_EXCEPTIONS = 32,
    IDT_VECTORS = 256,            /* an IDT holds at most 256 gates (SDM 6.10) */
};

/*
 * A segment descriptor as two 32-bit halves (SDM 3.4.5):
 *   lo: limit 15:0 | base 15:0 << 16
 *   hi: base 23:16 | type 11:8 | S 12 | DPL 14:13 | P 15 | limit 19:16 |
 *       AVL 20 | L 21 | D/B 22 | G 23 | base 31:24
 */
struct seg_desc {
    uint32_t lo, hi;
} HR_PACKED;
_Static_assert(sizeof(struct seg_desc) == 8, "descriptor size");

#define DESC_TYPE_SHIFT 8u
#define DESC_TYPE(d)   (((d).hi >> DESC_TYPE_SHIFT) & 0xFu)
#define DESC_S(d)      (((d).hi >> 12) & 1u)     /* 1: code/data */
#define DESC_DPL(d)    (((d).hi >> 13) & 3u)
#define DESC_P(d)      (((d).hi >> 15) & 1u)
#define DESC_DB(d)     (((d).hi >> 22) & 1u)
#define DESC_G(d)      (((d).hi >> 23) & 1u)
#define DESC_L(d)      (((d).hi >> 21) & 1u)
#define DESC_BASE(d)   (((d).lo >> 16) | (((d).hi & 0xFFu) << 16) | ((d).hi & 0xFF000000u))
#define DESC_RAWLIMIT(d) (((d).lo & 0xFFFFu) | ((d).hi & 0x000F0000u))
#define DESC_HI_DPL_MASK 0x6000u
#define DESC_HI_LIMIT_MASK 0x000F0000u

/* Segment registers in the order of the Sreg encoding (SDM vol. 2, 3.1.1.3). */
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };

/* Code/data type bits (S=1) and system types (S=0). */
#define SEG_TYPE_CODE     0x8u
#define SEG_TYPE_CONFORM  0x4u   /* code: conforming */
#define SEG_TYPE_EXPDOWN  0x4u   /* data: expand-down */
#define SEG_TYPE_WRITE    0x2u   /* data: writable */
#define SEG_TYPE_ACCESSED 0x1u
#define SYS_TYPE_LDT      0x2u
#define SYS_TYPE_TSS32    0x9u
#define SYS_TYPE_TSS32_BUSY 0xBu
#define SYS_TYPE_TASK     0x5u      /* task gate */
#define SYS_TYPE_INT32    0xEu
#define SYS_TYPE_TRAP32   0xFu

/* Build a descriptor from base, raw 20-bit limit, access byte and flags. */
static inline struct seg_desc seg_make(uint32_t base, uint32_t limit,
                                       uint32_t access, uint32_t flags)
{
    struct seg_desc d;
    d.lo = (limit & 0xFFFFu) | (base << 16);
    d.hi = ((base >> 16) & 0xFFu) | (access << 8) | (limit & 0xF0000u)
         | (flags << 20) | (base & 0xFF000000u);
    return d;
}
#define SEG_ACCESS(p, dpl, s, type) (((p) << 7) | ((dpl) << 5) | ((s) << 4) | (type))
#define SEG_FLAGS_32_4K 0xCu   /* G=1, D/B=1 */

/* A gate in the IDT (SDM 6.11). */
struct gate_desc {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t  zero;
    uint8_t  type_attr;         /* P | DPL | 0 | type */
    uint16_t offset_hi;
} HR_PACKED;
_Static_assert(sizeof(struct gate_desc) == 8, "gate size");
#define GATE_P      0x80u
#define GATE_DPL(x) ((x) << 5)

/* The 32-bit TSS (SDM 7.2.1) followed by the I/O permission bitmap. */
struct tss32 {
    uint16_t link, r0;
    uint32_t esp0; uint16_t ss0, r1;
    uint32_t esp1; uint16_t ss1, r2;
    uint32_t esp2; uint16_t ss2, r3;
    uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint16_t es, r4, cs, r5, ss, r6, ds, r7, fs, r8, gs, r9, ldt, r10;
    uint16_t trap, iomap_base;
} HR_PACKED;
_Static_assert(sizeof(struct tss32) == 104, "TSS size");
_Static_assert(offsetof(struct tss32, esp0) == 4, "esp0");
_Static_assert(offsetof(struct tss32, esp1) == 12, "esp1");
_Static_assert(offsetof(struct tss32, cr3) == 28, "cr3");
_Static_assert(offsetof(struct tss32, iomap_base) == 102, "iomap");

/* The 6-byte operand of LGDT/LIDT. */
struct dtr {
    uint16_t limit;
    uint32_t base;
} HR_PACKED;
_Static_assert(sizeof(struct dtr) == 6, "dtr");

/*
 * What entry.asm leaves on the ring-0 stack: data segments, PUSHAD, vector,
 * error code, then the CPU's frame.  Guest traps always change privilege,
 * so esp and ss are always there.
 */
struct trapframe {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_pushad, ebx, edx, ecx, eax;
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
    uint32_t esp, ss;
};  /* all 32-bit fields: no padding, as the asserts check; not packed so
     * that handlers may take a field's address (decode_gpr) */
_Static_assert(sizeof(struct trapframe) == 76, "trapframe size: TF_SIZE in entry.asm");
_Static_assert(offsetof(struct trapframe, eax) == 44, "eax");
_Static_assert(offsetof(struct trapframe, vector) == 48, "vector");
_Static_assert(offsetof(struct trapframe, eip) == 56, "eip");
_Static_assert(offsetof(struct trapframe, cs) == 60, "cs: TF_CS in entry.asm");
_Static_assert(offsetof(struct trapframe, esp_pushad) == 28, "TF_ESP_PUSHAD in entry.asm");

/* Does exception v push an error code (Intel SDM vol. 3, 6.13)? */
static inline int vector_has_error(uint32_t v)
{
    return v == T_DF || (v >= T_TS && v <= T_PF) || v == T_AC;
}

#define SEL_RPL(s)   ((s) & 3u)
#define SEL_TI       0x4u
#define SEL_INDEX(s) ((s) >> 3)

/* Port I/O for the hypervisor's own devices. */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline uint32_t read_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr4(uint32_t v) { __asm__ volatile("mov %0, %%cr4" :: "r"(v)); }
static inline uint32_t read_cr2(void) { uint32_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr3(void) { uint32_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline void write_cr3(uint32_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void invlpg(uint32_t va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }
static inline uint64_t rdtsc(void) { uint64_t t; __asm__ volatile("rdtsc" : "=A"(t)); return t; }
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}
static inline void lgdt(const struct dtr *d) { __asm__ volatile("lgdt %0" :: "m"(*d)); }
static inline void lidt(const struct dtr *d) { __asm__ volatile("lidt %0" :: "m"(*d)); }
static inline void ltr(uint16_t sel) { __asm__ volatile("ltr %0" :: "r"(sel)); }
static inline void lldt(uint16_t sel) { __asm__ volatile("lldt %0" :: "r"(sel)); }

#endif /* HV_X86_H */
