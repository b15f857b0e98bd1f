// SPDX-License-Identifier: GPL-2.0
/*
 * The device table is the "vireo_dev_init" section; the linker defines
 * __start_ and __stop_ symbols for a section whose name is a C identifier.
 * They are weak so that a binary with no device at all still links (the
 * table is then empty).
 */
#include <stddef.h>

#include "devices.h"

extern const struct dev_init_entry __start_vireo_dev_init[]
	__attribute__((weak));
extern const struct dev_init_entry __stop_vireo_dev_init[]
	__attribute__((weak));

unsigned int devices_count(void)
{
	if (!__start_vireo_dev_init)
		return 0;
	return __stop_vireo_dev_init - __start_vireo_dev_init;
}

static int devices_init_level(struct machine *m, enum dev_init_level level,
			      const char **failed)
{
	unsigned int i, n = devices_count();
	int ret;

	for (i = 0; i < n; i++) {
		const struct dev_init_entry *e = &__start_vireo_dev_init[i];

		if (e->level != level)
			continue;
		ret = e->fn(m);
		if (ret) {
			if (failed)
				*failed = e->name;
			return ret;
		}
	}
	return 0;
}

int devices_init(struct machine *m, const char **failed)
{
	enum dev_init_level level;
	int ret;

	for (level = DEV_INIT_CORE; level < DEV_INIT_NR_LEVELS; level++) {
		ret = devices_init_level(m, level, failed);
		if (ret)
			return ret;
	}
	return 0;
}

void devices_describe(FILE *f, const char *indent)
{
	unsigned int i, n = devices_count();
	enum dev_init_level level;

	for (level = DEV_INIT_CORE; level < DEV_INIT_NR_LEVELS; level++)
		for (i = 0; i < n; i++)
			if (__start_vireo_dev_init[i].level == level)
				fprintf(f, "%s%s\n", indent,
					__start_vireo_dev_init[i].desc);
}
