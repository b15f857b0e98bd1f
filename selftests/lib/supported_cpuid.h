/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VIREO_GET_SUPPORTED_CPUID: the CPUID table the module offers guests, and
 * lookups in a CPUID table.  (Not "cpuid.h": that is the compiler's.)
 */
#ifndef SELFTEST_SUPPORTED_CPUID_H
#define SELFTEST_SUPPORTED_CPUID_H

#include "vireo_util.h"

/* Room for the module's largest table (VIREO_CAP_MAX_CPUID). */
#define SUPPORTED_CPUID_ROOM	256

/* The raw ioctl on /dev/vireo fd @dev_fd. */
int _get_supported_cpuid(int dev_fd, struct vireo_cpuid *cpuid);
/* The table, malloc()ed (free() it); fails the test on error. */
struct vireo_cpuid *get_supported_cpuid(void);
/* The entry for @function (and @index where the entry says it matters). */
const struct vireo_cpuid_entry *
cpuid_find_entry(const struct vireo_cpuid *cpuid, uint32_t function,
		 uint32_t index);
/* SET_CPUID with the supported table, as a device model would start. */
void vcpu_set_supported_cpuid(struct vireo_vcpu *vcpu);

#endif /* SELFTEST_SUPPORTED_CPUID_H */
