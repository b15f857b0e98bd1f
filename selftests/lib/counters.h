/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's accounting in /sys/class/misc/vireo/: live VMs and vCPUs,
 * pages allocated for VM structures, and pinned guest pages.  Tests read a
 * baseline first and check that everything they created was given back.
 */
#ifndef SELFTEST_COUNTERS_H
#define SELFTEST_COUNTERS_H

#include <stdbool.h>

struct vireo_counters {
	long vms;
	long vcpus;
	long pages;
	long pinned;
};

void counters_read(struct vireo_counters *c);
bool counters_equal(const struct vireo_counters *a,
		    const struct vireo_counters *b);
bool counters_settle(const struct vireo_counters *want,
		     struct vireo_counters *now, unsigned int timeout_ms);
void counters_print(const char *what, const struct vireo_counters *c);

#endif /* SELFTEST_COUNTERS_H */
