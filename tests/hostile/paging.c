/*
 * paging.c - hostile page tables and VMI calls with wild pointers and
 * lengths: frames, page tables and CR3 beyond guest memory, the ROM
 * mapped writable or used as a page table, 4 MiB pages, a self-map,
 * floods of mappings and address spaces, stacks on unmapped, read-only
 * and remapped pages, a shadow fill from a 16-bit user stack (espfix on
 * the page fault's fast path), the page of a remembered call site
 * remapped, and descriptor-table and string-I/O calls
 * whose buffers straddle a missing page, point into the hypervisor or
 * wrap around.
 *
 * Spec section 9: a frame beyond guest memory, used, ends the guest
 * ("guest memory"); the ROMs stay read-only wherever mapped; nothing at
 * or above virtual_top is reachable (#GP where the CPU checks segment
 * limits, #PF where only paging protects: expect=13:0/14:E).  A call's
 * fault is reported at its call site with the CR2 the CPU would give:
 * the first byte it could not reach.
 *
 * Kernel modes: native, hv, hv-novmi.
 */
#include "hostile.h"

#define VA_A         (HP_TEST_VA + 0x0000u)     /* mapped to frame_a        */
#define VA_HOLE      (HP_TEST_VA + 0x1000u)     /* never mapped             */
#define VA_RO        (HP_TEST_VA + 0x2000u)     /* frame_b, read-only       */
#define VA_ROM       (HP_TEST_VA + 0x3000u)     /* the ROM page, writable   */
#define VA_X         (HP_TEST_VA + 0x4000u)     /* a case's own mapping     */
#define VA_SUPER     (HP_TEST_VA + 0x5000u)     /* frame_b, supervisor only */
#define PD_SCRATCH   2u                         /* directory slots a case   */
#define PD_SCRATCH2  3u                         /* may point anywhere       */
#define VA_SCRATCH   (PD_SCRATCH << HP_PD_SHIFT)
#define VA_SCRATCH2  (PD_SCRATCH2 << HP_PD_SHIFT)
#define ROM_PAGE     HR_SCAN_START
#define ROM_LEN_AT   2u                         /* header: length in 512 B  */
#define LARGE_BEYOND 0x40000000u                /* a 4 MiB frame past memory */
#define FLOOD_ROUNDS 4u
#define FLOOD_SPACES 64u
#define FLOOD_SWITCHES 2000u
#define DTR_SIZE     6u
#define PORT_POST    0x80u
#define INS_HUGE     0x40000000u
#define INS_ROOM     8u                          /* bytes before the hole  */
#define MAGIC        0x5AFE0001u
#define CPUID_PSE    (1u << 3)
#define SITE_SCAN    256u                        /* bytes of an entry searched */
#define OP_INT_IMM8  0xCDu                       /* SDM vol. 2A: INT imm8  */

static volatile uint32_t frame_a[HP_ENTRIES] __attribute__((aligned(HP_PAGE)));
static volatile uint32_t frame_b[HP_ENTRIES] __attribute__((aligned(HP_PAGE)));
static volatile uint32_t seen;

/* Paging on, with VA_A, VA_RO, VA_SUPER mapped and VA_HOLE not. */
static void paging(void)
{
    hp_paging_on();
    hp_map(VA_A, (uint32_t)frame_a | HP_P | HP_W | HP_U);
    hp_map(VA_RO, (uint32_t)frame_b | HP_P | HP_U);
    hp_map(VA_SUPER, (uint32_t)frame_b | HP_P | HP_W);
    frame_a[0] = MAGIC;
}

/* try_call bodies: read / write the word at *(uint32_t *)arg. */
static void peek(void *arg) { seen = *(volatile uint32_t *)*(uint32_t *)arg; }
static void poke(void *arg) { *(volatile uint32_t *)*(uint32_t *)arg = MAGIC; }

/* Read va (through paging); judge; and check CR2 when it faulted. */
static void read_at(uint32_t va, const char *what)
{
    int v = try_call(peek, &va);
    if (v == T_PF)
        report(vmi_get_cr2() == va, "CR2 %x is the address read (%x)", vmi_get_cr2(), va);
    hostile_judge(v, what);
}

/* Map test address VA_X to pte, then read it. */
static void map_and_read(uint32_t pte, const char *what)
{
    paging();
    hp_map(VA_X, pte);
    read_at(VA_X, what);
}

static void beyond_pte(void) { map_and_read(HOSTILE_PAST_MEM | HP_P | HP_W, "a frame past memory"); }
static void end_pte(void) { map_and_read(HOSTILE_GUEST_MEM | HP_P | HP_W, "the first frame past memory"); }
static void last_pte(void) { map_and_read((HOSTILE_GUEST_MEM - HP_PAGE) | HP_P | HP_W, "the last frame of memory"); }
static void hv_pte(void) { map_and_read(HOSTILE_HV_IMAGE | HP_P | HP_W, "frame F0100000h"); }

/* A directory entry at PD_SCRATCH to pde, then read VA_SCRATCH + off. */
static void pde_and_read(uint32_t pde, uint32_t off, const char *what)
{
    paging();
    hp_dir()[PD_SCRATCH] = pde;
    vmi_flush_tlb(VMI_FLUSH_TLB);
    read_at(VA_SCRATCH + off, what);
}

static void beyond_pt(void) { pde_and_read(HOSTILE_PAST_MEM | HP_P | HP_W, 0, "a page table past memory"); }

static void beyond_pse(void)
{
    uint32_t r[4];
    vmi_cpuid(1, 0, r);
    if (!(r[3] & CPUID_PSE)) {
        report_skip("no PSE");
        return;
    }
    paging();
    vmi_set_cr4(vmi_get_cr4() | HP_CR4_PSE);
    hp_dir()[PD_SCRATCH] = LARGE_BEYOND | HP_PS | HP_P | HP_W;
    vmi_flush_tlb(VMI_FLUSH_TLB);
    read_at(VA_SCRATCH, "a 4 MiB page past memory");
}

/* pg-ps-without-pse: PS in a directory entry means nothing without
 * CR4.PSE: the entry points at a page table as usual. */
static void ps_without_pse(void)
{
    paging();
    hp_dir()[PD_SCRATCH] = (uint32_t)hp_test_table() | HP_PS | HP_P | HP_W | HP_U;
    vmi_flush_tlb(VMI_FLUSH_TLB);
    uint32_t va = VA_SCRATCH + (VA_A - HP_TEST_VA);
    int v = try_call(peek, &va);
    report(v != RT_NO_FAULT || seen == MAGIC, "it reaches frame A (%x)", seen);
    hostile_judge(v, "PS without CR4.PSE");
}

/* SetCR3 past memory with paging on, then a read. */
static void cr3_beyond(void)
{
    paging();
    vmi_set_cr3(HOSTILE_PAST_MEM);
    seen = frame_a[0];
}

/* SetCR3 past memory with paging off, then paging on. */
static void cr3_beyond_then_pg(void)
{
    vmi_set_cr3(HOSTILE_PAST_MEM);
    vmi_set_cr0(vmi_get_cr0() | CR0_PG);
    seen = frame_a[0];
}

/* pg-rom-write: the ROM page mapped writable; a store faults, the ROM
 * stays as it was. */
static void rom_write(void)
{
    paging();
    hp_map(VA_ROM, ROM_PAGE | HP_P | HP_W | HP_U);
    uint32_t before = *(volatile uint32_t *)ROM_PAGE, va = VA_ROM;
    int v = try_call(poke, &va);
    report(*(volatile uint32_t *)ROM_PAGE == before, "the ROM is unchanged");
    if (v == T_PF)
        report(vmi_get_cr2() == va, "CR2 %x", vmi_get_cr2());
    hostile_judge(v, "a store to the ROM through a writable entry");
}

/* pg-rom-past-end: a store just past the ROM's end in its last page,
 * then a store to its last word: that one must fault. */
static void rom_past_end(void)
{
    paging();
    uint32_t end = ROM_PAGE + *(volatile uint8_t *)(ROM_PAGE + ROM_LEN_AT) * HR_ROM_UNIT;
    if (!(end & (HP_PAGE - 1))) {
        report_skip("the ROM ends on a page boundary");
        return;
    }
    uint32_t past = end, last = end - sizeof(uint32_t);
    uint32_t before = *(volatile uint32_t *)last;
    (void)try_call(poke, &past);
    int v = try_call(poke, &last);
    report(*(volatile uint32_t *)last == before, "the ROM's last word is unchanged");
    if (v == T_PF)
        report(vmi_get_cr2() == last, "CR2 %x", vmi_get_cr2());
    hostile_judge(v, "a store to the ROM's last word after one past its end");
}

/* pg-rom-as-pt: the ROM's first page used as a page table: a read
 * through one of its present entries works, and the ROM is unchanged
 * (a CPU's accessed-bit write to ROM goes nowhere). */
static void rom_as_pt(void)
{
    static uint32_t copy[HP_ENTRIES];
    const volatile uint32_t *rom = (const volatile uint32_t *)ROM_PAGE;
    uint32_t i;
    for (i = 0; i < HP_ENTRIES; i++)
        if ((rom[i] & HP_P) && (rom[i] & ~(HP_PAGE - 1)) < HP_TEST_VA)
            break;
    if (i == HP_ENTRIES) {
        report_skip("no ROM word looks like a present entry in guest memory");
        return;
    }
    for (uint32_t j = 0; j < HP_ENTRIES; j++)
        copy[j] = rom[j];
    pde_and_read(ROM_PAGE | HP_P | HP_W, i << HP_PT_SHIFT, "a read through the ROM as a page table");
    uint32_t same = 1;
    for (uint32_t j = 0; j < HP_ENTRIES; j++)
        same &= copy[j] == rom[j];
    report(same, "the ROM is unchanged (entry %u, %x)", i, copy[i]);
}

/* pg-self-map: the directory as its own page table at PD_SCRATCH: read
 * a directory entry through it, write one through it and use it. */
static void self_map(void)
{
    paging();
    uint32_t *pd = hp_dir();
    pd[PD_SCRATCH] = (uint32_t)pd | HP_P | HP_W;
    vmi_flush_tlb(VMI_FLUSH_TLB);
    volatile uint32_t *view = (volatile uint32_t *)(VA_SCRATCH + (PD_SCRATCH << HP_PT_SHIFT));
    report(view[0] == pd[0], "the directory seen through itself (%x, %x)", view[0], pd[0]);
    view[PD_SCRATCH2] = (uint32_t)hp_test_table() | HP_P | HP_W;
    vmi_flush_tlb(VMI_FLUSH_TLB);
    uint32_t va = VA_SCRATCH2 + (VA_A - HP_TEST_VA);
    int v = try_call(peek, &va);
    report(seen == MAGIC, "an entry written through the self-map works (%x)", seen);
    hostile_judge(v, "a self-mapped directory");
}

/* pg-flood-pte: every entry of a table onto one frame, read FLOOD_ROUNDS
 * times with a flush between. */
static void flood_pte(void)
{
    static uint32_t pt[HP_ENTRIES] __attribute__((aligned(HP_PAGE)));
    paging();
    for (uint32_t i = 0; i < HP_ENTRIES; i++)
        pt[i] = (uint32_t)frame_a | HP_P | HP_W;
    hp_dir()[PD_SCRATCH] = (uint32_t)pt | HP_P | HP_W;
    uint32_t good = 0;
    for (uint32_t r = 0; r < FLOOD_ROUNDS; r++) {
        vmi_flush_tlb(VMI_FLUSH_TLB);
        frame_a[0] = MAGIC + r;
        for (uint32_t i = 0; i < HP_ENTRIES; i++)
            good += *(volatile uint32_t *)(VA_SCRATCH + (i << HP_PT_SHIFT)) == MAGIC + r;
    }
    report(good == FLOOD_ROUNDS * HP_ENTRIES, "%u of %u reads reach frame A", good,
           FLOOD_ROUNDS * HP_ENTRIES);
    hostile_judge(RT_NO_FAULT, "1024 mappings of one frame");
}

/* pg-flood-cr3: FLOOD_SPACES address spaces, switched FLOOD_SWITCHES times. */
static void flood_cr3(void)
{
    static uint32_t dirs[FLOOD_SPACES][HP_ENTRIES] __attribute__((aligned(HP_PAGE)));
    paging();
    for (uint32_t s = 0; s < FLOOD_SPACES; s++)
        memcpy(dirs[s], hp_dir(), HP_PAGE);
    uint32_t good = 0;
    for (uint32_t i = 0; i < FLOOD_SWITCHES; i++) {
        vmi_set_cr3((uint32_t)dirs[i % FLOOD_SPACES]);
        good += *(volatile uint32_t *)VA_A == MAGIC;
    }
    vmi_set_cr3((uint32_t)hp_dir());
    report(good == FLOOD_SWITCHES, "%u of %u reads after a switch reach frame A", good,
           FLOOD_SWITCHES);
    hostile_judge(RT_NO_FAULT, "2000 CR3 loads over 64 spaces");
}

/* ---- the shadow cache (spec 9): a guest that announces its page tables
 * with AllocatePage and writes them through SetPxE keeps its address
 * spaces across SetCR3, and must still see what a TLB may show ---- */
#define PFN(p)       ((uint32_t)(p) >> HP_PT_SHIFT)
#define SLOT_A       ((VA_A >> HP_PT_SHIFT) & (HP_ENTRIES - 1))

static uint32_t cache_dir2[HP_ENTRIES] __attribute__((aligned(HP_PAGE)));

/* Paging on, announced, with a second directory sharing the test table;
 * both spaces have read VA_A (their shadows are kept). */
static void cached_spaces(void)
{
    paging();
    vmi_allocate_page(PFN(hp_dir()), VMI_PAGE_PD, 0, 0, 0);
    vmi_allocate_page(PFN(hp_test_table()), VMI_PAGE_PT, 0, 0, 0);
    memcpy(cache_dir2, hp_dir(), HP_PAGE);
    vmi_allocate_page(PFN(cache_dir2), VMI_PAGE_PD, 0, 0, 0);
    frame_b[0] = MAGIC + 1;
    seen = *(volatile uint32_t *)VA_A;
    vmi_set_cr3((uint32_t)cache_dir2);
    seen = *(volatile uint32_t *)VA_A;
    vmi_set_cr3((uint32_t)hp_dir());
}

/* The word at va read now, or 0 where the read faults. */
static uint32_t read_or_0(uint32_t va)
{
    return try_call(peek, &va) == RT_NO_FAULT ? seen : 0;
}

/* pg-cached-remap: an entry rewritten by SetPxE in one space, then a
 * switch to another space that shares the table: the new frame there. */
static void cached_remap(void)
{
    cached_spaces();
    vmi_set_pxe((uint32_t)frame_b | HP_P | HP_W | HP_U, &hp_test_table()[SLOT_A], VMI_PAGE_PT);
    vmi_set_cr3((uint32_t)cache_dir2);
    uint32_t there = read_or_0(VA_A);
    vmi_set_cr3((uint32_t)hp_dir());
    uint32_t here = read_or_0(VA_A);
    report(there == MAGIC + 1 && here == MAGIC + 1, "after SetPxE and SetCR3 both spaces "
           "read the new frame (%x, %x)", there, here);
    hostile_judge(RT_NO_FAULT, "a remap seen across kept spaces");
}

/* pg-cached-unmap: an entry cleared by SetPxE while the other space is
 * current, then a switch back: the access faults, not-present. */
static void cached_unmap(void)
{
    cached_spaces();
    vmi_set_cr3((uint32_t)cache_dir2);
    vmi_set_pxe(0, &hp_test_table()[SLOT_A], VMI_PAGE_PT);
    vmi_set_cr3((uint32_t)hp_dir());
    read_at(VA_A, "a mapping removed in another space, then SetCR3");
}

/* pg-cached-pde: a directory entry of a kept space rewritten by SetPxE
 * while another space is current: the switch back sees the new table. */
static void cached_pde(void)
{
    static uint32_t pt[HP_ENTRIES] __attribute__((aligned(HP_PAGE)));
    cached_spaces();
    pt[SLOT_A] = (uint32_t)frame_b | HP_P | HP_W | HP_U;
    vmi_allocate_page(PFN(pt), VMI_PAGE_PT, 0, 0, 0);
    vmi_set_cr3((uint32_t)cache_dir2);
    vmi_set_pxe((uint32_t)pt | HP_P | HP_W | HP_U, &hp_dir()[HP_TEST_VA >> HP_PD_SHIFT],
                VMI_PAGE_PD);
    vmi_set_cr3((uint32_t)hp_dir());
    uint32_t here = read_or_0(VA_A);
    vmi_set_cr3((uint32_t)cache_dir2);
    uint32_t there = read_or_0(VA_A);
    report(here == MAGIC + 1 && there == MAGIC, "the rewritten directory reads frame B (%x), "
           "the other still frame A (%x)", here, there);
    vmi_set_cr3((uint32_t)hp_dir());
    hostile_judge(RT_NO_FAULT, "a directory entry rewritten in a kept space");
}

/* pg-cached-reuse: a directory released, rewritten by plain stores as a
 * fresh one (VA_A not mapped) and announced again: no stale mapping. */
static void cached_reuse(void)
{
    cached_spaces();
    vmi_release_page(PFN(cache_dir2), VMI_PAGE_PD);
    cache_dir2[HP_TEST_VA >> HP_PD_SHIFT] = 0;
    vmi_allocate_page(PFN(cache_dir2), VMI_PAGE_PD, 0, 0, 0);
    vmi_set_cr3((uint32_t)cache_dir2);
    uint32_t va = VA_A;
    int v = try_call(peek, &va);
    vmi_set_cr3((uint32_t)hp_dir());
    hostile_judge(v, "a directory frame reused after ReleasePage");
}

/* pg-cached-beyond: SetPxE maps a frame past memory, InvalPage, read:
 * the guest ends, as in every mode. */
static void cached_beyond(void)
{
    cached_spaces();
    vmi_set_pxe(HOSTILE_PAST_MEM | HP_P | HP_W, &hp_test_table()[SLOT_A], VMI_PAGE_PT);
    vmi_inval_page(VA_A);
    read_at(VA_A, "a frame past memory by SetPxE and InvalPage");
}

/* pg-log-garbage: the page-table log in the per-vCPU page filled with
 * nonsense (a huge count, then unknown kinds, addresses in the
 * hypervisor's area, wild frame numbers): the shadow forgets, the guest
 * carries on and still reads what its tables map. */
static void log_garbage(void)
{
    volatile struct hr_pt_log *log = (volatile struct hr_pt_log *)HR_PT_LOG;
    cached_spaces();
    log->count = 0xFFFFFFFFu;
    vmi_inval_page(VA_A);
    uint32_t first = *(volatile uint32_t *)VA_A;
    static const struct hr_pt_log_entry junk[] = {
        { HR_VIRTUAL_TOP, HR_PT_LOG_WRITE4 }, { 0xFFFFFFFCu, HR_PT_LOG_WRITE8 },
        { 0xFFFFFFFFu, HR_PT_LOG_RELEASE }, { 0x12345u, 77u }, { HR_PT_LOG, HR_PT_LOG_WRITE4 },
    };
    for (uint32_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
        log->entry[i] = junk[i];
    log->count = sizeof(junk) / sizeof(junk[0]);
    vmi_flush_tlb(VMI_FLUSH_TLB);
    vmi_set_cr3((uint32_t)cache_dir2);
    uint32_t second = *(volatile uint32_t *)VA_A;
    vmi_set_cr3((uint32_t)hp_dir());
    report(first == MAGIC && second == MAGIC, "after a garbage log VA_A still reads frame A "
           "(%x, %x)", first, second);
    hostile_judge(RT_NO_FAULT, "a garbage page-table log");
}

/* The forwarding entry of a VMI call: its call byte, after "int
 * HR_HYPERCALL_VECTOR" within SITE_SCAN bytes of the entry; NULL if none. */
static volatile uint8_t *call_byte(uint32_t entry, uint8_t call)
{
    volatile uint8_t *p = (volatile uint8_t *)entry;
    for (uint32_t k = 0; k + 2 < SITE_SCAN; k++)
        if (p[k] == OP_INT_IMM8 && p[k + 1] == HR_HYPERCALL_VECTOR && p[k + 2] == call)
            return p + k + 2;
    return NULL;
}

/* pg-site-remap: InvalPage served from the remembered call site, then the
 * ROM page holding its call byte remapped (SetPxE into the low table and
 * InvalPage of that page) to a RAM copy whose byte there says GetCR3: the
 * next call from that address must do what the byte now says (the site's
 * key moved with the translation), not InvalPage again. */
static void site_remap(void)
{
    static volatile uint8_t copy[HP_PAGE] __attribute__((aligned(HP_PAGE)));
    paging();
    uint32_t entry = (uint32_t)VMI_ENTRY(InvalPage), *pt_low = (uint32_t *)(hp_dir()[0] & ~(HP_PAGE - 1));
    volatile uint8_t *byte = call_byte(entry, VMI_CALL_InvalPage);
    report(byte != NULL, "InvalPage's entry %x forwards with int %xh", entry, HR_HYPERCALL_VECTOR);
    if (!byte) {
        hostile_judge(RT_NO_FAULT, "a remap of a remembered call site's page");
        return;
    }
    uint32_t page = (uint32_t)byte & ~(HP_PAGE - 1), off = (uint32_t)byte & (HP_PAGE - 1);
    for (uint32_t k = 0; k < HP_PAGE; k++)
        copy[k] = ((volatile uint8_t *)page)[k];
    copy[off] = VMI_CALL_GetCR3;
    vmi_inval_page(VA_A);                         /* the site remembered, */
    vmi_inval_page(VA_A);                         /* and served           */
    vmi_set_pxe((uint32_t)copy | HP_P | HP_W | HP_U, &pt_low[page >> HP_PT_SHIFT], VMI_PAGE_PT);
    vmi_inval_page(page);                         /* the copy from now on */
    uint32_t got = ((vmi_fn_ru)entry)(VA_A);     /* InvalPage's entry, the new byte */
    copy[off] = VMI_CALL_InvalPage;               /* so the next undoes it */
    vmi_set_pxe(page | HP_P | HP_W | HP_U, &pt_low[page >> HP_PT_SHIFT], VMI_PAGE_PT);
    vmi_inval_page(page);
    report(got == (uint32_t)hp_dir(), "the call from the remapped page did GetCR3 (EAX %x, "
           "CR3 %x; %x: InvalPage served from the stale site)", got, (uint32_t)hp_dir(), VA_A);
    report(*byte == VMI_CALL_InvalPage && call_byte(entry, VMI_CALL_InvalPage) == byte,
           "the ROM is mapped there again");
    hostile_judge(RT_NO_FAULT, "a remap of a remembered call site's page");
}

/* try_call body: #UD with ESP at the top of VA_X. */
static void ud2_on_x(void *arg)
{
    (void)arg;
    __asm__ volatile("movl %0, %%esp\n\tud2" :: "r"(VA_X + HP_PAGE) : "memory");
}

/* The top word of frame f: the EFLAGS image of a frame pushed at the top
 * of its page (never 0: bit 1 is always set). */
static uint32_t frame_top(volatile uint32_t *f)
{
    return f[HP_ENTRIES - 1];
}

/* pg-stack-remap: a fault with the stack on VA_X (frame A), then VA_X
 * remapped to frame B by SetPxE and InvalPage, then the same fault: the
 * second frame lands in frame B, as the CPU's would (the hypervisor's
 * cached translation of the stack page goes with the InvalPage). */
static void stack_remap(void)
{
    paging();
    vmi_set_pxe((uint32_t)frame_a | HP_P | HP_W, &hp_test_table()[(VA_X >> HP_PT_SHIFT) &
                (HP_ENTRIES - 1)], VMI_PAGE_PT);
    vmi_inval_page(VA_X);
    frame_a[HP_ENTRIES - 1] = 0, frame_b[HP_ENTRIES - 1] = 0;
    int first = try_call(ud2_on_x, NULL);
    uint32_t on_a = frame_top(frame_a);
    vmi_set_pxe((uint32_t)frame_b | HP_P | HP_W, &hp_test_table()[(VA_X >> HP_PT_SHIFT) &
                (HP_ENTRIES - 1)], VMI_PAGE_PT);
    vmi_inval_page(VA_X);
    frame_a[HP_ENTRIES - 1] = 0;
    int second = try_call(ud2_on_x, NULL);
    report(first == T_UD && on_a != 0, "the first frame is on frame A (%x)", on_a);
    report(frame_top(frame_b) != 0 && frame_top(frame_a) == 0, "after the remap the frame "
           "is on frame B (%x), not A (%x)", frame_top(frame_b), frame_top(frame_a));
    hostile_judge(second, "a fault on a stack page remapped by SetPxE and InvalPage");
}

/* ---- a shadow fill while user code runs on a 16-bit stack ---- */
#define STACK16_SLOT   RT_GDT_FIRST_FREE
#define STACK16_LIMIT  0xFFFFu        /* byte granular, 64 KiB             */
#define STACK16_ESP    0xABCD0F00u    /* the upper half is the user's      */
#define ESP_HIGH_MASK  0xFFFF0000u

static uint8_t stack16[HP_PAGE] __attribute__((aligned(16)));

/* In ring 3: onto the 16-bit stack, a read of VA_X (mapped, never
 * touched: on the hypervisor a shadow fill), then RT_SYS_EXIT. */
static void user16_touch(void *arg)
{
    uint32_t ss = *(const uint16_t *)arg;
    __asm__ volatile("mov %[ss], %%ss\n\t"
                     "mov %[esp], %%esp\n\t"
                     "mov %[va], %%eax\n\t"
                     "mov %[sys_exit], %%eax\n\t"
                     "int $" RT_STR(RT_SYSCALL_VECTOR)
                     :: [ss] "r"(ss), [esp] "i"(STACK16_ESP), [va] "m"(*(volatile uint32_t *)VA_X),
                        [sys_exit] "i"(RT_SYS_EXIT)
                     : "eax", "memory");
    __builtin_unreachable();
}

/* pg-fill-stack16: the return from that fill must leave ESP's upper half
 * the user's (a 16-bit SS loads only SP: espfix), as natively, where
 * nothing exits. */
static void fill_stack16(void)
{
    uint8_t access = (uint8_t)(DESC_P | (RT_RING_USER << DESC_DPL_SHIFT) | DESC_S |
                               DESC_DATA_WRITE);
    struct seg_desc d = desc_make((uint32_t)stack16, STACK16_LIMIT, access, 0);  /* 16-bit */
    paging();
    hp_test_table()[(VA_X >> HP_PT_SHIFT) & (HP_ENTRIES - 1)] = (uint32_t)frame_a | HP_P | HP_U;
    vmi_write_gdt_entry(rt_gdt, STACK16_SLOT, desc_lo(&d), desc_hi(&d));
    uint16_t ss = SEL(STACK16_SLOT, 0, RT_RING_USER);
    int v = rt_user_call_flags(user16_touch, &ss, EFLAGS_FIXED);
    uint32_t esp = rt_last_syscall.esp;
    report(rt_last_syscall.ss == ss && (esp & ESP_HIGH_MASK) == (STACK16_ESP & ESP_HIGH_MASK),
           "after a read of a fresh page on the 16-bit stack %x, ESP's upper half is still "
           "the user's: ESP %x, want %x", ss, esp, STACK16_ESP);
    hostile_judge(v, "a shadow fill from a 16-bit user stack");
}

/* #UD with ESP on page va. */
static void ud2_on(uint32_t va)
{
    __asm__ volatile("movl %0, %%esp\n\tud2" :: "r"(va + HP_PAGE) : "memory");
}

static void stack_hole(void) { paging(); ud2_on(VA_HOLE); }
static void stack_ro(void) { paging(); ud2_on(VA_RO); }

/* Ring 3: #UD. */
static void user_ud2(void *arg)
{
    (void)arg;
    __asm__ volatile("ud2");
}

/* The kernel stack on page va, then #UD from ring 3. */
static void kstack_on(uint32_t va)
{
    paging();
    vmi_update_kernel_stack(rt_seg.kernel_ds, va + HP_PAGE);
    hostile_judge(rt_user_call(user_ud2, NULL), "#UD from ring 3 onto that kernel stack");
}

static void kstack_hole(void) { kstack_on(VA_HOLE); }
static void kstack_ro(void) { kstack_on(VA_RO); }

/* Ring 3: a push onto a supervisor page. */
static void user_push_super(void *arg)
{
    (void)arg;
    __asm__ volatile("movl %%esp, %%esi\n\tmovl %0, %%esp\n\tpushl $0\n\tmovl %%esi, %%esp"
                     :: "i"(VA_SUPER + HP_PAGE) : "esi", "memory");
}

static void user_push(void)
{
    paging();
    int v = rt_user_call(user_push_super, NULL);
    if (v == T_PF)
        report(vmi_get_cr2() == VA_SUPER + HP_PAGE - 4, "CR2 %x", vmi_get_cr2());
    hostile_judge(v, "ring 3 pushes onto a supervisor page");
}

/* ---- VMI calls with wild pointers ---- */

/* try_call bodies. */
static void get_gdt(void *arg) { vmi_get_gdt(*(struct vmi_dtr **)arg); }
static void get_idt(void *arg) { vmi_get_idt(*(struct vmi_dtr **)arg); }
static void set_gdt(void *arg) { vmi_set_gdt(*(struct vmi_dtr **)arg); }

/* A Get*DT into a buffer 2 bytes before the hole: #PF, CR2 = the hole. */
static void get_straddle(void (*fn)(void *), const char *what)
{
    paging();
    struct vmi_dtr *d = (struct vmi_dtr *)(VA_HOLE - 2);
    int v = try_call(fn, &d);
    if (v == T_PF)
        report(vmi_get_cr2() == VA_HOLE, "CR2 %x is the first missing byte (%x)",
               vmi_get_cr2(), VA_HOLE);
    hostile_judge(v, what);
}

static void gdt_straddle(void) { get_straddle(get_gdt, "GetGDT straddling a missing page"); }
static void idt_straddle(void) { get_straddle(get_idt, "GetIDT straddling a missing page"); }

/* A call on a pointer into the hypervisor's image (paging off). */
static void wild_ptr(void (*fn)(void *), const char *what)
{
    struct vmi_dtr *d = (struct vmi_dtr *)HOSTILE_HV_IMAGE;
    hostile_judge(try_call(fn, &d), what);
}

static void gdt_hv(void) { wild_ptr(get_gdt, "GetGDT into the hypervisor's image"); }
static void setgdt_hv(void) { wild_ptr(set_gdt, "SetGDT from the hypervisor's image"); }

/* GetGDT 2 bytes before the end of guest memory (paging off). */
static void gdt_mem_end(void)
{
    struct vmi_dtr *d = (struct vmi_dtr *)(HOSTILE_GUEST_MEM - 2);
    int v = try_call(get_gdt, &d);
    if (v == T_PF)
        report(vmi_get_cr2() == HOSTILE_GUEST_MEM, "CR2 %x is the first byte past memory (%x)",
               vmi_get_cr2(), HOSTILE_GUEST_MEM);
    hostile_judge(v, "GetGDT across the end of guest memory");
}

/* SetGDT of a table past guest memory (paging off). */
static void setgdt_beyond(void)
{
    struct vmi_dtr d = { sizeof(rt_gdt) - 1, HOSTILE_PAST_MEM };
    vmi_set_gdt(&d);
    rt_load_segments(rt_seg.kernel_cs, rt_seg.kernel_ds);
}

/* try_call body: rep insl from the POST port with a huge count into the
 * last INS_ROOM bytes before the hole. */
static void insl_body(void *arg)
{
    (void)arg;
    uint32_t edi = VA_HOLE - INS_ROOM, ecx = INS_HUGE;
    __asm__ volatile("call *%2" : "+D"(edi), "+c"(ecx)
                     : "m"(VMI_ENTRY(INSL)), "d"(PORT_POST) : "eax", "memory", "cc");
}

/* call-insl-huge: #PF at the hole. */
static void insl_huge(void)
{
    paging();
    int v = try_call(insl_body, NULL);
    if (v == T_PF)
        report(vmi_get_cr2() == VA_HOLE, "CR2 %x is the hole (%x)", vmi_get_cr2(), VA_HOLE);
    hostile_judge(v, "rep insl with count 40000000h into 8 bytes before a hole");
}

static const struct hostile_case paging_cases[] = {
    { "pg-beyond-pte", beyond_pte },
    { "pg-end-pte", end_pte },
    { "pg-last-pte", last_pte },
    { "pg-hv-pte", hv_pte },
    { "pg-beyond-pt", beyond_pt },
    { "pg-beyond-pse", beyond_pse },
    { "pg-ps-without-pse", ps_without_pse },
    { "pg-cr3-beyond", cr3_beyond },
    { "pg-cr3-beyond-then-pg", cr3_beyond_then_pg },
    { "pg-rom-write", rom_write },
    { "pg-rom-past-end", rom_past_end },
    { "pg-rom-as-pt", rom_as_pt },
    { "pg-self-map", self_map },
    { "pg-flood-pte", flood_pte },
    { "pg-flood-cr3", flood_cr3 },
    { "pg-cached-remap", cached_remap },
    { "pg-cached-unmap", cached_unmap },
    { "pg-cached-pde", cached_pde },
    { "pg-cached-reuse", cached_reuse },
    { "pg-cached-beyond", cached_beyond },
    { "pg-log-garbage", log_garbage },
    { "pg-site-remap", site_remap },
    { "pg-stack-remap", stack_remap },
    { "pg-fill-stack16", fill_stack16 },
    { "pg-stack-hole", stack_hole },
    { "pg-stack-ro", stack_ro },
    { "pg-kstack-hole", kstack_hole },
    { "pg-kstack-ro", kstack_ro },
    { "pg-user-push-super", user_push },
    { "call-getgdt-straddle", gdt_straddle },
    { "call-getidt-straddle", idt_straddle },
    { "call-getgdt-hv", gdt_hv },
    { "call-setgdt-hv", setgdt_hv },
    { "call-getgdt-mem-end", gdt_mem_end },
    { "call-setgdt-beyond", setgdt_beyond },
    { "call-insl-huge", insl_huge },
};

void guest_main(const char *cmdline)
{
    (void)cmdline;
    hostile_main(paging_cases, HOSTILE_COUNT(paging_cases));
}
