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
	m->paused = true;
	m->paused_at = evloop_now();
	devices_pause(m);
	m->paused_loop = evloop_stop(m->evloop);
	return 0;
}

int machine_resume(struct machine *m)
{
	int err;

	if (!m->paused)
		return -EALREADY;
	if (m->paused_loop) {
		err = evloop_start(m->evloop);
		if (err)
			return err;
	}
	m->paused = false;
	devices_resume(m, evloop_now() - m->paused_at);
	return 0;
}
