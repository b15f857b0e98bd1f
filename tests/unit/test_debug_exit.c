// SPDX-License-Identifier: GPL-2.0
/* The debug-exit port 0xF4: a write of v asks for exit status (v << 1) | 1. */
#include "devices.h"
#include "machine.h"
#include "tap.h"

static int hook_calls, hook_status;

static void fake_exit(struct machine *m, int status)
{
	hook_calls++;
	hook_status = status;
}

static void check_write(struct machine *m, unsigned int size, uint32_t v,
			int want)
{
	hook_calls = 0;
	hook_status = -1;
	ioport_write(&m->pio, 0xf4, size, v);
	ok(hook_calls == 1 && hook_status == want,
	   "%u-byte write of 0x%x exits with status %d (got %d, %d calls)",
	   size, v, want, hook_status, hook_calls);
}

int main(void)
{
	struct machine m;

	machine_init(&m, -1);
	m.request_exit = fake_exit;
	is_int(devices_init(&m, NULL), 0, "debug-exit registers itself");

	check_write(&m, 1, 0x10, 33);
	check_write(&m, 1, 0, 1);
	check_write(&m, 2, 0x21, 0x43);
	check_write(&m, 4, 0x7f, 255);
	check_write(&m, 4, 0x12345678, ((0x78 << 1) | 1) & 0xff);
	check_write(&m, 1, 0x80, 1);

	hook_calls = 0;
	ioport_write(&m.pio, 0xf5, 1, 0x10);
	is_int(hook_calls, 0, "a write to 0xF5 does not exit");
	is_int(ioport_read(&m.pio, 0xf4, 1), 0xff, "reading 0xF4 gives 0xFF");
	is_int(hook_calls, 0, "reading 0xF4 does not exit");

	/* The default hook records the request for the vCPU loop. */
	machine_init(&m, -1);
	devices_init(&m, NULL);
	ioport_write(&m.pio, 0xf4, 1, 3);
	ioport_write(&m.pio, 0xf4, 1, 4);
	ok(m.exit_requested && m.exit_status == 7,
	   "default hook records the first request (status %d)",
	   m.exit_status);
	return tap_done();
}
