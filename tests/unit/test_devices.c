// SPDX-License-Identifier: GPL-2.0
/*
 * The registration table: entries defined here, out of order on purpose,
 * must run level by level, and the first failure stops the rest.
 */
#include <errno.h>
#include <string.h>

#include "devices.h"
#include "tap.h"

static char order[16];
static int fail_dev;

static void ran(char c)
{
	size_t n = strlen(order);

	if (n < sizeof(order) - 1)
		order[n] = c;
}

static int late_fn(struct machine *m)
{
	ran('L');
	return 0;
}
late_init(late_fn, "late");

static int dev_fn(struct machine *m)
{
	ran('D');
	return fail_dev ? -ENODEV : 0;
}
dev_init(dev_fn, "device");

static int bus_fn(struct machine *m)
{
	ran('B');
	return 0;
}
bus_init(bus_fn, "bus");

static int core_fn(struct machine *m)
{
	ran('C');
	return 0;
}
core_init(core_fn, "core");

int main(void)
{
	const char *failed = NULL;
	struct machine m;
	char buf[256] = "";
	FILE *f;

	machine_init(&m, -1);
	is_int(devices_count(), 4, "four entries in the table");
	is_int(devices_init(&m, &failed), 0, "all inits succeed");
	ok(strcmp(order, "CBDL") == 0, "run in level order: %s", order);

	memset(order, 0, sizeof(order));
	fail_dev = 1;
	is_int(devices_init(&m, &failed), -ENODEV, "a failing init is reported");
	ok(failed && strcmp(failed, "dev_fn") == 0, "...by its function name");
	ok(strcmp(order, "CBD") == 0, "...and later levels do not run: %s",
	   order);

	f = fmemopen(buf, sizeof(buf), "w");
	devices_describe(f, "- ");
	fclose(f);
	ok(strcmp(buf, "- core\n- bus\n- device\n- late\n") == 0,
	   "descriptions are listed in init order");
	return tap_done();
}
