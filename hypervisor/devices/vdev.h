/*
 * vdev.h - the guest's virtual devices: interrupt controller, timers,
 * the wall clock, and the board's CMOS and keyboard controller.
 */
#ifndef HV_VDEV_H
#define HV_VDEV_H

#include "hv.h"
#include "vpic.h"       /* vpic_port, vpic_raise, vpic_pending, vpic_ack ... */
#include "vpit.h"       /* PIT_HZ */
#include "vcmos.h"      /* struct wall_time */
extern uint32_t vpic_requests;   /* 0: no line requested, nothing pending */

/* vtimer.c */
void vtimer_init(void);
int vpit_port(uint16_t port, int out, uint32_t *value);
void vtimer_tick(void);
uint64_t vtimer_tsc_hz(void);
void vtimer_set_alarm(uint32_t flags, uint64_t expiry, uint64_t period);
int vtimer_cancel_alarm(void);
int vtimer_fires_within(uint32_t seconds);
uint64_t vtimer_pit_clock(void);

/* wallclock.c */
void wallclock_init(void);
void wallclock_now(struct wall_time *t);

/* board.c */
void board_init(void);
int board_port(uint16_t port, int out, uint32_t *value);

#endif /* HV_VDEV_H */
