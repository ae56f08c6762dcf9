/*
 * vmifuzz.c - an in-guest random VMI-call fuzzer (issue 8, "Build" item 5).
 *
 * A seeded guest kernel on the runtime (guest/rt/) that makes `count`
 * random operations, each one of:
 *   - a VMI call (every call of spec/hyperrom.h HR_VMI_CALLS, through the
 *     shim's entries: the ROM in mode hv, the native stubs in hv-novmi,
 *     where the hypervisor traps and emulates the privileged instruction);
 *   - a raw privileged instruction or INT n (mostly in hv-novmi);
 *   - a direct write to its own GDT, LDT, IDT or page tables followed by a
 *     reload (LGDT, LLDT, LIDT, INVLPG / CR3).
 * Arguments mix wild 32-bit values, boundary values (0, FFFFFFFFh,
 * virtual_top and around it, the end of guest memory, the ROM area
 * C8000h-DFFFFh, the vCPU area) and plausible ones (our selectors, real
 * descriptors with random fields, pointers into a scratch buffer).
 *
 * The fuzzer keeps itself alive: every operation runs under try_call (a
 * fault is reflected back and caught), and what an operation may have
 * changed (GDT/IDT/LDT/TR, kernel stack, CR0/CR3/CR4, DR7, segments, the
 * interrupt flag, the PIC mask) is put back after it.  Memory the
 * hypervisor or a native stub writes for a random pointer is checked
 * first (target_safe) so that no operation can overwrite the fuzzer.
 * Operations that would end every run (Halt with no timer, Reboot,
 * Shutdown, the APIC calls, faulting IRET/SYSEXIT) are made only as the
 * last operation of seeds that ask for one ("end=1", or seed % 5 == 0).
 *
 * Command line: seed=N (default 1), count=N (default 20000), trace=N
 * (print each operation from index N on, for reproducing a failure),
 * end=0|1, rare=N (a choice that ends the guest is made 1 time in N,
 * default 16384).  Prints "vmifuzz: seed S: N calls" every 1000 operations and
 * "vmifuzz: seed S: done: N calls" at the end; tests/vmifuzz/run.sh boots
 * seeds and judges the hypervisor's health.
 */
#include "rt.h"
#include "vmi.h"

/* ---- constants and where they come from ---- */
#define FZ_DEFAULT_COUNT  20000u
#define FZ_PROGRESS       1000u
#define FZ_ARGS           6u
#define FZ_VALUE_MAX      24u            /* digits of a command-line value      */
#define GUEST_MEM_END     0x02000000u    /* README: guest_mem default 32M       */
#define ROM_AREA_START    0x000C8000u    /* option-ROM area (README)            */
#define ROM_AREA_END      0x000E0000u
#define LOW_MEM_END       0x0009F000u    /* below the EBDA: nothing of ours     */
#define PAGE              4096u
#define PT_ENTRIES        1024u
#define PD_SHIFT          22
#define PT_SHIFT          12
#define IDENT_PDES        2u             /* identity map of the first 8 MiB     */
#define IDENT_END         (IDENT_PDES << PD_SHIFT)
#define FUZZ_VA           IDENT_END      /* pd[2]: the fuzzed page table        */
#define PG_P              0x001u         /* SDM 4.3 page-table entry bits       */
#define PG_W              0x002u
#define PG_U              0x004u
#define PG_PS             0x080u
#define PG_FLAG_BITS      0xFFFu
#define SCRATCH_PAGES     16u
#define SCRATCH_SIZE      (SCRATCH_PAGES * PAGE)
#define GDT_SAVED         RT_GDT_FIRST_FREE  /* slots 0..5 are restored        */
#define LDT_ENTRIES       16u
#define LDT_SLOT          (RT_GDT_ENTRIES - 1u) /* GDT slot for the LDT       */
#define IRQ0_UNMASK       0xFEu          /* 8259A OCW1: only line 0 open        */
#define PIC_MASK_ALL      0xFFu
#define PIC1_CMD          0x20u          /* 8259A ports                         */
#define PIC1_DATA         0x21u
#define PIC2_CMD          0xA0u
#define PIC2_DATA         0xA1u
#define EXIT_PORT         0xF4u          /* tests/lib/qemu.sh isa-debug-exit    */
#define EXIT_PORT_SIZE    4u
#define COM1              0x3F8u         /* the console (console.c)             */
#define KBC_CMD           0x64u          /* 8042 command: FEh resets, ends the run */
#define COM_PORTS         8u
#define CR0_EM            0x00000004u    /* SDM 2.5                             */
#define CR0_MP            0x00000002u
#define CR0_NE            0x00000020u
#define CR0_WP            0x00010000u
#define CR0_AM            0x00040000u
#define CR0_NW            0x20000000u
#define CR0_CD            0x40000000u
#define CR4_PSE           0x00000010u
#define CR4_PGE           0x00000080u
#define CR4_PCE           0x00000100u
#define EFLAGS_TF         0x00000100u
#define EFLAGS_NT         0x00004000u
#define EFLAGS_AC         0x00040000u
#define EFLAGS_ID         0x00200000u
#define EFLAGS_ARITH      0x000008D5u    /* CF PF AF ZF SF OF                   */
#define DR7_ENABLES       0x000000FFu    /* L0-G3: keep breakpoints off         */
#define MSR_TSC           0x10u          /* SDM vol. 4                          */
#define MSR_SYSENTER_CS   0x174u
#define MSR_EFER          0xC0000080u
#define PMC_BACKDOOR      0x10000u       /* README: RDPMC pseudo-counters       */
#define HC_VECTOR         HR_HYPERCALL_VECTOR
#define T_CP              21u            /* SDM 6.3.1: vectors with an error code */
#define T_VC              29u            /* that cpu.h does not name              */
#define T_SX              30u
#define OPC_INT           0xCDu          /* INT imm8; RET                       */
#define OPC_RET           0xC3u
#define SMALL_DELTA       16u
#define FZ_RARE           16384u         /* 1 in this (rare=N): a choice the
                                            hypervisor ends the guest for    */
#define GDT_FREE_SLOTS    (LDT_SLOT - GDT_SAVED) /* 6..14: drift freely      */
#define ALARM_NEAR        200000u        /* cycles: a Halt's one-shot wake-up   */
#define PIT_CH0           0x40u          /* 8254 ports, as tests/rules/rules.h  */
#define PIT_CMD           0x43u
#define PIT_CH0_RATE      0x34u          /* channel 0, lo/hi, mode 2            */
#define PIT_NEAR          1193u          /* at most 1 ms of 1.193182 MHz        */

/* What an operation may change, and so what is put back after it. */
enum fz_touch {
    T_GDT = 1u << 0, T_IDT = 1u << 1, T_LDT = 1u << 2, T_TR = 1u << 3,
    T_KSTACK = 1u << 4, T_CR0 = 1u << 5, T_CR3 = 1u << 6, T_CR4 = 1u << 7,
    T_IF = 1u << 8, T_DR = 1u << 9, T_SEGS = 1u << 10, T_PIC = 1u << 11,
    T_LAZY = 1u << 12, T_ALARM = 1u << 13,
};

/* How an argument is drawn (fz_draw); some fill two slots. */
enum fz_kind {
    K_NONE, K_WILD, K_OUT6, K_GDTR, K_IDTR, K_SEL, K_TR_SEL, K_LDT_SEL,
    K_GDT_AT, K_LDT_AT, K_IDT_AT,        /* table, index                        */
    K_DESC, K_GATE,                      /* lo, hi                              */
    K_KSS, K_STACK, K_CR0, K_CR3, K_CR4, K_DRN, K_MSR, K_PMC, K_LEAF, K_PORT,
    K_INS1, K_INS2, K_INS4,              /* buffer to write, count              */
    K_OUTS,                              /* buffer to read, count               */
    K_PTE, K_PXE_AT, K_PXE_FLAGS, K_PFN, K_COUNTER, K_ALARM, K_TIME,
    K_LAZY, K_EFLAGS, K_VECTOR, K_HCNUM, K_GDT_SLOT, K_RARE, K_IFMASK,
};

/* Which boots an operation runs in. */
#define M_VMI    1u     /* mode hv (the ROM bound)                             */
#define M_NATIVE 2u     /* hv-novmi (native stubs, trapped)                    */
#define M_BOTH   (M_VMI | M_NATIVE)

struct fz_op {
    const char *name;
    uint8_t kinds[FZ_ARGS];
    uint8_t modes, weight;
    uint16_t touches;
    void (*run)(void *args);             /* try_call body; args = uint32_t[]    */
};

/* ---- state ---- */
static uint32_t rng;                     /* xorshift32 state, never 0           */
static uint32_t fz_mode;                 /* M_VMI or M_NATIVE                   */
static int paging;                       /* base state: CR0.PG set              */
static uint32_t base_cr0, base_cr4;
static struct vmi_dtr good_gdtr, good_idtr;
static struct seg_desc saved_gdt[GDT_SAVED];
static struct gate_desc saved_gate;
static uint32_t saved_gate_index;
static uint32_t args[FZ_ARGS];
static volatile uint32_t sink;
static uint32_t pd[PT_ENTRIES] __attribute__((aligned(PAGE)));
static uint32_t pt_ident[IDENT_PDES][PT_ENTRIES] __attribute__((aligned(PAGE)));
static uint32_t pt_fuzz[PT_ENTRIES] __attribute__((aligned(PAGE)));
static uint32_t pd_alt[PT_ENTRIES] __attribute__((aligned(PAGE)));
static struct seg_desc fuzz_ldt[LDT_ENTRIES] __attribute__((aligned(8)));
static uint8_t scratch[SCRATCH_SIZE] __attribute__((aligned(PAGE)));
static uint8_t code_buf[16] __attribute__((aligned(16)));
extern uint8_t __kernel_start[], __kernel_end[];   /* kernel.ld */
extern uint8_t rt_trap_stack_top[];                /* entry.asm */
extern const uint32_t rt_vector_stubs[RT_VECTORS]; /* entry.asm */

/* ---- the PRNG: xorshift32 (Marsaglia 2003) ---- */

/* The next 32 random bits. */
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* A random number below n (n > 0). */
static uint32_t below(uint32_t n)
{
    return rnd() % n;
}

/* True one time in n. */
static int one_in(uint32_t n)
{
    return below(n) == 0;
}

/* ---- values ---- */

/* True rarely: for values the hypervisor terminates the guest for. */
static uint32_t fz_rare = FZ_RARE;

static int rare(void)
{
    return one_in(fz_rare);
}

/* A boundary value: the edges the hypervisor must get right. */
static uint32_t boundary(void)
{
    static const uint32_t edges[] = {
        0, 1, 0xFFFFFFFFu, 0x7FFFFFFFu, 0x80000000u, HR_VIRTUAL_TOP,
        HR_VIRTUAL_TOP - 1, HR_VIRTUAL_TOP - 4, HR_VCPU_AREA, HR_VCPU_AREA + PAGE - 4,
        GUEST_MEM_END, GUEST_MEM_END - 1, GUEST_MEM_END - 4, GUEST_MEM_END - 8,
        ROM_AREA_START, ROM_AREA_END - 1, ROM_AREA_END - 8, ROM_AREA_START - 4,
        0xF0100000u, 0xFFFFF000u, 0xFFFFFFF8u, 0xFFFFFFFCu, 0xFFFFu, 0x10000u,
    };
    uint32_t v = edges[below(sizeof(edges) / sizeof(edges[0]))];
    return one_in(3) ? v + below(2 * SMALL_DELTA) - SMALL_DELTA : v;
}

/* A wild value: fully random, masked small, or a boundary. */
static uint32_t wild(void)
{
    switch (below(5)) {
    case 0: return rnd() & 0xFFu;
    case 1: return rnd() & 0xFFFFu;
    case 2: case 3: return boundary();
    default: return rnd();
    }
}

/* A pointer into the scratch buffer with room for len bytes. */
static uint32_t scratch_ptr(uint32_t len)
{
    return (uint32_t)scratch + below(SCRATCH_SIZE - len);
}

/* The physical address behind va as a write would reach it: 1 and *pa,
 * 0 when the write stops there (faults), -1 when we cannot tell. */
static int translate(uint32_t va, uint32_t *pa)
{
    if (!paging) {
        *pa = va;
        return va < GUEST_MEM_END ? 1 : 0;
    }
    uint32_t pde = pd[va >> PD_SHIFT];
    if (!(pde & PG_P))
        return 0;
    if ((pde & PG_PS) || (pde & ~PG_FLAG_BITS) >= IDENT_END)
        return -1;
    uint32_t pte = ((const uint32_t *)(pde & ~PG_FLAG_BITS))[(va >> PT_SHIFT) & (PT_ENTRIES - 1)];
    if (!(pte & PG_P))
        return 0;
    *pa = (pte & ~PG_FLAG_BITS) | (va & PG_FLAG_BITS);
    return *pa < GUEST_MEM_END ? 1 : 0;
}

/* Does reading va touch a frame past guest memory (the hypervisor ends
 * the guest for that)?  Unknown counts as yes; rarely we read anyway. */
static int read_ends(uint32_t va)
{
    uint32_t pa;
    if (!paging || rare())
        return 0;
    uint32_t pde = pd[va >> PD_SHIFT];
    if (!(pde & PG_P))
        return 0;
    return translate(va, &pa) != 1 && (translate(va, &pa) < 0
        || (((const uint32_t *)(pde & ~PG_FLAG_BITS))[(va >> PT_SHIFT) & (PT_ENTRIES - 1)] & PG_P));
}

/* Can anything write len bytes from va on without touching the fuzzer?
 * Scanning stops at the first page a write faults on. */
static int target_safe(uint32_t va, uint32_t len)
{
    uint32_t start = (uint32_t)__kernel_start, end = (uint32_t)__kernel_end;
    if (va + len > HR_VCPU_AREA && va < HR_VCPU_AREA + PAGE)
        return rare();                   /* ring 1 may write the vCPU area:
                                            garbage in its virtual IF word
                                            ends the guest (rule 9)        */
    uint32_t s0 = (uint32_t)scratch, s1 = s0 + SCRATCH_SIZE;
    for (uint32_t done = 0; done < len; ) {
        uint32_t pa, chunk = PAGE - ((va + done) & (PAGE - 1));
        int t = translate(va + done, &pa);
        if (t == 0)
            return 1;
        if (t < 0)
            return 0;
        if (chunk > len - done)
            chunk = len - done;
        if (pa + chunk > start && pa < end && !(pa >= s0 && pa + chunk <= s1))
            return 0;
        if (pa + chunk < pa)
            return 0;
        done += chunk;
    }
    return 1;
}

/* A pointer a write of len bytes may go to: scratch, or a wild one. */
static uint32_t out_ptr(uint32_t len)
{
    for (int tries = 0; tries < 4 && !one_in(2); tries++) {
        uint32_t p = wild();
        if (target_safe(p, len))
            return p;
    }
    return scratch_ptr(len);
}

/* A selector: ours, a random slot of either table, or wild. */
static uint16_t selector(void)
{
    const uint16_t ours[] = { rt_seg.kernel_cs, rt_seg.kernel_ds, rt_seg.user_cs,
                              rt_seg.user_ds, rt_seg.tss, 0 };
    switch (below(4)) {
    case 0: return ours[below(sizeof(ours) / sizeof(ours[0]))];
    case 1: return SEL(below(RT_GDT_ENTRIES), 0, below(4));
    case 2: return SEL(below(LDT_ENTRIES), SEL_TI_LDT, below(4));
    default: return (uint16_t)wild();
    }
}

/* A real descriptor with random fields the hypervisor accepts most often:
 * DPL 1 or 3, below virtual_top, no L, no expand-down; sometimes a TSS
 * or LDT in scratch; rarely anything at all. */
static struct seg_desc descriptor(void)
{
    if (rare()) {
        struct seg_desc d;
        uint32_t lo = wild(), hi = wild();
        memcpy(&d, &lo, 4);
        memcpy((uint8_t *)&d + 4, &hi, 4);
        return d;
    }
    unsigned dpl = rare() ? below(4) : (one_in(2) ? 1u : 3u);
    uint32_t limit = one_in(2) ? below(0x1000u) : below(DESC_MAX_LIMIT + 1);
    uint8_t type = (uint8_t)(one_in(2) ? (DESC_CODE | (below(8) & 0x3u)) : (below(4) & 0x3u));
    uint8_t access = (uint8_t)((one_in(8) ? 0 : DESC_P) | (dpl << DESC_DPL_SHIFT) | DESC_S | type);
    if (one_in(6)) {
        type = one_in(2) ? DESC_SYS_LDT : DESC_SYS_TSS32;
        access = (uint8_t)(DESC_P | (dpl << DESC_DPL_SHIFT) | type);
        return desc_make(scratch_ptr(PAGE), limit & 0xFFFu, access, 0);
    }
    uint32_t base = one_in(2) ? 0 : (one_in(2) ? scratch_ptr(0) : rnd() & 0x0FFFF000u);
    uint8_t flags = (uint8_t)((below(4) << 6) & (DESC_FLAG_G | DESC_FLAG_DB));
    return desc_make(base, limit, access, flags);
}

/* A gate: into one of our handlers, or with random fields. */
static struct gate_desc gate(void)
{
    static const uint8_t types[] = { GATE_INT32, GATE_TRAP32, 0x05, 0x0C, 0x06, 0x07, 0 };
    uint32_t handler = one_in(4) ? wild() : rt_vector_stubs[below(RT_VECTORS)];
    struct gate_desc g = desc_gate(handler, below(4), types[below(sizeof(types))]);
    if (one_in(4))
        g.selector = selector();
    if (one_in(8))
        g.type_attr &= (uint8_t)~DESC_P;
    return g;
}

/* Do ports p..p+n-1 and lo..lo+m-1 overlap? */
static int overlaps(uint32_t p, uint32_t n, uint32_t lo, uint32_t m)
{
    return p < lo + m && lo < p + n;
}

/* An I/O port the fuzzer may touch with size bytes: never the exit port
 * (a guest's write there forges a verdict), the console, or the 8042's
 * command port (its reset pulse ends the run like Reboot). */
static uint16_t port(uint32_t size)
{
    static const uint16_t plausible[] = { 0x21, 0xA1, 0x40, 0x41, 0x42, 0x43, 0x61,
                                          0x70, 0x71, 0x80, 0x402, 0x5658, 0xCF8, 0xCFC,
                                          0x7FFF, 0x8000, 0xFFFF, 0x2F8 };
    for (;;) {
        uint16_t p = one_in(2) ? plausible[below(sizeof(plausible) / 2)] : (uint16_t)wild();
        if (overlaps(p, size, EXIT_PORT, EXIT_PORT_SIZE) || overlaps(p, size, COM1, COM_PORTS)
            || overlaps(p, size, PIC1_CMD, 1) || overlaps(p, size, PIC2_CMD, 1)
            || overlaps(p, size, KBC_CMD, 1))
            continue;                    /* ICW1 would move our vectors; a reset
                                          * pulse ends the run, as Reboot   */
        return p;
    }
}

/* A table pointer and index for Write*Entry: our live table (restored
 * where it matters), scratch, or wild where the write cannot hurt us. */
static void table_at(uint32_t *a, uint32_t live, uint32_t live_entries)
{
    switch (below(4)) {
    case 0: case 1:
        a[0] = live;
        a[1] = below(live_entries);
        return;
    case 2:
        a[0] = (uint32_t)scratch + 8u * below(SCRATCH_SIZE / 16u);
        a[1] = below(SCRATCH_SIZE / 16u);
        return;
    default:
        a[0] = wild();
        a[1] = one_in(2) ? wild() : below(HR_GUEST_GDT_ENTRIES + SMALL_DELTA);
        if (!target_safe(a[0] + a[1] * 8u, 8))
            a[0] = scratch_ptr(0) & ~7u, a[1] = 0;
    }
}

/* A descriptor-table register image in scratch for SetGDT/SetIDT (or a
 * wild pointer to one): the live table with a random limit, a scratch
 * copy of it with random entries, or wild. */
static uint32_t dtr_image(const void *live, uint32_t size, int validated)
{
    /* the image in the first half of scratch, any copy in the second */
    struct vmi_dtr *d = (struct vmi_dtr *)((uint32_t)scratch + below(SCRATCH_SIZE / 2 - sizeof(*d)));
    d->base = (uint32_t)live;
    int strict = validated && !rare();  /* keep our own slots, no garbage after */
    uint32_t keep = strict ? GDT_SAVED * 8u : 0, span = strict ? size : size + SMALL_DELTA;
    d->limit = (uint16_t)(one_in(5) ? keep + below(span - keep) : size - 1);
    if (one_in(4)) {
        uint8_t *copy = scratch + SCRATCH_SIZE / 2;
        memcpy(copy, live, size);
        for (uint32_t i = below(4); i > 0; i--) {
            struct seg_desc x = descriptor();
            memcpy(copy + 8u * (GDT_SAVED + below(size / 8u - GDT_SAVED)), &x, 8);
        }
        d->base = (uint32_t)copy;
    }
    if (validated ? rare() : one_in(10)) {
        d->base = wild();
        d->limit = (uint16_t)(one_in(8) ? wild() : below(size + SMALL_DELTA));
    }
    return (validated ? rare() : one_in(32)) ? wild() : (uint32_t)d;
}

/* A page-table entry: a frame from somewhere interesting, random flags. */
static uint32_t pte_value(void)
{
    const uint32_t frames[] = { scratch_ptr(0), below(GUEST_MEM_END),
                                ROM_AREA_START + below(ROM_AREA_END - ROM_AREA_START),
                                (uint32_t)pt_fuzz, wild() % GUEST_MEM_END };
    /* frames past guest memory end the guest when touched: rarely */
    const uint32_t beyond[] = { GUEST_MEM_END, HR_VCPU_AREA, HR_VIRTUAL_TOP, wild() };
    uint32_t frame = rare() ? beyond[below(sizeof(beyond) / sizeof(beyond[0]))]
                            : frames[below(sizeof(frames) / sizeof(frames[0]))];
    frame &= ~PG_FLAG_BITS;
    uint32_t flags = one_in(2) ? (PG_P | PG_W | PG_U) : (rnd() & PG_FLAG_BITS);
    if (frame >= (uint32_t)__kernel_start && frame < (uint32_t)__kernel_end && frame != (uint32_t)pt_fuzz
        && !(frame >= (uint32_t)scratch && frame < (uint32_t)scratch + SCRATCH_SIZE))
        flags &= ~PG_P;                  /* our own frames: as a page table the
                                            walk's accessed bits would land in them */
    return frame | flags;
}

/* Where a page-table entry lives: the fuzzed table, a directory entry
 * past the identity map, the second directory, or a safe wild place. */
static uint32_t pxe_at(void)
{
    switch (below(6)) {
    case 0: case 1: return (uint32_t)&pt_fuzz[below(PT_ENTRIES)];
    case 2: return (uint32_t)&pd[IDENT_PDES + below(PT_ENTRIES - IDENT_PDES)];
    case 3: return (uint32_t)&pd_alt[IDENT_PDES + below(PT_ENTRIES - IDENT_PDES)];
    default: return out_ptr(8);
    }
}

/* The flags word of SetPxE/UpdatePxE: level, CURRENT_AS, DEFER, address. */
static uint32_t pxe_flags(void)
{
    if (one_in(8))
        return wild();
    uint32_t level = one_in(2) ? VMI_PAGE_PT : (one_in(2) ? VMI_PAGE_PD : 1u << below(4));
    uint32_t va = one_in(2) ? FUZZ_VA + (below(PT_ENTRIES) << PT_SHIFT) : wild();
    if (va < IDENT_END && !rare())
        va += IDENT_END;                 /* a lie about our own map: rarely   */
    return level | (rnd() & (VMI_PAGE_CURRENT_AS | VMI_PAGE_DEFER)) | (va & VMI_PAGE_VA_MASK);
}

/* A CR0 image: ours with a few bits flipped; rarely PG, PE or wild. */
static uint32_t cr0_value(void)
{
    static const uint32_t bits[] = { CR0_TS, CR0_MP, CR0_EM, CR0_NE, CR0_WP, CR0_AM,
                                     CR0_CD, CR0_NW, CR0_ET };
    uint32_t v = base_cr0;
    for (uint32_t i = below(3); i > 0; i--)
        v ^= bits[below(sizeof(bits) / sizeof(bits[0]))];
    if (one_in(8))
        v ^= CR0_PG;
    if (one_in(16))
        v &= ~CR0_PE;
    return one_in(16) ? wild() : v;
}

/* A CR3: one of our directories, or (mostly with paging off) wild. */
static uint32_t cr3_value(void)
{
    if (paging ? rare() : one_in(3))
        return wild();
    return one_in(2) ? (uint32_t)pd : (uint32_t)pd_alt;
}

/* An EFLAGS image for an IRET to ring 1 or 3: never TF (it would trap
 * in the fuzzer's own code) and rarely NT. */
static uint32_t eflags_value(void)
{
    uint32_t v = EFLAGS_FIXED | (rnd() & (EFLAGS_ARITH | EFLAGS_IF | EFLAGS_DF | EFLAGS_AC
                                          | EFLAGS_ID | EFLAGS_IOPL));
    return one_in(32) ? v | EFLAGS_NT : v;
}

/* "now" on the real cycle counter plus a random distance, as two words. */
static void time_value(uint32_t *a)
{
    uint64_t t = vmi_get_cycle_counter(VMI_CYCLES_REAL);
    switch (below(4)) {
    case 0: t += below(ALARM_NEAR); break;
    case 1: t = 0; break;
    case 2: t += rnd(); break;
    default: t = ((uint64_t)wild() << 32) | wild();
    }
    a[0] = (uint32_t)t;
    a[1] = (uint32_t)(t >> 32);
}

/* A buffer and count for string I/O of item bytes: small and safe, or a
 * wild count into memory that faults at its first byte. */
static void string_io(uint32_t *a, uint32_t item, int writes)
{
    static const uint32_t faulting[] = { GUEST_MEM_END, HR_VIRTUAL_TOP, HR_VCPU_AREA + PAGE,
                                         0xFFFFF000u, 0x80000000u };
    if (one_in(16)) {
        a[0] = faulting[below(sizeof(faulting) / sizeof(faulting[0]))];
        a[1] = wild();
        uint32_t pa;
        if (translate(a[0], &pa) == 0)
            return;
    }
    a[1] = below(64);
    a[0] = writes ? out_ptr(a[1] * item + 1) : (one_in(4) ? wild() : scratch_ptr(a[1] * item));
    if (!writes && a[0] > (uint32_t)scratch + SCRATCH_SIZE)
        a[1] = below(4);                 /* a wild read: keep it short          */
}

/* Clear system descriptors out of our LDT (a load refuses them), except
 * rarely. */
static void ldt_sanitize(void)
{
    if (rare())
        return;
    for (uint32_t i = 0; i < LDT_ENTRIES; i++)
        if (!(fuzz_ldt[i].access & DESC_S))
            memset(&fuzz_ldt[i], 0, sizeof(fuzz_ldt[i]));
}

/* Fill a[0..] for an argument of kind k; returns how many slots it took. */
static uint32_t draw(uint8_t k, uint32_t *a)
{
    /* Not IA32_APIC_BASE (1Bh): it ends the guest by name (no virtual APIC). */
    static const uint32_t msrs[] = { MSR_TSC, MSR_SYSENTER_CS,
                                     MSR_SYSENTER_CS + 1, MSR_SYSENTER_CS + 2, MSR_EFER };
    static const uint32_t leaves[] = { 0, 1, 2, 4, 7, 0xB, 0x40000000u, 0x40000001u,
                                       0x40000002u, 0x80000000u, 0x80000001u, 0x80000008u };
    struct seg_desc d;
    struct gate_desc g;
    switch (k) {
    case K_WILD:    a[0] = wild(); return 1;
    case K_OUT6:    a[0] = out_ptr(sizeof(struct vmi_dtr)); return 1;
    case K_GDTR:    a[0] = dtr_image(rt_gdt, sizeof(rt_gdt), 1); return 1;
    case K_IDTR:    a[0] = dtr_image(rt_idt, sizeof(rt_idt), 0); return 1;
    case K_SEL:     a[0] = selector(); return 1;
    case K_TR_SEL:  a[0] = one_in(2) ? rt_seg.tss : selector(); return 1;
    case K_LDT_SEL: ldt_sanitize(); a[0] = rare() ? selector() : (one_in(2) ? SEL(LDT_SLOT, 0, below(4)) : below(4)); return 1;
    case K_GDT_AT:
        table_at(a, (uint32_t)rt_gdt, RT_GDT_ENTRIES);
        if (a[0] == (uint32_t)rt_gdt)    /* our own slots and the LDT's: rarely */
            a[1] = rare() ? below(RT_GDT_ENTRIES) : GDT_SAVED + below(GDT_FREE_SLOTS);
        return 2;
    case K_LDT_AT:  table_at(a, (uint32_t)fuzz_ldt, LDT_ENTRIES); return 2;
    case K_IDT_AT:
        table_at(a, (uint32_t)rt_idt, RT_IDT_ENTRIES);
        saved_gate_index = a[0] == (uint32_t)rt_idt ? a[1] : RT_IDT_ENTRIES;
        if (saved_gate_index < RT_IDT_ENTRIES)
            saved_gate = rt_idt[saved_gate_index];
        return 2;
    case K_DESC:    d = descriptor(); a[0] = desc_lo(&d); a[1] = desc_hi(&d); return 2;
    case K_GATE:    g = gate(); a[0] = desc_lo(&g); a[1] = desc_hi(&g); return 2;
    case K_KSS:
        a[0] = rare() ? (one_in(2) ? wild() : SEL(below(RT_GDT_ENTRIES), 0, 1)) : rt_seg.kernel_ds;
        return 1;
    case K_STACK:   a[0] = one_in(4) ? wild() : (scratch_ptr(0) & ~3u); return 1;
    case K_CR0:     a[0] = cr0_value(); return 1;
    case K_CR3:     a[0] = cr3_value(); return 1;
    case K_CR4:
        a[0] = one_in(16) ? wild() : (rnd() & (CR4_PSE | CR4_PGE | CR4_TSD | CR4_DE | CR4_PCE));
        return 1;
    case K_DRN:     a[0] = one_in(8) ? wild() : below(8); return 1;
    case K_MSR:     a[0] = one_in(3) ? wild() : msrs[below(sizeof(msrs) / sizeof(msrs[0]))]; return 1;
    case K_PMC:     a[0] = one_in(3) ? wild() : (one_in(2) ? PMC_BACKDOOR + below(4) : below(4)); return 1;
    case K_LEAF:    a[0] = one_in(4) ? wild() : leaves[below(sizeof(leaves) / sizeof(leaves[0]))]; return 1;
    case K_PORT:    a[0] = port(4); return 1;
    case K_INS1:    string_io(a, 1, 1); return 2;
    case K_INS2:    string_io(a, 2, 1); return 2;
    case K_INS4:    string_io(a, 4, 1); return 2;
    case K_OUTS:    string_io(a, 4, 0); return 2;
    case K_PTE:     a[0] = pte_value(); return 1;
    case K_PXE_AT:  a[0] = pxe_at(); return 1;
    case K_PXE_FLAGS: a[0] = pxe_flags(); return 1;
    case K_PFN:     a[0] = one_in(2) ? below(GUEST_MEM_END / PAGE + SMALL_DELTA) : wild(); return 1;
    case K_COUNTER: a[0] = one_in(8) ? wild() : below(3); return 1;
    case K_ALARM:
        a[0] = one_in(16) ? (wild() & ~VMI_ALARM_WIRED_LVTT)
                          : (below(3) | (one_in(2) ? VMI_ALARM_PERIODIC : VMI_ALARM_ONESHOT));
        return 1;
    case K_TIME:    time_value(a); return 2;
    case K_LAZY:    a[0] = one_in(8) ? wild() : below(3); return 1;
    case K_EFLAGS:  a[0] = eflags_value(); return 1;
    case K_VECTOR:  /* a vector with a gate of ours; rarely any (no gate: the end) */
        a[0] = rare() ? rnd() & 0xFFu : (one_in(8) ? RT_SYSCALL_VECTOR : below(RT_VECTORS));
        return 1;
    case K_GDT_SLOT: a[0] = rare() ? below(RT_GDT_ENTRIES) : GDT_SAVED + below(GDT_FREE_SLOTS); return 1;
    case K_RARE:    a[0] = (uint32_t)rare(); return 1;
    case K_IFMASK:  a[0] = rare() ? wild() & ~EFLAGS_TF : (rnd() & EFLAGS_IF); return 1;  /* TF: native POPF single-steps us */
    case K_HCNUM:   a[0] = VMI_CALL_COUNT + below(0x100u - VMI_CALL_COUNT); return 1;
    default:        a[0] = 0; return 1;
    }
}

/* ---- how each operation is made: try_call bodies on args[] ---- */
#define A(i) (((const uint32_t *)(p))[i])
#define Q(i) (((uint64_t)A((i) + 1) << 32) | A(i))
#define PTR(i) ((void *)A(i))
typedef VMI_REGPARM uint32_t (*fz_fn3)(uint32_t, uint32_t, uint32_t);

/* A table call with up to three register arguments, by number. */
static void call3(uint32_t num, const void *p)
{
    sink = ((fz_fn3)vmi.entry[num])(A(0), A(1), A(2));
}

#define TABLE_CALL(name) \
    static void r_##name(void *p) { call3(VMI_CALL_##name, p); }
TABLE_CALL(SetGDT) TABLE_CALL(SetIDT) TABLE_CALL(SetLDT) TABLE_CALL(SetTR)
TABLE_CALL(GetGDT) TABLE_CALL(GetIDT) TABLE_CALL(GetLDT) TABLE_CALL(GetTR)
TABLE_CALL(UpdateKernelStack) TABLE_CALL(SetCR0) TABLE_CALL(SetCR2) TABLE_CALL(SetCR3)
TABLE_CALL(SetCR4) TABLE_CALL(GetCR0) TABLE_CALL(GetCR2) TABLE_CALL(GetCR3)
TABLE_CALL(GetCR4) TABLE_CALL(WBINVD) TABLE_CALL(GetDR) TABLE_CALL(CLTS)
TABLE_CALL(MachineToPhysical)
TABLE_CALL(PhysicalToMachine) TABLE_CALL(ReleasePage) TABLE_CALL(InvalPage)
TABLE_CALL(FlushTLB) TABLE_CALL(SetIOPLMask) TABLE_CALL(SetInitialAPState)
TABLE_CALL(IODelay) TABLE_CALL(GetCycleFrequency) TABLE_CALL(GetCycleCounter)
TABLE_CALL(CancelAlarm) TABLE_CALL(GetWallclockTime) TABLE_CALL(WallclockUpdated)
TABLE_CALL(SetCallbacks) TABLE_CALL(SetLazyMode) TABLE_CALL(SetPxE)
TABLE_CALL(Reboot) TABLE_CALL(Shutdown) TABLE_CALL(APICWrite) TABLE_CALL(APICRead)

/* SetDR keeps the breakpoints off (they would fire in the fuzzer). */
static void r_SetDR(void *p)
{
    uint32_t v = A(0) == 7 ? A(1) & ~DR7_ENABLES : A(1);
    vmi_set_dr(A(0), v);
}

static void r_CPUID(void *p) { uint32_t r[4]; vmi_cpuid(A(0), A(1), r); sink = r[0]; }
static void r_WRMSR(void *p) { vmi_wrmsr(A(0), Q(1)); }
static void r_RDMSR(void *p) { sink = (uint32_t)vmi_rdmsr(A(0)); }
static void r_RDPMC(void *p) { sink = (uint32_t)vmi_rdpmc(A(0)); }
static void r_RDTSC(void *p) { (void)p; sink = (uint32_t)vmi_rdtsc(); }
static void r_WriteGDTEntry(void *p) { vmi_write_gdt_entry(PTR(0), A(1), A(2), A(3)); }
static void r_WriteLDTEntry(void *p) { vmi_write_ldt_entry(PTR(0), A(1), A(2), A(3)); }
static void r_WriteIDTEntry(void *p) { vmi_write_idt_entry(PTR(0), A(1), A(2), A(3)); }
static void r_EnableInterrupts(void *p) { (void)p; vmi_enable_interrupts(); }
static void r_DisableInterrupts(void *p) { (void)p; vmi_disable_interrupts(); }
static void r_GetInterruptMask(void *p) { (void)p; sink = vmi_get_interrupt_mask(); }
static void r_SetInterruptMask(void *p) { vmi_set_interrupt_mask(A(0)); }
static void r_SetPxELong(void *p) { vmi_set_pxe_long(Q(0), PTR(2), A(3)); }
static void r_AllocatePage(void *p) { vmi_allocate_page(A(0), A(1), A(2), A(3), A(4)); }
static void r_SetLinearMapping(void *p) { vmi_set_linear_mapping(A(0), A(1), A(2), A(3)); }
static void r_SetAlarm(void *p) { vmi_set_alarm(A(0), Q(1), Q(3)); }
static void r_INB(void *p) { sink = vmi_inb((uint16_t)A(0)); }
static void r_INW(void *p) { sink = vmi_inw((uint16_t)A(0)); }
static void r_INL(void *p) { sink = vmi_inl((uint16_t)A(0)); }
static void r_OUTB(void *p) { vmi_outb((uint16_t)A(0), (uint8_t)A(1)); }
static void r_OUTW(void *p) { vmi_outw((uint16_t)A(0), (uint16_t)A(1)); }
static void r_OUTL(void *p) { vmi_outl((uint16_t)A(0), A(1)); }
static void r_INSB(void *p) { vmi_insb((uint16_t)A(0), PTR(1), A(2)); }
static void r_INSW(void *p) { vmi_insw((uint16_t)A(0), PTR(1), A(2)); }
static void r_INSL(void *p) { vmi_insl((uint16_t)A(0), PTR(1), A(2)); }
static void r_OUTSB(void *p) { vmi_outsb((uint16_t)A(0), PTR(1), A(2)); }
static void r_OUTSW(void *p) { vmi_outsw((uint16_t)A(0), PTR(1), A(2)); }
static void r_OUTSL(void *p) { vmi_outsl((uint16_t)A(0), PTR(1), A(2)); }

/* IRET to our own ring at the next instruction, with a random EFLAGS. */
static void r_IRET(void *p)
{
    __asm__ volatile("pushl %0\n\tpushl %1\n\tpushl $1f\n\tjmp *%2\n1:"
                     :: "r"(A(0)), "r"((uint32_t)rt_seg.kernel_cs),
                        "m"(vmi.entry[VMI_CALL_IRET]) : "memory", "cc");
}

/* IRET with a wild frame: ends the run ("faulting IRET"), as a last call. */
static void r_IRET_wild(void *p)
{
    __asm__ volatile("pushl %0\n\tpushl %1\n\tpushl %2\n\tpushl %3\n\tpushl %4\n\tjmp *%5"
                     :: "r"(A(4)), "r"(A(3)), "r"(A(2)), "r"(A(1)), "r"(A(0)),
                        "m"(vmi.entry[VMI_CALL_IRET]) : "memory", "cc");
}

/* SYSEXIT to EDX = A(0), ESP = ECX = A(1), with SYSENTER_CS wild. */
static void r_SYSEXIT(void *p)
{
    vmi_wrmsr(MSR_SYSENTER_CS, A(2));
    __asm__ volatile("jmp *%2" :: "d"(A(0)), "c"(A(1)), "m"(vmi.entry[VMI_CALL_SYSEXIT])
                     : "memory");
}

/* Halt with a one-shot alarm armed shortly and IRQ 0 open: it wakes. */
static void r_Halt(void *p)
{
    uint16_t count = (uint16_t)(A(0) % PIT_NEAR + 1);
    if (fz_mode == M_VMI)
        vmi_set_alarm(VMI_CYCLES_REAL | VMI_ALARM_ONESHOT,
                      vmi_get_cycle_counter(VMI_CYCLES_REAL) + A(0) % ALARM_NEAR, 0);
    else {                               /* native: the PIT, periodic          */
        vmi_outb(PIT_CMD, PIT_CH0_RATE);
        vmi_outb(PIT_CH0, (uint8_t)count);
        vmi_outb(PIT_CH0, (uint8_t)(count >> 8));
    }
    vmi_outb(PIC1_DATA, IRQ0_UNMASK);
    vmi_halt();
    if (fz_mode != M_VMI)
        vmi_outb(PIT_CMD, PIT_CH0_RATE); /* a mode word alone stops it         */
}

/* Halt with a random (or no) timer: ends the run, or hangs it. */
static void r_Halt_wild(void *p)
{
    if (A(0) & 1)
        vmi_set_alarm(VMI_CYCLES_REAL | VMI_ALARM_ONESHOT, Q(1), 0);
    vmi_outb(PIC1_DATA, (uint8_t)A(3));
    vmi_halt();
}

/* SetAlarm wired to the local APIC timer: the hypervisor refuses it. */
static void r_SetAlarm_lvtt(void *p)
{
    vmi_set_alarm(A(0) | VMI_ALARM_WIRED_LVTT, Q(1), Q(3));
}

/* UpdatePxE(ptr, flags) after a plain store of a random entry at ptr. */
static void r_UpdatePxE(void *p)
{
    *(volatile uint32_t *)A(0) = A(2);
    call3(VMI_CALL_UpdatePxE, p);
}

static void r_UpdatePxELong(void *p)
{
    *(volatile uint64_t *)A(0) = A(2);
    call3(VMI_CALL_UpdatePxELong, p);
}

/* ---- raw instructions (trapped and emulated in both modes) ---- */
static void n_mov_cr0(void *p) { __asm__ volatile("mov %0, %%cr0" :: "r"(A(0)) : "memory"); }
static void n_mov_cr3(void *p) { __asm__ volatile("mov %0, %%cr3" :: "r"(A(0)) : "memory"); }
static void n_mov_cr4(void *p) { __asm__ volatile("mov %0, %%cr4" :: "r"(A(0)) : "memory"); }
static void n_mov_cr2(void *p) { __asm__ volatile("mov %0, %%cr2" :: "r"(A(0)) : "memory"); }
static void n_read_crs(void *p)
{
    uint32_t a, b, c, d;
    (void)p;
    __asm__ volatile("mov %%cr0, %0\n\tmov %%cr2, %1\n\tmov %%cr3, %2\n\tmov %%cr4, %3"
                     : "=r"(a), "=r"(b), "=r"(c), "=r"(d));
    sink = a ^ b ^ c ^ d;
}
static void n_mov_dr(void *p)
{
    uint32_t v = A(1);
    switch (A(0) & 7) {
    case 0: __asm__ volatile("mov %0, %%dr0" :: "r"(v)); break;
    case 1: __asm__ volatile("mov %0, %%dr1" :: "r"(v)); break;
    case 2: __asm__ volatile("mov %0, %%dr2" :: "r"(v)); break;
    case 3: __asm__ volatile("mov %0, %%dr3" :: "r"(v)); break;
    case 6: __asm__ volatile("mov %0, %%dr6" :: "r"(v)); break;
    default: __asm__ volatile("mov %0, %%dr7" :: "r"(v & ~DR7_ENABLES)); break;
    }
}
static void n_read_drs(void *p)
{
    uint32_t a, b;
    (void)p;
    __asm__ volatile("mov %%dr6, %0\n\tmov %%dr7, %1" : "=r"(a), "=r"(b));
    sink = a ^ b;
}
static void n_lgdt(void *p) { __asm__ volatile("lgdt (%0)" :: "r"(A(0)) : "memory"); }
static void n_lidt(void *p) { __asm__ volatile("lidt (%0)" :: "r"(A(0)) : "memory"); }
static void n_lldt(void *p) { __asm__ volatile("lldt %w0" :: "r"(A(0)) : "memory"); }
static void n_ltr(void *p) { __asm__ volatile("ltr %w0" :: "r"(A(0)) : "memory"); }
static void n_clts(void *p) { (void)p; __asm__ volatile("clts"); }
static void n_invlpg(void *p) { __asm__ volatile("invlpg (%0)" :: "r"(A(0)) : "memory"); }
static void n_wbinvd(void *p) { (void)p; __asm__ volatile("wbinvd"); }
static void n_lmsw(void *p) { __asm__ volatile("lmsw %w0" :: "r"(A(0))); }
static void n_smsw(void *p) { uint32_t v; (void)p; __asm__ volatile("smsw %0" : "=r"(v)); sink = v; }
static void n_cli_sti(void *p)
{
    if (A(0) & 1)
        __asm__ volatile("sti" ::: "memory");
    else
        __asm__ volatile("cli" ::: "memory");
}
static void n_popf(void *p) { __asm__ volatile("pushl %0; popfl" :: "r"(A(0)) : "memory", "cc"); }
static void n_rdmsr(void *p) { uint32_t lo, hi; __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(A(0))); sink = lo ^ hi; }
static void n_wrmsr(void *p) { __asm__ volatile("wrmsr" :: "c"(A(0)), "a"(A(1)), "d"(A(2))); }
static void n_in(void *p) { uint32_t v; __asm__ volatile("inl %w1, %0" : "=a"(v) : "d"(A(0))); sink = v; }
static void n_out(void *p) { __asm__ volatile("outb %b0, %w1" :: "a"(A(1)), "d"(A(0))); }
static void n_hlt(void *p) { (void)p; __asm__ volatile("hlt"); }

/* Load a random selector into FS, GS, DS or ES. */
static void n_load_seg(void *p)
{
    uint16_t s = (uint16_t)A(0);
    switch (A(1) & 3) {
    case 0: __asm__ volatile("mov %0, %%fs" :: "r"(s)); break;
    case 1: __asm__ volatile("mov %0, %%gs" :: "r"(s)); break;
    /* C code uses DS and ES: put them back in the same breath */
    case 2: __asm__ volatile("mov %0, %%ds\n\tmov %1, %%ds" :: "r"(s), "r"(rt_seg.kernel_ds)); break;
    default: __asm__ volatile("mov %0, %%es\n\tmov %1, %%es" :: "r"(s), "r"(rt_seg.kernel_ds)); break;
    }
}

/* INT n for a random n: vectors whose stubs expect a CPU error code (the
 * frame would not match) and the hypercall vector are skipped. */
static void n_int(void *p)
{
    uint32_t v = A(0) & 0xFFu;
    int err = v == T_DF || (v >= T_TS && v <= T_PF) || v == T_AC
              || v == T_CP || v == T_VC || v == T_SX;  /* entry.asm STUB_ERR */
    if (err || v == HC_VECTOR)
        v = T_BP;
    code_buf[0] = OPC_INT;
    code_buf[1] = (uint8_t)v;
    code_buf[2] = OPC_RET;
    ((void (*)(void))(uintptr_t)code_buf)();
}

/* A hypercall by a number past the VMI calls, with random registers. */
static void n_hypercall(void *p)
{
    code_buf[0] = OPC_INT;
    code_buf[1] = HC_VECTOR;
    code_buf[2] = (uint8_t)A(0);
    code_buf[3] = OPC_RET;
    uint32_t a = A(1), d = A(2), c = A(3);
    __asm__ volatile("call *%3" : "+a"(a), "+d"(d), "+c"(c) : "r"(code_buf) : "memory", "cc");
    sink = a;
}

/* ---- direct table and page-table writes, then a reload ---- */

/* Store a descriptor in GDT slot A(0) and reload the GDT. */
static void d_gdt_poke(void *p)
{
    uint32_t lohi[2] = { A(1), A(2) };
    memcpy(&rt_gdt[A(0) % RT_GDT_ENTRIES], lohi, 8);
    vmi_set_gdt(&good_gdtr);
}

/* Store a descriptor in our LDT, (re)load it, and try a segment of it. */
static void d_ldt_poke(void *p)
{
    uint32_t lohi[2] = { A(1), A(2) };
    struct seg_desc l = desc_make((uint32_t)fuzz_ldt, A(3) % sizeof(fuzz_ldt),
                                  (uint8_t)(DESC_P | (rt_seg.cpl << DESC_DPL_SHIFT) | DESC_SYS_LDT), 0);
    memcpy(&fuzz_ldt[A(0) % LDT_ENTRIES], lohi, 8);
    ldt_sanitize();
    vmi_write_gdt_entry(rt_gdt, LDT_SLOT, desc_lo(&l), desc_hi(&l));
    vmi_set_ldt(SEL(LDT_SLOT, 0, rt_seg.cpl));
    uint16_t s = SEL(A(0) % LDT_ENTRIES, SEL_TI_LDT, A(4) & 3);
    __asm__ volatile("mov %0, %%fs" :: "r"(s));
}

/* Store a gate in IDT slot A(0) and reload the IDT. */
static void d_idt_poke(void *p)
{
    uint32_t lohi[2] = { A(1), A(2) };
    saved_gate_index = A(0) % RT_IDT_ENTRIES;
    saved_gate = rt_idt[saved_gate_index];
    memcpy(&rt_idt[saved_gate_index], lohi, 8);
    vmi_set_idt(&good_idtr);
}

/* Store an entry in the fuzzed page table or directory, make it take
 * effect (INVLPG, FlushTLB or a CR3 load), then read (and where safe,
 * write) the address it maps. */
static void d_pte_poke(void *p)
{
    uint32_t i = A(0) % PT_ENTRIES, va = FUZZ_VA + (i << PT_SHIFT);
    if (A(2) & 1)
        pd[IDENT_PDES + A(0) % (PT_ENTRIES - IDENT_PDES)] = A(1);
    else
        pt_fuzz[i] = A(1);
    switch ((A(2) >> 1) & 3) {
    case 0: vmi_inval_page(va); break;
    case 1: vmi_flush_tlb(VMI_FLUSH_TLB | (A(2) & VMI_FLUSH_GLOBAL)); break;
    default: vmi_set_cr3(vmi_get_cr3()); break;
    }
    if (!read_ends(va))
        sink = *(volatile uint32_t *)va;
    if (target_safe(va, 4) && !read_ends(va))
        *(volatile uint32_t *)va = A(3);
}

/* Read, and where safe write, a random address. */
static void d_probe(void *p)
{
    if (!read_ends(A(0)))
        sink = *(volatile uint32_t *)A(0);
    if (target_safe(A(0), 4) && !read_ends(A(0)))
        *(volatile uint32_t *)A(0) = A(1);
}

/* ---- user mode ---- */

/* What user code does in a round trip: A(0) selects, A(1) is a value. */
static void user_body(void *arg)
{
    const uint32_t *p = arg;
    switch (A(0) % 8) {
    case 0: break;
    case 1: rt_syscall(RT_SYS_COUNT, A(1)); break;
    case 2: __asm__ volatile("cli; sti" ::: "memory"); break;
    case 3: __asm__ volatile("pushl %0; popfl" :: "r"(A(1)) : "memory", "cc"); break;
    case 4: sink = vmi_inb((uint16_t)A(2)); break;
    case 5: __asm__ volatile("mov %0, %%cr0" :: "r"(A(1))); break;
    case 6: rt_syscall(A(1), A(1)); break;
    default: sink = (uint32_t)vmi_rdpmc(A(1)); break;
    }
}

/* IRET to ring 3 with a random EFLAGS image, run a body, come back. */
static void u_round_trip(void *p)
{
    sink = (uint32_t)rt_user_call_flags(user_body, (void *)&A(1), A(0));
}

/* A kernel stack for traps from ring 3, then a system call onto it when
 * that stack is somewhere a trap frame cannot hurt us. */
static void u_kstack_syscall(void *p)
{
    static const uint32_t ops[3] = { 1, 0, 0 };
    uint32_t s0 = (uint32_t)scratch + PAGE, s1 = (uint32_t)scratch + SCRATCH_SIZE;
    vmi_update_kernel_stack((uint16_t)A(0), A(1));
    if ((A(1) >= s0 && A(1) <= s1) || (A(2) && target_safe(A(1) - PAGE, PAGE)))
        sink = (uint32_t)rt_user_call(user_body, (void *)ops);
}

/* ---- the operations ---- */
#define W K_WILD
#define OP(n, k, m, w, t) { #n, k, m, w, t, r_##n }
#define RAW(n, k, m, w, t) { #n, k, m, w, t, n }
#define KS(...) { __VA_ARGS__ }

/* Every VMI call (spec/hyperrom.h HR_VMI_CALLS) and the fuzzer's own
 * operations; weight 0: only as the last operation of a boot (it ends
 * the run).  "touches" says what is put back afterwards. */
static const struct fz_op ops[] = {
    OP(CPUID, KS(K_LEAF, W), M_BOTH, 4, 0),
    OP(WRMSR, KS(K_MSR, W, W), M_BOTH, 3, 0),
    OP(RDMSR, KS(K_MSR), M_BOTH, 3, 0),
    OP(SetGDT, KS(K_GDTR), M_BOTH, 3, T_GDT),
    OP(SetLDT, KS(K_LDT_SEL), M_BOTH, 3, T_LDT | T_SEGS),
    OP(SetIDT, KS(K_IDTR), M_BOTH, 3, T_IDT),
    OP(SetTR, KS(K_TR_SEL), M_BOTH, 3, T_TR),
    OP(GetGDT, KS(K_OUT6), M_BOTH, 3, 0),
    OP(GetLDT, KS(0), M_BOTH, 2, 0),
    OP(GetIDT, KS(K_OUT6), M_BOTH, 3, 0),
    OP(GetTR, KS(0), M_BOTH, 2, 0),
    OP(WriteGDTEntry, KS(K_GDT_AT, 0, K_DESC), M_BOTH, 6, T_GDT),
    OP(WriteLDTEntry, KS(K_LDT_AT, 0, K_DESC), M_BOTH, 5, 0),
    OP(WriteIDTEntry, KS(K_IDT_AT, 0, K_GATE), M_BOTH, 5, T_IDT),
    OP(UpdateKernelStack, KS(K_KSS, W), M_BOTH, 3, T_KSTACK),
    OP(SetCR0, KS(K_CR0), M_BOTH, 4, T_CR0),
    OP(SetCR2, KS(W), M_BOTH, 2, 0),
    OP(SetCR3, KS(K_CR3), M_BOTH, 4, T_CR3),
    OP(SetCR4, KS(K_CR4), M_BOTH, 3, T_CR4),
    OP(GetCR0, KS(0), M_BOTH, 1, 0),
    OP(GetCR2, KS(0), M_BOTH, 1, 0),
    OP(GetCR3, KS(0), M_BOTH, 1, 0),
    OP(GetCR4, KS(0), M_BOTH, 1, 0),
    OP(WBINVD, KS(0), M_BOTH, 1, 0),
    OP(SetDR, KS(K_DRN, W), M_BOTH, 3, T_DR),
    OP(GetDR, KS(K_DRN), M_BOTH, 2, 0),
    OP(RDPMC, KS(K_PMC), M_BOTH, 3, 0),
    OP(RDTSC, KS(0), M_BOTH, 1, 0),
    OP(CLTS, KS(0), M_BOTH, 1, T_CR0),
    OP(EnableInterrupts, KS(0), M_BOTH, 2, T_IF),
    OP(DisableInterrupts, KS(0), M_BOTH, 2, T_IF),
    OP(GetInterruptMask, KS(0), M_BOTH, 2, 0),
    OP(SetInterruptMask, KS(K_IFMASK), M_BOTH, 2, T_IF),
    OP(IRET, KS(K_EFLAGS), M_BOTH, 4, T_IF),
    OP(IRET_wild, KS(W, K_SEL, W, W, K_SEL), M_BOTH, 0, 0),
    OP(SYSEXIT, KS(W, W, K_SEL), M_BOTH, 0, 0),
    OP(Halt, KS(W), M_BOTH, 1, T_IF | T_PIC | T_ALARM),
    OP(Halt_wild, KS(W, K_TIME, 0, W), M_BOTH, 0, 0),
    OP(Reboot, KS(0), M_BOTH, 0, 0),
    OP(Shutdown, KS(0), M_BOTH, 0, 0),
    OP(SetPxE, KS(K_PTE, K_PXE_AT, K_PXE_FLAGS), M_BOTH, 5, 0),
    OP(SetPxELong, KS(K_PTE, W, K_PXE_AT, K_PXE_FLAGS), M_BOTH, 3, 0),
    OP(UpdatePxE, KS(K_PXE_AT, K_PXE_FLAGS, K_PTE), M_BOTH, 4, 0),
    OP(UpdatePxELong, KS(K_PXE_AT, K_PXE_FLAGS, K_PTE), M_BOTH, 2, 0),
    OP(MachineToPhysical, KS(W), M_BOTH, 1, 0),
    OP(PhysicalToMachine, KS(W), M_BOTH, 1, 0),
    OP(AllocatePage, KS(K_PFN, W, K_PFN, W, W), M_BOTH, 2, 0),
    OP(ReleasePage, KS(K_PFN, W), M_BOTH, 2, 0),
    OP(InvalPage, KS(W), M_BOTH, 3, 0),
    OP(FlushTLB, KS(W), M_BOTH, 2, 0),
    OP(SetLinearMapping, KS(W, W, W, K_PFN), M_BOTH, 1, 0),
    OP(INL, KS(K_PORT), M_BOTH, 2, 0),
    OP(INB, KS(K_PORT), M_BOTH, 2, 0),
    OP(INW, KS(K_PORT), M_BOTH, 2, 0),
    OP(INSL, KS(K_PORT, K_INS4), M_BOTH, 2, 0),
    OP(INSB, KS(K_PORT, K_INS1), M_BOTH, 2, 0),
    OP(INSW, KS(K_PORT, K_INS2), M_BOTH, 2, 0),
    OP(OUTL, KS(K_PORT, W), M_BOTH, 2, T_PIC),
    OP(OUTB, KS(K_PORT, W), M_BOTH, 2, T_PIC),
    OP(OUTW, KS(K_PORT, W), M_BOTH, 2, T_PIC),
    OP(OUTSL, KS(K_PORT, K_OUTS), M_BOTH, 2, T_PIC),
    OP(OUTSB, KS(K_PORT, K_OUTS), M_BOTH, 2, T_PIC),
    OP(OUTSW, KS(K_PORT, K_OUTS), M_BOTH, 2, T_PIC),
    OP(SetIOPLMask, KS(W), M_BOTH, 2, 0),
    OP(SetInitialAPState, KS(W, W), M_BOTH, 1, 0),
    OP(APICWrite, KS(W, W), M_BOTH, 0, 0),
    OP(APICRead, KS(W), M_BOTH, 0, 0),
    OP(IODelay, KS(0), M_BOTH, 1, 0),
    OP(GetCycleFrequency, KS(0), M_BOTH, 1, 0),
    OP(GetCycleCounter, KS(K_COUNTER), M_BOTH, 2, 0),
    OP(SetAlarm, KS(K_ALARM, K_TIME, 0, K_TIME), M_BOTH, 3, T_ALARM),
    OP(SetAlarm_lvtt, KS(W, K_TIME, 0, K_TIME), M_BOTH, 0, 0),
    OP(CancelAlarm, KS(K_COUNTER), M_BOTH, 2, 0),
    OP(GetWallclockTime, KS(0), M_BOTH, 1, 0),
    OP(WallclockUpdated, KS(0), M_BOTH, 1, 0),
    OP(SetCallbacks, KS(W), M_BOTH, 1, 0),
    OP(SetLazyMode, KS(K_LAZY), M_BOTH, 2, T_LAZY),
    RAW(n_mov_cr0, KS(K_CR0), M_BOTH, 3, T_CR0),
    RAW(n_mov_cr2, KS(W), M_BOTH, 1, 0),
    RAW(n_mov_cr3, KS(K_CR3), M_BOTH, 3, T_CR3),
    RAW(n_mov_cr4, KS(K_CR4), M_BOTH, 2, T_CR4),
    RAW(n_read_crs, KS(0), M_BOTH, 2, 0),
    RAW(n_mov_dr, KS(K_DRN, W), M_BOTH, 2, T_DR),
    RAW(n_read_drs, KS(0), M_BOTH, 1, 0),
    RAW(n_lgdt, KS(K_GDTR), M_BOTH, 3, T_GDT),
    RAW(n_lidt, KS(K_IDTR), M_BOTH, 3, T_IDT),
    RAW(n_lldt, KS(K_LDT_SEL), M_BOTH, 3, T_LDT | T_SEGS),
    RAW(n_ltr, KS(K_TR_SEL), M_BOTH, 2, T_TR),
    RAW(n_clts, KS(0), M_BOTH, 1, T_CR0),
    RAW(n_invlpg, KS(W), M_BOTH, 2, 0),
    RAW(n_wbinvd, KS(0), M_BOTH, 1, 0),
    RAW(n_lmsw, KS(K_CR0), M_BOTH, 2, T_CR0),
    RAW(n_smsw, KS(0), M_BOTH, 1, 0),
    RAW(n_cli_sti, KS(W), M_BOTH, 2, T_IF),
    RAW(n_popf, KS(K_EFLAGS), M_BOTH, 3, T_IF),
    RAW(n_rdmsr, KS(K_MSR), M_BOTH, 2, 0),
    RAW(n_wrmsr, KS(K_MSR, W, W), M_BOTH, 2, 0),
    RAW(n_in, KS(K_PORT), M_BOTH, 2, 0),
    RAW(n_out, KS(K_PORT, W), M_BOTH, 2, T_PIC),
    RAW(n_hlt, KS(0), M_BOTH, 0, 0),
    RAW(n_load_seg, KS(K_SEL, W), M_BOTH, 3, T_SEGS),
    RAW(n_int, KS(K_VECTOR), M_BOTH, 3, T_IF),
    RAW(n_hypercall, KS(K_HCNUM, W, W, W), M_BOTH, 0, 0),
    RAW(d_gdt_poke, KS(K_GDT_SLOT, K_DESC), M_BOTH, 4, T_GDT | T_SEGS),
    RAW(d_ldt_poke, KS(W, K_DESC, W, W), M_BOTH, 4, T_LDT | T_SEGS | T_GDT),
    RAW(d_idt_poke, KS(W, K_GATE), M_BOTH, 3, T_IDT),
    RAW(d_pte_poke, KS(W, K_PTE, W, W), M_BOTH, 5, T_CR3),
    RAW(d_probe, KS(W, W), M_BOTH, 2, 0),
    RAW(u_round_trip, KS(K_EFLAGS, W, W, K_PORT), M_BOTH, 3, T_IF),
    RAW(u_kstack_syscall, KS(K_KSS, K_STACK, K_RARE), M_BOTH, 2, T_KSTACK),
};
#define OPS (sizeof(ops) / sizeof(ops[0]))

/* ---- keeping the fuzzer sane ---- */

/* Put GDT slots 0..5 back as we made them and reload the GDT. */
static void restore_gdt(void)
{
    for (uint32_t i = 0; i < GDT_SAVED; i++)
        if (memcmp(&rt_gdt[i], &saved_gdt[i], 8))
            vmi_write_gdt_entry(rt_gdt, i, desc_lo(&saved_gdt[i]), desc_hi(&saved_gdt[i]));
    vmi_set_gdt(&good_gdtr);
}

/* Put back the IDT slot a WriteIDTEntry or poke changed, reload the IDT. */
static void restore_idt(void)
{
    if (saved_gate_index < RT_IDT_ENTRIES)
        vmi_write_idt_entry(rt_idt, saved_gate_index, desc_lo(&saved_gate), desc_hi(&saved_gate));
    saved_gate_index = RT_IDT_ENTRIES;
    vmi_set_idt(&good_idtr);
}

/* The task register: our TSS descriptor as made (not busy), reloaded. */
static void restore_tr(void)
{
    struct seg_desc *t = &saved_gdt[RT_GDT_TSS];
    vmi_write_gdt_entry(rt_gdt, RT_GDT_TSS, desc_lo(t), desc_hi(t));
    vmi_set_tr(rt_seg.tss);
}

static void restore_ldt(void) { vmi_set_ldt(0); }
static void restore_kstack(void) { vmi_update_kernel_stack(rt_seg.kernel_ds, (uint32_t)rt_trap_stack_top); }
static void restore_cr0(void) { vmi_set_cr0(paging ? base_cr0 | CR0_PG : base_cr0 & ~CR0_PG); }
static void restore_cr3(void) { vmi_set_cr3((uint32_t)pd); }
static void restore_cr4(void) { vmi_set_cr4(base_cr4); }
static void restore_if(void) { vmi_disable_interrupts(); }
static void restore_dr(void) { vmi_set_dr(7, 0); }
static void restore_lazy(void) { vmi_set_lazy_mode(VMI_LAZY_NONE); }
static void restore_alarm(void) { if (one_in(2)) vmi_cancel_alarm(VMI_CYCLES_REAL); }

/* The PIC masks: every line closed again. */
static void restore_pic(void)
{
    vmi_outb(PIC1_DATA, PIC_MASK_ALL);
    vmi_outb(PIC2_DATA, PIC_MASK_ALL);
}

/* DS, ES, FS, GS: the kernel's data segment again. */
static void restore_segs(void)
{
    __asm__ volatile("mov %0, %%ds\n\tmov %0, %%es\n\tmov %0, %%fs\n\tmov %0, %%gs"
                     :: "r"((uint32_t)rt_seg.kernel_ds) : "memory");
}

static const struct { uint16_t touch; void (*restore)(void); } restorers[] = {
    { T_SEGS, restore_segs }, { T_GDT, restore_gdt }, { T_IDT, restore_idt },
    { T_LDT, restore_ldt }, { T_TR, restore_tr }, { T_KSTACK, restore_kstack },
    { T_CR3, restore_cr3 }, { T_CR0, restore_cr0 }, { T_CR4, restore_cr4 },
    { T_DR, restore_dr }, { T_LAZY, restore_lazy }, { T_PIC, restore_pic },
    { T_ALARM, restore_alarm }, { T_IF, restore_if },
};

/* Undo what an operation touching `touches` may have changed. */
static void restore(uint32_t touches)
{
    if (paging)
        touches |= T_CR3;                /* a flush: target_safe's walk and
                                            the TLB must agree              */
    for (uint32_t i = 0; i < sizeof(restorers) / sizeof(restorers[0]); i++)
        if (touches & restorers[i].touch)
            restorers[i].restore();
}

/* ---- set-up and the main loop ---- */

/* Identity-map the first 8 MiB; pd[2] holds the fuzzed table. */
static void paging_init(void)
{
    for (uint32_t t = 0; t < IDENT_PDES; t++) {
        for (uint32_t i = 0; i < PT_ENTRIES; i++)
            pt_ident[t][i] = ((t << PD_SHIFT) | (i << PT_SHIFT)) | PG_P | PG_W | PG_U;
        pd[t] = (uint32_t)pt_ident[t] | PG_P | PG_W | PG_U;
    }
    for (uint32_t i = 0; i < PT_ENTRIES; i++)
        pt_fuzz[i] = ((uint32_t)scratch + (i % SCRATCH_PAGES) * PAGE) | PG_P | PG_W;
    pd[IDENT_PDES] = (uint32_t)pt_fuzz | PG_P | PG_W | PG_U;
    memcpy(pd_alt, pd, sizeof(pd_alt));
}

/* Our tables as the runtime made them: what every restore goes back to. */
static void tables_init(void)
{
    vmi_get_gdt(&good_gdtr);
    vmi_get_idt(&good_idtr);
    memcpy(saved_gdt, rt_gdt, sizeof(saved_gdt));
    saved_gate_index = RT_IDT_ENTRIES;
    struct seg_desc l = desc_make((uint32_t)fuzz_ldt, sizeof(fuzz_ldt) - 1,
                                  (uint8_t)(DESC_P | (rt_seg.cpl << DESC_DPL_SHIFT) | DESC_SYS_LDT), 0);
    vmi_write_gdt_entry(rt_gdt, LDT_SLOT, desc_lo(&l), desc_hi(&l));
    base_cr0 = vmi_get_cr0() & ~CR0_PG;
    base_cr4 = vmi_get_cr4();
}

/* Switch the base state's paging on or off. */
static void set_paging(int on)
{
    paging = on;
    restore_cr3();
    restore_cr0();
}

/* A number from "key=N" on the command line, or dflt. */
static uint32_t arg_u32(const char *key, uint32_t dflt)
{
    char buf[FZ_VALUE_MAX];
    uint32_t v = 0;
    if (!cmdline_get(rt_cmdline, key, buf, sizeof(buf)))
        return dflt;
    for (const char *c = buf; *c >= '0' && *c <= '9'; c++)
        v = v * 10 + (uint32_t)(*c - '0');
    return v;
}

/* Pick an operation for this boot's mode by weight; or, for the last
 * operation of an ending boot, one of the weight-0 ones. */
static const struct fz_op *pick(int ending)
{
    static uint32_t total;
    if (!total)
        for (uint32_t i = 0; i < OPS; i++)
            total += (ops[i].modes & fz_mode) ? ops[i].weight : 0;
    if (ending) {
        for (;;) {
            const struct fz_op *o = &ops[below(OPS)];
            if (o->weight == 0)
                return o;
        }
    }
    uint32_t r = below(total);
    for (uint32_t i = 0; i < OPS; i++) {
        uint32_t w = (ops[i].modes & fz_mode) ? ops[i].weight : 0;
        if (r < w)
            return &ops[i];
        r -= w;
    }
    return &ops[0];
}

/* Draw, print if tracing, make and undo one operation. */
static int one_op(uint32_t seed, uint32_t index, uint32_t trace, int ending)
{
    const struct fz_op *o = pick(ending);
    memset(args, 0, sizeof(args));
    for (uint32_t i = 0; i < FZ_ARGS; )
        i += draw(o->kinds[i], &args[i]);
    if (index >= trace || ending)
        printf("vmifuzz: seed %u: call %u: %s(%x, %x, %x, %x, %x, %x)\n", seed, index, o->name,
               args[0], args[1], args[2], args[3], args[4], args[5]);
    if ((index >= trace || ending) && (o->kinds[0] == K_GDTR || o->kinds[0] == K_IDTR)
        && args[0] >= (uint32_t)scratch && args[0] < (uint32_t)scratch + SCRATCH_SIZE) {
        const struct vmi_dtr *d = (const struct vmi_dtr *)args[0];
        printf("vmifuzz:   table register image: base %x limit %x\n", d->base, d->limit);
    }
    int v = try_call(o->run, args);
    restore(o->touches);
    return v;
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    uint32_t seed = arg_u32("seed", 1), count = arg_u32("count", FZ_DEFAULT_COUNT);
    uint32_t trace = arg_u32("trace", 0xFFFFFFFFu);
    int ending = (int)arg_u32("end", seed % 5 == 0);
    fz_rare = arg_u32("rare", FZ_RARE) ? arg_u32("rare", FZ_RARE) : 1;
    fz_mode = vmi.mode == VMI_MODE_VMI ? M_VMI : M_NATIVE;
    /* Knuth's multiplier spreads seeds 1, 2...; each mode its own stream */
    rng = seed * 2654435761u ^ (fz_mode == M_VMI ? 0x9E3779B9u : 0x5BD1E995u);
    if (!rng)
        rng = 1;
    printf("vmifuzz: seed %u, count %u, mode %s%s\n", seed, count,
           fz_mode == M_VMI ? "vmi" : "native", ending ? ", ending with a fatal call" : "");
    paging_init();
    tables_init();
    uint32_t faults = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (i % 1000 == 0)
            set_paging(one_in(2));
        faults += one_op(seed, i, trace, 0) != RT_NO_FAULT;
        if ((i + 1) % FZ_PROGRESS == 0)
            printf("vmifuzz: seed %u: %u calls\n", seed, i + 1);
    }
    set_paging(0);
    printf("vmifuzz: seed %u: done: %u calls, %u faulted\n", seed, count, faults);
    report(1, "vmifuzz seed %u: %u random calls, the fuzzer intact", seed, count);
    if (ending)
        one_op(seed, count, trace, 1);
}
