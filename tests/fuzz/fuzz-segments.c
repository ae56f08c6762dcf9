/*
 * fuzz-segments.c - libFuzzer harness for hypervisor/segments/segments.c, the real
 * GDT and LDT the CPU uses, kept from the guest's descriptors (validated
 * by desc.c), with pinned slots for the descriptors segment registers
 * still cache and seg_return's check of every selector before the
 * hypervisor's own IRET.
 *
 * segments.c is included (its tables are static) and runs on stubs: a
 * 64 KiB guest memory behind guest_read, guest_terminate longjmp-ing back
 * (a termination is an allowed outcome: the sequence ends there),
 * hv_panic_at failing, and segload.c's LGDT/LLDT/LTR recording what they
 * would load.  The input is a sequence of 16-byte operations, each a
 * VMI call as hc_desc.c makes it or a guest event:
 *   0 Store      a native store of 8 bytes into guest memory
 *   1 SetGDT     base, limit                    (hc_SetGDT)
 *   2 WriteGDT   index, lo, hi                  (hc_WriteGDTEntry)
 *   3 SetLDT     selector                       (hc_SetLDT, LLDT's faults)
 *   4 WriteLDT   index, lo, hi                  (hc_WriteLDTEntry)
 *   5 Frame      CS SS DS ES FS GS, EIP         (the registers a trap saved)
 *   6 Return     seg_return                     (before every IRET)
 *   7 Resync     selector                       (a segment load faulted)
 * Invariants, after every operation:
 *   GDT slot 0 is null; every real slot below 480 is null or a code/data
 *   descriptor desc_validate keeps as it is, which when present has DPL 1
 *   or 3 and base + limit below HR_VIRTUAL_TOP (no gate, no system one);
 *   the LDT register holds nothing and no LDT is in use, or the real LDT
 *   descriptor, whose byte limit is the guest LDT's of the last SetLDT
 *   and fits the shadow; shadow entries past it are null, present ones
 *   inside valid code/data as above;
 * and after seg_return returns: CS and SS have RPL 1 or 3 and name, in
 * the real tables, descriptors an IRET from ring 0 to that RPL accepts
 * (present code of the right DPL with EIP within its limit; present
 * writable data of DPL = RPL), and every data selector is null or one a
 * ring-0 reload accepts (present data or readable code, DPL >= RPL
 * unless conforming code).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>
#include "fuzz.h"
#include "segments.c"           /* the code under test, statics and all */

#define GUEST_MEM    65536u
#define OP_BYTES     16u
#define OPS          8u
#define GUEST_SLOTS  HR_GUEST_GDT_ENTRIES
#define RING_USER    3u
#define NO_LDT       UINT32_MAX
#define START_EIP    0x00100000u
#define START_ESP    0x00090000u

struct vcpu vcpu0;
static uint8_t guest_mem[GUEST_MEM];
static jmp_buf terminated;
static uint16_t real_ldtr;          /* what segload_ldt loaded last        */
static uint32_t ldt_limit_model;    /* the guest LDT's limit at SetLDT     */

/* Stub: guest linear = an offset in guest_mem; -1 outside it. */
int guest_read(uint32_t va, void *dst, uint32_t n)
{
    if (va >= GUEST_MEM || n > GUEST_MEM - va)
        return -1;
    memcpy(dst, guest_mem + va, n);
    return 0;
}

/* Stub: the guest ends; the sequence stops there. */
void guest_terminate(struct trapframe *tf, const char *rule, const char *fmt, ...)
{
    (void)tf, (void)rule, (void)fmt;
    longjmp(terminated, 1);
}

/* Stub: a hypervisor panic is a bug. */
void hv_panic_at(const char *file, int line, const char *fmt, ...)
{
    fprintf(stderr, "hv_panic at %s:%d: %s\n", file, line, fmt);
    FUZZ_REQUIRE(0, "the hypervisor panicked");
    abort();
}

/* Stub LGDT: the hypervisor's whole table, nothing else. */
void segload_gdt(const struct dtr *d)
{
    FUZZ_REQUIRE(d->limit == sizeof(gdt) - 1, "LGDT of other than the whole real GDT");
}

/* Stub LLDT: remember the selector. */
void segload_ldt(uint16_t sel)
{
    FUZZ_REQUIRE(!sel || sel == SEL(GDT_GUEST_LDT, 0), "LLDT of a slot not the guest LDT's");
    real_ldtr = sel;
}

/* Stub LTR: the hypervisor's TSS only. */
void segload_tr(uint16_t sel)
{
    FUZZ_REQUIRE(sel == SEL(GDT_TSS, 0), "LTR of a slot not the TSS");
}

/* Null descriptor? */
static int is_null(struct seg_desc d)
{
    return !d.lo && !d.hi;
}

/* A descriptor the CPU may find in a guest slot: code/data that desc.c
 * keeps unchanged; present ones of DPL 1 or 3 ending below the top. */
static void check_code_data(struct seg_desc d)
{
    struct seg_desc again = d;
    const char *why = NULL;
    FUZZ_REQUIRE(DESC_S(d), "a system descriptor or gate in a guest slot");
    FUZZ_REQUIRE(!desc_validate(&again, &why) && again.lo == d.lo && again.hi == d.hi,
                 "a guest slot holds what desc_validate would not keep");
    if (!DESC_P(d))
        return;
    FUZZ_REQUIRE(DESC_DPL(d) == HR_GUEST_CPL || DESC_DPL(d) == RING_USER,
                 "a present guest descriptor of DPL 0 or 2");
    FUZZ_REQUIRE((uint64_t)DESC_BASE(d) + desc_limit_bytes(d) < HR_VIRTUAL_TOP,
                 "a guest descriptor reaches HR_VIRTUAL_TOP");
}

/* The byte limit of the LDT the CPU uses, or NO_LDT. */
static uint32_t real_ldt_limit(void)
{
    return real_ldtr ? desc_limit_bytes(gdt[GDT_GUEST_LDT]) : NO_LDT;
}

/* The real GDT and LDT, after any operation. */
static void check_tables(void)
{
    uint32_t i, limit = real_ldt_limit();
    FUZZ_REQUIRE(is_null(gdt[0]), "GDT slot 0 not null");
    for (i = 1; i < GUEST_SLOTS; i++)
        if (!is_null(gdt[i]))
            check_code_data(gdt[i]);
    if (!real_ldtr) {
        FUZZ_REQUIRE(ldt_limit_model == NO_LDT && !ldt_entries, "an LDT in use with LDTR null");
        return;
    }
    FUZZ_REQUIRE(DESC_P(gdt[GDT_GUEST_LDT]) && !DESC_S(gdt[GDT_GUEST_LDT]) &&
                 DESC_TYPE(gdt[GDT_GUEST_LDT]) == SYS_TYPE_LDT, "real LDT slot no LDT");
    FUZZ_REQUIRE(limit == ldt_limit_model, "real LDT limit is not the guest LDT's");
    FUZZ_REQUIRE(limit < sizeof(ldt_shadow), "real LDT limit beyond the shadow");
    for (i = 0; i < LDT_MAX_ENTRIES; i++) {
        if ((uint64_t)i * sizeof(struct seg_desc) + sizeof(struct seg_desc) - 1 > limit)
            FUZZ_REQUIRE(is_null(ldt_shadow[i]), "an LDT shadow entry past the limit");
        else if (DESC_P(ldt_shadow[i]))
            check_code_data(ldt_shadow[i]);
    }
}

/* The descriptor the CPU finds for sel in the real tables; 0 if none
 * (slot 0, past the GDT, no LDT, past the LDT's limit). */
static int real_lookup(uint32_t sel, struct seg_desc *d)
{
    uint32_t i = SEL_INDEX(sel & 0xFFFFu);
    if (sel & SEL_TI) {
        if (!real_ldtr || (uint64_t)i * 8 + 7 > real_ldt_limit())
            return 0;
        *d = ldt_shadow[i];
        return 1;
    }
    if (!i || i >= HR_GDT_ENTRIES)
        return 0;
    *d = gdt[i];
    return 1;
}

/* The frame seg_return let through: what the hypervisor's IRET loads. */
static void check_frame(const struct trapframe *tf)
{
    uint32_t rpl = SEL_RPL(tf->cs), type, i;
    const uint32_t data[] = { tf->ds, tf->es, tf->fs, tf->gs };
    struct seg_desc d;
    FUZZ_REQUIRE(rpl == HR_GUEST_CPL || rpl == RING_USER, "IRET to ring 0 or 2");
    FUZZ_REQUIRE(real_lookup(tf->cs, &d), "CS names no real descriptor");
    type = DESC_TYPE(d);
    FUZZ_REQUIRE(DESC_P(d) && DESC_S(d) && (type & SEG_TYPE_CODE), "CS not present code");
    FUZZ_REQUIRE((type & SEG_TYPE_CONFORM) ? DESC_DPL(d) <= rpl : DESC_DPL(d) == rpl,
                 "CS's DPL wrong for its RPL");
    FUZZ_REQUIRE(tf->eip <= desc_limit_bytes(d), "EIP beyond CS's limit");
    FUZZ_REQUIRE(SEL_RPL(tf->ss) == rpl, "SS's RPL not CS's");
    FUZZ_REQUIRE(real_lookup(tf->ss, &d), "SS names no real descriptor");
    type = DESC_TYPE(d);
    FUZZ_REQUIRE(DESC_P(d) && DESC_S(d) && !(type & SEG_TYPE_CODE) && (type & SEG_TYPE_WRITE) &&
                 DESC_DPL(d) == rpl, "SS not present writable data of DPL = RPL");
    for (i = 0; i < sizeof(data) / sizeof(data[0]); i++) {
        if (!((data[i] & 0xFFFFu) & ~3u))
            continue;                                    /* null */
        FUZZ_REQUIRE(real_lookup(data[i], &d), "a data selector names no real descriptor");
        type = DESC_TYPE(d);
        FUZZ_REQUIRE(DESC_P(d) && DESC_S(d) &&
                     (!(type & SEG_TYPE_CODE) || (type & SEG_TYPE_WRITE)),
                     "a data selector not present data or readable code");
        FUZZ_REQUIRE((type & (SEG_TYPE_CODE | SEG_TYPE_CONFORM)) ==
                     (SEG_TYPE_CODE | SEG_TYPE_CONFORM) || DESC_DPL(d) >= SEL_RPL(data[i]),
                     "a data selector's DPL below its RPL");
    }
}

/* The fault LLDT raises for sel (hc_desc.c's rule, SDM LLDT): 1 for #GP
 * or #NP, 0 for none. */
static int lldt_faults(uint16_t sel)
{
    uint32_t i = SEL_INDEX(sel);
    if (!(sel & ~3u))
        return 0;
    if ((sel & SEL_TI) || i >= GUEST_SLOTS || i * 8 + 7 > vcpu0.gdtr.limit)
        return 1;
    struct seg_desc d = seg_guest_view(i);
    return DESC_S(d) || DESC_TYPE(d) != SYS_TYPE_LDT || !DESC_P(d);
}

/* The guest stores 8 bytes at va (a WriteXEntry's own store, or a native
 * one); 0, or -1 where the guest would fault. */
static int store(uint32_t va, uint32_t lo, uint32_t hi)
{
    struct seg_desc d = { lo, hi };
    if (va >= GUEST_MEM || sizeof(d) > GUEST_MEM - va)
        return -1;
    memcpy(guest_mem + va, &d, sizeof(d));
    return 0;
}

/* Is index one of the table's entries (hc_desc.c's in_table)? */
static int in_table(uint32_t index, uint32_t limit)
{
    return index < ((uint64_t)limit + 1) / sizeof(struct seg_desc);
}

/* A refused call terminates the guest (hc_desc.c's refuse). */
static void refused_if(int r)
{
    if (r < 0)
        longjmp(terminated, 1);
}

/* SetLDT as hc_SetLDT makes it; the model keeps the guest LDT's limit. */
static void op_set_ldt(uint16_t sel)
{
    const char *why = NULL;
    refused_if(seg_resync(sel & ~SEL_TI, &why));
    if (lldt_faults(sel))
        return;                                   /* #GP or #NP to the guest */
    refused_if(seg_guest_set_ldt(sel, &why));
    vcpu0.ldtr = sel;
    ldt_limit_model = (sel & ~3u) ? desc_limit_bytes(seg_guest_view(SEL_INDEX(sel))) : NO_LDT;
}

/* WriteGDTEntry / WriteLDTEntry as hc_desc.c makes them. */
static void op_write_entry(int ldt, uint32_t index, uint32_t lo, uint32_t hi)
{
    const char *why = NULL;
    struct seg_desc l = seg_guest_view(SEL_INDEX(vcpu0.ldtr));
    uint32_t base = ldt ? DESC_BASE(l) : vcpu0.gdtr.base;
    uint32_t limit = ldt ? desc_limit_bytes(l) : vcpu0.gdtr.limit;
    if (store(base + index * 8u, lo, hi))
        return;                                   /* #PF to the guest */
    if (ldt && vcpu0.ldtr && in_table(index, limit))
        refused_if(seg_guest_write_ldt(index, (struct seg_desc){ lo, hi }, &why));
    if (!ldt && in_table(index, limit))
        refused_if(seg_guest_write_gdt(index, (struct seg_desc){ lo, hi }, &why));
}

/* Operation op (16 bytes) on the current state. */
static void run_op(const uint8_t *op)
{
    struct trapframe *tf = guest_frame(), final;
    const char *why = NULL;
    uint32_t bad, a = fuzz_le16(op + 2), lo = fuzz_le32(op + 4), hi = fuzz_le32(op + 8);
    struct dtr d = { (uint16_t)fuzz_le16(op + 6), (op[1] & 1) ? fuzz_le32(op + 2) : a };
    switch (op[0] % OPS) {
    case 0: store(a, lo, hi); break;
    case 1: refused_if(seg_guest_set_gdt(&d, &bad, &why)); vcpu0.gdtr = d; break;
    case 2: op_write_entry(0, a, lo, hi); break;
    case 3: op_set_ldt((uint16_t)a); break;
    case 4: op_write_entry(1, a, lo, hi); break;
    case 5:
        tf->cs = fuzz_le16(op + 2), tf->ss = fuzz_le16(op + 4), tf->ds = fuzz_le16(op + 6);
        tf->es = fuzz_le16(op + 8), tf->fs = fuzz_le16(op + 10), tf->gs = fuzz_le16(op + 12);
        tf->eip = op[14] | (uint32_t)op[15] << 8 | (uint32_t)op[1] << 16;
        break;
    case 6: seg_return(tf, &final); check_frame(tf); break;
    default: refused_if(seg_resync((uint16_t)a, &why)); break;
    }
}

/* A fresh hypervisor and guest: gdt_init, the entry state's flat segments. */
static void reset(void)
{
    struct trapframe *tf = guest_frame();
    memset(gdt, 0, sizeof(gdt)), memset(ldt_shadow, 0, sizeof(ldt_shadow));
    memset(guest_view, 0, sizeof(guest_view)), memset(ldt_view, 0, sizeof(ldt_view));
    memset(loadable, 0, sizeof(loadable)), memset(pins, 0, sizeof(pins));
    memset(guest_mem, 0, sizeof(guest_mem));
    memset(&vcpu0, 0, sizeof(vcpu0));
    gdt_entries = ldt_entries = npins = 0;
    seg_generation++;                /* the tables changed under seg_return's memo */
    real_ldtr = 0, ldt_limit_model = NO_LDT;
    gdt_init();
    memset(tf, 0, sizeof(*tf));
    tf->cs = HR_FLAT_KERNEL_CS, tf->ss = tf->ds = tf->es = HR_FLAT_KERNEL_DS;
    tf->eip = START_EIP, tf->esp = START_ESP;
}

/* Run the input's operations, checking the tables after each. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static size_t i;                 /* static: survives the longjmp */
    uint8_t op[OP_BYTES];
    reset();
    check_tables();
    for (i = 0; i < size; i += OP_BYTES) {
        memset(op, 0, sizeof(op));
        memcpy(op, data + i, size - i < OP_BYTES ? size - i : OP_BYTES);
        if (setjmp(terminated))
            break;                   /* the guest ended: an allowed outcome */
        run_op(op);
        check_tables();
    }
    return 0;
}
