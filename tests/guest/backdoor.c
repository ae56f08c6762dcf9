/*
 * backdoor.c - the hypervisor's backdoor port and RDPMC pseudo-counters
 * (spec section 9), reached the way a guest really reaches them: the raw
 * instructions, which trap in ring 1 and are served by the hypervisor.
 * Natively the port is QEMU's own VMware backdoor, which knows nothing of
 * HyperROM's commands.
 */
#include "rt.h"     /* report, TRY_ASM */
#include "vmi.h"    /* the shim's decision */

#define BACKDOOR_UNKNOWN 0xFFFFFFFFu   /* QEMU's vmport: unknown command */

/* "in eax, dx" on the backdoor port with command cmd; EAX and EBX back. */
static void backdoor(uint32_t cmd, uint32_t *eax, uint32_t *ebx)
{
    uint32_t a = HR_BACKDOOR_MAGIC, b = 0, c = cmd, d = HR_BACKDOOR_PORT;
    __asm__ volatile("inl %%dx, %%eax" : "+a"(a), "+b"(b), "+c"(c), "+d"(d) :: "memory");
    *eax = a;
    *ebx = b;
}

struct pmc { uint32_t counter; uint64_t value; };

/* try_call body: the raw instruction, not the shim's RDPMC. */
static void do_rdpmc(void *arg)
{
    struct pmc *p = arg;
    uint32_t lo, hi;
    __asm__ volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(p->counter));
    p->value = lo | ((uint64_t)hi << 32);
}

/* Raw RDPMC of counter; the vector it raised in *vec (-1: none). */
static uint64_t rdpmc_raw(uint32_t counter, int *vec)
{
    struct pmc p = { counter, 0 };
    *vec = try_call(do_rdpmc, &p);
    return p.value;
}

/* On the hypervisor: both answer, in ring 1, without the ROM. */
static void on_hypervisor(void)
{
    uint32_t a, b, a2;
    backdoor(HR_BACKDOOR_GETVERSION, &a, &b);
    report(a == HR_BACKDOOR_VERSION && b == HR_BACKDOOR_MAGIC,
           "backdoor GETVERSION: version %u, magic echoed (%08x)", a, b);
    backdoor(HR_BACKDOOR_GETEXITS, &a, &b);
    backdoor(HR_BACKDOOR_GETEXITS, &a2, &b);
    report(a2 == a + 1, "backdoor GETEXITS counts exits (%u then %u: one apart)", a, a2);
    int vec;
    uint64_t t0 = vmi_rdtsc(), t = rdpmc_raw(HR_PMC_REAL, &vec), t1 = vmi_rdtsc();
    report(vec == -1 && t0 <= t && t <= t1, "RDPMC 10000h reads the TSC (%u)", (uint32_t)t);
    t = rdpmc_raw(HR_PMC_STOLEN, &vec);
    report(vec == -1 && t == 0, "RDPMC 10002h: no stolen time");
    rdpmc_raw(0x5, &vec);
    report(vec == T_GP, "RDPMC of a real counter raises #GP (vector %d)", vec);
}

void guest_main(const char *cmdline)
{
    if (strstr(cmdline, "mode=hv")) {
        on_hypervisor();
        return;
    }
    /* Natively the port is the machine's: QEMU's PC even has VMware's
     * backdoor (vmport), but not the HyperROM commands. */
    uint32_t a, b;
    backdoor(HR_BACKDOOR_GETVERSION, &a, &b);
    report(a != HR_BACKDOOR_VERSION, "natively the backdoor is not HyperROM's (version %08x)", a);
    backdoor(HR_BACKDOOR_GETEXITS, &a, &b);
    report(a == BACKDOOR_UNKNOWN, "natively GETEXITS is an unknown command (%08x)", a);
}
