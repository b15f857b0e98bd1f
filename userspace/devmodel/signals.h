/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Signals in the VM process.  There is one thread per vCPU, the device
 * event loop's thread and the main thread, which only waits:
 *
 *  - SIGINT, SIGTERM and SIGHUP (termination) are blocked in every thread
 *    and taken by the main thread with signals_wait(), which ends the VM
 *    in order: a vCPU thread never sees them, so none is stopped half-way
 *    through a device access.
 *  - SIGNAL_KICK has a handler that does nothing and no SA_RESTART.  Sent
 *    to a vCPU thread it makes VIREO_RUN return EINTR (with the run
 *    area's immediate_exit covering a RUN that had not started yet); sent
 *    to the main thread, where it is blocked, it ends signals_wait(): "the
 *    VM should end, look".
 *
 * The mask is inherited, so signals_init() runs on the main thread before
 * any other thread exists; a termination signal that arrives during
 * set-up waits, blocked, for the first signals_wait().
 */
#ifndef VIREO_SIGNALS_H
#define VIREO_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

#define SIGNAL_KICK	SIGUSR1

/* Block the termination signals and SIGNAL_KICK, install the kick handler. */
int signals_init(void);
/* In a vCPU thread: let SIGNAL_KICK interrupt VIREO_RUN. */
int signals_unblock_kick(void);
/* Wait for a termination signal or SIGNAL_KICK; returns the signal. */
int signals_wait(void);
bool signals_is_termination(int sig);
const char *signals_name(int sig);

#endif /* VIREO_SIGNALS_H */
