/*
 * vpic.h - the guest's 8259A pair (vpic.c): the port interface the guest
 * programs and the calls the hypervisor raises and accepts interrupts
 * with.  Pure logic; host-testable.
 */
#ifndef HV_VPIC_H
#define HV_VPIC_H

#include <stdint.h>

void vpic_reset(void);
int vpic_port(uint16_t port, int out, uint32_t *value);
void vpic_raise(uint32_t line);
int vpic_pending(void);
int vpic_line_open(uint32_t line);
int vpic_ack(void);

#endif /* HV_VPIC_H */
