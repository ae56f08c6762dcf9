/*
 * board.c - the PC board around the guest's chips: it gives the CMOS/RTC
 * (vcmos.c) the wall clock and the memory size, and the keyboard
 * controller (vkbc.c) the interrupt lines and the reset line.  Ring 0.
 */
#include "hv.h"
#include "vdev.h"
#include "vcmos.h"
#include "vkbc.h"

#define CMOS_FIRST   0x70u
#define CMOS_LAST    0x71u
#define KBC_DATA     0x60u
#define KBC_CMD      0x64u
#define IRQ_KBD      1u
#define IRQ_AUX      12u
#define KIB          1024u
#define MIB          (1024u * 1024u)

static struct cmos vcmos;
static struct kbc vkbc;

/* Power on the board's chips (after the time base and guest memory). */
void board_init(void)
{
    struct wall_time now;
    wallclock_init();
    wallclock_now(&now);
    uint32_t ext = vcpu0.mem_size > MIB ? (vcpu0.mem_size - MIB) / KIB : 0;
    cmos_reset(&vcmos, ext, &now);
    kbc_reset(&vkbc);
}

/* The guest pulsed the CPU reset line: as VMI Reboot, the run ends. */
static void board_reset(void)
{
    hv_printf("\nhv: guest requested reboot (keyboard controller reset line)\n");
    stats_print();
    hv_exit_qemu(0);
}

/* A byte access to the keyboard controller. */
static void kbc_port(uint16_t port, int out, uint32_t *value)
{
    if (!out) {
        *value = kbc_read(&vkbc, port - KBC_DATA);
        return;
    }
    switch (kbc_write(&vkbc, port - KBC_DATA, (uint8_t)*value)) {
    case KBC_IRQ1: vpic_raise(IRQ_KBD); break;
    case KBC_IRQ12: vpic_raise(IRQ_AUX); break;
    case KBC_RESET: board_reset();
    default: break;
    }
}

/* Serve a guest byte access to the CMOS (70h-71h) or the keyboard
 * controller (60h, 64h); 1 if it was one. */
int board_port(uint16_t port, int out, uint32_t *value)
{
    if (port == KBC_DATA || port == KBC_CMD) {
        kbc_port(port, out, value);
        return 1;
    }
    if (port < CMOS_FIRST || port > CMOS_LAST)
        return 0;
    struct wall_time now;
    wallclock_now(&now);
    if (out)
        cmos_write(&vcmos, port - CMOS_FIRST, (uint8_t)*value, &now);
    else
        *value = cmos_read(&vcmos, port - CMOS_FIRST, &now);
    return 1;
}
