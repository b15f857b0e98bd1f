/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pausing the VM, in the order of VirtualBox's Console::Pause.
 *
 * machine_pause_vm(), from any thread but a vCPU's or the device loop's
 * (the control socket's, the main thread's):
 *   1. every vCPU thread is kicked out of VIREO_RUN and waits at its
 *      loop's top (machine_vcpu_park()), outside guest mode; the pause
 *      waits until the last has arrived;
 *   2. guest time stops in the kernel (VIREO_SET_GUEST_TIME): LAPIC
 *      timers, TSC and kvmclock stand still;
 *   3. the device event loop stops, so that no timer, console input or
 *      output changes a device, and every device pauses, in reverse
 *      creation order (devices.h);
 *   4. listeners hear "paused".
 * machine_resume_vm() goes the other way: the devices resume in creation
 * order, told how long the pause was, the loop starts, guest time runs
 * again, the vCPUs go on, and listeners hear "running".
 *
 * Between the two the devices' clock (machine_now()) stands still: state
 * saved, loaded or reset while paused is as of the pause's start.
 * machine_pause() and machine_resume() are steps 3 alone, for tests and
 * for the end of a run.
 */
#ifndef VIREO_PAUSE_H
#define VIREO_PAUSE_H

#include <linux/vireo.h>

#include "machine.h"

/*
 * 0; -EALREADY when already paused; -EAGAIN when no vCPU runs, the VM
 * ends or resets meanwhile, or a vCPU does not stop within 5 s (nothing
 * was paused); -ECANCELED after a SIGTERM (the guest is shutting down);
 * another -errno when guest time could not stop (nothing was paused).
 */
int machine_pause_vm(struct machine *m);
/*
 * 0; -EALREADY when not paused; -errno when the device loop cannot start
 * again (the VM cannot run on: the caller ends it).
 */
int machine_resume_vm(struct machine *m);
/* The same with run_lock held (requests.c's power button). */
int machine_resume_vm_locked(struct machine *m);
/* Is the VM paused?  (From any thread; a snapshot.) */
bool machine_is_paused(struct machine *m);

/*
 * A vCPU thread, at the top of its loop: wait while a pause holds the
 * VM (or until it ends), then clear run->immediate_exit, which the pause's
 * kick set.
 */
void machine_vcpu_park(struct machine *m, struct vireo_run *run);

/*
 * The main thread, after a run's vCPU threads were joined, with run_lock
 * held: a pause still in place is undone for the devices (the run is over;
 * the next one, after a reset, starts unpaused).
 */
void machine_end_pause(struct machine *m);

/* Step 3 alone: 0, or -EALREADY. */
int machine_pause(struct machine *m);
/*
 * 0, -EALREADY when not paused, or -errno when the loop's thread cannot
 * start again (the devices have resumed; the VM cannot run on).
 */
int machine_resume(struct machine *m);

#endif /* VIREO_PAUSE_H */
