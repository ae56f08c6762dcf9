/*
 * vdev.h - the guest's virtual devices: interrupt controller and timers.
 */
#ifndef HV_VDEV_H
#define HV_VDEV_H

#include "hv.h"

/* vpic.c */
int vpic_port(uint16_t port, int out, uint32_t *value);
void vpic_raise(uint32_t line);
int vpic_pending(void);
int vpic_line_open(uint32_t line);
int vpic_ack(void);
extern uint32_t vpic_requests;   /* 0: no line requested, nothing pending */

/* vtimer.c */
void vtimer_init(void);
int vpit_port(uint16_t port, int out, uint32_t *value);
void vtimer_tick(void);
uint64_t vtimer_tsc_hz(void);
void vtimer_set_alarm(uint32_t flags, uint64_t expiry, uint64_t period);
int vtimer_cancel_alarm(void);
int vtimer_fires_within(uint32_t seconds);

#endif /* HV_VDEV_H */
