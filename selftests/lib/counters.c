// SPDX-License-Identifier: GPL-2.0
/* Reading the module's sysfs counters. */
#include <stdio.h>
#include <time.h>

#include "counters.h"
#include "test_util.h"

#define COUNTERS_DIR	"/sys/class/misc/vireo/"

static long read_counter(const char *name)
{
	char path[128];
	long value;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), COUNTERS_DIR "%s", name);
	f = fopen(path, "r");
	TEST_ASSERT(f, "cannot open %s", path);
	n = fscanf(f, "%ld", &value);
	fclose(f);
	TEST_ASSERT(n == 1, "%s does not hold a number", path);
	return value;
}

void counters_read(struct vireo_counters *c)
{
	c->vms = read_counter("vms");
	c->vcpus = read_counter("vcpus");
	c->pages = read_counter("pages");
	c->pinned = read_counter("pinned");
}

bool counters_equal(const struct vireo_counters *a,
		    const struct vireo_counters *b)
{
	return a->vms == b->vms && a->vcpus == b->vcpus &&
	       a->pages == b->pages && a->pinned == b->pinned;
}

/*
 * Wait up to @timeout_ms for the counters to equal @want.  The last file
 * descriptor's release frees a VM synchronously today, but a module may
 * defer some of it (RCU, a worker): a leak is what never comes back.
 */
bool counters_settle(const struct vireo_counters *want,
		     struct vireo_counters *now, unsigned int timeout_ms)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	unsigned int waited;

	for (waited = 0;; waited += 10) {
		counters_read(now);
		if (counters_equal(want, now))
			return true;
		if (waited >= timeout_ms)
			return false;
		nanosleep(&tick, NULL);
	}
}

void counters_print(const char *what, const struct vireo_counters *c)
{
	fprintf(stderr, "# %s: vms %ld vcpus %ld pages %ld pinned %ld\n",
		what, c->vms, c->vcpus, c->pages, c->pinned);
}
