/*
 * segments.c - hostile descriptors and selectors: every kind of GDT slot
 * (data, code, conforming, every system type and gate), every DPL, null
 * selectors and GDT slot 0, selectors past the GDT and LDT limits, the
 * hypervisor's own GDT slots, LDTs of limit 0 to 7, LTR and LLDT of the
 * wrong things, and rewriting the descriptors the kernel is running on.
 *
 * Most cases are one row of seg_rows: write a descriptor into a GDT slot
 * through the shim (WriteGDTEntry; natively a plain store), then use a
 * selector for it in one way (op).  tests/hostile.cfg holds what must
 * happen: a fault the guest sees (expect=V:E), nothing (expect=none), or
 * the hypervisor ending the guest ("descriptor validation" for a
 * descriptor its spec refuses, section 9).  The kernel's own level is K
 * (0 natively, 1 under the hypervisor): selectors have RPL K unless a row
 * says otherwise, so error codes (index | TI) are the same in every mode.
 *
 * Kernel modes: native, hv, hv-novmi.
 */
#include "hostile.h"

#define NO_WRITE       (-1)
#define RPL_K          HOSTILE_DPL_K      /* "the kernel's level" for a selector */
#define GDT_PAST       RT_GDT_ENTRIES     /* first index past the GDT's limit */
#define GDT_LAST       (RT_GDT_ENTRIES - 1u)
#define SEL_INDEX_MAX  8191u              /* 13 bits of selector index        */
#define HV_FLAT_CS_IX  (HR_FLAT_KERNEL_CS >> SEL_SHIFT)
#define HV_FLAT_DS_IX  (HR_FLAT_KERNEL_DS >> SEL_SHIFT)
#define HV_USER_DS_IX  (HR_FLAT_USER_DS >> SEL_SHIFT)
#define GUEST_LAST_IX  (HR_GUEST_GDT_ENTRIES - 1u)
#define SMALL_LIMIT    0xFFFFu            /* a byte-granular 64 KiB segment   */
#define TOP_BASE       HR_VIRTUAL_TOP     /* a base the hypervisor refuses    */

/* Descriptor types (SDM 3.4.5.1 and table 3-2), S included for code/data. */
#define T_DATA_RO      (DESC_S | 0x0u)
#define T_DATA_RO_A    (DESC_S | 0x1u)
#define T_DATA_RW      (DESC_S | 0x2u)
#define T_DATA_RW_A    (DESC_S | 0x3u)
#define T_DATA_ED_RO   (DESC_S | 0x4u)    /* expand-down                      */
#define T_DATA_ED_RW   (DESC_S | 0x6u)
#define T_CODE_X       (DESC_S | 0x8u)
#define T_CODE_XR      (DESC_S | 0xAu)
#define T_CONF_X       (DESC_S | 0xCu)    /* conforming                       */
#define T_CONF_XR      (DESC_S | 0xEu)
#define T_SYS_RES0     0x0u               /* reserved system types            */
#define T_SYS_TSS16    0x1u
#define T_SYS_LDT      0x2u
#define T_SYS_TSS16_B  0x3u
#define T_SYS_CALL16   0x4u
#define T_SYS_TASK     0x5u
#define T_SYS_INT16    0x6u
#define T_SYS_TRAP16   0x7u
#define T_SYS_RES8     0x8u
#define T_SYS_TSS32    0x9u
#define T_SYS_RESA     0xAu
#define T_SYS_TSS32_B  0xBu
#define T_SYS_CALL32   0xCu
#define T_SYS_RESD     0xDu
#define T_SYS_INT32    0xEu
#define T_SYS_TRAP32   0xFu
#define F_FLAT         (DESC_FLAG_G | DESC_FLAG_DB)
#define F_L            0x20u              /* the 64-bit code flag (L)         */

/* What a row does with its selector. */
enum seg_op {
    OP_FS,          /* load FS, read FS:0                            */
    OP_FS_LOAD,     /* load FS only (TCG never faults a use of null)  */
    OP_SS,          /* load SS (and put the kernel's back)           */
    OP_LCALL,       /* far call to hostile_lret                      */
    OP_USER_FS,     /* ring 3: load FS, read FS:0                    */
    OP_USER_FS_LOAD,/* ring 3: load FS only                          */
    OP_USER_LCALL,  /* ring 3: far call to hostile_lret              */
    OP_LTR,         /* SetTR                                         */
    OP_LLDT,        /* SetLDT                                        */
};

/* One case: the descriptor written into `slot` (NO_WRITE: none), then
 * the selector index:ti:rpl used by op. */
struct seg_row {
    const char *name;
    int slot;
    uint8_t type, dpl, present, flags;
    uint32_t base;
    uint16_t index;
    uint8_t ti, rpl, op;
};

#define ROW(n, slot, type, dpl, p, flags, base, index, ti, rpl, op) \
    { n, slot, type, dpl, p, flags, base, index, ti, rpl, op }
/* The common shape: a descriptor in HOSTILE_SLOT used through its own selector. */
#define SLOT(n, type, dpl, p, flags, op) \
    ROW(n, HOSTILE_SLOT, type, dpl, p, flags, 0, HOSTILE_SLOT, 0, RPL_K, op)
/* A selector used with nothing written. */
#define SEL_ONLY(n, index, ti, rpl, op) ROW(n, NO_WRITE, 0, 0, 0, 0, 0, index, ti, rpl, op)
#define K HOSTILE_DPL_K

static const struct seg_row seg_rows[] = {
    /* null selectors, GDT slot 0, past the limit, the hypervisor's slots */
    SEL_ONLY("seg-null-fs", 0, 0, 0, OP_FS_LOAD),
    SEL_ONLY("seg-null-rpl3-fs", 0, 0, 3, OP_FS_LOAD),
    SEL_ONLY("seg-null-ss", 0, 0, RPL_K, OP_SS),
    SEL_ONLY("seg-null-cs", 0, 0, RPL_K, OP_LCALL),
    SEL_ONLY("seg-null-user-cs", 0, 0, 3, OP_USER_LCALL),
    ROW("seg-gdt0-fs", 0, T_DATA_RW, K, 1, F_FLAT, 0, 0, 0, RPL_K, OP_FS_LOAD),
    ROW("seg-gdt0-ss", 0, T_DATA_RW, K, 1, F_FLAT, 0, 0, 0, RPL_K, OP_SS),
    ROW("seg-gdt0-cs", 0, T_CODE_XR, K, 1, F_FLAT, 0, 0, 0, RPL_K, OP_LCALL),
    ROW("seg-gdt0-user-fs", 0, T_DATA_RW, 3, 1, F_FLAT, 0, 0, 0, 3, OP_USER_FS_LOAD),
    SEL_ONLY("seg-past-gdt-fs", GDT_PAST, 0, RPL_K, OP_FS),
    SEL_ONLY("seg-past-gdt-ss", GDT_PAST, 0, RPL_K, OP_SS),
    SEL_ONLY("seg-past-gdt-cs", GDT_PAST, 0, RPL_K, OP_LCALL),
    SEL_ONLY("seg-past-gdt-user-fs", GDT_PAST, 0, 3, OP_USER_FS),
    SEL_ONLY("seg-past-gdt-max", SEL_INDEX_MAX, 0, RPL_K, OP_FS),
    SEL_ONLY("seg-past-gdt-479", GUEST_LAST_IX, 0, RPL_K, OP_FS),
    SEL_ONLY("seg-hv-flat-ds", HV_FLAT_DS_IX, 0, RPL_K, OP_FS),
    SEL_ONLY("seg-hv-flat-ss", HV_FLAT_DS_IX, 0, RPL_K, OP_SS),
    SEL_ONLY("seg-hv-flat-cs", HV_FLAT_CS_IX, 0, RPL_K, OP_LCALL),
    SEL_ONLY("seg-hv-user-ds", HV_USER_DS_IX, 0, 3, OP_USER_FS),
    ROW("seg-last-slot", GDT_LAST, T_DATA_RW, K, 1, F_FLAT, 0, GDT_LAST, 0, RPL_K, OP_FS),
    /* data segments at every DPL and RPL */
    SLOT("seg-data-dpl0", T_DATA_RW, 0, 1, F_FLAT, OP_FS),
    SLOT("seg-data-dpl1", T_DATA_RW, 1, 1, F_FLAT, OP_FS),
    SLOT("seg-data-dpl2", T_DATA_RW, 2, 1, F_FLAT, OP_FS),
    SLOT("seg-data-dpl3", T_DATA_RW, 3, 1, F_FLAT, OP_FS),
    ROW("seg-data-rpl3", HOSTILE_SLOT, T_DATA_RW, K, 1, F_FLAT, 0, HOSTILE_SLOT, 0, 3, OP_FS),
    ROW("seg-user-data-dplk", HOSTILE_SLOT, T_DATA_RW, K, 1, F_FLAT, 0, HOSTILE_SLOT, 0, 3,
        OP_USER_FS),
    ROW("seg-user-data-dpl3", HOSTILE_SLOT, T_DATA_RW, 3, 1, F_FLAT, 0, HOSTILE_SLOT, 0, 3,
        OP_USER_FS),
    SEL_ONLY("seg-user-kernel-ds", RT_GDT_KERNEL_DS, 0, 3, OP_USER_FS),
    SEL_ONLY("seg-user-kernel-cs", RT_GDT_KERNEL_CS, 0, 3, OP_USER_LCALL),
    /* stack segments */
    SLOT("seg-ss-dplk", T_DATA_RW, K, 1, F_FLAT, OP_SS),
    SLOT("seg-ss-dpl3", T_DATA_RW, 3, 1, F_FLAT, OP_SS),
    ROW("seg-ss-rpl3", HOSTILE_SLOT, T_DATA_RW, K, 1, F_FLAT, 0, HOSTILE_SLOT, 0, 3, OP_SS),
    SLOT("seg-ss-readonly", T_DATA_RO, K, 1, F_FLAT, OP_SS),
    SLOT("seg-ss-code", T_CODE_XR, K, 1, F_FLAT, OP_SS),
    SLOT("seg-ss-np", T_DATA_RW, K, 0, F_FLAT, OP_SS),
    /* every code/data type through FS */
    SLOT("seg-data-ro-fs", T_DATA_RO, K, 1, F_FLAT, OP_FS),
    SLOT("seg-data-ro-a-fs", T_DATA_RO_A, K, 1, F_FLAT, OP_FS),
    SLOT("seg-data-rw-a-fs", T_DATA_RW_A, K, 1, F_FLAT, OP_FS),
    SLOT("seg-data-ed-ro", T_DATA_ED_RO, K, 1, F_FLAT, OP_FS),
    SLOT("seg-data-ed-rw", T_DATA_ED_RW, K, 1, F_FLAT, OP_FS),
    SLOT("seg-data-16bit", T_DATA_RW, K, 1, 0, OP_FS),
    ROW("seg-data-base-top", HOSTILE_SLOT, T_DATA_RW, K, 1, 0, TOP_BASE, HOSTILE_SLOT, 0,
        RPL_K, OP_FS),
    SLOT("seg-data-np-fs", T_DATA_RW, K, 0, F_FLAT, OP_FS),
    SLOT("seg-code-x-fs", T_CODE_X, K, 1, F_FLAT, OP_FS),
    SLOT("seg-code-xr-fs", T_CODE_XR, K, 1, F_FLAT, OP_FS),
    SLOT("seg-conf-x-fs", T_CONF_X, K, 1, F_FLAT, OP_FS),
    SLOT("seg-conf-xr-fs", T_CONF_XR, K, 1, F_FLAT, OP_FS),
    /* code segments through a far call */
    SLOT("seg-code-dplk", T_CODE_XR, K, 1, F_FLAT, OP_LCALL),
    SLOT("seg-code-dpl0", T_CODE_XR, 0, 1, F_FLAT, OP_LCALL),
    SLOT("seg-code-dpl2", T_CODE_XR, 2, 1, F_FLAT, OP_LCALL),
    SLOT("seg-code-dpl3", T_CODE_XR, 3, 1, F_FLAT, OP_LCALL),
    ROW("seg-code-rpl3", HOSTILE_SLOT, T_CODE_XR, K, 1, F_FLAT, 0, HOSTILE_SLOT, 0, 3, OP_LCALL),
    SLOT("seg-code-np", T_CODE_XR, K, 0, F_FLAT, OP_LCALL),
    SLOT("seg-code-l-bit", T_CODE_XR, K, 1, F_FLAT | F_L, OP_LCALL),
    SLOT("seg-conf-dplk", T_CONF_XR, K, 1, F_FLAT, OP_LCALL),
    SLOT("seg-conf-dpl3", T_CONF_XR, 3, 1, F_FLAT, OP_LCALL),
    ROW("seg-user-conf-dplk", HOSTILE_SLOT, T_CONF_XR, K, 1, F_FLAT, 0, HOSTILE_SLOT, 0, 3,
        OP_USER_LCALL),
    SLOT("seg-data-lcall", T_DATA_RW, K, 1, F_FLAT, OP_LCALL),
    /* every system type (and gate) in the GDT, through FS */
    SLOT("seg-sys-res0", T_SYS_RES0, K, 1, 0, OP_FS),
    SLOT("seg-sys-tss16", T_SYS_TSS16, K, 1, 0, OP_FS),
    SLOT("seg-sys-ldt", T_SYS_LDT, K, 1, 0, OP_FS),
    SLOT("seg-sys-tss16-busy", T_SYS_TSS16_B, K, 1, 0, OP_FS),
    SLOT("seg-sys-call16", T_SYS_CALL16, 3, 1, 0, OP_FS),
    SLOT("seg-sys-task", T_SYS_TASK, 3, 1, 0, OP_FS),
    SLOT("seg-sys-int16", T_SYS_INT16, 3, 1, 0, OP_FS),
    SLOT("seg-sys-trap16", T_SYS_TRAP16, 3, 1, 0, OP_FS),
    SLOT("seg-sys-res8", T_SYS_RES8, K, 1, 0, OP_FS),
    SLOT("seg-sys-tss32", T_SYS_TSS32, K, 1, 0, OP_FS),
    SLOT("seg-sys-resa", T_SYS_RESA, K, 1, 0, OP_FS),
    SLOT("seg-sys-tss32-busy", T_SYS_TSS32_B, K, 1, 0, OP_FS),
    SLOT("seg-sys-call32", T_SYS_CALL32, 3, 1, 0, OP_FS),
    SLOT("seg-sys-resd", T_SYS_RESD, K, 1, 0, OP_FS),
    SLOT("seg-sys-int32", T_SYS_INT32, 3, 1, 0, OP_FS),
    SLOT("seg-sys-trap32", T_SYS_TRAP32, 3, 1, 0, OP_FS),
    SLOT("seg-sys-call32-np", T_SYS_CALL32, 3, 0, 0, OP_FS),
    SLOT("seg-sys-tss32-ss", T_SYS_TSS32, K, 1, 0, OP_SS),
    SLOT("seg-sys-ldt-lcall", T_SYS_LDT, K, 1, 0, OP_LCALL),
    /* LTR and LLDT of the wrong things */
    SLOT("seg-ltr-data", T_DATA_RW, K, 1, F_FLAT, OP_LTR),
    SLOT("seg-ltr-ldt", T_SYS_LDT, K, 1, 0, OP_LTR),
    SEL_ONLY("seg-ltr-null", 0, 0, RPL_K, OP_LTR),
    SEL_ONLY("seg-ltr-past", GDT_PAST, 0, RPL_K, OP_LTR),
    ROW("seg-ltr-ti", HOSTILE_SLOT, T_SYS_TSS32, K, 1, 0, 0, HOSTILE_SLOT, SEL_TI_LDT, RPL_K,
        OP_LTR),
    SLOT("seg-lldt-data", T_DATA_RW, K, 1, F_FLAT, OP_LLDT),
    SLOT("seg-lldt-tss", T_SYS_TSS32, K, 1, 0, OP_LLDT),
    SLOT("seg-lldt-np", T_SYS_LDT, K, 0, 0, OP_LLDT),
    SEL_ONLY("seg-lldt-past", GDT_PAST, 0, RPL_K, OP_LLDT),
    ROW("seg-lldt-ti", HOSTILE_SLOT, T_SYS_LDT, K, 1, 0, 0, HOSTILE_SLOT, SEL_TI_LDT, RPL_K,
        OP_LLDT),
};
#undef K

/* The selector a row uses. */
static uint16_t row_selector(const struct seg_row *r)
{
    return SEL(r->index, r->ti, hostile_level(r->rpl));
}

/* The descriptor a row writes: flat for code and data, 64 KiB from base
 * otherwise (system descriptors: the base is a harmless guest address). */
static struct seg_desc row_desc(const struct seg_row *r)
{
    uint32_t limit = (r->flags & DESC_FLAG_G) ? desc_flat_limit() : SMALL_LIMIT;
    uint32_t base = r->base ? r->base : (r->type & DESC_S) ? 0 : (uint32_t)&rt_tss;
    return hostile_desc(base, limit, r->type, r->dpl, r->present, r->flags);
}

/* try_call bodies for the table calls. */
static void set_tr(void *arg) { vmi_set_tr(*(uint16_t *)arg); }
static void set_ldt(void *arg) { vmi_set_ldt(*(uint16_t *)arg); }

/* Ring 3: load FS with *(uint16_t *)arg and read through it. */
static void user_fs(void *arg)
{
    uint32_t s = *(uint16_t *)arg;
    __asm__ volatile("movw %w0, %%fs\n\tmovl %%fs:0, %%eax" :: "r"(s) : "eax", "memory");
}

/* Ring 3: load FS with *(uint16_t *)arg. */
static void user_fs_load(void *arg)
{
    uint32_t s = *(uint16_t *)arg;
    __asm__ volatile("movw %w0, %%fs" :: "r"(s) : "memory");
}

/* Ring 3: far call *(struct hostile_far *)arg. */
static void user_lcall(void *arg)
{
    __asm__ volatile("lcall *(%0)" :: "r"(arg) : "memory");
}

/* Use sel by op; the vector raised. */
static int row_use(uint8_t op, uint16_t sel)
{
    static struct hostile_far far;
    far = (struct hostile_far){ (uint32_t)hostile_lret, sel };
    uint32_t s = sel;
    int v;
    switch (op) {
    case OP_FS:         return hostile_load_fs(sel);
    case OP_FS_LOAD:    v = HOSTILE_TRY("movw %%bx, %%fs", "b"(s));
                        write_fs(rt_seg.kernel_ds);
                        return v;
    case OP_SS:         return HOSTILE_TRY("movw %%ss, %%cx\n\tmovw %%bx, %%ss\n\t"
                                           "movw %%cx, %%ss", "b"(s));
    case OP_LCALL:      return hostile_lcall(sel);
    case OP_USER_FS:    return rt_user_call(user_fs, &sel);
    case OP_USER_FS_LOAD: return rt_user_call(user_fs_load, &sel);
    case OP_USER_LCALL: return rt_user_call(user_lcall, &far);
    case OP_LTR:        return try_call(set_tr, &sel);
    case OP_LLDT:       return try_call(set_ldt, &sel);
    }
    return RT_NO_FAULT;
}

/* Run row r: write, use, judge. */
static void row_run(const struct seg_row *r)
{
    uint16_t sel = row_selector(r);
    if (r->slot != NO_WRITE) {
        struct seg_desc d = row_desc(r);
        printf("hostile: GDT %u <- %08x %08x\n", (unsigned)r->slot, desc_hi(&d), desc_lo(&d));
        hostile_gdt_write((unsigned)r->slot, d);
    }
    int v = row_use(r->op, sel);
    hostile_judge(v, r->name);
}

/* ---- LDTs ---- */
#define LDT_LIMIT_CASE "seg-ldt-limit-"
#define LDT_ENTRY      8u                  /* bytes per descriptor */
#define LDT_TWO        (2u * LDT_ENTRY - 1u)
#define LDT_PAST_IX    5u                  /* past a two-entry LDT */

/* How many of the 8192 LDT selectors at rpl load into FS. */
static uint32_t ldt_loadable(unsigned rpl)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i <= SEL_INDEX_MAX; i++) {
        uint32_t s = SEL(i, SEL_TI_LDT, rpl);
        n += HOSTILE_TRY("movw %%bx, %%fs", "b"(s)) == RT_NO_FAULT;
    }
    write_fs(rt_seg.kernel_ds);
    return n;
}

/* seg-ldt-limit-N: an LDT of limit N (0-7) loads; its entry 0 is usable
 * only when N = 7; no other LDT selector loads at all. */
static void ldt_limit(uint32_t limit)
{
    hostile_ldt_load((uint32_t)hostile_ldt(), limit);
    int v = hostile_load_fs(SEL(0, SEL_TI_LDT, rt_seg.cpl));
    hostile_judge(v, "LDT entry 0 of an LDT with a small limit");
    uint32_t want = limit >= LDT_ENTRY - 1 ? 1 : 0;
    uint32_t n = ldt_loadable(rt_seg.cpl);
    report(n == want, "LDT limit %u: %u of 8192 LDT selectors load (want %u)", limit, n, want);
}

/* seg-ldt-past: entry 5 of a two-entry LDT (it holds a good descriptor). */
static void ldt_past(void)
{
    struct seg_desc *ldt = hostile_ldt();
    ldt[LDT_PAST_IX] = ldt[0];
    hostile_ldt_load((uint32_t)ldt, LDT_TWO);
    hostile_judge(hostile_load_fs(SEL(LDT_PAST_IX, SEL_TI_LDT, rt_seg.cpl)),
                  "LDT entry 5 of a two-entry LDT");
}

/* seg-ldt-valid: entry 1 of a two-entry LDT loads and reads. */
static void ldt_valid(void)
{
    hostile_ldt_load((uint32_t)hostile_ldt(), LDT_TWO);
    hostile_judge(hostile_load_fs(SEL(1, SEL_TI_LDT, rt_seg.cpl)), "LDT entry 1 of two");
}

/* seg-ldt-user: a DPL-3 LDT entry from ring 3. */
static void ldt_user(void)
{
    struct seg_desc *ldt = hostile_ldt();
    ldt[1] = hostile_flat(DESC_DATA_WRITE, RT_RING_USER);
    hostile_ldt_load((uint32_t)ldt, LDT_TWO);
    uint16_t sel = SEL(1, SEL_TI_LDT, RT_RING_USER);
    hostile_judge(rt_user_call(user_fs, &sel), "ring 3 loads a DPL-3 LDT entry");
}

/* seg-ldt-top: an LDT based at virtual_top (the hypervisor's area). */
static void ldt_top(void)
{
    hostile_ldt_load(HR_VIRTUAL_TOP, LDT_TWO);
    hostile_judge(hostile_load_fs(SEL(0, SEL_TI_LDT, rt_seg.cpl)), "an LDT at virtual_top");
}

/* seg-ldt-straddle: an LDT whose limit reaches past virtual_top. */
static void ldt_straddle(void)
{
    hostile_ldt_load(HR_VIRTUAL_TOP - LDT_ENTRY, SMALL_LIMIT);
    hostile_judge(hostile_load_fs(SEL(1, SEL_TI_LDT, rt_seg.cpl)),
                  "an LDT straddling virtual_top");
}

/* ---- rewriting the descriptors the kernel runs on ---- */

/* A few exits, each a return to the guest's cached CS and SS. */
static void some_exits(void)
{
    uint32_t r[4];
    vmi_cpuid(0, 0, r);
    (void)vmi_get_cr0();
    vmi_cpuid(1, 0, r);
}

/* Make slot `slot` null (WriteGDTEntry), exit, put it back, reload. */
static void live_null(unsigned slot)
{
    struct seg_desc keep = rt_gdt[slot], null = { 0 };
    hostile_gdt_write(slot, null);
    some_exits();
    hostile_gdt_write(slot, keep);
    rt_load_segments(rt_seg.kernel_cs, rt_seg.kernel_ds);
    hostile_judge(RT_NO_FAULT, "the kernel ran on while its descriptor was null");
}

static void live_cs_null(void) { live_null(RT_GDT_KERNEL_CS); }
static void live_ds_null(void) { live_null(RT_GDT_KERNEL_DS); }

/* seg-live-cs-data: the current CS slot rewritten as a (valid) data segment. */
static void live_cs_data(void)
{
    struct seg_desc keep = rt_gdt[RT_GDT_KERNEL_CS];
    hostile_gdt_write(RT_GDT_KERNEL_CS, hostile_flat(DESC_DATA_WRITE, HOSTILE_DPL_K));
    some_exits();
    hostile_gdt_write(RT_GDT_KERNEL_CS, keep);
    rt_load_segments(rt_seg.kernel_cs, rt_seg.kernel_ds);
    hostile_judge(RT_NO_FAULT, "the kernel ran on while its CS slot held a data segment");
}

/* seg-live-gdt-limit0: SetGDT with limit 0, exits, the GDT back. */
static void live_gdt_limit0(void)
{
    struct vmi_dtr zero = { 0, (uint32_t)rt_gdt }, good = { sizeof(rt_gdt) - 1, (uint32_t)rt_gdt };
    vmi_set_gdt(&zero);
    some_exits();
    vmi_set_gdt(&good);
    rt_load_segments(rt_seg.kernel_cs, rt_seg.kernel_ds);
    hostile_judge(RT_NO_FAULT, "the kernel ran on with a GDT of limit 0");
}

/* seg-live-gdt-limit0-trap: a fault with GDT limit 0: the CPU cannot load
 * the handler's CS (a double and then a triple fault natively). */
static void live_gdt_limit0_trap(void)
{
    struct vmi_dtr zero = { 0, (uint32_t)rt_gdt };
    vmi_set_gdt(&zero);
    hostile_judge(TRY_ASM("ud2"), "#UD with no GDT to deliver it through");
}

/* seg-live-cs-reload-null: reload CS from a null slot (the #GP that
 * follows cannot be delivered either: its gate's CS is that slot). */
static void live_cs_reload_null(void)
{
    struct seg_desc null = { 0 };
    hostile_gdt_write(RT_GDT_KERNEL_CS, null);
    hostile_judge(hostile_lcall(rt_seg.kernel_cs), "far call through a null CS slot");
}

static const struct hostile_case seg_specials[] = {
    { "seg-ldt-past", ldt_past },
    { "seg-ldt-valid", ldt_valid },
    { "seg-ldt-user", ldt_user },
    { "seg-ldt-top", ldt_top },
    { "seg-ldt-straddle", ldt_straddle },
    { "seg-live-cs-null", live_cs_null },
    { "seg-live-ds-null", live_ds_null },
    { "seg-live-cs-data", live_cs_data },
    { "seg-live-gdt-limit0", live_gdt_limit0 },
    { "seg-live-gdt-limit0-trap", live_gdt_limit0_trap },
    { "seg-live-cs-reload-null", live_cs_reload_null },
};

/* Find and run the case: a table row, seg-ldt-limit-N or a special. */
void guest_main(const char *cmdline)
{
    (void)cmdline;
    char buf[HOSTILE_WORD_MAX];
    const char *name = hostile_begin(buf);
    if (!name)
        return;
    for (size_t i = 0; i < HOSTILE_COUNT(seg_rows); i++)
        if (!strcmp(seg_rows[i].name, name))
            return row_run(&seg_rows[i]);
    size_t n = strlen(LDT_LIMIT_CASE);
    if (!strncmp(name, LDT_LIMIT_CASE, n) && name[n] >= '0' && name[n] < '0' + (int)LDT_ENTRY
        && !name[n + 1])
        return ldt_limit((uint32_t)(name[n] - '0'));
    if (!hostile_dispatch(seg_specials, HOSTILE_COUNT(seg_specials), name))
        report(0, "unknown case=%s", name);
}
