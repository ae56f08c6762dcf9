/*
 * vmi_setup.c - vmi_setup(): native or VMI, decided once at boot.
 *
 * The steps, each in its own file: the "novmi" word and the ROM scan
 * (vmi_detect.c), VMI_Init and the call table (vmi_bind.c), the call
 * sites (vmi_patch.c).  Whatever fails, the guest ends up consistently
 * native: every entry its native stub, every site its native instruction.
 *
 * Also owns the shim's state, vmi, whose entries start out native so the
 * kernel may use the table calls even before vmi_setup().
 *
 * 32-bit, freestanding, at the kernel's privilege level (ring 0 native,
 * ring 1 under the hypervisor), early, with interrupts off.
 */
#include <stddef.h>
#include <stdint.h>
#include "hyperrom.h"
#include "vmi.h"
#include "vmi_impl.h"

#define NOVMI_WORD        "novmi"
#define REASON_NOT_YET    "vmi_setup() has not run"
#define REASON_NOVMI      "novmi on the command line"
#define REASON_NO_ROM     "no usable VMI ROM"
#define REASON_INIT       "VMI_Init failed"

struct vmi_state vmi = {
    .mode = VMI_MODE_NATIVE,
    .native_reason = REASON_NOT_YET,
    .entry = VMI_NATIVE_ENTRIES,      /* reloc_type[]: all 0, NONE */
};

/*
 * The kernel's linker script brackets the .vmi_sites records with these
 * (see vmi.h and guest/vmi_sites.ld).  Weak: a kernel without them links,
 * both resolve to address 0 and there are no sites.
 */
extern const struct vmi_site __vmi_sites_start[] __attribute__((weak));
extern const struct vmi_site __vmi_sites_end[] __attribute__((weak));

/* Number of site records the kernel was linked with. */
static uint32_t site_count(void)
{
    const struct vmi_site *b = __vmi_sites_start, *e = __vmi_sites_end;

    if (!b || !e || e < b)
        return 0;
    return (uint32_t)(e - b);
}

/* Settle on native mode for reason, log it, return the mode. */
static enum vmi_mode go_native(const char *reason, vmi_log_fn log)
{
    vmi_bind_native(&vmi);
    vmi.mode = VMI_MODE_NATIVE;
    vmi.native_reason = reason;
    vmi.virtual_top = 0;
    vmi.sites_patched = 0;
    VMI_LOG(log, "VMI: %s, running native\n", reason);
    return VMI_MODE_NATIVE;
}

/* Switch to the ROM: bind every call, patch every site, log it. */
static enum vmi_mode go_vmi(const struct vmi_rom *rom, vmi_log_fn log)
{
    vmi_bind(&vmi, rom, log);
    vmi.mode = VMI_MODE_VMI;
    vmi.native_reason = NULL;
    vmi.virtual_top = rom->virtual_top;
    if (vmi.sites_total)
        vmi.sites_patched = vmi_patch_sites(&vmi, __vmi_sites_start,
                                            __vmi_sites_end, log);
    VMI_LOG(log, "VMI: running on the hypervisor; %u of %u call sites "
            "patched\n", vmi.sites_patched, vmi.sites_total);
    return VMI_MODE_VMI;
}

/* Decide native or VMI once, and make every call and site agree. */
enum vmi_mode vmi_setup(const volatile uint8_t *rom_area, const char *cmdline,
                        vmi_log_fn log)
{
    static int done;
    struct vmi_rom rom;

    /* Sites patched for one ROM cannot be unpatched: decide only once. */
    if (done) {
        VMI_LOG(log, "VMI: vmi_setup() called again; staying %s\n",
                vmi.mode == VMI_MODE_VMI ? "on the hypervisor" : "native");
        return vmi.mode;
    }
    done = 1;
    vmi.sites_total = site_count();
    vmi.rom_address = 0;
    vmi.api_major = vmi.api_minor = 0;
    if (vmi_cmdline_has(cmdline, NOVMI_WORD))
        return go_native(REASON_NOVMI, log);
    if (!vmi_detect(rom_area, log, &rom))
        return go_native(REASON_NO_ROM, log);
    vmi.rom_address = rom.address;
    vmi.api_major = rom.api_major;
    vmi.api_minor = rom.api_minor;
    if (vmi_rom_init(&rom) != HR_INIT_OK)
        return go_native(REASON_INIT, log);
    return go_vmi(&rom, log);
}
