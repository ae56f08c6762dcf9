/*
 * paging.c - the page tables the CPU uses, for the guest and for us.  Ring 0.
 *
 * Two page directories share the page tables below HR_VIRTUAL_TOP.  While
 * the guest's paging is off those map guest-physical memory 1:1 onto guest
 * linear addresses (the identity tables built here), backed by the machine
 * frames the hypervisor gave the guest; guest pages are user pages, so ring
 * 3 and ring 1 both reach them.  While its paging is on they are shadow
 * page tables that mmu.c fills from the guest's own (paging_set_pde).
 *
 * mmu.c keeps one such pair of directories per cached guest address space
 * (a "space", shadow.c): switching spaces is loading another pair.
 *
 * Above the top they differ.  The hypervisor's directory (hv_cr3, loaded
 * while the hypervisor runs) maps all of its memory.  The guest's (guest_cr3,
 * loaded while the guest runs) maps only the entry pages (hv.ld): the entry
 * code and the CPU's tables read-only, the trap page writable.  Segment
 * limits already end every guest segment at the top, but a CPU that skips
 * limit checks (QEMU's TCG does) would otherwise let ring 1 read and write
 * the whole hypervisor.  entry.asm switches between the two.
 */
#include "hv.h"
#include "shadow.h"

extern uint32_t boot_pd[PT_ENTRIES];
extern uint32_t hv_cr3, guest_cr3;                        /* entry.asm */
extern char hv_entry_text[], hv_entry_text_end[];         /* hv.ld */
extern char hv_entry_tables[], hv_entry_stack[], hv_entry_end[];
static uint32_t *guest_pd;                                /* the loaded pair: */
uint32_t *paging_hv_pd;                                   /* hv.h's paging_pde */
#define hv_pd paging_hv_pd
static struct { uint32_t hv_pa, guest_pa; } space[SHADOW_SPACES];   /* 0: none yet */
static uint32_t ident_pde[HR_VIRTUAL_TOP >> PDE_SHIFT];   /* paging off */
static uint32_t vcpu_frame;
uint32_t paging_ro_lo = ~0u, paging_ro_hi;   /* guest-physical range kept read-only */

#define PDE_INDEX(va) ((va) >> PDE_SHIFT)
#define PTE_INDEX(va) (((va) >> PAGE_SHIFT) & (PT_ENTRIES - 1))
#define PT_COVERS     (PT_ENTRIES * PAGE_SIZE)     /* 4 MiB per table */
#define VA(p)         ((uint32_t)(uintptr_t)(p))

/* Set page-directory entry i below the top in both directories.  The
 * next return to the guest reloads CR3, which flushes the TLB: no page is
 * global. */
void paging_set_pde(uint32_t i, uint32_t pde)
{
    hv_pd[i] = pde;
    guest_pd[i] = pde;
}

/* Put back the identity tables of a guest whose paging is off. */
void paging_identity(void)
{
    for (uint32_t i = 0; i < PDE_INDEX(HR_VIRTUAL_TOP); i++)
        paging_set_pde(i, ident_pde[i]);
}

/* Clear every entry below the top of the loaded pair (paging turns on). */
void paging_clear(void)
{
    for (uint32_t i = 0; i < PDE_INDEX(HR_VIRTUAL_TOP); i++)
        paging_set_pde(i, 0);
}

/* A new pair for space s: nothing below the top, above it what space 0's
 * pair (made by paging_init_guest) has. */
static void space_make(uint32_t s)
{
    uint32_t hv_pa = mem_alloc(PAGE_SIZE), guest_pa = mem_alloc(PAGE_SIZE);
    uint32_t *hv = P2V(hv_pa), *guest = P2V(guest_pa);
    uint32_t *hv0 = P2V(space[0].hv_pa), *guest0 = P2V(space[0].guest_pa);
    for (uint32_t i = PDE_INDEX(HR_VIRTUAL_TOP); i < PT_ENTRIES; i++)
        hv[i] = hv0[i], guest[i] = guest0[i];
    space[s].hv_pa = hv_pa, space[s].guest_pa = guest_pa;
}

/* Load space s's pair: the hypervisor's now, the guest's at its return. */
void paging_space_load(uint32_t s)
{
    if (!space[s].hv_pa)
        space_make(s);
    hv_pd = P2V(space[s].hv_pa);
    guest_pd = P2V(space[s].guest_pa);
    hv_cr3 = space[s].hv_pa;
    guest_cr3 = space[s].guest_pa;
    write_cr3(hv_cr3);
}

/* Set entry i below the top in space s's pair (made or not). */
void paging_space_set_pde(uint32_t s, uint32_t i, uint32_t pde)
{
    if (!space[s].hv_pa)
        space_make(s);
    ((uint32_t *)P2V(space[s].hv_pa))[i] = pde;
    ((uint32_t *)P2V(space[s].guest_pa))[i] = pde;
}

/* Map the hypervisor's pages [start, end) into page table pt with flags. */
static void map_entry_pages(uint32_t *pt, char *start, char *end, uint32_t flags)
{
    for (uint32_t va = VA(start); va < VA(end); va += PAGE_SIZE)
        pt[PTE_INDEX(va)] = V2P(va) | flags;
}

/* The guest directory's view above the top: the entry pages, nothing else. */
static void map_entry(void)
{
    uint32_t first = PDE_INDEX(VA(hv_entry_text)), last = PDE_INDEX(VA(hv_entry_end) - 1);
    if (first != last || VA(hv_entry_tables) < VA(hv_entry_text_end))
        hv_panic("the entry pages %x-%x are not in one 4 MiB table after the code",
                 VA(hv_entry_text), VA(hv_entry_end));
    uint32_t pt_pa = mem_alloc(PAGE_SIZE);
    uint32_t *pt = P2V(pt_pa);
    map_entry_pages(pt, hv_entry_text, hv_entry_text_end, PTE_P);
    map_entry_pages(pt, hv_entry_tables, hv_entry_stack, PTE_P);
    map_entry_pages(pt, hv_entry_stack, hv_entry_end, PTE_P | PTE_W);
    guest_pd[first] = pt_pa | PTE_P | PTE_W;          /* no PTE_U: ring 3 never */
}

/* Map guest-physical [0, mem_size) to machine mem_base in both directories,
 * give the entry code their addresses, and switch to the hypervisor's. */
void paging_init_guest(uint32_t mem_base, uint32_t mem_size)
{
    uint32_t hv_pa = mem_alloc(PAGE_SIZE), guest_pa = mem_alloc(PAGE_SIZE);
    hv_pd = P2V(hv_pa);
    guest_pd = P2V(guest_pa);
    for (uint32_t va = 0; va < mem_size; va += PT_COVERS) {
        uint32_t pt_pa = mem_alloc(PAGE_SIZE);
        uint32_t *pt = P2V(pt_pa);
            for (uint32_t i = 0; i < PT_ENTRIES && va + i * PAGE_SIZE < mem_size; i++)
            pt[i] = (mem_base + va + i * PAGE_SIZE) | PTE_P | PTE_W | PTE_U;
        paging_set_pde(PDE_INDEX(va), pt_pa | PTE_P | PTE_W | PTE_U);
    }
    for (uint32_t i = PDE_INDEX(HR_VIRTUAL_TOP); i < PT_ENTRIES; i++)
        hv_pd[i] = boot_pd[i];
    map_entry();
    space[0].hv_pa = hv_pa, space[0].guest_pa = guest_pa;
    paging_space_load(0);
}

/* The identity page-table entry for guest-physical gpa, or NULL. */
static uint32_t *ident_pte(uint32_t gpa)
{
    uint32_t pde = ident_pde[PDE_INDEX(gpa)];
    return pde & PTE_P ? &((uint32_t *)P2V(pde & ~(PAGE_SIZE - 1)))[PTE_INDEX(gpa)] : NULL;
}

/* Keep guest-physical [gpa, gpa + bytes) read-only (the ROMs), in the
 * identity tables now and in every shadow entry mmu.c makes later. */
void paging_protect(uint32_t gpa, uint32_t bytes)
{
    for (uint32_t pa = gpa & ~(PAGE_SIZE - 1); pa < gpa + bytes; pa += PAGE_SIZE) {
        uint32_t *pte = ident_pte(pa);
        if (pte)
            *pte &= ~PTE_W;
    }
    uint32_t lo = gpa & ~(PAGE_SIZE - 1), hi = (gpa + bytes + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    paging_ro_lo = lo < paging_ro_lo ? lo : paging_ro_lo;   /* whole pages: what */
    paging_ro_hi = hi > paging_ro_hi ? hi : paging_ro_hi;   /* paging protects   */
    write_cr3(hv_cr3);                  /* the TLB may hold them writable */
}

/* The read-only range [*lo, *hi) itself (empty: lo > hi), for ptwalk.c. */
void paging_readonly_range(uint32_t *lo, uint32_t *hi)
{
    *lo = paging_ro_lo, *hi = paging_ro_hi;
}

/* The machine frame of the per-vCPU area (mapped at HR_VCPU_AREA). */
uint32_t paging_vcpu_frame(void)
{
    return vcpu_frame;
}

/* Map a fresh frame at HR_VCPU_AREA as a supervisor page: ring 1 (the ROM)
 * reads and writes it, ring 3 cannot.  Returns the hypervisor's pointer. */
struct hr_vcpu_area *paging_map_vcpu_area(void)
{
    uint32_t frame = mem_alloc(PAGE_SIZE), va = HR_VCPU_AREA;
    if (!(hv_pd[PDE_INDEX(va)] & PTE_P))             /* mem_alloc zeroes */
        paging_set_pde(PDE_INDEX(va), mem_alloc(PAGE_SIZE) | PTE_P | PTE_W | PTE_U);
    ((uint32_t *)P2V(hv_pd[PDE_INDEX(va)] & ~(PAGE_SIZE - 1)))[PTE_INDEX(va)] =
        frame | PTE_P | PTE_W;                       /* no PTE_U: not ring 3 */
    for (uint32_t i = 0; i < PDE_INDEX(HR_VIRTUAL_TOP); i++)
        ident_pde[i] = hv_pd[i];                     /* the paging-off view */
    vcpu_frame = frame;
    write_cr3(hv_cr3);
    return P2V(frame);
}
