/*
 * fuzz-cpuval.c - libFuzzer harness for hypervisor/traps/cpuval.c: what a guest
 * may put in CR0, CR4, EFLAGS (SDM vol. 3A 2.3 and 2.5) and its MSRs.
 *
 * The input is a list of 32-bit little-endian words; each is tried as a
 * CR0, a CR4 and an EFLAGS image.  Invariants (cpuval.c's contracts and
 * tests/hv/cpuval-test.c):
 *   CR0 accepted: PE set; only the guest bits, PE and CD/NW; never NW
 *                 without CD (that MOV CR0 raises #GP on hardware: SDM
 *                 2.5, "CD/NW"; issue 8 finding 11); every subset with
 *                 PE (and CD where it keeps NW) is accepted too.
 *   CR4 accepted: only TSD, DE, PSE, PGE, OSFXSR, OSXMMEXCPT; every subset
 *                 of an accepted value is accepted too.
 *   EFLAGS image: IOPL 0, no VM, NT, RF, VIF, VIP; IF and bit 1 set;
 *                 reserved bits clear; the guest's own flags unchanged;
 *                 applying it twice changes nothing.
 *   virtual IF after IRET: IF or 0; always IF for ring 3, the image's IF
 *                 for ring 1.
 *   MSRs:         RDMSR accepted only for the TSC and IA32_SYSENTER_CS,
 *                 ESP, EIP (always for those), giving the TSC or the
 *                 register with EDX 0; WRMSR accepted only (and always) for
 *                 the SYSENTER three, changing just that register to EAX,
 *                 which RDMSR then returns; a refusal changes nothing.
 * Build with -DFUZZ_SKIP_KNOWN=1 to skip the check of a finding already
 * filed (NW without CD) and fuzz the rest.
 */
#include <stddef.h>
#include <stdint.h>
#include "cpuval.h"
#include "fuzz.h"

#ifndef FUZZ_SKIP_KNOWN
#define FUZZ_SKIP_KNOWN 0
#endif

/* Bits a guest may own, spelled out here from the SDM, not from cpuval.c. */
#define CR0_ALLOWED (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | \
                     CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG)
/* CR4 bits (SDM 2.5) that x86.h may or may not define yet. */
#define FUZZ_CR4_TSD        0x00000004u
#define FUZZ_CR4_DE         0x00000008u
#define FUZZ_CR4_OSFXSR     0x00000200u
#define FUZZ_CR4_OSXMMEXCPT 0x00000400u
#define CR4_ALLOWED (FUZZ_CR4_TSD | FUZZ_CR4_DE | CR4_PSE | CR4_PGE | \
                     FUZZ_CR4_OSFXSR | FUZZ_CR4_OSXMMEXCPT)
/* EFLAGS bits that exist on a 32-bit CPU (SDM 2.3); the rest are reserved. */
#define EFLAGS_PF 0x00000004u
#define EFLAGS_AF 0x00000010u
#define EFLAGS_ZF 0x00000040u
#define EFLAGS_SF 0x00000080u
#define EFLAGS_OF 0x00000800u
#define EFLAGS_ARITH (EFLAGS_CF | EFLAGS_PF | EFLAGS_AF | EFLAGS_ZF | \
                      EFLAGS_SF | EFLAGS_OF)
#define EFLAGS_DEFINED (EFLAGS_ARITH | EFLAGS_FIXED | EFLAGS_TF | EFLAGS_IF | \
                        EFLAGS_DF | EFLAGS_IOPL | EFLAGS_NT | EFLAGS_RF | \
                        EFLAGS_VM | EFLAGS_AC | EFLAGS_VIF | EFLAGS_VIP | \
                        EFLAGS_ID)
#define EFLAGS_NEVER (EFLAGS_IOPL | EFLAGS_VM | EFLAGS_NT | EFLAGS_RF | \
                      EFLAGS_VIF | EFLAGS_VIP)
/* What the guest keeps as it asked: arithmetic, TF, DF, AC, ID. */
#define EFLAGS_KEPT (EFLAGS_ARITH | EFLAGS_TF | EFLAGS_DF | EFLAGS_AC | \
                     EFLAGS_ID)
#define RING_USER   3u
#define RPL_MASK    3u
/* The MSRs a guest may use (SDM vol. 4, table 2-2), spelled out here. */
#define FUZZ_MSR_TSC       0x010u
#define FUZZ_MSR_SYSENTER  0x174u     /* CS; ESP and EIP follow */
#define FUZZ_SYSENTER_MSRS 3u
#define MSR_LOW_RANGE      0x3FFu     /* word's MSR number folded here half the time */
#define FUZZ_TSC           0x0123456789ABCDEFull

static uint32_t sysenter_ref[FUZZ_SYSENTER_MSRS];   /* the model: CS, ESP, EIP */

/* CR0 value v (and mask, for a subset): the acceptance invariants. */
static void check_cr0(uint32_t v, uint32_t mask)
{
    uint32_t sub;

    if (!cr0_guest_ok(v))
        return;
    FUZZ_REQUIRE(v & CR0_PE, "CR0 accepted without PE");
    FUZZ_REQUIRE(!(v & ~CR0_ALLOWED), "CR0 accepted with a reserved bit");
    if (!FUZZ_SKIP_KNOWN)
        FUZZ_REQUIRE(!((v & CR0_NW) && !(v & CR0_CD)),
                     "CR0 accepted with NW and not CD (hardware: #GP)");
    sub = (v & mask) | CR0_PE;
    if (sub & CR0_NW)
        sub |= CR0_CD;          /* in v too: v has NW only with CD */
    FUZZ_REQUIRE(cr0_guest_ok(sub),
                 "a subset (with PE, and CD with NW) of an accepted CR0 refused");
}

/* CR4 value v (and mask, for a subset): the acceptance invariants. */
static void check_cr4(uint32_t v, uint32_t mask)
{
    if (!cr4_guest_ok(v))
        return;
    FUZZ_REQUIRE(!(v & ~CR4_ALLOWED), "CR4 accepted with a bit not allowed");
    FUZZ_REQUIRE(cr4_guest_ok(v & mask),
                 "a subset of an accepted CR4 refused");
}

/* EFLAGS image v: what eflags_from_guest may and must produce. */
static void check_eflags(uint32_t v)
{
    uint32_t e = eflags_from_guest(v);

    FUZZ_REQUIRE(!(e & EFLAGS_NEVER), "IOPL, VM, NT, RF, VIF or VIP passed");
    FUZZ_REQUIRE(e & EFLAGS_FIXED, "EFLAGS bit 1 clear");
    FUZZ_REQUIRE(e & EFLAGS_IF, "the real IF clear");
    FUZZ_REQUIRE(!(e & ~EFLAGS_DEFINED), "a reserved EFLAGS bit set");
    FUZZ_REQUIRE((e & EFLAGS_KEPT) == (v & EFLAGS_KEPT),
                 "the guest's own flags changed");
    FUZZ_REQUIRE(eflags_from_guest(e) == e, "not idempotent");
}

/* Virtual IF after a return to rpl with image v. */
static void check_virt_if(uint32_t v, uint32_t rpl)
{
    uint32_t f = virt_if_after_return(v, rpl);

    FUZZ_REQUIRE(f == 0 || f == EFLAGS_IF, "virtual IF neither 0 nor IF");
    if (rpl == RING_USER)
        FUZZ_REQUIRE(f == EFLAGS_IF, "ring 3 resumed with virtual IF clear");
    if (rpl == HR_GUEST_CPL)
        FUZZ_REQUIRE(f == (v & EFLAGS_IF), "ring 1 lost the image's IF");
}

/* The register of s that SYSENTER MSR number k (0-2) is. */
static uint32_t sysenter_get(const struct msr_sysenter *s, uint32_t k)
{
    return k == 0 ? s->cs : k == 1 ? s->esp : s->eip;
}

/* s agrees with the model sysenter_ref. */
static int sysenter_same(const struct msr_sysenter *s)
{
    uint32_t k;

    for (k = 0; k < FUZZ_SYSENTER_MSRS; k++)
        if (sysenter_get(s, k) != sysenter_ref[k])
            return 0;
    return 1;
}

/* RDMSR then WRMSR of msr with value (EDX:EAX) on state s, against the model. */
static void check_msr(struct msr_sysenter *s, uint32_t msr, uint64_t value)
{
    uint32_t k = msr - FUZZ_MSR_SYSENTER;
    int sysenter = msr >= FUZZ_MSR_SYSENTER && k < FUZZ_SYSENTER_MSRS;
    uint64_t v = 0;
    int r = msr_guest_read(msr, FUZZ_TSC, s, &v);

    FUZZ_REQUIRE(r == (msr == FUZZ_MSR_TSC || sysenter),
                 "RDMSR accepted off the allow-list, or refused on it");
    if (r)
        FUZZ_REQUIRE(v == (sysenter ? sysenter_ref[k] : FUZZ_TSC),
                     "RDMSR gave a wrong value");
    FUZZ_REQUIRE(sysenter_same(s), "RDMSR changed a register");
    r = msr_guest_write(msr, value, s);
    FUZZ_REQUIRE(r == sysenter, "WRMSR accepted off the allow-list, or refused on it");
    if (r)
        sysenter_ref[k] = (uint32_t)value;
    FUZZ_REQUIRE(sysenter_same(s), "WRMSR changed other than the register to EAX");
    if (r)
        FUZZ_REQUIRE(msr_guest_read(msr, 0, s, &v) && v == (uint32_t)value,
                     "SYSENTER register does not read back what was written");
}

/* Word i is a value; word i+1 its subset mask and ring.  As MSRs: word i
 * the number (folded below 400h when word i+1 is even), i+1:i the value. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t i, words = (size + sizeof(uint32_t) - 1) / sizeof(uint32_t);
    struct msr_sysenter s = { 0, 0, 0 };
    uint32_t k;

    for (k = 0; k < FUZZ_SYSENTER_MSRS; k++)
        sysenter_ref[k] = 0;
    for (i = 0; i < words || i == 0; i++) {
        uint32_t v = fuzz_word(data, size, i);
        uint32_t mask = fuzz_word(data, size, i + 1);

        check_cr0(v, mask);
        check_cr4(v, mask);
        check_eflags(v);
        check_virt_if(v, mask & RPL_MASK);
        check_msr(&s, (mask & 1u) ? v : v & MSR_LOW_RANGE, (uint64_t)mask << 32 | v);
    }
    return 0;
}
