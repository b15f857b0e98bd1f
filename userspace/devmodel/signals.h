/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Termination signals (SIGINT, SIGTERM, SIGHUP) stop the VM cleanly: the
 * handler records the signal and sets immediate_exit in the run area, so a
 * VIREO_RUN that is about to start returns -EINTR at once instead of
 * running the guest until its next exit.
 */
#ifndef VIREO_SIGNALS_H
#define VIREO_SIGNALS_H

#include <linux/vireo.h>

/* Install the handlers; a signal during set-up is seen by the vCPU loop. */
int signals_init(void);
/* The run area whose immediate_exit the handler sets. */
void signals_kick_run(struct vireo_run *run);
/* The termination signal received, or 0. */
int signals_pending(void);

#endif /* VIREO_SIGNALS_H */
