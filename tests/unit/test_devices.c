// SPDX-License-Identifier: GPL-2.0
/*
 * Device classes and instances (devices.h): classes defined here, out of
 * level order on purpose, must be created level by level with the
 * defaults first and --device specs after; reset runs in creation order,
 * destroy in the reverse; a failure destroys what was made; specs are
 * checked for class, keys and values.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "util.h"
#include "tap.h"

static char log_buf[128];
static int fail_create = -1;	/* fail the create of this port number */

static void note(const char *what, const struct device *dev)
{
	size_t n = strlen(log_buf);

	snprintf(log_buf + n, sizeof(log_buf) - n, "%s%s:%s",
		 n ? " " : "", what, dev->name);
}

struct fake {
	unsigned long long port;
};

static int fake_create(struct device *dev, const struct dev_opts *opts,
		       char *why, size_t why_len)
{
	struct fake *f;
	unsigned long long port;
	int err;

	err = dev_opt_uint(opts, "port", 0x100, 0xffff, &port, why, why_len);
	if (err)
		return err;
	if ((int)port == fail_create) {
		snprintf(why, why_len, "port 0x%llx refused", port);
		return -EBUSY;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->port = port;
	dev->state = f;
	note("c", dev);
	return 0;
}

static void fake_reset(struct device *dev)
{
	note("r", dev);
}

static void fake_destroy(struct device *dev)
{
	note("d", dev);
	free(dev->state);
}

static const char *const fake_keys[] = { "port", NULL };

static const struct dev_class late_class = {
	.name = "late", .desc = "late one", .level = DEV_INIT_LATE,
	.is_default = true, .create = fake_create, .destroy = fake_destroy,
};
DEVICE_CLASS(late_class);

static const struct dev_class port_class = {
	.name = "port", .desc = "a device with a port", .level = DEV_INIT_DEV,
	.max_instances = 3, .keys = fake_keys, .keys_help = "port=N",
	.create = fake_create, .reset = fake_reset, .destroy = fake_destroy,
};
DEVICE_CLASS(port_class);

static const struct dev_class core_class = {
	.name = "core", .desc = "core one", .level = DEV_INIT_CORE,
	.is_default = true, .create = fake_create, .reset = fake_reset,
	.destroy = fake_destroy,
};
DEVICE_CLASS(core_class);

static void test_defaults(void)
{
	struct machine m;

	machine_init(&m, -1);
	log_buf[0] = '\0';
	is_int(dev_classes_count(), 3, "three classes registered");
	is_int(devices_init(&m, NULL), 0, "the defaults are created");
	is_str(log_buf, "c:core c:late",
	       "only default classes, level by level");
	ok(!device_find(&m, &port_class, 0), "no instance of a non-default");
	log_buf[0] = '\0';
	devices_destroy(&m);
	is_str(log_buf, "d:late d:core", "destroyed in reverse order");
	is_int(m.nr_devices, 0, "the machine holds no device after");
	machine_destroy(&m);
}

static void test_specs(void)
{
	static const char *const specs[] = { "port", "port,port=0x2f8", "port,port=9" };
	struct machine m;
	struct device *d;
	char why[200] = "";

	machine_init(&m, -1);
	log_buf[0] = '\0';
	is_int(devices_create(&m, specs, 3, why, sizeof(why)), 0,
	       "three instances from --device specs");
	is_str(log_buf, "c:core c:port c:port.1 c:port.2 c:late",
	       "created by level, specs in command-line order");
	d = device_find(&m, &port_class, 1);
	ok(d && ((struct fake *)d->state)->port == 0x2f8 && d->index == 1,
	   "the second instance has its own state and options");
	d = device_find(&m, &port_class, 2);
	ok(d && ((struct fake *)d->state)->port == 9, "decimal values too");
	log_buf[0] = '\0';
	devices_reset(&m);
	is_str(log_buf, "r:core r:port r:port.1 r:port.2",
	       "reset in creation order, classes without reset skipped");
	devices_destroy(&m);
	machine_destroy(&m);
}

/* Decimal or 0x hex, nothing else strtoull() would take. */
static void test_numbers(struct machine *m)
{
	static const char *const bad[] = {
		"port,port=0x", "port,port=+5", "port,port= 5", "port,port=-1",
		"port,port=5k", "port,port=",
	};
	static const char *const dec[] = { "port,port=010" };
	char why[200];
	unsigned int i, refused = 0;
	struct device *d;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		refused += devices_create(m, &bad[i], 1, why, sizeof(why)) ==
			   -EINVAL;
	is_int(refused, ARRAY_SIZE(bad),
	       "0x, +5, \" 5\", -1, 5k and an empty value are refused");
	is_int(devices_create(m, dec, 1, why, sizeof(why)), 0,
	       "010 is accepted...");
	d = device_find(m, &port_class, 0);
	ok(d && ((struct fake *)d->state)->port == 10, "...as decimal 10");
	devices_destroy(m);
}

static void test_failures(void)
{
	static const char *const four[] = { "port", "port", "port", "port" };
	static const char *const refused[] = { "port", "port,port=0x60" };
	static const char *const bad[] = { "port,port=0x10000" };
	struct machine m;
	char why[200] = "";

	machine_init(&m, -1);
	log_buf[0] = '\0';
	is_int(devices_create(&m, four, 4, why, sizeof(why)), -EINVAL,
	       "more instances than the class allows fail");
	is_str(why, "port: a VM has at most 3", "...saying why");
	is_str(log_buf,
	       "c:core c:port c:port.1 c:port.2 d:port.2 d:port.1 d:port d:core",
	       "...and what was made is destroyed, in reverse");
	is_int(m.nr_devices, 0, "nothing is left");

	fail_create = 0x60;
	is_int(devices_create(&m, refused, 2, why, sizeof(why)), -EBUSY,
	       "a create that fails fails the machine with its errno");
	is_str(why, "port.1: port 0x60 refused",
	       "the reason names the instance");
	fail_create = -1;
	is_int(m.nr_devices, 0, "nothing is left");

	is_int(devices_create(&m, bad, 1, why, sizeof(why)), -EINVAL,
	       "an out-of-range value fails");
	is_str(why, "port: port=0x10000: not a number from 0 to 65535",
	       "...naming key and range");
	test_numbers(&m);
	machine_destroy(&m);
}

static void test_spec_check(void)
{
	char why[200];

	is_int(dev_spec_check("port,port=0x3f8", why, sizeof(why)), 0,
	       "a good spec passes");
	is_int(dev_spec_check("nosuch", why, sizeof(why)), -EINVAL,
	       "an unknown class fails");
	is_str(why, "no device class \"nosuch\" (vireo-vm --help lists them)",
	       "...saying so");
	is_int(dev_spec_check("port,irq=3", why, sizeof(why)), -EINVAL,
	       "an unknown key fails");
	is_str(why, "port has no option \"irq\" (it takes port=N)",
	       "...listing the keys it takes");
	is_int(dev_spec_check("core,port=1", why, sizeof(why)), -EINVAL,
	       "a class without options takes none");
	is_int(dev_spec_check("port,port", why, sizeof(why)), -EINVAL,
	       "a key without a value fails");
	is_int(dev_spec_check("port,port=1,port=2", why, sizeof(why)),
	       -EINVAL, "a key given twice fails");
	is_int(dev_spec_check("port,=1", why, sizeof(why)), -EINVAL,
	       "an empty key fails");
}

static void test_describe(void)
{
	char buf[512] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	devices_describe(f, "- ");
	fclose(f);
	is_str(buf, "- core\n-     core one\n"
	       "- port[,port=N]\n-     a device with a port (only with --device)\n"
	       "- late\n-     late one\n",
	       "classes listed in level order, with their keys");
}

int main(void)
{
	test_defaults();
	test_specs();
	test_failures();
	test_spec_check();
	test_describe();
	return tap_done();
}
