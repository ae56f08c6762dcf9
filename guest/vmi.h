/*
 * vmi.h - the HyperROM guest shim: what a guest kernel calls.
 *
 * One kernel binary runs on bare hardware and on a HyperROM hypervisor.
 * vmi_setup() looks for a VMI ROM in the option-ROM area, checks it, calls
 * VMI_Init and binds every operation either to the ROM's entry point or to
 * a native implementation.  The kernel then calls the vmi_* operations
 * below and never needs to know which it got.
 *
 * Two kinds of operation:
 *  - Patched sites (interrupt flag, CPUID, RDTSC, port I/O): the native
 *    instruction is assembled in place, padded to 5 bytes, and recorded in
 *    the .vmi_sites section.  vmi_setup() rewrites each site by the ROM's
 *    relocation type: CALL_REL -> "call rel32" + nops, JUMP_REL -> "jmp
 *    rel32", NOP -> nops, NONE -> the native instruction stays.  Without a
 *    ROM nothing is rewritten.
 *  - Table calls (descriptor tables, control registers, ...): a call
 *    through vmi.entry[], which holds the ROM entry or the native stub with
 *    the same calling convention (guest/native.asm).
 *
 * Calling conventions follow VMI 3.0 (spec/hyperrom.md, "Calling
 * conventions"): regparm(3) C calls that may clobber EAX, ECX, EDX and
 * flags, except where a call keeps the native instruction's registers.
 *
 * Runs at the guest kernel's privilege level (ring 0 native, ring 1 under
 * the hypervisor).  Freestanding C11, 32-bit.
 */
#ifndef GUEST_VMI_H
#define GUEST_VMI_H

#include <stdint.h>
#include "hyperrom.h"

/* The ROM's calling convention.  Only 32-bit x86 has regparm; the host
 * unit tests compile the shim's portable parts without it. */
#if defined(__i386__)
#define VMI_REGPARM __attribute__((regparm(3)))
#else
#define VMI_REGPARM
#endif

/* What vmi_setup() decided. */
enum vmi_mode { VMI_MODE_NATIVE = 0, VMI_MODE_VMI = 1 };

struct vmi_state {
    enum vmi_mode mode;
    uint32_t rom_address;         /* physical address of the ROM chosen (also
                                     when VMI_Init then failed), or 0        */
    uint8_t  api_major, api_minor;/* its API version                        */
    uint32_t virtual_top;         /* its header's virtual_top: the hypervisor
                                     owns linear addresses from here up (0:
                                     none; meaningful in mode VMI only)     */
    const char *native_reason;    /* why we run native (mode NATIVE)        */
    void    *entry[VMI_CALL_COUNT];   /* ROM entry or native stub          */
    uint8_t  reloc_type[VMI_CALL_COUNT]; /* hr_reloc_type from the ROM     */
    uint32_t sites_patched;       /* call sites rewritten by vmi_setup()    */
    uint32_t sites_total;         /* call sites recorded in .vmi_sites      */
};
extern struct vmi_state vmi;

/* Printf-like logger the kernel hands to vmi_setup() for its messages
 * (the format attribute lets the compiler check the shim's own calls). */
typedef void (*vmi_log_fn)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Detect, check, bind and patch.  rom_area points at physical C0000h as
 * the kernel maps it (identity-mapped kernels pass (void *)0xC0000); the
 * 128 KiB up to DFFFFh must be readable there.  cmdline (may be NULL) may
 * hold the word "novmi" to force native mode.  log may be NULL; every
 * message it gets ends in a newline and uses only %s, %u, %x and %d.
 * Call once, early, with interrupts disabled, while kernel text is still
 * writable.  Returns the mode chosen.
 *
 * Before vmi_setup() runs, vmi.entry[] already holds the native stubs, so
 * the table calls below work natively from the first instruction.
 */
enum vmi_mode vmi_setup(const volatile uint8_t *rom_area, const char *cmdline,
                        vmi_log_fn log);

/* ---------------------------------------------------------------------
 * Patched sites.  VMI_SITE(call, insn) emits insn padded with nops to at
 * least HR_PATCH_MIN bytes and records {address, length, call}.
 *
 * The kernel's linker script must gather the records between two symbols
 * (guest/vmi_sites.ld holds this; INCLUDE it inside SECTIONS):
 *
 *     .vmi_sites : ALIGN(4) {
 *         __vmi_sites_start = .;
 *         KEEP(*(.vmi_sites))
 *         __vmi_sites_end = .;
 *     }
 *
 * The shim references both weakly: a kernel whose script lacks them
 * still links, and vmi_setup() then finds no sites and patches nothing.
 * ------------------------------------------------------------------- */
#define HR_PATCH_MIN 5          /* room for "call rel32" / "jmp rel32"  */

struct vmi_site {
    uint32_t address;           /* first byte of the site               */
    uint8_t  length;            /* bytes available, >= HR_PATCH_MIN     */
    uint8_t  call;              /* VMI_CALL_*                           */
    uint16_t reserved;
} HR_PACKED;
_Static_assert(sizeof(struct vmi_site) == 8, "vmi_site size");

#define VMI_STR_(x) #x
#define VMI_STR(x) VMI_STR_(x)
#define VMI_SITE(call, insn)                                            \
    "661:\n\t" insn "\n662:\n\t"                                        \
    ".skip -(((" VMI_STR(HR_PATCH_MIN) ")-(662b-661b)) > 0) * "         \
    "((" VMI_STR(HR_PATCH_MIN) ")-(662b-661b)), 0x90\n663:\n\t"         \
    ".pushsection .vmi_sites, \"a\"\n\t"                                \
    ".long 661b\n\t.byte 663b-661b, " VMI_STR(call) "\n\t.short 0\n\t"  \
    ".popsection\n\t"

/* Interrupt flag: these keep every register but EFLAGS. */
static inline void vmi_disable_interrupts(void)
{
    __asm__ volatile(VMI_SITE(30, "cli") ::: "memory", "cc");
}

static inline void vmi_enable_interrupts(void)
{
    __asm__ volatile(VMI_SITE(29, "sti") ::: "memory", "cc");
}

/* EFLAGS image; only VMI_INTERRUPTS_ENABLED (IF) is meaningful. */
static inline uint32_t vmi_get_interrupt_mask(void)
{
    uint32_t flags;
    __asm__ volatile(VMI_SITE(31, "pushfl; popl %%eax")
                     : "=a"(flags) :: "memory");
    return flags;
}

/* Restore a value from vmi_get_interrupt_mask(). */
static inline void vmi_set_interrupt_mask(uint32_t flags)
{
    __asm__ volatile(VMI_SITE(32, "pushl %%eax; popfl")
                     :: "a"(flags) : "memory", "cc");
}

static inline void vmi_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
    __asm__ volatile(VMI_SITE(0, "cpuid")
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(subleaf));
}

static inline uint64_t vmi_rdtsc(void)
{
    uint64_t t;
    __asm__ volatile(VMI_SITE(27, "rdtsc") : "=A"(t));
    return t;
}

/* Port I/O clobbers "memory" so that the compiler keeps memory accesses
 * in order around it (device buffers, DMA descriptors). */
static inline uint8_t vmi_inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile(VMI_SITE(50, "inb %%dx, %%al") : "=a"(v) : "d"(port)
                     : "memory");
    return v;
}

static inline uint16_t vmi_inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile(VMI_SITE(51, "inw %%dx, %%ax") : "=a"(v) : "d"(port)
                     : "memory");
    return v;
}

static inline uint32_t vmi_inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile(VMI_SITE(49, "inl %%dx, %%eax") : "=a"(v) : "d"(port)
                     : "memory");
    return v;
}

static inline void vmi_outb(uint16_t port, uint8_t v)
{
    __asm__ volatile(VMI_SITE(56, "outb %%al, %%dx") :: "a"(v), "d"(port)
                     : "memory");
}

static inline void vmi_outw(uint16_t port, uint16_t v)
{
    __asm__ volatile(VMI_SITE(57, "outw %%ax, %%dx") :: "a"(v), "d"(port)
                     : "memory");
}

static inline void vmi_outl(uint16_t port, uint32_t v)
{
    __asm__ volatile(VMI_SITE(55, "outl %%eax, %%dx") :: "a"(v), "d"(port)
                     : "memory");
}

/* The site numbers above must be the spec's call numbers. */
_Static_assert(VMI_CALL_DisableInterrupts == 30 && VMI_CALL_EnableInterrupts == 29
               && VMI_CALL_GetInterruptMask == 31 && VMI_CALL_SetInterruptMask == 32
               && VMI_CALL_CPUID == 0 && VMI_CALL_RDTSC == 27, "site numbers");
_Static_assert(VMI_CALL_INB == 50 && VMI_CALL_INW == 51 && VMI_CALL_INL == 49
               && VMI_CALL_OUTB == 56 && VMI_CALL_OUTW == 57 && VMI_CALL_OUTL == 55,
               "port site numbers");

/* ---------------------------------------------------------------------
 * Table calls: regparm(3) through vmi.entry[].
 * ------------------------------------------------------------------- */

/* The 6-byte image LGDT/LIDT load and SGDT/SIDT store. */
struct vmi_dtr {
    uint16_t limit;
    uint32_t base;
} HR_PACKED;
_Static_assert(sizeof(struct vmi_dtr) == 6, "dtr size");

typedef VMI_REGPARM void     (*vmi_fn_v)(void);
typedef VMI_REGPARM void     (*vmi_fn_u)(uint32_t);
typedef VMI_REGPARM void     (*vmi_fn_uu)(uint32_t, uint32_t);
typedef VMI_REGPARM uint32_t (*vmi_fn_r)(void);
typedef VMI_REGPARM uint32_t (*vmi_fn_ru)(uint32_t);
typedef VMI_REGPARM void     (*vmi_fn_p)(const void *);
typedef VMI_REGPARM void     (*vmi_fn_pout)(void *);
typedef VMI_REGPARM void     (*vmi_fn_puuu)(void *, uint32_t, uint32_t, uint32_t);

#define VMI_ENTRY(name) (vmi.entry[VMI_CALL_##name])

static inline void vmi_set_gdt(const struct vmi_dtr *d) { ((vmi_fn_p)VMI_ENTRY(SetGDT))(d); }
static inline void vmi_set_idt(const struct vmi_dtr *d) { ((vmi_fn_p)VMI_ENTRY(SetIDT))(d); }
static inline void vmi_set_ldt(uint16_t sel) { ((vmi_fn_u)VMI_ENTRY(SetLDT))(sel); }
static inline void vmi_set_tr(uint16_t sel) { ((vmi_fn_u)VMI_ENTRY(SetTR))(sel); }
static inline void vmi_get_gdt(struct vmi_dtr *d) { ((vmi_fn_pout)VMI_ENTRY(GetGDT))(d); }
static inline void vmi_get_idt(struct vmi_dtr *d) { ((vmi_fn_pout)VMI_ENTRY(GetIDT))(d); }
static inline uint16_t vmi_get_ldt(void) { return (uint16_t)((vmi_fn_r)VMI_ENTRY(GetLDT))(); }
static inline uint16_t vmi_get_tr(void) { return (uint16_t)((vmi_fn_r)VMI_ENTRY(GetTR))(); }

/* Write descriptor `index` of the table at `table` (8 bytes: lo, hi). */
static inline void vmi_write_gdt_entry(void *table, uint32_t index, uint32_t lo, uint32_t hi)
{
    ((vmi_fn_puuu)VMI_ENTRY(WriteGDTEntry))(table, index, lo, hi);
}
static inline void vmi_write_ldt_entry(void *table, uint32_t index, uint32_t lo, uint32_t hi)
{
    ((vmi_fn_puuu)VMI_ENTRY(WriteLDTEntry))(table, index, lo, hi);
}
static inline void vmi_write_idt_entry(void *table, uint32_t index, uint32_t lo, uint32_t hi)
{
    ((vmi_fn_puuu)VMI_ENTRY(WriteIDTEntry))(table, index, lo, hi);
}

/* The ring-0 (native) or ring-1 (hypervisor) stack for traps from user mode. */
static inline void vmi_update_kernel_stack(uint16_t ss, uint32_t esp)
{
    ((vmi_fn_uu)VMI_ENTRY(UpdateKernelStack))(ss, esp);
}

static inline void vmi_set_cr0(uint32_t v) { ((vmi_fn_u)VMI_ENTRY(SetCR0))(v); }
static inline void vmi_set_cr2(uint32_t v) { ((vmi_fn_u)VMI_ENTRY(SetCR2))(v); }
static inline void vmi_set_cr3(uint32_t v) { ((vmi_fn_u)VMI_ENTRY(SetCR3))(v); }
static inline void vmi_set_cr4(uint32_t v) { ((vmi_fn_u)VMI_ENTRY(SetCR4))(v); }
static inline uint32_t vmi_get_cr0(void) { return ((vmi_fn_r)VMI_ENTRY(GetCR0))(); }
static inline uint32_t vmi_get_cr2(void) { return ((vmi_fn_r)VMI_ENTRY(GetCR2))(); }
static inline uint32_t vmi_get_cr3(void) { return ((vmi_fn_r)VMI_ENTRY(GetCR3))(); }
static inline uint32_t vmi_get_cr4(void) { return ((vmi_fn_r)VMI_ENTRY(GetCR4))(); }
static inline void vmi_set_dr(uint32_t n, uint32_t v) { ((vmi_fn_uu)VMI_ENTRY(SetDR))(n, v); }
static inline uint32_t vmi_get_dr(uint32_t n) { return ((vmi_fn_ru)VMI_ENTRY(GetDR))(n); }
static inline void vmi_clts(void) { ((vmi_fn_v)VMI_ENTRY(CLTS))(); }
static inline void vmi_wbinvd(void) { ((vmi_fn_v)VMI_ENTRY(WBINVD))(); }
static inline void vmi_halt(void) { ((vmi_fn_v)VMI_ENTRY(Halt))(); }
static inline void vmi_shutdown(void) { ((vmi_fn_v)VMI_ENTRY(Shutdown))(); }
static inline void vmi_reboot(void) { ((vmi_fn_v)VMI_ENTRY(Reboot))(); }
static inline void vmi_io_delay(void) { ((vmi_fn_v)VMI_ENTRY(IODelay))(); }
static inline void vmi_set_iopl_mask(uint32_t m) { ((vmi_fn_u)VMI_ENTRY(SetIOPLMask))(m); }

/* RDMSR/WRMSR keep the native registers: ECX = msr, EDX:EAX = value. */
static inline uint64_t vmi_rdmsr(uint32_t msr)
{
    uint64_t v;
    __asm__ volatile("call *%1" : "=A"(v) : "m"(VMI_ENTRY(RDMSR)), "c"(msr) : "memory");
    return v;
}

static inline void vmi_wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("call *%0" :: "m"(VMI_ENTRY(WRMSR)), "c"(msr), "A"(v) : "memory");
}

/* ---------------------------------------------------------------------
 * The remaining calls.  Signatures are those Linux 2.6.21-2.6.36 used
 * (regparm(3); a fourth and later argument on the stack).  IRET and
 * SYSEXIT have no wrapper: kernel entry code jumps to
 * vmi.entry[VMI_CALL_IRET] / [VMI_CALL_SYSEXIT] with the native
 * instruction's stack and registers.  SetCallbacks has none either: API
 * 3.0 published no signature for it.
 * ------------------------------------------------------------------- */

/* RDPMC keeps the native registers: ECX = counter, EDX:EAX = value. */
static inline uint64_t vmi_rdpmc(uint32_t counter)
{
    uint64_t v;
    __asm__ volatile("call *%1" : "=A"(v) : "m"(VMI_ENTRY(RDPMC)), "c"(counter) : "memory");
    return v;
}

/* String port I/O is "rep ins/outs" with the native registers: EDI (ins)
 * or ESI (outs) = buffer, ECX = count of items, DX = port. */
#define VMI_STRING_IN(fn, call, type)                                       \
    static inline void fn(uint16_t port, type *buf, uint32_t count)         \
    {                                                                       \
        __asm__ volatile("call *%2" : "+D"(buf), "+c"(count)                \
                         : "m"(VMI_ENTRY(call)), "d"(port) : "memory");     \
    }
#define VMI_STRING_OUT(fn, call, type)                                      \
    static inline void fn(uint16_t port, const type *buf, uint32_t count)   \
    {                                                                       \
        __asm__ volatile("call *%2" : "+S"(buf), "+c"(count)                \
                         : "m"(VMI_ENTRY(call)), "d"(port) : "memory");     \
    }
VMI_STRING_IN(vmi_insb, INSB, uint8_t)
VMI_STRING_IN(vmi_insw, INSW, uint16_t)
VMI_STRING_IN(vmi_insl, INSL, uint32_t)
VMI_STRING_OUT(vmi_outsb, OUTSB, uint8_t)
VMI_STRING_OUT(vmi_outsw, OUTSW, uint16_t)
VMI_STRING_OUT(vmi_outsl, OUTSL, uint32_t)

typedef VMI_REGPARM void     (*vmi_fn_upu)(uint32_t, void *, uint32_t);
typedef VMI_REGPARM void     (*vmi_fn_qpu)(uint64_t, void *, uint32_t);
typedef VMI_REGPARM void     (*vmi_fn_pu)(void *, uint32_t);
typedef VMI_REGPARM void     (*vmi_fn_uuuu)(uint32_t, uint32_t, uint32_t, uint32_t);
typedef VMI_REGPARM void     (*vmi_fn_uuuuu)(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
typedef VMI_REGPARM uint64_t (*vmi_fn_q)(void);
typedef VMI_REGPARM uint64_t (*vmi_fn_qu)(uint32_t);
typedef VMI_REGPARM void     (*vmi_fn_uqq)(uint32_t, uint64_t, uint64_t);

/* MMU.  flags: a VMI_PAGE_* level, optionally VMI_PAGE_CURRENT_AS and
 * VMI_PAGE_DEFER with the entry's linear address (VMI_PAGE_VA_MASK). */
static inline void vmi_set_pxe(uint32_t entry, uint32_t *ptr, uint32_t flags)
{
    ((vmi_fn_upu)VMI_ENTRY(SetPxE))(entry, ptr, flags);
}
static inline void vmi_set_pxe_long(uint64_t entry, uint64_t *ptr, uint32_t flags)
{
    ((vmi_fn_qpu)VMI_ENTRY(SetPxELong))(entry, ptr, flags);
}
/* The entry at ptr was written directly; tell the hypervisor. */
static inline void vmi_update_pxe(uint32_t *ptr, uint32_t flags)
{
    ((vmi_fn_pu)VMI_ENTRY(UpdatePxE))(ptr, flags);
}
static inline void vmi_update_pxe_long(uint64_t *ptr, uint32_t flags)
{
    ((vmi_fn_pu)VMI_ENTRY(UpdatePxELong))(ptr, flags);
}
static inline uint32_t vmi_machine_to_physical(uint32_t a) { return ((vmi_fn_ru)VMI_ENTRY(MachineToPhysical))(a); }
static inline uint32_t vmi_physical_to_machine(uint32_t a) { return ((vmi_fn_ru)VMI_ENTRY(PhysicalToMachine))(a); }
/* Page pfn becomes a page table (flags: level, PAE, CLONE of clone_pfn's
 * entries start..start+count-1, ZEROED); ReleasePage makes it plain. */
static inline void vmi_allocate_page(uint32_t pfn, uint32_t flags, uint32_t clone_pfn,
                                     uint32_t start, uint32_t count)
{
    ((vmi_fn_uuuuu)VMI_ENTRY(AllocatePage))(pfn, flags, clone_pfn, start, count);
}
static inline void vmi_release_page(uint32_t pfn, uint32_t flags)
{
    ((vmi_fn_uu)VMI_ENTRY(ReleasePage))(pfn, flags);
}
static inline void vmi_inval_page(uint32_t va) { ((vmi_fn_u)VMI_ENTRY(InvalPage))(va); }
/* flags: VMI_FLUSH_TLB, optionally | VMI_FLUSH_GLOBAL. */
static inline void vmi_flush_tlb(uint32_t flags) { ((vmi_fn_u)VMI_ENTRY(FlushTLB))(flags); }
/* Mapping slot: pages frames from pfn on are mapped at linear va. */
static inline void vmi_set_linear_mapping(uint32_t slot, uint32_t va, uint32_t pages,
                                          uint32_t pfn)
{
    ((vmi_fn_uuuu)VMI_ENTRY(SetLinearMapping))(slot, va, pages, pfn);
}
/* mode: VMI_LAZY_NONE (flush what was queued), VMI_LAZY_MMU, VMI_LAZY_CPU. */
static inline void vmi_set_lazy_mode(uint32_t mode) { ((vmi_fn_u)VMI_ENTRY(SetLazyMode))(mode); }

/* Multiprocessor and local APIC. */
static inline void vmi_set_initial_ap_state(uint32_t state, uint32_t apic_id)
{
    ((vmi_fn_uu)VMI_ENTRY(SetInitialAPState))(state, apic_id);
}
/* reg is the register's offset in the local APIC page (e.g. 0xB0, EOI). */
static inline void vmi_apic_write(uint32_t reg, uint32_t v) { ((vmi_fn_uu)VMI_ENTRY(APICWrite))(reg, v); }
static inline uint32_t vmi_apic_read(uint32_t reg) { return ((vmi_fn_ru)VMI_ENTRY(APICRead))(reg); }

/* Time.  A cycle frequency of 0 means unknown (native: calibrate). */
static inline uint64_t vmi_get_cycle_frequency(void) { return ((vmi_fn_q)VMI_ENTRY(GetCycleFrequency))(); }
/* counter: VMI_CYCLES_REAL, _AVAILABLE or _STOLEN. */
static inline uint64_t vmi_get_cycle_counter(uint32_t counter)
{
    return ((vmi_fn_qu)VMI_ENTRY(GetCycleCounter))(counter);
}
/* flags: counter | VMI_ALARM_ONESHOT or _PERIODIC | VMI_ALARM_WIRED_*. */
static inline void vmi_set_alarm(uint32_t flags, uint64_t expiry, uint64_t period)
{
    ((vmi_fn_uqq)VMI_ENTRY(SetAlarm))(flags, expiry, period);
}
static inline void vmi_cancel_alarm(uint32_t flags) { ((vmi_fn_u)VMI_ENTRY(CancelAlarm))(flags); }
/* Nanoseconds since the epoch; 0 means unknown (native: read the RTC). */
static inline uint64_t vmi_get_wallclock_time(void) { return ((vmi_fn_q)VMI_ENTRY(GetWallclockTime))(); }
/* Nonzero when the wall clock was set since the last call. */
static inline uint32_t vmi_wallclock_updated(void) { return ((vmi_fn_r)VMI_ENTRY(WallclockUpdated))(); }

#endif /* GUEST_VMI_H */
