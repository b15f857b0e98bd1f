/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which release of Vireo this program is, which vireo.ko is loaded, and
 * what to tell a user when the two differ (after a package upgrade: the
 * old module stays loaded while VMs run, and running VMs keep their old
 * vireo-vm).  docs/vmctl.md, "Upgrades".
 */
#ifndef VIREO_RELEASE_H
#define VIREO_RELEASE_H

#include <stddef.h>

/* The release this program was built as (the tree's VERSION file). */
const char *vireo_release(void);

/*
 * The loaded vireo.ko's release, from /sys/module/vireo/version, into
 * buf.  0 when read; -ENOENT when vireo.ko is not loaded; -ENODATA when
 * it is but says no version (a module before 0.12.0).
 */
int release_of_module(char *buf, size_t len);

/*
 * Compares two dotted releases ("0.12.0") number by number: <0, 0, >0 as
 * strcmp.  Anything that is not a number sorts before any number.
 */
int release_cmp(const char *a, const char *b);

/*
 * What `prog` (built as `ours`) should say when it meets vireo.ko
 * release `module` (NULL: a module that says no version): one sentence
 * naming which to restart or upgrade, into buf.  Returns 0 and leaves buf
 * empty when the two are the same release.
 */
int release_advice(const char *prog, const char *ours, const char *module,
		   char *buf, size_t len);

/*
 * --version: "PROG RELEASE", then the loaded vireo.ko's release (or that
 * none is loaded) and the advice above when they differ, on stdout.
 */
void release_print_version(const char *prog);

#endif /* VIREO_RELEASE_H */
