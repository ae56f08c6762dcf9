/*
 * hc_time.c - VMI time calls: cycle counter and frequency, wall clock.
 * Ring 0.  The cycle counter is the TSC (vtimer.c measures its rate); the
 * alarm is vtimer.c's; the wall clock is wallclock.c's.
 */
#include "hypercall.h"
#include "vdev.h"

#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_USEC 1000u

/* GetCycleFrequency: TSC cycles per second, measured at boot. */
void hc_GetCycleFrequency(struct trapframe *tf)
{
    uint64_t hz = vtimer_tsc_hz();
    tf->eax = (uint32_t)hz;
    tf->edx = (uint32_t)(hz >> 32);
}

/* GetCycleCounter(which): REAL and AVAILABLE are the TSC (one guest, never
 * descheduled); STOLEN is zero for the same reason. */
void hc_GetCycleCounter(struct trapframe *tf)
{
    uint64_t t = tf->eax == VMI_CYCLES_STOLEN ? 0 : rdtsc();
    if (tf->eax > VMI_CYCLES_STOLEN)
        hc_fault(tf, T_GP, 0);
    tf->eax = (uint32_t)t;
    tf->edx = (uint32_t)(t >> 32);
}

/* GetWallclockTime: nanoseconds since the epoch (wallclock.c: the real
 * RTC at boot, advanced by the time base). */
void hc_GetWallclockTime(struct trapframe *tf)
{
    struct wall_time now;
    wallclock_now(&now);
    uint64_t ns = now.secs * NSEC_PER_SEC + now.usec * NSEC_PER_USEC;
    tf->eax = (uint32_t)ns;
    tf->edx = (uint32_t)(ns >> 32);
}

/* WallclockUpdated: the wall clock is never stepped behind the guest. */
void hc_WallclockUpdated(struct trapframe *tf) { tf->eax = 0; }

/* SetAlarm(flags, expiry, period): EAX = flags, EDX:ECX = expiry (low,
 * high), the period on the stack (low, high).  Only IRQ 0 wiring exists. */
void hc_SetAlarm(struct trapframe *tf)
{
    uint32_t period_lo = hc_arg4(tf), period_hi;
    if (guest_read(tf->esp + 8, &period_hi, sizeof(period_hi)))
        hc_page_fault(tf, tf->esp + 8, sizeof(period_hi), 0);
    if (tf->eax & VMI_ALARM_WIRED_LVTT)
        guest_terminate(tf, "SetAlarm", "alarm wired to the local APIC timer: "
                        "this hypervisor has no virtual APIC (use IRQ 0)");
    vtimer_set_alarm(tf->eax, tf->edx | ((uint64_t)tf->ecx << 32),
                     period_lo | ((uint64_t)period_hi << 32));
}

/* CancelAlarm(flags): 1 if an alarm was armed. */
void hc_CancelAlarm(struct trapframe *tf)
{
    tf->eax = (uint32_t)vtimer_cancel_alarm();
}
