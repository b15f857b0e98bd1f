/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Device classes and their instances.
 *
 * A device file defines one class, a const table of what every instance
 * can do, and ends with
 *
 *	DEVICE_CLASS(uart16550_class);
 *
 * which puts a pointer to it in the "vireo_dev_class" section of the binary
 * (after kvmtool's dev_init() and bhyve's linker sets): linking a device
 * file in is what adds its class, and main.c names no device.
 *
 * Instances: every class marked .is_default gets one instance, with no
 * options, in every VM; `--device CLASS[,key=value...]` adds one more
 * (devices_create()).  Instances are created level by level, so the
 * interrupt controllers and buses exist before the devices that use them,
 * and in command-line order within a class.  Each instance has its own
 * state; the machine keeps them all, and drives their lifecycle:
 *
 *	create    claim bus ranges, interrupt lines, timers; power-on state
 *	reset     back to the power-on state (a guest reboot); ranges kept
 *	pause     the machine stops: nothing may change the guest-visible
 *	          state until resume (timers disarmed, clocks stopped)
 *	resume    go on from where pause left, paused_ns later: clocks count
 *	          on from where they stood, nothing is owed for the pause
 *	save      the guest-visible state as named fields (devstate.h)
 *	load      such state, into an instance just created with the same
 *	          options: after it the instance behaves as the saved one
 *	stop      (the VM ends) the instance's own threads end
 *	destroy   release everything create took
 *
 * Saved time is relative: a timer that had 3 ms to run has 3 ms to run
 * after the load.  A paused machine's time stands still, as in VirtualBox
 * (its virtual clocks stop while a VM is suspended).
 *
 * Order: create, reset and resume go in creation order (the interrupt
 * controllers first, so a device that raises a line finds its controller
 * ready); pause and destroy in the reverse order (the devices first, so
 * nothing raises a line into a controller already paused or gone).  On
 * pause the vCPUs and the event loop stop before the devices pause
 * (machine_pause(), pause.h); on resume they run again after the devices
 * resumed.  Devices read time with machine_now(), which stands still
 * while the machine is paused.  Every
 * hook but destroy runs with the instance's lock held (destroy runs when
 * no vCPU does, and may join threads of the instance that take the lock);
 * any of them but create may be NULL, when the class has nothing to do
 * for it.  A reset may come twice in a row (the machine's restart resets
 * before the guest is reloaded, and again after): it must be idempotent.
 */
#ifndef VIREO_DEVICES_H
#define VIREO_DEVICES_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "machine.h"

enum dev_init_level {
	DEV_INIT_CORE,		/* interrupt controllers */
	DEV_INIT_BUS,		/* buses: PCI host bridge, ... */
	DEV_INIT_DEV,		/* ordinary devices */
	DEV_INIT_LATE,		/* what needs every device present */
	DEV_INIT_NR_LEVELS,
};

#define DEV_MAX_OPTS	8	/* key=value pairs in one --device */

/* The key=value options of one instance, parsed from its --device spec. */
struct dev_opts {
	unsigned int nr;
	struct {
		char *key;
		char *value;
	} opt[DEV_MAX_OPTS];
};

struct device;
struct devstate;

struct dev_class {
	const char *name;	/* as in --device NAME */
	const char *desc;	/* one line for --help */
	enum dev_init_level level;
	bool is_default;	/* one instance in every VM */
	unsigned int max_instances;	/* 0: 1 */
	/* The option keys create() understands, NULL-terminated, or NULL. */
	const char *const *keys;
	const char *keys_help;	/* e.g. "port=N,irq=N", for --help */

	/*
	 * Fill dev->state.  0, or -errno with the reason in why (one line,
	 * for "device NAME: why").
	 */
	int (*create)(struct device *dev, const struct dev_opts *opts,
		      char *why, size_t why_len);
	void (*reset)(struct device *dev);
	void (*pause)(struct device *dev);
	void (*resume)(struct device *dev, uint64_t paused_ns);
	/*
	 * state_version: the layout save writes (devstate.h).  load gets
	 * the version the blob has (at most state_version) and checks
	 * every value: 0, or -EINVAL/-ENOENT for a blob it refuses, and
	 * the instance is then as it was before.  A class without state
	 * has neither hook.
	 */
	uint32_t state_version;
	int (*save)(struct device *dev, struct devstate *ds);
	int (*load)(struct device *dev, struct devstate *ds, uint32_t version);
	/*
	 * Optional: the VM is ending, end the instance's own threads (an I/O
	 * thread, workers) before the process takes down what they might
	 * use (the control socket, the console's buffer); destroy follows.
	 * Runs, as destroy does, without the lock and with no vCPU left.
	 */
	void (*stop)(struct device *dev);
	void (*destroy)(struct device *dev);

	/*
	 * System calls an instance needs once the VM runs, beyond the VM
	 * process's own (seccomp.h): SCMP_SYS() numbers, nr_syscalls of them.
	 */
	const int *syscalls;
	unsigned int nr_syscalls;
};

struct device {
	const struct dev_class *cls;
	struct machine *m;
	void *state;		/* the class's own */
	/*
	 * The instance's lock: held around every entry into it (its bus
	 * ranges, timers and fd watches are registered with it, and the
	 * lifecycle hooks run under it), so two vCPUs reach two devices at
	 * once and one device one at a time.
	 */
	pthread_mutex_t lock;
	unsigned int index;	/* 0 for the first of its class */
	char name[32];		/* "uart16550" or "uart16550.1" */
};

#define DEVICE_CLASS(cls)						\
	static const struct dev_class *const __dev_class_##cls		\
	__attribute__((section("vireo_dev_class"), used,		\
		       aligned(__alignof__(struct dev_class *)))) = &(cls)

/* The registered classes, in no particular order. */
unsigned int dev_classes_count(void);
const struct dev_class *dev_class_at(unsigned int i);
const struct dev_class *dev_class_find(const char *name);

/* An option's value, or NULL when the spec did not give it. */
const char *dev_opt(const struct dev_opts *opts, const char *key);
/*
 * An unsigned option (decimal digits, or 0x and hex digits: no sign, blank
 * or octal) no greater than max; def when
 * the spec did not give it.  0, or -EINVAL with the reason in why.
 */
int dev_opt_uint(const struct dev_opts *opts, const char *key,
		 unsigned long long def, unsigned long long max,
		 unsigned long long *out, char *why, size_t why_len);

/*
 * Check that "CLASS[,key=value...]" names a class and only keys it knows,
 * each once, without creating anything (options_parse() does it, so such
 * mistakes show before the VM is built; values are checked by create()).
 * 0, or -EINVAL with the reason in why.
 */
int dev_spec_check(const char *spec, char *why, size_t why_len);

/*
 * Create the default instances and those of specs[0..nr) (--device specs,
 * checked or not), level by level.  0, or -errno with the reason, naming
 * the instance, in why; what was created before a failure is destroyed.
 */
int devices_create(struct machine *m, const char *const *specs,
		   unsigned int nr, char *why, size_t why_len);
/* Only the default instances (the unit tests). */
int devices_init(struct machine *m, const char **failed);

/* The lifecycle of every instance, in the order above. */
void devices_reset(struct machine *m);
void devices_pause(struct machine *m);
void devices_resume(struct machine *m, uint64_t paused_ns);
void devices_stop(struct machine *m);
void devices_destroy(struct machine *m);

/*
 * One instance's state as a blob (devstate.h): 0 and the blob in *ds (for
 * devstate_free()), or -errno.  A class without save gives a blob with no
 * fields.
 */
int device_save(struct device *dev, struct devstate *ds);
/*
 * Load a blob saved from an instance of the same class: 0, or -EINVAL
 * (not this class's, a newer version, or values the device refuses).
 */
int device_load(struct device *dev, const void *blob, size_t len);

/* The n-th instance of cls in m (n from 0), or NULL. */
struct device *device_find(struct machine *m, const struct dev_class *cls,
			   unsigned int n);

/* Print each class, its options and description, in init order. */
void devices_describe(FILE *f, const char *indent);

#endif /* VIREO_DEVICES_H */
