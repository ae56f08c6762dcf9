/*
 * segments.c - the real GDT, the TSSs, and the guest's GDT and LDT.
 * Ring 0.
 *
 * The CPU uses one GDT, the hypervisor's.  Its first HR_GUEST_GDT_ENTRIES
 * slots hold validated copies of the guest's own GDT entries, so the
 * guest's selectors work unchanged; the slots above are the hypervisor's.
 * System descriptors (LDT, TSS) are kept only in the guest's virtual view:
 * the CPU never sees a guest TSS, and the guest's LDT is loaded from a
 * validated shadow copy.
 *
 * Pure C: the three instructions that load tables are segload.c's, so
 * that tests/fuzz/fuzz-segments.c builds this file on the host.
 */
#include "hv.h"
#include "desc.h"

#define IOPB_BYTES   (65536u / 8)           /* one bit per port            */
#define IOPB_END     0xFFu                  /* the byte past the bitmap    */
#define COM1_FIRST   0x3F8u                 /* may pass through: the console */
#define COM1_LAST    0x3FFu
#define LDT_MAX_ENTRIES (PAGE_SIZE / sizeof(struct seg_desc))
#define HV_STACK_SIZE 16384u
#define DESC_MAX_LIMIT_4K 0xFFFFFu                /* 4 GiB in 4 KiB units */

struct tss_with_iopb {
    struct tss32 tss;
    uint8_t iopb[IOPB_BYTES];
    uint8_t end;
} HR_PACKED;

/* What the CPU reads on a trap or a segment load while a guest runs: in
 * the entry pages (hv.ld), which the guest's page directory maps read-only
 * (paging.c).  So every code or data descriptor here has its accessed bit
 * set already: the CPU never needs to write these tables in guest context. */
#define ENTRY_TABLE __attribute__((section(".bss.entry_tables"), aligned(PAGE_SIZE)))
static struct seg_desc gdt[HR_GDT_ENTRIES] ENTRY_TABLE;
static struct seg_desc ldt_shadow[LDT_MAX_ENTRIES] ENTRY_TABLE;
static struct tss_with_iopb tss ENTRY_TABLE;
/* The page the CPU pushes a trap frame from the guest on (TSS.esp0):
 * writable in the guest's map, so entry.asm moves the frame to hv_stack,
 * which the guest's map lacks, at once, and back just before the IRET. */
uint8_t trap_page[PAGE_SIZE] __attribute__((section(".bss.entry_stack"), aligned(PAGE_SIZE)));
static uint8_t hv_stack[HV_STACK_SIZE] __attribute__((aligned(16)));
/* The espfix stack pointer entry.asm loads before an IRET (ESP, then SS)
 * and whether to load it: see seg_espfix. */
uint32_t espfix_sp[2] __attribute__((section(".bss.entry_tables")));
uint8_t espfix_on __attribute__((section(".bss.entry_tables")));
static struct seg_desc guest_view[HR_GUEST_GDT_ENTRIES]; /* as the guest wrote them */
static struct seg_desc ldt_view[LDT_MAX_ENTRIES];        /* the same for the LDT */
uint8_t *const hv_stack_top = hv_stack + HV_STACK_SIZE;

/*
 * Segment registers cache their descriptors.  A CPU keeps running on the
 * descriptor it loaded into CS, SS or DS-GS even after the table entry
 * changes or the GDT shrinks, until the register is reloaded; native
 * kernels rely on it (Linux's startup_32 runs on after an LGDT whose table
 * lacks its current CS).  The hypervisor's own IRET reloads every register
 * from the real GDT, so a guest slot that a live register still holds is
 * "pinned": gdt[] keeps the descriptor the register cached, and loadable[]
 * has what a load of the slot gives now.  A pin is dropped at the first
 * return to the guest at which no register holds that slot any more.
 */
static struct seg_desc loadable[HR_GDT_ENTRIES];    /* guest slots, flat slots */
static uint16_t pins[HR_GDT_ENTRIES];   /* the pinned slots (at most one per register) */
static uint32_t npins;
static uint32_t gdt_entries;          /* slots inside the guest's GDT limit */
static uint32_t ldt_entries;          /* whole entries inside the LDT limit */
#define SEG_REGS 6u                   /* CS, SS, DS, ES, FS, GS */

/* Bumped by every change to what a selector finds in the tables the CPU
 * reads (a real GDT slot, the LDT shadow or its size): the checks of the
 * exit path (seg_return, rules 4 and 5) hold as long as it and the
 * selectors stay the same, so they are made once, not on every exit. */
uint32_t seg_generation = 1;

/* What seg_return last passed in full (hv.h); only recorded when SS is
 * a 32-bit segment (no espfix) and nothing is pinned, and forgotten when
 * a pin is made, so while it holds nothing is pinned. */
struct seg_ret_memo ret_memo;
/* The set ret_memo held before, kept on the same terms: a guest's exits
 * alternate between two sets (its kernel's and its user code's: a fault
 * reflected from user mode, then a return to it), so each is checked once. */
static struct seg_ret_memo ret_prev;
_Static_assert(sizeof(ret_memo.sel) / sizeof(ret_memo.sel[0]) == SEG_REGS, "one per register");

/* A flat 32-bit code or data descriptor up to HR_VIRTUAL_TOP (or 4 GiB). */
static struct seg_desc flat(uint32_t dpl, uint32_t type, uint32_t limit_pages)
{
    return seg_make(0, limit_pages - 1, SEG_ACCESS(1, dpl, 1, type | SEG_TYPE_ACCESSED),
                    SEG_FLAGS_32_4K);
}

/* A validated code or data descriptor as the CPU gets it: accessed, so a
 * segment load never writes the read-only table (system ones unchanged). */
static struct seg_desc accessed(struct seg_desc d)
{
    if (DESC_S(d))
        d.hi |= SEG_TYPE_ACCESSED << DESC_TYPE_SHIFT;
    return d;
}

int ports_passthrough = 1;   /* ports=emulate: the console always traps */

/* The real I/O bitmap applies to ring 1 and ring 3 alike, so a port may be
 * open in it only when the guest lets its own ring 3 reach every port
 * (virtual IOPL 3); otherwise the console traps too, and the hypervisor
 * serves ring 1 and checks ring 3 against the guest's own rules. */
void iopb_sync(void)
{
    int open = ports_passthrough && (vcpu0.iopl_mask >> EFLAGS_IOPL_SHIFT) == 3;
    for (uint32_t port = COM1_FIRST; port <= COM1_LAST; port++) {
        uint8_t bit = (uint8_t)(1u << (port % 8));
        tss.iopb[port / 8] = open ? tss.iopb[port / 8] & (uint8_t)~bit
                                  : tss.iopb[port / 8] | bit;
    }
}

/* The I/O bitmap: every port traps (iopb_sync opens the console). */
static void iopb_init(void)
{
    memset(tss.iopb, 0xFF, sizeof(tss.iopb));
    tss.end = IOPB_END;
    tss.tss.iomap_base = offsetof(struct tss_with_iopb, iopb);
}

/* Is GDT slot i one of the flat segments of the guest's entry state
 * (HR_FLAT_*)?  They are what the guest's selectors name until it loads
 * a GDT of its own; after that, like any slot past its GDT's limit, a
 * load of them faults (a register still holding one keeps it, pinned). */
static int is_flat_slot(uint32_t i)
{
    return i >= GDT_FLAT_KCS && i <= GDT_FLAT_UDS;
}

/* Build and load the hypervisor's GDT and TSS. */
void gdt_init(void)
{
    uint32_t all = 1u << 20, guest = HR_VIRTUAL_TOP >> PAGE_SHIFT;
    gdt[GDT_HV_CS] = flat(0, SEG_TYPE_CODE | 0x2, all);
    gdt[GDT_HV_DS] = flat(0, SEG_TYPE_WRITE, all);
    gdt[GDT_FLAT_KCS] = flat(1, SEG_TYPE_CODE | 0x2, guest);
    gdt[GDT_FLAT_KDS] = flat(1, SEG_TYPE_WRITE, guest);
    gdt[GDT_FLAT_UCS] = flat(3, SEG_TYPE_CODE | 0x2, guest);
    gdt[GDT_FLAT_UDS] = flat(3, SEG_TYPE_WRITE, guest);
    for (uint32_t i = GDT_FLAT_KCS; i <= GDT_FLAT_UDS; i++)
        loadable[i] = gdt[i];
    tss.tss.ss0 = HV_DS;
    tss.tss.esp0 = (uint32_t)(uintptr_t)(trap_page + PAGE_SIZE);
    iopb_init();
    gdt[GDT_TSS] = seg_make((uint32_t)(uintptr_t)&tss, sizeof(tss) - 1,
                            SEG_ACCESS(1, 0, 0, SYS_TYPE_TSS32), 0);
    struct dtr d = { sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt };
    segload_gdt(&d);
    segload_tr(SEL(GDT_TSS, 0));
}

/* Where traps from guest user mode switch to: the guest's kernel stack.
 * The CPU uses SS1:ESP1 itself for the direct system-call gate. */
void tss_set_guest_stack(uint16_t ss, uint32_t esp)
{
    tss.tss.ss1 = ss;
    tss.tss.esp1 = esp;
}

/* The guest's registers while the hypervisor runs: its outermost frame,
 * where the CPU pushed it on the trap page and entry.asm leaves it (and
 * where guest.c builds the first one). */
struct trapframe *guest_frame(void)
{
    return (struct trapframe *)(trap_page + PAGE_SIZE - sizeof(struct trapframe));
}

/* The six selectors of frame tf, in a fixed order. */
static void frame_selectors(const struct trapframe *tf, uint32_t sel[SEG_REGS])
{
    sel[0] = tf->cs, sel[1] = tf->ss, sel[2] = tf->ds;
    sel[3] = tf->es, sel[4] = tf->fs, sel[5] = tf->gs;
}

/* Does a register in tf hold GDT slot index (a non-null GDT selector)? */
static int slot_live(const struct trapframe *tf, uint32_t index)
{
    uint32_t sel[SEG_REGS];
    frame_selectors(tf, sel);
    for (uint32_t r = 0; r < SEG_REGS; r++)
        if (!(sel[r] & SEL_TI) && SEL_INDEX(sel[r] & 0xFFFFu) == index)
            return 1;
    return 0;
}

/* Is slot index pinned?  Its place in pins[], or npins. */
static uint32_t pin_find(uint32_t index)
{
    uint32_t i = 0;
    while (i < npins && pins[i] != index)
        i++;
    return i;
}

/* Set what a load of slot index gives (loadable[]); a change bumps
 * seg_generation, since what deliver.c remembers of a gate or a stack
 * depends on it even while a pin keeps the real slot. */
static void set_loadable(uint32_t index, struct seg_desc d)
{
    if (d.lo != loadable[index].lo || d.hi != loadable[index].hi)
        seg_generation++;
    loadable[index] = d;
}

/* Make real slot index what a load gives now, unless a live register
 * caches the old descriptor: then pin it until that register lets go. */
static void gdt_install(uint32_t index)
{
    struct seg_desc want = loadable[index];
    int same = gdt[index].lo == want.lo && gdt[index].hi == want.hi;
    uint32_t at = pin_find(index);
    if (!same && DESC_P(gdt[index]) && slot_live(guest_frame(), index)) {
        if (at == npins)
            pins[npins++] = (uint16_t)index;
        ret_memo.gen = ret_prev.gen = 0; /* they held with no pin */
        return;
    }
    if (!same)
        seg_generation++;
    gdt[index] = want;
    if (at < npins)
        pins[at] = pins[--npins];
}

/* Does guest GDT slot index hold d already?  Then a WriteGDTEntry of d
 * changes nothing: d passed desc_validate when it was written, and every
 * later change of what the slot gives (a new GDT limit: SetGDT) rewrote
 * it through seg_guest_write_gdt.  Rewriting unchanged entries is common
 * (Linux's TLS slots on every context switch). */
int seg_guest_gdt_holds(uint32_t index, struct seg_desc d)
{
    return index < HR_GUEST_GDT_ENTRIES && guest_view[index].lo == d.lo &&
           guest_view[index].hi == d.hi;
}

/* Install guest GDT entry index: validate, keep the guest's view, and put
 * a copy the CPU may use in the real GDT (system descriptors stay out; so
 * do slot 0, which only ever means the null selector, and slots beyond the
 * guest's GDT limit, which a load must find absent). */
int seg_guest_write_gdt(uint32_t index, struct seg_desc d, const char **why)
{
    if (index >= HR_GUEST_GDT_ENTRIES) {
        *why = "GDT index beyond the guest's slots";
        return -1;
    }
    struct seg_desc checked = d;
    if (desc_validate(&checked, why))
        return -1;
    guest_view[index] = d;
    int usable = index && index < gdt_entries && DESC_S(checked);
    set_loadable(index, usable ? accessed(checked) : (struct seg_desc){ 0, 0 });
    gdt_install(index);
    return 0;
}

/* Before each return to the guest: drop the pins no register needs (on
 * every exit, so it looks only at the few pinned slots). */
static void seg_unpin(const struct trapframe *tf)
{
    for (uint32_t i = 0; i < npins; )
        if (slot_live(tf, pins[i])) {
            i++;
        } else {
            gdt[pins[i]] = loadable[pins[i]];
            pins[i] = pins[--npins];
            seg_generation++;
        }
}

/* The guest loaded a new GDT: take every entry from guest memory (on
 * failure *bad names the entry). */
int seg_guest_set_gdt(const struct dtr *d, uint32_t *bad, const char **why)
{
    *bad = 0;
    uint32_t n = ((uint32_t)d->limit + 1) / sizeof(struct seg_desc);
    if (n > HR_GUEST_GDT_ENTRIES) {
        *why = "GDT limit beyond the guest's slots";
        return -1;
    }
    gdt_entries = n;
    vcpu0.gdtr = *d;
    for (uint32_t i = GDT_FLAT_KCS; i <= GDT_FLAT_UDS; i++) {
        set_loadable(i, (struct seg_desc){ 0, 0 });   /* the guest's own GDT now */
        gdt_install(i);
    }
    for (uint32_t i = 0; i < HR_GUEST_GDT_ENTRIES; i++) {
        struct seg_desc e = { 0, 0 };
        *bad = i;
        if (i < n && guest_read(d->base + i * sizeof(e), &e, sizeof(e))) {
            *why = "GDT not in guest memory";
            return -1;
        }
        if (seg_guest_write_gdt(i, e, why))
            return -1;
    }
    return 0;
}

/* Load the guest's LDT from the LDT descriptor that sel names (0: none).
 * The real LDT gets the guest's own byte limit, so the CPU refuses exactly
 * the selectors a CPU would (an LDT too small for one entry holds none). */
int seg_guest_set_ldt(uint16_t sel, const char **why)
{
    if (!(sel & ~3u)) {
        ldt_entries = 0;
        seg_generation++;
        segload_ldt(0);
        return 0;
    }
    struct seg_desc d = SEL_INDEX(sel) < HR_GUEST_GDT_ENTRIES && !(sel & SEL_TI)
                      ? guest_view[SEL_INDEX(sel)] : (struct seg_desc){ 0, 0 };
    if (!DESC_P(d) || DESC_S(d) || DESC_TYPE(d) != SYS_TYPE_LDT) {
        *why = "LDT selector does not name an LDT descriptor";
        return -1;
    }
    uint32_t limit = desc_limit_bytes(d), n = (limit + 1) / sizeof(struct seg_desc);
    if (limit >= LDT_MAX_ENTRIES * sizeof(struct seg_desc)) {
        *why = "LDT larger than the hypervisor shadows (512 entries)";
        return -1;
    }
    for (uint32_t i = 0; i < LDT_MAX_ENTRIES; i++) {
        struct seg_desc e = { 0, 0 };
        if (i < n && guest_read(DESC_BASE(d) + i * sizeof(e), &e, sizeof(e))) {
            *why = "LDT not in guest memory";
            return -1;
        }
        if (!DESC_S(e) && DESC_P(e)) {
            *why = "system descriptor in the LDT";
            return -1;
        }
        ldt_view[i] = e;
        if (desc_validate(&e, why))
            return -1;
        ldt_shadow[i] = i < n ? accessed(e) : (struct seg_desc){ 0, 0 };
    }
    ldt_entries = n;
    seg_generation++;
    gdt[GDT_GUEST_LDT] = seg_make((uint32_t)(uintptr_t)ldt_shadow, limit,
                                  SEG_ACCESS(1, 0, 0, SYS_TYPE_LDT), 0);
    segload_ldt(SEL(GDT_GUEST_LDT, 0));
    return 0;
}

/* Entry index of the loaded LDT changed: validate it into the shadow
 * (entries past the LDT's limit are kept out of it, as the CPU ignores
 * them). */
int seg_guest_write_ldt(uint32_t index, struct seg_desc d, const char **why)
{
    if (index >= LDT_MAX_ENTRIES) {
        *why = "LDT index beyond the shadow";
        return -1;
    }
    if (!DESC_S(d) && DESC_P(d)) {
        *why = "system descriptor in the LDT";
        return -1;
    }
    ldt_view[index] = d;
    if (desc_validate(&d, why))
        return -1;
    if (index < ldt_entries) {
        d = accessed(d);
        if (d.lo != ldt_shadow[index].lo || d.hi != ldt_shadow[index].hi)
            seg_generation++;
        ldt_shadow[index] = d;
    }
    return 0;
}

/* The guest's view of GDT entry index (for SetTR checks and GetGDT users). */
struct seg_desc seg_guest_view(uint32_t index)
{
    return index < HR_GUEST_GDT_ENTRIES ? guest_view[index] : (struct seg_desc){ 0, 0 };
}

/* The descriptor the CPU has cached for a live selector sel: the real
 * GDT (pinned slots included) or the shadow LDT; null for a null
 * selector or one past its table's limit. */
static struct seg_desc seg_cached(uint16_t sel)
{
    uint32_t i = SEL_INDEX(sel);
    if (sel & SEL_TI)
        return i < ldt_entries && vcpu0.ldtr ? ldt_shadow[i] : (struct seg_desc){ 0, 0 };
    return i && i < HR_GDT_ENTRIES ? gdt[i] : (struct seg_desc){ 0, 0 };
}

/* The descriptor the live selector sel has cached (seg_cached): what a
 * memory access through that segment register is checked against. */
struct seg_desc seg_current(uint16_t sel)
{
    return seg_cached(sel);
}

/* The descriptor a load of sel gives now, as the CPU would find it: the
 * guest's validated entry (not a pinned one), the entry state's flat
 * segments until the guest loads a GDT of its own, or null (slot 0, past
 * a limit, the hypervisor's own slots). */
struct seg_desc seg_loadable(uint16_t sel)
{
    uint32_t i = SEL_INDEX(sel);
    if (sel & SEL_TI)
        return seg_cached(sel);
    if (!i || i >= HR_GDT_ENTRIES)
        return (struct seg_desc){ 0, 0 };
    return i < HR_GUEST_GDT_ENTRIES || is_flat_slot(i) ? loadable[i] : (struct seg_desc){ 0, 0 };
}

/* Does the live selector sel (RPL ignored) name a flat segment? */
int seg_is_flat(uint16_t sel)
{
    return desc_is_flat(seg_cached(sel));
}

/* The byte limit of the segment a load of sel gives; 0 for none.
 * A jump or return to an EIP beyond it faults on a CPU. */
uint32_t seg_limit(uint16_t sel)
{
    struct seg_desc d = seg_loadable(sel);
    return DESC_P(d) && DESC_S(d) ? desc_limit_bytes(d) : 0;
}

/* May descriptor d be in CS at privilege rpl (1 or 3; never 0 or 2)? */
static int cs_ok(struct seg_desc d, uint32_t rpl)
{
    if ((rpl != HR_GUEST_CPL && rpl != 3) || !DESC_P(d) || !DESC_S(d) ||
        !(DESC_TYPE(d) & SEG_TYPE_CODE))
        return 0;
    return (DESC_TYPE(d) & SEG_TYPE_CONFORM) ? DESC_DPL(d) <= rpl : DESC_DPL(d) == rpl;
}

/* May descriptor d be in SS at privilege rpl? */
static int ss_ok(struct seg_desc d, uint32_t rpl)
{
    return DESC_P(d) && DESC_S(d) && !(DESC_TYPE(d) & SEG_TYPE_CODE) &&
           (DESC_TYPE(d) & SEG_TYPE_WRITE) && DESC_DPL(d) == rpl;
}

/* Ring compression for selectors: a kernel's RPL 0 means the guest's
 * kernel ring, 1, wherever a CPU at CPL 0 would have taken it (SS loads,
 * IRET frames, kernel stacks).  Null selectors stay null. */
uint16_t seg_compress(uint16_t sel)
{
    return (sel & ~3u) && !SEL_RPL(sel) ? (uint16_t)(sel | HR_GUEST_CPL) : sel;
}

/* May an IRET load sel into CS at its RPL (1 or 3)? */
int seg_valid_cs(uint16_t sel)
{
    return cs_ok(seg_loadable(sel), SEL_RPL(sel));
}

/* May an IRET load sel into SS at privilege rpl? */
int seg_valid_ss(uint16_t sel, uint32_t rpl)
{
    return SEL_RPL(sel) == rpl && ss_ok(seg_loadable(sel), rpl);
}

/* May the hypervisor reload sel into DS/ES/FS/GS before returning?  A
 * guest could have made a loaded selector invalid since; then the reload
 * would fault in ring 0, so such selectors are replaced by null. */
static int seg_valid_data(uint16_t sel)
{
    if (!(sel & ~3u))
        return 1;
    struct seg_desc d = seg_cached(sel);
    uint32_t type = DESC_TYPE(d);
    return DESC_P(d) && DESC_S(d) &&
           (!(type & SEG_TYPE_CODE) || (type & SEG_TYPE_WRITE)) &&  /* readable code */
           ((type & (SEG_TYPE_CODE | SEG_TYPE_CONFORM)) == (SEG_TYPE_CODE | SEG_TYPE_CONFORM) ||
            DESC_DPL(d) >= SEL_RPL(sel));
}

/* A segment load faulted on sel: if the guest has changed that descriptor
 * in its own table since it last told us (a native kernel writes its GDT
 * directly), take the new one and return 1 so the instruction is retried.
 * 0: nothing changed, the fault is the guest's.  *why: refused. */
int seg_resync(uint16_t sel, const char **why)
{
    uint32_t i = SEL_INDEX(sel);
    struct seg_desc mem, *known;
    uint32_t base, limit;
    if (sel & SEL_TI) {
        struct seg_desc ldt = seg_guest_view(SEL_INDEX(vcpu0.ldtr));
        if (!vcpu0.ldtr || i >= ldt_entries)
            return 0;
        base = DESC_BASE(ldt), limit = desc_limit_bytes(ldt), known = &ldt_view[i];
    } else {
        if (!i || i >= gdt_entries)
            return 0;
        base = vcpu0.gdtr.base, limit = vcpu0.gdtr.limit, known = &guest_view[i];
    }
    if (i * sizeof(mem) + sizeof(mem) - 1 > limit || guest_read(base + i * sizeof(mem), &mem, sizeof(mem)))
        return 0;
    if (mem.lo == known->lo && mem.hi == known->hi)
        return 0;
    int r = (sel & SEL_TI) ? seg_guest_write_ldt(i, mem, why) : seg_guest_write_gdt(i, mem, why);
    return r ? -1 : 1;
}

#define ESP_HIGH_HALF 0xFFFF0000u

/* An IRET to an outer level whose SS is a 16-bit segment loads only SP:
 * ESP's upper half would keep the hypervisor's own (its stack address, a
 * leak).  So that it is the guest's instead, the IRET runs with an ESP
 * whose upper half is the guest's, through a stack segment based to
 * address the same frame at final ("espfix"; entry.asm loads it when
 * espfix_on is set). */
static void seg_espfix(const struct trapframe *tf, struct trapframe *final)
{
    espfix_on = 0;
    if (DESC_DB(seg_cached((uint16_t)tf->ss)))
        return;
    uint32_t esp = tf->esp & ESP_HIGH_HALF, frame = (uint32_t)(uintptr_t)&final->eip;
    struct seg_desc d = seg_make(frame - esp, DESC_MAX_LIMIT_4K,
                                 SEG_ACCESS(1, 0, 1, SEG_TYPE_WRITE | SEG_TYPE_ACCESSED),
                                 SEG_FLAGS_32_4K);
    if (d.lo != gdt[GDT_ESPFIX].lo || d.hi != gdt[GDT_ESPFIX].hi)
        seg_generation++;
    gdt[GDT_ESPFIX] = d;
    espfix_sp[0] = esp;
    espfix_sp[1] = SEL(GDT_ESPFIX, 0);
    espfix_on = 1;
}

/* Null any data selector the hypervisor's own reload would fault on (a
 * guest that changed its LDT under a loaded selector); 1 if one was. */
static int sanitize_data(struct trapframe *tf)
{
    uint32_t *segs[] = { &tf->ds, &tf->es, &tf->fs, &tf->gs };
    int nulled = 0;
    for (uint32_t i = 0; i < sizeof(segs) / sizeof(segs[0]); i++)
        if (!seg_valid_data((uint16_t)*segs[i]))
            *segs[i] = 0, nulled = 1;
    return nulled;
}

/* Does memo m hold tf's selectors (and eip within CS) at this seg_generation? */
static int ret_memo_holds(const struct seg_ret_memo *m, const struct trapframe *tf, uint32_t eip)
{
    return m->gen == seg_generation &&
           tf->cs == m->sel[0] && tf->ss == m->sel[1] &&
           tf->ds == m->sel[2] && tf->es == m->sel[3] &&
           tf->fs == m->sel[4] && tf->gs == m->sel[5] &&
           eip <= m->cs_limit;
}

/* Has seg_return already found exactly tf's selectors fit, with the
 * tables as they are now (and eip within CS): the last set or the one
 * before it (ret_prev)? */
static int seg_return_remembered(const struct trapframe *tf, uint32_t eip)
{
    return ret_memo_holds(&ret_memo, tf, eip) || ret_memo_holds(&ret_prev, tf, eip);
}

/* May the frame the CPU pushed for a trap from the guest be returned to
 * unchanged by entry.asm's fast return, with no seg_return (a shadow
 * fill)?  Yes when ret_memo holds: the last full check found nothing
 * pinned and no espfix owed, and no table has changed since, so every
 * selector in the frame was loaded by the CPU itself from the tables as
 * they still are and reloads as it did.  Only a 16-bit SS (espfix) is
 * left to rule out. */
int seg_reentry_ok(const struct trapframe *tf)
{
    return ret_memo.gen == seg_generation &&
           (tf->ss == ret_memo.sel[1] || DESC_DB(seg_cached((uint16_t)tf->ss)));
}

/* seg_return's full check (see there); records what it passed in ret_memo. */
static __attribute__((noinline)) void seg_return_check(struct trapframe *tf, struct trapframe *final)
{
    uint32_t rpl = SEL_RPL(tf->cs);
    seg_unpin(tf);
    struct seg_desc cs = seg_cached((uint16_t)tf->cs);
    if (!cs_ok(cs, rpl) || tf->eip > desc_limit_bytes(cs))
        guest_terminate(tf, "stale segment", "the guest's CS %x no longer names a ring-%u "
                        "code segment reaching eip %x", tf->cs, rpl, tf->eip);
    if (SEL_RPL(tf->ss) != rpl || !ss_ok(seg_cached((uint16_t)tf->ss), rpl))
        guest_terminate(tf, "stale segment", "the guest's SS %x no longer names a ring-%u "
                        "stack segment", tf->ss, rpl);
    int nulled = sanitize_data(tf);
    seg_espfix(tf, final);
    if (ret_memo.gen == seg_generation)
        ret_prev = ret_memo;
    ret_memo.gen = 0;
    if (nulled || espfix_on || npins)
        return;
    frame_selectors(tf, ret_memo.sel);
    ret_memo.cs_limit = desc_limit_bytes(cs);
    ret_memo.vmi_flat = rpl == HR_GUEST_CPL && seg_is_flat((uint16_t)tf->cs) &&
                        seg_is_flat((uint16_t)tf->ss) && seg_is_flat((uint16_t)tf->ds) &&
                        seg_is_flat((uint16_t)tf->es);
    ret_memo.gen = seg_generation;
}

/*
 * Called by entry.asm before every IRET to the guest with frame tf, which
 * the IRET takes from final (both the trap page's frame, guest_frame(); the
 * fast paths skip the call when its remembered answer holds, hv.h).  The
 * hypervisor's IRET must never fault in ring 0: every selector it reloads
 * is checked here against the tables the CPU will read, after dropping the
 * pins nothing needs.  All
 * the handlers check what they load, so a failure here means the guest
 * changed a table under a selector it holds in a way no CPU could run on
 * (a rewritten LDT under CS, say): that guest ends, the hypervisor lives.
 * The same selectors with unchanged tables (seg_generation) pass again
 * without a second look: what the CPU reads has not changed.
 */
void seg_return(struct trapframe *tf, struct trapframe *final)
{
    if (seg_return_remembered(tf, tf->eip))
        espfix_on = 0;                   /* recorded only for a 32-bit SS */
    else
        seg_return_check(tf, final);
}

/* Install one of the hypervisor's own system descriptors (a task's TSS). */
void gdt_set_system(uint32_t index, struct seg_desc d)
{
    if (index < HR_GUEST_GDT_ENTRIES || index >= HR_GDT_ENTRIES)
        hv_panic("GDT slot %u is not the hypervisor's", index);
    gdt[index] = d;
    seg_generation++;
}
