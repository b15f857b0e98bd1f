/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Device registration, after kvmtool's dev_init() and bhyve's linker sets.
 * A device file ends with
 *
 *	dev_init(uart16550_init, "16550 UART at 0x3F8-0x3FF (COM1)");
 *
 * which puts a { level, fn, name, desc } entry in the "vireo_dev_init"
 * section of the binary.  devices_init() runs the entries level by level, so buses
 * exist before the devices that sit on them, and main.c names no device:
 * linking a device file in is what adds it to the machine.
 */
#ifndef VIREO_DEVICES_H
#define VIREO_DEVICES_H

#include <stdio.h>

#include "machine.h"

enum dev_init_level {
	DEV_INIT_CORE,		/* platform plumbing other inits rely on */
	DEV_INIT_BUS,		/* buses: PCI host bridge, ... */
	DEV_INIT_DEV,		/* ordinary devices */
	DEV_INIT_LATE,		/* what needs every device present */
	DEV_INIT_NR_LEVELS,
};

struct dev_init_entry {
	enum dev_init_level level;
	int (*fn)(struct machine *m);	/* 0 or -errno */
	const char *name;
	const char *desc;		/* one line for --help */
};

#define __dev_init(cb, lvl, d)						\
	static const struct dev_init_entry __dev_init_##cb		\
	__attribute__((section("vireo_dev_init"), used,			\
		       aligned(__alignof__(struct dev_init_entry)))) = {	\
		.level = (lvl), .fn = (cb), .name = #cb, .desc = (d),	\
	}

#define core_init(cb, desc)	__dev_init(cb, DEV_INIT_CORE, desc)
#define bus_init(cb, desc)	__dev_init(cb, DEV_INIT_BUS, desc)
#define dev_init(cb, desc)	__dev_init(cb, DEV_INIT_DEV, desc)
#define late_init(cb, desc)	__dev_init(cb, DEV_INIT_LATE, desc)

/*
 * Run every registered init function in level order.  Returns 0, or the
 * first error after naming the failing function in *failed.
 */
int devices_init(struct machine *m, const char **failed);

/* Number of registered entries (for tests). */
unsigned int devices_count(void);

/* Print "<indent><desc>" for each registered entry, in init order. */
void devices_describe(FILE *f, const char *indent);

#endif /* VIREO_DEVICES_H */
