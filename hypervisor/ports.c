/*
 * ports.c - the guest's port space: what each port is.  Ring 0.
 *
 * COM1 is passed through (the real TSS bitmap lets the guest reach it
 * without an exit; accesses that arrive here anyway go to the UART).  The
 * isa-debug-exit port ends the run with the guest's status after printing
 * the statistics.  Every other port is absent: reads float high, writes are
 * dropped, as on a PC with nothing decoding that address.
 */
#include "hv.h"

#define COM1_FIRST   0x3F8u
#define COM1_LAST    0x3FFu
#define ALL_ONES(size) ((size) == 4 ? 0xFFFFFFFFu : (1u << ((size) * 8)) - 1)

/* Is port in [first, last]? */
static int in_range(uint16_t port, uint32_t first, uint32_t last)
{
    return port >= first && port <= last;
}

/* Read size bytes (1, 2, 4) from a guest port into *value; 0 on success. */
int port_in(uint16_t port, uint32_t size, uint32_t *value)
{
    if (in_range(port, COM1_FIRST, COM1_LAST) && size == 1)
        *value = inb(port);
    else
        *value = ALL_ONES(size);
    return 0;
}

/* Write value (size bytes) to a guest port; 0 on success. */
int port_out(uint16_t port, uint32_t size, uint32_t value)
{
    if (in_range(port, COM1_FIRST, COM1_LAST) && size == 1) {
        outb(port, (uint8_t)value);
    } else if (port == HR_DEBUG_EXIT_PORT) {
        hv_printf("\nhv: guest exit with status %u\n", value);
        stats_print();
        hv_exit_qemu(value);
    }
    return 0;
}
