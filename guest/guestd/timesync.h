/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time synchronisation with the host, VBoxService's method: sample the
 * host's time (GetHostTime) between two reads of the guest's clock,
 * throw away samples that took too long, then slew the clock gradually
 * (adjtime) when it is off by more than the sampling could tell, or step
 * it (clock_settime) when it is far off, at the first round, or after
 * the VM was restored or reset (its session id changed).
 */
#ifndef VIREO_GUESTD_TIMESYNC_H
#define VIREO_GUESTD_TIMESYNC_H

#include <stdbool.h>
#include <stdint.h>

struct timesync {
	int fd;
	/* Settings, VBoxService's defaults. */
	uint32_t interval_ms;		/* 10 000 */
	uint32_t min_adjust_ms;		/* 100 */
	uint32_t latency_factor;	/* 8 */
	uint32_t max_latency_ms;	/* 250 */
	uint32_t set_threshold_ms;	/* 20 min: step beyond it */
	bool set_start;			/* step at the first round */
	/* State. */
	uint64_t session_id;
	bool have_session;
	unsigned int rounds;
	int64_t last_drift_ms;		/* host - guest, last round */
	int64_t last_latency_us;
	const char *last_action;	/* "none", "slew", "step" */
};

void timesync_init(struct timesync *t, int fd);
/* One round: 0, or a VirtualBox status when the host did not answer. */
int timesync_round(struct timesync *t, bool verbose);

#endif /* VIREO_GUESTD_TIMESYNC_H */
