/*
 * portio.c - port I/O exactly as the CPU does it (issue 11), one table of
 * checks that runs natively, in hv and in hv-novmi: every line is the
 * same in the three modes (the CPU is the reference), except the rows
 * the spec deliberately differs on, which say so ("spec: ...").
 *
 *   - the I/O bitmap's corners from ring 3 at IOPL 0: ports 0h, 5000h,
 *     7FFFh, 8000h, 9000h, FFFFh, widths 1, 2, 4, IN, OUT, REP INS and
 *     REP OUTS, denied,
 *     granted alone (a wider access needs its neighbours' bits too) and
 *     granted with the three ports above; the 4FFFh/7FFFh byte-crossing
 *     cases; FFFFh's overrun with the byte past the bitmap inside and
 *     outside the TSS limit, the map base at the limit, and TR's cached
 *     descriptor (a rewritten GDT entry counts only after LTR);
 *   - IOPL 0 and 3 (set by an IRET at the kernel's level: natively at
 *     CPL 0, under the hypervisor at the virtual CPL 0) and the seed-002
 *     program (iopl(3); cli; loop; sti: rule 7 keeps IF);
 *   - string I/O from ring 3: supervisor, read-only and absent pages, a
 *     fault mid-string (ECX/EDI/ESI where the CPU leaves them), DF,
 *     REPNE, 67h with 16-bit DI and CX, ES base, FS and SS overrides
 *     with their limits, 15-byte instructions and LOCK;
 *   - the backdoor and RDPMC from ring 3 (spec: the hypervisor answers);
 *   - exit counts under the hypervisor (the backdoor's counter): a port
 *     passed through costs 0 exits, an emulated one 1.
 *
 * Kernel modes: native, hv, hv-novmi.
 */
#include "../hostile/hostile.h"   /* paging, GDT slots, rules.h */

#define BITS          8u
#define PORT_NONE     0x9000u               /* nothing decodes it          */
#define PORT_TOP      0xFFFFu
#define COM1_SCRATCH  0x3FFu                /* the UART's scratch register */
#define IOPL3         (3u << EFLAGS_IOPL_SHIFT)
#define NO_FAULT      RT_NO_FAULT
#define TSS_LIMIT     (sizeof(rt_tss) - 1u)
#define IOMAP_BASE    offsetof(struct rt_tss, iopb)
#define IOMAP_LAST    (IOMAP_BASE + 65536u / BITS - 1u) /* FFFFh's byte    */
#define TSS_MIN_LIMIT 0x67u                 /* a 32-bit TSS without bitmap */
#define SPIN_LIMIT    20000000u             /* ring-3 polls of the IRQ count */
#define IRQ_TIMER     0u
#define PIC_MASK_BUT_TIMER ((uint8_t)(RULES_PIC_ALL & ~(1u << IRQ_TIMER)))
#define BD_GETEXITS   HR_BACKDOOR_GETEXITS
#define PMC_MAGIC     HR_PMC_REAL
#define PF_USER_WRITE (HP_PF_U | HP_PF_W)
#define STRING_PORTS  4u                    /* 9000h..9003h: dword strings */
#define CR4_PCE       0x100u                /* RDPMC from any ring (off)   */
#define FAST_REFLECTIONS 3                  /* the first fills the fast path's memo */

/* Test pages (HP_TEST_VA up): a user page between two absent ones, a
 * supervisor and a read-only page; VA_WRAP is DI FFFFh under 67h. */
#define VA_BELOW      (HP_TEST_VA + 0x0000u)
#define VA_USER       (HP_TEST_VA + 0x1000u)
#define VA_ABSENT     (HP_TEST_VA + 0x2000u)
#define VA_SUPER      (HP_TEST_VA + 0x3000u)
#define VA_RO         (HP_TEST_VA + 0x4000u)
#define VA_WRAP       (VA_USER + 0xF000u)

/* GDT slots the test owns. */
#define SLOT_ES_BASE  (HOSTILE_SLOT + 0u)   /* ring-3 data based below a buffer */
#define SLOT_SMALL    (HOSTILE_SLOT + 1u)   /* ring-3 data, byte limit FFFh    */
#define SLOT_RO       (HOSTILE_SLOT + 2u)   /* ring-3 read-only data           */
#define SLOT_A16      (HOSTILE_SLOT + 3u)   /* ring-3 data based at a 64 KiB unit */
#define SMALL_LIMIT   0xFFFu
#define ES_BASE_DELTA 0x100u

/* What a ring-3 function works on; results come back in the same fields. */
struct uio {
    uint32_t port, ecx, esi, edi, value, eax;
    uint32_t sel, uds;          /* a segment to load; the user data selector */
    uint32_t start, seen;       /* seed 002: the IRQ count around the loop  */
};

/* ---- kernel-side set-up ---- */

/* Allow (1) or deny (0) ring 3 ports first .. first + n - 1 in the TSS. */
static void grant(uint32_t first, uint32_t n, int allow)
{
    for (uint32_t p = first; p < first + n && p <= PORT_TOP; p++) {
        uint8_t bit = (uint8_t)(1u << (p % BITS));
        rt_tss.iopb[p / BITS] = allow ? rt_tss.iopb[p / BITS] & (uint8_t)~bit
                                      : rt_tss.iopb[p / BITS] | bit;
    }
}

/* Rewrite the TSS descriptor with limit; load TR from it when ltr. */
static void tss_limit(uint32_t limit, int ltr)
{
    uint8_t access = (uint8_t)(DESC_P | (rt_seg.cpl << DESC_DPL_SHIFT) | DESC_SYS_TSS32);
    hostile_gdt_write(RT_GDT_TSS, desc_make((uint32_t)&rt_tss, limit, access, 0));
    if (ltr)
        vmi_set_tr(rt_seg.tss);
}

/* IOPL by an IRET to the kernel itself with the image's IOPL: natively at
 * CPL 0; under the hypervisor at the virtual CPL 0 (a frame naming the
 * kernel's code with RPL 0, served by the hypervisor in hv-novmi too). */
static void set_iopl(uint32_t iopl)
{
    uint32_t cs = rt_seg.kernel_cs & ~SEL_RPL_MASK;
    __asm__ volatile("pushl %0\n\tpushl %1\n\tpushl $1f\n\tjmp *%2\n1:"
                     :: "r"(EFLAGS_FIXED | iopl), "r"(cs), "r"(VMI_ENTRY(IRET))
                     : "memory", "cc");
}

/* Back to the kernel's data segments after user code loaded others. */
static void kernel_segments(void)
{
    uint16_t ds = rt_seg.kernel_ds;
    __asm__ volatile("mov %0, %%es\n\tmov %0, %%fs\n\tmov %0, %%gs" :: "r"(ds) : "memory");
}

/* Run fn(u) in ring 3 with IOPL iopl in its image: the vector it raised. */
static int user_at(void (*fn)(void *), struct uio *u, uint32_t iopl)
{
    u->uds = rt_seg.user_ds;
    int v = rt_user_call_flags(fn, u, EFLAGS_FIXED | EFLAGS_IF | iopl);
    kernel_segments();
    return v;
}

/* "none" or "V:E" for a vector and the last fault's error code. */
static const char *outcome(int v, char *buf, size_t n)
{
    if (v == NO_FAULT)
        snprintf(buf, n, "none");
    else
        snprintf(buf, n, "%d:%x", v, rt_last_fault.error);
    return buf;
}

/* Report that vector v (error code err when a fault) is what was expected. */
static int expect(int v, int want, uint32_t err, const char *what)
{
    char got[24], exp[24];
    int ok = v == want && (want == NO_FAULT || rt_last_fault.error == err);
    if (want == NO_FAULT)
        snprintf(exp, sizeof(exp), "none");
    else
        snprintf(exp, sizeof(exp), "%d:%x", want, err);
    return report(ok, "%s: expected %s, got %s", what, exp, outcome(v, got, sizeof(got)));
}

/* ---- ring-3 code ---- */
static void u_in1(void *a) { struct uio *u = a; uint8_t v; __asm__ volatile("inb %w1, %0" : "=a"(v) : "d"(u->port)); u->value = v; }
static void u_in2(void *a) { struct uio *u = a; uint16_t v; __asm__ volatile("inw %w1, %0" : "=a"(v) : "d"(u->port)); u->value = v; }
static void u_in4(void *a) { struct uio *u = a; uint32_t v; __asm__ volatile("inl %w1, %0" : "=a"(v) : "d"(u->port)); u->value = v; }
static void u_out1(void *a) { struct uio *u = a; __asm__ volatile("outb %b0, %w1" :: "a"(0), "d"(u->port)); }
static void u_out2(void *a) { struct uio *u = a; __asm__ volatile("outw %w0, %w1" :: "a"(0), "d"(u->port)); }
static void u_out4(void *a) { struct uio *u = a; __asm__ volatile("outl %0, %w1" :: "a"(0), "d"(u->port)); }

/* A string instruction with ECX, ESI, EDI from u and back into it. */
#define USER_STRING(fn, insn)                                                   \
    static void fn(void *a)                                                     \
    {                                                                           \
        struct uio *u = a;                                                      \
        uint32_t c = u->ecx, s = u->esi, d = u->edi;                            \
        __asm__ volatile(insn : "+c"(c), "+S"(s), "+D"(d) : "d"(u->port),       \
                         [sel] "r"(u->sel), [uds] "r"(u->uds) : "eax", "memory", "cc"); \
        u->ecx = c, u->esi = s, u->edi = d;                                     \
    }
USER_STRING(u_rep_insb, "rep insb")
USER_STRING(u_rep_outsb, "rep outsb")
USER_STRING(u_insb, "insb")
USER_STRING(u_outsb, "outsb")
USER_STRING(u_rep_insw, "rep insw")
USER_STRING(u_rep_insl, "rep insl")
USER_STRING(u_rep_outsw, "rep outsw")
USER_STRING(u_rep_outsl, "rep outsl")
USER_STRING(u_std_rep_outsb, "std\n\trep outsb\n\tcld")
USER_STRING(u_std_rep_insw, "std\n\trep insw\n\tcld")
USER_STRING(u_repne_insb, "repne insb")
USER_STRING(u_es_rep_insb, "movw %w[sel], %%es\n\trep insb\n\tmovw %w[uds], %%es")
USER_STRING(u_es_a16_rep_insb, "movw %w[sel], %%es\n\taddr16 rep insb\n\tmovw %w[uds], %%es")
USER_STRING(u_fs_outsb, "movw %w[sel], %%fs\n\tfs outsb\n\tmovw %w[uds], %%fs")
USER_STRING(u_fs_rep_outsl, "movw %w[sel], %%fs\n\tfs rep outsl\n\tmovw %w[uds], %%fs")
USER_STRING(u_ss_outsb, "movw %w[sel], %%ss\n\tss outsb\n\tmovw %w[uds], %%ss")
USER_STRING(u_es_outsb, "movw %w[sel], %%es\n\tes outsb\n\tmovw %w[uds], %%es")
USER_STRING(u_prefix14_outb, ".byte 0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e\n\toutb %%al, %%dx")
USER_STRING(u_prefix15_outb, ".byte 0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e\n\toutb %%al, %%dx")
USER_STRING(u_lock_outb, ".byte 0xf0\n\toutb %%al, %%dx")

/* The backdoor's GETEXITS (EAX) and GETVERSION's EBX from ring 3. */
static void u_backdoor(void *a)
{
    struct uio *u = a;
    uint32_t eax = HR_BACKDOOR_MAGIC, ebx = 0, ecx = HR_BACKDOOR_GETVERSION;
    __asm__ volatile("inl %%dx, %%eax" : "+a"(eax), "+b"(ebx), "+c"(ecx)
                     : "d"(HR_BACKDOOR_PORT) : "memory");
    u->value = ebx;
}

/* RDPMC of the pseudo-counter "real time" from ring 3. */
static void u_rdpmc(void *a)
{
    struct uio *u = a;
    uint32_t lo, hi;
    __asm__ volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(PMC_MAGIC));
    u->value = lo | hi;
}

/* Seed 002: iopl(3); cli; loop; sti, watching the timer's IRQ count. */
static void u_seed002(void *a)
{
    struct uio *u = a;
    volatile uint32_t *count = &rt_irq_count[IRQ_TIMER];
    __asm__ volatile("cli" ::: "memory");
    u->start = *count;
    uint32_t i = 0;
    while (i < SPIN_LIMIT && *count == u->start)
        i++;
    u->seen = *count;
    __asm__ volatile("sti" ::: "memory");
}

/* ---- the bitmap's corners ---- */
static void (*const in_fn[5])(void *) = { NULL, u_in1, u_in2, NULL, u_in4 };
static void (*const out_fn[5])(void *) = { NULL, u_out1, u_out2, NULL, u_out4 };
static void (*const ins_fn[5])(void *) = { NULL, u_rep_insb, u_rep_insw, NULL, u_rep_insl };
static void (*const outs_fn[5])(void *) = { NULL, u_rep_outsb, u_rep_outsw, NULL, u_rep_outsl };
#define CORNER_ITEMS 2u                     /* items a corner's rep string moves */

/* IN, OUT, REP INS and REP OUTS of widths 1, 2, 4 at port with `granted` ports from it
 * allowed (0, 1 or 4): the CPU allows an access whose every bit is clear,
 * and FFFFh's neighbours past 65535 are the always-set end bits. */
static void corner(uint32_t port, uint32_t granted)
{
    static const uint32_t widths[] = { 1, 2, 4 };
    grant(port, granted, 1);
    for (unsigned i = 0; i < HOSTILE_COUNT(widths); i++) {
        uint32_t w = widths[i];
        int ok = w <= granted && port + w - 1 <= PORT_TOP;
        char what[80];
        struct uio u = { .port = port };
        snprintf(what, sizeof(what), "port %04x, %u granted: in%u", port, granted, w);
        expect(user_at(in_fn[w], &u, 0), ok ? NO_FAULT : T_GP, 0, what);
        snprintf(what, sizeof(what), "port %04x, %u granted: out%u", port, granted, w);
        expect(user_at(out_fn[w], &u, 0), ok ? NO_FAULT : T_GP, 0, what);
        u.ecx = CORNER_ITEMS, u.edi = VA_USER;
        snprintf(what, sizeof(what), "port %04x, %u granted: rep ins%u", port, granted, w);
        expect(user_at(ins_fn[w], &u, 0), ok ? NO_FAULT : T_GP, 0, what);
        u.ecx = CORNER_ITEMS, u.esi = VA_USER;
        snprintf(what, sizeof(what), "port %04x, %u granted: rep outs%u", port, granted, w);
        expect(user_at(outs_fn[w], &u, 0), ok ? NO_FAULT : T_GP, 0, what);
    }
    grant(port, granted, 0);
}

/* The seed's corner ports, denied, alone and with neighbours. */
static void check_corners(void)
{
    static const uint32_t ports[] = { 0x0, 0x5000, 0x7FFF, 0x8000, 0x9000, PORT_TOP };
    for (unsigned i = 0; i < HOSTILE_COUNT(ports); i++) {
        corner(ports[i], 0);
        corner(ports[i], 1);
        corner(ports[i], 4);
    }
}

/* 4FFFh and 7FFFh: a word crosses into the next bitmap byte. */
static void check_partial(void)
{
    static const uint32_t ports[] = { 0x4FFF, 0x7FFF };
    for (unsigned i = 0; i < HOSTILE_COUNT(ports); i++) {
        uint32_t p = ports[i];
        char what[80];
        struct uio u = { .port = p };
        grant(p, 1, 1);
        snprintf(what, sizeof(what), "%04x granted, %04x not: inw crosses bytes", p, p + 1);
        expect(user_at(u_in2, &u, 0), T_GP, 0, what);
        grant(p + 1, 1, 1);
        snprintf(what, sizeof(what), "%04x and %04x granted: inw", p, p + 1);
        expect(user_at(u_in2, &u, 0), NO_FAULT, 0, what);
        snprintf(what, sizeof(what), "%04x..%04x granted: inl needs %04x..%04x", p, p + 1, p,
                 p + 3);
        expect(user_at(u_in4, &u, 0), T_GP, 0, what);
        grant(p, 2, 0);
    }
}

/* FFFFh's overrun and the TSS limit: the CPU reads two bitmap bytes, and
 * any byte past the limit refuses; TR holds the limit of its last load. */
static void check_limits(void)
{
    struct uio top = { .port = PORT_TOP }, none = { .port = PORT_NONE };
    grant(PORT_TOP, 1, 1);
    grant(PORT_NONE, 1, 1);
    expect(user_at(u_in1, &top, 0), NO_FAULT, 0, "FFFFh granted, end byte inside the limit: inb");
    expect(user_at(u_in2, &top, 0), T_GP, 0, "FFFFh granted, end byte inside the limit: inw");
    tss_limit(IOMAP_LAST, 1);
    expect(user_at(u_in1, &top, 0), T_GP, 0,
           "FFFFh granted, limit at its byte (the second byte read is past it): inb");
    expect(user_at(u_in1, &none, 0), NO_FAULT, 0, "9000h granted, limit at FFFFh's byte: inb");
    tss_limit(IOMAP_BASE, 1);
    expect(user_at(u_in1, &none, 0), T_GP, 0, "map base at the limit: no bitmap, inb 9000h");
    tss_limit(TSS_MIN_LIMIT, 1);
    expect(user_at(u_in1, &none, 0), T_GP, 0, "TSS limit 67h: the bitmap past it, inb 9000h");
    tss_limit(TSS_LIMIT, 1);
    expect(user_at(u_in1, &none, 0), NO_FAULT, 0, "full limit again after LTR: inb 9000h");
    tss_limit(TSS_MIN_LIMIT, 0);
    expect(user_at(u_in1, &none, 0), NO_FAULT, 0,
           "GDT entry rewritten to limit 67h without LTR: TR's cached limit holds, inb 9000h");
    vmi_set_tr(rt_seg.tss);
    expect(user_at(u_in1, &none, 0), T_GP, 0, "after LTR: limit 67h, inb 9000h");
    tss_limit(TSS_LIMIT, 1);
    grant(PORT_TOP, 1, 0);
    grant(PORT_NONE, 1, 0);
}

/* ---- IOPL ---- */

/* IOPL 3 lets ring 3 reach any port, bitmap or not; IOPL 0 does not. */
static void check_iopl(void)
{
    struct uio u = { .port = PORT_TOP };
    set_iopl(IOPL3);
    expect(user_at(u_in4, &u, IOPL3), NO_FAULT, 0, "IOPL 3 (IRET image): inl FFFFh, no bitmap");
    u.port = 0x0;
    expect(user_at(u_out2, &u, IOPL3), NO_FAULT, 0, "IOPL 3: outw 0h");
    u.port = PORT_NONE;
    u.ecx = 2, u.edi = VA_USER;
    expect(user_at(u_rep_insb, &u, IOPL3), NO_FAULT, 0, "IOPL 3: rep insb 9000h");
    set_iopl(0);
    expect(user_at(u_in1, &u, 0), T_GP, 0, "IOPL 0 again (IRET image): inb 9000h");
}

/* SetIOPLMask: through the VMI call (hv) or the native POPF at CPL 0; in
 * hv-novmi that POPF runs in ring 1, where no CPU changes IOPL and nothing
 * traps (spec sections 9 and 12). */
static void check_set_iopl_mask(void)
{
    struct uio u = { .port = PORT_NONE };
    int novmi = rules_ring1() && !rules_vmi();
    vmi_set_iopl_mask(IOPL3);
    int v = rt_user_call_flags(u_in1, &u, EFLAGS_FIXED | EFLAGS_IF | IOPL3);
    if (novmi)
        expect(v, T_GP, 0, "SetIOPLMask(3) then IRET image IOPL 3 to ring 3: inb 9000h "
               "(spec: in hv-novmi a kernel's POPF and its own iretd cannot set IOPL)");
    else
        expect(v, NO_FAULT, 0, "SetIOPLMask(3) then IRET image IOPL 3 to ring 3: inb 9000h");
    vmi_set_iopl_mask(0);
    set_iopl(0);
}

/* The image's IOPL alone, with the kernel's own IOPL 0: an IRET at CPL 0
 * loads it (natively, and at the virtual CPL 0 under VMI). */
static void check_iret_image(void)
{
    struct uio u = { .port = PORT_NONE };
    set_iopl(0);
    int v = rt_user_call_flags(u_in1, &u, EFLAGS_FIXED | EFLAGS_IF | IOPL3);
    if (rules_ring1() && !rules_vmi())
        expect(v, T_GP, 0, "IOPL 3 in the image of the kernel's iretd to ring 3: inb 9000h "
               "(spec: in hv-novmi that iretd runs in ring 1 without a trap)");
    else
        expect(v, NO_FAULT, 0, "IOPL 3 in the image of the kernel's IRET to ring 3: inb 9000h");
    set_iopl(0);
}

/* Under VMI the ROM's IRET reads must_exit in the vCPU area, and the area
 * holds a copy of IOPL that nothing reads back; the kernel can write both.
 * Forging either changes only the path its own IRETs take, never gives
 * ring 3 more than the kernel granted (spec section 9). */
static void check_forged_copy(void)
{
    if (!rules_vmi()) {
        report_skip("forged must_exit and IOPL copy: only the ROM's IRET (mode hv) reads them");
        return;
    }
    struct uio u = { .port = PORT_NONE };
    volatile struct hr_vcpu_area *area = (volatile struct hr_vcpu_area *)HR_VCPU_AREA;
    set_iopl(0);
    area->iopl = IOPL3;
    expect(user_at(u_in1, &u, 0), T_GP, 0, "vCPU area's IOPL copy forged to 3, image IOPL 0: "
           "inb 9000h from ring 3");
    set_iopl(IOPL3);
    report(area->must_exit == HR_MUST_EXIT && area->iopl == IOPL3,
           "virtual IOPL 3: must_exit set (%x), the copy 3 (%x)", area->must_exit, area->iopl);
    area->must_exit = 0;
    expect(user_at(u_in1, &u, 0), NO_FAULT, 0, "must_exit forged to 0 at IOPL 3, image IOPL 0: "
           "the ROM's IRET keeps IOPL 3, which the kernel granted (spec): inb 9000h");
    set_iopl(0);
    report(area->must_exit == 0 && area->iopl == 0,
           "IOPL 0 again: must_exit (%x) and the copy (%x) clear", area->must_exit, area->iopl);
    area->must_exit = HR_MUST_EXIT;
    expect(user_at(u_in1, &u, 0), T_GP, 0, "must_exit forged to 80h at IOPL 0: inb 9000h");
    report(area->must_exit == 0, "the exits since recomputed must_exit (%x)", area->must_exit);
}

/* The #UD handler check_reflect_keeps_iopl_exit installs: it records the
 * byte at portio_ud_probe (must_exit under VMI) as the handler sees it,
 * skips the 2-byte ud2 and returns through the shim's IRET entry. */
uint32_t portio_ud_probe, portio_ud_iret;
volatile uint32_t portio_ud_seen;
extern const uint8_t portio_ud_stub[];
__asm__(".pushsection .text\n"
        "portio_ud_stub:\n\t"
        "pushl %eax\n\t"
        "movl portio_ud_probe, %eax\n\t"
        "movzbl (%eax), %eax\n\t"
        "movl %eax, portio_ud_seen\n\t"
        "popl %eax\n\t"
        "addl $2, (%esp)\n\t"
        "jmp *portio_ud_iret\n"
        ".popsection");

/* Exceptions reflected at virtual IOPL 3 through an interrupt gate (the
 * later ones by the hypervisor's remembered fast path, which clears the
 * virtual IF) leave the IRET's exit owed (must_exit): the kernel's IRET
 * to ring 3 with IOPL 0 in its image then loads IOPL 0, as at CPL 0. */
static void check_reflect_keeps_iopl_exit(void)
{
    if (rules_ring1() && !rules_vmi()) {
        report_skip("IOPL 3, #UD, IRET with image IOPL 0: in hv-novmi the kernel's iretd "
                    "runs in ring 1 and cannot change IOPL (spec section 12)");
        return;
    }
    static uint8_t no_area = HR_MUST_EXIT;          /* natively: nothing to read */
    struct uio u = { .port = PORT_NONE };
    struct gate_desc old = rt_idt[T_UD], g = desc_gate((uint32_t)portio_ud_stub, rt_seg.cpl, GATE_INT32);
    portio_ud_iret = (uint32_t)VMI_ENTRY(IRET);
    portio_ud_probe = rules_vmi() ? HR_VCPU_AREA + offsetof(struct hr_vcpu_area, must_exit)
                                  : (uint32_t)&no_area;
    vmi_write_idt_entry(rt_idt, T_UD, desc_lo(&g), desc_hi(&g));
    set_iopl(IOPL3);
    int held = 1;
    for (int i = 0; i < FAST_REFLECTIONS; i++) {
        portio_ud_seen = 0;
        __asm__ volatile("ud2" ::: "memory");
        held &= portio_ud_seen == HR_MUST_EXIT;
    }
    vmi_write_idt_entry(rt_idt, T_UD, desc_lo(&old), desc_hi(&old));
    report(held, "%d kernel #UDs at IOPL 3 through an interrupt gate: each handler runs "
           "and, under VMI, finds must_exit set (the IRET's exit still owed)", FAST_REFLECTIONS);
    expect(user_at(u_in1, &u, 0), T_GP, 0, "IOPL 3, #UDs, then the kernel's IRET to ring 3 with "
           "image IOPL 0: inb 9000h");
    set_iopl(0);
}

/* Seed 002 at IOPL 3: natively CLI holds the timer's IRQs until STI; under
 * the hypervisor rule 7 keeps IF, so they go on arriving. */
static void check_seed002(void)
{
    struct uio u = { 0 };
    set_iopl(IOPL3);
    rules_pic_mask(PIC_MASK_BUT_TIMER);
    rules_pit_periodic(RULES_PIT_1MS);
    int v = user_at(u_seed002, &u, IOPL3);
    rules_pit_stop();
    rules_pic_mask(RULES_PIC_ALL);
    set_iopl(0);
    expect(v, NO_FAULT, 0, "seed 002: iopl(3); cli; loop; sti in ring 3 runs without a fault");
    if (rules_ring1())
        report(u.seen != u.start, "seed 002: IRQ 0 still arrives after CLI (%u -> %u) "
               "(spec: rule 7, IF is never user code's)", u.start, u.seen);
    else
        report(u.seen == u.start, "seed 002: natively CLI holds IRQ 0 until STI (%u -> %u)",
               u.start, u.seen);
}

/* ---- string I/O from ring 3 ---- */

/* Where QEMU's TCG, the native reference here, checks no segment limit
 * or type (paging alone decides), a row holds for one side, and says so. */
enum { ALL, NATIVE, HV };
#define TCG " (natively under QEMU's TCG, which checks no segment limits or types: paging decides)"
#define SDM " (the SDM's answer; QEMU's TCG checks no segment limits or types)"

/* One string case: ring 3 runs fn on u; the vector and error code, CR2
 * when a page fault, and ECX/ESI/EDI as they end (at the fault, or
 * after), are what the CPU gives. */
struct scase {
    const char *what;
    uint8_t only;                   /* ALL, or the modes this row holds in */
    void (*fn)(void *);
    uint32_t ecx, esi, edi, sel;
    int vector;
    uint32_t error, cr2;
    uint32_t end_ecx, end_esi, end_edi;
};

/* Run case c with port PORT_NONE granted. */
static void string_case(const struct scase *c)
{
    if (c->only != ALL && c->only != (rules_ring1() ? HV : NATIVE))
        return;
    struct uio u = { .port = PORT_NONE, .ecx = c->ecx, .esi = c->esi, .edi = c->edi,
                     .sel = c->sel };
    int v = user_at(c->fn, &u, 0);
    if (!expect(v, c->vector, c->error, c->what))
        return;
    uint32_t ecx = v == NO_FAULT ? u.ecx : rt_last_fault.ecx;
    uint32_t esi = v == NO_FAULT ? u.esi : rt_last_fault.esi;
    uint32_t edi = v == NO_FAULT ? u.edi : rt_last_fault.edi;
    report(ecx == c->end_ecx && esi == c->end_esi && edi == c->end_edi,
           "%s: ECX %x ESI %x EDI %x (expected %x %x %x)", c->what, ecx, esi, edi,
           c->end_ecx, c->end_esi, c->end_edi);
    if (v == T_PF)
        report(vmi_get_cr2() == c->cr2, "%s: CR2 %x (expected %x)", c->what, vmi_get_cr2(),
               c->cr2);
}

static uint8_t user_page[HP_PAGE] __attribute__((aligned(HP_PAGE)));

/* The test pages, mapped once paging is on. */
static void map_pages(void)
{
    static uint8_t super_page[HP_PAGE] __attribute__((aligned(HP_PAGE)));
    static uint8_t ro_page[HP_PAGE] __attribute__((aligned(HP_PAGE)));
    static uint8_t wrap_page[HP_PAGE] __attribute__((aligned(HP_PAGE)));
    hp_map(VA_BELOW, 0);
    hp_map(VA_USER, (uint32_t)user_page | HP_P | HP_W | HP_U);
    hp_map(VA_ABSENT, 0);
    hp_map(VA_SUPER, (uint32_t)super_page | HP_P | HP_W);
    hp_map(VA_RO, (uint32_t)ro_page | HP_P | HP_U);
    hp_map(VA_WRAP, (uint32_t)wrap_page | HP_P | HP_W | HP_U);
}

/* Segments for the string cases, written into the GDT at ring 3. */
static void string_segments(void)
{
    uint32_t flat = desc_flat_limit();
    hostile_gdt_write(SLOT_ES_BASE, hostile_desc(VA_USER - ES_BASE_DELTA, flat - 1,
                      (uint8_t)(DESC_S | DESC_DATA_WRITE), 3, 1, DESC_FLAG_G | DESC_FLAG_DB));
    hostile_gdt_write(SLOT_SMALL, hostile_desc(VA_USER, SMALL_LIMIT,
                      (uint8_t)(DESC_S | DESC_DATA_WRITE), 3, 1, DESC_FLAG_DB));
    hostile_gdt_write(SLOT_RO, hostile_desc(0, flat - 1, DESC_S, 3, 1,
                      DESC_FLAG_G | DESC_FLAG_DB));
    hostile_gdt_write(SLOT_A16, hostile_desc(VA_USER, flat - 1,
                      (uint8_t)(DESC_S | DESC_DATA_WRITE), 3, 1, DESC_FLAG_G | DESC_FLAG_DB));
}

#define S3(slot) SEL(slot, 0, 3u)
#define EDGE     (VA_ABSENT - 4u)       /* four bytes before the absent page */
_Static_assert(VA_USER - ES_BASE_DELTA + ES_BASE_DELTA + 0x1000u == VA_ABSENT, "ES layout");
#define HIGH     0x12340000u            /* upper halves 67h leaves alone     */

static void check_strings(void)
{
    const struct scase cases[] = {
        { "rep insb into a supervisor page", ALL, u_rep_insb, 4, 0, VA_SUPER, 0,
          T_PF, HP_PF_P | PF_USER_WRITE, VA_SUPER, 4, 0, VA_SUPER },
        { "rep outsb from a supervisor page", ALL, u_rep_outsb, 4, VA_SUPER, 0, 0,
          T_PF, HP_PF_P | HP_PF_U, VA_SUPER, 4, VA_SUPER, 0 },
        { "rep insb into a read-only page", ALL, u_rep_insb, 4, 0, VA_RO, 0,
          T_PF, HP_PF_P | PF_USER_WRITE, VA_RO, 4, 0, VA_RO },
        { "rep outsb from a read-only page", ALL, u_rep_outsb, 4, VA_RO, 0, 0,
          NO_FAULT, 0, 0, 0, VA_RO + 4, 0 },
        { "insb into an absent page", ALL, u_insb, 0, 0, VA_ABSENT, 0,
          T_PF, PF_USER_WRITE, VA_ABSENT, 0, 0, VA_ABSENT },
        { "outsb from an absent page", ALL, u_outsb, 0, VA_ABSENT, 0, 0,
          T_PF, HP_PF_U, VA_ABSENT, 0, VA_ABSENT, 0 },
        { "rep insb over the edge of an absent page: 4 of 8 done", ALL, u_rep_insb, 8, 0, EDGE, 0,
          T_PF, PF_USER_WRITE, VA_ABSENT, 4, 0, VA_ABSENT },
        { "rep outsb over the edge of an absent page: 4 of 8 done", ALL, u_rep_outsb, 8, EDGE, 0, 0,
          T_PF, HP_PF_U, VA_ABSENT, 4, VA_ABSENT, 0 },
        { "rep insw, the second word straddling into an absent page", ALL, u_rep_insw, 3, 0,
          VA_ABSENT - 3u, 0, T_PF, PF_USER_WRITE, VA_ABSENT, 2, 0, VA_ABSENT - 1u },
        { "rep insl, ECX 0: nothing moves", ALL, u_rep_insl, 0, 0, VA_ABSENT, 0,
          NO_FAULT, 0, 0, 0, 0, VA_ABSENT },
        { "std; rep outsb: ESI steps down", ALL, u_std_rep_outsb, 3, VA_USER + 2, 0, 0,
          NO_FAULT, 0, 0, 0, VA_USER - 1, 0 },
        { "std; rep insw down into an absent page: 2 of 4 done", ALL, u_std_rep_insw, 4, 0,
          VA_USER + 2, 0, T_PF, PF_USER_WRITE, VA_USER - 2, 2, 0, VA_USER - 2 },
        { "repne insb repeats like rep", ALL, u_repne_insb, 3, 0, VA_USER, 0,
          NO_FAULT, 0, 0, 0, 0, VA_USER + 3 },
        { "rep insb through ES based 100h below the buffer", ALL, u_es_rep_insb, 2, 0,
          ES_BASE_DELTA, S3(SLOT_ES_BASE), NO_FAULT, 0, 0, 0, 0, ES_BASE_DELTA + 2 },
        { "rep insb through ES based 100h below: into the absent page", ALL, u_es_rep_insb, 1, 0,
          ES_BASE_DELTA + 0x1000u, S3(SLOT_ES_BASE), T_PF, PF_USER_WRITE, VA_ABSENT,
          1, 0, ES_BASE_DELTA + 0x1000u },
        { "67h rep insb: ES + DI (not EDI) faults at the absent page", ALL, u_es_a16_rep_insb,
          HIGH | 2, 0, HIGH | 0x1000u, S3(SLOT_A16), T_PF, PF_USER_WRITE, VA_ABSENT,
          HIGH | 2, 0, HIGH | 0x1000u },
        { "67h rep insb: DI wraps from FFFFh to 0", ALL, u_es_a16_rep_insb, HIGH | 2, 0,
          HIGH | 0xFFFFu, S3(SLOT_A16), NO_FAULT, 0, 0, HIGH, 0, HIGH | 0x0001u },
        { "67h rep insb: 2 items, upper halves kept", ALL, u_es_a16_rep_insb, HIGH | 2, 0,
          HIGH | 0x0010u, S3(SLOT_A16), NO_FAULT, 0, 0, HIGH, 0, HIGH | 0x0012u },
        { "rep insb into a read-only ES segment: #GP(0)" SDM, HV, u_es_rep_insb, 1, 0, VA_USER,
          S3(SLOT_RO), T_GP, 0, 0, 1, 0, VA_USER },
        { "rep insb into a read-only ES segment: written" TCG, NATIVE, u_es_rep_insb, 1, 0,
          VA_USER, S3(SLOT_RO), NO_FAULT, 0, 0, 0, 0, VA_USER + 1 },
        { "es outsb from a read-only segment", ALL, u_es_outsb, 0, VA_USER, 0, S3(SLOT_RO),
          NO_FAULT, 0, 0, 0, VA_USER + 1, 0 },
        { "fs outsb at FS's limit", ALL, u_fs_outsb, 0, SMALL_LIMIT, 0, S3(SLOT_SMALL),
          NO_FAULT, 0, 0, 0, SMALL_LIMIT + 1, 0 },
        { "fs outsb past FS's limit: #GP(0)" SDM, HV, u_fs_outsb, 0, SMALL_LIMIT + 1, 0,
          S3(SLOT_SMALL), T_GP, 0, 0, 0, SMALL_LIMIT + 1, 0 },
        { "fs outsb past FS's limit: the absent page's #PF" TCG, NATIVE, u_fs_outsb, 0,
          SMALL_LIMIT + 1, 0, S3(SLOT_SMALL), T_PF, HP_PF_U, VA_ABSENT, 0, SMALL_LIMIT + 1, 0 },
        { "fs rep outsl across FS's limit: #GP(0) after 1" SDM, HV, u_fs_rep_outsl, 2,
          SMALL_LIMIT - 5, 0, S3(SLOT_SMALL), T_GP, 0, 0, 1, SMALL_LIMIT - 1, 0 },
        { "fs rep outsl across FS's limit: #PF after 1" TCG, NATIVE, u_fs_rep_outsl, 2,
          SMALL_LIMIT - 5, 0, S3(SLOT_SMALL), T_PF, HP_PF_U, VA_ABSENT, 1, SMALL_LIMIT - 1, 0 },
        { "ss outsb past SS's limit: #SS(0)" SDM, HV, u_ss_outsb, 0, SMALL_LIMIT + 1, 0,
          S3(SLOT_SMALL), T_SS, 0, 0, 0, SMALL_LIMIT + 1, 0 },
        { "ss outsb past SS's limit: the absent page's #PF" TCG, NATIVE, u_ss_outsb, 0,
          SMALL_LIMIT + 1, 0, S3(SLOT_SMALL), T_PF, HP_PF_U, VA_ABSENT, 0, SMALL_LIMIT + 1, 0 },
        { "14 prefixes and out: 15 bytes run", ALL, u_prefix14_outb, 0, 0, 0, 0,
          NO_FAULT, 0, 0, 0, 0, 0 },
        { "15 prefixes and out: 16 bytes, #GP(0)", ALL, u_prefix15_outb, 0, 0, 0, 0,
          T_GP, 0, 0, 0, 0, 0 },
        { "lock out: #UD (the SDM's answer; QEMU's TCG runs it)", HV, u_lock_outb, 0, 0, 0, 0,
          T_UD, 0, 0, 0, 0, 0 },
        { "lock out runs (natively under QEMU's TCG, which ignores LOCK here; the SDM says "
          "#UD)", NATIVE, u_lock_outb, 0, 0, 0, 0, NO_FAULT, 0, 0, 0, 0, 0 },
    };
    string_segments();
    grant(PORT_NONE, STRING_PORTS, 1);
    memset(user_page, 0, sizeof(user_page));
    for (unsigned i = 0; i < HOSTILE_COUNT(cases); i++)
        string_case(&cases[i]);
    report(user_page[0x10] == 0xFF && user_page[0x11] == 0xFF && user_page[0x12] == 0,
           "67h rep insb wrote ES:0010h..0011h with what port 9000h reads (%02x %02x %02x)",
           user_page[0x10], user_page[0x11], user_page[0x12]);
    report(user_page[0] == 0xFF && user_page[1] == 0xFF && user_page[2] == 0xFF,
           "ES-based rep insb and repne insb wrote the buffer (%02x %02x %02x)",
           user_page[0], user_page[1], user_page[2]);
    grant(PORT_NONE, STRING_PORTS, 0);
}

/* ---- the backdoor and RDPMC from ring 3 ---- */
static void check_backdoor(void)
{
    struct uio u = { 0 };
    int hv = rules_ring1();
    int v = user_at(u_backdoor, &u, 0);
    if (hv)
        report(v == NO_FAULT && u.value == HR_BACKDOOR_MAGIC, "backdoor from ring 3 at IOPL 0 "
               "answers (%d, EBX %x) (spec: from any ring, whatever the bitmap)", v, u.value);
    else
        expect(v, T_GP, 0, "backdoor port 5658h from ring 3 at IOPL 0, natively");
    v = user_at(u_rdpmc, &u, 0);
    if (hv)
        report(v == NO_FAULT, "RDPMC 10000h from ring 3 answers (%d) (spec: pseudo-counters "
               "from any ring)", v);
    else
        expect(v, T_GP, 0, "RDPMC 10000h from ring 3 with CR4.PCE clear, natively");
}

/* ---- exit counts (under the hypervisor) ---- */

/* The backdoor's count of every exit so far (this one included). */
static uint32_t exits(void)
{
    uint32_t eax = HR_BACKDOOR_MAGIC, ecx = BD_GETEXITS;
    __asm__ volatile("inl %%dx, %%eax" : "+a"(eax), "+c"(ecx) : "d"(HR_BACKDOOR_PORT)
                     : "ebx", "memory");
    return eax;
}

/* Exits taken by one inb from port in the kernel (the reading's own 1 off). */
static uint32_t kernel_exits(uint16_t port)
{
    uint32_t before = exits();
    (void)vmi_inb(port);
    return exits() - before - 1;
}

/* Ring 3: an inb of u->port between two readings of the counter. */
static void u_exits(void *a)
{
    struct uio *u = a;
    uint32_t before = exits();
    uint8_t v;
    __asm__ volatile("inb %w1, %0" : "=a"(v) : "d"(u->port));
    u->value = exits() - before - 1;
}

static void check_exits(void)
{
    if (!rules_ring1()) {
        report_skip("exit counts: natively there is no hypervisor to count exits");
        return;
    }
    set_iopl(IOPL3);
    uint32_t n = kernel_exits(COM1_SCRATCH);
    report(n == 0, "COM1 passed through at IOPL 3, kernel inb: %u exits (expected 0)", n);
    n = kernel_exits(PORT_NONE);
    report(n == 1, "emulated port 9000h, kernel inb: %u exits (expected 1)", n);
    struct uio u = { .port = COM1_SCRATCH };
    int v = user_at(u_exits, &u, IOPL3);
    report(v == NO_FAULT && u.value == 0, "COM1 at IOPL 3, ring-3 inb: %u exits (expected 0)",
           u.value);
    u.port = PORT_NONE;
    v = user_at(u_exits, &u, IOPL3);
    report(v == NO_FAULT && u.value == 1, "9000h at IOPL 3, ring-3 inb: %u exits (expected 1)",
           u.value);
    set_iopl(0);
    n = kernel_exits(COM1_SCRATCH);
    report(n == 1, "COM1 at IOPL 0, kernel inb: %u exits (expected 1: spec, the console "
           "traps so that ring 3 never reaches it)", n);
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    vmi_disable_interrupts();
    hp_paging_on();
    map_pages();
    check_corners();
    check_partial();
    check_limits();
    check_iopl();
    check_set_iopl_mask();
    check_iret_image();
    check_forged_copy();
    check_reflect_keeps_iopl_exit();
    check_seed002();
    check_strings();
    check_backdoor();
    check_exits();
}
