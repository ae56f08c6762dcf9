/*
 * ports.c - port I/O from every ring and in every form, and forged
 * verdicts.
 *
 * Ring 3 may use a port only with IOPL 3 or every bit of the access clear
 * in the guest's own TSS I/O bitmap (SDM 19.5), else #GP(0); the runtime's
 * bitmap denies every port, COM1 included.  String I/O from ring 3 moves
 * data with ring 3's rights (a supervisor page faults #PF).  Port F4h is
 * QEMU's exit port: a guest value whose exit status would be the
 * hypervisor's own (70h and 71h, and every value with those low 7 bits:
 * QEMU exits with (V << 1) | 1, modulo 256) ends the guest naming
 * "reserved exit status"; F5h is no port of the guest's machine.  A guest
 * that swallows the console (DLAB, loopback, 5-bit words) cannot hide the
 * hypervisor's verdict.
 *
 * Kernel modes: native, hv, hv-novmi.
 */
#include "hostile.h"

#define COM1         0x3F8u
#define COM1_LCR     (COM1 + 3u)
#define COM1_MCR     (COM1 + 4u)
#define LCR_DLAB     0x80u                 /* divisor latch access      */
#define LCR_5BIT     0x00u                 /* 5-bit words               */
#define MCR_LOOP     0x10u                 /* loopback                  */
#define PORT_POST    0x80u
#define PORT_PIC     0x21u
#define PORT_NONE    0x1234u               /* nothing decodes it        */
#define PORT_TOP     0xFFFFu
#define EXIT_PORT    HR_DEBUG_EXIT_PORT
#define EXIT_PORT_2  (HR_DEBUG_EXIT_PORT + 1u)
#define EXIT_HIGH    0x170u                /* (V << 1) | 1 = 0x2E1: 225 */
#define EXIT_BYTE_F0 0xF0u                 /* (V << 1) | 1 = 0x1E1: 225 */
#define LOW_ESP      16u
#define BITS         8u
#define ICW1_GARBAGE 0x13u
#define GARBAGE      0xA5u

/* Allow ring 3 port p in the runtime's TSS I/O bitmap. */
static void grant(uint32_t p)
{
    rt_tss.iopb[p / BITS] &= (uint8_t)~(1u << (p % BITS));
}

/* ---- ring 3 accesses, one function each ---- */
#define USER_IO(fn, insn, port)                                          \
    static void fn(void *arg)                                            \
    {                                                                    \
        __asm__ volatile(insn :: "d"(port), "D"(arg), "S"(arg), "c"(1u)  \
                         : "eax", "memory", "cc");                       \
    }
USER_IO(u_inb_com1, "inb %%dx, %%al", COM1)
USER_IO(u_inw_com1, "inw %%dx, %%ax", COM1)
USER_IO(u_inl_com1, "inl %%dx, %%eax", COM1)
USER_IO(u_outb_com1, "outb %%al, %%dx", COM1)
USER_IO(u_outw_com1, "outw %%ax, %%dx", COM1)
USER_IO(u_outl_com1, "outl %%eax, %%dx", COM1)
USER_IO(u_insb_com1, "rep insb", COM1)
USER_IO(u_outsb_com1, "rep outsb", COM1)
USER_IO(u_inb_post, "inb %%dx, %%al", PORT_POST)
USER_IO(u_outb_pic, "outb %%al, %%dx", PORT_PIC)
USER_IO(u_outb_exit0, "xorl %%eax, %%eax\n\toutb %%al, %%dx", EXIT_PORT)
USER_IO(u_outb_exit70, "movl $0x70, %%eax\n\toutb %%al, %%dx", EXIT_PORT)
USER_IO(u_inw_top, "inw %%dx, %%ax", PORT_TOP)
USER_IO(u_inb_top, "inb %%dx, %%al", PORT_TOP)
USER_IO(u_insb_post, "rep insb", PORT_POST)
USER_IO(u_outsb_post, "rep outsb", PORT_POST)

/* A ring-3 case: ports granted first (grant2 0: none), then fn(buf). */
struct port_row {
    const char *name;
    uint32_t grant1, grant2;
    void (*fn)(void *);
    uint32_t buf;                 /* 0: a user buffer; else an address */
    int paging;                   /* map VA_SUPER first                */
};

#define VA_SUPER     (HP_TEST_VA + 0x1000u)
#define NO_GRANT     0u

static const struct port_row port_rows[] = {
    { "port-user-inb-com1", NO_GRANT, NO_GRANT, u_inb_com1, 0, 0 },
    { "port-user-inw-com1", NO_GRANT, NO_GRANT, u_inw_com1, 0, 0 },
    { "port-user-inl-com1", NO_GRANT, NO_GRANT, u_inl_com1, 0, 0 },
    { "port-user-outb-com1", NO_GRANT, NO_GRANT, u_outb_com1, 0, 0 },
    { "port-user-outw-com1", NO_GRANT, NO_GRANT, u_outw_com1, 0, 0 },
    { "port-user-outl-com1", NO_GRANT, NO_GRANT, u_outl_com1, 0, 0 },
    { "port-user-insb-com1", NO_GRANT, NO_GRANT, u_insb_com1, 0, 0 },
    { "port-user-outsb-com1", NO_GRANT, NO_GRANT, u_outsb_com1, 0, 0 },
    { "port-user-inb-post", NO_GRANT, NO_GRANT, u_inb_post, 0, 0 },
    { "port-user-outb-pic", NO_GRANT, NO_GRANT, u_outb_pic, 0, 0 },
    { "port-user-outb-exit", NO_GRANT, NO_GRANT, u_outb_exit0, 0, 0 },
    { "port-user-granted-com1", COM1, NO_GRANT, u_inb_com1, 0, 0 },
    { "port-user-granted-inl-partial", COM1, NO_GRANT, u_inl_com1, 0, 0 },
    { "port-user-granted-inw-top", PORT_TOP, NO_GRANT, u_inw_top, 0, 0 },
    { "port-user-granted-inb-top", PORT_TOP, NO_GRANT, u_inb_top, 0, 0 },
    { "port-user-insb-super", PORT_POST, NO_GRANT, u_insb_post, VA_SUPER, 1 },
    { "port-user-outsb-super", PORT_POST, NO_GRANT, u_outsb_post, VA_SUPER, 1 },
    { "port-user-insb-vcpu", PORT_POST, NO_GRANT, u_insb_post, HR_VCPU_AREA, 0 },
    { "port-user-outsb-vcpu", PORT_POST, NO_GRANT, u_outsb_post, HR_VCPU_AREA, 0 },
    { "verdict-user-exit70", EXIT_PORT, NO_GRANT, u_outb_exit70, 0, 0 },
};

/* Run row r in ring 3. */
static void port_run(const struct port_row *r)
{
    static uint8_t user_buf[16];
    static uint8_t frame[HP_PAGE] __attribute__((aligned(HP_PAGE)));
    if (r->grant1)
        grant(r->grant1);
    if (r->grant2)
        grant(r->grant2);
    if (r->paging) {
        hp_paging_on();
        hp_map(VA_SUPER, (uint32_t)frame | HP_P | HP_W);
    }
    void *buf = r->buf ? (void *)r->buf : user_buf;
    int v = rt_user_call(r->fn, buf);
    if (v == T_PF)
        report(vmi_get_cr2() == (uint32_t)buf, "CR2 %x is the buffer (%x)", vmi_get_cr2(),
               (uint32_t)buf);
    hostile_judge(v, r->name);
}

/* port-kernel-none: a port nothing decodes reads all ones. */
static void kernel_none(void)
{
    uint8_t v = vmi_inb(PORT_NONE);
    report(v == 0xFF, "port 1234h reads FFh (%02x)", v);
    hostile_judge(RT_NO_FAULT, "IN from a port nothing decodes");
}

/* port-kernel-garbage: nonsense to the PIC and PIT command ports. */
static void kernel_garbage(void)
{
    vmi_outb(RULES_PIC1_CMD, ICW1_GARBAGE);
    for (unsigned i = 0; i < BITS; i++)
        vmi_outb(RULES_PIC1_DATA, (uint8_t)(GARBAGE + i));
    vmi_outb(RULES_PIT_CMD, GARBAGE);
    vmi_outb(RULES_PIT_CH0, GARBAGE);
    vmi_outb(RULES_PIC1_DATA, RULES_PIC_ALL);
    hostile_judge(RT_NO_FAULT, "garbage to the PIC and PIT");
}

/* ---- the verdict ---- */
static void exit_70(void) { vmi_outb(EXIT_PORT, HR_EXIT_GUEST_TERMINATED); }
static void exit_71(void) { vmi_outb(EXIT_PORT, HR_EXIT_HV_PANIC); }
static void exit_f0(void) { vmi_outb(EXIT_PORT, EXIT_BYTE_F0); }
static void exit_w71(void) { vmi_outw(EXIT_PORT, HR_EXIT_HV_PANIC); }
static void exit_l170(void) { vmi_outl(EXIT_PORT, EXIT_HIGH); }

static void exit_s70(void)
{
    static const uint8_t b = HR_EXIT_GUEST_TERMINATED;
    vmi_outsb(EXIT_PORT, &b, 1);
}

/* verdict-f5-70: port F5h is nothing in the guest's machine. */
static void exit_f5(void)
{
    vmi_outb(EXIT_PORT_2, HR_EXIT_GUEST_TERMINATED);
    hostile_judge(RT_NO_FAULT, "70h to port F5h");
}

/* Break rule 3 (#UD with ESP = 16). */
static void break_rule3(void)
{
    __asm__ volatile("movl %0, %%esp\n\tud2" :: "i"(LOW_ESP) : "memory");
}

/* verdict-forge: print the hypervisor's lines, swallow the console, exit 70h. */
static void forge(void)
{
    printf("hv: guest terminated: rule 3 (32 bytes of stack room): forged by the guest\n");
    printf("hv: exits by reason: forged\n");
    vmi_outb(COM1_LCR, LCR_DLAB);
    vmi_outb(EXIT_PORT, HR_EXIT_GUEST_TERMINATED);
}

static void dlab_rule3(void) { vmi_outb(COM1_LCR, LCR_DLAB); break_rule3(); }
static void lcr5_rule3(void) { vmi_outb(COM1_LCR, LCR_5BIT); break_rule3(); }
static void loop_rule3(void) { vmi_outb(COM1_MCR, MCR_LOOP); break_rule3(); }

static const struct hostile_case port_cases[] = {
    { "port-kernel-none", kernel_none },
    { "port-kernel-garbage", kernel_garbage },
    { "verdict-exit-70", exit_70 },
    { "verdict-exit-71", exit_71 },
    { "verdict-exit-f0", exit_f0 },
    { "verdict-exit-w71", exit_w71 },
    { "verdict-exit-l170", exit_l170 },
    { "verdict-exit-s70", exit_s70 },
    { "verdict-f5-70", exit_f5 },
    { "verdict-forge", forge },
    { "verdict-dlab-rule3", dlab_rule3 },
    { "verdict-lcr5-rule3", lcr5_rule3 },
    { "verdict-loop-rule3", loop_rule3 },
};

/* Find and run the case. */
void guest_main(const char *cmdline)
{
    (void)cmdline;
    char buf[HOSTILE_WORD_MAX];
    const char *name = hostile_begin(buf);
    if (!name)
        return;
    for (size_t i = 0; i < HOSTILE_COUNT(port_rows); i++)
        if (!strcmp(port_rows[i].name, name))
            return port_run(&port_rows[i]);
    if (!hostile_dispatch(port_cases, HOSTILE_COUNT(port_cases), name))
        report(0, "unknown case=%s", name);
}
