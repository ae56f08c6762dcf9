/*
 * ptwalk.c - the guest's page-table walk, as its MMU would do it: 32-bit
 * paging (Intel SDM vol. 3A 4.3), two levels, 4 KiB pages and, with
 * CR4.PSE, 4 MiB pages; accessed and dirty bits (4.8); the #PF error code
 * (4.7).  CR0.WP is always in effect (ring 1 is supervisor).  Pure logic
 * over a buffer that holds guest memory: mmu.c walks the guest's real
 * memory with it, the host tests and the fuzzer a buffer of their own.
 *
 *   linear:  31     22 21     12 11        0
 *           | directory | table  |  offset   |   4 KiB page
 *           | directory |     offset (22)    |   4 MiB page (PDE.PS, CR4.PSE)
 *
 * Two things the hypervisor adds: a page that holds any read-only byte (a
 * ROM) is read-only as a whole, as the shadow maps whole pages, and the
 * walk never writes accessed/dirty bits into that range (a ROM used as a
 * page table: the CPU's write is dropped there, the access goes ahead).
 * A directory or table outside guest memory is no table a CPU could read:
 * the caller ends the guest.
 */
#include "ptwalk.h"

#define PAGE_MASK      (PAGE_SIZE - 1)
#define LARGE_MASK     ((1u << PDE_SHIFT) - 1)         /* a 4 MiB page       */
#define FRAME(e)       ((e) & ~PAGE_MASK)
#define PDE_INDEX(va)  ((va) >> PDE_SHIFT)
#define PTE_INDEX(va)  (((va) >> PAGE_SHIFT) & (PT_ENTRIES - 1))
#define ENTRY_BYTES    4u

/* Does guest-physical [gpa, gpa + n) touch the read-only range? */
int ptwalk_readonly(const struct ptwalk_env *env, uint32_t gpa, uint32_t n)
{
    return gpa < env->ro_hi && (uint64_t)gpa + n > env->ro_lo;
}

/* The entry at guest-physical gpa, or NULL when it is not guest memory. */
static uint32_t *entry_at(const struct ptwalk_env *env, uint32_t gpa)
{
    if (gpa >= env->mem_size || ENTRY_BYTES > env->mem_size - gpa)
        return NULL;
    return (uint32_t *)(void *)(env->mem + gpa);
}

/* May an access (PF_W, PF_U) use a mapping with these PTE_W/PTE_U bits? */
static int allowed(uint32_t bits, uint32_t access)
{
    if ((access & PF_U) && !(bits & PTE_U))
        return 0;
    return !(access & PF_W) || (bits & PTE_W);
}

/* Set the accessed (and dirty) bits in entry e at gpa, unless the walk
 * sets none or e is in the read-only range.  Returns the bits the entry
 * now counts as set. */
static uint32_t mark(const struct ptwalk_env *env, uint32_t *e, uint32_t gpa, uint32_t bits)
{
    if (!env->set_ad)
        return *e;
    if (ptwalk_readonly(env, gpa, ENTRY_BYTES))
        return *e | bits;
    *e |= bits;
    return *e;
}

/* A table entry the walk needs is beyond guest memory: say which. */
static enum ptwalk_result outside(struct ptwalk_out *out, uint32_t gpa, const char *table)
{
    out->gpa = gpa;
    out->table = table;
    return PTWALK_TABLE_OUTSIDE;
}

/* Translate linear va for an access (PF_W, PF_U): PTWALK_OK with out->gpa
 * and out->bits (PTE_W, PTE_U, PTE_D of the mapping), PTWALK_FAULT with
 * out->err, or one of the two "outside guest memory" results. */
enum ptwalk_result ptwalk(const struct ptwalk_env *env, uint32_t va, uint32_t access,
                          struct ptwalk_out *out)
{
    uint32_t eff = PTE_W | PTE_U | PTE_D, *leaf = NULL, leaf_gpa = 0;
    *out = (struct ptwalk_out){ va, access, 0, NULL };
    if (va >= HR_VIRTUAL_TOP)
        return PTWALK_FAULT;
    if (env->paging) {
        uint32_t pde_gpa = FRAME(env->cr3) + PDE_INDEX(va) * ENTRY_BYTES;
        uint32_t *pde = entry_at(env, pde_gpa);
        if (!pde)
            return outside(out, pde_gpa, "page directory");
        if (!(*pde & PTE_P))
            return PTWALK_FAULT;
        if ((*pde & PTE_PS) && (env->cr4 & CR4_PSE)) {
            leaf = pde, leaf_gpa = pde_gpa;
            out->gpa = (*pde & ~LARGE_MASK) | (va & LARGE_MASK);
            eff = *pde;
        } else {
            uint32_t pte_gpa = FRAME(*pde) + PTE_INDEX(va) * ENTRY_BYTES;
            uint32_t *pte = entry_at(env, pte_gpa);
            if (!pte)
                return outside(out, pte_gpa, "page table");
            if (!(*pte & PTE_P))
                return PTWALK_FAULT;
            leaf = pte, leaf_gpa = pte_gpa;
            out->gpa = FRAME(*pte) | (va & PAGE_MASK);
            eff = (*pde & *pte & (PTE_W | PTE_U)) | (*pte & PTE_D);
            mark(env, pde, pde_gpa, PTE_A);
        }
    }
    if (ptwalk_readonly(env, FRAME(out->gpa), PAGE_SIZE))
        eff &= ~PTE_W;
    if (!allowed(eff, access)) {
        out->err |= PF_P;
        return PTWALK_FAULT;
    }
    if (leaf)
        eff |= mark(env, leaf, leaf_gpa, PTE_A | ((access & PF_W) ? PTE_D : 0)) & PTE_D;
    out->bits = eff & (PTE_W | PTE_U | PTE_D);
    return FRAME(out->gpa) < env->mem_size && PAGE_SIZE <= env->mem_size - FRAME(out->gpa)
           ? PTWALK_OK : PTWALK_FRAME_OUTSIDE;
}
