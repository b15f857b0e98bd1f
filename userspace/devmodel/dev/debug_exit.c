// SPDX-License-Identifier: GPL-2.0
/*
 * Debug-exit port at 0xF4, the convention of QEMU's isa-debug-exit device:
 * a write of value v, of any size, ends the VM with exit status
 * (v << 1) | 1.  The status is always odd, so it never collides with
 * vireo-vm's own (even) error codes; a process exit status keeps 8 bits, so
 * only the low 7 bits of v are seen by the parent.  Reads return all ones,
 * as from an unclaimed port.
 */
#include "../devices.h"
#include "../bus.h"
#include "../machine.h"

#define DEBUG_EXIT_PORT	0xf4
#define DEBUG_EXIT_LEN	4	/* a 32-bit OUT to 0xF4 stays in range */

static void debug_exit_write(void *opaque, uint64_t offset, unsigned int size,
			     uint64_t value)
{
	struct machine *m = opaque;

	/* Only an access that starts at the port itself counts. */
	if (offset != 0)
		return;
	machine_request_exit(m, (int)(((value << 1) | 1) & 0xff));
}

static const struct bus_ops debug_exit_ops = {
	.write = debug_exit_write,
};

static int debug_exit_create(struct device *dev, const struct dev_opts *opts,
			     char *why, size_t why_len)
{
	return bus_register(&dev->m->pio, DEBUG_EXIT_PORT, DEBUG_EXIT_LEN,
			    &debug_exit_ops, dev->m, &dev->lock);
}

static void debug_exit_destroy(struct device *dev)
{
	bus_unregister(&dev->m->pio, DEBUG_EXIT_PORT);
}

/* Stateless: nothing to reset. */
static const struct dev_class debug_exit_class = {
	.name = "debug-exit",
	.desc = "debug-exit port at 0xF4: writing V exits with (V << 1) | 1",
	.level = DEV_INIT_DEV,
	.is_default = true,
	.create = debug_exit_create,
	.destroy = debug_exit_destroy,
};
DEVICE_CLASS(debug_exit_class);
