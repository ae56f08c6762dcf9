/*
 * deliver.c - delivering an exception or interrupt to the guest as the
 * CPU would: its gate checked the way the CPU checks one, a frame like
 * the CPU's built on the guest's stack (rules 1-3), the guest's handler
 * entered in ring 1.  Ring 0.
 *
 * A gate the CPU could not use turns into the fault the CPU raises for
 * it (SDM vol. 3, 6.12.1: #GP or #NP with the vector or the selector in
 * the error code), delivered through the guest's own #GP or #NP gate.
 * Only where a CPU would escalate to a double fault (that gate is broken
 * too), or where this hypervisor offers no equivalent (task gates, a
 * handler in ring 3), does the guest end ("no guest handler").
 */
#include "hv.h"
#include "desc.h"
#include "fastreflect.h"

#define GATE_OFFSET(g)  ((g).offset_lo | ((uint32_t)(g).offset_hi << 16))
#define GATE_DPL_OF(g)  (((g).type_attr >> 5) & 3u)
#define GATE_TYPE(g)    ((g).type_attr & 0xFu)
#define ERR_EXT         0x1u      /* error code: an external interrupt's gate (set
                                     for interrupts only, as the CPU we test on
                                     does; exceptions leave it clear) */
#define ERR_IDT         0x2u      /* error code: the index is an IDT vector       */
#define TSS_ESP0_OFFSET 4u        /* struct tss32: esp0, ss0 */
#define TSS_SS0_OFFSET  8u
#define GATE_REFUSED    0xFFu     /* gate_fault: no fault a guest could take */

/* The pages the exit path last read a gate from and pushed a frame on
 * (gtlb.c: kept like TLB entries, so a reflection does not walk the
 * guest's tables each time). */
static struct gtlb idt_tlb, stack_tlb;

/* The last gate gate_fault found usable (0) and what that depended on:
 * the same gate bytes for the same vector, kind and ring, with the same
 * IDT limit and tables (seg_generation), pass again unchecked.  gen 0:
 * none. */
static struct {
    uint32_t gen, vector, cpl, ev, idt_limit, lo, hi;
} gate_memo;

/* The last stack selector push_frame found flat (rule 2), at seg_generation
 * gen (0: none), for a trap from user mode or not. */
static struct {
    uint32_t gen, ss, from_user;
} stack_memo;

/* The two words of gate g (inline copies: no call to memcpy). */
static uint32_t gate_lo(const struct gate_desc *g)
{
    uint32_t w;
    __builtin_memcpy(&w, g, sizeof(w));
    return w;
}
static uint32_t gate_hi(const struct gate_desc *g)
{
    uint32_t w;
    __builtin_memcpy(&w, (const uint8_t *)g + sizeof(w), sizeof(w));
    return w;
}

/* How the event came: an exception or interrupt, a software INT n (whose
 * gate DPL is checked), or the fault raised for a broken gate (a second
 * broken gate is a double fault). */
enum event { EV_HARDWARE, EV_SOFTWARE, EV_NESTED };

/* Read the guest's IDT gate for vector: 0, else -1 when it lies past the
 * IDT's limit or cannot be read. */
static int read_gate(uint32_t vector, struct gate_desc *g)
{
    if (vector * sizeof(*g) + sizeof(*g) - 1 > vcpu0.idtr.limit)
        return -1;
    uint32_t va = vcpu0.idtr.base + vector * sizeof(*g);
    const uint8_t *p = gtlb_ptr(&idt_tlb, va, sizeof(*g), 0);
    if (p) {
        __builtin_memcpy(g, p, sizeof(*g));
        return 0;
    }
    return guest_read(va, g, sizeof(*g));
}

/* Is the guest's gate for vector a present 32-bit interrupt or trap gate? */
int guest_gate(uint32_t vector, struct gate_desc *g)
{
    if (read_gate(vector, g))
        return -1;
    uint32_t type = GATE_TYPE(*g);
    return (g->type_attr & GATE_P) && (type == SYS_TYPE_INT32 || type == SYS_TYPE_TRAP32) ? 0 : -1;
}

/* The fault the CPU raises when vector's gate cannot take an event of kind
 * ev from ring cpl: 0 when it can, else T_GP or T_NP with *err, or
 * GATE_REFUSED with *why. */
static uint32_t gate_fault(uint32_t vector, uint32_t cpl, enum event ev,
                           struct gate_desc *g, uint32_t *err, const char **why)
{
    uint32_t ext = ev == EV_HARDWARE && vector >= T_EXCEPTIONS ? ERR_EXT : 0, type;
    *err = vector * sizeof(*g) | ERR_IDT | ext;
    if (vector * sizeof(*g) + sizeof(*g) - 1 > vcpu0.idtr.limit)
        return T_GP;
    if (read_gate(vector, g))
        return *why = "the IDT is not readable guest memory", GATE_REFUSED;
    if (gate_memo.gen == seg_generation && gate_memo.vector == vector && gate_memo.cpl == cpl &&
        gate_memo.ev == ev && gate_memo.idt_limit == vcpu0.idtr.limit &&
        gate_memo.lo == gate_lo(g) && gate_memo.hi == gate_hi(g))
        return 0;
    type = GATE_TYPE(*g);
    if ((g->type_attr & GATE_P) && type == SYS_TYPE_TASK)
        return *why = "a task gate (no task switches here)", GATE_REFUSED;
    if (type != SYS_TYPE_INT32 && type != SYS_TYPE_TRAP32)
        return T_GP;
    if (ev == EV_SOFTWARE && GATE_DPL_OF(*g) < cpl)
        return T_GP;
    if (!(g->type_attr & GATE_P))
        return T_NP;
    uint16_t sel = g->selector;
    struct seg_desc cs = seg_loadable(sel);
    *err = (sel & ~3u) | ext;
    if (!(sel & ~3u))
        return *err = ext, T_GP;
    if (!DESC_S(cs) || !(DESC_TYPE(cs) & SEG_TYPE_CODE) || DESC_DPL(cs) > cpl)
        return T_GP;                              /* absent, past a limit, not code */
    if (!DESC_P(cs))
        return T_NP;
    if (DESC_DPL(cs) != HR_GUEST_CPL)
        return *why = "a handler outside ring 1", GATE_REFUSED;
    if (GATE_OFFSET(*g) > desc_limit_bytes(cs))
        return *err = ext, T_GP;
    gate_memo.vector = vector, gate_memo.cpl = cpl, gate_memo.ev = ev;
    gate_memo.idt_limit = vcpu0.idtr.limit, gate_memo.lo = gate_lo(g), gate_memo.hi = gate_hi(g);
    gate_memo.gen = seg_generation;
    return 0;
}

/* The stack a trap from ring 3 lands on: UpdateKernelStack's, or for a
 * guest that never called it (trap-and-emulate), SS0:ESP0 of its own TSS. */
static void kernel_stack(uint32_t *ss, uint32_t *esp)
{
    struct seg_desc d = vcpu0.tr_desc;                /* cached at SetTR/LTR */
    uint16_t ss0 = 0;
    *ss = vcpu0.kernel_ss;
    *esp = vcpu0.kernel_esp;
    if (*ss || !vcpu0.tr || !DESC_P(d))
        return;
    if (!guest_read(DESC_BASE(d) + TSS_ESP0_OFFSET, esp, sizeof(*esp)) &&
        !guest_read(DESC_BASE(d) + TSS_SS0_OFFSET, &ss0, sizeof(ss0)))
        *ss = seg_compress(ss0);                  /* a native kernel's RPL 0 */
}

/* Does [esp - room, esp) stay in guest memory the guest may use as a
 * stack: writable to ring 1, and never the per-vCPU area? (rule 3) */
static int stack_room(uint32_t esp, uint32_t room)
{
    if (esp < room || (esp > HR_VCPU_AREA && esp - room < HR_VCPU_AREA + PAGE_SIZE))
        return 0;
    return !guest_check(esp - room, room, 1);
}

/* Store the frame's bytes just below esp, if [esp - room, esp) may be a
 * stack (stack_room); 1 when done.  Within one page, through stack_tlb. */
static int write_frame(uint32_t esp, uint32_t room, const uint32_t *frame, uint32_t bytes)
{
    uint8_t *p;
    if (esp >= room && (esp <= HR_VCPU_AREA || esp - room >= HR_VCPU_AREA + PAGE_SIZE) &&
        (p = gtlb_ptr(&stack_tlb, esp - room, room, 1)) != NULL) {
        for (uint32_t i = 0; i < bytes / 4; i++)
            __builtin_memcpy(p + room - bytes + i * 4, &frame[i], 4);
        return 1;
    }
    return stack_room(esp, room) && !guest_write(esp - bytes, frame, bytes);
}

/* The EFLAGS image a delivery pushes (rule 1): the guest's flags with the
 * virtual IF, always set for a trap from ring 3 (rule 6), and the virtual
 * IOPL, as the CPU's frame carries the current one.  push_frame and
 * reflect_fast both use it, so the two paths push the same image. */
static uint32_t frame_eflags(const struct trapframe *tf, int from_user)
{
    uint32_t virt_if = vcpu0.area->virt_if & EFLAGS_IF;     /* the ROM's word: only IF */
    return (tf->eflags & ~(EFLAGS_IF | EFLAGS_IOPL)) | vcpu0.iopl_mask |
           (from_user ? EFLAGS_IF : virt_if);
}

/* Push the CPU's frame for vector on the stack the gate leads to and
 * enter the handler (rules 1-3).  Returns 0. */
static int push_frame(struct trapframe *tf, uint32_t vector, int has_error, uint32_t error,
                      const struct gate_desc *g)
{
    int from_user = SEL_RPL(tf->cs) == 3;
    uint32_t ss = tf->ss, esp = tf->esp;
    if (from_user)
        kernel_stack(&ss, &esp);
    if (from_user && !seg_valid_ss((uint16_t)ss, HR_GUEST_CPL))   /* our IRET would fault */
        guest_terminate(tf, "rule 2 (flat kernel trap stack)",
                        "kernel stack selector %x for vector %u is not a ring-1 stack segment",
                        ss, vector);
    if (stack_memo.gen != seg_generation || stack_memo.ss != ss || stack_memo.from_user != (uint32_t)from_user) {
        if (from_user ? !desc_is_flat(seg_loadable((uint16_t)ss)) : !seg_is_flat((uint16_t)ss))
            guest_terminate(tf, "rule 2 (flat kernel trap stack)",
                            "stack segment %x for vector %u is not flat", ss, vector);
        stack_memo.ss = ss, stack_memo.from_user = (uint32_t)from_user;
        stack_memo.gen = seg_generation;
    }
    uint32_t frame[6], n = 0;
    uint32_t image = frame_eflags(tf, from_user);
    if (has_error)
        frame[n++] = error;
    frame[n++] = tf->eip;
    frame[n++] = tf->cs;
    frame[n++] = image;                              /* rule 1 */
    if (from_user) {
        frame[n++] = tf->esp;
        frame[n++] = tf->ss;
    }
    uint32_t room = n * 4 > HR_TRAP_STACK_ROOM ? n * 4 : HR_TRAP_STACK_ROOM;
    if (!write_frame(esp, room, frame, n * 4))
        guest_terminate(tf, "rule 3 (32 bytes of stack room)",
                        "no room for a %u-byte frame below esp %x for vector %u", room, esp, vector);
    tf->ss = ss;
    tf->esp = esp - n * 4;
    tf->cs = (g->selector & ~3u) | HR_GUEST_CPL;
    tf->eip = GATE_OFFSET(*g);
    tf->eflags &= ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM);
    if (GATE_TYPE(*g) == SYS_TYPE_INT32)
        vcpu0.area->virt_if = 0;
    vcpu0.delivered++;
    vcpu0.delivered_by[vector & (IDT_VECTORS - 1)]++;
    return 0;
}

/* Deliver vector of kind ev; a broken gate becomes the CPU's fault for
 * it, and a broken gate for that fault ends the guest.  `len`: bytes of
 * the INT instruction at tf->eip, skipped only when the gate takes it. */
static int deliver(struct trapframe *tf, uint32_t vector, int has_error, uint32_t error,
                   enum event ev, uint32_t len)
{
    struct gate_desc g;
    uint32_t err;
    const char *why = "";
    uint32_t fault = gate_fault(vector, SEL_RPL(tf->cs), ev, &g, &err, &why);
    if (fault == GATE_REFUSED || (fault && ev == EV_NESTED))
        guest_terminate(tf, "no guest handler", "vector %u has no gate the guest could take "
                        "(%s; a real CPU would double- or triple-fault)", vector,
                        fault == GATE_REFUSED ? why : "its gate raises a fault of its own");
    if (fault)
        return deliver(tf, fault, 1, err, EV_NESTED, 0);
    tf->eip += len;
    return push_frame(tf, vector, has_error, error, &g);
}

/* fastreflect.h: what reflect_fast (and entry.asm) remember. */
struct fast_reflect fast_reflect;

/* Key fast_reflect to the current tables, IDT register and translations;
 * the epoch of each part that moved moves too, so that every entry
 * stamped before it stops holding (before any of it is read). */
void fast_reflect_sync(void)
{
    struct fast_reflect *r = &fast_reflect;
    if (r->seg_gen != seg_generation || r->idt_base != vcpu0.idtr.base ||
        r->idt_limit != vcpu0.idtr.limit) {
        r->seg_gen = seg_generation;
        r->idt_base = vcpu0.idtr.base, r->idt_limit = vcpu0.idtr.limit;
        r->seg_epoch++, r->epoch++;
    }
    if (r->mmu_gen != mmu_generation || r->cr3 != vcpu0.cr3) {
        r->mmu_gen = mmu_generation, r->cr3 = vcpu0.cr3;
        r->code_page = r->stack_page = FAST_NO_PAGE;
        r->epoch++;
    }
}

/*
 * A translation kept by the guest's page-table entries it came from, for
 * the fast reflection's IDT page and stack page.  A translation generation
 * moves on every logged page-table write, and in a kernel like Linux every
 * page fault brings some; these ask instead whether the directory and table
 * entries the walk read still hold the values it left (with its accessed
 * and dirty bits): a walk would then find the same page with the same
 * rights and change nothing (ptwalk.c), under the same CR0, CR3 and CR4.
 */
struct entry_tlb {
    uint32_t page, cr0, cr3, cr4;
    const uint32_t *pde, *pte;  /* the entries read (NULL: paging off; pte
                                   NULL: a 4 MiB page)                     */
    uint32_t pde_val, pte_val;
    uint8_t *base;              /* the page in our map; NULL: none kept    */
};
static struct entry_tlb idt_etlb, stack_etlb;

#define ENTRY_BYTES     4u
#define FRAME(e)        ((e) & ~(PAGE_SIZE - 1))
#define PDE_INDEX(va)   ((va) >> PDE_SHIFT)
#define PTE_INDEX(va)   (((va) >> PAGE_SHIFT) & (PT_ENTRIES - 1))

/* The page-table entry at guest-physical gpa in our map, or NULL. */
static const uint32_t *entry_at(uint32_t gpa)
{
    if (gpa >= vcpu0.mem_size || ENTRY_BYTES > vcpu0.mem_size - gpa)
        return NULL;
    return P2V(vcpu0.mem_base + gpa);
}

/* Note in t the entries a walk for linear page `page` read just now. */
static int entry_tlb_record(struct entry_tlb *t, uint32_t page)
{
    t->pde = t->pte = NULL;
    if (vcpu0.cr0 & CR0_PG) {
        if (!(t->pde = entry_at(FRAME(vcpu0.cr3) + PDE_INDEX(page) * ENTRY_BYTES)))
            return 0;
        t->pde_val = *t->pde;
        if (!((t->pde_val & PTE_PS) && (vcpu0.cr4 & CR4_PSE))) {
            if (!(t->pte = entry_at(FRAME(t->pde_val) + PTE_INDEX(page) * ENTRY_BYTES)))
                return 0;
            t->pte_val = *t->pte;
        }
    }
    t->page = page, t->cr0 = vcpu0.cr0, t->cr3 = vcpu0.cr3, t->cr4 = vcpu0.cr4;
    return 1;
}

/* Our pointer to guest linear va for a ring-1 read (or write), within its
 * page, through t when its entries still hold, else by a walk that t then
 * keeps; NULL where the access would fault (or in the per-vCPU area,
 * which no guest entry maps). */
static uint8_t *entry_tlb_ptr(struct entry_tlb *t, uint32_t va, int write)
{
    uint32_t page = va & ~(PAGE_SIZE - 1);
    if (t->base && t->page == page && t->cr3 == vcpu0.cr3 && t->cr0 == vcpu0.cr0 &&
        t->cr4 == vcpu0.cr4 && (!t->pde || (*t->pde == t->pde_val &&
                                            (!t->pte || *t->pte == t->pte_val))))
        return t->base + (va - page);
    t->base = NULL;
    uint8_t *p = page == HR_VCPU_AREA ? NULL : guest_access_ptr(va, write ? PF_W : 0);
    if (p && entry_tlb_record(t, page))
        t->base = p - (va - page);
    return p;
}

/* The gate bytes for vector from the guest's IDT, and where they are in
 * the hypervisor's map (NULL: past the limit or unreadable). */
static const uint8_t *fast_gate_read(uint32_t vector, struct gate_desc *g)
{
    uint32_t va = vcpu0.idtr.base + vector * sizeof(*g);
    const uint8_t *p;
    if (vector * sizeof(*g) + sizeof(*g) - 1 > vcpu0.idtr.limit ||
        (va & (PAGE_SIZE - 1)) > PAGE_SIZE - sizeof(*g) || !(p = entry_tlb_ptr(&idt_etlb, va, 0)))
        return NULL;
    __builtin_memcpy(g, p, sizeof(*g));
    return p;
}

/* Did gate_fault last pass exactly gate g for vector from ring cpl, and
 * push_frame last pass stack selector ss (rule 2), at this seg_generation? */
static int full_path_passed(uint32_t vector, uint32_t cpl, const struct gate_desc *g, uint32_t ss)
{
    return gate_memo.gen == seg_generation && gate_memo.vector == vector &&
           gate_memo.cpl == cpl && gate_memo.ev == EV_HARDWARE &&
           gate_memo.idt_limit == vcpu0.idtr.limit && gate_memo.lo == gate_lo(g) &&
           gate_memo.hi == gate_hi(g) && stack_memo.gen == seg_generation &&
           stack_memo.ss == ss && stack_memo.from_user == (cpl == 3);
}

/* reflect_fast's checks in full for a trap from ring cpl, from the full
 * path's memos (full_path_passed; from ring 1, seg_return also passed the
 * handler's CS with SS, DS and ES; from ring 3, push_frame's kernel stack
 * selector check): records f when they hold.  1 if they do. */
static int fast_gate_fill(struct fast_gate *f, const struct trapframe *tf, uint32_t vector,
                          uint32_t cpl)
{
    struct gate_desc g;
    const uint8_t *p = fast_gate_read(vector, &g);
    uint32_t cs = (g.selector & ~3u) | HR_GUEST_CPL, ss = cpl == 3 ? vcpu0.kernel_ss : tf->ss;
    if (!p || !ss || !full_path_passed(vector, cpl, &g, ss) ||
        (cpl == 3 ? !seg_valid_ss((uint16_t)ss, HR_GUEST_CPL)
                  : !seg_fast_return_ok(cs, ss, tf->ds, tf->es, GATE_OFFSET(g))))
        return 0;
    f->lo = gate_lo(&g), f->hi = gate_hi(&g), f->at = p;
    f->cs = cs, f->eip = GATE_OFFSET(g);
    f->if_keep = GATE_TYPE(g) == SYS_TYPE_INT32 ? 0 : ~0u;
    f->ss = ss, f->ds = tf->ds, f->es = tf->es;
    f->error_bytes = vector_has_error(vector) ? 4 : 0;
    f->seg_epoch = fast_reflect.seg_epoch, f->epoch = fast_reflect.epoch;
    return 1;
}

/* The hypervisor's pointer to guest linear esp, the top of a frame, when
 * the HR_TRAP_STACK_ROOM bytes below it lie in one page a ring-1 write may
 * reach that is not the per-vCPU area (rules 2 and 3 as push_frame checks
 * them), else NULL.  The page is kept in fast_reflect. */
static uint8_t *fast_stack_top(uint32_t esp)
{
    struct fast_reflect *r = &fast_reflect;
    uint32_t low = esp - HR_TRAP_STACK_ROOM, page = low & ~(PAGE_SIZE - 1);
    if (((esp - 1) & ~(PAGE_SIZE - 1)) != page)
        return NULL;                           /* crosses a page, or wraps */
    if (r->stack_page != page) {
        uint8_t *p = entry_tlb_ptr(&stack_etlb, low, 1);
        if (!p)
            return NULL;
        r->stack_page = page, r->stack_delta = (uint32_t)(uintptr_t)p - low;
    }
    return (uint8_t *)(uintptr_t)(esp + r->stack_delta);
}

/* Does remembered gate f still hold for a trap from ring cpl with frame
 * tf: the same gate bytes, and the stack selector (ring 1: with the same
 * DS and ES; ring 3: the kernel stack's)?  Where only the translations
 * moved, the gate is found again through idt_tlb first. */
static int fast_gate_holds(struct fast_gate *f, const struct trapframe *tf, uint32_t vector,
                           uint32_t cpl)
{
    uint32_t lo, hi;
    if (f->epoch != fast_reflect.epoch) {
        struct gate_desc g;
        if (f->seg_epoch != fast_reflect.seg_epoch || !(f->at = fast_gate_read(vector, &g)))
            return 0;
        f->epoch = fast_reflect.epoch;
    }
    __builtin_memcpy(&lo, f->at, 4);
    __builtin_memcpy(&hi, f->at + 4, 4);
    if (lo != f->lo || hi != f->hi)
        return 0;
    if (cpl == 3)
        return f->ss == vcpu0.kernel_ss;
    return f->ss == tf->ss && f->ds == tf->ds && f->es == tf->es;
}

/*
 * reflect() of exception vector from ring 1 or 3 when each of its checks
 * has a remembered answer that holds (fastreflect.h): the gate gate_fault
 * last passed (same vector, bytes, IDT, tables), the stack selector
 * push_frame last passed, and from ring 1 the handler's CS with SS, DS and
 * ES as seg_return last passed them, so that entry.asm's fast return may
 * skip seg_return (from ring 3 the caller's return runs it).  The gate's
 * bytes are read again and the stack's page checked every time.  The
 * error code, for a vector that has one, is tf->error.  1 when delivered;
 * 0, having changed nothing, when anything differs (reflect() then runs).
 * The caller ran fast_reflect_sync.  exception_common (entry.asm) does
 * the same for ring 1 from what this leaves in fast_reflect, without C.
 */
int reflect_fast(struct trapframe *tf, uint32_t vector)
{
    uint32_t cpl = SEL_RPL(tf->cs), v = vector & (T_EXCEPTIONS - 1);
    if (vector >= T_EXCEPTIONS || (tf->eflags & EFLAGS_VM) || (cpl != 3 && cpl != HR_GUEST_CPL))
        return 0;
    struct fast_gate *f = cpl == 3 ? &fast_reflect.user_gate[v] : &fast_reflect.gate[v];
    if (!fast_gate_holds(f, tf, v, cpl) && !fast_gate_fill(f, tf, v, cpl))
        return 0;
    uint32_t esp = cpl == 3 ? vcpu0.kernel_esp : tf->esp;
    uint8_t *p = fast_stack_top(esp);
    if (!p)
        return 0;
    uint32_t image = frame_eflags(tf, cpl == 3), n = 12 + f->error_bytes;
    if (cpl == 3) {
        __builtin_memcpy(p - 4, &tf->ss, 4);
        __builtin_memcpy(p - 8, &tf->esp, 4);
        p -= 8, n += 8;
    }
    __builtin_memcpy(p - 4, &image, 4);
    __builtin_memcpy(p - 8, &tf->cs, 4);
    __builtin_memcpy(p - 12, &tf->eip, 4);
    if (f->error_bytes)
        __builtin_memcpy(p - 16, &tf->error, 4);
    tf->ss = f->ss;
    tf->esp = esp - n;
    tf->cs = f->cs;
    tf->eip = f->eip;
    tf->eflags &= ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM);
    vcpu0.area->virt_if &= f->if_keep;
    vcpu0.delivered++;
    vcpu0.delivered_by[v]++;
    return 1;
}

/* Deliver exception or interrupt vector to the guest's handler as the CPU
 * would.  Returns 0; a guest that cannot take it is terminated. */
int reflect(struct trapframe *tf, uint32_t vector, int has_error, uint32_t error)
{
    return deliver(tf, vector, has_error, error, EV_HARDWARE, 0);
}

/* A software interrupt (INT n, INT3, INTO) of len bytes at tf->eip from
 * the guest: the gate's DPL decides too; a fault is raised at the
 * instruction, a delivery returns after it. */
int reflect_soft(struct trapframe *tf, uint32_t vector, uint32_t len)
{
    return deliver(tf, vector, 0, 0, EV_SOFTWARE, len);
}
