/*
 * linuxscan.c - find the ROM the way a VMI Linux kernel (2.6.21-2.6.36)
 * did, with code of our own that shares nothing with the shim or romcheck,
 * and run the ROM's code on the real CPU.
 *
 * Linux scanned C0000h-DFFFFh in 2 KiB steps for 55 AA and "cVmi", wanted
 * API major 3, minor >= 0, a PCI header (a vendor/device mismatch only
 * warned) and a license of exactly "GPL" or "GPL v2"; then it called
 * VMI_Init and, for every call, GetRelocationInfo (regparm: the call in
 * EAX, the 64-bit record back in EDX:EAX).  Here the ROM code runs natively
 * in ring 0 (modes native-rom) or in ring 1 on the hypervisor (hv).
 */
#include "rt.h"     /* report */
#include "vmi.h"    /* the shim's decision, for the hypervisor mode */

#define LINUX_SCAN_START 0xC0000u     /* where Linux began */
#define SCAN_END         0xE0000u
#define SCAN_STEP        2048u
#define ROM_UNIT         512u
#define WANT_MAJOR       3u
#define WANT_MINOR       0u
#define PCIR_REV3        3u            /* PCI Firmware 3.0 structure revision */
#define PCIR_SIZE        0x1Cu         /* ... whose length is 1Ch           */

typedef int (*vmi_init_fn)(void);
typedef uint64_t (*get_reloc_fn)(uint32_t) __attribute__((regparm(3)));

/* Little-endian loads from the ROM area. */
static uint32_t rd8(uint32_t a) { return *(const volatile uint8_t *)(uintptr_t)a; }
static uint32_t rd16(uint32_t a) { return *(const volatile uint16_t *)(uintptr_t)a; }
static uint32_t rd32(uint32_t a) { return *(const volatile uint32_t *)(uintptr_t)a; }

/* Linux's check_vmi_rom(): 1 if the ROM at base is one it would use. */
static int linux_would_use(uint32_t base)
{
    if (rd16(base) != 0xAA55u || rd32(base + 8) != 0x696d5663u)   /* 55 AA, "cVmi" */
        return 0;
    uint32_t minor = *(const volatile uint8_t *)(uintptr_t)(base + 12);
    uint32_t major = *(const volatile uint8_t *)(uintptr_t)(base + 13);
    if (major != WANT_MAJOR || minor + 1 < WANT_MINOR + 1)   /* as Linux wrote it */
        return 0;
    uint32_t pci = rd16(base + 24), lic = rd16(base + 22);
    if (!pci || rd32(base + pci) != 0x52494350u)                    /* "PCIR" */
        return 0;
    const char *license = lic ? (const char *)(uintptr_t)(base + lic) : "unspecified";
    return !strcmp(license, "GPL") || !strcmp(license, "GPL v2");
}

/* Scan as Linux did; the first usable ROM's address, or 0. */
static uint32_t linux_scan(void)
{
    for (uint32_t a = LINUX_SCAN_START; a < SCAN_END; a += SCAN_STEP)
        if (linux_would_use(a))
            return a;
    return 0;
}

/* The header's fields Linux printed, and the checksum SeaBIOS verified. */
static void check_header(uint32_t rom)
{
    uint32_t size = *(const volatile uint8_t *)(uintptr_t)(rom + 2) * ROM_UNIT;
    uint8_t sum = 0;
    for (uint32_t i = 0; i < size; i++)
        sum = (uint8_t)(sum + *(const volatile uint8_t *)(uintptr_t)(rom + i));
    report(sum == 0, "checksum over romLength * 512 = %u bytes is zero", size);
    uint32_t pci = rom + rd16(rom + 24);
    report(rd16(pci + 4) == 0x15ADu && rd16(pci + 6) == 0x0801u,
           "PCIR vendor 15ad device 0801 (Linux's VMI device)");
    report(rd8(pci + 12) == PCIR_REV3 && rd16(pci + 10) == PCIR_SIZE &&
           rd16(pci + 16) == size / ROM_UNIT,
           "PCIR revision 3, length 1Ch, image length = romLength");
    report(!strcmp((const char *)(uintptr_t)(rom + rd16(rom + 22)), "GPL v2"),
           "license \"GPL v2\"");
}

/* GetRelocationInfo for every call, run on the CPU: each record points
 * into the ROM with a type Linux accepted. */
static void check_relocations(uint32_t rom)
{
    get_reloc_fn get_reloc = (get_reloc_fn)(uintptr_t)(rom + HR_GET_RELOC_OFFSET);
    uint32_t size = *(const volatile uint8_t *)(uintptr_t)(rom + 2) * ROM_UNIT;
    unsigned good = 0, calls = 0, jumps = 0;
    for (uint32_t c = 0; c < VMI_CALL_COUNT; c++) {
        uint64_t r = get_reloc(c);
        uint32_t eip = (uint32_t)r, type = (uint32_t)(r >> 32) & 0xFFu;
        int inside = eip >= rom + HR_CODE_OFFSET && eip < rom + size;
        good += inside && (type == HR_RELOC_CALL_REL || type == HR_RELOC_JUMP_REL);
        calls += type == HR_RELOC_CALL_REL;
        jumps += type == HR_RELOC_JUMP_REL;
    }
    report(good == VMI_CALL_COUNT, "GetRelocationInfo: %u of %u calls give an entry inside "
           "the ROM (%u CALL_REL, %u JUMP_REL)", good, VMI_CALL_COUNT, calls, jumps);
    uint64_t r = get_reloc(VMI_CALL_IRET);
    report(((r >> 32) & 0xFFu) == HR_RELOC_JUMP_REL, "IRET is JUMP_REL");
    r = get_reloc(VMI_CALL_COUNT);
    report((uint32_t)r == 0 && ((r >> 32) & 0xFFu) == HR_RELOC_NONE,
           "call %u (beyond 73) gives NONE", VMI_CALL_COUNT);
}

void guest_main(const char *cmdline)
{
    int hv = strstr(cmdline, "mode=hv") != NULL;
    uint32_t rom = linux_scan();
    report(rom != 0, "a Linux-style scan from C0000h finds a usable VMI ROM at %x", rom);
    if (!rom)
        return;
    report(rom % SCAN_STEP == 0, "on a 2 KiB boundary");
    check_header(rom);
    check_relocations(rom);
    if (hv) {
        report(vmi.mode == VMI_MODE_VMI, "on the hypervisor the shim already entered VMI mode");
        report(rd32(rom + 16) == HR_VIRTUAL_TOP, "virtual_top %x: the hypervisor's area, "
               "filled in (and the checksum still holds)", rd32(rom + 16));
        return;
    }
    int r = ((vmi_init_fn)(uintptr_t)(rom + HR_VMI_INIT_OFFSET))();
    report(r == HR_INIT_FAILED, "VMI_Init returns -1 without a hypervisor (got %d)", r);
}
