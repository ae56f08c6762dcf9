/*
 * patch.c - the shim's patchable call sites, byte by byte.
 *
 * Every VMI_SITE in the kernel is recorded in .vmi_sites.  Without a
 * hypervisor the shim must leave every site as the compiler assembled it:
 * the native instruction, padded with NOPs to HR_PATCH_MIN bytes, and
 * executing it must have the native effect.  With a hypervisor (VMI mode)
 * each site must hold what its relocation type says: "call rel32" or
 * "jmp rel32" to the bound entry, NOPs, or the native bytes for NONE.
 */
#include "rt.h"     /* report */
#include "vmi.h"    /* the sites and the shim's state */

#define OP_NOP       0x90u
#define OP_CALL_REL  0xE8u
#define OP_JMP_REL   0xE9u
#define REL32_LEN    5u           /* opcode + 32-bit displacement */
#define NATIVE_MAX   2u           /* the longest native instruction here */
#define SITE_SEARCH  64u          /* bytes into a wrapper to look for its site */
#define SERIAL_SCRATCH 0x3FFu
#define PATTERN      0xA5u

extern const struct vmi_site __vmi_sites_start[], __vmi_sites_end[];
extern const uint8_t __kernel_start[], __kernel_end[];

/* The native encoding of each patchable call, as VMI_SITE assembles it. */
struct native_insn {
    uint8_t call;
    uint8_t len;
    uint8_t bytes[NATIVE_MAX];
    const char *name;
};
static const struct native_insn natives[] = {
    { VMI_CALL_DisableInterrupts, 1, { 0xFA }, "cli" },
    { VMI_CALL_EnableInterrupts, 1, { 0xFB }, "sti" },
    { VMI_CALL_GetInterruptMask, 2, { 0x9C, 0x58 }, "pushf; pop eax" },
    { VMI_CALL_SetInterruptMask, 2, { 0x50, 0x9D }, "push eax; popf" },
    { VMI_CALL_CPUID, 2, { 0x0F, 0xA2 }, "cpuid" },
    { VMI_CALL_RDTSC, 2, { 0x0F, 0x31 }, "rdtsc" },
    { VMI_CALL_INB, 1, { 0xEC }, "in al, dx" },
    { VMI_CALL_INW, 2, { 0x66, 0xED }, "in ax, dx" },
    { VMI_CALL_INL, 1, { 0xED }, "in eax, dx" },
    { VMI_CALL_OUTB, 1, { 0xEE }, "out dx, al" },
    { VMI_CALL_OUTW, 2, { 0x66, 0xEF }, "out dx, ax" },
    { VMI_CALL_OUTL, 1, { 0xEF }, "out dx, eax" },
};
#define NATIVE_COUNT (sizeof(natives) / sizeof(natives[0]))

/* The native encoding for a call number, or NULL. */
static const struct native_insn *native_of(unsigned call)
{
    for (unsigned i = 0; i < NATIVE_COUNT; i++)
        if (natives[i].call == call)
            return &natives[i];
    return NULL;
}

/* A site holds its native instruction followed by NOP padding. */
static int holds_native(const struct vmi_site *s, const struct native_insn *n)
{
    const uint8_t *p = (const uint8_t *)(uintptr_t)s->address;
    if (memcmp(p, n->bytes, n->len))
        return 0;
    for (unsigned i = n->len; i < s->length; i++)
        if (p[i] != OP_NOP)
            return 0;
    return 1;
}

/* A site holds "op rel32" to target, then NOPs. */
static int holds_rel32(const struct vmi_site *s, uint8_t op, const void *target)
{
    const uint8_t *p = (const uint8_t *)(uintptr_t)s->address;
    int32_t rel;
    memcpy(&rel, p + 1, sizeof(rel));
    if (p[0] != op || s->address + REL32_LEN + (uint32_t)rel != (uint32_t)(uintptr_t)target)
        return 0;
    for (unsigned i = REL32_LEN; i < s->length; i++)
        if (p[i] != OP_NOP)
            return 0;
    return 1;
}

/* What a site should hold now, given the shim's mode and the ROM's type. */
static int site_as_expected(const struct vmi_site *s, const struct native_insn *n)
{
    if (vmi.mode == VMI_MODE_NATIVE)
        return holds_native(s, n);
    switch (vmi.reloc_type[s->call]) {
    case HR_RELOC_CALL_REL: return holds_rel32(s, OP_CALL_REL, vmi.entry[s->call]);
    case HR_RELOC_JUMP_REL: return holds_rel32(s, OP_JMP_REL, vmi.entry[s->call]);
    case HR_RELOC_NOP: {
        static const struct native_insn nops = { 0, 1, { OP_NOP }, "nop" };
        return holds_native(s, &nops);
    }
    default: return holds_native(s, n);
    }
}

/* The table itself: non-empty, counted by the shim, every row sane. */
static void check_table(void)
{
    uint32_t n = (uint32_t)(__vmi_sites_end - __vmi_sites_start);
    unsigned bad = 0, kinds = 0;
    report(n > 0, "the kernel has %u VMI call sites", n);
    report(vmi.sites_total == n, "the shim counted them all (%u)", vmi.sites_total);
    for (const struct vmi_site *s = __vmi_sites_start; s < __vmi_sites_end; s++) {
        const uint8_t *p = (const uint8_t *)(uintptr_t)s->address;
        const struct native_insn *ni = native_of(s->call);
        if (!ni || s->length < HR_PATCH_MIN || p < __kernel_start || p + s->length > __kernel_end
            || !site_as_expected(s, ni)) {
            printf("  site %08x len %u call %u: %02x %02x %02x %02x %02x\n", s->address,
                   s->length, s->call, p[0], p[1], p[2], p[3], p[4]);
            bad++;
        }
    }
    for (unsigned i = 0; i < NATIVE_COUNT; i++)
        for (const struct vmi_site *s = __vmi_sites_start; s < __vmi_sites_end; s++)
            if (s->call == natives[i].call) {
                kinds++;
                break;
            }
    report(bad == 0, "every site holds what it should (%u do not)", bad);
    report(kinds == NATIVE_COUNT, "all %u kinds of site occur (%u do)", (unsigned)NATIVE_COUNT, kinds);
}

/* Patch counts for the mode we are in. */
static void check_counts(void)
{
    if (vmi.mode == VMI_MODE_NATIVE)
        report(vmi.sites_patched == 0, "native: no site patched (%u)", vmi.sites_patched);
    else
        report(vmi.sites_patched > 0 && vmi.sites_patched <= vmi.sites_total,
               "VMI: %u of %u sites patched", vmi.sites_patched, vmi.sites_total);
}

/* One-site wrappers, kept out of line so their sites can be found. */
#define WRAPPER __attribute__((noinline, used))
static WRAPPER void site_cli(void) { vmi_disable_interrupts(); }
static WRAPPER void site_sti(void) { vmi_enable_interrupts(); }
static WRAPPER uint32_t site_getmask(void) { return vmi_get_interrupt_mask(); }
static WRAPPER void site_setmask(uint32_t f) { vmi_set_interrupt_mask(f); }
static WRAPPER void site_cpuid(uint32_t leaf, uint32_t r[4]) { vmi_cpuid(leaf, 0, r); }
static WRAPPER uint64_t site_rdtsc(void) { return vmi_rdtsc(); }
static WRAPPER void site_outb(uint8_t v) { vmi_outb(SERIAL_SCRATCH, v); }
static WRAPPER uint8_t site_inb(void) { return vmi_inb(SERIAL_SCRATCH); }
/* Never called: they make the 16- and 32-bit port sites occur. */
static WRAPPER uint32_t site_in_wl(uint16_t p) { return vmi_inw(p) + vmi_inl(p); }
static WRAPPER void site_out_wl(uint16_t p) { vmi_outw(p, 0); vmi_outl(p, 0); }

/* The first site within SITE_SEARCH bytes of fn that is for call. */
static const struct vmi_site *site_in(const void *fn, unsigned call)
{
    uint32_t a = (uint32_t)(uintptr_t)fn;
    for (const struct vmi_site *s = __vmi_sites_start; s < __vmi_sites_end; s++)
        if (s->call == call && s->address >= a && s->address < a + SITE_SEARCH)
            return s;
    return NULL;
}

/* The wrapper's site is in place and unpatched (natively). */
static int wrapper_site_native(const void *fn, unsigned call)
{
    const struct vmi_site *s = site_in(fn, call);
    return s && holds_native(s, native_of(call));
}

static void check_execution_misc(void);

/* Executing the unpatched sites does what the instructions do. */
static void check_execution(void)
{
    if (vmi.mode != VMI_MODE_NATIVE || rt_seg.cpl != 0) {
        report_skip("native execution of sites (not ring 0 native)");
        return;
    }
    report(wrapper_site_native(site_cli, VMI_CALL_DisableInterrupts), "site_cli holds cli (FA)");
    report(wrapper_site_native(site_sti, VMI_CALL_EnableInterrupts), "site_sti holds sti (FB)");
    site_sti();
    report(read_eflags() & EFLAGS_IF, "executing it sets EFLAGS.IF");
    report(site_getmask() == read_eflags(), "the pushf site returns EFLAGS");
    site_cli();
    report(!(read_eflags() & EFLAGS_IF), "executing the cli site clears EFLAGS.IF");
    report(site_getmask() == read_eflags(), "... and the pushf site sees that");
    report(wrapper_site_native(site_setmask, VMI_CALL_SetInterruptMask), "site_setmask holds push/popf");
    site_setmask(read_eflags() | EFLAGS_IF);
    report(read_eflags() & EFLAGS_IF, "executing it with IF set sets EFLAGS.IF");
    site_setmask(read_eflags() & ~EFLAGS_IF);
    report(!(read_eflags() & EFLAGS_IF), "... and with IF clear clears it");
    check_execution_misc();
}

/* CPUID, RDTSC and byte port sites, executed. */
static void check_execution_misc(void)
{
    uint32_t r[4], raw[4];
    report(wrapper_site_native(site_cpuid, VMI_CALL_CPUID), "site_cpuid holds cpuid (0F A2)");
    site_cpuid(0, r);
    cpuid_raw(0, 0, raw);
    report(!memcmp(r, raw, sizeof(r)), "executing it returns what cpuid returns");
    report(wrapper_site_native(site_rdtsc, VMI_CALL_RDTSC), "site_rdtsc holds rdtsc (0F 31)");
    uint64_t a = site_rdtsc(), b = site_rdtsc();
    report(b > a, "executing it twice counts up (%llu -> %llu)", a, b);
    report(wrapper_site_native(site_outb, VMI_CALL_OUTB) &&
           wrapper_site_native(site_inb, VMI_CALL_INB), "the out/in sites hold EE/EC");
    site_outb(PATTERN);
    report(site_inb() == PATTERN, "out then in on port 0x%x round-trips %02x", SERIAL_SCRATCH, PATTERN);
    (void)site_in_wl;
    (void)site_out_wl;
}

/* Entry from the runtime. */
void guest_main(const char *cmdline)
{
    (void)cmdline;
    check_table();
    check_counts();
    check_execution();
}
