/*
 * vkbc.h - the guest's 8042 keyboard controller (vkbc.c), present with
 * nothing plugged into either port.  Pure logic; host-testable.
 */
#ifndef HV_VKBC_H
#define HV_VKBC_H

#include <stdint.h>

#define KBC_PORT_DATA    0u      /* port 60h */
#define KBC_PORT_CMD     4u      /* port 64h */

/* What a write asks of the machine. */
enum kbc_event {
    KBC_NONE,
    KBC_IRQ1,                    /* the output buffer filled: raise IRQ 1  */
    KBC_IRQ12,                   /*                   ... or IRQ 12 (AUX)   */
    KBC_RESET,                   /* the CPU reset line was pulsed           */
};

struct kbc {
    uint8_t ctr;                 /* the controller command byte ("RAM" 0) */
    uint8_t status;
    uint8_t out;                 /* the output buffer                     */
    uint8_t pending;             /* the command whose data byte is next   */
    uint8_t outport;             /* output port: reset line, A20 gate     */
};

void kbc_reset(struct kbc *k);
uint8_t kbc_read(struct kbc *k, uint32_t port);
enum kbc_event kbc_write(struct kbc *k, uint32_t port, uint8_t v);

#endif /* HV_VKBC_H */
