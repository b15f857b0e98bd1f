// SPDX-License-Identifier: GPL-2.0
/*
 * The class table is the "vireo_dev_class" section; the linker defines
 * __start_ and __stop_ symbols for a section whose name is a C identifier.
 * They are weak so that a binary with no device at all still links (the
 * table is then empty).  The instances live in the machine (machine.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "devstate.h"

extern const struct dev_class *const __start_vireo_dev_class[]
	__attribute__((weak));
extern const struct dev_class *const __stop_vireo_dev_class[]
	__attribute__((weak));

unsigned int dev_classes_count(void)
{
	if (!__start_vireo_dev_class)
		return 0;
	return __stop_vireo_dev_class - __start_vireo_dev_class;
}

const struct dev_class *dev_class_at(unsigned int i)
{
	return i < dev_classes_count() ? __start_vireo_dev_class[i] : NULL;
}

const struct dev_class *dev_class_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < dev_classes_count(); i++)
		if (!strcmp(dev_class_at(i)->name, name))
			return dev_class_at(i);
	return NULL;
}

static __attribute__((format(printf, 3, 4)))
int fail(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *dev_opt(const struct dev_opts *opts, const char *key)
{
	unsigned int i;

	for (i = 0; opts && i < opts->nr; i++)
		if (!strcmp(opts->opt[i].key, key))
			return opts->opt[i].value;
	return NULL;
}

int dev_opt_uint(const struct dev_opts *opts, const char *key,
		 unsigned long long def, unsigned long long max,
		 unsigned long long *out, char *why, size_t why_len)
{
	const char *v = dev_opt(opts, key), *digits;
	unsigned long long n;
	int base = 10;
	char *end;
	bool ok;

	if (!v) {
		*out = def;
		return 0;
	}
	digits = v;
	/* Decimal, or hex after 0x: no sign, blank or octal strtoull takes. */
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		digits = v + 2;
		base = 16;
	}
	ok = base == 16 ? isxdigit((unsigned char)digits[0]) :
			  isdigit((unsigned char)digits[0]);
	errno = 0;
	n = ok ? strtoull(digits, &end, base) : 0;
	if (!ok || *end || errno || n > max)
		return fail(why, why_len, "%s=%s: not a number from 0 to %llu",
			    key, v, max);
	*out = n;
	return 0;
}

static bool class_knows(const struct dev_class *cls, const char *key)
{
	const char *const *k;

	for (k = cls->keys; k && *k; k++)
		if (!strcmp(*k, key))
			return true;
	return false;
}

/*
 * Split a copy of "CLASS[,key=value...]" in place.  *buf is the copy, for
 * the caller to free; the class and opts point into it.
 */
static int spec_parse(const char *spec, char **buf,
		      const struct dev_class **cls, struct dev_opts *opts,
		      char *why, size_t why_len)
{
	char *s, *item, *eq;

	*buf = s = strdup(spec);
	if (!s)
		return -ENOMEM;
	memset(opts, 0, sizeof(*opts));
	item = strsep(&s, ",");
	*cls = dev_class_find(item);
	if (!*cls)
		return fail(why, why_len,
			    "no device class \"%s\" (vireo-vm --help lists them)",
			    item);
	while ((item = strsep(&s, ","))) {
		eq = strchr(item, '=');
		if (!eq || eq == item)
			return fail(why, why_len, "%s: \"%s\" is not key=value",
				    (*cls)->name, item);
		*eq = '\0';
		if (!class_knows(*cls, item))
			return fail(why, why_len, "%s has no option \"%s\"%s%s%s",
				    (*cls)->name, item,
				    (*cls)->keys_help ? " (it takes " : "",
				    (*cls)->keys_help ? (*cls)->keys_help : "",
				    (*cls)->keys_help ? ")" : "");
		if (dev_opt(opts, item))
			return fail(why, why_len, "%s: %s given twice",
				    (*cls)->name, item);
		if (opts->nr == DEV_MAX_OPTS)
			return fail(why, why_len, "%s: more than %d options",
				    (*cls)->name, DEV_MAX_OPTS);
		opts->opt[opts->nr].key = item;
		opts->opt[opts->nr].value = eq + 1;
		opts->nr++;
	}
	return 0;
}

int dev_spec_check(const char *spec, char *why, size_t why_len)
{
	const struct dev_class *cls;
	struct dev_opts opts;
	char *buf;
	int err = spec_parse(spec, &buf, &cls, &opts, why, why_len);

	free(buf);
	if (err == -ENOMEM)
		fail(why, why_len, "out of memory");
	return err;
}

static unsigned int class_instances(struct machine *m,
				    const struct dev_class *cls)
{
	unsigned int i, n = 0;

	for (i = 0; i < m->nr_devices; i++)
		n += m->devices[i]->cls == cls;
	return n;
}

static int device_add(struct machine *m, const struct dev_class *cls,
		      const struct dev_opts *opts, char *why, size_t why_len)
{
	unsigned int index = class_instances(m, cls);
	unsigned int max = cls->max_instances ? cls->max_instances : 1;
	struct device *dev, **list;
	char reason[160] = "";
	int err;

	if (index >= max)
		return fail(why, why_len, "%s: a VM has at most %u", cls->name,
			    max);
	list = realloc(m->devices, (m->nr_devices + 1) * sizeof(*list));
	if (!list)
		return -ENOMEM;
	m->devices = list;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->cls = cls;
	dev->m = m;
	dev->index = index;
	if (index)
		snprintf(dev->name, sizeof(dev->name), "%s.%u", cls->name,
			 index);
	else
		snprintf(dev->name, sizeof(dev->name), "%s", cls->name);
	pthread_mutex_init(&dev->lock, NULL);
	err = cls->create(dev, opts, reason, sizeof(reason));
	if (err) {
		snprintf(why, why_len, "%s: %s", dev->name,
			 reason[0] ? reason : strerror(-err));
		pthread_mutex_destroy(&dev->lock);
		free(dev);
		return err;
	}
	m->devices[m->nr_devices++] = dev;
	return 0;
}

/* A default class the machine is to go without (vireo-vm --no-vmmdev). */
static bool device_omitted(const struct machine *m, const struct dev_class *cls)
{
	unsigned int i;

	for (i = 0; i < m->nr_omit_devices; i++)
		if (!strcmp(m->omit_devices[i], cls->name))
			return true;
	return false;
}

static int create_level(struct machine *m, enum dev_init_level level,
			const char *const *specs, unsigned int nr,
			char *why, size_t why_len)
{
	unsigned int i, j;
	int err;

	for (i = 0; i < dev_classes_count(); i++) {
		const struct dev_class *cls = dev_class_at(i);

		if (cls->level != level || !cls->is_default ||
		    device_omitted(m, cls))
			continue;
		err = device_add(m, cls, NULL, why, why_len);
		if (err)
			return err;
	}
	for (j = 0; j < nr; j++) {
		const struct dev_class *cls;
		struct dev_opts opts;
		char *buf;

		err = spec_parse(specs[j], &buf, &cls, &opts, why, why_len);
		if (!err && cls->level == level)
			err = device_add(m, cls, &opts, why, why_len);
		free(buf);
		if (err)
			return err;
	}
	return 0;
}

int devices_create(struct machine *m, const char *const *specs,
		   unsigned int nr, char *why, size_t why_len)
{
	enum dev_init_level level;
	int err;

	for (level = DEV_INIT_CORE; level < DEV_INIT_NR_LEVELS; level++) {
		err = create_level(m, level, specs, nr, why, why_len);
		if (err) {
			if (err == -ENOMEM && !why[0])
				fail(why, why_len, "out of memory");
			devices_destroy(m);
			return err;
		}
	}
	return 0;
}

int devices_init(struct machine *m, const char **failed)
{
	static char why[200];
	int err;

	why[0] = '\0';
	err = devices_create(m, NULL, 0, why, sizeof(why));
	if (err && failed)
		*failed = why;
	return err;
}

/*
 * The hooks run with the instance's lock held: the event loop may still
 * be running its timers, and a hook's line changes reach the interrupt
 * controllers, which take their own.
 */
void devices_reset(struct machine *m)
{
	unsigned int i;

	for (i = 0; i < m->nr_devices; i++) {
		struct device *dev = m->devices[i];

		if (!dev->cls->reset)
			continue;
		pthread_mutex_lock(&dev->lock);
		dev->cls->reset(dev);
		pthread_mutex_unlock(&dev->lock);
	}
}

void devices_pause(struct machine *m)
{
	unsigned int i = m->nr_devices;

	while (i--) {
		struct device *dev = m->devices[i];

		if (!dev->cls->pause)
			continue;
		pthread_mutex_lock(&dev->lock);
		dev->cls->pause(dev);
		pthread_mutex_unlock(&dev->lock);
	}
}

void devices_resume(struct machine *m, uint64_t paused_ns)
{
	unsigned int i;

	for (i = 0; i < m->nr_devices; i++) {
		struct device *dev = m->devices[i];

		if (!dev->cls->resume)
			continue;
		pthread_mutex_lock(&dev->lock);
		dev->cls->resume(dev, paused_ns);
		pthread_mutex_unlock(&dev->lock);
	}
}

void devices_stop(struct machine *m)
{
	unsigned int i = m->nr_devices;

	while (i--)
		if (m->devices[i]->cls->stop)
			m->devices[i]->cls->stop(m->devices[i]);
}

void devices_destroy(struct machine *m)
{
	unsigned int i = m->nr_devices;

	while (i--) {
		struct device *dev = m->devices[i];

		if (dev->cls->destroy)
			dev->cls->destroy(dev);
		pthread_mutex_destroy(&dev->lock);
		free(dev);
	}
	free(m->devices);
	m->devices = NULL;
	m->nr_devices = 0;
}

int device_save(struct device *dev, struct devstate *ds)
{
	int err = 0;

	devstate_begin(ds, dev->cls->name, dev->cls->state_version);
	if (dev->cls->save) {
		pthread_mutex_lock(&dev->lock);
		err = dev->cls->save(dev, ds);
		pthread_mutex_unlock(&dev->lock);
	}
	if (!err)
		err = devstate_end(ds);
	if (err)
		devstate_free(ds);
	return err;
}

int device_load(struct device *dev, const void *blob, size_t len)
{
	struct devstate ds;
	uint32_t version;
	int err;

	err = devstate_open(&ds, blob, len, dev->cls->name, &version);
	if (err)
		return err;
	if (version > dev->cls->state_version)
		return -EINVAL;
	if (!dev->cls->load)
		return ds.nr_fields ? -EINVAL : 0;
	pthread_mutex_lock(&dev->lock);
	err = dev->cls->load(dev, &ds, version);
	pthread_mutex_unlock(&dev->lock);
	return err;
}

struct device *device_find(struct machine *m, const struct dev_class *cls,
			   unsigned int n)
{
	unsigned int i;

	for (i = 0; i < m->nr_devices; i++)
		if (m->devices[i]->cls == cls && n-- == 0)
			return m->devices[i];
	return NULL;
}

void devices_describe(FILE *f, const char *indent)
{
	enum dev_init_level level;
	unsigned int i;

	for (level = DEV_INIT_CORE; level < DEV_INIT_NR_LEVELS; level++)
		for (i = 0; i < dev_classes_count(); i++) {
			const struct dev_class *cls = dev_class_at(i);

			if (cls->level != level)
				continue;
			fprintf(f, "%s%s%s%s%s\n", indent, cls->name,
				cls->keys_help ? "[," : "",
				cls->keys_help ? cls->keys_help : "",
				cls->keys_help ? "]" : "");
			fprintf(f, "%s    %s%s\n", indent, cls->desc,
				cls->is_default ? "" : " (only with --device)");
		}
}
