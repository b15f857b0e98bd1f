// SPDX-License-Identifier: GPL-2.0
/*
 * 16550A UART: by default one at COM1 (ports 0x3F8-0x3FF, ISA IRQ 4), the
 * serial console; `--device uart16550,port=0x2F8,irq=3` adds COM2 and so on.
 * The first instance is the console; the others have no back end yet:
 * what the guest sends them is dropped, and they never receive.
 *
 * Register map, reset values and interrupts: National Semiconductor
 * PC16550D datasheet, Table II "Summary of Registers", Table III
 * "Interrupt Control Functions" and Table IV "UART Reset Configuration".
 * Offsets 0 and 1 are the divisor latch (DLL/DLM) while LCR bit 7 (DLAB)
 * is set; offset 2 reads as IIR and writes FCR.
 *
 * Transmission takes no time while the console takes output: what the
 * guest writes to THR goes to the console's buffer (console_out.h) at
 * once, so THR and the transmitter are empty again and the THRE interrupt
 * comes back after every write.  When the buffer has no room for a FIFO's
 * worth (the console's reader is slow), THR stays full (LSR.THRE and TEMT
 * clear) until the event loop has written some out, and THRE interrupts
 * then: the guest's driver waits, and no vCPU does.  Reception fills a 16-byte
 * FIFO (one byte in 16450 mode) from the console input fd, watched by the
 * event loop; when the FIFO is full the fd is left alone until the guest
 * reads, so input waits in the pipe or terminal instead of overrunning.
 * Input arrives a read() at a time, so by the time the guest looks the
 * line is idle: the character timeout (IIR 0xC) is reported at once when
 * fewer bytes than the trigger level wait.
 *
 * On a PC the UART's INTR pin reaches the IRQ line through a buffer that
 * MCR OUT2 enables, and loopback forces OUT2 inactive (datasheet, MCR bit
 * 4), so the line is driven only with OUT2 set and loopback off.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <linux/serial_reg.h>
#include <seccomp.h>

#include "../console_out.h"
#include "../devices.h"
#include "../devstate.h"
#include "../evloop.h"
#include "../bus.h"
#include "../irq.h"
#include "../machine.h"
#include "../pc_layout.h"
#include "util.h"

#define UART_NR_REGS	8
#define UART_FIFO_SIZE	16

#define UART_IER_MASK	0x0f	/* IER bits 4-7 are always 0 */
#define UART_MCR_MASK	0x1f	/* MCR bits 5-7 are always 0 */
#define UART_IIR_FIFO	0xc0	/* IIR bits 6-7: FIFOs enabled (FCR bit 0) */
#define UART_IIR_TIMEOUT 0x0c	/* character timeout, same priority as RDI */

struct uart16550 {
	struct machine *m;
	pthread_mutex_t *lock;	/* its device's, for the input watch */
	uint16_t port;		/* the first of its 8 ports */
	unsigned int irq;	/* its ISA IRQ line */
	struct console_out *out;	/* NULL: output goes nowhere */
	int in_fd;
	bool in_watched;	/* the event loop reads in_fd for us */
	bool in_done;		/* EOF or error on in_fd: read no more */
	bool irq_level;		/* what we drive on irq */
	bool thre_pending;	/* THRE interrupt, until IIR read, THR write */

	uint8_t fifo[UART_FIFO_SIZE];
	unsigned int rx_head, rx_count;
	uint8_t rbr;		/* last byte read: an empty RBR repeats it */

	uint8_t ier, fcr, lcr, mcr, scr;
	uint8_t lsr_err;	/* LSR error bits, cleared by reading LSR */
	uint8_t msr_delta;	/* MSR bits 0-3, cleared by reading MSR */
	uint8_t dll, dlm;
};

static bool uart_fifo_on(const struct uart16550 *u)
{
	return u->fcr & UART_FCR_ENABLE_FIFO;
}

static unsigned int uart_rx_capacity(const struct uart16550 *u)
{
	return uart_fifo_on(u) ? UART_FIFO_SIZE : 1;
}

static unsigned int uart_rx_trigger(const struct uart16550 *u)
{
	static const uint8_t level[4] = { 1, 4, 8, 14 };

	return level[UART_FCR_R_TRIG_BITS(u->fcr)];
}

/*
 * A byte that finds the receiver full is an overrun: in FIFO mode it is
 * lost, in 16450 mode it replaces the unread one (datasheet, LSR bit 1).
 */
static void uart_rx_push(struct uart16550 *u, uint8_t c)
{
	if (u->rx_count == uart_rx_capacity(u)) {
		u->lsr_err |= UART_LSR_OE;
		if (!uart_fifo_on(u))
			u->fifo[u->rx_head] = c;
		return;
	}
	u->fifo[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = c;
	u->rx_count++;
}

static uint8_t uart_rx_pop(struct uart16550 *u)
{
	if (u->rx_count) {
		u->rbr = u->fifo[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
		u->rx_count--;
	}
	return u->rbr;
}

static void uart_rx_clear(struct uart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

/* The interrupt identification, Table III: highest priority first. */
static uint8_t uart_iir_id(const struct uart16550 *u)
{
	if ((u->ier & UART_IER_RLSI) && (u->lsr_err & UART_LSR_BRK_ERROR_BITS))
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && u->rx_count) {
		if (uart_fifo_on(u) && u->rx_count < uart_rx_trigger(u))
			return UART_IIR_TIMEOUT;
		return UART_IIR_RDI;
	}
	if ((u->ier & UART_IER_THRI) && u->thre_pending)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_MSI) && (u->msr_delta & UART_MSR_ANY_DELTA))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

static void uart_update_irq(struct uart16550 *u)
{
	bool level = (u->mcr & UART_MCR_OUT2) && !(u->mcr & UART_MCR_LOOP) &&
		     uart_iir_id(u) != UART_IIR_NO_INT;

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	isa_irq_set(u->m, u->irq, level);
}

/*
 * THR and the transmitter are empty: the console takes a FIFO's worth, all
 * that Linux's 8250 driver writes on one THRE interrupt (its tx_loadsz)
 * without looking at LSR again.
 */
static bool uart_thr_empty(const struct uart16550 *u)
{
	return (u->mcr & UART_MCR_LOOP) || !u->out ||
	       console_out_room(u->out, uart_fifo_on(u) ? UART_FIFO_SIZE : 1);
}

/*
 * THR.  In loopback mode (MCR bit 4) the serial output is looped back to
 * the receiver instead of leaving the chip.  Either way THR is empty again
 * at once, which is a new THRE interrupt.
 */
static void uart_transmit(struct uart16550 *u, uint8_t c)
{
	if (u->mcr & UART_MCR_LOOP)
		uart_rx_push(u, c);
	else if (u->out)
		console_out_put(u->out, c);
	u->thre_pending = uart_thr_empty(u);
}

/* The console's buffer has room again: THR is empty. */
static void uart_tx_room(void *opaque)
{
	struct uart16550 *u = opaque;

	u->thre_pending = true;
	uart_update_irq(u);
}

/*
 * MSR bits 4-7 are the modem inputs.  In loopback they are wired to the
 * MCR outputs (CTS = RTS, DSR = DTR, RI = OUT1, DCD = OUT2); otherwise
 * report a modem that is present and ready, as a null-modem cable would.
 */
static uint8_t uart_msr_inputs(const struct uart16550 *u)
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

/* The inputs only change when MCR does (loopback): record the deltas. */
static void uart_write_mcr(struct uart16550 *u, uint8_t v)
{
	uint8_t before = uart_msr_inputs(u), after, changed;

	u->mcr = v & UART_MCR_MASK;
	after = uart_msr_inputs(u);
	changed = before ^ after;
	if (changed & UART_MSR_CTS)
		u->msr_delta |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		u->msr_delta |= UART_MSR_DDSR;
	if (before & ~after & UART_MSR_RI)
		u->msr_delta |= UART_MSR_TERI;
	if (changed & UART_MSR_DCD)
		u->msr_delta |= UART_MSR_DDCD;
}

/* FCR bit 0 must be set for the other bits to take (datasheet, FCR). */
static void uart_write_fcr(struct uart16550 *u, uint8_t v)
{
	uint8_t fcr = v & UART_FCR_ENABLE_FIFO ?
		      v & ~(UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT) : 0;

	/* Switching between FIFO and 16450 mode empties the FIFOs. */
	if ((fcr ^ u->fcr) & UART_FCR_ENABLE_FIFO ||
	    (v & UART_FCR_CLEAR_RCVR))
		uart_rx_clear(u);
	u->fcr = fcr;
}

/* Reading IIR acknowledges a THRE interrupt if that is what it shows. */
static uint8_t uart_read_iir(struct uart16550 *u)
{
	uint8_t id = uart_iir_id(u);

	if (id == UART_IIR_THRI)
		u->thre_pending = false;
	return id | (uart_fifo_on(u) ? UART_IIR_FIFO : 0);
}

static uint8_t uart_read_lsr(struct uart16550 *u)
{
	uint8_t lsr = u->lsr_err;

	if (uart_thr_empty(u))
		lsr |= UART_LSR_THRE | UART_LSR_TEMT;
	if (u->rx_count)
		lsr |= UART_LSR_DR;
	u->lsr_err = 0;
	return lsr;
}

static uint8_t uart_read_reg(struct uart16550 *u, unsigned int reg)
{
	int dlab = u->lcr & UART_LCR_DLAB;
	uint8_t msr;

	switch (reg) {
	case UART_RX:
		return dlab ? u->dll : uart_rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		return uart_read_iir(u);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return uart_read_lsr(u);
	case UART_MSR:
		msr = uart_msr_inputs(u) | u->msr_delta;
		u->msr_delta = 0;
		return msr;
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
		if (dlab) {
			u->dlm = v;
			break;
		}
		/* Enabling THRE while THR is empty interrupts at once. */
		if ((v & ~u->ier) & UART_IER_THRI && uart_thr_empty(u))
			u->thre_pending = true;
		u->ier = v & UART_IER_MASK;
		break;
	case UART_FCR:
		uart_write_fcr(u, v);
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		uart_write_mcr(u, v);
		break;
	case UART_SCR:
		u->scr = v;
		break;
	default:
		/* LSR and MSR: writing them is for factory test only. */
		break;
	}
}

static void uart_input_ready(void *opaque, int fd, uint32_t events);

static void uart_input_pause(struct uart16550 *u)
{
	if (!u->in_watched)
		return;
	evloop_unwatch_fd(u->m->evloop, u->in_fd);
	u->in_watched = false;
}

/*
 * Watch the console input while the receiver has room.  Loopback
 * disconnects the serial input, so input waits then too.  An fd epoll
 * refuses (a regular file, /dev/null) gives no input.
 */
static void uart_input_resume(struct uart16550 *u)
{
	if (u->in_watched || u->in_done || u->in_fd < 0 || !u->m->evloop ||
	    (u->mcr & UART_MCR_LOOP) || u->rx_count == uart_rx_capacity(u))
		return;
	if (evloop_watch_fd(u->m->evloop, u->in_fd, EPOLLIN,
			    uart_input_ready, u, u->lock) == 0)
		u->in_watched = true;
	else
		u->in_done = true;
}

static void uart_input_ready(void *opaque, int fd, uint32_t events)
{
	struct uart16550 *u = opaque;
	uint8_t buf[UART_FIFO_SIZE];
	unsigned int room = uart_rx_capacity(u) - u->rx_count;
	ssize_t i, n;

	if (room == 0 || (u->mcr & UART_MCR_LOOP)) {
		uart_input_pause(u);
		return;
	}
	n = read(fd, buf, room);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* EOF or a dead terminal: stop, or epoll would spin on it. */
		uart_input_pause(u);
		u->in_done = true;
		return;
	}
	for (i = 0; i < n; i++)
		uart_rx_push(u, buf[i]);
	if (u->rx_count == uart_rx_capacity(u))
		uart_input_pause(u);
	uart_update_irq(u);
}

/*
 * The registers are 8 bits wide (byte registers, bus.h: a wider access
 * covers consecutive ones).  After any access the interrupt line and the
 * input watch follow the new state.
 */
static uint64_t uart_io_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct uart16550 *u = opaque;
	uint8_t value = uart_read_reg(u, offset);

	uart_input_resume(u);
	uart_update_irq(u);
	return value;
}

static void uart_io_write(void *opaque, uint64_t offset, unsigned int size,
			  uint64_t value)
{
	struct uart16550 *u = opaque;

	uart_write_reg(u, offset, value);
	if (u->mcr & UART_MCR_LOOP)
		uart_input_pause(u);
	else
		uart_input_resume(u);
	uart_update_irq(u);
}

static const struct bus_ops uart_ops = {
	.read = uart_io_read,
	.write = uart_io_write,
	.byte_regs = true,
};

/* Table IV "UART Reset Configuration": what a master reset clears. */
static void uart_regs_reset(struct uart16550 *u)
{
	u->thre_pending = false;
	u->rx_head = u->rx_count = 0;
	u->rbr = 0;
	u->ier = u->fcr = u->lcr = u->mcr = u->scr = 0;
	u->lsr_err = u->msr_delta = 0;
	u->dll = u->dlm = 0;
}

static void uart16550_reset(struct device *dev)
{
	struct uart16550 *u = dev->state;

	uart_regs_reset(u);
	uart_update_irq(u);
	uart_input_resume(u);
}

/*
 * While the machine is paused the event loop neither reads input nor
 * writes output (pause.h); the console's reader had no chance to read.
 */
static void uart16550_resume(struct device *dev, uint64_t paused_ns)
{
	struct uart16550 *u = dev->state;

	console_out_resume(u->out, paused_ns);
}

/* What a guest can see of the UART; the back end and wiring are not. */
static const struct devstate_field uart_fields[] = {
	DEVSTATE_FIELD(struct uart16550, thre_pending, 1),
	DEVSTATE_FIELD(struct uart16550, rx_count, UART_FIFO_SIZE),
	DEVSTATE_FIELD(struct uart16550, rbr, 0xff),
	DEVSTATE_FIELD(struct uart16550, ier, UART_IER_MASK),
	DEVSTATE_FIELD(struct uart16550, fcr, 0xff),
	DEVSTATE_FIELD(struct uart16550, lcr, 0xff),
	DEVSTATE_FIELD(struct uart16550, mcr, UART_MCR_MASK),
	DEVSTATE_FIELD(struct uart16550, scr, 0xff),
	DEVSTATE_FIELD(struct uart16550, lsr_err, 0xff),
	DEVSTATE_FIELD(struct uart16550, msr_delta, 0x0f),
	DEVSTATE_FIELD(struct uart16550, dll, 0xff),
	DEVSTATE_FIELD(struct uart16550, dlm, 0xff),
};

static int uart16550_save(struct device *dev, struct devstate *ds)
{
	struct uart16550 *u = dev->state;
	uint8_t rx[UART_FIFO_SIZE];
	unsigned int i;

	/* The FIFO from its head, so the blob does not depend on rx_head. */
	for (i = 0; i < UART_FIFO_SIZE; i++)
		rx[i] = u->fifo[(u->rx_head + i) % UART_FIFO_SIZE];
	devstate_put_fields(ds, u, uart_fields, ARRAY_SIZE(uart_fields));
	devstate_put_bytes(ds, "rx_fifo", rx, sizeof(rx));
	return 0;
}

static int uart16550_load(struct device *dev, struct devstate *ds,
			  uint32_t version)
{
	struct uart16550 *u = dev->state, t = *u;
	int err;

	err = devstate_get_fields(ds, &t, uart_fields,
				  ARRAY_SIZE(uart_fields));
	if (!err)
		err = devstate_get_bytes(ds, "rx_fifo", t.fifo,
					 sizeof(t.fifo));
	if (err)
		return err;
	t.rx_head = 0;
	if (t.rx_count > uart_rx_capacity(&t))
		return -EINVAL;
	uart_input_pause(u);
	*u = t;
	u->in_watched = false;
	uart_update_irq(u);
	uart_input_resume(u);
	return 0;
}

static const char *const uart_keys[] = { "port", "irq", NULL };

/* COM1 and COM3 are on IRQ 4, COM2 and COM4 on IRQ 3; others must say. */
static unsigned int uart_default_irq(unsigned long long port)
{
	return port == 0x2f8 || port == 0x2e8 ? 3 : 4;
}

/*
 * ISA lines are not shared: a UART that lowered a line another device
 * drives would take the other's interrupt away.  IRQ 2 is the cascade;
 * the platform's devices own 0, 1, 8, 9, 12 and 13 (FPU error).
 */
static int uart_irq_usable(struct device *dev, unsigned long long irq,
			   char *why, size_t why_len)
{
	const unsigned int taken = 1u << 0 | 1u << 1 | 1u << 2 | 1u << 8 |
				   1u << 9 | 1u << 12 | 1u << 13;
	struct device *other;
	unsigned int i;

	if (taken & (1u << irq)) {
		snprintf(why, why_len,
			 "irq=%llu is not free (0, 1, 2, 8, 9, 12, 13 are taken)",
			 irq);
		return -EINVAL;
	}
	for (i = 0; (other = device_find(dev->m, dev->cls, i)); i++) {
		if (((struct uart16550 *)other->state)->irq != irq)
			continue;
		snprintf(why, why_len, "irq=%llu is %s's (give irq=N)", irq,
			 other->name);
		return -EBUSY;
	}
	return 0;
}

static int uart16550_create(struct device *dev, const struct dev_opts *opts,
			    char *why, size_t why_len)
{
	struct machine *m = dev->m;
	unsigned long long port, irq;
	struct uart16550 *u;
	int ret;

	ret = dev_opt_uint(opts, "port", PC_COM1, IOPORT_SPACE - UART_NR_REGS,
			   &port, why, why_len);
	if (!ret)
		ret = dev_opt_uint(opts, "irq", uart_default_irq(port), 15,
				   &irq, why, why_len);
	if (ret)
		return ret;
	ret = uart_irq_usable(dev, irq, why, why_len);
	if (ret)
		return ret;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->m = m;
	u->lock = &dev->lock;
	u->port = port;
	u->irq = irq;
	u->in_fd = -1;
	/* The console is the first UART's, unless virtio-console has it. */
	if (dev->index == 0 && !m->console_virtio) {
		u->in_fd = m->console_in_fd;
		if (m->console_fd >= 0) {
			u->out = console_out_create(m->evloop, m->console_fd,
						    CONSOLE_OUT_SIZE,
						    &dev->lock);
			if (!u->out) {
				free(u);
				return -ENOMEM;
			}
			console_out_on_room(u->out, uart_tx_room, u);
		}
	}
	ret = bus_register(&m->pio, u->port, UART_NR_REGS, &uart_ops, u,
			   &dev->lock);
	if (ret) {
		if (ret == -EBUSY)
			snprintf(why, why_len,
				 "ports 0x%x-0x%x are another device's",
				 u->port, u->port + UART_NR_REGS - 1);
		console_out_destroy(u->out);
		free(u);
		return ret;
	}
	dev->state = u;
	if (u->out)
		m->console = u->out;
	uart_input_resume(u);
	return 0;
}

static void uart16550_destroy(struct device *dev)
{
	struct uart16550 *u = dev->state;

	uart_input_pause(u);
	if (u->irq_level)
		isa_irq_set(dev->m, u->irq, false);
	bus_unregister(&dev->m->pio, u->port);
	if (u->out) {
		if (dev->m->console == u->out)
			dev->m->console = NULL;
		console_out_destroy(u->out);
	}
	free(u);
}

/*
 * The console's output: to a socket without blocking (sendto), and
 * poll() where the fd cannot be made non-blocking (console_out.c).
 */
static const int uart_syscalls[] = {
	SCMP_SYS(sendto), SCMP_SYS(poll), SCMP_SYS(ppoll),
};

static const struct dev_class uart16550_class = {
	.name = "uart16550",
	.desc = "16550A UART; by default one at 0x3F8-0x3FF (COM1), IRQ 4, the console",
	.level = DEV_INIT_DEV,
	.is_default = true,
	.max_instances = 4,
	.keys = uart_keys,
	.keys_help = "port=0x3F8,irq=4",
	.create = uart16550_create,
	.reset = uart16550_reset,
	.resume = uart16550_resume,
	.state_version = 1,
	.save = uart16550_save,
	.load = uart16550_load,
	.destroy = uart16550_destroy,
	.syscalls = uart_syscalls,
	.nr_syscalls = ARRAY_SIZE(uart_syscalls),
};
DEVICE_CLASS(uart16550_class);
