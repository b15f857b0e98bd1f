// SPDX-License-Identifier: GPL-2.0
/*
 * 16550 UART at COM1 (ports 0x3F8-0x3FF), transmit only.
 *
 * Register map and reset values: National Semiconductor PC16550D datasheet,
 * Table II "Summary of Registers" and Table IV "UART Reset Configuration".
 * Offsets 0 and 1 are the divisor latch (DLL/DLM) while LCR bit 7 (DLAB) is
 * set; offset 2 reads as IIR and writes FCR.
 *
 * What the guest writes to THR goes to the console fd at once.  There is no
 * input and no interrupt line yet: IIR always says "no interrupt pending",
 * LSR always says the transmitter is empty.  Every other register stores
 * what a driver writes and reads it back with the datasheet's read-only bits
 * masked, which is what a driver probe (Linux 8250 autoconfig: scratch, IER,
 * FIFO and loopback tests) checks.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/serial_reg.h>

#include "../devices.h"
#include "../ioport.h"
#include "../machine.h"

#define UART_COM1_BASE	0x3f8
#define UART_NR_REGS	8

#define UART_IER_MASK	0x0f	/* IER bits 4-7 are always 0 */
#define UART_MCR_MASK	0x1f	/* MCR bits 5-7 are always 0 */
#define UART_IIR_FIFO	0xc0	/* IIR bits 6-7: FIFOs enabled (FCR bit 0) */

struct uart16550 {
	int out_fd;
	uint8_t rbr;		/* only loopback fills it: there is no input */
	uint8_t ier, fcr, lcr, mcr, lsr, scr;
	uint8_t dll, dlm;
};

static void uart_output(struct uart16550 *u, uint8_t c)
{
	ssize_t n;

	if (u->out_fd < 0)
		return;
	/* A full pipe or a closed terminal must not stop the guest. */
	do {
		n = write(u->out_fd, &c, 1);
	} while (n < 0 && errno == EINTR);
}

/*
 * THR.  In loopback mode (MCR bit 4) the serial output is looped back to the
 * receiver instead of leaving the chip.
 */
static void uart_transmit(struct uart16550 *u, uint8_t c)
{
	if (!(u->mcr & UART_MCR_LOOP)) {
		uart_output(u, c);
		return;
	}
	if (u->lsr & UART_LSR_DR)
		u->lsr |= UART_LSR_OE;
	u->rbr = c;
	u->lsr |= UART_LSR_DR;
}

/*
 * MSR bits 4-7 are the modem inputs.  In loopback they are wired to the MCR
 * outputs (CTS = RTS, DSR = DTR, RI = OUT1, DCD = OUT2); otherwise report a
 * modem that is present and ready, as a null-modem cable would.  The delta
 * bits 0-3 stay 0: no input ever changes while a guest watches.
 */
static uint8_t uart_msr(struct uart16550 *u)
{
	uint8_t msr = 0;

	if (!(u->mcr & UART_MCR_LOOP))
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	if (u->mcr & UART_MCR_RTS)
		msr |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_DTR)
		msr |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_OUT1)
		msr |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2)
		msr |= UART_MSR_DCD;
	return msr;
}

static uint8_t uart_read_rbr(struct uart16550 *u)
{
	u->lsr &= ~UART_LSR_DR;
	return u->rbr;
}

static uint8_t uart_read_reg(struct uart16550 *u, unsigned int reg)
{
	int dlab = u->lcr & UART_LCR_DLAB;
	uint8_t lsr;

	switch (reg) {
	case UART_RX:
		return dlab ? u->dll : uart_read_rbr(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		return UART_IIR_NO_INT |
		       (u->fcr & UART_FCR_ENABLE_FIFO ? UART_IIR_FIFO : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		/* Reading LSR clears the error bits (1-4). */
		lsr = u->lsr | UART_LSR_THRE | UART_LSR_TEMT;
		u->lsr &= ~UART_LSR_BRK_ERROR_BITS;
		return lsr;
	case UART_MSR:
		return uart_msr(u);
	default:
		return u->scr;
	}
}

static void uart_write_reg(struct uart16550 *u, unsigned int reg, uint8_t v)
{
	int dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_TX:
		if (dlab)
			u->dll = v;
		else
			uart_transmit(u, v);
		break;
	case UART_IER:
		if (dlab)
			u->dlm = v;
		else
			u->ier = v & UART_IER_MASK;
		break;
	case UART_FCR:
		/* Bits 1 and 2 reset the FIFOs and clear themselves. */
		u->fcr = v & ~(UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT);
		if (v & UART_FCR_CLEAR_RCVR)
			u->lsr &= ~UART_LSR_DR;
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v & UART_MCR_MASK;
		break;
	case UART_SCR:
		u->scr = v;
		break;
	default:
		/* LSR and MSR: writing them is for factory test only. */
		break;
	}
}

/* The registers are 8 bits wide: a wider access covers consecutive ones. */
static uint32_t uart_io_read(void *opaque, uint16_t offset, unsigned int size)
{
	uint32_t value = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		value |= (uint32_t)uart_read_reg(opaque, offset + i) << (8 * i);
	return value;
}

static void uart_io_write(void *opaque, uint16_t offset, unsigned int size,
			  uint32_t value)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		uart_write_reg(opaque, offset + i, value >> (8 * i));
}

static const struct ioport_ops uart_ops = {
	.read = uart_io_read,
	.write = uart_io_write,
};

static int uart16550_init(struct machine *m)
{
	struct uart16550 *u = calloc(1, sizeof(*u));
	int ret;

	if (!u)
		return -ENOMEM;
	u->out_fd = m->console_fd;
	ret = ioport_register(&m->pio, UART_COM1_BASE, UART_NR_REGS,
			      &uart_ops, u);
	if (ret)
		free(u);
	return ret;
}
dev_init(uart16550_init, "16550 UART at 0x3F8-0x3FF (COM1), transmit only");
