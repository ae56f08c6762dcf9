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
 * hypervisor); every privileged operation goes through the shim.
 */
#include "rt.h"     /* printf, the runtime's tables */
#include "vmi.h"    /* the shim */

#define CPUID_VENDOR_LEAF 0u
#define VENDOR_LEN        12u

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
    printf("demo: done\n");
}
