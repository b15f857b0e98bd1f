// SPDX-License-Identifier: GPL-2.0
/*
 * i8042 keyboard controller at 0x60 (data) and 0x64 (status/command),
 * with a keyboard that answers commands but has no keys, and an auxiliary
 * (mouse) port with nothing plugged in.  Enough for Linux's i8042 and
 * atkbd drivers to probe without errors or timeouts, and for the reset
 * line that reboots the machine.
 *
 * Controller commands: IBM PS/2 Hardware Interface Technical Reference,
 * "Keyboard/Auxiliary Device Controller"; the keyboard's: the same book,
 * "Keyboard and Auxiliary Device Controller, Commands to the Keyboard".
 *
 * The aux port exists (so its commands behave), but no mouse: Linux's
 * i8042_check_aux() passes (the loopback command 0xD3 echoes, the
 * interface test says 0x00, AUXDIS follows 0xA7/0xA8, IRQ 12 arrives for
 * the echoed byte), so it registers the port quietly; a byte for the
 * mouse itself (0xD4) is answered with 0xFE and the timeout bit, which
 * psmouse takes as "no device" at once instead of waiting for it.  A
 * controller that failed the aux checks would work too, but Linux then
 * spends its command timeouts finding out.
 *
 * Replies queue in a small FIFO that stands for the chip's one-byte
 * output buffer being refilled as the guest drains it: each byte is a new
 * OBF and, when the command byte enables it, a new IRQ 1 (or 12) edge.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../devices.h"
#include "../devstate.h"
#include "../exitcodes.h"
#include "../bus.h"
#include "../irq.h"
#include "../machine.h"
#include "../pc_layout.h"
#include "util.h"

#define I8042_IRQ_AUX		12
#define I8042_QUEUE_LEN		16

/* Status register. */
#define STS_OBF			0x01
#define STS_SYS			0x04
#define STS_CMD			0x08	/* last write was to 0x64 */
#define STS_UNLOCKED		0x10	/* keyboard not inhibited */
#define STS_AUXB		0x20	/* output buffer holds aux data */
#define STS_TIMEOUT		0x40

/* Command byte (controller RAM byte 0). */
#define CTR_KBDINT		0x01
#define CTR_AUXINT		0x02
#define CTR_SYS			0x04
#define CTR_KBDDIS		0x10
#define CTR_AUXDIS		0x20
#define CTR_XLATE		0x40
/* As a BIOS leaves it: keyboard on with IRQ 1 and translation, aux off. */
#define CTR_DEFAULT	(CTR_KBDINT | CTR_SYS | CTR_AUXDIS | CTR_XLATE)

/* Output port: bit 0 low holds the CPU in reset, bit 1 is the A20 gate. */
#define OUTP_RESET_N		0x01
#define OUTP_A20		0x02
#define OUTP_DEFAULT		(OUTP_RESET_N | OUTP_A20)

/* Controller commands (written to 0x64). */
#define CMD_READ_RAM		0x20	/* 0x20-0x3F */
#define CMD_WRITE_RAM		0x60	/* 0x60-0x7F */
#define CMD_AUX_DISABLE		0xa7
#define CMD_AUX_ENABLE		0xa8
#define CMD_AUX_TEST		0xa9
#define CMD_SELF_TEST		0xaa
#define CMD_KBD_TEST		0xab
#define CMD_KBD_DISABLE		0xad
#define CMD_KBD_ENABLE		0xae
#define CMD_READ_OUTP		0xd0
#define CMD_WRITE_OUTP		0xd1
#define CMD_KBD_LOOP		0xd2
#define CMD_AUX_LOOP		0xd3
#define CMD_AUX_SEND		0xd4
#define CMD_PULSE		0xf0	/* 0xF0-0xFF */

#define SELF_TEST_OK		0x55
#define IFACE_TEST_OK		0x00

/* Keyboard commands and replies. */
#define KBD_SET_LEDS		0xed
#define KBD_ECHO		0xee
#define KBD_SCANCODE_SET	0xf0
#define KBD_IDENTIFY		0xf2
#define KBD_TYPEMATIC		0xf3
#define KBD_ENABLE		0xf4
#define KBD_DISABLE		0xf5
#define KBD_DEFAULTS		0xf6
#define KBD_RESEND		0xfe
#define KBD_RESET		0xff
#define KBD_ACK			0xfa
#define KBD_NAK			0xfe
#define KBD_BAT_OK		0xaa
#define KBD_ID1			0xab	/* MF2 keyboard */
#define KBD_ID2			0x83

struct i8042_byte {
	uint8_t data;
	bool aux;
};

struct i8042 {
	struct machine *m;
	uint8_t status;		/* SYS, CMD, TIMEOUT; not OBF, AUXB */
	uint8_t ram[32];	/* ram[0] is the command byte */
	uint8_t outp;
	uint8_t pending;	/* controller command waiting for its data */
	uint8_t last_read;

	struct i8042_byte queue[I8042_QUEUE_LEN];
	unsigned int head, count;
	bool irq1, irq12;

	/* The keyboard. */
	uint8_t kbd_pending;	/* command waiting for its parameter */
	uint8_t kbd_last;	/* for RESEND */
	uint8_t kbd_set;	/* scan code set */
	bool kbd_scanning;
};

static uint8_t i8042_ctr(const struct i8042 *k)
{
	return k->ram[0];
}

/* IRQ 1 / 12 follow the byte at the head of the output buffer. */
static void i8042_update_irq(struct i8042 *k)
{
	const struct i8042_byte *b = &k->queue[k->head];
	bool irq1 = k->count && !b->aux && (i8042_ctr(k) & CTR_KBDINT);
	bool irq12 = k->count && b->aux && (i8042_ctr(k) & CTR_AUXINT);

	if (irq1 != k->irq1) {
		k->irq1 = irq1;
		isa_irq_set(k->m, PC_IRQ_KBD, irq1);
	}
	if (irq12 != k->irq12) {
		k->irq12 = irq12;
		isa_irq_set(k->m, I8042_IRQ_AUX, irq12);
	}
}

static void i8042_push(struct i8042 *k, uint8_t data, bool aux)
{
	if (k->count == I8042_QUEUE_LEN)
		return;	/* a guest that never reads loses replies */
	k->queue[(k->head + k->count) % I8042_QUEUE_LEN] =
		(struct i8042_byte) { .data = data, .aux = aux };
	k->count++;
	i8042_update_irq(k);
}

static void i8042_reply(struct i8042 *k, uint8_t data)
{
	i8042_push(k, data, false);
}

static void kbd_reply(struct i8042 *k, uint8_t data)
{
	k->kbd_last = data;
	i8042_push(k, data, false);
}

static void i8042_reset_machine(struct i8042 *k)
{
	machine_request_exit(k->m, EXIT_CODE_RESET);
}

static void i8042_write_outp(struct i8042 *k, uint8_t v)
{
	k->outp = v | OUTP_RESET_N;
	if (!(v & OUTP_RESET_N))
		i8042_reset_machine(k);
}

static void i8042_set_ctr(struct i8042 *k, uint8_t v)
{
	k->ram[0] = v;
	k->status = (k->status & ~STS_SYS) | (v & CTR_SYS ? STS_SYS : 0);
	i8042_update_irq(k);
}

/* A parameter for a keyboard command (0xED, 0xF0, 0xF3). */
static void kbd_param(struct i8042 *k, uint8_t cmd, uint8_t v)
{
	k->kbd_pending = 0;
	kbd_reply(k, KBD_ACK);
	if (cmd != KBD_SCANCODE_SET)
		return;
	if (v == 0)
		kbd_reply(k, k->kbd_set);
	else if (v <= 3)
		k->kbd_set = v;
}

/* A byte the guest sends to the keyboard through 0x60. */
static void kbd_write(struct i8042 *k, uint8_t v)
{
	/* A command byte in place of a parameter starts a new command. */
	if (k->kbd_pending && v < KBD_SET_LEDS) {
		kbd_param(k, k->kbd_pending, v);
		return;
	}
	k->kbd_pending = 0;
	switch (v) {
	case KBD_SET_LEDS:
	case KBD_SCANCODE_SET:
	case KBD_TYPEMATIC:
		k->kbd_pending = v;
		kbd_reply(k, KBD_ACK);
		break;
	case KBD_ECHO:
		kbd_reply(k, KBD_ECHO);
		break;
	case KBD_IDENTIFY:
		kbd_reply(k, KBD_ACK);
		kbd_reply(k, KBD_ID1);
		kbd_reply(k, KBD_ID2);
		break;
	case KBD_ENABLE:
	case KBD_DISABLE:
	case KBD_DEFAULTS:
		k->kbd_scanning = v == KBD_ENABLE;
		kbd_reply(k, KBD_ACK);
		break;
	case 0xf7 ... 0xfd:	/* key types: nothing to remember */
		kbd_reply(k, KBD_ACK);
		break;
	case KBD_RESEND:
		i8042_push(k, k->kbd_last, false);
		break;
	case KBD_RESET:
		k->kbd_set = 2;
		k->kbd_scanning = true;
		kbd_reply(k, KBD_ACK);
		kbd_reply(k, KBD_BAT_OK);
		break;
	default:
		kbd_reply(k, KBD_NAK);
		break;
	}
}

/* Data for the command that asked for it (0x60-0x7F, 0xD1-0xD4). */
static void i8042_command_data(struct i8042 *k, uint8_t cmd, uint8_t v)
{
	switch (cmd) {
	case CMD_WRITE_OUTP:
		i8042_write_outp(k, v);
		break;
	case CMD_KBD_LOOP:
		i8042_push(k, v, false);
		break;
	case CMD_AUX_LOOP:
		i8042_push(k, v, true);
		break;
	case CMD_AUX_SEND:
		/* No mouse: the controller times out and says so. */
		k->status |= STS_TIMEOUT;
		i8042_push(k, KBD_NAK, true);
		break;
	default:
		if (cmd == CMD_WRITE_RAM)
			i8042_set_ctr(k, v);
		else
			k->ram[cmd & 0x1f] = v;
		break;
	}
}

static void i8042_command(struct i8042 *k, uint8_t cmd)
{
	k->pending = 0;
	switch (cmd) {
	case CMD_READ_RAM ... CMD_READ_RAM + 0x1f:
		i8042_reply(k, k->ram[cmd & 0x1f]);
		break;
	case CMD_WRITE_RAM ... CMD_WRITE_RAM + 0x1f:
	case CMD_WRITE_OUTP:
	case CMD_KBD_LOOP:
	case CMD_AUX_LOOP:
	case CMD_AUX_SEND:
		k->pending = cmd;
		break;
	case CMD_AUX_DISABLE:
		i8042_set_ctr(k, i8042_ctr(k) | CTR_AUXDIS);
		break;
	case CMD_AUX_ENABLE:
		i8042_set_ctr(k, i8042_ctr(k) & ~CTR_AUXDIS);
		break;
	case CMD_KBD_DISABLE:
		i8042_set_ctr(k, i8042_ctr(k) | CTR_KBDDIS);
		break;
	case CMD_KBD_ENABLE:
		i8042_set_ctr(k, i8042_ctr(k) & ~CTR_KBDDIS);
		break;
	case CMD_SELF_TEST:
		k->status |= STS_SYS;
		i8042_reply(k, SELF_TEST_OK);
		break;
	case CMD_AUX_TEST:
	case CMD_KBD_TEST:
		i8042_reply(k, IFACE_TEST_OK);
		break;
	case CMD_READ_OUTP:
		i8042_reply(k, k->outp);
		break;
	case CMD_PULSE ... 0xff:
		/* Bits 0-3 low pulse output port bits 0-3; bit 0 is reset. */
		if (!(cmd & OUTP_RESET_N))
			i8042_reset_machine(k);
		break;
	default:
		break;	/* unknown commands: ignored, as most chips do */
	}
}

static uint8_t i8042_read_data(struct i8042 *k)
{
	if (!k->count)
		return k->last_read;	/* the buffer keeps its last byte */
	k->last_read = k->queue[k->head].data;
	k->head = (k->head + 1) % I8042_QUEUE_LEN;
	k->count--;
	if (!k->count)
		k->status &= ~STS_TIMEOUT;
	/* The next byte is a new interrupt: drop the line, raise it again. */
	if (k->irq1) {
		k->irq1 = false;
		isa_irq_set(k->m, PC_IRQ_KBD, false);
	}
	if (k->irq12) {
		k->irq12 = false;
		isa_irq_set(k->m, I8042_IRQ_AUX, false);
	}
	i8042_update_irq(k);
	return k->last_read;
}

static uint8_t i8042_read_status(const struct i8042 *k)
{
	uint8_t s = k->status | STS_UNLOCKED;

	if (k->count) {
		s |= STS_OBF;
		if (k->queue[k->head].aux)
			s |= STS_AUXB;
	}
	return s;
}

static uint64_t i8042_data_read(void *opaque, uint64_t offset,
				unsigned int size)
{
	return i8042_read_data(opaque);
}

static void i8042_data_write(void *opaque, uint64_t offset, unsigned int size,
			     uint64_t value)
{
	struct i8042 *k = opaque;
	uint8_t cmd = k->pending;

	k->status &= ~STS_CMD;
	k->pending = 0;
	if (cmd)
		i8042_command_data(k, cmd, value);
	else
		kbd_write(k, value);
}

static uint64_t i8042_status_read(void *opaque, uint64_t offset,
				  unsigned int size)
{
	return i8042_read_status(opaque);
}

static void i8042_command_write(void *opaque, uint64_t offset,
				unsigned int size, uint64_t value)
{
	struct i8042 *k = opaque;

	k->status |= STS_CMD;
	i8042_command(k, value);
}

static const struct bus_ops i8042_data_ops = {
	.read = i8042_data_read,
	.write = i8042_data_write,
};

static const struct bus_ops i8042_cmd_ops = {
	.read = i8042_status_read,
	.write = i8042_command_write,
};

/* Power-on state: the firmware's self-test has passed, as on any booted PC. */
static void i8042_power_on(struct i8042 *k)
{
	struct machine *m = k->m;

	memset(k, 0, sizeof(*k));
	k->m = m;
	k->ram[0] = CTR_DEFAULT;
	k->status = STS_SYS;
	k->outp = OUTP_DEFAULT;
	k->kbd_set = 2;
	k->kbd_scanning = true;
}

static void i8042_reset(struct device *dev)
{
	struct i8042 *k = dev->state;
	bool irq1 = k->irq1, irq12 = k->irq12;

	i8042_power_on(k);
	/* Lower the lines it drove: the queue is empty now. */
	k->irq1 = irq1;
	k->irq12 = irq12;
	i8042_update_irq(k);
}

static int i8042_create(struct device *dev, const struct dev_opts *opts,
			char *why, size_t why_len)
{
	struct machine *m = dev->m;
	struct i8042 *k = calloc(1, sizeof(*k));
	int err;

	if (!k)
		return -ENOMEM;
	k->m = m;
	i8042_power_on(k);
	err = bus_register(&m->pio, PC_I8042_DATA, 1, &i8042_data_ops, k,
			   &dev->lock);
	if (err)
		goto err_free;
	err = bus_register(&m->pio, PC_I8042_CMD, 1, &i8042_cmd_ops, k,
			   &dev->lock);
	if (err)
		goto err_unregister;
	dev->state = k;
	return 0;

err_unregister:
	bus_unregister(&m->pio, PC_I8042_DATA);
err_free:
	free(k);
	return err;
}

static void i8042_destroy(struct device *dev)
{
	bus_unregister(&dev->m->pio, PC_I8042_DATA);
	bus_unregister(&dev->m->pio, PC_I8042_CMD);
	free(dev->state);
}

static const struct devstate_field i8042_fields[] = {
	DEVSTATE_FIELD(struct i8042, status, 0xff),
	DEVSTATE_FIELD(struct i8042, outp, 0xff),
	DEVSTATE_FIELD(struct i8042, pending, 0xff),
	DEVSTATE_FIELD(struct i8042, last_read, 0xff),
	DEVSTATE_FIELD(struct i8042, count, I8042_QUEUE_LEN),
	DEVSTATE_FIELD(struct i8042, kbd_pending, 0xff),
	DEVSTATE_FIELD(struct i8042, kbd_last, 0xff),
	DEVSTATE_FIELD(struct i8042, kbd_set, 3),
	DEVSTATE_FIELD(struct i8042, kbd_scanning, 1),
};

static int i8042_save(struct device *dev, struct devstate *ds)
{
	struct i8042 *k = dev->state;
	uint8_t data[I8042_QUEUE_LEN], aux[I8042_QUEUE_LEN];
	unsigned int i;

	/* The output queue from its head: 0/1 per byte for "from aux". */
	for (i = 0; i < I8042_QUEUE_LEN; i++) {
		data[i] = k->queue[(k->head + i) % I8042_QUEUE_LEN].data;
		aux[i] = k->queue[(k->head + i) % I8042_QUEUE_LEN].aux;
	}
	devstate_put_fields(ds, k, i8042_fields, ARRAY_SIZE(i8042_fields));
	devstate_put_bytes(ds, "ram", k->ram, sizeof(k->ram));
	devstate_put_bytes(ds, "queue_data", data, sizeof(data));
	devstate_put_bytes(ds, "queue_aux", aux, sizeof(aux));
	return 0;
}

static int i8042_load(struct device *dev, struct devstate *ds,
		      uint32_t version)
{
	struct i8042 *k = dev->state, t = *k;
	uint8_t data[I8042_QUEUE_LEN], aux[I8042_QUEUE_LEN];
	unsigned int i;
	int err;

	err = devstate_get_fields(ds, &t, i8042_fields,
				  ARRAY_SIZE(i8042_fields));
	if (!err)
		err = devstate_get_bytes(ds, "ram", t.ram, sizeof(t.ram));
	if (!err)
		err = devstate_get_bytes(ds, "queue_data", data, sizeof(data));
	if (!err)
		err = devstate_get_bytes(ds, "queue_aux", aux, sizeof(aux));
	if (err)
		return err;
	if (t.kbd_set == 0)
		return -EINVAL;
	for (i = 0; i < I8042_QUEUE_LEN; i++) {
		if (aux[i] > 1)
			return -EINVAL;
		t.queue[i] = (struct i8042_byte) { data[i], aux[i] };
	}
	t.head = 0;
	*k = t;
	i8042_update_irq(k);
	return 0;
}

static const struct dev_class i8042_class = {
	.name = "i8042",
	.desc = "i8042 keyboard controller at 0x60/0x64 (IRQ 1; reset line)",
	.level = DEV_INIT_DEV,
	.is_default = true,
	.create = i8042_create,
	.reset = i8042_reset,
	.state_version = 1,
	.save = i8042_save,
	.load = i8042_load,
	.destroy = i8042_destroy,
};
DEVICE_CLASS(i8042_class);
