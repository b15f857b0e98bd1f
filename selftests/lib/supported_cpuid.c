// SPDX-License-Identifier: GPL-2.0
/* VIREO_GET_SUPPORTED_CPUID and CPUID table lookups. */
#include <stdlib.h>

#include "supported_cpuid.h"

int _get_supported_cpuid(int dev_fd, struct vireo_cpuid *cpuid)
{
	return vireo_ioctl(dev_fd, VIREO_GET_SUPPORTED_CPUID,
			   (unsigned long)cpuid);
}

struct vireo_cpuid *get_supported_cpuid(void)
{
	struct vireo_cpuid *cpuid;
	int fd = open_dev();
	int ret;

	cpuid = calloc(1, sizeof(*cpuid) +
			  SUPPORTED_CPUID_ROOM * sizeof(cpuid->entries[0]));
	TEST_ASSERT(cpuid, "out of memory");
	cpuid->nent = SUPPORTED_CPUID_ROOM;
	ret = _get_supported_cpuid(fd, cpuid);
	TEST_ASSERT(!ret, "VIREO_GET_SUPPORTED_CPUID failed");
	vireo_close(fd);
	return cpuid;
}

const struct vireo_cpuid_entry *
cpuid_find_entry(const struct vireo_cpuid *cpuid, uint32_t function,
		 uint32_t index)
{
	uint32_t i;

	for (i = 0; i < cpuid->nent; i++) {
		const struct vireo_cpuid_entry *e = &cpuid->entries[i];

		if (e->function != function)
			continue;
		if (!(e->flags & VIREO_CPUID_SIGNIFICANT_INDEX) ||
		    e->index == index)
			return e;
	}
	return NULL;
}

void vcpu_set_supported_cpuid(struct vireo_vcpu *vcpu)
{
	struct vireo_cpuid *cpuid = get_supported_cpuid();

	vcpu_set_cpuid(vcpu, cpuid->entries, cpuid->nent);
	free(cpuid);
}
