/*
 * ports.c - the guest's port space: what each port is.  Ring 0.
 *
 * COM1 is passed through (the real TSS bitmap lets the guest reach it
 * without an exit; accesses that arrive here anyway go to the UART).  The
 * isa-debug-exit port ends the run with the guest's status after printing
 * the statistics.  The chipset's ports reach the virtual devices: the
 * 8259A pair (vpic.c), the 8254 and port 61h (vtimer.c), the CMOS/RTC and
 * the 8042 (board.c).  They are 8-bit ISA devices: a 2- or 4-byte access
 * that reaches any of their ports is that many byte accesses to
 * consecutive ports, low byte first, as the chipset splits it (an
 * `in ax, 20h` reads 20h then 21h; `in ax, 5Fh` reads FFh and port 60h).  Every other
 * port is absent: reads float high, writes are dropped, as on a PC with
 * nothing decoding that address.
 */
#include "hv.h"
#include "vdev.h"

#define COM1_FIRST   0x3F8u
#define COM1_LAST    0x3FFu
#define PIC1_FIRST   0x20u
#define PIC1_LAST    0x21u
#define PIC2_FIRST   0xA0u
#define PIC2_LAST    0xA1u
#define PIT_FIRST    0x40u
#define PIT_LAST     0x43u
#define PORT_B       0x61u
#define KBC_DATA     0x60u
#define KBC_CMD      0x64u
#define CMOS_FIRST   0x70u
#define CMOS_LAST    0x71u
#define ALL_ONES(size) ((size) == 4 ? 0xFFFFFFFFu : (1u << ((size) * 8)) - 1)

/* Is port in [first, last]? */
static int in_range(uint16_t port, uint32_t first, uint32_t last)
{
    return port >= first && port <= last;
}

/* Who serves a byte access to a virtual device's port. */
typedef int vdev_fn(uint16_t port, int out, uint32_t *value);

/* The virtual devices by port (all on the board, below ISA_BOARD_PORTS):
 * a direct table, since every trapped access asks. */
#define ISA_BOARD_PORTS 0x100u    /* 000h-0FFh: the PC board's own chips */
static vdev_fn *const vdevs[ISA_BOARD_PORTS] = {
    [PIC1_FIRST] = vpic_port, [PIC1_LAST] = vpic_port,
    [PIC2_FIRST] = vpic_port, [PIC2_LAST] = vpic_port,
    [PIT_FIRST] = vpit_port, [PIT_FIRST + 1] = vpit_port, [PIT_FIRST + 2] = vpit_port,
    [PIT_LAST] = vpit_port,
    [PORT_B] = vpit_port,
    [KBC_DATA] = board_port, [KBC_CMD] = board_port,
    [CMOS_FIRST] = board_port, [CMOS_LAST] = board_port,
};
_Static_assert(PIT_FIRST + 3 == PIT_LAST && PIC1_FIRST + 1 == PIC1_LAST &&
               PIC2_FIRST + 1 == PIC2_LAST && CMOS_FIRST + 1 == CMOS_LAST,
               "every port of each range is in vdevs[]");

/* The device that decodes port, or NULL. */
static vdev_fn *vdev_at(uint16_t port)
{
    return port < ISA_BOARD_PORTS ? vdevs[port] : NULL;
}

/* An access of 2 or 4 bytes any of whose ports is a virtual device's:
 * byte accesses to port, port+1, ... low byte first, each reaching
 * whatever decodes its port (reading all ones where nothing does); 1 if
 * it was. */
static int vdev_wide(uint16_t port, uint32_t size, int out, uint32_t *value)
{
    uint32_t touches = 0;
    for (uint32_t i = 0; i < size; i++)
        touches |= vdev_at((uint16_t)(port + i)) != NULL;
    if (!touches)
        return 0;
    uint32_t result = 0;
    for (uint32_t i = 0; i < size; i++) {
        uint16_t p = (uint16_t)(port + i);
        vdev_fn *d = vdev_at(p);
        uint32_t b = out ? (*value >> (8 * i)) & 0xFFu : 0xFFu;
        if (d)
            d(p, out, &b);
        result |= (b & 0xFFu) << (8 * i);
    }
    if (!out)
        *value = result;
    return 1;
}

static void guest_exit(uint32_t value) __attribute__((noreturn));

/* Read size bytes (1, 2, 4) from a guest port into *value; 0 on success.
 * A byte from a device's port (the common access) goes straight to it. */
int port_in(uint16_t port, uint32_t size, uint32_t *value)
{
    vdev_fn *d = size == 1 ? vdev_at(port) : NULL;
    if (d) {
        *value = 0xFFu;
        d(port, 0, value);
        *value &= 0xFFu;
        return 0;
    }
    if (size != 1 && vdev_wide(port, size, 0, value))
        return 0;
    if (in_range(port, COM1_FIRST, COM1_LAST) && size == 1)
        *value = inb(port);
    else
        *value = ALL_ONES(size);
    return 0;
}

/* Write value (size bytes) to a guest port; 0 on success.  A byte to a
 * device's port (the common access) goes straight to it. */
int port_out(uint16_t port, uint32_t size, uint32_t value)
{
    vdev_fn *d = size == 1 ? vdev_at(port) : NULL;
    if (d) {
        value &= 0xFFu;
        d(port, 1, &value);
        return 0;
    }
    if (size != 1 && vdev_wide(port, size, 1, &value))
        return 0;
    if (in_range(port, COM1_FIRST, COM1_LAST) && size == 1) {
        outb(port, (uint8_t)value);
    } else if (port == HR_DEBUG_EXIT_PORT) {
        guest_exit(value);
    }
    return 0;
}

/* The guest wrote value to the exit port: end the run with its status,
 * unless that status would read as one of the hypervisor's own verdicts. */
static void guest_exit(uint32_t value)
{
    uint32_t low = value & HR_EXIT_STATUS_MASK;
    if (low == HR_EXIT_GUEST_TERMINATED || low == HR_EXIT_HV_PANIC)
        guest_terminate(guest_frame(), "reserved exit status", "the guest wrote %x to the exit "
                        "port: QEMU would report the hypervisor's status %u", value,
                        ((low << 1) | 1));
    hv_printf("\nhv: guest exit with status %u\n", value);
    stats_print();
    hv_exit_qemu(value);
}

/* The backdoor ("in eax, dx" on HR_BACKDOOR_PORT with the magic in EAX):
 * answer the command in ECX.  1 if it was a backdoor access. */
int backdoor(struct trapframe *tf)
{
    if (!backdoor_enabled || tf->eax != HR_BACKDOOR_MAGIC)
        return 0;
    switch (tf->ecx) {
    case HR_BACKDOOR_GETVERSION:
        tf->eax = HR_BACKDOOR_VERSION;
        tf->ebx = HR_BACKDOOR_MAGIC;
        break;
    case HR_BACKDOOR_GETEXITS:
        tf->eax = (uint32_t)exits_total();
        break;
    default:
        tf->eax = 0xFFFFFFFFu;                /* unknown command, as VMware's */
        break;
    }
    return 1;
}
