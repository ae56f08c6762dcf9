/*
 * start.c - from the multiboot hand-off to guest_main().
 *
 * The order matters:
 *   1. the serial console, with the shim's unpatched (native) port I/O
 *      sites, so everything after can print;
 *   2. the command line, copied out of the loader's memory;
 *   3. vmi_setup(), early and with interrupts still off as the loader left
 *      them: it decides native or VMI and patches the sites;
 *   4. the descriptor tables and the PIC, through the shim;
 *   5. guest_main(), then the summary and the exit port.
 * Runs at the kernel's privilege level; see rt.h.
 */
#include "rt.h"         /* the runtime */
#include "vmi.h"        /* vmi_setup and the shim's decision */
#include "multiboot.h"  /* struct multiboot_info */

#define CMDLINE_MAX 256u

/* The 8259A PICs (Intel 8259A datasheet): remap, then mask every line. */
#define PIC1_CMD      0x20u
#define PIC1_DATA     0x21u
#define PIC2_CMD      0xA0u
#define PIC2_DATA     0xA1u
#define ICW1_INIT_ICW4 0x11u   /* edge triggered, cascade, ICW4 follows */
#define ICW3_MASTER   0x04u    /* the slave hangs on line 2             */
#define ICW3_SLAVE    0x02u    /* ... and knows it                      */
#define ICW4_8086     0x01u
#define PIC_MASK_ALL  0xFFu
#define PIC_SLAVE_BASE (RT_IRQ_BASE + 8u)

const char *rt_cmdline = "";
static char cmdline_buf[CMDLINE_MAX];

extern void *rt_iret_entry;    /* entry.asm: where traps return through */

void rt_start(uint32_t magic, const struct multiboot_info *mbi);

/* The logger vmi_setup() prints its messages with. */
static void shim_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

/* Check the loader's magic and copy the command line; 0 if not multiboot. */
static int cmdline_init(uint32_t magic, const struct multiboot_info *mbi)
{
    if (magic != MB_BOOT_MAGIC)
        return 0;
    if (mbi->flags & MB_INFO_CMDLINE) {
        const char *src = (const char *)(uintptr_t)mbi->cmdline;
        size_t n = strlen(src);
        if (n >= sizeof(cmdline_buf))
            n = sizeof(cmdline_buf) - 1;
        memcpy(cmdline_buf, src, n);
        rt_cmdline = cmdline_buf;
    }
    return 1;
}

/*
 * Move the PIC's lines off the exception vectors (the BIOS leaves IRQ 0 on
 * vector 8, #DF) to RT_IRQ_BASE, and mask them all: a test that wants an
 * interrupt unmasks its line.
 */
static void pic_init(void)
{
    const uint8_t icw[2][4] = {
        { PIC1_CMD, PIC1_DATA, RT_IRQ_BASE, ICW3_MASTER },
        { PIC2_CMD, PIC2_DATA, PIC_SLAVE_BASE, ICW3_SLAVE },
    };
    for (unsigned i = 0; i < 2; i++) {
        vmi_outb(icw[i][0], ICW1_INIT_ICW4);
        vmi_io_delay();
        vmi_outb(icw[i][1], icw[i][2]);
        vmi_io_delay();
        vmi_outb(icw[i][1], icw[i][3]);
        vmi_io_delay();
        vmi_outb(icw[i][1], ICW4_8086);
        vmi_io_delay();
        vmi_outb(icw[i][1], PIC_MASK_ALL);
    }
}

/* Say what the shim decided, in a form tests/lib/boot.sh can check. */
static void print_vmi_state(void)
{
    if (vmi.mode == VMI_MODE_VMI)
        printf("rt: VMI mode, ROM at 0x%05x, API %u.%u\n", vmi.rom_address,
               vmi.api_major, vmi.api_minor);
    else
        printf("rt: native mode (%s)\n", vmi.native_reason ? vmi.native_reason : "?");
    if (vmi.rom_address)
        printf("ROM-ADDRESS: 0x%05x\n", vmi.rom_address);
    printf("rt: kernel in ring %u, %u of %u VMI sites patched\n", rt_seg.cpl,
           vmi.sites_patched, vmi.sites_total);
}

/* Called by _start on the boot stack; never returns. */
void rt_start(uint32_t magic, const struct multiboot_info *mbi)
{
    console_init();
    printf("\nrt: HyperROM guest runtime\n");
    if (!cmdline_init(magic, mbi)) {
        report(0, "booted by a multiboot loader (magic %08x)", magic);
        report_summary();
    }
    printf("rt: command line \"%s\"\n", rt_cmdline);
    vmi_setup((const volatile uint8_t *)HR_LEGACY_SCAN_START, rt_cmdline, shim_log);
    if (vmi.entry[VMI_CALL_IRET])
        rt_iret_entry = vmi.entry[VMI_CALL_IRET];
    desc_init();
    pic_init();
    print_vmi_state();
    guest_main(rt_cmdline);
    report_summary();
}
