/*
 * rt.h - the guest runtime: what a tiny test kernel builds on.
 *
 * A kernel on the runtime defines guest_main(cmdline).  Before it runs,
 * the runtime (start.c) has brought up the serial console, called the VMI
 * shim's vmi_setup(), and loaded its own GDT, IDT, TSS and an empty LDT
 * through the shim, with handlers for vectors 0-47 (exceptions and the
 * remapped, masked PIC).  When guest_main returns, report_summary() ends
 * the run through QEMU's isa-debug-exit port.
 *
 * Privilege: the same binary runs in ring 0 on bare hardware and in ring 1
 * under a HyperROM hypervisor.  rt_seg.cpl is the level the kernel found
 * itself at (the RPL of CS at entry); every kernel descriptor's DPL and
 * every kernel selector's RPL follow it.
 *
 * Freestanding C11, 32-bit, identity-mapped, interrupts off unless a test
 * turns them on.
 */
#ifndef GUEST_RT_RT_H
#define GUEST_RT_RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "cpu.h"

#define RT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define RT_NORETURN __attribute__((noreturn))

/* What every kernel on the runtime provides; returning ends the run. */
void guest_main(const char *cmdline);

/* ---- console.c: COM1, through the shim's port I/O ---- */
void console_init(void);
void console_putc(char c);
int vprintf(const char *fmt, va_list ap);
int printf(const char *fmt, ...) RT_PRINTF(1, 2);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) RT_PRINTF(3, 4);

/* ---- report.c: PASS/FAIL lines and the exit port ---- */
#define RT_EXIT_PASS 0u        /* QEMU exits with status (0 << 1) | 1 = 1 */
#define RT_EXIT_FAIL 1u        /* QEMU exits with status (1 << 1) | 1 = 3 */

/* Print "PASS: what" or "FAIL: what"; count it.  Returns cond. */
int report(int cond, const char *fmt, ...) RT_PRINTF(2, 3);
/* Print "SKIP: what": a check that does not apply here (not counted). */
void report_skip(const char *fmt, ...) RT_PRINTF(1, 2);
/* Print "SUMMARY: N passed, N failed" and exit: 0 if none failed, else 1. */
void report_summary(void) RT_NORETURN;
/* Number of FAIL lines so far. */
unsigned report_failures(void);
/* Write code to the isa-debug-exit port; halt if that did not end us. */
void rt_exit(uint32_t code) RT_NORETURN;

/* ---- trap.c: exceptions, the try mechanism, IRQs ---- */
#define RT_NO_FAULT (-1)       /* try_call's result when nothing faulted */

/* What a trap looked like: the last fault caught by try_call, TRY_ASM or
 * rt_user_call (rt_last_fault), the last system call (rt_last_syscall)
 * and the last PIC interrupt (rt_last_irq).  eflags is the image the CPU
 * (or the hypervisor, rule 1) put in the frame. */
struct rt_fault {
    int      vector;           /* T_* or RT_NO_FAULT                     */
    uint32_t error;            /* the CPU's error code, 0 if none        */
    uint32_t eip;              /* the faulting instruction               */
    uint32_t cs, eflags;       /* from the frame                         */
    uint32_t esp, ss;          /* the stack at the trap: from the frame
                                  of a trap from ring 3; for a trap in
                                  the kernel, where the CPU's frame ends */
    uint32_t ecx, esi, edi;    /* a string instruction's progress        */
};
extern struct rt_fault rt_last_fault;
extern struct rt_fault rt_last_irq;

/*
 * Run fn(arg); if it raises an exception (vectors 0-31), abandon it at the
 * fault and return the vector; return RT_NO_FAULT if it returned normally.
 * The callee-saved registers and the stack are restored either way, so fn
 * may be any C function.  Not reentrant: fn must not use try_call.
 */
int try_call(void (*fn)(void *), void *arg);

/*
 * TRY_ASM("insn"): run inline assembly (extended-asm syntax: write %%eax)
 * and return the vector it raised, or RT_NO_FAULT.  The assembly may use
 * EAX, ECX and EDX and the flags, must leave ESP as it found it, and must
 * not use the local label 1.  On a fault the handler resumes right after
 * it, with the registers as they were at the fault.
 *     report(TRY_ASM("ud2") == T_UD, "ud2 raises #UD");
 */
#define TRY_ASM(insn) ({                                                \
    rt_try_arm();                                                       \
    __asm__ volatile("movl $1f, %0\n\t" insn "\n1:"                     \
                     : "=m"(rt_try_resume) :: "eax", "ecx", "edx",      \
                     "memory", "cc");                                   \
    rt_try_disarm(); })

/* Stringify a macro's value, e.g. for an immediate in TRY_ASM. */
#define RT_STR_(x) #x
#define RT_STR(x) RT_STR_(x)

/* The EIP the exception handler resumes at while armed (trap.c). */
extern uint32_t rt_try_resume;
/* Arm the handler for one TRY_ASM; clears rt_last_fault. */
void rt_try_arm(void);
/* Disarm it; returns the vector caught or RT_NO_FAULT. */
int rt_try_disarm(void);

/* Interrupts from the PIC, counted per line (vectors RT_IRQ_BASE..+15). */
#define RT_IRQ_BASE   0x20u
#define RT_IRQ_LINES  16u
extern volatile uint32_t rt_irq_count[RT_IRQ_LINES];

/* Entry stubs (entry.asm) for vectors 0..RT_VECTORS-1. */
#define RT_VECTORS    (RT_IRQ_BASE + RT_IRQ_LINES)

/* ---- user.c: user mode (ring 3) and the system-call gate ---- */
#define RT_RING_USER 3u
/* The system-call vector: a DPL-3 trap gate, as Linux's int $0x80, so a
 * HyperROM hypervisor points its real IDT straight at it (no exit). */
#define RT_SYSCALL_VECTOR 0x80     /* no "u": assembled into int $N */
#define RT_USER_STACK_SIZE 8192u

/* System calls: EAX = number, EBX = argument; the result comes in EAX. */
enum rt_sys {
    RT_SYS_EXIT  = 0,          /* leave user mode: rt_user_call returns   */
    RT_SYS_COUNT = 1,          /* count one call; returns the new count   */
};
#define RT_SYS_NONE 0xFFFFFFFFu        /* what unknown numbers return     */
extern volatile uint32_t rt_syscalls;   /* RT_SYS_COUNT calls so far    */
extern struct rt_fault rt_last_syscall; /* frame of the last system call */

/*
 * Run fn(arg) in ring 3 on the runtime's user stack, entered by an IRET
 * (through the shim's IRET entry) whose EFLAGS image is eflags; the user
 * code starts with DS = ES = FS = GS = SS = the user data segment.  It
 * comes back when fn returns (a RT_SYS_EXIT system call) or raises an
 * exception: returns RT_NO_FAULT or the vector (rt_last_fault says more).
 * The kernel's interrupt mask is restored afterwards.  Not reentrant.
 */
int rt_user_call_flags(void (*fn)(void *), void *arg, uint32_t eflags);
/* rt_user_call_flags with interrupts enabled in the image. */
int rt_user_call(void (*fn)(void *), void *arg);

/* From user mode: system call nr with argument arg; returns EAX. */
static inline uint32_t rt_syscall(uint32_t nr, uint32_t arg)
{
    uint32_t r;
    __asm__ volatile("int $" RT_STR(RT_SYSCALL_VECTOR)
                     : "=a"(r) : "a"(nr), "b"(arg) : "memory", "cc");
    return r;
}

/* ---- desc.c: the runtime's GDT, IDT, TSS ---- */
enum rt_gdt_slot {
    RT_GDT_NULL, RT_GDT_KERNEL_CS, RT_GDT_KERNEL_DS, RT_GDT_USER_CS,
    RT_GDT_USER_DS, RT_GDT_TSS,
    RT_GDT_FIRST_FREE,         /* tests may use slots from here on        */
    RT_GDT_ENTRIES = 16,
};
#define RT_IDT_ENTRIES 256u
#define RT_IOPB_BYTES  (65536u / 8u + 1u)   /* every port, plus the 0xFF end byte */

/* The TSS with its full I/O permission bitmap (all ports denied). */
struct rt_tss {
    struct tss32 tss;
    uint8_t iopb[RT_IOPB_BYTES];
} HR_PACKED;

/* The privilege level the kernel runs at and the selectors it uses. */
struct rt_seg {
    unsigned cpl;              /* 0 native, 1 under the hypervisor        */
    uint16_t kernel_cs, kernel_ds, user_cs, user_ds, tss;
};
extern struct rt_seg rt_seg;
extern struct seg_desc rt_gdt[RT_GDT_ENTRIES];
extern struct gate_desc rt_idt[RT_IDT_ENTRIES];
extern struct rt_tss rt_tss;

/* Bring up GDT, TSS, IDT and an empty LDT through the shim. */
void desc_init(void);
/* The limit of a flat segment in 4 KiB pages (below virtual_top in VMI mode). */
uint32_t desc_flat_limit(void);
/* Build a code/data or system descriptor. */
struct seg_desc desc_make(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags);
/* A gate (GATE_INT32 or GATE_TRAP32) into the kernel's code segment. */
struct gate_desc desc_gate(uint32_t handler, unsigned dpl, uint8_t type);
/* The two 32-bit halves of an 8-byte descriptor, as the Write*Entry calls take them. */
uint32_t desc_lo(const void *d);
uint32_t desc_hi(const void *d);
/* Load CS and the data segments (entry.asm); cs and ds must be valid here. */
void rt_load_segments(uint16_t cs, uint16_t ds);

/* ---- start.c ---- */
/* The multiboot command line, copied; "" if the loader gave none. */
extern const char *rt_cmdline;

/* ---- string.c ---- */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *hay, const char *needle);
/* 1 if the space-separated command line holds word on its own. */
int cmdline_has(const char *cmdline, const char *word);
/* Copy the value of "key=value" into out (size n); 1 if found, else 0. */
int cmdline_get(const char *cmdline, const char *key, char *out, size_t n);

#endif /* GUEST_RT_RT_H */
