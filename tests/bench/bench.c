/*
 * bench.c - what each privileged operation costs: natively, through the
 * VMI ROM, and trapped and emulated by the hypervisor.
 *
 * Meant to run under QEMU with -icount shift=0,align=off,sleep=off, where
 * the TSC counts instructions: every number is exact and repeatable.  For
 * each operation the kernel runs BENCH_ITERATIONS of it between two raw
 * RDTSCs (raw, so that timing never enters the hypervisor) and prints
 *
 *   BENCH op=NAME mode=MODE cycles_per_op=N exits_per_op=M \
 *         hypercalls_per_op=H exceptions_per_op=X emulated_per_op=E
 *
 * cycles_per_op has the empty loop's cost (op=loop, printed first)
 * taken off and is rounded to an integer: what remains after dividing is
 * the fixed cost of starting a measurement.  The exit counts are exact,
 * with three decimals when not whole.  They come from CPUID leaf
 * HR_CPUID_EXITS read before and after: exits_per_op from its EAX (every
 * exit), the others from EBX, ECX and EDX.  On the hypervisor (CPL 1)
 * the counters are read by a direct hypercall, which works with and
 * without the ROM bound ("novmi" leaves the native CPUID, which does not
 * trap in ring 1); natively every exit count is 0.
 *
 * MODE is the "mode=" word boot.sh puts on the command line.  Ends with
 * PASS lines and the summary; nothing here depends on the numbers.
 * tests/bench/run.sh boots it in every mode and tabulates the lines.
 */
#include "rt.h"     /* report, TRY_ASM, rt_gdt, rt_seg, cmdline_get */
#include "vmi.h"    /* the operations measured */

#define BENCH_ITERATIONS 1000u
#define PORT_EMULATED    0x80u     /* POST code port: emulated on the hypervisor */
#define PORT_SCRATCH     0x3FFu    /* COM1 scratch register: passed through */
#define CPUID_LEAF       0u        /* the vendor leaf: served without side effects */
#define CPUID_LEAF_FIXED 1u        /* features: the hypervisor sets and hides bits */
#define FRACTION_SCALE   1000u     /* per-op values carry three decimals */
#define MODE_MAX         32u
#define BENCH_GDT_SLOT   RT_GDT_FIRST_FREE   /* a slot the runtime leaves free */
#define PT_ENTRIES       1024u
#define PAGE_BYTES       4096u
#define PG_PRESENT_RW    0x3u      /* page-table entry: present, writable */
#define PG_USER          0x4u
#define PT_SHIFT         12
#define PD_SHIFT         22
#define PAGED_VA         0x00400000u /* the page op_pte_update remaps */
#define CR0_PAGING       0x80000000u

/* The hypervisor's counters (CPUID leaf HR_CPUID_EXITS). */
struct exits {
    uint32_t all, hypercalls, exceptions, emulated;
};

/* What one operation cost over BENCH_ITERATIONS. */
struct sample {
    uint32_t cycles;               /* TSC ticks: instructions under -icount */
    struct exits exits;            /* deltas; all zero natively             */
};

/* One operation: a function that runs it BENCH_ITERATIONS times, and one
 * that does everything else run does (NULL: nothing but the loop). */
struct op {
    const char *name;
    void (*run)(void);
    void (*overhead)(void);
};

static int on_hypervisor;          /* CPL 1: the counters exist */
static volatile uint32_t sink;     /* keeps results the compiler would drop */
static uint32_t gdt_lo, gdt_hi;    /* the descriptor WriteGDTEntry writes */
static uint32_t ud_caught;         /* ud2s the try mechanism caught */
static int user_result;            /* the last rt_user_call's result */
static uint32_t pages_seen;        /* frame_b words op_pte_update read */

/* Page tables for op_pte_update: 0-4 MiB identity, PAGED_VA onto a or b. */
static uint32_t bench_pd[PT_ENTRIES] __attribute__((aligned(PAGE_BYTES)));
static uint32_t bench_pt_low[PT_ENTRIES] __attribute__((aligned(PAGE_BYTES)));
static uint32_t bench_pt_va[PT_ENTRIES] __attribute__((aligned(PAGE_BYTES)));
static volatile uint32_t frame_a[PT_ENTRIES] __attribute__((aligned(PAGE_BYTES)));
static volatile uint32_t frame_b[PT_ENTRIES] __attribute__((aligned(PAGE_BYTES)));

/* The TSC by the raw instruction: never a VMI call, never an exit. */
static inline uint32_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
    (void)hi;
    return lo;
}

/* The hypervisor's exit counters by a direct CPUID hypercall; zeros natively. */
static struct exits read_exits(void)
{
    struct exits e = { 0, 0, 0, 0 };
    if (!on_hypervisor)
        return e;
    __asm__ volatile("int %[vec]\n\t.byte %c[call]"
                     : "=a"(e.all), "=b"(e.hypercalls), "=c"(e.exceptions), "=d"(e.emulated)
                     : [vec] "i"(HR_HYPERCALL_VECTOR), [call] "i"(VMI_CALL_CPUID),
                       "a"(HR_CPUID_EXITS), "c"(0)
                     : "memory");
    return e;
}

/* ---- the operations: each runs its body BENCH_ITERATIONS times ---- */

/* Nothing: the loop itself, subtracted from every other operation. */
static void op_loop(void)
{
    for (uint32_t i = 0; i < BENCH_ITERATIONS; i++)
        __asm__ volatile("" ::: "memory");
}

/* EnableInterrupts + DisableInterrupts (patched sites); leaves IF off. */
static void op_intr_pair(void)
{
    for (uint32_t i = 0; i < BENCH_ITERATIONS; i++) {
        vmi_enable_interrupts();
        vmi_disable_interrupts();
    }
}

/* GetInterruptMask + SetInterruptMask: save and restore the flags. */
static void op_flags(void)
{
    for (uint32_t i = 0; i < BENCH_ITERATIONS; i++)
        vmi_set_interrupt_mask(vmi_get_interrupt_mask());
}

/* CPUID leaf 0 (patched site). */
static void op_cpuid(void)
{
    uint32_t r[4];
    for (uint32_t i = 0; i < BENCH_ITERATIONS; i++)
        vmi_cpuid(CPUID_LEAF, 0, r);
    sink = r[0];
}

/* CPUID leaf 1 (patched site): the leaf the hypervisor adjusts, so on
 * it a hypercall: the cost of the exit path itself. */
static void op_cpuid_leaf1(void)
{
    uint32_t r[4];
    for (uint32_t i = 0; i < BENCH_ITERATIONS; i++)
        vmi_cpuid(CPUID_LEAF_FIXED, 0, r);
    sink = r[0];
}

/* OUT to a port the hypervisor emulates (patched site). */
static void op_out_emulated(void)
{
    for (uint32_t i = 0; i < BENCH_ITERATIONS; i++)
        vmi_outb(PORT_EMULATED, (uint8_t)i);
}

/* OUT to a port the hypervisor passes through (patched site). */
static void op_out_passthrough(void)
{
    for (uint32_t i = 0; i < BENCH_ITERATIONS; i++)
        vmi_outb(PORT_SCRATCH, (uint8_t)i);
}

/* GetCR0 (table call). */
static void op_get_cr0(void)
{
    for (uint32_t i = 0; i < BENCH_ITERATIONS; i++)
        sink = vmi_get_cr0();
}

/* WriteGDTEntry of a data descriptor into a free slot of the loaded GDT. */
static void op_write_gdt_entry(void)
{
    for (uint32_t i = 0; i < BENCH_ITERATIONS; i++)
        vmi_write_gdt_entry(rt_gdt, BENCH_GDT_SLOT, gdt_lo, gdt_hi);
}

/* ud2 caught by TRY_ASM: the exception's round trip (reflected on the
 * hypervisor) plus arming and disarming the try point. */
static void op_exception(void)
{
    for (uint32_t i = 0; i < BENCH_ITERATIONS; i++)
        ud_caught += TRY_ASM("ud2") == T_UD;
}

/* Paging on with bench_pd (built the first time). */
static void paging_on(void)
{
    if (!bench_pd[0]) {
        for (uint32_t i = 0; i < PT_ENTRIES; i++)
            bench_pt_low[i] = (i << PT_SHIFT) | PG_PRESENT_RW | PG_USER;
        bench_pd[0] = (uint32_t)bench_pt_low | PG_PRESENT_RW | PG_USER;
        bench_pd[PAGED_VA >> PD_SHIFT] = (uint32_t)bench_pt_va | PG_PRESENT_RW;
        frame_b[0] = 1;
    }
    vmi_set_cr3((uint32_t)bench_pd);
    vmi_set_cr0(vmi_get_cr0() | CR0_PAGING);
}

static void paging_off(void)
{
    vmi_set_cr0(vmi_get_cr0() & ~CR0_PAGING);
}

/* Remap a page as a kernel does: SetPxE, InvalPage, then touch it (on
 * the hypervisor, a shadow fill). */
static void op_pte_update(void)
{
    volatile uint32_t *frames[2] = { frame_a, frame_b };
    paging_on();
    for (uint32_t i = 0; i < BENCH_ITERATIONS; i++) {
        vmi_set_pxe((uint32_t)frames[i & 1] | PG_PRESENT_RW, &bench_pt_va[0], VMI_PAGE_PT);
        vmi_inval_page(PAGED_VA);
        pages_seen += *(volatile uint32_t *)PAGED_VA;
    }
    paging_off();
}

/* What op_pte_update does besides its loop: paging on and off. */
static void op_paging_trip(void)
{
    paging_on();
    paging_off();
}

/* In ring 3: (uintptr_t)arg system calls through the direct gate. */
static void user_syscalls(void *arg)
{
    for (uint32_t i = 0; i < (uint32_t)(uintptr_t)arg; i++)
        rt_syscall(RT_SYS_COUNT, 0);
}

/* A trip to user mode and back that makes BENCH_ITERATIONS system calls. */
static void op_user_syscalls(void)
{
    user_result = rt_user_call(user_syscalls, (void *)(uintptr_t)BENCH_ITERATIONS);
}

/* The same trip with no system calls: what op_user_syscalls has on top. */
static void op_user_trip(void)
{
    user_result = rt_user_call(user_syscalls, NULL);
}

static const struct op ops[] = {
    { "intr_pair",          op_intr_pair,       NULL },
    { "flags_save_restore", op_flags,           NULL },
    { "cpuid",              op_cpuid,           NULL },
    { "cpuid_leaf1",        op_cpuid_leaf1,     NULL },
    { "out_emulated",       op_out_emulated,    NULL },
    { "out_passthrough",    op_out_passthrough, NULL },
    { "get_cr0",            op_get_cr0,         NULL },
    { "write_gdt_entry",    op_write_gdt_entry, NULL },
    { "exception",          op_exception,       NULL },
    { "syscall",            op_user_syscalls,   op_user_trip },
    { "pte_update",         op_pte_update,      op_paging_trip },
};
#define OP_COUNT (sizeof(ops) / sizeof(ops[0]))

/* ---- measuring and printing ---- */

/* Run fn once (its BENCH_ITERATIONS) between TSC and counter reads. */
static struct sample measure(void (*fn)(void))
{
    struct exits before = read_exits();
    uint32_t t0 = tsc();
    fn();
    uint32_t t1 = tsc();
    struct exits after = read_exits();
    /* The second read counts itself: one hypercall. */
    uint32_t self = on_hypervisor ? 1u : 0u;
    return (struct sample){
        .cycles = t1 - t0,
        .exits = {
            .all = after.all - before.all - self,
            .hypercalls = after.hypercalls - before.hypercalls - self,
            .exceptions = after.exceptions - before.exceptions,
            .emulated = after.emulated - before.emulated,
        },
    };
}

/* a less b: cycles clamped at 0, exit counts exact. */
static struct sample minus(struct sample a, const struct sample *b)
{
    a.cycles = a.cycles > b->cycles ? a.cycles - b->cycles : 0;
    a.exits.all -= b->exits.all;
    a.exits.hypercalls -= b->exits.hypercalls;
    a.exits.exceptions -= b->exits.exceptions;
    a.exits.emulated -= b->exits.emulated;
    return a;
}

/* What op costs over BENCH_ITERATIONS: less the loop's cost and its overhead's. */
static struct sample measure_op(const struct op *op, const struct sample *loop)
{
    struct sample s = minus(measure(op->run), loop);
    if (op->overhead) {
        struct sample extra = measure(op->overhead);
        s = minus(s, &extra);
    }
    return s;
}

/* total / BENCH_ITERATIONS rounded to the nearest integer. */
static uint32_t rounded(uint32_t total)
{
    return (total + BENCH_ITERATIONS / 2) / BENCH_ITERATIONS;
}

/* total / BENCH_ITERATIONS as text: an integer, or with three decimals. */
static const char *per_op(uint32_t total, char *buf, size_t size)
{
    uint32_t whole = total / BENCH_ITERATIONS;
    uint32_t rest = total % BENCH_ITERATIONS;
    if (rest == 0)
        snprintf(buf, size, "%u", whole);
    else
        snprintf(buf, size, "%u.%03u", whole, rest * FRACTION_SCALE / BENCH_ITERATIONS);
    return buf;
}

/* Print one BENCH line for s. */
static void print_sample(const char *name, const char *mode, const struct sample *s)
{
    char x[16], h[16], e[16], m[16];
    printf("BENCH op=%s mode=%s cycles_per_op=%u exits_per_op=%s hypercalls_per_op=%s "
           "exceptions_per_op=%s emulated_per_op=%s\n", name, mode,
           rounded(s->cycles), per_op(s->exits.all, x, sizeof(x)),
           per_op(s->exits.hypercalls, h, sizeof(h)),
           per_op(s->exits.exceptions, e, sizeof(e)), per_op(s->exits.emulated, m, sizeof(m)));
}

/* The mode boot.sh named, or one inferred from the privilege level. */
static void find_mode(const char *cmdline, char *mode, size_t size)
{
    if (cmdline_get(cmdline, "mode", mode, size))
        return;
    const char *guess = !on_hypervisor ? "native"
                        : vmi.mode == VMI_MODE_VMI ? "hv" : "hv-novmi";
    snprintf(mode, size, "%s", guess);
}

/* The descriptor WriteGDTEntry writes: flat data at our privilege level. */
static void make_descriptor(void)
{
    uint8_t access = (uint8_t)(DESC_P | (rt_seg.cpl << DESC_DPL_SHIFT) | DESC_S | DESC_DATA_WRITE);
    struct seg_desc d = desc_make(0, desc_flat_limit(), access, DESC_FLAG_G | DESC_FLAG_DB);
    gdt_lo = desc_lo(&d);
    gdt_hi = desc_hi(&d);
}

static void report_checks(const char *mode);

/* The benchmark: the loop's cost, then every operation less that cost. */
void guest_main(const char *cmdline)
{
    char mode[MODE_MAX];
    on_hypervisor = rt_seg.cpl != 0;
    find_mode(cmdline, mode, sizeof(mode));
    make_descriptor();
    printf("bench: %u iterations per operation, mode %s, ring %u, VMI %s\n",
           BENCH_ITERATIONS, mode, rt_seg.cpl, vmi.mode == VMI_MODE_VMI ? "on" : "off");

    struct sample base = measure(op_loop);
    print_sample("loop", mode, &base);
    for (uint32_t i = 0; i < OP_COUNT; i++) {
        struct sample s = measure_op(&ops[i], &base);
        print_sample(ops[i].name, mode, &s);
    }

    report_checks(mode);
}

/* The PASS/FAIL lines: every operation did what it should (never how fast). */
static void report_checks(const char *mode)
{
    report(ud_caught == BENCH_ITERATIONS, "every ud2 was caught as #UD (%u of %u)",
           ud_caught, BENCH_ITERATIONS);
    if (!report(rt_syscalls == BENCH_ITERATIONS && user_result == RT_NO_FAULT,
                "every system call arrived (%u of %u) and user mode came back cleanly",
                rt_syscalls, BENCH_ITERATIONS))
        printf("  the user call ended with vector %d, error %x, at eip %x\n",
               user_result, rt_last_fault.error, rt_last_fault.eip);
    report(pages_seen == BENCH_ITERATIONS / 2, "every remap showed its frame (%u of %u from B)",
           pages_seen, BENCH_ITERATIONS / 2);
    if (on_hypervisor) {
        struct exits a = read_exits(), b = read_exits();
        report(b.hypercalls == a.hypercalls + 1,
               "the exit counters answer on the hypervisor (a read is one hypercall)");
    }
    report(1, "benchmark finished: %u operations measured in mode %s", (unsigned)OP_COUNT + 1, mode);
}
