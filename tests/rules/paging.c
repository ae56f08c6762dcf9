/*
 * paging.c - the guest's paging, natively and on the hypervisor's shadow
 * page tables (spec section 9, "Paging"): what a page-table entry grants
 * and refuses, the page faults and their error codes and CR2, accessed
 * and dirty bits, INVLPG and CR3 loads, 4 MiB pages, and the hypervisor
 * reaching memory the guest maps only through paging.
 *
 * The page tables are written with plain stores and the TLB flushed
 * through the shim, as a native kernel does: under the hypervisor the
 * shadow tables follow without SetPxE.  Under the hypervisor also: its
 * area stays out of reach even where the guest maps it, and a ROM mapped
 * writable stays read-only.
 *
 *   case=beyond  (hv) an entry mapping a frame past guest memory: the
 *                guest is terminated naming "guest memory".
 */
#include "rules.h"

#define PG_P        0x001u
#define PG_W        0x002u
#define PG_U        0x004u
#define PG_A        0x020u
#define PG_D        0x040u
#define PG_PS       0x080u         /* a 4 MiB page (CR4.PSE)              */
#define CR0_WP_BIT  0x00010000u    /* supervisor writes obey read-only    */
#define CR4_PSE_BIT 0x00000010u
#define CPUID_PSE   (1u << 3)      /* CPUID 1 EDX                         */
#define PF_P        0x1u           /* #PF error code bits                 */
#define PF_W        0x2u
#define PF_U        0x4u
#define ENTRIES     1024u
#define PAGE        4096u
#define PD_SHIFT    22
#define PT_SHIFT    12
#define LARGE_PAGE  (1u << PD_SHIFT)
#define MAGIC_A     0xA11CE00Au
#define MAGIC_B     0xB0B0000Bu

/* The test's linear addresses: the first 4 MiB stay identity-mapped (user
 * and writable: the kernel, its stacks, the ROMs); these follow. */
#define VA_SUPER    0x00400000u    /* supervisor only: frame_a            */
#define VA_RO       0x00401000u    /* read-only, user: frame_b            */
#define VA_ABSENT   0x00402000u    /* not present                         */
#define VA_ROM      0x00403000u    /* the first ROM page, writable        */
#define VA_BEYOND   0x00404000u    /* case=beyond: past guest memory      */
#define VA_LARGE    0x00800000u    /* a 4 MiB page onto physical 0        */
#define VA_ALIAS    0x40000000u    /* frame_c, reached only by paging     */
#define ALIAS_SPACES 160u          /* 4 MiB regions from VA_ALIAS, all onto
                                      frame_c: more than the hypervisor
                                      keeps shadow tables for at once     */
#define VA_HV       0xF0100000u    /* the hypervisor's image, on it       */
#define ROM_FIRST   HR_SCAN_START  /* where the hypervisor puts the ROM   */
#define PAST_MEMORY 0x7FF00000u    /* far past any guest's memory         */

static uint32_t pd[ENTRIES] __attribute__((aligned(PAGE)));
static uint32_t pd2[ENTRIES] __attribute__((aligned(PAGE)));
static uint32_t pt_low[ENTRIES] __attribute__((aligned(PAGE)));
static uint32_t pt_test[ENTRIES] __attribute__((aligned(PAGE)));
static uint32_t pt_test2[ENTRIES] __attribute__((aligned(PAGE)));
static uint32_t pt_alias[ENTRIES] __attribute__((aligned(PAGE)));
static uint32_t pt_hv[ENTRIES] __attribute__((aligned(PAGE)));
static volatile uint32_t frame_a[ENTRIES] __attribute__((aligned(PAGE)));
static volatile uint32_t frame_b[ENTRIES] __attribute__((aligned(PAGE)));
static volatile uint32_t frame_c[ENTRIES] __attribute__((aligned(PAGE)));
static volatile uint32_t seen;

/* The page-table entry of test address va in pt_test. */
static uint32_t *pte_of(uint32_t va)
{
    return &pt_test[(va >> PT_SHIFT) & (ENTRIES - 1)];
}

/* Build both address spaces: pd as described above, pd2 the same but
 * with VA_SUPER onto frame_b. */
static void build_tables(void)
{
    for (uint32_t i = 0; i < ENTRIES; i++)
        pt_low[i] = (i << PT_SHIFT) | PG_P | PG_W | PG_U;
    *pte_of(VA_SUPER) = (uint32_t)frame_a | PG_P | PG_W;
    *pte_of(VA_RO) = (uint32_t)frame_b | PG_P | PG_U;
    *pte_of(VA_ROM) = ROM_FIRST | PG_P | PG_W | PG_U;
    *pte_of(VA_BEYOND) = PAST_MEMORY | PG_P | PG_W;
    pt_alias[0] = (uint32_t)frame_c | PG_P | PG_W;
    pt_hv[(VA_HV >> PT_SHIFT) & (ENTRIES - 1)] = (uint32_t)frame_c | PG_P | PG_W;
    pd[0] = (uint32_t)pt_low | PG_P | PG_W | PG_U;
    pd[VA_SUPER >> PD_SHIFT] = (uint32_t)pt_test | PG_P | PG_W | PG_U;
    pd[VA_LARGE >> PD_SHIFT] = 0 | PG_PS | PG_P | PG_W;
    for (uint32_t i = 0; i < ALIAS_SPACES; i++)
        pd[(VA_ALIAS >> PD_SHIFT) + i] = (uint32_t)pt_alias | PG_P | PG_W;
    pd[VA_HV >> PD_SHIFT] = (uint32_t)pt_hv | PG_P | PG_W;
    memcpy(pd2, pd, sizeof(pd2));
    memcpy(pt_test2, pt_test, sizeof(pt_test2));
    pt_test2[(VA_SUPER >> PT_SHIFT) & (ENTRIES - 1)] = (uint32_t)frame_b | PG_P | PG_W;
    pd2[VA_SUPER >> PD_SHIFT] = (uint32_t)pt_test2 | PG_P | PG_W | PG_U;
    frame_a[0] = MAGIC_A;
    frame_b[0] = MAGIC_B;
}

/* try_call bodies: read or write the word at linear *(uint32_t *)arg. */
static void peek(void *arg) { seen = *(volatile uint32_t *)*(uint32_t *)arg; }
static void poke(void *arg) { *(volatile uint32_t *)*(uint32_t *)arg = MAGIC_B; }

/* Run fn on address va in the kernel (user = 0) or in ring 3; expect a
 * page fault with error code err (or none if err < 0). */
static void expect_pf(void (*fn)(void *), uint32_t va, int user, int err, const char *what)
{
    int v = user ? rt_user_call(fn, &va) : try_call(fn, &va);
    if (err < 0) {
        report(v == RT_NO_FAULT, "%s: no fault (vector %d)", what, v);
        return;
    }
    uint32_t cr2 = vmi_get_cr2();
    report(v == T_PF && rt_last_fault.error == (uint32_t)err && cr2 == va,
           "%s: #PF, error %x, CR2 %x (vector %d, error %x, CR2 %x)",
           what, (uint32_t)err, va, v, rt_last_fault.error, cr2);
}

/* Entries, faults and bits in the first address space. */
static void test_entries(void)
{
    seen = 0;
    expect_pf(peek, VA_SUPER, 0, -1, "the kernel reads a supervisor page");
    report(seen == MAGIC_A, "it reads frame A through it (%x)", seen);
    report((*pte_of(VA_SUPER) & (PG_A | PG_D)) == PG_A && (pd[1] & PG_A),
           "the read set the accessed bits, not dirty (PTE %x)", *pte_of(VA_SUPER));
    expect_pf(poke, VA_SUPER, 0, -1, "the kernel writes it");
    report(frame_a[0] == MAGIC_B && (*pte_of(VA_SUPER) & PG_D),
           "the write reached frame A and set the dirty bit (PTE %x)", *pte_of(VA_SUPER));
    frame_a[0] = MAGIC_A;
    expect_pf(peek, VA_ABSENT, 0, 0, "reading a page not present");
    expect_pf(poke, VA_RO, 0, PF_P | PF_W, "the kernel writing a read-only page (CR0.WP)");
    report(frame_b[0] == MAGIC_B && !(*pte_of(VA_RO) & PG_D), "frame B unchanged, not dirty");
    expect_pf(peek, VA_RO, 1, -1, "user mode reads a user page");
    expect_pf(peek, VA_SUPER, 1, PF_P | PF_U, "user mode reading a supervisor page");
    expect_pf(poke, VA_RO, 1, PF_P | PF_W | PF_U, "user mode writing a read-only page");
}

/* INVLPG and CR3 loads make a changed entry or space take effect. */
static void test_flushes(void)
{
    *pte_of(VA_SUPER) = (uint32_t)frame_b | PG_P | PG_W;
    vmi_inval_page(VA_SUPER);
    report(*(volatile uint32_t *)VA_SUPER == MAGIC_B, "entry changed + INVLPG: frame B");
    *pte_of(VA_SUPER) = (uint32_t)frame_a | PG_P | PG_W;
    vmi_inval_page(VA_SUPER);
    vmi_set_cr3((uint32_t)pd2);
    report(*(volatile uint32_t *)VA_SUPER == MAGIC_B, "the second address space: frame B");
    vmi_set_cr3((uint32_t)pd);
    report(*(volatile uint32_t *)VA_SUPER == MAGIC_A, "back to the first: frame A");
}

/* Memory reached only through paging: by the kernel and by a VMI call. */
static void test_alias(void)
{
    struct vmi_dtr direct, *aliased = (struct vmi_dtr *)VA_ALIAS;
    *(volatile uint32_t *)VA_ALIAS = MAGIC_A;
    report(frame_c[0] == MAGIC_A, "a store through the alias at %x reaches frame C", VA_ALIAS);
    vmi_get_gdt(&direct);
    frame_c[0] = frame_c[1] = 0;
    vmi_get_gdt(aliased);
    report(!memcmp((const void *)frame_c, &direct, sizeof(direct)),
           "GetGDT stores through the guest's paging (base %x)", direct.base);
    uint32_t good = 0;
    for (uint32_t round = 0; round < 2; round++)
        for (uint32_t i = 0; i < ALIAS_SPACES; i++) {
            frame_c[0] = i + round;
            good += *(volatile uint32_t *)(VA_ALIAS + (i << PD_SHIFT)) == i + round;
        }
    report(good == 2 * ALIAS_SPACES, "%u regions of 4 MiB, twice over, all reach frame C (%u of %u)",
           ALIAS_SPACES, good, 2 * ALIAS_SPACES);
}

/* A 4 MiB page, where the CPU has them. */
static void test_large(void)
{
    uint32_t r[4];
    vmi_cpuid(1, 0, r);
    if (!(r[3] & CPUID_PSE)) {
        report_skip("4 MiB pages: the CPU has no PSE");
        return;
    }
    vmi_set_cr4(vmi_get_cr4() | CR4_PSE_BIT);
    uint32_t va = VA_LARGE + (uint32_t)frame_a;
    report(*(volatile uint32_t *)va == MAGIC_A, "a 4 MiB page at %x reaches frame A", VA_LARGE);
    report(pd[VA_LARGE >> PD_SHIFT] & PG_A, "and its directory entry is accessed");
    vmi_set_cr4(vmi_get_cr4() & ~CR4_PSE_BIT);
}

/* What only the hypervisor guards: its own area and the ROMs. */
static void test_guarded(void)
{
    if (!rules_ring1()) {
        report_skip("the hypervisor's area and the ROM pages: native has neither");
        return;
    }
    seen = 0;
    uint32_t va = VA_HV;
    int v = try_call(peek, &va);
    report((v == T_PF || v == T_GP) && seen != MAGIC_A,
           "mapping the hypervisor's area in the guest's tables reaches nothing (vector %d)", v);
    expect_pf(peek, VA_ROM, 0, -1, "the kernel reads the ROM mapped writable");
    report(seen == (*(volatile uint32_t *)ROM_FIRST), "the same ROM bytes (%x)", seen);
    expect_pf(poke, VA_ROM, 0, PF_P | PF_W, "writing the ROM through a writable entry");
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    const char *c = rules_case("all");
    uint32_t cr0 = vmi_get_cr0();
    build_tables();
    vmi_set_cr3((uint32_t)pd);
    vmi_set_cr0(cr0 | CR0_PG | CR0_WP_BIT);
    report(vmi_get_cr0() & CR0_PG, "paging on (CR0 %x)", vmi_get_cr0());
    if (!strcmp(c, "beyond")) {
        rules_expect_termination("guest memory", "an entry past the guest's memory");
        seen = *(volatile uint32_t *)VA_BEYOND;
        rules_survived("a mapping past guest memory");
    } else {
        test_entries();
        test_flushes();
        test_alias();
        test_large();
        test_guarded();
    }
    vmi_set_cr0(cr0);
    report(!(vmi_get_cr0() & CR0_PG) && frame_a[0] == MAGIC_A, "paging off again");
    report_summary();
}
