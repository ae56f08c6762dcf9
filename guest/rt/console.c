/*
 * console.c - the serial console on COM1 and a small printf.
 *
 * All port I/O goes through the shim's vmi_inb/vmi_outb.  Those are
 * patchable sites that hold the native IN/OUT until vmi_setup() rewrites
 * them, so the console works before the shim is set up (and is how the
 * shim's own messages reach us).  Under the hypervisor COM1 is whatever
 * the hypervisor gives the guest: passed through or emulated.
 *
 * Formats: %s %c %d %i %u %x %X %p %%, with flags '-' and '0', a width,
 * and the length modifiers l (ignored, 32-bit) and ll (64-bit).
 */
#include "rt.h"     /* printf and friends */
#include "vmi.h"    /* vmi_inb, vmi_outb */

/* The 16550 UART registers, offsets from its base (PC16550D datasheet). */
#define COM1_BASE     0x3F8u
#define UART_DATA     0u       /* DLAB=0: transmit/receive buffer       */
#define UART_IER      1u       /* DLAB=0: interrupt enable              */
#define UART_DLL      0u       /* DLAB=1: divisor latch, low byte       */
#define UART_DLM      1u       /* DLAB=1: divisor latch, high byte      */
#define UART_FCR      2u       /* FIFO control                          */
#define UART_LCR      3u       /* line control                          */
#define UART_MCR      4u       /* modem control                         */
#define UART_LSR      5u       /* line status                           */
#define LCR_DLAB      0x80u
#define LCR_8N1       0x03u    /* 8 data bits, no parity, 1 stop bit    */
#define FCR_ENABLE_CLEAR 0x07u /* enable FIFOs, clear both              */
#define MCR_DTR_RTS_OUT2 0x0Bu
#define LSR_THR_EMPTY 0x20u
#define BAUD_DIVISOR  1u       /* 115200 baud                           */
#define TX_SPIN_LIMIT 100000u  /* a missing UART must not hang us       */

/* Program COM1 for 115200 8N1 with interrupts off. */
void console_init(void)
{
    vmi_outb(COM1_BASE + UART_IER, 0);
    vmi_outb(COM1_BASE + UART_LCR, LCR_DLAB);
    vmi_outb(COM1_BASE + UART_DLL, BAUD_DIVISOR & 0xFFu);
    vmi_outb(COM1_BASE + UART_DLM, BAUD_DIVISOR >> 8);
    vmi_outb(COM1_BASE + UART_LCR, LCR_8N1);
    vmi_outb(COM1_BASE + UART_FCR, FCR_ENABLE_CLEAR);
    vmi_outb(COM1_BASE + UART_MCR, MCR_DTR_RTS_OUT2);
}

/* Send one character, turning \n into \r\n for terminals. */
void console_putc(char c)
{
    if (c == '\n')
        console_putc('\r');
    for (uint32_t i = 0; i < TX_SPIN_LIMIT; i++)
        if (vmi_inb(COM1_BASE + UART_LSR) & LSR_THR_EMPTY)
            break;
    vmi_outb(COM1_BASE + UART_DATA, (uint8_t)c);
}

/* ---- formatting ---- */

/* Where formatted characters go: the console, or a buffer. */
struct sink {
    int console;               /* 1: the console, 0: buf                */
    char *buf;
    size_t size, len;          /* len counts every character produced   */
};

/* Send one character to the sink. */
static void sink_put(struct sink *s, char c)
{
    if (s->console)
        console_putc(c);
    else if (s->len + 1 < s->size)
        s->buf[s->len] = c;
    s->len++;
}

/* Divide a 64-bit value by a small base without libgcc; returns the rest. */
static unsigned divmod64(uint64_t *v, unsigned base)
{
    uint64_t q = 0, r = 0;
    for (int bit = 63; bit >= 0; bit--) {
        r = (r << 1) | ((*v >> bit) & 1u);
        if (r >= base) {
            r -= base;
            q |= (uint64_t)1 << bit;
        }
    }
    *v = q;
    return (unsigned)r;
}

/* One conversion's flags and width. */
struct spec {
    int left, zero;
    unsigned width;
};

/* Emit str (len chars) padded to the width; zero padding goes after a sign. */
static void put_padded(struct sink *s, const struct spec *sp, const char *sign,
                       const char *str, size_t len)
{
    size_t total = len + strlen(sign);
    size_t pad = sp->width > total ? sp->width - total : 0;
    if (!sp->left && !sp->zero)
        for (; pad; pad--)
            sink_put(s, ' ');
    while (*sign)
        sink_put(s, *sign++);
    if (sp->zero && !sp->left)
        for (; pad; pad--)
            sink_put(s, '0');
    while (len--)
        sink_put(s, *str++);
    for (; pad; pad--)
        sink_put(s, ' ');
}

/* Emit an unsigned number in base 10 or 16. */
static void put_number(struct sink *s, const struct spec *sp, uint64_t v,
                       unsigned base, int upper, const char *sign)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    size_t n = sizeof(tmp);
    do {
        tmp[--n] = digits[divmod64(&v, base)];
    } while (v);
    put_padded(s, sp, sign, tmp + n, sizeof(tmp) - n);
}

/* Fetch an integer argument of the given length (0: int, 2: long long). */
static uint64_t arg_unsigned(va_list *ap, int longs)
{
    return longs >= 2 ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned);
}

/* The same, signed. */
static int64_t arg_signed(va_list *ap, int longs)
{
    return longs >= 2 ? va_arg(*ap, int64_t) : va_arg(*ap, int);
}

/* Parse flags, width and length of one conversion; returns the letter. */
static const char *parse_spec(const char *f, struct spec *sp, int *longs)
{
    *sp = (struct spec){ 0 };
    for (;; f++) {
        if (*f == '-')
            sp->left = 1;
        else if (*f == '0')
            sp->zero = 1;
        else
            break;
    }
    while (*f >= '0' && *f <= '9')
        sp->width = sp->width * 10 + (unsigned)(*f++ - '0');
    for (*longs = 0; *f == 'l'; f++)
        (*longs)++;
    return f;
}

/* Emit one conversion, letter c, taking its argument from ap. */
static void put_conversion(struct sink *s, char c, struct spec *sp, int longs,
                           va_list *ap)
{
    switch (c) {
    case 'd': case 'i': {
        int64_t v = arg_signed(ap, longs);
        put_number(s, sp, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 10, 0, v < 0 ? "-" : "");
        break;
    }
    case 'u': put_number(s, sp, arg_unsigned(ap, longs), 10, 0, ""); break;
    case 'x': put_number(s, sp, arg_unsigned(ap, longs), 16, 0, ""); break;
    case 'X': put_number(s, sp, arg_unsigned(ap, longs), 16, 1, ""); break;
    case 'p':
        sp->zero = 1;
        sp->width = 8;
        put_number(s, sp, (uintptr_t)va_arg(*ap, void *), 16, 0, "0x");
        break;
    case 'c': {
        char ch = (char)va_arg(*ap, int);
        put_padded(s, sp, "", &ch, 1);
        break;
    }
    case 's': {
        const char *str = va_arg(*ap, const char *);
        if (!str)
            str = "(null)";
        put_padded(s, sp, "", str, strlen(str));
        break;
    }
    default:                   /* %% and anything unknown: print it     */
        sink_put(s, c);
    }
}

/* Format into the sink; returns the number of characters produced. */
static int format(struct sink *s, const char *fmt, va_list ap)
{
    va_list args;
    va_copy(args, ap);
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            sink_put(s, *f);
            continue;
        }
        struct spec sp;
        int longs;
        f = parse_spec(f + 1, &sp, &longs);
        if (!*f)
            break;
        put_conversion(s, *f, &sp, longs, &args);
    }
    va_end(args);
    return (int)s->len;
}

/* printf to the console; returns the number of characters. */
int vprintf(const char *fmt, va_list ap)
{
    struct sink s = { .console = 1 };
    return format(&s, fmt, ap);
}

/* Format and print to the console. */
int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

/* printf into buf (always NUL-terminated when size > 0). */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sink s = { .buf = buf, .size = size };
    int n = format(&s, fmt, ap);
    if (size)
        buf[s.len < size ? s.len : size - 1] = '\0';
    return n;
}

/* Format into buf, at most size bytes with the NUL. */
int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
