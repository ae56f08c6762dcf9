/*
 * hyperrom.h - the normative HyperROM / VMI API 3.0 ABI.
 *
 * Every part of HyperROM includes this one header: the ROM (through the
 * NASM include generated from it by spec/asm-offsets.c), the guest shim, the
 * hypervisor and the host tools.  spec/hyperrom.md explains each item in
 * prose; when the two disagree, fix both in the same commit.
 *
 * Plain C11, freestanding: only <stdint.h> and <stddef.h>.
 */
#ifndef HYPERROM_H
#define HYPERROM_H

#include <stdint.h>     /* exact-width integer types */
#include <stddef.h>     /* offsetof for the layout asserts */

#define HR_PACKED __attribute__((packed))

/* ---------------------------------------------------------------------
 * Where ROMs live and how a guest finds them (spec section "Detection").
 * ------------------------------------------------------------------- */
#define HR_SCAN_START        0xC8000u  /* first address a guest scans        */
#define HR_LEGACY_SCAN_START 0xC0000u  /* Linux 2.6.21-2.6.36 began here     */
#define HR_SCAN_END          0xE0000u  /* one past the last option-ROM byte  */
#define HR_SCAN_STEP         0x800u    /* ROMs start on 2 KiB boundaries     */
#define HR_ROM_UNIT          512u      /* romLength counts 512-byte units    */
#define HR_ROM_MAX_SIZE      (HR_SCAN_END - HR_SCAN_START) /* 96 KiB        */

#define HR_ROM_SIGNATURE     0xAA55u      /* bytes 55 AA: BIOS option ROM   */
#define HR_VMI_SIGNATURE     0x696d5663u  /* bytes "cVmi": the VMI class    */
#define HR_API_MAJOR         3u           /* VMI API 3.0, as Linux used it  */
#define HR_API_MINOR         0u

/* ---------------------------------------------------------------------
 * The ROM header: seed 002's HyperRomHeader byte for byte, with the
 * meanings API 3.0 gave to its reserved fields, and HyperROM's own
 * relocation-table pointer in the first bytes of reserved[32].
 * ------------------------------------------------------------------- */
struct hyperrom_header {
    uint16_t rom_signature;      /* @0   HR_ROM_SIGNATURE                     */
    uint8_t  rom_length;         /* @2   size in HR_ROM_UNIT units            */
    uint8_t  rom_entry[4];       /* @3   16-bit init entry (far-called)       */
    uint8_t  rom_pad0;           /* @7                                        */
    uint32_t hyper_signature;    /* @8   HR_VMI_SIGNATURE                     */
    uint8_t  api_version_minor;  /* @12                                       */
    uint8_t  api_version_major;  /* @13                                       */
    uint8_t  jump_slots;         /* @14  reserved0: 8-byte jump points @0x80  */
    uint8_t  reserved1;          /* @15                                       */
    uint32_t virtual_top;        /* @16  reserved2: hypervisor area start     */
    uint16_t reserved3;          /* @20  low half of seed's reserved3         */
    uint16_t license_offset;     /* @22  high half: offset of license string  */
    uint16_t pci_header_offset;  /* @24  offset of the "PCIR" structure       */
    uint16_t pnp_header_offset;  /* @26  offset of the "$PnP" header         */
    uint32_t rom_pad3;           /* @28                                       */
    uint16_t reloc_table_offset; /* @32  HyperROM: static relocation table    */
    uint16_t reloc_table_count;  /* @34  HyperROM: entries in that table      */
    uint8_t  reserved[28];       /* @36  zero                                 */
    uint8_t  elf_header[64];     /* @64  an ELF32 header, see below           */
} HR_PACKED;
_Static_assert(sizeof(struct hyperrom_header) == 128, "header size");
_Static_assert(offsetof(struct hyperrom_header, rom_length) == 2, "romLength");
_Static_assert(offsetof(struct hyperrom_header, rom_entry) == 3, "romEntry");
_Static_assert(offsetof(struct hyperrom_header, rom_pad0) == 7, "romPad0");
_Static_assert(offsetof(struct hyperrom_header, hyper_signature) == 8, "sig");
_Static_assert(offsetof(struct hyperrom_header, api_version_minor) == 12, "min");
_Static_assert(offsetof(struct hyperrom_header, api_version_major) == 13, "maj");
_Static_assert(offsetof(struct hyperrom_header, jump_slots) == 14, "slots");
_Static_assert(offsetof(struct hyperrom_header, reserved1) == 15, "res1");
_Static_assert(offsetof(struct hyperrom_header, virtual_top) == 16, "vtop");
_Static_assert(offsetof(struct hyperrom_header, reserved3) == 20, "res3");
_Static_assert(offsetof(struct hyperrom_header, license_offset) == 22, "lic");
_Static_assert(offsetof(struct hyperrom_header, pci_header_offset) == 24, "pci");
_Static_assert(offsetof(struct hyperrom_header, pnp_header_offset) == 26, "pnp");
_Static_assert(offsetof(struct hyperrom_header, rom_pad3) == 28, "pad3");
_Static_assert(offsetof(struct hyperrom_header, reloc_table_offset) == 32, "rt");
_Static_assert(offsetof(struct hyperrom_header, reloc_table_count) == 34, "rc");
_Static_assert(offsetof(struct hyperrom_header, reserved) == 36, "reserved");
_Static_assert(offsetof(struct hyperrom_header, elf_header) == 64, "elf");

/* The two 8-byte jump points that follow the header (32-bit code). */
#define HR_JUMP_SLOT_SIZE      8u
#define HR_JUMP_SLOTS          2u      /* value of jump_slots                */
#define HR_VMI_INIT_OFFSET     0x80u   /* int VMI_Init(void)                 */
#define HR_GET_RELOC_OFFSET    0x88u   /* u64 GetRelocationInfo(u32 call)    */
#define HR_CODE_OFFSET         0x90u   /* first byte after the jump points   */

/* VMI_Init results. */
#define HR_INIT_OK             0
#define HR_INIT_FAILED         (-1)

/* Linux accepts the ROM only with one of these license strings. */
#define HR_LICENSE_GPL         "GPL"
#define HR_LICENSE_GPL_V2      "GPL v2"

/* ---------------------------------------------------------------------
 * PCI data structure (PCI Firmware spec 3.0, "PCI Data Structure
 * Format").  Revision 0 (PCI Local Bus 2.x) is the first 0x18 bytes, with
 * device_list, max_runtime_length and the last two pointers reserved;
 * revision 3 (PCI Firmware 3.0) is all 0x1C bytes.  HyperROM's is rev 3.
 * ------------------------------------------------------------------- */
#define HR_PCIR_SIGNATURE      0x52494350u /* bytes "PCIR"                  */
#define HR_PCI_VENDOR_VMWARE   0x15ADu     /* what Linux's VMI code expects */
#define HR_PCI_DEVICE_VMI      0x0801u
#define HR_PCIR_REVISION       3u          /* structure revision, PCI FW 3.0 */
#define HR_PCIR_REV0           0u          /* PCI Local Bus 2.x structure   */
#define HR_PCIR_REV0_LENGTH    0x18u       /* a revision-0 structure's size */
#define HR_PCIR_REV3_LENGTH    0x1Cu       /* a revision-3 structure's size */
#define HR_PCIR_CODE_X86       0u          /* code type: Intel x86, PC-AT   */
#define HR_PCIR_LAST_IMAGE     0x80u       /* indicator bit 7               */

struct hyperrom_pcir {
    uint32_t signature;          /* @0  HR_PCIR_SIGNATURE                     */
    uint16_t vendor_id;          /* @4                                        */
    uint16_t device_id;          /* @6                                        */
    uint16_t device_list;        /* @8  rev 3: device ID list, from PCIR; 0   */
    uint16_t length;             /* @10 sizeof(struct hyperrom_pcir)          */
    uint8_t  revision;           /* @12 HR_PCIR_REVISION                      */
    uint8_t  class_code[3];      /* @13 programming interface, sub, base      */
    uint16_t image_length;       /* @16 in HR_ROM_UNIT units                  */
    uint8_t  rom_version_minor;  /* @18 revision level of code/data, low      */
    uint8_t  rom_version_major;  /* @19                            high       */
    uint8_t  code_type;          /* @20 HR_PCIR_CODE_X86                      */
    uint8_t  indicator;          /* @21 HR_PCIR_LAST_IMAGE                    */
    uint16_t max_runtime_length; /* @22 rev 3: in HR_ROM_UNIT units           */
    uint16_t config_utility;     /* @24 rev 3: config code header, 0: none    */
    uint16_t clp_entry;          /* @26 rev 3: DMTF CLP entry point, 0: none  */
} HR_PACKED;
_Static_assert(sizeof(struct hyperrom_pcir) == HR_PCIR_REV3_LENGTH, "PCIR size");
_Static_assert(offsetof(struct hyperrom_pcir, vendor_id) == 4, "vendor");
_Static_assert(offsetof(struct hyperrom_pcir, device_id) == 6, "device");
_Static_assert(offsetof(struct hyperrom_pcir, device_list) == 8, "devlist");
_Static_assert(offsetof(struct hyperrom_pcir, length) == 10, "length");
_Static_assert(offsetof(struct hyperrom_pcir, revision) == 12, "revision");
_Static_assert(offsetof(struct hyperrom_pcir, class_code) == 13, "class");
_Static_assert(offsetof(struct hyperrom_pcir, image_length) == 16, "image");
_Static_assert(offsetof(struct hyperrom_pcir, rom_version_minor) == 18, "rvmin");
_Static_assert(offsetof(struct hyperrom_pcir, code_type) == 20, "code type");
_Static_assert(offsetof(struct hyperrom_pcir, indicator) == 21, "indicator");
_Static_assert(offsetof(struct hyperrom_pcir, max_runtime_length) == 22, "max");
_Static_assert(offsetof(struct hyperrom_pcir, config_utility) == 24, "config");
_Static_assert(offsetof(struct hyperrom_pcir, clp_entry) == 26, "clp");
_Static_assert(offsetof(struct hyperrom_pcir, config_utility) == HR_PCIR_REV0_LENGTH,
               "revision 0 ends where the revision-3 pointers begin");

/* ---------------------------------------------------------------------
 * PnP expansion header (Plug and Play BIOS spec 1.0A, section 3.2).
 * ------------------------------------------------------------------- */
#define HR_PNP_SIGNATURE       0x506e5024u /* bytes "$PnP"                  */
#define HR_PNP_REVISION        1u
#define HR_PNP_LENGTH_UNITS    2u          /* 32 bytes in 16-byte units     */

struct hyperrom_pnp {
    uint32_t signature;          /* @0  HR_PNP_SIGNATURE                      */
    uint8_t  revision;           /* @4  HR_PNP_REVISION                       */
    uint8_t  length;             /* @5  in 16-byte units                      */
    uint16_t next;               /* @6  next header, 0: none                  */
    uint8_t  reserved;           /* @8                                        */
    uint8_t  checksum;           /* @9  header bytes sum to zero              */
    uint32_t device_id;          /* @10                                       */
    uint16_t manufacturer;       /* @14 offset of a NUL-terminated string     */
    uint16_t product;            /* @16 offset of a NUL-terminated string     */
    uint8_t  device_type[3];     /* @18                                       */
    uint8_t  device_indicators;  /* @21                                       */
    uint16_t bcv;                /* @22 boot connection vector, 0: none       */
    uint16_t dv;                 /* @24 disconnect vector                     */
    uint16_t bev;                /* @26 bootstrap entry vector, 0: none       */
    uint16_t reserved2;          /* @28                                       */
    uint16_t static_info;        /* @30 static resource information vector   */
} HR_PACKED;
_Static_assert(sizeof(struct hyperrom_pnp) == 32, "PnP size");
_Static_assert(offsetof(struct hyperrom_pnp, checksum) == 9, "pnp checksum");
_Static_assert(offsetof(struct hyperrom_pnp, device_id) == 10, "pnp devid");
_Static_assert(offsetof(struct hyperrom_pnp, manufacturer) == 14, "pnp mfr");
_Static_assert(offsetof(struct hyperrom_pnp, product) == 16, "pnp product");
_Static_assert(offsetof(struct hyperrom_pnp, bcv) == 22, "pnp bcv");
_Static_assert(offsetof(struct hyperrom_pnp, bev) == 26, "pnp bev");
_Static_assert(offsetof(struct hyperrom_pnp, static_info) == 30, "pnp static");

/* ---------------------------------------------------------------------
 * Relocations.  GetRelocationInfo(call) returns this 64-bit record in
 * EDX:EAX (eip in EAX, type in DL).  The ROM also carries the same facts
 * as a static table (reloc_table_offset) so that tools can check them.
 * ------------------------------------------------------------------- */
enum hr_reloc_type {
    HR_RELOC_NONE     = 0,   /* keep the native instruction               */
    HR_RELOC_CALL_REL = 1,   /* patch "call rel32" to eip                 */
    HR_RELOC_JUMP_REL = 2,   /* patch "jmp rel32" to eip                  */
    HR_RELOC_NOP      = 3,   /* patch nops: the operation is not needed   */
};
#define HR_RELOC_TYPE_MAX  HR_RELOC_NOP

struct hyperrom_reloc_info {
    uint32_t eip;            /* @0 linear address of the entry point        */
    uint8_t  type;           /* @4 enum hr_reloc_type                       */
    uint8_t  reserved[3];    /* @5                                          */
} HR_PACKED;
_Static_assert(sizeof(struct hyperrom_reloc_info) == 8, "reloc info size");
_Static_assert(offsetof(struct hyperrom_reloc_info, type) == 4, "reloc type");

struct hyperrom_reloc_entry {  /* one row of the ROM's static table        */
    uint16_t offset;         /* @0 entry point, as an offset into the ROM   */
    uint8_t  type;           /* @2 enum hr_reloc_type                       */
    uint8_t  reserved;       /* @3                                          */
} HR_PACKED;
_Static_assert(sizeof(struct hyperrom_reloc_entry) == 4, "reloc entry size");
_Static_assert(offsetof(struct hyperrom_reloc_entry, type) == 2, "entry type");

/* ---------------------------------------------------------------------
 * The VMI calls, numbered as VMI API 3.0.  X(number, name) for each.
 * ------------------------------------------------------------------- */
#define HR_VMI_CALLS(X) \
    X(0, CPUID) X(1, WRMSR) X(2, RDMSR) X(3, SetGDT) X(4, SetLDT)            \
    X(5, SetIDT) X(6, SetTR) X(7, GetGDT) X(8, GetLDT) X(9, GetIDT)          \
    X(10, GetTR) X(11, WriteGDTEntry) X(12, WriteLDTEntry)                   \
    X(13, WriteIDTEntry) X(14, UpdateKernelStack) X(15, SetCR0)              \
    X(16, SetCR2) X(17, SetCR3) X(18, SetCR4) X(19, GetCR0) X(20, GetCR2)    \
    X(21, GetCR3) X(22, GetCR4) X(23, WBINVD) X(24, SetDR) X(25, GetDR)      \
    X(26, RDPMC) X(27, RDTSC) X(28, CLTS) X(29, EnableInterrupts)            \
    X(30, DisableInterrupts) X(31, GetInterruptMask)                         \
    X(32, SetInterruptMask) X(33, IRET) X(34, SYSEXIT) X(35, Halt)           \
    X(36, Reboot) X(37, Shutdown) X(38, SetPxE) X(39, SetPxELong)            \
    X(40, UpdatePxE) X(41, UpdatePxELong) X(42, MachineToPhysical)           \
    X(43, PhysicalToMachine) X(44, AllocatePage) X(45, ReleasePage)          \
    X(46, InvalPage) X(47, FlushTLB) X(48, SetLinearMapping)                 \
    X(49, INL) X(50, INB) X(51, INW) X(52, INSL) X(53, INSB) X(54, INSW)     \
    X(55, OUTL) X(56, OUTB) X(57, OUTW) X(58, OUTSL) X(59, OUTSB)            \
    X(60, OUTSW) X(61, SetIOPLMask) X(62, SetInitialAPState)                 \
    X(63, APICWrite) X(64, APICRead) X(65, IODelay)                          \
    X(66, GetCycleFrequency) X(67, GetCycleCounter) X(68, SetAlarm)          \
    X(69, CancelAlarm) X(70, GetWallclockTime) X(71, WallclockUpdated)       \
    X(72, SetCallbacks) X(73, SetLazyMode)

#define HR_VMI_ENUM_(num, name) VMI_CALL_##name = num,
enum hr_vmi_call { HR_VMI_CALLS(HR_VMI_ENUM_) VMI_CALL_COUNT };
#undef HR_VMI_ENUM_
_Static_assert(VMI_CALL_COUNT == 74, "calls 0-73");

/* Prefix of every entry point's name in the ROM's ELF symbol table. */
#define HR_SYMBOL_PREFIX   "VMI_"

/* MMU: page levels (AllocatePage, ReleasePage, SetPxE, UpdatePxE). */
#define VMI_PAGE_PT          0x01u
#define VMI_PAGE_PD          0x02u
#define VMI_PAGE_PDP         0x04u
#define VMI_PAGE_PML4        0x08u
/* AllocatePage / ReleasePage only. */
#define VMI_PAGE_PAE         0x10u
#define VMI_PAGE_CLONE       0x20u
#define VMI_PAGE_ZEROED      0x40u
/* SetPxE / UpdatePxE only; the linear address sits in the top 20 bits. */
#define VMI_PAGE_CURRENT_AS  0x10u
#define VMI_PAGE_DEFER       0x20u
#define VMI_PAGE_VA_MASK     0xFFFFF000u
/* FlushTLB. */
#define VMI_FLUSH_TLB        0x01u
#define VMI_FLUSH_GLOBAL     0x02u
/* SetLazyMode. */
#define VMI_LAZY_NONE        0u
#define VMI_LAZY_MMU         1u
#define VMI_LAZY_CPU         2u
/* GetInterruptMask result when interrupts are enabled (EFLAGS.IF). */
#define VMI_INTERRUPTS_ENABLED 0x200u
/* Timer: GetCycleCounter counters. */
#define VMI_CYCLES_REAL      0u
#define VMI_CYCLES_AVAILABLE 1u
#define VMI_CYCLES_STOLEN    2u
/* Timer: SetAlarm(flags, expiry, period) flags. */
#define VMI_ALARM_ONESHOT    0x000u
#define VMI_ALARM_PERIODIC   0x100u
#define VMI_ALARM_COUNTER_MASK 0xFFu      /* which counter the alarm follows */
#define VMI_ALARM_WIRED_IRQ0 0x00000u
#define VMI_ALARM_WIRED_LVTT 0x10000u

/* ---------------------------------------------------------------------
 * How the ROM enters the hypervisor (spec section "Hypercalls").
 * A forwarding entry is "int HR_HYPERCALL_VECTOR" followed by one byte,
 * the call number; the hypervisor resumes after that byte.
 * ------------------------------------------------------------------- */
#define HR_HYPERCALL_VECTOR  0x82u
#define HR_HC_INIT           0x80u   /* VMI_Init's own hypercall number      */

/* ---------------------------------------------------------------------
 * ELF32 structures (System V gABI) for the header's elf_header[64] and the
 * section and symbol tables it locates.  ELF file offsets count from the
 * start of elf_header (ROM offset 64); addresses are ROM offsets.
 * ------------------------------------------------------------------- */
#define HR_ELF_BASE          64u       /* ROM offset of ELF file offset 0   */
#define HR_ELF_MAGIC         0x464c457fu /* bytes 7F 'E' 'L' 'F'            */
#define HR_ELFCLASS32        1u
#define HR_ELFDATA2LSB       1u
#define HR_EV_CURRENT        1u
#define HR_ET_EXEC           2u
#define HR_EM_386            3u
#define HR_SHT_NULL          0u
#define HR_SHT_PROGBITS      1u
#define HR_SHT_SYMTAB        2u
#define HR_SHT_STRTAB        3u
#define HR_SHF_ALLOC         0x2u
#define HR_SHF_EXECINSTR     0x4u
#define HR_STB_GLOBAL        1u
#define HR_STT_FUNC          2u
#define HR_ST_INFO(b, t)     (((b) << 4) | (t))

struct hr_elf32_ehdr {
    uint8_t  e_ident[16];        /* @0  magic, class, data, version          */
    uint16_t e_type;             /* @16 HR_ET_EXEC                           */
    uint16_t e_machine;          /* @18 HR_EM_386                            */
    uint32_t e_version;          /* @20                                      */
    uint32_t e_entry;            /* @24 VMI_Init's ROM offset                */
    uint32_t e_phoff;            /* @28 0: no program headers                */
    uint32_t e_shoff;            /* @32 section headers                      */
    uint32_t e_flags;            /* @36                                      */
    uint16_t e_ehsize;           /* @40 52                                   */
    uint16_t e_phentsize;        /* @42                                      */
    uint16_t e_phnum;            /* @44                                      */
    uint16_t e_shentsize;        /* @46 40                                   */
    uint16_t e_shnum;            /* @48                                      */
    uint16_t e_shstrndx;         /* @50 section-name string table            */
} HR_PACKED;
_Static_assert(sizeof(struct hr_elf32_ehdr) == 52, "ehdr size");
_Static_assert(offsetof(struct hr_elf32_ehdr, e_shoff) == 32, "e_shoff");
_Static_assert(offsetof(struct hr_elf32_ehdr, e_shnum) == 48, "e_shnum");

struct hr_elf32_shdr {
    uint32_t sh_name;            /* @0  offset into .shstrtab                */
    uint32_t sh_type;            /* @4                                       */
    uint32_t sh_flags;           /* @8                                       */
    uint32_t sh_addr;            /* @12 ROM offset                           */
    uint32_t sh_offset;          /* @16 file offset (ROM offset - 64)        */
    uint32_t sh_size;            /* @20                                      */
    uint32_t sh_link;            /* @24 symtab: index of its string table    */
    uint32_t sh_info;            /* @28 symtab: index of first global        */
    uint32_t sh_addralign;       /* @32                                      */
    uint32_t sh_entsize;         /* @36 symtab: 16                           */
} HR_PACKED;
_Static_assert(sizeof(struct hr_elf32_shdr) == 40, "shdr size");
_Static_assert(offsetof(struct hr_elf32_shdr, sh_offset) == 16, "sh_offset");

struct hr_elf32_sym {
    uint32_t st_name;            /* @0  offset into the string table         */
    uint32_t st_value;           /* @4  ROM offset of the entry point        */
    uint32_t st_size;            /* @8                                       */
    uint8_t  st_info;            /* @12 HR_ST_INFO(bind, type)               */
    uint8_t  st_other;           /* @13                                      */
    uint16_t st_shndx;           /* @14 section holding the symbol           */
} HR_PACKED;
_Static_assert(sizeof(struct hr_elf32_sym) == 16, "sym size");
_Static_assert(offsetof(struct hr_elf32_sym, st_shndx) == 14, "st_shndx");

/* The ROM's section indexes, in this order. */
enum hr_elf_section {
    HR_SEC_NULL, HR_SEC_TEXT, HR_SEC_SYMTAB, HR_SEC_STRTAB, HR_SEC_SHSTRTAB,
    HR_SEC_COUNT
};

/* ---------------------------------------------------------------------
 * The guest environment a HyperROM hypervisor provides (spec section 9).
 * ------------------------------------------------------------------- */
#define HR_VIRTUAL_TOP        0xF0000000u /* hypervisor area: here to 4 GiB  */
#define HR_GUEST_CPL          1u          /* the guest kernel's ring         */
#define HR_TRAP_STACK_ROOM    32u         /* rule 3: bytes a handler's stack
                                             must have free below its ESP   */
#define HR_GDT_ENTRIES        512u        /* the real GDT: one 4 KiB page    */
#define HR_GUEST_GDT_ENTRIES  480u        /* slots 0..479 are the guest's    */
/* Flat segments the hypervisor provides (GDT slots it reserves). */
#define HR_FLAT_KERNEL_CS     ((482u << 3) | 1u) /* ring-1 code, 0xF11       */
#define HR_FLAT_KERNEL_DS     ((483u << 3) | 1u) /* ring-1 data, 0xF19       */
#define HR_FLAT_USER_CS       ((484u << 3) | 3u) /* ring-3 code, 0xF23       */
#define HR_FLAT_USER_DS       ((485u << 3) | 3u) /* ring-3 data, 0xF2B       */
/* The per-vCPU area: one page at HR_VCPU_AREA that ring 1 (and so the
 * ROM) reads and writes and ring 3 cannot reach.  The interrupt-flag calls
 * and IRET to user mode work on it without entering the hypervisor, and
 * the calls that only read state answer from it: the hypervisor writes
 * every field from cr0 on whenever the value changes (a guest that
 * scribbles there misleads only itself; the hypervisor never reads them). */
#define HR_VCPU_AREA          (HR_VIRTUAL_TOP - 0x1000u)
#define HR_DEBUG_REGS         8u          /* DR0-DR7 (Intel SDM vol. 3, 17.2) */
/* One update the ROM queued in lazy mode (spec section 9, "Lazy mode"):
 * the call number and its first two arguments as the hypervisor applies
 * them (InvalPage, FlushTLB, SetCR3, UpdateKernelStack, UpdatePxE,
 * UpdatePxELong, and Write{GDT,LDT,IDT}Entry as (table, index), whose
 * store the ROM has made). */
#define HR_LAZY_QUEUE         64u
#define HR_LAZY_ENTRY_SHIFT   5u          /* 32-byte entries                 */
struct hr_lazy_entry {
    uint32_t call;               /* @0  VMI_CALL_*                          */
    uint32_t arg[2];             /* @4  EAX, EDX of the call as applied     */
    uint32_t reserved[5];        /* @12                                     */
} HR_PACKED;
_Static_assert(sizeof(struct hr_lazy_entry) == 1u << HR_LAZY_ENTRY_SHIFT, "lazy entry size");
_Static_assert(offsetof(struct hr_lazy_entry, arg) == 4, "lazy entry args");
/* must_exit: the hypervisor keeps it HR_MUST_EXIT while pending, queued or
 * the virtual IOPL is not 0 (and the ROM sets it when it queues), else 0.
 * It is the top byte of the dword at virt_if, so that one "or" that sets
 * the interrupt flag also tests it (the sign flag): the ROM's IRET. */
#define HR_MUST_EXIT          0x80u
struct hr_vcpu_area {
    uint16_t virt_if;            /* @0  VMI_INTERRUPTS_ENABLED or 0         */
    uint8_t  reserved0;          /* @2  0                                   */
    uint8_t  must_exit;          /* @3  HR_MUST_EXIT or 0: IRET must exit   */
    uint32_t pending;            /* @4  nonzero: an interrupt waits for IF  */
    uint32_t lazy_mode;          /* @8  SetLazyMode's mode (the ROM's)      */
    uint32_t queued;             /* @12 entries waiting in queue[]          */
    uint32_t cr0, cr2, cr3, cr4; /* @16 GetCR0-GetCR4; CR2 of the last #PF
                                         reflected, or SetCR2's value        */
    uint32_t dr[HR_DEBUG_REGS];  /* @32 GetDR: DR0-DR7 (4 and 5 read 0)     */
    uint16_t gdt_limit;          /* @64 GetGDT's image: limit, then base    */
    uint32_t gdt_base;           /* @66                                     */
    uint16_t idt_limit;          /* @70 GetIDT's image                      */
    uint32_t idt_base;           /* @72                                     */
    uint16_t ldtr;               /* @76 GetLDT                              */
    uint16_t tr;                 /* @78 GetTR                               */
    uint32_t cycle_hz_lo;        /* @80 GetCycleFrequency, EDX:EAX          */
    uint32_t cycle_hz_hi;        /* @84                                     */
    uint32_t iopl;               /* @88 the virtual IOPL (EFLAGS bits 12-13):
                                    a copy; IRET's fast path reads must_exit */
    uint32_t reserved[9];        /* @92                                     */
    struct hr_lazy_entry queue[HR_LAZY_QUEUE]; /* @128 lazy-mode updates,
                                    applied in order at the next exit      */
} HR_PACKED;
_Static_assert(sizeof(struct hr_vcpu_area) == 128 + HR_LAZY_QUEUE * 32, "vcpu area size");
_Static_assert(sizeof(struct hr_vcpu_area) <= 4096, "the area is one page");
_Static_assert(offsetof(struct hr_vcpu_area, queued) == 12, "queued");
_Static_assert(offsetof(struct hr_vcpu_area, queue) == 128, "queue");
_Static_assert(offsetof(struct hr_vcpu_area, must_exit) == 3, "must_exit: virt_if's top byte");
_Static_assert(offsetof(struct hr_vcpu_area, pending) == 4, "pending");
_Static_assert(offsetof(struct hr_vcpu_area, lazy_mode) == 8, "lazy_mode");
_Static_assert(offsetof(struct hr_vcpu_area, cr0) == 16, "cr0");
_Static_assert(offsetof(struct hr_vcpu_area, dr) == 32, "dr");
_Static_assert(offsetof(struct hr_vcpu_area, gdt_limit) == 64, "gdt image");
_Static_assert(offsetof(struct hr_vcpu_area, idt_limit) == 70, "idt image");
_Static_assert(offsetof(struct hr_vcpu_area, ldtr) == 76, "ldtr");
_Static_assert(offsetof(struct hr_vcpu_area, cycle_hz_lo) == 80, "cycle_hz");
_Static_assert(offsetof(struct hr_vcpu_area, iopl) == 88, "iopl");
/* The page-table log, in the per-vCPU page at HR_PT_LOG: the ROM's
 * SetPxE, SetPxELong, UpdatePxE, UpdatePxELong, AllocatePage and ReleasePage
 * append what they changed here instead of entering the hypervisor, which
 * reads the log at the next InvalPage, FlushTLB, SetCR3 or shadow fill
 * (spec section 9, "The shadow cache").  When it is full the call enters
 * the hypervisor, which empties it.  A count above HR_PT_LOG_ENTRIES makes
 * the hypervisor forget every shadow translation. */
#define HR_PT_LOG             (HR_VCPU_AREA + 0xC00u) /* past struct hr_vcpu_area */
#define HR_PT_LOG_ENTRIES     64u
#define HR_PT_LOG_ALLOC       1u          /* what: a pfn now a page table    */
#define HR_PT_LOG_RELEASE     2u          /* what: a pfn no longer one       */
#define HR_PT_LOG_WRITE4      4u          /* what: linear address of a 4-byte entry store */
#define HR_PT_LOG_WRITE8      8u          /* ... of an 8-byte one (the Long calls) */
struct hr_pt_log_entry {
    uint32_t what;               /* @0 a linear address or a pfn            */
    uint32_t kind;               /* @4 HR_PT_LOG_*                          */
} HR_PACKED;
struct hr_pt_log {
    uint32_t count;              /* @0 entries in use                       */
    uint32_t reserved;           /* @4                                      */
    struct hr_pt_log_entry entry[HR_PT_LOG_ENTRIES];   /* @8                */
} HR_PACKED;
_Static_assert(sizeof(struct hr_pt_log_entry) == 8, "pt log entry size");
_Static_assert(offsetof(struct hr_pt_log, entry) == 8, "pt log entries");
_Static_assert(sizeof(struct hr_pt_log) == 8 + 8 * HR_PT_LOG_ENTRIES, "pt log size");
_Static_assert((HR_PT_LOG & 0xFFFu) + sizeof(struct hr_pt_log) <= 0x1000u, "pt log in the page");
_Static_assert((HR_PT_LOG & 0xFFFu) >= sizeof(struct hr_vcpu_area), "pt log clear of the area");

/* CPUID leaves a HyperROM hypervisor answers (through VMI CPUID). */
#define HR_CPUID_SIGNATURE    0x40000000u /* EAX max leaf; "HyperROM VMI"   */
#define HR_CPUID_EXITS        0x40000001u /* EAX all exits (this one too),
                                             EBX hypercalls, ECX exceptions,
                                             EDX emulated instructions      */
#define HR_CPUID_HV_MASK      0xF0000000u /* leaves 4xxxxxxxh: the hypervisor's */
#define HR_CPUID_FIXED_LEAF   1u          /* the one CPU leaf it adjusts; the
                                             ROM runs every other leaf natively */

/* The backdoor port: "in eax, dx" with EAX = HR_BACKDOOR_MAGIC, ECX = a
 * command and DX = HR_BACKDOOR_PORT answers in EAX..EDX, from ring 3 too,
 * whatever the I/O bitmap says (unless the hypervisor runs backdoor=off). */
#define HR_BACKDOOR_PORT      0x5658u     /* VMware's, "VX"                 */
#define HR_BACKDOOR_MAGIC     0x564D5868u /* "VMXh"                          */
#define HR_BACKDOOR_GETVERSION 10u        /* EAX version, EBX magic          */
#define HR_BACKDOOR_GETEXITS  0x4801u     /* EAX all exits so far            */
#define HR_BACKDOOR_VERSION   1u
/* RDPMC pseudo-counters, also readable from ring 3 (backdoor=off: not). */
#define HR_PMC_REAL           0x10000u    /* the TSC                         */
#define HR_PMC_AVAILABLE      0x10001u    /* the TSC less stolen time        */
#define HR_PMC_STOLEN         0x10002u    /* 0: never descheduled            */

/* Multiboot v1 hand-off to the guest kernel. */
#define HR_MULTIBOOT_MAGIC    0x2BADB002u /* in EAX at guest entry           */

/* How a HyperROM run ends under QEMU: the value written to the
 * isa-debug-exit port (QEMU exits with status ((value << 1) | 1) & 0xFF).
 * A guest's own write passes through unchanged, so guests keep their
 * meaning, except a value whose status would be one of the hypervisor's
 * own (value & HR_EXIT_STATUS_MASK equal to one below): that ends the
 * guest as a termination ("reserved exit status"), so a guest can never
 * forge the hypervisor's verdict. */
#define HR_DEBUG_EXIT_PORT    0xF4u
#define HR_EXIT_STATUS_MASK   0x7Fu       /* the bits QEMU's 8-bit status keeps */
#define HR_EXIT_GUEST_TERMINATED 0x70u    /* broke a rule: QEMU status 225  */
#define HR_EXIT_HV_PANIC      0x71u       /* hypervisor bug: QEMU status 227 */

#endif /* HYPERROM_H */
