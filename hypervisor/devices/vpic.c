/*
 * vpic.c - the guest's virtual 8259A pair.  Ring 0.
 *
 * The guest programs it through ports 20h/21h and A0h/A1h as it would the
 * real one (ICW1-4, the mask, non-specific EOI); virtual devices raise
 * lines on it; the hypervisor asks it for the next vector to deliver.
 * Edge-triggered, fixed priority (line 0 highest), slave cascaded on 2.
 */
#include "hv.h"
#include "vdev.h"

#define ICW1_INIT     0x10u     /* command bit 4: start initialisation */
#define ICW1_NEED_ICW4 0x01u
#define OCW2_EOI      0x20u     /* non-specific end of interrupt        */
#define OCW3_FLAG     0x08u     /* command bit 3 (with bit 4 clear)     */
#define OCW3_READ_ISR 0x03u
#define CASCADE_LINE  2u
#define LINES         8u

struct pic {
    uint8_t base;               /* vector of line 0 (ICW2)   */
    uint8_t imr, irr, isr;
    uint8_t init_step;          /* 0: running; 2-4: expecting ICW2-4 */
    uint8_t need_icw4, read_isr;
};

static struct pic pics[2] = { { .imr = 0xFF }, { .imr = 0xFF } };

/* The master's request register, kept whole for the exit path: while it
 * is 0 nothing can be pending (a slave request raises the cascade line),
 * so traps.c's inject() looks no further. */
uint32_t vpic_requests;

/* Bring vpic_requests up to date after a request register changed. */
static void summarize(void)
{
    vpic_requests = pics[0].irr;
}

/* A write to the command port (20h / A0h). */
static void pic_command(struct pic *p, uint8_t v)
{
    if (v & ICW1_INIT) {
        p->init_step = 2;
        p->need_icw4 = v & ICW1_NEED_ICW4;
        p->imr = p->irr = p->isr = 0;
        summarize();
    } else if (v & OCW3_FLAG) {
        p->read_isr = (v & OCW3_READ_ISR) == OCW3_READ_ISR;
    } else if ((v & OCW2_EOI) && p->isr) {
        p->isr &= (uint8_t)(p->isr - 1);        /* clear the highest-priority bit */
    }
}

/* A write to the data port (21h / A1h): ICW2-4 during init, else the mask. */
static void pic_data(struct pic *p, uint8_t v)
{
    switch (p->init_step) {
    case 2: p->base = v & 0xF8u; p->init_step = 3; break;
    case 3: p->init_step = p->need_icw4 ? 4 : 0; break;
    case 4: p->init_step = 0; break;
    default: p->imr = v; break;
    }
}

/* Serve a guest access to ports 20h, 21h, A0h, A1h; 1 if it was one. */
int vpic_port(uint16_t port, int out, uint32_t *value)
{
    struct pic *p = (port & 0x80u) ? &pics[1] : &pics[0];
    int data = port & 1u;
    if (out)
        data ? pic_data(p, (uint8_t)*value) : pic_command(p, (uint8_t)*value);
    else
        *value = data ? p->imr : p->read_isr ? p->isr : p->irr;
    return 1;
}

/* A device raised line (0-15). */
void vpic_raise(uint32_t line)
{
    if (line >= LINES) {
        pics[1].irr |= (uint8_t)(1u << (line - LINES));
        line = CASCADE_LINE;
    }
    pics[0].irr |= (uint8_t)(1u << line);
    summarize();
}

/* The line a chip would deliver next, or -1: requested, unmasked and of
 * higher priority than anything in service. */
static int pic_next(const struct pic *p)
{
    uint8_t ready = p->irr & (uint8_t)~p->imr;
    for (uint32_t l = 0; l < LINES; l++) {
        if (p->isr & (1u << l))
            return -1;
        if (ready & (1u << l))
            return (int)l;
    }
    return -1;
}

/* Is an interrupt waiting for the guest's interrupt flag? */
int vpic_pending(void)
{
    return pic_next(&pics[0]) >= 0;
}

/* Could a request on master line `line` be delivered as things stand:
 * unmasked, and nothing of its priority or higher in service?  (Halt asks:
 * a halted guest cannot change either.) */
int vpic_line_open(uint32_t line)
{
    const struct pic *p = &pics[0];
    uint8_t this_and_higher = (uint8_t)((2u << line) - 1);
    return line < LINES && !(p->imr & (1u << line)) && !(p->isr & this_and_higher);
}

/* Accept the next interrupt: move it to in-service and return its vector,
 * or -1 when none is ready. */
int vpic_ack(void)
{
    int l = pic_next(&pics[0]);
    if (l < 0)
        return -1;
    pics[0].irr &= (uint8_t)~(1u << l);
    pics[0].isr |= (uint8_t)(1u << l);
    summarize();
    if ((uint32_t)l != CASCADE_LINE)
        return pics[0].base + l;
    int s = pic_next(&pics[1]);
    if (s < 0)
        return pics[1].base + 7;                /* spurious, as on hardware */
    pics[1].irr &= (uint8_t)~(1u << s);
    pics[1].isr |= (uint8_t)(1u << s);
    return pics[1].base + s;
}
