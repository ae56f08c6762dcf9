/*
 * vpic.c - the guest's virtual 8259A pair.  Ring 0, pure logic.
 *
 * The guest programs it through ports 20h/21h and A0h/A1h as it would the
 * real one (Intel 8259A datasheet, order no. 231468: ICW1-4, OCW1-3);
 * virtual devices raise lines on it; the hypervisor asks it for the next
 * vector to deliver.  Everything the datasheet defines for a PC's
 * edge-triggered cascade is here:
 *
 *   OCW2  R SL EOI 0 0 L2 L1 L0: non-specific and specific EOI, rotate on
 *         non-specific / specific EOI, set priority, rotate in automatic
 *         EOI mode (set / clear);
 *   OCW3  0 ESMM SMM 0 1 P RR RIS: special mask mode, poll, read IRR/ISR;
 *   ICW4  SFNM and AEOI (special fully nested mode, automatic EOI).
 *
 * Priority rotates: line `top` is the highest, top + 1 the next.  The slave's INT
 * output is the master's line 2, raised on its rising edge.  A poll read
 * acknowledges like an INTA cycle and answers 80h | line, or 0 when nothing
 * is requested, as QEMU's model does.  Level-triggered mode (ICW1 LTIM)
 * and buffered mode are not modelled: a PC's ISA lines are edges.
 */
#include "vpic.h"

#define ICW1_INIT      0x10u    /* command bit 4: start initialisation    */
#define ICW1_NEED_ICW4 0x01u
#define ICW1_SINGLE    0x02u
#define ICW4_AEOI      0x02u
#define ICW4_SFNM      0x10u
#define OCW3_FLAG      0x08u    /* command bit 3 (with bit 4 clear)       */
#define OCW3_POLL      0x04u
#define OCW3_RR        0x02u    /* RIS is valid                           */
#define OCW3_RIS       0x01u    /* 1: read ISR, 0: read IRR               */
#define OCW3_ESMM      0x40u    /* SMM is valid                           */
#define OCW3_SMM       0x20u
#define OCW2_LEVEL(v)  ((v) & 7u)
#define OCW2_CMD(v)    ((v) >> 5)
enum {                          /* OCW2's R SL EOI field                  */
    OCW2_ROTATE_AEOI_CLEAR = 0, OCW2_EOI = 1, OCW2_NOP = 2, OCW2_SPECIFIC_EOI = 3,
    OCW2_ROTATE_AEOI_SET = 4, OCW2_ROTATE_EOI = 5, OCW2_SET_PRIORITY = 6,
    OCW2_ROTATE_SPECIFIC_EOI = 7
};
#define POLL_INT       0x80u    /* a poll read: an interrupt is requested  */
#define CASCADE_LINE   2u
#define LINES          8u
#define NO_LINE        8        /* get_priority: nothing in the mask       */
#define SPURIOUS_LINE  7u

struct pic {
    uint8_t base;               /* vector of line 0 (ICW2)        */
    uint8_t imr, irr, isr;
    uint8_t top;                /* the highest-priority line      */
    uint8_t init_step;          /* 0: running; 2-4: expecting ICW2-4 */
    uint8_t need_icw4, single, aeoi, rotate_aeoi, sfnm;
    uint8_t read_isr, poll, special_mask;
    uint8_t out;                /* last INT output (slave: cascade edge) */
};

static struct pic pics[2] = { { .imr = 0xFF }, { .imr = 0xFF } };

/* The master's request register, kept whole for the exit path: while it
 * is 0 nothing can be pending (a slave request raises the cascade line),
 * so traps.c's inject() looks no further.  cascade() keeps it current: it
 * ends every entry point that can change a request register. */
uint32_t vpic_requests;

/* Power-on state: both masked, nothing pending. */
void vpic_reset(void)
{
    for (int i = 0; i < 2; i++)
        pics[i] = (struct pic){ .imr = 0xFF };
    vpic_requests = 0;
}

/* The line of priority prio (0 highest). */
static uint32_t line_of(const struct pic *p, int prio)
{
    return (p->top + (uint32_t)prio) & 7u;
}

/* The priority (0 highest) of the highest-priority line in mask, or
 * NO_LINE.  Line top + k has priority k: rotating the mask right by top
 * puts it at bit k, so the lowest set bit is the answer. */
static int get_priority(const struct pic *p, uint8_t mask)
{
    uint32_t by_prio = (((uint32_t)mask | (uint32_t)mask << LINES) >> p->top) & 0xFFu;
    return by_prio ? __builtin_ctz(by_prio) : NO_LINE;
}

/* The line p would interrupt with, or -1: requested, unmasked, and of
 * higher priority than anything in service (in special mask mode only
 * unmasked lines in service count; in special fully nested mode the
 * master lets the cascade interrupt again). */
static int pic_next(const struct pic *p, int master)
{
    int prio = get_priority(p, p->irr & (uint8_t)~p->imr);
    if (prio == NO_LINE)
        return -1;
    uint8_t busy = p->isr;
    if (p->special_mask)
        busy &= (uint8_t)~p->imr;
    if (p->sfnm && master)
        busy &= (uint8_t)~(1u << CASCADE_LINE);
    if (prio >= get_priority(p, busy))
        return -1;
    return (int)line_of(p, prio);
}

/* Follow the slave's INT output onto the master's line 2, an edge input:
 * a rising edge requests it; a request stays latched until acknowledged
 * even if the slave's output falls first (then the slave answers the
 * INTA with its spurious vector, line 7), as QEMU's cascade does. */
static void cascade(void)
{
    uint8_t out = pic_next(&pics[1], 0) >= 0;
    if (out && !pics[1].out)
        pics[0].irr |= 1u << CASCADE_LINE;
    pics[1].out = out;
    vpic_requests = pics[0].irr;
}

/* An INTA cycle (or a poll) accepted `line` on p. */
static void intack(struct pic *p, uint32_t line)
{
    if (p->aeoi) {
        if (p->rotate_aeoi)
            p->top = (uint8_t)((line + 1u) & 7u);
    } else {
        p->isr |= (uint8_t)(1u << line);
    }
    p->irr &= (uint8_t)~(1u << line);
}

/* OCW2: end of interrupt, rotation, priority. */
static void pic_ocw2(struct pic *p, uint8_t v)
{
    uint32_t cmd = OCW2_CMD(v), line = OCW2_LEVEL(v);
    int prio;
    switch (cmd) {
    case OCW2_ROTATE_AEOI_CLEAR:
    case OCW2_ROTATE_AEOI_SET:
        p->rotate_aeoi = cmd == OCW2_ROTATE_AEOI_SET;
        break;
    case OCW2_EOI:
    case OCW2_ROTATE_EOI:                       /* the highest-priority bit in service */
        prio = get_priority(p, p->isr);
        if (prio == NO_LINE)
            break;
        line = line_of(p, prio);
        p->isr &= (uint8_t)~(1u << line);
        if (cmd == OCW2_ROTATE_EOI)
            p->top = (uint8_t)((line + 1u) & 7u);
        break;
    case OCW2_SPECIFIC_EOI:
    case OCW2_ROTATE_SPECIFIC_EOI:
        p->isr &= (uint8_t)~(1u << line);
        if (cmd == OCW2_ROTATE_SPECIFIC_EOI)
            p->top = (uint8_t)((line + 1u) & 7u);
        break;
    case OCW2_SET_PRIORITY:                     /* L becomes the lowest */
        p->top = (uint8_t)((line + 1u) & 7u);
        break;
    default:                                    /* OCW2_NOP */
        break;
    }
}

/* A write to the command port (20h / A0h): ICW1, OCW2 or OCW3. */
static void pic_command(struct pic *p, uint8_t v)
{
    if (v & ICW1_INIT) {
        *p = (struct pic){ .init_step = 2, .need_icw4 = v & ICW1_NEED_ICW4,
                           .single = (v & ICW1_SINGLE) != 0 };
    } else if (v & OCW3_FLAG) {
        if (v & OCW3_POLL)
            p->poll = 1;
        if (v & OCW3_RR)
            p->read_isr = v & OCW3_RIS;
        if (v & OCW3_ESMM)
            p->special_mask = (v & OCW3_SMM) != 0;
    } else {
        pic_ocw2(p, v);
    }
}

/* A write to the data port (21h / A1h): ICW2-4 during init, else the mask. */
static void pic_data(struct pic *p, uint8_t v)
{
    switch (p->init_step) {
    case 2:
        p->base = v & 0xF8u;
        p->init_step = p->single ? (p->need_icw4 ? 4 : 0) : 3;
        break;
    case 3: p->init_step = p->need_icw4 ? 4 : 0; break;
    case 4:
        p->aeoi = (v & ICW4_AEOI) != 0;
        p->sfnm = (v & ICW4_SFNM) != 0;
        p->init_step = 0;
        break;
    default: p->imr = v; break;
    }
}

/* A read: a pending poll answers (and acknowledges), else the command port
 * gives IRR or ISR (OCW3) and the data port the mask. */
static uint8_t pic_read(struct pic *p, int data, int master)
{
    if (p->poll) {
        p->poll = 0;
        int l = pic_next(p, master);
        if (l < 0)
            return 0;
        intack(p, (uint32_t)l);
        return (uint8_t)(POLL_INT | (uint32_t)l);
    }
    return data ? p->imr : p->read_isr ? p->isr : p->irr;
}

/* Serve a guest byte access to ports 20h, 21h, A0h, A1h; 1 if it was one. */
int vpic_port(uint16_t port, int out, uint32_t *value)
{
    int master = !(port & 0x80u);
    struct pic *p = &pics[!master];
    int data = port & 1u;
    if (out)
        data ? pic_data(p, (uint8_t)*value) : pic_command(p, (uint8_t)*value);
    else
        *value = pic_read(p, data, master);
    cascade();
    return 1;
}

/* A device raised line (0-15): an edge. */
void vpic_raise(uint32_t line)
{
    if (line >= 2 * LINES)
        return;
    if (line >= LINES)
        pics[1].irr |= (uint8_t)(1u << (line - LINES));
    else
        pics[0].irr |= (uint8_t)(1u << line);
    cascade();
}

/* Is an interrupt waiting for the guest's interrupt flag? */
int vpic_pending(void)
{
    return pic_next(&pics[0], 1) >= 0;
}

/* Could a request on master line `line` be delivered as things stand:
 * unmasked, and nothing of its priority or higher in service?  (Halt asks:
 * a halted guest cannot change either.) */
int vpic_line_open(uint32_t line)
{
    const struct pic *p = &pics[0];
    if (line >= LINES || (p->imr & (1u << line)))
        return 0;
    uint8_t busy = p->special_mask ? (uint8_t)(p->isr & ~p->imr) : p->isr;
    int prio = (int)((line - p->top) & 7u);
    return prio < get_priority(p, busy);
}

/* Accept the next interrupt, as the CPU's INTA cycles do: move it to
 * in-service and return its vector, or -1 when none is ready. */
int vpic_ack(void)
{
    int l = pic_next(&pics[0], 1);
    if (l < 0)
        return -1;
    int vector;
    if ((uint32_t)l == CASCADE_LINE) {
        int s = pic_next(&pics[1], 0);
        if (s >= 0)
            intack(&pics[1], (uint32_t)s);
        vector = pics[1].base + (s >= 0 ? s : (int)SPURIOUS_LINE);   /* spurious, as on hardware */
    } else {
        vector = pics[0].base + l;
    }
    intack(&pics[0], (uint32_t)l);
    cascade();
    return vector;
}
