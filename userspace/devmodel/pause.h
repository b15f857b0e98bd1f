/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pausing the machine's devices, as VirtualBox suspends a VM's (PDM's
 * suspend and resume notifications, in a fixed order): the caller has
 * stopped the vCPUs, so no guest access is in flight; every device then
 * event loop stops, so that no timer, console input or console output
 * changes a device while the machine is paused, and every device pauses,
 * in reverse creation order (devices.h).  Resume goes the other way: the
 * devices resume in creation order, told how long the pause was, the
 * loop starts, and the caller lets the vCPUs run.  Between the two the
 * devices' clock (machine_now()) stands still: state saved, loaded or
 * reset while paused is as of the pause's start, and the resume moves it
 * on by the pause.
 *
 * Called from one thread, never from a device callback.
 */
#ifndef VIREO_PAUSE_H
#define VIREO_PAUSE_H

#include "machine.h"

/* 0, or -EALREADY when already paused. */
int machine_pause(struct machine *m);
/*
 * 0, -EALREADY when not paused, or -errno when the loop's thread cannot
 * start again (the devices have resumed; the VM cannot run on).
 */
int machine_resume(struct machine *m);

#endif /* VIREO_PAUSE_H */
