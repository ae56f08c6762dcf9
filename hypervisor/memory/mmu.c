/*
 * mmu.c - the guest's virtual MMU: walks of its page tables, the shadow
 * page tables the CPU really uses, and the hypervisor's own access to
 * guest memory.  Ring 0.
 *
 * The guest's page tables hold guest-physical addresses.  While its paging
 * is on, the low part of the CPU's page directories (paging.c) holds shadow
 * tables that act as a TLB of the guest's: filled on demand, when a page
 * fault comes that the guest's tables would not have raised; a fault they
 * would raise is the guest's own and is reflected with the error code they
 * give.  Shadow tables and whole shadow address spaces are kept per guest
 * directory and shared between directories (shadow.c): a TLB that
 * remembers every address space.  What makes a real TLB forget makes the
 * shadow forget, with one difference the spec makes a rule (section 9,
 * "The shadow cache"): a guest that announces its page tables with
 * AllocatePage reports every page-table write through SetPxE or UpdatePxE
 * (the ROM logs them, hr_pt_log, without an exit), and then SetCR3 and
 * FlushTLB apply the logged writes instead of forgetting everything.  For
 * any other guest (trap-and-emulate, or one that never announces) SetCR3,
 * FlushTLB and MOV CR3 forget every shadow as a TLB does, so its plain
 * stores to its tables need no exit.  InvalPage (INVLPG) re-reads the
 * guest's entry and fills the shadow one at once.  CR0.PG and CR4.PSE/PGE
 * changes forget everything.
 *
 * The walk (ptwalk.c) sets the accessed bit of every entry it uses; a
 * clean page is shadowed read-only until its first write sets the dirty
 * bit.  CR0.WP is always in effect: ring 1 cannot write a page its tables
 * make read-only.  No guest entry reaches a frame outside guest memory:
 * such a mapping terminates the guest when it is used.
 */
#include "hv.h"

#include "shadow.h"

#define PAGE_MASK      (PAGE_SIZE - 1)
#define FRAME(e)       ((e) & ~PAGE_MASK)
#define PDE_INDEX(va)  ((va) >> PDE_SHIFT)
#define PTE_INDEX(va)  (((va) >> PAGE_SHIFT) & (PT_ENTRIES - 1))
#define ENTRY_BYTES    4u

/* Moves when the hypervisor's cached translations go (gtlb.c: a flush,
 * a new CR3, an INVLPG of a page one of them holds): what it caches of a
 * translation, like a TLB, holds only while it stays the same. */
uint32_t mmu_generation;

static int announced;               /* AllocatePage seen: the log is complete */
static uint32_t logged;             /* log entries applied                     */

/* Is the guest's paging on (and the low directory a shadow)? */
static int guest_paging(void)
{
    return (vcpu0.cr0 & CR0_PG) != 0;
}

/* The hypervisor's pointer to guest-physical [gpa, gpa + len), or NULL. */
static void *gphys(uint32_t gpa, uint32_t len)
{
    if (gpa >= vcpu0.mem_size || len > vcpu0.mem_size - gpa)
        return NULL;
    return P2V(vcpu0.mem_base + gpa);
}

/* The guest's memory and paging registers, as ptwalk.c sees them. */
static struct ptwalk_env walk_env(void)
{
    struct ptwalk_env env = { P2V(vcpu0.mem_base), vcpu0.mem_size, guest_paging(),
                              vcpu0.cr3, vcpu0.cr4, 0, 0, 1 };
    paging_readonly_range(&env.ro_lo, &env.ro_hi);
    return env;
}

/* Translate guest linear va for an access (PF_W, PF_U) as the guest's MMU
 * would (ptwalk.c): 0 with *gpa, else -1 with *err the #PF error code it
 * would give.  Sets accessed and dirty bits.  *bits: the mapping's PTE_W,
 * PTE_U and PTE_D (NULL if unwanted).  A page that holds any read-only
 * byte (a ROM) is read-only as a whole, as the shadow maps whole pages.
 * *gpa may lie beyond guest memory (callers check); a page directory or
 * table there is no table a CPU could read: the guest ends ("guest
 * memory"), as for a page there. */
static int walk(uint32_t va, uint32_t access, uint32_t *gpa, uint32_t *err, uint32_t *bits)
{
    struct ptwalk_env env = walk_env();
    struct ptwalk_out out;
    enum ptwalk_result r = ptwalk(&env, va, access, &out);
    *err = out.err;
    if (r == PTWALK_TABLE_OUTSIDE)
        guest_terminate(guest_frame(), "guest memory", "the %s for linear %x is at "
                        "guest-physical %x, beyond the guest's %u MiB", out.table, va,
                        out.gpa, vcpu0.mem_size >> 20);
    if (r == PTWALK_FAULT)
        return -1;
    *gpa = out.gpa;
    if (bits)
        *bits = out.bits;
    return 0;
}

/* The guest-physical address of linear va for an access, as mmu.c's walk
 * sees it; -1 and *err (the #PF error code) when the guest would fault. */
int mmu_walk(uint32_t va, uint32_t access, uint32_t *gpa, uint32_t *err)
{
    return walk(va, access, gpa, err, NULL);
}

/* shadow.c's machine side: frames from mem.c, directories from paging.c. */
uint32_t shadow_env_alloc(void) { return mem_alloc(PAGE_SIZE); }
uint32_t *shadow_env_table(uint32_t frame) { return P2V(frame); }
void shadow_env_set_pde(uint32_t s, uint32_t i, uint32_t pde) { paging_space_set_pde(s, i, pde); }
void shadow_env_load(uint32_t s) { paging_space_load(s); }

/* Zero n shadow entries with word stores. */
void shadow_env_zero(uint32_t *entries, uint32_t n)
{
    __asm__ volatile("rep stosl" : "+D"(entries), "+c"(n) : "a"(0) : "memory");
}

/* The guest's directory entry i (0 where its directory is not in memory). */
static uint32_t guest_pde(uint32_t i)
{
    uint32_t dir = FRAME(vcpu0.cr3);
    return dir < vcpu0.mem_size ? ((uint32_t *)P2V(vcpu0.mem_base + dir))[i] : 0;
}

_Static_assert(PTE_D > PTE_W && PTE_D % PTE_W == 0, "bits / (PTE_D / PTE_W) moves D onto W");

/* The shadow entry for a walk's answer: the machine frame, the guest's
 * user bit, writable only once the guest's dirty bit is set. */
static uint32_t shadow_pte(uint32_t gpa, uint32_t bits)
{
    uint32_t w = bits & (bits / (PTE_D / PTE_W)) & PTE_W;   /* W and D; clean: read-only */
    return (vcpu0.mem_base + FRAME(gpa)) | PTE_P | (bits & PTE_U) | w;
}

/* Fill a new shadow table of a 4 MiB page (PDE pde) whole, as a TLB may
 * load any translation the tables hold: a kernel's direct map (Linux's
 * lowmem) then costs one fill per 4 MiB, not one per page.  Pages beyond
 * guest memory stay empty (their use ends the guest), the ROMs read-only,
 * the per-vCPU page's slot is left to its fault. */
static void fill_large(uint32_t *shadow, uint32_t i, uint32_t pde)
{
    uint32_t base = pde & ~((1u << PDE_SHIFT) - 1), bits = pde & (PTE_W | PTE_U | PTE_D);
    if (i == PDE_INDEX(HR_VCPU_AREA))
        return;
    for (uint32_t k = 0; k < PT_ENTRIES; k++) {
        uint32_t gpa = base + k * PAGE_SIZE;
        if (gpa >= vcpu0.mem_size || gpa < base)
            break;
        shadow[k] = shadow_pte(gpa, paging_readonly(gpa, PAGE_SIZE) ? bits & ~PTE_W : bits);
    }
}

/* The shadow table for linear va in the current space, made (and, for a
 * 4 MiB page, filled) if need be. */
static uint32_t *shadow_table(uint32_t va)
{
    uint32_t i = PDE_INDEX(va), pde = guest_pde(i);
    int built;
    uint32_t *shadow = shadow_table_for(i, pde, &built);
    if (built && (pde & PTE_PS) && (vcpu0.cr4 & CR4_PSE)) {
        fill_large(shadow, i, pde);
        shadow_wrote(i, PT_ENTRIES);
    }
    shadow_wrote(i, PTE_INDEX(va));     /* the caller's entry */
    return shadow;
}

/* Forget every shadow and start the current directory's space afresh
 * (the hypervisor's cached translations too: what changed is unknown). */
static void forget_all(void)
{
    gtlb_flush();
    shadow_flush();
    if (guest_paging())
        shadow_switch(vcpu0.cr3);
}

/* Are SetCR3 and FlushTLB served from kept spaces (the log is complete)? */
static int cached(void)
{
    return announced && !vcpu0.emulating;
}

/* The page-table log (spec/hyperrom.h, hr_pt_log), in the per-vCPU page. */
static struct hr_pt_log *pt_log(void)
{
    return (void *)((uint8_t *)vcpu0.area + (HR_PT_LOG & PAGE_MASK));
}

/* The guest stored into the entry at linear at (4-byte aligned), which
 * may be in a page table or directory: reset every shadow of that entry.
 * The page is found where the current shadow maps at (the page the
 * store reached); 0, or -1 where it maps nothing (then everything is
 * forgotten).  The per-vCPU page holds no guest table. */
static inline __attribute__((always_inline)) int entry_written(uint32_t at)
{
    uint32_t pde = at < HR_VIRTUAL_TOP ? paging_pde(PDE_INDEX(at)) : 0;
    if (!(pde & PTE_P))
        return -1;
    uint32_t pte = ((uint32_t *)P2V(FRAME(pde)))[PTE_INDEX(at)];
    uint32_t gframe = FRAME(pte) - vcpu0.mem_base;
    if (!(pte & PTE_P))
        return -1;
    if (gframe < vcpu0.mem_size)
        shadow_entry_changed(gframe, (at & PAGE_MASK) / ENTRY_BYTES);
    else if (FRAME(pte) != paging_vcpu_frame())
        return -1;
    return 0;
}

/* The guest stored bytes at linear va (a 4- or 8-byte store): reset the
 * shadows of each entry it touched.  0, or -1 where the store's page
 * cannot be found (then everything is forgotten). */
static inline __attribute__((always_inline)) int entries_written(uint32_t va, uint32_t bytes)
{
    if (!guest_paging())
        return 0;                       /* the identity map: nothing kept */
    uint32_t last = (va + bytes - 1) & ~(ENTRY_BYTES - 1);
    for (uint32_t at = va & ~(ENTRY_BYTES - 1); ; at += ENTRY_BYTES) {
        if (entry_written(at))
            return -1;
        if (at == last)
            return 0;
    }
}

/* Apply one page-table log entry (spec/hyperrom.h, hr_pt_log); -1 when
 * it cannot be applied precisely.  Inline: the drain of one entry is most
 * of an InvalPage. */
static inline __attribute__((always_inline)) int apply(uint32_t what, uint32_t kind)
{
    logged++;
    switch (kind) {
    case HR_PT_LOG_ALLOC:               /* the frame's old contents go too */
    case HR_PT_LOG_RELEASE:
        announced |= kind == HR_PT_LOG_ALLOC;
        shadow_frame_released(what << PAGE_SHIFT);
        return 0;
    case HR_PT_LOG_WRITE4:
    case HR_PT_LOG_WRITE8:
        return entries_written(what, kind);
    default:
        return -1;
    }
}

/* drain's general case: apply the n entries the log says it holds (the
 * log already emptied). */
static __attribute__((noinline)) void drain_log(const struct hr_pt_log *log, uint32_t n)
{
    if (n > HR_PT_LOG_ENTRIES) {
        forget_all();                   /* the guest broke its own log */
        return;
    }
    for (const struct hr_pt_log_entry *e = log->entry; n--; e++)
        if (apply(e->what, e->kind)) {
            forget_all();
            return;
        }
}

/* Apply the ROM's page-table log and empty it.  Runs before anything that
 * removes shadow entries, so a logged address still finds its page.  The
 * hypervisor's cached translations stay, as a TLB's would: only a flush
 * or an INVLPG removes them (gtlb.c).  Inline for the two common cases,
 * an empty log and one 4-byte write (a SetPxE before its InvalPage). */
static inline __attribute__((always_inline)) void drain(void)
{
    struct hr_pt_log *log = pt_log();
    uint32_t n = log->count;
    if (!n)
        return;
    log->count = 0;
    if (n != 1 || log->entry[0].kind != HR_PT_LOG_WRITE4)
        drain_log(log, n);
    else if (apply(log->entry[0].what, HR_PT_LOG_WRITE4))
        forget_all();
}

/* walk()'s common cases, read directly: a 4 KiB page of a directory and
 * table in guest memory, none of them (nor the page) read-only.  1 with
 * *gpa and *bits when the access is allowed (accessed and dirty bits set
 * as ptwalk sets them), -1 with *err when the guest's tables leave the
 * page not present, 0 when the full walk must decide (it alone ends the
 * guest or reports a protection fault). */
static int quick_walk(uint32_t va, uint32_t access, uint32_t *gpa, uint32_t *err, uint32_t *bits)
{
    uint32_t dir = FRAME(vcpu0.cr3), mem = vcpu0.mem_size;
    uint8_t *base = P2V(vcpu0.mem_base);
    if (va >= HR_VIRTUAL_TOP || dir >= mem || paging_readonly(dir, PAGE_SIZE))
        return 0;
    uint32_t *pde = (uint32_t *)(void *)(base + dir) + PDE_INDEX(va), d = *pde;
    if (!(d & PTE_P))
        return *err = access, -1;
    uint32_t table = FRAME(d);
    if (((d & PTE_PS) && (vcpu0.cr4 & CR4_PSE)) || table >= mem || paging_readonly(table, PAGE_SIZE))
        return 0;
    uint32_t *pte = (uint32_t *)(void *)(base + table) + PTE_INDEX(va), e = *pte;
    if (!(e & PTE_P))
        return *err = access, -1;
    uint32_t rights = d & e & (PTE_W | PTE_U);
    if (FRAME(e) >= mem || paging_readonly(FRAME(e), PAGE_SIZE) ||
        ((access & PF_U) && !(rights & PTE_U)) || ((access & PF_W) && !(rights & PTE_W)))
        return 0;
    *pde = d | PTE_A;
    e |= PTE_A | ((access & PF_W) ? PTE_D : 0);
    *pte = e;
    *gpa = FRAME(e) | (va & PAGE_MASK);
    *bits = rights | (e & PTE_D);
    return 1;
}

/* A #PF from the guest at linear va: if its own tables allow the access,
 * install the shadow entry and return 1 (retry the instruction); else
 * return 0 with *err the error code the guest's tables give. */
int mmu_shadow_fault(struct trapframe *tf, uint32_t va, uint32_t *err)
{
    uint32_t access = tf->error & (PF_W | PF_U), gpa, bits;
    *err = tf->error;
    if (!guest_paging())
        return 0;                               /* the identity map: all real */
    drain();                                    /* before a table is reclaimed */
    if (FRAME(va) == HR_VCPU_AREA) {
        if (access & PF_U) {
            *err = access | PF_P;               /* a supervisor page */
            return 0;
        }
        shadow_table(va)[PTE_INDEX(va)] = paging_vcpu_frame() | PTE_P | PTE_W;
        return 1;
    }
    int quick = quick_walk(va, access, &gpa, err, &bits);
    if (quick < 0 || (!quick && walk(va, access, &gpa, err, &bits)))
        return 0;
    if (!gphys(FRAME(gpa), PAGE_SIZE))
        guest_terminate(tf, "guest memory", "linear %x maps guest-physical %x, beyond the "
                        "guest's %u MiB", va, gpa, vcpu0.mem_size >> 20);
    uint32_t *e = shadow_entry(PDE_INDEX(va), PTE_INDEX(va), guest_pde(PDE_INDEX(va)));
    if (!e)
        e = shadow_table(va) + PTE_INDEX(va);   /* a new, shared or large table */
    *e = shadow_pte(gpa, bits);
    return 1;
}

/* Forget everything: CR0.PG or CR4.PSE/PGE changed.  With paging off the
 * identity map comes back; the log is moot but an announcement counts. */
void mmu_reset(void)
{
    gtlb_flush();
    struct hr_pt_log *log = pt_log();
    for (uint32_t k = 0; k < log->count && k < HR_PT_LOG_ENTRIES; k++)
        announced |= log->entry[k].kind == HR_PT_LOG_ALLOC;
    log->count = 0;
    shadow_flush();
    if (!guest_paging()) {
        paging_identity();
        return;
    }
    paging_clear();                             /* the identity map goes */
    shadow_switch(vcpu0.cr3);
}

/* SetCR3 (or MOV CR3): the guest's address space becomes cr3's; a kept
 * space is used as it is when the log is complete, else everything goes. */
void mmu_set_cr3(uint32_t cr3)
{
    gtlb_flush();
    drain();
    vcpu0.cr3 = cr3;
    if (!guest_paging())
        return;
    if (!cached()) {
        shadow_flush();
        shadow_switch(cr3);
        return;
    }
    uint32_t from = shadow_current();
    uint32_t *pd = gphys(FRAME(cr3), PAGE_SIZE);
    if (!shadow_switch(cr3) && pd)      /* the kernel half, already shadowed */
        shadow_adopt(from, pd, !paging_readonly(FRAME(cr3), PAGE_SIZE));
}

/* FlushTLB (global: with global pages too): the logged writes are all
 * that changed when the log is complete; otherwise forget everything. */
void mmu_flush(int global)
{
    (void)global;                       /* the shadow keeps no global entries */
    gtlb_flush();
    drain();
    if (guest_paging() && !cached())
        forget_all();
}

/* refill's uncommon cases: the shadow entry a full walk gives for linear
 * va, or 0 where the guest would fault (out of line: the common case
 * keeps a small frame). */
static __attribute__((noinline)) uint32_t refill_walk(uint32_t va)
{
    struct ptwalk_env env = walk_env();
    struct ptwalk_out out;
    return ptwalk(&env, va, 0, &out) == PTWALK_OK ? shadow_pte(out.gpa, out.bits) : 0;
}

/* InvalPage's shadow entry for linear va under guest PDE pde (the one the
 * shadow table follows).  The common case, a present 4 KiB entry of a
 * table and frame in guest memory and outside the read-only range, under
 * a PDE already marked accessed, is read directly, with the accessed bit
 * set and the rights combined as ptwalk would; anything else goes through
 * ptwalk. */
static uint32_t refill(uint32_t va, uint32_t pde)
{
    uint32_t table = FRAME(pde);
    if ((pde & (PTE_P | PTE_A)) == (PTE_P | PTE_A) && (!(pde & PTE_PS) || !(vcpu0.cr4 & CR4_PSE)) &&
        table < vcpu0.mem_size && !paging_readonly(table, PAGE_SIZE)) {
        uint32_t *pte = P2V(vcpu0.mem_base + table + PTE_INDEX(va) * ENTRY_BYTES), e = *pte;
        if ((e & PTE_P) && FRAME(e) < vcpu0.mem_size && !paging_readonly(FRAME(e), PAGE_SIZE)) {
            *pte = e | PTE_A;
            return shadow_pte(e, (pde & e & (PTE_W | PTE_U)) | (e & PTE_D));
        }
    }
    return refill_walk(va);
}

/* InvalPage (INVLPG): re-read the guest's entry for linear va and put its
 * translation in the shadow at once (the next access needs no fill). */
void mmu_invlpg(uint32_t va)
{
    gtlb_invlpg(va);
    drain();
    if (!guest_paging() || va >= HR_VIRTUAL_TOP)
        return;
    uint32_t i = PDE_INDEX(va), pde = guest_pde(i), *e = shadow_entry(i, PTE_INDEX(va), pde);
    if (!e)
        shadow_unlink_current(i);       /* the directory entry changed */
    else if (FRAME(va) == HR_VCPU_AREA)
        *e = paging_vcpu_frame() | PTE_P | PTE_W;
    else
        *e = refill(va, pde);           /* 0: a fault decides, later */
}

/* A page-table log entry the guest's call brought in itself (the ROM's
 * log was full, or a direct hypercall): the log first, then this one. */
void mmu_pt_logged(uint32_t what, uint32_t kind)
{
    drain();
    if (apply(what, kind))
        forget_all();
}

/* The shadow cache's statistics (end of run). */
void mmu_stats_print(void)
{
    const struct shadow_stats *st = &shadow_stats;
    hv_printf("hv: shadow cache (%s): switches %u kept, %u new; spaces reclaimed %u\n",
              announced ? "spaces kept across SetCR3" : "SetCR3 forgets",
              st->hits, st->misses, st->space_reclaims);
    hv_printf("hv:   tables built %u, shared %u, reclaimed %u; logged page-table "
              "changes %u: entries reset %u, slots unlinked %u, frames released %u; "
              "full flushes %u\n", st->built, st->shared, st->table_reclaims, logged,
              st->entry_updates, st->slot_updates, st->releases, st->flushes);
}

/* The hypervisor's pointer to the guest's linear va for an access (PF_W,
 * PF_U) that stays within one page, or NULL where that access would
 * fault: the per-vCPU area included, for ring 1 only. */
static uint8_t *guest_ptr(uint32_t va, uint32_t access)
{
    uint32_t gpa, err;
    if (FRAME(va) == HR_VCPU_AREA)
        return (access & PF_U) ? NULL : (uint8_t *)P2V(paging_vcpu_frame()) + (va & PAGE_MASK);
    if (walk(va, access, &gpa, &err, NULL))
        return NULL;
    return gphys(gpa, 1);
}

/* The hypervisor's pointer to the byte at guest linear va for a ring-1
 * access (0 or PF_W), or NULL where that access would fault; the rest of
 * its page follows it (the translation may be kept until mmu_generation
 * changes: gtlb.c). */
uint8_t *guest_access_ptr(uint32_t va, uint32_t access)
{
    return guest_ptr(va, access);
}

/* Reach n bytes at guest linear va page by page as a ring-1 (or, with
 * PF_U, ring-3) access would;
 * copy them into (read) or out of (write) buf unless buf is NULL.  0 if
 * every page allows it, else -1. */
static int guest_span(uint32_t va, uint8_t *buf, uint32_t n, uint32_t access)
{
    if (va + n < va)
        return -1;
    if (buf && (access & PF_W) && guest_span(va, NULL, n, access))
        return -1;                      /* a store faults before any byte lands */
    if (!guest_paging() && va < vcpu0.mem_size && n <= vcpu0.mem_size - va) {
        if ((access & PF_W) && paging_readonly(va, n))   /* identity: one range */
            return -1;
        uint8_t *p = P2V(vcpu0.mem_base + va);
        if (buf)
            memcpy((access & PF_W) ? p : buf, (access & PF_W) ? buf : p, n);
        return 0;
    }
    while (n) {
        uint32_t chunk = PAGE_SIZE - (va & PAGE_MASK);
        chunk = chunk < n ? chunk : n;
        uint8_t *p = guest_ptr(va, access);
        if (!p)
            return -1;
        if (buf && (access & PF_W))
            memcpy(p, buf, chunk);
        else if (buf)
            memcpy(buf, p, chunk);
        va += chunk, n -= chunk;
        buf = buf ? buf + chunk : NULL;
    }
    return 0;
}

/* 0 if n bytes at guest linear va are mapped for ring 1 (and writable). */
int guest_check(uint32_t va, uint32_t n, int write)
{
    return guest_span(va, NULL, n, write ? PF_W : 0);
}

/* Copy n bytes from guest linear va; -1 if any page is missing. */
int guest_read(uint32_t va, void *dst, uint32_t n)
{
    return guest_span(va, dst, n, 0);
}

/* Copy n bytes to guest linear va; -1 if any page is missing or read-only. */
int guest_write(uint32_t va, const void *src, uint32_t n)
{
    return guest_span(va, (uint8_t *)(uintptr_t)src, n, PF_W);
}

/* Copy n bytes between buf and guest linear va as an access of the kind
 * given (PF_W: into the guest; PF_U: with ring 3's rights, as an
 * instruction a user process ran); -1 where that access would fault. */
int guest_copy(uint32_t va, void *buf, uint32_t n, uint32_t access)
{
    return guest_span(va, buf, n, access);
}
