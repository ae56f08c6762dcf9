/*
 * detect.c - does the shim find the ROM SeaBIOS loaded, and only that,
 * and fall back to native cleanly when there is no hypervisor behind it?
 *
 * The boot mode comes from the command line (tests/lib/boot.sh puts
 * "mode=MODE" first):
 *   native       no ROM anywhere: native, "no usable VMI ROM", nothing bound
 *                to the ROM area
 *   native-rom   a ROM where SeaBIOS put it: found at a 2 KiB step in the
 *                scan range, header and checksum good, API 3.0; VMI_Init
 *                fails (ring 0, no hypervisor) and the guest stays native,
 *                every call bound outside the ROM
 *   novmi        on the command line in any mode: native, reason "novmi"
 * The runtime prints "ROM-ADDRESS: 0x..." for the ROM the shim found;
 * boot.sh checks it against SeaBIOS's log.
 */
#include "rt.h"     /* report */
#include "vmi.h"    /* the shim's state */

#define MODE_MAX 16u

/* The ROM header the shim says it found, read straight from memory. */
static const struct hyperrom_header *found_rom(void)
{
    return (const struct hyperrom_header *)(uintptr_t)vmi.rom_address;
}

/* 1 if p lies in the option-ROM area (where a bound entry would be the ROM's). */
static int in_rom_area(const void *p)
{
    uint32_t a = (uint32_t)(uintptr_t)p;
    return a >= HR_LEGACY_SCAN_START && a < HR_SCAN_END;
}

/* Native fallback: every call bound, none of them into the ROM area. */
static void check_bound_native(void)
{
    unsigned unbound = 0, into_rom = 0;
    for (unsigned i = 0; i < VMI_CALL_COUNT; i++) {
        unbound += vmi.entry[i] == NULL;
        into_rom += in_rom_area(vmi.entry[i]);
    }
    report(unbound == 0, "all %u calls are bound (%u unbound)", VMI_CALL_COUNT, unbound);
    report(into_rom == 0, "no call is bound into the ROM area (%u are)", into_rom);
    report(vmi.sites_patched == 0, "no call site patched (%u of %u)",
           vmi.sites_patched, vmi.sites_total);
}

/* The reason for native mode mentions what. */
static void check_reason(const char *what)
{
    const char *r = vmi.native_reason ? vmi.native_reason : "(none)";
    report(vmi.mode == VMI_MODE_NATIVE, "mode is native");
    report(strstr(r, what) != NULL, "native because \"%s\" (expected \"%s\")", r, what);
}

/* 8-bit sum of the ROM's romLength * 512 bytes. */
static uint8_t rom_sum(const struct hyperrom_header *h)
{
    const volatile uint8_t *p = (const volatile uint8_t *)h;
    uint8_t sum = 0;
    for (uint32_t i = 0; i < h->rom_length * HR_ROM_UNIT; i++)
        sum += p[i];
    return sum;
}

/* Call the ROM's VMI_Init jump point ourselves; returns what it returns. */
static int call_vmi_init(const struct hyperrom_header *h)
{
    int ret;
    uintptr_t entry = (uintptr_t)h + HR_VMI_INIT_OFFSET;
    __asm__ volatile("call *%1" : "=a"(ret) : "r"(entry) : "ecx", "edx", "memory", "cc");
    return ret;
}

/* The header at the address the shim reports is a real, valid VMI ROM. */
static void check_found_rom(void)
{
    const struct hyperrom_header *h = found_rom();
    uint32_t a = vmi.rom_address;
    report(a >= HR_LEGACY_SCAN_START && a < HR_SCAN_END && a % HR_SCAN_STEP == 0,
           "ROM found at 0x%05x, a 2 KiB step inside the option-ROM area", a);
    if (!a)
        return;
    report(h->rom_signature == HR_ROM_SIGNATURE && h->hyper_signature == HR_VMI_SIGNATURE,
           "it has the 55 AA and \"cVmi\" signatures");
    report(a + h->rom_length * HR_ROM_UNIT <= HR_SCAN_END && rom_sum(h) == 0,
           "its %u bytes sum to zero", h->rom_length * HR_ROM_UNIT);
    report(vmi.api_major == HR_API_MAJOR && vmi.api_minor == HR_API_MINOR,
           "the shim reports API %u.%u", vmi.api_major, vmi.api_minor);
    report(h->api_version_major == vmi.api_major && h->api_version_minor == vmi.api_minor,
           "the header says the same (%u.%u)", h->api_version_major, h->api_version_minor);
}

/* native: nothing to find. */
static void check_native(void)
{
    check_reason("no usable VMI ROM");
    report(vmi.rom_address == 0, "no ROM address (got 0x%05x)", vmi.rom_address);
    check_bound_native();
}

/* native-rom: found, refused by VMI_Init, native. */
static void check_native_rom(void)
{
    check_found_rom();
    check_reason("VMI_Init failed");
    check_bound_native();
    if (vmi.rom_address) {
        int r = call_vmi_init(found_rom());
        report(r == HR_INIT_FAILED, "VMI_Init called again in ring %u returns -1 (got %d)",
               rt_seg.cpl, r);
    }
}

/* novmi: native no matter what is there. */
static void check_novmi(void)
{
    check_reason("novmi");
    check_bound_native();
}

/* hv: on the hypervisor the shim must use the ROM. */
static void check_hv(void)
{
    report(vmi.mode == VMI_MODE_VMI, "mode is VMI");
    check_found_rom();
}

/* Entry from the runtime: pick the expectations for the boot mode. */
void guest_main(const char *cmdline)
{
    char mode[MODE_MAX] = "";
    cmdline_get(cmdline, "mode", mode, sizeof(mode));
    if (cmdline_has(cmdline, "novmi"))
        check_novmi();
    else if (!strcmp(mode, "native"))
        check_native();
    else if (!strcmp(mode, "native-rom"))
        check_native_rom();
    else if (!strcmp(mode, "hv"))
        check_hv();
    else
        report(0, "known boot mode on the command line (mode=%s)", mode);
}
