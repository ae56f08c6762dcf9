/*
 * iret.c - hostile IRET frames: bad CS, SS and EIP, RPL 0 and 2, ring 2,
 * and the NT and IOPL bits, through the shim's IRET entry: the ROM's (a
 * native IRET in ring 1, or the IRET hypercall when an interrupt is
 * pending) in mode hv, the native instruction in native and hv-novmi.
 *
 * A CPU refuses a bad frame with #GP/#NP/#SS (selector); the hypervisor's
 * IRET entry ends the guest naming "faulting IRET" (spec section 11, rule
 * 10).  "slow" on the command line makes IRQ 0 pending first so the ROM
 * takes the hypercall path.  A frame that works lands on a ud2
 * (hostile_landing) in the kernel; one to ring 3 that should not work and
 * does ends in an unexpected user-mode fault (a FAIL line).
 *
 * Kernel modes: native, hv, hv-novmi.
 */
#include "hostile.h"

#define RPL_K        HOSTILE_DPL_K
#define GDT_PAST     RT_GDT_ENTRIES
#define LDT_PAST_IX  5u
#define LDT_TWO      15u                   /* limit of a two-entry LDT    */
#define WAIT_POLLS   1000000u
#define USER_STACK   256u
#define EIP_PAST_TOP (HR_VIRTUAL_TOP + 0x1000u)
#define RING2        2u
#define EFLAGS_NT    0x00004000u           /* nested task (SDM 2.3)      */
#define IOPL3        (3u << EFLAGS_IOPL_SHIFT)
#define PORT_POST    0x80u                 /* the POST port: harmless    */

/* What a case writes before its IRET. */
enum iret_setup {
    S_NONE,
    S_GDT0_CODE,      /* GDT slot 0: a flat code segment at K            */
    S_CODE_NP,        /* slot 6: code at K, not present                  */
    S_DATA3_NP,       /* slot 6: data at 3, not present                  */
    S_DATA3_RO,       /* slot 6: read-only data at 3                     */
    S_LDT,            /* LDT of two entries; entry 5 past it: code at K,
                         and data at 3 (for SS) written anyway           */
    S_RING2,          /* slot 6 code DPL 2, slot 7 data DPL 2            */
};

/* One case: the frame's CS and (outer) SS as index:ti:rpl. */
struct iret_row {
    const char *name;
    uint8_t setup;
    uint16_t cs_ix; uint8_t cs_ti, cs_rpl;
    uint8_t outer;
    uint16_t ss_ix; uint8_t ss_ti, ss_rpl;
    uint8_t past_top;                 /* EIP beyond every code segment  */
};

#define KCS RT_GDT_KERNEL_CS
#define KDS RT_GDT_KERNEL_DS
#define UCS RT_GDT_USER_CS
#define UDS RT_GDT_USER_DS
#define SLOT HOSTILE_SLOT
/* Same level: CS only. */
#define INNER(n, setup, ix, ti, rpl) { n, setup, ix, ti, rpl, 0, 0, 0, 0, 0 }
/* To ring 3 (or 2): CS and SS. */
#define OUTER(n, setup, cix, cti, crpl, six, sti, srpl) \
    { n, setup, cix, cti, crpl, 1, six, sti, srpl, 0 }

static const struct iret_row iret_rows[] = {
    INNER("iret-cs-null", S_NONE, 0, 0, 0),
    INNER("iret-cs-slot0", S_GDT0_CODE, 0, 0, RPL_K),
    INNER("iret-cs-data", S_NONE, KDS, 0, RPL_K),
    INNER("iret-cs-past-gdt", S_NONE, GDT_PAST, 0, RPL_K),
    INNER("iret-cs-hv-flat", S_NONE, HR_FLAT_KERNEL_CS >> SEL_SHIFT, 0, RPL_K),
    INNER("iret-cs-ldt-past", S_LDT, LDT_PAST_IX, SEL_TI_LDT, RPL_K),
    INNER("iret-cs-np", S_CODE_NP, SLOT, 0, RPL_K),
    INNER("iret-cs-rpl0", S_NONE, KCS, 0, 0),
    INNER("iret-cs-user-rplk", S_NONE, UCS, 0, RPL_K),
    INNER("iret-cs-good", S_NONE, KCS, 0, RPL_K),
    OUTER("iret-cs-rpl2", S_NONE, KCS, 0, RING2, UDS, 0, RING2),
    OUTER("iret-ring2", S_RING2, SLOT, 0, RING2, SLOT + 1, 0, RING2),
    OUTER("iret-ss-null", S_NONE, UCS, 0, 3, 0, 0, 3),
    OUTER("iret-ss-kernel", S_NONE, UCS, 0, 3, KDS, 0, RPL_K),
    OUTER("iret-ss-rpl-k", S_NONE, UCS, 0, 3, UDS, 0, RPL_K),
    OUTER("iret-ss-rpl2", S_NONE, UCS, 0, 3, UDS, 0, RING2),
    OUTER("iret-ss-past-gdt", S_NONE, UCS, 0, 3, GDT_PAST, 0, 3),
    OUTER("iret-ss-np", S_DATA3_NP, UCS, 0, 3, SLOT, 0, 3),
    OUTER("iret-ss-readonly", S_DATA3_RO, UCS, 0, 3, SLOT, 0, 3),
    OUTER("iret-ss-code", S_NONE, UCS, 0, 3, UCS, 0, 3),
    OUTER("iret-ss-ldt-past", S_LDT, UCS, 0, 3, LDT_PAST_IX, SEL_TI_LDT, 3),
    OUTER("iret-ss-hv-flat", S_NONE, UCS, 0, 3, HR_FLAT_USER_DS >> SEL_SHIFT, 0, 3),
    { "iret-eip-past-top", S_NONE, KCS, 0, RPL_K, 0, 0, 0, 0, 1 },
    { "iret-user-eip-past-top", S_NONE, UCS, 0, 3, 1, UDS, 0, 3, 1 },
};

/* Write what setup s needs. */
static void iret_prepare(uint8_t s)
{
    struct seg_desc *ldt;
    switch (s) {
    case S_GDT0_CODE:
        hostile_gdt_write(0, hostile_flat(DESC_CODE | DESC_CODE_READ, HOSTILE_DPL_K));
        break;
    case S_CODE_NP:
        hostile_gdt_write(SLOT, hostile_desc(0, desc_flat_limit(), DESC_S | DESC_CODE | DESC_CODE_READ,
                                             HOSTILE_DPL_K, 0, DESC_FLAG_G | DESC_FLAG_DB));
        break;
    case S_DATA3_NP:
        hostile_gdt_write(SLOT, hostile_desc(0, desc_flat_limit(), DESC_S | DESC_DATA_WRITE,
                                             RT_RING_USER, 0, DESC_FLAG_G | DESC_FLAG_DB));
        break;
    case S_DATA3_RO:
        hostile_gdt_write(SLOT, hostile_desc(0, desc_flat_limit(), DESC_S, RT_RING_USER, 1,
                                             DESC_FLAG_G | DESC_FLAG_DB));
        break;
    case S_LDT:
        ldt = hostile_ldt();
        ldt[LDT_PAST_IX] = hostile_flat(DESC_CODE | DESC_CODE_READ, HOSTILE_DPL_K);
        hostile_ldt_load((uint32_t)ldt, LDT_TWO);
        break;
    case S_RING2:
        hostile_gdt_write(SLOT, hostile_flat(DESC_CODE | DESC_CODE_READ, RING2));
        hostile_gdt_write(SLOT + 1, hostile_flat(DESC_DATA_WRITE, RING2));
        break;
    }
}

/* Make IRQ 0 pending (the PIT runs, line 0 unmasked, virtual IF off), so
 * that the ROM's IRET takes the hypercall. */
static void make_pending(void)
{
    vmi_disable_interrupts();
    rules_pic_mask(RULES_PIC_ALL & ~1u);
    rules_pit_periodic(RULES_PIT_1MS);
    report(rules_wait_requested(0, WAIT_POLLS), "IRQ 0 is pending before the IRET");
}

/* try_call body: the IRET of *(struct hostile_iret *)arg. */
static void iret_body(void *arg)
{
    hostile_iret_go(arg);
}

/* Run row r. */
static void iret_run(const struct iret_row *r)
{
    static uint8_t stack[USER_STACK] __attribute__((aligned(16)));
    iret_prepare(r->setup);
    struct hostile_iret f = {
        .eip = r->past_top ? EIP_PAST_TOP : (uint32_t)hostile_landing,
        .cs = SEL(r->cs_ix, r->cs_ti, hostile_level(r->cs_rpl)),
        .eflags = EFLAGS_FIXED | EFLAGS_IF,
        .esp = (uint32_t)(stack + sizeof(stack)),
        .ss = SEL(r->ss_ix, r->ss_ti, hostile_level(r->ss_rpl)),
    };
    printf("hostile: IRET to %04x:%08x (SS %04x) %s\n", f.cs, f.eip, r->outer ? f.ss : 0,
           r->outer ? "outer" : "same level");
    if (cmdline_has(rt_cmdline, "slow"))
        make_pending();
    else
        vmi_disable_interrupts();
    int v = hostile_landed(try_call(iret_body, &f));
    vmi_disable_interrupts();
    hostile_judge(v, r->name);
}

/* Ring 3: read the port PORT_POST (allowed only by IOPL 3). */
static void user_in(void *arg)
{
    (void)arg;
    __asm__ volatile("inb $" RT_STR(PORT_POST) ", %%al" ::: "eax");
}

/* Ring 3 with NT set: a system call (whose gate clears NT), then #UD. */
static void user_nt(void *arg)
{
    (void)arg;
    rt_syscall(RT_SYS_COUNT, 0);
    __asm__ volatile("ud2");
}

/* iret-iopl-user: IOPL 3 in the frame.  A CPU loads IOPL only at CPL 0:
 * natively the user may then use ports; from ring 1 IOPL stays 0. */
static void iopl_user(void)
{
    hostile_judge(rt_user_call_flags(user_in, NULL, EFLAGS_FIXED | EFLAGS_IF | IOPL3),
                  "ring 3 reads a port after an IRET with IOPL 3 in its frame");
}

/* iret-nt-user: NT in the frame to ring 3; the system goes on working. */
static void nt_user(void)
{
    hostile_judge(rt_user_call_flags(user_nt, NULL, EFLAGS_FIXED | EFLAGS_IF | EFLAGS_NT),
                  "ring 3 with NT set makes a system call, then #UD");
}

static const struct hostile_case iret_specials[] = {
    { "iret-iopl-user", iopl_user },
    { "iret-nt-user", nt_user },
};

/* Find and run the case. */
void guest_main(const char *cmdline)
{
    (void)cmdline;
    char buf[HOSTILE_WORD_MAX];
    const char *name = hostile_begin(buf);
    if (!name)
        return;
    for (size_t i = 0; i < HOSTILE_COUNT(iret_rows); i++)
        if (!strcmp(iret_rows[i].name, name))
            return iret_run(&iret_rows[i]);
    if (!hostile_dispatch(iret_specials, HOSTILE_COUNT(iret_specials), name))
        report(0, "unknown case=%s", name);
}
