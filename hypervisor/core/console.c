/*
 * console.c - the hypervisor's serial console, printf, panic and exit.
 * Ring 0.
 *
 * The verdict is the hypervisor's alone, so its console is a channel the
 * guest cannot reach: the second serial port (COM2), which is in no
 * guest's port space, while the guest has COM1.  A guest could otherwise
 * print a line that reads like the hypervisor's, or reprogram the shared
 * UART (DLAB, loopback) to swallow the real one.  Only a machine without
 * COM2 (or console=com1) puts both on COM1, as a fallback.
 */
#include "hv.h"

#define COM1          0x3F8u
#define COM2          0x2F8u
#define UART_SCR      7       /* scratch register: absent UART reads FFh */
#define UART_PROBE    0x5Au
#define UART_THR      0       /* transmit holding register            */
#define UART_IER      1       /* interrupt enable                     */
#define UART_DLL      0       /* divisor latch, low (with DLAB)       */
#define UART_DLM      1       /* divisor latch, high (with DLAB)      */
#define UART_FCR      2       /* FIFO control                         */
#define UART_LCR      3       /* line control                         */
#define UART_LSR      5       /* line status                          */
#define UART_LCR_DLAB 0x80u
#define UART_LCR_8N1  0x03u
#define UART_FCR_ON   0x07u   /* enable and clear both FIFOs          */
#define UART_LSR_THRE 0x20u   /* transmitter ready for a byte         */
#define UART_DIV_115200 1u

static uint16_t uart = COM1;        /* the hypervisor's console */

/* Is there a UART at base?  Its scratch register keeps what is written. */
static int uart_present(uint16_t base)
{
    outb(base + UART_SCR, UART_PROBE);
    return inb(base + UART_SCR) == UART_PROBE;
}

/* Program the UART at base: 115200 8N1, no interrupts (it is polled). */
static void uart_init(uint16_t base)
{
    outb(base + UART_IER, 0);
    outb(base + UART_LCR, UART_LCR_DLAB);
    outb(base + UART_DLL, UART_DIV_115200);
    outb(base + UART_DLM, 0);
    outb(base + UART_LCR, UART_LCR_8N1);
    outb(base + UART_FCR, UART_FCR_ON);
}

/* Take COM2 for the hypervisor when there is one (and the command line
 * does not say console=com1), else COM1; COM1 is set up for the guest
 * either way. */
void console_init(const char *cmdline)
{
    const char *v = cmdline_get(cmdline, "console");
    uart_init(COM1);
    if (!(v && !strncmp(v, "com1", 4)) && uart_present(COM2)) {
        uart = COM2;
        uart_init(COM2);
    }
}

/* Is the hypervisor's console the guest's UART too (no COM2)? */
int console_shared(void)
{
    return uart == COM1;
}

/* Send one byte, waiting for room; newlines become CR LF. */
static void putc_serial(char c)
{
    if (c == '\n')
        putc_serial('\r');
    while (!(inb(uart + UART_LSR) & UART_LSR_THRE))
        ;
    outb(uart + UART_THR, (uint8_t)c);
}

/* Print n in base with at least width digits, padded with pad. */
static void put_number(uint32_t n, unsigned base, int width, char pad, int neg)
{
    char buf[12];
    int i = 0;
    do {
        buf[i++] = "0123456789abcdef"[n % base];
        n /= base;
    } while (n);
    if (neg)
        buf[i++] = '-';
    while (i < width--)
        putc_serial(pad);
    while (i)
        putc_serial(buf[--i]);
}

/* Send a C string (or "(null)"). */
static void put_string(const char *s)
{
    for (s = s ? s : "(null)"; *s; s++)
        putc_serial(*s);
}

/* printf with %s %c %d %u %x %p %%, an optional 0 flag and width. */
void hv_vprintf(const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') { putc_serial(*fmt); continue; }
        char pad = ' ';
        int width = 0;
        if (*++fmt == '0') { pad = '0'; fmt++; }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        switch (*fmt) {
        case 's': put_string(va_arg(ap, const char *)); break;
        case 'c': putc_serial((char)va_arg(ap, int)); break;
        case 'd': { int v = va_arg(ap, int);
                    put_number(v < 0 ? -(uint32_t)v : (uint32_t)v, 10, width, pad, v < 0); break; }
        case 'u': put_number(va_arg(ap, uint32_t), 10, width, pad, 0); break;
        case 'x': put_number(va_arg(ap, uint32_t), 16, width, pad, 0); break;
        case 'p': putc_serial('0'); putc_serial('x');
                  put_number(va_arg(ap, uint32_t), 16, 8, '0', 0); break;
        case '\0': return;
        default: putc_serial(*fmt); break;
        }
    }
}

int hv_quiet;        /* log=quiet: only problems and the guest's own output */
int hv_stats = 1;    /* stats=off: no exit statistics at the end            */

/* Informational messages, which log=quiet silences. */
void hv_info(const char *fmt, ...)
{
    va_list ap;
    if (hv_quiet)
        return;
    va_start(ap, fmt);
    hv_vprintf(fmt, ap);
    va_end(ap);
}

void hv_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hv_vprintf(fmt, ap);
    va_end(ap);
}

/* End the run: QEMU's isa-debug-exit port, else halt forever (real PC). */
void hv_exit_qemu(uint32_t code)
{
    outl(HR_DEBUG_EXIT_PORT, code);
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* A broken hypervisor invariant: say where, then stop the machine. */
void hv_panic_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    hv_printf("\nhv: PANIC at %s:%d: ", file, line);
    va_start(ap, fmt);
    hv_vprintf(fmt, ap);
    va_end(ap);
    hv_printf("\n");
    hv_exit_qemu(HR_EXIT_HV_PANIC);
}
