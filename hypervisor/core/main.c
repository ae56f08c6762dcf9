/*
 * main.c - the hypervisor's start: console, tables, memory, then the guest.
 * Ring 0, paging on (boot.asm), interrupts off until the guest runs.
 *
 * Command line (the multiboot kernel command line, e.g. QEMU -append):
 *   guest_mem=SIZE   guest memory, e.g. 32M (default 32 MiB)
 *   syscall=VECTOR   the direct system-call vector (default 0x80)
 *   backdoor=off     refuse the RDPMC pseudo-counters to user code
 *   ports=emulate    trap the console's ports too (default: passthrough)
 *   stats=off        print no exit statistics at the end
 *   log=quiet        print only problems, not the boot messages
 */
#include "hv.h"
#include "multiboot.h"
#include "vdev.h"

#define MULTIBOOT_LOADER_MAGIC 0x2BADB002u

/* Apply the options that are not read where they are used. */
static void options(const char *cmd)
{
    extern uint32_t syscall_vector;
    const char *v;
    if ((v = cmdline_get(cmd, "syscall")) != NULL)
        syscall_vector = parse_uint(v) & 0xFFu;
    extern int ports_passthrough;
    if ((v = cmdline_get(cmd, "backdoor")) != NULL && !strncmp(v, "off", 3))
        backdoor_enabled = 0;
    if ((v = cmdline_get(cmd, "ports")) != NULL && !strncmp(v, "emulate", 7))
        ports_passthrough = 0;
    if ((v = cmdline_get(cmd, "stats")) != NULL && !strncmp(v, "off", 3))
        hv_stats = 0;
    if ((v = cmdline_get(cmd, "log")) != NULL && !strncmp(v, "quiet", 5))
        hv_quiet = 1;
}

/* Called by boot.asm with the loader's magic and info block. */
void hv_main(uint32_t magic, uint32_t mbi_phys)
{
    const struct mb_info *mbi = P2V(mbi_phys);
    int multiboot = magic == MULTIBOOT_LOADER_MAGIC;
    const char *cmd = multiboot && (mbi->flags & MB_INFO_CMDLINE) ? P2V(mbi->cmdline) : "";
    console_init(cmd);
    if (!multiboot)
        hv_panic("not started by a multiboot loader (magic %x)", magic);
    options(cmd);
    hv_info("hv: HyperROM hypervisor (VMI API %u.%u), hypervisor area from %p\n",
            HR_API_MAJOR, HR_API_MINOR, HR_VIRTUAL_TOP);
    if (console_shared())
        hv_info("hv: console on COM1, shared with the guest (no COM2): a guest can "
                "imitate or hide these lines\n");
    gdt_init();
    idt_init();
    mem_init(mbi_phys);
    vtimer_init();
    guest_load(mbi_phys);
}
