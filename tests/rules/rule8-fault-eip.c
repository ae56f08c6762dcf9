/*
 * rule8-fault-eip.c - rule 8: a VMI call that faults reports the fault at
 * the guest's call site, not inside the ROM: the kernel's handler sees
 * the address of the patched site or of the call instruction, with the
 * return address popped, as if the native instruction had faulted there.
 *
 * The faulting call is RDMSR of an MSR off the hypervisor's allow-list
 * (#GP).  Two call forms:
 *   - a patched site (VMI_SITE with the native RDMSR, which vmi_setup()
 *     rewrites to "call rel32" into the ROM): natively and in
 *     trap-and-emulate mode the native RDMSR itself faults there, so the
 *     check holds in every mode where it faults at all;
 *   - a call through the shim's table ("call *abs32"), mode hv: natively
 *     the fault is in the native stand-in, which is the instruction.
 * Plus bad pointers, hv: GetGDT storing into the read-only ROM (#PF in
 * the hypervisor's handler) and SetPxE storing there (#PF on the ROM's own
 * store instruction).
 */
#include "rules.h"

#define MSR_BAD    0x1234u           /* on no allow-list, in no CPU */
#define RDMSR_CALL 2                 /* VMI_CALL_RDMSR, for VMI_SITE */
#define CALL_REL32_OPCODE 0xE8u
#define PF_ERR_PRESENT 0x1u            /* #PF error code: protection, */
#define PF_ERR_WRITE   0x2u            /* on a write                  */
_Static_assert(RDMSR_CALL == VMI_CALL_RDMSR, "site number");

/* Where each call was made and the stack pointer right before it. */
extern const uint8_t rule8_site[], rule8_call[], rule8_gdt_call[], rule8_pxe_call[];
static uint32_t esp_before;

/* A patched RDMSR site reading MSR_BAD. */
static __attribute__((noinline, noclone)) void site_rdmsr(void *arg)
{
    (void)arg;
    __asm__ volatile("movl %%esp, %0\n\t"
                     ".globl rule8_site\nrule8_site:\n\t"
                     VMI_SITE(2, "rdmsr")
                     : "=m"(esp_before) : "c"(MSR_BAD) : "eax", "edx", "memory");
}

/* RDMSR of MSR_BAD through the shim's table: call *vmi.entry[RDMSR]. */
static __attribute__((noinline, noclone)) void table_rdmsr(void *arg)
{
    (void)arg;
    __asm__ volatile("movl %%esp, %0\n\t"
                     ".globl rule8_call\nrule8_call:\n\t"
                     "call *%1"
                     : "=m"(esp_before) : "m"(VMI_ENTRY(RDMSR)), "c"(MSR_BAD)
                     : "eax", "edx", "memory");
}

/* GetGDT storing its 6 bytes into the first ROM, which is read-only. */
static __attribute__((noinline, noclone)) void table_get_gdt(void *arg)
{
    (void)arg;
    __asm__ volatile("movl %%esp, %0\n\t"
                     ".globl rule8_gdt_call\nrule8_gdt_call:\n\t"
                     "call *%1"
                     : "=m"(esp_before) : "m"(VMI_ENTRY(GetGDT)), "a"(vmi.rom_address)
                     : "ecx", "edx", "memory");
}

/* SetPxE storing an entry into the first ROM, which is read-only. */
static __attribute__((noinline, noclone)) void table_set_pxe(void *arg)
{
    (void)arg;
    __asm__ volatile("movl %%esp, %0\n\t"
                     ".globl rule8_pxe_call\nrule8_pxe_call:\n\t"
                     "call *%1"
                     : "=m"(esp_before) : "m"(VMI_ENTRY(SetPxE)), "a"(0), "d"(vmi.rom_address),
                       "c"(VMI_PAGE_PT)
                     : "memory");
}

/* Is eip inside the option-ROM area? */
static int in_rom(uint32_t eip)
{
    return eip >= HR_SCAN_START && eip < HR_SCAN_END;
}

/* fn must raise `vector` reported at `site` with ESP as before the call. */
static void check(const char *what, void (*fn)(void *), int vector, const uint8_t *site)
{
    int v = try_call(fn, NULL);
    const struct rt_fault *f = &rt_last_fault;
    if (v == RT_NO_FAULT) {
        report(0, "%s: raised no fault", what);
        return;
    }
    report(v == vector, "%s: raises vector %d (want %d), error %x", what, v, vector, f->error);
    report(f->eip == (uint32_t)site && !in_rom(f->eip),
           "%s: reported at the call site %08x (handler saw eip %08x)", what,
           (uint32_t)site, f->eip);
    report(f->esp == esp_before, "%s: with the return address popped (esp %08x, before the call %08x)",
           what, f->esp, esp_before);
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    if (rules_vmi())
        report(rule8_site[0] == CALL_REL32_OPCODE, "the RDMSR site is patched to call rel32 (%02x)",
               rule8_site[0]);
    if (!rules_ring1() && try_call(site_rdmsr, NULL) == RT_NO_FAULT)
        report_skip("RDMSR 0x1234 natively: this CPU model answers it without #GP");
    else
        check("RDMSR 0x1234 at a patched site", site_rdmsr, T_GP, rule8_site);
    if (!rules_vmi()) {
        report_skip("table calls: the native stand-in's own instruction faults (%s)",
                    rules_ring1() ? "trap-and-emulate" : "native");
        return;
    }
    check("RDMSR 0x1234 through call *abs32", table_rdmsr, T_GP, rule8_call);
    check("GetGDT into the read-only ROM", table_get_gdt, T_PF, rule8_gdt_call);
    check("SetPxE into the read-only ROM (the ROM's own store)", table_set_pxe, T_PF,
          rule8_pxe_call);
    report(rt_last_fault.error == (PF_ERR_PRESENT | PF_ERR_WRITE) &&
           vmi_get_cr2() == vmi.rom_address,
           "and the page fault says where: error %x, CR2 %x", rt_last_fault.error, vmi_get_cr2());
}
