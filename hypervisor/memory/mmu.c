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
 * give.  Whatever makes a real TLB forget makes the shadow forget: CR3
 * loads, CR0.PG, CR4.PSE and CR4.PGE changes, FlushTLB and InvalPage
 * (INVLPG).  So a guest that is correct on hardware is correct here, and
 * its page-table writes, by SetPxE or by a plain store, need no exit.
 *
 * The walk (ptwalk.c) sets the accessed bit of every entry it uses; a
 * clean page is shadowed read-only until its first write sets the dirty
 * bit.  CR0.WP is
 * always in effect: ring 1 cannot write a page its tables make read-only.
 * No guest entry reaches a frame outside guest memory: such a mapping
 * terminates the guest when it is used.
 */
#include "hv.h"

#define GUEST_PDES     (HR_VIRTUAL_TOP >> PDE_SHIFT)   /* 960 below the top  */
#define SHADOW_POOL    128u        /* shadow tables in use before a full flush */
#define PAGE_MASK      (PAGE_SIZE - 1)
#define FRAME(e)       ((e) & ~PAGE_MASK)
#define PDE_INDEX(va)  ((va) >> PDE_SHIFT)
#define PTE_INDEX(va)  (((va) >> PAGE_SHIFT) & (PT_ENTRIES - 1))
#define ENTRY_BYTES    4u

/* Bumped whenever a translation may change (a flush, an INVLPG): what
 * the hypervisor caches of a translation, like a TLB, holds only while it
 * stays the same (hypercall.c's call-byte page). */
uint32_t mmu_generation;

static uint32_t pool[SHADOW_POOL];  /* machine frames of shadow tables */
static uint32_t pool_used;          /* how many hold entries now       */

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

/* A shadow page table for directory slot i, installing a fresh one (and
 * first flushing them all when the pool is spent). */
static uint32_t *shadow_table(uint32_t i)
{
    uint32_t pde = paging_pde(i);
    if (pde & PTE_P)
        return P2V(FRAME(pde));
    if (pool_used == SHADOW_POOL)
        mmu_flush();                            /* a TLB may forget at any time */
    if (!pool[pool_used])
        pool[pool_used] = mem_alloc(PAGE_SIZE);
    else
        memset(P2V(pool[pool_used]), 0, PAGE_SIZE);
    pde = pool[pool_used++] | PTE_P | PTE_W | PTE_U;
    paging_set_pde(i, pde);
    return P2V(FRAME(pde));
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
    if (FRAME(va) == HR_VCPU_AREA) {
        if (access & PF_U) {
            *err = access | PF_P;               /* a supervisor page */
            return 0;
        }
        shadow_table(PDE_INDEX(va))[PTE_INDEX(va)] = paging_vcpu_frame() | PTE_P | PTE_W;
        return 1;
    }
    if (walk(va, access, &gpa, err, &bits))
        return 0;
    if (!gphys(FRAME(gpa), PAGE_SIZE))
        guest_terminate(tf, "guest memory", "linear %x maps guest-physical %x, beyond the "
                        "guest's %u MiB", va, gpa, vcpu0.mem_size >> 20);
    uint32_t w = (bits & PTE_W) && (bits & PTE_D) ? PTE_W : 0;   /* clean: read-only */
    shadow_table(PDE_INDEX(va))[PTE_INDEX(va)] =
        (vcpu0.mem_base + FRAME(gpa)) | PTE_P | (bits & PTE_U) | w;
    return 1;
}

/* Forget every shadow translation (the guest's paging on), or put back the
 * identity map (off).  The TLB forgets at the next return to the guest. */
void mmu_flush(void)
{
    mmu_generation++;
    pool_used = 0;
    if (!guest_paging()) {
        paging_identity();
        return;
    }
    for (uint32_t i = 0; i < GUEST_PDES; i++)
        paging_set_pde(i, 0);
}

/* Forget the translation of linear va (all of its shadow table when the
 * guest maps va with a 4 MiB page or no longer at all). */
void mmu_invlpg(uint32_t va)
{
    mmu_generation++;
    if (!guest_paging() || va >= HR_VIRTUAL_TOP || !(paging_pde(PDE_INDEX(va)) & PTE_P))
        return;
    uint32_t *shadow = P2V(FRAME(paging_pde(PDE_INDEX(va))));
    uint32_t *pde = gphys(FRAME(vcpu0.cr3) + PDE_INDEX(va) * ENTRY_BYTES, ENTRY_BYTES);
    if (!pde || !(*pde & PTE_P) || (*pde & PTE_PS))
        memset(shadow, 0, PAGE_SIZE);
    else
        shadow[PTE_INDEX(va)] = 0;
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
