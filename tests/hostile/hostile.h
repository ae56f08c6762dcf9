/*
 * hostile.h - what the hostile-guest kernels (tests/hostile/) share: the
 * case table and its dispatch, the expected outcome from the command line,
 * the judgement, a try macro with operands, and a small paging set-up.
 *
 * Every kernel takes "case=NAME" and, when the guest itself can see the
 * outcome, "expect=OUTCOME" (tests/hostile.cfg holds both):
 *   expect=none          the operation works (or has no effect);
 *   expect=V:E           it raises vector V with error code E (numbers in
 *                        C notation: 13:0x30);
 *   expect=A/B           either outcome A or B (a fault that is #GP on a
 *                        CPU that checks segment limits and #PF where only
 *                        paging protects: the spec allows both).
 * A case row with no expect= expects the hypervisor to end the guest
 * (boot.sh --expect-terminated REASON): reaching the judgement is then a
 * failure in itself.
 *
 * Static inline helpers, so every kernel stays one C file.
 */
#ifndef TESTS_HOSTILE_HOSTILE_H
#define TESTS_HOSTILE_HOSTILE_H

#include "../rules/rules.h"   /* rt.h, vmi.h, rules_vmi, the PIC and PIT */

#define HOSTILE_WORD_MAX   64u
#define HOSTILE_ALTS_MAX   4u
#define HOSTILE_NUM_BASE   10u
#define HOSTILE_HEX_BASE   16u
#define HOSTILE_HEX_DIGIT  10u     /* 'a' is digit ten */

/* One case: its name on the command line and what it does. */
struct hostile_case {
    const char *name;
    void (*run)(void);
};
#define HOSTILE_COUNT(t) (sizeof(t) / sizeof((t)[0]))

/* The outcomes the command line accepts (vector RT_NO_FAULT: none). */
struct hostile_outcome {
    int vector;
    uint32_t error;
};
struct hostile_expect {
    int given;                                  /* expect= was there      */
    unsigned n;
    struct hostile_outcome alt[HOSTILE_ALTS_MAX];
    char text[HOSTILE_WORD_MAX];
};

/* The parsed expect= word (one per kernel: the header is included once). */
static struct hostile_expect hostile_expected;

/* Parse a decimal or 0x-hex number at *s; advances *s; 1 if any digit. */
static inline int hostile_number(const char **s, uint32_t *out)
{
    uint32_t base = HOSTILE_NUM_BASE, v = 0;
    int digits = 0;
    if ((*s)[0] == '0' && ((*s)[1] == 'x' || (*s)[1] == 'X')) {
        base = HOSTILE_HEX_BASE;
        *s += 2;
    }
    for (;; (*s)++, digits++) {
        char c = **s;
        uint32_t d;
        if (c >= '0' && c <= '9')
            d = (uint32_t)(c - '0');
        else if (base == HOSTILE_HEX_BASE && c >= 'a' && c <= 'f')
            d = (uint32_t)(c - 'a') + HOSTILE_HEX_DIGIT;
        else if (base == HOSTILE_HEX_BASE && c >= 'A' && c <= 'F')
            d = (uint32_t)(c - 'A') + HOSTILE_HEX_DIGIT;
        else
            break;
        v = v * base + d;
    }
    *out = v;
    return digits > 0;
}

/* Parse one outcome ("none" or "V:E") at *s; 1 if well formed. */
static inline int hostile_parse_one(const char **s, struct hostile_outcome *o)
{
    uint32_t v, e;
    if (!strncmp(*s, "none", 4)) {
        *s += 4;
        *o = (struct hostile_outcome){ RT_NO_FAULT, 0 };
        return 1;
    }
    if (!hostile_number(s, &v) || **s != ':')
        return 0;
    (*s)++;
    if (!hostile_number(s, &e))
        return 0;
    *o = (struct hostile_outcome){ (int)v, e };
    return 1;
}

/* Read expect= from the command line into hostile_expected. */
static inline void hostile_parse_expect(void)
{
    struct hostile_expect *x = &hostile_expected;
    if (!cmdline_get(rt_cmdline, "expect", x->text, sizeof(x->text)))
        return;
    const char *s = x->text;
    x->given = 1;
    while (x->n < HOSTILE_ALTS_MAX && hostile_parse_one(&s, &x->alt[x->n])) {
        x->n++;
        if (*s != '/')
            break;
        s++;
    }
    if (*s || !x->n)
        report(0, "expect=%s is not OUTCOME[/OUTCOME] (none or VECTOR:ERROR)", x->text);
}

/* Did vector v (with rt_last_fault.error) match outcome o? */
static inline int hostile_matches(const struct hostile_outcome *o, int v)
{
    if (o->vector == RT_NO_FAULT)
        return v == RT_NO_FAULT;
    return v == o->vector && rt_last_fault.error == o->error;
}

/* Judge what happened (vector v, or RT_NO_FAULT) against expect=. */
static inline int hostile_judge(int v, const char *what)
{
    const struct hostile_expect *x = &hostile_expected;
    char got[HOSTILE_WORD_MAX];
    if (v == RT_NO_FAULT)
        snprintf(got, sizeof(got), "none");
    else
        snprintf(got, sizeof(got), "%d:0x%x", v, rt_last_fault.error);
    if (!x->given)
        return report(0, "%s: the guest carried on (outcome %s) where the hypervisor "
                      "should have ended it", what, got);
    int ok = 0;
    for (unsigned i = 0; i < x->n; i++)
        ok |= hostile_matches(&x->alt[i], v);
    return report(ok, "%s: expected %s, got %s", what, x->text, got);
}

/* Parse expect= and return the case= name (buf of HOSTILE_WORD_MAX), or
 * NULL (reported) when there is none. */
static inline const char *hostile_begin(char *buf)
{
    if (!cmdline_get(rt_cmdline, "case", buf, HOSTILE_WORD_MAX)) {
        report(0, "no case= on the command line");
        return NULL;
    }
    hostile_parse_expect();
    printf("hostile: case %s (ring %u), expecting %s\n", buf, rt_seg.cpl,
           hostile_expected.given ? hostile_expected.text : "the hypervisor to end the guest");
    return buf;
}

/* Run case `name` from table t of n cases; 0 if it is not there. */
static inline int hostile_dispatch(const struct hostile_case *t, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].name, name)) {
            t[i].run();
            return 1;
        }
    return 0;
}

/* Run the case the command line names from table t of n cases. */
static inline void hostile_main(const struct hostile_case *t, size_t n)
{
    char buf[HOSTILE_WORD_MAX];
    const char *name = hostile_begin(buf);
    if (name && !hostile_dispatch(t, n, name))
        report(0, "unknown case=%s", name);
}

/*
 * HOSTILE_TRY("insn", inputs...): TRY_ASM with input operands (which must
 * not be EAX, ECX or EDX: use "b", "S" or "D").  Returns the vector raised
 * or RT_NO_FAULT; on a fault it resumes after the assembly.
 */
#define HOSTILE_TRY(insn, ...) ({                                       \
    rt_try_arm();                                                       \
    __asm__ volatile("movl $1f, %0\n\t" insn "\n1:"                     \
                     : "=m"(rt_try_resume) : __VA_ARGS__                \
                     : "eax", "ecx", "edx", "memory", "cc");            \
    rt_try_disarm(); })

/* ---- descriptors ---- */
#define HOSTILE_DPL_K     4u        /* "the kernel's own level" in tables */
#define HOSTILE_SLOT      RT_GDT_FIRST_FREE   /* the first GDT slot tests own */

/* dpl, with HOSTILE_DPL_K meaning the level the kernel runs at. */
static inline unsigned hostile_level(unsigned dpl)
{
    return dpl == HOSTILE_DPL_K ? rt_seg.cpl : dpl;
}

/* A descriptor: type holds S and the type bits, flags G | DB | L. */
static inline struct seg_desc hostile_desc(uint32_t base, uint32_t limit, uint8_t type,
                                           unsigned dpl, int present, uint8_t flags)
{
    uint8_t access = (uint8_t)((present ? DESC_P : 0) | (hostile_level(dpl) << DESC_DPL_SHIFT)
                               | type);
    return desc_make(base, limit, access, flags);
}

/* A flat 32-bit data (or code) segment of type (DESC_S added) at dpl. */
static inline struct seg_desc hostile_flat(uint8_t type, unsigned dpl)
{
    return hostile_desc(0, desc_flat_limit(), (uint8_t)(DESC_S | type), dpl, 1,
                        DESC_FLAG_G | DESC_FLAG_DB);
}

/* Write GDT slot `slot` of the runtime's GDT through the shim. */
static inline void hostile_gdt_write(unsigned slot, struct seg_desc d)
{
    vmi_write_gdt_entry(rt_gdt, slot, desc_lo(&d), desc_hi(&d));
}

/* Load FS with sel and read through it; restore FS; the vector raised. */
static inline int hostile_load_fs(uint16_t sel)
{
    uint32_t s = sel;
    int v = HOSTILE_TRY("movw %%bx, %%fs\n\tmovl %%fs:0, %%eax", "b"(s));
    write_fs(rt_seg.kernel_ds);
    return v;
}

/* ---- the LDT ---- */
#define HOSTILE_LDT_SLOT   (RT_GDT_FIRST_FREE + 1u)  /* the GDT slot of test LDTs */
#define HOSTILE_LDT_MAX    8u                        /* entries of a test LDT     */

/* A test LDT: entry 0 and 1 flat data at the kernel's level, the rest
 * null (written with plain stores: it is not loaded yet). */
static inline struct seg_desc *hostile_ldt(void)
{
    static struct seg_desc ldt[HOSTILE_LDT_MAX] __attribute__((aligned(8)));
    memset(ldt, 0, sizeof(ldt));
    ldt[0] = ldt[1] = hostile_flat(DESC_DATA_WRITE, HOSTILE_DPL_K);
    return ldt;
}

/* Describe an LDT at base with limit in HOSTILE_LDT_SLOT and load it. */
static inline void hostile_ldt_load(uint32_t base, uint32_t limit)
{
    hostile_gdt_write(HOSTILE_LDT_SLOT, hostile_desc(base, limit, DESC_SYS_LDT,
                                                     HOSTILE_DPL_K, 1, 0));
    vmi_set_ldt(SEL(HOSTILE_LDT_SLOT, 0, rt_seg.cpl));
}

/* ---- far transfers ---- */

/* hostile_lret: a far return (the target of a far call that should work);
 * hostile_landing: ud2 (where a good IRET lands: the try point catches
 * the #UD and hostile_landed() turns it into "no fault"). */
__asm__(".pushsection .text\n"
        "hostile_lret: lret\n"
        "hostile_landing: ud2\n"
        ".popsection");
extern const uint8_t hostile_lret[], hostile_landing[];

/* v, with a #UD at hostile_landing read as "the transfer worked". */
static inline int hostile_landed(int v)
{
    if (v == T_UD && rt_last_fault.eip == (uint32_t)hostile_landing)
        return RT_NO_FAULT;
    return v;
}

/* A far pointer as LCALL/LJMP m16:32 read it. */
struct hostile_far {
    uint32_t offset;
    uint16_t sel;
} HR_PACKED;

/* Far-call sel:hostile_lret in the kernel; the vector raised. */
static inline int hostile_lcall(uint16_t sel)
{
    struct hostile_far f = { (uint32_t)hostile_lret, sel };
    return HOSTILE_TRY("lcall *(%%ebx)", "b"(&f));
}

/* ---- raw IRET through the shim's IRET entry ---- */

/* The frame an IRET pops, lowest address first (ESP and SS for an outer
 * level only). */
struct hostile_iret {
    uint32_t eip, cs, eflags, esp, ss;
};

/* IRET with frame f through the bound IRET entry (the ROM's in mode hv,
 * the native instruction otherwise); on a fault the try point resumes. */
static inline void hostile_iret_go(const struct hostile_iret *f)
{
    __asm__ volatile("pushl 16(%0)\n\tpushl 12(%0)\n\tpushl 8(%0)\n\t"
                     "pushl 4(%0)\n\tpushl 0(%0)\n\tjmp *%1"
                     :: "r"(f), "r"(VMI_ENTRY(IRET)) : "memory");
}

/* ---- paging: the first 4 MiB identity-mapped (user, writable), the
 * next 4 MiB a test table, enabled with CR0.WP ---- */
#define HP_P        0x001u          /* SDM 4.3: present                  */
#define HP_W        0x002u          /* writable                          */
#define HP_U        0x004u          /* user                              */
#define HP_A        0x020u          /* accessed                          */
#define HP_PS       0x080u          /* a 4 MiB page (CR4.PSE)            */
#define HP_ENTRIES  1024u
#define HP_PAGE     4096u
#define HP_PD_SHIFT 22
#define HP_PT_SHIFT 12
#define HP_TEST_VA  0x00400000u     /* the test table's first address    */
#define HP_CR0_WP   0x00010000u     /* supervisor writes obey read-only  */
#define HP_CR4_PSE  0x00000010u
#define HP_PF_P     0x1u            /* #PF error code: protection        */
#define HP_PF_W     0x2u            /* a write                           */
#define HP_PF_U     0x4u            /* from ring 3                       */

/* The page directory. */
static inline uint32_t *hp_dir(void)
{
    static uint32_t pd[HP_ENTRIES] __attribute__((aligned(HP_PAGE)));
    return pd;
}

/* The test table (HP_TEST_VA up). */
static inline uint32_t *hp_test_table(void)
{
    static uint32_t pt[HP_ENTRIES] __attribute__((aligned(HP_PAGE)));
    return pt;
}

/* Map test address va to pte (frame | flags) and flush it. */
static inline void hp_map(uint32_t va, uint32_t pte)
{
    hp_test_table()[(va >> HP_PT_SHIFT) & (HP_ENTRIES - 1)] = pte;
    vmi_inval_page(va);
}

/* Build the tables and turn paging on (CR0.PG | WP). */
static inline void hp_paging_on(void)
{
    static uint32_t pt_low[HP_ENTRIES] __attribute__((aligned(HP_PAGE)));
    uint32_t *pd = hp_dir();
    for (uint32_t i = 0; i < HP_ENTRIES; i++)
        pt_low[i] = (i << HP_PT_SHIFT) | HP_P | HP_W | HP_U;
    pd[0] = (uint32_t)pt_low | HP_P | HP_W | HP_U;
    pd[HP_TEST_VA >> HP_PD_SHIFT] = (uint32_t)hp_test_table() | HP_P | HP_W | HP_U;
    vmi_set_cr3((uint32_t)pd);
    vmi_set_cr0(vmi_get_cr0() | CR0_PG | HP_CR0_WP);
}

/* ---- the hypervisor's memory, as a guest can find it ---- */
#define HOSTILE_GUEST_MEM  0x02000000u   /* guest_mem's default, 32 MiB (README) */
#define HOSTILE_HV_IMAGE   (HR_VIRTUAL_TOP + 0x100000u)  /* hypervisor/hv.ld      */
#define HOSTILE_PAST_MEM   0x7FF00000u   /* far past any guest's memory           */
#define HOSTILE_TSS_ESP0   4u            /* offset of esp0 in a 32-bit TSS        */

/* The real TSS's ring-0 stack pointer (the trap page's top), read through
 * STR and the real GDT as a guest can; 0 if unreadable. */
static inline uint32_t hostile_trap_page_top(void)
{
    struct vmi_dtr d;
    uint32_t lo = 0, hi = 0, esp0 = 0;
    sgdt(&d);
    uint32_t at = d.base + (str() & ~7u);
    if (HOSTILE_TRY("movl (%%ebx), %%eax\n\tmovl %%eax, (%%esi)", "b"(at), "S"(&lo)) != RT_NO_FAULT
        || HOSTILE_TRY("movl 4(%%ebx), %%eax\n\tmovl %%eax, (%%esi)", "b"(at), "S"(&hi)) != RT_NO_FAULT)
        return 0;
    uint32_t base = (lo >> 16) | ((hi & 0xFFu) << 16) | (hi & 0xFF000000u);
    at = base + HOSTILE_TSS_ESP0;
    if (HOSTILE_TRY("movl (%%ebx), %%eax\n\tmovl %%eax, (%%esi)", "b"(at), "S"(&esp0)) != RT_NO_FAULT)
        return 0;
    return esp0;
}

#endif /* TESTS_HOSTILE_HOSTILE_H */
