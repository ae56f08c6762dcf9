/*
 * paging.c - the page tables the CPU uses while a guest runs.  Ring 0.
 *
 * One page directory: the entries below HR_VIRTUAL_TOP map guest-physical
 * memory 1:1 onto guest linear addresses (the guest starts with paging
 * off), backed by the machine frames the hypervisor gave the guest; the
 * entries from HR_VIRTUAL_TOP up are the hypervisor's 4 MiB global pages,
 * copied from the boot directory.  Guest pages are user pages: ring 3 and
 * ring 1 both reach them, and segment limits keep both below the top.
 */
#include "hv.h"

extern uint32_t boot_pd[PT_ENTRIES];
static uint32_t *guest_pd;
static uint32_t guest_bytes;

#define PDE_INDEX(va) ((va) >> PDE_SHIFT)
#define PTE_INDEX(va) (((va) >> PAGE_SHIFT) & (PT_ENTRIES - 1))
#define PT_COVERS     (PT_ENTRIES * PAGE_SIZE)     /* 4 MiB per table */

/* Map guest-physical [0, mem_size) to machine mem_base, then switch CR3. */
void paging_init_guest(uint32_t mem_base, uint32_t mem_size)
{
    uint32_t pd_pa = mem_alloc(PAGE_SIZE);
    guest_pd = P2V(pd_pa);
    guest_bytes = mem_size;
    for (uint32_t va = 0; va < mem_size; va += PT_COVERS) {
        uint32_t pt_pa = mem_alloc(PAGE_SIZE);
        uint32_t *pt = P2V(pt_pa);
        for (uint32_t i = 0; i < PT_ENTRIES && va + i * PAGE_SIZE < mem_size; i++)
            pt[i] = (mem_base + va + i * PAGE_SIZE) | PTE_P | PTE_W | PTE_U;
        guest_pd[PDE_INDEX(va)] = pt_pa | PTE_P | PTE_W | PTE_U;
    }
    for (uint32_t i = PDE_INDEX(HR_VIRTUAL_TOP); i < PT_ENTRIES; i++)
        guest_pd[i] = boot_pd[i];
    write_cr3(pd_pa);
}

/* The page-table entry mapping guest linear address va, or NULL. */
uint32_t *paging_pte(uint32_t va)
{
    if (va >= HR_VIRTUAL_TOP || !guest_pd)
        return NULL;
    uint32_t pde = guest_pd[PDE_INDEX(va)];
    if (!(pde & PTE_P))
        return NULL;
    uint32_t *pt = P2V(pde & ~(PAGE_SIZE - 1));
    return &pt[PTE_INDEX(va)];
}

/* Make guest-physical [gpa, gpa + bytes) read-only (the ROM area). */
void paging_protect(uint32_t gpa, uint32_t bytes)
{
    for (uint32_t va = gpa & ~(PAGE_SIZE - 1); va < gpa + bytes; va += PAGE_SIZE) {
        uint32_t *pte = paging_pte(va);
        if (pte) {
            *pte &= ~PTE_W;
            invlpg(va);
        }
    }
}

/* Map a fresh frame at HR_VCPU_AREA as a supervisor page: ring 1 (the ROM)
 * reads and writes it, ring 3 cannot.  Returns the hypervisor's pointer. */
struct hr_vcpu_area *paging_map_vcpu_area(void)
{
    uint32_t frame = mem_alloc(PAGE_SIZE), va = HR_VCPU_AREA;
    if (!(guest_pd[PDE_INDEX(va)] & PTE_P))
        guest_pd[PDE_INDEX(va)] = mem_alloc(PAGE_SIZE) | PTE_P | PTE_W | PTE_U;
    *paging_pte(va) = frame | PTE_P | PTE_W;      /* no PTE_U: not ring 3 */
    invlpg(va);
    return P2V(frame);
}
