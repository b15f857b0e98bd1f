// SPDX-License-Identifier: GPL-2.0
/*
 * One round of time synchronisation (timesync.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <vmmdev/vbox_status.h>

#include "timesync.h"
#include "vbg.h"

#define TRIES		3

void timesync_init(struct timesync *t, int fd)
{
	*t = (struct timesync) {
		.fd = fd,
		.interval_ms = 10000,
		.min_adjust_ms = 100,
		.latency_factor = 8,
		.max_latency_ms = 250,
		.set_threshold_ms = 20 * 60 * 1000,
		.last_action = "none",
	};
}

/* Host times outside 2001-2100 are no times: refused, not set. */
#define HOST_MS_MIN	978307200000LL
#define HOST_MS_MAX	4102444800000LL

static int64_t clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t now_us(void)
{
	return clock_us(CLOCK_REALTIME);
}

/* The host's time and the guest's right after it, latency bounded. */
static int sample(struct timesync *t, int64_t *host_us, int64_t *guest_us,
		  int64_t *latency_us)
{
	unsigned int i;

	for (i = 0; i < TRIES; i++) {
		int64_t m0, m1;
		uint64_t host_ms;
		int rc;

		/* The latency on the monotonic clock: a step cannot skew it. */
		m0 = clock_us(CLOCK_MONOTONIC);
		rc = vbg_host_time(t->fd, &host_ms);
		m1 = clock_us(CLOCK_MONOTONIC);
		if (rc < 0)
			return rc;
		if (host_ms < HOST_MS_MIN || host_ms > HOST_MS_MAX)
			return VERR_OUT_OF_RANGE;
		if (m1 - m0 < (int64_t)t->max_latency_ms * 1000) {
			/* The host read its clock halfway, on average. */
			*host_us = (int64_t)host_ms * 1000 + (m1 - m0) / 2;
			*guest_us = now_us();
			*latency_us = m1 - m0;
			return VINF_SUCCESS;
		}
		sleep(1);
	}
	return VERR_TIMEOUT;
}

static int step(int64_t drift_us)
{
	struct timespec ts;
	int64_t target = now_us() + drift_us;

	ts.tv_sec = target / 1000000;
	ts.tv_nsec = (target % 1000000) * 1000;
	return clock_settime(CLOCK_REALTIME, &ts);
}

/* tv_usec in [0, 1e6), as POSIX has a timeval. */
static int slew(int64_t drift_us)
{
	int64_t sec = drift_us / 1000000, usec = drift_us % 1000000;
	struct timeval tv;

	if (usec < 0) {
		usec += 1000000;
		sec--;
	}
	tv.tv_sec = sec;
	tv.tv_usec = usec;
	return adjtime(&tv, NULL);
}

int timesync_round(struct timesync *t, bool verbose)
{
	int64_t host_us, guest_us, latency_us, drift_us, abs_us, min_us;
	uint32_t threshold_ms = t->set_threshold_ms;
	uint64_t session;
	bool must_step;
	int rc;

	/* A restored or reset VM: its clock is whatever it was saved with. */
	if (vbg_session_id(t->fd, &session) >= 0) {
		if (t->have_session && session != t->session_id)
			threshold_ms = 0;
		t->session_id = session;
		t->have_session = true;
	}
	rc = sample(t, &host_us, &guest_us, &latency_us);
	if (rc < 0)
		return rc;
	drift_us = host_us - guest_us;
	abs_us = llabs(drift_us);
	min_us = latency_us * t->latency_factor;
	if (min_us < (int64_t)t->min_adjust_ms * 1000)
		min_us = (int64_t)t->min_adjust_ms * 1000;
	must_step = t->set_start && !t->rounds;
	t->rounds++;
	t->last_drift_ms = drift_us / 1000;
	t->last_latency_us = latency_us;
	t->last_action = "none";
	if (abs_us > min_us || must_step) {
		if (must_step || abs_us > (int64_t)threshold_ms * 1000 ||
		    slew(drift_us)) {
			if (step(drift_us) == 0)
				t->last_action = "step";
			else
				t->last_action = "step failed";
		} else {
			t->last_action = "slew";
		}
	}
	if (verbose)
		fprintf(stderr, "vireo-guestd: timesync: drift %lld ms, latency %lld us: %s\n",
			(long long)t->last_drift_ms,
			(long long)t->last_latency_us, t->last_action);
	return VINF_SUCCESS;
}
