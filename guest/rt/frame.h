/*
 * frame.h - the runtime's trap frame and the hooks between trap.c and
 * user.c.  Internal to guest/rt/: tests see traps through struct rt_fault.
 */
#ifndef GUEST_RT_FRAME_H
#define GUEST_RT_FRAME_H

#include "rt.h"

/* What entry.asm's trap_common leaves on the stack, lowest address first. */
struct rt_frame {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_pushad, ebx, edx, ecx, eax;  /* PUSHAD */
    uint32_t vector, error;    /* from the stub                         */
    uint32_t eip, cs, eflags;  /* from the CPU                          */
    uint32_t user_esp, user_ss;/* from the CPU only for traps from ring 3:
                                  read them only then                   */
} HR_PACKED;

/* trap.c: what the frame f says about its trap. */
struct rt_fault rt_frame_info(const struct rt_frame *f);

/* user.c: serve the system call in f (RT_SYSCALL_VECTOR). */
void rt_syscall_trap(struct rt_frame *f);
/* user.c: an exception in user mode: record it and end the user call. */
void rt_user_fault(const struct rt_frame *f) RT_NORETURN;

#endif /* GUEST_RT_FRAME_H */
