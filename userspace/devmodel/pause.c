// SPDX-License-Identifier: GPL-2.0
/*
 * The order of a pause and a resume (pause.h).  The pause's start is kept
 * in the machine; the devices are told its length, in evloop_now()'s time.
 */
#include <errno.h>

#include "devices.h"
#include "evloop.h"
#include "pause.h"

int machine_pause(struct machine *m)
{
	if (m->paused)
		return -EALREADY;
	/* Nothing runs in a device from here on but these hooks. */
	m->paused_loop = evloop_stop(m->evloop);
	m->paused_at = evloop_now();
	m->paused = true;
	devices_pause(m);
	return 0;
}

int machine_resume(struct machine *m)
{
	int err = 0;

	if (!m->paused)
		return -EALREADY;
	m->paused = false;
	devices_resume(m, evloop_now() - m->paused_at);
	if (m->paused_loop)
		err = evloop_start(m->evloop);
	return err;
}
