/*
 * demo.c - the HyperROM demo guest: one kernel that shows what the VMI
 * shim decided and what a few operations return, the same binary on bare
 * hardware, next to a ROM with no hypervisor, and on the hypervisor.
 *
 *   make run-native       QEMU + SeaBIOS, no ROM: native, "no ROM"
 *   make run-native-rom   plus the VMI ROM: found, VMI_Init fails, native
 *   make run-hv           on the hypervisor: VMI mode, sites patched
 *
 * Runs at whatever level it was booted at (ring 0 native, ring 1 on the
 * hypervisor); every privileged operation goes through the shim.  It also
 * runs a user program (ring 3, system calls) and turns paging on to remap
 * a page, checking both with report() lines, so tests/guest.cfg boots it
 * in every mode too.
 */
#include "rt.h"     /* printf, the runtime's tables */
#include "vmi.h"    /* the shim */

#define CPUID_VENDOR_LEAF 0u
#define VENDOR_LEN        12u
#define HV_SIGNATURE_EBX  0x65707948u  /* "Hype": CPUID 40000000h EBX      */
#define DEMO_SYSCALLS     3u
#define ENTRIES           1024u
#define PAGE              4096u
#define PG_PRESENT_RW     0x3u
#define PG_USER           0x4u
#define PT_SHIFT          12
#define PD_SHIFT          22
#define DEMO_VA           0x40000000u  /* a linear address only paging reaches */
#define TEXT_MAX          64u

static uint32_t pd[ENTRIES] __attribute__((aligned(PAGE)));
static uint32_t pt_low[ENTRIES] __attribute__((aligned(PAGE)));
static uint32_t pt_demo[ENTRIES] __attribute__((aligned(PAGE)));
static char page_a[PAGE] __attribute__((aligned(PAGE))) = "page A, the first mapping";
static char page_b[PAGE] __attribute__((aligned(PAGE))) = "page B, after SetPxE + InvalPage";

/* The shim's decision, in words. */
static void show_decision(void)
{
    if (vmi.mode == VMI_MODE_VMI) {
        printf("demo: VMI mode: using the ROM at 0x%05x, API %u.%u\n",
               vmi.rom_address, vmi.api_major, vmi.api_minor);
        return;
    }
    if (vmi.rom_address)
        printf("demo: found a VMI ROM at 0x%05x, API %u.%u, but it is not in "
               "use: %s; running native\n", vmi.rom_address, vmi.api_major,
               vmi.api_minor, vmi.native_reason);
    else
        printf("demo: native mode: %s\n", vmi.native_reason);
}

/* CPUID leaf 0's vendor string (EBX, EDX, ECX). */
static void show_cpuid(void)
{
    uint32_t r[4];
    char vendor[VENDOR_LEN + 1];
    vmi_cpuid(CPUID_VENDOR_LEAF, 0, r);
    memcpy(vendor, &r[1], 4);
    memcpy(vendor + 4, &r[3], 4);
    memcpy(vendor + 8, &r[2], 4);
    vendor[VENDOR_LEN] = '\0';
    printf("demo: CPUID vendor \"%s\", highest leaf %u\n", vendor, r[0]);
}

/* Two RDTSC readings and the cycles between them. */
static void show_rdtsc(void)
{
    uint64_t a = vmi_rdtsc();
    uint64_t b = vmi_rdtsc();
    printf("demo: RDTSC %llu, then %llu (+%llu)\n", a, b, b - a);
}

/* CR0 and the descriptor-table registers, read back through the shim. */
static void show_registers(void)
{
    uint32_t cr0 = vmi_get_cr0();
    struct vmi_dtr gdt, idt;
    vmi_get_gdt(&gdt);
    vmi_get_idt(&idt);
    printf("demo: CR0 %08x (PE=%u TS=%u PG=%u)\n", cr0, !!(cr0 & CR0_PE),
           !!(cr0 & CR0_TS), !!(cr0 & CR0_PG));
    printf("demo: GDT base %08x limit %04x (the runtime's table is at %p)\n",
           gdt.base, gdt.limit, (void *)rt_gdt);
    printf("demo: IDT base %08x limit %04x, TR %04x, kernel CS %04x (ring %u)\n",
           idt.base, idt.limit, vmi_get_tr(), read_cs(), rt_seg.cpl);
}

/* Exits the hypervisor has counted (CPUID 40000001h through the ROM), or
 * -1 where there is no such counter (native, or trap-and-emulate). */
static int32_t exits_so_far(void)
{
    uint32_t r[4];
    if (vmi.mode != VMI_MODE_VMI)
        return -1;
    vmi_cpuid(HR_CPUID_SIGNATURE, 0, r);
    if (r[1] != HV_SIGNATURE_EBX)
        return -1;
    vmi_cpuid(HR_CPUID_EXITS, 0, r);
    return (int32_t)r[0];
}

/* The user program: a few system calls, then back to the kernel. */
static void user_program(void *arg)
{
    (void)arg;
    for (uint32_t i = 0; i < DEMO_SYSCALLS; i++)
        rt_syscall(RT_SYS_COUNT, 0);
}

/* Ring 3 and back, counting the hypervisor's exits on the way. */
static void show_user_mode(void)
{
    uint32_t calls = rt_syscalls;
    int32_t before = exits_so_far();
    int v = rt_user_call(user_program, NULL);
    int32_t after = exits_so_far();
    report(v == RT_NO_FAULT && rt_syscalls == calls + DEMO_SYSCALLS,
           "demo: a user program (ring 3) made %u system calls and came back",
           rt_syscalls - calls);
    if (before >= 0)
        printf("demo: hypervisor exits for the whole trip, calls included: %d "
               "(the system-call gate is direct)\n", (int)(after - before - 1));
}

/* Paging on, a page read through DEMO_VA, remapped, read again, off. */
static void show_paging(void)
{
    char seen[2][TEXT_MAX];
    for (uint32_t i = 0; i < ENTRIES; i++)
        pt_low[i] = (i << PT_SHIFT) | PG_PRESENT_RW | PG_USER;   /* 0-4 MiB as is */
    pt_demo[0] = (uint32_t)page_a | PG_PRESENT_RW;
    pd[0] = (uint32_t)pt_low | PG_PRESENT_RW | PG_USER;
    pd[DEMO_VA >> PD_SHIFT] = (uint32_t)pt_demo | PG_PRESENT_RW;
    uint32_t cr0 = vmi_get_cr0();
    vmi_set_cr3((uint32_t)pd);
    vmi_set_cr0(cr0 | CR0_PG);
    snprintf(seen[0], TEXT_MAX, "%s", (const char *)DEMO_VA);
    vmi_set_pxe((uint32_t)page_b | PG_PRESENT_RW, &pt_demo[0], VMI_PAGE_PT);
    vmi_inval_page(DEMO_VA);
    snprintf(seen[1], TEXT_MAX, "%s", (const char *)DEMO_VA);
    vmi_set_cr0(cr0);
    printf("demo: paging on: linear %08x reads \"%s\", then \"%s\"\n", DEMO_VA,
           seen[0], seen[1]);
    report(!strcmp(seen[0], page_a) && !strcmp(seen[1], page_b),
           "demo: the page tables decide what a linear address reaches");
}

/* Entry from the runtime. */
void guest_main(const char *cmdline)
{
    printf("demo: HyperROM demo guest, command line \"%s\"\n", cmdline);
    show_decision();
    show_cpuid();
    show_rdtsc();
    show_registers();
    printf("demo: %u VMI call sites in this kernel, %u patched\n",
           vmi.sites_total, vmi.sites_patched);
    show_user_mode();
    show_paging();
    printf("demo: done\n");
}
